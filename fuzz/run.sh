#!/usr/bin/env bash
# Runs fuzz targets one after the other, each for SECONDS (default 600), from the seeds of
# seed.py and the corpus earlier runs grew; one line per run goes to runs.tsv (date, target,
# wall seconds, executions, exit status, crash artifacts). Needs `cargo install cargo-fuzz`;
# on the stable toolchain `-s none` (no sanitizer) is what builds.
#
#   fuzz/run.sh                    # every target, 600 s each
#   SECONDS_PER_TARGET=60 fuzz/run.sh gguf pickle
set -uo pipefail
cd "$(dirname "$0")"
secs=${SECONDS_PER_TARGET:-600}
all=(front_matter licence_text config_toml rule_pack baseline safetensors gguf pickle zip_checkpoint onnx keras
    references model_config ollama_manifest inventory mot plain_yaml)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
[ -d corpus ] || python3 seed.py
mkdir -p logs
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    start=$(date +%s)
    # -timeout: an input taking 10 s is a hang; -rss_limit_mb: an input of a few KiB has no
    # business using 512 MiB (the fuzz limits cap headers at 1 MiB).
    cargo fuzz run -s none "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=512 \
        -print_final_stats=1 >"logs/$t.log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$')
    crashes=$(find "artifacts/$t" -type f 2>/dev/null | wc -l)
    printf '%s\t%s\t%ss\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$((end - start))" "${execs:-?}" "$rc" "$crashes" \
        | tee -a runs.tsv
done
