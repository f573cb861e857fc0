//! The licence-identification accuracy harness.
//!
//! Over every text of `../shared/corpus/licences` and variants derived from each at run time
//! (a header added, reflowed, truncated to 60 %, two texts concatenated, case and whitespace
//! changed, quoted inside a README), it prints per licence and in total: correct, wrong,
//! unknown. It also measures clause extraction with the catalogue switched off. Targets held
//! here: at least 95 % of variants identified; no restricted licence reported as permissive on
//! any input; clause extraction finds at least 90 % of the restriction kinds the catalogue
//! lists and locates in each text.
//!
//! Print the tables: `scripts/licence-accuracy` (or this test with `--nocapture`).

mod common;

use std::collections::BTreeMap;

use modelgate::{
    catalogue::{Catalogue, Document, Licence},
    recognise::{clauses, normalise, text},
    vocab::Category,
};

struct Sample {
    path: String,
    expected: String,
    text: String,
}

fn samples() -> Vec<Sample> {
    common::manifest("licences/")
        .into_iter()
        .map(|row| {
            let bytes = std::fs::read(common::corpus().join(&row.path)).expect("read corpus file");
            Sample {
                expected: row.licence.trim_start_matches("other:").to_string(),
                text: String::from_utf8_lossy(&bytes).into_owned(),
                path: row.path,
            }
        })
        .collect()
}

/// The manifest id a match stands for (a use policy stands for its licence).
fn as_manifest_id(l: &Licence) -> String {
    match l.document {
        Document::Policy => l.policy_for.first().cloned().unwrap_or_default(),
        Document::Licence => l.id.clone(),
    }
}

fn identify(text: &str) -> Vec<(String, Category)> {
    text::identify(text).iter().map(|m| (as_manifest_id(m.licence), m.licence.category)).collect()
}

#[derive(Default)]
struct Tally {
    correct: usize,
    wrong: usize,
    unknown: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Correct => self.correct += 1,
            Outcome::Wrong => self.wrong += 1,
            Outcome::Unknown => self.unknown += 1,
        }
    }
    fn total(&self) -> usize {
        self.correct + self.wrong + self.unknown
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Outcome {
    Correct,
    Wrong,
    Unknown,
}

fn judge(found: &[(String, Category)], expected: &[&str]) -> Outcome {
    if found.is_empty() {
        Outcome::Unknown
    } else if expected.iter().all(|e| found.iter().any(|(id, _)| id == e)) {
        Outcome::Correct
    } else {
        Outcome::Wrong
    }
}

fn reflow(text: &str) -> String {
    text.split("\n\n").map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n\n")
}

fn truncate(text: &str, share: f64) -> String {
    let mut cut = (text.len() as f64 * share) as usize;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_string()
}

fn case_and_space(text: &str) -> String {
    text.lines().map(|l| format!("\t{}", l.to_uppercase().replace(' ', "  "))).collect::<Vec<_>>().join("\r\n")
}

fn in_readme(text: &str) -> String {
    format!(
        "---\ntags: [demo]\n---\n\n# A model\n\nThis model answers questions.\n\n## License\n\nThe weights are released under the terms below.\n\n```\n{text}\n```\n\n## Citation\n\nCite the model card.\n"
    )
}

const HEADER: &str =
    "Copyright (c) 2025 Example Labs. All rights reserved.\nThis file accompanies the model weights.\n\n";

#[test]
fn variants_are_identified_and_restricted_licences_are_never_permissive() {
    let cat = Catalogue::get();
    let samples = samples();
    let mut per_licence: BTreeMap<String, BTreeMap<&str, Tally>> = BTreeMap::new();
    let mut totals: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut permissive_errors = Vec::new();
    let mut extra_matches = Vec::new();
    let family = |id: &str| cat.by_id(id).and_then(|l| l.family.clone()).unwrap_or_else(|| id.to_string());

    for (i, s) in samples.iter().enumerate() {
        // A partner of another family for the concatenation variant, chosen deterministically.
        let partner = samples[i + 1..]
            .iter()
            .chain(&samples[..i])
            .find(|p| family(&p.expected) != family(&s.expected) && p.text.len() > 2000)
            .expect("the corpus has several families");
        let variants: Vec<(&str, String, Vec<&str>)> = vec![
            ("full", s.text.clone(), vec![s.expected.as_str()]),
            ("header", format!("{HEADER}{}", s.text), vec![s.expected.as_str()]),
            ("reflowed", reflow(&s.text), vec![s.expected.as_str()]),
            ("truncated-60%", truncate(&s.text, 0.6), vec![s.expected.as_str()]),
            ("case+space", case_and_space(&s.text), vec![s.expected.as_str()]),
            ("in-readme", in_readme(&s.text), vec![s.expected.as_str()]),
            (
                "concatenated",
                format!("{}\n\n{}", s.text, partner.text),
                vec![s.expected.as_str(), partner.expected.as_str()],
            ),
        ];
        for (name, text, expected) in variants {
            let found = identify(&text);
            if name == "full" && found.len() > 1 {
                extra_matches.push(format!("{}: {found:?}", s.path));
            }
            let outcome = judge(&found, &expected);
            per_licence.entry(s.expected.clone()).or_default().entry(name).or_default().add(outcome);
            totals.entry(name).or_default().add(outcome);
            if outcome != Outcome::Correct {
                failures.push(format!("{name:<14} {:<72} expected {expected:?} got {found:?}", s.path));
            }
            // Never call a restricted licence permissive, whatever else went wrong.
            let expected_restricted = expected.iter().any(|e| cat.by_id(e).is_some_and(|l| !l.category.is_open()));
            let says_permissive = !found.is_empty()
                && found.iter().all(|(_, c)| matches!(c, Category::Permissive | Category::PublicDomain));
            if expected_restricted && says_permissive {
                permissive_errors.push(format!("{name} {}: {found:?}", s.path));
            }
        }
    }

    println!("\n{:<40} {:>14} {:>14}", "licence", "full texts", "variants");
    for (id, by_variant) in &per_licence {
        let full = &by_variant["full"];
        let (mut ok, mut all) = (0, 0);
        for (name, t) in by_variant {
            if *name != "full" {
                ok += t.correct;
                all += t.total();
            }
        }
        println!("{id:<40} {:>9}/{:<4} {:>9}/{:<4}", full.correct, full.total(), ok, all);
    }
    println!("\n{:<16} {:>8} {:>8} {:>8} {:>8}", "variant", "correct", "wrong", "unknown", "share");
    let (mut vc, mut vt) = (0, 0);
    for (name, t) in &totals {
        println!(
            "{name:<16} {:>8} {:>8} {:>8} {:>7.1}%",
            t.correct,
            t.wrong,
            t.unknown,
            100.0 * t.correct as f64 / t.total() as f64
        );
        if *name != "full" {
            vc += t.correct;
            vt += t.total();
        }
    }
    let share = vc as f64 / vt as f64;
    println!("all variants: {vc}/{vt} = {:.1}%", 100.0 * share);
    for f in &failures {
        println!("  MISS {f}");
    }
    for e in &extra_matches {
        println!("  SECOND LICENCE IN A SINGLE TEXT {e}");
    }

    assert!(
        permissive_errors.is_empty(),
        "restricted licences reported as permissive:\n{}",
        permissive_errors.join("\n")
    );
    assert_eq!(totals["full"].correct, totals["full"].total(), "every full text must be identified");
    assert!(share >= 0.95, "variants identified: {:.1}% < 95%", share * 100.0);
}

#[test]
fn clause_extraction_finds_what_the_catalogue_lists_without_the_catalogue() {
    let cat = Catalogue::get();
    let mut located = 0;
    let mut found = 0;
    let mut misses = Vec::new();
    let mut per_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut false_alarms = Vec::new();
    for s in samples() {
        let Some(lic) = cat.by_id(&s.expected) else { continue };
        let norm = normalise::Normalised::new(&s.text);
        let extracted = clauses::extract(&norm);
        if lic.category.is_open() {
            // An open licence's text must not read as restricted.
            let restrictive: Vec<_> = extracted
                .iter()
                .filter(|c| !matches!(c.kind.as_str(), "share-alike" | "attribution" | "pass-through"))
                .map(|c| format!("{}@{}", c.kind, c.line))
                .collect();
            if !restrictive.is_empty() {
                false_alarms.push(format!("{}: {restrictive:?}", s.path));
            }
            continue;
        }
        // The kinds the catalogue lists for this licence and whose clause is in this text.
        for r in &lic.restrictions {
            let here = r.clause.iter().any(|c| {
                let p = normalise::phrase(c);
                !p.is_empty() && norm.text.contains(&p)
            });
            if !here {
                continue;
            }
            located += 1;
            let entry = per_kind.entry(r.kind.as_str().to_string()).or_default();
            entry.1 += 1;
            if extracted.iter().any(|c| c.kind == r.kind) {
                found += 1;
                entry.0 += 1;
            } else {
                misses.push(format!("{:<72} {}", s.path, r.kind));
            }
        }
        // Whatever was found, the category it implies is never permissive.
        if !extracted.is_empty() {
            assert!(
                !clauses::category(&extracted).is_open() || extracted.iter().all(|c| c.kind.as_str() == "share-alike")
            );
        }
    }
    println!("\nclause extraction with the catalogue off: {found}/{located} restriction kinds found");
    for (kind, (f, l)) in &per_kind {
        println!("  {kind:<24} {f:>4}/{l:<4}");
    }
    for m in &misses {
        println!("  MISS {m}");
    }
    for f in &false_alarms {
        println!("  FALSE ALARM {f}");
    }
    assert!(located > 50, "too few located restrictions to measure: {located}");
    let share = found as f64 / located as f64;
    assert!(share >= 0.9, "clause extraction found {:.1}% < 90%", share * 100.0);
    assert!(false_alarms.is_empty(), "open licences read as restricted:\n{}", false_alarms.join("\n"));
}
