//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/corpus`, next to the repository root (present on every developer machine and in CI).
pub fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "the shared corpus is missing: expected {} (see README, 'Tests')",
        dir.display()
    );
    dir
}

/// One row of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
pub struct Row {
    pub path: String,
    pub kind: String,
    pub licence: String,
    pub notes: String,
}

/// Every manifest row whose path starts with `prefix`.
pub fn manifest(prefix: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 6 && f[0].starts_with(prefix)).then(|| Row {
                path: f[0].to_string(),
                kind: f[4].to_string(),
                licence: f[5].to_string(),
                notes: f.get(6).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

/// A temporary directory holding these files (`path` → contents; parents are created).
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, contents) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("create dirs");
        std::fs::write(&p, contents).expect("write fixture");
    }
    dir
}

/// The binary, with the environment variables that change its output removed.
pub fn modelgate() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("modelgate").expect("binary");
    cmd.env_remove("NO_COLOR").env_remove("MODELGATE_TODAY");
    cmd
}

/// `modelgate scan DIR --format json EXTRA…`: the report and the process output.
pub fn scan_json(dir: &std::path::Path, extra: &[&str]) -> (serde_json::Value, std::process::Output) {
    let out = modelgate().arg("scan").arg(dir).args(["--format", "json"]).args(extra).output().expect("run");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, out)
}

/// The rule ids of a report's findings about one model, sorted.
pub fn rules_for(report: &serde_json::Value, model: &str) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["model"] == model)
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

/// A model card: front matter lines, then the body.
pub fn card(front: &str, body: &str) -> Vec<u8> {
    format!("---\n{front}\n---\n\n{body}\n").into_bytes()
}
