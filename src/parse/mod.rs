//! Stage 2: read each discovered file once, in parallel, and turn it into plain data.
//!
//! Text files are read up to a size limit; weight files are never read beyond their headers
//! (see [`weights`]). Nothing found here is judged: that is for the later stages.

pub mod card;
pub mod lines;
pub mod links;
pub mod mot;
pub mod plain_yaml;
pub mod references;
pub mod sections;
pub mod weights;

use std::{io, path::Path};

use rayon::prelude::*;

use crate::{
    files,
    limits::{InputLimits, LimitName},
    model::{Artifact, ArtifactKind, CardKind, Language, LicenceText, ModelConfig, Parsed, Problem, ProblemKind},
    recognise,
    stow::Stow,
};

/// Limits on what is read, and what to keep.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The named input limits (`--limit`, `--max-file-size`, `[limits]`).
    pub input: InputLimits,
    /// Keep each card's whole text for rules that read it; without such rules the text is
    /// dropped once parsed, so memory stays at what the parsed facts cost.
    pub keep_card_text: bool,
    /// Read code and configuration files for the models they name (`--no-code-references`
    /// turns it off; Python files are then only counted, not read).
    pub code_references: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { input: InputLimits::default(), keep_card_text: false, code_references: true }
    }
}

/// The lines of one file longer than the `line-length` limit: the first one's number and
/// length, and how many there were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LongLines {
    /// 1-based line of the first long line (0: none).
    pub first: u32,
    /// Its length in bytes.
    pub first_len: usize,
    /// How many lines were long.
    pub count: usize,
}

impl LongLines {
    /// Records a long line.
    pub fn note(&mut self, line: u32, len: usize) {
        if self.count == 0 {
            self.first = line;
            self.first_len = len;
        }
        self.count += 1;
    }

    /// The `limit-exceeded` problem for these lines, if there were any.
    pub fn problem(&self, file: &str, what: &str, limit: u64) -> Option<Problem> {
        (self.count > 0).then(|| {
            let more = match self.count {
                1 => String::new(),
                n => format!(" ({} more line(s) as long)", n - 1),
            };
            Problem {
                kind: ProblemKind::Limit,
                file: file.to_string(),
                line: Some(self.first),
                message: format!(
                    "line {} is {} bytes long; only its first {limit} bytes were searched for {what}{more} ({})",
                    self.first,
                    self.first_len,
                    LimitName::LineLength.exceeded(limit)
                ),
            }
        })
    }
}

/// `line` cut to at most `max` bytes, on a character boundary.
pub fn cut_line(line: &str, max: usize) -> &str {
    if line.len() <= max {
        return line;
    }
    let mut end = max;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}

fn limit_problem(file: &str, message: String) -> Parsed {
    Parsed::Problem(Problem { kind: ProblemKind::Limit, file: file.to_string(), line: None, message })
}

/// Parses every artifact, in parallel; the output keeps the input order.
/// Model cards' bodies go to `stow` as they are parsed.
pub fn parse_all(artifacts: &[Artifact], limits: Limits, stow: &Stow) -> Vec<Parsed> {
    artifacts.par_iter().flat_map_iter(|a| parse_one(a, limits, stow)).collect()
}

/// Parses one artifact into zero or more facts.
pub fn parse_one(artifact: &Artifact, limits: Limits, stow: &Stow) -> Vec<Parsed> {
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
        ArtifactKind::Weights(format) => weights::read(artifact, format, &limits.input),
        ArtifactKind::Markdown => {
            // Most Markdown files are not cards: the first bytes (a byte-order mark and `---`)
            // say whether to read on.
            let named_card = card::is_card_name(&artifact.rel);
            let wanted =
                |head: &[u8]| named_card || head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head).starts_with(b"---");
            with_text_if(artifact, limits, 6, wanted, |text| {
                let (card, hits) = card::parse_keeping(&artifact.rel, text, &limits.input, limits.keep_card_text);
                let mut out: Vec<Parsed> = hits.into_iter().map(|m| limit_problem(&artifact.rel, m)).collect();
                out.extend(card.map(|mut c| {
                    // Dataset cards are read before any model is classified (whether the
                    // datasets a model lists are open), and are few: they stay in memory.
                    if c.kind == CardKind::Model {
                        c.body = stow.put(c.take_body());
                    }
                    Parsed::Card(Box::new(c))
                }));
                out
            })
        }
        ArtifactKind::LicenceText => with_text(artifact, limits, |text| {
            let text = Some(text).filter(|t| !t.trim().is_empty())?;
            // Not a verdict (identify gives that): only whether to start loading the detector.
            recognise::text::prepare_for(text);
            Some(Parsed::Licence(LicenceText { file: artifact.rel.clone(), text: text.to_string() }))
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
        let max_line = limits.input.usize(LimitName::LineLength);
        let (found, long) = references::scan_with(&artifact.rel, language, text, &is_local, max_line);
        let mut out: Vec<Parsed> = found.into_iter().map(|r| Parsed::Reference(Box::new(r))).collect();
        out.extend(long.problem(&artifact.rel, "model references", limits.input.line_length).map(Parsed::Problem));
        out
    })
}

fn with_text(artifact: &Artifact, limits: Limits, f: impl FnOnce(&str) -> Option<Parsed>) -> Vec<Parsed> {
    with_text_all(artifact, limits, |text| f(text).into_iter().collect())
}

fn with_text_all(artifact: &Artifact, limits: Limits, f: impl FnOnce(&str) -> Vec<Parsed>) -> Vec<Parsed> {
    with_text_if(artifact, limits, 0, |_| true, f)
}

/// [`with_text_all`] for a file whose first `head` bytes say whether it is `wanted` (nothing is
/// parsed from a file that is not).
fn with_text_if(
    artifact: &Artifact,
    limits: Limits,
    head: u64,
    wanted: impl FnOnce(&[u8]) -> bool,
    f: impl FnOnce(&str) -> Vec<Parsed>,
) -> Vec<Parsed> {
    let limit = limits.input.file_size;
    match files::read_seen_if(&artifact.path, artifact.seen, limit, head, wanted) {
        Ok(None) => Vec::new(),
        Ok(Some((bytes, cut))) => {
            let text = lossy(bytes);
            let mut out = Vec::new();
            if let Some(size) = cut {
                out.push(limit_problem(
                    &artifact.rel,
                    format!(
                        "file is {size} bytes; only its first {limit} bytes were read ({})",
                        LimitName::FileSize.exceeded(limit)
                    ),
                ));
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

/// Reads up to `limit` bytes of a regular file as lossy UTF-8; says whether the file was longer.
pub fn read_text(path: &Path, limit: u64) -> io::Result<(String, bool)> {
    let (bytes, cut) = files::read_seen(path, files::Seen::Unchecked, limit)?;
    Ok((lossy(bytes), cut.is_some()))
}

/// Bytes as UTF-8 text, invalid sequences replaced (without a copy when there are none).
fn lossy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

pub use weights::sniff;

/// A `config.json` that names a model type or architecture. Only those two keys are built; the
/// rest of the file (which may be megabytes of arrays) is stepped over without allocating.
pub fn config(file: &str, text: &str) -> Option<ModelConfig> {
    #[derive(serde::Deserialize)]
    struct Raw {
        #[serde(default)]
        model_type: lenient::MaybeString,
        #[serde(default)]
        architectures: lenient::Strings,
    }
    let raw: Raw = serde_json::from_str(text).ok()?;
    let (model_type, architectures) = (raw.model_type.0, raw.architectures.0);
    (model_type.is_some() || !architectures.is_empty()).then(|| ModelConfig {
        file: file.to_string(),
        model_type,
        architectures,
    })
}

pub mod lenient {
    //! JSON values read without building what is not wanted: a string kept only when it is a
    //! string, a list of the strings of an array. Anything else is skipped by serde's
    //! `IgnoredAny`, which allocates nothing however large the value is.

    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    /// A string, or `None` for any other value.
    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct MaybeString(pub Option<String>);

    /// The strings of an array (other items skipped), or of a lone string; empty otherwise.
    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct Strings(pub Vec<String>);

    struct Skip<T>(fn(Option<String>) -> T, fn(Vec<String>) -> T, bool);

    impl<'de, T> Visitor<'de> for Skip<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.0)(Some(v.to_string())))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
            Ok((self.0)(None))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
            Ok((self.0)(None))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
            Ok((self.0)(None))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
            Ok((self.0)(None))
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok((self.0)(None))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
            let mut out = Vec::new();
            if self.2 {
                while let Some(item) = seq.next_element::<MaybeString>()? {
                    out.extend(item.0);
                }
            } else {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
            }
            Ok((self.1)(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok((self.0)(None))
        }
    }

    impl<'de> Deserialize<'de> for MaybeString {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Skip(MaybeString, |_| MaybeString(None), false))
        }
    }

    impl<'de> Deserialize<'de> for Strings {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Skip(|s: Option<String>| Strings(s.into_iter().collect()), Strings, true))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_need_a_model_key() {
        assert!(config("c.json", r#"{"model_type":"llama","architectures":["LlamaForCausalLM"]}"#).is_some());
        assert!(config("c.json", r#"{"name":"webpack"}"#).is_none());
        assert!(config("c.json", "not json").is_none());
        let c = config("c.json", r#"{"model_type":{"x":[1,2]},"architectures":["A",3,{"b":1},"B"],"n":[[],[]]}"#);
        assert_eq!(c.unwrap().architectures, ["A", "B"]);
        let c = config("c.json", r#"{"model_type":"bert","architectures":"BertModel"}"#).unwrap();
        assert_eq!((c.model_type.as_deref(), c.architectures.len()), (Some("bert"), 1));
    }

    fn markdown(dir: &Path, name: &str, text: &[u8]) -> Artifact {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        Artifact { path, rel: name.to_string(), kind: ArtifactKind::Markdown, seen: files::Seen::Unchecked }
    }

    #[test]
    fn markdown_is_read_whole_only_when_named_or_opened_like_a_card() {
        let dir = tempfile::tempdir().unwrap();
        let cards = |a: &Artifact, limits: Limits| -> Vec<String> {
            parse_one(a, limits, &Stow::memory())
                .into_iter()
                .map(|p| match p {
                    Parsed::Card(c) => format!("card {:?}", c.meta.license.first().map(|l| l.value.clone())),
                    Parsed::Problem(p) => format!("problem {:?}", p.kind),
                    _ => "other".to_string(),
                })
                .collect()
        };
        let limits = Limits::default();
        // A byte-order mark before the front matter: six bytes decide, not four.
        let bom = markdown(dir.path(), "notes.md", b"\xef\xbb\xbf---\nlicense: mit\n---\n# Notes\n");
        assert_eq!(cards(&bom, limits), ["card Some(\"mit\")"]);
        let doc = markdown(dir.path(), "guide.md", b"# A guide\n\nNo front matter.\n");
        assert!(cards(&doc, limits).is_empty());
        let named = markdown(dir.path(), "README.md", b"# Model\n\nNo front matter.\n");
        assert_eq!(cards(&named, limits), ["card None"]);
        // The size limit counts the bytes looked at first.
        let mut small = limits;
        small.input.file_size = 20;
        let long = markdown(dir.path(), "long.md", b"---\nlicense: apache-2.0\n---\n# Long\n");
        assert_eq!(cards(&long, small)[0], "problem Limit");
        let missing = Artifact { path: dir.path().join("gone.md"), ..doc.clone() };
        assert_eq!(cards(&missing, limits), ["problem Io"]);
    }
}
