//! The condition language of declarative rules: a TOML table of tests over one model record.
//!
//! Every key of a table is a test and all of them must hold (`all`, `any` and `not` combine
//! tables). A test that holds returns a [`Witness`]: where to point (file, line) and what it
//! saw, for the finding's message. The language is data (`serde`, unknown keys refused), so a
//! pack file is checked when it is loaded, never half-way through a scan.

use std::{cell::OnceCell, fmt};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use super::card_text::{self, Compute};
use crate::{
    catalogue::Catalogue,
    model::{Assessed, Evidence, Restriction},
    vocab::{
        Category, CodeOpenness, DataOpenness, RestrictionKind, SectionKind, Source, WeightFormat, WeightsOpenness,
    },
};

/// A condition over a model record. All present keys must hold.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Condition {
    /// Every sub-condition holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all: Vec<Condition>,
    /// At least one sub-condition holds (the first that does is the witness).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<Condition>,
    /// The sub-condition does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
    /// The model id matches one of these globs (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_id: Vec<String>,
    /// A licence part's id matches one of these globs (`cc-by-nc-*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licence_id: Vec<String>,
    /// The licence category (the one a user must respect) is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licence_category: Vec<Category>,
    /// Whether the licence is open: OSI-approved, FSF free/libre, or an open category
    /// (permissive, copyleft, public domain); every part for AND, one part for OR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_open: Option<bool>,
    /// A restriction with these properties applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<RestrictionTest>,
    /// The openness axes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openness: Option<OpennessTest>,
    /// Whether the model has a card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<bool>,
    /// The card has no filled-in section of at least one of these kinds (no card: all missing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub section_missing: Vec<SectionKind>,
    /// The card has a filled-in section of at least one of these kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub section_present: Vec<SectionKind>,
    /// The card's prose matches a pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_text: Option<TextTest>,
    /// At least one of these front-matter keys (dotted paths) is present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metadata_present: Vec<String>,
    /// At least one of these front-matter keys (dotted paths) is missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metadata_missing: Vec<String>,
    /// A weight file has one of these formats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weight_format: Vec<WeightFormat>,
    /// Whether the model has weight files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<bool>,
    /// Whether every weight file is pinned by a content digest or a revision (`false` holds when
    /// at least one weight file is not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_pinned: Option<bool>,
    /// The model record came from one of these sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<Source>,
    /// Whether the model names a base model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<bool>,
    /// A base model's licence category is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_category: Vec<Category>,
    /// A base model's licence id matches one of these globs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_licence: Vec<String>,
    /// Whether access to the model is gated on the Hub (`gated:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gated: Option<bool>,
    /// The card states a training compute above this many FLOP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_compute_above: Option<f64>,
    /// Whether the card states its training compute in FLOP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_compute_stated: Option<bool>,

    #[serde(skip)]
    compiled: Compiled,
}

/// Tests on one restriction; all present keys must hold for the same restriction.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RestrictionTest {
    /// Kind is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kind: Vec<RestrictionKind>,
    /// Territorial: excludes at least one of these regions (ISO codes or `EU`, any case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// User threshold below this many monthly active users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_below: Option<u64>,
    /// Revenue threshold below this many US dollars a year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_below: Option<u64>,
    /// Whether it is inherited from a base model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited: Option<bool>,
}

/// Tests on the openness axes; all present keys must hold.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OpennessTest {
    /// Weights axis is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<WeightsOpenness>,
    /// Data axis is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<DataOpenness>,
    /// Code axis is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<CodeOpenness>,
    /// MOF class is one of these (`I`, `II`, `III`, or `none` for unclassified).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mof_class: Vec<String>,
}

/// A search of the card's prose.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TextTest {
    /// Regular expressions, matched case-insensitively line by line.
    pub patterns: Vec<String>,
    /// Only the text under headings of these kinds (default: the whole body).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionKind>,
    /// What a match means, for the message (`Art. 5(1)(c) social scoring`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Globs and regexes, built once when the pack is loaded.
#[derive(Clone, Debug, Default)]
struct Compiled {
    model_id: Option<GlobSet>,
    licence_id: Option<GlobSet>,
    base_licence: Option<GlobSet>,
    text: Vec<Regex>,
}

/// Where a condition held and what it saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Witness {
    /// File to point at.
    pub file: Option<String>,
    /// Line in it.
    pub line: Option<u32>,
    /// What was seen, in a few words (`non-commercial (cc-by-nc-4.0)`).
    pub detail: String,
}

impl Witness {
    fn at(e: Option<&Evidence>, detail: String) -> Witness {
        Witness { file: e.map(|e| e.file.clone()), line: e.and_then(|e| e.line), detail }
    }

    /// Joins the witnesses of tests that all held: the first location, every detail.
    fn join(parts: Vec<Witness>) -> Witness {
        let located = parts.iter().find(|w| w.file.is_some());
        let (file, line) = located.map_or((None, None), |w| (w.file.clone(), w.line));
        let details: Vec<&str> = parts.iter().map(|w| w.detail.as_str()).filter(|d| !d.is_empty()).collect();
        Witness { file, line, detail: details.join("; ") }
    }
}

/// A glob set that matches case-insensitively, `*` crossing `/` (model ids have one).
pub fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(glob(p)?);
    }
    b.build().map_err(|e| e.to_string())
}

/// One case-insensitive glob.
pub fn glob(pattern: &str) -> Result<Glob, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .build()
        .map_err(|e| format!("bad glob `{pattern}`: {}", e.kind()))
}

impl Condition {
    /// Whether evaluating this condition reads the card's body text (so the scan must keep it).
    pub fn reads_card_text(&self) -> bool {
        self.card_text.is_some()
            || self.training_compute_above.is_some()
            || self.training_compute_stated.is_some()
            || self.all.iter().chain(&self.any).any(Condition::reads_card_text)
            || self.not.as_ref().is_some_and(|c| c.reads_card_text())
    }

    /// Checks the condition and builds its globs and regexes. Called once when a pack loads.
    pub fn compile(&mut self) -> Result<(), String> {
        if self.is_empty() {
            return Err("an empty condition; give at least one test (see `modelgate rules show`)".into());
        }
        let set = |v: &[String]| if v.is_empty() { Ok(None) } else { glob_set(v).map(Some) };
        self.compiled.model_id = set(&self.model_id)?;
        self.compiled.licence_id = set(&self.licence_id)?;
        self.compiled.base_licence = set(&self.base_licence)?;
        if let Some(t) = &self.card_text {
            if t.patterns.is_empty() {
                return Err("`card-text` needs at least one pattern".into());
            }
            self.compiled.text = t
                .patterns
                .iter()
                .map(|p| {
                    RegexBuilder::new(p)
                        .case_insensitive(true)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| format!("bad pattern `{p}`: {e}"))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(o) = &self.openness
            && let Some(bad) = o.mof_class.iter().find(|c| !matches!(c.as_str(), "I" | "II" | "III" | "none"))
        {
            return Err(format!("unknown mof-class `{bad}` (expected I, II, III or none)"));
        }
        for c in self.all.iter_mut().chain(self.any.iter_mut()) {
            c.compile()?;
        }
        if let Some(c) = &mut self.not {
            c.compile()?;
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        serde_json::to_value(self).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
    }

    /// Whether the condition holds for a model, and where.
    pub fn eval(&self, m: &Assessed) -> Option<Witness> {
        self.eval_in(&Subject { m, compute: OnceCell::new() })
    }

    fn eval_in(&self, s: &Subject<'_>) -> Option<Witness> {
        let mut parts: Vec<Witness> = Vec::new();
        macro_rules! test {
            ($present:expr, $eval:expr) => {
                if $present {
                    parts.push($eval?);
                }
            };
        }
        let c = &self.compiled;
        test!(!self.all.is_empty(), Some(Witness::join(self.all.iter().map(|x| x.eval_in(s)).collect::<Option<_>>()?)));
        test!(!self.any.is_empty(), self.any.iter().find_map(|x| x.eval_in(s)));
        test!(self.not.is_some(), self.not.as_ref().is_some_and(|x| x.eval_in(s).is_none()).then(Witness::default));
        test!(c.model_id.is_some(), model_id(s, c.model_id.as_ref()?));
        test!(c.licence_id.is_some(), licence_id(s, c.licence_id.as_ref()?));
        test!(!self.licence_category.is_empty(), licence_category(s, &self.licence_category));
        test!(self.licence_open.is_some(), (licence_open(s) == self.licence_open?).then(|| licence_witness(s)));
        test!(self.restriction.is_some(), restriction(s, self.restriction.as_ref()?));
        test!(self.openness.is_some(), openness(s, self.openness.as_ref()?));
        test!(self.card.is_some(), (s.m.identified.evidence.card.is_some() == self.card?).then(Witness::default));
        test!(!self.section_missing.is_empty(), section_missing(s, &self.section_missing));
        test!(!self.section_present.is_empty(), section_present(s, &self.section_present));
        test!(self.card_text.is_some(), card_text(s, self.card_text.as_ref()?, &c.text));
        test!(!self.metadata_present.is_empty(), metadata(s, &self.metadata_present, true));
        test!(!self.metadata_missing.is_empty(), metadata(s, &self.metadata_missing, false));
        test!(!self.weight_format.is_empty(), weight_format(s, &self.weight_format));
        test!(
            self.weights.is_some(),
            (s.m.identified.evidence.weights.is_empty() != self.weights?).then(Witness::default)
        );
        test!(self.weights_pinned.is_some(), weights_pinned(s, self.weights_pinned?));
        test!(
            !self.source.is_empty(),
            self.source.contains(&s.m.identified.evidence.source).then(|| Witness {
                detail: format!("source {}", s.m.identified.evidence.source),
                ..Witness::default()
            })
        );
        test!(self.base.is_some(), (s.m.identified.bases.is_empty() != self.base?).then(Witness::default));
        test!(!self.base_category.is_empty(), base(s, |b| b.category.is_some_and(|c| self.base_category.contains(&c))));
        test!(
            c.base_licence.is_some(),
            base(s, |b| b.licence.as_deref().is_some_and(|l| c.base_licence.as_ref().is_some_and(|g| g.is_match(l))))
        );
        test!(self.gated.is_some(), (gated(s) == self.gated?).then(Witness::default));
        test!(self.training_compute_above.is_some(), compute_above(s, self.training_compute_above?));
        test!(
            self.training_compute_stated.is_some(),
            (s.compute().is_some() == self.training_compute_stated?).then(|| compute_witness(s).unwrap_or_default())
        );
        Some(Witness::join(parts))
    }
}

/// The model under test, with what is costly to work out computed at most once.
struct Subject<'a> {
    m: &'a Assessed,
    compute: OnceCell<Option<Compute>>,
}

impl Subject<'_> {
    fn compute(&self) -> Option<&Compute> {
        self.compute
            .get_or_init(|| self.m.identified.evidence.card.as_deref().and_then(card_text::training_compute))
            .as_ref()
    }

    fn card_file(&self) -> Option<String> {
        self.m.identified.evidence.card.as_ref().map(|c| c.file.clone())
    }
}

fn model_id(s: &Subject<'_>, g: &GlobSet) -> Option<Witness> {
    let id = &s.m.identified.evidence.id;
    g.is_match(id).then(|| Witness { detail: format!("model {id}"), ..Witness::default() })
}

fn licence_witness(s: &Subject<'_>) -> Witness {
    let l = &s.m.identified.licensing;
    Witness::at(l.evidence.first(), format!("{} ({})", l.id, l.category))
}

fn licence_id(s: &Subject<'_>, g: &GlobSet) -> Option<Witness> {
    let p = s.m.identified.licensing.parts.iter().find(|p| g.is_match(&p.id))?;
    Some(Witness::at(p.evidence.first(), format!("{} ({})", p.id, p.category)))
}

fn licence_category(s: &Subject<'_>, set: &[Category]) -> Option<Witness> {
    set.contains(&s.m.identified.licensing.category).then(|| licence_witness(s))
}

/// Whether a licence part is open in the OSI / FSF / open-category sense.
pub fn part_is_open(id: &str, spdx: &str, category: Category) -> bool {
    let cat = Catalogue::get();
    let entry = cat.by_id(id).or_else(|| cat.spdx_fallback(spdx));
    category.is_open() || entry.is_some_and(|l| l.osi_approved || l.fsf_libre)
}

fn licence_open(s: &Subject<'_>) -> bool {
    let l = &s.m.identified.licensing;
    let mut open = l.parts.iter().map(|p| part_is_open(&p.id, &p.spdx, p.category));
    match l.combination {
        _ if l.parts.is_empty() => false,
        crate::model::Combination::All => open.all(|o| o),
        crate::model::Combination::Any => open.any(|o| o),
    }
}

fn restriction(s: &Subject<'_>, t: &RestrictionTest) -> Option<Witness> {
    let hit = s.m.identified.restrictions.iter().find(|r| restriction_matches(r, t))?;
    let mut detail = hit.label();
    if let Some(l) = &hit.licence {
        detail.push_str(&format!(" ({l})"));
    }
    if let Some(base) = &hit.inherited_from {
        detail.push_str(&format!(", inherited from {base}"));
    }
    Some(Witness::at(hit.evidence.first(), detail))
}

fn restriction_matches(r: &Restriction, t: &RestrictionTest) -> bool {
    (t.kind.is_empty() || t.kind.contains(&r.kind))
        && (t.regions.is_empty() || r.regions.iter().any(|x| t.regions.iter().any(|y| x.eq_ignore_ascii_case(y))))
        && t.users_below.is_none_or(|n| r.users.is_some_and(|u| u < n))
        && t.revenue_below.is_none_or(|n| r.revenue_usd.is_some_and(|u| u < n))
        && t.inherited.is_none_or(|i| r.inherited_from.is_some() == i)
}

fn openness(s: &Subject<'_>, t: &OpennessTest) -> Option<Witness> {
    let o = &s.m.openness;
    let mof = o.mof_class.map_or("none", |c| c.as_str());
    let ok = (t.weights.is_empty() || t.weights.contains(&o.weights))
        && (t.data.is_empty() || t.data.contains(&o.data))
        && (t.code.is_empty() || t.code.contains(&o.code))
        && (t.mof_class.is_empty() || t.mof_class.iter().any(|c| c == mof));
    if !ok {
        return None;
    }
    let mut said = Vec::new();
    if !t.weights.is_empty() {
        said.push(format!("weights {}", o.weights));
    }
    if !t.data.is_empty() {
        said.push(format!("data {}", o.data));
    }
    if !t.code.is_empty() {
        said.push(format!("code {}", o.code));
    }
    if !t.mof_class.is_empty() {
        said.push(format!("MOF class {mof}"));
    }
    Some(Witness { file: s.card_file(), line: None, detail: said.join(", ") })
}

fn section_missing(s: &Subject<'_>, kinds: &[SectionKind]) -> Option<Witness> {
    let card = s.m.identified.evidence.card.as_ref();
    let missing: Vec<&str> = kinds
        .iter()
        .filter(|k| !card.is_some_and(|c| c.body().sections.iter().any(|x| x.filled && x.kinds.contains(k))))
        .map(|k| k.as_str())
        .collect();
    if missing.is_empty() {
        return None;
    }
    let line = card.map(|c| c.body().sections.first().map_or(1, |x| x.line));
    Some(Witness { file: s.card_file(), line, detail: format!("no {} section", missing.join(", ")) })
}

fn section_present(s: &Subject<'_>, kinds: &[SectionKind]) -> Option<Witness> {
    let card = s.m.identified.evidence.card.as_ref()?;
    let sec = card.body().sections.iter().find(|x| x.filled && x.kinds.iter().any(|k| kinds.contains(k)))?;
    Some(Witness { file: Some(card.file.clone()), line: Some(sec.line), detail: format!("section \"{}\"", sec.title) })
}

fn card_text(s: &Subject<'_>, t: &TextTest, patterns: &[Regex]) -> Option<Witness> {
    let card = s.m.identified.evidence.card.as_ref()?;
    for line in card_text::lines(card, &t.sections) {
        for re in patterns {
            let Some(m) = re.find(line.text) else { continue };
            let quote: String = m.as_str().chars().take(60).collect();
            let mut detail = match &t.label {
                Some(label) => format!("{label}: \"{quote}\""),
                None => format!("\"{quote}\""),
            };
            if let Some(section) = line.section {
                detail.push_str(&format!(" under \"{section}\""));
            }
            return Some(Witness { file: Some(card.file.clone()), line: Some(line.number), detail });
        }
    }
    None
}

fn metadata(s: &Subject<'_>, keys: &[String], present: bool) -> Option<Witness> {
    let card = s.m.identified.evidence.card.as_ref();
    let tree = card.map(|c| c.body().metadata.to_value());
    let key = keys.iter().find(|k| tree.as_ref().is_some_and(|t| card_text::metadata_has(t, k)) == present)?;
    let line = if present { card.and_then(|c| card_text::key_line(c, key)) } else { card.map(|_| 1) };
    let detail = if present { format!("`{key}` present") } else { format!("no `{key}`") };
    Some(Witness { file: s.card_file(), line, detail })
}

fn weight_format(s: &Subject<'_>, formats: &[WeightFormat]) -> Option<Witness> {
    let weights = &s.m.identified.evidence.weights;
    let hits: Vec<_> = weights.iter().filter(|w| formats.contains(&w.format)).collect();
    let first = hits.first()?;
    let detail = match hits.len() {
        1 => format!("{} is {}", first.file, first.format),
        n => format!("{n} weight files in {} (first {})", formats_of(&hits), first.file),
    };
    Some(Witness { file: Some(first.file.clone()), line: None, detail })
}

fn formats_of(hits: &[&crate::model::WeightFile]) -> String {
    let mut f: Vec<&str> = hits.iter().map(|w| w.format.as_str()).collect();
    f.sort_unstable();
    f.dedup();
    f.join(", ")
}

/// Weight files with no content digest or revision recorded for them. Repository files carry
/// neither today; a Hub repository or cache snapshot (addressed by commit) and an Ollama model
/// (addressed by layer digest) are pinned when their revision is known.
pub fn unpinned_weights(m: &Assessed) -> Vec<&crate::model::WeightFile> {
    let e = &m.identified.evidence;
    match e.source {
        Source::Hub | Source::HfCache | Source::Ollama if e.provenance.revision.is_some() => Vec::new(),
        _ => e.weights.iter().collect(),
    }
}

fn weights_pinned(s: &Subject<'_>, want: bool) -> Option<Witness> {
    let weights = &s.m.identified.evidence.weights;
    if weights.is_empty() {
        return None;
    }
    let loose = unpinned_weights(s.m);
    match (want, loose.first()) {
        (true, None) => Some(Witness::default()),
        (false, Some(w)) => Some(Witness {
            file: Some(w.file.clone()),
            line: None,
            detail: format!("{} of {} weight file(s) have no recorded digest or revision", loose.len(), weights.len()),
        }),
        _ => None,
    }
}

fn base(s: &Subject<'_>, f: impl Fn(&crate::model::BaseModel) -> bool) -> Option<Witness> {
    let b = s.m.identified.bases.iter().find(|b| f(b))?;
    let licence = b.licence.as_deref().unwrap_or("unknown licence");
    let category = b.category.map_or("unknown", |c| c.as_str());
    Some(Witness::at(Some(&b.evidence), format!("base model {} ({licence}, {category})", b.id)))
}

fn gated(s: &Subject<'_>) -> bool {
    s.m.identified.evidence.card.as_ref().and_then(|c| c.body().keys.gated.as_ref()).is_some_and(|g| {
        let v = g.value.trim().to_ascii_lowercase();
        !matches!(v.as_str(), "false" | "no" | "")
    })
}

fn compute_witness(s: &Subject<'_>) -> Option<Witness> {
    let c = s.compute()?;
    Some(Witness {
        file: s.card_file(),
        line: Some(c.line),
        detail: format!("stated training compute {:.2e} FLOP (\"{}\")", c.flop, c.text),
    })
}

fn compute_above(s: &Subject<'_>, threshold: f64) -> Option<Witness> {
    s.compute().filter(|c| c.flop > threshold)?;
    compute_witness(s)
}

impl fmt::Display for Condition {
    /// The condition as inline TOML, the way a pack file could write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = serde_json::to_value(self).map_err(|_| fmt::Error)?;
        match value.as_object() {
            Some(map) => {
                let items: Vec<String> = map.iter().map(|(k, v)| format!("{k} = {}", inline(v))).collect();
                f.write_str(&items.join(", "))
            }
            None => f.write_str(&inline(&value)),
        }
    }
}

fn inline(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let items: Vec<String> = map.iter().map(|(k, v)| format!("{k} = {}", inline(v))).collect();
            format!("{{ {} }}", items.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Value::String(s) => toml_string(s),
        other => other.to_string(),
    }
}

/// A TOML string literal: literal quotes when that needs no escapes (patterns), else basic.
fn toml_string(s: &str) -> String {
    if !s.contains('\'') && !s.contains('\n') {
        return format!("'{s}'");
    }
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Condition, String> {
        let mut c: Condition = toml::from_str(text).map_err(|e| e.to_string())?;
        c.compile()?;
        Ok(c)
    }

    #[test]
    fn conditions_parse_compile_and_print_back() {
        let c =
            parse("any = [{ licence-category = ['non-commercial'] }, { restriction = { kind = ['non-commercial'] } }]")
                .unwrap();
        assert_eq!(c.any.len(), 2);
        let printed = c.to_string();
        assert_eq!(
            printed,
            "any = [{ licence-category = ['non-commercial'] }, { restriction = { kind = ['non-commercial'] } }]"
        );
        let again: Condition = toml::from_str(&printed).unwrap();
        assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn bad_conditions_are_refused_with_the_reason() {
        assert!(parse("licence-categroy = ['x']").unwrap_err().contains("unknown field"));
        assert!(parse("licence-category = ['cheap']").unwrap_err().contains("unknown variant"));
        assert!(parse("").unwrap_err().contains("empty condition"));
        assert!(parse("card-text = { patterns = ['(unclosed'] }").unwrap_err().contains("bad pattern"));
        assert!(parse("licence-id = ['a[']").unwrap_err().contains("bad glob"));
        assert!(parse("openness = { mof-class = ['IV'] }").unwrap_err().contains("mof-class"));
        assert!(parse("not = {}").unwrap_err().contains("empty condition"));
    }

    #[test]
    fn globs_ignore_case_and_cross_slashes() {
        let g = glob_set(&["acme/*".to_string()]).unwrap();
        assert!(g.is_match("ACME/shelf/v2"));
        assert!(!g.is_match("other/acme"));
    }
}
