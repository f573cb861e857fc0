//! Licence clarifications: `[[clarify]]` entries that state a model's licence where the files
//! cannot (an unidentified text, a conflict someone resolved), each pinned to the licence hash
//! it was decided on. A clarification whose hash no longer matches is not applied and is
//! reported (`pin-stale`), with the new hash to review and paste.

use std::collections::HashMap;

use globset::GlobSet;

use crate::{
    catalogue::Licence,
    evaluate::sink::SinkRule,
    model::{Evidence, Finding, Identified, LicencePart, Licensing, Restriction},
    vocab::EvidenceKind,
};

/// A `[[clarify]]` entry.
#[derive(Clone, Debug)]
pub struct Clarification {
    /// Model id glob, as written.
    pub model: String,
    /// The compiled glob.
    pub glob: GlobSet,
    /// The licence the model is under.
    pub licence: &'static Licence,
    /// Why.
    pub reason: String,
    /// The licence hash it was decided on.
    pub licence_hash: String,
    /// Configuration file.
    pub file: String,
    /// Line of the entry.
    pub line: u32,
}

/// Applies the clarifications to the models they name. Returns the findings about the entries
/// themselves (stale pins; with `report_unused`, entries that matched no model).
pub fn apply(
    models: &mut [Identified],
    clarifications: &[Clarification],
    rules: &HashMap<String, SinkRule>,
    report_unused: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in clarifications {
        let mut matched = false;
        for m in models.iter_mut().filter(|m| c.glob.is_match(&m.evidence.id)) {
            matched = true;
            let now = &m.licence_hash;
            if *now == c.licence_hash {
                clarify(m, c);
            } else if let Some(rule) = rules.get("pin-stale") {
                out.push(raise(
                    c,
                    rule,
                    "pin-stale",
                    Some(m.evidence.id.clone()),
                    format!(
                        "clarification of {} as {} was decided on licence hash {}; its licence evidence is now {now}",
                        m.evidence.id, c.licence.id, c.licence_hash
                    ),
                ));
            }
        }
        if !matched
            && report_unused
            && let Some(rule) = rules.get("config-unused")
        {
            out.push(raise(
                c,
                rule,
                "config-unused",
                None,
                format!("clarification for `{}` matched no model", c.model),
            ));
        }
    }
    out
}

fn raise(c: &Clarification, rule: &SinkRule, id: &str, model: Option<String>, message: String) -> Finding {
    Finding {
        rule: id.into(),
        severity: rule.severity,
        model,
        message,
        file: Some(c.file.clone()),
        line: Some(c.line),
        help: rule.help.clone(),
        fingerprint: String::new(),
    }
}

/// Puts the model under the clarified licence: its own licence-derived restrictions are
/// replaced by the clarified licence's; inherited and card-imposed ones stay.
fn clarify(m: &mut Identified, c: &Clarification) {
    let lic = c.licence;
    let evidence = Evidence {
        file: c.file.clone(),
        line: Some(c.line),
        kind: EvidenceKind::Clarification,
        value: Some(format!("{} ({})", lic.id, c.reason)),
    };
    m.licensing = Licensing {
        id: lic.id.clone(),
        spdx: lic.spdx.clone(),
        name: lic.name.clone(),
        category: lic.category,
        combination: crate::model::Combination::All,
        evidence: vec![evidence.clone()],
        parts: vec![LicencePart {
            id: lic.id.clone(),
            spdx: lic.spdx.clone(),
            name: lic.name.clone(),
            category: lic.category,
            evidence: vec![evidence.clone()],
        }],
        unidentified: Vec::new(),
        conflicts: Vec::new(),
    };
    m.restrictions.retain(|r| r.inherited_from.is_some() || r.licence.is_none());
    m.restrictions.extend(lic.restrictions.iter().map(|r| Restriction {
        kind: r.kind,
        detail: r.detail.clone(),
        evidence: vec![evidence.clone()],
        licence: Some(lic.id.clone()),
        inherited_from: None,
        users: r.users,
        revenue_usd: r.revenue_usd,
        regions: r.regions.clone(),
    }));
    m.lineage_breaks.retain(|b| b.base_licence != lic.id);
}
