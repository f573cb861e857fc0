//! Literals that every match of a regular expression contains.
//!
//! Most files of a large tree name no model, so the code-reference search first asks one
//! Aho-Corasick automaton whether a file holds any literal some pattern needs (`from_pretrained`,
//! `Anthropic`, `gpt-`): one pass over the bytes, where the regexes would search the file and
//! then every string literal of every line. They only run on files that pass.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Largest set of alternatives kept for one sub-expression: a class like `[\w-]` or a long
/// alternation is no help to a screen.
const MAX_SET: usize = 64;

/// A set of strings (ASCII letters lower-cased, for a case-insensitive screen).
type Set = Vec<Vec<u8>>;

/// Strings at least one of which is in every match of `pattern`, or `None` when the pattern can
/// match without any (`.*`, `\w+`) or does not parse. Letters are lower-cased: the set is meant
/// for an ASCII case-insensitive search, which finds a superset of what the pattern matches.
pub fn required(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    required_of(&hir)?.into_iter().map(|s| String::from_utf8(s).ok()).collect()
}

/// The longest literal run of a glob (`*` matches anything): every match contains it.
pub fn of_glob(glob: &str) -> Option<String> {
    glob.split('*').max_by_key(|part| part.len()).filter(|part| !part.is_empty()).map(str::to_ascii_lowercase)
}

/// The needles a screen needs: each string that contains another is dropped, since a text holding
/// the longer one holds the shorter one too.
pub fn minimal(mut needles: Vec<String>) -> Vec<String> {
    needles.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    needles.dedup();
    let mut kept: Vec<String> = Vec::new();
    for n in needles {
        if !kept.iter().any(|k| n.contains(k.as_str())) {
            kept.push(n);
        }
    }
    kept
}

fn required_of(hir: &Hir) -> Option<Set> {
    if let Some(exact) = exact(hir) {
        return useful(exact);
    }
    match hir.kind() {
        HirKind::Capture(c) => required_of(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_of(&r.sub),
        HirKind::Alternation(branches) => {
            let mut all = Set::new();
            for b in branches {
                all.extend(required_of(b)?);
            }
            normalise(all)
        }
        HirKind::Concat(items) => best_of_concat(items),
        _ => None,
    }
}

/// The best required set of a concatenation: a run of consecutive exact items (their cross
/// product) or one item's own required set, whichever has the longest shortest string.
fn best_of_concat(items: &[Hir]) -> Option<Set> {
    let mut candidates: Vec<Set> = Vec::new();
    let mut run: Option<Set> = None;
    for item in items {
        match exact(item) {
            Some(e) => {
                run = Some(match run.take() {
                    None => e,
                    Some(r) => match product(&r, &e) {
                        Some(p) => p,
                        None => {
                            // Too many combinations: close the run and start again here.
                            candidates.push(r);
                            e
                        }
                    },
                });
            }
            None => {
                candidates.extend(run.take());
                candidates.extend(required_of(item));
            }
        }
    }
    candidates.extend(run);
    candidates.into_iter().filter_map(useful).max_by_key(|set| {
        (!set.iter().any(|s| COMMON.contains(&s.as_slice())), shortest(set), std::cmp::Reverse(set.len()))
    })
}

/// Words most source files hold: a concatenation's other literals make a better screen
/// (`ollama`, not `import`, for `from ollama import`).
const COMMON: &[&[u8]] = &[
    b"import",
    b"from",
    b"require(",
    b"require",
    b"export",
    b"return",
    b"const",
    b"class",
    b"function",
    b"def",
    b"self",
    b"this",
    b"new",
    b"true",
    b"false",
    b"none",
    b"null",
];

/// Every string the expression matches, when there are few.
fn exact(hir: &Hir) -> Option<Set> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(lit) => normalise(vec![lit.0.to_vec()]),
        HirKind::Class(class) => class_members(class),
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Repetition(r) => match (r.min, r.max) {
            (1, Some(1)) => exact(&r.sub),
            (0, Some(1)) => {
                let mut set = exact(&r.sub)?;
                set.push(Vec::new());
                normalise(set)
            }
            _ => None,
        },
        HirKind::Concat(items) => {
            let mut acc = vec![Vec::new()];
            for item in items {
                acc = product(&acc, &exact(item)?)?;
            }
            Some(acc)
        }
        HirKind::Alternation(branches) => {
            let mut all = Set::new();
            for b in branches {
                all.extend(exact(b)?);
            }
            normalise(all)
        }
    }
}

fn class_members(class: &Class) -> Option<Set> {
    let mut out = Set::new();
    match class {
        Class::Unicode(c) => {
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    if out.len() >= MAX_SET {
                        return None;
                    }
                    out.push(ch.to_string().into_bytes());
                }
            }
        }
        Class::Bytes(c) => {
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    if out.len() >= MAX_SET {
                        return None;
                    }
                    out.push(vec![b]);
                }
            }
        }
    }
    normalise(out)
}

fn product(a: &Set, b: &Set) -> Option<Set> {
    if a.len().saturating_mul(b.len()) > MAX_SET {
        return None;
    }
    let mut out = Set::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut s = x.clone();
            s.extend_from_slice(y);
            out.push(s);
        }
    }
    normalise(out)
}

/// Lower-cases ASCII letters and removes duplicates; `None` when the set is too large.
fn normalise(mut set: Set) -> Option<Set> {
    for s in &mut set {
        s.make_ascii_lowercase();
    }
    set.sort();
    set.dedup();
    (set.len() <= MAX_SET).then_some(set)
}

/// A set is a usable screen only if none of its strings is empty (an empty string is in every
/// text).
fn useful(set: Set) -> Option<Set> {
    (!set.is_empty() && set.iter().all(|s| !s.is_empty())).then_some(set)
}

fn shortest(set: &Set) -> usize {
    set.iter().map(Vec::len).min().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(p: &str) -> Option<Vec<String>> {
        required(p)
    }

    #[test]
    fn a_literal_is_its_own_needle() {
        assert_eq!(req(r"\bfrom_pretrained\("), Some(vec!["from_pretrained(".into()]));
    }

    #[test]
    fn the_longest_run_of_a_concatenation_wins() {
        assert_eq!(req(r#"\bvllm\s+serve\s+["']?(?P<id>[^"'\s]+)"#), Some(vec!["serve".into()]));
        assert_eq!(req(r"\b(?:Async)?Anthropic\s*\("), Some(vec!["anthropic".into(), "asyncanthropic".into()]));
        assert_eq!(req(r"\bnew\s+VertexAI\s*\("), Some(vec!["vertexai".into()]));
        // `import` is in nearly every Python file; `ollama` is not.
        assert_eq!(req(r"^\s*(?:import\s+ollama\b|from\s+ollama\s+import\b)"), Some(vec!["ollama".into()]));
    }

    #[test]
    fn alternations_give_every_branch() {
        assert_eq!(
            req(r"\b(?:hf_hub_download|snapshot_download)\("),
            Some(vec!["hf_hub_download(".into(), "snapshot_download(".into()])
        );
        assert_eq!(req("licen[cs]e"), Some(vec!["licence".into(), "license".into()]));
    }

    #[test]
    fn case_insensitive_patterns_give_lower_case_needles() {
        // `(?i)` adds the Kelvin sign to `k` and the long s to `s`: those stay as their own
        // alternatives, so the screen still finds every match.
        let set = req(r"(?i)(?:^|[^\w.-])[\w-]*(?:model|repo_?id)\s*[:=]").unwrap();
        assert!(set.contains(&"model".to_string()), "{set:?}");
        assert!(set.iter().all(|s| s.starts_with("model") || s.starts_with("repo")), "{set:?}");
        let kelvin = req("(?i)ok").unwrap();
        assert!(kelvin.contains(&"ok".to_string()) && kelvin.contains(&"o\u{212a}".to_string()), "{kelvin:?}");
    }

    #[test]
    fn patterns_that_need_no_literal_give_none() {
        // Patterns for text cannot match bytes that are not UTF-8: they do not parse.
        assert_eq!(req(r"(?-u:\xFF)abc"), None);
        assert_eq!(req(r"\w+"), None);
        assert_eq!(req(r"(?:abc)?x*"), None);
        assert_eq!(req(r"abc|\d+"), None);
        assert_eq!(req("("), None);
    }

    #[test]
    fn every_match_holds_a_needle() {
        // The screen's promise, checked on matches of real provider patterns.
        for (pattern, text) in [
            (
                r#"\bpipeline\(\s*["'][\w-]+["']\s*,\s*["'](?P<id>[^"'\s]+)["']"#,
                r#"pipeline("text-generation", "a/b")"#,
            ),
            (r"(?i)\b(?:Async)?ANTHROPIC\s*\(", "asyncanthropic ("),
            (r#"(?:^|[\s"'\[,(])(?:--model|-hf)(?:["']?\s*[,=]\s*|\s+)(?P<id>\S+)"#, " -hf x/y"),
        ] {
            let found = regex::Regex::new(pattern).unwrap().find(text).unwrap().as_str().to_ascii_lowercase();
            let needles = req(pattern).unwrap();
            assert!(needles.iter().any(|n| found.contains(n.as_str())), "{pattern}: {needles:?} in {found}");
        }
    }

    #[test]
    fn globs_give_their_longest_literal_run() {
        assert_eq!(of_glob("*.meta.llama3-1-*").as_deref(), Some(".meta.llama3-1-"));
        assert_eq!(of_glob("Command").as_deref(), Some("command"));
        assert_eq!(of_glob("**"), None);
    }

    #[test]
    fn minimal_drops_needles_that_hold_another() {
        let kept = minimal(vec!["--model".into(), "model".into(), "claude-".into(), "model".into(), "del".into()]);
        assert_eq!(kept, vec!["del".to_string(), "claude-".to_string()]);
    }
}
