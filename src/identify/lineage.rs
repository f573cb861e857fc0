//! Base models: what a fine-tune, adapter, quantisation or merge inherits, and whether its own
//! licence keeps what the base imposes.
//!
//! A base is resolved from a model found in the same run first, whatever its source (the
//! repository, a Hugging Face cache, an Ollama store, the Hub), then from the catalogue's table
//! of well-known base families. Chains are followed (a quantisation of a fine-tune of Llama
//! inherits Llama's terms); cycles and missing bases stop the walk instead of looping, and are
//! recorded on the base entry (`cycle`, or no `resolved_by`) for the `lineage-cycle` and
//! `lineage-unresolved` rules. When several records share a base's id (two cache revisions, the
//! cache and the Hub), the one with an identified licence is used, the Hub's before the cache's
//! before the others.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::{
    catalogue::Catalogue,
    model::{BaseModel, Evidence, Identified, LineageBreak, Restriction},
    vocab::{Category, EvidenceKind, RestrictionKind, Source},
};

/// How deep a chain of bases is followed.
const MAX_DEPTH: usize = 16;

/// What a base contributes.
#[derive(Clone)]
struct BaseTerms {
    licence: String,
    family: Option<String>,
    category: Category,
    resolved_by: &'static str,
    /// For `scan`: the source of the record.
    source: Option<Source>,
    /// The base's own and inherited restrictions.
    restrictions: Vec<Restriction>,
}

/// Resolves every model's bases, adds inherited restrictions and records lineage breaks.
pub fn resolve(mut models: Vec<Identified>) -> Vec<Identified> {
    let by_id = index(&models);
    // Only the terms of a model that is another's base are looked up again. A model without
    // bases inherits nothing: its own restrictions stand, and are not copied (most models of a
    // large scan name no base in it).
    let mut memo = Memo { terms: vec![None; models.len()], wanted: vec![false; models.len()] };
    let mut inherits = vec![false; models.len()];
    for (i, m) in models.iter().enumerate() {
        for b in base_entries(m) {
            inherits[i] = true;
            if let Some(&j) = by_id.get(&clean_base_id(b.value.as_deref().unwrap_or("")).to_ascii_lowercase()) {
                memo.wanted[j] = true;
            }
        }
    }
    let mut visiting = vec![false; models.len()];
    let effective: Vec<Option<Vec<Restriction>>> = (0..models.len())
        .map(|i| inherits[i].then(|| effective(i, &models, &by_id, &mut memo, &mut visiting, 0)))
        .collect();
    drop(memo);

    // Each model's bases are read from the others, on every core; then set.
    let lineages: Vec<(Vec<BaseModel>, Vec<LineageBreak>)> =
        (0..models.len()).into_par_iter().map(|i| lineage_of(i, &models, &by_id, &effective)).collect();
    for ((m, restrictions), (bases, breaks)) in models.iter_mut().zip(effective).zip(lineages) {
        if let Some(restrictions) = restrictions {
            m.restrictions = restrictions;
        }
        m.bases = bases;
        m.lineage_breaks = breaks;
    }
    models
}

/// The bases of model `i`, with their terms, and where it breaks their terms.
fn lineage_of(
    i: usize,
    models: &[Identified],
    by_id: &HashMap<String, usize>,
    effective: &[Option<Vec<Restriction>>],
) -> (Vec<BaseModel>, Vec<LineageBreak>) {
    let mut bases = Vec::new();
    let mut breaks = Vec::new();
    for b in base_entries(&models[i]) {
        let id = clean_base_id(&b.value.clone().unwrap_or_default());
        let terms = base_terms(&id, i, models, by_id, effective);
        bases.push(BaseModel {
            id: id.clone(),
            licence: terms.as_ref().map(|t| t.licence.clone()),
            category: terms.as_ref().map(|t| t.category),
            resolved_by: terms.as_ref().map(|t| t.resolved_by),
            source: terms.as_ref().and_then(|t| t.source),
            cycle: cycle_through(i, &id, models, by_id),
            evidence: b.clone(),
        });
        if let Some(t) = terms
            && let Some(br) = lineage_break(&models[i], &id, &t, &b)
        {
            breaks.push(br);
        }
    }
    (bases, breaks)
}

/// Lower-case id → the record a base reference resolves to: an identified licence first, then
/// the revision `main` points at, then by [`Source::preference`], then the order of the records.
fn index(models: &[Identified]) -> HashMap<String, usize> {
    let rank = |m: &Identified| {
        let unknown = matches!(m.licensing.category, Category::None | Category::Unknown);
        let source = m.evidence.source.preference();
        let main = !m.evidence.provenance.refs.iter().any(|r| r == "main");
        (unknown, main, source)
    };
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, m) in models.iter().enumerate() {
        let key = m.evidence.id.to_ascii_lowercase();
        match by_id.get(&key) {
            Some(&j) if rank(&models[j]) <= rank(m) => {}
            _ => {
                by_id.insert(key, i);
            }
        }
    }
    by_id
}

/// The ids around a loop of bases that starts at model `i` and goes through `base`, `i` first
/// and last; empty when there is no loop. Each record is explored once, at most [`MAX_DEPTH`]
/// deep.
fn cycle_through(i: usize, base: &str, models: &[Identified], by_id: &HashMap<String, usize>) -> Vec<String> {
    struct Walk<'a> {
        goal: usize,
        models: &'a [Identified],
        by_id: &'a HashMap<String, usize>,
        path: Vec<usize>,
        seen: Vec<bool>,
    }
    impl Walk<'_> {
        fn reaches(&mut self, at: usize) -> bool {
            if at == self.goal {
                return true;
            }
            if self.path.len() > MAX_DEPTH || self.seen[at] {
                return false;
            }
            self.seen[at] = true;
            self.path.push(at);
            for b in base_entries(&self.models[at]) {
                let id = clean_base_id(b.value.as_deref().unwrap_or(""));
                if let Some(&next) = self.by_id.get(&id.to_ascii_lowercase())
                    && self.reaches(next)
                {
                    return true;
                }
            }
            self.path.pop();
            false
        }
    }
    let Some(&start) = by_id.get(&base.to_ascii_lowercase()) else { return Vec::new() };
    let mut w = Walk { goal: i, models, by_id, path: vec![i], seen: vec![false; models.len()] };
    if !w.reaches(start) {
        return Vec::new();
    }
    w.path.push(i);
    w.path.iter().map(|&k| models[k].evidence.id.clone()).collect()
}

/// The card's `base_model` entries, then the bases weight headers name that the card does not.
fn base_entries(m: &Identified) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = m
        .evidence
        .card
        .iter()
        .flat_map(|card| {
            card.meta.base_model.iter().map(|b| Evidence {
                file: card.file.clone(),
                line: Some(b.line),
                kind: EvidenceKind::CardBaseModel,
                value: Some(b.value.trim().to_string()),
            })
        })
        .collect();
    for e in super::weights::base_models(&m.evidence.weights) {
        let id = clean_base_id(e.value.as_deref().unwrap_or(""));
        if !out.iter().any(|o| clean_base_id(o.value.as_deref().unwrap_or("")).eq_ignore_ascii_case(&id)) {
            out.push(e);
        }
    }
    out
}

/// `https://huggingface.co/org/name` → `org/name`.
fn clean_base_id(raw: &str) -> String {
    let t = raw.trim();
    for prefix in ["https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf://"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return rest.trim_end_matches('/').to_string();
        }
    }
    t.to_string()
}

/// The effective restrictions of the models that are bases of others, once worked out.
struct Memo {
    terms: Vec<Option<Vec<Restriction>>>,
    /// Whether a model is another's base.
    wanted: Vec<bool>,
}

/// A model's own restrictions plus those inherited along its chain of bases.
fn effective(
    i: usize,
    models: &[Identified],
    by_id: &HashMap<String, usize>,
    memo: &mut Memo,
    visiting: &mut Vec<bool>,
    depth: usize,
) -> Vec<Restriction> {
    if let Some(done) = &memo.terms[i] {
        return done.clone();
    }
    let mut out = models[i].restrictions.clone();
    if depth < MAX_DEPTH && !visiting[i] {
        visiting[i] = true;
        for b in base_entries(&models[i]) {
            let id = clean_base_id(b.value.as_deref().unwrap_or(""));
            let scanned = by_id.get(&id.to_ascii_lowercase()).copied().filter(|&j| j != i);
            if scanned.is_some_and(|j| visiting[j]) {
                continue; // a cycle: reported by the walk stopping here, never looped on
            }
            let usable =
                scanned.filter(|&j| !matches!(models[j].licensing.category, Category::None | Category::Unknown));
            let inherited: Vec<Restriction> = match usable {
                Some(j) => effective(j, models, by_id, memo, visiting, depth + 1),
                None => match Catalogue::get().base_family(&id) {
                    Some((_, lic)) => catalogue_restrictions(lic),
                    None => continue,
                },
            };
            for r in inherited {
                let already = out.iter().any(|o| o.kind == r.kind && o.licence == r.licence);
                if !already {
                    out.push(Restriction {
                        inherited_from: Some(r.inherited_from.clone().unwrap_or_else(|| id.clone())),
                        evidence: vec![b.clone()],
                        ..r
                    });
                }
            }
        }
        visiting[i] = false;
    }
    if !visiting[i] && memo.wanted[i] {
        memo.terms[i] = Some(out.clone());
    }
    out
}

fn base_terms(
    id: &str,
    me: usize,
    models: &[Identified],
    by_id: &HashMap<String, usize>,
    effective: &[Option<Vec<Restriction>>],
) -> Option<BaseTerms> {
    if let Some(&j) = by_id.get(&id.to_ascii_lowercase()) {
        let base = &models[j];
        if j != me && !matches!(base.licensing.category, Category::None | Category::Unknown) {
            let cat = Catalogue::get();
            let family = base.licensing.parts.iter().find_map(|p| cat.by_id(&p.id).and_then(|l| l.family.clone()));
            return Some(BaseTerms {
                licence: base.licensing.id.clone(),
                family,
                category: base.licensing.category,
                resolved_by: "scan",
                source: Some(base.evidence.source),
                restrictions: effective[j].as_ref().unwrap_or(&models[j].restrictions).clone(),
            });
        }
    }
    let (_, lic) = Catalogue::get().base_family(id)?;
    Some(BaseTerms {
        licence: lic.id.clone(),
        family: lic.family.clone(),
        category: lic.category,
        resolved_by: "catalogue",
        source: None,
        restrictions: catalogue_restrictions(lic),
    })
}

fn catalogue_restrictions(lic: &crate::catalogue::Licence) -> Vec<Restriction> {
    lic.restrictions.iter().map(|r| r.to_restriction(Vec::new(), &lic.id)).collect()
}

/// A base whose terms bind derivatives (use restrictions, pass-through, share-alike) and a
/// derivative whose declared licence is a different one that drops some of those terms.
fn lineage_break(m: &Identified, base_id: &str, base: &BaseTerms, evidence: &Evidence) -> Option<LineageBreak> {
    let binding = base.category.is_use_restricted()
        || base
            .restrictions
            .iter()
            .any(|r| matches!(r.kind, RestrictionKind::PassThrough | RestrictionKind::ShareAlike));
    if !binding || matches!(m.licensing.category, Category::None | Category::Unknown) {
        return None;
    }
    let cat = Catalogue::get();
    let keeps_licence = m.licensing.parts.iter().any(|p| {
        p.id == base.licence
            || base.licence.split(" AND ").chain(base.licence.split(" OR ")).any(|b| b == p.id)
            || (base.family.is_some() && cat.by_id(&p.id).and_then(|l| l.family.clone()) == base.family)
    });
    if keeps_licence {
        return None;
    }
    let own: Vec<RestrictionKind> =
        m.restrictions.iter().filter(|r| r.inherited_from.is_none()).map(|r| r.kind).collect();
    let mut dropped: Vec<RestrictionKind> =
        base.restrictions.iter().map(|r| r.kind).filter(|k| !own.contains(k)).collect();
    dropped.sort();
    dropped.dedup();
    (!dropped.is_empty()).then(|| LineageBreak {
        base: base_id.to_string(),
        base_licence: base.licence.clone(),
        dropped,
        evidence: evidence.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::clean_base_id;

    #[test]
    fn base_ids_lose_hub_urls() {
        assert_eq!(clean_base_id("https://huggingface.co/meta-llama/Llama-3.1-8B/"), "meta-llama/Llama-3.1-8B");
        assert_eq!(clean_base_id(" google/gemma-2-9b "), "google/gemma-2-9b");
    }
}
