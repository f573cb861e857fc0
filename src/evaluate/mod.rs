//! Stage 6: run the rules of the selected policy packs over the assessed models.

pub mod checks;
pub mod pack;

use checks::Check;
use pack::{Pack, Rule};

use crate::model::{Assessed, Finding, Problem};

/// Evaluates every enabled rule. When several packs enable the same rule, the last one wins.
/// The result is sorted by file, line, rule, model and message.
pub fn evaluate(models: &[Assessed], problems: &[Problem], packs: &[Pack]) -> Vec<Finding> {
    let mut rules: Vec<&Rule> = Vec::new();
    for pack in packs {
        for rule in &pack.rules {
            rules.retain(|r| r.id != rule.id);
            rules.push(rule);
        }
    }
    let mut findings = Vec::new();
    for rule in rules {
        let Some(check) = checks::check(&rule.id) else { continue };
        match check {
            Check::Model(f) => {
                for m in models {
                    for hit in f(m) {
                        findings.push(Finding {
                            rule: rule.id.clone(),
                            severity: rule.severity,
                            model: Some(m.identified.evidence.id.clone()),
                            message: hit.message,
                            file: hit.file,
                            line: hit.line,
                            help: rule.help.clone(),
                        });
                    }
                }
            }
            Check::Problem(kind) => {
                for p in problems.iter().filter(|p| p.kind == kind) {
                    findings.push(Finding {
                        rule: rule.id.clone(),
                        severity: rule.severity,
                        model: None,
                        message: p.message.clone(),
                        file: Some(p.file.clone()),
                        line: p.line,
                        help: rule.help.clone(),
                    });
                }
            }
        }
    }
    findings.sort_by(|a, b| {
        (&a.file, a.line, &a.rule, &a.model, &a.message).cmp(&(&b.file, b.line, &b.rule, &b.model, &b.message))
    });
    findings.dedup();
    findings
}
