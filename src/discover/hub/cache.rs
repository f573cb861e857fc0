//! The local response cache of the Hub client, so that a rescan makes no requests.
//!
//! One file per response under `<cache dir>/<endpoint host>/<request path>~`, each path segment
//! percent-encoded (no segment can climb out of the cache, whatever file names a repository
//! lists). Responses for a commit sha never change and are kept for good; the rest (repository
//! information asked for a branch, refused or missing files) are fresh for [`TTL`]. A refused
//! (401/403) or missing (404) answer is kept as a `~status` marker that also records whether a
//! token was sent, so setting `HF_TOKEN` after accepting a gate asks again. Tokens and headers are
//! never written here; only bodies and status codes.

use std::{
    fs,
    io::{self, Write},
    path::PathBuf,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime},
};

/// How long a response that may change stays fresh.
pub const TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// A cached answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Cached {
    /// A 200 body.
    Body(Vec<u8>),
    /// A refusal or absence (401, 403, 404).
    Status(u16),
}

/// The cache of one endpoint.
#[derive(Debug)]
pub struct ResponseCache {
    root: PathBuf,
}

impl ResponseCache {
    /// The cache for `endpoint` under `dir`.
    pub fn new(dir: &std::path::Path, endpoint: &str) -> ResponseCache {
        let host = endpoint.split_once("://").map_or(endpoint, |(_, h)| h).trim_end_matches('/');
        ResponseCache { root: dir.join(encode(host)) }
    }

    /// Where the body of `path` (`/api/models/org/name`, `/org/name/resolve/<sha>/README.md`) is
    /// kept.
    pub fn file(&self, path: &str) -> PathBuf {
        let mut out = self.root.clone();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        for (i, seg) in segments.iter().enumerate() {
            let mut name = encode(seg);
            if i + 1 == segments.len() {
                name.push('~');
            }
            out.push(name);
        }
        out
    }

    fn marker(&self, path: &str) -> PathBuf {
        let mut f = self.file(path).into_os_string();
        f.push("status");
        PathBuf::from(f)
    }

    /// A cached answer for `path`: any age when `max_age` is `None`, else only a fresh one. A
    /// status marker counts only when it was made with (or without) a token, as now.
    pub fn lookup(&self, path: &str, max_age: Option<Duration>, with_token: bool) -> Option<Cached> {
        let fresh = |p: &PathBuf| {
            let Ok(meta) = fs::metadata(p) else { return false };
            match (max_age, meta.modified()) {
                (None, _) => true,
                (Some(age), Ok(t)) => SystemTime::now().duration_since(t).is_ok_and(|d| d <= age),
                (Some(_), Err(_)) => false,
            }
        };
        let body = self.file(path);
        if fresh(&body) {
            return fs::read(&body).ok().map(Cached::Body);
        }
        let marker = self.marker(path);
        if fresh(&marker) {
            let text = fs::read_to_string(&marker).ok()?;
            let (code, who) = text.trim().split_once(' ')?;
            let token_then = who == "token";
            if token_then == with_token {
                return code.parse().ok().map(Cached::Status);
            }
        }
        None
    }

    /// Keeps a body; returns where it was written.
    pub fn store(&self, path: &str, body: &[u8]) -> io::Result<PathBuf> {
        let file = self.file(path);
        write_atomic(&file, body)?;
        let _ = fs::remove_file(self.marker(path));
        Ok(file)
    }

    /// Keeps a refusal or absence.
    pub fn store_status(&self, path: &str, status: u16, with_token: bool) -> io::Result<()> {
        let who = if with_token { "token" } else { "anonymous" };
        write_atomic(&self.marker(path), format!("{status} {who}\n").as_bytes())
    }
}

/// Writes through a temporary file and a rename, so a reader never sees half a response.
fn write_atomic(file: &std::path::Path, body: &[u8]) -> io::Result<()> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = file.parent().ok_or_else(|| io::Error::other("cache path has no parent"))?;
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)));
    let result = fs::File::create(&tmp).and_then(|mut f| f.write_all(body)).and_then(|()| fs::rename(&tmp, file));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Percent-encodes everything but ASCII letters, digits, `-`, `_` and inner `.`, so `.`, `..`,
/// separators and `~` never appear as or in a segment.
fn encode(seg: &str) -> String {
    let mut out = String::with_capacity(seg.len());
    let last = seg.len().saturating_sub(1);
    for (i, b) in seg.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i != 0 && i != last);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() { "%".to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_cache() {
        let c = ResponseCache::new(std::path::Path::new("/c"), "http://127.0.0.1:8080/");
        assert_eq!(c.file("/api/models/org/name"), PathBuf::from("/c/127.0.0.1%3A8080/api/models/org/name~"));
        let evil = c.file("/org/name/resolve/sha/../../../../etc/passwd");
        assert!(evil.starts_with("/c/127.0.0.1%3A8080/org/name/resolve/sha/"), "{}", evil.display());
        assert!(!evil.components().any(|c| c == std::path::Component::ParentDir));
        assert_eq!(encode("README.md"), "README.md");
        assert_eq!(encode("a b~"), "a%20b%7E");
        assert_eq!(encode(".hidden"), "%2Ehidden");
    }

    #[test]
    fn bodies_and_markers_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let c = ResponseCache::new(dir.path(), "https://huggingface.co");
        assert_eq!(c.lookup("/api/models/a/b", None, false), None);
        c.store("/api/models/a/b", b"{}").unwrap();
        assert_eq!(c.lookup("/api/models/a/b", Some(TTL), false), Some(Cached::Body(b"{}".to_vec())));
        c.store_status("/a/b/resolve/x/LICENSE", 403, false).unwrap();
        assert_eq!(c.lookup("/a/b/resolve/x/LICENSE", Some(TTL), false), Some(Cached::Status(403)));
        assert_eq!(c.lookup("/a/b/resolve/x/LICENSE", Some(TTL), true), None, "a token now: ask again");
    }
}
