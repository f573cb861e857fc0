//! `.gitignore`, `.ignore` and `.git/info/exclude`, read by the walk itself rather than by the
//! `ignore` crate, whose loader opens any file of those names and reads it whole: a FIFO named
//! `.gitignore` would block the scan, and a link to `/dev/zero` (or a 10 GB file) would exhaust
//! memory. Here each is read only when it is a regular file (as git does, a link is not
//! followed), up to the `file-size` limit, and anything else is reported.
//!
//! The matching is ripgrep's: the files of every directory from the root down (and of the
//! root's parent directories) apply to what lies below them, the deepest match wins, `.ignore`
//! before `.gitignore` before `info/exclude`, and `.gitignore` files above the nearest
//! repository root (a directory holding `.git`) do not apply.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::relative;
use crate::{
    files,
    limits::LimitName,
    model::{Problem, ProblemKind},
};

/// Most parent directories of the root whose ignore files are read.
const MAX_PARENTS: usize = 64;
/// Longest pattern line used (a path is at most 4096 bytes on Linux).
const MAX_PATTERN: usize = 4096;

/// The ignore files of one directory, and those of the directories above it.
struct Level {
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    exclude: Option<Gitignore>,
    has_git: bool,
    parent: Option<Arc<Level>>,
}

/// The ignore rules of one walk, loaded directory by directory as the walk reaches them.
pub(super) struct Ignores {
    root: PathBuf,
    canonical_root: PathBuf,
    limit: u64,
    /// Directory (as the walk names it) → its level.
    levels: Mutex<HashMap<PathBuf, Arc<Level>>>,
    /// The root's parent directories, nearest first (matched with canonical paths).
    parents: Option<Arc<Level>>,
    problems: Mutex<Vec<Problem>>,
}

impl Ignores {
    /// The rules for a walk of `root`; ignore files are read up to `limit` bytes.
    pub fn new(root: &Path, canonical_root: &Path, limit: u64) -> Ignores {
        let mut ignores = Ignores {
            root: root.to_path_buf(),
            canonical_root: canonical_root.to_path_buf(),
            limit,
            levels: Mutex::new(HashMap::new()),
            parents: None,
            problems: Mutex::new(Vec::new()),
        };
        let mut above: Vec<&Path> = canonical_root.ancestors().skip(1).take(MAX_PARENTS).collect();
        above.reverse();
        let mut parent = None;
        for dir in above {
            parent = Some(Arc::new(ignores.load(dir, parent, true)));
        }
        ignores.parents = parent;
        ignores
    }

    /// Whether the walk should leave out `path` (a file or directory below the root).
    pub fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Some(dir) = path.parent() else { return false };
        let level = self.level(dir);
        let (mut m_ignore, mut m_git, mut m_exclude) = (None, None, None);
        let mut saw_git = false;
        let mut check = |level: &Level, path: &Path| {
            let matched = |g: &Option<Gitignore>| {
                g.as_ref().map(|g| g.matched(path, is_dir)).filter(|m| !m.is_none()).map(|m| m.is_ignore())
            };
            m_ignore = m_ignore.or_else(|| matched(&level.ignore));
            if !saw_git {
                m_git = m_git.or_else(|| matched(&level.gitignore));
                m_exclude = m_exclude.or_else(|| matched(&level.exclude));
            }
            saw_git |= level.has_git;
        };
        let mut at = Some(&level);
        while let Some(l) = at {
            check(l, path);
            at = l.parent.as_ref();
            if at.is_some_and(|p| self.parents.as_ref().is_some_and(|q| Arc::ptr_eq(p, q))) {
                break;
            }
        }
        if let Some(parents) = &self.parents {
            // Parent directories match the path as it really is.
            let real = self.canonical_root.join(path.strip_prefix(&self.root).unwrap_or(path));
            let mut at = Some(parents);
            while let Some(l) = at {
                check(l, &real);
                at = l.parent.as_ref();
            }
        }
        m_ignore.or(m_git).or(m_exclude).unwrap_or(false)
    }

    /// What reading the ignore files went wrong on (taken out).
    pub fn take_problems(&self) -> Vec<Problem> {
        std::mem::take(&mut *self.problems.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The level of a directory of the walk, loading it (and the directories above it) once.
    fn level(&self, dir: &Path) -> Arc<Level> {
        if let Some(l) = self.levels.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
            return Arc::clone(l);
        }
        let parent = if dir == self.root || dir.as_os_str().len() <= self.root.as_os_str().len() {
            self.parents.clone()
        } else {
            dir.parent().map(|p| self.level(p))
        };
        let level = Arc::new(self.load(dir, parent, false));
        let mut levels = self.levels.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(levels.entry(dir.to_path_buf()).or_insert(level))
    }

    fn load(&self, dir: &Path, parent: Option<Arc<Level>>, above_root: bool) -> Level {
        let git = dir.join(".git");
        let git_meta = std::fs::symlink_metadata(&git).ok();
        let exclude = match &git_meta {
            Some(m) if m.is_dir() => self.matcher(dir, &[git.join("info").join("exclude")], above_root),
            _ => None,
        };
        Level {
            ignore: self.matcher(dir, &[dir.join(".ignore")], above_root),
            gitignore: self.matcher(dir, &[dir.join(".gitignore")], above_root),
            exclude,
            has_git: git_meta.is_some(),
            parent,
        }
    }

    /// A matcher rooted at `dir` from the files that exist among `paths`.
    fn matcher(&self, dir: &Path, paths: &[PathBuf], above_root: bool) -> Option<Gitignore> {
        let mut builder = GitignoreBuilder::new(dir);
        let mut any = false;
        for path in paths {
            let Some(text) = self.read(path, above_root) else { continue };
            // A bad pattern is skipped, as git does; so is one longer than any path can be.
            for line in text.lines().filter(|l| l.len() <= MAX_PATTERN) {
                let _ = builder.add_line(Some(path.clone()), line);
            }
            any = true;
        }
        if !any {
            return None;
        }
        builder.build().ok().filter(|g| !g.is_empty())
    }

    /// An ignore file's text when it is a regular file (a link is not followed, as by git);
    /// anything else that exists under the name is reported.
    fn read(&self, path: &Path, above_root: bool) -> Option<String> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if meta.file_type().is_symlink() {
            return None;
        }
        let shown = || {
            if above_root { path.display().to_string() } else { relative(&self.root, path) }
        };
        match files::read_bounded(path, self.limit) {
            Ok((bytes, truncated)) => {
                if truncated {
                    self.problem(
                        ProblemKind::Limit,
                        shown(),
                        format!(
                            "only the first {} bytes of this ignore file were read ({})",
                            self.limit,
                            LimitName::FileSize.exceeded(self.limit)
                        ),
                    );
                }
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            Err(e) => {
                self.problem(ProblemKind::Io, shown(), format!("cannot read this ignore file: {e}"));
                None
            }
        }
    }

    fn problem(&self, kind: ProblemKind, file: String, message: String) {
        self.problems.lock().unwrap_or_else(|p| p.into_inner()).push(Problem { kind, file, line: None, message });
    }
}
