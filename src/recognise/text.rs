//! Licence-text identification.
//!
//! Two matchers, cheapest first:
//! 1. the catalogue's identifying phrases (titles, version lines, distinctive clauses), all
//!    searched in one Aho–Corasick pass over the folded text: this is what recognises AI
//!    licences, which are on no SPDX list and whose texts we do not ship;
//! 2. the `spdx` crate's full-text detector (askalono's engine, SPDX list 3.x), for the long
//!    tail of SPDX licences the phrases do not claim.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::normalise::{Normalised, phrase};
use crate::catalogue::{Catalogue, Document, Licence};

/// How a text was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Catalogue phrases.
    Phrases,
    /// The SPDX full-text detector.
    Spdx,
}

/// One licence found in a text.
#[derive(Clone, Debug)]
pub struct TextMatch {
    /// The catalogue entry (a policy document resolves to itself; see `Licence::document`).
    pub licence: &'static Licence,
    /// 0.0 – 1.0.
    pub confidence: f32,
    /// First matched line (1-based).
    pub start_line: u32,
    /// Last matched line (1-based).
    pub end_line: u32,
    /// How it was recognised.
    pub method: Method,
    /// How many identifying phrases matched (0 for the SPDX detector); breaks ties.
    pub evidence: u32,
    /// The first line naming the licence (a title or version line), if any.
    pub anchor: Option<u32>,
}

/// The lowest confidence reported as a match.
pub const THRESHOLD: f32 = 0.6;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Title,
    Confirm,
    Phrase,
    Exclude,
}

struct PhraseIndex {
    automaton: AhoCorasick,
    /// Per pattern: (licence index, role, phrase index within its role).
    owners: Vec<(usize, Role, usize)>,
}

fn index() -> &'static PhraseIndex {
    static INDEX: OnceLock<PhraseIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let cat = Catalogue::get();
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for (li, lic) in cat.licences().iter().enumerate() {
            let id = &lic.identify;
            for (role, list) in [
                (Role::Title, &id.titles),
                (Role::Confirm, &id.confirm),
                (Role::Phrase, &id.phrases),
                (Role::Exclude, &id.exclude),
            ] {
                for (pi, p) in list.iter().enumerate() {
                    let folded = phrase(p);
                    if !folded.is_empty() {
                        patterns.push(folded);
                        owners.push((li, role, pi));
                    }
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("catalogue phrases build an automaton");
        PhraseIndex { automaton, owners }
    })
}

/// Per licence: which phrases were found, and on which lines.
#[derive(Default, Clone)]
struct Hits {
    titles: Vec<bool>,
    confirm: Vec<bool>,
    phrases: Vec<bool>,
    excluded: bool,
    first_line: u32,
    last_line: u32,
    /// First line of a title or version-line hit.
    anchor: Option<u32>,
    any: bool,
}

/// Identifies the licences in a text, best first. Overlapping candidates of one family keep
/// only the best; a licence and its own use policy keep only the licence.
pub fn identify(text: &str) -> Vec<TextMatch> {
    identify_normalised(text, &Normalised::new(text))
}

/// [`identify`] for a text already folded.
pub fn identify_normalised(text: &str, norm: &Normalised) -> Vec<TextMatch> {
    with_phrase_matches(text, norm, phrase_matches(norm))
}

/// [`identify`] for callers that use phrase matches only (a card's licence section, a licence
/// name): the SPDX detector runs only when a phrase was found, since only then can its matches
/// change which phrase matches are kept (a licence found drops its own use policy). Without a
/// phrase match the answer is empty, where [`identify`] would give detector matches alone.
/// (Most licence sections of cards are a sentence the detector cannot place; running it on them
/// was a tenth of the CPU of a 50,000-card scan.)
pub fn identify_phrased(text: &str) -> Vec<TextMatch> {
    let norm = Normalised::new(text);
    let matches = phrase_matches(&norm);
    if matches.is_empty() {
        return Vec::new();
    }
    with_phrase_matches(text, &norm, matches)
}

/// The SPDX detector's matches join the phrase matches when these found no licence (none, or
/// use policies alone), then the best are selected.
fn with_phrase_matches(text: &str, norm: &Normalised, mut matches: Vec<TextMatch>) -> Vec<TextMatch> {
    if detector_needed(&matches) {
        matches.extend(spdx_matches(text));
    }
    select(matches, norm.lines())
}

/// Whether [`identify`] asks the SPDX detector, given the phrase matches: when they found no
/// licence (none, or use policies alone).
fn detector_needed(matches: &[TextMatch]) -> bool {
    matches.iter().all(|m| m.licence.document == Document::Policy)
}

/// Starts loading the SPDX detector on another thread when [`identify`] will need it for
/// `text`, so that the load runs beside the rest of the reading instead of holding up the first
/// text that needs it. A text the catalogue's phrases identify never loads it.
pub fn prepare_for(text: &str) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    if !STARTED.is_completed() && detector_needed(&phrase_matches(&Normalised::new(text))) {
        STARTED.call_once(|| {
            std::thread::spawn(|| {
                let _ = store();
            });
        });
    }
}

fn phrase_matches(norm: &Normalised) -> Vec<TextMatch> {
    let idx = index();
    let cat = Catalogue::get();
    let mut hits: Vec<Option<Hits>> = vec![None; cat.licences().len()];
    for m in idx.automaton.find_overlapping_iter(&norm.text) {
        // Phrases must start and end on word boundaries: "mit" is not in "submit".
        if !on_word_boundaries(&norm.text, m.start(), m.end()) {
            continue;
        }
        let (li, role, pi) = idx.owners[m.pattern().as_usize()];
        let lic = &cat.licences()[li];
        let h = hits[li].get_or_insert_with(|| Hits {
            titles: vec![false; lic.identify.titles.len()],
            confirm: vec![false; lic.identify.confirm.len()],
            phrases: vec![false; lic.identify.phrases.len()],
            first_line: u32::MAX,
            ..Hits::default()
        });
        let line = norm.line_of(m.start());
        if matches!(role, Role::Title | Role::Confirm) {
            h.anchor = Some(h.anchor.map_or(line, |a| a.min(line)));
        }
        match role {
            Role::Title => h.titles[pi] = true,
            Role::Confirm => h.confirm[pi] = true,
            Role::Phrase => h.phrases[pi] = true,
            Role::Exclude => {
                h.excluded = true;
                continue;
            }
        }
        h.any = true;
        h.first_line = h.first_line.min(line);
        h.last_line = h.last_line.max(line);
    }
    let mut out = Vec::new();
    for (li, h) in hits.into_iter().enumerate() {
        let Some(h) = h else { continue };
        if h.excluded || !h.any {
            continue;
        }
        let lic = &cat.licences()[li];
        let confidence = score(&h);
        if confidence >= THRESHOLD {
            let count = |v: &[bool]| v.iter().filter(|x| **x).count() as u32;
            out.push(TextMatch {
                licence: lic,
                confidence,
                start_line: h.first_line,
                end_line: h.last_line,
                method: Method::Phrases,
                evidence: count(&h.titles) + count(&h.confirm) + count(&h.phrases),
                anchor: h.anchor,
            });
        }
    }
    out
}

fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric();
    let before_ok = start == 0 || !word(b[start - 1]) || !word(b[start]);
    let after_ok = end >= b.len() || !word(b[end]) || !word(b[end - 1]);
    before_ok && after_ok
}

/// Title + version line: near certain. Title alone: likely (a sibling version may share it,
/// hence `confirm`). Body phrases alone: as strong as the share of them found.
fn score(h: &Hits) -> f32 {
    let frac = |v: &[bool]| if v.is_empty() { 0.0 } else { v.iter().filter(|x| **x).count() as f32 / v.len() as f32 };
    let title = h.titles.iter().any(|x| *x);
    let confirmed = h.confirm.is_empty() || h.confirm.iter().any(|x| *x);
    let phrases = frac(&h.phrases);
    if title && confirmed {
        if h.phrases.is_empty() { 1.0 } else { 0.9 + 0.1 * phrases }
    } else if title {
        0.65 + 0.2 * phrases
    } else if !h.confirm.is_empty() && h.confirm.iter().any(|x| *x) && phrases >= 0.5 {
        0.7 + 0.2 * phrases
    } else if phrases >= 0.5 && h.phrases.iter().filter(|x| **x).count() >= 2 {
        // Body phrases alone need at least two hits: one common phrase ("prohibited uses")
        // appears in too many unrelated texts.
        0.4 + 0.5 * phrases
    } else {
        0.0
    }
}

/// The SPDX detector, loaded on first use (≈150 ms with 60 MB resident, and about 70 MB more
/// for a moment while the embedded cache is decompressed) with the Apache-2.0 variant that ends
/// at "END OF TERMS AND CONDITIONS" (the common copy without the appendix, which the stock store
/// reads as Pixar). Only a text no catalogue phrase identifies needs it ([`prepare_for`]): on
/// the benchmark's small monorepo no licence file did, and loading it anyway was 58 % of the
/// scan's instructions.
fn store() -> Option<&'static spdx::detection::Store> {
    static STORE: OnceLock<Option<spdx::detection::Store>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let mut store = spdx::detection::Store::load_inline().ok()?;
            if let Some(apache) = store.get_original("Apache-2.0") {
                let lines = apache.lines();
                if let Some(end) = lines.iter().position(|l| l.contains("end of terms and conditions")) {
                    let text = lines[..=end].join("\n");
                    let _ = store.add_variant(
                        "Apache-2.0",
                        spdx::detection::LicenseType::Alternate,
                        spdx::detection::TextData::new(&text),
                    );
                }
            }
            Some(store)
        })
        .as_ref()
}

fn spdx_matches(text: &str) -> Vec<TextMatch> {
    let Some(store) = store() else { return Vec::new() };
    let data = spdx::detection::TextData::new(text);
    let scanner = spdx::detection::scan::Scanner::new(store).confidence_threshold(0.8).optimize(true);
    let result = scanner.scan(&data);
    let mut out = Vec::new();
    let lines = text.lines().count().max(1) as u32;
    if let Some(lic) = result.license
        && let Some(entry) = resolve_spdx(lic.name)
    {
        out.push(TextMatch {
            licence: entry,
            confidence: result.score,
            start_line: 1,
            end_line: lines,
            method: Method::Spdx,
            evidence: 0,
            anchor: None,
        });
    }
    for c in result.containing {
        if let Some(entry) = resolve_spdx(c.license.name) {
            out.push(TextMatch {
                licence: entry,
                confidence: c.score,
                start_line: c.line_range.0 as u32 + 1,
                end_line: (c.line_range.1 as u32).max(c.line_range.0 as u32 + 1),
                method: Method::Spdx,
                evidence: 0,
                anchor: None,
            });
        }
    }
    out
}

/// A catalogue entry for an SPDX id from the detector. GPL-family results come back as an
/// arbitrary `-only`/`-or-later` variant (the texts are the same), so they are folded to the
/// family version first.
pub fn resolve_spdx(name: &str) -> Option<&'static Licence> {
    let cat = Catalogue::get();
    let base = name.trim_end_matches('+');
    let folded = base.strip_suffix("-only").or_else(|| base.strip_suffix("-or-later")).unwrap_or(base);
    cat.lookup(folded).or_else(|| cat.lookup(name)).or_else(|| cat.spdx_fallback(name))
}

/// Keeps the best candidate per overlapping region: a lower-scored candidate survives only if
/// it covers lines no better candidate covers (two licences in one file), and a use policy is
/// dropped when its licence was found.
fn select(mut candidates: Vec<TextMatch>, lines: u32) -> Vec<TextMatch> {
    candidates.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then((b.method == Method::Phrases).cmp(&(a.method == Method::Phrases)))
            // On a tie: the licence the file names first ("X is licensed under Y" followed by
            // bundled third-party texts), then the one with more identifying phrases found.
            .then(a.start_line.cmp(&b.start_line))
            .then(b.evidence.cmp(&a.evidence))
            .then(a.licence.id.cmp(&b.licence.id))
    });
    let mut kept: Vec<TextMatch> = Vec::new();
    for c in candidates {
        if kept.iter().any(|k| k.licence.id == c.licence.id) {
            continue;
        }
        if c.licence.document == Document::Policy && kept.iter().any(|k| c.licence.policy_for.contains(&k.licence.id)) {
            continue;
        }
        // Spans of shared wording overlap when two texts follow each other; two licences that
        // each state their own name and version on different lines are two licences.
        let named_apart = |k: &TextMatch| {
            c.confidence >= 0.9 && matches!((c.anchor, k.anchor), (Some(a), Some(b)) if a.abs_diff(b) >= 3)
        };
        let overlaps = kept.iter().any(|k| c.start_line <= k.end_line && k.start_line <= c.end_line && !named_apart(k));
        let sibling = kept.iter().any(|k| same_family(k.licence, c.licence));
        if kept.is_empty() || (!overlaps && !sibling) {
            kept.push(c);
        }
    }
    // A lone licence covers its whole file.
    if kept.len() == 1 && kept[0].method == Method::Phrases {
        kept[0].start_line = kept[0].start_line.min(1);
        kept[0].end_line = kept[0].end_line.max(lines);
    }
    kept
}

fn same_family(a: &Licence, b: &Licence) -> bool {
    a.family.is_some() && a.family == b.family
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries() {
        assert!(on_word_boundaries("the mit license", 4, 7));
        assert!(!on_word_boundaries("submit license", 3, 6));
        assert!(on_word_boundaries("(mit)", 1, 4));
    }

    #[test]
    fn an_mit_text_is_mit() {
        let text = "MIT License\n\nCopyright (c) 2024 Someone\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software... The above copyright notice and this permission notice shall be included in all copies.\n";
        let m = identify(text);
        assert_eq!(m[0].licence.id, "mit");
        assert_eq!(m[0].start_line, 1);
    }

    #[test]
    fn nonsense_is_nothing() {
        assert!(identify("hello world, this is not a licence at all").is_empty());
        assert!(identify("").is_empty());
    }

    /// Every licence text of the corpus (`../shared/corpus/licences`, all levels).
    fn corpus_licence_texts() -> Vec<String> {
        let mut texts = Vec::new();
        let mut dirs =
            vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/licences"))];
        while let Some(dir) = dirs.pop() {
            for path in std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()) {
                if path.is_dir() {
                    dirs.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(text);
                }
            }
        }
        texts
    }

    /// `identify_phrased` skips the SPDX detector when no phrase matched: over the corpus's
    /// licence texts and the licence sections of its model cards, the phrase matches it gives are
    /// the ones `identify` gives, and some texts do take the shortcut.
    #[test]
    fn phrased_identification_keeps_every_phrase_match() {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
        let mut texts: Vec<String> = vec!["Released under the Apache 2.0 licence.".into(), "See LICENSE.".into()];
        texts.extend(corpus_licence_texts());
        for entry in std::fs::read_dir(std::path::Path::new(corpus).join("modelcards")).unwrap().flatten() {
            let Ok(card) = std::fs::read_to_string(entry.path()) else { continue };
            let sections = crate::parse::sections::index(&card, 1);
            if let Some(section) = crate::parse::sections::licence_section(&card, 1, &sections) {
                texts.push(section.value);
            }
        }
        assert!(texts.len() > 100, "the corpus is missing: {} texts", texts.len());
        let phrased = |ms: Vec<TextMatch>| -> Vec<(String, u32, u32, Option<u32>)> {
            ms.into_iter()
                .filter(|m| m.method == Method::Phrases)
                .map(|m| (m.licence.id.clone(), m.start_line, m.end_line, m.anchor))
                .collect()
        };
        let mut shortcuts = 0;
        for text in &texts {
            let ours = identify_phrased(text);
            shortcuts += usize::from(ours.is_empty() && phrase_matches(&Normalised::new(text)).is_empty());
            assert_eq!(phrased(ours), phrased(identify(text)), "{}", text.chars().take(200).collect::<String>());
        }
        assert!(shortcuts > 10, "only {shortcuts} texts skipped the detector");
    }

    /// A licence file the catalogue's phrases identify does not load the SPDX detector: over the
    /// corpus's licence texts, those `prepare_for` passes over get no detector match from
    /// `identify`, and they are most of them.
    #[test]
    fn texts_the_phrases_identify_do_not_need_the_detector() {
        let texts = corpus_licence_texts();
        assert!(texts.len() > 100, "the corpus is missing: {} texts", texts.len());
        let needed = |text: &str| detector_needed(&phrase_matches(&Normalised::new(text)));
        let spared: Vec<&String> = texts.iter().filter(|t| !needed(t)).collect();
        for text in &spared {
            assert!(identify(text).iter().all(|m| m.method == Method::Phrases));
        }
        assert!(spared.len() * 2 > texts.len(), "{} of {} texts need no detector", spared.len(), texts.len());
        assert!(needed("Permission is hereby granted to frobnicate this widget in any manner."));
        assert!(needed(""));
    }
}
