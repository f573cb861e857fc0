//! The shape of one catalogue file, `licences/<id>.toml`, and its validation.

use serde::Deserialize;

use super::CatalogueError;
use crate::vocab::{Category, RestrictionKind};

include!(concat!(env!("OUT_DIR"), "/licences.rs"));

/// What a catalogue document is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Document {
    /// A licence: grants rights on its own.
    #[default]
    Licence,
    /// A use policy that a licence incorporates by reference (Llama AUP, Gemma prohibited-use
    /// policy). Finding one is evidence for the licence's `acceptable-use-policy` restriction,
    /// not a licence of its own.
    Policy,
}

/// One licence, as the catalogue describes it in its own words.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// The data file this entry came from (set by the loader).
    #[serde(skip)]
    pub file: String,
    /// Canonical id: the Hub identifier where the Hub has one.
    pub id: String,
    /// Full name.
    pub name: String,
    /// SPDX identifier, or `LicenseRef-<id>` for licences outside the SPDX list.
    pub spdx: String,
    /// Category.
    pub category: Category,
    /// Family id shared by versions and variants (`llama`, `gpl`, `openrail`).
    #[serde(default)]
    pub family: Option<String>,
    /// A family-level Hub id (`gpl`, `bsd`, `cc`, `openrail`): a declared generic id is refined,
    /// not contradicted, by a more specific licence whose `parent` it is.
    #[serde(default)]
    pub generic: bool,
    /// The generic id this licence refines (`cc-by-nc-4.0` → `cc`, `gpl-3.0` → `gpl`).
    #[serde(default)]
    pub parent: Option<String>,
    /// Licence or incorporated use policy.
    #[serde(default)]
    pub document: Document,
    /// For a policy: the licences that incorporate it.
    #[serde(default)]
    pub policy_for: Vec<String>,
    /// For a licence: the policies it incorporates.
    #[serde(default)]
    pub incorporates: Vec<String>,
    /// Where the canonical text lives; the first is shown to users.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Other names: Hub ids, SPDX ids, ScanCode keys, `license_name` values seen on the Hub,
    /// common misspellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// On the OSI-approved list.
    #[serde(default)]
    pub osi_approved: bool,
    /// On the FSF free/libre list.
    #[serde(default)]
    pub fsf_libre: bool,
    /// One or two sentences in plain words.
    pub summary: String,
    /// What the licence allows.
    #[serde(default)]
    pub permits: Vec<String>,
    /// What the licence requires in return.
    #[serde(default)]
    pub obligations: Vec<String>,
    /// What the licence restricts.
    #[serde(default)]
    pub restrictions: Vec<RestrictionDef>,
    /// How to recognise the text.
    #[serde(default)]
    pub identify: IdentifyDef,
}

/// One restriction with its parameters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictionDef {
    /// Kind.
    pub kind: RestrictionKind,
    /// Plain-words explanation.
    pub detail: std::sync::Arc<str>,
    /// `user-threshold`: the number of monthly active users above which the grant stops.
    #[serde(default)]
    pub users: Option<u64>,
    /// `revenue-threshold`: annual revenue in US dollars above which the grant stops.
    #[serde(default)]
    pub revenue_usd: Option<u64>,
    /// `territorial`: where the licence does not apply (ISO codes or `EU`).
    #[serde(default)]
    pub regions: Vec<String>,
    /// `acceptable-use-policy`: the policy's catalogue id or URL.
    #[serde(default)]
    pub policy: Option<String>,
    /// Short phrases that locate the clause in the licence text (for file:line evidence).
    #[serde(default)]
    pub clause: Vec<String>,
}

impl RestrictionDef {
    /// The restriction as a model carries it, with where it was found and the licence (or
    /// terms) that impose it.
    pub fn to_restriction(&self, evidence: Vec<crate::model::Evidence>, licence: &str) -> crate::model::Restriction {
        crate::model::Restriction {
            kind: self.kind,
            detail: self.detail.clone(),
            evidence,
            licence: Some(licence.to_string()),
            inherited_from: None,
            users: self.users,
            revenue_usd: self.revenue_usd,
            regions: self.regions.clone(),
        }
    }
}

/// Identifying phrases, written in our own words or as short quotations of names and
/// version lines; never the licence text itself. Matching is on normalised text (lower case,
/// markdown and punctuation variants folded, whitespace collapsed).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifyDef {
    /// Names of the licence as its text states them; any one is strong evidence.
    #[serde(default)]
    pub titles: Vec<String>,
    /// Version or date lines that tell this version apart from its siblings.
    #[serde(default)]
    pub confirm: Vec<String>,
    /// Short distinctive phrases from the body.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Phrases whose presence rules this entry out (a sibling version's version line).
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl Licence {
    /// An entry made up from the SPDX list, for SPDX licences without a catalogue file.
    pub(super) fn synthetic(spdx: &str, name: &str, category: Category, osi: bool, fsf: bool) -> Licence {
        Licence {
            file: String::new(),
            id: spdx.to_ascii_lowercase(),
            name: name.to_string(),
            spdx: spdx.to_string(),
            category,
            family: None,
            generic: false,
            parent: None,
            document: Document::Licence,
            policy_for: Vec::new(),
            incorporates: Vec::new(),
            urls: vec![format!("https://spdx.org/licenses/{spdx}.html")],
            aliases: Vec::new(),
            osi_approved: osi,
            fsf_libre: fsf,
            summary: format!("{name} (from the SPDX licence list; not described in our catalogue)."),
            permits: Vec::new(),
            obligations: Vec::new(),
            restrictions: Vec::new(),
            identify: IdentifyDef::default(),
        }
    }

    /// The first URL, if any.
    pub fn url(&self) -> Option<&str> {
        self.urls.first().map(String::as_str)
    }
}

pub(super) fn parse(file: &str, text: &str) -> Result<Licence, CatalogueError> {
    let err = |message: String| CatalogueError::Parse { file: file.to_string(), message };
    let mut lic: Licence = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    lic.file = file.to_string();
    let stem = file.strip_suffix(".toml").unwrap_or(file);
    if stem != lic.id {
        return Err(err(format!("file name must be the id: expected `{}.toml`", lic.id)));
    }
    if lic.id.is_empty() || lic.id.chars().any(|c| c.is_ascii_uppercase() || c.is_whitespace()) {
        return Err(err(format!("id `{}` must be lower-case without spaces", lic.id)));
    }
    let spdx_ok = lic.spdx.starts_with("LicenseRef-")
        && lic.spdx[11..].chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        || spdx::license_id(&lic.spdx).is_some();
    if !spdx_ok {
        return Err(err(format!("spdx `{}` is neither an SPDX id nor a valid LicenseRef-", lic.spdx)));
    }
    if lic.generic && lic.parent.is_some() {
        return Err(err("a generic entry cannot have a parent".into()));
    }
    if lic.document == Document::Policy && lic.policy_for.is_empty() {
        return Err(err("a policy must name the licences it belongs to in `policy_for`".into()));
    }
    for r in &lic.restrictions {
        if r.kind == RestrictionKind::UserThreshold && r.users.is_none() {
            return Err(err("a user-threshold restriction needs `users`".into()));
        }
        if r.kind == RestrictionKind::RevenueThreshold && r.revenue_usd.is_none() {
            return Err(err("a revenue-threshold restriction needs `revenue_usd`".into()));
        }
        if r.kind == RestrictionKind::Territorial && r.regions.is_empty() {
            return Err(err("a territorial restriction needs `regions`".into()));
        }
    }
    let restricted = lic.restrictions.iter().any(|r| {
        matches!(r.kind, RestrictionKind::NonCommercial | RestrictionKind::ResearchOnly | RestrictionKind::FieldOfUse)
    });
    if restricted && matches!(lic.category, Category::Permissive | Category::PublicDomain) {
        return Err(err("a licence with use restrictions cannot be permissive or public-domain".into()));
    }
    Ok(lic)
}
