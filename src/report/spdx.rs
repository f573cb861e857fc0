//! SPDX 3.0.1 JSON-LD with the AI and Dataset profiles.
//!
//! One `SpdxDocument` whose root is a `software_Sbom` of the models found. Each model is an
//! `ai_AIPackage` (`software_primaryPurpose: model`; `ai_typeOfModel` from `config.json` or the
//! GGUF header; `ai_informationAboutApplication`, `ai_limitation`, `ai_informationAboutTraining`
//! from the card's sections; `ai_metric` from its `model-index`); its licences are
//! `simplelicensing_LicenseExpression` elements linked by `hasConcludedLicense` (what modelgate
//! concluded from all evidence) and `hasDeclaredLicense` (what the card or weight header
//! declares). Datasets are `dataset_DatasetPackage`s (`trainedOn` from the card's `datasets:`);
//! base models are `ai_AIPackage`s linked by `ancestorOf`; weight files are `software_File`s the
//! package `contains`, with a SHA-256 `verifiedUsing` under `--hash`. `ai_safetyRiskAssessment`
//! is left out: no file modelgate reads states one, and it is not guessed.
//!
//! What SPDX has no property for (use restrictions, thresholds, territories, openness,
//! findings) goes in an `extension_CdxPropertiesExtension` with the same `modelgate:…` names as
//! the CycloneDX properties.

use std::{collections::BTreeMap, io};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{
    LicenceReport, ModelReport, RenderOptions, Report,
    cyclonedx::{excerpts, gguf_architecture, hub_id, model_index_metrics, model_properties},
    review,
};
use crate::vocab::{EvidenceKind, SectionKind};

const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
const CREATION: &str = "_:creationinfo";

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    let doc = document(report, options);
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Collects the graph: elements keyed by their id, so a licence expression or an organisation
/// met twice is written once.
struct Graph {
    ns: String,
    elements: Vec<Value>,
    ids: BTreeMap<String, String>,
    relationships: usize,
}

impl Graph {
    fn iri(&self, local: &str) -> String {
        format!("{}{local}", self.ns)
    }

    fn push(&mut self, mut element: Value) -> String {
        element["creationInfo"] = CREATION.into();
        let id = element["spdxId"].as_str().unwrap_or_default().to_string();
        self.elements.push(element);
        id
    }

    /// The element for a key, made by `make` the first time.
    fn once(&mut self, key: String, make: impl FnOnce(&Graph) -> Value) -> String {
        if let Some(id) = self.ids.get(&key) {
            return id.clone();
        }
        let element = make(self);
        let id = self.push(element);
        self.ids.insert(key, id.clone());
        id
    }

    fn relate(&mut self, from: &str, kind: &str, to: Vec<String>) {
        if to.is_empty() {
            return;
        }
        self.relationships += 1;
        let spdx_id = self.iri(&format!("relationship-{}", self.relationships));
        self.push(json!({
            "type": "Relationship",
            "spdxId": spdx_id,
            "from": from,
            "relationshipType": kind,
            "to": to,
        }));
    }

    fn licence(&mut self, expression: &str, customs: Vec<(String, String)>) -> String {
        let local = format!("licence-{}", short_hash(expression));
        self.once(format!("licence:{expression}"), |g| {
            let mut e = json!({
                "type": "simplelicensing_LicenseExpression",
                "spdxId": g.iri(&local),
                "simplelicensing_licenseExpression": expression,
            });
            if !customs.is_empty() {
                e["simplelicensing_customIdToUri"] = customs
                    .into_iter()
                    .map(|(k, v)| json!({ "type": "DictionaryEntry", "key": k, "value": v }))
                    .collect::<Vec<_>>()
                    .into();
            }
            e
        })
    }

    fn organisation(&mut self, name: &str) -> String {
        let local = format!("organization-{}", short_hash(name));
        self.once(format!("org:{name}"), |g| json!({ "type": "Organization", "spdxId": g.iri(&local), "name": name }))
    }
}

fn short_hash(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn document(report: &Report, options: &RenderOptions) -> Value {
    let created = if options.generated.is_empty() { "1970-01-01T00:00:00Z" } else { options.generated.as_str() };
    // The namespace: a UUID from the JSON report and the time, so the same scan at the same
    // SOURCE_DATE_EPOCH gives the same ids.
    let seed = Sha256::digest([serde_json::to_vec(report).unwrap_or_default(), created.as_bytes().to_vec()].concat());
    let h: String = seed.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let ns = format!("urn:modelgate:{}-{}-{}-{}-{}:", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]);
    let mut g = Graph { ns, elements: Vec::new(), ids: BTreeMap::new(), relationships: 0 };

    let agent = g.push(json!({
        "type": "SoftwareAgent",
        "spdxId": g.iri("agent-modelgate"),
        "name": format!("{} {}", report.tool.name, report.tool.version),
    }));
    let tool = g.push(json!({
        "type": "Tool",
        "spdxId": g.iri("tool-modelgate"),
        "name": report.tool.name,
        "comment": format!("version {}", report.tool.version),
    }));

    // Datasets found in the scan.
    let mut datasets: BTreeMap<String, String> = BTreeMap::new();
    for (i, d) in report.datasets.iter().enumerate() {
        let mut e = json!({
            "type": "dataset_DatasetPackage",
            "spdxId": g.iri(&format!("dataset-{}", i + 1)),
            "name": d.id,
            "software_primaryPurpose": "data",
            "dataset_datasetType": ["noAssertion"],
            "comment": format!("found at {}", d.location),
        });
        if let Some(r) = &d.revision {
            e["software_packageVersion"] = r.clone().into();
        }
        let id = g.push(e);
        datasets.insert(d.id.clone(), id.clone());
        if let Some(l) = concluded(&mut g, &d.licence) {
            g.relate(&id, "hasConcludedLicense", vec![l]);
        }
    }

    let mut models: Vec<String> = Vec::new();
    let mut by_name: BTreeMap<&str, String> = BTreeMap::new();
    for (i, m) in report.models.iter().enumerate() {
        let id = g.iri(&format!("model-{}", i + 1));
        by_name.entry(m.id.as_str()).or_insert_with(|| id.clone());
        models.push(id);
    }
    for (i, m) in report.models.iter().enumerate() {
        let id = models[i].clone();
        let package = ai_package(&mut g, report, m, &id);
        g.push(package);
        if let Some(l) = concluded(&mut g, &m.licence) {
            g.relate(&id, "hasConcludedLicense", vec![l]);
        }
        if let Some(l) = declared(&mut g, &m.licence) {
            g.relate(&id, "hasDeclaredLicense", vec![l]);
        }
        // Datasets the card names.
        let mut trained = Vec::new();
        for d in &m.datasets {
            let dataset = match datasets.get(d) {
                Some(x) => x.clone(),
                None => {
                    let n = datasets.len() + 1;
                    let x = g.push(json!({
                        "type": "dataset_DatasetPackage",
                        "spdxId": g.iri(&format!("dataset-{n}")),
                        "name": d,
                        "software_primaryPurpose": "data",
                        "dataset_datasetType": ["noAssertion"],
                    }));
                    datasets.insert(d.clone(), x.clone());
                    x
                }
            };
            trained.push(dataset);
        }
        g.relate(&id, "trainedOn", trained);
        // Weight files.
        let mut files = Vec::new();
        for (k, w) in m.weights.iter().enumerate() {
            let mut f = json!({
                "type": "software_File",
                "spdxId": g.iri(&format!("model-{}-file-{}", i + 1, k + 1)),
                "name": w.file,
                "software_primaryPurpose": "model",
                "comment": format!("{} weights, {} bytes", w.format, w.bytes),
            });
            if let Some(h) = &w.sha256 {
                f["verifiedUsing"] = json!([{ "type": "Hash", "algorithm": "sha256", "hashValue": h }]);
            }
            files.push(g.push(f));
        }
        g.relate(&id, "contains", files);
        // Base models: the scan's own record when it has one, else a package with the name.
        for (k, b) in m.lineage.iter().enumerate() {
            let base = match by_name.get(b.id.as_str()) {
                Some(x) if *x != id => x.clone(),
                _ => {
                    let x = g.push(json!({
                        "type": "ai_AIPackage",
                        "spdxId": g.iri(&format!("model-{}-base-{}", i + 1, k + 1)),
                        "name": b.id,
                        "software_primaryPurpose": "model",
                    }));
                    if let Some(l) = b.licence.as_deref().and_then(review::catalogue_entry_by_id) {
                        let customs = custom_uris(&[(&l.id, &l.spdx)]);
                        let expr = g.licence(&l.spdx, customs);
                        g.relate(&x, "hasConcludedLicense", vec![expr]);
                    }
                    x
                }
            };
            g.relate(&base, "ancestorOf", vec![id.clone()]);
        }
    }

    let data_licence = g.licence("CC0-1.0", Vec::new());
    let name = if options.scanned.is_empty() { "the scan".to_string() } else { options.scanned.join(", ") };
    let mut sbom = json!({
        "type": "software_Sbom",
        "spdxId": g.iri("sbom"),
        "name": format!("AI models in {name}"),
        "software_sbomType": ["analyzed"],
    });
    // Every element but the agent (which the CreationInfo names).
    let mut all: Vec<Value> = g
        .elements
        .iter()
        .filter_map(|e| e["spdxId"].as_str())
        .filter(|id| *id != agent)
        .map(|id| Value::String(id.to_string()))
        .collect();
    sbom["element"] = all.clone().into();
    if !models.is_empty() {
        sbom["rootElement"] = models.into();
    }
    let sbom = g.push(sbom);
    all.push(sbom.clone().into());
    let doc = json!({
        "type": "SpdxDocument",
        "spdxId": g.iri("document"),
        "creationInfo": CREATION,
        "name": format!("modelgate scan of {name}"),
        "dataLicense": data_licence,
        "rootElement": [sbom],
        "element": all,
    });
    let mut graph = vec![json!({
        "type": "CreationInfo",
        "@id": CREATION,
        "specVersion": "3.0.1",
        "created": created,
        "createdBy": [agent],
        "createdUsing": [tool],
    })];
    graph.append(&mut g.elements);
    graph.push(doc);
    json!({ "@context": CONTEXT, "@graph": graph })
}

fn ai_package(g: &mut Graph, report: &Report, m: &ModelReport, id: &str) -> Value {
    let mut p = Map::new();
    p.insert("type".into(), "ai_AIPackage".into());
    p.insert("spdxId".into(), id.into());
    p.insert("name".into(), m.id.clone().into());
    p.insert("software_primaryPurpose".into(), "model".into());
    if let Some(r) = &m.revision {
        p.insert("software_packageVersion".into(), r.clone().into());
    }
    if let Some(hub) = hub_id(m) {
        p.insert("software_downloadLocation".into(), format!("https://huggingface.co/{hub}").into());
        p.insert("software_packageUrl".into(), format!("pkg:huggingface/{}", hub.to_ascii_lowercase()).into());
        if let Some((owner, _)) = hub.split_once('/') {
            let org = g.organisation(owner);
            p.insert("suppliedBy".into(), org.into());
        }
    } else if let Some(vendor) = &m.vendor {
        let org = g.organisation(vendor);
        p.insert("suppliedBy".into(), org.into());
    }
    let mut types: Vec<String> = Vec::new();
    types.extend(m.model_type.clone());
    types.extend(m.architectures.iter().cloned());
    types.extend(gguf_architecture(m));
    types.dedup();
    if !types.is_empty() {
        p.insert("ai_typeOfModel".into(), types.into());
    }
    let text = |kinds: &[SectionKind]| {
        let all = excerpts(m, kinds);
        (!all.is_empty()).then(|| Value::String(all.join("\n\n")))
    };
    if let Some(t) = text(&[SectionKind::IntendedUse]) {
        p.insert("ai_informationAboutApplication".into(), t);
    }
    if let Some(t) = text(&[SectionKind::Limitations, SectionKind::OutOfScope]) {
        p.insert("ai_limitation".into(), t);
    }
    if let Some(t) = text(&[SectionKind::TrainingData]) {
        p.insert("ai_informationAboutTraining".into(), t);
    }
    let meta = m.card.as_ref().map(|c| c.metadata.to_value()).unwrap_or(Value::Null);
    let metrics: Vec<Value> = model_index_metrics(&meta)
        .into_iter()
        .map(|(kind, value, slice)| {
            let key = slice.map_or_else(|| kind.clone(), |s| format!("{kind} ({s})"));
            json!({ "type": "DictionaryEntry", "key": key, "value": value })
        })
        .collect();
    if !metrics.is_empty() {
        p.insert("ai_metric".into(), metrics.into());
    }
    p.insert(
        "comment".into(),
        format!(
            "Openness: weights {}, data {}, code {}; MOF class {}. Found at {} ({}).",
            m.openness.weights,
            m.openness.data,
            m.openness.code,
            m.openness.mof_class.map_or("unclassified".to_string(), |c| c.to_string()),
            m.location,
            m.source
        )
        .into(),
    );
    let properties: Vec<Value> = model_properties(report, m)
        .into_iter()
        .map(|(name, value)| {
            json!({ "type": "extension_CdxPropertyEntry", "extension_cdxPropName": name, "extension_cdxPropValue": value })
        })
        .collect();
    p.insert(
        "extension".into(),
        json!([{ "type": "extension_CdxPropertiesExtension", "extension_cdxProperty": properties }]),
    );
    Value::Object(p)
}

/// `LicenseRef-` ids of licence parts mapped to the catalogue's text URL.
fn custom_uris(parts: &[(&str, &str)]) -> Vec<(String, String)> {
    parts
        .iter()
        .filter(|(_, spdx)| spdx.starts_with("LicenseRef-"))
        .filter_map(|(id, spdx)| {
            review::catalogue_entry(id, spdx)
                .and_then(|l| l.url())
                .and_then(review::safe_url)
                .map(|url| (spdx.to_string(), url))
        })
        .collect()
}

/// The concluded licence expression, when one was found and it parses as SPDX.
fn concluded(g: &mut Graph, l: &LicenceReport) -> Option<String> {
    if l.parts.is_empty() || spdx::Expression::parse(&l.spdx).is_err() {
        return None;
    }
    let parts: Vec<(&str, &str)> = l.parts.iter().map(|p| (p.id.as_str(), p.spdx.as_str())).collect();
    let customs = custom_uris(&parts);
    Some(g.licence(&l.spdx, customs))
}

/// The licence the card or a weight header declares: its parts with such evidence, joined
/// with AND.
fn declared(g: &mut Graph, l: &LicenceReport) -> Option<String> {
    let declaring = |k: EvidenceKind| {
        matches!(
            k,
            EvidenceKind::CardLicense
                | EvidenceKind::CardLicenseName
                | EvidenceKind::CardLicenseLink
                | EvidenceKind::WeightsMetadata
        )
    };
    let parts: Vec<(&str, &str)> = l
        .parts
        .iter()
        .filter(|p| p.evidence.iter().any(|e| declaring(e.kind)))
        .map(|p| (p.id.as_str(), p.spdx.as_str()))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let expression = if parts.len() == l.parts.len() {
        l.spdx.clone()
    } else {
        parts.iter().map(|(_, s)| *s).collect::<Vec<_>>().join(" AND ")
    };
    spdx::Expression::parse(&expression).ok()?;
    let customs = custom_uris(&parts);
    Some(g.licence(&expression, customs))
}
