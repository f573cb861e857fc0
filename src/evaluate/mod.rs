//! Stage 6: run the rules of the selected policy packs over the assessed models, then pass the
//! findings through the sink (severity overrides, waivers, baseline) in one place.

pub mod card_text;
pub mod checks;
pub mod condition;
pub mod licences;
pub mod pack;
pub mod per_file;
pub mod pickle_allow;
pub mod sink;

use checks::Check;
use pack::{Pack, Rule};
use rayon::prelude::*;

use crate::model::{Assessed, Finding, Problem};

/// Evaluates every enabled rule. When several packs enable the same rule, the last one wins.
/// The result is sorted by file, line, rule, model and message.
pub fn evaluate(models: &[Assessed], problems: &[Problem], packs: &[Pack]) -> Vec<Finding> {
    evaluate_with(models, problems, packs, &licences::LicencePolicy::default())
}

/// The rules of several packs, the last definition of an id winning.
pub fn enabled_rules(packs: &[Pack]) -> Vec<&Rule> {
    let mut rules: Vec<&Rule> = Vec::new();
    for pack in packs {
        for rule in &pack.rules {
            rules.retain(|r| r.id != rule.id);
            rules.push(rule);
        }
    }
    rules
}

/// [`evaluate`] with the configuration's licence allow and deny lists.
pub fn evaluate_with(
    models: &[Assessed],
    problems: &[Problem],
    packs: &[Pack],
    policy: &licences::LicencePolicy,
) -> Vec<Finding> {
    let mut findings = model_findings(models, packs, policy);
    findings.extend(problem_findings(problems, packs));
    sort(&mut findings);
    findings
}

/// The findings of the enabled rules about these models, unsorted. Each model is judged on its
/// own, so a scan can judge its models a part at a time and [`sort`] the findings of all parts.
pub fn model_findings(models: &[Assessed], packs: &[Pack], policy: &licences::LicencePolicy) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in enabled_rules(packs) {
        // In parallel, the findings kept in model order.
        if let Some(when) = &rule.when {
            findings
                .par_extend(models.par_iter().filter_map(|m| when.eval(m).map(|w| declarative_finding(rule, m, w))));
            continue;
        }
        match checks::check(&rule.id) {
            Some(Check::Model(f)) => {
                findings.par_extend(models.par_iter().flat_map_iter(|m| {
                    f(m).into_iter().map(move |hit| Finding {
                        rule: rule.id.clone(),
                        severity: rule.severity,
                        model: Some(m.identified.evidence.id.clone()),
                        message: hit.message,
                        file: hit.file,
                        line: hit.line,
                        help: rule.help.clone(),
                        fingerprint: String::new(),
                    })
                }));
            }
            Some(Check::Config) => {
                let text = licences::RuleText { id: &rule.id, severity: rule.severity, help: &rule.help };
                match rule.id.as_str() {
                    "licence-denied" => findings.extend(licences::denied(models, policy, &text)),
                    "licence-not-allowed" => findings.extend(licences::not_allowed(models, policy, &text)),
                    // Waiver findings come from the sink.
                    _ => {}
                }
            }
            Some(Check::Problem(_)) | None => {}
        }
    }
    findings
}

/// The findings of the enabled rules about problems with files (no model), unsorted.
pub fn problem_findings(problems: &[Problem], packs: &[Pack]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in enabled_rules(packs).into_iter().filter(|r| r.when.is_none()) {
        let Some(Check::Problem(kind)) = checks::check(&rule.id) else { continue };
        findings.extend(problems.iter().filter(|p| p.kind == kind).map(|p| Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            model: None,
            message: p.message.clone(),
            file: Some(p.file.clone()),
            line: p.line,
            help: rule.help.clone(),
            fingerprint: String::new(),
        }));
    }
    findings
}

/// Sorts by file, line, rule, model and message, and drops exact duplicates.
pub fn sort(findings: &mut Vec<Finding>) {
    findings.sort_by(order);
    findings.dedup();
}

/// The report order: file, line, rule, model, message.
pub fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (&a.file, a.line, &a.rule, &a.model, &a.message).cmp(&(&b.file, b.line, &b.rule, &b.model, &b.message))
}

/// A finding of a declarative rule: the message template filled from the model and the witness,
/// pointing where the witness points (else at the card, the first weight file or config).
fn declarative_finding(rule: &Rule, m: &Assessed, w: condition::Witness) -> Finding {
    let e = &m.identified.evidence;
    let l = &m.identified.licensing;
    let o = &m.openness;
    let template = rule.message.as_deref().unwrap_or(&rule.summary);
    let message = pack::render(template, |var| match var {
        "model" => e.id.clone(),
        "licence" => l.id.clone(),
        "category" => l.category.to_string(),
        "spdx" => l.spdx.clone(),
        "detail" => w.detail.clone(),
        "location" => e.location.clone(),
        "weights" => o.weights.to_string(),
        "data" => o.data.to_string(),
        "code" => o.code.to_string(),
        "mof" => o.mof_class.map_or("none".to_string(), |c| c.to_string()),
        _ => String::new(),
    });
    let (file, line) = match w.file {
        Some(file) => (Some(file), w.line),
        None => match (&e.card, e.weights.first(), e.configs.first()) {
            (Some(c), _, _) => (Some(c.file.clone()), Some(1)),
            (None, Some(wf), _) => (Some(wf.file.clone()), None),
            (None, None, Some(c)) => (Some(c.file.clone()), None),
            (None, None, None) => (None, None),
        },
    };
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        model: Some(e.id.clone()),
        message,
        file,
        line,
        help: rule.help.clone(),
        fingerprint: String::new(),
    }
}
