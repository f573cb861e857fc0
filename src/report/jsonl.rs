//! JSON Lines: the JSON report cut into one line per record, so a report of many models can be
//! streamed, split and put back together (`modelgate merge`).
//!
//! Every line is an object whose `type` says what it holds:
//! - `meta` (first): `schema_version`, `tool`, `policy`, `config?`, `shard?`, `scanned?`;
//! - `model`, `dataset`: one model or dataset, the fields of the JSON report's entries;
//! - `finding`, `suppressed`: one (suppressed) finding;
//! - `summary` (last): the JSON report's `summary`.
//!
//! A reader sees a report that was cut short by the missing `summary` line.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use super::{DatasetReport, ModelReport, Report, Summary, Tool};
use crate::model::{Finding, Suppressed};

/// The first line.
#[derive(Serialize, Deserialize)]
struct Meta<T> {
    schema_version: u32,
    tool: T,
    policy: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    shard: Option<crate::shard::Shard>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    scanned: Vec<String>,
}

/// One line, as written.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Line<'a> {
    Meta(Meta<&'a Tool>),
    Model(&'a ModelReport),
    Dataset(&'a DatasetReport),
    Finding(&'a Finding),
    Suppressed(&'a Suppressed),
    Summary(&'a Summary),
}

/// The `type` of a line read back. Each line is then read again as what its type says: serde's
/// tagged enums buffer the line first, which the front matter (kept as raw JSON text) cannot be
/// read from.
#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut stream = Streamed::begin(report, out)?;
    stream.write_models(&report.models)?;
    stream.end(report)
}

/// JSON Lines written a part at a time: the `meta` line, the models, then the rest.
pub(super) struct Streamed<'o> {
    out: &'o mut dyn Write,
}

impl<'o> Streamed<'o> {
    /// Writes the `meta` line, from `head` (the whole report will have the same).
    pub(super) fn begin(head: &Report, out: &'o mut dyn Write) -> io::Result<Self> {
        let meta = Meta {
            schema_version: head.schema_version,
            tool: &head.tool,
            policy: head.policy.clone(),
            config: head.config.clone(),
            shard: head.shard,
            scanned: head.scanned.clone(),
        };
        let mut stream = Streamed { out };
        stream.line(Line::Meta(meta))?;
        Ok(stream)
    }

    fn line(&mut self, l: Line<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *self.out, &l).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    fn write_models(&mut self, models: &[ModelReport]) -> io::Result<()> {
        models.iter().try_for_each(|m| self.line(Line::Model(m)))
    }

    /// Writes the lines after the models.
    fn end(mut self, report: &Report) -> io::Result<()> {
        report.datasets.iter().try_for_each(|d| self.line(Line::Dataset(d)))?;
        report.findings.iter().try_for_each(|f| self.line(Line::Finding(f)))?;
        report.suppressed.iter().try_for_each(|s| self.line(Line::Suppressed(s)))?;
        self.line(Line::Summary(&report.summary))
    }
}

impl super::Stream for Streamed<'_> {
    fn models(&mut self, models: &[ModelReport]) -> io::Result<()> {
        self.write_models(models)
    }

    fn finish(self: Box<Self>, report: &Report) -> io::Result<()> {
        self.end(report)
    }
}

/// Reads a JSON Lines report back; errors name the line.
pub fn read(input: impl BufRead) -> Result<Report, String> {
    let mut report: Option<Report> = None;
    let mut summary = false;
    for (i, line) in input.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("line {n}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let located = |e: serde_json::Error| format!("line {n}: {e}");
        let tag: Tag<'_> = serde_json::from_str(&line).map_err(located)?;
        if summary {
            return Err(format!("line {n}: a line after the `summary` line"));
        }
        let Some(r) = report.as_mut() else {
            if tag.kind != "meta" {
                return Err(format!("line {n}: the first line must be the `meta` line"));
            }
            let meta: Meta<serde_json::Value> = serde_json::from_str(&line).map_err(located)?;
            if meta.schema_version != super::SCHEMA_VERSION {
                return Err(format!(
                    "line {n}: schema version {} is not {}",
                    meta.schema_version,
                    super::SCHEMA_VERSION
                ));
            }
            let check = serde_json::json!({"schema_version": meta.schema_version, "tool": meta.tool, "policy": [],
                "models": [], "datasets": [], "findings": [], "suppressed": [], "summary": Summary::default()});
            let mut r: Report = serde_json::from_value(check).map_err(located)?;
            r.policy = meta.policy;
            r.config = meta.config;
            r.shard = meta.shard;
            r.scanned = meta.scanned;
            report = Some(r);
            continue;
        };
        match tag.kind.as_ref() {
            "meta" => return Err(format!("line {n}: a second `meta` line")),
            "model" => r.models.push(serde_json::from_str(&line).map_err(located)?),
            "dataset" => r.datasets.push(serde_json::from_str(&line).map_err(located)?),
            "finding" => r.findings.push(serde_json::from_str(&line).map_err(located)?),
            "suppressed" => r.suppressed.push(serde_json::from_str(&line).map_err(located)?),
            "summary" => {
                r.summary = serde_json::from_str(&line).map_err(located)?;
                summary = true;
            }
            other => return Err(format!("line {n}: unknown record type `{other}`")),
        }
    }
    match report {
        Some(r) if summary => Ok(r),
        Some(_) => Err("no `summary` line: the report was cut short".to_string()),
        None => Err("empty report".to_string()),
    }
}
