//! Rule packs: declarative TOML files in `rules/`, embedded in the binary, or a user's own pack
//! file given by path.
//!
//! A pack names the rules it enables with their severity, summary, remediation and docs. A rule
//! either names a built-in check by id (`checks.rs`: computed facts such as conflicts and
//! lineage) or carries its own `when` condition over the model record (`condition.rs`) and a
//! message template. Everything is checked when the pack is loaded: unknown keys, unknown
//! built-in ids, bad conditions, unknown template variables.

use std::path::Path;

use serde::Deserialize;

use super::condition::Condition;
use crate::vocab::Severity;

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// Built-in pack files whose name starts with this are internal (not selectable).
const INTERNAL: char = '_';

/// Where the documentation of built-in rules lives, relative to the repository.
pub const DOCS_PAGE: &str = "docs/rules.md";

/// A policy pack.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Pack name (`default`).
    pub name: String,
    /// What the pack is for.
    pub description: String,
    /// Enabled rules.
    #[serde(rename = "rule", default)]
    pub rules: Vec<Rule>,
    /// Ids of rules defined by other built-in packs that this pack also runs (each rule is
    /// defined, and documented, in one pack only).
    #[serde(default)]
    pub include: Vec<String>,
}

impl Pack {
    /// Whether any rule reads card body text; the scan keeps card text only then.
    pub fn reads_card_text(&self) -> bool {
        self.rules.iter().any(|r| r.when.as_ref().is_some_and(Condition::reads_card_text))
    }
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
    /// Remediation: what to do about it (shared by every finding of the rule).
    pub help: std::sync::Arc<str>,
    /// Longer explanation: why it matters, what exactly is tested.
    #[serde(default)]
    pub description: Option<String>,
    /// Link to the rule's documentation (built-in rules: `docs/rules.md#<id>`).
    #[serde(default)]
    pub docs: Option<String>,
    /// Declarative condition; absent for built-in checks.
    #[serde(default)]
    pub when: Option<Condition>,
    /// Message template for a declarative rule: `{model}`, `{licence}`, `{category}`, `{spdx}`,
    /// `{detail}`, `{location}`, `{weights}`, `{data}`, `{code}`, `{mof}`.
    #[serde(default)]
    pub message: Option<String>,
    /// Labels for SARIF consumers (`security`, `licence`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The pack the rule came from (set by the loader).
    #[serde(skip)]
    pub pack: String,
}

/// Variables a message template may use.
pub const TEMPLATE_VARIABLES: &[&str] =
    &["model", "licence", "category", "spdx", "detail", "location", "weights", "data", "code", "mof"];

/// A problem in a pack file.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// Not valid TOML for the pack schema.
    #[error("{message}")]
    Parse {
        /// The file (`rules/default.toml` or the path given).
        file: String,
        /// What was wrong, as `file:line:column: message`.
        message: String,
    },
    /// A rule id with no check behind it.
    #[error("{file}: rule `{id}` has no `when` condition and is not a built-in check (built-in: {known})")]
    UnknownRule {
        /// The file.
        file: String,
        /// The id.
        id: String,
        /// Ids that exist.
        known: String,
    },
    /// A rule that is wrong in itself.
    #[error("{file}: rule `{id}`: {message}")]
    BadRule {
        /// The file.
        file: String,
        /// The id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// No pack has this name.
    #[error("no built-in policy pack `{0}` (built-in: {known}; a pack file is given by path)", known = names().join(", "))]
    NoSuchPack(String),
    /// A pack file could not be read.
    #[error("cannot read policy pack `{file}`: {message}")]
    Io {
        /// The path.
        file: String,
        /// The OS error.
        message: String,
    },
}

/// A TOML error as `file:line:column: message`.
pub fn toml_error(file: &str, text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim();
    match err.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{file}:{line}:{col}: {message}")
        }
        None => format!("{file}: {message}"),
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.chars().count(), |i| before[i + 1..].chars().count()) + 1;
    (line, col)
}

/// Parses a pack and checks every rule. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Pack, PackError> {
    let mut pack: Pack = toml::from_str(text)
        .map_err(|e| PackError::Parse { file: file.into(), message: toml_error(file, text, &e) })?;
    let bad = |id: &str, message: String| PackError::BadRule { file: file.into(), id: id.into(), message };
    let mut seen: Vec<&str> = Vec::new();
    for rule in &mut pack.rules {
        rule.pack = pack.name.clone();
        if rule.id.is_empty() || !rule.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(bad(&rule.id, "ids are lower-case words joined by `-`".into()));
        }
        for (what, value) in [("summary", rule.summary.as_str()), ("help", &rule.help)] {
            if value.trim().is_empty() {
                return Err(bad(&rule.id, format!("`{what}` must not be empty")));
            }
        }
        match (&mut rule.when, &rule.message) {
            (Some(when), Some(message)) => {
                when.compile().map_err(|e| bad(&rule.id, format!("when: {e}")))?;
                check_template(message).map_err(|e| bad(&rule.id, e))?;
                if super::checks::check(&rule.id).is_some() {
                    return Err(bad(&rule.id, "this id belongs to a built-in check; give the rule another id".into()));
                }
            }
            (Some(_), None) => return Err(bad(&rule.id, "a rule with `when` needs a `message` template".into())),
            (None, Some(_)) => {
                return Err(bad(&rule.id, "`message` is only for rules with a `when` condition".into()));
            }
            (None, None) => {
                if super::checks::check(&rule.id).is_none() {
                    return Err(PackError::UnknownRule {
                        file: file.into(),
                        id: rule.id.clone(),
                        known: super::checks::IDS.join(", "),
                    });
                }
            }
        }
    }
    for rule in &pack.rules {
        if seen.contains(&rule.id.as_str()) {
            return Err(bad(&rule.id, "defined twice in this pack".into()));
        }
        seen.push(&rule.id);
    }
    Ok(pack)
}

/// Checks a message template's `{variables}`; `{{` and `}}` are literal braces.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err("message: a lone `}` (write `}}` for a literal brace)".into());
        }
        let Some(end) = tail.find('}') else { return Err("message: `{` is never closed".into()) };
        let name = &tail[1..end];
        if !TEMPLATE_VARIABLES.contains(&name) {
            return Err(format!("message: unknown variable `{{{name}}}` (known: {})", TEMPLATE_VARIABLES.join(", ")));
        }
        rest = &tail[end + 1..];
    }
    Ok(())
}

/// Fills a checked template.
pub fn render(template: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        match tail.find('}') {
            Some(end) if tail.starts_with('{') => {
                out.push_str(&value(&tail[1..end]));
                rest = &tail[end + 1..];
            }
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A built-in pack by name (`default`; internal packs start with `_`).
pub fn builtin(name: &str) -> Result<Pack, PackError> {
    let mut pack = own(name)?;
    include(&mut pack, &format!("rules/{name}.toml"))?;
    Ok(pack)
}

/// A built-in pack with only the rules it defines itself.
fn own(name: &str) -> Result<Pack, PackError> {
    let file = format!("{name}.toml");
    let (_, text) = RULE_FILES.iter().find(|(f, _)| *f == file).ok_or_else(|| PackError::NoSuchPack(name.into()))?;
    let mut pack = parse(&format!("rules/{file}"), text)?;
    for rule in &mut pack.rules {
        rule.docs.get_or_insert_with(|| format!("{DOCS_PAGE}#{}", rule.id));
    }
    Ok(pack)
}

/// Adds the rules a pack includes by id from the built-in packs that define them.
fn include(pack: &mut Pack, file: &str) -> Result<(), PackError> {
    for id in pack.include.clone() {
        if pack.rules.iter().any(|r| r.id == id) {
            continue;
        }
        let rule = RULE_FILES
            .iter()
            .filter_map(|(f, _)| f.strip_suffix(".toml"))
            .filter(|n| *n != pack.name)
            .find_map(|n| own(n).ok()?.rules.into_iter().find(|r| r.id == id))
            .ok_or_else(|| PackError::BadRule {
                file: file.into(),
                id: id.clone(),
                message: "`include` names a rule no built-in pack defines".into(),
            })?;
        pack.rules.push(rule);
    }
    Ok(())
}

/// The names of the selectable built-in packs.
pub fn names() -> Vec<&'static str> {
    RULE_FILES.iter().filter_map(|(f, _)| f.strip_suffix(".toml")).filter(|n| !n.starts_with(INTERNAL)).collect()
}

/// The internal pack of rules that the configuration drives (licence lists, waivers); always
/// loaded.
pub fn config_pack() -> Result<Pack, PackError> {
    builtin("_config")
}

/// Whether a `--policy` value names a file rather than a built-in pack.
pub fn is_path(spec: &str) -> bool {
    spec.ends_with(".toml") || spec.contains('/') || spec.contains('\\')
}

/// A pack by name or path; relative paths are taken from `base`.
pub fn load(spec: &str, base: &Path) -> Result<Pack, PackError> {
    if !is_path(spec) {
        if spec.starts_with(INTERNAL) {
            return Err(PackError::NoSuchPack(spec.into()));
        }
        return builtin(spec);
    }
    let path = base.join(spec);
    let label = path.display().to_string();
    let text = crate::files::read_to_string_bounded(&path, crate::files::MAX_SETTINGS_FILE)
        .map_err(|e| PackError::Io { file: label.clone(), message: e.to_string() })?;
    let mut pack = parse(&label, &text)?;
    include(&mut pack, &label)?;
    Ok(pack)
}

/// Every rule of every built-in pack (internal ones included), in pack then file order.
pub fn all_builtin_rules() -> Result<Vec<Rule>, PackError> {
    let mut out = Vec::new();
    for (file, _) in RULE_FILES {
        let name = file.strip_suffix(".toml").unwrap_or(file);
        out.extend(own(name)?.rules);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pack_loads_and_ids_are_unique_across_packs() {
        assert!(names().contains(&"default"));
        assert!(!names().iter().any(|n| n.starts_with('_')));
        let rules = all_builtin_rules().unwrap_or_else(|e| panic!("{e}"));
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "a rule id is defined in two packs");
        for r in &rules {
            assert!(r.docs.as_deref().is_some_and(|d| d.ends_with(&format!("#{}", r.id))), "{}", r.id);
        }
    }

    #[test]
    fn packs_include_rules_defined_elsewhere() {
        let security = builtin("security").unwrap();
        let unsafe_pickle = security.rules.iter().find(|r| r.id == "unsafe-pickle").expect("included");
        assert_eq!(unsafe_pickle.pack, "default", "documented where it is defined");
        let err =
            parse("x.toml", "name='x'\ndescription='d'\ninclude=['nope']\n").map(|mut p| include(&mut p, "x.toml"));
        assert!(matches!(err, Ok(Err(PackError::BadRule { .. }))));
    }

    #[test]
    fn unknown_rules_are_refused() {
        let err = parse(
            "x.toml",
            "name='x'\ndescription='d'\n[[rule]]\nid='nope'\nseverity='error'\nsummary='s'\nhelp='h'\n",
        );
        assert!(matches!(err, Err(PackError::UnknownRule { .. })));
        assert!(matches!(builtin("nope"), Err(PackError::NoSuchPack(_))));
        assert!(matches!(load("_config", Path::new(".")), Err(PackError::NoSuchPack(_))));
    }

    #[test]
    fn pack_errors_carry_the_line() {
        let text = "name='x'\ndescription='d'\n[[rule]]\nid='a'\nseverity='error'\nsummary='s'\nhelp='h'\nwhenn={}\n";
        let err = parse("p.toml", text).unwrap_err().to_string();
        assert!(err.starts_with("p.toml:8:1: unknown field `whenn`"), "{err}");
        let text = "name='x'\ndescription='d'\n[[rule]]\nid='a'\nseverity='error'\nsummary='s'\nhelp='h'\nmessage='{modle}'\nwhen={card=false}\n";
        let err = parse("p.toml", text).unwrap_err().to_string();
        assert!(err.contains("unknown variable `{modle}`"), "{err}");
    }

    #[test]
    fn templates_fill_and_escape() {
        assert!(check_template("{model} is {{fine}}").is_ok());
        assert!(check_template("{model").is_err());
        assert!(check_template("a } b").is_err());
        let out = render("{model} uses {licence} {{x}}", |v| v.to_uppercase());
        assert_eq!(out, "MODEL uses LICENCE {x}");
    }
}
