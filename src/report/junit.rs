//! JUnit XML, the test-report format CI systems display (GitLab merge-request widgets, Jenkins,
//! Azure DevOps). One test suite per model (and one for findings about no model); each finding
//! is a test case that fails when its severity is at or above `--fail-on`, passes (with the
//! message as output) below it, and is skipped when a waiver or the baseline suppresses it. A
//! model without findings is one passing test case, so the model shows in the report.

use std::{collections::BTreeMap, io};

use super::{RenderOptions, Report};
use crate::model::{Finding, Suppression};

enum Outcome<'a> {
    Failed,
    Passed,
    Skipped(&'a Suppression),
}

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    let mut suites: BTreeMap<String, Vec<(&Finding, Outcome<'_>)>> = BTreeMap::new();
    for m in &report.models {
        suites.entry(m.id.clone()).or_default();
    }
    let suite_of = |f: &Finding| f.model.clone().unwrap_or_else(|| "(files and configuration)".into());
    for f in &report.findings {
        let failed = options.fail_on.is_some_and(|t| f.severity >= t);
        suites.entry(suite_of(f)).or_default().push((f, if failed { Outcome::Failed } else { Outcome::Passed }));
    }
    for s in &report.suppressed {
        suites.entry(suite_of(&s.finding)).or_default().push((&s.finding, Outcome::Skipped(&s.suppression)));
    }
    let count = |cases: &[(&Finding, Outcome<'_>)], want: fn(&Outcome<'_>) -> bool| {
        cases.iter().filter(|(_, o)| want(o)).count()
    };
    let total_tests: usize = suites.values().map(|c| c.len().max(1)).sum();
    let total_failures: usize = suites.values().map(|c| count(c, |o| matches!(o, Outcome::Failed))).sum();
    let total_skipped: usize = suites.values().map(|c| count(c, |o| matches!(o, Outcome::Skipped(_)))).sum();

    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="modelgate" tests="{total_tests}" failures="{total_failures}" errors="0" skipped="{total_skipped}">"#
    )?;
    for (name, cases) in &suites {
        let failures = count(cases, |o| matches!(o, Outcome::Failed));
        let skipped = count(cases, |o| matches!(o, Outcome::Skipped(_)));
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="0" skipped="{skipped}">"#,
            xml(name),
            cases.len().max(1)
        )?;
        if cases.is_empty() {
            writeln!(out, r#"    <testcase classname="modelgate.{}" name="policy"/>"#, xml(name))?;
        }
        for (f, outcome) in cases {
            let at = match (&f.file, f.line) {
                (Some(file), Some(line)) => format!(" ({file}:{line})"),
                (Some(file), None) => format!(" ({file})"),
                _ => String::new(),
            };
            write!(out, r#"    <testcase classname="modelgate.{}" name="{}{}""#, xml(name), xml(&f.rule), xml(&at))?;
            let body = format!("{}\n\nhelp: {}", f.message, f.help);
            match outcome {
                Outcome::Failed => {
                    writeln!(out, ">")?;
                    writeln!(
                        out,
                        r#"      <failure type="{}" message="{}">{}</failure>"#,
                        f.severity,
                        xml(&f.message),
                        xml(&body)
                    )?;
                }
                Outcome::Passed => {
                    writeln!(out, ">")?;
                    writeln!(out, "      <system-out>{}: {}</system-out>", f.severity, xml(&body))?;
                }
                Outcome::Skipped(s) => {
                    let why = match s {
                        Suppression::Waiver { reason, .. } => format!("waived: {reason}"),
                        Suppression::Baseline { file } => format!("in baseline {file}"),
                    };
                    writeln!(out, ">")?;
                    writeln!(out, r#"      <skipped message="{}"/>"#, xml(&why))?;
                }
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
pub(super) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_escaped_and_control_characters_dropped() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
