//! Openness end to end: MOF classes earned from files, the use-restricted case, MOT files read
//! with `--mof` and written with `--format mof`, and the round trip between the two.

mod common;

use std::{fs, path::Path};

use assert_cmd::Command;
use serde_json::Value;

fn modelgate() -> Command {
    let mut cmd = Command::cargo_bin("modelgate").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn json(args: &[&str]) -> (Value, std::process::Output) {
    let out = modelgate().args(args).output().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (v, out)
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn component<'a>(model: &'a Value, name: &str) -> &'a Value {
    model["openness"]["mof"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

/// A model repository written in our own words: weights, a config, a card with the sections a
/// card should have, training code, and a licence declared in the card.
fn open_repo(root: &Path, licence: &str) {
    write(
        root,
        "README.md",
        &format!(
            "---\nlicense: {licence}\nlibrary_name: transformers\ntags:\n- arxiv:2401.00001\nmodel-index:\n- name: tiny\n  results:\n  - task: {{type: text-generation}}\n    dataset: {{type: acme/eval-set, name: Eval set}}\n    metrics: [{{type: accuracy, value: 0.5}}]\n---\n# Tiny\n\n## Uses\nAnswering questions about gardening.\n\n## Limitations\nIt knows little about anything else.\n\n## Training Data\nTen thousand gardening questions written by our staff.\n\n## Evaluation\nAccuracy 0.5 on our held-out set.\n"
        ),
    );
    write(root, "config.json", r#"{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}"#);
    write(root, "model.safetensors", "\u{8}\0\0\0\0\0\0\0{}      ");
    write(root, "train.py", "print('training')\n");
}

#[test]
fn a_repository_with_weights_card_training_code_and_apache_earns_class_iii_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    open_repo(dir.path(), "apache-2.0");
    let (report, _) = json(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    let m = &report["models"][0];
    let mof = &m["openness"]["mof"];
    assert_eq!(mof["class"], "III", "{}", serde_json::to_string_pretty(&m["openness"]).unwrap());
    assert_eq!(m["openness"]["mof_class"], "III");
    assert_eq!(mof["progress"]["III"], 100);
    // Class II: architecture, parameters, card, data card, report (the paper), results and
    // training code count; inference and evaluation code are missing and the evaluation data
    // has no licence in the scan: 7 of 10.
    assert_eq!(mof["progress"]["II"], 70);
    assert_eq!(mof["progress"]["I"], 0);
    let evidence = |name: &str| component(m, name)["evidence"][0].clone();
    assert_eq!(evidence("Model parameters (Final)")["file"], "model.safetensors");
    assert_eq!(evidence("Model architecture")["file"], "config.json");
    assert_eq!(evidence("Training code")["file"], "train.py");
    assert_eq!(evidence("Research paper")["value"], "arxiv:2401.00001");
    assert_eq!(evidence("Evaluation results")["line"], 6, "the model-index line");
    assert_eq!(evidence("Data card")["value"], "Training Data");
    assert_eq!(component(m, "Data card")["note"], "the model card's training-data section stands for a data card");
    assert_eq!(component(m, "Model parameters (Final)")["status"], "conditional", "Apache-2.0 is not a data licence");
    assert_eq!(component(m, "Training code")["status"], "valid");
    assert_eq!(component(m, "Training code")["licence_from"], "distribution");
    assert_eq!(component(m, "Evaluation data")["status"], "unlicensed");
    assert_eq!(component(m, "Technical report")["status"], "missing");
    assert!(component(m, "Technical report")["note"].as_str().unwrap().contains("research paper"));
    let reasons: Vec<&str> = m["openness"]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("MOF: Class III (Open Model); Class II (Open Tooling) is 70 % complete")),
        "{reasons:?}"
    );
    // OSAID fails for want of code; the dimensions say what is open.
    let osaid = &m["openness"]["osaid"];
    assert_eq!(osaid["pass"], false);
    assert!(osaid["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().starts_with("code: missing")));
    let dims = &m["openness"]["dimensions"];
    assert_eq!(dims["weights"], "open");
    assert_eq!(dims["licence"], "open");
    assert_eq!(dims["model-card"], "open");
    assert_eq!(dims["code"], "partial");
    assert_eq!(dims["paper"], "open");
}

#[test]
fn a_llama_licensed_repository_is_unclassified_for_its_weights() {
    let dir = tempfile::tempdir().unwrap();
    open_repo(dir.path(), "llama3.1");
    let (report, _) = json(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    let m = &report["models"][0];
    assert!(m["openness"]["mof"]["class"].is_null());
    assert!(m["openness"]["mof_class"].is_null());
    let reasons: Vec<&str> = m["openness"]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(
        reasons.contains(&"MOF: unclassified: final parameters carry a use-restricted licence (llama3.1)"),
        "{reasons:?}"
    );
    assert_eq!(component(m, "Model parameters (Final)")["status"], "invalid");
    assert_eq!(m["openness"]["osaid"]["pass"], false);
    assert_eq!(m["openness"]["dimensions"]["licence"], "partial");
    assert_eq!(m["openness"]["dimensions"]["weights"], "partial");
}

#[test]
fn every_component_found_in_the_files_earns_class_i_and_passes_osaid() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    open_repo(root, "apache-2.0");
    // The card lists a dataset whose card is in the scan, and the evaluation set's card too.
    let card = fs::read_to_string(root.join("README.md"))
        .unwrap()
        .replace("library_name", "datasets:\n- acme/garden-qa\nlibrary_name");
    fs::write(root.join("README.md"), card).unwrap();
    for (name, licence) in [("garden-qa", "cc-by-4.0"), ("eval-set", "cdla-permissive-2.0")] {
        write(
            root,
            &format!("data/{name}/README.md"),
            &format!(
                "---\nlicense: {licence}\ntask_categories:\n- question-answering\nsize_categories:\n- 1K<n<10K\n---\n# {name}\n"
            ),
        );
    }
    for f in ["inference.py", "eval.py", "preprocess.py", "modeling_tiny.py"] {
        write(root, f, "pass\n");
    }
    write(root, "checkpoint-100/model.safetensors", "\u{8}\0\0\0\0\0\0\0{}      ");
    let (report, _) = json(&["scan", root.to_str().unwrap(), "--format", "json"]);
    let m = report["models"].as_array().unwrap().iter().find(|m| m["location"] == ".").unwrap();
    let mof = &m["openness"]["mof"];
    assert_eq!(mof["class"], "I", "{}", serde_json::to_string_pretty(mof).unwrap());
    assert_eq!(mof["progress"], serde_json::json!({"I": 100, "II": 100, "III": 100}));
    assert_eq!(component(m, "Datasets")["licence"], "CC-BY-4.0");
    assert_eq!(component(m, "Datasets")["licence_from"], "component");
    assert_eq!(component(m, "Evaluation data")["status"], "valid");
    assert_eq!(component(m, "Data card")["evidence"][0]["kind"], "dataset-card");
    assert_eq!(
        component(m, "Model parameters (Intermediate)")["evidence"][0]["file"],
        "checkpoint-100/model.safetensors"
    );
    assert_eq!(m["openness"]["osaid"]["pass"], true, "{}", m["openness"]["osaid"]);
    assert_eq!(m["openness"]["dimensions"]["training-data"], "open");
    assert_eq!(m["openness"]["dimensions"]["data-sheet"], "open");
}

#[test]
fn mot_files_give_one_model_each_with_the_release_name_and_relative_location() {
    let models = common::corpus().join("mof/models");
    let (report, out) = json(&["scan", "--mof", models.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 1), "{out:?}");
    let list = report["models"].as_array().unwrap();
    assert_eq!(list.len(), 273);
    let olmo = list.iter().find(|m| m["location"] == "OLMo-7B.yml").unwrap();
    assert_eq!(olmo["id"], "OLMo-7B");
    assert_eq!(olmo["source"], "mof");
    assert_eq!(olmo["licence"]["id"], "apache-2.0");
    assert_eq!(olmo["openness"]["mof"]["class"], "I");
    assert_eq!(olmo["openness"]["osaid"]["pass"], true);
    let llama = list.iter().find(|m| m["location"] == "Llama-2-7B.yml").unwrap();
    assert_eq!(llama["licence"]["id"], "llama2");
    assert_eq!(llama["licence"]["evidence"][0]["kind"], "mot-licence");
    assert!(llama["openness"]["mof"]["class"].is_null());
    // A single file: its name is the location.
    let (one, _) = json(&["scan", "--mof", models.join("Pythia-1B.yml").to_str().unwrap(), "--format", "json"]);
    assert_eq!(one["models"][0]["location"], "Pythia-1B.yml");
    assert_eq!(one["models"][0]["id"], "Pythia-1B");
}

#[test]
fn mot_files_round_trip_through_format_mof_with_the_same_verdicts() {
    for sub in ["mof/models", "mof/test-data"] {
        let source = common::corpus().join(sub);
        let (before, _) = json(&["scan", "--mof", source.to_str().unwrap(), "--format", "json"]);
        let out_dir = tempfile::tempdir().unwrap();
        let written = modelgate()
            .args([
                "scan",
                "--mof",
                source.to_str().unwrap(),
                "--format",
                "mof",
                "-o",
                out_dir.path().to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(written.status.code().is_some_and(|c| c < 2), "{written:?}");
        let files = fs::read_dir(out_dir.path()).unwrap().count();
        assert_eq!(files, before["models"].as_array().unwrap().len(), "{sub}: one file per model");
        let (after, _) = json(&["scan", "--mof", out_dir.path().to_str().unwrap(), "--format", "json"]);
        assert!(
            after["findings"].as_array().unwrap().iter().all(|f| f["rule"] != "mot-invalid"),
            "{sub}: {}",
            after["findings"]
        );
        let key = |r: &Value| {
            let mut v: Vec<(String, String, String, String)> = r["models"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    let statuses: Vec<String> = m["openness"]["mof"]["components"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| format!("{}={}", c["name"], c["status"]))
                        .collect();
                    (
                        m["id"].as_str().unwrap().to_string(),
                        m["openness"]["mof"]["class"].to_string(),
                        m["openness"]["mof"]["progress"].to_string(),
                        statuses.join(","),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(key(&before), key(&after), "{sub}");
    }
}

#[test]
fn format_mof_writes_one_yaml_document_per_model_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    open_repo(&dir.path().join("a"), "apache-2.0");
    open_repo(&dir.path().join("b"), "mit");
    let out = modelgate().args(["scan", dir.path().to_str().unwrap(), "--format", "mof"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let docs: Vec<&str> = text.split("\n---\n").collect();
    assert_eq!(docs.len(), 2, "{text}");
    for doc in docs {
        let v: Value = serde_saphyr::from_str(doc).unwrap_or_else(|e| panic!("{e}\n{doc}"));
        assert_eq!(v["framework"]["name"], "Model Openness Framework");
        assert!(v["release"]["components"].as_array().unwrap().iter().any(|c| c["name"] == "Model parameters (Final)"));
        assert!(v["release"]["license"]["distribution"]["name"].is_string());
    }
    assert!(text.contains("# Written by modelgate"));
}

#[test]
fn a_broken_mot_file_is_a_located_finding_and_the_others_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "good.yml",
        "framework:\n  name: Model Openness Framework\n  version: '1.0'\n  date: '2024-12-15'\nrelease:\n  name: Good\n  producer: Us\n  license: {}\n  components:\n  - name: Model card\n    license: CC-BY-4.0\n",
    );
    write(dir.path(), "bad.yml", "release:\n  name: Bad\n  components:\n  - name: Weights and biases\n");
    write(dir.path(), "junk.yaml", "release: [\n");
    let (report, out) = json(&["scan", "--mof", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "mot-invalid is an error");
    assert_eq!(report["models"].as_array().unwrap().len(), 1);
    let bad: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "mot-invalid").collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    let b = bad.iter().find(|f| f["file"] == "bad.yml").unwrap();
    assert_eq!(b["line"], 4);
    assert!(b["message"].as_str().unwrap().contains("unknown component `Weights and biases`"));
    // A missing path is a usage error, the same for every format.
    let out = modelgate().args(["scan", "--mof", "/no/such/dir", "--format", "mof"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    // --mof and scan paths exclude each other.
    let out = modelgate().args(["scan", ".", "--mof", dir.path().to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The parts of JSON Schema `mof_schema.json` uses: `type` (a name or a list), `required`,
/// `properties`, `enum`, `items`, `maxItems`, `minItems`, `minLength`.
fn schema_errors(schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let type_ok = |t: &str| match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "null" => v.is_null(),
        _ => true,
    };
    match &schema["type"] {
        Value::String(t) if !type_ok(t) => out.push(format!("{at}: not {t}: {v}")),
        Value::Array(ts) if !ts.iter().any(|t| type_ok(t.as_str().unwrap_or(""))) => {
            out.push(format!("{at}: type {v}"))
        }
        _ => {}
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(v)
    {
        out.push(format!("{at}: {v} not in {allowed:?}"));
    }
    if let (Some(min), Some(s)) = (schema["minLength"].as_u64(), v.as_str())
        && (s.chars().count() as u64) < min
    {
        out.push(format!("{at}: shorter than {min}"));
    }
    if let Some(req) = schema["required"].as_array() {
        for k in req {
            if v.get(k.as_str().unwrap()).is_none() {
                out.push(format!("{at}: missing {k}"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), v.as_object()) {
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                schema_errors(sub, x, &format!("{at}.{k}"), out);
            }
        }
    }
    if let Some(items) = v.as_array() {
        if let Some(max) = schema["maxItems"].as_u64()
            && items.len() as u64 > max
        {
            out.push(format!("{at}: more than {max} items"));
        }
        for (i, x) in items.iter().enumerate() {
            schema_errors(&schema["items"], x, &format!("{at}[{i}]"), out);
        }
    }
}

#[test]
fn written_mot_files_follow_the_mot_schema() {
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(common::corpus().join("mof/meta/mof_schema.json")).unwrap()).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let models = common::corpus().join("mof/models");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for args in [vec!["scan", "--mof", models.to_str().unwrap()], vec!["scan", examples.to_str().unwrap()]] {
        let out =
            modelgate().args(&args).args(["--format", "mof", "-o", out_dir.path().to_str().unwrap()]).output().unwrap();
        assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    }
    let mut errors = Vec::new();
    let mut n = 0;
    for entry in fs::read_dir(out_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let v: Value = serde_saphyr::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        schema_errors(&schema, &v, &path.file_name().unwrap().to_string_lossy(), &mut errors);
        n += 1;
    }
    let demo = modelgate().args(["scan", "--format", "json"]).arg(&examples).output().unwrap();
    let demo: Value = serde_json::from_slice(&demo.stdout).unwrap();
    assert_eq!(n, 273 + demo["models"].as_array().unwrap().len(), "one file per model");
    assert!(errors.is_empty(), "{errors:#?}");
    // The checker is not vacuous: it rejects what the schema rejects.
    let mut probe = Vec::new();
    schema_errors(
        &schema,
        &serde_json::json!({"release": {"name": "", "type": "robot", "components": []}}),
        "probe",
        &mut probe,
    );
    assert!(probe.len() >= 4, "{probe:?}");
}
