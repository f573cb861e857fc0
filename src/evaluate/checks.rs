//! What each rule looks for. One function per rule id; the packs decide which run and how
//! severe they are.

use super::pickle_allow;
use crate::{
    model::{Assessed, Evidence, ProblemKind},
    providers::Providers,
    vocab::{Category, EvidenceKind, SectionKind, WeightsOpenness},
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
    /// Computed from the user's configuration (licence lists, waivers), not by a pack.
    Config,
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
    "licence-denied",
    "licence-not-allowed",
    "waiver-expired",
    "pin-stale",
    "config-unused",
    "unsafe-pickle",
    "unsafe-keras-lambda",
    "weights-format-mismatch",
    "weights-header-invalid",
    "closed-api-model",
    "lineage-cycle",
    "lineage-unresolved",
    "hub-unavailable",
    "licence-unverified",
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
        "licence-denied" | "licence-not-allowed" | "waiver-expired" | "pin-stale" | "config-unused" => Check::Config,
        "unsafe-pickle" => Check::Model(unsafe_pickle),
        "unsafe-keras-lambda" => Check::Model(unsafe_keras_lambda),
        "weights-format-mismatch" => Check::Model(weights_format_mismatch),
        "weights-header-invalid" => Check::Model(weights_header_invalid),
        "closed-api-model" => Check::Model(closed_api_model),
        "lineage-cycle" => Check::Model(lineage_cycle),
        "lineage-unresolved" => Check::Model(lineage_unresolved),
        "hub-unavailable" => Check::Problem(ProblemKind::Remote),
        "licence-unverified" => Check::Model(licence_unverified),
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
            .or_else(|| declared(EvidenceKind::WeightsMetadata))
            .or_else(|| declared(EvidenceKind::MotLicence))
        else {
            continue;
        };
        let message = if e.kind == EvidenceKind::WeightsMetadata {
            format!(
                "the header of {} declares the licence `{}`, which the catalogue and the SPDX list do not know",
                e.file, p.id
            )
        } else if p.id == "unknown" {
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
            let source = if c.evidence.kind == EvidenceKind::WeightsMetadata {
                format!("the header of {} declares", c.evidence.file)
            } else {
                format!("{} is", c.evidence.file)
            };
            at(&c.evidence, format!("the card declares {} but {source} {}", c.declared.join(" AND "), c.found))
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
        let word = x.label();
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
    let present = |k: SectionKind| card.body().sections.iter().any(|s| s.filled && s.kinds.contains(&k));
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
    let line = card.body().sections.first().map_or(1, |s| s.line);
    vec![Hit {
        message: format!("the card has no filled-in section on {}", missing.join(", ")),
        file: Some(card.file.clone()),
        line: Some(line),
    }]
}

/// One hit per weight file for which `f` has something to say, pointing at the file.
fn per_weight_file(m: &Assessed, f: impl Fn(&crate::model::WeightFile) -> Option<String>) -> Vec<Hit> {
    m.identified
        .evidence
        .weights
        .iter()
        .filter_map(|w| {
            f(w).map(|what| Hit { message: format!("{}: {what}", w.file), file: Some(w.file.clone()), line: None })
        })
        .collect()
}

/// "`a`, `b` and 3 more": the first eight names, quoted.
fn quoted_list<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = names.len();
    let shown: Vec<String> = names.take(8).map(|n| format!("`{n}`")).collect();
    let more = if total > 8 { format!(" and {} more", total - 8) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

fn unsafe_pickle(m: &Assessed) -> Vec<Hit> {
    per_weight_file(m, |w| {
        let scan = w.header.pickle.as_ref()?;
        let bad: Vec<&str> = scan.imports.iter().map(String::as_str).filter(|i| !pickle_allow::allowed(i)).collect();
        let mut parts = Vec::new();
        if !bad.is_empty() {
            parts.push(format!("its pickle imports {}, outside the allow-list", quoted_list(bad.into_iter())));
        }
        if let Some(why) = &scan.unverified {
            parts.push(format!("its pickle could not be checked to the end ({why})"));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "{}; unpickling it (torch.load without weights_only, pickle, joblib) can run code",
                parts.join("; ")
            )
        })
    })
}

fn unsafe_keras_lambda(m: &Assessed) -> Vec<Hit> {
    per_weight_file(m, |w| {
        let layers = w.header.lambda_layers.as_ref().filter(|l| !l.is_empty())?;
        Some(format!(
            "Lambda layer(s) {} carry Python code that runs when the model is loaded",
            quoted_list(layers.iter().map(String::as_str))
        ))
    })
}

fn weights_format_mismatch(m: &Assessed) -> Vec<Hit> {
    per_weight_file(m, |w| {
        let named = w.header.extension_format?;
        Some(format!("named as {named} but its content is {}", w.format))
    })
}

fn weights_header_invalid(m: &Assessed) -> Vec<Hit> {
    per_weight_file(m, |w| {
        let why = w.header.header_error.as_ref()?;
        Some(format!("the {} header cannot be read: {why}", w.format))
    })
}

/// A closed model behind a provider's API: one hit per place that calls it (or lists it).
fn closed_api_model(m: &Assessed) -> Vec<Hit> {
    let e = &m.identified.evidence;
    let Some(h) = &e.provenance.hosted else { return Vec::new() };
    if m.openness.weights != WeightsOpenness::Closed {
        return Vec::new();
    }
    let api = Providers::get().by_id(&h.provider).map_or_else(|| h.provider.clone(), |p| p.api_name());
    let what = if h.model == "*" {
        format!("code builds a client of the {api}; the model it calls is chosen at run time")
    } else {
        format!("{} is a closed model reached through the {api}", h.model)
    };
    let mut hits: Vec<Hit> = e
        .provenance
        .references
        .iter()
        .map(|r| {
            // Say how the code names it when that adds something (`model argument`).
            let message = if r.via == api || h.model == "*" { what.clone() } else { format!("{what} ({})", r.via) };
            Hit { message, file: Some(r.file.clone()), line: Some(r.line) }
        })
        .collect();
    if hits.is_empty() {
        hits.extend(e.provenance.inventory.iter().map(|i| Hit {
            message: format!("{what} (listed in the inventory)"),
            file: Some(i.file.clone()),
            line: Some(i.line),
        }));
    }
    hits
}

/// A model only named (by code, an inventory) that no scanned source gives a licence for.
fn licence_unverified(m: &Assessed) -> Vec<Hit> {
    let e = &m.identified.evidence;
    if !e.source.names_only() || m.identified.licensing.category != Category::None {
        return Vec::new();
    }
    let how = if e.id.contains(':') {
        "read the Ollama store that holds it (`--ollama`)".to_string()
    } else {
        format!("fetch its card with `--hub {}` or read the cache that holds it (`--hf-cache`)", e.id)
    };
    let (file, line) = match (e.provenance.references.first(), e.provenance.inventory.first()) {
        (Some(r), _) => (r.file.clone(), r.line),
        (None, Some(i)) => (i.file.clone(), i.line),
        (None, None) => return Vec::new(),
    };
    vec![Hit {
        message: format!("{} is named here, but nothing scanned says under what licence; {how}", e.id),
        file: Some(file),
        line: Some(line),
    }]
}

fn lineage_cycle(m: &Assessed) -> Vec<Hit> {
    m.identified
        .bases
        .iter()
        .filter(|b| !b.cycle.is_empty())
        .map(|b| at(&b.evidence, format!("the chain of base models loops back: {}", b.cycle.join(" → "))))
        .collect()
}

fn lineage_unresolved(m: &Assessed) -> Vec<Hit> {
    m.identified
        .bases
        .iter()
        .filter(|b| b.resolved_by.is_none() && b.cycle.is_empty())
        .map(|b| {
            at(
                &b.evidence,
                format!(
                    "base model {} is not in this scan and not a known base family: what its licence passes on is \
                     unknown",
                    b.id
                ),
            )
        })
        .collect()
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
}
