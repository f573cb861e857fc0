#!/usr/bin/env bash
# Throughput of the sources beyond the repository walk, on real text:
#   1. code references: the 3,303 bulk model cards of ../shared/corpus (their usage snippets call
#      from_pretrained, pipeline, ollama …) copied as .py and as .yaml files;
#   2. a Hugging Face cache of 2,000 repositories (two snapshots each, links into blobs/), whose
#      cards are the same bulk cards;
#   3. an Ollama store of 1,000 manifests.
# Prints the best wall time of 3 runs of the release binary for each, with files per second.
# Usage: scripts/bench-sources.sh   (needs ../shared beside the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

bulk=../shared/corpus/modelcards-bulk
[ -d "$bulk" ] || { echo "error: $bulk is missing" >&2; exit 2; }

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/release/modelgate"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

best_of_3() {
    local best=""
    for _ in 1 2 3; do
        local start end t
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    echo "$best"
}

report() { # name files bytes seconds
    printf '%-34s %6d files %7.1f MB  %6.3f s  %8.0f files/s  %6.1f MB/s\n' \
        "$1" "$2" "$(echo "$3 / 1048576" | bc -l)" "$4" "$(echo "$2 / $4" | bc -l)" "$(echo "$3 / 1048576 / $4" | bc -l)"
}

# 1. Code references.
for ext in py yaml; do
    mkdir -p "$work/code-$ext"
    for f in "$bulk"/*.md; do cp "$f" "$work/code-$ext/$(basename "$f" .md).$ext"; done
done
files=$(find "$work/code-py" -type f | wc -l)
bytes=$(du -sb "$work/code-py" | cut -f1)
report "references, cards as .py" "$files" "$bytes" "$(best_of_3 "$bin" scan "$work/code-py" --format json)"
report "references, cards as .yaml" "$files" "$bytes" "$(best_of_3 "$bin" scan "$work/code-yaml" --format json)"
report "same, --no-code-references" "$files" "$bytes" \
    "$(best_of_3 "$bin" scan "$work/code-py" --format json --no-code-references)"

# 2. A Hugging Face cache.
cache="$work/hf"
n=0
for f in "$bulk"/*.md; do
    n=$((n + 1))
    [ "$n" -gt 2000 ] && break
    repo="$cache/models--bench--model-$n"
    mkdir -p "$repo/blobs" "$repo/refs" "$repo/snapshots/aaaa$n" "$repo/snapshots/bbbb$n"
    cp "$f" "$repo/blobs/card$n"
    printf 'x' >"$repo/blobs/weights$n"
    echo "bbbb$n" >"$repo/refs/main"
    for snap in "aaaa$n" "bbbb$n"; do
        ln -s "../../blobs/card$n" "$repo/snapshots/$snap/README.md"
        ln -s "../../blobs/weights$n" "$repo/snapshots/$snap/model.safetensors"
    done
done
files=$(find "$cache" -path '*/snapshots/*' | wc -l)
bytes=$(du -sbL "$cache" | cut -f1)
report "hf-cache, 2000 repos x 2 revisions" "$files" "$bytes" "$(best_of_3 "$bin" scan --hf-cache "$cache" --format json)"

# 3. An Ollama store.
store="$work/ollama"
mkdir -p "$store/blobs"
printf 'GGUF\003\0\0\0\0\0\0\0\0\0\0\0\001\0\0\0\0\0\0\0\017\0\0\0\0\0\0\0general.license\010\0\0\0\012\0\0\0\0\0\0\0apache-2.0' \
    >"$store/blobs/sha256-aa"
for i in $(seq 1 1000); do
    mkdir -p "$store/manifests/registry.ollama.ai/library/model$i"
    printf '{"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:aa","size":60}]}' \
        >"$store/manifests/registry.ollama.ai/library/model$i/latest"
done
report "ollama, 1000 manifests" 1000 "$(du -sb "$store" | cut -f1)" \
    "$(best_of_3 "$bin" scan --ollama "$store" --format json)"
