//! Output of `modelgate licences list | show | identify | resolve`: the catalogue explained in
//! plain words, and licence files identified.

use std::io;

use serde::Serialize;

use crate::{
    catalogue::{Document, Licence},
    recognise::{Resolution, TextReport},
    vocab::{Category, RestrictionKind},
};

/// What a category means for someone shipping a product, in one line.
pub fn category_meaning(c: Category) -> &'static str {
    match c {
        Category::Permissive => "use, change and share for any purpose, including commercially, keeping the notices",
        Category::WeakCopyleft => {
            "changes to the licensed files must be shared under the same licence; the rest of a product need not"
        }
        Category::Copyleft => "derivatives must be shared under the same licence, with their source",
        Category::PublicDomain => "no conditions at all",
        Category::OpenRail => "open use with a list of forbidden uses that every derivative must carry on",
        Category::Community => "weights available, but with commercial, user-number, policy or other limits",
        Category::NonCommercial => "commercial use is not allowed",
        Category::ResearchOnly => "research or evaluation only",
        Category::Proprietary => "all rights reserved or service terms; no licence to the weights",
        Category::Unknown => "licence evidence exists but could not be identified",
        Category::None => "no licence found",
    }
}

#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    name: &'a str,
    spdx: &'a str,
    category: Category,
    document: &'static str,
    url: Option<&'a str>,
}

fn document_word(l: &Licence) -> &'static str {
    match l.document {
        Document::Licence => "licence",
        Document::Policy => "policy",
    }
}

/// `licences list`.
pub fn list(licences: &[&Licence], json: bool, out: &mut dyn io::Write) -> io::Result<()> {
    if json {
        let entries: Vec<ListEntry<'_>> = licences
            .iter()
            .map(|l| ListEntry {
                id: &l.id,
                name: &l.name,
                spdx: &l.spdx,
                category: l.category,
                document: document_word(l),
                url: l.url(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &entries).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let id_w = licences.iter().map(|l| l.id.chars().count()).max().unwrap_or(2).max(2);
    let cat_w = licences.iter().map(|l| l.category.as_str().len()).max().unwrap_or(8).max(8);
    writeln!(out, "{:<id_w$}  {:<cat_w$}  NAME", "ID", "CATEGORY")?;
    for l in licences {
        let name = if l.document == Document::Policy { format!("{} (use policy)", l.name) } else { l.name.clone() };
        writeln!(out, "{:<id_w$}  {:<cat_w$}  {name}", l.id, l.category.as_str())?;
    }
    writeln!(out, "\n{} entries", licences.len())
}

#[derive(Serialize)]
struct RestrictionOut<'a> {
    kind: RestrictionKind,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue_usd: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    regions: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
}

#[derive(Serialize)]
struct ShowOut<'a> {
    id: &'a str,
    name: &'a str,
    spdx: &'a str,
    category: Category,
    category_meaning: &'static str,
    document: &'static str,
    family: Option<&'a str>,
    urls: &'a [String],
    aliases: &'a [String],
    osi_approved: bool,
    fsf_libre: bool,
    summary: &'a str,
    permits: &'a [String],
    obligations: &'a [String],
    restrictions: Vec<RestrictionOut<'a>>,
    incorporates: &'a [String],
    policy_for: &'a [String],
}

/// `licences show`.
pub fn show(l: &Licence, json: bool, out: &mut dyn io::Write) -> io::Result<()> {
    let restrictions: Vec<RestrictionOut<'_>> = l
        .restrictions
        .iter()
        .map(|r| RestrictionOut {
            kind: r.kind,
            detail: &r.detail,
            users: r.users,
            revenue_usd: r.revenue_usd,
            regions: &r.regions,
            policy: r.policy.as_deref(),
        })
        .collect();
    if json {
        let s = ShowOut {
            id: &l.id,
            name: &l.name,
            spdx: &l.spdx,
            category: l.category,
            category_meaning: category_meaning(l.category),
            document: document_word(l),
            family: l.family.as_deref(),
            urls: &l.urls,
            aliases: &l.aliases,
            osi_approved: l.osi_approved,
            fsf_libre: l.fsf_libre,
            summary: &l.summary,
            permits: &l.permits,
            obligations: &l.obligations,
            restrictions,
            incorporates: &l.incorporates,
            policy_for: &l.policy_for,
        };
        serde_json::to_writer_pretty(&mut *out, &s).map_err(io::Error::other)?;
        return writeln!(out);
    }
    writeln!(out, "{} ({})", l.name, l.id)?;
    writeln!(out, "  SPDX:      {}", l.spdx)?;
    writeln!(out, "  category:  {}: {}", l.category, category_meaning(l.category))?;
    if let Some(url) = l.url() {
        writeln!(out, "  text:      {url}")?;
    }
    let mut flags = Vec::new();
    if l.osi_approved {
        flags.push("OSI-approved");
    }
    if l.fsf_libre {
        flags.push("FSF free/libre");
    }
    if !flags.is_empty() {
        writeln!(out, "  status:    {}", flags.join(", "))?;
    }
    writeln!(out, "\n{}", wrap(&l.summary, 96, ""))?;
    let section = |out: &mut dyn io::Write, title: &str, items: &[String]| -> io::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        writeln!(out, "\n{title}:")?;
        for i in items {
            writeln!(out, "  - {}", wrap(i, 92, "    "))?;
        }
        Ok(())
    };
    section(out, "Allows", &l.permits)?;
    if !restrictions.is_empty() {
        writeln!(out, "\nRestricts:")?;
        for r in &restrictions {
            let mut params = Vec::new();
            if let Some(u) = r.users {
                params.push(format!("{u} monthly active users"));
            }
            if let Some(v) = r.revenue_usd {
                params.push(format!("US${v} annual revenue"));
            }
            if !r.regions.is_empty() {
                params.push(format!("regions: {}", r.regions.join(", ")));
            }
            if let Some(p) = r.policy {
                params.push(format!("policy: {p}"));
            }
            let params = if params.is_empty() { String::new() } else { format!(" [{}]", params.join("; ")) };
            writeln!(out, "  - {}", wrap(&format!("{}{params}: {}", r.kind, r.detail), 92, "    "))?;
        }
    }
    section(out, "Requires", &l.obligations)?;
    if !l.incorporates.is_empty() {
        writeln!(out, "\nIncorporates: {}", l.incorporates.join(", "))?;
    }
    if !l.policy_for.is_empty() {
        writeln!(out, "\nUse policy of: {}", l.policy_for.join(", "))?;
    }
    if !l.aliases.is_empty() {
        writeln!(out, "\nAlso known as: {}", wrap(&l.aliases.join(", "), 82, "               "))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct MatchOut<'a> {
    id: &'a str,
    spdx: &'a str,
    category: Category,
    confidence: f32,
    start_line: u32,
    end_line: u32,
}

#[derive(Serialize)]
struct ClauseOut<'a> {
    kind: RestrictionKind,
    detail: &'a str,
    line: u32,
}

#[derive(Serialize)]
struct IdentifyOut<'a> {
    file: &'a str,
    matches: Vec<MatchOut<'a>>,
    restrictions: Vec<ClauseOut<'a>>,
}

/// `licences identify`.
pub fn identify(files: &[(String, TextReport)], json: bool, out: &mut dyn io::Write) -> io::Result<()> {
    let rendered: Vec<IdentifyOut<'_>> = files
        .iter()
        .map(|(file, r)| IdentifyOut {
            file,
            matches: r
                .matches
                .iter()
                .map(|m| MatchOut {
                    id: &m.licence.id,
                    spdx: &m.licence.spdx,
                    category: m.licence.category,
                    confidence: (m.confidence * 1000.0).round() / 1000.0,
                    start_line: m.start_line,
                    end_line: m.end_line,
                })
                .collect(),
            restrictions: r
                .restrictions
                .iter()
                .map(|c| ClauseOut { kind: c.kind, detail: &c.detail, line: c.line })
                .collect(),
        })
        .collect();
    if json {
        serde_json::to_writer_pretty(&mut *out, &rendered).map_err(io::Error::other)?;
        return writeln!(out);
    }
    for f in &rendered {
        writeln!(out, "{}", f.file)?;
        if f.matches.is_empty() {
            writeln!(out, "  no known licence")?;
        }
        for m in &f.matches {
            writeln!(
                out,
                "  {} ({}, {}) confidence {:.2}, lines {}-{}",
                m.id, m.spdx, m.category, m.confidence, m.start_line, m.end_line
            )?;
        }
        for c in &f.restrictions {
            writeln!(out, "    {}:{} {}: {}", f.file, c.line, c.kind, c.detail)?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct ResolveOut<'a> {
    name: &'a str,
    id: Option<&'a str>,
    category: Option<Category>,
    via: Option<Resolution>,
}

/// `licences resolve`.
pub fn resolve(
    names: &[(String, Option<(&Licence, Resolution)>)],
    json: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let rendered: Vec<ResolveOut<'_>> = names
        .iter()
        .map(|(name, r)| ResolveOut {
            name,
            id: r.map(|(l, _)| l.id.as_str()),
            category: r.map(|(l, _)| l.category),
            via: r.map(|(_, via)| via),
        })
        .collect();
    if json {
        serde_json::to_writer_pretty(&mut *out, &rendered).map_err(io::Error::other)?;
        return writeln!(out);
    }
    for r in &rendered {
        match (r.id, r.category) {
            (Some(id), Some(c)) => writeln!(out, "{}\t{id}\t{c}", r.name)?,
            _ => writeln!(out, "{}\t(unresolved)", r.name)?,
        }
    }
    Ok(())
}

/// Wraps text at `width` columns, continuing lines with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if col > 0 && col + 1 + len > width {
            out.push('\n');
            out.push_str(indent);
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a bb ccc dddd", 6, "  "), "a bb\n  ccc\n  dddd");
        assert_eq!(wrap("", 10, ""), "");
    }
}
