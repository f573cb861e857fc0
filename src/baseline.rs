//! Baseline files: the findings a repository already had when the gate was switched on.
//! `--write-baseline FILE` records them; `--baseline FILE` suppresses exactly those (matched by
//! rule, model and content fingerprint, never by line), so the gate fails only on new ones.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{
    evaluate::sink::BaselineSet,
    model::{Finding, Suppressed, Suppression},
};

/// The version of the baseline file format.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// Format version.
    pub modelgate_baseline: u32,
    /// Recorded findings, sorted.
    pub findings: Vec<Entry>,
}

/// One recorded finding. `severity`, `message` and `file` are for people reading the file;
/// only `rule`, `model` and `fingerprint` are matched.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule id.
    pub rule: String,
    /// Model id (or the file, for findings about no model).
    pub model: String,
    /// Content fingerprint.
    pub fingerprint: String,
    /// Severity when recorded.
    #[serde(default)]
    pub severity: String,
    /// Message when recorded.
    #[serde(default)]
    pub message: String,
    /// File when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// A baseline file that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("baseline `{file}`: {message}")]
pub struct BaselineError {
    /// The file.
    pub file: String,
    /// What went wrong.
    pub message: String,
}

/// Reads a baseline.
pub fn read(path: &Path) -> Result<BaselineSet, BaselineError> {
    let file = path.display().to_string();
    let err = |message: String| BaselineError { file: file.clone(), message };
    let text =
        crate::files::read_to_string_bounded(path, crate::files::MAX_SETTINGS_FILE).map_err(|e| err(e.to_string()))?;
    let parsed = parse(&text).map_err(err)?;
    if parsed.modelgate_baseline != VERSION {
        return Err(err(format!("format version {} is not {VERSION}", parsed.modelgate_baseline)));
    }
    let entries = parsed.findings.into_iter().map(|e| (e.rule, e.model, e.fingerprint)).collect();
    Ok(BaselineSet { file, entries })
}

/// Parses a baseline file's text.
pub fn parse(text: &str) -> Result<BaselineFile, String> {
    serde_json::from_str(text).map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))
}

/// The baseline of a scan: every finding that counts and every one the old baseline suppressed
/// (waived findings are not recorded: their waiver already covers them).
pub fn of(findings: &[Finding], suppressed: &[Suppressed]) -> BaselineFile {
    let baselined = suppressed.iter().filter(|s| matches!(s.suppression, Suppression::Baseline { .. }));
    let mut entries: Vec<Entry> = findings
        .iter()
        .chain(baselined.map(|s| &s.finding))
        .map(|f| {
            let (rule, model, fingerprint) = BaselineSet::key(f);
            Entry {
                rule,
                model,
                fingerprint,
                severity: f.severity.to_string(),
                message: f.message.clone(),
                file: f.file.clone(),
            }
        })
        .collect();
    entries.sort();
    entries.dedup();
    BaselineFile { modelgate_baseline: VERSION, findings: entries }
}

/// Writes a baseline as pretty JSON.
pub fn write(path: &Path, baseline: &BaselineFile) -> Result<(), BaselineError> {
    let err = |message: String| BaselineError { file: path.display().to_string(), message };
    let mut text = serde_json::to_string_pretty(baseline).map_err(|e| err(e.to_string()))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| err(e.to_string()))
}
