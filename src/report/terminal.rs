//! The terminal report: findings the way compilers print them (rule, message, `--> file:line`,
//! help), then one line per model, then the counts. Colour only when asked (the caller checks
//! for a terminal and `NO_COLOR`).

use std::io;

use anstyle::{AnsiColor, Style};

use super::{RenderOptions, Report};
use crate::vocab::Severity;

const MODEL_WIDTH: usize = 44;
const LICENCE_WIDTH: usize = 30;

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: RenderOptions) -> io::Result<()> {
    let colour = options.colour;
    let paint = |style: Style, text: &str| -> String {
        if colour { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_string() }
    };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();

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
        writeln!(out)?;
    }

    if !report.models.is_empty() && !options.quiet {
        let rows: Vec<[String; 9]> = report
            .models
            .iter()
            .map(|m| {
                [
                    clip(&m.id, MODEL_WIDTH),
                    clip(&m.licence.id, LICENCE_WIDTH),
                    m.licence.category.to_string(),
                    m.openness.weights.to_string(),
                    m.openness.data.to_string(),
                    m.openness.code.to_string(),
                    m.openness.mof_class.map_or("-".to_string(), |c| c.to_string()),
                    mof_progress(&m.openness.mof),
                    if m.openness.osaid.pass { "pass" } else { "fail" }.to_string(),
                ]
            })
            .collect();
        let header = ["MODEL", "LICENCE", "CATEGORY", "WEIGHTS", "DATA", "CODE", "MOF", "III/II/I %", "OSAID"];
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(cell);
                } else {
                    s.push_str(cell);
                    s.push_str(&" ".repeat(w.saturating_sub(cell.chars().count()) + 2));
                }
            }
            s
        };
        writeln!(out, "{}", paint(bold, &line(&header.map(String::from))))?;
        for row in &rows {
            writeln!(out, "{}", line(row))?;
        }
        writeln!(out)?;
    }

    let s = &report.summary;
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
    writeln!(out, "{}", parts.join(", "))
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

fn plural(n: usize, word: &str) -> String {
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
