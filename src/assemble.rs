//! Stage 3: group the parsed files into one record per model (and per dataset).
//!
//! A directory that holds a model card is a model; weights and configs belong to the nearest
//! directory at or above them that holds a card, or, when there is none, form a model of their
//! own directory. Licence texts belong to the models of their directory. When a directory
//! holds several cards, each card is a model of its own.
//!
//! Models named by code become records of their own, one per model however many places name it.
//! Entries of the other sources (a cache snapshot, an Ollama manifest, a Hub repository, an
//! inventory line) become one record each ([`add_entry`]). Finally [`merge`] folds the records
//! that carry no files (code references, inventory lines) into a record of the same model that
//! does, so each model is reported once with every place that names it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::{
    model::{
        Assembled, Card, CardKind, CodeReference, DatasetEvidence, Entry, Hosted, LicenceText, ModelConfig,
        ModelEvidence, ModelTarget, MotFile, Parsed, Problem, Provenance, WeightFile,
    },
    vocab::Source,
};

/// Groups parsed facts; `root_name` names a model that lives at the root itself.
pub fn assemble(parsed: Vec<Parsed>, mut problems: Vec<Problem>, root_name: &str) -> Assembled {
    let mut cards: BTreeMap<String, Vec<Box<Card>>> = BTreeMap::new();
    let mut plain_readmes: BTreeMap<String, Box<Card>> = BTreeMap::new();
    let mut licences: BTreeMap<String, Vec<LicenceText>> = BTreeMap::new();
    let mut weights: Vec<WeightFile> = Vec::new();
    let mut configs: Vec<ModelConfig> = Vec::new();
    let mut code: Vec<String> = Vec::new();
    let mut references: BTreeMap<String, (ModelTarget, Vec<CodeReference>)> = BTreeMap::new();
    let mut mot_models: Vec<ModelEvidence> = Vec::new();
    for p in parsed {
        match p {
            Parsed::Card(c) if c.recognised => cards.entry(dir_of(&c.file).to_string()).or_default().push(c),
            Parsed::Card(c) => {
                plain_readmes.insert(dir_of(&c.file).to_string(), c);
            }
            Parsed::Licence(l) => licences.entry(dir_of(&l.file).to_string()).or_default().push(l),
            Parsed::Weights(w) => weights.push(w),
            Parsed::Config(c) => configs.push(c),
            Parsed::Code(c) => code.push(c),
            Parsed::Reference(r) => {
                let r = *r;
                references
                    .entry(r.target.id().to_ascii_lowercase())
                    .or_insert_with(|| (r.target, Vec::new()))
                    .1
                    .push(r.at);
            }
            Parsed::Mot(f) => mot_models.push(mot_model(f)),
            Parsed::Problem(p) => problems.push(p),
        }
    }

    // Directories that hold a model card, and the model each weight/config/code file joins.
    let model_card_dirs: BTreeSet<String> =
        cards.iter().filter(|(_, cs)| cs.iter().any(|c| c.kind == CardKind::Model)).map(|(d, _)| d.clone()).collect();
    let owner = |file: &str| -> Option<String> { nearest(&model_card_dirs, dir_of(file)) };

    let mut attached_weights: BTreeMap<String, Vec<WeightFile>> = BTreeMap::new();
    for w in weights {
        let dir = owner(&w.file).unwrap_or_else(|| dir_of(&w.file).to_string());
        attached_weights.entry(dir).or_default().push(w);
    }
    let mut attached_configs: BTreeMap<String, Vec<ModelConfig>> = BTreeMap::new();
    for c in configs {
        let dir = owner(&c.file).unwrap_or_else(|| dir_of(&c.file).to_string());
        attached_configs.entry(dir).or_default().push(c);
    }

    let mut out = Assembled { problems, models: mot_models, ..Default::default() };
    let mut model_dirs: BTreeSet<String> = model_card_dirs.clone();
    model_dirs.extend(attached_weights.keys().cloned());
    model_dirs.extend(attached_configs.keys().cloned());
    let code_owner = |file: &str| nearest(&model_dirs, dir_of(file));
    let mut attached_code: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in code {
        if let Some(dir) = code_owner(&c) {
            attached_code.entry(dir).or_default().push(c);
        }
    }

    for dir in &model_dirs {
        // Moved out, not copied: cards are most of what a large scan holds (issue 9). The
        // dataset cards go back for the loop over datasets below.
        let (dir_cards, dataset_cards): (Vec<Box<Card>>, Vec<Box<Card>>) =
            cards.remove(dir).unwrap_or_default().into_iter().partition(|c| c.kind == CardKind::Model);
        if !dataset_cards.is_empty() {
            cards.insert(dir.clone(), dataset_cards);
        }
        let texts = licences.get(dir).cloned().unwrap_or_default();
        let mut w = attached_weights.remove(dir).unwrap_or_default();
        let mut cf = attached_configs.remove(dir).unwrap_or_default();
        let mut cd = attached_code.remove(dir).unwrap_or_default();
        let primary = primary_card(&dir_cards);
        if dir_cards.is_empty() {
            // Weights or configs without a card of their own: a plain README beside them is
            // their card.
            let card = plain_readmes.remove(dir);
            out.models.push(model(dir, root_name, card, texts, w, cf, cd));
            continue;
        }
        let several = dir_cards.len() > 1;
        for (i, card) in dir_cards.into_iter().enumerate() {
            let is_primary = primary == Some(i);
            let location = if several && !is_primary { card.file.clone() } else { dir.clone() };
            let (mw, mc, mcode) = if is_primary {
                (std::mem::take(&mut w), std::mem::take(&mut cf), std::mem::take(&mut cd))
            } else {
                Default::default()
            };
            out.models.push(model(&location, root_name, Some(card), texts.clone(), mw, mc, mcode));
        }
        if primary.is_none() && (!w.is_empty() || !cf.is_empty()) {
            out.models.push(model(dir, root_name, None, texts, w, cf, cd));
        }
    }

    for (dir, cs) in cards {
        for card in cs.into_iter().filter(|c| c.kind == CardKind::Dataset) {
            let location = if dir.is_empty() { ".".to_string() } else { dir.clone() };
            let id = card.meta.model_name.clone().unwrap_or_else(|| id_from_location(&location, root_name));
            out.datasets.push(DatasetEvidence {
                id,
                location,
                licence_texts: licences.get(&dir).cloned().unwrap_or_default(),
                card: *card,
                provenance: Provenance { sources: vec![Source::Repository], ..Default::default() },
            });
        }
    }

    for (_, (target, mut refs)) in references {
        refs.sort();
        refs.dedup();
        out.models.push(referenced(target, refs));
    }

    out.models.sort_by(|a, b| (&a.id, &a.location).cmp(&(&b.id, &b.location)));
    out.datasets.sort_by(|a, b| (&a.id, &a.location).cmp(&(&b.id, &b.location)));
    out.problems.sort_by(|a, b| a.file.cmp(&b.file).then(a.message.cmp(&b.message)));
    out.problems.dedup();
    out
}

fn model(
    location: &str,
    root_name: &str,
    card: Option<Box<Card>>,
    licence_texts: Vec<LicenceText>,
    weights: Vec<WeightFile>,
    configs: Vec<ModelConfig>,
    code: Vec<String>,
) -> ModelEvidence {
    let location = if location.is_empty() { ".".to_string() } else { location.to_string() };
    let id = card
        .as_ref()
        .and_then(|c| c.meta.model_name.clone())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id_from_location(&location, root_name));
    let provenance = Provenance { sources: vec![Source::Repository], ..Default::default() };
    ModelEvidence {
        id,
        source: Source::Repository,
        location,
        card,
        licence_texts,
        weights,
        configs,
        code,
        provenance,
        mot: None,
    }
}

/// The record of a model that only code names.
fn referenced(target: ModelTarget, references: Vec<CodeReference>) -> ModelEvidence {
    let location = references.first().map_or_else(String::new, |r| format!("{}:{}", r.file, r.line));
    let hosted = match &target {
        ModelTarget::Hosted { provider, model } => Some(Hosted { provider: provider.clone(), model: model.clone() }),
        _ => None,
    };
    ModelEvidence {
        id: target.id(),
        source: Source::CodeReference,
        location,
        card: None,
        licence_texts: Vec::new(),
        weights: Vec::new(),
        configs: Vec::new(),
        code: Vec::new(),
        provenance: Provenance { sources: vec![Source::CodeReference], hosted, references, ..Default::default() },
        mot: None,
    }
}

/// Adds the record of one entry of another source, from the entry and what parsing its files
/// gave. A model's card is the `README.md` at its top (else the shallowest card); a dataset
/// entry without a card is left out, having nothing to report.
pub fn add_entry(out: &mut Assembled, entry: Entry, parsed: Vec<Parsed>) {
    let mut cards: Vec<Box<Card>> = Vec::new();
    let mut licence_texts = Vec::new();
    let mut weights = Vec::new();
    let mut configs = Vec::new();
    let mut code = Vec::new();
    for p in entry.known.into_iter().chain(parsed) {
        match p {
            Parsed::Card(c) => cards.push(c),
            Parsed::Licence(l) => licence_texts.push(l),
            Parsed::Weights(w) => weights.push(w),
            Parsed::Config(c) => configs.push(c),
            Parsed::Code(c) => code.push(c),
            Parsed::Reference(_) | Parsed::Mot(_) => {}
            Parsed::Problem(p) => out.problems.push(p),
        }
    }
    cards.sort_by_key(|c| (c.file.matches('/').count(), !parse_name(&c.file).eq_ignore_ascii_case("readme.md")));
    let card = cards.into_iter().next();
    if entry.dataset {
        if let Some(card) = card {
            out.datasets.push(DatasetEvidence {
                id: entry.id,
                location: entry.location,
                card: *card,
                licence_texts,
                provenance: entry.provenance,
            });
        }
        return;
    }
    out.models.push(ModelEvidence {
        id: entry.id,
        source: entry.source,
        location: entry.location,
        card,
        licence_texts,
        weights,
        configs,
        code,
        provenance: entry.provenance,
        mot: None,
    });
}

/// Folds each record without files of its own into a record of the same model that has them
/// (or into an earlier bare record of it), so every model is reported once. When several records
/// share the id (two cache revisions, the cache and the Hub), the one at the revision an
/// inventory pins is chosen, else the one `refs/main` points at, else the Hub's, the cache's,
/// Ollama's, the repository's, in that order.
pub fn merge(out: &mut Assembled) {
    let models = std::mem::take(&mut out.models);
    let (mut kept, bare_ones): (Vec<ModelEvidence>, Vec<ModelEvidence>) =
        models.into_iter().partition(|m| !m.source.names_only());
    let mut bare_ones = bare_ones;
    // Code references first, so inventory lines can also land on a record only code names.
    bare_ones.sort_by_key(|m| m.source != Source::CodeReference);
    // The records of each id (case folded), kept up to date as bare records join: one look-up
    // per bare record, not a pass over every record.
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, m) in kept.iter().enumerate() {
        by_id.entry(m.id.to_ascii_lowercase()).or_default().push(i);
    }
    for b in bare_ones {
        let key = b.id.to_ascii_lowercase();
        let pinned = b.provenance.inventory.iter().find_map(|i| i.revision.clone());
        let same = by_id.entry(key).or_default();
        let target = same.iter().copied().min_by_key(|&i| (preference(&kept[i], pinned.as_deref()), i));
        match target {
            Some(i) => fold(&mut kept[i], b),
            None => {
                same.push(kept.len());
                kept.push(b);
            }
        }
    }
    kept.sort_by(|a, b| (&a.id, &a.location).cmp(&(&b.id, &b.location)));
    out.models = kept;
    out.datasets.sort_by(|a, b| (&a.id, &a.location).cmp(&(&b.id, &b.location)));
    out.problems.sort_by(|a, b| a.file.cmp(&b.file).then(a.message.cmp(&b.message)));
    out.problems.dedup();
}

fn preference(m: &ModelEvidence, pinned: Option<&str>) -> (u8, u8) {
    let p = &m.provenance;
    let revision = match pinned {
        Some(rev) if p.revision.as_deref().is_some_and(|r| r.starts_with(rev)) || p.refs.iter().any(|r| r == rev) => 0,
        _ if p.refs.iter().any(|r| r == "main") => 1,
        _ => 2,
    };
    (revision, m.source.preference())
}

fn fold(into: &mut ModelEvidence, from: ModelEvidence) {
    let p = &mut into.provenance;
    for s in from.provenance.sources {
        if !p.sources.contains(&s) {
            p.sources.push(s);
        }
    }
    p.references.extend(from.provenance.references);
    p.references.sort();
    p.references.dedup();
    p.inventory.extend(from.provenance.inventory);
    if p.hosted.is_none() {
        p.hosted = from.provenance.hosted;
    }
}

/// `owner/name` for a Hugging Face cache snapshot path, else the location (the root's own
/// name for the root).
pub fn id_from_location(location: &str, root_name: &str) -> String {
    let parts: Vec<&str> = location.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let repo = part.strip_prefix("models--").or_else(|| part.strip_prefix("datasets--"));
        if let Some(repo) = repo
            && (parts.get(i + 1) == Some(&"snapshots") || i + 1 == parts.len())
        {
            return repo.replacen("--", "/", 1);
        }
    }
    match location {
        "." | "" => root_name.to_string(),
        _ => location.trim_end_matches(".md").to_string(),
    }
}

/// The card that weights in its directory belong to: `README.md`, else the only card.
fn primary_card(cards: &[Box<Card>]) -> Option<usize> {
    cards
        .iter()
        .position(|c| parse_name(&c.file).eq_ignore_ascii_case("readme.md"))
        .or_else(|| (cards.len() == 1).then_some(0))
}

fn parse_name(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// The directory part of a relative path ("" for the root).
fn dir_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The deepest directory in `dirs` that is `dir` or one of its ancestors.
fn nearest(dirs: &BTreeSet<String>, dir: &str) -> Option<String> {
    let mut d = dir;
    loop {
        if dirs.contains(d) {
            return Some(d.to_string());
        }
        if d.is_empty() {
            return None;
        }
        d = dir_of(d);
    }
}

/// A model read from a Model Openness Tool file: its id is `release.name`, its location the
/// file.
fn mot_model(file: Box<MotFile>) -> ModelEvidence {
    ModelEvidence {
        id: file.release.name.value.clone(),
        source: Source::Mof,
        location: file.file.clone(),
        card: None,
        licence_texts: Vec::new(),
        weights: Vec::new(),
        configs: Vec::new(),
        code: Vec::new(),
        provenance: Provenance { sources: vec![Source::Mof], ..Default::default() },
        mot: Some(file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        model::{CardMeta, LicenceText, Located},
        vocab::WeightFormat,
    };

    fn card(file: &str, license: &str) -> Parsed {
        let mut meta = CardMeta::default();
        meta.license.push(Located { value: license.into(), line: 2 });
        Parsed::Card(Box::new(Card {
            file: file.into(),
            kind: CardKind::Model,
            meta,
            parse_error: None,
            recognised: true,
            licence_section: None,
            body: crate::model::Body::Held(Box::default()),
        }))
    }

    fn weights(file: &str) -> Parsed {
        Parsed::Weights(WeightFile::new(file, WeightFormat::Safetensors, 1))
    }

    fn record(id: &str, source: Source, location: &str) -> ModelEvidence {
        ModelEvidence {
            id: id.into(),
            source,
            location: location.into(),
            card: None,
            licence_texts: vec![],
            weights: vec![],
            configs: vec![],
            code: vec![],
            provenance: Provenance { sources: vec![source], ..Default::default() },
            mot: None,
        }
    }

    #[test]
    fn records_that_only_name_a_model_join_the_preferred_record_of_its_id() {
        let mut out = Assembled {
            models: vec![
                record("Org/Model", Source::Repository, "models/a"),
                record("org/model", Source::HfCache, "cache/org--model"),
                record("ORG/model", Source::CodeReference, ""),
                record("other/only-code", Source::Inventory, ""),
                record("other/ONLY-code", Source::CodeReference, ""),
                record("lone/inventory", Source::Inventory, ""),
            ],
            ..Default::default()
        };
        merge(&mut out);
        let got: Vec<(&str, &str, Vec<Source>)> =
            out.models.iter().map(|m| (m.id.as_str(), m.location.as_str(), m.provenance.sources.clone())).collect();
        assert_eq!(
            got,
            [
                ("Org/Model", "models/a", vec![Source::Repository]),
                ("lone/inventory", "", vec![Source::Inventory]),
                ("org/model", "cache/org--model", vec![Source::HfCache, Source::CodeReference]),
                // The inventory line lands on the record only code names (code references fold first).
                ("other/ONLY-code", "", vec![Source::CodeReference, Source::Inventory]),
            ]
        );
    }

    #[test]
    fn weights_join_the_nearest_card_above_them() {
        let parsed = vec![
            card("m/README.md", "mit"),
            weights("m/unet/w.safetensors"),
            weights("other/w.safetensors"),
            Parsed::Licence(LicenceText { file: "m/LICENSE".into(), text: "x".into() }),
            Parsed::Licence(LicenceText { file: "LICENSE".into(), text: "x".into() }),
        ];
        let a = assemble(parsed, vec![], "repo");
        assert_eq!(a.models.len(), 2);
        let m = a.models.iter().find(|m| m.location == "m").unwrap();
        assert_eq!(m.weights.len(), 1);
        assert_eq!(m.licence_texts.len(), 1, "the root LICENSE is not next to the card");
        let o = a.models.iter().find(|m| m.location == "other").unwrap();
        assert!(o.card.is_none());
        assert_eq!(o.id, "other");
    }

    #[test]
    fn several_cards_in_one_directory_are_several_models() {
        let parsed = vec![card("cards/a.md", "mit"), card("cards/b.md", "gemma")];
        let a = assemble(parsed, vec![], "repo");
        let locs: Vec<&str> = a.models.iter().map(|m| m.location.as_str()).collect();
        assert_eq!(locs, ["cards/a.md", "cards/b.md"]);
        assert_eq!(a.models[0].id, "cards/a");
    }

    #[test]
    fn hub_cache_paths_give_hub_ids() {
        assert_eq!(
            id_from_location("hub/models--meta-llama--Llama-3.1-8B/snapshots/abc", "r"),
            "meta-llama/Llama-3.1-8B"
        );
        assert_eq!(id_from_location(".", "my-repo"), "my-repo");
        assert_eq!(id_from_location("models/x", "r"), "models/x");
    }
}
