//! The sources beyond the repository walk, end to end: code references, a Hugging Face cache
//! and an Ollama store built by the tests, inventories, and lineage across them.

mod common;

use std::{
    fs,
    path::{Path, PathBuf},
};

use assert_cmd::Command;
use serde_json::Value;

const SHA_A: &str = "1111111111111111111111111111111111111111";
const SHA_B: &str = "2222222222222222222222222222222222222222";

fn modelgate() -> Command {
    let mut cmd = Command::cargo_bin("modelgate").unwrap();
    for var in ["NO_COLOR", "HF_HUB_CACHE", "HF_HOME", "OLLAMA_MODELS", "HF_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE"] {
        cmd.env_remove(var);
    }
    cmd
}

fn json(cmd: &mut Command) -> (Value, std::process::Output) {
    let out = cmd.args(["--format", "json"]).output().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (v, out)
}

fn models_with_id<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["models"].as_array().unwrap().iter().filter(|m| m["id"] == id).collect()
}

fn one<'a>(report: &'a Value, id: &str) -> &'a Value {
    let found = models_with_id(report, id);
    assert_eq!(found.len(), 1, "one record for {id}: {found:#?}");
    found[0]
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).collect()
}

/// The real Llama 3.1 licence text, from the shared corpus.
fn llama31_licence() -> String {
    fs::read_to_string(common::corpus().join("licences/llama3.1/LICENSE")).unwrap()
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A cache repository in the layout huggingface_hub writes: blobs, snapshot links, refs.
struct CacheRepo {
    dir: PathBuf,
}

impl CacheRepo {
    fn new(cache: &Path, folder: &str) -> CacheRepo {
        let dir = cache.join(folder);
        fs::create_dir_all(dir.join("blobs")).unwrap();
        CacheRepo { dir }
    }

    fn reference(&self, name: &str, sha: &str) -> &Self {
        write(&self.dir.join("refs").join(name), sha);
        self
    }

    /// A file of a snapshot as a link into `blobs/`.
    #[cfg(unix)]
    fn linked(&self, sha: &str, name: &str, content: &[u8]) -> &Self {
        let blob = format!("{:040x}", content.len() as u128 * 7919 + name.len() as u128);
        fs::write(self.dir.join("blobs").join(&blob), content).unwrap();
        let link = self.dir.join("snapshots").join(sha).join(name);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        let up = "../".repeat(name.matches('/').count() + 2);
        std::os::unix::fs::symlink(format!("{up}blobs/{blob}"), link).unwrap();
        self
    }

    /// A file copied into the snapshot (no symlink support).
    fn copied(&self, sha: &str, name: &str, content: &[u8]) -> &Self {
        let path = self.dir.join("snapshots").join(sha).join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }
}

/// A tiny GGUF v3 header with string keys.
fn gguf(keys: &[(&str, &str)]) -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend(0u64.to_le_bytes());
    b.extend((keys.len() as u64).to_le_bytes());
    for (k, v) in keys {
        b.extend((k.len() as u64).to_le_bytes());
        b.extend(k.as_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend((v.len() as u64).to_le_bytes());
        b.extend(v.as_bytes());
    }
    b
}

/// An Ollama store with one manifest per model.
fn ollama_model(store: &Path, registry_path: &str, layers: &[(&str, Vec<u8>)]) {
    let mut json_layers = Vec::new();
    for (i, (media, content)) in layers.iter().enumerate() {
        let hex = format!("{:064x}", (registry_path.len() * 100 + i) as u128);
        write(&store.join("blobs").join(format!("sha256-{hex}")), "");
        fs::write(store.join("blobs").join(format!("sha256-{hex}")), content).unwrap();
        json_layers.push(serde_json::json!({
            "mediaType": media, "digest": format!("sha256:{hex}"), "size": content.len()
        }));
    }
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "layers": json_layers,
    });
    write(&store.join("manifests").join(registry_path), &manifest.to_string());
}

const APP: &str = r#"from transformers import AutoModelForCausalLM
from openai import OpenAI
import anthropic
model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
client = OpenAI()
reply = client.chat.completions.create(model="gpt-4o", messages=[])
claude = anthropic.Anthropic()
answer = claude.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=10, messages=[])
"#;

/// The scenario of the issue: code, a cache and an Ollama store.
fn world() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    write(&repo.join("app/main.py"), APP);
    write(&repo.join("deploy/pull.sh"), "#!/bin/sh\nollama pull llama3.1:8b\n");

    let cache = tmp.path().join("hf");
    let card = "---\nlicense: llama3.1\npipeline_tag: text-generation\nlibrary_name: transformers\n---\n# Llama\n";
    #[cfg(unix)]
    CacheRepo::new(&cache, "models--meta-llama--Llama-3.1-8B-Instruct")
        .reference("main", SHA_A)
        .linked(SHA_A, "README.md", card.as_bytes())
        .linked(SHA_A, "LICENSE", llama31_licence().as_bytes())
        .linked(SHA_A, "model.safetensors", b"\x08\0\0\0\0\0\0\0{}      ")
        .linked(SHA_A, "config.json", br#"{"model_type":"llama","architectures":["LlamaForCausalLM"]}"#);
    #[cfg(not(unix))]
    CacheRepo::new(&cache, "models--meta-llama--Llama-3.1-8B-Instruct")
        .reference("main", SHA_A)
        .copied(SHA_A, "README.md", card.as_bytes())
        .copied(SHA_A, "LICENSE", llama31_licence().as_bytes());

    let store = tmp.path().join("ollama");
    ollama_model(
        &store,
        "registry.ollama.ai/library/llama3.1/8b",
        &[
            (
                "application/vnd.ollama.image.model",
                gguf(&[("general.name", "Llama 3.1 8B"), ("general.license", "llama3.1")]),
            ),
            ("application/vnd.ollama.image.license", llama31_licence().into_bytes()),
            ("application/vnd.ollama.image.template", b"{{ .Prompt }}".to_vec()),
        ],
    );
    ollama_model(
        &store,
        "hf.co/acme/tiny-GGUF/Q4_K_M",
        &[("application/vnd.ollama.image.model", gguf(&[("general.license", "apache-2.0")]))],
    );
    (tmp, repo, cache, store)
}

#[test]
fn code_a_cache_and_an_ollama_store_give_one_record_per_model() {
    let (_tmp, repo, cache, store) = world();
    let (report, out) =
        json(modelgate().arg("scan").arg(&repo).arg("--hf-cache").arg(&cache).arg("--ollama").arg(&store));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let llama = one(&report, "meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(llama["source"], "hf-cache");
    assert_eq!(llama["sources"], serde_json::json!(["hf-cache", "code-reference"]));
    assert_eq!(llama["revision"], SHA_A);
    assert_eq!(llama["refs"], serde_json::json!(["main"]));
    assert_eq!(llama["licence"]["id"], "llama3.1");
    assert_eq!(llama["licence"]["category"], "community");
    assert_eq!(llama["openness"]["weights"], "restricted");
    assert_eq!(llama["references"][0]["file"], "app/main.py");
    assert_eq!(llama["references"][0]["line"], 4);
    assert_eq!(llama["references"][0]["via"], "from_pretrained");
    let licence_file = llama["licence"]["evidence"].as_array().unwrap().iter().find(|e| e["kind"] == "licence-file");
    let shown = licence_file.unwrap()["file"].as_str().unwrap();
    assert!(
        shown.ends_with(&format!("models--meta-llama--Llama-3.1-8B-Instruct/snapshots/{SHA_A}/LICENSE")),
        "{shown}"
    );

    for (id, vendor, line) in [("openai:gpt-4o", "openai", 6), ("anthropic:claude-3-5-sonnet-20241022", "anthropic", 8)]
    {
        let m = one(&report, id);
        assert_eq!(m["source"], "code-reference");
        assert_eq!(m["vendor"], vendor);
        assert_eq!(m["licence"]["category"], "proprietary");
        assert_eq!(m["licence"]["evidence"][0]["kind"], "vendor-terms");
        assert_eq!(m["openness"]["weights"], "closed");
        assert_eq!(m["references"][0]["line"], line);
        let hit = findings(&report, "closed-api-model").into_iter().find(|f| f["model"] == id).unwrap();
        assert_eq!((hit["file"].as_str(), hit["line"].as_u64()), (Some("app/main.py"), Some(line)));
        assert_eq!(hit["severity"], "note");
    }
    assert!(
        one(&report, "openai:gpt-4o")["restrictions"].as_array().unwrap().iter().any(|r| r["kind"] == "output-use")
    );

    // `~/.ollama` given for `~/.ollama/models` finds the same models.
    let parent = store.parent().unwrap().join("dot-ollama");
    fs::create_dir_all(&parent).unwrap();
    copy_dir(&store, &parent.join("models"));
    let (again, _) = json(modelgate().arg("scan").arg(format!("--ollama={}", parent.display())));
    assert_eq!(again["summary"]["models"], 2);

    let ollama = one(&report, "library/llama3.1:8b");
    assert_eq!(ollama["source"], "ollama");
    assert_eq!(ollama["sources"], serde_json::json!(["ollama", "code-reference"]));
    assert_eq!(ollama["licence"]["id"], "llama3.1");
    assert_eq!(ollama["weights"][0]["format"], "gguf");
    assert!(ollama["revision"].as_str().unwrap().starts_with("sha256:"));
    let kinds: Vec<&str> =
        ollama["licence"]["evidence"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"weights-metadata") && kinds.contains(&"licence-file"), "{kinds:?}");

    let tiny = one(&report, "hf.co/acme/tiny-gguf:q4_k_m");
    assert_eq!(tiny["licence"]["id"], "apache-2.0");
    assert_eq!(tiny["openness"]["weights"], "open");

    let lock = &report["summary"]["lock_in"];
    assert_eq!(lock["hosted_models"], 2);
    assert_eq!(lock["closed_api_models"], 2);
    assert_eq!(lock["call_sites"], 2);
    assert_eq!(lock["vendors"], serde_json::json!({"anthropic": 1, "openai": 1}));
    assert_eq!(report["summary"]["models"], 5);
    assert_eq!(lock["closed_api_percent"], 40);
    assert_eq!(report["summary"]["sources"]["code-reference"], 4);

    let text =
        modelgate().arg("scan").arg(&repo).arg("--hf-cache").arg(&cache).arg("--ollama").arg(&store).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("lock-in: 2 of 5 models (40%) are closed behind a vendor API; hosted models per vendor: anthropic 1, openai 1 (2 call sites)"),
        "{text}"
    );
    assert!(text.contains("SOURCE"), "{text}");
}

#[test]
fn a_store_alone_does_not_walk_the_working_directory() {
    let (_tmp, _repo, cache, _store) = world();
    let empty = tempfile::tempdir().unwrap();
    let (report, _) =
        json(modelgate().current_dir(examples()).arg("scan").arg(format!("--hf-cache={}", cache.display())));
    let ids: Vec<&str> = report["models"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["meta-llama/Llama-3.1-8B-Instruct"]);
    // The default cache place comes from the environment.
    let (report, _) =
        json(modelgate().current_dir(empty.path()).env("HF_HUB_CACHE", &cache).args(["scan", "--hf-cache"]));
    assert_eq!(report["summary"]["models"], 1);
    // HF_HOME, and HF_HOME given as the directory: its `hub/` folder is the cache.
    let home = empty.path().join("hf-home");
    fs::create_dir_all(&home).unwrap();
    fs::rename(&cache, home.join("hub")).unwrap();
    let (report, _) = json(modelgate().current_dir(empty.path()).env("HF_HOME", &home).args(["scan", "--hf-cache"]));
    assert_eq!(report["summary"]["models"], 1);
    let (report, _) = json(modelgate().arg("scan").arg(format!("--hf-cache={}", home.display())));
    assert_eq!(report["summary"]["models"], 1);
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

#[cfg(unix)]
#[test]
fn cache_links_are_followed_only_inside_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("hf");
    let outside = tmp.path().join("secret");
    write(&outside.join("README.md"), "---\nlicense: mit\n---\n");
    let repo = CacheRepo::new(&cache, "models--acme--linked");
    repo.reference("main", SHA_A).linked(SHA_A, "config.json", br#"{"model_type":"bert"}"#);
    let snap = cache.join("models--acme--linked/snapshots").join(SHA_A);
    std::os::unix::fs::symlink(outside.join("README.md"), snap.join("README.md")).unwrap();
    std::os::unix::fs::symlink("LICENSE", snap.join("LICENSE")).unwrap(); // a loop
    std::os::unix::fs::symlink("../../blobs/missing", snap.join("model.safetensors")).unwrap();
    // A repository folder that is a link out of the cache is not read.
    let elsewhere = tmp.path().join("elsewhere");
    CacheRepo::new(&elsewhere, "models--acme--away").reference("main", SHA_A).copied(
        SHA_A,
        "README.md",
        b"---\nlicense: mit\n---\n",
    );
    std::os::unix::fs::symlink(elsewhere.join("models--acme--away"), cache.join("models--acme--away")).unwrap();
    // Copied-file mode: no blobs, plain files.
    CacheRepo::new(&cache, "models--acme--copied").reference("main", SHA_B).copied(
        SHA_B,
        "README.md",
        b"---\nlicense: apache-2.0\n---\n# copied\n",
    );
    // Two revisions of one model: only the one `main` points at carries the ref.
    CacheRepo::new(&cache, "models--acme--copied").copied(SHA_A, "README.md", b"---\nlicense: mit\n---\n");
    // A dataset.
    CacheRepo::new(&cache, "datasets--acme--chats").reference("main", SHA_A).copied(
        SHA_A,
        "README.md",
        b"---\nlicense: cc-by-4.0\ntask_categories: [text-classification]\n---\n",
    );

    let (report, out) = json(modelgate().arg("scan").arg(format!("--hf-cache={}", cache.display())));
    assert_eq!(out.status.code(), Some(0));
    let linked = one(&report, "acme/linked");
    assert_eq!(linked["licence"]["id"], "none", "the README outside the cache was not read");
    let io: Vec<&str> = findings(&report, "io-error").iter().map(|f| f["file"].as_str().unwrap()).collect();
    for name in ["README.md", "LICENSE", "model.safetensors"] {
        assert!(io.iter().any(|f| f.ends_with(&format!("{SHA_A}/{name}"))), "{name} reported: {io:?}");
    }
    assert!(
        findings(&report, "io-error").iter().any(|f| f["message"].as_str().unwrap().contains("outside the store")),
        "{io:?}"
    );

    assert!(models_with_id(&report, "acme/away").is_empty());
    assert!(io.iter().any(|f| f.ends_with("models--acme--away")), "{io:?}");

    let copied = models_with_id(&report, "acme/copied");
    assert_eq!(copied.len(), 2, "one record per revision");
    let main = copied.iter().find(|m| m["revision"] == SHA_B).unwrap();
    assert_eq!(main["licence"]["id"], "apache-2.0");
    assert_eq!(main["refs"], serde_json::json!(["main"]));
    let old = copied.iter().find(|m| m["revision"] == SHA_A).unwrap();
    assert_eq!(old["licence"]["id"], "mit");
    assert!(old.get("refs").is_none());

    let ds = &report["datasets"][0];
    assert_eq!(ds["id"], "acme/chats");
    assert_eq!(ds["source"], "hf-cache");
    assert_eq!(ds["licence"]["id"], "cc-by-4.0");
}

#[test]
fn lineage_crosses_sources_and_reports_cycles_and_missing_bases() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    // A fine-tune in the repository whose base is only in the cache.
    write(&repo.join("support-bot/README.md"), "---\nlicense: apache-2.0\nbase_model: acme/base-llama\n---\n# bot\n");
    let cache = tmp.path().join("hf");
    let copied = |folder: &str, card: &str| {
        CacheRepo::new(&cache, folder).reference("main", SHA_A).copied(SHA_A, "README.md", card.as_bytes());
    };
    copied("models--acme--base-llama", "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n");
    copied("models--acme--loop-a", "---\nlicense: mit\nbase_model: acme/loop-b\n---\n");
    copied("models--acme--loop-b", "---\nlicense: mit\nbase_model: acme/loop-a\n---\n");
    copied("models--acme--orphan", "---\nlicense: mit\nbase_model: nobody/never-published\n---\n");

    let (report, _) = json(modelgate().arg("scan").arg(&repo).arg("--hf-cache").arg(&cache));
    let bot = one(&report, "support-bot");
    assert_eq!(bot["lineage"][0]["resolved_by"], "scan");
    assert_eq!(bot["lineage"][0]["source"], "hf-cache");
    assert_eq!(bot["lineage"][0]["licence"], "llama3.1");
    let lineage = findings(&report, "licence-lineage");
    assert!(lineage.iter().any(|f| f["model"] == "support-bot" && f["file"] == "support-bot/README.md"), "{lineage:?}");
    let inherited = bot["restrictions"].as_array().unwrap().iter().find(|r| r["kind"] == "user-threshold").unwrap();
    assert_eq!(inherited["inherited_from"], "acme/base-llama");

    let cycles = findings(&report, "lineage-cycle");
    assert_eq!(cycles.len(), 2, "{cycles:#?}");
    assert!(cycles[0]["message"].as_str().unwrap().contains("acme/loop-a → acme/loop-b → acme/loop-a"), "{cycles:?}");
    assert_eq!(
        one(&report, "acme/loop-a")["lineage"][0]["cycle"],
        serde_json::json!(["acme/loop-a", "acme/loop-b", "acme/loop-a"])
    );

    let unresolved = findings(&report, "lineage-unresolved");
    assert!(unresolved.iter().any(|f| f["model"] == "acme/orphan"), "{unresolved:?}");
    assert!(unresolved.iter().all(|f| f["model"] != "acme/loop-a"), "a loop is reported once, as a loop");
}

#[test]
fn inventories_are_audited_and_keep_their_columns() {
    let (_tmp, repo, cache, _store) = world();
    let inv = repo.join("models.csv");
    write(
        &inv,
        "model,team,region,cost centre\n\
         meta-llama/Llama-3.1-8B-Instruct,search,eu-west-1,42\n\
         meta-llama/Llama-3.1-70B-Instruct,search,us-east-1,43\n\
         gpt-4o,support,eu-west-1,44\n\
         acme/in-house-model,search,eu-west-1,45\n",
    );
    let (report, out) =
        json(modelgate().arg("scan").arg(&repo).arg("--hf-cache").arg(&cache).arg("--inventory").arg(&inv));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let cached = one(&report, "meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(cached["source"], "hf-cache");
    assert_eq!(cached["sources"], serde_json::json!(["hf-cache", "code-reference", "inventory"]));
    let row = &cached["inventory"][0];
    assert_eq!(row["team"], "search");
    assert_eq!(row["region"], "eu-west-1");
    assert_eq!(row["columns"]["cost centre"], "42");
    assert_eq!(row["line"], 2);

    // Only the inventory names it: judged from the catalogue's base families.
    let listed = one(&report, "meta-llama/Llama-3.1-70B-Instruct");
    assert_eq!(listed["source"], "inventory");
    assert_eq!(listed["licence"]["id"], "llama3.1");
    assert_eq!(listed["licence"]["evidence"][0]["kind"], "catalogue");
    assert_eq!(listed["licence"]["evidence"][0]["line"], 3);

    let unverified: Vec<&Value> =
        findings(&report, "licence-unverified").into_iter().filter(|f| f["model"] != "library/llama3.1:8b").collect();
    assert_eq!(
        unverified.len(),
        1,
        "only the model nothing knows, and the Ollama one (no --ollama here): {unverified:?}"
    );
    assert_eq!(unverified[0]["model"], "acme/in-house-model");
    assert_eq!(
        (unverified[0]["file"].as_str().unwrap().ends_with("models.csv"), &unverified[0]["line"]),
        (true, &serde_json::json!(5))
    );

    let gpt = one(&report, "openai:gpt-4o");
    assert_eq!(gpt["sources"], serde_json::json!(["code-reference", "inventory"]));
    assert_eq!(gpt["inventory"][0]["team"], "support");

    let bad = repo.join("bad.csv");
    write(&bad, "team\nsearch\n");
    let out = modelgate().arg("scan").arg(&repo).arg("--inventory").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.csv:1: the header has no model id column"));
}

#[test]
fn diff_mode_keeps_the_models_changed_code_names() {
    let (_tmp, repo, _, _) = world();
    let changed = repo.join("changed.txt");
    write(&changed, "app/main.py\n");
    let (report, _) = json(modelgate().arg("scan").arg(&repo).arg("--paths-file").arg(&changed));
    let mut ids: Vec<&str> = report["models"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["anthropic:claude-3-5-sonnet-20241022", "meta-llama/Llama-3.1-8B-Instruct", "openai:gpt-4o"]);
}

#[test]
fn code_references_can_be_turned_off() {
    let (_tmp, repo, _, _) = world();
    let (report, _) = json(modelgate().arg("scan").arg(&repo));
    assert_eq!(report["summary"]["models"], 4, "llama, gpt-4o, claude, ollama llama3.1");
    let (report, _) = json(modelgate().arg("scan").arg(&repo).arg("--no-code-references"));
    assert_eq!(report["summary"]["models"], 0);
}

#[test]
fn stores_that_cannot_be_read_are_errors() {
    let out = modelgate().args(["scan", "--hf-cache=/no/such/cache"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`/no/such/cache` does not exist"));
    let tmp = tempfile::tempdir().unwrap();
    let out = modelgate().arg("scan").arg("--ollama").arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an Ollama store"));
}

/// The real `sentence-transformers/all-MiniLM-L6-v2` snapshot that `.ci/run` downloads (see
/// tests/weights_snapshot.rs), laid out as huggingface_hub lays out its cache (files hard-linked,
/// or copied, into `blobs/`, links in `snapshots/`), and named by code the way its card says to
/// load it.
#[cfg(unix)]
#[test]
fn a_real_snapshot_in_a_cache_layout_is_one_record_with_its_code_reference() {
    let Some(snapshot) = std::env::var_os("MODELGATE_TEST_SNAPSHOT") else {
        assert!(std::env::var_os("CI").is_none(), "CI must set MODELGATE_TEST_SNAPSHOT (.ci/run downloads it)");
        eprintln!("skipped: MODELGATE_TEST_SNAPSHOT is not set (`bash .ci/run` sets it)");
        return;
    };
    let snapshot = PathBuf::from(snapshot);
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let repo = tmp.path().join("hf/models--sentence-transformers--all-MiniLM-L6-v2");
    write(&repo.join("refs/main"), SHA_A);
    let mut files = Vec::new();
    let mut stack = vec![snapshot.clone()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            if e.path().is_dir() { stack.push(e.path()) } else { files.push(e.path()) }
        }
    }
    for (i, file) in files.iter().enumerate() {
        let rel = file.strip_prefix(&snapshot).unwrap();
        let blob = repo.join("blobs").join(format!("{i:040x}"));
        fs::create_dir_all(blob.parent().unwrap()).unwrap();
        if fs::hard_link(file, &blob).is_err() {
            fs::copy(file, &blob).unwrap();
        }
        let link = repo.join("snapshots").join(SHA_A).join(rel);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        let up = "../".repeat(rel.components().count() + 1);
        std::os::unix::fs::symlink(format!("{up}blobs/{i:040x}"), link).unwrap();
    }
    let code = tmp.path().join("app");
    write(
        &code.join("embed.py"),
        "from sentence_transformers import SentenceTransformer\nmodel = SentenceTransformer(\"all-MiniLM-L6-v2\")\n",
    );

    let (report, out) = json(modelgate().arg("scan").arg(&code).arg("--hf-cache").arg(tmp.path().join("hf")));
    assert_eq!(out.status.code(), Some(0), "{:#}", report["findings"]);
    let m = one(&report, "sentence-transformers/all-MiniLM-L6-v2");
    assert_eq!(m["source"], "hf-cache");
    assert_eq!(m["sources"], serde_json::json!(["hf-cache", "code-reference"]));
    assert_eq!(m["references"][0]["line"], 2);
    assert_eq!(m["licence"]["id"], "apache-2.0");
    assert_eq!(m["openness"]["weights"], "open");
    let weights = m["weights"].as_array().unwrap();
    assert_eq!(weights.len(), 1, "{weights:#?}");
    assert!(weights[0]["file"].as_str().unwrap().ends_with(&format!("snapshots/{SHA_A}/model.safetensors")));
    assert!(weights[0]["parameters"].as_u64().unwrap() > 20_000_000, "the header was read through the blob link");
    assert_eq!(report["summary"]["models"], 1);
}
