//! `scan --shard K/N`, `--format jsonl` and `modelgate merge`: the shards of a scan, merged, are
//! the report one scan gives, in every format.

mod common;

use std::path::{Path, PathBuf};

use common::modelgate;
use serde_json::Value;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Runs modelgate from the repository root (so paths print as `examples/…`); returns stdout.
fn run(args: &[&str]) -> (Vec<u8>, i32) {
    let out = modelgate()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(args)
        .output()
        .expect("run modelgate");
    let code = out.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "modelgate {args:?} exited {code}: {}", String::from_utf8_lossy(&out.stderr));
    (out.stdout, code)
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("a JSON report")
}

/// Writes the N shard reports of `examples` (`formats[k]` for shard k+1) into `dir`.
fn shards(dir: &Path, formats: &[&str]) -> Vec<String> {
    let n = formats.len();
    formats
        .iter()
        .enumerate()
        .map(|(k, format)| {
            let file = dir.join(format!("shard-{}.{format}", k + 1));
            let file = file.to_str().expect("utf-8 path").to_string();
            let shard = format!("{}/{n}", k + 1);
            let (_, code) = run(&["scan", "examples", "--shard", &shard, "--format", format, "-o", &file]);
            assert!(code == 0 || code == 1, "shard {shard} exited {code}");
            file
        })
        .collect()
}

#[test]
fn three_shards_merged_are_the_whole_scan_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = shards(dir.path(), &["json", "jsonl", "json"]);
    let (whole, whole_code) = run(&["scan", "examples", "--format", "json"]);
    let whole_json = json(&whole);

    let mut merge = vec!["merge"];
    merge.extend(files.iter().map(String::as_str));
    let (merged, merged_code) = run(&[&merge[..], &["--format", "json"]].concat());
    assert_eq!(json(&merged), whole_json, "merged JSON differs from one scan's");
    assert_eq!(merged_code, whole_code, "the exit code is the one scan's");
    assert!(whole_json["models"].as_array().is_some_and(|m| m.len() >= 5), "the demo tree has models");

    // Every other format renders the merged report exactly as the scan renders its own.
    for format in
        ["terminal", "markdown", "csv", "sarif", "github", "junit", "cyclonedx", "spdx", "html", "mof", "jsonl"]
    {
        let (one, _) = run(&["scan", "examples", "--format", format]);
        let (m, _) = run(&[&merge[..], &["--format", format, "--path-prefix", "examples/"]].concat());
        assert_eq!(String::from_utf8_lossy(&m), String::from_utf8_lossy(&one), "--format {format}");
    }
}

/// Models read from Model Openness Tool files keep what the files say through a merge, so
/// `--format mof` writes the same files (release fields, licence paths) from shards.
#[test]
fn mot_files_survive_sharding_and_merging() {
    let mot = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/mof/models");
    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<String> = ["1/2", "2/2"]
        .iter()
        .map(|shard| {
            let file = dir.path().join(format!("shard-{}.json", &shard[..1])).to_str().expect("utf-8 path").to_string();
            let (_, code) = run(&["scan", "--mof", mot, "--shard", shard, "--format", "json", "-o", &file]);
            assert!(code == 0 || code == 1, "shard {shard} exited {code}");
            file
        })
        .collect();
    for format in ["mof", "json"] {
        let (one, _) = run(&["scan", "--mof", mot, "--format", format]);
        let (merged, _) = run(&["merge", &files[0], &files[1], "--format", format]);
        assert!(one.len() > 10_000, "the corpus's MOT files are missing");
        assert_eq!(String::from_utf8_lossy(&merged), String::from_utf8_lossy(&one), "--format {format}");
    }
}

#[test]
fn each_model_is_in_exactly_one_shard() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = shards(dir.path(), &["json", "json", "json"]);
    let whole = json(&run(&["scan", "examples", "--format", "json"]).0);
    let ids = |r: &Value| -> Vec<String> {
        r["models"].as_array().expect("models").iter().map(|m| m["id"].as_str().expect("id").to_string()).collect()
    };
    let mut all: Vec<String> = Vec::new();
    let mut non_empty = 0;
    for (k, file) in files.iter().enumerate() {
        let r: Value = json(&std::fs::read(file).expect("shard report"));
        assert_eq!(r["shard"], serde_json::json!({"index": k + 1, "count": 3}));
        assert_eq!(r["scanned"], serde_json::json!(["examples"]));
        assert_eq!(r["summary"]["models"].as_u64(), Some(ids(&r).len() as u64));
        // Findings about a model are reported by the shard that holds the model.
        for f in r["findings"].as_array().expect("findings") {
            if let Some(model) = f["model"].as_str() {
                assert!(ids(&r).iter().any(|id| id == model), "{model} reported by shard {}", k + 1);
            }
        }
        non_empty += usize::from(!ids(&r).is_empty());
        all.extend(ids(&r));
    }
    assert!(non_empty >= 2, "the partition spreads the models");
    all.sort();
    let mut expected = ids(&whole);
    expected.sort();
    assert_eq!(all, expected);
    // The unsharded report has neither field.
    assert!(whole.get("shard").is_none() && whole.get("scanned").is_none());
}

#[test]
fn jsonl_is_one_record_a_line() {
    let (out, _) = run(&["scan", "examples", "--format", "jsonl"]);
    let whole = json(&run(&["scan", "examples", "--format", "json"]).0);
    let lines: Vec<Value> =
        String::from_utf8(out).expect("utf-8").lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().expect("type")).collect();
    assert_eq!(kinds.first(), Some(&"meta"));
    assert_eq!(kinds.last(), Some(&"summary"));
    let models: Vec<&Value> = lines.iter().filter(|l| l["type"] == "model").collect();
    assert_eq!(models.len(), whole["models"].as_array().expect("models").len());
    let mut first = models[0].clone();
    first.as_object_mut().expect("object").remove("type");
    assert_eq!(first, whole["models"][0], "a model line holds the JSON report's model");
    assert_eq!(kinds.iter().filter(|k| **k == "finding").count(), whole["findings"].as_array().expect("f").len());
    assert_eq!(lines[0]["schema_version"], whole["schema_version"]);
}

#[test]
fn merge_refuses_what_would_not_be_one_scan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = shards(dir.path(), &["json", "jsonl", "json"]);
    let err = |args: &[&str]| -> String {
        let out = modelgate().args(args).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(err(&["merge", &files[0], &files[1]]).contains("shard 3/3 missing"));
    assert!(err(&["merge", &files[0], &files[0], &files[1]]).contains("both shard 1/3"));

    // A JSON Lines report cut short names what is wrong.
    let text = std::fs::read_to_string(&files[1]).expect("jsonl");
    let cut = dir.path().join("cut.jsonl");
    let without_summary: Vec<&str> = text.lines().filter(|l| !l.contains("\"type\":\"summary\"")).collect();
    std::fs::write(&cut, without_summary.join("\n")).expect("write");
    assert!(err(&["merge", cut.to_str().expect("utf-8")]).contains("cut short"));

    // Another version's report.
    let other = dir.path().join("other.json");
    let mut r = json(&std::fs::read(&files[0]).expect("json"));
    r["tool"]["version"] = "0.0.0-other".into();
    std::fs::write(&other, r.to_string()).expect("write");
    assert!(err(&["merge", other.to_str().expect("utf-8")]).contains("0.0.0-other"));

    // Not a report at all: the file and position.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"schema_version\": 1,\n \"tool\": 7}").expect("write");
    let e = err(&["merge", junk.to_str().expect("utf-8")]);
    assert!(e.contains("junk.json:2:"), "{e}");

    for bad in ["0/3", "4/3", "x"] {
        let out =
            modelgate().args(["scan", examples().to_str().expect("utf-8"), "--shard", bad]).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("K/N"), "--shard {bad}");
    }
}

#[test]
fn reports_of_several_scans_merge_into_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.jsonl");
    run(&["scan", "examples/tiny-gguf", "--format", "json", "-o", a.to_str().expect("utf-8")]);
    run(&["scan", "examples/nc-vision", "--format", "jsonl", "-o", b.to_str().expect("utf-8")]);
    let (merged, _) = run(&["merge", a.to_str().expect("utf-8"), b.to_str().expect("utf-8"), "--format", "json"]);
    let merged = json(&merged);
    let ra = json(&std::fs::read(&a).expect("a"));
    let count = |r: &Value, k: &str| r[k].as_array().map_or(0, Vec::len);
    assert!(count(&ra, "models") >= 1);
    assert_eq!(
        merged["summary"]["models"].as_u64(),
        Some(count(&merged, "models") as u64),
        "the summary is counted again"
    );
    assert!(count(&merged, "models") > count(&ra, "models"));
}

#[test]
fn merge_takes_rule_descriptions_from_the_pack_files_the_shards_used() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("ours.toml");
    std::fs::write(
        &pack,
        "name = \"ours\"\ndescription = \"House rules.\"\n\n[[rule]]\nid = \"ours-non-commercial\"\nseverity = \"error\"\n\
         summary = \"Non-commercial models need legal review.\"\nhelp = \"Ask legal.\"\n\
         message = \"{model} is non-commercial\"\nwhen = { restriction = { kind = [\"non-commercial\"] } }\n",
    )
    .expect("write pack");
    let pack = pack.to_str().expect("utf-8 path");
    let files: Vec<String> = (1..=2)
        .map(|k| {
            let file = dir.path().join(format!("s{k}.json")).to_str().expect("utf-8 path").to_string();
            run(&["scan", "examples", "--policy", pack, "--shard", &format!("{k}/2"), "--format", "json", "-o", &file]);
            file
        })
        .collect();
    let (whole, _) = run(&["scan", "examples", "--policy", pack, "--format", "sarif"]);
    let merge = |extra: &[&str]| {
        let mut args = vec!["merge", &files[0], &files[1], "--format", "sarif", "--path-prefix", "examples/"];
        args.extend(extra);
        let out = modelgate()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(&args)
            .output()
            .expect("run");
        (out.stdout, String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code())
    };
    let rule_ids = |sarif: &[u8]| -> Vec<String> {
        json(sarif)["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(|r| r.iter().filter_map(|r| r["id"].as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    assert!(rule_ids(&whole).contains(&"ours-non-commercial".to_string()), "the scan's SARIF names the pack's rule");

    let (without, _, _) = merge(&[]);
    assert!(!rule_ids(&without).contains(&"ours-non-commercial".to_string()), "no pack file, no description");
    let (with, _, _) = merge(&["--policy", pack]);
    assert_eq!(String::from_utf8_lossy(&with), String::from_utf8_lossy(&whole), "with the pack file, the scan's SARIF");

    let (_, stderr, code) = merge(&["--policy", "rules/security.toml"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("is the pack `security`") && stderr.contains("`ours`"), "{stderr}");
}
