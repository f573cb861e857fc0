//! The `findings-per-file` limit: a file that would yield thousands of findings (a generated
//! file calling an API on every line, a crafted one) keeps its most severe findings up to the
//! limit, and one `limit-exceeded` finding counts the rest. Findings about no file are kept.

use std::collections::HashMap;

use super::pack::Rule;
use crate::{limits::LimitName, model::Finding};

/// Keeps at most `limit` findings per file, the most severe first (so the worst severity, and
/// the exit code, do not change), and adds a `limit-exceeded` finding per capped file when
/// that rule is enabled (`rule`). The result is in report order.
pub fn cap(findings: Vec<Finding>, limit: u64, rule: Option<&Rule>) -> Vec<Finding> {
    let max = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut per_file: HashMap<&str, usize> = HashMap::new();
    for f in &findings {
        if let Some(file) = &f.file {
            *per_file.entry(file.as_str()).or_default() += 1;
        }
    }
    let over: HashMap<String, usize> =
        per_file.into_iter().filter(|(_, n)| *n > max).map(|(f, n)| (f.to_string(), n - max)).collect();
    if over.is_empty() {
        return findings;
    }
    let mut findings = findings;
    // Most severe first, then report order, within each file.
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| super::order(a, b)));
    let mut kept: HashMap<String, usize> = HashMap::new();
    findings.retain(|f| {
        let Some(file) = f.file.as_ref().filter(|file| over.contains_key(file.as_str())) else { return true };
        let n = kept.entry(file.clone()).or_default();
        *n += 1;
        *n <= max
    });
    if let Some(rule) = rule {
        for (file, dropped) in over {
            findings.push(Finding {
                rule: rule.id.clone(),
                severity: rule.severity,
                model: None,
                message: format!(
                    "{dropped} more finding(s) in this file were not reported ({})",
                    LimitName::FindingsPerFile.exceeded(limit)
                ),
                file: Some(file),
                line: None,
                help: rule.help.clone(),
                fingerprint: String::new(),
            });
        }
    }
    super::sort(&mut findings);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Severity;

    fn finding(file: &str, line: u32, severity: Severity) -> Finding {
        Finding {
            rule: "r".into(),
            severity,
            model: None,
            message: format!("m{line}"),
            file: Some(file.into()),
            line: Some(line),
            help: "".into(),
            fingerprint: String::new(),
        }
    }

    #[test]
    fn the_most_severe_are_kept_and_the_rest_counted() {
        let mut all: Vec<Finding> = (1..=5).map(|l| finding("a.py", l, Severity::Note)).collect();
        all.push(finding("a.py", 9, Severity::Error));
        all.push(finding("b.py", 1, Severity::Note));
        let default = super::super::pack::builtin("default").unwrap();
        let rule = default.rules.iter().find(|r| r.id == "limit-exceeded").unwrap();
        let out = cap(all, 2, Some(rule));
        let a: Vec<_> = out.iter().filter(|f| f.file.as_deref() == Some("a.py")).collect();
        assert_eq!(a.len(), 3, "{a:?}");
        assert!(a.iter().any(|f| f.severity == Severity::Error), "the error is kept");
        let counted = a.iter().find(|f| f.rule == "limit-exceeded").unwrap();
        assert!(counted.message.starts_with("4 more finding(s)"), "{}", counted.message);
        assert!(counted.message.contains("findings-per-file"), "{}", counted.message);
        assert_eq!(out.iter().filter(|f| f.file.as_deref() == Some("b.py")).count(), 1);
        let out = cap(vec![finding("a.py", 1, Severity::Note), finding("a.py", 2, Severity::Note)], 1, None);
        assert_eq!(out.len(), 1, "without the rule the rest are dropped silently");
    }
}
