//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
//! finding, on its file and line (paths from the repository root), then plain lines for the
//! suppressed findings and the counts.

use std::io;

use super::{RenderOptions, Report};
use crate::{model::Suppression, vocab::Severity};

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    for f in &report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!("file={}", property(&format!("{}{file}", options.path_prefix))));
            if let Some(line) = f.line {
                props.push(format!("line={line}"));
            }
        }
        let title = match &f.model {
            Some(m) => format!("modelgate {} ({m})", f.rule),
            None => format!("modelgate {}", f.rule),
        };
        props.push(format!("title={}", property(&title)));
        writeln!(out, "::{command} {}::{}", props.join(","), data(&format!("{}\n{}", f.message, f.help)))?;
    }
    for s in &report.suppressed {
        let f = &s.finding;
        let why = match &s.suppression {
            Suppression::Waiver { reason, file, line, .. } => format!("waived at {file}:{line}: {reason}"),
            Suppression::Baseline { file } => format!("in baseline {file}"),
        };
        let model = f.model.as_deref().map_or(String::new(), |m| format!(" ({m})"));
        writeln!(out, "modelgate: {} {}{model}: {} [{why}]", f.severity, f.rule, one_line(&f.message))?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "modelgate: {} models, {} errors, {} warnings, {} notes, {} waived, {} baselined",
        s.models, s.errors, s.warnings, s.notes, s.waived, s.baselined
    )
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// Escapes a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
