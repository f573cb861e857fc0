//! The data that flows between the pipeline stages.
//!
//! Stages never call one another; each takes the previous stage's output types from here and
//! returns its own. Paths are always relative to the scanned root and use `/`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::vocab::{
    Category, CodeOpenness, ContentType, DataOpenness, Dimension, EvidenceKind, Grade, LicenceScope, MofClass,
    MofComponent, MofStatus, RestrictionKind, SectionKind, Severity, Source, WeightFormat, WeightsOpenness,
};

// ---------------------------------------------------------------------------------------------
// discover → parse

/// A file the walk found worth looking at.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// Where to open it.
    pub path: std::path::PathBuf,
    /// Path relative to the scanned root, `/`-separated.
    pub rel: String,
    /// What the file name says it is.
    pub kind: ArtifactKind,
    /// Whether the walk listed it as a regular file (not a link), so opening it needs no check
    /// first.
    pub seen: crate::files::Seen,
}

/// What the walk thinks a file is, from its name alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArtifactKind {
    /// A Markdown file that may be a model or dataset card.
    Markdown,
    /// A licence, notice or use-policy text.
    LicenceText,
    /// A weight file, by extension.
    Weights(WeightFormat),
    /// A `config.json`.
    Config,
    /// Python source or a notebook (training, inference or modelling code).
    Code,
    /// Other code or configuration (JavaScript/TypeScript, YAML, TOML, JSON, Dockerfiles, shell,
    /// Ollama Modelfiles), read only to find the models it names.
    Source(Language),
    /// A Model Openness Tool model file (`scan --mof`).
    Mot,
}

/// The language of a file searched for model references, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    /// `.py`.
    Python,
    /// `.ipynb` (code cells only).
    Notebook,
    /// `.js`, `.mjs`, `.cjs`, `.jsx`, `.ts`, `.tsx`, `.mts`, `.cts`.
    Javascript,
    /// `.yaml`, `.yml`.
    Yaml,
    /// `.toml`.
    Toml,
    /// `.json`.
    Json,
    /// `Dockerfile`, `Containerfile`, `*.dockerfile`.
    Dockerfile,
    /// `.sh`, `.bash`, `.zsh`.
    Shell,
    /// An Ollama `Modelfile`.
    Modelfile,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 9] = [
        Language::Python,
        Language::Notebook,
        Language::Javascript,
        Language::Yaml,
        Language::Toml,
        Language::Json,
        Language::Dockerfile,
        Language::Shell,
        Language::Modelfile,
    ];

    /// The language whose patterns apply: a notebook's code is Python.
    pub fn family(self) -> Language {
        if self == Language::Notebook { Language::Python } else { self }
    }
}

/// A file that could not be read or was cut short, reported as a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Which rule reports it.
    pub kind: ProblemKind,
    /// Relative path ("." for the root itself).
    pub file: String,
    /// 1-based line, when the problem sits on one.
    pub line: Option<u32>,
    /// What went wrong, for a person.
    pub message: String,
}

/// The kinds of per-file problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file or directory could not be read.
    Io,
    /// The file is larger than the configured limit and was not (fully) read.
    Limit,
    /// A remote source (the Hub API) refused or failed to answer for a model.
    Remote,
    /// A Model Openness Tool file that is not valid YAML or breaks the MOT schema.
    Mot,
}

// ---------------------------------------------------------------------------------------------
// parse → assemble

/// A value read from a file, with the 1-based line it was found on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// 1-based line in the file.
    pub line: u32,
}

/// Whether a card describes a model or a dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardKind {
    /// A model card.
    Model,
    /// A dataset card (`task_categories`, `size_categories`).
    Dataset,
}

/// A parsed model or dataset card.
#[derive(Clone, Debug)]
pub struct Card {
    /// Relative path of the card file.
    pub file: String,
    /// Model or dataset.
    pub kind: CardKind,
    /// The keys we interpret.
    pub meta: CardMeta,
    /// Set when the front matter could not be parsed.
    pub parse_error: Option<Located<String>>,
    /// Whether the front matter carries model- or dataset-card keys. A README without them is
    /// a card only when it sits next to weights.
    pub recognised: bool,
    /// The text of the card's licence section, if it has one (bounded), and its first line.
    pub licence_section: Option<Located<String>>,
    /// What only the stages after identification read; see [`Card::body`].
    pub body: Body,
}

impl Card {
    /// The card's front matter, headings, links and text. A model card's body is stowed once
    /// parsed (most of what a large scan would otherwise hold until lineage has seen every
    /// model) and fetched again before its model is classified
    /// ([`Stow::fetch`](crate::stow::Stow::fetch)); read before that, it is empty.
    pub fn body(&self) -> &CardBody {
        match &self.body {
            Body::Held(body) => body,
            Body::Stowed(_) => {
                debug_assert!(false, "the body of `{}` was read while stowed", self.file);
                CardBody::empty()
            }
        }
    }

    /// The body, taken out of the card ([`Card::body`] says when it is empty).
    pub fn take_body(&mut self) -> CardBody {
        match std::mem::replace(&mut self.body, Body::Held(Box::default())) {
            Body::Held(body) => *body,
            Body::Stowed(_) => {
                debug_assert!(false, "the body of `{}` was taken while stowed", self.file);
                CardBody::default()
            }
        }
    }

    /// The body, to change it.
    pub fn body_mut(&mut self) -> Option<&mut CardBody> {
        match &mut self.body {
            Body::Held(body) => Some(body),
            Body::Stowed(_) => None,
        }
    }
}

/// Where a card's body is.
#[derive(Clone, Debug)]
pub enum Body {
    /// In memory.
    Held(Box<CardBody>),
    /// Written out by a [`Stow`](crate::stow::Stow), to be fetched again.
    Stowed(crate::stow::Ticket),
}

/// What is read of a card after identification: the report, the openness stage and rules.
#[derive(Clone, Debug, Default)]
pub struct CardBody {
    /// The whole front matter, unknown keys included.
    pub metadata: Metadata,
    /// The keys read after identification.
    pub keys: CardKeys,
    /// Headings of the body.
    pub sections: Vec<Section>,
    /// The whole file as read (up to `--max-file-size`), for rules that read the body; empty
    /// unless a selected policy pack reads card text (it costs what the files cost).
    pub text: String,
    /// Links in the body (papers, code repositories, reports), in order.
    pub links: Vec<CardLink>,
}

impl CardBody {
    /// No front matter, headings, text or links.
    pub fn empty() -> &'static CardBody {
        static EMPTY: std::sync::LazyLock<CardBody> = std::sync::LazyLock::new(CardBody::default);
        &EMPTY
    }
}

/// A link in a card's body, with what surrounds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardLink {
    /// The URL as written.
    pub url: String,
    /// The link text (Markdown) or the rest of the line (a bare URL), bounded.
    pub text: String,
    /// 1-based line.
    pub line: u32,
    /// What the section the link sits in is about.
    pub kinds: Vec<SectionKind>,
    /// Whether the link sits in a BibTeX or citation block.
    pub in_citation: bool,
}

/// A card's whole front matter, kept as compact JSON text: a parsed tree costs several times
/// the text, and most scans never look past the keys of [`CardMeta`] and [`CardKeys`]. Texts
/// over [`Metadata::DEFLATE_OVER`] bytes are kept deflated: front matter is most of a card body
/// (widget examples, evaluation tables), which waits in the stow's file (or in memory without
/// one) until its model is judged, and it is read again only to render the report or when a
/// rule asks for a key.
#[derive(Clone, Debug)]
pub struct Metadata(MetadataText);

#[derive(Clone, Debug)]
enum MetadataText {
    Plain(Box<serde_json::value::RawValue>),
    /// Deflated JSON text.
    Deflated(Box<[u8]>),
}

impl Default for Metadata {
    fn default() -> Metadata {
        Metadata::empty()
    }
}

impl Metadata {
    /// Front matter whose JSON text is longer than this is kept deflated.
    pub const DEFLATE_OVER: usize = 512;

    /// `{}`.
    pub fn empty() -> Metadata {
        Metadata(MetadataText::Plain(serde_json::value::RawValue::from_string("{}".to_string()).expect("`{}` is JSON")))
    }

    /// Keeps a parsed front matter.
    pub fn from_value(value: &serde_json::Value) -> Metadata {
        match serde_json::value::to_raw_value(value) {
            Ok(raw) => Metadata::from_text(raw),
            Err(_) => Metadata::empty(),
        }
    }

    /// Keeps front matter given as compact JSON text.
    fn from_text(raw: Box<serde_json::value::RawValue>) -> Metadata {
        let text = raw.get();
        if text.len() > Self::DEFLATE_OVER
            && let Some(bytes) = deflate(text.as_bytes())
        {
            return Metadata(MetadataText::Deflated(bytes.into_boxed_slice()));
        }
        Metadata(MetadataText::Plain(raw))
    }

    /// The JSON text.
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            MetadataText::Plain(raw) => raw.get().into(),
            // Only our own deflated text is read here; were it damaged, `{}` is the honest
            // answer.
            MetadataText::Deflated(bytes) => inflate(bytes).map_or("{}".into(), Into::into),
        }
    }

    /// The front matter as a tree (parsed on each call).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.text()).unwrap_or_default()
    }

    /// One top-level key (parses the front matter).
    pub fn get(&self, key: &str) -> Option<serde_json::Value> {
        // The other keys are skipped, not built into trees (widget examples and evaluation
        // tables are most of a large front matter).
        let text = self.text();
        let map: BTreeMap<String, &serde_json::value::RawValue> = serde_json::from_str(&text).ok()?;
        serde_json::from_str(map.get(key)?.get()).ok()
    }

    /// The text as kept, and whether it is deflated: what [`Metadata::from_kept`] takes back.
    pub fn kept(&self) -> (&[u8], bool) {
        match &self.0 {
            MetadataText::Plain(raw) => (raw.get().as_bytes(), false),
            MetadataText::Deflated(bytes) => (bytes, true),
        }
    }

    /// Front matter as [`Metadata::kept`] gave it; `None` when it is not.
    pub fn from_kept(bytes: Vec<u8>, deflated: bool) -> Option<Metadata> {
        if deflated {
            return Some(Metadata(MetadataText::Deflated(bytes.into_boxed_slice())));
        }
        let text = String::from_utf8(bytes).ok()?;
        serde_json::value::RawValue::from_string(text).ok().map(|raw| Metadata(MetadataText::Plain(raw)))
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, MetadataText::Plain(raw) if raw.get() == "{}")
    }
}

thread_local! {
    // One deflate and one inflate state per thread, reset for each text: setting a state up
    // (hash tables, window) cost more than compressing a front matter of a few kilobytes.
    static DEFLATE: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
    static INFLATE: std::cell::RefCell<flate2::Decompress> =
        std::cell::RefCell::new(flate2::Decompress::new(false));
}

/// `bytes` as raw deflate data.
fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    DEFLATE.with_borrow_mut(|state| {
        state.reset();
        run(state, bytes, Vec::with_capacity(bytes.len() / 3 + 64))
    })
}

/// The text [`deflate`] was given.
fn inflate(bytes: &[u8]) -> Option<String> {
    INFLATE.with_borrow_mut(|state| {
        state.reset(false);
        run(state, bytes, Vec::with_capacity(bytes.len() * 4)).and_then(|out| String::from_utf8(out).ok())
    })
}

/// A deflate or inflate state, driven by [`run`].
trait Flate {
    fn total_in(&self) -> u64;
    /// Takes in what it can of `input`, adding to `out` within its capacity.
    fn step(&mut self, input: &[u8], out: &mut Vec<u8>) -> Option<flate2::Status>;
}

impl Flate for flate2::Compress {
    fn total_in(&self) -> u64 {
        self.total_in()
    }

    fn step(&mut self, input: &[u8], out: &mut Vec<u8>) -> Option<flate2::Status> {
        self.compress_vec(input, out, flate2::FlushCompress::Finish).ok()
    }
}

impl Flate for flate2::Decompress {
    fn total_in(&self) -> u64 {
        self.total_in()
    }

    fn step(&mut self, input: &[u8], out: &mut Vec<u8>) -> Option<flate2::Status> {
        self.decompress_vec(input, out, flate2::FlushDecompress::Finish).ok()
    }
}

/// Runs `state` over all of `bytes` to the end of its stream, growing `out` as it fills.
fn run(state: &mut impl Flate, bytes: &[u8], mut out: Vec<u8>) -> Option<Vec<u8>> {
    loop {
        let before = (state.total_in(), out.len());
        let read = usize::try_from(before.0).ok()?;
        match state.step(bytes.get(read..)?, &mut out)? {
            flate2::Status::StreamEnd => return Some(out),
            // No progress with room to spare would loop for ever: deflating, the text stays
            // plain; inflating, the data ends before its stream does.
            _ if (state.total_in(), out.len()) == before && out.len() < out.capacity() => return None,
            _ => out.reserve(out.capacity()),
        }
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Kept as written: parsing numbers and printing them again could change their digits.
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(Metadata::from_text(raw))
    }
}

/// A [`BaseModel`] as a report holds it (`modelgate merge` reads reports back).
#[derive(Deserialize)]
struct BaseModelRead {
    id: String,
    licence: Option<String>,
    category: Option<Category>,
    resolved_by: Option<String>,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    cycle: Vec<String>,
    evidence: Evidence,
}

impl<'de> Deserialize<'de> for BaseModel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let b = BaseModelRead::deserialize(deserializer)?;
        let resolved_by = match b.resolved_by.as_deref() {
            None => None,
            Some("scan") => Some("scan"),
            Some("catalogue") => Some("catalogue"),
            Some(other) => return Err(serde::de::Error::custom(format!("unknown resolved_by `{other}`"))),
        };
        let BaseModelRead { id, licence, category, source, cycle, evidence, .. } = b;
        Ok(BaseModel { id, licence, category, resolved_by, source, cycle, evidence })
    }
}

impl Serialize for Metadata {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            MetadataText::Plain(raw) => raw.serialize(serializer),
            MetadataText::Deflated(_) => {
                let raw = serde_json::value::RawValue::from_string(self.text().into_owned())
                    .map_err(serde::ser::Error::custom)?;
                raw.serialize(serializer)
            }
        }
    }
}

/// The front-matter keys identification and grouping read: licence, lineage and the EU gate.
#[derive(Clone, Debug, Default)]
pub struct CardMeta {
    /// `license:` (a string or a list).
    pub license: Vec<Located<String>>,
    /// `license_name:`.
    pub license_name: Option<Located<String>>,
    /// `license_link:`.
    pub license_link: Option<Located<String>>,
    /// `base_model:` (a string or a list).
    pub base_model: Vec<Located<String>>,
    /// `model_name:` or `model-index[0].name`.
    pub model_name: Option<String>,
    /// `extra_gated_eu_disallowed: true`.
    pub eu_disallowed: Option<u32>,
}

/// The front-matter keys only the stages after identification read (openness, rules, the
/// report): held in the card's [`CardBody`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardKeys {
    /// `datasets:`.
    pub datasets: Vec<String>,
    /// `pipeline_tag:`.
    pub pipeline_tag: Option<String>,
    /// `library_name:`.
    pub library_name: Option<String>,
    /// `tags:`.
    pub tags: Vec<String>,
    /// `gated:` (true, `auto`, `manual`).
    pub gated: Option<Located<String>>,
    /// `model-index` present.
    pub has_model_index: bool,
    /// Hub dataset ids the `model-index` results were measured on (at most 50).
    pub eval_datasets: Vec<String>,
    /// Whether a `widget:` example shows an `output`.
    pub widget_output: bool,
    /// 1-based line of every top-level key (`model-index`, `datasets`, `tags` …).
    pub lines: KeyLines,
}

/// The 1-based line of each top-level front-matter key, in two allocations: every card's are
/// held until its model is reported, and a map of a score of keys took about a kilobyte.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLines {
    /// The keys, one after the other.
    keys: Box<str>,
    /// Where each key ends in `keys`, and its line.
    ends: Box<[(u32, u32)]>,
}

impl KeyLines {
    /// The lines of distinct keys; a key too far into a huge front matter to index is left out.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, u32)>) -> KeyLines {
        let mut keys = String::new();
        let mut ends = Vec::new();
        for (key, line) in pairs {
            let Ok(end) = u32::try_from(keys.len() + key.len()) else { break };
            keys.push_str(key);
            ends.push((end, line));
        }
        KeyLines { keys: keys.into_boxed_str(), ends: ends.into_boxed_slice() }
    }

    /// The line of `key`.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.iter().find(|&(k, _)| k == key).map(|(_, line)| line)
    }

    /// Each key with its line, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(end, _)| end as usize));
        starts
            .zip(self.ends.iter())
            .map(|(start, &(end, line))| (self.keys.get(start..end as usize).unwrap_or(""), line))
    }
}

/// One heading of a card body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Heading text.
    pub title: String,
    /// 1-based heading level.
    pub level: u8,
    /// 1-based line of the heading.
    pub line: u32,
    /// What the section is about, when we can tell.
    pub kinds: Vec<SectionKind>,
    /// Whether it holds real content (template placeholders such as
    /// `[More Information Needed]` do not count).
    pub filled: bool,
    /// The start of its own text (at most 500 characters, lines joined), for sections on intended
    /// use, out-of-scope use, limitations and training data: what BOMs carry as considerations.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub excerpt: Option<String>,
}

/// A licence, notice or use-policy text, read whole (up to the size limit).
#[derive(Clone, Debug)]
pub struct LicenceText {
    /// Relative path.
    pub file: String,
    /// The text, lossily decoded as UTF-8.
    pub text: String,
}

/// A weight file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightFile {
    /// Relative path.
    pub file: String,
    /// Format: what the content is when its first bytes say so, else what the extension names.
    pub format: WeightFormat,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the whole file, hex, when `--hash` was given (set after the scan, by `app`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sha256: Option<String>,
    /// What the file's own header says (empty for formats whose header is not read).
    #[serde(flatten)]
    pub header: Box<WeightHeader>,
}

impl WeightFile {
    /// A weight file whose header has not been read.
    pub fn new(file: impl Into<String>, format: WeightFormat, bytes: u64) -> Self {
        WeightFile { file: file.into(), format, bytes, sha256: None, header: Box::default() }
    }
}

/// Facts a weight file states about itself, read from its header only. Nothing here is a
/// judgement: which imports are unsafe, or which licence the text names, is decided later.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightHeader {
    /// The format the file name's extension names, set only when the content is another one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extension_format: Option<WeightFormat>,
    /// The licence the header declares.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub licence: Option<HeaderLicence>,
    /// Base models the header names (GGUF `general.base_model.*`): a Hub URL when given, else
    /// `organization/name` or the name.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub base_models: Vec<String>,
    /// Number of tensors.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tensors: Option<u64>,
    /// Number of parameters (sum of the tensors' element counts).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parameters: Option<u64>,
    /// Tensor element types, sorted (`F16`, `BF16`, `Q4_K` …).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dtypes: Vec<String>,
    /// GGUF `general.file_type`, by name (`Q4_K_M`, `F16` …).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub quantisation: Option<String>,
    /// Whether a GGUF carries `tokenizer.chat_template` (a Jinja program run by chat front ends).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub chat_template: bool,
    /// What walking the file's pickles found (PyTorch checkpoints, raw pickles, joblib).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pickle: Option<PickleScan>,
    /// Names of the Keras `Lambda` layers in the model config; absent when no config was found.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lambda_layers: Option<Vec<String>>,
    /// Other header keys as written (safetensors `__metadata__`, GGUF scalars and short arrays,
    /// ONNX producer, opsets and `metadata_props`, Keras version), long values shortened.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", default)]
    pub metadata: std::collections::BTreeMap<String, serde_json::Value>,
    /// What the reader noticed or could not read (a legacy torch file, a limit reached).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
    /// Why the header could not be read to its end (corrupt, truncated, or a length field past a
    /// limit); the facts above are those read before that point.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub header_error: Option<String>,
}

/// A licence as a weight header declares it, with the same three keys a card has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderLicence {
    /// An id or SPDX expression (`general.license`, `__metadata__.license`, ONNX `model_license`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub license: Option<String>,
    /// A licence name (`general.license.name`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// A licence URL (`general.license.link`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub link: Option<String>,
}

/// The globals a file's pickles import, found by walking their opcodes (never by unpickling).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickleScan {
    /// Every imported global as `module.name`, sorted and unique (control characters escaped).
    pub imports: Vec<String>,
    /// The pickle streams walked (zip members, or `pickle 1`… for concatenated pickles).
    pub streams: Vec<String>,
    /// Highest pickle protocol seen.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub protocol: Option<u8>,
    /// Set when the walk stopped where Python's unpickler would go on (a limit of ours,
    /// compressed or embedded data), so imports after that point are unknown.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unverified: Option<String>,
}

/// A `config.json` that describes a model architecture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    /// Relative path.
    pub file: String,
    /// `model_type`.
    pub model_type: Option<String>,
    /// `architectures`.
    pub architectures: Vec<String>,
}

/// What parsing one artifact produced.
#[derive(Clone, Debug)]
pub enum Parsed {
    /// A model or dataset card.
    Card(Box<Card>),
    /// A licence text.
    Licence(LicenceText),
    /// A weight file.
    Weights(WeightFile),
    /// A model config.
    Config(ModelConfig),
    /// A source file that holds training, inference or modelling code.
    Code(String),
    /// A place in code or configuration that names a model.
    Reference(Box<Reference>),
    /// A Model Openness Tool model file.
    Mot(Box<MotFile>),
    /// A problem to report.
    Problem(Problem),
}

/// A place in code or configuration (or an inventory line) that names a model.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CodeReference {
    /// Relative path.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// What names it: the call, command or argument (`from_pretrained`, `ollama pull`,
    /// `OpenAI client` …).
    pub via: String,
    /// The model as written there.
    pub value: String,
}

/// What a model name found outside a card points at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelTarget {
    /// A Hugging Face Hub repository (`owner/name`, or a legacy name without owner).
    Hub(String),
    /// An Ollama model: `namespace/model:tag` (`library/llama3.2:3b`), with the registry in
    /// front when it is not the default one (`hf.co/owner/repo:Q4_K_M`).
    Ollama(String),
    /// A model served by a provider's API: provider id (`providers/<id>.toml`) and model name,
    /// `*` when the code builds a client but the model name is not written in it.
    Hosted {
        /// Provider id.
        provider: String,
        /// Model name as the API knows it.
        model: String,
    },
}

impl ModelTarget {
    /// The record id: the Hub id, the Ollama name, or `provider:model`.
    pub fn id(&self) -> String {
        match self {
            ModelTarget::Hub(id) | ModelTarget::Ollama(id) => id.clone(),
            ModelTarget::Hosted { provider, model } => format!("{provider}:{model}"),
        }
    }
}

/// A code reference and what it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The model.
    pub target: ModelTarget,
    /// Where.
    pub at: CodeReference,
}

/// A line of an inventory file (`--inventory`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEntry {
    /// The inventory file, as given.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The model id as written.
    #[serde(skip)]
    pub id: String,
    /// Pinned revision, when the inventory gives one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revision: Option<String>,
    /// Owning team.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub team: Option<String>,
    /// Deployment region.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub region: Option<String>,
    /// Every other column, as written.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub columns: BTreeMap<String, String>,
}

/// A model reached through a provider's API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hosted {
    /// Provider id (`openai`, `azure-openai`, `aws-bedrock` …).
    pub provider: String,
    /// Model name (`*` when not written in the code).
    pub model: String,
}

/// Where a model record comes from beyond its files: the sources that named it, the revision,
/// the code that uses it, the inventory lines that list it.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// Every source that named the model, the record's own first.
    pub sources: Vec<Source>,
    /// Revision: the commit of a Hub repository or cache snapshot, the model layer digest of an
    /// Ollama model.
    pub revision: Option<String>,
    /// Branches or tags that point at the revision (`refs/` of the cache, or the revision asked
    /// of the Hub).
    pub refs: Vec<String>,
    /// For a model behind a provider's API.
    pub hosted: Option<Hosted>,
    /// Every place in code or configuration that names it.
    pub references: Vec<CodeReference>,
    /// The inventory lines that list it.
    pub inventory: Vec<InventoryEntry>,
}

/// One model or dataset found by a source other than the repository walk (a Hugging Face cache
/// snapshot, an Ollama manifest, a Hub repository, an inventory line): who it is, and the files
/// to parse for it. Assembling turns it into a [`ModelEvidence`] or [`DatasetEvidence`].
#[derive(Clone, Debug)]
pub struct Entry {
    /// Model id.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// A dataset repository rather than a model.
    pub dataset: bool,
    /// Where it lives (a cache path, a Hub URL, `inventory.csv:3`).
    pub location: String,
    /// Revision, references, inventory lines.
    pub provenance: Provenance,
    /// Files to parse; `path` may point into a cache, `rel` is what reports show.
    pub artifacts: Vec<Artifact>,
    /// Facts known without reading anything (weights named by a manifest or a file list).
    pub known: Vec<Parsed>,
}

// ---------------------------------------------------------------------------------------------
// assemble → identify

/// Everything found for one model, before any judgement.
#[derive(Clone, Debug)]
pub struct ModelEvidence {
    /// Model id.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// Directory (or card file, when a directory holds several cards) relative to the root.
    pub location: String,
    /// The card, if any.
    pub card: Option<Box<Card>>,
    /// Licence texts next to the card or weights.
    pub licence_texts: Vec<LicenceText>,
    /// Weight files.
    pub weights: Vec<WeightFile>,
    /// Model configs.
    pub configs: Vec<ModelConfig>,
    /// Source files in the model directory (training, inference, modelling code).
    pub code: Vec<String>,
    /// Revision, other sources, code references, inventory lines.
    pub provenance: Provenance,
    /// The Model Openness Tool file the model was read from (`scan --mof`).
    pub mot: Option<Box<MotFile>>,
}

impl ModelEvidence {
    /// The model's parameter count as its weight headers give it: shards of one file set
    /// (`-00001-of-00004`) are added up, and when a directory holds several copies (formats or
    /// quantisations) the largest set counts. `None` when no header gave a count.
    pub fn parameters(&self) -> Option<u64> {
        let mut sets: std::collections::BTreeMap<(String, WeightFormat), u64> = std::collections::BTreeMap::new();
        for w in &self.weights {
            let Some(p) = w.header.parameters else { continue };
            let total = sets.entry((shard_set(&w.file), w.format)).or_insert(0);
            *total = total.saturating_add(p);
        }
        sets.into_values().max()
    }
}

/// The name a shard shares with its siblings: `model-00001-of-00004.safetensors` → `model-of-00004`.
fn shard_set(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    if let Some((head, total)) = stem.rsplit_once("-of-")
        && let Some((base, index)) = head.rsplit_once('-')
        && !index.is_empty()
        && index.bytes().all(|b| b.is_ascii_digit())
        && total.bytes().all(|b| b.is_ascii_digit())
    {
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        return format!("{dir}/{base}-of-{total}");
    }
    file.to_string()
}

/// A model file of the LF AI & Data Model Openness Tool (the YAML it keeps in `models/`,
/// schema `mof_schema.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MotFile {
    /// Relative path.
    pub file: String,
    /// `framework.name`, `framework.version`, `framework.date`.
    pub framework: MotFramework,
    /// `release`.
    pub release: MotRelease,
}

/// `framework:` of a MOT file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotFramework {
    /// `name`.
    pub name: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `date`.
    pub date: Option<String>,
}

/// `release:` of a MOT file: the model and what it ships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MotRelease {
    /// `name`, with its line.
    pub name: Located<String>,
    /// Scalar keys as written (`version`, `date`, `type`, `architecture`, `treatment`, `origin`,
    /// `producer`, `contact`, `repository`, `huggingface`, …), in file order.
    pub fields: Vec<(String, String)>,
    /// `license.distribution|code|data|document`.
    pub licences: Vec<MotLicence>,
    /// `components`, in file order.
    pub components: Vec<MotComponent>,
}

/// A release-wide licence of a MOT file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotLicence {
    /// Which content it covers (`distribution`, `code`, `data`, `document`).
    pub scope: LicenceScope,
    /// `name`, with its line; `None` when empty.
    pub name: Option<Located<String>>,
    /// `path`.
    pub path: Option<String>,
}

/// A component listed in a MOT file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotComponent {
    /// The framework component its `name` names.
    pub component: MofComponent,
    /// 1-based line of its `name`.
    pub line: u32,
    /// `description`.
    pub description: Option<String>,
    /// `license`: `None` when absent or null (the licence is inherited); `""` or `unlicensed`
    /// mean no licence.
    pub licence: Option<Located<String>>,
    /// `license_path`.
    pub licence_path: Option<String>,
    /// `component_path`.
    pub path: Option<String>,
}

/// A dataset card found in the scan.
#[derive(Clone, Debug)]
pub struct DatasetEvidence {
    /// Dataset id.
    pub id: String,
    /// Location relative to the root.
    pub location: String,
    /// The card.
    pub card: Card,
    /// Licence texts next to it.
    pub licence_texts: Vec<LicenceText>,
    /// Source and revision.
    pub provenance: Provenance,
}

/// What assembling the parsed artifacts produced.
#[derive(Clone, Debug, Default)]
pub struct Assembled {
    /// One entry per model, sorted by id then location.
    pub models: Vec<ModelEvidence>,
    /// One entry per dataset card.
    pub datasets: Vec<DatasetEvidence>,
    /// Per-file problems.
    pub problems: Vec<Problem>,
}

// ---------------------------------------------------------------------------------------------
// identify → classify → evaluate → report

/// Where a fact was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// Relative path.
    pub file: String,
    /// 1-based line, when the fact sits on one.
    pub line: Option<u32>,
    /// What kind of evidence.
    pub kind: EvidenceKind,
    /// The value as written there (`license: llama3.1` → `llama3.1`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<String>,
}

/// One licence of a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicencePart {
    /// Catalogue id (or the declared name, when it is not in the catalogue).
    pub id: String,
    /// SPDX id or `LicenseRef-…`.
    pub spdx: String,
    /// Full name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Where it was declared or found.
    pub evidence: Vec<Evidence>,
}

/// How a model's licences combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combination {
    /// Every part applies (card lists, weights and code under different terms, conflicts).
    All,
    /// The user may choose one part (dual licensing).
    Any,
}

/// The identified licence of a model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Licensing {
    /// Catalogue id, or an expression of ids (`llama3.1 AND mit`); `none` when nothing was found.
    pub id: String,
    /// SPDX expression (`LicenseRef-llama3.1 AND MIT`), or `NOASSERTION`.
    pub spdx: String,
    /// Full name (names joined for an expression).
    pub name: String,
    /// The category a user must respect: the most restrictive part for AND, the least for OR.
    pub category: Category,
    /// How the parts combine.
    #[serde(skip)]
    pub combination: Combination,
    /// Evidence for every part.
    pub evidence: Vec<Evidence>,
    /// Each licence on its own.
    pub parts: Vec<LicencePart>,
    /// Licence texts found but not identified.
    #[serde(skip)]
    pub unidentified: Vec<Evidence>,
    /// Sources that disagree.
    #[serde(skip)]
    pub conflicts: Vec<Conflict>,
}

/// Two sources that name different licences for the same model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conflict {
    /// What the card declares.
    pub declared: Vec<String>,
    /// What another source says.
    pub found: String,
    /// Where that other source is.
    pub evidence: Evidence,
}

/// A restriction that applies to a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Restriction {
    /// Kind.
    pub kind: RestrictionKind,
    /// Plain words, with parameters; shared with the catalogue entry it comes from and with the
    /// models that inherit it.
    pub detail: std::sync::Arc<str>,
    /// Where it comes from (licence clause, card key, base model).
    pub evidence: Vec<Evidence>,
    /// The licence that imposes it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub licence: Option<String>,
    /// Set when the restriction comes from a base model rather than the model's own licence.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub inherited_from: Option<String>,
    /// `user-threshold`: monthly active users.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub users: Option<u64>,
    /// `revenue-threshold`: annual revenue, US$.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revenue_usd: Option<u64>,
    /// `territorial`: excluded regions.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub regions: Vec<String>,
}

impl Restriction {
    /// The kind with its parameter, as a reviewer reads it: `user-threshold (700M monthly
    /// active users)`, `territorial (EU)`.
    pub fn label(&self) -> String {
        match self.kind {
            RestrictionKind::UserThreshold if self.users.is_some() => {
                format!("user-threshold ({} monthly active users)", human(self.users.unwrap_or_default()))
            }
            RestrictionKind::RevenueThreshold if self.revenue_usd.is_some() => {
                format!("revenue-threshold (US${} a year)", human(self.revenue_usd.unwrap_or_default()))
            }
            RestrictionKind::Territorial if !self.regions.is_empty() => {
                format!("territorial ({})", self.regions.join(", "))
            }
            k => k.as_str().to_string(),
        }
    }
}

/// A number as people write it in licences (`700M`).
pub fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 && n % 1_000_000_000 == 0 => format!("{}B", n / 1_000_000_000),
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// A base model of a fine-tune, quantisation, adapter or merge, with its licence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaseModel {
    /// Hub id or name as the card gives it.
    pub id: String,
    /// The base's licence id, when known.
    pub licence: Option<String>,
    /// The base's licence category, when known.
    pub category: Option<Category>,
    /// How we know: `scan` (a card for it was found in this scan) or `catalogue`.
    pub resolved_by: Option<&'static str>,
    /// For `scan`: the source of the record it resolved to (`repository`, `hf-cache`, `hub` …).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<Source>,
    /// Set when the chain of bases loops back: the ids around the loop, this model first.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cycle: Vec<String>,
    /// The `base_model:` line.
    pub evidence: Evidence,
}

/// A derivative whose declared licence drops restrictions its base imposes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineageBreak {
    /// The base.
    pub base: String,
    /// The base's licence.
    pub base_licence: String,
    /// Restriction kinds the base imposes and the derivative's licence does not.
    pub dropped: Vec<RestrictionKind>,
    /// The `base_model:` line.
    pub evidence: Evidence,
}

/// Identify's verdict on one model.
#[derive(Clone, Debug)]
pub struct Identified {
    /// What was found.
    pub evidence: ModelEvidence,
    /// The licence.
    pub licensing: Licensing,
    /// Restrictions, own and inherited.
    pub restrictions: Vec<Restriction>,
    /// Base models.
    pub bases: Vec<BaseModel>,
    /// Lineage breaks.
    pub lineage_breaks: Vec<LineageBreak>,
    /// The hash of what the licence was decided on ([`crate::pin::licence_hash`]), computed
    /// once: clarifications, waivers and the report all read it.
    pub licence_hash: String,
}

/// Identify's verdict on one dataset.
#[derive(Clone, Debug)]
pub struct IdentifiedDataset {
    /// What was found.
    pub evidence: DatasetEvidence,
    /// Its licence.
    pub licensing: Licensing,
}

/// How open a model is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Openness {
    /// Weights.
    pub weights: WeightsOpenness,
    /// Training data.
    pub data: DataOpenness,
    /// Code.
    pub code: CodeOpenness,
    /// Model Openness Framework class (the same as `mof.class`).
    pub mof_class: Option<MofClass>,
    /// Why, one sentence per axis and one for the class.
    pub reasons: Vec<String>,
    /// The Model Openness Framework 1.0 evaluation.
    pub mof: MofVerdict,
    /// The OSI Open Source AI Definition 1.0 test.
    pub osaid: OsaidVerdict,
    /// Open, partial or closed per dimension, as the European Open Source AI Index grades.
    pub dimensions: BTreeMap<Dimension, Grade>,
}

/// The Model Openness Framework verdict on one model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MofVerdict {
    /// The best class whose every required component is present under an open licence.
    pub class: Option<MofClass>,
    /// Progress towards each class in whole percent, computed and rounded as the Model Openness
    /// Tool does (a class shows 0 until every class below it in the hierarchy is complete).
    pub progress: BTreeMap<MofClass, u8>,
    /// Every component of the framework, present or not, in the framework's order.
    pub components: Vec<MofComponentVerdict>,
}

/// One MOF component of one model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MofComponentVerdict {
    /// The framework's name for it.
    pub name: MofComponent,
    /// Whether the model has it.
    pub present: bool,
    /// The licence it resolved to (SPDX id, catalogue id, or the name as written), if any.
    pub licence: Option<String>,
    /// Where that licence came from: the component's own, a release-wide licence for its
    /// content type, or the distribution licence.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub licence_from: Option<LicenceScope>,
    /// The verdict.
    pub status: MofStatus,
    /// Code, data or document.
    pub content: ContentType,
    /// The class that first requires it; null for optional components.
    pub required_for: Option<MofClass>,
    /// Where it was found.
    pub evidence: Vec<Evidence>,
    /// A substitution or warning (a paper standing for the report, a licence that is open but
    /// not written for this kind of content).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

/// The OSI Open Source AI Definition 1.0 test.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsaidVerdict {
    /// Whether every required element is there under open terms and nothing restricts use.
    pub pass: bool,
    /// One sentence per element (data information, code, parameters, use restrictions).
    pub reasons: Vec<String>,
}

/// A model with every verdict.
#[derive(Clone, Debug)]
pub struct Assessed {
    /// Identification.
    pub identified: Identified,
    /// Openness.
    pub openness: Openness,
}

/// A policy finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Severity after configuration.
    pub severity: Severity,
    /// Model id, when the finding is about a model.
    pub model: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Relative path of the file to look at.
    pub file: Option<String>,
    /// 1-based line in that file.
    pub line: Option<u32>,
    /// What to do about it: the rule's help, shared by its findings (72,000 findings of a
    /// large scan held 15 MB of copies).
    pub help: std::sync::Arc<str>,
    /// Stable hash of rule, model and content (never the line), set by the sink; baselines and
    /// SARIF match findings across scans by it.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub fingerprint: String,
}

/// A finding that a waiver or the baseline keeps from failing the scan; reported, not counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    /// The finding, as it would have been reported.
    #[serde(flatten)]
    pub finding: Finding,
    /// Why it does not count.
    pub suppression: Suppression,
}

/// What suppressed a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Suppression {
    /// A `[[waiver]]` of the configuration.
    Waiver {
        /// The reason the waiver gives.
        reason: String,
        /// Its expiry date, `YYYY-MM-DD`.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        expires: Option<String>,
        /// The licence hash it is pinned to.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        licence_hash: Option<String>,
        /// The configuration file.
        file: String,
        /// The line of the waiver in it.
        line: u32,
    },
    /// A baseline file (`--baseline`).
    Baseline {
        /// The baseline file.
        file: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_people_write_them() {
        assert_eq!(human(700_000_000), "700M");
        assert_eq!(human(1_000_000), "1M");
        assert_eq!(human(1_500), "1500");
        assert_eq!(human(2_000_000_000), "2B");
    }

    #[test]
    fn front_matter_survives_being_kept_deflated() {
        // Small, compressible and barely compressible texts, several on one thread's states.
        let noise: String =
            (0..40_000u32).map(|i| char::from(b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26)).collect();
        for value in [
            serde_json::json!({"license": "mit"}),
            serde_json::json!({"license": "other", "widget": vec!["the same example text"; 2_000]}),
            serde_json::json!({"license": "apache-2.0", "noise": noise, "n": 1.5}),
        ] {
            let kept = Metadata::from_value(&value);
            let deflated = serde_json::to_string(&value).unwrap().len() > Metadata::DEFLATE_OVER;
            assert_eq!(matches!(kept.0, MetadataText::Deflated(_)), deflated);
            assert_eq!(kept.to_value(), value);
            assert_eq!(kept.get("license"), value.get("license").cloned());
        }
    }

    #[test]
    fn key_lines_find_whole_keys_only() {
        let k = KeyLines::new([("datasets", 3), ("tags", 7), ("a", 9), ("", 11)]);
        assert_eq!((k.get("datasets"), k.get("tags"), k.get("a"), k.get("")), (Some(3), Some(7), Some(9), Some(11)));
        assert_eq!((k.get("data"), k.get("sets"), k.get("tagsa"), k.get("x")), (None, None, None, None));
        assert_eq!(KeyLines::default().get("tags"), None);
    }

    #[test]
    fn damaged_deflated_text_reads_as_nothing() {
        let bytes = deflate("{\"license\": \"mit\", \"tags\": [\"a\", \"b\"]}".repeat(100).as_bytes()).unwrap();
        assert!(inflate(&bytes).is_some());
        assert_eq!(inflate(&bytes[..bytes.len() / 2]), None);
        let kept = Metadata(MetadataText::Deflated(bytes[..bytes.len() / 2].into()));
        assert_eq!(kept.to_value(), serde_json::json!({}));
    }
}
