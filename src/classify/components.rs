//! Which Model Openness Framework components a model has, with the evidence for each, decided
//! from what the scan found (or read from a Model Openness Tool file), and the licences they
//! fall under. The judgement itself is `mof`'s.
//!
//! From the files (each rule names its evidence):
//!
//! | component | found from |
//! |---|---|
//! | Model architecture | `config.json` with `model_type`/`architectures`, or modelling code (`modeling_*.py`, `model.py`, …) |
//! | Model parameters (Final) | weight files, other than checkpoints |
//! | Model parameters (Intermediate) | weight files under `checkpoint-*`, `step*`, `iter*`, `epoch*` paths |
//! | Model card | the card |
//! | Data card | a dataset card in the scan for a `datasets:` id; else the card's filled training-data section stands for it |
//! | Technical report | a link called a technical report |
//! | Research paper | `arxiv:` tags, links to papers (arXiv, DOI, ACL Anthology, OpenReview, proceedings, PDFs) |
//! | Evaluation results | `model-index`, a filled evaluation section; else the report or paper |
//! | Sample model outputs | `widget` outputs, a section of sample or example outputs |
//! | Training, inference, evaluation, data preprocessing code | source files named for the task (`train.py`, `inference/`, `eval_*.py`, `preprocess.py`), or a code repository linked in the card (by its section and words; a repository link that says nothing more counts for training and inference) |
//! | Evaluation data | datasets named in `model-index` results |
//! | Datasets | `datasets:` ids |
//! | Supporting libraries and tools | `library_name` |
//! | Model metadata | `config.json` |
//!
//! Licences follow the framework's order: a component's own (a dataset card's licence for the
//! datasets it documents), the release's licence for its content type (a `LICENSE-CODE` or
//! `LICENSE-MODEL` file), the model's licence. A dataset with no card in the scan has no known
//! licence, so data components stay unlicensed until its card is scanned too. A fine-tune of a
//! use-restricted base carries the base's licence on its parameters.

use std::collections::BTreeMap;

use super::mof::{self, ComponentInput, Judgement, LicenceInput, MofInput, Named};
use crate::{
    catalogue::Catalogue,
    model::{Card, CardLink, Combination, Evidence, Identified, IdentifiedDataset, Licensing, Located, MotFile},
    urls,
    vocab::{Category, EvidenceKind, LicenceScope, MofComponent, RestrictionKind, SectionKind},
};

/// At most this many evidence entries per component (a model with 500 shards lists 10).
const MAX_EVIDENCE: usize = 10;

/// The components a MOT file declares, with its licences.
pub fn from_mot(f: &MotFile) -> MofInput {
    // A licence named in the file, judged, at its line.
    let stated = |l: &Located<String>| LicenceInput {
        judgement: mof::judge(&l.value),
        evidence: vec![Evidence {
            file: f.file.clone(),
            line: Some(l.line),
            kind: EvidenceKind::MotLicence,
            value: Some(l.value.clone()),
        }],
        note: None,
    };
    let mut input = MofInput::default();
    for l in &f.release.licences {
        if let Some(name) = &l.name {
            input.globals.insert(l.scope, stated(name));
        }
    }
    for c in &f.release.components {
        let evidence = vec![Evidence {
            file: f.file.clone(),
            line: Some(c.line),
            kind: EvidenceKind::MotComponent,
            value: c.path.clone(),
        }];
        // A component listed twice: the later entry wins, as in the MOT.
        input
            .components
            .insert(c.component, ComponentInput { licence: c.licence.as_ref().map(stated), evidence, note: None });
    }
    input
}

/// The components the scan found for a model.
pub fn from_files(m: &Identified, index: &DatasetIndex<'_>) -> MofInput {
    let e = &m.evidence;
    let mut found = Found::default();
    let card = e.card.as_ref();
    let code: Vec<(&String, Vec<Role>)> = e.code.iter().map(|f| (f, roles(relative(f, &e.location)))).collect();

    // Architecture, parameters, metadata.
    for c in &e.configs {
        let ev = file_ev(&c.file, EvidenceKind::ModelConfig, c.model_type.clone());
        if c.model_type.is_some() || !c.architectures.is_empty() {
            found.add(MofComponent::ModelArchitecture, ev.clone());
        }
        found.add(MofComponent::ModelMetadata, ev);
    }
    for (file, r) in &code {
        for role in r {
            found.add(role.component(), file_ev(file, EvidenceKind::SourceFile, None));
        }
    }
    for w in &e.weights {
        let which = if is_intermediate(relative(&w.file, &e.location)) {
            MofComponent::IntermediateParameters
        } else {
            MofComponent::FinalParameters
        };
        found.add(which, file_ev(&w.file, EvidenceKind::WeightFile, None));
    }

    if let Some(card) = card {
        card_components(card, index, &mut found);
    }

    // Evaluation results may live in the report or the paper.
    if !found.has(MofComponent::EvaluationResults) {
        let source = [MofComponent::TechnicalReport, MofComponent::ResearchPaper]
            .into_iter()
            .find_map(|c| found.items.get(&c).map(|i| (c, i.evidence.clone())));
        if let Some((c, evidence)) = source {
            let item = found.items.entry(MofComponent::EvaluationResults).or_default();
            item.evidence = evidence;
            item.note = Some(format!("taken to be in the {} (MOF allows results there)", c.as_str().to_lowercase()));
        }
    }

    let mut input = MofInput { components: found.items, globals: globals(&m.licensing) };
    // A derivative of a use-restricted base carries the base's licence on its parameters.
    if let Some((base, licence, evidence)) = inherited_licence(m) {
        for c in [MofComponent::FinalParameters, MofComponent::IntermediateParameters] {
            if let Some(item) = input.components.get_mut(&c) {
                item.licence = Some(LicenceInput {
                    judgement: Judgement::Licence(licence.clone()),
                    evidence: evidence.clone(),
                    note: Some(format!("inherited from base model {base}")),
                });
            }
        }
    }
    input
}

/// Components read from the card: its sections, front matter and links.
fn card_components(card: &Card, index: &BTreeMap<String, &IdentifiedDataset>, found: &mut Found) {
    found.add(
        MofComponent::ModelCard,
        Evidence { file: card.file.clone(), line: Some(1), kind: EvidenceKind::CardSection, value: None },
    );
    let key = |k: &str, value: Option<String>| Evidence {
        file: card.file.clone(),
        line: card.body().keys.lines.get(k),
        kind: EvidenceKind::CardMetadata,
        value: value.or_else(|| Some(k.to_string())),
    };
    let section = |kind: SectionKind| {
        card.body().sections.iter().find(|s| s.filled && s.kinds.contains(&kind)).map(|s| Evidence {
            file: card.file.clone(),
            line: Some(s.line),
            kind: EvidenceKind::CardSection,
            value: Some(s.title.clone()),
        })
    };

    // Datasets and the data card.
    let listed = &card.body().keys.datasets;
    if !listed.is_empty() {
        found.add(MofComponent::Datasets, key("datasets", Some(listed.join(", "))));
        found.set_licence(MofComponent::Datasets, dataset_licence(listed, index));
        let cards: Vec<&IdentifiedDataset> = listed.iter().filter_map(|d| find(index, d)).collect();
        if !cards.is_empty() {
            for d in &cards {
                found.add(
                    MofComponent::DataCard,
                    Evidence {
                        file: d.evidence.card.file.clone(),
                        line: Some(1),
                        kind: EvidenceKind::DatasetCard,
                        value: Some(d.evidence.id.clone()),
                    },
                );
            }
            let ids: Vec<String> = cards.iter().map(|d| d.evidence.id.clone()).collect();
            found.set_licence(MofComponent::DataCard, dataset_licence(&ids, index));
        }
    }
    if !found.has(MofComponent::DataCard)
        && let Some(ev) = section(SectionKind::TrainingData)
    {
        found.add(MofComponent::DataCard, ev);
        found.note(MofComponent::DataCard, "the model card's training-data section stands for a data card");
    }

    // Evaluation results and data.
    if card.body().keys.has_model_index {
        found.add(MofComponent::EvaluationResults, key("model-index", None));
        let eval_sets = &card.body().keys.eval_datasets;
        if !eval_sets.is_empty() {
            found.add(MofComponent::EvaluationData, key("model-index", Some(eval_sets.join(", "))));
            found.set_licence(MofComponent::EvaluationData, dataset_licence(eval_sets, index));
        }
    }
    if let Some(ev) = section(SectionKind::Evaluation) {
        found.add(MofComponent::EvaluationResults, ev);
    }

    // Sample outputs, supporting libraries.
    if card.body().keys.widget_output {
        found.add(MofComponent::SampleOutputs, key("widget", None));
    }
    for s in card.body().sections.iter().filter(|s| s.filled) {
        let t = s.title.to_lowercase();
        if [
            "sample output",
            "example output",
            "examples of output",
            "generation example",
            "generated example",
            "samples",
        ]
        .iter()
        .any(|w| t.contains(w))
        {
            found.add(
                MofComponent::SampleOutputs,
                Evidence {
                    file: card.file.clone(),
                    line: Some(s.line),
                    kind: EvidenceKind::CardSection,
                    value: Some(s.title.clone()),
                },
            );
        }
        if t.contains("technical report") || t.contains("tech report") {
            found.add(
                MofComponent::TechnicalReport,
                Evidence {
                    file: card.file.clone(),
                    line: Some(s.line),
                    kind: EvidenceKind::CardSection,
                    value: Some(s.title.clone()),
                },
            );
        }
    }
    if let Some(lib) = &card.body().keys.library_name {
        found.add(MofComponent::SupportingLibraries, key("library_name", Some(lib.clone())));
    }

    // Papers: arXiv tags and links.
    for tag in card.body().keys.tags.iter().filter(|t| t.to_lowercase().starts_with("arxiv:")) {
        found.add(MofComponent::ResearchPaper, key("tags", Some(tag.clone())));
    }
    for link in card.body().links.iter().filter(|l| !l.kinds.contains(&SectionKind::Licence)) {
        let ev = Evidence {
            file: card.file.clone(),
            line: Some(link.line),
            kind: EvidenceKind::CardLink,
            value: Some(link.url.clone()),
        };
        if let Some(c) = paper_kind(link) {
            found.add(c, ev);
        } else if urls::is_code_repository(&link.url) {
            for c in repository_roles(link) {
                found.add(c, ev.clone());
                found.note(c, "in a repository the card links to (not scanned)");
            }
        } else if urls::names_checkpoint(&link.text, &link.url) {
            found.add(MofComponent::IntermediateParameters, ev);
        }
    }
}

/// Components found so far, with evidence and notes.
#[derive(Default)]
struct Found {
    items: BTreeMap<MofComponent, ComponentInput>,
}

impl Found {
    fn add(&mut self, c: MofComponent, ev: Evidence) {
        let item = self.items.entry(c).or_default();
        if item.evidence.len() < MAX_EVIDENCE && !item.evidence.contains(&ev) {
            item.evidence.push(ev);
        }
    }

    fn has(&self, c: MofComponent) -> bool {
        self.items.contains_key(&c)
    }

    fn note(&mut self, c: MofComponent, note: &str) {
        if let Some(item) = self.items.get_mut(&c)
            && item.note.is_none()
        {
            item.note = Some(note.to_string());
        }
    }

    fn set_licence(&mut self, c: MofComponent, licence: LicenceInput) {
        if let Some(item) = self.items.get_mut(&c) {
            item.licence = Some(licence);
        }
    }
}

/// Dataset cards of the scan by lower-case id, and by the name part of `owner/name`.
pub type DatasetIndex<'a> = BTreeMap<String, &'a IdentifiedDataset>;

/// The [`DatasetIndex`] of a scan's dataset cards (built once, read for every model).
pub fn dataset_index(datasets: &[IdentifiedDataset]) -> DatasetIndex<'_> {
    let mut index = BTreeMap::new();
    for d in datasets {
        let id = d.evidence.id.to_lowercase();
        if let Some((_, name)) = id.rsplit_once('/') {
            index.entry(name.to_string()).or_insert(d);
        }
        index.insert(id, d);
    }
    index
}

/// The dataset card for an id: the same id, else the same name (`org/name` against a card
/// found at `datasets/name`).
fn find<'a>(index: &BTreeMap<String, &'a IdentifiedDataset>, id: &str) -> Option<&'a IdentifiedDataset> {
    let id = id.trim().to_lowercase();
    index.get(&id).or_else(|| index.get(id.rsplit('/').next().unwrap_or(&id))).copied()
}

/// The licence of some datasets: the licences their cards in the scan declare (all apply), or
/// unknown when a card is missing from the scan.
fn dataset_licence(ids: &[String], index: &BTreeMap<String, &IdentifiedDataset>) -> LicenceInput {
    let missing: Vec<&String> = ids.iter().filter(|d| find(index, d).is_none()).collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        return LicenceInput {
            judgement: Judgement::Marker { written: "unknown".into(), status: crate::vocab::MofStatus::Unlicensed },
            evidence: Vec::new(),
            note: Some(format!("no dataset card in the scan gives the licence of {}", names.join(", "))),
        };
    }
    let mut parts = Vec::new();
    let mut evidence = Vec::new();
    for id in ids {
        if let Some(d) = find(index, id) {
            let l = licensing_input(&d.licensing);
            parts.push(l.judgement);
            evidence.extend(l.evidence);
        }
    }
    evidence.truncate(MAX_EVIDENCE);
    LicenceInput { judgement: all_of(parts), evidence, note: None }
}

/// Several judgements that all apply: open only when every one is.
fn all_of(parts: Vec<Judgement>) -> Judgement {
    let mut named = Vec::new();
    for p in parts {
        match p {
            Judgement::Licence(n) => named.push(n),
            // Anything unnamed makes the whole unnamed.
            other => return other,
        }
    }
    if named.is_empty() {
        return Judgement::Marker { written: "unlicensed".into(), status: crate::vocab::MofStatus::Unlicensed };
    }
    Judgement::Licence(mof::combine(named))
}

/// A model's licensing as release-wide licences: parts found only in a licence file named for
/// code (`LICENSE-CODE`), weights (`LICENSE-MODEL`) or documents cover that content; the rest is
/// the distribution licence.
fn globals(l: &Licensing) -> BTreeMap<LicenceScope, LicenceInput> {
    let mut by_scope: BTreeMap<LicenceScope, Licensing> = BTreeMap::new();
    for part in &l.parts {
        let scope = part_scope(&part.evidence);
        let entry = by_scope.entry(scope).or_insert_with(|| Licensing { parts: Vec::new(), ..l.clone() });
        entry.parts.push(part.clone());
    }
    by_scope.into_iter().map(|(scope, sub)| (scope, licensing_input(&sub))).collect()
}

/// The content a licence part covers, from the names of the files it was found in.
fn part_scope(evidence: &[Evidence]) -> LicenceScope {
    let files: Vec<&Evidence> = evidence.iter().filter(|e| e.kind == EvidenceKind::LicenceFile).collect();
    if files.is_empty() || files.len() != evidence.len() {
        return LicenceScope::Distribution;
    }
    let scope_of = |file: &str| {
        let name = file.rsplit('/').next().unwrap_or(file).to_lowercase();
        let w = words(&name);
        let has = |set: &[&str]| w.iter().any(|t| set.contains(&t.as_str()));
        if has(&["code", "software", "source"]) {
            Some(LicenceScope::Code)
        } else if has(&["model", "weights", "weight", "params", "parameters"]) {
            Some(LicenceScope::Data)
        } else if has(&["doc", "docs", "documentation"]) {
            Some(LicenceScope::Document)
        } else {
            None
        }
    };
    let first = scope_of(&files[0].file);
    if first.is_some() && files.iter().all(|f| scope_of(&f.file) == first) {
        first.unwrap_or(LicenceScope::Distribution)
    } else {
        LicenceScope::Distribution
    }
}

/// A licensing judged for the framework: every part must be open for AND, the most open part
/// counts for OR.
fn licensing_input(l: &Licensing) -> LicenceInput {
    let cat = Catalogue::get();
    let judged: Vec<Judgement> = l
        .parts
        .iter()
        .map(|p| match cat.by_id(&p.id) {
            Some(entry) => Judgement::Licence(mof::named_entry(entry)),
            None => Judgement::Unknown { written: p.id.clone() },
        })
        .collect();
    let judgement = if judged.is_empty() {
        match l.category {
            Category::None => Judgement::Marker { written: "none".into(), status: crate::vocab::MofStatus::Unlicensed },
            _ => Judgement::Unknown { written: l.id.clone() },
        }
    } else if l.combination == Combination::Any {
        let best = judged.iter().find(|j| matches!(j, Judgement::Licence(n) if n.open)).cloned();
        best.unwrap_or_else(|| all_of(judged))
    } else {
        all_of(judged)
    };
    let mut evidence: Vec<Evidence> = if l.parts.is_empty() {
        l.evidence.clone()
    } else {
        l.parts.iter().flat_map(|p| p.evidence.iter().cloned()).collect()
    };
    evidence.truncate(MAX_EVIDENCE);
    LicenceInput { judgement, evidence, note: None }
}

/// The licence a use-restricted base model passes to this model's parameters.
fn inherited_licence(m: &Identified) -> Option<(String, Named, Vec<Evidence>)> {
    let r = m.restrictions.iter().find(|r| {
        r.inherited_from.is_some()
            && !matches!(
                r.kind,
                RestrictionKind::Attribution | RestrictionKind::ShareAlike | RestrictionKind::PassThrough
            )
    })?;
    let entry = Catalogue::get().by_id(r.licence.as_deref()?)?;
    Some((r.inherited_from.clone()?, mof::named_entry(entry), r.evidence.clone()))
}

/// What a source file is for, from its path below the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Architecture,
    Training,
    Inference,
    Evaluation,
    Preprocessing,
}

impl Role {
    fn component(self) -> MofComponent {
        match self {
            Role::Architecture => MofComponent::ModelArchitecture,
            Role::Training => MofComponent::TrainingCode,
            Role::Inference => MofComponent::InferenceCode,
            Role::Evaluation => MofComponent::EvaluationCode,
            Role::Preprocessing => MofComponent::PreprocessingCode,
        }
    }
}

/// The roles of a source file, from the words of its name and of the directories above it.
fn roles(path: &str) -> Vec<Role> {
    let lower = path.to_lowercase();
    let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let stem_words = words(stem);
    let dir_words = words(dirs);
    let all: Vec<&String> = stem_words.iter().chain(&dir_words).collect();
    let any = |f: &dyn Fn(&str) -> bool| all.iter().any(|w| f(w));
    let mut out = Vec::new();
    let first = stem_words.first().map(String::as_str).unwrap_or("");
    if matches!(first, "modeling" | "modelling" | "configuration")
        || matches!(stem, "model" | "models" | "network" | "architecture" | "arch" | "modules")
    {
        out.push(Role::Architecture);
    }
    let fine_tune = all.windows(2).any(|p| p[0] == "fine" && p[1].starts_with("tun"));
    if fine_tune
        || any(&|w| {
            (w.starts_with("train") && w != "trained")
                || matches!(w, "finetune" | "finetuning" | "sft" | "pretrain" | "pretraining" | "dpo" | "rlhf" | "ppo")
        })
    {
        out.push(Role::Training);
    }
    let infer_stem = stem_words.iter().any(|w| {
        w.starts_with("infer")
            || matches!(
                w.as_str(),
                "generate"
                    | "generation"
                    | "predict"
                    | "prediction"
                    | "pipeline"
                    | "serve"
                    | "server"
                    | "serving"
                    | "demo"
                    | "app"
                    | "chat"
                    | "handler"
            )
    });
    if infer_stem || dir_words.iter().any(|w| w.starts_with("infer") || matches!(w.as_str(), "serving" | "demo")) {
        out.push(Role::Inference);
    }
    if any(&|w| w.starts_with("eval") || matches!(w, "benchmark" | "benchmarks" | "bench" | "metrics")) {
        out.push(Role::Evaluation);
    }
    let data = any(&|w| w.starts_with("data"));
    if any(&|w| {
        w.starts_with("preprocess")
            || matches!(
                w,
                "prepare"
                    | "prep"
                    | "clean"
                    | "cleaning"
                    | "filter"
                    | "filtering"
                    | "dedup"
                    | "deduplicate"
                    | "deduplication"
            )
    }) || (data && any(&|w| matches!(w, "process" | "processing" | "build" | "make" | "download")))
    {
        out.push(Role::Preprocessing);
    }
    out
}

/// Weights saved during training rather than released as the model: a path with a
/// `checkpoint-N`, `step N`, `iter N` or `epoch N` part.
fn is_intermediate(path: &str) -> bool {
    let lower = path.to_lowercase();
    let w = words(&lower);
    w.iter().enumerate().any(|(i, t)| {
        let numbered = |prefix: &str| {
            t.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
                || (t == prefix && w.get(i + 1).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())))
        };
        t == "checkpoints"
            || t == "intermediate"
            || numbered("checkpoint")
            || numbered("step")
            || numbered("iter")
            || numbered("epoch")
    })
}

/// A paper or report a link points at.
fn paper_kind(link: &CardLink) -> Option<MofComponent> {
    if !urls::is_paper(&link.url) {
        return None;
    }
    let text = format!("{} {}", link.text, link.url).to_lowercase().replace(['_', '-'], " ");
    if text.contains("technical report") || text.contains("tech report") || text.contains("techreport") {
        Some(MofComponent::TechnicalReport)
    } else {
        Some(MofComponent::ResearchPaper)
    }
}

/// The code components a linked repository holds, from the section it is in and its words; a
/// repository link that says nothing more is taken to hold training and inference code.
fn repository_roles(link: &CardLink) -> Vec<MofComponent> {
    let w = words(&format!("{} {}", link.text, link.url));
    let has = |f: &dyn Fn(&str) -> bool| w.iter().any(|t| f(t));
    let mut out = Vec::new();
    if link.kinds.contains(&SectionKind::TrainingProcedure)
        || has(&|t| (t.starts_with("train") && t != "trained") || t.starts_with("finetun") || t.starts_with("pretrain"))
    {
        out.push(MofComponent::TrainingCode);
    }
    if link.kinds.contains(&SectionKind::Evaluation) || has(&|t| t.starts_with("eval") || t.starts_with("benchmark")) {
        out.push(MofComponent::EvaluationCode);
    }
    if link.kinds.contains(&SectionKind::HowToUse)
        || has(&|t| t.starts_with("infer") || matches!(t, "demo" | "serving" | "usage" | "quickstart"))
    {
        out.push(MofComponent::InferenceCode);
    }
    if has(&|t| t.starts_with("preprocess") || matches!(t, "dolma" | "datatrove")) {
        out.push(MofComponent::PreprocessingCode);
    }
    if out.is_empty() && !link.in_citation {
        out = vec![MofComponent::TrainingCode, MofComponent::InferenceCode];
    }
    out
}

/// The lower-case alphanumeric words of a text.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// `file` relative to the model's location.
fn relative<'a>(file: &'a str, location: &str) -> &'a str {
    if location == "." || location.is_empty() {
        return file;
    }
    file.strip_prefix(location).and_then(|r| r.strip_prefix('/')).unwrap_or(file)
}

fn file_ev(file: &str, kind: EvidenceKind, value: Option<String>) -> Evidence {
    Evidence { file: file.to_string(), line: None, kind, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_files_by_role() {
        assert_eq!(roles("modeling_llama.py"), [Role::Architecture]);
        assert_eq!(roles("train.py"), [Role::Training]);
        assert_eq!(roles("scripts/run_finetune.py"), [Role::Training]);
        assert_eq!(roles("inference/run.py"), [Role::Inference]);
        assert_eq!(roles("generate.py"), [Role::Inference]);
        assert_eq!(roles("eval/mmlu.py"), [Role::Evaluation]);
        assert_eq!(roles("data/preprocess.py"), [Role::Preprocessing]);
        assert_eq!(roles("load_pretrained.py"), [], "pretrained is not training");
        assert!(roles("utils.py").is_empty());
    }

    #[test]
    fn checkpoints_are_intermediate() {
        assert!(is_intermediate("checkpoint-1000/model.safetensors"));
        assert!(is_intermediate("ckpts/step_2000/pytorch_model.bin"));
        assert!(is_intermediate("checkpoints/final.pt"));
        assert!(!is_intermediate("model.safetensors"));
        assert!(!is_intermediate("v1-5-pruned.ckpt"));
        assert!(!is_intermediate("steps.bin"));
    }

    fn link(url: &str, text: &str, kinds: Vec<SectionKind>) -> CardLink {
        CardLink { url: url.into(), text: text.into(), line: 1, kinds, in_citation: false }
    }

    #[test]
    fn links_to_papers_reports_and_code() {
        assert_eq!(
            paper_kind(&link("https://arxiv.org/abs/2402.00838", "paper", vec![])),
            Some(MofComponent::ResearchPaper)
        );
        assert_eq!(
            paper_kind(&link("https://arxiv.org/pdf/2402.00838", "Technical Report", vec![])),
            Some(MofComponent::TechnicalReport)
        );
        assert_eq!(paper_kind(&link("https://arxiv.org/list/cs.CL", "", vec![])), None);
        assert_eq!(paper_kind(&link("https://example.com/report.pdf", "", vec![])), Some(MofComponent::ResearchPaper));
        let eval = link("https://github.com/allenai/OLMo-Eval", "evaluation", vec![]);
        assert_eq!(repository_roles(&eval), [MofComponent::EvaluationCode]);
        let plain = link("https://github.com/allenai/OLMo", "Repository", vec![SectionKind::ModelDetails]);
        assert_eq!(repository_roles(&plain), [MofComponent::TrainingCode, MofComponent::InferenceCode]);
    }

    #[test]
    fn licence_files_named_for_content_cover_it() {
        let ev = |f: &str| Evidence { file: f.into(), line: None, kind: EvidenceKind::LicenceFile, value: None };
        assert_eq!(part_scope(&[ev("m/LICENSE-CODE")]), LicenceScope::Code);
        assert_eq!(part_scope(&[ev("m/LICENSE_MODEL.md")]), LicenceScope::Data);
        assert_eq!(part_scope(&[ev("m/LICENSE")]), LicenceScope::Distribution);
        let card = Evidence { file: "m/README.md".into(), line: Some(2), kind: EvidenceKind::CardLicense, value: None };
        assert_eq!(part_scope(&[ev("m/LICENSE-CODE"), card]), LicenceScope::Distribution);
    }
}
