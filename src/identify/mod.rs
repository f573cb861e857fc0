//! Stage 4: name each model's licence, the restrictions it carries, and where sources disagree.
//!
//! Sources, in order: the card's `license:` (Hub ids, SPDX ids, free names), `license_name` /
//! `license_link` for `license: other`, the licence texts beside the card, and the licences
//! weight headers declare (GGUF `general.license`, safetensors `__metadata__`, ONNX
//! `metadata_props`). A text or header refines a vaguer declaration (`gpl` → `gpl-3.0`, `other`
//! → a named licence); one that names a different licence is a conflict, and both licences are
//! kept, joined with AND, so a conflict can never make a model look more open than either source
//! says.
//!
//! Models without a card, licence text or weight header take what other sources say: a model
//! behind a provider's API is used under the provider's terms (or, for open weights, under the
//! weights' licence), as the provider table says; a model only named (by code, an inventory, a
//! Hub repository that refused access) whose id belongs to a well-known base family takes that
//! family's licence from the catalogue.

mod lineage;
mod mot;
mod weights;

use rayon::prelude::*;

use crate::{
    catalogue::{Catalogue, Document, Licence},
    model::{
        Assembled, Card, Combination, Conflict, DatasetEvidence, Evidence, Hosted, Identified, IdentifiedDataset,
        LicencePart, LicenceText, Licensing, ModelEvidence, Problem, Restriction, WeightFile,
    },
    providers::Providers,
    recognise::{
        clause_line,
        clauses::{self, Clause},
        normalise::Normalised,
        resolve_name, text,
    },
    vocab::{Category, EvidenceKind, RestrictionKind},
};

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
    // Compacted as each verdict is made, not once all are: their spare room was a third of
    // what identification holds at its peak.
    let own: Vec<Identified> = assembled
        .models
        .into_par_iter()
        .map(|evidence| {
            let mut m = identify_model(evidence);
            compact(&mut m);
            m
        })
        .collect();
    let mut models = lineage::resolve(own);
    // Again for the lists lineage set.
    models.par_iter_mut().for_each(compact);
    let datasets = assembled.datasets.into_par_iter().map(identify_dataset).collect();
    Identification { models, datasets, problems: assembled.problems }
}

/// Gives back the room a verdict's lists grew into: every model's verdict is held until the
/// model is reported, and a list of one restriction or one piece of evidence keeps room for four.
fn compact(m: &mut Identified) {
    let l = &mut m.licensing;
    l.evidence.shrink_to_fit();
    l.unidentified.shrink_to_fit();
    l.conflicts.shrink_to_fit();
    l.parts.shrink_to_fit();
    l.parts.iter_mut().for_each(|p| p.evidence.shrink_to_fit());
    m.restrictions.shrink_to_fit();
    for r in &mut m.restrictions {
        r.evidence.shrink_to_fit();
        r.regions.shrink_to_fit();
    }
    m.bases.shrink_to_fit();
    m.lineage_breaks.shrink_to_fit();
}

fn identify_model(evidence: ModelEvidence) -> Identified {
    if let Some(hosted) = &evidence.provenance.hosted {
        let (licensing, restrictions) = hosted_licensing(hosted, &evidence);
        return identified(evidence, licensing, restrictions);
    }
    let texts: Vec<ScannedText<'_>> = evidence.licence_texts.iter().map(ScannedText::new).collect();
    let mut resolved = match &evidence.mot {
        Some(file) => mot::licensing(file),
        None => licensing(evidence.card.as_deref(), &texts, &evidence.weights),
    };
    if evidence.mot.is_none()
        && resolved.licensing.parts.is_empty()
        && resolved.licensing.unidentified.is_empty()
        && evidence.card.is_none()
        && let Some(r) = catalogue_licensing(&evidence)
    {
        resolved = r;
    }
    let mut restrictions = own_restrictions(&resolved, &texts);
    let licensing = resolved.licensing;
    if let Some(card) = &evidence.card {
        restrictions.extend(card_restrictions(card));
    }
    drop(texts);
    identified(evidence, licensing, restrictions)
}

/// A model's own verdict, before lineage.
fn identified(evidence: ModelEvidence, licensing: Licensing, restrictions: Vec<Restriction>) -> Identified {
    let licence_hash = crate::pin::licence_hash(&evidence);
    Identified { evidence, licensing, restrictions, bases: Vec::new(), lineage_breaks: Vec::new(), licence_hash }
}

fn identify_dataset(evidence: DatasetEvidence) -> IdentifiedDataset {
    let texts: Vec<ScannedText<'_>> = evidence.licence_texts.iter().map(ScannedText::new).collect();
    let licensing = licensing(Some(&evidence.card), &texts, &[]).licensing;
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
    /// Restrictions read clause by clause from an unidentified text: (text index, clause).
    clauses: Vec<(usize, Clause)>,
}

impl Part {
    fn id(&self) -> String {
        self.licence.map_or_else(|| self.declared.clone(), |l| l.id.clone())
    }

    /// A part the catalogue does not know.
    fn unknown(declared: &str) -> Part {
        Part { licence: None, declared: declared.to_string(), evidence: vec![], texts: vec![], clauses: vec![] }
    }

    /// A catalogue licence (or none, for a name the catalogue does not know).
    fn known(licence: Option<&'static Licence>, declared: &str) -> Part {
        Part { licence, ..Part::unknown(declared) }
    }

    /// The category: the catalogue's, or for an unknown licence what its clauses imply.
    fn category(&self) -> Category {
        match self.licence {
            Some(l) => l.category,
            None => {
                let found: Vec<Clause> = self.clauses.iter().map(|(_, c)| c.clone()).collect();
                clauses::category(&found)
            }
        }
    }

    fn into_public(self) -> LicencePart {
        let category = self.category();
        let (id, spdx, name) = match self.licence {
            Some(l) => (l.id.clone(), l.spdx.clone(), l.name.clone()),
            None => (self.declared.clone(), licence_ref(&self.declared), self.declared.clone()),
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

/// Where a model only named elsewhere is named: its first code reference, else its first
/// inventory line, else its location.
fn named_at(e: &ModelEvidence, kind: EvidenceKind, value: Option<String>) -> Evidence {
    let p = &e.provenance;
    let (file, line) = match (p.references.first(), p.inventory.first()) {
        (Some(r), _) => (r.file.clone(), Some(r.line)),
        (None, Some(i)) => (i.file.clone(), Some(i.line)),
        (None, None) => (e.location.clone(), None),
    };
    Evidence { file, line, kind, value }
}

/// One catalogue licence with its evidence, resolved as `licensing` would.
fn single(licence: Option<&'static Licence>, declared: &str, evidence: Evidence) -> Resolved {
    let mut part = Part::known(licence, declared);
    part.evidence.push(evidence);
    Resolved {
        licensing: build_licensing(vec![part], Combination::All, Vec::new(), Vec::new()),
        parts: vec![(Vec::new(), Vec::new())],
    }
}

/// A model behind a provider's API: the licence of its open weights when the provider table
/// names one, else the provider's terms (proprietary) and what they restrict.
fn hosted_licensing(h: &Hosted, e: &ModelEvidence) -> (Licensing, Vec<Restriction>) {
    let providers = Providers::get();
    if let Some(id) = providers.model_of(&h.provider, &h.model).and_then(|m| m.licence.clone()) {
        let ev = named_at(e, EvidenceKind::Catalogue, Some(id.clone()));
        let resolved = single(resolve_name(Catalogue::get(), &id), &id, ev);
        let restrictions = own_restrictions(&resolved, &[]);
        return (resolved.licensing, restrictions);
    }
    let Some(terms) = providers.by_id(&h.provider).and_then(|p| p.terms.as_ref()) else {
        return (build_licensing(Vec::new(), Combination::All, Vec::new(), Vec::new()), Vec::new());
    };
    if let Some(licence) = terms.licence.as_deref().and_then(|id| Catalogue::get().by_id(id)) {
        let ev = named_at(e, EvidenceKind::VendorTerms, Some(licence.id.clone()));
        let resolved = single(Some(licence), &licence.id, ev);
        let restrictions = own_restrictions(&resolved, &[]);
        return (resolved.licensing, restrictions);
    }
    let ev = named_at(e, EvidenceKind::VendorTerms, Some(terms.id.clone()));
    let part = LicencePart {
        id: terms.id.clone(),
        spdx: licence_ref(&terms.id),
        name: terms.name.clone(),
        category: Category::Proprietary,
        evidence: vec![ev.clone()],
    };
    let licensing = Licensing {
        id: part.id.clone(),
        spdx: part.spdx.clone(),
        name: part.name.clone(),
        category: Category::Proprietary,
        combination: Combination::All,
        evidence: vec![ev.clone()],
        parts: vec![part],
        unidentified: Vec::new(),
        conflicts: Vec::new(),
    };
    let restrictions = terms.restrictions.iter().map(|r| r.to_restriction(vec![ev.clone()], &terms.id)).collect();
    (licensing, restrictions)
}

/// The licence of a well-known base family, for a model that only its name identifies.
fn catalogue_licensing(e: &ModelEvidence) -> Option<Resolved> {
    let (family, lic) = Catalogue::get().base_family(&e.id)?;
    let ev = named_at(e, EvidenceKind::Catalogue, Some(family.pattern.clone()));
    Some(single(Some(lic), &lic.id, ev))
}

/// What `licensing` works out, beyond the public [`Licensing`]: where each part was found, for
/// locating its clauses.
struct Resolved {
    licensing: Licensing,
    /// Per part, in the order of `licensing.parts`.
    parts: Vec<PartSources>,
}

/// Where a part was found: the texts it was identified in, and the clauses read from
/// unidentified texts, each with its text index.
type PartSources = (Vec<usize>, Vec<(usize, Clause)>);

/// Builds the licensing of a card plus licence texts plus weight headers.
fn licensing(card: Option<&Card>, texts: &[ScannedText<'_>], weight_files: &[WeightFile]) -> Resolved {
    let cat = Catalogue::get();
    let (mut parts, mut combination) = card.map(declared_parts).unwrap_or((Vec::new(), Combination::All));
    let declared = Declared { count: parts.len(), ids: parts.iter().map(Part::id).collect() };
    let declared_count = declared.count;
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
            add_unidentified(&mut parts, declared_count, t, ti);
            continue;
        }
        let first_line = t.matches.iter().map(|m| m.start_line).min();
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
            let primary = Some(m.start_line) == first_line;
            add_found(
                &mut parts,
                &declared,
                Found { licence: m.licence, evidence: vec![ev], text: Some(ti), primary },
                &mut conflicts,
            );
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
            let found = Found { licence: owner, evidence: vec![ev], text: Some(ti), primary: true };
            add_found(&mut parts, &declared, found, &mut conflicts);
        }
    }
    // What weight headers declare (GGUF `general.license`, safetensors and ONNX metadata).
    for header in weights::header_licences(weight_files) {
        match header.licence {
            Some(licence) => {
                let found = Found { licence, evidence: header.evidence, text: None, primary: true };
                add_found(&mut parts, &declared, found, &mut conflicts);
            }
            None => add_unresolved(&mut parts, &declared, &header.name, header.evidence, &mut conflicts),
        }
    }
    // Nothing declared, no licence file: a card that names its licence in prose.
    if parts.is_empty()
        && let Some((card, section)) = card.and_then(|c| c.licence_section.as_ref().map(|s| (c, s)))
    {
        parts.extend(card_text_parts(card, section));
    }

    if declared_count == 0 && is_dual_licence(texts) && parts.len() > 1 {
        combination = Combination::Any;
    }
    let sources = parts.iter().map(|p| (p.texts.clone(), p.clauses.clone())).collect();
    Resolved { licensing: build_licensing(parts, combination, unidentified, conflicts), parts: sources }
}

/// An unidentified licence text: read clause by clause, and attached to the card's unknown
/// licence name if it has one (`license: other` + an uncatalogued `license_name`), else kept as
/// a part of its own, so its restrictions count whatever else the card says.
fn add_unidentified(parts: &mut Vec<Part>, declared_count: usize, t: &ScannedText<'_>, ti: usize) {
    let found = clauses::extract(&t.norm);
    let ev = Evidence { file: t.text.file.clone(), line: None, kind: EvidenceKind::LicenceFile, value: None };
    let target = match parts[..declared_count].iter().position(|p| p.licence.is_none()) {
        Some(i) => i,
        None => {
            parts.push(Part::unknown("unknown"));
            parts.len() - 1
        }
    };
    let p = &mut parts[target];
    p.evidence.push(ev);
    p.texts.push(ti);
    p.clauses.extend(found.into_iter().map(|c| (ti, c)));
}

/// Licences a card's licence section names.
fn card_text_parts(card: &Card, section: &crate::model::Located<String>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for m in text::identify_phrased(&section.value) {
        // In the section about the licence, naming a licence by its title states it; phrases
        // alone (shared wording) do not.
        if m.anchor.is_none() {
            continue;
        }
        let licence = match m.licence.document {
            Document::Policy => m.licence.policy_for.first().and_then(|id| Catalogue::get().by_id(id)),
            Document::Licence => Some(m.licence),
        };
        let Some(licence) = licence else { continue };
        if out.iter().any(|p| p.licence.is_some_and(|l| l.id == licence.id)) {
            continue;
        }
        let mut part = Part::known(Some(licence), &licence.id);
        part.evidence.push(Evidence {
            file: card.file.clone(),
            line: Some(section.line + m.anchor.unwrap_or(m.start_line) - 1),
            kind: EvidenceKind::CardText,
            value: Some(licence.id.clone()),
        });
        out.push(part);
    }
    out
}

/// Adds a licence found in a file: merged with an equal or vaguer declared part, else a new
/// part. A file's first-named licence that the card did not declare is a conflict; licences a
/// file names after its own (bundled third-party notices) are parts, never conflicts.
fn add_found(parts: &mut Vec<Part>, declared: &Declared, found: Found, conflicts: &mut Vec<Conflict>) {
    let Found { licence: lic, evidence, text, primary } = found;
    let Some(ev) = evidence.first().cloned() else { return };
    if let Some(p) = parts.iter_mut().find(|p| p.licence.is_some_and(|l| l.id == lic.id)) {
        p.evidence.extend(evidence);
        p.texts.extend(text);
        return;
    }
    let refinable = parts[..declared.count].iter().position(|p| match p.licence {
        None => primary,
        Some(d) => d.generic && lic.parent.as_deref() == Some(d.id.as_str()),
    });
    if let Some(i) = refinable {
        let p = &mut parts[i];
        p.licence = Some(lic);
        p.evidence.extend(evidence);
        p.texts.extend(text);
        return;
    }
    if declared.count > 0 && primary {
        conflicts.push(Conflict { declared: declared.ids.clone(), found: lic.id.clone(), evidence: ev });
    }
    let mut part = Part::known(Some(lic), &lic.id);
    part.evidence = evidence;
    part.texts.extend(text);
    parts.push(part);
}

/// A licence name a weight header declares that the catalogue does not know: merged with an
/// equally unknown declared name, else kept as its own part (and a conflict when the card named
/// something else). Placeholders (`other`, `unknown`) only add evidence.
fn add_unresolved(
    parts: &mut Vec<Part>,
    declared: &Declared,
    name: &str,
    evidence: Vec<Evidence>,
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
    if declared.count > 0 {
        if placeholder {
            return;
        }
        conflicts.push(Conflict { declared: declared.ids.clone(), found: name.trim().to_string(), evidence: ev });
    }
    let mut part = Part::unknown(name.trim());
    part.evidence = evidence;
    parts.push(part);
}

/// What the card declared, for judging what files say.
struct Declared {
    /// How many of the first parts came from the card.
    count: usize,
    /// Their ids.
    ids: Vec<String>,
}

/// A licence found in a text or a weight header.
struct Found {
    licence: &'static Licence,
    evidence: Vec<Evidence>,
    /// The licence text it was found in (none for a weight header).
    text: Option<usize>,
    /// The licence the file names first (its own), as opposed to bundled notices after it.
    primary: bool,
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
                "unknown" => Part::unknown("unknown"),
                _ => Part::known(resolve_name(cat, &name), &name),
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
    let mut part = Part::unknown("other");
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
fn own_restrictions(resolved: &Resolved, texts: &[ScannedText<'_>]) -> Vec<Restriction> {
    let licensing = &resolved.licensing;
    let cat = Catalogue::get();
    let binding: Vec<usize> = match licensing.combination {
        Combination::All => (0..licensing.parts.len()).collect(),
        Combination::Any => (0..licensing.parts.len())
            .min_by_key(|&i| licensing.parts[i].category.restrictiveness())
            .into_iter()
            .collect(),
    };
    let mut out: Vec<Restriction> = Vec::new();
    for i in binding {
        let part = &licensing.parts[i];
        let (text_ids, found) = &resolved.parts[i];
        // Restrictions read from an unidentified text, each at its clause.
        for (ti, c) in found {
            out.push(Restriction {
                kind: c.kind,
                detail: c.detail.clone(),
                evidence: vec![Evidence {
                    file: texts[*ti].text.file.clone(),
                    line: Some(c.line),
                    kind: EvidenceKind::LicenceFile,
                    value: None,
                }],
                licence: Some(part.id.clone()),
                inherited_from: None,
                users: c.users,
                revenue_usd: c.revenue_usd,
                regions: c.regions.clone(),
            });
        }
        let Some(lic) = cat.by_id(&part.id).filter(|l| l.id == part.id) else { continue };
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
