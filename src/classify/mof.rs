//! The Model Openness Framework 1.0: its tables (`licences/_mof.toml`), how a licence is judged
//! for a component, and the evaluation of one model's components into a class, per-class
//! progress and a verdict per component.
//!
//! The evaluation follows the framework's reference implementation, the Model Openness Tool
//! (MOT), so that a model scored here and there gets the same numbers:
//!
//! - a component's licence resolves in this order: its own licence, the release's licence for
//!   its content type (code, data, document), the distribution licence; none means unlicensed;
//! - a licence is open when the SPDX list marks it OSI-approved or FSF-libre, or when it is on
//!   the open-data list or OpenMDW; an open licence outside the type-appropriate list for the
//!   component's content passes with a warning (`conditional`);
//! - a research paper may stand for the technical report: the report is then not missing, and
//!   the paper counts for Classes III and II (and Class I needs one component fewer);
//! - progress towards a class is the share of its required components (cumulative) that are
//!   present under an open licence, and 0 until every class the hierarchy puts above it is
//!   complete; the class is the best one at 100 %.
//!
//! Nothing here reads files: the inputs are built by `components` from what the scan found or
//! from a MOT file.

use std::collections::BTreeMap;

pub use crate::catalogue::mof::{ComponentDef, Framework};
use crate::{
    catalogue::Licence,
    model::{Evidence, MofComponentVerdict},
    recognise,
    vocab::{ContentType, LicenceScope, MofClass, MofComponent, MofStatus},
};

/// The classes from the first a model can reach (III) to the last (I).
pub const CLASSES: [MofClass; 3] = [MofClass::III, MofClass::II, MofClass::I];

pub use crate::catalogue::mof::class_number;

/// The framework's name for a class.
pub const fn class_label(class: MofClass) -> &'static str {
    match class {
        MofClass::I => "Class I (Open Science)",
        MofClass::II => "Class II (Open Tooling)",
        MofClass::III => "Class III (Open Model)",
    }
}

/// What a licence name means for a component.
#[derive(Clone, Debug)]
pub enum Judgement {
    /// A word that is not a licence name (`unlicensed`, `Component not included`).
    Marker {
        /// As written.
        written: String,
        /// What it stands for.
        status: MofStatus,
    },
    /// A licence we can name.
    Licence(Named),
    /// A name neither the catalogue nor the SPDX list knows; not open.
    Unknown {
        /// As written.
        written: String,
    },
}

/// A licence we can name, with what the framework needs to know about it.
#[derive(Clone, Debug)]
pub struct Named {
    /// How to show it: the SPDX id, else the catalogue id (`AND`-joined for several).
    pub shown: String,
    /// The SPDX ids (real SPDX list ids only), one per licence.
    pub spdx: Vec<String>,
    /// Open in the framework's sense (every licence, for several).
    pub open: bool,
    /// OSI-approved (every licence, for several), for the OSI definition.
    pub osi: bool,
    /// The catalogue entries, where the catalogue knows them.
    pub entries: Vec<&'static Licence>,
}

impl Judgement {
    /// The licence as it will be shown.
    pub fn shown(&self) -> &str {
        match self {
            Judgement::Marker { written, .. } | Judgement::Unknown { written } => written,
            Judgement::Licence(n) => &n.shown,
        }
    }

    /// Whether any licence of it carries use restrictions (a community, RAIL, non-commercial,
    /// research-only or proprietary licence).
    pub fn is_use_restricted(&self) -> bool {
        matches!(self, Judgement::Licence(n) if n.entries.iter().any(|e| e.category.is_use_restricted()))
    }

    /// The status of a present component under this licence.
    pub fn status(&self, content: ContentType) -> MofStatus {
        let fw = Framework::get();
        match self {
            Judgement::Marker { status, .. } => *status,
            Judgement::Unknown { .. } => MofStatus::Invalid,
            Judgement::Licence(n) if !n.open => MofStatus::Invalid,
            Judgement::Licence(n) => {
                if !n.spdx.is_empty() && n.spdx.iter().all(|id| fw.is_type_appropriate(id, content)) {
                    MofStatus::Valid
                } else {
                    MofStatus::Conditional
                }
            }
        }
    }
}

/// Judges a licence name as written in a MOT file or anywhere free text names a licence: a
/// marker word, an exact SPDX id (as the MOT compares them), a name the catalogue resolves
/// (`Apache 2.0`, `Llama 2 Community License`), or a list of such names (every one must be
/// open).
pub fn judge(written: &str) -> Judgement {
    let fw = Framework::get();
    let name = written.trim();
    if let Some(status) = fw.marker(name) {
        return Judgement::Marker { written: name.to_string(), status };
    }
    if let Some(id) = spdx::license_id(name).filter(|l| l.name == name) {
        return Judgement::Licence(named_spdx(id.name, recognise::text::resolve_spdx(id.name)));
    }
    if let Some((licence, _)) = recognise::resolve_free_text(name) {
        return Judgement::Licence(named_entry(licence));
    }
    let parts = recognise::split_free_text(name);
    if parts.len() > 1 {
        let judged: Vec<Named> = parts
            .iter()
            .filter_map(|p| match judge(p) {
                Judgement::Licence(n) => Some(n),
                _ => None,
            })
            .collect();
        if !judged.is_empty() && judged.len() == parts.len() {
            return Judgement::Licence(combine(judged));
        }
    }
    Judgement::Unknown { written: name.to_string() }
}

/// Judges a catalogue entry.
pub fn named_entry(licence: &'static Licence) -> Named {
    match spdx::license_id(&licence.spdx).filter(|l| l.name == licence.spdx) {
        Some(id) => named_spdx(id.name, Some(licence)),
        None => {
            // Outside the SPDX list: open only when the catalogue says OSI or FSF approved
            // and the licence restricts no use.
            let approved = (licence.osi_approved || licence.fsf_libre) && !licence.category.is_use_restricted();
            let listed = Framework::get().is_listed_open(&licence.spdx);
            Named {
                shown: licence.id.clone(),
                spdx: Vec::new(),
                open: approved || listed,
                osi: licence.osi_approved && !licence.category.is_use_restricted(),
                entries: vec![licence],
            }
        }
    }
}

fn named_spdx(id: &str, entry: Option<&'static Licence>) -> Named {
    let fw = Framework::get();
    let osi = spdx::license_id(id).is_some_and(|l| l.is_osi_approved()) && !fw.is_excluded(id);
    Named {
        shown: id.to_string(),
        spdx: vec![id.to_string()],
        open: fw.is_open_spdx(id),
        osi,
        entries: entry.into_iter().collect(),
    }
}

/// Several licences that all apply.
pub fn combine(mut parts: Vec<Named>) -> Named {
    if parts.len() == 1 {
        return parts.remove(0);
    }
    let mut shown: Vec<String> = parts.iter().map(|p| p.shown.clone()).collect();
    shown.dedup();
    Named {
        shown: shown.join(" AND "),
        spdx: if parts.iter().all(|p| !p.spdx.is_empty()) {
            parts.iter().flat_map(|p| p.spdx.clone()).collect()
        } else {
            Vec::new()
        },
        open: parts.iter().all(|p| p.open),
        osi: parts.iter().all(|p| p.osi),
        entries: parts.into_iter().flat_map(|p| p.entries).collect(),
    }
}

/// A licence given to the evaluation, with where it was stated.
#[derive(Clone, Debug)]
pub struct LicenceInput {
    /// What it means.
    pub judgement: Judgement,
    /// Where it was stated.
    pub evidence: Vec<Evidence>,
    /// Why, when it was worked out rather than stated (a base model's licence, a dataset card
    /// missing from the scan).
    pub note: Option<String>,
}

/// One component a model has (or declares), before judgement.
#[derive(Clone, Debug, Default)]
pub struct ComponentInput {
    /// Its own licence; `None` inherits the release-wide licences.
    pub licence: Option<LicenceInput>,
    /// Where it was found.
    pub evidence: Vec<Evidence>,
    /// A substitution that applies (a model card section standing for a data card).
    pub note: Option<String>,
}

/// What the evaluation needs to know about a model.
#[derive(Clone, Debug, Default)]
pub struct MofInput {
    /// The components the model has.
    pub components: BTreeMap<MofComponent, ComponentInput>,
    /// Release-wide licences by scope (`distribution`, `code`, `data`, `document`).
    pub globals: BTreeMap<LicenceScope, LicenceInput>,
}

/// The outcome of an evaluation.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// Every component, in the framework's order.
    pub components: Vec<MofComponentVerdict>,
    /// The licence each present component resolved to.
    pub licences: BTreeMap<MofComponent, Judgement>,
    /// Progress per class in percent, unrounded.
    pub exact: BTreeMap<MofClass, f64>,
    /// The best complete class.
    pub class: Option<MofClass>,
}

impl Evaluation {
    /// Progress per class in whole percent, rounded half away from zero as the MOT rounds
    /// (PHP `round`).
    pub fn progress(&self) -> BTreeMap<MofClass, u8> {
        self.exact.iter().map(|(c, p)| (*c, p.round().clamp(0.0, 100.0) as u8)).collect()
    }

    /// The verdict of one component.
    pub fn component(&self, c: MofComponent) -> &MofComponentVerdict {
        self.components.iter().find(|v| v.name == c).unwrap_or(&self.components[0])
    }

    /// The required components that keep a class from being complete, with their status.
    pub fn blocking(&self, class: MofClass) -> Vec<&MofComponentVerdict> {
        let fw = Framework::get();
        let substitute = paper_stands_for_report(&self.components);
        fw.required_for(class)
            .filter(|d| !counted(&self.components, d.component, substitute))
            .filter(|d| !(class == MofClass::I && substitute && d.component == MofComponent::TechnicalReport))
            .map(|d| self.component(d.component))
            .collect()
    }

    /// Counts of present components by verdict, as the MOT's test data counts them.
    pub fn counts(&self) -> Counts {
        let present = self.components.iter().filter(|v| v.present);
        let mut c = Counts::default();
        for v in present {
            c.components += 1;
            match v.status {
                MofStatus::Valid => c.valid += 1,
                MofStatus::Conditional => {
                    c.valid += 1;
                    c.conditional += 1;
                }
                MofStatus::Invalid => c.invalid += 1,
                MofStatus::Unlicensed => c.unlicensed += 1,
                MofStatus::Missing => {}
            }
        }
        c
    }
}

/// Component counts of one evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Present components.
    pub components: usize,
    /// Under an open licence (conditional ones included).
    pub valid: usize,
    /// Under an open licence that is not type-appropriate.
    pub conditional: usize,
    /// Under a licence that is not open.
    pub invalid: usize,
    /// With no licence.
    pub unlicensed: usize,
}

/// Evaluates a model's components.
pub fn evaluate(input: &MofInput) -> Evaluation {
    let fw = Framework::get();
    let mut components = Vec::with_capacity(fw.components.len());
    let mut licences = BTreeMap::new();
    for def in &fw.components {
        let Some(given) = input.components.get(&def.component) else {
            components.push(MofComponentVerdict {
                name: def.component,
                present: false,
                licence: None,
                licence_from: None,
                status: MofStatus::Missing,
                content: def.content,
                required_for: def.required.then_some(def.class),
                evidence: Vec::new(),
                note: None,
            });
            continue;
        };
        let (scope, resolved) = resolve(def.content, given, &input.globals);
        let (status, licence, mut evidence, mut notes) = match resolved {
            Some(l) => {
                let status = l.judgement.status(def.content);
                (
                    status,
                    Some(l.judgement.shown().to_string()),
                    l.evidence.clone(),
                    l.note.clone().into_iter().collect(),
                )
            }
            None => (MofStatus::Unlicensed, None, Vec::new(), Vec::new()),
        };
        if status == MofStatus::Missing {
            // "Component not included" written as its licence.
            components.push(MofComponentVerdict {
                name: def.component,
                present: false,
                licence: None,
                licence_from: None,
                status,
                content: def.content,
                required_for: def.required.then_some(def.class),
                evidence: given.evidence.clone(),
                note: Some("listed, but its licence says it is not included".into()),
            });
            continue;
        }
        if status == MofStatus::Conditional {
            notes.push(format!(
                "{} is open but not a licence written for {}",
                licence.as_deref().unwrap_or(""),
                def.content
            ));
        }
        if let Some(r) = resolved {
            licences.insert(def.component, r.judgement.clone());
        }
        notes.extend(given.note.clone());
        let mut all = given.evidence.clone();
        all.append(&mut evidence);
        all.dedup();
        components.push(MofComponentVerdict {
            name: def.component,
            present: true,
            licence,
            licence_from: resolved.map(|_| scope),
            status,
            content: def.content,
            required_for: def.required.then_some(def.class),
            evidence: all,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        });
    }
    substitute_paper(&mut components);
    let exact = progress(&components);
    let class = CLASSES.iter().rev().copied().find(|c| exact.get(c).is_some_and(|p| *p >= 100.0));
    Evaluation { components, licences, exact, class }
}

/// The licence of a component in the framework's order: its own, the release's for its
/// content type, the distribution licence.
fn resolve<'a>(
    content: ContentType,
    given: &'a ComponentInput,
    globals: &'a BTreeMap<LicenceScope, LicenceInput>,
) -> (LicenceScope, Option<&'a LicenceInput>) {
    if let Some(own) = &given.licence {
        return (LicenceScope::Component, Some(own));
    }
    let scope = match content {
        ContentType::Code => LicenceScope::Code,
        ContentType::Data => LicenceScope::Data,
        ContentType::Document => LicenceScope::Document,
    };
    if let Some(l) = globals.get(&scope) {
        return (scope, Some(l));
    }
    (LicenceScope::Distribution, globals.get(&LicenceScope::Distribution))
}

fn counts(s: MofStatus) -> bool {
    matches!(s, MofStatus::Valid | MofStatus::Conditional)
}

/// Whether a research paper stands for the technical report: the report does not count on its
/// own and a paper is there (under any licence). The report then counts for Classes III and II
/// exactly when the paper does.
fn paper_stands_for_report(components: &[MofComponentVerdict]) -> bool {
    let status = |c: MofComponent| components.iter().find(|v| v.name == c);
    let report = status(MofComponent::TechnicalReport);
    let paper = status(MofComponent::ResearchPaper);
    !report.is_some_and(|r| counts(r.status)) && paper.is_some_and(|p| p.present)
}

/// Notes the substitution on the report's verdict; the report keeps its own status.
fn substitute_paper(components: &mut [MofComponentVerdict]) {
    if !paper_stands_for_report(components) {
        return;
    }
    let paper = components.iter().find(|v| v.name == MofComponent::ResearchPaper).map(|p| p.status);
    if let (Some(paper), Some(report)) =
        (paper, components.iter_mut().find(|v| v.name == MofComponent::TechnicalReport))
    {
        let how = if counts(paper) { "counts" } else { "does not count either" };
        let note = format!("the research paper ({paper}) stands for it in Classes III and II, and {how} there");
        report.note = Some(match report.note.take() {
            Some(n) => format!("{n}; {note}"),
            None => note,
        });
    }
}

/// Whether a component counts towards a class: present under an open licence, or, for the
/// technical report, a paper that counts standing for it.
fn counted(components: &[MofComponentVerdict], c: MofComponent, substitute: bool) -> bool {
    let own = |c: MofComponent| components.iter().any(|v| v.name == c && counts(v.status));
    own(c) || (substitute && c == MofComponent::TechnicalReport && own(MofComponent::ResearchPaper))
}

/// Progress per class, as the MOT computes it: the share of a class's required components
/// that count, 0 until every class above it in the hierarchy is complete. In Class I, where
/// the paper is required on its own, a paper standing for the report is counted once and the
/// class needs one component fewer.
fn progress(components: &[MofComponentVerdict]) -> BTreeMap<MofClass, f64> {
    let fw = Framework::get();
    let substitute = paper_stands_for_report(components);
    let tally = |class: MofClass| {
        let mut total = 0;
        let mut got = 0;
        for d in fw.required_for(class) {
            if class == MofClass::I && substitute && d.component == MofComponent::TechnicalReport {
                if counted(components, MofComponent::ResearchPaper, false) {
                    continue;
                }
                total += 1;
                continue;
            }
            total += 1;
            got += usize::from(counted(components, d.component, substitute));
        }
        (got, total)
    };
    let mut out = BTreeMap::new();
    for class in CLASSES {
        let higher_complete = CLASSES.iter().take_while(|c| **c != class).all(|c| {
            let (got, total) = tally(*c);
            got >= total
        });
        let (got, total) = tally(class);
        out.insert(class, if higher_complete { pct(got, total) } else { 0.0 });
    }
    out
}

fn pct(got: usize, total: usize) -> f64 {
    if total == 0 { 0.0 } else { (got as f64 / total as f64 * 100.0).min(100.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licences_are_judged_as_the_mot_judges_them() {
        let fw = Framework::get();
        assert!(fw.is_open_spdx("Apache-2.0"));
        assert!(fw.is_open_spdx("CC-BY-3.0-NL"), "open-data list");
        assert!(fw.is_open_spdx("FSFAP"), "FSF-libre only");
        assert!(!fw.is_open_spdx("CC-BY-NC-4.0"));
        assert!(!fw.is_open_spdx("CNRI-Python-GPL-Compatible"), "the MOT's snapshot");
        assert_eq!(judge("MIT").status(ContentType::Code), MofStatus::Valid);
        assert_eq!(judge("MIT").status(ContentType::Data), MofStatus::Conditional);
        assert_eq!(judge("Apache 2.0").shown(), "Apache-2.0");
        assert_eq!(judge("Llama 2 Community License").status(ContentType::Data), MofStatus::Invalid);
        assert!(judge("Llama 2 Community License").is_use_restricted());
        assert_eq!(judge("unlicensed").status(ContentType::Data), MofStatus::Unlicensed);
        assert_eq!(judge("").status(ContentType::Data), MofStatus::Unlicensed);
        assert_eq!(judge("Component not include.").status(ContentType::Data), MofStatus::Missing);
        assert_eq!(judge("Component Component not included").status(ContentType::Code), MofStatus::Missing);
        assert_eq!(judge("no such licence 7").status(ContentType::Code), MofStatus::Invalid);
    }

    fn input(items: &[(MofComponent, &str)]) -> MofInput {
        let mut i = MofInput::default();
        for (c, l) in items {
            i.components.insert(
                *c,
                ComponentInput {
                    licence: Some(LicenceInput { judgement: judge(l), evidence: vec![], note: None }),
                    ..Default::default()
                },
            );
        }
        i
    }

    #[test]
    fn class_iii_with_a_paper_for_the_report() {
        use MofComponent::*;
        let e = evaluate(&input(&[
            (ModelArchitecture, "Apache-2.0"),
            (FinalParameters, "Apache-2.0"),
            (ModelCard, "CC-BY-4.0"),
            (DataCard, "CC-BY-4.0"),
            (ResearchPaper, "CC-BY-4.0"),
            (EvaluationResults, "CC-BY-4.0"),
        ]));
        assert_eq!(e.class, Some(MofClass::III));
        assert_eq!(e.progress()[&MofClass::III], 100);
        assert_eq!(e.progress()[&MofClass::II], 60);
        assert_eq!(e.progress()[&MofClass::I], 0, "Class II is not complete");
        let report = e.component(TechnicalReport);
        assert!(!report.present);
        assert_eq!(report.status, MofStatus::Missing);
        assert!(report.note.as_deref().unwrap_or("").contains("research paper"));
        assert!(e.blocking(MofClass::III).is_empty());
        assert_eq!(e.component(FinalParameters).status, MofStatus::Conditional, "Apache-2.0 is not a data licence");
    }

    #[test]
    fn a_restricted_licence_on_the_weights_leaves_the_model_unclassified() {
        use MofComponent::*;
        let e = evaluate(&input(&[
            (ModelArchitecture, "Apache-2.0"),
            (FinalParameters, "llama3.1"),
            (ModelCard, "CC-BY-4.0"),
            (DataCard, "CC-BY-4.0"),
            (TechnicalReport, "CC-BY-4.0"),
            (EvaluationResults, "CC-BY-4.0"),
        ]));
        assert_eq!(e.class, None);
        assert_eq!(e.progress()[&MofClass::III], 83);
        assert_eq!(e.blocking(MofClass::III).len(), 1);
        assert_eq!(e.component(FinalParameters).status, MofStatus::Invalid);
    }
}
