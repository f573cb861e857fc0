//! The licence of a model read from a Model Openness Tool file: the licence its final
//! parameters resolve to in the framework's order (the component's own, the release's licence
//! for data, the distribution licence), or the distribution licence when the file lists no
//! parameters. Free-text names are resolved as `licences resolve` resolves them; the framework's
//! marker words (`unlicensed`, `Component not included`) name no licence.

use super::{Part, Resolved, build_licensing};
use crate::{
    catalogue::{Catalogue, Licence, mof::Framework},
    model::{Combination, Evidence, Located, MotFile},
    recognise::{resolve_free_text, split_free_text},
    vocab::{EvidenceKind, LicenceScope, MofComponent, MofStatus},
};

/// Builds the licensing of a MOT model.
pub(super) fn licensing(f: &MotFile) -> Resolved {
    let global =
        |scope: LicenceScope| f.release.licences.iter().find(|l| l.scope == scope).and_then(|l| l.name.as_ref());
    let params = f.release.components.iter().rev().find(|c| c.component == MofComponent::FinalParameters);
    let stated: Option<&Located<String>> = match params {
        Some(c) => {
            c.licence.as_ref().or_else(|| global(LicenceScope::Data)).or_else(|| global(LicenceScope::Distribution))
        }
        None => global(LicenceScope::Distribution).or_else(|| global(LicenceScope::Data)),
    };
    let parts = stated.map(|s| parts_of(f, s)).unwrap_or_default();
    let sources = parts.iter().map(|_| (Vec::new(), Vec::new())).collect();
    Resolved { licensing: build_licensing(parts, Combination::All, Vec::new(), Vec::new()), parts: sources }
}

fn parts_of(f: &MotFile, stated: &Located<String>) -> Vec<Part> {
    let ev = Evidence {
        file: f.file.clone(),
        line: Some(stated.line),
        kind: EvidenceKind::MotLicence,
        value: Some(stated.value.clone()),
    };
    let name = stated.value.trim();
    if let Some(status) = Framework::get().marker(name) {
        // A word that names no licence: nothing to identify, except a claim of closed terms.
        return match status {
            MofStatus::Invalid => {
                let mut p = Part::known(Catalogue::get().lookup(name), name);
                p.evidence.push(ev);
                vec![p]
            }
            _ => Vec::new(),
        };
    }
    let resolved: Vec<(String, Option<&'static Licence>)> = match resolve_free_text(name) {
        Some((l, _)) => vec![(name.to_string(), Some(l))],
        None => {
            let pieces = split_free_text(name);
            let found: Vec<_> = pieces.iter().map(|p| (p.clone(), resolve_free_text(p).map(|(l, _)| l))).collect();
            if pieces.len() > 1 && found.iter().all(|(_, l)| l.is_some()) {
                found
            } else {
                vec![(name.to_string(), None)]
            }
        }
    };
    let mut parts: Vec<Part> = Vec::new();
    for (declared, licence) in resolved {
        if parts.iter().any(|p| p.licence.is_some() && p.licence.map(|l| &l.id) == licence.map(|l| &l.id)) {
            continue;
        }
        let mut p = Part::known(licence, &declared);
        p.evidence.push(ev.clone());
        parts.push(p);
    }
    parts
}
