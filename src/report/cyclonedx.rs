//! CycloneDX 1.6 JSON: an ML-BOM. Our own serde structs (cyclonedx-bom 0.8 stops at 1.5 and
//! cannot write model-card considerations), written to the official 1.6 JSON schema.
//!
//! Each model is a `machine-learning-model` component with a `modelCard` (task, architecture,
//! datasets, metrics from the card's `model-index`, considerations from the card's intended-use
//! and limitations sections), its licence, external references, its weight files as nested
//! `file` components (with SHA-256 hashes under `--hash`) and its base models as
//! `pedigree.ancestors`. Datasets are `data` components. The scan itself is the BOM's
//! `metadata.component`, which depends on every model.
//!
//! Licences: one licence is `license.id` when it is on the SPDX list, else `license.name` (with
//! the catalogue's URL); several are one SPDX `expression`. A component never carries both
//! forms (the schema rejects it), and a model with no licence found carries none.
//!
//! What CycloneDX has no field for (use restrictions, user and revenue thresholds,
//! territories, output-use rules, openness, findings) is carried in `properties` named
//! `modelgate:…` (README, "BOM properties").

use std::io;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{DatasetReport, LicenceReport, ModelReport, RenderOptions, Report, review, sarif::uri};
use crate::{
    model::LicencePart,
    vocab::{EvidenceKind, SectionKind, Source},
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata {
    #[serde(skip_serializing_if = "String::is_empty")]
    timestamp: String,
    tools: Tools,
    component: Component,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize, Default)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "String::is_empty")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    licenses: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pedigree: Option<Pedigree>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    #[serde(rename = "modelCard", skip_serializing_if = "Option::is_none")]
    model_card: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize)]
struct Pedigree {
    ancestors: Vec<Component>,
}

#[derive(Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
}

/// A CycloneDX name/value property.
#[derive(Serialize)]
pub(super) struct Property {
    name: String,
    value: String,
}

/// The properties of a model that BOM formats have no field for, named `modelgate:…`; shared
/// with the SPDX writer, which carries them in a `CdxPropertiesExtension`.
pub(super) fn model_properties(report: &Report, m: &ModelReport) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, value: String| p.push((format!("modelgate:{name}"), value));
    add("source", m.source.to_string());
    for s in m.sources.iter().skip(1) {
        add("source", s.to_string());
    }
    add("location", m.location.clone());
    if let Some(v) = &m.vendor {
        add("vendor", v.clone());
    }
    add("licence:id", m.licence.id.clone());
    add("licence:category", m.licence.category.to_string());
    add("licence:hash", m.licence_hash.clone());
    for r in &m.restrictions {
        let k = r.kind.as_str();
        add(&format!("restriction:{k}"), r.detail.to_string());
        if let Some(u) = r.users {
            add(&format!("restriction:{k}:users"), u.to_string());
        }
        if let Some(u) = r.revenue_usd {
            add(&format!("restriction:{k}:revenue-usd"), u.to_string());
        }
        for region in &r.regions {
            add(&format!("restriction:{k}:region"), region.clone());
        }
        if let Some(l) = &r.licence {
            add(&format!("restriction:{k}:licence"), l.clone());
        }
        if let Some(b) = &r.inherited_from {
            add(&format!("restriction:{k}:inherited-from"), b.clone());
        }
        for e in &r.evidence {
            add(&format!("restriction:{k}:at"), review::at(&e.file, e.line));
        }
    }
    add("openness:weights", m.openness.weights.to_string());
    add("openness:data", m.openness.data.to_string());
    add("openness:code", m.openness.code.to_string());
    add("openness:mof-class", m.openness.mof_class.map_or("unclassified".to_string(), |c| c.to_string()));
    for (class, percent) in &m.openness.mof.progress {
        add(&format!("openness:mof-progress:{class}"), percent.to_string());
    }
    for c in m.openness.mof.components.iter().filter(|c| c.present || c.required_for.is_some()) {
        add(
            &format!(
                "openness:mof:{}",
                c.name.as_str().to_lowercase().replace([' ', '(', ')'], "-").trim_end_matches('-')
            ),
            c.status.to_string(),
        );
    }
    add("openness:osaid", if m.openness.osaid.pass { "pass" } else { "fail" }.to_string());
    for (dimension, grade) in &m.openness.dimensions {
        add(&format!("openness:{dimension}"), grade.to_string());
    }
    for r in &m.openness.reasons {
        add("openness:reason", r.clone());
    }
    if let Some(n) = m.parameters {
        add("parameters", n.to_string());
    }
    if let Some(g) = m.card.as_ref().and_then(|c| c.gated.clone()) {
        add("card:gated", g);
    }
    for f in report.findings.iter().filter(|f| f.model.as_deref() == Some(m.id.as_str())) {
        add("finding", format!("{} {}: {}", f.severity, f.rule, f.message));
    }
    for r in &m.references {
        add("reference", format!("{}:{} {}: {}", r.file, r.line, r.via, r.value));
    }
    for i in &m.inventory {
        if let Some(t) = &i.team {
            add("inventory:team", t.clone());
        }
        if let Some(t) = &i.region {
            add("inventory:region", t.clone());
        }
        for (k, v) in &i.columns {
            add(&format!("inventory:{k}"), v.clone());
        }
    }
    p
}

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    let bom = bom(report, options);
    serde_json::to_writer_pretty(&mut *out, &bom).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

fn bom(report: &Report, options: &RenderOptions) -> Bom {
    let mut components = Vec::new();
    let mut dataset_refs: Vec<(String, String)> = Vec::new(); // (dataset id, bom-ref)
    for (i, d) in report.datasets.iter().enumerate() {
        let r = format!("dataset-{}", i + 1);
        dataset_refs.push((d.id.clone(), r.clone()));
        components.push(dataset(d, r, options));
    }
    // Datasets a card names that the scan did not find: a data component with the name only.
    for m in &report.models {
        for d in &m.datasets {
            if !dataset_refs.iter().any(|(id, _)| id == d) {
                let r = format!("dataset-{}", dataset_refs.len() + 1);
                dataset_refs.push((d.clone(), r.clone()));
                components.push(Component {
                    kind: "data",
                    bom_ref: r,
                    name: d.clone(),
                    external_references: hub_dataset_url(d)
                        .map(|url| vec![ExternalReference { kind: "website", url, comment: None }])
                        .unwrap_or_default(),
                    data: vec![serde_json::json!({ "type": "dataset", "name": d })],
                    ..Component::default()
                });
            }
        }
    }
    let mut model_refs = Vec::new();
    for (i, m) in report.models.iter().enumerate() {
        let r = format!("model-{}", i + 1);
        model_refs.push(r.clone());
        components.push(model(report, m, r, &dataset_refs, options));
    }
    let scanned = if options.scanned.is_empty() { "scan".to_string() } else { options.scanned.join(", ") };
    let mut metadata_properties: Vec<Property> =
        report.policy.iter().map(|p| Property { name: "modelgate:policy".into(), value: p.clone() }).collect();
    if let Some(c) = &report.config {
        metadata_properties.push(Property { name: "modelgate:config".into(), value: c.clone() });
    }
    let s = &report.summary;
    for (name, n) in [
        ("models", s.models),
        ("errors", s.errors),
        ("warnings", s.warnings),
        ("notes", s.notes),
        ("closed-api-models", s.lock_in.closed_api_models),
        ("closed-api-percent", s.lock_in.closed_api_percent),
    ] {
        metadata_properties.push(Property { name: format!("modelgate:summary:{name}"), value: n.to_string() });
    }
    let mut bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: options.generated.clone(),
            tools: Tools {
                components: vec![Component {
                    kind: "application",
                    name: report.tool.name.to_string(),
                    version: Some(report.tool.version.to_string()),
                    ..Component::default()
                }],
            },
            component: Component {
                kind: "application",
                bom_ref: "scan".into(),
                name: scanned,
                description: Some("What modelgate scanned; it depends on every model found.".into()),
                ..Component::default()
            },
            properties: metadata_properties,
        },
        dependencies: vec![Dependency { reference: "scan".into(), depends_on: model_refs }],
        components,
    };
    bom.serial_number = serial(&bom);
    bom
}

/// A UUID from the BOM's content and time: the same scan at the same `SOURCE_DATE_EPOCH`
/// gives the same serial number; any other scan or time, another.
fn serial(bom: &Bom) -> String {
    let digest = Sha256::digest(serde_json::to_vec(bom).unwrap_or_default());
    let mut b = [0u8; 16];
    b.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    b[6] = (b[6] & 0x0f) | 0x80; // version 8: custom (RFC 9562)
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

fn dataset(d: &DatasetReport, bom_ref: String, options: &RenderOptions) -> Component {
    let mut refs = Vec::new();
    if matches!(d.source, Source::Hub | Source::HfCache)
        && let Some(url) = hub_dataset_url(&d.id)
    {
        refs.push(ExternalReference { kind: "website", url, comment: None });
    }
    refs.extend(licence_references(&d.licence, options));
    Component {
        kind: "data",
        bom_ref,
        name: d.id.clone(),
        version: d.revision.clone(),
        licenses: licences(&d.licence),
        external_references: refs,
        data: vec![serde_json::json!({ "type": "dataset", "name": d.id })],
        properties: vec![
            Property { name: "modelgate:location".into(), value: d.location.clone() },
            Property { name: "modelgate:licence:category".into(), value: d.licence.category.to_string() },
        ],
        ..Component::default()
    }
}

fn model(
    report: &Report,
    m: &ModelReport,
    bom_ref: String,
    datasets: &[(String, String)],
    options: &RenderOptions,
) -> Component {
    let (group, name) = match m.id.split_once('/') {
        Some((g, n)) if hub_id(m).is_some() && !g.is_empty() && !n.is_empty() => (Some(g.to_string()), n.to_string()),
        _ => (None, m.id.clone()),
    };
    let mut refs = Vec::new();
    if let Some(id) = hub_id(m) {
        refs.push(ExternalReference {
            kind: "model-card",
            url: format!("https://huggingface.co/{id}"),
            comment: Some("Hugging Face Hub".into()),
        });
    }
    if let Some(card) = &m.card {
        refs.push(ExternalReference {
            kind: "model-card",
            url: uri(&options.path_prefix, &card.file),
            comment: Some("model card, relative to the scanned directory".into()),
        });
    }
    refs.extend(licence_references(&m.licence, options));
    let weights: Vec<Component> = m
        .weights
        .iter()
        .enumerate()
        .map(|(k, w)| Component {
            kind: "file",
            bom_ref: format!("{bom_ref}/file-{}", k + 1),
            name: w.file.clone(),
            hashes: w.sha256.iter().map(|h| Hash { alg: "SHA-256", content: h.clone() }).collect(),
            properties: vec![
                Property { name: "modelgate:weights:format".into(), value: w.format.to_string() },
                Property { name: "modelgate:weights:bytes".into(), value: w.bytes.to_string() },
            ],
            ..Component::default()
        })
        .collect();
    let ancestors: Vec<Component> = m
        .lineage
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let licenses = b.licence.as_deref().and_then(review::catalogue_entry_by_id).map(|l| {
                licence_choice(&[LicencePart {
                    id: l.id.clone(),
                    spdx: l.spdx.clone(),
                    name: l.name.clone(),
                    category: l.category,
                    evidence: Vec::new(),
                }])
            });
            Component {
                kind: "machine-learning-model",
                bom_ref: format!("{bom_ref}/base-{}", k + 1),
                name: b.id.clone(),
                licenses: licenses.flatten(),
                properties: b
                    .category
                    .map(|c| vec![Property { name: "modelgate:licence:category".into(), value: c.to_string() }])
                    .unwrap_or_default(),
                ..Component::default()
            }
        })
        .collect();
    Component {
        kind: "machine-learning-model",
        bom_ref: bom_ref.clone(),
        group,
        name,
        version: m.revision.clone(),
        hashes: match m.weights.as_slice() {
            [only] => only.sha256.iter().map(|h| Hash { alg: "SHA-256", content: h.clone() }).collect(),
            _ => Vec::new(),
        },
        licenses: licences(&m.licence),
        purl: hub_id(m).map(|id| format!("pkg:huggingface/{}", id.to_ascii_lowercase()) + &revision_suffix(m)),
        pedigree: (!ancestors.is_empty()).then_some(Pedigree { ancestors }),
        external_references: refs,
        components: weights,
        model_card: Some(model_card(m, &bom_ref, datasets)),
        properties: model_properties(report, m).into_iter().map(|(name, value)| Property { name, value }).collect(),
        ..Component::default()
    }
}

fn revision_suffix(m: &ModelReport) -> String {
    m.revision
        .as_ref()
        .filter(|r| r.chars().all(|c| c.is_ascii_alphanumeric()))
        .map_or(String::new(), |r| format!("@{r}"))
}

fn model_card(m: &ModelReport, bom_ref: &str, datasets: &[(String, String)]) -> Value {
    let meta = m.card.as_ref().map(|c| c.metadata.to_value()).unwrap_or(Value::Null);
    let mut params = serde_json::Map::new();
    if let Some(task) = meta.get("pipeline_tag").and_then(Value::as_str) {
        params.insert("task".into(), task.into());
    }
    let family = m.model_type.clone().or_else(|| gguf_architecture(m));
    if let Some(f) = family {
        params.insert("architectureFamily".into(), f.into());
    }
    if let Some(a) = m.architectures.first() {
        params.insert("modelArchitecture".into(), a.clone().into());
    }
    let refs: Vec<Value> = m
        .datasets
        .iter()
        .filter_map(|d| datasets.iter().find(|(id, _)| id == d))
        .map(|(_, r)| serde_json::json!({ "ref": r }))
        .collect();
    if !refs.is_empty() {
        params.insert("datasets".into(), refs.into());
    }
    let mut card = serde_json::Map::new();
    card.insert("bom-ref".into(), format!("{bom_ref}/model-card").into());
    if !params.is_empty() {
        card.insert("modelParameters".into(), params.into());
    }
    let metrics: Vec<Value> = model_index_metrics(&meta)
        .into_iter()
        .map(|(kind, value, slice)| {
            let mut v = serde_json::json!({ "type": kind, "value": value });
            if let Some(s) = slice {
                v["slice"] = s.into();
            }
            v
        })
        .collect();
    if !metrics.is_empty() {
        card.insert("quantitativeAnalysis".into(), serde_json::json!({ "performanceMetrics": metrics }));
    }
    let mut considerations = serde_json::Map::new();
    let use_cases = excerpts(m, &[SectionKind::IntendedUse]);
    if !use_cases.is_empty() {
        considerations.insert("useCases".into(), use_cases.into());
    }
    let mut limits = excerpts(m, &[SectionKind::Limitations]);
    limits.extend(excerpts(m, &[SectionKind::OutOfScope]).into_iter().map(|x| format!("Out of scope: {x}")));
    if !limits.is_empty() {
        considerations.insert("technicalLimitations".into(), limits.into());
    }
    if !considerations.is_empty() {
        card.insert("considerations".into(), considerations.into());
    }
    Value::Object(card)
}

/// `model-index[].results[].metrics[]` of a card: type, value, and the dataset as the slice
/// (at most 100).
pub(super) fn model_index_metrics(meta: &Value) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for entry in meta.get("model-index").and_then(Value::as_array).into_iter().flatten() {
        for result in entry.get("results").and_then(Value::as_array).into_iter().flatten() {
            let slice =
                result.get("dataset").and_then(|d| d.get("name").or_else(|| d.get("type"))).and_then(Value::as_str);
            for metric in result.get("metrics").and_then(Value::as_array).into_iter().flatten() {
                let Some(kind) = metric.get("type").and_then(Value::as_str) else { continue };
                let value = match metric.get("value") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(Value::Bool(b)) => b.to_string(),
                    _ => continue,
                };
                out.push((kind.to_string(), value, slice.map(String::from)));
                if out.len() >= 100 {
                    return out;
                }
            }
        }
    }
    out
}

/// The excerpts of a card's sections of these kinds.
pub(super) fn excerpts(m: &ModelReport, kinds: &[SectionKind]) -> Vec<String> {
    m.card
        .iter()
        .flat_map(|c| &c.sections)
        .filter(|s| s.kinds.iter().any(|k| kinds.contains(k)))
        .filter_map(|s| s.excerpt.clone())
        .collect()
}

/// GGUF `general.architecture` of the first weight file that states one.
pub(super) fn gguf_architecture(m: &ModelReport) -> Option<String> {
    m.weights
        .iter()
        .find_map(|w| w.header.metadata.get("general.architecture").and_then(Value::as_str).map(String::from))
}

/// The Hub repository a model is, when it is one: a Hub or cache record, or a Hub id that code
/// or an inventory names (not a hosted API model, not an Ollama name).
pub(super) fn hub_id(m: &ModelReport) -> Option<&str> {
    let id = m.id.as_str();
    let shaped = id.split('/').count() == 2
        && id.split('/').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
    let hub_source = match m.source {
        Source::Hub | Source::HfCache => true,
        Source::CodeReference | Source::Inventory => m.vendor.is_none() && !id.starts_with("library/"),
        Source::Repository | Source::Ollama | Source::Mof => false,
    };
    (shaped && hub_source).then_some(id)
}

fn hub_dataset_url(id: &str) -> Option<String> {
    let id = id.strip_prefix("datasets/").unwrap_or(id);
    let shaped = !id.is_empty()
        && id.split('/').count() <= 2
        && id.split('/').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
    shaped.then(|| format!("https://huggingface.co/datasets/{id}"))
}

/// The catalogue's text URL of each part, and the licence files found.
fn licence_references(l: &LicenceReport, options: &RenderOptions) -> Vec<ExternalReference> {
    let mut out: Vec<ExternalReference> = Vec::new();
    for p in &l.parts {
        if let Some(url) = review::catalogue_entry(&p.id, &p.spdx).and_then(|e| e.url()).and_then(review::safe_url)
            && !out.iter().any(|r| r.url == url)
        {
            out.push(ExternalReference { kind: "license", url, comment: Some(format!("text of {}", p.id)) });
        }
    }
    for e in l.evidence.iter().filter(|e| e.kind == EvidenceKind::LicenceFile) {
        let url = uri(&options.path_prefix, &e.file);
        if !out.iter().any(|r| r.url == url) {
            out.push(ExternalReference {
                kind: "license",
                url,
                comment: Some("licence file found in the scan".into()),
            });
        }
    }
    out
}

/// The `licenses` of a component, `None` when no licence was found.
fn licences(l: &LicenceReport) -> Option<Value> {
    if l.parts.len() > 1 && spdx::Expression::parse(&l.spdx).is_ok() {
        return Some(serde_json::json!([{ "expression": l.spdx, "acknowledgement": "concluded" }]));
    }
    licence_choice(&l.parts)
}

/// One part: `{license: {id}}` for an SPDX-list id, else `{license: {name}}`; several parts:
/// one `{expression}` when the SPDX expression parses, else the list of parts.
fn licence_choice(parts: &[LicencePart]) -> Option<Value> {
    let entry = |p: &LicencePart| {
        let mut lic = serde_json::Map::new();
        if spdx::license_id(&p.spdx).is_some() {
            lic.insert("id".into(), p.spdx.clone().into());
        } else {
            lic.insert("name".into(), if p.name.is_empty() { p.id.clone() } else { p.name.clone() }.into());
        }
        lic.insert("acknowledgement".into(), "concluded".into());
        if let Some(url) = review::catalogue_entry(&p.id, &p.spdx).and_then(|e| e.url()).and_then(review::safe_url) {
            lic.insert("url".into(), url.into());
        }
        serde_json::json!({ "license": lic })
    };
    match parts {
        [] => None,
        [one] => Some(Value::Array(vec![entry(one)])),
        several => {
            let combined = spdx_expression(several);
            match combined {
                Some(expr) => Some(serde_json::json!([{ "expression": expr, "acknowledgement": "concluded" }])),
                None => Some(Value::Array(several.iter().map(entry).collect())),
            }
        }
    }
}

/// The parts' SPDX ids joined with AND, when every id is an SPDX id or a valid `LicenseRef-`.
fn spdx_expression(parts: &[LicencePart]) -> Option<String> {
    let ids: Vec<&str> = parts.iter().map(|p| p.spdx.as_str()).collect();
    let expr = ids.join(" AND ");
    spdx::Expression::parse(&expr).ok().map(|_| expr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Category;

    fn part(id: &str, spdx: &str) -> LicencePart {
        LicencePart {
            id: id.into(),
            spdx: spdx.into(),
            name: id.into(),
            category: Category::Permissive,
            evidence: vec![],
        }
    }

    #[test]
    fn licences_are_an_id_a_name_or_one_expression() {
        let one = licence_choice(&[part("mit", "MIT")]).unwrap();
        assert_eq!(one[0]["license"]["id"], "MIT");
        let named = licence_choice(&[part("acme", "LicenseRef-acme")]).unwrap();
        assert_eq!(named[0]["license"]["name"], "acme");
        assert!(named[0]["license"].get("id").is_none());
        let two = licence_choice(&[part("mit", "MIT"), part("llama3.1", "LicenseRef-llama3.1")]).unwrap();
        assert_eq!(two.as_array().unwrap().len(), 1);
        assert_eq!(two[0]["expression"], "MIT AND LicenseRef-llama3.1");
        let bad = licence_choice(&[part("mit", "MIT"), part("x", "not an id")]).unwrap();
        assert_eq!(bad.as_array().unwrap().len(), 2, "an unparsable expression falls back to the list");
        assert!(bad.as_array().unwrap().iter().all(|e| e.get("expression").is_none()));
    }
}
