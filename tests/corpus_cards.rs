//! Model cards from `../shared/corpus`: every card parses or yields a located parse error, and
//! the `license:` value read equals the front matter's, as `MANIFEST.tsv` records it.

mod common;

use assert_cmd::Command;
use modelgate::parse::card;

/// The manifest's rendering of a card's raw `license:` value.
fn rendered(card: Option<&modelgate::model::Card>) -> String {
    let Some(c) = card else { return "(no front matter)".into() };
    if c.parse_error.is_some() && c.body().metadata.is_empty() {
        return "(unparsable front matter)".into();
    }
    match c.meta.license.as_slice() {
        [] => match c.body().metadata.get("license") {
            Some(serde_json::Value::Array(a)) if a.is_empty() => "(empty string)".into(),
            Some(serde_json::Value::String(s)) if s.is_empty() => "(empty string)".into(),
            _ => "(none)".into(),
        },
        values => values.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join(","),
    }
}

#[test]
fn card_licences_match_the_manifest() {
    let rows = common::manifest("modelcards/");
    assert!(rows.len() > 200);
    let mut agree = 0;
    let mut disagree = Vec::new();
    for row in &rows {
        let bytes = std::fs::read(common::corpus().join(&row.path)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let parsed = card::parse(&row.path, &text);
        let got = rendered(parsed.as_ref());
        let expected = row.licence.as_str();
        let ok = match expected {
            // A file without front matter is not a card at all (it is not named README.md).
            "(no front matter)" => parsed.as_ref().is_none_or(|c| c.meta.license.is_empty()),
            // Either a located parse error, or, when nothing in the block is a card key, not a
            // card at all.
            "(unparsable front matter)" | "(unterminated front matter)" => {
                parsed.as_ref().is_none_or(|c| c.parse_error.is_some())
            }
            _ => got == expected,
        };
        if ok {
            agree += 1;
        } else {
            disagree.push(format!("{}: manifest {expected:?}, read {got:?}", row.path));
        }
    }
    println!("model-card licences: {agree}/{} agree with the manifest", rows.len());
    for d in &disagree {
        println!("  {d}");
    }
    assert!(disagree.is_empty(), "{} cards disagree:\n{}", disagree.len(), disagree.join("\n"));
}

/// The whole card corpora through the binary: never a crash, always a report.
#[test]
fn the_binary_scans_every_corpus_card_without_crashing() {
    for dir in ["modelcards", "modelcards-bulk"] {
        let path = common::corpus().join(dir);
        let out =
            Command::cargo_bin("modelgate").unwrap().args(["scan", "--format", "json"]).arg(&path).output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{dir}: exit {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let models = report["models"].as_array().unwrap().len();
        let files = std::fs::read_dir(&path).unwrap().count();
        println!("{dir}: {files} files, {models} models, {} datasets", report["datasets"].as_array().unwrap().len());
        assert!(models * 10 >= files * 7, "{dir}: only {models} models from {files} cards");
        let parse_errors = report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "card-parse-error");
        for f in parse_errors {
            assert!(f["line"].as_u64().unwrap() >= 1, "parse errors carry a line: {f}");
        }
    }
}
