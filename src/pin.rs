//! Content hashes: the licence hash a waiver or clarification is pinned to, and the fingerprint
//! that identifies a finding across scans (baselines, SARIF).
//!
//! The licence hash of a model covers what its licence was decided on: each licence file beside
//! it (name and content), the card's `license`, `license_name` and `license_link` values, the
//! licences weight headers declare, and for a model without files the provider and model name
//! (a hosted model) or the id (a model only named by code or an inventory).
//! Changing any of them changes the hash and re-opens a pinned decision. The scan prints the
//! hash (`models[].licence_hash`, and under each finding in the terminal), so nobody computes it
//! by hand.

use sha2::{Digest, Sha256};

use crate::model::{Finding, ModelEvidence};

/// The prefix of a licence hash.
pub const PREFIX: &str = "sha256:";

/// The licence hash of a model: `sha256:` and 64 hex digits.
pub fn licence_hash(e: &ModelEvidence) -> String {
    let mut h = Sha256::new();
    let mut texts: Vec<(&str, &str)> =
        e.licence_texts.iter().map(|t| (t.file.rsplit('/').next().unwrap_or(&t.file), t.text.as_str())).collect();
    texts.sort_unstable();
    for (name, text) in texts {
        field(&mut h, "file", name);
        field(&mut h, "text", text);
    }
    if let Some(card) = &e.card {
        for l in &card.meta.license {
            field(&mut h, "license", l.value.trim());
        }
        if let Some(n) = &card.meta.license_name {
            field(&mut h, "license_name", n.value.trim());
        }
        if let Some(n) = &card.meta.license_link {
            field(&mut h, "license_link", n.value.trim());
        }
    }
    // Licences weight headers declare (GGUF `general.license*`, safetensors/ONNX metadata).
    let mut headers: Vec<(&str, &crate::model::HeaderLicence)> = e
        .weights
        .iter()
        .filter_map(|w| w.header.licence.as_ref().map(|l| (w.file.rsplit('/').next().unwrap_or(&w.file), l)))
        .collect();
    headers.sort_by(|a, b| a.0.cmp(b.0));
    for (name, l) in headers {
        field(&mut h, "weights", name);
        for (key, value) in [("license", &l.license), ("name", &l.name), ("link", &l.link)] {
            if let Some(v) = value {
                field(&mut h, key, v.trim());
            }
        }
    }
    // A model behind a provider's API is judged by its provider and model name; a model only
    // named (code, an inventory) by its id (the catalogue's base families).
    if let Some(hosted) = &e.provenance.hosted {
        field(&mut h, "hosted", &format!("{}:{}", hosted.provider, hosted.model));
    } else if e.source.names_only() {
        field(&mut h, "named", &e.id.to_ascii_lowercase());
    }
    format!("{PREFIX}{}", hex(&h.finalize()))
}

/// Length-prefixed, so that no two different inputs hash the same bytes.
fn field(h: &mut Sha256, name: &str, value: &str) {
    h.update(name.as_bytes());
    h.update((value.len() as u64).to_le_bytes());
    h.update(value.as_bytes());
}

/// The fingerprint of a finding: rule, model (or file, for findings about no model) and message,
/// never the line, so that a finding keeps its identity when the file around it moves.
pub fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    field(&mut h, "rule", &f.rule);
    field(&mut h, "subject", f.model.as_deref().or(f.file.as_deref()).unwrap_or(""));
    field(&mut h, "message", &f.message);
    hex(&h.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{model::LicenceText, vocab::Source};

    fn evidence(texts: &[(&str, &str)]) -> ModelEvidence {
        ModelEvidence {
            id: "m".into(),
            source: Source::Repository,
            location: "m".into(),
            card: None,
            licence_texts: texts
                .iter()
                .map(|(f, t)| LicenceText { file: f.to_string(), text: t.to_string() })
                .collect(),
            weights: vec![],
            configs: vec![],
            code: vec![],
            provenance: Default::default(),
            mot: None,
        }
    }

    #[test]
    fn licence_hash_follows_content_not_place_or_order() {
        let a = licence_hash(&evidence(&[("x/LICENSE", "terms"), ("x/NOTICE", "n")]));
        let b = licence_hash(&evidence(&[("y/NOTICE", "n"), ("y/LICENSE", "terms")]));
        assert_eq!(a, b, "moving the model keeps the hash");
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 64);
        assert_ne!(a, licence_hash(&evidence(&[("x/LICENSE", "terms!"), ("x/NOTICE", "n")])));
        assert_ne!(
            licence_hash(&evidence(&[("LICENSE", "ab")])),
            licence_hash(&evidence(&[("LICENSE", "a"), ("LICENSE", "b")]))
        );
    }

    #[test]
    fn fingerprints_ignore_lines() {
        let f = Finding {
            rule: "r".into(),
            severity: crate::vocab::Severity::Error,
            model: Some("m".into()),
            message: "msg".into(),
            file: Some("m/README.md".into()),
            line: Some(3),
            help: "h".into(),
            fingerprint: String::new(),
        };
        let moved = Finding { line: Some(30), ..f.clone() };
        assert_eq!(fingerprint(&f), fingerprint(&moved));
        assert_eq!(fingerprint(&f).len(), 32);
        assert_ne!(fingerprint(&f), fingerprint(&Finding { message: "other".into(), ..f }));
    }
}
