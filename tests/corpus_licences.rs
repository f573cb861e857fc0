//! Licence-text identification measured on the real texts in `../shared/corpus/licences`.
//!
//! Each text must be identified as the licence its `MANIFEST.tsv` row names (a use policy
//! counts as the licence that incorporates it). The table is printed with `--nocapture`.

mod common;

use modelgate::{catalogue::Document, recognise::text};

/// What the top match says the text is, as a manifest id.
fn identified(text: &str) -> Option<(String, f32)> {
    let matches = text::identify(text);
    let m = matches.first()?;
    let id = match m.licence.document {
        Document::Policy => m.licence.policy_for.first().cloned().unwrap_or_default(),
        Document::Licence => m.licence.id.clone(),
    };
    Some((id, m.confidence))
}

#[test]
fn licence_texts_are_identified_as_the_manifest_says() {
    let rows = common::manifest("licences/");
    assert!(rows.len() > 100, "expected the full licence corpus, found {} rows", rows.len());
    let mut correct = 0;
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for row in &rows {
        let expected = row.licence.trim_start_matches("other:");
        let bytes = std::fs::read(common::corpus().join(&row.path)).expect("read corpus file");
        let text = String::from_utf8_lossy(&bytes);
        match identified(&text) {
            Some((id, _)) if id == expected => correct += 1,
            Some((id, c)) => wrong.push(format!("{:<70} expected {expected:<32} got {id} ({c:.2})", row.path)),
            None => unknown.push(format!("{:<70} expected {expected}", row.path)),
        }
    }
    let total = rows.len();
    println!("licence corpus: {correct}/{total} correct, {} wrong, {} unknown", wrong.len(), unknown.len());
    for w in &wrong {
        println!("  WRONG   {w}");
    }
    for u in &unknown {
        println!("  UNKNOWN {u}");
    }
    let accuracy = correct as f64 / total as f64;
    println!("accuracy: {:.1}%", accuracy * 100.0);
    assert!(accuracy >= FLOOR, "accuracy {:.1}% is under the {:.0}% floor", accuracy * 100.0, FLOOR * 100.0);
}

/// The floor this test holds; raise it as identification improves, never lower it.
const FLOOR: f64 = 1.0;
