//! The binary, end to end, on the demo tree and on trees built by the tests.

mod common;

use std::{fs, path::Path, process::Output};

use assert_cmd::Command;
use serde_json::Value;

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn modelgate() -> Command {
    let mut cmd = Command::cargo_bin("modelgate").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn scan_json(dir: &Path, extra: &[&str]) -> (Value, Output) {
    let out = modelgate().arg("scan").arg(dir).args(["--format", "json"]).args(extra).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (json, out)
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).collect()
}

fn model<'a>(report: &'a Value, location: &str) -> &'a Value {
    report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["location"] == location)
        .unwrap_or_else(|| panic!("no model at {location}"))
}

#[test]
fn every_default_rule_fires_on_the_demo_tree_with_file_and_line() {
    let (report, out) = scan_json(&examples(), &[]);
    assert_eq!(out.status.code(), Some(1), "errors found: exit 1");
    let expect = [
        ("licence-missing", "untracked-checkpoint/model.safetensors", None),
        ("licence-unknown", "acme-custom/README.md", Some(3)),
        ("licence-conflict", "relabelled-llama/LICENSE", Some(1)),
        ("licence-lineage", "llama-support-bot/README.md", Some(3)),
        ("restricted-use", "llama-support-bot/README.md", Some(3)),
        ("card-parse-error", "broken-card/README.md", Some(5)),
        ("card-incomplete", "gemma-chat/README.md", None),
        ("unsafe-pickle", "legacy-classifier/classifier.pkl", None),
        ("unsafe-keras-lambda", "legacy-classifier/preprocess.keras", None),
        ("weights-format-mismatch", "legacy-classifier/vectors.safetensors", None),
        ("weights-header-invalid", "legacy-classifier/head.gguf", None),
    ];
    for (rule, file, line) in expect {
        let hits = findings(&report, rule);
        let hit = hits
            .iter()
            .find(|f| f["file"] == file)
            .unwrap_or_else(|| panic!("{rule} did not fire on {file}: {hits:?}"));
        if let Some(line) = line {
            assert_eq!(hit["line"], line, "{rule} line");
        }
        assert!(!hit["message"].as_str().unwrap().is_empty());
        assert!(!hit["help"].as_str().unwrap().is_empty());
    }
    // The clean model has no findings at all.
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["model"] != "acme/encoder-small"));
}

#[test]
fn json_uses_the_documented_field_names() {
    let (report, _) = scan_json(&examples(), &[]);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "modelgate");
    assert!(report["tool"]["version"].is_string());
    for key in ["models", "errors", "warnings", "notes"] {
        assert!(report["summary"][key].is_u64(), "summary.{key}");
    }
    for m in report["models"].as_array().unwrap() {
        for key in
            ["id", "source", "location", "licence", "restrictions", "openness", "base_models", "datasets", "weights"]
        {
            assert!(!m[key].is_null(), "model.{key} in {m}");
        }
        for key in ["id", "spdx", "name", "category", "evidence", "parts"] {
            assert!(!m["licence"][key].is_null(), "licence.{key}");
        }
        for key in ["weights", "data", "code", "reasons"] {
            assert!(!m["openness"][key].is_null(), "openness.{key}");
        }
        assert!(m["openness"].get("mof_class").is_some());
        assert!(["repository", "code-reference"].contains(&m["source"].as_str().unwrap()), "{}", m["source"]);
    }
    for f in report["findings"].as_array().unwrap() {
        for key in ["rule", "severity", "model", "message", "file", "line"] {
            assert!(f.get(key).is_some(), "finding.{key}");
        }
        assert!(["error", "warning", "note"].contains(&f["severity"].as_str().unwrap()));
    }
}

#[test]
fn the_demo_models_are_identified_as_expected() {
    let (report, _) = scan_json(&examples(), &[]);
    let enc = model(&report, "acme-encoder");
    assert_eq!(enc["id"], "acme/encoder-small");
    assert_eq!(enc["licence"]["id"], "apache-2.0");
    assert_eq!(enc["licence"]["spdx"], "Apache-2.0");
    assert_eq!(enc["licence"]["category"], "permissive");
    assert_eq!(enc["openness"]["weights"], "open");
    assert_eq!(enc["openness"]["code"], "open");
    assert_eq!(enc["openness"]["mof_class"], "III");
    assert_eq!(enc["weights"][0]["format"], "safetensors");

    let bot = model(&report, "llama-support-bot");
    assert_eq!(bot["base_models"][0], "meta-llama/Llama-3.1-8B-Instruct");
    assert_eq!(bot["lineage"][0]["licence"], "llama3.1");
    assert_eq!(bot["openness"]["weights"], "restricted");
    let threshold = bot["restrictions"].as_array().unwrap().iter().find(|r| r["kind"] == "user-threshold").unwrap();
    assert_eq!(threshold["users"], 700_000_000);
    assert_eq!(threshold["inherited_from"], "meta-llama/Llama-3.1-8B-Instruct");

    let relabelled = model(&report, "relabelled-llama");
    assert_eq!(relabelled["licence"]["id"], "apache-2.0 AND llama3.1");
    assert_eq!(relabelled["licence"]["category"], "community");
    assert_eq!(relabelled["licence"]["parts"].as_array().unwrap().len(), 2);

    let gemma = model(&report, "gemma-chat");
    let eu = gemma["restrictions"].as_array().unwrap().iter().find(|r| r["kind"] == "territorial").unwrap();
    assert_eq!(eu["regions"][0], "EU");
    assert_eq!(eu["evidence"][0]["line"], 7);

    let missing = model(&report, "untracked-checkpoint");
    assert_eq!(missing["licence"]["id"], "none");
    assert_eq!(missing["licence"]["category"], "none");

    assert_eq!(report["datasets"][0]["licence"]["id"], "cc-by-4.0");

    // A GGUF with no card: its header's licence is the model's.
    let gguf = model(&report, "tiny-gguf");
    assert_eq!(gguf["licence"]["id"], "apache-2.0");
    assert_eq!(gguf["licence"]["evidence"][0]["kind"], "weights-metadata");
    assert_eq!(gguf["weights"][0]["metadata"]["general.name"], "Tiny Demo");
    assert_eq!(gguf["parameters"], 64);
}

#[test]
fn output_is_deterministic() {
    let a = modelgate().args(["scan", "--format", "json"]).arg(examples()).output().unwrap();
    let b = modelgate().args(["scan", "--format", "json", "-j", "1"]).arg(examples()).output().unwrap();
    assert_eq!(a.stdout, b.stdout);
    let t1 = modelgate().args(["scan", "--color", "never"]).arg(examples()).output().unwrap();
    let t2 = modelgate().args(["scan", "--color", "never"]).arg(examples()).output().unwrap();
    assert_eq!(t1.stdout, t2.stdout);
}

#[test]
fn exit_code_does_not_depend_on_the_format() {
    let formats = ["terminal", "json", "sarif", "github", "junit", "html", "markdown", "csv", "cyclonedx", "spdx"];
    for format in formats {
        let out = modelgate().args(["scan", "--format", format]).arg(examples()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stdout.is_empty(), "{format} wrote nothing");
        let clean =
            modelgate().args(["scan", "--fail-on", "never", "--format", format]).arg(examples()).output().unwrap();
        assert_eq!(clean.status.code(), Some(0), "{format} with --fail-on never");
    }
    let never = modelgate().args(["scan", "--fail-on", "never"]).arg(examples()).output().unwrap();
    assert_eq!(never.status.code(), Some(0));
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m");
    fs::create_dir(&m).unwrap();
    fs::write(m.join("README.md"), "---\nlicense: apache-2.0\n---\n# m\n").unwrap();
    // Only a note (card-incomplete): passes by default, fails with --fail-on note.
    let ok = modelgate().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let strict = modelgate().args(["scan", "--fail-on", "note"]).arg(dir.path()).output().unwrap();
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let out = modelgate().args(["scan", "/no/such/dir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    let out = modelgate().args(["scan", "--format", "yaml", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = modelgate().args(["scan", "--policy", "nope"]).arg(examples()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn output_file_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    let out = modelgate().args(["scan", "--format", "json", "--output"]).arg(&file).arg(examples()).output().unwrap();
    assert!(out.stdout.is_empty());
    let json: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    let plain = modelgate().arg("scan").arg(examples()).output().unwrap();
    assert!(!plain.stdout.contains(&0x1b), "no colour when not a terminal");
    let forced = modelgate().args(["scan", "--color", "always"]).arg(examples()).output().unwrap();
    assert!(forced.stdout.contains(&0x1b));
}

#[test]
fn gitignore_is_honoured_and_symlinks_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let outside = dir.path().join("outside");
    for d in [root.join("kept"), root.join("ignored"), outside.clone()] {
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("README.md"), "---\nlicense: mit\n---\n").unwrap();
    }
    fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, root.join("link")).unwrap();
    let (report, _) = scan_json(&root, &[]);
    let locations: Vec<&str> =
        report["models"].as_array().unwrap().iter().map(|m| m["location"].as_str().unwrap()).collect();
    assert_eq!(locations, ["kept"]);
    let (all, _) = scan_json(&root, &["--no-ignore"]);
    assert_eq!(all["models"].as_array().unwrap().len(), 2);
    #[cfg(unix)]
    {
        let (followed, _) = scan_json(&root, &["--follow-symlinks"]);
        let locations: Vec<&str> =
            followed["models"].as_array().unwrap().iter().map(|m| m["location"].as_str().unwrap()).collect();
        assert_eq!(locations, ["kept"], "a symlink out of the root is never followed");
    }
}

#[test]
fn several_roots_are_reported_with_their_paths() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        fs::create_dir(dir.path().join(name)).unwrap();
        fs::write(dir.path().join(name).join("README.md"), "---\nlicense: mit\n---\n").unwrap();
    }
    let out = modelgate().current_dir(dir.path()).args(["scan", "--format", "json", "a", "b"]).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let locations: Vec<&str> =
        json["models"].as_array().unwrap().iter().map(|m| m["location"].as_str().unwrap()).collect();
    assert_eq!(locations, ["a", "b"]);
}

/// The README shows the demo scan as it really prints (rewrite it with
/// `MODELGATE_BLESS=1 cargo test --test cli readme`).
#[test]
fn readme_shows_the_current_demo_output() {
    let out = modelgate()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "examples", "--color", "never"])
        .output()
        .unwrap();
    let demo = String::from_utf8(out.stdout).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = fs::read_to_string(&path).unwrap();
    let start = readme.find("```text\n").expect("README has a ```text block") + "```text\n".len();
    let end = start + readme[start..].find("```\n").expect("the block is closed");
    if std::env::var_os("MODELGATE_BLESS").is_some() {
        let updated = format!("{}{}{}", &readme[..start], demo, &readme[end..]);
        fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        readme[start..end] == demo,
        "the README's demo output is stale: run MODELGATE_BLESS=1 cargo test --test cli readme"
    );
}
