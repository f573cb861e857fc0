//! Licence identification through the binary: `modelgate licences …` and the licence of models
//! in scanned trees built by the tests.

mod common;

use std::{fs, path::Path};

use assert_cmd::Command;
use serde_json::Value;

fn modelgate() -> Command {
    Command::cargo_bin("modelgate").unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = modelgate().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn scan(root: &Path) -> Value {
    let out = modelgate().args(["scan", "--format", "json", "--fail-on", "never"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

#[test]
fn show_llama31_lists_its_threshold_policy_naming_and_attribution() {
    let out = modelgate().args(["licences", "show", "llama3.1"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("700000000 monthly active users"), "{text}");
    for kind in ["acceptable-use-policy", "naming", "attribution", "pass-through"] {
        assert!(text.contains(kind), "{kind} missing:\n{text}");
    }
    let v = json(&["licences", "show", "llama3.1", "--format", "json"]);
    assert_eq!(v["category"], "community");
    let threshold = v["restrictions"].as_array().unwrap().iter().find(|r| r["kind"] == "user-threshold").unwrap();
    assert_eq!(threshold["users"], 700_000_000);
    // Names resolve too.
    let v = json(&["licences", "show", "Llama 3.1 Community License Agreement", "--format", "json"]);
    assert_eq!(v["id"], "llama3.1");
}

#[test]
fn show_an_unknown_id_exits_2_with_suggestions() {
    let out = modelgate().args(["licences", "show", "lama3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lama3") && err.contains("did you mean"), "{err}");
}

#[test]
fn list_filters_by_category() {
    let v = json(&["licences", "list", "--category", "non-commercial", "--format", "json"]);
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"cc-by-nc-4.0"), "{ids:?}");
    assert!(v.as_array().unwrap().iter().all(|e| e["category"] == "non-commercial"));
    let out = modelgate().args(["licences", "list", "--category", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn identify_reports_matches_with_lines_and_clauses_of_unknown_texts() {
    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("TERMS.txt");
    fs::write(
        &custom,
        "ZEBRA MODEL TERMS\n\n1. You may study the model.\n2. The model may not be used for commercial purposes.\n",
    )
    .unwrap();
    let llama = common::corpus().join("licences/llama3.2/LICENSE");
    let v = json(&["licences", "identify", "--format", "json", custom.to_str().unwrap(), llama.to_str().unwrap()]);
    let files = v.as_array().unwrap();
    assert!(files[0]["matches"].as_array().unwrap().is_empty());
    let nc = &files[0]["restrictions"][0];
    assert_eq!(nc["kind"], "non-commercial");
    assert_eq!(nc["line"], 4);
    let m = &files[1]["matches"][0];
    assert_eq!(m["id"], "llama3.2");
    assert_eq!(m["category"], "community");
    assert_eq!(m["start_line"], 1);
    assert!(m["confidence"].as_f64().unwrap() >= 0.9);
    let kinds: Vec<&str> =
        files[1]["restrictions"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"user-threshold"), "{kinds:?}");
}

#[test]
fn resolve_free_text_names() {
    let v = json(&[
        "licences",
        "resolve",
        "--format",
        "json",
        "Llama 2 Community License Agreement",
        "Gemma Terms of Use",
        "Apache 2.0",
        "MIT License",
        "CreativeML Open RAIL++-M License",
        "Tongyi Qianwen LICENSE AGREEMENT",
        "arXiv.org perpetual, non-exclusive license 1.0",
        "Databricks Open Model License",
        "no such thing at all",
    ]);
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap_or("-")).collect();
    assert_eq!(
        ids,
        [
            "llama2",
            "gemma",
            "apache-2.0",
            "mit",
            "openrail++",
            "tongyi-qianwen",
            "arxiv-nonexclusive-distrib-1.0",
            "databricks-open-model-license",
            "-"
        ]
    );
}

#[test]
fn an_uncatalogued_licence_text_is_read_clause_by_clause() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m/README.md", "---\nlicense: other\nlicense_name: zebra-terms\n---\n# m\n");
    write(
        dir.path(),
        "m/LICENSE",
        "ZEBRA TERMS\n\nYou may use the model for research.\nThe model may not be used for commercial purposes.\nThis licence does not apply in the European Union.\n",
    );
    let r = scan(dir.path());
    let m = &r["models"][0];
    assert_eq!(m["licence"]["id"], "zebra-terms");
    assert_eq!(m["licence"]["category"], "non-commercial", "never permissive when a restriction is found");
    let nc = m["restrictions"].as_array().unwrap().iter().find(|r| r["kind"] == "non-commercial").unwrap();
    assert_eq!(nc["evidence"][0]["file"], "m/LICENSE");
    assert_eq!(nc["evidence"][0]["line"], 4);
    let t = m["restrictions"].as_array().unwrap().iter().find(|r| r["kind"] == "territorial").unwrap();
    assert_eq!(t["regions"][0], "EU");
    let rules = rules(&r);
    assert!(rules.contains(&"licence-unknown".to_string()));
    assert!(rules.contains(&"restricted-use".to_string()));
}

#[test]
fn a_generic_id_is_refined_by_the_text_and_bundled_notices_are_not_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let gpl = fs::read_to_string("/usr/share/common-licenses/GPL-3").ok();
    if let Some(gpl) = gpl {
        write(dir.path(), "g/README.md", "---\nlicense: gpl\n---\n# g\n");
        write(dir.path(), "g/COPYING", &gpl);
    }
    let apache =
        fs::read_to_string(common::corpus().join("licences/apache-2.0/LICENSE.InternLM-with-bsd-appendix")).unwrap();
    write(dir.path(), "a/README.md", "---\nlicense: apache-2.0\n---\n# a\n");
    write(dir.path(), "a/LICENSE", &apache);
    let r = scan(dir.path());
    assert!(!rules(&r).contains(&"licence-conflict".to_string()), "{:#}", r["findings"]);
    for m in r["models"].as_array().unwrap() {
        match m["location"].as_str().unwrap() {
            "g" => assert_eq!(m["licence"]["id"], "gpl-3.0"),
            "a" => assert!(m["licence"]["id"].as_str().unwrap().starts_with("apache-2.0")),
            other => panic!("unexpected model at {other}"),
        }
    }
}

#[test]
fn a_non_commercial_base_binds_a_permissively_declared_derivative() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base/README.md", "---\nlicense: cc-by-nc-4.0\nmodel_name: acme/base\n---\n# base\n");
    write(dir.path(), "ft/README.md", "---\nlicense: cc-by-4.0\nbase_model: acme/base\n---\n# ft\n");
    let r = scan(dir.path());
    let lineage: Vec<&Value> =
        r["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "licence-lineage").collect();
    assert_eq!(lineage.len(), 1, "{:#}", r["findings"]);
    assert!(lineage[0]["message"].as_str().unwrap().contains("non-commercial"));
    let ft = r["models"].as_array().unwrap().iter().find(|m| m["location"] == "ft").unwrap();
    assert_eq!(ft["lineage"][0]["resolved_by"], "scan");
    assert_eq!(ft["openness"]["weights"], "restricted");
}

#[test]
fn a_card_that_names_its_licence_only_in_prose_is_identified() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/README.md",
        "# A model\n\nIt answers questions.\n\n## License\n\nThe weights are released under the Llama 3.3 Community License Agreement.\n",
    );
    write(dir.path(), "m/model.safetensors", "");
    let r = scan(dir.path());
    let m = &r["models"][0];
    assert_eq!(m["licence"]["id"], "llama3.3");
    assert_eq!(m["licence"]["evidence"][0]["kind"], "card-text");
    assert_eq!(m["licence"]["evidence"][0]["line"], 7);
}
