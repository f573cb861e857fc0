//! What weight headers contribute to identification: the licence a header declares (GGUF
//! `general.license*`, safetensors `__metadata__`, ONNX `metadata_props`) and the base models a
//! GGUF names. Both become evidence of kind `weights-metadata` pointing at the weight file.

use crate::{
    catalogue::{Catalogue, Licence},
    model::{Evidence, HeaderLicence, WeightFile},
    vocab::EvidenceKind,
};

/// A licence one weight header names, resolved against the catalogue when it can be.
pub(super) struct Found {
    /// The catalogue licence, when the name resolves.
    pub licence: Option<&'static Licence>,
    /// The name as declared (for licences the catalogue does not know).
    pub name: String,
    /// The header fields it rests on.
    pub evidence: Vec<Evidence>,
}

fn evidence(file: &str, value: &str) -> Evidence {
    Evidence { file: file.to_string(), line: None, kind: EvidenceKind::WeightsMetadata, value: Some(value.to_string()) }
}

/// Words that say "a licence exists" without naming one.
pub(super) fn is_placeholder(name: &str) -> bool {
    matches!(name.trim().to_ascii_lowercase().as_str(), "other" | "unknown" | "")
}

/// The licences every weight header declares, in file order.
pub(super) fn header_licences(weights: &[WeightFile]) -> Vec<Found> {
    weights
        .iter()
        .filter_map(|w| w.header.licence.as_ref().map(|l| (w, l)))
        .flat_map(|(w, l)| found(&w.file, l))
        .collect()
}

/// Reads one header licence the way a card's `license` / `license_name` / `license_link` are
/// read: an id or SPDX expression first, then (for `other` or no id) the name, then the link.
fn found(file: &str, l: &HeaderLicence) -> Vec<Found> {
    let cat = Catalogue::get();
    let extra: Vec<Evidence> = [&l.name, &l.link].into_iter().flatten().map(|v| evidence(file, v)).collect();
    if let Some(id) = l.license.as_deref().filter(|id| !is_placeholder(id)) {
        let (names, _) = super::split_expression(id);
        let mut out: Vec<Found> = names
            .into_iter()
            .map(|name| Found {
                licence: crate::recognise::resolve_name(cat, &name),
                name,
                evidence: vec![evidence(file, id)],
            })
            .collect();
        if let Some(first) = out.first_mut() {
            first.evidence.extend(extra);
        }
        return out;
    }
    let licence = l
        .name
        .as_deref()
        .and_then(|n| crate::recognise::resolve_name(cat, n))
        .or_else(|| l.link.as_deref().and_then(|u| cat.by_url(u)));
    let name =
        l.name.clone().or_else(|| l.link.clone()).or_else(|| l.license.clone()).unwrap_or_else(|| "other".into());
    let mut ev: Vec<Evidence> = l.license.iter().map(|v| evidence(file, v)).collect();
    ev.extend(extra);
    vec![Found { licence, name, evidence: ev }]
}

/// The base models weight headers name, as `base_model` evidence.
pub(super) fn base_models(weights: &[WeightFile]) -> Vec<Evidence> {
    weights.iter().flat_map(|w| w.header.base_models.iter().map(|b| evidence(&w.file, b))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::WeightFormat;

    fn weights(l: HeaderLicence) -> Vec<WeightFile> {
        let mut w = WeightFile::new("m/model.gguf", WeightFormat::Gguf, 10);
        w.header.licence = Some(l);
        vec![w]
    }

    #[test]
    fn expressions_split_into_parts() {
        let f = header_licences(&weights(HeaderLicence {
            license: Some("Apache-2.0 OR MIT".into()),
            ..Default::default()
        }));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].licence.map(|l| l.id.as_str()), Some("apache-2.0"));
        assert_eq!(f[0].evidence[0].kind, EvidenceKind::WeightsMetadata);
        assert_eq!(f[0].evidence[0].file, "m/model.gguf");
    }

    #[test]
    fn other_falls_back_to_the_name() {
        let f = header_licences(&weights(HeaderLicence {
            license: Some("other".into()),
            name: Some("Acme Model Licence".into()),
            link: None,
        }));
        assert_eq!(f.len(), 1);
        assert!(f[0].licence.is_none());
        assert_eq!(f[0].name, "Acme Model Licence");
        assert_eq!(f[0].evidence.len(), 2);
    }
}
