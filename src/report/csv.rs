//! The CSV inventory: one row per model, RFC 4180 (comma-separated, CRLF line ends, fields
//! quoted when they hold a comma, quote or line break, quotes doubled), a header row first.
//!
//! Lists inside a cell are joined with `; `. After the fixed columns come the inventory's own
//! columns (`team`, `region`, then every other column any inventory line had, sorted), so the
//! rows line up with the team's sheet. A text cell that starts with `=`, `+`, `-`, `@`, tab or
//! carriage return gets a leading `'`, so a spreadsheet shows it instead of running it as a
//! formula (a model id is whatever a scanned file says).

use std::{collections::BTreeSet, io};

use super::{ModelReport, Report};
use crate::vocab::{RestrictionKind, Severity};

/// The fixed columns, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "source",
    "sources",
    "location",
    "licence",
    "spdx",
    "licence_name",
    "category",
    "restrictions",
    "user_threshold",
    "revenue_threshold_usd",
    "territories",
    "weights",
    "data",
    "code",
    "mof_class",
    "mof_progress_iii",
    "mof_progress_ii",
    "mof_progress_i",
    "osaid",
    "findings",
    "errors",
    "warnings",
    "notes",
    "rules",
    "base_models",
    "base_licences",
    "datasets",
    "vendor",
    "revision",
    "parameters",
    "weight_files",
    "weight_bytes",
    "weight_formats",
    "call_sites",
    "card",
    "licence_hash",
    "team",
    "region",
];

pub(super) fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let extra: BTreeSet<&str> = report
        .models
        .iter()
        .flat_map(|m| &m.inventory)
        .flat_map(|i| i.columns.keys())
        .map(String::as_str)
        .filter(|k| !COLUMNS.contains(k))
        .collect();
    let mut w = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(out);
    let header: Vec<&str> = COLUMNS.iter().copied().chain(extra.iter().copied()).collect();
    w.write_record(&header).map_err(io::Error::other)?;
    for m in &report.models {
        let mut row = row(report, m);
        for key in &extra {
            let values: Vec<&str> =
                m.inventory.iter().filter_map(|i| i.columns.get(*key)).map(String::as_str).collect();
            row.push(text(&join(values)));
        }
        w.write_record(&row).map_err(io::Error::other)?;
    }
    w.flush()
}

fn row(report: &Report, m: &ModelReport) -> Vec<String> {
    let findings: Vec<_> = report.findings.iter().filter(|f| f.model.as_deref() == Some(m.id.as_str())).collect();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count().to_string();
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let mut kinds: Vec<&str> = m.restrictions.iter().map(|r| r.kind.as_str()).collect();
    kinds.dedup();
    let of_kind = |k: RestrictionKind| m.restrictions.iter().filter(move |r| r.kind == k);
    let users = of_kind(RestrictionKind::UserThreshold).filter_map(|r| r.users).min();
    let revenue = of_kind(RestrictionKind::RevenueThreshold).filter_map(|r| r.revenue_usd).min();
    let mut regions: Vec<&str> =
        of_kind(RestrictionKind::Territorial).flat_map(|r| r.regions.iter().map(String::as_str)).collect();
    regions.sort_unstable();
    regions.dedup();
    let mut formats: Vec<&str> = m.weights.iter().map(|w| w.format.as_str()).collect();
    formats.sort_unstable();
    formats.dedup();
    let inventory = |get: fn(&crate::model::InventoryEntry) -> Option<&String>| {
        let mut v: Vec<&str> = m.inventory.iter().filter_map(get).map(String::as_str).collect();
        v.dedup();
        text(&join(v))
    };
    let opt = |v: Option<u64>| v.map_or(String::new(), |n| n.to_string());
    let progress = |c| m.openness.mof.progress.get(&c).copied().unwrap_or(0).to_string();
    vec![
        text(&m.id),
        m.source.to_string(),
        join(m.sources.iter().map(|s| s.as_str()).collect()),
        text(&m.location),
        text(&m.licence.id),
        text(&m.licence.spdx),
        text(&m.licence.name),
        m.licence.category.to_string(),
        join(kinds),
        opt(users),
        opt(revenue),
        text(&join(regions)),
        m.openness.weights.to_string(),
        m.openness.data.to_string(),
        m.openness.code.to_string(),
        m.openness.mof_class.map_or(String::new(), |c| c.to_string()),
        progress(crate::vocab::MofClass::III),
        progress(crate::vocab::MofClass::II),
        progress(crate::vocab::MofClass::I),
        if m.openness.osaid.pass { "pass" } else { "fail" }.to_string(),
        findings.len().to_string(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
        join(rules),
        text(&join(m.base_models.iter().map(String::as_str).collect())),
        text(&join(m.lineage.iter().map(|b| b.licence.as_deref().unwrap_or("unknown")).collect())),
        text(&join(m.datasets.iter().map(String::as_str).collect())),
        text(m.vendor.as_deref().unwrap_or("")),
        text(m.revision.as_deref().unwrap_or("")),
        opt(m.parameters),
        m.weights.len().to_string(),
        m.weights.iter().map(|w| w.bytes).sum::<u64>().to_string(),
        join(formats),
        m.references.len().to_string(),
        text(m.card.as_ref().map_or("", |c| c.file.as_str())),
        m.licence_hash.clone(),
        inventory(|i| i.team.as_ref()),
        inventory(|i| i.region.as_ref()),
    ]
}

fn join(values: Vec<&str>) -> String {
    values.join("; ")
}

/// A text cell a spreadsheet will not run as a formula.
fn text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("@cmd"), "'@cmd");
        assert_eq!(text("meta-llama/x"), "meta-llama/x");
        assert_eq!(join(vec!["a", "b"]), "a; b");
    }
}
