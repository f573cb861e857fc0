//! The `[licences]` allow and deny lists of the configuration, like cargo-deny's: each entry is
//! a licence id (any name the catalogue knows) or a category. A model under several licences
//! that all apply (AND) is denied when one part is denied and allowed when every part is; a
//! choice (OR) is denied only when every alternative is, and allowed when one is.

use crate::{
    model::{Assessed, Combination, Finding, LicencePart},
    vocab::{Category, Severity},
};

/// What an entry of a list matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LicenceMatcher {
    /// Every licence of this category.
    Category(Category),
    /// This licence (a catalogue id, or an SPDX id / `LicenseRef-` for licences the catalogue
    /// does not describe), compared without case.
    Id(String),
}

impl LicenceMatcher {
    fn matches(&self, p: &LicencePart) -> bool {
        match self {
            LicenceMatcher::Category(c) => p.category == *c,
            LicenceMatcher::Id(id) => p.id.eq_ignore_ascii_case(id) || p.spdx.eq_ignore_ascii_case(id),
        }
    }
}

/// One entry, as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenceEntry {
    /// What it matches.
    pub matcher: LicenceMatcher,
    /// The entry as written, for messages.
    pub written: String,
}

/// The allow and deny lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LicencePolicy {
    /// When not empty, every licence must match an entry.
    pub allow: Vec<LicenceEntry>,
    /// No licence may match an entry.
    pub deny: Vec<LicenceEntry>,
}

/// The severities and help texts of the two rules, from the `_config` pack.
pub struct RuleText<'a> {
    /// Rule id.
    pub id: &'a str,
    /// Default severity.
    pub severity: Severity,
    /// Remediation.
    pub help: &'a std::sync::Arc<str>,
}

fn first_match<'a>(list: &'a [LicenceEntry], p: &LicencePart) -> Option<&'a LicenceEntry> {
    list.iter().find(|e| e.matcher.matches(p))
}

/// The parts of a model's licence, or a stand-in for `none` / `unknown`.
fn parts(m: &Assessed) -> Vec<LicencePart> {
    let l = &m.identified.licensing;
    if l.parts.is_empty() {
        return vec![LicencePart {
            id: l.id.clone(),
            spdx: l.spdx.clone(),
            name: l.name.clone(),
            category: l.category,
            evidence: l.evidence.clone(),
        }];
    }
    l.parts.clone()
}

/// `licence-denied` findings.
pub fn denied(models: &[Assessed], policy: &LicencePolicy, rule: &RuleText<'_>) -> Vec<Finding> {
    if policy.deny.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for m in models {
        let parts = parts(m);
        let hits: Vec<(&LicencePart, &LicenceEntry)> =
            parts.iter().filter_map(|p| first_match(&policy.deny, p).map(|e| (p, e))).collect();
        let denied = match m.identified.licensing.combination {
            Combination::Any => hits.len() == parts.len(),
            Combination::All => !hits.is_empty(),
        };
        if !denied {
            continue;
        }
        let said: Vec<String> =
            hits.iter().map(|(p, e)| format!("{} ({}) by deny entry `{}`", p.id, p.category, e.written)).collect();
        out.push(finding(m, rule, hits[0].0, format!("licence denied: {}", said.join(", "))));
    }
    out
}

/// `licence-not-allowed` findings.
pub fn not_allowed(models: &[Assessed], policy: &LicencePolicy, rule: &RuleText<'_>) -> Vec<Finding> {
    if policy.allow.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for m in models {
        let parts = parts(m);
        let outside: Vec<&LicencePart> = parts.iter().filter(|p| first_match(&policy.allow, p).is_none()).collect();
        let refused = match m.identified.licensing.combination {
            Combination::Any => outside.len() == parts.len(),
            Combination::All => !outside.is_empty(),
        };
        let Some(first) = outside.first().filter(|_| refused) else { continue };
        let said: Vec<String> = outside.iter().map(|p| format!("{} ({})", p.id, p.category)).collect();
        out.push(finding(m, rule, first, format!("licence not in the allow list: {}", said.join(", "))));
    }
    out
}

fn finding(m: &Assessed, rule: &RuleText<'_>, part: &LicencePart, message: String) -> Finding {
    let e = part.evidence.first();
    let card = m.identified.evidence.card.as_ref().map(|c| c.file.clone());
    let weights = m.identified.evidence.weights.first().map(|w| w.file.clone());
    Finding {
        rule: rule.id.to_string(),
        severity: rule.severity,
        model: Some(m.identified.evidence.id.clone()),
        message,
        file: e.map(|e| e.file.clone()).or(card).or(weights),
        line: e.and_then(|e| e.line),
        help: rule.help.clone(),
        fingerprint: String::new(),
    }
}
