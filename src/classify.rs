//! Stage 5: how open a model is, on three axes (weights, data, code) and as a Model Openness
//! Framework class estimate, each with the reason a reviewer would want to check.
//!
//! The MOF class is only claimed when the files support it: every component of the class is
//! present and the final parameters carry an open licence. Otherwise it is null and the
//! reasons say what is missing.

use std::collections::HashMap;

use crate::{
    model::{Assessed, Identified, IdentifiedDataset, Openness},
    vocab::{Category, CodeOpenness, DataOpenness, MofClass, RestrictionKind, SectionKind, WeightsOpenness},
};

/// Classifies every model. Dataset cards found in the same scan tell whether listed datasets
/// are openly licensed.
pub fn classify(models: Vec<Identified>, datasets: &[IdentifiedDataset]) -> Vec<Assessed> {
    let dataset_categories: HashMap<String, Category> =
        datasets.iter().map(|d| (d.evidence.id.to_ascii_lowercase(), d.licensing.category)).collect();
    models
        .into_iter()
        .map(|identified| {
            let openness = openness(&identified, &dataset_categories);
            Assessed { identified, openness }
        })
        .collect()
}

fn openness(m: &Identified, datasets: &HashMap<String, Category>) -> Openness {
    let mut reasons = Vec::new();
    let (weights, why) = weights_axis(m);
    reasons.push(why);
    let (data, why) = data_axis(m, datasets);
    reasons.push(why);
    let (code, why) = code_axis(m);
    reasons.push(why);
    let (mof_class, why) = mof_class(m, weights, data);
    reasons.push(why);
    Openness { weights, data, code, mof_class, reasons }
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
    let listed = &card.meta.datasets;
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
    m.evidence.card.as_ref().is_some_and(|c| c.sections.iter().any(|s| s.filled && s.kinds.contains(&kind)))
}

/// The class whose every required component the scan found, with an open licence on the
/// final parameters (MOF 1.0: any use-restricted licence fails Class III).
fn mof_class(m: &Identified, weights: WeightsOpenness, data: DataOpenness) -> (Option<MofClass>, String) {
    if matches!(weights, WeightsOpenness::Restricted | WeightsOpenness::Closed) {
        let inherited = m.restrictions.iter().find_map(|r| r.inherited_from.as_deref());
        let why = match (m.licensing.category.is_use_restricted(), inherited) {
            (false, Some(base)) => format!("inherited from base model {base}"),
            _ => m.licensing.id.clone(),
        };
        return (None, format!("MOF: unclassified, the final parameters carry a use-restricted licence ({why})"));
    }
    let e = &m.evidence;
    let card = e.card.as_ref();
    let tags = card.map(|c| c.meta.tags.clone()).unwrap_or_default();
    let paper = tags.iter().any(|t| t.starts_with("arxiv:"));
    let code_named = |words: &[&str]| {
        e.code.iter().any(|f| {
            let name = f.rsplit('/').next().unwrap_or(f).to_ascii_lowercase();
            words.iter().any(|w| name.contains(w))
        })
    };
    let class_iii = [
        ("model architecture", !e.configs.is_empty() || code_named(&["model", "modeling", "arch"])),
        ("final parameters", !e.weights.is_empty()),
        ("model card", card.is_some_and(|c| c.recognised)),
        ("data card", data != DataOpenness::Undisclosed && data != DataOpenness::Unknown),
        ("technical report or paper", paper),
        ("evaluation results", card.is_some_and(|c| c.meta.has_model_index) || has_section(m, SectionKind::Evaluation)),
    ];
    let class_ii = [
        ("training code", code_named(&["train", "finetune", "fine_tune"])),
        ("inference code", code_named(&["infer", "generate", "predict", "pipeline", "serve"])),
        ("evaluation code", code_named(&["eval", "benchmark"])),
        ("evaluation data", card.is_some_and(|c| c.meta.has_model_index)),
    ];
    let class_i = [
        ("datasets under open licences", data == DataOpenness::Open),
        ("data preprocessing code", code_named(&["preprocess", "prepare", "tokeniz", "clean"])),
        ("research paper", paper),
        ("intermediate parameters", e.weights.iter().any(|w| w.file.contains("checkpoint"))),
    ];
    fn missing<'a>(list: &[(&'a str, bool)]) -> Vec<&'a str> {
        list.iter().filter(|(_, ok)| !ok).map(|(n, _)| *n).collect()
    }
    let m3 = missing(&class_iii);
    if weights != WeightsOpenness::Open || !m3.is_empty() {
        let mut what = m3.clone();
        if weights != WeightsOpenness::Open {
            what.insert(0, "an open licence on the final parameters");
        }
        return (None, format!("MOF: unclassified, Class III needs {}", what.join(", ")));
    }
    let m2 = missing(&class_ii);
    if !m2.is_empty() {
        return (Some(MofClass::III), format!("MOF: Class III (Open Model); Class II also needs {}", m2.join(", ")));
    }
    let m1 = missing(&class_i);
    if !m1.is_empty() {
        return (Some(MofClass::II), format!("MOF: Class II (Open Tooling); Class I also needs {}", m1.join(", ")));
    }
    (Some(MofClass::I), "MOF: Class I (Open Science), every component found".into())
}
