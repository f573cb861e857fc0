//! Inventory files (`--inventory FILE`, and the id lists of `--hub-from FILE`): the models a team
//! says it uses, one per row, with an optional revision, owning team and deployment region, and
//! any other columns, which are kept in the report.
//!
//! Three formats, by extension:
//! - `.csv` / `.tsv`: a header row, then one model per row. The id column is the first of `id`,
//!   `model`, `model_id`, `model_name`, `repo_id`, `repo`, `name`; `revision` (or `rev`,
//!   `commit`, `sha`), `team` (or `owner`, `owner_team`) and `region` (or `deployment_region`)
//!   are recognised; other columns are kept as they are.
//! - `.json`: an array of ids or of objects with the same keys, or `{"models": [...]}`.
//! - anything else: a plain list, one id per line, `#` comments, optional `key=value` words
//!   after the id (`meta-llama/Llama-3.1-8B team=search region=eu-west-1`).
//!
//! An id may carry its revision after `@` (`owner/name@v1.0`). What an id names (a Hub repository,
//! an Ollama model, a hosted API model) is decided by the provider table.

use std::{collections::BTreeMap, io, path::Path};

use super::display_path;
use crate::{
    files,
    model::{Entry, Hosted, InventoryEntry, ModelTarget, Provenance},
    providers::Providers,
    vocab::Source,
};

/// Largest inventory file read.
const MAX_SIZE: u64 = 64 << 20;

const ID_KEYS: [&str; 7] = ["id", "model", "model_id", "model_name", "repo_id", "repo", "name"];
const REVISION_KEYS: [&str; 4] = ["revision", "rev", "commit", "sha"];
const TEAM_KEYS: [&str; 4] = ["team", "owner", "owner_team", "owning_team"];
const REGION_KEYS: [&str; 3] = ["region", "deployment_region", "deployment-region"];

/// An inventory that cannot be used (a configuration error, exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The file cannot be read.
    #[error("cannot read inventory `{file}`: {source}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        source: io::Error,
    },
    /// A row or the header is wrong.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line.
        line: u32,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// Reads an inventory file.
pub fn read(path: &Path) -> Result<Vec<InventoryEntry>, InventoryError> {
    let file = display_path(path);
    let (bytes, truncated) =
        files::read_bounded(path, MAX_SIZE).map_err(|source| InventoryError::Io { file: file.clone(), source })?;
    if truncated {
        return Err(InventoryError::Io {
            file,
            source: io::Error::new(io::ErrorKind::InvalidData, format!("larger than {MAX_SIZE} bytes: not read")),
        });
    }
    let text = String::from_utf8_lossy(&bytes);
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    parse(&file, &ext, &text)
}

/// Parses an inventory's text; `ext` (lower case: `csv`, `tsv`, `json`, anything else) is the
/// format.
pub fn parse(file: &str, ext: &str, text: &str) -> Result<Vec<InventoryEntry>, InventoryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match ext {
        "csv" => csv(file, text, b','),
        "tsv" => csv(file, text, b'\t'),
        "json" => json(file, text),
        _ => plain(file, text),
    }
}

/// Model entries for inventory rows; every id must name something.
pub fn entries(rows: Vec<InventoryEntry>) -> Result<Vec<Entry>, InventoryError> {
    let providers = Providers::get();
    rows.into_iter()
        .map(|row| {
            let target = providers.classify(&row.id).ok_or_else(|| InventoryError::Invalid {
                file: row.file.clone(),
                line: row.line,
                message: format!(
                    "`{}` is not a model id (expected `owner/name` for the Hub, `name:tag` or `ollama:name` for \
                     Ollama, `provider:model` or a known API model name such as `gpt-4o`)",
                    row.id
                ),
            })?;
            let hosted = match &target {
                ModelTarget::Hosted { provider, model } => {
                    Some(Hosted { provider: provider.clone(), model: model.clone() })
                }
                _ => None,
            };
            Ok(Entry {
                id: target.id(),
                source: Source::Inventory,
                dataset: false,
                location: format!("{}:{}", row.file, row.line),
                provenance: Provenance {
                    sources: vec![Source::Inventory],
                    revision: row.revision.clone(),
                    hosted,
                    inventory: vec![row],
                    ..Default::default()
                },
                artifacts: Vec::new(),
                known: Vec::new(),
            })
        })
        .collect()
}

/// The Hub repositories an inventory lists, with their revisions (`--hub-from`); other ids are
/// left out.
pub fn hub_ids(rows: &[InventoryEntry]) -> Vec<(String, Option<String>)> {
    let providers = Providers::get();
    rows.iter()
        .filter_map(|r| match providers.classify(&r.id) {
            Some(ModelTarget::Hub(id)) => Some((id, r.revision.clone())),
            _ => None,
        })
        .collect()
}

/// Splits `owner/name@rev`; names that contain `@` themselves (`claude-3-5-sonnet-v2@20241022`
/// on Vertex) are left whole.
fn split_revision(raw: &str) -> (String, Option<String>) {
    let raw = raw.trim();
    if Providers::get().hosted(raw).is_some() {
        return (raw.to_string(), None);
    }
    match raw.rsplit_once('@') {
        Some((id, rev)) if !id.is_empty() && !rev.is_empty() => (id.to_string(), Some(rev.to_string())),
        _ => (raw.to_string(), None),
    }
}

/// A row from named cells: the id, revision, team and region keys taken out, the rest kept.
fn row(file: &str, line: u32, cells: Vec<(String, String)>) -> Result<Option<InventoryEntry>, InventoryError> {
    let mut id = None;
    let mut revision = None;
    let mut team = None;
    let mut region = None;
    let mut columns = BTreeMap::new();
    let rank = |keys: &[&str], k: &str| keys.iter().position(|x| *x == k);
    let mut id_rank = usize::MAX;
    for (key, value) in cells {
        let k = key.trim().to_ascii_lowercase();
        let v = value.trim().to_string();
        if let Some(r) = rank(&ID_KEYS, &k)
            && r < id_rank
        {
            if let Some(previous) = id.replace(v) {
                columns.insert(ID_KEYS[id_rank].to_string(), previous);
            }
            id_rank = r;
            continue;
        }
        if v.is_empty() {
            continue;
        }
        if REVISION_KEYS.contains(&k.as_str()) && revision.is_none() {
            revision = Some(v);
        } else if TEAM_KEYS.contains(&k.as_str()) && team.is_none() {
            team = Some(v);
        } else if REGION_KEYS.contains(&k.as_str()) && region.is_none() {
            region = Some(v);
        } else {
            columns.insert(key.trim().to_string(), v);
        }
    }
    let Some(raw) = id.filter(|i| !i.is_empty()) else { return Ok(None) };
    let (id, at) = split_revision(&raw);
    if revision.is_some() && at.is_some() {
        return Err(InventoryError::Invalid {
            file: file.to_string(),
            line,
            message: format!("`{raw}` gives a revision after `@` and in a revision column; give it once"),
        });
    }
    Ok(Some(InventoryEntry { file: file.to_string(), line, id, revision: revision.or(at), team, region, columns }))
}

fn csv(file: &str, text: &str, delimiter: u8) -> Result<Vec<InventoryEntry>, InventoryError> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let invalid = |line: u64, message: String| InventoryError::Invalid {
        file: file.to_string(),
        line: u32::try_from(line).unwrap_or(u32::MAX),
        message,
    };
    let headers = reader.headers().map_err(|e| invalid(1, e.to_string()))?.clone();
    if !headers.iter().any(|h| ID_KEYS.contains(&h.trim().to_ascii_lowercase().as_str())) {
        return Err(invalid(1, format!("the header has no model id column (expected one of: {})", ID_KEYS.join(", "))));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            invalid(line, e.to_string())
        })?;
        let line = u32::try_from(record.position().map_or(0, |p| p.line())).unwrap_or(u32::MAX);
        let cells = headers.iter().zip(record.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect();
        out.extend(row(file, line, cells)?);
    }
    Ok(out)
}

fn json(file: &str, text: &str) -> Result<Vec<InventoryEntry>, InventoryError> {
    let invalid = |line: u32, message: String| InventoryError::Invalid { file: file.to_string(), line, message };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| invalid(u32::try_from(e.line()).unwrap_or(0), format!("not valid JSON: {e}")))?;
    let items = match &value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => match o.get("models") {
            Some(serde_json::Value::Array(a)) => a,
            _ => return Err(invalid(1, "expected an array of models or an object with a `models` array".into())),
        },
        _ => return Err(invalid(1, "expected an array of models or an object with a `models` array".into())),
    };
    // serde_json keeps no positions: each id is found in the text after the previous one.
    let mut cursor = 0;
    let mut line_of = |id: &str| -> u32 {
        let quoted = serde_json::to_string(id).unwrap_or_default();
        match text[cursor..].find(&quoted) {
            Some(off) => {
                cursor += off + quoted.len();
                u32::try_from(text[..cursor].matches('\n').count() + 1).unwrap_or(u32::MAX)
            }
            None => 0,
        }
    };
    let mut out = Vec::new();
    for item in items {
        let cells: Vec<(String, String)> = match item {
            serde_json::Value::String(s) => vec![("id".into(), s.clone())],
            serde_json::Value::Object(o) => o
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect(),
            other => return Err(invalid(0, format!("expected a model id or an object, found `{other}`"))),
        };
        let id = cells
            .iter()
            .filter(|(k, _)| ID_KEYS.contains(&k.to_ascii_lowercase().as_str()))
            .min_by_key(|(k, _)| ID_KEYS.iter().position(|x| *x == k.to_ascii_lowercase()))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let line = line_of(&id);
        match row(file, line, cells)? {
            Some(r) => out.push(r),
            None => {
                return Err(invalid(
                    line,
                    format!("an entry has no model id (expected one of: {})", ID_KEYS.join(", ")),
                ));
            }
        }
    }
    Ok(out)
}

fn plain(file: &str, text: &str) -> Result<Vec<InventoryEntry>, InventoryError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let content = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(c) => &raw[..c],
            None => raw,
        };
        let content = content.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let mut words = content.split_whitespace();
        let Some(id) = words.next() else { continue };
        let mut cells = vec![("id".to_string(), id.to_string())];
        for w in words {
            let Some((k, v)) = w.split_once('=') else {
                return Err(InventoryError::Invalid {
                    file: file.to_string(),
                    line,
                    message: format!("`{w}`: expected `key=value` after the model id (team=…, region=…, revision=…)"),
                });
            };
            cells.push((k.to_string(), v.to_string()));
        }
        out.extend(row(file, line, cells)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_and_extra_columns() {
        let text = "model,revision,team,region,cost centre\n\
                    meta-llama/Llama-3.1-8B-Instruct,abc123,search,eu-west-1,42\n\
                    \"gpt-4o\",,\"support, tier 2\",us-east-1,\n\n";
        let rows = csv("inv.csv", text, b',').unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, "meta-llama/Llama-3.1-8B-Instruct");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].revision.as_deref(), Some("abc123"));
        assert_eq!(rows[0].columns.get("cost centre").map(String::as_str), Some("42"));
        assert_eq!(rows[1].team.as_deref(), Some("support, tier 2"));
        assert_eq!(rows[1].line, 3);
        let err = csv("inv.csv", "team,region\nx,y\n", b',').unwrap_err();
        assert!(err.to_string().starts_with("inv.csv:1: the header has no model id column"), "{err}");
    }

    #[test]
    fn json_lists_and_objects() {
        let text = "{\n  \"models\": [\n    \"llama3.2:3b\",\n    {\"id\": \"BAAI/bge-small-en-v1.5@main\", \"team\": \"rag\", \"replicas\": 3}\n  ]\n}\n";
        let rows = json("inv.json", text).unwrap();
        assert_eq!(rows[0].line, 3);
        assert_eq!(rows[1].id, "BAAI/bge-small-en-v1.5");
        assert_eq!(rows[1].revision.as_deref(), Some("main"));
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].columns.get("replicas").map(String::as_str), Some("3"));
        assert!(json("inv.json", "{\"x\": 1}").is_err());
        assert!(json("inv.json", "[{\"team\": \"a\"}]").is_err());
    }

    #[test]
    fn plain_lists() {
        let text = "# models in production\nmeta-llama/Llama-3.1-8B team=search region=eu  # main model\n\nclaude-3-5-sonnet-v2@20241022\n";
        let rows = plain("inv.txt", text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].region.as_deref(), Some("eu"));
        assert_eq!(rows[1].id, "claude-3-5-sonnet-v2@20241022", "a Vertex model name keeps its @");
        assert_eq!(rows[1].line, 4);
        let err = plain("inv.txt", "org/x search\n").unwrap_err();
        assert!(err.to_string().starts_with("inv.txt:1:"), "{err}");
    }

    #[test]
    fn entries_name_their_targets() {
        let rows = plain("inv.txt", "gpt-4o team=a\nmeta-llama/Llama-3.1-8B\n").unwrap();
        let e = entries(rows).unwrap();
        assert_eq!(e[0].id, "openai:gpt-4o");
        assert_eq!(e[0].provenance.hosted.as_ref().unwrap().provider, "openai");
        assert_eq!(e[1].id, "meta-llama/Llama-3.1-8B");
        assert_eq!(e[1].location, "inv.txt:2");
        assert!(entries(plain("inv.txt", "not/a/model\n").unwrap()).is_err());
    }
}
