//! `--format mof`: each model as a model file of the LF AI & Data Model Openness Tool (the YAML
//! of its `models/` folder, schema `mof_schema.json`), so a verdict can be handed to that tool
//! and read back with `scan --mof`.
//!
//! A model read from a MOT file is written back with its own fields, descriptions and paths;
//! licence names are written as we resolved them (`Apache 2.0` → `Apache-2.0`), so the MOT
//! judges them as we did. A scanned model lists the components we found, the path of the first
//! piece of evidence for each, and its licences: release-wide ones under `license`, a
//! component's own (a dataset card's) on the component. A comment at the top records our class
//! and progress; the MOT ignores comments.

use std::{collections::BTreeSet, fmt::Write as _, io};

use super::{ModelReport, Report};
use crate::{
    catalogue::mof::Framework,
    model::{Evidence, MofComponentVerdict},
    vocab::{EvidenceKind, LicenceScope, MofClass, MofStatus},
};

pub(super) fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    for (i, m) in report.models.iter().enumerate() {
        if i > 0 {
            out.write_all(b"---\n")?;
        }
        out.write_all(model_yaml(m).as_bytes())?;
    }
    Ok(())
}

/// File names for the models of a report (`<release name>.yml`, made safe and unique), in
/// report order.
pub fn file_names(report: &Report) -> Vec<String> {
    let mut taken = BTreeSet::new();
    report
        .models
        .iter()
        .map(|m| {
            let stem: String =
                m.id.chars()
                    .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+') { c } else { '-' })
                    .collect();
            let stem = stem.trim_matches(['-', '.']).to_string();
            let stem = if stem.is_empty() { "model".to_string() } else { stem };
            let mut name = format!("{stem}.yml");
            let mut n = 2;
            while !taken.insert(name.to_lowercase()) {
                name = format!("{stem}-{n}.yml");
                n += 1;
            }
            name
        })
        .collect()
}

/// One model as a MOT model file.
pub fn model_yaml(m: &ModelReport) -> String {
    let fw = Framework::get();
    let mof = &m.openness.mof;
    let mut y = String::new();
    let progress: Vec<String> = [MofClass::III, MofClass::II, MofClass::I]
        .iter()
        .map(|c| format!("{c} {} %", mof.progress.get(c).copied().unwrap_or(0)))
        .collect();
    let _ = writeln!(
        y,
        "# Written by modelgate {}: MOF class {}; progress {}.",
        env!("CARGO_PKG_VERSION"),
        mof.class.map_or("none".to_string(), |c| c.to_string()),
        progress.join(", ")
    );
    let framework = m.mot.as_ref().map(|f| &f.framework);
    let or = |v: Option<&Option<String>>, d: &str| v.and_then(|s| s.clone()).unwrap_or_else(|| d.to_string());
    let _ = writeln!(y, "framework:");
    let _ = writeln!(y, "  name: {}", q(&or(framework.map(|f| &f.name), &fw.name)));
    let _ = writeln!(y, "  version: {}", q(&or(framework.map(|f| &f.version), &fw.version)));
    let _ = writeln!(y, "  date: {}", q(&or(framework.map(|f| &f.date), &fw.date)));
    let _ = writeln!(y, "release:");
    let _ = writeln!(y, "  name: {}", q(&m.id));
    for (k, v) in release_fields(m) {
        let _ = writeln!(y, "  {}: {}", key(&k), q(&v));
    }

    // Release-wide licences.
    let globals = globals(m);
    if globals.is_empty() {
        let _ = writeln!(y, "  license: {{}}");
    } else {
        let _ = writeln!(y, "  license:");
        for (scope, name, path) in globals {
            let _ = writeln!(y, "    {scope}:");
            let _ = writeln!(y, "      name: {}", q(&name));
            let _ = writeln!(y, "      path: {}", path.as_deref().map_or_else(|| "''".to_string(), q));
        }
    }

    // Components.
    let items = components(m);
    if items.is_empty() {
        let _ = writeln!(y, "  components: []");
    } else {
        let _ = writeln!(y, "  components:");
        for c in items {
            let _ = writeln!(y, "    -");
            let _ = writeln!(y, "      name: {}", q(&c.name));
            let _ = writeln!(y, "      description: {}", q(&c.description));
            if let Some(l) = &c.licence {
                let _ = writeln!(y, "      license: {}", q(l));
            }
            if let Some(p) = &c.licence_path {
                let _ = writeln!(y, "      license_path: {}", q(p));
            }
            if let Some(p) = &c.path {
                let _ = writeln!(y, "      component_path: {}", q(p));
            }
        }
    }
    y
}

/// The `release` keys other than `name`, `license` and `components`.
fn release_fields(m: &ModelReport) -> Vec<(String, String)> {
    if let Some(f) = &m.mot {
        return f.release.fields.clone();
    }
    let producer = m.id.split_once('/').map(|(owner, _)| owner.to_string()).unwrap_or_default();
    let origin = m.base_models.first().cloned().unwrap_or_default();
    let kind = m.pipeline_tag.as_deref().map(release_type).unwrap_or("");
    vec![
        ("version".into(), String::new()),
        ("type".into(), kind.to_string()),
        ("architecture".into(), String::new()),
        ("origin".into(), origin),
        ("producer".into(), producer),
        ("contact".into(), String::new()),
    ]
}

/// The MOT's `release.type` for a Hub `pipeline_tag`.
fn release_type(tag: &str) -> &'static str {
    match tag {
        "text-generation"
        | "text2text-generation"
        | "fill-mask"
        | "translation"
        | "summarization"
        | "question-answering"
        | "token-classification"
        | "text-classification"
        | "sentence-similarity"
        | "feature-extraction"
        | "zero-shot-classification"
        | "table-question-answering"
        | "conversational" => "language",
        "image-classification"
        | "object-detection"
        | "image-segmentation"
        | "depth-estimation"
        | "zero-shot-image-classification"
        | "zero-shot-object-detection"
        | "mask-generation"
        | "image-feature-extraction" => "vision",
        "text-to-image" | "image-to-image" | "unconditional-image-generation" => "image",
        "automatic-speech-recognition"
        | "text-to-speech"
        | "audio-classification"
        | "text-to-audio"
        | "audio-to-audio"
        | "voice-activity-detection" => "audio",
        "text-to-video" | "video-classification" | "image-to-video" => "video",
        "image-text-to-text"
        | "visual-question-answering"
        | "image-to-text"
        | "any-to-any"
        | "document-question-answering"
        | "video-text-to-text" => "multimodal",
        "text-to-3d" | "image-to-3d" => "3d",
        _ => "",
    }
}

/// `(scope, name, path)` of the release-wide licences.
fn globals(m: &ModelReport) -> Vec<(LicenceScope, String, Option<String>)> {
    let verdicts = &m.openness.mof.components;
    let order = [LicenceScope::Distribution, LicenceScope::Code, LicenceScope::Data, LicenceScope::Document];
    if let Some(f) = &m.mot {
        return order
            .iter()
            .filter_map(|scope| {
                let l = f.release.licences.iter().find(|l| l.scope == *scope)?;
                let written = l.name.as_ref()?;
                // Written as resolved, when a component took it from here.
                let shown = verdicts
                    .iter()
                    .find(|v| v.licence_from == Some(*scope))
                    .and_then(|v| v.licence.clone())
                    .unwrap_or_else(|| written.value.clone());
                Some((*scope, shown, l.path.clone()))
            })
            .collect();
    }
    let mut out = Vec::new();
    for scope in order {
        let Some(v) = verdicts.iter().find(|v| v.licence_from == Some(scope) && v.licence.is_some()) else {
            // A model with a licence but no component to carry it still has a distribution licence.
            if scope == LicenceScope::Distribution && m.licence.category != crate::vocab::Category::None {
                out.push((scope, m.licence.spdx.clone(), m.licence.evidence.first().map(|e| e.file.clone())));
            }
            continue;
        };
        out.push((scope, v.licence.clone().unwrap_or_default(), licence_file(v)));
    }
    out
}

/// A component as written.
struct Item {
    name: String,
    description: String,
    licence: Option<String>,
    licence_path: Option<String>,
    path: Option<String>,
}

fn components(m: &ModelReport) -> Vec<Item> {
    let fw = Framework::get();
    let verdicts = &m.openness.mof.components;
    let verdict = |c| verdicts.iter().find(|v: &&MofComponentVerdict| v.name == c);
    if let Some(f) = &m.mot {
        return f
            .release
            .components
            .iter()
            .map(|c| {
                let v = verdict(c.component);
                let licence = c.licence.as_ref().map(|l| {
                    v.filter(|v| v.licence_from == Some(LicenceScope::Component))
                        .and_then(|v| v.licence.clone())
                        .unwrap_or_else(|| l.value.clone())
                });
                Item {
                    name: c.component.as_str().to_string(),
                    description: c.description.clone().unwrap_or_else(|| fw.def(c.component).description.clone()),
                    licence,
                    licence_path: c.licence_path.clone(),
                    path: c.path.clone(),
                }
            })
            .collect();
    }
    verdicts
        .iter()
        .filter(|v| v.present)
        .map(|v| {
            let own = v.licence_from == Some(LicenceScope::Component);
            let licence = match (own, v.status) {
                (true, MofStatus::Unlicensed) => Some("unlicensed".to_string()),
                (true, _) => v.licence.clone(),
                (false, _) => None,
            };
            Item {
                name: v.name.as_str().to_string(),
                description: fw.def(v.name).description.clone(),
                licence_path: if own { licence_file(v) } else { None },
                licence,
                // A linked repository is its URL; anything else is the file.
                path: v.evidence.iter().find(|e| !is_licence_evidence(e)).map(|e| match (e.kind, &e.value) {
                    (EvidenceKind::CardLink, Some(url)) => url.clone(),
                    _ => e.file.clone(),
                }),
            }
        })
        .collect()
}

fn is_licence_evidence(e: &Evidence) -> bool {
    matches!(
        e.kind,
        EvidenceKind::LicenceFile
            | EvidenceKind::CardLicense
            | EvidenceKind::CardLicenseName
            | EvidenceKind::CardLicenseLink
            | EvidenceKind::CardText
            | EvidenceKind::MotLicence
    )
}

/// The file a component's licence was found in.
fn licence_file(v: &MofComponentVerdict) -> Option<String> {
    v.evidence.iter().find(|e| is_licence_evidence(e)).map(|e| e.file.clone())
}

/// A mapping key: plain when it is a simple word, quoted otherwise.
fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        q(k)
    }
}

/// A single-quoted YAML scalar: quotes doubled, line breaks and control characters as spaces.
fn q(s: &str) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("'{}'", clean.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_safely() {
        assert_eq!(q("it's"), "'it''s'");
        assert_eq!(q("a\nb: c"), "'a b: c'");
        assert_eq!(key("repository"), "repository");
        assert_eq!(key("a b"), "'a b'");
    }

    #[test]
    fn pipeline_tags_map_to_release_types() {
        assert_eq!(release_type("text-generation"), "language");
        assert_eq!(release_type("text-to-image"), "image");
        assert_eq!(release_type("nonsense"), "");
    }
}
