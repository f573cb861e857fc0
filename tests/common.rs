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

/// A program of the repository's `.venv` (which `bash .ci/run` makes), when it is there. With
/// `MODELGATE_REQUIRE_VALIDATORS` set (CI), its absence fails the test; elsewhere the caller skips
/// the check and says so.
pub fn venv_tool(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin").join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("MODELGATE_REQUIRE_VALIDATORS").is_none(),
        "MODELGATE_REQUIRE_VALIDATORS is set but .venv/bin/{name} is missing (bash .ci/run installs it)"
    );
    eprintln!("warning: .venv/bin/{name} not found; external validation skipped (run bash .ci/run)");
    None
}

/// `../shared/schemas`.
pub fn schemas() -> PathBuf {
    corpus().join("../schemas")
}

/// Runs a program; returns whether it succeeded and what it printed.
pub fn run(program: &std::path::Path, args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = std::process::Command::new(program).args(args).output().expect("run a validator");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// What a hostile card tries to run in a report viewer: every attempt sets `window.__pwned`.
pub const PWN: &str = "window.__pwned=1";

/// A tree whose model card, file names and licence file try script injection, event handlers,
/// `javascript:` links, Markdown links and images, table breaking and spreadsheet formulas.
pub fn hostile_tree() -> tempfile::TempDir {
    let front = format!(
        "license: other\n\
         license_name: \"<script>{PWN}</script>\"\n\
         license_link: \"javascript:{PWN}\"\n\
         model_name: \"=HYPERLINK(\\\"http://evil.invalid\\\",\\\"x\\\")<img src=http://evil.invalid/p.png onerror={PWN}>\"\n\
         base_model: \"javascript:{PWN}\"\n\
         datasets:\n  - \"</td></tr><script>{PWN}</script>\"\n\
         pipeline_tag: \"text-generation\\\"><svg onload={PWN}>\""
    );
    let body = format!(
        "# Evil | model\n\n<script>{PWN}</script>\n\n## Intended use\n\n\
         [click me](javascript:{PWN}) ![x](http://evil.invalid/i.png) <iframe src=\"javascript:{PWN}\"></iframe>\n\n\
         ## Limitations\n\n`code` | pipe, \"quotes\", comma, and a\nsecond line <b onmouseover={PWN}>bold</b>\n\n\
         ## Training data\n\n<style>body{{background:url(http://evil.invalid/bg)}}</style>\n"
    );
    tree(&[
        ("evil\"><img src=x onerror=window.__pwned=1>/README.md", &card(&front, &body)),
        (
            "evil\"><img src=x onerror=window.__pwned=1>/LICENSE",
            format!("Evil Terms\n\n<script>{PWN}</script> Licensees with more than 1,000 monthly active users need a licence.\n").as_bytes(),
        ),
        ("evil\"><img src=x onerror=window.__pwned=1>/model.safetensors", b"\x08\x00\x00\x00\x00\x00\x00\x00{}      "),
    ])
}
