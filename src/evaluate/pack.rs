//! Rule packs: declarative TOML files in `rules/`, embedded in the binary.
//!
//! A pack names the rules it enables with their severity, summary and help text. What each rule
//! checks is code (`checks.rs`), looked up by id; a pack that names a rule no check implements
//! is refused when it is loaded.

use serde::Deserialize;

use crate::vocab::Severity;

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// A policy pack.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Pack name (`default`).
    pub name: String,
    /// What the pack is for.
    pub description: String,
    /// Enabled rules.
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
}

/// One enabled rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable rule id (public API).
    pub id: String,
    /// Default severity.
    pub severity: Severity,
    /// One line: what the rule flags.
    pub summary: String,
    /// What to do about it.
    pub help: String,
}

/// A problem in a pack file.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// Not valid TOML for the pack schema.
    #[error("rules/{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What was wrong.
        message: String,
    },
    /// A rule id with no check behind it.
    #[error("rules/{file}: rule `{id}` is not implemented (known: {known})")]
    UnknownRule {
        /// The file.
        file: String,
        /// The id.
        id: String,
        /// Ids that exist.
        known: String,
    },
    /// No pack has this name.
    #[error("no built-in policy pack `{0}`")]
    NoSuchPack(String),
}

/// Parses a pack and checks every rule id against the implemented checks.
pub fn parse(file: &str, text: &str) -> Result<Pack, PackError> {
    let pack: Pack =
        toml::from_str(text).map_err(|e| PackError::Parse { file: file.into(), message: e.to_string() })?;
    for rule in &pack.rules {
        if super::checks::check(&rule.id).is_none() {
            return Err(PackError::UnknownRule {
                file: file.into(),
                id: rule.id.clone(),
                known: super::checks::IDS.join(", "),
            });
        }
    }
    Ok(pack)
}

/// A built-in pack by name.
pub fn builtin(name: &str) -> Result<Pack, PackError> {
    let file = format!("{name}.toml");
    let (_, text) = RULE_FILES.iter().find(|(f, _)| *f == file).ok_or_else(|| PackError::NoSuchPack(name.into()))?;
    parse(&file, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pack_loads() {
        assert!(!RULE_FILES.is_empty());
        for (file, text) in RULE_FILES {
            let pack = parse(file, text).unwrap_or_else(|e| panic!("{e}"));
            let mut ids: Vec<&str> = pack.rules.iter().map(|r| r.id.as_str()).collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n, "{file}: duplicate rule ids");
        }
    }

    #[test]
    fn unknown_rules_are_refused() {
        let err = parse(
            "x.toml",
            "name='x'\ndescription='d'\n[[rule]]\nid='nope'\nseverity='error'\nsummary='s'\nhelp='h'\n",
        );
        assert!(matches!(err, Err(PackError::UnknownRule { .. })));
        assert!(matches!(builtin("nope"), Err(PackError::NoSuchPack(_))));
    }
}
