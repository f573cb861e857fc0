//! Models named by code and configuration: Hub ids passed to `from_pretrained`, `pipeline`,
//! `hf_hub_download`, vLLM or llama.cpp; Ollama models pulled, run or called; and models reached
//! through hosted APIs (OpenAI, Anthropic, Gemini, Bedrock …), with the names they pass.
//!
//! One pass over the lines of a file (notebooks: the lines of their code cells), each line cut at
//! the `line-length` limit. What to look for is data: the provider table (`providers/`). A hosted
//! model name counts when it is the whole of a string literal (or config value) and either is
//! given to a model-like key (`model=`, `"model":`, `MODEL_ID=`) or sits in a file that builds a
//! client of a provider serving it; a file that builds a client but names no model gives a
//! `provider:*` reference at the call site.

use std::{borrow::Cow, collections::BTreeSet};

use super::{
    LongLines, cut_line,
    lenient::{MaybeString, Strings},
};
use crate::{
    model::{CodeReference, Language, ModelTarget, Reference},
    providers::{self, ProviderKind, Providers},
};

/// Longest string literal treated as a model name.
const MAX_LITERAL: usize = 200;

/// Finds the models a file names. `is_local` says whether a candidate Hub id is a path that
/// exists on disk (beside the file or under the scanned root), which makes it a local path.
pub fn scan(file: &str, language: Language, text: &str, is_local: &dyn Fn(&str) -> bool) -> Vec<Reference> {
    let max_line = crate::limits::InputLimits::default().usize(crate::limits::LimitName::LineLength);
    scan_with(file, language, text, is_local, max_line).0
}

/// [`scan`], searching at most `max_line` bytes of each line; says which lines were longer.
pub fn scan_with(
    file: &str,
    language: Language,
    text: &str,
    is_local: &dyn Fn(&str) -> bool,
    max_line: usize,
) -> (Vec<Reference>, LongLines) {
    let providers = Providers::get();
    // A notebook's lines are decoded from JSON, where an escape could hide a literal.
    if language != Language::Notebook && !providers.may_name_a_model(language, text) {
        return (Vec::new(), long_code_lines(language, text, max_line));
    }
    let mut long = LongLines::default();
    let lines = code_lines(language, text, max_line, &mut long);
    let mut found = Found::default();
    // The lines are the text's own (a notebook's are decoded from JSON) and whole (a longer one
    // is cut, which could end a match the whole line would not; `code_lines` counted those):
    // then a file the patterns miss has no line they match.
    let screen = language != Language::Notebook && long.count == 0;
    found.screened_out = screen && !providers.may_match_in(text);
    for (line_no, line) in &lines {
        scan_line(providers, file, language, *line_no, line, is_local, &mut found);
    }
    (found.resolve(providers, file), long)
}

/// A call site (or import) of a provider's client.
#[derive(Clone, Copy, Debug)]
struct Site {
    line: u32,
    provider: usize,
    call: bool,
}

/// A string literal that may be a hosted model name.
#[derive(Clone, Debug)]
struct Candidate {
    line: u32,
    value: String,
    /// The literal is given to a model-like key.
    keyed: bool,
    /// The key is exactly a model-selecting one (`model`, `engine`, `deployment` …), so an
    /// unlisted name can be attributed to the provider whose client the file builds.
    strict: bool,
}

#[derive(Default)]
struct Found {
    refs: Vec<Reference>,
    sites: Vec<Site>,
    candidates: Vec<Candidate>,
    /// (line, value) pairs a call pattern already used.
    taken: BTreeSet<(u32, String)>,
    /// Set when no call or site pattern can match in the file: lines skip those searches.
    screened_out: bool,
}

fn scan_line(
    providers: &Providers,
    file: &str,
    language: Language,
    line_no: u32,
    line: &str,
    is_local: &dyn Fn(&str) -> bool,
    found: &mut Found,
) {
    let family = language.family();
    let calls = if !found.screened_out {
        for (provider, call) in providers.sites_on(line) {
            found.sites.push(Site { line: line_no, provider, call });
        }
        providers.calls_on(line)
    } else {
        Vec::new()
    };
    for call in calls {
        if !call.def.languages.is_empty() && !call.def.languages.contains(&family) {
            continue;
        }
        for caps in call.regex.captures_iter(line) {
            let Some(raw) = caps.name("id").map(|m| m.as_str()) else { continue };
            let at = |value: &str| CodeReference {
                file: file.to_string(),
                line: line_no,
                via: call.def.what.clone(),
                value: value.to_string(),
            };
            let target = match providers.at(call.provider).kind {
                ProviderKind::Hub => {
                    if providers.hosted_target(raw, |_| None).is_some() {
                        // `model="openai/gpt-4o"`: a hosted name behind a routing prefix; the
                        // literal pass below picks it up.
                        continue;
                    }
                    let raw_id = raw.split_once(':').map_or(raw, |(id, _)| id);
                    if raw_id.starts_with(['.', '/', '~', '$', '{', '<', '%']) || is_local(raw_id) {
                        continue;
                    }
                    providers::hub_id(raw_id, call.def.owner_required, call.def.default_owner.as_deref())
                        .map(ModelTarget::Hub)
                }
                ProviderKind::Ollama => providers::ollama_name(raw).map(ModelTarget::Ollama),
                ProviderKind::Hosted => None,
            };
            if let Some(target) = target {
                found.taken.insert((line_no, raw.to_string()));
                found.refs.push(Reference { target, at: at(raw) });
            }
        }
    }
    let unquoted = matches!(language, Language::Yaml | Language::Dockerfile | Language::Shell | Language::Modelfile);
    for lit in literals(line, unquoted) {
        if found.taken.contains(&(line_no, lit.value.to_string())) {
            continue;
        }
        let keyed = lit.key.is_some_and(is_model_key);
        let strict = lit.key.is_some_and(is_strict_model_key);
        if providers.hosted(lit.value).is_some() || strict {
            found.candidates.push(Candidate { line: line_no, value: lit.value.to_string(), keyed, strict });
        }
    }
}

impl Found {
    fn resolve(mut self, providers: &Providers, file: &str) -> Vec<Reference> {
        let sites = std::mem::take(&mut self.sites);
        let mut named: BTreeSet<usize> = BTreeSet::new();
        for c in std::mem::take(&mut self.candidates) {
            let at = |via: String| CodeReference { file: file.to_string(), line: c.line, via, value: c.value.clone() };
            if let Some(m) = providers.hosted(&c.value) {
                let serving: Vec<Site> =
                    sites.iter().copied().filter(|s| providers.serves(s.provider, m.maker)).collect();
                if m.via_alias.is_none() && !c.keyed && serving.is_empty() {
                    continue; // a bare string that happens to look like a model name
                }
                let pick = |maker: &providers::Provider| {
                    nearest(&serving, c.line, |s| providers.at(s.provider).id != maker.id)
                        .map(|s| providers.at(s.provider).id.clone())
                };
                let Some(target) = providers.hosted_target(&c.value, pick) else { continue };
                if let ModelTarget::Hosted { provider, .. } = &target
                    && let Some(i) = providers.all().iter().position(|p| &p.id == provider)
                {
                    named.insert(i);
                }
                let via = match &target {
                    ModelTarget::Hosted { provider, .. } => {
                        providers.by_id(provider).map_or_else(|| "model argument".to_string(), |p| p.api_name())
                    }
                    _ => "model argument".to_string(),
                };
                self.refs.push(Reference { target, at: at(via) });
                continue;
            }
            // A model-selecting argument with a name the table does not list: it belongs to the
            // client the file builds nearest before it (a new model, an Azure deployment, an
            // Ollama model behind `client.chat(model=…)`).
            if !c.strict || !plausible_name(&c.value) {
                continue;
            }
            let Some(site) = nearest(&sites, c.line, |_| false) else { continue };
            let provider = providers.at(site.provider);
            let target = match provider.kind {
                // `org/name` given to a hosted client is a Hub model behind an OpenAI-compatible
                // server, which the Hub patterns judge.
                ProviderKind::Hosted if c.value.contains('/') => None,
                ProviderKind::Hosted => {
                    named.insert(site.provider);
                    Some(ModelTarget::Hosted { provider: provider.id.clone(), model: c.value.clone() })
                }
                ProviderKind::Ollama => providers::ollama_name(&c.value).map(ModelTarget::Ollama),
                ProviderKind::Hub => None,
            };
            if let Some(target) = target {
                self.refs.push(Reference { target, at: at("model argument".into()) });
            }
        }
        // A client built with the model chosen elsewhere (an environment variable, a parameter).
        for s in sites.iter().filter(|s| s.call) {
            let p = providers.at(s.provider);
            if p.kind == ProviderKind::Hosted && !named.contains(&s.provider) {
                self.refs.push(Reference {
                    target: ModelTarget::Hosted { provider: p.id.clone(), model: "*".into() },
                    at: CodeReference {
                        file: file.to_string(),
                        line: s.line,
                        via: format!("{} client", p.name),
                        value: "*".into(),
                    },
                });
            }
        }
        let mut refs = self.refs;
        refs.sort_by(|a, b| (a.at.line, &a.target).cmp(&(b.at.line, &b.target)));
        refs.dedup_by(|a, b| a.at.line == b.at.line && a.target == b.target);
        refs
    }
}

/// The site nearest before `line` (else the first after), preferring sites `better` says yes to
/// when two are on the same line.
fn nearest(sites: &[Site], line: u32, better: impl Fn(&Site) -> bool) -> Option<Site> {
    let key = |s: &Site| {
        let distance = if s.line <= line { (0, line - s.line) } else { (1, s.line - line) };
        (distance, !better(s))
    };
    sites.iter().copied().min_by_key(key)
}

/// Keys that say "this value is a model": anything with `model`, `engine` or `deployment` in it.
fn is_model_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("model") || k.contains("engine") || k.contains("deployment")
}

/// Keys that select the model of an API call.
fn is_strict_model_key(key: &str) -> bool {
    let k: String = key.to_ascii_lowercase().chars().filter(|c| *c != '_' && *c != '-').collect();
    matches!(
        k.as_str(),
        "model"
            | "modelname"
            | "modelid"
            | "engine"
            | "deployment"
            | "deploymentname"
            | "deploymentid"
            | "azuredeployment"
    )
}

/// A value that could be a model or deployment name (not a path, a URL, a number or a word
/// like `true`).
fn plausible_name(v: &str) -> bool {
    v.len() <= 128
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@' | '/'))
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && !v.contains("//")
        && !matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "none" | "null" | "default" | "auto")
}

/// A string literal (or, in YAML, shell and Dockerfiles, a bare word) and the key it is given to.
#[derive(Debug, PartialEq, Eq)]
struct Literal<'a> {
    value: &'a str,
    key: Option<&'a str>,
}

fn literals(line: &str, unquoted: bool) -> Vec<Literal<'_>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if !matches!(q, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && bytes[j] != q {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        if j >= bytes.len() {
            // No closing quote (an apostrophe in prose): look on after it.
            i += 1;
            continue;
        }
        let value = &line[i + 1..j];
        if !value.is_empty() && value.len() <= MAX_LITERAL && !value.contains(char::is_whitespace) {
            out.push(Literal { value, key: key_before(line, i) });
        }
        i = j + 1;
    }
    if unquoted {
        bare_words(line, &mut out);
    }
    out
}

/// Bare words of YAML, shell, Dockerfiles and Modelfiles that are given to a key
/// (`model: gpt-4o`, `MODEL=gpt-4o`, `--model gpt-4o`, `--model=gpt-4o`) or stand alone as a list
/// item (`- gpt-4o`). Other words are prose or commands.
fn bare_words<'a>(line: &'a str, out: &mut Vec<Literal<'a>>) {
    let words: Vec<&str> = line.split_ascii_whitespace().collect();
    let clean = |v: &'a str| -> Option<&'a str> {
        let v = v.trim_end_matches([',', ')', ']', '}', ';']);
        let word = v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:@/+".contains(&b));
        (word && !v.is_empty() && v.len() <= MAX_LITERAL && v.starts_with(|c: char| c.is_ascii_alphanumeric()))
            .then_some(v)
    };
    if let ["-", item] = words.as_slice()
        && let Some(value) = clean(item)
    {
        out.push(Literal { value, key: None });
    }
    for (n, w) in words.iter().enumerate() {
        let (key, value) = if let Some((k, v)) = w.split_once('=') {
            (k.trim_start_matches('-'), v)
        } else if w.ends_with(':') || (w.starts_with('-') && w.len() > 1) {
            let Some(next) = words.get(n + 1) else { continue };
            (w.trim_end_matches(':').trim_start_matches('-'), *next)
        } else {
            continue;
        };
        let key = key.trim_matches(['"', '\'']);
        if !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
            && let Some(value) = clean(value)
        {
            out.push(Literal { value, key: Some(key) });
        }
    }
}

/// The key a value at byte `start` is given to: `model=`, `model:`, `"model":`, `MODEL_ID=`, or a
/// `--model` flag before it.
fn key_before(line: &str, start: usize) -> Option<&str> {
    let before = line.get(..start)?.trim_end();
    let (before, separated) = match before.strip_suffix(['=', ':']) {
        Some(b) => (b.trim_end().trim_end_matches(['"', '\'', '`']), true),
        None => (before, false),
    };
    let key_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let key = &before[key_start..];
    if key.is_empty() || (!separated && !key.starts_with('-')) {
        return None;
    }
    Some(key.trim_start_matches('-')).filter(|k| !k.is_empty())
}

/// The lines worth looking at, numbered from 1: comment lines dropped, long lines cut; for a
/// notebook, the lines of its code cells, numbered by the line of the `.ipynb` file they sit on.
fn code_lines<'a>(
    language: Language,
    text: &'a str,
    max_line: usize,
    long: &mut LongLines,
) -> Vec<(u32, Cow<'a, str>)> {
    if language == Language::Notebook {
        return notebook_lines(text, max_line, long);
    }
    numbered(text)
        .filter(|(_, l)| is_code(language, l))
        .map(|(line_no, l)| {
            if l.len() > max_line {
                long.note(line_no, l.len());
            }
            (line_no, Cow::Borrowed(cut_line(l, max_line)))
        })
        .collect()
}

/// The long code lines of a source file, counted without looking at the short ones.
fn long_code_lines(language: Language, text: &str, max_line: usize) -> LongLines {
    let mut long = LongLines::default();
    if text.len() <= max_line {
        return long;
    }
    for (line_no, l) in numbered(text).filter(|(_, l)| l.len() > max_line && is_code(language, l)) {
        long.note(line_no, l.len());
    }
    long
}

fn numbered(text: &str) -> impl Iterator<Item = (u32, &str)> {
    super::lines::lines(text).enumerate().map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l))
}

/// Whether a line of a source file is neither blank nor a comment.
fn is_code(language: Language, line: &str) -> bool {
    let comment: &[&str] = match language {
        Language::Javascript => &["//", "/*", "*"],
        Language::Json => &[],
        _ => &["#"],
    };
    let t = line.trim_start();
    !t.is_empty() && !comment.iter().any(|c| t.starts_with(c))
}

/// The code-cell lines of a notebook. Jupyter writes one source line per JSON line, with
/// `cell_type` before `source`, so the lines are read in place and keep their file line; a
/// notebook written on one line is parsed as JSON and its code is put on line 1.
fn notebook_lines(text: &str, max_line: usize, long: &mut LongLines) -> Vec<(u32, Cow<'static, str>)> {
    let mut out = Vec::new();
    let mut code_cell = false;
    let mut in_source = false;
    let mut saw_source = false;
    let mut push = |out: &mut Vec<(u32, Cow<'static, str>)>, line: u32, s: &str| {
        for part in s.lines() {
            let t = part.trim_start();
            if !t.is_empty() && !t.starts_with('#') {
                if part.len() > max_line {
                    long.note(line, part.len());
                }
                out.push((line, Cow::Owned(cut_line(part, max_line).to_string())));
            }
        }
    };
    for (i, raw) in super::lines::lines(text).enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t = raw.trim();
        if in_source {
            if t.starts_with(']') {
                in_source = false;
            } else if code_cell && let Ok(s) = serde_json::from_str::<String>(t.trim_end_matches(',')) {
                push(&mut out, line, &s);
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("\"cell_type\"") {
            code_cell = rest.contains("\"code\"");
        } else if let Some(rest) = t.strip_prefix("\"source\"") {
            saw_source = true;
            let rest = rest.trim_start().trim_start_matches(':').trim().trim_end_matches(',');
            if rest.starts_with('[') && !rest.ends_with(']') {
                in_source = true;
            } else if code_cell && let Ok(Strings(items)) = serde_json::from_str::<Strings>(rest) {
                for s in &items {
                    push(&mut out, line, s);
                }
            }
        }
    }
    if saw_source {
        return out;
    }
    // Only the code cells' sources are built; outputs (images, data) are stepped over.
    #[derive(serde::Deserialize)]
    struct Notebook {
        #[serde(default)]
        cells: Vec<Cell>,
    }
    #[derive(serde::Deserialize)]
    struct Cell {
        #[serde(default)]
        cell_type: MaybeString,
        #[serde(default)]
        source: Strings,
    }
    let Ok(nb) = serde_json::from_str::<Notebook>(text) else { return out };
    for cell in nb.cells.iter().filter(|c| c.cell_type.0.as_deref() == Some("code")) {
        for s in &cell.source.0 {
            push(&mut out, 1, s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(language: Language, text: &str) -> Vec<(String, u32, String)> {
        scan("f", language, text, &|_| false).into_iter().map(|r| (r.target.id(), r.at.line, r.at.via)).collect()
    }

    fn ids(language: Language, text: &str) -> Vec<String> {
        refs(language, text).into_iter().map(|r| r.0).collect()
    }

    #[test]
    fn hub_calls_in_python() {
        let py = r#"
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
clf = pipeline("text-classification", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english")
emb = SentenceTransformer("all-MiniLM-L6-v2")
path = hf_hub_download(repo_id="TheBloke/Llama-2-7B-GGUF", filename="llama-2-7b.Q4_K_M.gguf")
old = AutoModel.from_pretrained("bert-base-uncased")
local = AutoModel.from_pretrained("./checkpoints/run-1")
templ = AutoModel.from_pretrained(f"{org}/{name}")
# commented = AutoModel.from_pretrained("org/commented-out")
MODEL_ID = "Qwen/Qwen2.5-7B-Instruct"
"#;
        let found = refs(Language::Python, py);
        let ids: Vec<&str> = found.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            ids,
            [
                "meta-llama/Llama-3.1-8B-Instruct",
                "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                "sentence-transformers/all-MiniLM-L6-v2",
                "TheBloke/Llama-2-7B-GGUF",
                "bert-base-uncased",
                "Qwen/Qwen2.5-7B-Instruct",
            ]
        );
        assert_eq!(found[0].1, 3);
        assert_eq!(found[0].2, "from_pretrained");
    }

    #[test]
    fn local_paths_are_not_hub_ids() {
        let found =
            scan("f", Language::Python, "m = AutoModel.from_pretrained('models/tiny')\n", &|p| p == "models/tiny");
        assert!(found.is_empty());
    }

    #[test]
    fn servers_and_runners_in_shell_docker_and_yaml() {
        assert_eq!(
            ids(Language::Shell, "vllm serve meta-llama/Llama-3.1-8B-Instruct --port 8000\n"),
            ["meta-llama/Llama-3.1-8B-Instruct"]
        );
        assert_eq!(
            ids(Language::Shell, "llama-server -hf ggml-org/gemma-3-1b-it-GGUF:Q4_K_M\n"),
            ["ggml-org/gemma-3-1b-it-GGUF"]
        );
        assert_eq!(
            ids(
                Language::Dockerfile,
                "FROM vllm/vllm-openai:latest\nCMD [\"--model\", \"mistralai/Mistral-7B-v0.3\"]\n"
            ),
            ["mistralai/Mistral-7B-v0.3"]
        );
        assert_eq!(
            ids(Language::Yaml, "services:\n  app:\n    environment:\n      - MODEL_ID=BAAI/bge-small-en-v1.5\n"),
            ["BAAI/bge-small-en-v1.5"]
        );
        assert_eq!(
            ids(Language::Yaml, "base_model: meta-llama/Llama-3.1-8B\noutput_dir: ./out\n"),
            ["meta-llama/Llama-3.1-8B"]
        );
    }

    #[test]
    fn ollama_models() {
        let sh = "ollama pull llama3.2:3b\nollama run mistral\n";
        assert_eq!(ids(Language::Shell, sh), ["library/llama3.2:3b", "library/mistral:latest"]);
        assert_eq!(
            ids(Language::Modelfile, "# a comment\nFROM llama3.1:8b\nPARAMETER temperature 0.2\n"),
            ["library/llama3.1:8b"]
        );
        assert!(ids(Language::Modelfile, "FROM ./model.gguf\n").is_empty());
        assert!(ids(Language::Dockerfile, "FROM python:3.12-slim\n").is_empty(), "a Docker image is not a model");
        let py = "import ollama\nclient = ollama.Client(host='http://gpu:11434')\nr = client.chat(model='qwen2.5:7b', messages=m)\n";
        assert_eq!(ids(Language::Python, py), ["library/qwen2.5:7b"]);
        let js = "import ollama from 'ollama'\nconst r = await ollama.chat({ model: 'llama3.1', messages })\n";
        assert_eq!(ids(Language::Javascript, js), ["library/llama3.1:latest"]);
    }

    #[test]
    fn hosted_models_with_their_vendor() {
        let py = r#"
from openai import OpenAI
import anthropic
client = OpenAI()
reply = client.chat.completions.create(model="gpt-4o", messages=msgs)
claude = anthropic.Anthropic()
msg = claude.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=100, messages=msgs)
"#;
        let found = refs(Language::Python, py);
        assert_eq!(
            found.iter().map(|r| (r.0.as_str(), r.1)).collect::<Vec<_>>(),
            [("openai:gpt-4o", 5), ("anthropic:claude-3-5-sonnet-20241022", 7)]
        );
        assert_eq!(found[0].2, "OpenAI API");
    }

    #[test]
    fn a_reseller_client_takes_the_models_it_serves() {
        let py = "from openai import AzureOpenAI\nc = AzureOpenAI(azure_endpoint=e)\nc.chat.completions.create(model='gpt-4o-mini')\n";
        assert_eq!(ids(Language::Python, py), ["azure-openai:gpt-4o-mini"]);
        let py = "vertexai.init(project='p')\nm = GenerativeModel('gemini-1.5-pro-002')\n";
        assert_eq!(ids(Language::Python, py), ["google-vertex:gemini-1.5-pro-002"]);
        let py = "import boto3\nb = boto3.client('bedrock-runtime')\nb.converse(modelId='anthropic.claude-3-haiku-20240307-v1:0')\n";
        assert_eq!(ids(Language::Python, py), ["aws-bedrock:anthropic.claude-3-haiku-20240307-v1:0"]);
    }

    #[test]
    fn every_hosted_provider_is_recognised() {
        let cases = [
            (
                "co = cohere.ClientV2()\nco.chat(model='command-r-plus-08-2024', messages=m)\n",
                "cohere:command-r-plus-08-2024",
            ),
            ("co = cohere.ClientV2()\nco.embed(model='embed-english-v3.0', texts=t)\n", "cohere:embed-english-v3.0"),
            (
                "client = Mistral(api_key=k)\nclient.chat.complete(model='mistral-large-latest', messages=m)\n",
                "mistral:mistral-large-latest",
            ),
            ("llm = ChatMistralAI(model='open-mistral-7b')\n", "mistral:open-mistral-7b"),
            (
                "c = AnthropicVertex(region=r, project_id=p)\nc.messages.create(model='claude-3-5-sonnet-v2@20241022')\n",
                "google-vertex:claude-3-5-sonnet-v2@20241022",
            ),
            (
                "llm = ChatBedrock(model_id='meta.llama3-1-70b-instruct-v1:0')\n",
                "aws-bedrock:meta.llama3-1-70b-instruct-v1:0",
            ),
            (
                "const ai = new GoogleGenAI({});\nai.models.generateContent({ model: 'gemini-1.5-flash' })\n",
                "google-gemini:gemini-1.5-flash",
            ),
            ("const { text } = await generateText({ model: openai('gpt-4.1-mini'), prompt })\n", "openai:gpt-4.1-mini"),
        ];
        for (code, expected) in cases {
            let language = if code.contains("const") { Language::Javascript } else { Language::Python };
            assert_eq!(ids(language, code), [expected], "{code}");
        }
    }

    #[test]
    fn unnamed_models_and_unlisted_deployments() {
        let py = "import os\nfrom openai import OpenAI\nclient = OpenAI()\nclient.responses.create(model=os.environ['MODEL'], input=x)\n";
        let found = refs(Language::Python, py);
        assert_eq!(found, [("openai:*".to_string(), 3, "OpenAI client".to_string())]);
        let py = "c = AzureOpenAI(api_version=v)\nc.chat.completions.create(model='support-gpt-prod', messages=m)\n";
        assert_eq!(ids(Language::Python, py), ["azure-openai:support-gpt-prod"]);
    }

    #[test]
    fn model_names_need_a_model_key_or_a_client() {
        assert!(ids(Language::Python, "enc = tiktoken.encoding_for_model('gpt-4')\n").is_empty());
        assert_eq!(ids(Language::Yaml, "llm:\n  model: gpt-4o-mini\n"), ["openai:gpt-4o-mini"]);
        assert_eq!(
            ids(Language::Json, "{\"model\": \"claude-3-opus-20240229\"}\n"),
            ["anthropic:claude-3-opus-20240229"]
        );
        assert_eq!(
            ids(Language::Javascript, "const DEFAULT_MODEL = 'gemini-2.0-flash';\n"),
            ["google-gemini:gemini-2.0-flash"]
        );
        assert_eq!(
            ids(Language::Python, "completion(model='anthropic/claude-3-haiku-20240307')\n"),
            ["anthropic:claude-3-haiku-20240307"]
        );
        assert_eq!(
            ids(Language::Python, "m = AutoModel.from_pretrained('openai/whisper-large-v3')\n"),
            ["openai/whisper-large-v3"]
        );
    }

    #[test]
    fn notebooks_read_code_cells_only_with_file_lines() {
        let nb = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "Uses `AutoModel.from_pretrained(\"org/in-markdown\")`\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "from transformers import AutoModel\n",
    "m = AutoModel.from_pretrained(\"google-bert/bert-base-cased\")\n"
   ]
  }
 ],
 "nbformat": 4
}"##;
        assert_eq!(
            refs(Language::Notebook, nb),
            [("google-bert/bert-base-cased".to_string(), 17, "from_pretrained".to_string())]
        );
        let one_line = r#"{"cells":[{"cell_type":"code","source":"m = AutoModel.from_pretrained('org/x')"}]}"#;
        assert_eq!(ids(Language::Notebook, one_line), ["org/x"]);
        assert!(ids(Language::Notebook, "not json {{{").is_empty());
    }

    #[test]
    fn keys_and_literals() {
        assert_eq!(literals(r#"f(model="gpt-4o", n=1)"#, false), [Literal { value: "gpt-4o", key: Some("model") }]);
        assert_eq!(literals(r#"{"model": 'x'}"#, false)[1], Literal { value: "x", key: Some("model") });
        assert_eq!(literals("don't use \"gpt-4o\"", false)[0].value, "gpt-4o");
        assert_eq!(key_before("--model gpt-4o", 8), Some("model"));
        assert_eq!(key_before("if model == 'x'", 12), None);
        let line = "    0x00b5: (0x03bc,), # 'µ'";
        assert_eq!(key_before(line, line.rfind('\'').unwrap()), None, "a key ending at a multi-byte character");
        assert_eq!(key_before("aµ:'x'", 4), None);
        assert_eq!(key_before("µmodel='x'", 8), Some("model"));
        assert!(literals(line, true).iter().all(|l| l.key.is_none()));
        let yaml = literals("  model: gpt-4o  # comment", true);
        assert!(yaml.contains(&Literal { value: "gpt-4o", key: Some("model") }));
        assert_eq!(
            literals("  - claude-3-haiku-20240307", true),
            [Literal { value: "claude-3-haiku-20240307", key: None }]
        );
        assert!(literals("run gpt-4o now", true).is_empty(), "prose words are not literals");
    }

    #[test]
    fn long_lines_and_odd_bytes_do_not_break_the_scan() {
        let long = format!("x = '{}'\nm = AutoModel.from_pretrained('org/x')\n", "é".repeat(10_000));
        assert_eq!(ids(Language::Python, &long), ["org/x"]);
        assert!(ids(Language::Python, "\"\\\n'''\n\"").is_empty());
    }
}
