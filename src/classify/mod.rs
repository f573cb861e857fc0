//! Stage 5: how open a model is, each verdict with the evidence a reviewer would check: three
//! axes (weights, data, code); the Model Openness Framework 1.0 class with its progress and a
//! verdict per component ([`mof`], components found by [`components`]); the OSI Open Source AI
//! Definition 1.0 ([`osaid`]); and open/partial/closed per dimension in the manner of the
//! European Open Source AI Index ([`dimensions`]).
//!
//! Pure: everything comes from the identified models; nothing is read here.

pub mod components;
pub mod dimensions;
pub mod mof;
pub mod osaid;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::{
    model::{Assessed, Identified, IdentifiedDataset, MofVerdict, Openness, Restriction},
    vocab::{
        Category, CodeOpenness, DataOpenness, MofClass, MofComponent, MofStatus, RestrictionKind, SectionKind,
        WeightsOpenness,
    },
};

/// Classifies every model. Dataset cards found in the same scan tell whether listed datasets
/// are openly licensed.
pub fn classify(models: Vec<Identified>, datasets: &[IdentifiedDataset]) -> Vec<Assessed> {
    Classifier::new(datasets).classify(models)
}

/// The dataset cards of a scan, indexed once, to classify its models a part at a time.
pub struct Classifier<'a> {
    categories: HashMap<String, Category>,
    index: components::DatasetIndex<'a>,
}

impl<'a> Classifier<'a> {
    /// Indexes the dataset cards.
    pub fn new(datasets: &'a [IdentifiedDataset]) -> Self {
        let categories = datasets.iter().map(|d| (d.evidence.id.to_ascii_lowercase(), d.licensing.category)).collect();
        Classifier { categories, index: components::dataset_index(datasets) }
    }

    /// Classifies these models, in order.
    pub fn classify(&self, models: Vec<Identified>) -> Vec<Assessed> {
        models
            .into_par_iter()
            .map(|identified| {
                let openness = openness(&identified, &self.categories, &self.index);
                Assessed { identified, openness }
            })
            .collect()
    }
}

fn openness(m: &Identified, categories: &HashMap<String, Category>, index: &components::DatasetIndex<'_>) -> Openness {
    let input = match &m.evidence.mot {
        Some(file) => components::from_mot(file),
        None => components::from_files(m, index),
    };
    let eval = mof::evaluate(&input);
    let binding: Vec<&Restriction> = m.restrictions.iter().filter(|r| is_use_restriction(r.kind)).collect();

    let mut reasons = Vec::new();
    let (weights, why) = match &m.evidence.mot {
        Some(_) => declared_weights(m, &eval, &binding),
        None => weights_axis(m),
    };
    reasons.push(why);
    let (data, why) = match &m.evidence.mot {
        Some(_) => declared_data(&eval),
        None => data_axis(m, categories),
    };
    reasons.push(why);
    let (code, why) = match &m.evidence.mot {
        Some(_) => declared_code(&eval),
        None => code_axis(m),
    };
    reasons.push(why);
    reasons.extend(mof_reasons(&eval));

    let dimensions = dimensions::dimensions(&eval, m, !binding.is_empty());
    let osaid = osaid::osaid(&eval, &binding);
    let mof = MofVerdict { class: eval.class, progress: eval.progress(), components: eval.components.clone() };
    Openness { weights, data, code, mof_class: eval.class, reasons, mof, osaid, dimensions }
}

/// The weights axis of a model read from a MOT file: what its final parameters' licence says.
fn declared_weights(m: &Identified, eval: &mof::Evaluation, binding: &[&Restriction]) -> (WeightsOpenness, String) {
    let p = eval.component(MofComponent::FinalParameters);
    let licence = p.licence.as_deref().unwrap_or("no licence");
    let axis = match p.status {
        MofStatus::Missing => WeightsOpenness::Closed,
        MofStatus::Valid | MofStatus::Conditional if binding.is_empty() => WeightsOpenness::Open,
        MofStatus::Unlicensed => WeightsOpenness::Unknown,
        _ if m.licensing.category == Category::Proprietary => WeightsOpenness::Closed,
        _ => WeightsOpenness::Restricted,
    };
    let why = match axis {
        WeightsOpenness::Closed if p.status == MofStatus::Missing => {
            "weights: closed, the file lists no final parameters".to_string()
        }
        _ => format!("weights: {axis}, the final parameters are under {licence}"),
    };
    (axis, why)
}

fn declared_data(eval: &mof::Evaluation) -> (DataOpenness, String) {
    let d = eval.component(MofComponent::Datasets);
    let card = eval.component(MofComponent::DataCard);
    match (d.status, card.status) {
        (MofStatus::Valid | MofStatus::Conditional, _) => {
            (DataOpenness::Open, format!("data: open, the datasets are under {}", d.licence.as_deref().unwrap_or("-")))
        }
        (MofStatus::Missing, MofStatus::Missing) => {
            (DataOpenness::Undisclosed, "data: undisclosed, no datasets or data card listed".into())
        }
        _ => (
            DataOpenness::Disclosed,
            "data: disclosed, datasets or a data card are listed but not under an open licence".into(),
        ),
    }
}

fn declared_code(eval: &mof::Evaluation) -> (CodeOpenness, String) {
    let code = [MofComponent::TrainingCode, MofComponent::InferenceCode].map(|c| eval.component(c));
    if code.iter().all(|v| matches!(v.status, MofStatus::Valid | MofStatus::Conditional)) {
        return (CodeOpenness::Open, "code: open, training and inference code under open licences".into());
    }
    if code.iter().all(|v| v.status == MofStatus::Missing) {
        return (CodeOpenness::Unknown, "code: unknown, no training or inference code listed".into());
    }
    (CodeOpenness::Closed, "code: closed, training or inference code is listed without an open licence".into())
}

/// The MOF sentences: the class and what the next class needs, or why there is none.
fn mof_reasons(eval: &mof::Evaluation) -> Vec<String> {
    let progress = eval.progress();
    let pct = |c: MofClass| progress.get(&c).copied().unwrap_or(0);
    let list = |class: MofClass| {
        eval.blocking(class)
            .iter()
            .map(|v| format!("{} ({})", v.name.as_str().to_lowercase(), v.status))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    let params = eval.component(MofComponent::FinalParameters);
    let restricted_params = params.status == MofStatus::Invalid
        && eval.licences.get(&MofComponent::FinalParameters).is_some_and(mof::Judgement::is_use_restricted);
    match eval.class {
        None if restricted_params => {
            let why = params.note.clone().unwrap_or_else(|| params.licence.clone().unwrap_or_default());
            let why = if why.starts_with("inherited") {
                format!("{}, {why}", params.licence.as_deref().unwrap_or(""))
            } else {
                why
            };
            out.push(format!("MOF: unclassified: final parameters carry a use-restricted licence ({why})"));
            let rest: Vec<String> = eval
                .blocking(MofClass::III)
                .iter()
                .filter(|v| v.name != MofComponent::FinalParameters)
                .map(|v| format!("{} ({})", v.name.as_str().to_lowercase(), v.status))
                .collect();
            if !rest.is_empty() {
                out.push(format!("MOF: Class III also needs {}", rest.join(", ")));
            }
        }
        None => out.push(format!(
            "MOF: unclassified: Class III is {} % complete; it needs {}",
            pct(MofClass::III),
            list(MofClass::III)
        )),
        Some(MofClass::I) => {
            out.push("MOF: Class I (Open Science): every required component is present under an open licence".into())
        }
        Some(class) => {
            let next = if class == MofClass::III { MofClass::II } else { MofClass::I };
            out.push(format!(
                "MOF: {}; {} is {} % complete; it needs {}",
                mof::class_label(class),
                mof::class_label(next),
                pct(next),
                list(next)
            ));
        }
    }
    let conditional: Vec<String> = eval
        .components
        .iter()
        .filter(|v| v.status == MofStatus::Conditional)
        .map(|v| {
            format!("{} ({} for {})", v.name.as_str().to_lowercase(), v.licence.as_deref().unwrap_or("-"), v.content)
        })
        .collect();
    if !conditional.is_empty() {
        out.push(format!(
            "MOF: conditional: open licences not written for the content they cover: {}; prefer a type-appropriate licence",
            conditional.join(", ")
        ));
    }
    out
}

fn weights_axis(m: &Identified) -> (WeightsOpenness, String) {
    let l = &m.licensing;
    let n = m.evidence.weights.len();
    let files = match n {
        0 => "no weight files in the scan".to_string(),
        1 => "1 weight file".to_string(),
        n => format!("{n} weight files"),
    };
    let axis = match l.category {
        Category::None | Category::Unknown => WeightsOpenness::Unknown,
        c if c.is_open() => WeightsOpenness::Open,
        Category::Proprietary => WeightsOpenness::Closed,
        _ => WeightsOpenness::Restricted,
    };
    // An open licence does not make weights open when use restrictions bind them anyway:
    // inherited from a base model, or imposed by the card (e.g. blocked in the EU).
    let binding = m.restrictions.iter().find(|r| is_use_restriction(r.kind));
    if let (WeightsOpenness::Open, Some(r)) = (axis, binding) {
        let from = r.inherited_from.as_ref().map_or_else(|| "the card".to_string(), |b| format!("base model {b}"));
        return (
            WeightsOpenness::Restricted,
            format!("weights: restricted, {} is {} but {from} imposes {} ({files})", l.id, l.category, r.kind),
        );
    }
    let why = match axis {
        WeightsOpenness::Unknown => format!("weights: unknown, the licence is {} ({files})", l.category),
        _ => format!("weights: {axis}, {} is {} ({files})", l.id, l.category),
    };
    (axis, why)
}

/// Restriction kinds that limit who may use the weights or how, beyond notices and copyleft.
fn is_use_restriction(kind: RestrictionKind) -> bool {
    !matches!(kind, RestrictionKind::Attribution | RestrictionKind::ShareAlike | RestrictionKind::PassThrough)
}

fn data_axis(m: &Identified, datasets: &HashMap<String, Category>) -> (DataOpenness, String) {
    let Some(card) = &m.evidence.card else {
        return (DataOpenness::Unknown, "data: unknown, no model card".into());
    };
    let listed = &card.body().keys.datasets;
    if !listed.is_empty() {
        let all_open = listed.iter().all(|d| datasets.get(&d.to_ascii_lowercase()).is_some_and(|c| c.is_open()));
        if all_open {
            return (
                DataOpenness::Open,
                format!("data: open, every listed dataset ({}) has an open licence", listed.join(", ")),
            );
        }
        return (DataOpenness::Disclosed, format!("data: disclosed, the card lists {}", listed.join(", ")));
    }
    if has_section(m, SectionKind::TrainingData) {
        return (DataOpenness::Disclosed, "data: disclosed in the card's training-data section".into());
    }
    (DataOpenness::Undisclosed, "data: undisclosed, the card lists no datasets and has no training-data section".into())
}

fn code_axis(m: &Identified) -> (CodeOpenness, String) {
    let code = &m.evidence.code;
    if code.is_empty() {
        return (CodeOpenness::Unknown, "code: unknown, no training or inference code beside the model".into());
    }
    let open = m.licensing.parts.iter().find(|p| p.category.is_open());
    match open {
        Some(p) => (CodeOpenness::Open, format!("code: open, {} source file(s) under {}", code.len(), p.id)),
        None => (
            CodeOpenness::Unknown,
            format!("code: unknown, {} source file(s) but no open licence covers them", code.len()),
        ),
    }
}

fn has_section(m: &Identified, kind: SectionKind) -> bool {
    m.evidence.card.as_ref().is_some_and(|c| c.body().sections.iter().any(|s| s.filled && s.kinds.contains(&kind)))
}
