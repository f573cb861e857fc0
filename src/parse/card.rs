//! Model and dataset cards: YAML front matter and the headings of the body.
//!
//! Front matter is parsed with `serde-saphyr` (panic-free, line:column errors, alias-bomb
//! budget). A card whose YAML is broken still yields a card, with the error and its line, and
//! with `license:` read line by line so the licence is not lost.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{lines, links, plain_yaml, sections};
use crate::{
    limits::{InputLimits, LimitName},
    model::{Body, Card, CardBody, CardKeys, CardKind, CardLink, CardMeta, Located, Metadata, Section},
};

/// Keys that make front matter a model card.
const MODEL_KEYS: &[&str] = &[
    "license",
    "license_name",
    "license_link",
    "base_model",
    "base_model_relation",
    "datasets",
    "pipeline_tag",
    "tags",
    "library_name",
    "model-index",
    "model_name",
    "gated",
    "inference",
    "widget",
    "metrics",
    "language",
];

/// Keys that only dataset cards carry.
const DATASET_KEYS: &[&str] =
    &["task_categories", "size_categories", "task_ids", "source_datasets", "annotations_creators"];

/// Keys that only model cards carry; their presence outweighs dataset keys.
const MODEL_ONLY_KEYS: &[&str] = &["base_model", "pipeline_tag", "library_name", "model-index", "model_name"];

/// Parses a Markdown file as a card, within the default limits. Returns `None` when the file
/// has no front matter and is not named like a card (`README.md`, `MODEL_CARD.md`).
pub fn parse(file: &str, text: &str) -> Option<Card> {
    parse_with(file, text, &InputLimits::default()).0
}

/// Parses a Markdown file as a card within `limits`; also returns a message for each limit hit
/// (front matter too large, a YAML alias or nesting budget exceeded, overlong lines). A card
/// whose front matter broke a limit is still read, line by line, for its licence.
pub fn parse_with(file: &str, text: &str, limits: &InputLimits) -> (Option<Card>, Vec<String>) {
    parse_keeping(file, text, limits, true)
}

/// [`parse_with`], keeping the card's whole text in [`Card::text`] only when `keep_text` is set
/// (copying every card's text cost a tenth of a large scan when no rule reads it).
pub fn parse_keeping(file: &str, text: &str, limits: &InputLimits, keep_text: bool) -> (Option<Card>, Vec<String>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut hits = Vec::new();
    let card = parse_card(file, text, limits, &mut hits).map(|mut card| {
        if keep_text && let Some(body) = card.body_mut() {
            body.text = text.to_string();
        }
        card
    });
    (card, hits)
}

/// Headings of the body, each line read up to the `line-length` limit.
fn index_sections(body: &str, first_line: u32, limits: &InputLimits, hits: &mut Vec<String>) -> Vec<Section> {
    let (sections, long) = sections::index_with(body, first_line, limits.usize(LimitName::LineLength));
    hits.extend(long.problem("", "headings", limits.line_length).map(|p| p.message));
    sections
}

fn parse_card(file: &str, text: &str, limits: &InputLimits, hits: &mut Vec<String>) -> Option<Card> {
    let card_name = is_card_name(file);
    let split = split_front_matter(text);
    match split {
        FrontMatter::None => {
            card_name.then(|| bare(file, CardKind::Model, CardMeta::default(), BodyRead::read(text, 1, limits, hits)))
        }
        FrontMatter::Unterminated { yaml } => {
            let looks_like_card = card_name || has_card_key_lines(yaml);
            looks_like_card.then(|| {
                let (meta, kind) = fallback_meta(yaml);
                Card {
                    parse_error: Some(Located {
                        value: "front matter opened with `---` on line 1 is never closed".to_string(),
                        line: 1,
                    }),
                    recognised: true,
                    // Where the body starts is unknown: no sections, links or licence section.
                    ..bare(file, kind, meta, BodyRead::default())
                }
            })
        }
        FrontMatter::Block { yaml, body, body_line } => {
            let body = BodyRead::read(body, body_line, limits, hits);
            let parsed = if yaml.len() as u64 > limits.front_matter {
                Err(YamlError::Limit(format!(
                    "the front matter is {} bytes; it was not parsed as YAML, only read line by line for its licence ({})",
                    yaml.len(),
                    LimitName::FrontMatter.exceeded(limits.front_matter)
                )))
            } else {
                parse_yaml(yaml, limits)
            };
            match parsed {
                Ok(metadata) => {
                    let keys = key_lines(yaml);
                    let Some(map) = metadata.as_object() else {
                        return card_name.then(|| Card {
                            parse_error: (!metadata.is_null()).then(|| Located {
                                value: "front matter is not a mapping of keys to values".to_string(),
                                line: 2,
                            }),
                            ..bare(file, CardKind::Model, CardMeta::default(), body)
                        });
                    };
                    let kind = kind_of(map.keys().map(String::as_str));
                    let recognised = kind.is_some();
                    if !recognised && !card_name {
                        return None;
                    }
                    let (meta, more, problem) = extract_meta(map, &keys, yaml);
                    let mut card = Card {
                        parse_error: problem,
                        recognised,
                        ..bare(file, kind.unwrap_or(CardKind::Model), meta, body)
                    };
                    if let Some(body) = card.body_mut() {
                        body.metadata = Metadata::from_value(&metadata);
                        body.keys = more;
                    }
                    Some(card)
                }
                Err(error) => {
                    let looks_like_card = card_name || has_card_key_lines(yaml);
                    let parse_error = match error {
                        YamlError::Syntax(e) => Some(e),
                        YamlError::Limit(message) => {
                            hits.push(message);
                            None
                        }
                    };
                    looks_like_card.then(|| {
                        let (meta, kind) = fallback_meta(yaml);
                        Card { parse_error, recognised: true, ..bare(file, kind, meta, body) }
                    })
                }
            }
        }
    }
}

/// What a card's Markdown body gives: its headings, its licence section and its links.
#[derive(Default)]
struct BodyRead {
    sections: Vec<Section>,
    licence_section: Option<Located<String>>,
    links: Vec<CardLink>,
}

impl BodyRead {
    /// Reads a body whose first line is `first_line` of the file.
    fn read(text: &str, first_line: u32, limits: &InputLimits, hits: &mut Vec<String>) -> BodyRead {
        let mut sections = index_sections(text, first_line, limits, hits);
        let mut links = links::extract(text, first_line, &sections);
        // Held until the report is written: without the room the lists grew into.
        sections.shrink_to_fit();
        links.shrink_to_fit();
        BodyRead { licence_section: sections::licence_section(text, first_line, &sections), links, sections }
    }
}

/// A card with its body read and nothing (yet) from front matter or errors.
fn bare(file: &str, kind: CardKind, meta: CardMeta, read: BodyRead) -> Card {
    Card {
        file: file.to_string(),
        kind,
        meta,
        parse_error: None,
        recognised: false,
        licence_section: read.licence_section,
        body: Body::Held(Box::new(CardBody {
            metadata: Metadata::empty(),
            keys: CardKeys::default(),
            sections: read.sections,
            text: String::new(),
            links: read.links,
        })),
    }
}

/// Whether a file is named like a card (`README.md`, `MODEL_CARD.md` …).
pub fn is_card_name(file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file).to_ascii_lowercase();
    matches!(name.as_str(), "readme.md" | "model_card.md" | "modelcard.md" | "model-card.md" | "readme.markdown")
}

enum FrontMatter<'a> {
    None,
    Unterminated {
        yaml: &'a str,
    },
    /// `yaml` is the text between the fences; the body starts on 1-based line `body_line`.
    Block {
        yaml: &'a str,
        body: &'a str,
        body_line: u32,
    },
}

fn split_front_matter(text: &str) -> FrontMatter<'_> {
    let first_end = lines::first_end(text);
    if text[..first_end].trim_end() != "---" {
        return FrontMatter::None;
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut line_no: u32 = 2;
    while offset < text.len() {
        let end = offset + lines::first_end(&text[offset..]);
        let line = text[offset..end].trim_end();
        if line == "---" || line == "..." {
            let body_start = (end + 1).min(text.len());
            return FrontMatter::Block {
                yaml: &text[yaml_start..offset],
                body: &text[body_start..],
                body_line: line_no + 1,
            };
        }
        offset = end + 1;
        line_no += 1;
    }
    FrontMatter::Unterminated { yaml: &text[yaml_start..] }
}

/// Why front matter was not parsed.
enum YamlError {
    /// Broken YAML: the message and the file line (front matter starts on line 2).
    Syntax(Located<String>),
    /// A limit was hit: the `limit-exceeded` message.
    Limit(String),
}

/// Parser events allowed per byte of front matter (a real card has well under one event per
/// 4 bytes), so the event budget grows with the `front-matter` limit.
const EVENTS_PER_KB: u64 = 200;

/// Parses front matter into a JSON value within the `yaml-depth` and `yaml-aliases` limits.
fn parse_yaml(yaml: &str, limits: &InputLimits) -> Result<Value, YamlError> {
    // Most front matter is plain block YAML, read many times faster without the general parser
    // (one level of depth is kept in hand so the fast reader never accepts what the limit
    // would refuse).
    if let Some(value) = plain_yaml::parse(yaml, limits.usize(LimitName::YamlDepth).saturating_sub(1)) {
        return Ok(value);
    }
    yaml_value(yaml, 2, limits).map_err(|(e, limit)| match limit {
        Some(limit) => YamlError::Limit(format!(
            "the front matter was not parsed as YAML, only read line by line for its licence: {} at line {} ({})",
            e.value,
            e.line,
            limit.exceeded(limits.get(limit))
        )),
        None => YamlError::Syntax(e),
    })
}

/// Parses a YAML document that starts on 1-based file line `start` into a JSON value, within the
/// default limits cards get; errors carry the file line and, when a limit was hit, name it.
pub(crate) fn parse_yaml_at(yaml: &str, start: u32) -> Result<Value, Located<String>> {
    let limits = InputLimits::default();
    yaml_value(yaml, start, &limits).map_err(|(e, limit)| match limit {
        Some(limit) => Located { value: format!("{} ({})", e.value, limit.exceeded(limits.get(limit))), line: e.line },
        None => e,
    })
}

/// Parses YAML that starts on file line `start`; an error carries its file line and the limit
/// it breaks, if it is a budget breach rather than broken YAML.
fn yaml_value(yaml: &str, start: u32, limits: &InputLimits) -> Result<Value, (Located<String>, Option<LimitName>)> {
    let aliases = limits.usize(LimitName::YamlAliases);
    let max_events =
        usize::try_from((limits.front_matter / 1024).saturating_mul(EVENTS_PER_KB).max(200_000)).unwrap_or(usize::MAX);
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: max_events,
            max_aliases: aliases,
            max_anchors: aliases,
            max_depth: limits.usize(LimitName::YamlDepth),
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: aliases.saturating_mul(100),
            max_replay_stack_depth: 16,
            max_alias_expansions_per_anchor: aliases,
        },
        // `.nan` / `.inf` are valid YAML (eval results use them); keep them as written.
        non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::AsString,
    };
    if yaml.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str_with_options::<Value>(yaml, options).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        let line = u32::try_from(line).unwrap_or(u32::MAX).saturating_add(start.saturating_sub(1)).max(start);
        (Located { value: first_line(&e.without_snippet().to_string()), line }, budget_breach(&e))
    })
}

/// The limit a YAML error breaks, when it is a budget breach rather than broken YAML.
fn budget_breach(e: &serde_saphyr::Error) -> Option<LimitName> {
    use serde_saphyr::{Error, budget::BudgetBreach};
    let mut e = e;
    while let Error::WithSnippet { error, .. } | Error::AliasError { error, .. } = e {
        e = error;
    }
    match e {
        Error::Budget { breach: BudgetBreach::Depth { .. }, .. } => Some(LimitName::YamlDepth),
        Error::Budget { breach: BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. }, .. }
        | Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayStackDepthExceeded { .. } => Some(LimitName::YamlAliases),
        // The event budget grows with the front-matter limit.
        Error::Budget { .. } => Some(LimitName::FrontMatter),
        _ => None,
    }
}

fn first_line(message: &str) -> String {
    let line = message.lines().find(|l| !l.trim().is_empty()).unwrap_or(message).trim();
    // serde-saphyr prefixes "error: line X column Y:"; the caller reports the position itself.
    let line = line.strip_prefix("error:").unwrap_or(line).trim();
    // Positions are relative to the YAML block; the caller reports the file line instead.
    let mut line = strip_position(line);
    // The parser's advice is for its API users, not for people editing a card.
    if let Some(i) = line.find(", set DuplicateKeyPolicy") {
        line.truncate(i);
    }
    line.chars().take(300).collect()
}

/// Removes "line X column Y" / "at line X, column Y" fragments from a parser message.
fn strip_position(message: &str) -> String {
    let mut out = message.to_string();
    for pattern in [" at line ", "line "] {
        while let Some(i) = out.find(pattern) {
            let rest = &out[i + pattern.len()..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                break;
            }
            let mut end = i + pattern.len() + digits;
            let tail = &out[end..];
            for sep in [", column ", " column "] {
                if let Some(t) = tail.strip_prefix(sep) {
                    let d = t.chars().take_while(char::is_ascii_digit).count();
                    end += sep.len() + d;
                    break;
                }
            }
            out.replace_range(i..end, "");
        }
    }
    out.trim().trim_start_matches(':').trim().to_string()
}

fn kind_of<'a>(keys: impl Iterator<Item = &'a str> + Clone) -> Option<CardKind> {
    let has =
        |set: &[&str]| keys.clone().any(|k| set.contains(&k) || (set == MODEL_KEYS && k.starts_with("extra_gated")));
    if has(DATASET_KEYS) && !has(MODEL_ONLY_KEYS) {
        Some(CardKind::Dataset)
    } else if has(MODEL_KEYS) {
        Some(CardKind::Model)
    } else {
        None
    }
}

/// 1-based file line of every top-level key (first occurrence), and of every line below it.
struct KeyLines<'a> {
    /// key → (file line, index of the first line after the key block).
    keys: BTreeMap<String, (u32, usize)>,
    lines: Vec<&'a str>,
}

fn key_lines(yaml: &str) -> KeyLines<'_> {
    let lines: Vec<&str> = lines::lines(yaml).collect();
    let mut keys = BTreeMap::new();
    let mut starts: Vec<(String, usize)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(key) = top_level_key(line) {
            starts.push((key, i));
        }
    }
    for (n, (key, i)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(lines.len(), |(_, j)| *j);
        keys.entry(key.clone()).or_insert((*i as u32 + 2, end));
    }
    KeyLines { keys, lines }
}

impl KeyLines<'_> {
    fn line(&self, key: &str) -> u32 {
        self.keys.get(key).map_or(2, |(l, _)| *l)
    }

    /// The line holding `value` within `key`'s block, or the key's own line.
    fn value_line(&self, key: &str, value: &str) -> u32 {
        let Some(&(line, end)) = self.keys.get(key) else { return 2 };
        let start = (line - 2) as usize;
        (start..end).find(|&i| self.lines.get(i).is_some_and(|l| l.contains(value))).map_or(line, |i| i as u32 + 2)
    }
}

fn top_level_key(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '-' | '#' | '[' | '{' | '}' | ']') {
        return None;
    }
    let (key, rest) = if let Some(q) = line.strip_prefix('"').or_else(|| line.strip_prefix('\'')) {
        let close = q.find(first)?;
        (&q[..close], &q[close + 1..])
    } else {
        let colon = line.find(':')?;
        (&line[..colon], &line[colon..])
    };
    let rest = rest.trim_start();
    let after = rest.strip_prefix(':')?;
    (after.is_empty() || after.starts_with([' ', '\t'])).then(|| key.trim().to_string())
}

fn has_card_key_lines(yaml: &str) -> bool {
    lines::lines(yaml)
        .filter_map(top_level_key)
        .any(|k| MODEL_KEYS.contains(&k.as_str()) || DATASET_KEYS.contains(&k.as_str()))
}

/// Reads `license:`-style scalars line by line, for front matter YAML refused.
fn fallback_meta(yaml: &str) -> (CardMeta, CardKind) {
    let mut meta = CardMeta::default();
    let keys: Vec<String> = lines::lines(yaml).filter_map(top_level_key).collect();
    let kind = kind_of(keys.iter().map(String::as_str)).unwrap_or(CardKind::Model);
    for (i, line) in lines::lines(yaml).enumerate() {
        let Some(key) = top_level_key(line) else { continue };
        let value = line.split_once(':').map(|(_, v)| v).unwrap_or("");
        let value = value.split(" #").next().unwrap_or("").trim().trim_matches(|c| c == '"' || c == '\'');
        if value.is_empty() || value.starts_with(['{', '[', '|', '>', '&', '*']) {
            continue;
        }
        let located = Located { value: value.to_string(), line: i as u32 + 2 };
        match key.as_str() {
            "license" if meta.license.is_empty() => meta.license.push(located),
            "license_name" => meta.license_name = Some(located),
            "license_link" => meta.license_link = Some(located),
            "base_model" if meta.base_model.is_empty() => meta.base_model.push(located),
            _ => {}
        }
    }
    (meta, kind)
}

fn extract_meta(
    map: &serde_json::Map<String, Value>,
    keys: &KeyLines<'_>,
    _yaml: &str,
) -> (CardMeta, CardKeys, Option<Located<String>>) {
    let mut meta = CardMeta::default();
    let mut more = CardKeys::default();
    let mut problem = None;

    let list = |key: &str, problem: &mut Option<Located<String>>| -> Vec<Located<String>> {
        match map.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => match strings(v) {
                Some(values) => values
                    .into_iter()
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| Located { line: keys.value_line(key, &s), value: s })
                    .collect(),
                None => {
                    problem.get_or_insert(Located {
                        value: format!("`{key}` must be a string or a list of strings, found {}", type_name(v)),
                        line: keys.line(key),
                    });
                    Vec::new()
                }
            },
        }
    };
    meta.license = list("license", &mut problem);
    meta.base_model = list("base_model", &mut problem);
    let single = |key: &str| -> Option<Located<String>> {
        let v = scalar(map.get(key)?)?;
        (!v.trim().is_empty()).then(|| Located { line: keys.line(key), value: v })
    };
    meta.license_name = single("license_name");
    meta.license_link = single("license_link");
    more.gated = single("gated").filter(|g| g.value != "false");
    more.pipeline_tag = single("pipeline_tag").map(|l| l.value);
    more.library_name = single("library_name").map(|l| l.value);
    more.datasets = map.get("datasets").and_then(strings).unwrap_or_default();
    more.tags = map.get("tags").and_then(strings).unwrap_or_default();
    meta.eu_disallowed = match map.get("extra_gated_eu_disallowed") {
        Some(Value::Bool(true)) => Some(keys.line("extra_gated_eu_disallowed")),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(keys.line("extra_gated_eu_disallowed")),
        _ => None,
    };
    let model_index = map.get("model-index").filter(|v| !v.is_null());
    more.has_model_index = model_index.is_some();
    more.eval_datasets = model_index.map(model_index_datasets).unwrap_or_default();
    more.widget_output = match map.get("widget") {
        Some(Value::Array(items)) => items.iter().any(|w| w.get("output").is_some_and(|o| !o.is_null())),
        _ => false,
    };
    more.lines = crate::model::KeyLines::new(keys.keys.iter().map(|(k, (line, _))| (k.as_str(), *line)));
    meta.model_name = single("model_name")
        .map(|l| l.value)
        .or_else(|| model_index?.as_array()?.first()?.get("name").and_then(scalar).filter(|n| !n.trim().is_empty()));
    // Held for every card until its model is reported: a list of one licence keeps room for four.
    meta.license.shrink_to_fit();
    meta.base_model.shrink_to_fit();
    more.datasets.shrink_to_fit();
    more.tags.shrink_to_fit();
    more.eval_datasets.shrink_to_fit();
    (meta, more, problem)
}

/// Hub dataset ids a `model-index` says its results were measured on, at most 50.
fn model_index_datasets(index: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Value::Array(models) = index else { return out };
    for m in models {
        let Some(Value::Array(results)) = m.get("results") else { continue };
        for r in results {
            let Some(d) = r.get("dataset") else { continue };
            let id = d.get("type").or_else(|| d.get("name")).and_then(Value::as_str).unwrap_or("").trim();
            if !id.is_empty() && !out.iter().any(|o| o == id) && out.len() < 50 {
                out.push(id.to_string());
            }
        }
    }
    out
}

/// A string, or every string of a list; numbers and booleans as written.
fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

/// A scalar as text (numbers and booleans as written); `None` for null, lists and mappings.
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list with a non-string item",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(text: &str) -> Card {
        parse("m/README.md", text).expect("a card")
    }

    #[test]
    fn scalar_and_list_licences_with_lines() {
        let c = card("---\nlanguage: en\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Hi\n");
        assert_eq!(c.meta.license, vec![Located { value: "llama3.1".into(), line: 3 }]);
        assert_eq!(c.meta.base_model[0].line, 4);
        let c = card("---\nlicense:\n  - mit\n  - openrail\ntags: [a]\n---\n");
        assert_eq!(
            c.meta.license,
            vec![Located { value: "mit".into(), line: 3 }, Located { value: "openrail".into(), line: 4 }]
        );
    }

    #[test]
    fn broken_yaml_is_an_error_with_a_line_and_keeps_the_licence() {
        let c = card("---\nlicense: apache-2.0\ntags:\n- a\n  b: [\n---\nbody\n");
        let err = c.parse_error.expect("parse error");
        assert!(err.line >= 2, "{err:?}");
        assert_eq!(c.meta.license[0].value, "apache-2.0");
        assert_eq!(c.meta.license[0].line, 2);
    }

    #[test]
    fn duplicate_keys_are_errors_a_person_can_act_on() {
        let c = card("---\nlicense: mit\nlicense: llama3.1\n---\n");
        let err = c.parse_error.unwrap();
        assert_eq!(err.line, 3);
        assert!(err.value.contains("duplicate mapping key"), "{}", err.value);
        assert!(!err.value.contains("DuplicateKeyPolicy"), "{}", err.value);
        assert!(!err.value.contains("column"), "positions are reported as the file line: {}", err.value);
    }

    #[test]
    fn nan_and_crlf_are_fine() {
        let c = card(
            "---\r\nlicense: mit\r\nmodel-index:\r\n- name: x\r\n  results: [{metrics: [{value: .nan}]}]\r\n---\r\n",
        );
        assert!(c.parse_error.is_none(), "{:?}", c.parse_error);
        assert_eq!(c.meta.license[0].value, "mit");
    }

    #[test]
    fn unterminated_front_matter() {
        let c = card("---\nlicense: mit\n\n# Title\n");
        assert_eq!(c.parse_error.unwrap().line, 1);
        assert_eq!(c.meta.license[0].value, "mit");
    }

    #[test]
    fn dataset_cards_and_non_cards() {
        let d = parse("d/README.md", "---\nlicense: cc-by-4.0\ntask_categories: [text-classification]\n---\n").unwrap();
        assert_eq!(d.kind, CardKind::Dataset);
        assert!(parse("docs/post.md", "---\ntitle: Hello\nlayout: post\n---\nText").is_none());
        assert!(parse("docs/other.md", "no front matter").is_none());
        let readme = parse("x/README.md", "# Just a readme\n").unwrap();
        assert!(!readme.recognised);
    }

    #[test]
    fn eu_gating_and_model_index_name() {
        let c = card(
            "---\nlicense: llama3.2\ngated: true\nextra_gated_eu_disallowed: true\nmodel-index:\n- name: my-model\n  results: []\n---\n",
        );
        assert_eq!(c.meta.eu_disallowed, Some(4));
        assert_eq!(c.meta.model_name.as_deref(), Some("my-model"));
        assert_eq!(c.body().keys.gated.clone().unwrap().value, "true");
    }

    #[test]
    fn a_mapping_where_a_licence_belongs_is_reported() {
        let c = card("---\nlicense: {license}\ntags: [x]\n---\n");
        let err = c.parse_error.unwrap();
        assert_eq!(err.line, 2);
        assert!(err.value.contains("mapping"), "{}", err.value);
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut y = String::from("---\nlicense: mit\na: &a [x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='j' {
            y.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        y.push_str("---\n");
        let (c, hits) = parse_with("m/README.md", &y, &InputLimits::default());
        let c = c.expect("still a card");
        assert!(c.parse_error.is_none(), "a limit, not broken YAML: {:?}", c.parse_error);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].contains("limit `yaml-aliases` = 1000"), "{}", hits[0]);
        assert_eq!(c.meta.license[0].value, "mit", "the licence is read line by line");
    }

    #[test]
    fn front_matter_depth_size_and_long_lines_are_limits() {
        let limits = InputLimits { yaml_depth: 4, front_matter: 64, line_length: 10, ..InputLimits::default() };
        let deep = "---\nlicense: mit\na: [[[[[[1]]]]]]\n---\n";
        let (c, hits) = parse_with("m/README.md", deep, &limits);
        assert!(hits.iter().any(|h| h.contains("limit `yaml-depth` = 4")), "{hits:?}");
        assert_eq!(c.unwrap().meta.license[0].value, "mit");
        let big = format!("---\nlicense: apache-2.0\ntags: [{}]\n---\n", "x, ".repeat(40));
        let (c, hits) = parse_with("m/README.md", &big, &limits);
        assert!(hits.iter().any(|h| h.contains("limit `front-matter` = 64")), "{hits:?}");
        assert_eq!(c.unwrap().meta.license[0].value, "apache-2.0");
        let long = format!("---\nlicense: mit\n---\n# {}\nshort\n", "y".repeat(100));
        let (c, hits) = parse_with("m/README.md", &long, &limits);
        assert!(hits.iter().any(|h| h.starts_with("line 4 is 102 bytes long")), "{hits:?}");
        assert!(c.unwrap().body().sections[0].title.len() <= 10);
    }
}
