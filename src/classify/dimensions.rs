//! Open, partial or closed per dimension, in the manner of the European Open Source AI Index
//! (Liesenfeld & Dingemanse): weights, training data, code, licence, model card, data sheet,
//! paper. Read off the MOF evaluation and the model's licence.

use std::collections::BTreeMap;

use super::mof::Evaluation;
use crate::{
    model::{Identified, MofComponentVerdict},
    vocab::{Category, Dimension, EvidenceKind, Grade, MofComponent, MofStatus, SectionKind},
};

/// The grade of a licence: open for OSI, FSF and open-data licences that nothing further
/// restricts; partial for use-restricted licences (community, RAIL, non-commercial,
/// research-only); closed for proprietary terms, no licence, or one nobody can name.
pub fn licence_grade(category: Category, use_restricted: bool) -> Grade {
    match category {
        c if c.is_open() && !use_restricted => Grade::Open,
        c if c.is_open() => Grade::Partial,
        Category::OpenRail | Category::Community | Category::NonCommercial | Category::ResearchOnly => Grade::Partial,
        Category::Proprietary | Category::Unknown | Category::None => Grade::Closed,
        _ => Grade::Closed,
    }
}

/// Grades every dimension. `use_restricted`: whether use restrictions bind the model.
pub fn dimensions(eval: &Evaluation, m: &Identified, use_restricted: bool) -> BTreeMap<Dimension, Grade> {
    let c = |x: MofComponent| eval.component(x);
    let counts = |v: &MofComponentVerdict| matches!(v.status, MofStatus::Valid | MofStatus::Conditional);
    let present = |v: &MofComponentVerdict| v.status != MofStatus::Missing;
    let gated = m.evidence.card.as_ref().is_some_and(|card| card.body().keys.gated.is_some());
    let mut out = BTreeMap::new();

    let w = c(MofComponent::FinalParameters);
    out.insert(
        Dimension::Weights,
        if !present(w) {
            Grade::Closed
        } else if counts(w) && !use_restricted && !gated {
            Grade::Open
        } else {
            Grade::Partial
        },
    );

    let datasets = c(MofComponent::Datasets);
    let data_card = c(MofComponent::DataCard);
    out.insert(
        Dimension::TrainingData,
        if counts(datasets) {
            Grade::Open
        } else if present(datasets) || present(data_card) {
            Grade::Partial
        } else {
            Grade::Closed
        },
    );

    let training = c(MofComponent::TrainingCode);
    let inference = c(MofComponent::InferenceCode);
    let any_code = [
        MofComponent::TrainingCode,
        MofComponent::InferenceCode,
        MofComponent::EvaluationCode,
        MofComponent::PreprocessingCode,
    ]
    .into_iter()
    .any(|x| present(c(x)));
    out.insert(
        Dimension::Code,
        if counts(training) && counts(inference) {
            Grade::Open
        } else if any_code {
            Grade::Partial
        } else {
            Grade::Closed
        },
    );

    out.insert(Dimension::Licence, licence_grade(m.licensing.category, use_restricted));

    let card = c(MofComponent::ModelCard);
    let card_grade = match &m.evidence.card {
        // A card that covers its subjects is open; a thin one partial.
        Some(file) => {
            let covered = [
                SectionKind::IntendedUse,
                SectionKind::Limitations,
                SectionKind::TrainingData,
                SectionKind::TrainingProcedure,
                SectionKind::Evaluation,
            ]
            .into_iter()
            .filter(|k| file.body().sections.iter().any(|s| s.filled && s.kinds.contains(k)))
            .count();
            if covered >= 3 { Grade::Open } else { Grade::Partial }
        }
        None if counts(card) => Grade::Open,
        None if present(card) => Grade::Partial,
        None => Grade::Closed,
    };
    out.insert(Dimension::ModelCard, card_grade);

    let sheet = if !present(data_card) {
        Grade::Closed
    } else if data_card.note.is_some() && !data_card.evidence.iter().any(|e| e.kind == EvidenceKind::DatasetCard) {
        // The model card's training-data section: documentation, not a datasheet.
        Grade::Partial
    } else if counts(data_card) {
        Grade::Open
    } else {
        Grade::Partial
    };
    out.insert(Dimension::DataSheet, sheet);

    out.insert(
        Dimension::Paper,
        if present(c(MofComponent::ResearchPaper)) {
            Grade::Open
        } else if present(c(MofComponent::TechnicalReport)) {
            Grade::Partial
        } else {
            Grade::Closed
        },
    );
    out
}
