//! The catalogue covers every licence id the Hugging Face Hub accepts and every licence in the
//! shared corpus, and its facts are internally consistent.

mod common;

use modelgate::{catalogue::Catalogue, vocab::Category};

/// The 83 ids of `huggingface/hub-docs` `docs/hub/repositories-licenses.md` (see
/// `../shared/research/ai-anchors.md` §5.2).
const HUB_IDS: &[&str] = &[
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "h-research",
    "intel-research",
    "lppl-1.3c",
    "ms-pl",
    "apple-ascl",
    "apple-amlr",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openmdw-1.0",
    "openmdw-1.1",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "fair-noncommercial-research-license",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "grok2-community",
    "gemma",
    "unknown",
    "other",
];

/// `unknown` and `other` are not licences; they are handled by identification.
const NOT_LICENCES: &[&str] = &["unknown", "other"];

#[test]
fn every_hub_id_is_a_catalogue_id() {
    assert_eq!(HUB_IDS.len(), 83);
    let cat = Catalogue::get();
    let missing: Vec<&&str> =
        HUB_IDS.iter().filter(|id| !NOT_LICENCES.contains(id) && cat.by_id(id).is_none()).collect();
    assert!(missing.is_empty(), "Hub ids with no catalogue file: {missing:?}");
}

#[test]
fn every_corpus_licence_is_a_catalogue_id() {
    let cat = Catalogue::get();
    let mut missing: Vec<String> = common::manifest("licences/")
        .iter()
        .map(|r| r.licence.trim_start_matches("other:").to_string())
        .filter(|id| cat.by_id(id).is_none())
        .collect();
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "corpus licences with no catalogue file: {missing:?}");
}

#[test]
fn non_commercial_and_research_licences_are_never_permissive() {
    for lic in Catalogue::get().licences() {
        let id = lic.id.as_str();
        let says_nc = id.contains("-nc") || id.contains("noncommercial") || id.contains("non-commercial");
        let says_research = id.contains("research");
        if says_nc || says_research {
            assert!(
                !matches!(
                    lic.category,
                    Category::Permissive | Category::PublicDomain | Category::Copyleft | Category::WeakCopyleft
                ),
                "{id} is {}",
                lic.category
            );
        }
    }
}

#[test]
fn every_entry_is_described_in_plain_words() {
    for lic in Catalogue::get().licences() {
        assert!(lic.summary.len() >= 20, "{}: summary too short", lic.id);
        assert!(!lic.urls.is_empty(), "{}: needs at least one canonical URL", lic.id);
        if lic.category.is_use_restricted() {
            assert!(!lic.restrictions.is_empty(), "{}: a {} licence must list its restrictions", lic.id, lic.category);
        }
    }
}
