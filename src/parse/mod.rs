//! Stage 2: read each discovered file once, in parallel, and turn it into plain data.
//!
//! Text files are read up to a size limit; weight files are never read beyond their headers
//! (see [`weights`]). Nothing found here is judged: that is for the later stages.

pub mod card;
pub mod links;
pub mod mot;
pub mod references;
pub mod sections;
pub mod weights;

use std::{
    fs::File,
    io::{self, Read},
    path::Path,
};

use rayon::prelude::*;

use crate::model::{Artifact, ArtifactKind, Language, LicenceText, ModelConfig, Parsed, Problem, ProblemKind};

/// Limits on what is read.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest text file (card, licence, config) read, in bytes; longer files are read up to
    /// this many bytes and reported.
    pub max_file_size: u64,
    /// Keep each card's whole text for rules that read it; without such rules the text is
    /// dropped once parsed, so memory stays at what the parsed facts cost.
    pub keep_card_text: bool,
    /// Read code and configuration files for the models they name (`--no-code-references`
    /// turns it off; Python files are then only counted, not read).
    pub code_references: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_size: 10 * 1024 * 1024, keep_card_text: false, code_references: true }
    }
}

/// Parses every artifact, in parallel; the output keeps the input order.
pub fn parse_all(artifacts: &[Artifact], limits: Limits) -> Vec<Parsed> {
    artifacts.par_iter().flat_map_iter(|a| parse_one(a, limits)).collect()
}

/// Parses one artifact into zero or more facts.
pub fn parse_one(artifact: &Artifact, limits: Limits) -> Vec<Parsed> {
    match artifact.kind {
        ArtifactKind::Code if !limits.code_references => vec![Parsed::Code(artifact.rel.clone())],
        ArtifactKind::Code => {
            let language = if artifact.rel.to_ascii_lowercase().ends_with(".ipynb") {
                Language::Notebook
            } else {
                Language::Python
            };
            let mut out = vec![Parsed::Code(artifact.rel.clone())];
            out.extend(code_references(artifact, language, limits));
            out
        }
        ArtifactKind::Source(_) if !limits.code_references => Vec::new(),
        ArtifactKind::Source(language) => code_references(artifact, language, limits),
        ArtifactKind::Weights(format) => weights::read(artifact, format),
        ArtifactKind::Markdown => {
            // Most Markdown files are not cards: look at the first bytes before reading more.
            let named_card = card::is_card_name(&artifact.rel);
            if !named_card {
                match read_prefix(&artifact.path, 4) {
                    Ok(head) if head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head).starts_with(b"---") => {}
                    Ok(_) => return Vec::new(),
                    Err(e) => return vec![io_problem(artifact, &e)],
                }
            }
            with_text(artifact, limits, |text| {
                card::parse_keeping(&artifact.rel, text, limits.keep_card_text).map(|c| Parsed::Card(Box::new(c)))
            })
        }
        ArtifactKind::LicenceText => with_text(artifact, limits, |text| {
            (!text.trim().is_empty())
                .then(|| Parsed::Licence(LicenceText { file: artifact.rel.clone(), text: text.to_string() }))
        }),
        ArtifactKind::Config => with_text(artifact, limits, |text| config(&artifact.rel, text).map(Parsed::Config)),
        ArtifactKind::Mot => with_text(artifact, limits, |text| {
            Some(match mot::parse(&artifact.rel, text) {
                Ok(file) => Parsed::Mot(Box::new(file)),
                Err(e) => Parsed::Problem(Problem {
                    kind: ProblemKind::Mot,
                    file: artifact.rel.clone(),
                    line: Some(e.line),
                    message: e.value,
                }),
            })
        }),
    }
}

/// The models a code or configuration file names. A candidate Hub id that exists as a path
/// beside the file or under the scanned root is a local directory, not a Hub model.
fn code_references(artifact: &Artifact, language: Language, limits: Limits) -> Vec<Parsed> {
    let dir = artifact.path.parent();
    let root = artifact.path.ancestors().nth(artifact.rel.matches('/').count() + 1);
    let is_local = |candidate: &str| {
        dir.is_some_and(|d| d.join(candidate).exists()) || root.is_some_and(|r| r.join(candidate).exists())
    };
    with_text_all(artifact, limits, |text| {
        references::scan(&artifact.rel, language, text, &is_local)
            .into_iter()
            .map(|r| Parsed::Reference(Box::new(r)))
            .collect()
    })
}

fn with_text(artifact: &Artifact, limits: Limits, f: impl FnOnce(&str) -> Option<Parsed>) -> Vec<Parsed> {
    with_text_all(artifact, limits, |text| f(text).into_iter().collect())
}

fn with_text_all(artifact: &Artifact, limits: Limits, f: impl FnOnce(&str) -> Vec<Parsed>) -> Vec<Parsed> {
    match read_text(&artifact.path, limits.max_file_size) {
        Ok((text, truncated)) => {
            let mut out = Vec::new();
            if truncated {
                out.push(Parsed::Problem(Problem {
                    kind: ProblemKind::Limit,
                    file: artifact.rel.clone(),
                    line: None,
                    message: format!(
                        "file is {} bytes; only the first {} bytes were read (--max-file-size)",
                        artifact.size, limits.max_file_size
                    ),
                }));
            }
            out.extend(f(&text));
            out
        }
        Err(e) => vec![io_problem(artifact, &e)],
    }
}

fn io_problem(artifact: &Artifact, e: &io::Error) -> Parsed {
    Parsed::Problem(Problem {
        kind: ProblemKind::Io,
        file: artifact.rel.clone(),
        line: None,
        message: format!("cannot read: {e}"),
    })
}

/// Reads up to `limit` bytes as lossy UTF-8; says whether the file was longer.
pub fn read_text(path: &Path, limit: u64) -> io::Result<(String, bool)> {
    let file = File::open(path)?;
    // Sized from the file's length up front: growing the buffer by doubling copied each text
    // several times.
    let expected = file.metadata().map_or(0, |m| m.len()).min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).min(1 << 26));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let truncated = bytes.len() as u64 > limit;
    bytes.truncate(limit as usize);
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok((text, truncated))
}

fn read_prefix(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    File::open(path)?.take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

pub use weights::sniff;

/// A `config.json` that names a model type or architecture.
fn config(file: &str, text: &str) -> Option<ModelConfig> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let map = value.as_object()?;
    let model_type = map.get("model_type").and_then(|v| v.as_str()).map(str::to_string);
    let architectures: Vec<String> = map
        .get("architectures")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    (model_type.is_some() || !architectures.is_empty()).then(|| ModelConfig {
        file: file.to_string(),
        model_type,
        architectures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_need_a_model_key() {
        assert!(config("c.json", r#"{"model_type":"llama","architectures":["LlamaForCausalLM"]}"#).is_some());
        assert!(config("c.json", r#"{"name":"webpack"}"#).is_none());
        assert!(config("c.json", "not json").is_none());
    }
}
