//! The OSI Open Source AI Definition 1.0: a model passes when the preferred form to modify it
//! is there under open terms (data information, the complete code, the parameters) and nothing
//! restricts its use. Read off the MOF evaluation, so both verdicts rest on the same evidence.

use super::mof::{Evaluation, Judgement};
use crate::{
    model::{MofComponentVerdict, OsaidVerdict, Restriction},
    vocab::{MofComponent, MofStatus},
};

/// The code the definition asks for: data processing, training, validation and testing,
/// inference, and the model architecture.
const CODE: [MofComponent; 5] = [
    MofComponent::PreprocessingCode,
    MofComponent::TrainingCode,
    MofComponent::EvaluationCode,
    MofComponent::InferenceCode,
    MofComponent::ModelArchitecture,
];

/// Tests a model against the definition. `restrictions` are the use restrictions that bind it
/// (its licences', its base models', its card's).
pub fn osaid(eval: &Evaluation, restrictions: &[&Restriction]) -> OsaidVerdict {
    let mut reasons = Vec::new();
    let mut pass = true;

    // Data information: a data card (or the card's training-data section) under open terms.
    let data = [MofComponent::DataCard, MofComponent::Datasets]
        .into_iter()
        .map(|c| eval.component(c))
        .find(|v| v.status != MofStatus::Missing);
    match data {
        Some(v) if open(v) => reasons.push(format!(
            "data information: {} under {}{}",
            describe(v),
            v.licence.as_deref().unwrap_or("-"),
            at(v)
        )),
        Some(v) => {
            pass = false;
            reasons.push(format!("data information: {} is {}{}", describe(v), terms(v), at(v)));
        }
        None => {
            pass = false;
            reasons.push("data information: no data card, training-data description or dataset list".into());
        }
    }

    // Code: every part, under OSI-approved licences.
    let mut missing = Vec::new();
    let mut not_osi = Vec::new();
    for c in CODE {
        let v = eval.component(c);
        if v.status == MofStatus::Missing {
            missing.push(c.as_str().to_lowercase());
        } else if !osi(eval, c) {
            not_osi.push(format!("{} ({})", c.as_str().to_lowercase(), terms(v)));
        }
    }
    if missing.is_empty() && not_osi.is_empty() {
        reasons.push("code: data processing, training, evaluation, inference and architecture code, all under OSI-approved licences".into());
    } else {
        pass = false;
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing {}", missing.join(", ")));
        }
        if !not_osi.is_empty() {
            parts.push(format!("not under an OSI-approved licence: {}", not_osi.join(", ")));
        }
        reasons.push(format!("code: {}", parts.join("; ")));
    }

    // Parameters under open terms.
    let p = eval.component(MofComponent::FinalParameters);
    if p.status == MofStatus::Missing {
        pass = false;
        reasons.push("parameters: the weights are not released".into());
    } else if open(p) {
        reasons.push(format!("parameters: under {}{}", p.licence.as_deref().unwrap_or("-"), at(p)));
    } else {
        pass = false;
        reasons.push(format!("parameters: {}{}", terms(p), at(p)));
    }

    // Any restriction on use fails the freedom to use for any purpose.
    if restrictions.is_empty() {
        reasons.push("use: no restriction on who may use it or for what".into());
    } else {
        pass = false;
        let mut kinds: Vec<String> = restrictions
            .iter()
            .map(|r| match (&r.licence, &r.inherited_from) {
                (_, Some(base)) => format!("{} (from base model {base})", r.kind),
                (Some(l), None) => format!("{} ({l})", r.kind),
                (None, None) => r.kind.to_string(),
            })
            .collect();
        kinds.sort();
        kinds.dedup();
        reasons.push(format!("use: restricted: {}", kinds.join(", ")));
    }
    OsaidVerdict { pass, reasons }
}

fn open(v: &MofComponentVerdict) -> bool {
    matches!(v.status, MofStatus::Valid | MofStatus::Conditional)
}

fn osi(eval: &Evaluation, c: MofComponent) -> bool {
    matches!(eval.licences.get(&c), Some(Judgement::Licence(n)) if n.osi)
}

fn describe(v: &MofComponentVerdict) -> String {
    match v.name {
        MofComponent::DataCard if v.note.is_some() => "the card's training-data description".into(),
        other => format!("the {}", other.as_str().to_lowercase()),
    }
}

fn terms(v: &MofComponentVerdict) -> String {
    match (v.status, v.licence.as_deref()) {
        (MofStatus::Unlicensed, _) | (_, None) => "without a licence".into(),
        (_, Some(l)) => format!("under {l}, not open terms"),
    }
}

fn at(v: &MofComponentVerdict) -> String {
    v.evidence
        .first()
        .map(|e| match e.line {
            Some(l) => format!(" ({}:{l})", e.file),
            None => format!(" ({})", e.file),
        })
        .unwrap_or_default()
}
