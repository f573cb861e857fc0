//! An Ollama store (`--ollama [DIR]`): one model per manifest under
//! `manifests/<registry>/<namespace>/<model>/<tag>`, named `namespace/model:tag`
//! (`library/llama3.2:3b`; the registry is kept in front when it is not `registry.ollama.ai`).
//!
//! A manifest lists layers by media type and digest; the blobs live in `blobs/sha256-<hex>`. The
//! licence layers (`application/vnd.ollama.image.license`) become licence texts, the model,
//! adapter and projector layers weight files (GGUF, whose headers the weights parser reads, so a
//! `general.license` is licence evidence like any weight file's), the config blob a model config.
//! Blobs are used only when they sit inside the store.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use super::{StoreError, Stored, display_path, list_store, resolve_inside};
use crate::{
    files::{self, Seen},
    model::{Artifact, ArtifactKind, Entry, ModelConfig, Parsed, Problem, ProblemKind, Provenance},
    providers,
    vocab::{Source, WeightFormat},
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

/// An Ollama manifest (an OCI image manifest): the config blob and the layers.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// The config blob (model family, format).
    #[serde(default)]
    pub config: Option<Layer>,
    /// The layers: weights, adapters, projectors, licence, template, parameters.
    #[serde(default)]
    pub layers: Vec<Layer>,
}

/// One blob a manifest names.
#[derive(Debug, Deserialize)]
pub struct Layer {
    /// `application/vnd.ollama.image.*`.
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    /// `sha256:<hex>`.
    #[serde(default)]
    pub digest: String,
    /// Size in bytes, as the manifest says.
    #[serde(default)]
    pub size: u64,
}

/// Parses a manifest.
pub fn parse_manifest(bytes: &[u8]) -> serde_json::Result<Manifest> {
    serde_json::from_slice(bytes)
}

/// The file name of a blob in `blobs/` (`sha256-<hex>`), or `None` for a digest that would name
/// anything but a plain file there (a path, a hidden file, nothing).
pub fn blob_file_name(digest: &str) -> Option<String> {
    let file = digest.replace(':', "-");
    (!file.is_empty() && !file.contains(['/', '\\', '\0']) && !file.starts_with('.')).then_some(file)
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
    list_manifests(&dir.join("manifests"), &mut Vec::new(), &mut manifests, &mut out.problems, &shown);
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
                line: None,
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
        let file = blob_file_name(digest)?;
        let rel = format!("{shown}/blobs/{file}");
        let path = [dir.join("blobs").join(&file), dir.join("blobs").join(digest)].into_iter().find(|p| p.exists());
        let Some(path) = path else {
            problems.push(Problem {
                line: None,
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
                e.artifacts.push(Artifact { path, rel, kind: ArtifactKind::LicenceText, seen: Seen::Unchecked });
            }
        } else if WEIGHT_LAYERS.contains(&media) {
            let Some((path, rel)) = blob(&layer.digest, problems) else { continue };
            if media == MODEL {
                e.provenance.revision.get_or_insert_with(|| layer.digest.clone());
            }
            e.artifacts.push(Artifact {
                path,
                rel,
                kind: ArtifactKind::Weights(WeightFormat::Gguf),
                seen: Seen::Unchecked,
            });
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

/// A manifest or config blob: a regular file only (never a FIFO or a device), up to
/// [`MAX_JSON`] bytes.
fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> io::Result<T> {
    let (bytes, truncated) = files::read_bounded(path, MAX_JSON)?;
    if truncated {
        return Err(io::Error::other(format!("larger than {MAX_JSON} bytes")));
    }
    serde_json::from_slice(&bytes).map_err(io::Error::other)
}

/// Manifest files exactly four levels below `manifests/`: registry, namespace, model, tag.
fn list_manifests(
    dir: &Path,
    parts: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
    problems: &mut Vec<Problem>,
    shown: &str,
) {
    if out.len() >= MAX_MANIFESTS {
        return;
    }
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            if e.kind() != io::ErrorKind::NotFound {
                problems.push(Problem {
                    kind: ProblemKind::Io,
                    file: format!("{shown}/manifests/{}", parts.join("/")).trim_end_matches('/').to_string(),
                    line: None,
                    message: format!("cannot read: {e}"),
                });
            }
            return;
        }
    };
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
            list_manifests(&e.path(), parts, out, problems, shown);
        }
        parts.pop();
    }
}
