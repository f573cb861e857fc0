//! Stage 4: name each model's licence, the restrictions it carries, and where sources disagree.
//!
//! Sources, in order: the card's `license:` (Hub ids, SPDX ids, free names), `license_name` /
//! `license_link` for `license: other`, the licence texts beside the card, and the licences
//! weight headers declare (GGUF `general.license`, safetensors `__metadata__`, ONNX
//! `metadata_props`). A text or header refines a vaguer declaration (`gpl` → `gpl-3.0`, `other`
//! → a named licence); one that names a different licence is a conflict, and both licences are
//! kept, joined with AND, so a conflict can never make a model look more open than either source
//! says.

mod lineage;
pub mod normalise;
pub mod text;
mod weights;

use rayon::prelude::*;

use crate::{
    catalogue::{Catalogue, Document, Licence},
    model::{
        Assembled, Card, Combination, Conflict, DatasetEvidence, Evidence, Identified, IdentifiedDataset, LicencePart,
        LicenceText, Licensing, Problem, Restriction, WeightFile,
    },
    vocab::{Category, EvidenceKind, RestrictionKind},
};
use normalise::Normalised;

/// What identification produced.
#[derive(Debug)]
pub struct Identification {
    /// Models, in the order assembled.
    pub models: Vec<Identified>,
    /// Datasets.
    pub datasets: Vec<IdentifiedDataset>,
    /// Per-file problems carried through.
    pub problems: Vec<Problem>,
}

/// Identifies every model and dataset.
pub fn identify(assembled: Assembled) -> Identification {
    let own: Vec<Identified> = assembled.models.into_par_iter().map(identify_model).collect();
    let models = lineage::resolve(own);
    let datasets = assembled.datasets.into_par_iter().map(identify_dataset).collect();
    Identification { models, datasets, problems: assembled.problems }
}

fn identify_model(evidence: crate::model::ModelEvidence) -> Identified {
    let texts: Vec<ScannedText<'_>> = evidence.licence_texts.iter().map(ScannedText::new).collect();
    let (licensing, sources) = licensing(evidence.card.as_ref(), &texts, &evidence.weights);
    let mut restrictions = own_restrictions(&licensing, &sources, &texts);
    if let Some(card) = &evidence.card {
        restrictions.extend(card_restrictions(card));
    }
    drop(texts);
    Identified { evidence, licensing, restrictions, bases: Vec::new(), lineage_breaks: Vec::new() }
}

fn identify_dataset(evidence: DatasetEvidence) -> IdentifiedDataset {
    let texts: Vec<ScannedText<'_>> = evidence.licence_texts.iter().map(ScannedText::new).collect();
    let (licensing, _) = licensing(Some(&evidence.card), &texts, &[]);
    drop(texts);
    IdentifiedDataset { evidence, licensing }
}

/// A licence text with its folded form and what the matchers found in it.
struct ScannedText<'a> {
    text: &'a LicenceText,
    norm: Normalised,
    matches: Vec<text::TextMatch>,
}

impl<'a> ScannedText<'a> {
    fn new(text: &'a LicenceText) -> Self {
        let norm = Normalised::new(&text.text);
        let matches = text::identify_normalised(&text.text, &norm);
        ScannedText { norm, text, matches }
    }
}

/// A licence part under construction.
#[derive(Clone, Debug)]
struct Part {
    licence: Option<&'static Licence>,
    /// The declared name, for parts the catalogue does not know.
    declared: String,
    evidence: Vec<Evidence>,
    /// Indexes of the texts this part was found in.
    texts: Vec<usize>,
}

impl Part {
    fn id(&self) -> String {
        self.licence.map_or_else(|| self.declared.clone(), |l| l.id.clone())
    }

    fn into_public(self) -> LicencePart {
        let (id, spdx, name, category) = match self.licence {
            Some(l) => (l.id.clone(), l.spdx.clone(), l.name.clone(), l.category),
            None => (self.declared.clone(), licence_ref(&self.declared), self.declared.clone(), Category::Unknown),
        };
        let mut evidence = self.evidence;
        evidence.sort();
        evidence.dedup();
        LicencePart { id, spdx, name, category, evidence }
    }
}

/// `LicenseRef-` plus the id with characters SPDX does not allow replaced.
fn licence_ref(id: &str) -> String {
    let clean: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' }).collect();
    format!("LicenseRef-{}", clean.trim_matches('-'))
}

/// Builds the licensing of a card plus texts plus weight headers; also returns the parts' text
/// sources for clause look-ups.
fn licensing(
    card: Option<&Card>,
    texts: &[ScannedText<'_>],
    weight_files: &[WeightFile],
) -> (Licensing, Vec<(String, Vec<usize>)>) {
    let cat = Catalogue::get();
    let (mut parts, mut combination) = card.map(declared_parts).unwrap_or((Vec::new(), Combination::All));
    let declared_count = parts.len();
    let declared_ids: Vec<String> = parts.iter().map(Part::id).collect();
    let mut conflicts = Vec::new();
    let mut unidentified = Vec::new();
    let mut policies: Vec<(usize, &text::TextMatch)> = Vec::new();

    for (ti, t) in texts.iter().enumerate() {
        if t.matches.is_empty() {
            unidentified.push(Evidence {
                file: t.text.file.clone(),
                line: None,
                kind: EvidenceKind::LicenceFile,
                value: None,
            });
            continue;
        }
        for m in &t.matches {
            if m.licence.document == Document::Policy {
                policies.push((ti, m));
                continue;
            }
            let ev = Evidence {
                file: t.text.file.clone(),
                line: Some(m.start_line),
                kind: EvidenceKind::LicenceFile,
                value: Some(m.licence.id.clone()),
            };
            add_found(&mut parts, declared_count, m.licence, vec![ev], Some(ti), &declared_ids, &mut conflicts);
        }
    }
    for (ti, m) in policies {
        let t = &texts[ti];
        let ev = Evidence {
            file: t.text.file.clone(),
            line: Some(m.start_line),
            kind: EvidenceKind::LicenceFile,
            value: Some(m.licence.id.clone()),
        };
        if let Some(p) = parts.iter_mut().find(|p| p.licence.is_some_and(|l| m.licence.policy_for.contains(&l.id))) {
            p.evidence.push(ev);
            p.texts.push(ti);
        } else if let Some(owner) = m.licence.policy_for.first().and_then(|id| cat.by_id(id)) {
            // A use policy implies the licence that incorporates it.
            add_found(&mut parts, declared_count, owner, vec![ev], Some(ti), &declared_ids, &mut conflicts);
        }
    }
    for found in weights::header_licences(weight_files) {
        match found.licence {
            Some(lic) => {
                add_found(&mut parts, declared_count, lic, found.evidence, None, &declared_ids, &mut conflicts)
            }
            None => {
                add_unresolved(&mut parts, declared_count, &found.name, found.evidence, &declared_ids, &mut conflicts)
            }
        }
    }

    if declared_count == 0 && is_dual_licence(texts) && parts.len() > 1 {
        combination = Combination::Any;
    }
    let sources: Vec<(String, Vec<usize>)> = parts.iter().map(|p| (p.id(), p.texts.clone())).collect();
    (build_licensing(parts, combination, unidentified, conflicts), sources)
}

/// Adds a licence found in a file (a licence text, index `text`, or a weight header): merged
/// with an equal or vaguer declared part, else a new part (and, when the card declared
/// something else, a conflict).
fn add_found(
    parts: &mut Vec<Part>,
    declared_count: usize,
    lic: &'static Licence,
    evidence: Vec<Evidence>,
    text: Option<usize>,
    declared_ids: &[String],
    conflicts: &mut Vec<Conflict>,
) {
    let Some(ev) = evidence.first().cloned() else { return };
    if let Some(p) = parts.iter_mut().find(|p| p.licence.is_some_and(|l| l.id == lic.id)) {
        p.evidence.extend(evidence);
        p.texts.extend(text);
        return;
    }
    let refinable = parts[..declared_count].iter().position(|p| match p.licence {
        None => true,
        Some(d) => d.generic && lic.family.as_deref() == Some(d.id.as_str()),
    });
    if let Some(i) = refinable {
        let p = &mut parts[i];
        p.licence = Some(lic);
        p.evidence.extend(evidence);
        p.texts.extend(text);
        return;
    }
    if declared_count > 0 {
        conflicts.push(Conflict { declared: declared_ids.to_vec(), found: lic.id.clone(), evidence: ev });
    }
    parts.push(Part { licence: Some(lic), declared: lic.id.clone(), evidence, texts: text.into_iter().collect() });
}

/// Adds a licence a weight header names that the catalogue does not know: it joins a part of
/// the same name, or names a card's bare `other`/`unknown`; else it is a part of its own (and a
/// conflict when the card declared something else). A header that only says `other` adds
/// nothing to a card that names its licence.
fn add_unresolved(
    parts: &mut Vec<Part>,
    declared_count: usize,
    name: &str,
    evidence: Vec<Evidence>,
    declared_ids: &[String],
    conflicts: &mut Vec<Conflict>,
) {
    let Some(ev) = evidence.first().cloned() else { return };
    let placeholder = weights::is_placeholder(name);
    let same = parts.iter_mut().find(|p| {
        p.licence.is_none() && (p.declared.eq_ignore_ascii_case(name.trim()) || weights::is_placeholder(&p.declared))
    });
    if let Some(p) = same {
        if !placeholder {
            p.declared = name.trim().to_string();
        }
        p.evidence.extend(evidence);
        return;
    }
    if declared_count > 0 {
        if placeholder {
            return;
        }
        conflicts.push(Conflict { declared: declared_ids.to_vec(), found: name.trim().to_string(), evidence: ev });
    }
    parts.push(Part { licence: None, declared: name.trim().to_string(), evidence, texts: vec![] });
}

/// `LICENSE-APACHE` + `LICENSE-MIT` side by side: the Rust convention for "either".
fn is_dual_licence(texts: &[ScannedText<'_>]) -> bool {
    let names: Vec<String> =
        texts.iter().map(|t| t.text.file.rsplit('/').next().unwrap_or("").to_ascii_uppercase()).collect();
    names.iter().any(|n| n.starts_with("LICENSE-APACHE")) && names.iter().any(|n| n.starts_with("LICENSE-MIT"))
}

/// The parts a card declares.
fn declared_parts(card: &Card) -> (Vec<Part>, Combination) {
    let cat = Catalogue::get();
    let mut parts: Vec<Part> = Vec::new();
    let mut combination = Combination::All;
    for value in &card.meta.license {
        let raw = value.value.trim();
        let ev = Evidence {
            file: card.file.clone(),
            line: Some(value.line),
            kind: EvidenceKind::CardLicense,
            value: Some(raw.to_string()),
        };
        let (names, comb) = split_expression(raw);
        if comb == Combination::Any {
            combination = Combination::Any;
        }
        for name in names {
            let mut part = match name.to_ascii_lowercase().as_str() {
                "other" => resolve_other(card),
                "unknown" => Part { licence: None, declared: "unknown".into(), evidence: vec![], texts: vec![] },
                _ => {
                    Part { licence: resolve_name(cat, &name), declared: name.clone(), evidence: vec![], texts: vec![] }
                }
            };
            part.evidence.insert(0, ev.clone());
            if !parts.iter().any(|p| p.licence.is_some() && p.licence.map(|l| &l.id) == part.licence.map(|l| &l.id)) {
                parts.push(part);
            }
        }
    }
    (parts, combination)
}

/// `license: other` resolved through `license_name`, then `license_link`.
fn resolve_other(card: &Card) -> Part {
    let cat = Catalogue::get();
    let mut part = Part { licence: None, declared: "other".into(), evidence: vec![], texts: vec![] };
    if let Some(name) = &card.meta.license_name {
        part.declared = name.value.trim().to_string();
        part.licence = resolve_name(cat, &name.value);
        part.evidence.push(Evidence {
            file: card.file.clone(),
            line: Some(name.line),
            kind: EvidenceKind::CardLicenseName,
            value: Some(name.value.clone()),
        });
    }
    if let Some(link) = &card.meta.license_link {
        if part.licence.is_none() {
            part.licence = cat.by_url(&link.value);
        }
        part.evidence.push(Evidence {
            file: card.file.clone(),
            line: Some(link.line),
            kind: EvidenceKind::CardLicenseLink,
            value: Some(link.value.clone()),
        });
    }
    part
}

/// A licence name from a card: catalogue id or alias, else an SPDX id.
pub fn resolve_name(cat: &'static Catalogue, name: &str) -> Option<&'static Licence> {
    cat.lookup(name).or_else(|| spdx::license_id(name.trim()).and_then(|id| text::resolve_spdx(id.name)))
}

/// Splits `a OR b`, `a AND b`, `(a OR b)`; a mixed expression is read as AND throughout,
/// the reading that can only over-state restrictions.
fn split_expression(raw: &str) -> (Vec<String>, Combination) {
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    let has_or = tokens.iter().any(|t| t.eq_ignore_ascii_case("or"));
    let has_and = tokens.iter().any(|t| t.eq_ignore_ascii_case("and"));
    let has = |op: &str| if op == "or" { has_or } else { has_and };
    if !has("or") && !has("and") {
        return (vec![raw.to_string()], Combination::All);
    }
    let mut names = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for t in tokens {
        if t.eq_ignore_ascii_case("or") || t.eq_ignore_ascii_case("and") {
            if !current.is_empty() {
                names.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(t.trim_matches(|c| c == '(' || c == ')'));
        }
    }
    if !current.is_empty() {
        names.push(current.join(" "));
    }
    names.retain(|n| !n.is_empty());
    let combination = if has("or") && !has("and") { Combination::Any } else { Combination::All };
    (names, combination)
}

fn build_licensing(
    parts: Vec<Part>,
    combination: Combination,
    unidentified: Vec<Evidence>,
    conflicts: Vec<Conflict>,
) -> Licensing {
    let public: Vec<LicencePart> = parts.into_iter().map(Part::into_public).collect();
    let mut evidence: Vec<Evidence> = public.iter().flat_map(|p| p.evidence.iter().cloned()).collect();
    evidence.extend(unidentified.iter().cloned());
    evidence.sort();
    evidence.dedup();
    if public.is_empty() {
        let (id, name, category) = if unidentified.is_empty() {
            ("none", "No licence found", Category::None)
        } else {
            ("unknown", "Unidentified licence text", Category::Unknown)
        };
        return Licensing {
            id: id.into(),
            spdx: "NOASSERTION".into(),
            name: name.into(),
            category,
            combination,
            evidence,
            parts: public,
            unidentified,
            conflicts,
        };
    }
    let op = if combination == Combination::Any { " OR " } else { " AND " };
    let id = public.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(op);
    let spdx = public.iter().map(|p| p.spdx.as_str()).collect::<Vec<_>>().join(op);
    let name = public.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(op.to_lowercase().as_str());
    let ranks = public.iter().map(|p| p.category);
    let category = if combination == Combination::Any {
        ranks.min_by_key(|c| c.restrictiveness())
    } else {
        ranks.max_by_key(|c| c.restrictiveness())
    }
    .unwrap_or(Category::Unknown);
    Licensing { id, spdx, name, category, combination, evidence, parts: public, unidentified, conflicts }
}

/// The restrictions of the licences that bind the model: every part for AND, the least
/// restrictive part for OR. Each is located at its clause in the licence text when the text
/// is there, else at the declaration.
fn own_restrictions(
    licensing: &Licensing,
    sources: &[(String, Vec<usize>)],
    texts: &[ScannedText<'_>],
) -> Vec<Restriction> {
    let cat = Catalogue::get();
    let binding: Vec<&LicencePart> = match licensing.combination {
        Combination::All => licensing.parts.iter().collect(),
        Combination::Any => licensing.parts.iter().min_by_key(|p| p.category.restrictiveness()).into_iter().collect(),
    };
    let mut out: Vec<Restriction> = Vec::new();
    for part in binding {
        let Some(lic) = cat.by_id(&part.id).filter(|l| l.id == part.id) else { continue };
        let text_ids: &[usize] = sources.iter().find(|(id, _)| *id == part.id).map_or(&[], |(_, t)| t.as_slice());
        for r in &lic.restrictions {
            let mut evidence: Vec<Evidence> = text_ids
                .iter()
                .filter_map(|&ti| {
                    let t = &texts[ti];
                    clause_line(&t.norm, &r.clause).map(|line| Evidence {
                        file: t.text.file.clone(),
                        line: Some(line),
                        kind: EvidenceKind::LicenceFile,
                        value: None,
                    })
                })
                .collect();
            if evidence.is_empty() {
                evidence.extend(part.evidence.first().cloned());
            }
            out.push(Restriction {
                kind: r.kind,
                detail: r.detail.clone(),
                evidence,
                licence: Some(lic.id.clone()),
                inherited_from: None,
                users: r.users,
                revenue_usd: r.revenue_usd,
                regions: r.regions.clone(),
            });
        }
    }
    out
}

/// The line of the first clause phrase found in a text.
fn clause_line(norm: &Normalised, clause: &[String]) -> Option<u32> {
    clause.iter().find_map(|c| {
        let p = normalise::phrase(c);
        (!p.is_empty()).then(|| norm.text.find(&p)).flatten().map(|off| norm.line_of(off))
    })
}

/// Restrictions a card itself imposes through its gating keys.
fn card_restrictions(card: &Card) -> Vec<Restriction> {
    let mut out = Vec::new();
    if let Some(line) = card.meta.eu_disallowed {
        out.push(Restriction {
            kind: RestrictionKind::Territorial,
            detail: "The Hub blocks access to this model from the European Union (extra_gated_eu_disallowed).".into(),
            evidence: vec![Evidence {
                file: card.file.clone(),
                line: Some(line),
                kind: EvidenceKind::CardGating,
                value: Some("extra_gated_eu_disallowed: true".into()),
            }],
            licence: None,
            inherited_from: None,
            users: None,
            revenue_usd: None,
            regions: vec!["EU".into()],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_split() {
        assert_eq!(split_expression("apache-2.0"), (vec!["apache-2.0".to_string()], Combination::All));
        assert_eq!(
            split_expression("(Apache-2.0 OR MIT)"),
            (vec!["Apache-2.0".to_string(), "MIT".to_string()], Combination::Any)
        );
        assert_eq!(split_expression("llama3.1 AND mit").1, Combination::All);
        assert_eq!(split_expression("a OR b AND c").1, Combination::All);
    }

    #[test]
    fn licence_refs_are_valid_idstrings() {
        assert_eq!(licence_ref("my licence_v1"), "LicenseRef-my-licence-v1");
        assert_eq!(licence_ref("openrail++"), "LicenseRef-openrail");
    }
}
