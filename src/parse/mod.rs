//! Stage 2: read each discovered file once, in parallel, and turn it into plain data.
//!
//! Text files are read up to a size limit; weight files are never read beyond a few header
//! bytes. Nothing found here is judged: that is for the later stages.

pub mod card;
pub mod links;
pub mod mot;
pub mod sections;

use std::{
    fs::File,
    io::{self, Read},
    path::Path,
};

use rayon::prelude::*;

use crate::{
    model::{Artifact, ArtifactKind, LicenceText, ModelConfig, Parsed, Problem, ProblemKind, WeightFile},
    vocab::WeightFormat,
};

/// Limits on what is read.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest text file (card, licence, config) read, in bytes; longer files are read up to
    /// this many bytes and reported.
    pub max_file_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_size: 10 * 1024 * 1024 }
    }
}

/// Parses every artifact, in parallel; the output keeps the input order.
pub fn parse_all(artifacts: &[Artifact], limits: Limits) -> Vec<Parsed> {
    artifacts.par_iter().flat_map_iter(|a| parse_one(a, limits)).collect()
}

/// Parses one artifact into zero or more facts.
pub fn parse_one(artifact: &Artifact, limits: Limits) -> Vec<Parsed> {
    match artifact.kind {
        ArtifactKind::Code => vec![Parsed::Code(artifact.rel.clone())],
        ArtifactKind::Weights(format) => weights(artifact, format),
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
            with_text(artifact, limits, |text| card::parse(&artifact.rel, text).map(|c| Parsed::Card(Box::new(c))))
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

fn with_text(artifact: &Artifact, limits: Limits, f: impl FnOnce(&str) -> Option<Parsed>) -> Vec<Parsed> {
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
    let mut bytes = Vec::new();
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

/// A weight file: its size from the directory entry, and for the ambiguous `.bin` extension a
/// look at the magic bytes, so that arbitrary binaries are not taken for weights.
fn weights(artifact: &Artifact, format: WeightFormat) -> Vec<Parsed> {
    let name = artifact.rel.rsplit('/').next().unwrap_or(&artifact.rel).to_ascii_lowercase();
    if name == "training_args.bin" || name.ends_with(".index") {
        return Vec::new();
    }
    if name.ends_with(".bin") {
        match read_prefix(&artifact.path, 8) {
            Ok(head) => match sniff(&head) {
                Some(detected) => {
                    return vec![Parsed::Weights(WeightFile {
                        file: artifact.rel.clone(),
                        format: detected,
                        bytes: artifact.size,
                    })];
                }
                // Raw tensor dumps (`model.bin` of some runtimes) have no magic; trust names that say
                // "model" or "weights", drop the rest.
                None if name.contains("model") || name.contains("weight") || name.contains("adapter") => {}
                None => return Vec::new(),
            },
            Err(e) => return vec![io_problem(artifact, &e)],
        }
    }
    vec![Parsed::Weights(WeightFile { file: artifact.rel.clone(), format, bytes: artifact.size })]
}

/// The format magic bytes announce, for the formats that have one.
pub fn sniff(head: &[u8]) -> Option<WeightFormat> {
    if head.starts_with(b"PK\x03\x04") {
        Some(WeightFormat::Pytorch)
    } else if head.starts_with(b"GGUF") {
        Some(WeightFormat::Gguf)
    } else if head.len() >= 2 && head[0] == 0x80 && (2..=5).contains(&head[1]) {
        Some(WeightFormat::Pytorch)
    } else if head.len() >= 8 && head[..8] == *b"\x89HDF\r\n\x1a\n" {
        Some(WeightFormat::Hdf5)
    } else {
        None
    }
}

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
    fn magic_bytes() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(WeightFormat::Pytorch));
        assert_eq!(sniff(b"GGUF\x03\0\0\0"), Some(WeightFormat::Gguf));
        assert_eq!(sniff(b"\x80\x02}q\0"), Some(WeightFormat::Pytorch));
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn configs_need_a_model_key() {
        assert!(config("c.json", r#"{"model_type":"llama","architectures":["LlamaForCausalLM"]}"#).is_some());
        assert!(config("c.json", r#"{"name":"webpack"}"#).is_none());
        assert!(config("c.json", "not json").is_none());
    }
}
