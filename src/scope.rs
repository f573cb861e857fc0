//! Diff mode: the set of changed paths (`--since REV` through the git command line, or
//! `--paths-file FILE`), and whether a model is touched by it. A model is in scope when any of
//! its files (card, licence texts, weights, configs, code) changed.

use std::{collections::HashSet, io::Read, path::Path, process::Command};

use crate::model::{Assessed, Problem};

/// Changed paths, relative to the scanned root(s), `/`-separated.
#[derive(Clone, Debug, Default)]
pub struct Changed {
    paths: HashSet<String>,
}

/// Why the changed paths could not be worked out.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ScopeError(pub String);

impl Changed {
    /// Adds paths relative to a root, prefixed the way reports prefix that root's paths.
    pub fn extend(&mut self, prefix: Option<&str>, paths: impl IntoIterator<Item = String>) {
        for p in paths {
            let p = normalise(&p);
            if p.is_empty() {
                continue;
            }
            self.paths.insert(match prefix {
                Some(pre) if pre != "." => format!("{pre}/{p}"),
                _ => p,
            });
        }
    }

    /// Whether a path changed.
    pub fn contains(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// Whether any file of a model changed.
    pub fn touches(&self, m: &Assessed) -> bool {
        let e = &m.identified.evidence;
        e.card.iter().map(|c| &c.file).any(|f| self.contains(f))
            || e.licence_texts.iter().any(|t| self.contains(&t.file))
            || e.weights.iter().any(|w| self.contains(&w.file))
            || e.configs.iter().any(|c| self.contains(&c.file))
            || e.code.iter().any(|c| self.contains(c))
            // A model that changed code (or a changed inventory) names is in scope too.
            || e.provenance.references.iter().any(|r| self.contains(&r.file))
            || e.provenance.inventory.iter().any(|i| self.contains(&i.file))
    }

    /// Whether a per-file problem is about a changed file.
    pub fn touches_problem(&self, p: &Problem) -> bool {
        self.contains(&p.file)
    }
}

fn normalise(p: &str) -> String {
    let p = p.trim().replace('\\', "/");
    let p = p.strip_prefix("./").unwrap_or(&p);
    p.trim_end_matches('/').to_string()
}

/// Files changed under `root` since `rev`: committed since the merge base of `rev` and `HEAD`,
/// plus uncommitted and untracked (not ignored) files. Paths come back relative to `root`.
pub fn since(root: &Path, rev: &str) -> Result<Vec<String>, ScopeError> {
    if rev.starts_with('-') {
        return Err(ScopeError(format!("--since: `{rev}` is not a revision")));
    }
    let base = git(root, &["merge-base", rev, "HEAD"])?;
    let base = base.trim().to_string();
    let mut out = split_z(&git(
        root,
        &["diff", "--no-ext-diff", "--no-textconv", "--name-only", "--relative", "-z", &base, "--"],
    )?);
    out.extend(split_z(&git(root, &["ls-files", "--others", "--exclude-standard", "-z"])?));
    Ok(out)
}

fn git(root: &Path, args: &[&str]) -> Result<String, ScopeError> {
    // The repository may be the untrusted one being scanned: no setting of its own runs a
    // program (fsmonitor hooks, external diff drivers, text conversions) and nothing prompts.
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .args(args)
        .output()
        .map_err(|e| ScopeError(format!("--since needs the git command line: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(ScopeError(format!("`git {}` in {} failed: {}", args.join(" "), root.display(), stderr.trim())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn split_z(s: &str) -> Vec<String> {
    s.split('\0').filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// Paths listed in a file, one per line (`-` reads standard input); blank lines and lines
/// starting with `#` are skipped.
pub fn paths_file(path: &Path) -> Result<Vec<String>, ScopeError> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| ScopeError(format!("cannot read paths from standard input: {e}")))?;
    } else {
        text = crate::files::read_to_string_bounded(path, crate::files::MAX_SETTINGS_FILE)
            .map_err(|e| ScopeError(format!("cannot read --paths-file `{}`: {e}", path.display())))?;
    }
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_prefixed() {
        let mut c = Changed::default();
        c.extend(None, ["./a/README.md".to_string(), "b\\LICENSE".to_string(), " ".to_string()]);
        c.extend(Some("root2"), ["c/x.safetensors".to_string()]);
        assert!(c.contains("a/README.md"));
        assert!(c.contains("b/LICENSE"));
        assert!(c.contains("root2/c/x.safetensors"));
        assert!(!c.contains(""));
    }
}
