//! Stage 7: the report. One data structure (`Report`, the JSON contract, schema version 1)
//! rendered by each output format. This is the only module that writes scan output.

mod csv;
mod cyclonedx;
mod github;
mod html;
mod json;
pub mod jsonl;
mod junit;
pub mod licences;
mod markdown;
pub mod mot;
mod review;
pub mod rules;
mod sarif;
mod spdx;
mod terminal;

use std::{collections::BTreeMap, io};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    evaluate::pack::Rule,
    model::{
        Assessed, BaseModel, CodeReference, Evidence, Finding, Identified, IdentifiedDataset, InventoryEntry,
        LicencePart, ModelEvidence, Openness, Restriction, Section, Suppressed, Suppression, WeightFile,
    },
    vocab::{Category, Severity, Source, WeightsOpenness},
};

/// The version of the JSON report's shape. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table of models and the findings, for people.
    Terminal,
    /// The JSON report (schema version 1).
    Json,
    /// JSON Lines: a `meta` line, one line per model, dataset, finding and suppressed finding,
    /// and a `summary` line; `modelgate merge` reads it back.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the files).
    Github,
    /// JUnit XML, for CI test-report views (GitLab, Jenkins …).
    Junit,
    /// Model Openness Tool model files (YAML): one document per model, or one file per model
    /// when `--output` is a directory.
    Mof,
    /// One self-contained HTML page for legal review (no external requests).
    Html,
    /// Markdown for pull-request comments and wikis (within GitHub's comment limit).
    #[value(alias = "md")]
    Markdown,
    /// One row per model, RFC 4180, for spreadsheets.
    Csv,
    /// CycloneDX 1.6 JSON: an ML-BOM with a `machine-learning-model` component per model.
    #[value(alias = "cdx")]
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD with the AI and Dataset profiles.
    Spdx,
}

/// How to render for people.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Use ANSI colour.
    pub colour: bool,
    /// Leave out the table of models.
    pub quiet: bool,
    /// The lowest severity that fails the scan (JUnit marks those findings as failures).
    pub fail_on: Option<Severity>,
    /// Prefix that turns report paths into paths from the repository root (SARIF, GitHub), e.g.
    /// `examples/` when `examples` was scanned; empty when the scanned root is the current
    /// directory.
    pub path_prefix: String,
    /// When the report was made, RFC 3339 UTC (`SOURCE_DATE_EPOCH` fixes it): HTML, Markdown,
    /// CycloneDX and SPDX carry it; the JSON report has no time, so it stays reproducible.
    pub generated: String,
    /// What was scanned, as the user named it (directories, `--hf-cache DIR` …).
    pub scanned: Vec<String>,
    /// `--template DIR`: replacement HTML templates.
    pub template: Option<std::path::PathBuf>,
}

/// Renders a report.
pub fn write(report: &Report, format: Format, out: &mut dyn io::Write, options: RenderOptions) -> io::Result<()> {
    match format {
        Format::Terminal => terminal::write(report, out, &options),
        Format::Json => json::write(report, out),
        Format::Jsonl => jsonl::write(report, out),
        Format::Sarif => sarif::write(report, out, &options),
        Format::Github => github::write(report, out, &options),
        Format::Junit => junit::write(report, out, &options),
        Format::Mof => mot::write(report, out),
        Format::Html => html::write(report, out, &options),
        Format::Markdown => markdown::write(report, out, &options),
        Format::Csv => csv::write(report, out),
        Format::Cyclonedx => cyclonedx::write(report, out, &options),
        Format::Spdx => spdx::write(report, out, &options),
    }
}

/// A report written while the scan makes it: the models as they come, in order, then the rest.
/// A report of 50,000 models is most of a scan's memory if held whole (issue 9).
pub trait Stream {
    /// Writes the next models.
    fn models(&mut self, models: &[ModelReport]) -> io::Result<()>;
    /// Writes what follows the models: `report` is the whole report but for its models.
    fn finish(self: Box<Self>, report: &Report) -> io::Result<()>;
}

/// Whether a format's models can be written before the findings are known: JSON and JSON
/// Lines, whose models come first. The other formats need the whole report.
pub fn streams(format: Format) -> bool {
    matches!(format, Format::Json | Format::Jsonl)
}

/// Whether a format shows the models themselves. SARIF and GitHub annotations show the findings
/// (and the summary's count of models), so a scan keeps no model for them.
pub fn shows_models(format: Format) -> bool {
    !matches!(format, Format::Sarif | Format::Github)
}

/// Leaves of a model only what `format` shows, for a scan that holds the report whole until it
/// renders it. The terminal report shows a row per model (and the licence hash of a licence
/// finding's model), not the card, the components or the evidence, which are most of a model;
/// the other formats keep every field.
pub fn trim_for(format: Format, m: &mut ModelReport) {
    if format != Format::Terminal {
        return;
    }
    m.card = None;
    m.restrictions = Vec::new();
    m.openness.reasons = Vec::new();
    m.openness.mof.components = Vec::new();
    m.lineage = Vec::new();
    m.base_models = Vec::new();
    m.datasets = Vec::new();
    m.weights = Vec::new();
    m.references = Vec::new();
    m.inventory = Vec::new();
    m.mot = None;
    m.licence.parts = Vec::new();
}

/// The stream of a format that [`streams`], started with what precedes the models in `head` (a
/// report without models, findings or summary).
pub fn stream<'o>(format: Format, head: &Report, out: &'o mut dyn io::Write) -> io::Result<Box<dyn Stream + 'o>> {
    match format {
        Format::Json => Ok(Box::new(json::Streamed::begin(head, out)?)),
        Format::Jsonl => Ok(Box::new(jsonl::Streamed::begin(head, out)?)),
        _ => Err(io::Error::other(format!("the {format:?} report is written whole, not streamed"))),
    }
}

/// The whole report.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    /// Shape version.
    pub schema_version: u32,
    /// Which tool made it.
    #[serde(deserialize_with = "same_tool")]
    pub tool: Tool,
    /// The policy packs applied.
    pub policy: Vec<String>,
    /// Models, sorted by id then location.
    pub models: Vec<ModelReport>,
    /// Dataset cards found.
    pub datasets: Vec<DatasetReport>,
    /// Findings, sorted by file, line, rule.
    pub findings: Vec<Finding>,
    /// Findings a waiver or the baseline keeps from counting, each with its `suppression`.
    pub suppressed: Vec<Suppressed>,
    /// The configuration file applied, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<String>,
    /// Counts.
    pub summary: Summary,
    /// The rules that ran (for SARIF's rule metadata); not part of the JSON report.
    #[serde(skip)]
    pub rules: Vec<Rule>,
    /// The part of the models this report covers (`scan --shard K/N`); absent for a whole scan.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<crate::shard::Shard>,
    /// What the scan read, as the user named it (directories, `--hf-cache DIR` …): written in
    /// shard reports only, so `merge` renders the same headings a whole scan does.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub scanned: Vec<String>,
}

/// The `tool` of a report read back (`modelgate merge`): it must be this very version, since
/// merging reports of different versions would not give what one scan gives.
fn same_tool<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Tool, D::Error> {
    #[derive(Deserialize)]
    struct Written {
        name: String,
        version: String,
    }
    let w = Written::deserialize(deserializer)?;
    let ours = Tool::current();
    if w.name != ours.name || w.version != ours.version {
        return Err(serde::de::Error::custom(format!(
            "the report was written by {} {}, this is {} {}; scan again with this version",
            w.name, w.version, ours.name, ours.version
        )));
    }
    Ok(ours)
}

impl Tool {
    /// This build.
    pub fn current() -> Tool {
        Tool { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") }
    }
}

/// Tool name and version.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// `modelgate`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// One model.
#[derive(Debug, Serialize, Deserialize)]
pub struct ModelReport {
    /// Model id.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// Location relative to the scanned root.
    pub location: String,
    /// Its licence.
    pub licence: LicenceReport,
    /// What the licence (and the card, and the bases) restrict.
    pub restrictions: Vec<Restriction>,
    /// How open it is.
    pub openness: Openness,
    /// Base model ids.
    pub base_models: Vec<String>,
    /// Base models with their licences.
    pub lineage: Vec<BaseModel>,
    /// Dataset ids the card lists.
    pub datasets: Vec<String>,
    /// Weight files.
    pub weights: Vec<WeightFile>,
    /// Hash of the licence evidence (licence files, card licence keys), to pin waivers and
    /// clarifications to.
    pub licence_hash: String,
    /// Parameter count from the weight headers (largest set of shards), when they give one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parameters: Option<u64>,
    /// The card, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub card: Option<CardReport>,
    /// Every source that named the model, `source` first.
    pub sources: Vec<Source>,
    /// Commit of a Hub repository or cache snapshot; model layer digest of an Ollama model.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revision: Option<String>,
    /// Branches or tags pointing at the revision.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub refs: Vec<String>,
    /// For a model behind a provider's API: the provider id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vendor: Option<String>,
    /// Every place in code or configuration that names the model.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub references: Vec<CodeReference>,
    /// The inventory lines that list it, with their columns.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub inventory: Vec<InventoryEntry>,
    /// What the Model Openness Tool file the model was read from says, as written: `--format
    /// mof` writes it back, also from a merged report.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mot: Option<Box<crate::model::MotFile>>,
    /// The card's `pipeline_tag`, for `--format mof`.
    #[serde(skip)]
    pub pipeline_tag: Option<String>,
    /// `model_type` of the model's `config.json`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub model_type: Option<String>,
    /// `architectures` of the model's `config.json`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub architectures: Vec<String>,
}

/// A licence in the report.
#[derive(Debug, Serialize, Deserialize)]
pub struct LicenceReport {
    /// Catalogue id or expression of ids.
    pub id: String,
    /// SPDX id or expression.
    pub spdx: String,
    /// Full name.
    pub name: String,
    /// Category a user must respect.
    pub category: Category,
    /// Where it was declared or found.
    pub evidence: Vec<Evidence>,
    /// Each licence on its own.
    pub parts: Vec<LicencePart>,
}

/// The card part of a model.
#[derive(Debug, Serialize, Deserialize)]
pub struct CardReport {
    /// Card file.
    pub file: String,
    /// Whether the front matter is a recognised model card.
    pub recognised: bool,
    /// Headings, with what they are about and whether they were filled in.
    pub sections: Vec<Section>,
    /// `gated:` value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gated: Option<String>,
    /// The front matter as written, unknown keys included.
    pub metadata: crate::model::Metadata,
}

/// One dataset card.
#[derive(Debug, Serialize, Deserialize)]
pub struct DatasetReport {
    /// Dataset id.
    pub id: String,
    /// Location.
    pub location: String,
    /// Licence.
    pub licence: LicenceReport,
    /// Where it came from.
    pub source: Source,
    /// Commit of a Hub repository or cache snapshot.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revision: Option<String>,
}

/// Counts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Models.
    pub models: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Note findings.
    pub notes: usize,
    /// Findings suppressed by a waiver.
    pub waived: usize,
    /// Findings suppressed by the baseline.
    pub baselined: usize,
    /// Models per licence category.
    pub licence_categories: BTreeMap<Category, usize>,
    /// Models per source that named them (a model named by several counts for each).
    pub sources: BTreeMap<Source, usize>,
    /// The dependence on hosted APIs.
    pub lock_in: LockIn,
}

/// How much of what was found depends on hosted APIs: the lock-in view.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LockIn {
    /// Models reached through a provider's API.
    pub hosted_models: usize,
    /// Of those, models whose weights are closed.
    pub closed_api_models: usize,
    /// `closed_api_models` as a whole percentage of all models (rounded).
    pub closed_api_percent: usize,
    /// Places in code and configuration that call a hosted model.
    pub call_sites: usize,
    /// Hosted models per provider id.
    pub vendors: BTreeMap<String, usize>,
}

impl Report {
    /// Builds the report from the pipeline's output, taking the models: their data moves into
    /// the report instead of being copied, so a scan of many models holds one copy of each.
    pub fn from_assessed(
        models: Vec<Assessed>,
        datasets: &[IdentifiedDataset],
        findings: Vec<Finding>,
        policy: Vec<String>,
    ) -> Report {
        let models = model_reports(models);
        let mut tally = Tally::default();
        tally.add(&models);
        Report::from_parts(models, tally, datasets, findings, policy)
    }

    /// The report of models already turned into report entries (or written out already, then
    /// `models` is empty), counted in `tally`.
    pub fn from_parts(
        models: Vec<ModelReport>,
        tally: Tally,
        datasets: &[IdentifiedDataset],
        findings: Vec<Finding>,
        policy: Vec<String>,
    ) -> Report {
        let summary = tally.summary(&findings);
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::current(),
            policy,
            models,
            datasets: datasets
                .iter()
                .map(|d| DatasetReport {
                    id: d.evidence.id.clone(),
                    location: d.evidence.location.clone(),
                    licence: licence_report(&d.licensing),
                    source: d.evidence.provenance.sources.first().copied().unwrap_or(Source::Repository),
                    revision: d.evidence.provenance.revision.clone(),
                })
                .collect(),
            findings,
            suppressed: Vec::new(),
            config: None,
            summary,
            rules: Vec::new(),
            shard: None,
            scanned: Vec::new(),
        }
    }

    /// Adds the suppressed findings and counts them.
    pub fn with_suppressed(mut self, suppressed: Vec<Suppressed>) -> Report {
        self.suppressed = suppressed;
        self.count_suppressed();
        self
    }

    /// Counts the suppressed findings into the summary.
    fn count_suppressed(&mut self) {
        let waived = |s: &&Suppressed| matches!(s.suppression, Suppression::Waiver { .. });
        self.summary.waived = self.suppressed.iter().filter(waived).count();
        self.summary.baselined = self.suppressed.len() - self.summary.waived;
    }

    /// Counts the summary again from the models, findings and suppressed findings the report
    /// holds (what [`Report::new`] counts from the pipeline's data): a merged report's summary.
    pub fn summarise(&mut self) {
        let mut tally = Tally::default();
        tally.add(&self.models);
        self.summary = tally.summary(&self.findings);
        self.count_suppressed();
    }

    /// The most severe finding, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// The counts of a report's models, added up a part at a time as a scan makes them.
#[derive(Debug, Default)]
pub struct Tally {
    models: usize,
    licence_categories: BTreeMap<Category, usize>,
    sources: BTreeMap<Source, usize>,
    lock_in: LockIn,
}

impl Tally {
    /// Counts these models (before [`trim_for`] takes what the count reads).
    pub fn add(&mut self, models: &[ModelReport]) {
        for m in models {
            self.models += 1;
            *self.licence_categories.entry(m.licence.category).or_insert(0) += 1;
            let mut seen = m.sources.clone();
            seen.push(m.source);
            seen.sort();
            seen.dedup();
            for s in seen {
                *self.sources.entry(s).or_insert(0) += 1;
            }
            let Some(vendor) = &m.vendor else { continue };
            let l = &mut self.lock_in;
            l.hosted_models += 1;
            l.call_sites += m.references.len();
            *l.vendors.entry(vendor.clone()).or_insert(0) += 1;
            if m.openness.weights == WeightsOpenness::Closed {
                l.closed_api_models += 1;
            }
        }
    }

    /// The summary of the models counted, with the findings that count.
    fn summary(self, findings: &[Finding]) -> Summary {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        let mut lock_in = self.lock_in;
        if let Some(percent) = (lock_in.closed_api_models * 100 + self.models / 2).checked_div(self.models) {
            lock_in.closed_api_percent = percent;
        }
        Summary {
            models: self.models,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
            waived: 0,
            baselined: 0,
            licence_categories: self.licence_categories,
            sources: self.sources,
            lock_in,
        }
    }
}

/// The report entries of models, in order.
pub fn model_reports(models: Vec<Assessed>) -> Vec<ModelReport> {
    models.into_par_iter().map(model_report).collect()
}

fn licence_report(l: &crate::model::Licensing) -> LicenceReport {
    LicenceReport {
        id: l.id.clone(),
        spdx: l.spdx.clone(),
        name: l.name.clone(),
        category: l.category,
        evidence: l.evidence.clone(),
        parts: l.parts.clone(),
    }
}

fn model_report(a: Assessed) -> ModelReport {
    let parameters = a.identified.evidence.parameters();
    let Identified { evidence: e, licensing, restrictions, bases, licence_hash, .. } = a.identified;
    let ModelEvidence { id, source, location, card, weights, provenance: p, mot, configs, .. } = e;
    let mut card = card.map(|mut c| {
        let body = c.take_body();
        (c, body)
    });
    let pipeline_tag = card.as_mut().and_then(|(_, b)| b.keys.pipeline_tag.take());
    let datasets = card.as_mut().map(|(_, b)| std::mem::take(&mut b.keys.datasets)).unwrap_or_default();
    let mut sources = vec![source];
    for x in &p.sources {
        if !sources.contains(x) {
            sources.push(*x);
        }
    }
    ModelReport {
        id,
        source,
        location,
        licence: licence_report(&licensing),
        restrictions,
        openness: a.openness,
        base_models: bases.iter().map(|b| b.id.clone()).collect(),
        lineage: bases,
        datasets,
        weights,
        licence_hash,
        parameters,
        card: card.map(|(c, body)| CardReport {
            file: c.file,
            recognised: c.recognised,
            sections: body.sections,
            gated: body.keys.gated.map(|g| g.value),
            metadata: body.metadata,
        }),
        sources,
        revision: p.revision,
        refs: p.refs,
        vendor: p.hosted.map(|h| h.provider),
        references: p.references,
        inventory: p.inventory,
        mot,
        pipeline_tag,
        model_type: configs.iter().find_map(|c| c.model_type.clone()),
        architectures: configs
            .iter()
            .find(|c| !c.architectures.is_empty())
            .map_or_else(Vec::new, |c| c.architectures.clone()),
    }
}
