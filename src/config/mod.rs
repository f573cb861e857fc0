//! The user's configuration, `modelgate.toml`: packs, licence allow/deny lists, severity
//! overrides, path excludes, waivers and licence clarifications.
//!
//! Parsing is strict: an unknown key, a rule id no pack defines, a licence nobody knows, a bad
//! glob or date is an error that names the file, line and column. The raw TOML (with spans) is
//! turned into plain checked data here; nothing downstream sees the spans.

pub mod clarify;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::{
    catalogue::Catalogue,
    date::Date,
    evaluate::{
        condition::glob_set,
        licences::{LicenceEntry, LicenceMatcher, LicencePolicy},
        pack::{self, Pack},
        sink::{Level, Waiver},
    },
    pin, recognise,
    vocab::{Category, Severity},
};
pub use clarify::Clarification;

/// The file name looked for in the scanned root.
pub const FILE_NAME: &str = "modelgate.toml";

/// The starter configuration `modelgate init` writes.
pub const STARTER: &str = include_str!("starter.toml");

/// A configuration error, already formatted as `file:line:column: what`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    packs: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default, alias = "licenses")]
    licences: RawLicences,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default, rename = "waiver")]
    waivers: Vec<Spanned<RawWaiver>>,
    #[serde(default, rename = "clarify")]
    clarifications: Vec<Spanned<RawClarify>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLicences {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWaiver {
    model: Spanned<String>,
    rule: Spanned<String>,
    reason: Spanned<String>,
    #[serde(default)]
    expires: Option<Spanned<toml::Value>>,
    #[serde(default, alias = "license-hash")]
    licence_hash: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClarify {
    model: Spanned<String>,
    #[serde(alias = "license")]
    licence: Spanned<String>,
    reason: Spanned<String>,
    #[serde(alias = "license-hash")]
    licence_hash: Spanned<String>,
}

/// The lowest severity that fails a scan, or never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailThreshold(pub Option<Severity>);

/// A checked configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// The file, as findings name it.
    pub file: String,
    /// Packs to apply, loaded; `None` when the file does not say.
    pub packs: Option<Vec<Pack>>,
    /// `fail-on`, when set.
    pub fail_on: Option<FailThreshold>,
    /// Path globs to leave out of the scan.
    pub exclude: Option<GlobSet>,
    /// Licence allow and deny lists.
    pub licences: LicencePolicy,
    /// Severity overrides.
    pub severity: BTreeMap<String, Level>,
    /// Waivers.
    pub waivers: Vec<Waiver>,
    /// Licence clarifications.
    pub clarifications: Vec<Clarification>,
    /// Rule ids to check once the packs are known, with where they were written.
    rule_refs: Vec<(String, String)>,
}

/// Where a value sits: `file:line:column`.
struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    fn at<T>(&self, v: &Spanned<T>) -> String {
        let (line, col) = pack::line_col(self.text, v.span().start);
        format!("{}:{line}:{col}", self.file)
    }

    fn line<T>(&self, v: &Spanned<T>) -> u32 {
        u32::try_from(pack::line_col(self.text, v.span().start).0).unwrap_or(u32::MAX)
    }

    fn err<T>(&self, v: &Spanned<T>, message: impl std::fmt::Display) -> ConfigError {
        ConfigError(format!("{}: {message}", self.at(v)))
    }
}

impl Config {
    /// Reads and checks a configuration file. `display` is how findings name it; relative pack
    /// paths are taken from the file's directory.
    pub fn load(path: &Path, display: &str) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read configuration `{}`: {e}", path.display())))?;
        let base = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Config::parse(display, &text, &base)
    }

    /// Checks a configuration text.
    pub fn parse(file: &str, text: &str, base: &Path) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| ConfigError(pack::toml_error(file, text, &e)))?;
        let loc = Locator { file, text };
        let mut config = Config { file: file.to_string(), ..Config::default() };

        if let Some(packs) = &raw.packs {
            let mut loaded = Vec::new();
            for spec in packs {
                loaded.push(pack::load(spec.get_ref(), base).map_err(|e| loc.err(spec, e))?);
            }
            config.packs = Some(loaded);
        }
        if let Some(v) = &raw.fail_on {
            let threshold = match v.get_ref().as_str() {
                "never" => None,
                s => Some(s.parse::<Severity>().map_err(|e| loc.err(v, format!("fail-on: {e} or never")))?),
            };
            config.fail_on = Some(FailThreshold(threshold));
        }
        if !raw.exclude.is_empty() {
            let mut b = GlobSetBuilder::new();
            for g in &raw.exclude {
                // As in .gitignore: a pattern without `/` matches at any depth.
                let written = g.get_ref().trim_start_matches("./").trim_end_matches('/');
                let pattern = if written.contains('/') {
                    written.trim_start_matches('/').to_string()
                } else {
                    format!("**/{written}")
                };
                let glob = GlobBuilder::new(&pattern)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| loc.err(g, format!("bad exclude glob: {}", e.kind())))?;
                b.add(glob);
            }
            config.exclude = Some(b.build().map_err(|e| ConfigError(format!("{file}: {e}")))?);
        }
        config.licences = LicencePolicy {
            allow: raw.licences.allow.iter().map(|e| licence_entry(&loc, e)).collect::<Result<_, _>>()?,
            deny: raw.licences.deny.iter().map(|e| licence_entry(&loc, e)).collect::<Result<_, _>>()?,
        };
        for (rule, level) in &raw.severity {
            let parsed = match level.get_ref().as_str() {
                "off" => Level::Off,
                s => Level::Severity(s.parse::<Severity>().map_err(|e| loc.err(level, format!("{e} or off")))?),
            };
            config.rule_refs.push((rule.get_ref().clone(), loc.at(level)));
            config.severity.insert(rule.get_ref().clone(), parsed);
        }
        for w in &raw.waivers {
            config.waivers.push(waiver(&loc, w)?);
            config.rule_refs.push((w.get_ref().rule.get_ref().clone(), loc.at(&w.get_ref().rule)));
        }
        for c in &raw.clarifications {
            config.clarifications.push(clarification(&loc, c)?);
        }
        Ok(config)
    }

    /// Refuses rule ids (in `[severity]` and waivers) that no known rule has.
    pub fn check_rule_ids(&self, known: &[&str]) -> Result<(), ConfigError> {
        for (id, at) in &self.rule_refs {
            if !known.contains(&id.as_str()) {
                let hint = known.iter().find(|k| k.contains(id.as_str()) || id.contains(**k));
                let hint = hint.map_or(String::new(), |k| format!(" (did you mean `{k}`?)"));
                return Err(ConfigError(format!(
                    "{at}: no rule `{id}`{hint}; `modelgate rules list` shows every rule id"
                )));
            }
        }
        Ok(())
    }

    /// Whether a path (relative to the scanned root, `/`-separated) is excluded: the path or one
    /// of its directories matches an `exclude` glob.
    pub fn excluded(&self, rel: &str) -> bool {
        let Some(set) = &self.exclude else { return false };
        let mut prefix = rel;
        loop {
            if set.is_match(prefix) {
                return true;
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => return false,
            }
        }
    }
}

fn licence_entry(loc: &Locator<'_>, e: &Spanned<String>) -> Result<LicenceEntry, ConfigError> {
    let written = e.get_ref().trim().to_string();
    let matcher = if let Ok(c) = written.parse::<Category>() {
        LicenceMatcher::Category(c)
    } else if let Some(l) = recognise::resolve_name(Catalogue::get(), &written) {
        LicenceMatcher::Id(l.id.clone())
    } else if written.starts_with("LicenseRef-") {
        LicenceMatcher::Id(written.clone())
    } else {
        let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        return Err(loc.err(
            e,
            format!(
                "`{written}` is neither a licence id the catalogue or the SPDX list knows nor a category ({})",
                categories.join(", ")
            ),
        ));
    };
    Ok(LicenceEntry { matcher, written })
}

fn waiver(loc: &Locator<'_>, w: &Spanned<RawWaiver>) -> Result<Waiver, ConfigError> {
    let raw = w.get_ref();
    let model = raw.model.get_ref().trim().to_string();
    let glob = glob_set(std::slice::from_ref(&model)).map_err(|e| loc.err(&raw.model, e))?;
    if raw.reason.get_ref().trim().is_empty() {
        return Err(loc.err(&raw.reason, "a waiver needs a reason: say why the finding is accepted"));
    }
    let expires = raw.expires.as_ref().map(|e| date(loc, e)).transpose()?;
    let licence_hash = raw.licence_hash.as_ref().map(|h| hash(loc, h)).transpose()?;
    Ok(Waiver {
        model,
        glob,
        rule: raw.rule.get_ref().trim().to_string(),
        reason: raw.reason.get_ref().trim().to_string(),
        expires,
        licence_hash,
        file: loc.file.to_string(),
        line: loc.line(w),
    })
}

fn clarification(loc: &Locator<'_>, c: &Spanned<RawClarify>) -> Result<Clarification, ConfigError> {
    let raw = c.get_ref();
    let model = raw.model.get_ref().trim().to_string();
    let glob = glob_set(std::slice::from_ref(&model)).map_err(|e| loc.err(&raw.model, e))?;
    let licence = recognise::resolve_name(Catalogue::get(), raw.licence.get_ref()).ok_or_else(|| {
        loc.err(
            &raw.licence,
            format!("`{}` is not a licence the catalogue or the SPDX list knows", raw.licence.get_ref()),
        )
    })?;
    if raw.reason.get_ref().trim().is_empty() {
        return Err(loc.err(&raw.reason, "a clarification needs a reason"));
    }
    Ok(Clarification {
        model,
        glob,
        licence,
        reason: raw.reason.get_ref().trim().to_string(),
        licence_hash: hash(loc, &raw.licence_hash)?,
        file: loc.file.to_string(),
        line: loc.line(c),
    })
}

fn date(loc: &Locator<'_>, v: &Spanned<toml::Value>) -> Result<Date, ConfigError> {
    let text = match v.get_ref() {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => return Err(loc.err(v, format!("expires: `{other}` is not a date (write it as 2026-12-31)"))),
    };
    Date::parse(&text).map_err(|e| loc.err(v, format!("expires: {e}")))
}

fn hash(loc: &Locator<'_>, v: &Spanned<String>) -> Result<String, ConfigError> {
    let h = v.get_ref().trim().to_ascii_lowercase();
    let ok =
        h.strip_prefix(pin::PREFIX).is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if !ok {
        return Err(loc.err(
            v,
            "licence-hash must be `sha256:` and 64 hex digits, as the scan prints it (models[].licence_hash)",
        ));
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse("modelgate.toml", text, Path::new(".")).map_err(|e| e.0)
    }

    #[test]
    fn the_starter_config_parses_and_changes_nothing() {
        let c = parse(STARTER).unwrap();
        assert!(c.waivers.is_empty() && c.clarifications.is_empty());
        assert_eq!(
            c.packs.as_ref().map(|p| p.iter().map(|p| p.name.as_str()).collect::<Vec<_>>()),
            Some(vec!["default"])
        );
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let err = parse("packs = ['default']\n\n[licences]\nalow = ['mit']\n").unwrap_err();
        assert!(err.starts_with("modelgate.toml:4:1: unknown field `alow`"), "{err}");
        let err = parse("[[waiver]]\nmodel = 'a'\nrule = 'r'\nreason = 'ok'\nexpires = 2026-02-30\n").unwrap_err();
        assert!(err.starts_with("modelgate.toml:5:11:") && err.contains("date"), "{err}");
        let err = parse("[[waiver]]\nmodel = 'a'\nrule = 'r'\nreason = 'ok'\nexpires = '2026-02-30'\n").unwrap_err();
        assert!(err.starts_with("modelgate.toml:5:11: expires: `2026-02-30` is not a day"), "{err}");
        let err = parse("[licences]\ndeny = [\n  'mit',\n  'not-a-licence',\n]\n").unwrap_err();
        assert!(err.starts_with("modelgate.toml:4:3: `not-a-licence`"), "{err}");
        let err = parse("packs = ['default', 'comercial']\n").unwrap_err();
        assert!(err.starts_with("modelgate.toml:1:21:") && err.contains("comercial"), "{err}");
        let err = parse("[severity]\nrestricted-use = 'fatal'\n").unwrap_err();
        assert!(err.starts_with("modelgate.toml:2:18:"), "{err}");
        let c =
            parse("[severity]\nrestricted-use = 'error'\n\n[[waiver]]\nmodel='*'\nrule='no-such-rule'\nreason='r'\n")
                .unwrap();
        let err = c.check_rule_ids(&["restricted-use"]).unwrap_err().0;
        assert!(err.starts_with("modelgate.toml:6:6: no rule `no-such-rule`"), "{err}");
        let err = parse("[[waiver]]\nmodel='*'\nrule='r'\nreason='r'\nlicence-hash='abc'\n").unwrap_err();
        assert!(err.starts_with("modelgate.toml:5:14: licence-hash"), "{err}");
    }

    #[test]
    fn licence_lists_take_ids_aliases_spdx_ids_and_categories() {
        let c = parse("[licenses]\nallow = ['permissive', 'Apache-2.0', 'MIT', 'CC-BY-NC-4.0']\n").unwrap();
        let m: Vec<&LicenceMatcher> = c.licences.allow.iter().map(|e| &e.matcher).collect();
        assert_eq!(m[0], &LicenceMatcher::Category(Category::Permissive));
        assert_eq!(m[1], &LicenceMatcher::Id("apache-2.0".into()));
        assert_eq!(m[2], &LicenceMatcher::Id("mit".into()));
        assert_eq!(m[3], &LicenceMatcher::Id("cc-by-nc-4.0".into()));
    }

    #[test]
    fn excludes_match_paths_and_their_directories() {
        let c = parse("exclude = ['vendor', 'tests/**/fixtures', '*.tmp']\n").unwrap();
        assert!(c.excluded("vendor/m/README.md"));
        assert!(c.excluded("tests/a/fixtures/x/README.md"));
        assert!(c.excluded("x.tmp"));
        assert!(!c.excluded("src/vendor.md"));
        assert!(c.excluded("models/x.tmp/README.md"), "a pattern without / matches at any depth");
        assert!(c.excluded("a/vendor/README.md"));
    }
}
