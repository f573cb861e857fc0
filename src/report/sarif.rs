//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//!
//! Written to GitHub's upload rules: every rule has an id, short and full descriptions and help
//! text (never empty, descriptions at most 1024 characters); every result has a message, one
//! physical location with a relative URI from the repository root and a `startLine`, and a
//! stable `partialFingerprints.primaryLocationLineHash` built from the finding's content
//! fingerprint, not its line. Waived and baselined findings are included with a `suppressions`
//! entry, so they show as closed rather than open. At most 25,000 results per run (GitHub's
//! limit; the most severe are kept).

use std::{collections::HashMap, io};

use serde_json::{Value, json};

use super::{RenderOptions, Report};
use crate::{
    evaluate::pack::Rule,
    model::{Finding, Suppression},
    vocab::Severity,
};

/// The schema URI the file declares.
pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// GitHub rejects a run with more results.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub's limit on rule descriptions.
const MAX_DESCRIPTION: usize = 1024;

/// Writes the document with its results rendered one at a time: 25,000 results held as trees
/// were most of the memory of a scan of 50,000 cards.
pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    let (shell, results) = document(report, options);
    let shell = serde_json::to_string_pretty(&shell).map_err(io::Error::other)?;
    // `results` is a list in the run, the first element of `runs`: four levels deep.
    super::json::write_spliced(
        &mut *out,
        &shell,
        "\"results\": []",
        4,
        results.map(|r| super::json::pretty_at(&r, 4)),
    )?;
    out.write_all(b"\n")
}

/// The document with an empty `results` list, and its results, made as they are written.
fn document<'a>(report: &'a Report, options: &'a RenderOptions) -> (Value, impl Iterator<Item = Value> + 'a) {
    let mut rules: Vec<&Rule> = report.rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules.dedup_by(|a, b| a.id == b.id);
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();

    let baseline_used = report.suppressed.iter().any(|s| matches!(s.suppression, Suppression::Baseline { .. }));
    let mut entries: Vec<(&Finding, Option<&Suppression>)> = report.findings.iter().map(|f| (f, None)).collect();
    entries.extend(report.suppressed.iter().map(|s| (&s.finding, Some(&s.suppression))));
    // Keep the most severe, open ones first when over the limit; then restore report order.
    if entries.len() > MAX_RESULTS {
        entries.sort_by_key(|(f, s)| (s.is_some(), std::cmp::Reverse(f.severity)));
        entries.truncate(MAX_RESULTS);
    }
    let mut occurrences: HashMap<&str, usize> = HashMap::new();
    let results = entries.into_iter().map(move |(f, suppression)| {
        let n = occurrences.entry(f.fingerprint.as_str()).or_insert(0);
        *n += 1;
        result(f, suppression, *n, index.get(f.rule.as_str()).copied(), options, baseline_used)
    });

    let shell = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": [],
        }]
    });
    (shell, results)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// At most `max` characters, never empty.
fn clip(text: &str, max: usize) -> String {
    let t = text.trim();
    let t = if t.is_empty() { "-" } else { t };
    if t.chars().count() <= max {
        return t.to_string();
    }
    let mut s: String = t.chars().take(max - 1).collect();
    s.push('…');
    s
}

/// `commercial-non-commercial` → `CommercialNonCommercial`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

fn rule(r: &Rule) -> Value {
    let full = r.description.as_deref().unwrap_or(&r.summary);
    let mut help = format!("{}\n\nRemediation: {}", full.trim(), r.help.trim());
    let mut markdown = format!("{}\n\n**Remediation:** {}", full.trim(), r.help.trim());
    if let Some(docs) = &r.docs {
        help.push_str(&format!("\n\nDocumentation: {docs}"));
        markdown.push_str(&format!("\n\nDocumentation: `{docs}`"));
    }
    let mut tags: Vec<String> = vec!["modelgate".into(), r.pack.clone()];
    for t in &r.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(20);
    let mut properties = json!({ "tags": tags, "precision": "high" });
    if r.tags.iter().any(|t| t == "security") {
        let score = match r.severity {
            Severity::Error => "8.0",
            Severity::Warning => "5.0",
            Severity::Note => "2.0",
        };
        properties["security-severity"] = json!(score);
    }
    let mut v = json!({
        "id": r.id,
        "name": clip(&pascal(&r.id), 255),
        "shortDescription": { "text": clip(&r.summary, MAX_DESCRIPTION) },
        "fullDescription": { "text": clip(full, MAX_DESCRIPTION) },
        "help": { "text": clip(&help, 8_000), "markdown": clip(&markdown, 8_000) },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": properties,
    });
    if let Some(docs) = r.docs.as_deref().filter(|d| d.starts_with("https://") || d.starts_with("http://")) {
        v["helpUri"] = json!(docs);
    }
    v
}

/// A path as a relative URI reference: percent-encoded except unreserved characters and `/`.
pub fn uri(prefix: &str, path: &str) -> String {
    let joined = format!("{prefix}{path}");
    let mut out = String::with_capacity(joined.len());
    for b in joined.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() { ".".into() } else { out }
}

fn result(
    f: &Finding,
    suppression: Option<&Suppression>,
    occurrence: usize,
    rule_index: Option<usize>,
    options: &RenderOptions,
    baseline_used: bool,
) -> Value {
    let path = f.file.as_deref().unwrap_or(".");
    let mut v = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": clip(&f.message, 100_000) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&options.path_prefix, path) },
                "region": { "startLine": f.line.unwrap_or(1).max(1), "startColumn": 1 },
            }
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": format!("{}:{occurrence}", f.fingerprint),
            "modelgate/v1": f.fingerprint,
        },
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = json!(i);
    }
    if let Some(model) = &f.model {
        v["properties"] = json!({ "model": model });
    }
    match suppression {
        Some(Suppression::Waiver { reason, expires, file, line, .. }) => {
            let mut justification = format!("{reason} (waiver at {file}:{line}");
            if let Some(e) = expires {
                justification.push_str(&format!(", expires {e}"));
            }
            justification.push(')');
            v["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": justification }]);
        }
        Some(Suppression::Baseline { file }) => {
            v["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": format!("recorded in baseline {file}") }]);
            v["baselineState"] = json!("unchanged");
        }
        None if baseline_used => v["baselineState"] = json!("new"),
        None => {}
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("examples/", "nc vision/README.md"), "examples/nc%20vision/README.md");
        assert_eq!(uri("", "a/b.md"), "a/b.md");
        assert_eq!(uri("", ""), ".");
        assert_eq!(pascal("eu-ai-act-systemic-risk"), "EuAiActSystemicRisk");
        assert_eq!(clip("", 5), "-");
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    fn finding(rule: &str, message: &str, fingerprint: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            model: Some("org/m".into()),
            message: message.into(),
            file: Some("dir/README.md".into()),
            line: Some(3),
            help: "h".into(),
            fingerprint: fingerprint.into(),
        }
    }

    #[test]
    fn results_written_one_at_a_time_make_the_document_pretty_printed_whole() {
        let options = RenderOptions { path_prefix: "sub/".into(), ..RenderOptions::default() };
        let whole = |report: &Report| {
            let (mut shell, results) = document(report, &options);
            shell["runs"][0]["results"] = Value::Array(results.collect());
            let mut out = serde_json::to_vec_pretty(&shell).unwrap();
            out.push(b'\n');
            String::from_utf8(out).unwrap()
        };
        let written = |report: &Report| {
            let mut out = Vec::new();
            write(report, &mut out, &options).unwrap();
            String::from_utf8(out).unwrap()
        };
        let none = Report::from_parts(Vec::new(), super::super::Tally::default(), &[], Vec::new(), Vec::new());
        assert_eq!(written(&none), whole(&none));
        assert!(written(&none).contains("\"results\": []"));
        // Quotes, line breaks and non-ASCII in messages; a fingerprint seen twice; a suppressed
        // finding (with its own keys).
        let findings = vec![
            finding("licence-missing", "no \"licence\"\nat all", "f1"),
            finding("licence-missing", "again, é", "f1"),
            finding("restricted-use", "x", "f2"),
        ];
        let suppressed = vec![crate::model::Suppressed {
            finding: finding("card-incomplete", "old", "f3"),
            suppression: Suppression::Baseline { file: "base.json".into() },
        }];
        let report = Report::from_parts(Vec::new(), super::super::Tally::default(), &[], findings, Vec::new())
            .with_suppressed(suppressed);
        assert_eq!(written(&report), whole(&report));
        assert_eq!(written(&report).matches("\"ruleId\"").count(), 4);
    }
}
