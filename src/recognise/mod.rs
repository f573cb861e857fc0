//! Recognising licences, in a text (the catalogue's identifying phrases, the SPDX detector,
//! restriction clauses) and in a name someone wrote ("Apache 2.0", "Llama 2 Community License").
//!
//! Pure functions over the catalogue, shared by the stages that meet licence text or names:
//! identify (licence files, card fields, weight headers, MOT files) and classify (the licence
//! names of a Model Openness Tool file's components), so that neither stage calls the other.

pub mod clauses;
pub mod normalise;
pub mod text;

use crate::catalogue::{Catalogue, Document, Licence};
use clauses::Clause;
use normalise::Normalised;

/// A licence name from a card: catalogue id or alias, else an SPDX id.
pub fn resolve_name(cat: &'static Catalogue, name: &str) -> Option<&'static Licence> {
    cat.lookup(name).or_else(|| spdx::license_id(name.trim()).and_then(|id| text::resolve_spdx(id.name)))
}

/// The line of the first clause phrase found in a text.
pub fn clause_line(norm: &Normalised, clause: &[String]) -> Option<u32> {
    clause.iter().find_map(|c| {
        let p = normalise::phrase(c);
        (!p.is_empty()).then(|| norm.text.find(&p)).flatten().map(|off| norm.line_of(off))
    })
}

/// One licence text explained on its own (`modelgate licences identify`): what it is, and the
/// restrictions it states, each at its line.
#[derive(Debug)]
pub struct TextReport {
    /// Licences found, best first.
    pub matches: Vec<text::TextMatch>,
    /// Restrictions: the catalogue's for identified licences (located at their clause), read
    /// clause by clause when nothing was identified.
    pub restrictions: Vec<Clause>,
}

/// Identifies a licence text and locates its restrictions.
pub fn explain_text(raw: &str) -> TextReport {
    let norm = Normalised::new(raw);
    let matches = text::identify_normalised(raw, &norm);
    let restrictions = if matches.is_empty() {
        clauses::extract(&norm)
    } else {
        let mut out: Vec<Clause> = Vec::new();
        for m in &matches {
            for r in &m.licence.restrictions {
                let Some(line) = clause_line(&norm, &r.clause) else { continue };
                if out.iter().any(|c| c.kind == r.kind && c.line == line) {
                    continue;
                }
                out.push(Clause {
                    kind: r.kind,
                    detail: r.detail.clone(),
                    line,
                    users: r.users,
                    revenue_usd: r.revenue_usd,
                    regions: r.regions.clone(),
                });
            }
        }
        out.sort_by_key(|c| (c.line, c.kind));
        out
    };
    TextReport { matches, restrictions }
}

/// How a free-text licence name was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// A catalogue id or alias.
    Alias,
    /// An SPDX id.
    Spdx,
    /// The name reads as a licence title.
    Title,
}

/// Resolves a free-text licence name ("Llama 2 Community License Agreement", "Apache 2.0") to a
/// catalogue entry: by id or alias, then as an SPDX id, then as a licence title. A use policy's
/// name resolves to the licence that incorporates it.
pub fn resolve_free_text(name: &str) -> Option<(&'static Licence, Resolution)> {
    let cat = Catalogue::get();
    if let Some(l) = cat.lookup(name) {
        return Some((l, Resolution::Alias));
    }
    if let Some(l) = spdx::license_id(name.trim()).and_then(|id| text::resolve_spdx(id.name)) {
        return Some((l, Resolution::Spdx));
    }
    let m = text::identify_phrased(name).into_iter().find(|m| m.method == text::Method::Phrases)?;
    let licence = match m.licence.document {
        Document::Policy => m.licence.policy_for.first().and_then(|id| cat.by_id(id))?,
        Document::Licence => m.licence,
    };
    Some((licence, Resolution::Title))
}

/// The licence names in a free-text list ("datasets with "mit", "apache-2"", "Apache 2.0 and
/// CC-BY-4.0", "CC-BY-NC-4.0; Apache-2.0"): the quoted names when there are any, else the
/// pieces between `;`, `,`, ` and `, ` & `, `+`. A single name comes back alone.
pub fn split_free_text(text: &str) -> Vec<String> {
    const QUOTES: [char; 6] = ['"', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '`'];
    let quoted: Vec<String> = text
        .split(QUOTES)
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.chars().any(char::is_alphanumeric))
        .collect();
    if quoted.len() > 1 {
        return quoted;
    }
    let mut pieces = vec![text.to_string()];
    for sep in [";", ",", "\u{ff0c}", "\u{3001}", " and ", " AND ", " & ", " + ", " or ", " OR "] {
        pieces = pieces.iter().flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    pieces
        .into_iter()
        .map(|p| p.trim().trim_matches(|c: char| QUOTES.contains(&c) || c == '(' || c == ')').trim().to_string())
        .filter(|p| p.chars().any(char::is_alphanumeric))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_lists_split() {
        assert_eq!(split_free_text("Apache-2.0"), ["Apache-2.0"]);
        assert_eq!(split_free_text("Apache and CC-BY-4.0"), ["Apache", "CC-BY-4.0"]);
        assert_eq!(
            split_free_text("datasets with \"mit\" \u{201c}apache-2\u{201d}, \u{201c}isc\u{201d}"),
            ["mit", "apache-2", "isc"]
        );
        assert_eq!(split_free_text("a; b, c"), ["a", "b", "c"]);
    }
}
