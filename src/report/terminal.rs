//! The terminal report: findings the way compilers print them (rule, message, `--> file:line`,
//! help), then one line per model, then the counts. Colour only when asked (the caller checks
//! for a terminal and `NO_COLOR`). When models come from more than the repository walk, the table
//! gains a SOURCE column and the counts a line per source; when code calls hosted APIs, a
//! lock-in line says how much depends on them.

use std::io;

use anstyle::{AnsiColor, Style};

use super::{RenderOptions, Report};
use crate::{
    model::Suppression,
    vocab::{Severity, Source},
};

const MODEL_WIDTH: usize = 44;
const LICENCE_WIDTH: usize = 30;

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    let colour = options.colour;
    let paint = |style: Style, text: &str| -> String {
        if colour { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_string() }
    };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();

    let models: std::collections::HashMap<&str, &super::ModelReport> =
        report.models.iter().map(|m| (m.id.as_str(), m)).collect();
    for f in &report.findings {
        let style = severity_style(f.severity);
        writeln!(
            out,
            "{}{} {}",
            paint(style, &format!("{}[{}]", f.severity, f.rule)),
            paint(bold, ":"),
            paint(bold, &f.message)
        )?;
        if let Some(file) = &f.file {
            let loc = match f.line {
                Some(l) => format!("{file}:{l}"),
                None => file.clone(),
            };
            writeln!(out, "  {} {loc}", paint(blue, "-->"))?;
        }
        if let Some(model) = &f.model {
            writeln!(out, "  {} model: {model}", paint(blue, "="))?;
        }
        writeln!(out, "  {} help: {}", paint(blue, "="), f.help)?;
        // The hash a waiver or clarification of a licence finding is pinned to, ready to paste.
        let pinned = f
            .model
            .as_ref()
            .and_then(|m| models.get(m.as_str()))
            .filter(|m| !m.licence.evidence.is_empty() && is_licence_rule(&f.rule));
        if let Some(model) = pinned {
            writeln!(out, "  {} licence-hash: {}", paint(blue, "="), model.licence_hash)?;
        }
        writeln!(out)?;
    }
    for s in report.suppressed.iter().filter(|s| matches!(s.suppression, Suppression::Waiver { .. })) {
        let f = &s.finding;
        writeln!(out, "{}{} {}", paint(dim, &format!("waived[{}]", f.rule)), paint(dim, ":"), f.message)?;
        if let Suppression::Waiver { reason, expires, file, line, .. } = &s.suppression {
            let until = expires.as_ref().map_or(String::new(), |e| format!(" until {e}"));
            writeln!(out, "  {} {file}:{line}{until}: {reason}", paint(blue, "="))?;
        }
    }
    if report.summary.waived > 0 {
        writeln!(out)?;
    }

    let several_sources = report.models.iter().any(|m| m.sources.iter().any(|s| *s != Source::Repository));
    if !report.models.is_empty() && !options.quiet {
        let rows: Vec<Vec<String>> = report
            .models
            .iter()
            .map(|m| {
                let mut row = vec![
                    clip(&m.id, MODEL_WIDTH),
                    clip(&m.licence.id, LICENCE_WIDTH),
                    m.licence.category.to_string(),
                    m.openness.weights.to_string(),
                    m.openness.data.to_string(),
                    m.openness.code.to_string(),
                    m.openness.mof_class.map_or("-".to_string(), |c| c.to_string()),
                    mof_progress(&m.openness.mof),
                    if m.openness.osaid.pass { "pass" } else { "fail" }.to_string(),
                ];
                if several_sources {
                    let more = if m.sources.len() > 1 { format!(" +{}", m.sources.len() - 1) } else { String::new() };
                    row.push(format!("{}{more}", m.source));
                }
                row
            })
            .collect();
        let mut header = vec!["MODEL", "LICENCE", "CATEGORY", "WEIGHTS", "DATA", "CODE", "MOF", "III/II/I %", "OSAID"];
        if several_sources {
            header.push("SOURCE");
        }
        let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths.iter().copied()).enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(cell);
                } else {
                    s.push_str(cell);
                    s.push_str(&" ".repeat(w.saturating_sub(cell.chars().count()) + 2));
                }
            }
            s
        };
        writeln!(out, "{}", paint(bold, &line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>())))?;
        for row in &rows {
            writeln!(out, "{}", line(row))?;
        }
        writeln!(out)?;
    }

    let s = &report.summary;
    if several_sources {
        let per: Vec<String> = s.sources.iter().map(|(source, n)| format!("{n} {source}")).collect();
        writeln!(out, "{} {}", paint(bold, "sources:"), per.join(", "))?;
    }
    let l = &s.lock_in;
    if l.hosted_models > 0 {
        let vendors: Vec<String> = l.vendors.iter().map(|(v, n)| format!("{v} {n}")).collect();
        writeln!(
            out,
            "{} {} of {} ({}%) {} closed behind a vendor API; hosted models per vendor: {} ({})",
            paint(bold, "lock-in:"),
            l.closed_api_models,
            plural(s.models, "model"),
            l.closed_api_percent,
            if l.closed_api_models == 1 { "is" } else { "are" },
            vendors.join(", "),
            plural(l.call_sites, "call site")
        )?;
    }
    let mut parts = vec![plural(s.models, "model")];
    if !report.datasets.is_empty() {
        parts.push(plural(report.datasets.len(), "dataset"));
    }
    parts.push(paint(if s.errors > 0 { severity_style(Severity::Error) } else { dim }, &plural(s.errors, "error")));
    parts.push(paint(
        if s.warnings > 0 { severity_style(Severity::Warning) } else { dim },
        &plural(s.warnings, "warning"),
    ));
    parts.push(paint(if s.notes > 0 { severity_style(Severity::Note) } else { dim }, &plural(s.notes, "note")));
    if s.waived > 0 {
        parts.push(format!("{} waived", s.waived));
    }
    if s.baselined > 0 {
        parts.push(format!("{} in baseline", s.baselined));
    }
    writeln!(out, "{}", parts.join(", "))
}

/// Findings about a model's licence, which a waiver may pin to the licence evidence's hash.
fn is_licence_rule(rule: &str) -> bool {
    rule.starts_with("licence-")
        || rule.starts_with("commercial-")
        || rule == "restricted-use"
        || rule.contains("-licence")
}

fn severity_style(s: Severity) -> Style {
    let colour = match s {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Note => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(colour.into())).bold()
}

/// MOF progress as `III/II/I` percentages.
fn mof_progress(mof: &crate::model::MofVerdict) -> String {
    use crate::vocab::MofClass;
    let p = |c| mof.progress.get(&c).copied().unwrap_or(0);
    format!("{}/{}/{}", p(MofClass::III), p(MofClass::II), p(MofClass::I))
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// Shortens to `width` characters with an ellipsis.
fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_counts_characters() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ééé", 3), "ééé");
        assert_eq!(plural(1, "model"), "1 model");
        assert_eq!(plural(0, "error"), "0 errors");
    }
}
