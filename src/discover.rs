//! Stage 1: walk the trees and pick out the files that can say something about a model.
//!
//! Only file names are looked at here; no file is opened but the ignore files. The walk is
//! ripgrep's (`ignore`): parallel, `.gitignore`/`.ignore`-aware (those files read by
//! `ignores`, regular files only), and it does not follow symbolic links unless asked, and
//! then never out of the root.
//!
//! The other sources live in submodules: a Hugging Face cache ([`hf_cache`]), an Ollama store
//! ([`ollama`]), the Hub API ([`hub`], behind the `hub` feature) and inventory files
//! ([`inventory`]). Each reads only the index of its store (refs, manifests, an API file list)
//! and hands back [`Entry`](crate::model::Entry) values whose files the parse stage reads.

pub mod hf_cache;
#[cfg(feature = "hub")]
pub mod hub;
mod ignores;
pub mod inventory;
pub mod ollama;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use ignores::Ignores;

use ignore::{WalkBuilder, WalkState};

use crate::{
    files::Seen,
    model::{Artifact, ArtifactKind, Language, Problem, ProblemKind},
    vocab::WeightFormat,
};

/// How to walk.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Also look into hidden files and directories (`.git` is always skipped).
    pub hidden: bool,
    /// Do not honour `.gitignore` / `.ignore` files.
    pub no_ignore: bool,
    /// Follow symbolic links (never out of the root; loops are detected).
    pub follow_symlinks: bool,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Input limits (`file-size` bounds the `.gitignore` and `.ignore` files read).
    pub limits: crate::limits::InputLimits,
}

/// Everything the walk found under one root.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Files worth parsing, sorted by relative path.
    pub artifacts: Vec<Artifact>,
    /// Directories or files the walk could not read.
    pub problems: Vec<Problem>,
}

/// Walks `root` and classifies what it finds by name. Only regular files are handed on; a
/// link (unless `--follow-symlinks`, and then only inside the root), a FIFO, a socket or a
/// device named like a model file is reported, never opened.
pub fn walk(root: &Path, options: &WalkOptions) -> Discovered {
    walk_with(root, options, kind_of)
}

/// Finds the Model Openness Tool model files (`*.yml`, `*.yaml`) under `root`, or `root` itself
/// when it is a file (`scan --mof FILE|DIR`). Paths are relative to `root` (to its directory
/// for a single file).
pub fn walk_mot(root: &Path, options: &WalkOptions) -> Discovered {
    if root.is_file() {
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return Discovered {
            artifacts: vec![Artifact {
                path: root.to_path_buf(),
                rel: name,
                kind: ArtifactKind::Mot,
                seen: Seen::Unchecked,
            }],
            problems: Vec::new(),
        };
    }
    walk_with(root, options, |name| is_mot_name(name).then_some(ArtifactKind::Mot))
}

/// Whether a file name is one a MOT directory holds (`*.yml`, `*.yaml`).
fn is_mot_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

fn walk_with(root: &Path, options: &WalkOptions, kind_of: fn(&str) -> Option<ArtifactKind>) -> Discovered {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let follow = options.follow_symlinks;
    let ignores = (!options.no_ignore).then(|| Arc::new(Ignores::new(root, &canonical_root, options.limits.file_size)));
    let pruned: Arc<Mutex<Vec<Problem>>> = Arc::default();
    let mut builder = WalkBuilder::new(root);
    // The ignore files are read by `ignores`, never by the walker (see there why).
    builder
        .hidden(!options.hidden)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .require_git(false)
        .follow_links(follow)
        .threads(options.threads);
    {
        let (ignores, pruned, root, canonical_root) =
            (ignores.clone(), Arc::clone(&pruned), root.to_path_buf(), canonical_root.clone());
        builder.filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            // A followed link to a directory must stay inside the root (a link to `/` would
            // otherwise walk the whole machine).
            if follow && is_dir && e.path_is_symlink() && !stays_inside(e.path(), &canonical_root) {
                pruned.lock().unwrap_or_else(|p| p.into_inner()).push(Problem {
                    kind: ProblemKind::Io,
                    file: relative(&root, e.path()),
                    line: None,
                    message: outside_message(e.path()),
                });
                return false;
            }
            !ignores.as_ref().is_some_and(|i| i.ignored(e.path(), is_dir))
        });
    }

    let found: Mutex<Discovered> = Mutex::new(Discovered::default());
    builder.build_parallel().run(|| {
        let found = &found;
        let canonical_root = &canonical_root;
        Box::new(move |entry| {
            let mut local = Discovered::default();
            match entry {
                Err(err) => local.problems.push(walk_problem(root, &err)),
                Ok(entry) => visit(root, canonical_root, follow, kind_of, &entry, &mut local),
            }
            if !local.artifacts.is_empty() || !local.problems.is_empty() {
                let mut all = found.lock().unwrap_or_else(|p| p.into_inner());
                all.artifacts.append(&mut local.artifacts);
                all.problems.append(&mut local.problems);
            }
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(|p| p.into_inner());
    found.problems.append(&mut pruned.lock().unwrap_or_else(|p| p.into_inner()));
    if let Some(ignores) = &ignores {
        found.problems.extend(ignores.take_problems());
    }
    found.artifacts.sort_by(|a, b| a.rel.cmp(&b.rel));
    found.problems.sort_by(|a, b| a.file.cmp(&b.file));
    found.problems.dedup();
    found
}

/// One entry of the walk: a regular file named like a model file becomes an artifact; a link
/// or special file with such a name becomes a problem.
fn visit(
    root: &Path,
    canonical_root: &Path,
    follow: bool,
    kind_of: fn(&str) -> Option<ArtifactKind>,
    entry: &ignore::DirEntry,
    out: &mut Discovered,
) {
    let Some(t) = entry.file_type() else { return };
    if t.is_dir() {
        return;
    }
    let path = entry.path();
    let named = path.file_name().is_some_and(|n| kind_of(&n.to_string_lossy()).is_some());
    let problem = |message: String| Problem { kind: ProblemKind::Io, file: relative(root, path), line: None, message };
    if t.is_file() {
        if follow && entry.path_is_symlink() && !stays_inside(path, canonical_root) {
            if named {
                out.problems.push(problem(outside_message(path)));
            }
            return;
        }
        if let Some(artifact) = classify(root, path, entry, kind_of) {
            out.artifacts.push(artifact);
        }
    } else if named && t.is_symlink() {
        out.problems.push(problem(
            "a symbolic link, not followed (`--follow-symlinks` follows links that stay inside the scanned directory)"
                .into(),
        ));
    } else if named && let Ok(meta) = entry.metadata() {
        out.problems.push(problem(format!("{}, not a regular file: not read", crate::files::kind_name(&meta))));
    }
}

fn outside_message(path: &Path) -> String {
    match path.canonicalize() {
        Ok(target) => format!("a symbolic link to `{}`, outside the scanned directory: not followed", target.display()),
        Err(e) => format!("a broken symbolic link, not followed: {e}"),
    }
}

fn stays_inside(path: &Path, canonical_root: &Path) -> bool {
    path.canonicalize().is_ok_and(|p| p.starts_with(canonical_root))
}

fn walk_problem(root: &Path, err: &ignore::Error) -> Problem {
    let path = error_path(err).map(|p| relative(root, p)).unwrap_or_else(|| ".".to_string());
    Problem { kind: ProblemKind::Io, file: path, line: None, message: err.to_string() }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// What a store (a cache, an Ollama store, the Hub, an inventory) gave.
#[derive(Debug, Default)]
pub struct Stored {
    /// One entry per model (or dataset) revision found.
    pub entries: Vec<crate::model::Entry>,
    /// What could not be read; the rest of the store was.
    pub problems: Vec<Problem>,
}

/// A store that cannot be read at all (a usage or I/O error, exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory does not exist.
    #[error("`{0}` does not exist")]
    Missing(String),
    /// The path is not a directory.
    #[error("`{0}` is not a directory")]
    NotADirectory(String),
    /// Its top level cannot be listed.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a store of the expected kind, or no directory given and no default known.
    #[error("{0}")]
    Invalid(String),
}

/// A path as reports show it: as given, with `/` separators and no trailing `/`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let t = s.trim_end_matches('/');
    if t.is_empty() { s } else { t.to_string() }
}

/// Checks a store directory and lists its entries, sorted by name.
fn list_store(dir: &Path) -> Result<Vec<(String, PathBuf)>, StoreError> {
    let shown = display_path(dir);
    if !dir.exists() {
        return Err(StoreError::Missing(shown));
    }
    if !dir.is_dir() {
        return Err(StoreError::NotADirectory(shown));
    }
    let rd = std::fs::read_dir(dir).map_err(|source| StoreError::Io { path: shown.clone(), source })?;
    let mut names: Vec<(String, PathBuf)> =
        rd.filter_map(Result::ok).map(|e| (e.file_name().to_string_lossy().into_owned(), e.path())).collect();
    names.sort();
    Ok(names)
}

/// Where a link inside a store leads, if it stays inside `inside` (the store's own directory
/// tree, canonical). Broken links, loops and links out of the store are problems.
fn resolve_inside(path: &Path, shown: &str, inside: &Path) -> Result<PathBuf, Problem> {
    let problem = |message: String| Problem { line: None, kind: ProblemKind::Io, file: shown.to_string(), message };
    let target = path.canonicalize().map_err(|e| problem(format!("broken link, not followed: {e}")))?;
    if !target.starts_with(inside) {
        return Err(problem(format!("link points outside the store (to `{}`), not followed", target.display())));
    }
    Ok(target)
}

/// `path` relative to `root`, with `/` separators (lossy for non-UTF-8 names).
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for part in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        // A file name may hold newlines or escapes: reports show it on one line, escaped.
        out.push_str(&crate::sanitize::one_line(&part.as_os_str().to_string_lossy()));
    }
    if out.is_empty() { ".".to_string() } else { out }
}

fn classify(
    root: &Path,
    path: &Path,
    entry: &ignore::DirEntry,
    kind_of: fn(&str) -> Option<ArtifactKind>,
) -> Option<Artifact> {
    let name = path.file_name()?.to_string_lossy();
    let kind = kind_of(&name)?;
    // A regular file's directory entry says so without a stat; a followed link is checked again
    // when it is opened.
    let seen = if entry.path_is_symlink() { Seen::Unchecked } else { Seen::RegularFile };
    Some(Artifact { path: PathBuf::from(path), rel: relative(root, path), kind, seen })
}

/// What a file name says a file is. Public so the rules are testable and documented in one
/// place.
pub fn kind_of(name: &str) -> Option<ArtifactKind> {
    let lower = name.to_ascii_lowercase();
    if lower == "config.json" {
        return Some(ArtifactKind::Config);
    }
    if is_licence_name(&lower) {
        return Some(ArtifactKind::LicenceText);
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if ext == "md" || ext == "markdown" {
        return Some(ArtifactKind::Markdown);
    }
    if let Some(format) = WeightFormat::from_extension(ext) {
        return Some(ArtifactKind::Weights(format));
    }
    if matches!(ext, "py" | "ipynb") {
        return Some(ArtifactKind::Code);
    }
    source_language(&lower, ext).map(ArtifactKind::Source)
}

/// Code and configuration searched for the models they name, by name (lower-case input).
/// Lock files, minified bundles, type declarations and the JSON files that ship with weights
/// (tokenizers, vocabularies, shard indexes) are left out: they are large and name no models.
fn source_language(lower: &str, ext: &str) -> Option<Language> {
    const NOT_CODE: [&str; 12] = [
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "generation_config.json",
        "preprocessor_config.json",
        "trainer_state.json",
        "composer.json",
    ];
    if NOT_CODE.contains(&lower)
        || lower.ends_with(".index.json")
        || lower.ends_with(".min.js")
        || lower.ends_with(".d.ts")
    {
        return None;
    }
    let stem = lower.split('.').next().unwrap_or(lower);
    if stem == "dockerfile" || stem == "containerfile" || ext == "dockerfile" {
        return Some(Language::Dockerfile);
    }
    if stem == "modelfile" || ext == "modelfile" {
        return Some(Language::Modelfile);
    }
    Some(match ext {
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => Language::Javascript,
        "yaml" | "yml" => Language::Yaml,
        "toml" => Language::Toml,
        "json" => Language::Json,
        "sh" | "bash" | "zsh" => Language::Shell,
        _ => return None,
    })
}

/// `LICENSE*`, `LICENCE*`, `COPYING*`, `NOTICE*`, `USE_POLICY*`, `LICENSE-MODEL*`, and any name
/// containing "license"/"licence"/"terms of use"/"use policy" whose extension is none, `.txt`,
/// `.md`, `.rst` or `.license`. Lower-case input.
fn is_licence_name(lower: &str) -> bool {
    const PREFIXES: [&str; 6] = ["license", "licence", "copying", "notice", "use_policy", "use-policy"];
    const NOT_TEXT: [&str; 18] = [
        "py", "ipynb", "js", "ts", "rs", "go", "java", "c", "h", "cpp", "json", "yaml", "yml", "toml", "html", "css",
        "sh", "xml",
    ];
    let (stem, ext) = match lower.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains(' ') && ext.len() <= 8 => (stem, ext),
        _ => (lower, ""),
    };
    if NOT_TEXT.contains(&ext) {
        return false;
    }
    if PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    let text_like = matches!(ext, "" | "txt" | "md" | "rst" | "license" | "licence");
    let words = stem.replace(['_', '-', ' '], "");
    let licence_word =
        ["license", "licence", "termsofuse", "usepolicy", "acceptableuse"].iter().any(|w| words.contains(w));
    text_like && licence_word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        use ArtifactKind::*;
        for n in [
            "LICENSE",
            "LICENSE.txt",
            "LICENCE-SD-Turbo",
            "COPYING",
            "NOTICE",
            "USE_POLICY.md",
            "LICENSE-MODEL",
            "MODEL_LICENSE",
            "Tongyi Qianwen LICENSE AGREEMENT",
            "llama-2-license-2023.LICENSE",
            "GEMMA_TERMS_OF_USE.md",
            "ACCEPTABLE_USE_POLICY.txt",
            "qwen3_8b.licence.md",
        ] {
            assert_eq!(kind_of(n), Some(LicenceText), "{n}");
        }
        assert_eq!(kind_of("README.md"), Some(Markdown));
        assert_eq!(kind_of("license_check.py"), Some(Code));
        assert_eq!(kind_of("model.safetensors"), Some(Weights(WeightFormat::Safetensors)));
        assert_eq!(kind_of("pytorch_model.bin"), Some(Weights(WeightFormat::Pytorch)));
        assert_eq!(kind_of("config.json"), Some(Config));
        assert_eq!(kind_of("tokenizer.json"), None);
        assert_eq!(kind_of("main.rs"), None);
        assert_eq!(kind_of("app.ts"), Some(Source(Language::Javascript)));
        assert_eq!(kind_of("docker-compose.yml"), Some(Source(Language::Yaml)));
        assert_eq!(kind_of("Dockerfile"), Some(Source(Language::Dockerfile)));
        assert_eq!(kind_of("Dockerfile.gpu"), Some(Source(Language::Dockerfile)));
        assert_eq!(kind_of("Modelfile"), Some(Source(Language::Modelfile)));
        assert_eq!(kind_of("serve.sh"), Some(Source(Language::Shell)));
        assert_eq!(kind_of("pyproject.toml"), Some(Source(Language::Toml)));
        assert_eq!(kind_of("adapter_config.json"), Some(Source(Language::Json)));
        assert_eq!(kind_of("package-lock.json"), None);
        assert_eq!(kind_of("model.safetensors.index.json"), None);
        assert_eq!(kind_of("bundle.min.js"), None);
        assert_eq!(kind_of("LICENSE.sh"), Some(Source(Language::Shell)), "not a licence text");
    }

    #[test]
    fn relative_paths_use_slashes() {
        assert_eq!(relative(Path::new("/a"), Path::new("/a/b/c.md")), "b/c.md");
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), ".");
    }
}
