//! `modelgate rules list|show`, and the rule documentation: `docs/rules.md` is the Markdown
//! output of `rules list` (rewrite it with `MODELGATE_BLESS=1 cargo test --test rules`), and
//! the README's rule tables name every rule id.

mod common;

use std::{fs, path::Path};

use common::modelgate;
use modelgate::evaluate::pack;

fn stdout(args: &[&str]) -> String {
    let out = modelgate().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn docs_page_is_current() {
    let generated = stdout(&["rules", "list", "--format", "markdown"]);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("MODELGATE_BLESS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &generated).unwrap();
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "docs/rules.md is stale: run MODELGATE_BLESS=1 cargo test --test rules");
}

#[test]
fn every_rule_is_documented_in_the_readme_and_the_docs_page() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let docs = stdout(&["rules", "list", "--format", "markdown"]);
    for rule in pack::all_builtin_rules().unwrap() {
        assert!(readme.contains(&format!("| `{}` |", rule.id)), "README has no table row for `{}`", rule.id);
        assert!(docs.contains(&format!("### `{}`", rule.id)), "docs/rules.md has no section for `{}`", rule.id);
        assert_eq!(rule.docs.as_deref(), Some(format!("docs/rules.md#{}", rule.id).as_str()));
    }
}

#[test]
fn list_and_show() {
    let list = stdout(&["rules", "list"]);
    assert!(list.lines().any(|l| l.starts_with("commercial-non-commercial") && l.contains(" error ")), "{list}");
    assert!(list.contains("waiver-expired"));
    let only = stdout(&["rules", "list", "--pack", "security"]);
    assert_eq!(only.lines().count(), 7, "{only}: its own three rules and the four it includes");
    let json: serde_json::Value = serde_json::from_str(&stdout(&["rules", "list", "--format", "json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), pack::all_builtin_rules().unwrap().len());

    let show = stdout(&["rules", "show", "commercial-non-commercial"]);
    assert!(show.contains("declarative rule of pack `commercial`, default severity error"), "{show}");
    assert!(show.contains("when:    any = [{ licence-category = ['non-commercial'] }"), "{show}");
    assert!(show.contains("docs:    docs/rules.md#commercial-non-commercial"));
    let builtin = stdout(&["rules", "show", "licence-lineage"]);
    assert!(builtin.contains("built-in rule of pack `default`"), "{builtin}");

    let missing = modelgate().args(["rules", "show", "nope"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let missing = modelgate().args(["rules", "list", "--pack", "nope"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
