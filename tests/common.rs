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
