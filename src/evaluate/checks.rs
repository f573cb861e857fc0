//! What each rule looks for. One function per rule id; the packs decide which run and how
//! severe they are.

use crate::{
    model::{Assessed, Evidence, ProblemKind},
    vocab::{Category, EvidenceKind, RestrictionKind, SectionKind},
};

/// A place a rule fired, before the pack gives it a severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// What is wrong.
    pub message: String,
    /// File to look at.
    pub file: Option<String>,
    /// Line in it.
    pub line: Option<u32>,
}

/// How a rule is checked.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// Over each model record.
    Model(fn(&Assessed) -> Vec<Hit>),
    /// Over the per-file problems of this kind.
    Problem(ProblemKind),
}

/// Every rule id a pack may name.
pub const IDS: &[&str] = &[
    "licence-missing",
    "licence-unknown",
    "licence-conflict",
    "licence-lineage",
    "restricted-use",
    "card-parse-error",
    "card-incomplete",
    "io-error",
    "limit-exceeded",
    "mot-invalid",
];

/// The check behind a rule id.
pub fn check(id: &str) -> Option<Check> {
    Some(match id {
        "licence-missing" => Check::Model(licence_missing),
        "licence-unknown" => Check::Model(licence_unknown),
        "licence-conflict" => Check::Model(licence_conflict),
        "licence-lineage" => Check::Model(licence_lineage),
        "restricted-use" => Check::Model(restricted_use),
        "card-parse-error" => Check::Model(card_parse_error),
        "card-incomplete" => Check::Model(card_incomplete),
        "io-error" => Check::Problem(ProblemKind::Io),
        "limit-exceeded" => Check::Problem(ProblemKind::Limit),
        "mot-invalid" => Check::Problem(ProblemKind::Mot),
        _ => return None,
    })
}

fn at(e: &Evidence, message: String) -> Hit {
    Hit { message, file: Some(e.file.clone()), line: e.line }
}

/// Where to point for a model-wide finding: its card, else its first weight file.
fn anchor(m: &Assessed) -> (Option<String>, Option<u32>) {
    let e = &m.identified.evidence;
    if let Some(card) = &e.card {
        return (Some(card.file.clone()), Some(1));
    }
    if let Some(w) = e.weights.first() {
        return (Some(w.file.clone()), None);
    }
    (e.configs.first().map(|c| c.file.clone()), None)
}

fn licence_missing(m: &Assessed) -> Vec<Hit> {
    let e = &m.identified.evidence;
    let has_card = e.card.as_ref().is_some_and(|c| c.recognised);
    if m.identified.licensing.category != Category::None || (!has_card && e.weights.is_empty()) {
        return Vec::new();
    }
    let (file, line) = anchor(m);
    let what = match (has_card, e.weights.len()) {
        (true, 0) => "the card declares no `license` and no licence file sits beside it".to_string(),
        (true, n) => format!("the card declares no `license` and no licence file sits beside its {n} weight file(s)"),
        (false, n) => format!("{n} weight file(s) with no card and no licence file beside them"),
    };
    vec![Hit { message: format!("no licence found: {what}"), file, line }]
}

fn licence_unknown(m: &Assessed) -> Vec<Hit> {
    let l = &m.identified.licensing;
    let mut hits: Vec<Hit> = l
        .unidentified
        .iter()
        .map(|e| at(e, format!("{} does not match any licence the catalogue or the SPDX list knows", e.file)))
        .collect();
    // A part neither the catalogue nor the SPDX list knows (its category may still come from
    // clauses read in its text).
    let cat = crate::catalogue::Catalogue::get();
    let unknown = |p: &&crate::model::LicencePart| cat.by_id(&p.id).is_none() && spdx::license_id(&p.spdx).is_none();
    for p in l.parts.iter().filter(unknown) {
        // Point at where the name was declared; an unnamed text is reported above.
        let declared = |k: EvidenceKind| p.evidence.iter().find(|e| e.kind == k);
        let Some(e) = declared(EvidenceKind::CardLicenseName)
            .or_else(|| declared(EvidenceKind::CardLicense))
            .or_else(|| declared(EvidenceKind::MotLicence))
        else {
            continue;
        };
        let message = if p.id == "unknown" {
            "the card declares the licence as `unknown`".to_string()
        } else if p.id == "other" {
            "the card declares `license: other` with no `license_name` or licence file to say which".to_string()
        } else {
            format!("`{}` is not a licence the catalogue or the SPDX list knows", p.id)
        };
        hits.push(at(e, message));
    }
    hits
}

fn licence_conflict(m: &Assessed) -> Vec<Hit> {
    m.identified
        .licensing
        .conflicts
        .iter()
        .map(|c| {
            at(
                &c.evidence,
                format!("the card declares {} but {} is {}", c.declared.join(" AND "), c.evidence.file, c.found),
            )
        })
        .collect()
}

fn licence_lineage(m: &Assessed) -> Vec<Hit> {
    m.identified
        .lineage_breaks
        .iter()
        .map(|b| {
            let dropped: Vec<&str> = b.dropped.iter().map(|k| k.as_str()).collect();
            at(
                &b.evidence,
                format!(
                    "derived from {} ({}) but declared {}, which drops the base licence's {}",
                    b.base,
                    b.base_licence,
                    m.identified.licensing.id,
                    dropped.join(", ")
                ),
            )
        })
        .collect()
}

fn restricted_use(m: &Assessed) -> Vec<Hit> {
    let r = &m.identified.restrictions;
    if r.is_empty() {
        return Vec::new();
    }
    // Own restrictions first, then each base's, so the message says where each comes from.
    let mut groups: Vec<(Option<&str>, Vec<String>)> = Vec::new();
    for x in r {
        let source = x.inherited_from.as_deref();
        let word = describe(x);
        match groups.iter_mut().find(|(s, _)| *s == source) {
            Some((_, words)) if words.contains(&word) => {}
            Some((_, words)) => words.push(word),
            None => groups.push((source, vec![word])),
        }
    }
    groups.sort_by_key(|(s, _)| s.is_some());
    let licence = &m.identified.licensing.id;
    let text: Vec<String> = groups
        .iter()
        .map(|(source, words)| match source {
            None => format!("{licence} restricts use: {}", words.join(", ")),
            Some(base) => format!("inherited from base model {base}: {}", words.join(", ")),
        })
        .collect();
    let e = r.iter().flat_map(|x| x.evidence.first()).next();
    let (file, line) = match e {
        Some(e) => (Some(e.file.clone()), e.line),
        None => anchor(m),
    };
    vec![Hit { message: text.join("; "), file, line }]
}

/// A restriction kind with its parameter, as a reviewer reads it.
fn describe(x: &crate::model::Restriction) -> String {
    match x.kind {
        RestrictionKind::UserThreshold => match x.users {
            Some(u) => format!("user-threshold ({} monthly active users)", human(u)),
            None => "user-threshold".into(),
        },
        RestrictionKind::RevenueThreshold => match x.revenue_usd {
            Some(v) => format!("revenue-threshold (US${} a year)", human(v)),
            None => "revenue-threshold".into(),
        },
        RestrictionKind::Territorial if !x.regions.is_empty() => format!("territorial ({})", x.regions.join(", ")),
        k => k.as_str().to_string(),
    }
}

fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 && n % 1_000_000_000 == 0 => format!("{}B", n / 1_000_000_000),
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn card_parse_error(m: &Assessed) -> Vec<Hit> {
    let Some(card) = &m.identified.evidence.card else { return Vec::new() };
    card.parse_error
        .iter()
        .map(|e| Hit {
            message: format!("front matter: {}", e.value),
            file: Some(card.file.clone()),
            line: Some(e.line),
        })
        .collect()
}

fn card_incomplete(m: &Assessed) -> Vec<Hit> {
    let Some(card) = &m.identified.evidence.card else { return Vec::new() };
    if !card.recognised || card.parse_error.is_some() {
        return Vec::new();
    }
    let present = |k: SectionKind| card.sections.iter().any(|s| s.filled && s.kinds.contains(&k));
    let missing: Vec<&str> = [
        (SectionKind::IntendedUse, "intended use"),
        (SectionKind::Limitations, "limitations"),
        (SectionKind::TrainingData, "training data"),
    ]
    .into_iter()
    .filter(|(k, _)| !present(*k))
    .map(|(_, name)| name)
    .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let line = card.sections.first().map_or(1, |s| s.line);
    vec![Hit {
        message: format!("the card has no filled-in section on {}", missing.join(", ")),
        file: Some(card.file.clone()),
        line: Some(line),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_a_check() {
        for id in IDS {
            assert!(check(id).is_some(), "{id}");
        }
        assert!(check("nope").is_none());
    }

    #[test]
    fn numbers_read_like_people_write_them() {
        assert_eq!(human(700_000_000), "700M");
        assert_eq!(human(1_000_000), "1M");
        assert_eq!(human(1_500), "1500");
    }
}
