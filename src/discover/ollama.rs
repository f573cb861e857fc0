//! An Ollama store (`--ollama [DIR]`): one model per manifest under
//! `manifests/<registry>/<namespace>/<model>/<tag>`, named `namespace/model:tag`
//! (`library/llama3.2:3b`; the registry is kept in front when it is not `registry.ollama.ai`).
//!
//! A manifest lists layers by media type and digest; the blobs live in `blobs/sha256-<hex>`. The
//! licence layers (`application/vnd.ollama.image.license`) become licence texts, the model,
//! adapter and projector layers weight files, the config blob a model config. The model layer's
//! GGUF header is read for `general.license*` and `general.name` only, with a small bounded
//! reader (a full GGUF reader belongs to the weights parser). Blobs are used only when they sit
//! inside the store.

use std::{
    fs::{self, File},
    io::{self, BufReader, Read},
    path::{Path, PathBuf},
};

use serde::Deserialize;

use super::{StoreError, Stored, display_path, list_store, resolve_inside};
use crate::{
    model::{
        Artifact, ArtifactKind, Entry, Evidence, ModelConfig, Parsed, Problem, ProblemKind, Provenance, WeightFile,
    },
    providers,
    vocab::{EvidenceKind, Source, WeightFormat},
};

const LICENSE: &str = "application/vnd.ollama.image.license";
const MODEL: &str = "application/vnd.ollama.image.model";
const WEIGHT_LAYERS: [&str; 3] =
    [MODEL, "application/vnd.ollama.image.adapter", "application/vnd.ollama.image.projector"];
/// Largest manifest or config blob read.
const MAX_JSON: u64 = 1 << 20;
/// Most manifests read from one store.
const MAX_MANIFESTS: usize = 100_000;
/// The registry whose name Ollama leaves out.
const DEFAULT_REGISTRY: &str = "registry.ollama.ai";

/// `OLLAMA_MODELS`, else `~/.ollama/models`.
pub fn default_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("OLLAMA_MODELS")
        .or_else(|| var("HOME").or_else(|| var("USERPROFILE")).map(|h| h.join(".ollama").join("models")))
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    config: Option<Layer>,
    #[serde(default)]
    layers: Vec<Layer>,
}

#[derive(Deserialize)]
struct Layer {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    #[serde(default)]
    digest: String,
    #[serde(default)]
    size: u64,
}

#[derive(Deserialize)]
struct ConfigBlob {
    #[serde(default)]
    model_family: Option<String>,
    #[serde(default)]
    model_families: Option<Vec<String>>,
}

/// Reads every manifest of a store (or of the `models/` folder of an `~/.ollama` given instead).
pub fn scan(dir: &Path) -> Result<Stored, StoreError> {
    scan_at(dir, true)
}

fn scan_at(dir: &Path, descend: bool) -> Result<Stored, StoreError> {
    let top = list_store(dir)?;
    let shown = display_path(dir);
    let is_store = |names: &[(String, PathBuf)]| names.iter().any(|(n, _)| n == "manifests" || n == "blobs");
    // `~/.ollama` given instead of `~/.ollama/models`.
    if descend && !is_store(&top) && top.iter().any(|(n, p)| n == "models" && p.is_dir()) {
        return scan_at(&dir.join("models"), false);
    }
    if !is_store(&top) {
        return Err(StoreError::Invalid(format!(
            "`{shown}` is not an Ollama store: it has no `manifests/` or `blobs/` folder"
        )));
    }
    let canonical = dir.canonicalize().map_err(|source| StoreError::Io { path: shown.clone(), source })?;
    let mut out = Stored::default();
    let mut manifests = Vec::new();
    list_manifests(&dir.join("manifests"), &mut Vec::new(), &mut manifests);
    manifests.sort();
    for parts in manifests {
        let [registry, namespace, model, tag] = [&parts[0], &parts[1], &parts[2], &parts[3]];
        let path = dir.join("manifests").join(registry).join(namespace).join(model).join(tag);
        let location = format!("{shown}/manifests/{registry}/{namespace}/{model}/{tag}");
        let name = if registry == DEFAULT_REGISTRY {
            format!("{namespace}/{model}:{tag}")
        } else {
            format!("{registry}/{namespace}/{model}:{tag}")
        };
        let id = providers::ollama_name(&name).unwrap_or(name);
        match read_json::<Manifest>(&path) {
            Ok(manifest) => {
                out.entries.push(entry(dir, &canonical, &shown, id, location, &manifest, &mut out.problems))
            }
            Err(e) => out.problems.push(Problem {
                kind: ProblemKind::Io,
                file: location,
                message: format!("not a readable Ollama manifest: {e}"),
            }),
        }
    }
    Ok(out)
}

fn entry(
    dir: &Path,
    canonical: &Path,
    shown: &str,
    id: String,
    location: String,
    manifest: &Manifest,
    problems: &mut Vec<Problem>,
) -> Entry {
    let mut e = Entry {
        id,
        source: Source::Ollama,
        dataset: false,
        location,
        provenance: Provenance { sources: vec![Source::Ollama], ..Default::default() },
        artifacts: Vec::new(),
        known: Vec::new(),
    };
    let blob = |digest: &str, problems: &mut Vec<Problem>| -> Option<(PathBuf, String)> {
        let file = digest.replace(':', "-");
        if file.is_empty() || file.contains(['/', '\\']) || file.starts_with('.') {
            return None;
        }
        let rel = format!("{shown}/blobs/{file}");
        let path = [dir.join("blobs").join(&file), dir.join("blobs").join(digest)].into_iter().find(|p| p.exists());
        let Some(path) = path else {
            problems.push(Problem {
                kind: ProblemKind::Io,
                file: rel,
                message: format!("the manifest names blob {digest}, which is missing from the store"),
            });
            return None;
        };
        match resolve_inside(&path, &rel, canonical) {
            Ok(target) => Some((target, rel)),
            Err(p) => {
                problems.push(p);
                None
            }
        }
    };
    for layer in &manifest.layers {
        let media = layer.media_type.as_str();
        if media == LICENSE {
            if let Some((path, rel)) = blob(&layer.digest, problems) {
                let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(layer.size);
                e.artifacts.push(Artifact { path, rel, kind: ArtifactKind::LicenceText, size });
            }
        } else if WEIGHT_LAYERS.contains(&media) {
            let Some((path, rel)) = blob(&layer.digest, problems) else { continue };
            let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(layer.size);
            if media == MODEL {
                e.provenance.revision.get_or_insert_with(|| layer.digest.clone());
                let keys = gguf_licence_keys(&path);
                let get = |k: &str| keys.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string());
                // `general.license: other` names the licence in `general.license.name`.
                let declared = get("general.license")
                    .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("other"))
                    .or_else(|| get("general.license.name").filter(|v| !v.is_empty()));
                if let Some(value) = declared {
                    e.provenance.declared_licences.push(Evidence {
                        file: rel.clone(),
                        line: None,
                        kind: EvidenceKind::WeightsMetadata,
                        value: Some(value),
                    });
                }
            }
            e.known.push(Parsed::Weights(WeightFile { file: rel, format: WeightFormat::Gguf, bytes: size }));
        }
    }
    if let Some(config) = &manifest.config
        && let Some((path, rel)) = blob(&config.digest, problems)
        && let Ok(c) = read_json::<ConfigBlob>(&path)
        && (c.model_family.is_some() || c.model_families.is_some())
    {
        e.known.push(Parsed::Config(ModelConfig {
            file: rel,
            model_type: c.model_family,
            architectures: c.model_families.unwrap_or_default(),
        }));
    }
    e
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> io::Result<T> {
    let mut bytes = Vec::new();
    File::open(path)?.take(MAX_JSON).read_to_end(&mut bytes)?;
    serde_json::from_slice(&bytes).map_err(io::Error::other)
}

/// Manifest files exactly four levels below `manifests/`: registry, namespace, model, tag.
fn list_manifests(dir: &Path, parts: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if out.len() >= MAX_MANIFESTS {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.filter_map(Result::ok) {
        let Ok(t) = e.file_type() else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        parts.push(name);
        if parts.len() == 4 && t.is_file() {
            out.push(parts.clone());
        } else if parts.len() < 4 && t.is_dir() {
            list_manifests(&e.path(), parts, out);
        }
        parts.pop();
    }
}

/// GGUF keys read from the model layer.
const WANTED: [&str; 4] = ["general.name", "general.license", "general.license.name", "general.license.link"];
/// Most header bytes read (tokenizer arrays of a few MB come before the end of the header).
const GGUF_BUDGET: u64 = 64 << 20;

/// `general.name` and `general.license*` string values of a GGUF v2/v3 header, read with bounds
/// on every length; whatever was found before a malformed or truncated field is kept.
fn gguf_licence_keys(path: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if let Ok(f) = File::open(path) {
        let mut r = BufReader::new(f.take(GGUF_BUDGET));
        let _ = read_gguf(&mut r, &mut found);
    }
    found
}

fn read_gguf(r: &mut impl Read, found: &mut Vec<(String, String)>) -> io::Result<()> {
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic)?;
    if &magic != b"GGUF" || !(2..=3).contains(&u32_le(r)?) {
        return Ok(());
    }
    let _tensors = u64_le(r)?;
    let kv = u64_le(r)?.min(1 << 20);
    for _ in 0..kv {
        let key = string(r, 1 << 16)?;
        let ty = u32_le(r)?;
        if ty == 8 && WANTED.contains(&key.as_str()) {
            found.push((key, string(r, 1 << 16)?));
            if found.len() == WANTED.len() {
                return Ok(());
            }
        } else {
            skip_value(r, ty, 0)?;
        }
    }
    Ok(())
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

fn u32_le(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn u64_le(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn string(r: &mut impl Read, max: u64) -> io::Result<String> {
    let len = u64_le(r)?;
    if len > max {
        return Err(invalid("string longer than the limit"));
    }
    let mut b = Vec::new();
    r.take(len).read_to_end(&mut b)?;
    if b.len() as u64 != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(String::from_utf8_lossy(&b).into_owned())
}

fn skip(r: &mut impl Read, n: u64) -> io::Result<()> {
    if io::copy(&mut r.take(n), &mut io::sink())? != n {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

/// Skips one value of GGUF type `ty` (arrays of arrays at most two deep).
fn skip_value(r: &mut impl Read, ty: u32, depth: u8) -> io::Result<()> {
    let fixed = |t: u32| match t {
        0 | 1 | 7 => Some(1u64),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    };
    match ty {
        8 => {
            let len = u64_le(r)?;
            skip(r, len)
        }
        9 if depth < 2 => {
            let elem = u32_le(r)?;
            let count = u64_le(r)?;
            match fixed(elem) {
                Some(size) => skip(r, count.checked_mul(size).ok_or_else(|| invalid("array too large"))?),
                None => (0..count).try_for_each(|_| skip_value(r, elem, depth + 1)),
            }
        }
        t => match fixed(t) {
            Some(size) => skip(r, size),
            None => Err(invalid("unknown value type")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GGUF v3 header announcing `kv` key/value pairs (and no tensors).
    fn header(kv: u64) -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        b.extend(kv.to_le_bytes());
        b
    }

    fn kv_string(out: &mut Vec<u8>, key: &str, value: &str) {
        out.extend((key.len() as u64).to_le_bytes());
        out.extend(key.as_bytes());
        out.extend(8u32.to_le_bytes());
        out.extend((value.len() as u64).to_le_bytes());
        out.extend(value.as_bytes());
    }

    #[test]
    fn gguf_header_keys_are_found_past_other_values() {
        let mut b = header(4);
        kv_string(&mut b, "general.name", "Tiny");
        // general.architecture-like u32, then a string array (tokens).
        b.extend(10u64.to_le_bytes());
        b.extend(b"tiny.ctx_x");
        b.extend(4u32.to_le_bytes());
        b.extend(2048u32.to_le_bytes());
        b.extend(12u64.to_le_bytes());
        b.extend(b"tokens.array");
        b.extend(9u32.to_le_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend(2u64.to_le_bytes());
        for t in ["<s>", "hello"] {
            b.extend((t.len() as u64).to_le_bytes());
            b.extend(t.as_bytes());
        }
        kv_string(&mut b, "general.license", "apache-2.0");
        let mut found = Vec::new();
        read_gguf(&mut b.as_slice(), &mut found).unwrap();
        assert_eq!(
            found,
            [("general.name".to_string(), "Tiny".to_string()), ("general.license".into(), "apache-2.0".into())]
        );
    }

    #[test]
    fn hostile_gguf_headers_stop_cleanly() {
        let mut found = Vec::new();
        // A key length of 2^63.
        let mut b = header(u64::MAX);
        b.extend((1u64 << 63).to_le_bytes());
        assert!(read_gguf(&mut b.as_slice(), &mut found).is_err());
        // An array claiming u64::MAX elements of 8 bytes.
        let mut b = header(1);
        b.extend(1u64.to_le_bytes());
        b.extend(b"a");
        b.extend(9u32.to_le_bytes());
        b.extend(10u32.to_le_bytes());
        b.extend(u64::MAX.to_le_bytes());
        assert!(read_gguf(&mut b.as_slice(), &mut found).is_err());
        assert!(read_gguf(&mut &b"GGU"[..], &mut found).is_err());
        assert!(read_gguf(&mut &b"PK\x03\x04xxxxxxxx"[..], &mut found).is_ok());
        assert!(found.is_empty());
    }
}
