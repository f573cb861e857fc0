//! The provider table: who serves models and how code names them. One TOML file per provider in
//! `providers/`, embedded in the binary and compiled once.
//!
//! A provider is the Hugging Face Hub, Ollama, or a hosted API (OpenAI, Anthropic, Bedrock …).
//! Its file says how code names its models (`[[calls]]` patterns for the Hub and Ollama, client
//! constructors and whole model names for hosted APIs) and, for a hosted API, the terms its
//! models are used under. Code elsewhere asks this table; it never matches on vendor names
//! itself.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::{Regex, RegexSet};
use serde::Deserialize;

use crate::{
    catalogue::RestrictionDef,
    model::{Language, ModelTarget},
    needles,
};

include!(concat!(env!("OUT_DIR"), "/providers.rs"));

/// What a provider is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// The Hugging Face Hub: its calls name Hub repository ids.
    Hub,
    /// Ollama: its calls name Ollama models.
    Ollama,
    /// A hosted API: its models are reached over the network under the provider's terms.
    Hosted,
}

/// One `providers/<id>.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// The data file (set by the loader).
    #[serde(skip)]
    pub file: String,
    /// Stable id (`openai`, `aws-bedrock`): the `vendor` of hosted records.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Hub, Ollama or hosted.
    pub kind: ProviderKind,
    /// For a hosted API: the terms its models are used under.
    #[serde(default)]
    pub terms: Option<Terms>,
    /// Other providers whose models this one also serves (Azure serves OpenAI's).
    #[serde(default)]
    pub serves: Vec<String>,
    /// Prefixes code puts before a model name to pick this provider (`openai/gpt-4o` in LiteLLM).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Prefixes the API accepts before a model name and that are not part of it (`models/`).
    #[serde(default)]
    pub strip: Vec<String>,
    /// Regular expressions for a call site of the provider's client (a constructor, an API call).
    #[serde(default)]
    pub clients: Vec<String>,
    /// Regular expressions that put a file in the provider's context without being a call site
    /// (an import).
    #[serde(default)]
    pub context: Vec<String>,
    /// Model names, first match wins.
    #[serde(default)]
    pub models: Vec<ModelDef>,
    /// How code names the provider's models (Hub and Ollama).
    #[serde(default)]
    pub calls: Vec<CallDef>,
}

impl Provider {
    /// How reports name the provider's API: `OpenAI API`, `Gemini API`.
    pub fn api_name(&self) -> String {
        if self.name.ends_with(" API") { self.name.clone() } else { format!("{} API", self.name) }
    }
}

/// The terms a hosted provider's models are used under, in our own words.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// The catalogue entry for these terms, when the catalogue has one (`openai-tou`): it is
    /// the single source of their facts, and `restrictions` stay empty.
    #[serde(default)]
    pub licence: Option<String>,
    /// Licence-like id (`openai-terms`), reported as the model's licence when `licence` is not
    /// set.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Where the terms are published.
    pub url: String,
    /// What the terms restrict.
    #[serde(default)]
    pub restrictions: Vec<RestrictionDef>,
}

/// A family of model names.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelDef {
    /// Whole-name pattern; `*` matches any run of letters, digits and `. _ - : @`.
    pub pattern: String,
    /// For open-weight models: the catalogue licence of the weights. Absent: closed weights.
    #[serde(default)]
    pub licence: Option<String>,
}

/// A way code names a model of a Hub or Ollama provider.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallDef {
    /// What the call is, for reports (`from_pretrained`, `ollama pull`).
    pub what: String,
    /// A regular expression over one line with a named group `id`.
    pub pattern: String,
    /// Languages it applies to; empty: all. Notebooks count as Python.
    #[serde(default)]
    pub languages: Vec<Language>,
    /// Hub ids only: refuse names without an owner (`gpt2`), which are too ambiguous here.
    #[serde(default)]
    pub owner_required: bool,
    /// Hub ids only: the owner of a name given without one (`sentence-transformers`).
    #[serde(default)]
    pub default_owner: Option<String>,
}

/// A problem in the embedded provider data (a bug in `providers/`, caught by tests).
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Not valid TOML for the schema, or inconsistent.
    #[error("providers/{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// A compiled call pattern.
#[derive(Debug)]
pub struct Call {
    /// Index of the provider.
    pub provider: usize,
    /// Its definition.
    pub def: CallDef,
    /// The compiled pattern.
    pub regex: Regex,
}

/// A hosted model name as the table knows it.
#[derive(Clone, Copy, Debug)]
pub struct HostedMatch<'a, 'n> {
    /// The provider whose family the name belongs to (the maker's API).
    pub maker: &'a Provider,
    /// The model family.
    pub model: &'a ModelDef,
    /// The name without API prefixes (`models/gemini-1.5-pro` → `gemini-1.5-pro`).
    pub name: &'n str,
    /// The provider an alias prefix picked (`azure/gpt-4o`), if any.
    pub via_alias: Option<&'a Provider>,
}

/// Every provider, compiled.
#[derive(Debug)]
pub struct Providers {
    providers: Vec<Provider>,
    calls: Vec<Call>,
    call_set: RegexSet,
    /// (provider index, is a call site) per client/context pattern.
    sites: Vec<(usize, bool)>,
    site_set: RegexSet,
    /// Every call and site pattern in multi-line mode, to screen a whole file at once.
    text_set: RegexSet,
    /// Per language, the literals some call, site or model pattern needs (ASCII
    /// case-insensitive): a file with none of them names no model. `None` when a pattern needs
    /// no literal.
    needles: Vec<(Language, Option<AhoCorasick>)>,
    /// (provider index, model index) per model pattern.
    models: Vec<(usize, usize)>,
    model_set: RegexSet,
}

impl Providers {
    /// The embedded table, compiled on first use.
    ///
    /// # Panics
    /// Only if the embedded data is broken, which `tests::embedded_providers_load` rules out.
    pub fn get() -> &'static Providers {
        static PROVIDERS: OnceLock<Providers> = OnceLock::new();
        PROVIDERS.get_or_init(|| {
            Providers::from_files(PROVIDER_FILES).unwrap_or_else(|e| panic!("embedded provider table is broken: {e}"))
        })
    }

    /// Builds the table from `(file name, TOML)` pairs.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Providers, ProviderError> {
        let mut providers = Vec::new();
        for (file, text) in files {
            let err = |message: String| ProviderError::Invalid { file: file.to_string(), message };
            let mut p: Provider = toml::from_str(text).map_err(|e| err(e.to_string()))?;
            p.file = file.to_string();
            if file.strip_suffix(".toml") != Some(p.id.as_str()) {
                return Err(err(format!("file name must be the id: expected `{}.toml`", p.id)));
            }
            match p.kind {
                ProviderKind::Hosted if p.terms.is_none() => {
                    return Err(err("a hosted provider needs `[terms]`".into()));
                }
                ProviderKind::Hosted if !p.calls.is_empty() => {
                    return Err(err("`[[calls]]` are for Hub and Ollama providers".into()));
                }
                ProviderKind::Hub | ProviderKind::Ollama if !p.models.is_empty() || !p.clients.is_empty() => {
                    return Err(err("`models` and `clients` are for hosted providers".into()));
                }
                _ => {}
            }
            providers.push(p);
        }
        providers.sort_by(|a, b| a.id.cmp(&b.id));
        for p in &providers {
            for s in &p.serves {
                if !providers.iter().any(|q| &q.id == s && q.kind == ProviderKind::Hosted) {
                    return Err(ProviderError::Invalid {
                        file: p.file.clone(),
                        message: format!("serves unknown hosted provider `{s}`"),
                    });
                }
            }
        }
        let invalid = |p: &Provider, message: String| ProviderError::Invalid { file: p.file.clone(), message };

        // `\b` is an ASCII word boundary here: a Unicode one makes the matcher leave its DFA for a
        // much slower engine on every line with a non-ASCII character.
        let ascii = |pattern: &str| pattern.replace(r"\b", r"(?-u:\b)");
        let mut calls = Vec::new();
        let mut sites = Vec::new();
        let mut site_patterns = Vec::new();
        let mut models = Vec::new();
        let mut model_patterns = Vec::new();
        for (pi, p) in providers.iter().enumerate() {
            for c in &p.calls {
                let pattern = ascii(&c.pattern);
                let regex = Regex::new(&pattern).map_err(|e| invalid(p, format!("call `{}`: {e}", c.what)))?;
                if !regex.capture_names().any(|n| n == Some("id")) {
                    return Err(invalid(p, format!("call `{}` has no `(?P<id>…)` group", c.what)));
                }
                calls.push(Call { provider: pi, def: CallDef { pattern, ..c.clone() }, regex });
            }
            for (list, is_call) in [(&p.clients, true), (&p.context, false)] {
                for s in list {
                    let pattern = ascii(s);
                    Regex::new(&pattern).map_err(|e| invalid(p, format!("client pattern `{s}`: {e}")))?;
                    sites.push((pi, is_call));
                    site_patterns.push(pattern);
                }
            }
            for (mi, m) in p.models.iter().enumerate() {
                if m.pattern.is_empty() || m.pattern.chars().all(|c| c == '*') {
                    return Err(invalid(p, format!("model pattern `{}` matches everything", m.pattern)));
                }
                models.push((pi, mi));
                model_patterns.push(glob_regex(&m.pattern));
            }
        }
        let call_set = RegexSet::new(calls.iter().map(|c| c.def.pattern.as_str()))
            .map_err(|e| ProviderError::Invalid { file: "*".into(), message: e.to_string() })?;
        let site_set = RegexSet::new(&site_patterns)
            .map_err(|e| ProviderError::Invalid { file: "*".into(), message: e.to_string() })?;
        let model_set = RegexSet::new(&model_patterns)
            .map_err(|e| ProviderError::Invalid { file: "*".into(), message: e.to_string() })?;
        // `^` at every line start: a pattern that matches on a line then matches in the text.
        let text_set =
            RegexSet::new(calls.iter().map(|c| &c.def.pattern).chain(&site_patterns).map(|p| format!("(?m:{p})")))
                .map_err(|e| ProviderError::Invalid { file: "*".into(), message: e.to_string() })?;
        let globs = || providers.iter().flat_map(|p| &p.models).map(|m| m.pattern.as_str());
        let needles = Language::ALL
            .iter()
            .map(|&language| {
                let family = language.family();
                let calls = calls.iter().filter(|c| c.def.languages.is_empty() || c.def.languages.contains(&family));
                let patterns = calls.map(|c| c.def.pattern.as_str()).chain(site_patterns.iter().map(String::as_str));
                (language, screen(patterns, globs()))
            })
            .collect();
        Ok(Providers { providers, calls, call_set, sites, site_set, text_set, needles, models, model_set })
    }

    /// Whether `text` may name a model: false means no line of it holds a literal that a call,
    /// client or model-name pattern needs, so [`crate::parse::references`] has nothing to find.
    /// One pass over the bytes, instead of a regex set over the file and a look at every string
    /// literal of every line.
    pub fn may_name_a_model(&self, language: Language, text: &str) -> bool {
        let screen = self.needles.iter().find(|(l, _)| *l == language).and_then(|(_, ac)| ac.as_ref());
        screen.is_none_or(|ac| ac.is_match(text))
    }

    /// Every provider, sorted by id.
    pub fn all(&self) -> &[Provider] {
        &self.providers
    }

    /// The provider with this id.
    pub fn by_id(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Provider by index (indexes come from [`Providers::calls_on`] and [`Providers::sites_on`]).
    pub fn at(&self, index: usize) -> &Provider {
        &self.providers[index]
    }

    /// The call patterns that match somewhere on a line.
    pub fn calls_on(&self, line: &str) -> Vec<&Call> {
        // `is_match` first: it stops at the first match and allocates nothing, and most lines
        // match nothing.
        if !self.call_set.is_match(line) {
            return Vec::new();
        }
        self.call_set.matches(line).into_iter().map(|i| &self.calls[i]).collect()
    }

    /// Whether a call or site pattern may match on some line of `text`: false means no line
    /// needs [`Providers::calls_on`] or [`Providers::sites_on`]. One pass over the file instead
    /// of two searches per line (the profile of a 100,000-file tree: most of the scan's CPU).
    pub fn may_match_in(&self, text: &str) -> bool {
        self.text_set.is_match(text)
    }

    /// Providers whose client or context patterns match on a line: (provider index, is a call
    /// site).
    pub fn sites_on(&self, line: &str) -> Vec<(usize, bool)> {
        let mut out: Vec<(usize, bool)> = Vec::new();
        if !self.site_set.is_match(line) {
            return out;
        }
        for i in self.site_set.matches(line).into_iter() {
            let (p, call) = self.sites[i];
            match out.iter_mut().find(|(q, _)| *q == p) {
                Some(entry) => entry.1 |= call,
                None => out.push((p, call)),
            }
        }
        out
    }

    /// Whether a provider (by index) serves the models of another (itself included).
    pub fn serves(&self, server: usize, maker: &Provider) -> bool {
        let s = &self.providers[server];
        s.id == maker.id || s.serves.contains(&maker.id)
    }

    /// The hosted model a whole name is, if the table knows it: `gpt-4o`, `models/gemini-1.5-pro`,
    /// `anthropic.claude-3-5-sonnet-20240620-v1:0`, `azure/gpt-4o`.
    pub fn hosted<'a, 'n>(&'a self, raw: &'n str) -> Option<HostedMatch<'a, 'n>> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 200 {
            return None;
        }
        // An alias prefix picks the provider: only its own and its served families count.
        for p in self.providers.iter().filter(|p| p.kind == ProviderKind::Hosted) {
            for a in &p.aliases {
                if let Some(rest) = strip_prefix_ignore_case(raw, a) {
                    let found = self.match_name(rest)?;
                    let pi = self.index_of(p);
                    return self.serves(pi, found.maker).then_some(HostedMatch { via_alias: Some(p), ..found });
                }
            }
        }
        self.match_name(raw)
    }

    fn match_name<'a, 'n>(&'a self, raw: &'n str) -> Option<HostedMatch<'a, 'n>> {
        let mut name = raw;
        for p in &self.providers {
            for s in &p.strip {
                if let Some(rest) = name.strip_prefix(s.as_str()) {
                    name = rest;
                }
            }
        }
        if !self.model_set.is_match(name) {
            return None;
        }
        let first = self.model_set.matches(name).into_iter().next()?;
        let (pi, mi) = self.models[first];
        let maker = &self.providers[pi];
        Some(HostedMatch { maker, model: &maker.models[mi], name, via_alias: None })
    }

    fn index_of(&self, p: &Provider) -> usize {
        self.providers.iter().position(|q| q.id == p.id).unwrap_or(0)
    }

    /// The model family of a hosted provider's model (its own or one it serves).
    pub fn model_of(&self, provider: &str, model: &str) -> Option<&ModelDef> {
        let p = self.by_id(provider)?;
        let found = self.match_name(model)?;
        self.serves(self.index_of(p), found.maker).then_some(found.model)
    }

    /// What a model name from an inventory line is: `hf:owner/name`, `ollama:llama3.2:3b`,
    /// `openai:gpt-4o` (any provider id), a known hosted name, an `owner/name` Hub id, a name
    /// with a `:tag` (Ollama), or else a Hub id without owner.
    pub fn classify(&self, raw: &str) -> Option<ModelTarget> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        if let Some((scheme, rest)) = raw.split_once(':') {
            match scheme.to_ascii_lowercase().as_str() {
                "hf" | "hub" | "huggingface" => return hub_id(rest, false, None).map(ModelTarget::Hub),
                "ollama" => return ollama_name(rest).map(ModelTarget::Ollama),
                s => {
                    if let Some(p) = self.by_id(s).filter(|p| p.kind == ProviderKind::Hosted) {
                        let model = rest.trim();
                        return (!model.is_empty())
                            .then(|| ModelTarget::Hosted { provider: p.id.clone(), model: model.to_string() });
                    }
                }
            }
        }
        if let Some(t) = self.hosted_target(raw, |_| None) {
            return Some(t);
        }
        if let Some(id) = hub_id(raw, true, None) {
            return Some(ModelTarget::Hub(id));
        }
        if raw.contains(':') || raw.starts_with("hf.co/") {
            return ollama_name(raw).map(ModelTarget::Ollama);
        }
        hub_id(raw, false, None).map(ModelTarget::Hub)
    }

    /// A hosted target for a whole name, with the serving provider chosen by `pick` among those
    /// that serve the name's family (default: the alias's provider, else the maker).
    pub fn hosted_target(&self, raw: &str, pick: impl Fn(&Provider) -> Option<String>) -> Option<ModelTarget> {
        let m = self.hosted(raw)?;
        // `openai/whisper-large-v3` is a Hub repository, not an API model: an alias prefix only
        // makes a hosted name when the family is closed.
        if m.via_alias.is_some() && m.model.licence.is_some() {
            return None;
        }
        let provider =
            m.via_alias.map(|p| p.id.clone()).or_else(|| pick(m.maker)).unwrap_or_else(|| m.maker.id.clone());
        Some(ModelTarget::Hosted { provider, model: m.name.to_string() })
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// The screen of [`Providers::may_name_a_model`]: `None` when some pattern needs no literal.
fn screen<'a>(patterns: impl Iterator<Item = &'a str>, globs: impl Iterator<Item = &'a str>) -> Option<AhoCorasick> {
    let mut all = Vec::new();
    for p in patterns {
        all.extend(needles::required(p)?);
    }
    for g in globs {
        all.push(needles::of_glob(g)?);
    }
    AhoCorasick::builder().ascii_case_insensitive(true).build(needles::minimal(all)).ok()
}

/// `*`-glob → anchored regex; `*` matches any run of `[A-Za-z0-9._:@-]`.
fn glob_regex(glob: &str) -> String {
    let mut out = String::from("^");
    for part in glob.split('*').enumerate() {
        if part.0 > 0 {
            out.push_str("[A-Za-z0-9._:@-]*");
        }
        out.push_str(&regex::escape(part.1));
    }
    out.push('$');
    out
}

/// A Hugging Face Hub repository id as code writes it, checked: `owner/name` (or, unless
/// `owner_required`, a legacy `name`), letters, digits, `-`, `_`, `.`, at most 96 characters a
/// part, no `--` or `..`. A `default_owner` completes a bare name. URLs
/// (`https://huggingface.co/owner/name`) and `hf.co/` prefixes are reduced to the id.
pub fn hub_id(raw: &str, owner_required: bool, default_owner: Option<&str>) -> Option<String> {
    let mut s = raw.trim().trim_end_matches('/');
    for prefix in ["https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf.co/", "hf://"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
        }
    }
    let valid_part = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && p.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !p.ends_with('.')
            && !p.contains("--")
            && !p.contains("..")
    };
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [owner, name] if valid_part(owner) && valid_part(name) => Some(format!("{owner}/{name}")),
        [name] if valid_part(name) && !owner_required && !looks_like_file(name) => Some(match default_owner {
            Some(o) => format!("{o}/{name}"),
            None => name.to_string(),
        }),
        _ => None,
    }
}

/// Names that are files, not models (`model.gguf`, `config.json`).
fn looks_like_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".json", ".gguf", ".bin", ".safetensors", ".pt", ".pth", ".onnx", ".txt", ".yaml", ".yml", ".py", ".ckpt"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// An Ollama model name in the store's form: `library/llama3.2:latest` for `llama3.2`,
/// `hf.co/owner/repo:Q4_K_M` kept with its registry; lower case, as Ollama compares them.
pub fn ollama_name(raw: &str) -> Option<String> {
    let s = raw.trim().trim_matches(|c| c == '"' || c == '\'');
    let s = s.strip_prefix("registry.ollama.ai/").unwrap_or(s);
    if s.is_empty()
        || s.len() > 256
        || s.starts_with(['.', '/', '~', '-'])
        || !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
        || looks_like_file(s)
    {
        return None;
    }
    let (path, tag) = match s.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, t),
        _ => (s, "latest"),
    };
    if path.is_empty() || tag.is_empty() || path.contains(':') {
        return None;
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.iter().any(|p| p.is_empty()) || parts.len() > 3 {
        return None;
    }
    let path = if parts.len() == 1 { format!("library/{path}") } else { path.to_string() };
    Some(format!("{path}:{tag}").to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_providers_load() {
        let p = Providers::from_files(PROVIDER_FILES).unwrap();
        assert!(p.by_id("openai").is_some());
        assert!(p.by_id("huggingface").is_some_and(|h| !h.calls.is_empty()));
    }

    #[test]
    fn every_embedded_pattern_needs_a_literal() {
        // Else the one-pass screen is off and every code file runs every regex.
        let p = Providers::get();
        for (language, screen) in &p.needles {
            assert!(screen.is_some(), "{language:?}: a pattern with no required literal");
        }
        let py = Language::Python;
        assert!(p.may_name_a_model(py, "m = AutoModel.from_pretrained('a/b')"));
        assert!(p.may_name_a_model(py, "x = 'GPT-4o'"));
        assert!(!p.may_name_a_model(py, "from os import path\ndef add(a, b):\n    return [a.get(k, 1) for k in b]\n"));
        // `FROM` names a model in a Modelfile only.
        assert!(p.may_name_a_model(Language::Modelfile, "FROM x\n"));
    }

    /// The screen's promise: a text any call or client pattern matches on, or holding a hosted
    /// model name, passes it. Texts are built from the pieces those patterns are made of, in
    /// any letter case.
    #[test]
    fn the_screen_passes_every_text_a_pattern_matches() {
        use proptest::prelude::*;
        let p = Providers::get();
        let mut pieces: Vec<String> = [
            " ",
            "  ",
            "\n",
            "(",
            ")",
            "\"",
            "'",
            "=",
            ":",
            ",",
            ".",
            "-",
            "_",
            "/",
            "x",
            "org/name",
            "gpt-4o",
            "o1",
            "model",
            "repo_id",
            "--model",
            "-hf",
            "import ",
            "from ",
            "require(",
            "ollama",
            "serve ",
            "download ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for provider in p.all() {
            pieces.extend(provider.models.iter().map(|m| m.pattern.replace('*', "1")));
            pieces.extend(provider.aliases.iter().cloned());
        }
        for c in &p.calls {
            pieces.extend(c.def.what.split_whitespace().map(String::from));
        }
        for s in p.site_set.patterns() {
            pieces.extend(
                s.split(|c: char| !c.is_ascii_alphanumeric() && c != '.').filter(|w| w.len() > 2).map(String::from),
            );
        }
        let piece = proptest::sample::select(pieces);
        let text = proptest::collection::vec((piece, any::<bool>()), 1..12).prop_map(|parts| {
            parts.into_iter().map(|(s, upper)| if upper { s.to_ascii_uppercase() } else { s }).collect::<String>()
        });
        let mut runner =
            proptest::test_runner::TestRunner::new(proptest::test_runner::Config { cases: 8192, ..Default::default() });
        let matched = std::sync::atomic::AtomicUsize::new(0);
        runner
            .run(&(text, proptest::sample::select(Language::ALL.to_vec())), |(text, language)| {
                let family = language.family();
                let call = p.calls.iter().any(|c| {
                    (c.def.languages.is_empty() || c.def.languages.contains(&family)) && c.regex.is_match(&text)
                });
                let site = !p.sites_on(&text).is_empty();
                let hosted = text.split(['"', '\'', ' ', '(', ')', '=', ':', ',']).any(|w| p.hosted(w).is_some());
                if call || site || hosted {
                    matched.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    prop_assert!(p.may_name_a_model(language, &text), "{language:?} {text:?}");
                }
                Ok(())
            })
            .unwrap();
        // Not a vacuous test: many of the texts are ones a pattern matches.
        let matched = matched.into_inner();
        assert!(matched > 800, "only {matched} of 8192 texts matched a pattern");
    }

    #[test]
    fn hosted_names() {
        let p = Providers::get();
        let m = p.hosted("gpt-4o").unwrap();
        assert_eq!(m.maker.id, "openai");
        assert!(m.model.licence.is_none());
        assert_eq!(p.hosted("claude-3-5-sonnet-20241022").unwrap().maker.id, "anthropic");
        assert_eq!(p.hosted("models/gemini-1.5-pro").unwrap().name, "gemini-1.5-pro");
        assert_eq!(p.hosted("us.anthropic.claude-3-5-sonnet-20240620-v1:0").unwrap().maker.id, "aws-bedrock");
        assert_eq!(p.hosted("meta.llama3-1-8b-instruct-v1:0").unwrap().model.licence.as_deref(), Some("llama3.1"));
        assert_eq!(p.hosted("gpt-oss-20b").unwrap().model.licence.as_deref(), Some("apache-2.0"));
        assert!(p.hosted("gpt-4 is great").is_none(), "no spaces inside a name");
        assert!(p.hosted("gpt2").is_none());
        assert!(p.hosted("bert-base-uncased").is_none());
        assert_eq!(p.hosted("azure/gpt-4o").unwrap().via_alias.unwrap().id, "azure-openai");
        assert!(p.hosted("azure/claude-3-opus").is_none(), "Azure does not serve Claude");
    }

    #[test]
    fn alias_prefixes_do_not_hide_hub_repositories() {
        let p = Providers::get();
        assert_eq!(p.classify("openai/whisper-large-v3"), Some(ModelTarget::Hub("openai/whisper-large-v3".into())));
        assert_eq!(p.classify("openai/gpt-oss-20b"), Some(ModelTarget::Hub("openai/gpt-oss-20b".into())));
        assert_eq!(p.classify("google/gemma-2-9b"), Some(ModelTarget::Hub("google/gemma-2-9b".into())));
        assert_eq!(
            p.classify("anthropic/claude-3-5-sonnet-20240620"),
            Some(ModelTarget::Hosted { provider: "anthropic".into(), model: "claude-3-5-sonnet-20240620".into() })
        );
    }

    #[test]
    fn inventory_names_are_classified() {
        let p = Providers::get();
        let hosted =
            |provider: &str, model: &str| ModelTarget::Hosted { provider: provider.into(), model: model.into() };
        assert_eq!(p.classify("gpt-4o"), Some(hosted("openai", "gpt-4o")));
        assert_eq!(p.classify("azure-openai:my-deployment"), Some(hosted("azure-openai", "my-deployment")));
        assert_eq!(p.classify("meta-llama/Llama-3.1-8B"), Some(ModelTarget::Hub("meta-llama/Llama-3.1-8B".into())));
        assert_eq!(p.classify("llama3.2:3b"), Some(ModelTarget::Ollama("library/llama3.2:3b".into())));
        assert_eq!(p.classify("ollama:mistral"), Some(ModelTarget::Ollama("library/mistral:latest".into())));
        assert_eq!(p.classify("hf:gpt2"), Some(ModelTarget::Hub("gpt2".into())));
        assert_eq!(p.classify("bert-base-uncased"), Some(ModelTarget::Hub("bert-base-uncased".into())));
        assert_eq!(p.classify(""), None);
    }

    #[test]
    fn hub_ids_are_checked() {
        assert_eq!(hub_id("meta-llama/Llama-3.1-8B", true, None).as_deref(), Some("meta-llama/Llama-3.1-8B"));
        assert_eq!(
            hub_id("https://huggingface.co/google/gemma-2-9b/", true, None).as_deref(),
            Some("google/gemma-2-9b")
        );
        assert_eq!(hub_id("gpt2", false, None).as_deref(), Some("gpt2"));
        assert_eq!(hub_id("gpt2", true, None), None);
        assert_eq!(
            hub_id("all-MiniLM-L6-v2", false, Some("sentence-transformers")).as_deref(),
            Some("sentence-transformers/all-MiniLM-L6-v2")
        );
        for bad in ["./out", "/models/x", "a/b/c", "{model}", "org/na me", "org/..", "a--b/c", "config.json", ""] {
            assert_eq!(hub_id(bad, false, None), None, "{bad}");
        }
    }

    #[test]
    fn ollama_names_take_the_store_form() {
        assert_eq!(ollama_name("llama3.2").as_deref(), Some("library/llama3.2:latest"));
        assert_eq!(ollama_name("llama3.2:3b").as_deref(), Some("library/llama3.2:3b"));
        assert_eq!(ollama_name("registry.ollama.ai/library/Llama3.2:3B").as_deref(), Some("library/llama3.2:3b"));
        assert_eq!(ollama_name("hf.co/bartowski/X-GGUF:Q4_K_M").as_deref(), Some("hf.co/bartowski/x-gguf:q4_k_m"));
        assert_eq!(ollama_name("./model.gguf"), None);
        assert_eq!(ollama_name("a:b:c"), None);
    }

    #[test]
    fn globs_stay_inside_a_name() {
        let r = Regex::new(&glob_regex("gpt-4*")).unwrap();
        assert!(r.is_match("gpt-4o-mini-2024-07-18"));
        assert!(!r.is_match("gpt-4 turbo"));
        assert!(!r.is_match("my-gpt-4"));
    }

    #[test]
    fn open_weight_licences_are_known_ids() {
        // The Hub's licence ids (huggingface/hub-docs, repositories-licenses.md). The catalogue
        // covers all of them once complete; an id it does not know yet is reported as an unknown
        // licence, never as an open one.
        const HUB_IDS: &str = "apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m \
            bigscience-bloom-rail-1.0 bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause \
            bsd-3-clause-clear c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 \
            cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 \
            cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 \
            epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc \
            h-research intel-research lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0 odc-by odbl openmdw-1.0 openmdw-1.1 \
            openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr deepfloyd-if-license \
            fair-noncommercial-research-license llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 grok2-community gemma";
        let cat = crate::catalogue::Catalogue::get();
        for p in Providers::get().all() {
            for m in &p.models {
                if let Some(l) = &m.licence {
                    let known =
                        crate::recognise::resolve_name(cat, l).is_some() || HUB_IDS.split_whitespace().any(|h| h == l);
                    assert!(known, "{}: `{l}` of `{}` is neither a catalogue, SPDX nor Hub id", p.file, m.pattern);
                }
            }
            if let Some(t) = &p.terms {
                match &t.licence {
                    Some(l) => {
                        assert!(cat.by_id(l).is_some(), "{}: terms licence `{l}` is not a catalogue id", p.file);
                        assert!(t.restrictions.is_empty(), "{}: the catalogue entry holds the restrictions", p.file);
                    }
                    None => {
                        assert!(cat.lookup(&t.id).is_none(), "{}: terms id `{}` is a catalogue id", p.file, t.id);
                        assert!(!t.restrictions.is_empty(), "{}: hosted terms restrict something", p.file);
                    }
                }
            }
        }
    }

    #[test]
    fn broken_data_is_refused() {
        let bad = [
            ("x.toml", "id='y'\nname='n'\nkind='hub'\n"),
            ("x.toml", "id='x'\nname='n'\nkind='hosted'\n"),
            ("x.toml", "id='x'\nname='n'\nkind='hub'\n[[calls]]\nwhat='w'\npattern='(a'\n"),
            ("x.toml", "id='x'\nname='n'\nkind='hub'\n[[calls]]\nwhat='w'\npattern='a'\n"),
            ("x.toml", "id='x'\nname='n'\nkind='hosted'\nserves=['nope']\n[terms]\nid='t'\nname='t'\nurl='u'\n"),
        ];
        for (file, text) in bad {
            assert!(Providers::from_files(&[(file, text)]).is_err(), "{text}");
        }
    }
}
