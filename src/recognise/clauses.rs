//! Clause extraction: the restrictions a licence text states, found clause by clause, for texts
//! the catalogue does not know (typical of `license: other`).
//!
//! The patterns are data (`licences/_clauses.toml`); this module compiles them once, runs them
//! over the folded text and reads the parameters (user numbers, revenue, regions) out of the
//! clause each pattern matched.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

use super::normalise::Normalised;
use crate::{
    catalogue::data_files,
    vocab::{Category, RestrictionKind},
};

/// A restriction a text states, with where.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// Kind.
    pub kind: RestrictionKind,
    /// Plain words, with the parameters found.
    pub detail: std::sync::Arc<str>,
    /// 1-based line of the clause.
    pub line: u32,
    /// `user-threshold`: the number of users.
    pub users: Option<u64>,
    /// `revenue-threshold`: the amount.
    pub revenue_usd: Option<u64>,
    /// `territorial`: region codes.
    pub regions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    clause: Vec<ClauseDef>,
    regions: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClauseDef {
    kind: RestrictionKind,
    detail: std::sync::Arc<str>,
    patterns: Vec<String>,
}

struct Compiled {
    /// Per pattern: (kind index into `defs`, compiled pattern).
    patterns: Vec<(usize, Regex)>,
    defs: Vec<ClauseDef>,
    regions: Vec<(String, String)>,
}

/// Parses and compiles the clause table (tests call it to check the data).
fn compile(text: &str) -> Result<Compiled, String> {
    let table: Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut patterns = Vec::new();
    for (i, def) in table.clause.iter().enumerate() {
        for p in &def.patterns {
            let p = ascii_word_boundaries(p);
            let re = Regex::new(&p).map_err(|e| format!("{}: {e}", def.kind))?;
            patterns.push((i, re));
        }
    }
    Ok(Compiled { patterns, defs: table.clause, regions: table.regions.into_iter().collect() })
}

/// `\\b` as an ASCII word boundary. The regex engines' fast paths (the lazy DFA) cannot
/// evaluate a Unicode word boundary once the text holds a non-ASCII character and fall back
/// to the PikeVM, some 50 times slower: a licence file of a few MiB with one `é` took seconds.
/// The patterns are ASCII words, so an ASCII boundary is the same test on them.
fn ascii_word_boundaries(pattern: &str) -> String {
    pattern.replace("\\b", "(?-u:\\b)")
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let text = data_files().iter().find(|(f, _)| *f == "_clauses.toml").map_or("", |(_, t)| t);
        compile(text).unwrap_or_else(|e| panic!("licences/_clauses.toml is broken: {e}"))
    })
}

/// Every restriction kind the text states, once each, at its first clause.
pub fn extract(norm: &Normalised) -> Vec<Clause> {
    let c = compiled();
    let mut out: Vec<Clause> = Vec::new();
    for (def_index, re) in &c.patterns {
        let def = &c.defs[*def_index];
        let Some(m) = re.find(&norm.text) else { continue };
        let line = norm.line_of(m.start());
        let window = clause_window(&norm.text, m.start(), m.end());
        let mut clause = Clause {
            kind: def.kind,
            detail: def.detail.clone(),
            line,
            users: None,
            revenue_usd: None,
            regions: Vec::new(),
        };
        match def.kind {
            RestrictionKind::UserThreshold => {
                clause.users = first_amount(window, &["active users"]);
                if let Some(u) = clause.users {
                    clause.detail =
                        format!("Licensees with more than {} active users need a separate licence.", grouped(u)).into();
                }
            }
            RestrictionKind::RevenueThreshold => {
                clause.revenue_usd = first_amount(window, &["revenue"]);
                if let Some(r) = clause.revenue_usd {
                    clause.detail =
                        format!("Licensees with more than US${} annual revenue need a separate licence.", grouped(r))
                            .into();
                }
            }
            RestrictionKind::Territorial => {
                clause.regions = c
                    .regions
                    .iter()
                    .filter(|(name, _)| window.contains(name.as_str()))
                    .map(|(_, code)| code.clone())
                    .collect();
                clause.regions.sort();
                clause.regions.dedup();
                if !clause.regions.is_empty() {
                    clause.detail = format!("The licence does not apply in: {}.", clause.regions.join(", ")).into();
                }
            }
            _ => {}
        }
        match out.iter_mut().find(|o| o.kind == clause.kind) {
            Some(existing) if existing.line <= clause.line => {
                // Keep the earliest clause, but learn parameters a later pattern found.
                if existing.users.is_none() {
                    existing.users = clause.users;
                }
                if existing.revenue_usd.is_none() {
                    existing.revenue_usd = clause.revenue_usd;
                }
                for r in clause.regions {
                    if !existing.regions.contains(&r) {
                        existing.regions.push(r);
                    }
                }
            }
            Some(existing) => *existing = clause,
            None => out.push(clause),
        }
    }
    // A territorial clause that names no place we know is too vague to report.
    out.retain(|c| c.kind != RestrictionKind::Territorial || !c.regions.is_empty());
    out.sort_by_key(|c| (c.line, c.kind));
    out
}

/// `50000000` → `50,000,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The sentence around a match (bounded), where its parameters are stated.
fn clause_window(text: &str, start: usize, end: usize) -> &str {
    let lo = text[..start].rfind(['.', ';']).map_or(0, |i| i + 1).max(start.saturating_sub(300));
    let hi = text[end..].find(['.', ';']).map_or(text.len(), |i| end + i).min(end + 300).min(text.len());
    let lo = (0..=lo).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let hi = (hi..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
    &text[lo..hi]
}

/// The first number in `window` (with `million`/`billion`, thousands separators and a
/// `$`/`us$`/`usd` prefix understood), preferring one near one of `near`.
fn first_amount(window: &str, near: &[&str]) -> Option<u64> {
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    let re = NUMBER.get_or_init(|| {
        Regex::new(
            r"(?:us ?\$|usd|\$)?\s*\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?)\s*(million|billion|m\b|bn\b)?",
        )
        .expect("number pattern compiles")
    });
    let anchor = near.iter().filter_map(|n| window.find(n)).min().unwrap_or(0);
    re.captures_iter(window)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let digits = c.get(1)?.as_str().replace(',', "");
            let base: f64 = digits.parse().ok()?;
            let scale = match c.get(2).map(|m| m.as_str()) {
                Some("million") | Some("m") => 1e6,
                Some("billion") | Some("bn") => 1e9,
                _ => 1.0,
            };
            let value = base * scale;
            // Section numbers and years are not thresholds.
            (value >= 1000.0 && value.is_finite() && value < 1e15)
                .then(|| (whole.start().abs_diff(anchor), value as u64))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, v)| v)
}

/// The category a set of extracted restrictions implies: never permissive when any is found.
pub fn category(clauses: &[Clause]) -> Category {
    let has = |k: RestrictionKind| clauses.iter().any(|c| c.kind == k);
    if has(RestrictionKind::ResearchOnly) {
        Category::ResearchOnly
    } else if has(RestrictionKind::NonCommercial) {
        Category::NonCommercial
    } else if clauses.iter().any(|c| !matches!(c.kind, RestrictionKind::ShareAlike | RestrictionKind::Attribution)) {
        Category::Community
    } else if has(RestrictionKind::ShareAlike) {
        Category::Copyleft
    } else {
        Category::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<RestrictionKind> {
        extract(&Normalised::new(text)).into_iter().map(|c| c.kind).collect()
    }

    #[test]
    fn the_table_compiles() {
        let text = data_files().iter().find(|(f, _)| *f == "_clauses.toml").unwrap().1;
        compile(text).unwrap();
    }

    #[test]
    fn non_commercial_and_research_clauses() {
        assert!(kinds("You may not use the model for commercial purposes.").contains(&RestrictionKind::NonCommercial));
        assert!(kinds("The Model may be used solely for research purposes.").contains(&RestrictionKind::ResearchOnly));
        assert!(kinds("a non-exclusive, worldwide, non-transferable licence, including for commercial use").is_empty());
    }

    #[test]
    fn parameters_are_read() {
        let c = extract(&Normalised::new(
            "If the monthly active users of your products exceed 100 million monthly active users, you must request a license.",
        ));
        let t = c.iter().find(|c| c.kind == RestrictionKind::UserThreshold).unwrap();
        assert_eq!(t.users, Some(100_000_000));
        let c = extract(&Normalised::new(
            "Organizations with annual revenue of more than US $1,000,000 need an enterprise license.",
        ));
        assert_eq!(c[0].revenue_usd, Some(1_000_000));
        let c = extract(&Normalised::new(
            "This Agreement does not apply in the European Union, the United Kingdom and South Korea.",
        ));
        assert_eq!(c[0].regions, vec!["EU", "GB", "KR"]);
        assert_eq!(c[0].line, 1);
    }

    #[test]
    fn lines_point_at_the_clause() {
        let c = extract(&Normalised::new(
            "TERMS\n\n1. Use it.\n2. You may not use outputs of the model to train another model.\n",
        ));
        assert_eq!(c[0].kind, RestrictionKind::OutputUse);
        assert_eq!(c[0].line, 4);
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(50_000_000), "50,000,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
    }

    #[test]
    fn categories_are_never_permissive_with_restrictions() {
        let c = extract(&Normalised::new("Not for commercial use."));
        assert_eq!(category(&c), Category::NonCommercial);
        assert_eq!(category(&[]), Category::Unknown);
    }
}
