//! The legal-review digest shared by the HTML and Markdown reports: the `Report` regrouped per
//! model (its findings, restrictions with their clause locations, licence facts from the
//! catalogue in plain words), and the counts and chart geometry of the summary.
//!
//! Everything here is plain data, built from the `Report` and catalogue look-ups only. Strings
//! from scanned files pass through untouched: escaping is the renderer's job (minijinja's
//! autoescape for HTML, `markdown::text` for Markdown).

use serde::Serialize;

use super::{ModelReport, Report, Summary, Tool, licences::category_meaning};
use crate::{
    catalogue::{Catalogue, Licence},
    evaluate::condition::describe_restriction,
    model::{Finding, Suppressed, Suppression},
    vocab::{Category, CodeOpenness, DataOpenness, MofClass, Severity, WeightsOpenness},
};

/// The whole digest.
#[derive(Serialize)]
pub(super) struct Review<'a> {
    /// Tool name and version.
    pub tool: &'a Tool,
    /// When the report was made (RFC 3339).
    pub generated: &'a str,
    /// What was scanned, as the user named it.
    pub scanned: &'a [String],
    /// Policy packs applied.
    pub policy: &'a [String],
    /// Configuration file applied.
    pub config: Option<&'a str>,
    /// The report's counts.
    pub summary: &'a Summary,
    /// Findings per severity, most severe first.
    pub severities: Vec<Count>,
    /// Models per licence category, in the vocabulary's order (non-zero only).
    pub categories: Vec<CategoryCount>,
    /// Models per value of each openness axis.
    pub openness: Vec<Axis>,
    /// Models per MOF class, `unclassified` last.
    pub mof: Vec<Count>,
    /// Models per source.
    pub sources: Vec<Count>,
    /// Hosted models per vendor.
    pub vendors: Vec<Count>,
    /// The chart of licence categories: one bar per category.
    pub category_bars: Vec<Bar>,
    /// The chart of openness: one stacked bar per axis.
    pub openness_bars: Vec<Bar>,
    /// The models.
    pub models: Vec<ModelView<'a>>,
    /// The datasets.
    pub datasets: Vec<DatasetView<'a>>,
    /// Findings that are about no model (unreadable files, configuration).
    pub other_findings: Vec<FindingView<'a>>,
    /// Waived and baselined findings.
    pub suppressed: Vec<SuppressedView<'a>>,
}

/// A word and how many.
#[derive(Serialize)]
pub(super) struct Count {
    /// The vocabulary word (or a vendor id).
    pub word: String,
    /// How many.
    pub count: usize,
}

/// Models of one licence category.
#[derive(Serialize)]
pub(super) struct CategoryCount {
    /// Category word.
    pub word: Category,
    /// How many models.
    pub count: usize,
    /// What it means, in one line.
    pub meaning: &'static str,
}

/// One openness axis: models per value.
#[derive(Serialize)]
pub(super) struct Axis {
    /// `weights`, `data` or `code`.
    pub axis: &'static str,
    /// Models per value, in the vocabulary's order.
    pub values: Vec<Count>,
}

/// A rectangle of the inline SVG charts, in chart units.
#[derive(Serialize)]
pub(super) struct Bar {
    /// Row label (category, or axis).
    pub label: String,
    /// The value the rectangle stands for (category, or the axis value).
    pub value: String,
    /// How many models.
    pub count: usize,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// CSS class: `c-<word>` for categories, `o-<word>` for openness values.
    pub class: String,
}

/// Width of the bars' area of the charts, in chart units.
pub(super) const CHART_WIDTH: f64 = 320.0;
/// Height of one chart row.
pub(super) const CHART_ROW: f64 = 22.0;

/// A catalogue licence, explained.
#[derive(Serialize)]
pub(super) struct LicenceFacts {
    /// Catalogue id (or the declared name).
    pub id: String,
    /// Full name.
    pub name: String,
    /// SPDX id or `LicenseRef-`.
    pub spdx: String,
    /// Category.
    pub category: Category,
    /// What the category means.
    pub meaning: &'static str,
    /// The catalogue's plain-words summary, when the catalogue knows the licence.
    pub summary: Option<String>,
    /// Where its text lives (http or https only).
    pub url: Option<String>,
    /// What it allows.
    pub permits: Vec<String>,
    /// What it requires.
    pub obligations: Vec<String>,
    /// OSI-approved.
    pub osi_approved: bool,
    /// FSF free/libre.
    pub fsf_libre: bool,
}

/// A restriction, with where it is written.
#[derive(Serialize)]
pub(super) struct RestrictionView<'a> {
    /// Kind with its parameter (`user-threshold (700M monthly active users)`).
    pub label: String,
    /// Plain words.
    pub detail: &'a str,
    /// The licence imposing it.
    pub licence: Option<&'a str>,
    /// The base model it comes from.
    pub inherited_from: Option<&'a str>,
    /// `file:line` of each clause or key that states it.
    pub at: Vec<String>,
}

/// A finding in a model's section.
#[derive(Serialize)]
pub(super) struct FindingView<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// Severity.
    pub severity: Severity,
    /// Model id.
    pub model: Option<&'a str>,
    /// Message.
    pub message: &'a str,
    /// `file:line`.
    pub at: Option<String>,
    /// Remediation.
    pub help: &'a str,
}

/// A waived or baselined finding.
#[derive(Serialize)]
pub(super) struct SuppressedView<'a> {
    /// The finding.
    pub finding: FindingView<'a>,
    /// Why it does not count: the waiver's reason and place, or the baseline file.
    pub why: String,
}

/// A base model.
#[derive(Serialize)]
pub(super) struct BaseView<'a> {
    /// Id.
    pub id: &'a str,
    /// Its licence id, when known.
    pub licence: Option<&'a str>,
    /// Its category, when known.
    pub category: Option<Category>,
    /// How it was resolved (`scan`, `catalogue`).
    pub resolved_by: Option<&'a str>,
    /// The `base_model:` line.
    pub at: String,
    /// The loop, when the chain of bases loops.
    pub cycle: &'a [String],
}

/// One piece of evidence.
#[derive(Serialize)]
pub(super) struct EvidenceView<'a> {
    /// What kind.
    pub kind: &'static str,
    /// `file:line`.
    pub at: String,
    /// The value as written there.
    pub value: Option<&'a str>,
}

/// One model, regrouped for review.
#[derive(Serialize)]
pub(super) struct ModelView<'a> {
    /// HTML anchor (`model-3`), from the model's place in the report.
    pub anchor: String,
    /// The model as the JSON report has it.
    pub model: &'a ModelReport,
    /// What the licence category means.
    pub meaning: &'static str,
    /// Each licence part, explained.
    pub licences: Vec<LicenceFacts>,
    /// Restrictions with their clause locations.
    pub restrictions: Vec<RestrictionView<'a>>,
    /// Restriction kinds, comma-separated (for the table).
    pub restriction_kinds: String,
    /// The MOF sentence of the openness reasons (what the class needs next).
    pub mof_reason: Option<&'a str>,
    /// The other openness reasons (one per axis).
    pub axis_reasons: Vec<&'a str>,
    /// Base models.
    pub lineage: Vec<BaseView<'a>>,
    /// Findings about the model.
    pub findings: Vec<FindingView<'a>>,
    /// Waived or baselined findings about the model.
    pub suppressed: Vec<SuppressedView<'a>>,
    /// The most severe finding's severity.
    pub worst: Option<Severity>,
    /// Sort key of the findings column: the worst severity first, then how many.
    pub finding_rank: usize,
    /// The licence evidence.
    pub evidence: Vec<EvidenceView<'a>>,
    /// Card sections with an excerpt (intended use, limitations …).
    pub excerpts: Vec<(String, &'a str)>,
}

/// One dataset.
#[derive(Serialize)]
pub(super) struct DatasetView<'a> {
    /// The dataset as the JSON report has it.
    pub dataset: &'a super::DatasetReport,
    /// What its licence category means.
    pub meaning: &'static str,
}

/// `file:line`, or `file` when there is no line.
pub(super) fn at(file: &str, line: Option<u32>) -> String {
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    }
}

/// A URL safe to link to: http or https, no whitespace or control characters.
pub(super) fn safe_url(url: &str) -> Option<String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > 8
        && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`'));
    ok.then(|| url.to_string())
}

/// The catalogue entry for a licence part: by id, else by SPDX id.
pub(super) fn catalogue_entry(id: &str, spdx: &str) -> Option<&'static Licence> {
    if spdx == "NOASSERTION" || spdx == "NONE" {
        return None;
    }
    let cat = Catalogue::get();
    cat.by_id(id).or_else(|| cat.spdx_fallback(spdx))
}

/// The catalogue entry with this id.
pub(super) fn catalogue_entry_by_id(id: &str) -> Option<&'static Licence> {
    Catalogue::get().by_id(id)
}

fn facts(id: &str, name: &str, spdx: &str, category: Category) -> LicenceFacts {
    let entry = catalogue_entry(id, spdx);
    LicenceFacts {
        id: id.to_string(),
        name: name.to_string(),
        spdx: spdx.to_string(),
        category,
        meaning: category_meaning(category),
        summary: entry.map(|l| l.summary.trim().to_string()).filter(|s| !s.is_empty()),
        url: entry.and_then(Licence::url).and_then(safe_url),
        permits: entry.map(|l| l.permits.clone()).unwrap_or_default(),
        obligations: entry.map(|l| l.obligations.clone()).unwrap_or_default(),
        osi_approved: entry.is_some_and(|l| l.osi_approved),
        fsf_libre: entry.is_some_and(|l| l.fsf_libre),
    }
}

fn finding_view(f: &Finding) -> FindingView<'_> {
    FindingView {
        rule: &f.rule,
        severity: f.severity,
        model: f.model.as_deref(),
        message: &f.message,
        at: f.file.as_deref().map(|file| at(file, f.line)),
        help: &f.help,
    }
}

fn suppressed_view(s: &Suppressed) -> SuppressedView<'_> {
    let why = match &s.suppression {
        Suppression::Waiver { reason, expires, file, line, .. } => {
            let until = expires.as_ref().map_or(String::new(), |e| format!(", until {e}"));
            format!("waived at {file}:{line}{until}: {reason}")
        }
        Suppression::Baseline { file } => format!("recorded in the baseline {file}"),
    };
    SuppressedView { finding: finding_view(&s.finding), why }
}

/// Whether a finding about `id` belongs to this model: by id, and by place when several models
/// share the id.
fn belongs(m: &ModelReport, shared_id: bool, f: &Finding) -> bool {
    f.model.as_deref() == Some(m.id.as_str())
        && (!shared_id || f.file.as_deref().is_none_or(|file| file.starts_with(m.location.as_str())))
}

fn model_view<'a>(index: usize, m: &'a ModelReport, report: &'a Report) -> ModelView<'a> {
    let shared_id = report.models.iter().filter(|o| o.id == m.id).count() > 1;
    let findings: Vec<FindingView<'a>> =
        report.findings.iter().filter(|f| belongs(m, shared_id, f)).map(finding_view).collect();
    let suppressed =
        report.suppressed.iter().filter(|s| belongs(m, shared_id, &s.finding)).map(suppressed_view).collect();
    let worst = findings.iter().map(|f| f.severity).max();
    let licences = if m.licence.parts.is_empty() {
        vec![facts(&m.licence.id, &m.licence.name, &m.licence.spdx, m.licence.category)]
    } else {
        m.licence.parts.iter().map(|p| facts(&p.id, &p.name, &p.spdx, p.category)).collect()
    };
    let restrictions: Vec<RestrictionView<'a>> = m
        .restrictions
        .iter()
        .map(|r| RestrictionView {
            label: describe_restriction(r.kind, r),
            detail: &r.detail,
            licence: r.licence.as_deref(),
            inherited_from: r.inherited_from.as_deref(),
            at: r.evidence.iter().map(|e| at(&e.file, e.line)).collect(),
        })
        .collect();
    let mut kinds: Vec<&str> = m.restrictions.iter().map(|r| r.kind.as_str()).collect();
    kinds.dedup();
    let (mof, axes): (Vec<&String>, Vec<&String>) = m.openness.reasons.iter().partition(|r| r.starts_with("MOF"));
    ModelView {
        anchor: format!("model-{}", index + 1),
        model: m,
        meaning: category_meaning(m.licence.category),
        licences,
        restriction_kinds: kinds.join(", "),
        restrictions,
        mof_reason: mof.first().map(|s| s.as_str()),
        axis_reasons: axes.into_iter().map(String::as_str).collect(),
        lineage: m
            .lineage
            .iter()
            .map(|b| BaseView {
                id: &b.id,
                licence: b.licence.as_deref(),
                category: b.category,
                resolved_by: b.resolved_by,
                at: at(&b.evidence.file, b.evidence.line),
                cycle: &b.cycle,
            })
            .collect(),
        finding_rank: worst.map_or(0, |w| 1 + w as usize) * 100_000 + findings.len(),
        findings,
        suppressed,
        worst,
        evidence: m
            .licence
            .evidence
            .iter()
            .map(|e| EvidenceView { kind: e.kind.as_str(), at: at(&e.file, e.line), value: e.value.as_deref() })
            .collect(),
        excerpts: m
            .card
            .iter()
            .flat_map(|c| &c.sections)
            .filter_map(|s| s.excerpt.as_deref().map(|x| (s.title.clone(), x)))
            .collect(),
    }
}

fn counts<T: Copy + PartialEq + std::fmt::Display>(all: &[T], of: impl Iterator<Item = T>) -> Vec<Count> {
    let values: Vec<T> = of.collect();
    all.iter()
        .map(|v| Count { word: v.to_string(), count: values.iter().filter(|x| *x == v).count() })
        .filter(|c| c.count > 0)
        .collect()
}

/// Builds the digest.
pub(super) fn review<'a>(report: &'a Report, generated: &'a str, scanned: &'a [String]) -> Review<'a> {
    let s = &report.summary;
    let severities = [(Severity::Error, s.errors), (Severity::Warning, s.warnings), (Severity::Note, s.notes)]
        .into_iter()
        .map(|(sev, count)| Count { word: sev.to_string(), count })
        .collect();
    let categories: Vec<CategoryCount> = Category::ALL
        .iter()
        .filter_map(|c| {
            let count = s.licence_categories.get(c).copied().unwrap_or(0);
            (count > 0).then(|| CategoryCount { word: *c, count, meaning: category_meaning(*c) })
        })
        .collect();
    let models = &report.models;
    let openness = vec![
        Axis { axis: "weights", values: counts(WeightsOpenness::ALL, models.iter().map(|m| m.openness.weights)) },
        Axis { axis: "data", values: counts(DataOpenness::ALL, models.iter().map(|m| m.openness.data)) },
        Axis { axis: "code", values: counts(CodeOpenness::ALL, models.iter().map(|m| m.openness.code)) },
    ];
    let mut mof = counts(MofClass::ALL, models.iter().filter_map(|m| m.openness.mof_class));
    let unclassified = models.iter().filter(|m| m.openness.mof_class.is_none()).count();
    if unclassified > 0 {
        mof.push(Count { word: "unclassified".into(), count: unclassified });
    }
    let category_bars = category_bars(&categories);
    let openness_bars = openness_bars(&openness, models.len());
    let mut other_findings: Vec<FindingView<'a>> = report
        .findings
        .iter()
        .filter(|f| f.model.as_ref().is_none_or(|id| !models.iter().any(|m| &m.id == id)))
        .map(finding_view)
        .collect();
    other_findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Review {
        tool: &report.tool,
        generated,
        scanned,
        policy: &report.policy,
        config: report.config.as_deref(),
        summary: s,
        severities,
        categories,
        openness,
        mof,
        sources: s.sources.iter().map(|(k, v)| Count { word: k.to_string(), count: *v }).collect(),
        vendors: s.lock_in.vendors.iter().map(|(k, v)| Count { word: k.clone(), count: *v }).collect(),
        category_bars,
        openness_bars,
        models: models.iter().enumerate().map(|(i, m)| model_view(i, m, report)).collect(),
        datasets: report
            .datasets
            .iter()
            .map(|d| DatasetView { dataset: d, meaning: category_meaning(d.licence.category) })
            .collect(),
        other_findings,
        suppressed: report.suppressed.iter().map(suppressed_view).collect(),
    }
}

fn category_bars(categories: &[CategoryCount]) -> Vec<Bar> {
    let max = categories.iter().map(|c| c.count).max().unwrap_or(1).max(1) as f64;
    categories
        .iter()
        .enumerate()
        .map(|(i, c)| Bar {
            label: c.word.to_string(),
            value: c.word.to_string(),
            count: c.count,
            x: 0.0,
            y: i as f64 * CHART_ROW,
            width: round(c.count as f64 / max * CHART_WIDTH),
            class: format!("c-{}", c.word),
        })
        .collect()
}

fn openness_bars(axes: &[Axis], total: usize) -> Vec<Bar> {
    let total = total.max(1) as f64;
    let mut out = Vec::new();
    for (row, axis) in axes.iter().enumerate() {
        let mut x = 0.0;
        for v in &axis.values {
            let width = round(v.count as f64 / total * CHART_WIDTH);
            out.push(Bar {
                label: axis.axis.to_string(),
                value: v.word.clone(),
                count: v.count,
                x,
                y: row as f64 * CHART_ROW,
                width,
                class: format!("o-{}", v.word),
            });
            x = round(x + width);
        }
    }
    out
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_are_links() {
        assert_eq!(safe_url("https://example.org/l").as_deref(), Some("https://example.org/l"));
        assert_eq!(safe_url("HTTP://example.org").as_deref(), Some("HTTP://example.org"));
        for bad in ["javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "https://", "https://a b", "//x.org"] {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
        assert_eq!(at("a/b.md", Some(3)), "a/b.md:3");
        assert_eq!(at("a/b.md", None), "a/b.md");
    }
}
