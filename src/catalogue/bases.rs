//! Well-known base-model families and their licences (`licences/_base-models.toml`), so a
//! fine-tune's lineage can be judged without a network look-up.

use serde::Deserialize;

use super::CatalogueError;

/// A pattern over Hub ids (`meta-llama/Llama-3.1-*`) and the licence those models carry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseFamily {
    /// The data file (set by the loader).
    #[serde(skip)]
    pub file: String,
    /// Case-insensitive pattern; `*` matches any run of characters.
    pub pattern: String,
    /// Catalogue id of the licence.
    pub licence: String,
    /// Why we believe it (the model card or licence page it comes from).
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    base: Vec<BaseFamily>,
}

pub(super) fn parse(file: &str, text: &str) -> Result<Vec<BaseFamily>, CatalogueError> {
    let table: Table =
        toml::from_str(text).map_err(|e| CatalogueError::Parse { file: file.to_string(), message: e.to_string() })?;
    Ok(table
        .base
        .into_iter()
        .map(|mut b| {
            b.file = file.to_string();
            b
        })
        .collect())
}

impl BaseFamily {
    /// Whether a model id belongs to this family.
    pub fn matches(&self, model_id: &str) -> bool {
        glob_match(&self.pattern.to_ascii_lowercase(), &model_id.trim().to_ascii_lowercase())
    }
}

/// `*`-only glob matching, iterative so no input can make it recurse deeply.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("meta-llama/llama-3.1-*", "meta-llama/llama-3.1-8b-instruct"));
        assert!(!glob_match("meta-llama/llama-3.1-*", "meta-llama/llama-3.2-1b"));
        assert!(glob_match("*/gemma-*", "google/gemma-2-9b"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(glob_match("*", ""));
    }
}
