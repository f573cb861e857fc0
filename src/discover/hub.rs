//! The Hugging Face Hub API (`--hub ID...`, `--hub-from FILE`), behind the `hub` cargo feature.
//!
//! For each repository: `GET /api/models/<id>` (or `/api/datasets/<id>`, or
//! `…/revision/<rev>` when a revision is pinned) gives the commit, the card data, the gating and
//! the file list; then the card (`README.md`), the licence files at the top of the repository and
//! `config.json` are fetched by commit (`/<id>/resolve/<sha>/<file>`). The weights are known from
//! the file list and never downloaded. Everything fetched goes through the response cache
//! (`cache.rs`), so a rescan makes no requests; the parse stage reads the cached files like any
//! other.
//!
//! `HF_ENDPOINT` picks the server, `HF_TOKEN` is sent as a bearer token (never printed, never
//! cached), `HF_HUB_OFFLINE` forbids requests: answers come from the response cache, else from
//! the Hugging Face cache (`--hf-cache` or its default place), else the repository is reported as
//! unavailable. A gated (401/403) or missing (404) repository is a `hub-unavailable` finding, not
//! an error: the scan goes on, and what the API did say (card data of a gated model) is used.
//! Only a Hub that cannot be reached at all stops the scan.

mod cache;
mod http;

use std::{
    path::{Path, PathBuf},
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use serde::Deserialize;

use super::{Stored, hf_cache, kind_of};
pub use http::Token;
use http::{Fetched, Http, Reuse};

use crate::{
    files::Seen,
    model::{Artifact, ArtifactKind, Entry, Parsed, Problem, ProblemKind, Provenance, WeightFile},
    providers,
    vocab::Source,
};

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// Most licence files fetched per repository.
const MAX_LICENCE_FILES: usize = 8;
/// Repositories fetched at once.
const WORKERS: usize = 4;
/// Largest repository-information answer read.
const MAX_INFO: u64 = 32 << 20;

/// How to reach the Hub.
#[derive(Clone, Debug)]
pub struct HubOptions {
    /// `HF_ENDPOINT`, else the public Hub.
    pub endpoint: String,
    /// `HF_TOKEN`.
    pub token: Option<Token>,
    /// `HF_HUB_OFFLINE`: no requests.
    pub offline: bool,
    /// Where responses are kept.
    pub cache_dir: PathBuf,
    /// The Hugging Face cache to fall back on offline.
    pub hf_cache: Option<PathBuf>,
    /// Ask again even when a cached answer for a branch is fresh.
    pub refresh: bool,
    /// Timeout of one request, body included.
    pub timeout: Duration,
    /// Retries of a request answered 429/5xx or cut off.
    pub retries: u32,
    /// Largest card, licence or config file fetched.
    pub max_file_size: u64,
}

impl HubOptions {
    /// Options from the environment (`HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE`), with the
    /// response cache in `cache_dir` or its default place; `None` when there is no such place.
    pub fn from_env(cache_dir: Option<PathBuf>) -> Option<HubOptions> {
        let var = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Some(HubOptions {
            endpoint: var("HF_ENDPOINT")
                .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string())
                .trim_end_matches('/')
                .to_string(),
            token: var("HF_TOKEN").and_then(Token::new),
            offline: var("HF_HUB_OFFLINE")
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")),
            cache_dir: cache_dir.or_else(default_cache_dir)?,
            hf_cache: hf_cache::default_dir(),
            refresh: false,
            timeout: Duration::from_secs(30),
            retries: 4,
            max_file_size: 10 * 1024 * 1024,
        })
    }
}

/// `XDG_CACHE_HOME/modelgate/hub`, else `~/.cache/modelgate/hub`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("XDG_CACHE_HOME")
        .or_else(|| var("HOME").or_else(|| var("USERPROFILE")).map(|h| h.join(".cache")))
        .map(|c| c.join("modelgate").join("hub"))
}

/// A repository to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `owner/name`.
    pub id: String,
    /// A dataset repository.
    pub dataset: bool,
    /// Branch, tag or commit; `None` for the default branch.
    pub revision: Option<String>,
}

/// What stops a Hub scan.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// No answer at all (connection refused, DNS, timeouts), after retries.
    #[error(
        "cannot reach the Hub at {endpoint}: {reason} (check the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 \
         to use what earlier scans cached)"
    )]
    Unreachable {
        /// The endpoint.
        endpoint: String,
        /// Why, as the HTTP client says it.
        reason: String,
    },
    /// An id that is not a repository id.
    #[error("`{0}` is not a Hub repository id (expected `owner/name`, `owner/name@revision` or `datasets/owner/name`)")]
    BadId(String),
}

/// Reads `owner/name`, `owner/name@revision`, `datasets/owner/name`, or a Hub URL.
pub fn parse_request(raw: &str) -> Result<Request, HubError> {
    let bad = || HubError::BadId(raw.to_string());
    let s = raw.trim();
    let (s, revision) = match s.rsplit_once('@') {
        Some((id, rev)) if !rev.is_empty() && rev.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) => {
            (id, Some(rev.to_string()))
        }
        Some(_) => return Err(bad()),
        None => (s, None),
    };
    let s = s.strip_prefix("https://huggingface.co/").unwrap_or(s);
    let (dataset, s) = match s.strip_prefix("datasets/") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let id = providers::hub_id(s, false, None).ok_or_else(bad)?;
    Ok(Request { id, dataset, revision })
}

#[derive(Deserialize)]
struct RepoInfo {
    #[serde(default)]
    sha: Option<String>,
    #[serde(default)]
    siblings: Vec<Sibling>,
    #[serde(rename = "cardData", default)]
    card_data: Option<serde_json::Value>,
    #[serde(default)]
    disabled: bool,
}

#[derive(Deserialize)]
struct Sibling {
    rfilename: String,
    #[serde(default)]
    size: Option<u64>,
}

/// Fetches every repository; the order of the result follows the requests.
pub fn fetch(requests: &[Request], options: &HubOptions) -> Result<Stored, HubError> {
    let mut unique: Vec<&Request> = Vec::new();
    for r in requests {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    let http = Http::new(
        &options.endpoint,
        options.token.clone(),
        cache::ResponseCache::new(&options.cache_dir, &options.endpoint),
        options.timeout,
        options.retries,
        options.offline,
        options.refresh,
    );
    let results: Mutex<Vec<Option<Result<Stored, HubError>>>> = Mutex::new((0..unique.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS.min(unique.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = unique.get(i) else { break };
                    let result = fetch_repo(&http, request, options);
                    let stop = result.is_err();
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(result);
                    }
                    if stop {
                        // The Hub cannot be reached: the other workers stop taking new repositories.
                        next.store(usize::MAX / 2, Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
    });
    let mut out = Stored::default();
    for result in results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten() {
        let mut stored = result?;
        out.entries.append(&mut stored.entries);
        out.problems.append(&mut stored.problems);
    }
    Ok(out)
}

fn fetch_repo(http: &Http, request: &Request, options: &HubOptions) -> Result<Stored, HubError> {
    let unreachable =
        |e: http::Unreachable| HubError::Unreachable { endpoint: http.endpoint().to_string(), reason: e.0 };
    let kind = if request.dataset { "datasets" } else { "models" };
    let id = &request.id;
    let web_repo = format!("{}/{}{id}", http.endpoint(), if request.dataset { "datasets/" } else { "" });
    let location = match &request.revision {
        Some(rev) => format!("{web_repo}/tree/{rev}"),
        None => web_repo.clone(),
    };
    let mut out = Stored::default();
    let mut entry = Entry {
        id: id.clone(),
        source: Source::Hub,
        dataset: request.dataset,
        location: location.clone(),
        provenance: Provenance {
            sources: vec![Source::Hub],
            refs: request.revision.iter().cloned().collect(),
            ..Default::default()
        },
        artifacts: Vec::new(),
        known: Vec::new(),
    };
    let problem = |message: String| Problem { line: None, kind: ProblemKind::Remote, file: location.clone(), message };

    let info_path = match &request.revision {
        Some(rev) => format!("/api/{kind}/{id}/revision/{}", encode_path(rev)),
        None => format!("/api/{kind}/{id}"),
    };
    let pinned = request.revision.as_deref().is_some_and(is_commit);
    let reuse = if pinned { Reuse::Immutable } else { Reuse::Expiring };
    let info = match http.get(&info_path, reuse, MAX_INFO).map_err(unreachable)? {
        Fetched::Body { bytes, .. } => match serde_json::from_slice::<RepoInfo>(&bytes) {
            Ok(info) => info,
            Err(e) => {
                out.problems.push(problem(format!("the Hub's answer for {id} is not repository information: {e}")));
                out.entries.push(entry);
                return Ok(out);
            }
        },
        Fetched::Offline => {
            return Ok(offline_fallback(request, options, entry, &location));
        }
        Fetched::Status(status) => {
            out.problems.push(problem(status_message(id, status, http.has_token(), &web_repo)));
            out.entries.push(entry);
            return Ok(out);
        }
    };
    if info.disabled {
        out.problems.push(problem(format!("{id} is disabled on the Hub")));
    }
    let sha = info.sha.clone().or_else(|| request.revision.clone()).unwrap_or_else(|| "main".to_string());
    entry.provenance.revision = info.sha.clone();
    let file_reuse = if is_commit(&sha) { Reuse::Immutable } else { Reuse::Expiring };
    let resolve_prefix =
        format!("/{}{id}/resolve/{}", if request.dataset { "datasets/" } else { "" }, encode_path(&sha));
    let shown = |name: &str| format!("{web_repo}/blob/{sha}/{name}");

    // What to fetch: the card, top-level licence texts, and the model config.
    let mut wanted: Vec<(&str, ArtifactKind)> = Vec::new();
    let mut licences = 0;
    for s in &info.siblings {
        let name = s.rfilename.as_str();
        let top = !name.contains('/');
        match kind_of(name.rsplit('/').next().unwrap_or(name)) {
            Some(ArtifactKind::Markdown) if name == "README.md" => wanted.push((name, ArtifactKind::Markdown)),
            Some(ArtifactKind::LicenceText) if top && licences < MAX_LICENCE_FILES => {
                licences += 1;
                wanted.push((name, ArtifactKind::LicenceText));
            }
            Some(ArtifactKind::Config) if top && !request.dataset => wanted.push((name, ArtifactKind::Config)),
            Some(ArtifactKind::Weights(format)) if !name.ends_with("training_args.bin") => {
                entry.known.push(Parsed::Weights(WeightFile::new(shown(name), format, s.size.unwrap_or(0))));
            }
            Some(ArtifactKind::Code) => entry.known.push(Parsed::Code(shown(name))),
            _ => {}
        }
    }
    let mut refused = false;
    let mut have_card = false;
    for (name, kind) in wanted {
        let path = format!("{resolve_prefix}/{}", encode_path(name));
        match http.get(&path, file_reuse, options.max_file_size).map_err(unreachable)? {
            Fetched::Body { truncated, .. } => {
                if truncated {
                    out.problems.push(Problem {
                        line: None,
                        kind: ProblemKind::Limit,
                        file: shown(name),
                        message: format!(
                            "file is larger than {} bytes; it was not fetched (--max-file-size)",
                            options.max_file_size
                        ),
                    });
                    continue;
                }
                have_card |= kind == ArtifactKind::Markdown;
                entry.artifacts.push(Artifact {
                    path: http.cache_file(&path),
                    rel: shown(name),
                    kind,
                    seen: Seen::Unchecked,
                });
            }
            Fetched::Status(401 | 403) => refused = true,
            Fetched::Status(404) => {}
            Fetched::Status(status) => {
                out.problems.push(problem(format!("fetching {name} of {id}: the Hub answered {status}")));
            }
            Fetched::Offline => {}
        }
    }
    // The card data the API gave stands in for a card that could not be fetched (a gated repo).
    if !have_card && let Some(serde_json::Value::Object(map)) = &info.card_data {
        let mut text = String::from("---\n");
        for (k, v) in map {
            text.push_str(&format!("{}: {}\n", serde_json::to_string(k).unwrap_or_default(), v));
        }
        text.push_str("---\n");
        let path = format!("{info_path}/cardData.md");
        if let Ok(file) = http.cache_store(&path, text.as_bytes()) {
            entry.artifacts.push(Artifact {
                path: file,
                rel: format!("{}{info_path} (cardData)", http.endpoint()),
                kind: ArtifactKind::Markdown,
                seen: Seen::Unchecked,
            });
        }
    }
    if refused {
        let how = if http.has_token() {
            "the token in HF_TOKEN was refused: accept the repository's conditions on the Hub with that account"
        } else {
            "accept the repository's conditions on the Hub and set HF_TOKEN"
        };
        out.problems.push(problem(format!(
            "{id} is gated: its files were refused (401/403), only the card data of the API was read; to audit its \
             licence files, {how} ({web_repo})"
        )));
    }
    out.entries.push(entry);
    Ok(out)
}

fn status_message(id: &str, status: u16, token: bool, web: &str) -> String {
    match status {
        401 | 403 if token => format!(
            "{id}: the Hub refused access ({status}) with the token in HF_TOKEN: the repository is private or gated \
             and the token's account has no access ({web})"
        ),
        401 | 403 => format!(
            "{id}: the Hub refused access ({status}): the repository is private or gated; accept its conditions on \
             the Hub and set HF_TOKEN ({web})"
        ),
        404 => format!("{id}: not found on the Hub (404): a typo, a renamed or deleted repository, or a private one"),
        429 => format!("{id}: the Hub kept answering 429 (too many requests) after every retry; scan again later"),
        s => format!("{id}: the Hub answered {s} after every retry"),
    }
}

/// Offline and not in the response cache: the Hugging Face cache, if it has the repository.
fn offline_fallback(request: &Request, options: &HubOptions, entry: Entry, location: &str) -> Stored {
    let mut out = Stored::default();
    if let Some(dir) = &options.hf_cache {
        let folder = hf_cache::repo_folder(&request.id, request.dataset);
        let repo = dir.join(&folder);
        let shown = format!("{}/{folder}", super::display_path(dir));
        let inside = dir.canonicalize().is_ok_and(|root| super::resolve_inside(&repo, &shown, &root).is_ok());
        if repo.is_dir() && inside {
            let revision = request.revision.as_deref().unwrap_or("main");
            hf_cache::scan_repo(&repo, &shown, &request.id, request.dataset, Some(revision), &mut out);
            if !out.entries.is_empty() {
                return out;
            }
        }
    }
    out.problems.push(Problem {
        line: None,
        kind: ProblemKind::Remote,
        file: location.to_string(),
        message: format!(
            "{}: HF_HUB_OFFLINE is set and neither the response cache ({}) nor the Hugging Face cache holds it; scan \
             once online, or download it",
            request.id,
            display(&options.cache_dir)
        ),
    });
    out.entries.push(entry);
    out
}

fn display(p: &Path) -> String {
    super::display_path(p)
}

/// A 40-hex commit sha.
fn is_commit(rev: &str) -> bool {
    rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit())
}

/// Percent-encodes a repository file path for a URL, keeping `/`.
fn encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse() {
        assert_eq!(
            parse_request("meta-llama/Llama-3.1-8B@main").unwrap(),
            Request { id: "meta-llama/Llama-3.1-8B".into(), dataset: false, revision: Some("main".into()) }
        );
        assert!(parse_request("datasets/squad").unwrap().dataset);
        assert_eq!(parse_request("https://huggingface.co/google/gemma-2-9b").unwrap().id, "google/gemma-2-9b");
        assert!(parse_request("a/b/c").is_err());
        assert!(parse_request("org/x@").is_err());
        assert_eq!(encode_path("Tongyi Qianwen LICENSE"), "Tongyi%20Qianwen%20LICENSE");
        assert!(is_commit("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_commit("main"));
    }
}
