//! Stage 7: the report. One data structure (`Report`, the JSON contract, schema version 1)
//! rendered by each output format. This is the only module that writes scan output.

mod json;
pub mod licences;
pub mod mot;
mod terminal;

use std::{collections::BTreeMap, io};

use serde::Serialize;

use crate::{
    model::{
        Assessed, BaseModel, Evidence, Finding, IdentifiedDataset, LicencePart, Openness, Restriction, Section,
        WeightFile,
    },
    vocab::{Category, Severity, Source},
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
    /// Model Openness Tool model files (YAML): one document per model, or one file per model
    /// when `--output` is a directory.
    Mof,
}

/// How to render for people.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Use ANSI colour.
    pub colour: bool,
    /// Leave out the table of models.
    pub quiet: bool,
}

/// Renders a report.
pub fn write(report: &Report, format: Format, out: &mut dyn io::Write, options: RenderOptions) -> io::Result<()> {
    match format {
        Format::Terminal => terminal::write(report, out, options),
        Format::Json => json::write(report, out),
        Format::Mof => mot::write(report, out),
    }
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Shape version.
    pub schema_version: u32,
    /// Which tool made it.
    pub tool: Tool,
    /// The policy packs applied.
    pub policy: Vec<String>,
    /// Models, sorted by id then location.
    pub models: Vec<ModelReport>,
    /// Dataset cards found.
    pub datasets: Vec<DatasetReport>,
    /// Findings, sorted by file, line, rule.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
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
#[derive(Debug, Serialize)]
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
    /// The card, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<CardReport>,
    /// The Model Openness Tool file the model was read from, kept for `--format mof`.
    #[serde(skip)]
    pub mot: Option<Box<crate::model::MotFile>>,
    /// The card's `pipeline_tag`, for `--format mof`.
    #[serde(skip)]
    pub pipeline_tag: Option<String>,
}

/// A licence in the report.
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
pub struct CardReport {
    /// Card file.
    pub file: String,
    /// Whether the front matter is a recognised model card.
    pub recognised: bool,
    /// Headings, with what they are about and whether they were filled in.
    pub sections: Vec<Section>,
    /// `gated:` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gated: Option<String>,
    /// The front matter as written, unknown keys included.
    pub metadata: crate::model::Metadata,
}

/// One dataset card.
#[derive(Debug, Serialize)]
pub struct DatasetReport {
    /// Dataset id.
    pub id: String,
    /// Location.
    pub location: String,
    /// Licence.
    pub licence: LicenceReport,
}

/// Counts.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Models.
    pub models: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Note findings.
    pub notes: usize,
    /// Models per licence category.
    pub licence_categories: BTreeMap<Category, usize>,
}

impl Report {
    /// Builds the report from the pipeline's output.
    pub fn new(
        models: &[Assessed],
        datasets: &[IdentifiedDataset],
        findings: Vec<Finding>,
        policy: Vec<String>,
    ) -> Report {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        let mut licence_categories = BTreeMap::new();
        for m in models {
            *licence_categories.entry(m.identified.licensing.category).or_insert(0) += 1;
        }
        let summary = Summary {
            models: models.len(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
            licence_categories,
        };
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") },
            policy,
            models: models.iter().map(model_report).collect(),
            datasets: datasets
                .iter()
                .map(|d| DatasetReport {
                    id: d.evidence.id.clone(),
                    location: d.evidence.location.clone(),
                    licence: licence_report(&d.licensing),
                })
                .collect(),
            findings,
            summary,
        }
    }

    /// The most severe finding, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
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

fn model_report(a: &Assessed) -> ModelReport {
    let m = &a.identified;
    let e = &m.evidence;
    ModelReport {
        id: e.id.clone(),
        source: e.source,
        location: e.location.clone(),
        licence: licence_report(&m.licensing),
        restrictions: m.restrictions.clone(),
        openness: a.openness.clone(),
        base_models: m.bases.iter().map(|b| b.id.clone()).collect(),
        lineage: m.bases.clone(),
        datasets: e.card.as_ref().map(|c| c.meta.datasets.clone()).unwrap_or_default(),
        weights: e.weights.clone(),
        card: e.card.as_ref().map(|c| CardReport {
            file: c.file.clone(),
            recognised: c.recognised,
            sections: c.sections.clone(),
            gated: c.meta.gated.as_ref().map(|g| g.value.clone()),
            metadata: c.metadata.clone(),
        }),
        mot: e.mot.clone(),
        pipeline_tag: e.card.as_ref().and_then(|c| c.meta.pipeline_tag.clone()),
    }
}
