//! A Hugging Face cache (`--hf-cache [DIR]`): every `models--owner--name` and
//! `datasets--owner--name` folder, each revision under `snapshots/` with the `refs/` that point at
//! it.
//!
//! Layout (huggingface_hub's "manage cache" guide): `refs/<branch>` holds a commit sha,
//! `snapshots/<commit>/<path>` are links into `blobs/`, or plain copies where links are not
//! available (Windows, `HF_HUB_DISABLE_SYMLINKS`). Links are followed only when they stay inside
//! the repository's own folder; broken links, loops and links out of the cache are reported, not
//! followed. Only the refs files and directory listings are read here; the card, licence and
//! weight headers are read by the parse stage through the artifacts this module returns.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use super::{StoreError, Stored, display_path, kind_of, list_store, resolve_inside};
use crate::{
    files::{self, Seen},
    model::{Artifact, ArtifactKind, Entry, Parsed, Problem, ProblemKind, Provenance},
    providers,
    vocab::Source,
};

/// Deepest folder inside a snapshot that is listed.
const MAX_DEPTH: usize = 16;
/// Most files listed in one snapshot.
const MAX_FILES: usize = 100_000;

/// The cache directory huggingface_hub uses: `HF_HUB_CACHE`, else `HF_HOME/hub`, else
/// `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
pub fn default_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("HF_HUB_CACHE")
        .or_else(|| var("HF_HOME").map(|h| h.join("hub")))
        .or_else(|| var("XDG_CACHE_HOME").map(|x| x.join("huggingface").join("hub")))
        .or_else(|| {
            var("HOME").or_else(|| var("USERPROFILE")).map(|h| h.join(".cache").join("huggingface").join("hub"))
        })
}

/// The repository folder name of a Hub id: `models--owner--name`.
pub fn repo_folder(id: &str, dataset: bool) -> String {
    format!("{}--{}", if dataset { "datasets" } else { "models" }, id.replace('/', "--"))
}

/// Reads every model and dataset repository of a cache (or of the `hub/` folder of a
/// `HF_HOME` given instead).
pub fn scan(dir: &Path) -> Result<Stored, StoreError> {
    scan_at(dir, true)
}

fn scan_at(dir: &Path, descend: bool) -> Result<Stored, StoreError> {
    let names = list_store(dir)?;
    let is_repo = |n: &str| n.starts_with("models--") || n.starts_with("datasets--");
    // `HF_HOME` given instead of its `hub/` folder.
    if descend && !names.iter().any(|(n, _)| is_repo(n)) && names.iter().any(|(n, p)| n == "hub" && p.is_dir()) {
        return scan_at(&dir.join("hub"), false);
    }
    let prefix = display_path(dir);
    let root = dir.canonicalize().map_err(|source| StoreError::Io { path: prefix.clone(), source })?;
    let mut out = Stored::default();
    for (name, path) in names {
        let (dataset, rest) = match (name.strip_prefix("models--"), name.strip_prefix("datasets--")) {
            (Some(r), _) => (false, r),
            (_, Some(r)) => (true, r),
            _ => continue, // spaces--…, .locks, CACHEDIR.TAG, version.txt
        };
        let id = rest.replace("--", "/");
        if providers::hub_id(&id, false, None).is_none() {
            continue;
        }
        let shown = format!("{prefix}/{name}");
        if let Err(p) = resolve_inside(&path, &shown, &root) {
            out.problems.push(p); // a repository folder linked from elsewhere
            continue;
        }
        scan_repo(&path, &shown, &id, dataset, None, &mut out);
    }
    Ok(out)
}

/// One repository of the cache, given its folder: every snapshot, or only `revision` (a commit
/// or a ref name) when given. Used by `scan` and by the Hub client in offline mode.
pub fn scan_repo(repo: &Path, shown: &str, id: &str, dataset: bool, revision: Option<&str>, out: &mut Stored) {
    let canonical = match repo.canonicalize() {
        Ok(c) => c,
        Err(e) => {
            out.problems.push(io(shown, format!("cannot read: {e}")));
            return;
        }
    };
    let refs = read_refs(repo, shown, &mut out.problems);
    let wanted: Option<String> = revision.map(|r| {
        refs.iter()
            .find(|(_, names)| names.iter().any(|n| n == r))
            .map_or_else(|| r.to_string(), |(sha, _)| sha.clone())
    });
    let snapshots = repo.join("snapshots");
    let rd = match fs::read_dir(&snapshots) {
        Ok(rd) => rd,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                out.problems.push(io(&format!("{shown}/snapshots"), format!("cannot read: {e}")));
            }
            return;
        }
    };
    let mut revs: Vec<String> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    revs.sort();
    for rev in revs {
        if wanted.as_ref().is_some_and(|w| !rev.starts_with(w.as_str())) {
            continue;
        }
        let location = format!("{shown}/snapshots/{rev}");
        let mut entry = Entry {
            id: id.to_string(),
            source: Source::HfCache,
            dataset,
            location: location.clone(),
            provenance: Provenance {
                sources: vec![Source::HfCache],
                revision: Some(rev.clone()),
                refs: refs.get(&rev).cloned().unwrap_or_default(),
                ..Default::default()
            },
            artifacts: Vec::new(),
            known: Vec::new(),
        };
        let mut files = Vec::new();
        list_files(&snapshots.join(&rev), (&location, ""), 0, &mut files, &mut out.problems);
        if files.len() >= MAX_FILES {
            out.problems.push(Problem {
                line: None,
                kind: ProblemKind::Limit,
                file: location.clone(),
                message: format!("snapshot has more than {MAX_FILES} files; the rest were not looked at"),
            });
        }
        for (path, rel, is_link) in files {
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            let Some(kind) = kind_of(name) else { continue };
            let rel = format!("{location}/{rel}");
            let target = if is_link {
                match resolve_inside(&path, &rel, &canonical) {
                    Ok(t) => t,
                    Err(p) => {
                        out.problems.push(p);
                        continue;
                    }
                }
            } else {
                path
            };
            if !target.is_file() {
                continue;
            }
            match kind {
                // Remote code in a snapshot counts for code openness; it is not searched for
                // references (it is the model's code, not the user's).
                ArtifactKind::Code => entry.known.push(Parsed::Code(rel)),
                ArtifactKind::Source(_) => {}
                _ => entry.artifacts.push(Artifact { path: target, rel, kind, seen: Seen::Unchecked }),
            }
        }
        out.entries.push(entry);
    }
}

fn io(file: &str, message: String) -> Problem {
    Problem { line: None, kind: ProblemKind::Io, file: file.to_string(), message }
}

/// `refs/<name>` (nested: `refs/pr/1`) → commit sha → ref names, sorted.
fn read_refs(repo: &Path, shown: &str, problems: &mut Vec<Problem>) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    list_files(&repo.join("refs"), (&format!("{shown}/refs"), ""), 0, &mut files, problems);
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, name, is_link) in files {
        if is_link {
            continue; // refs are plain files; a link here is not the cache's own doing
        }
        match files::read_bounded(&path, 256) {
            Ok((bytes, _)) => {
                let text = String::from_utf8_lossy(&bytes);
                let sha = text.trim();
                if !sha.is_empty() && sha.chars().all(|c| c.is_ascii_alphanumeric()) {
                    out.entry(sha.to_string()).or_default().push(name);
                }
            }
            Err(e) => problems.push(io(&format!("{shown}/refs/{name}"), format!("cannot read: {e}"))),
        }
    }
    for names in out.values_mut() {
        names.sort();
    }
    out
}

/// Every file under `dir` (not following directory links): (path, relative path, is a link).
/// `(shown, rel)` name `dir` in problems: the listed root as reports show it, and `dir` below
/// it. A folder that cannot be listed is a problem (a missing one is not).
fn list_files(
    dir: &Path,
    (shown, rel): (&str, &str),
    depth: usize,
    out: &mut Vec<(PathBuf, String, bool)>,
    problems: &mut Vec<Problem>,
) {
    if depth > MAX_DEPTH || out.len() >= MAX_FILES {
        return;
    }
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                let file = if rel.is_empty() { shown.to_string() } else { format!("{shown}/{rel}") };
                problems.push(io(&file, format!("cannot read: {e}")));
            }
            return;
        }
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if out.len() >= MAX_FILES {
            return;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            list_files(&e.path(), (shown, &child), depth + 1, out, problems);
        } else if t.is_file() || t.is_symlink() {
            out.push((e.path(), child, t.is_symlink()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names() {
        assert_eq!(repo_folder("meta-llama/Llama-3.1-8B", false), "models--meta-llama--Llama-3.1-8B");
        assert_eq!(repo_folder("squad", true), "datasets--squad");
    }
}
