//! The report formats for people and SBOM pipelines (HTML, Markdown, CSV, CycloneDX, SPDX), each
//! checked by a client we did not write: the official CycloneDX 1.6 and SPDX 3.0.1 validators
//! (`.venv`, made by `bash .ci/run`), Python's `csv` module. The browser test of the HTML report
//! is in `html_browser.rs`.

mod common;

use std::{
    ffi::OsStr,
    fs,
    path::{Path, PathBuf},
};

use common::{hostile_tree, modelgate, run, schemas, tree, venv_tool};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `examples`, relative: the commands run from the repository root, so report paths and the ids
/// of several roots read `examples/…`.
fn examples() -> PathBuf {
    PathBuf::from("examples")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `scan ROOTS --format FORMAT -o FILE` with a fixed time; the file's text.
fn render(roots: &[&Path], format: &str, extra: &[&str], file: &Path) -> String {
    let out = modelgate()
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .arg("scan")
        .args(roots)
        .args(["--format", format, "-o"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    fs::read_to_string(file).unwrap()
}

fn json_report(roots: &[&Path]) -> Value {
    let out = modelgate().current_dir(root()).arg("scan").args(roots).args(["--format", "json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn validate_cyclonedx(file: &Path) -> Result<(), String> {
    let Some(check) = venv_tool("check-jsonschema") else { return Ok(()) };
    let s = schemas();
    let schema = s.join("bom-1.6.schema.json");
    let base = format!("file://{}", fs::canonicalize(&schema).unwrap().display());
    let (ok, text) = run(
        &check,
        &[
            OsStr::new("--schemafile"),
            schema.as_os_str(),
            OsStr::new("--base-uri"),
            OsStr::new(&base),
            file.as_os_str(),
        ],
    );
    if !ok {
        return Err(format!("check-jsonschema: {text}"));
    }
    // The CycloneDX project's own validator (strict: no additional properties).
    let python = venv_tool("python").unwrap();
    let script = "import sys\nfrom cyclonedx.schema import SchemaVersion\nfrom cyclonedx.validation.json import JsonStrictValidator\n\
                  err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\nprint(err or 'valid')\nsys.exit(err is not None)";
    let (ok, text) = run(&python, &[OsStr::new("-c"), OsStr::new(script), file.as_os_str()]);
    if !ok {
        return Err(format!("cyclonedx-python-lib: {text}"));
    }
    Ok(())
}

fn validate_spdx(file: &Path) -> Result<(), String> {
    let Some(check) = venv_tool("check-jsonschema") else { return Ok(()) };
    let s = schemas();
    let (ok, text) =
        run(&check, &[OsStr::new("--schemafile"), s.join("spdx-3.0.1-json-schema.json").as_os_str(), file.as_os_str()]);
    if !ok {
        return Err(format!("JSON schema: {text}"));
    }
    let python = venv_tool("python").unwrap();
    let (ok, text) = run(&python, &[s.join("validate_spdx3.py").as_os_str(), file.as_os_str()]);
    if !ok {
        return Err(format!("spdx-python-model: {text}"));
    }
    // SHACL, offline: the remote @context is replaced by the local copy first.
    let ttl = file.with_extension("ttl");
    let script = "import json, sys, rdflib\nd = json.load(open(sys.argv[1])); d['@context'] = json.load(open(sys.argv[2]))['@context']\n\
                  rdflib.Graph().parse(data=json.dumps(d), format='json-ld').serialize(sys.argv[3], format='turtle')";
    let context = s.join("spdx-3.0.1-context.jsonld");
    let (ok, text) =
        run(&python, &[OsStr::new("-c"), OsStr::new(script), file.as_os_str(), context.as_os_str(), ttl.as_os_str()]);
    if !ok {
        return Err(format!("JSON-LD to Turtle: {text}"));
    }
    let shacl = venv_tool("pyshacl").unwrap();
    let model = s.join("spdx-3.0.1-model.ttl");
    let (ok, text) =
        run(&shacl, &[OsStr::new("-s"), model.as_os_str(), OsStr::new("-e"), model.as_os_str(), ttl.as_os_str()]);
    if !ok || !text.contains("Conforms: True") {
        return Err(format!("pyshacl: {text}"));
    }
    Ok(())
}

#[test]
fn cyclonedx_of_the_demo_and_a_hostile_tree_validates() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_tree();
    let file = dir.path().join("bom.cdx.json");
    let text = render(&[&examples(), hostile.path()], "cyclonedx", &["--hash"], &file);
    validate_cyclonedx(&file).unwrap();
    let bom: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["metadata"]["timestamp"], "2026-01-01T00:00:00Z");
    let report = json_report(&[&examples(), hostile.path()]);
    let components = bom["components"].as_array().unwrap();
    let models: Vec<&Value> = components.iter().filter(|c| c["type"] == "machine-learning-model").collect();
    assert_eq!(models.len(), report["models"].as_array().unwrap().len(), "one component per model");
    for c in components {
        if let Some(l) = c["licenses"].as_array() {
            let expression = l.iter().any(|e| e.get("expression").is_some());
            let listed = l.iter().any(|e| e.get("license").is_some());
            assert!(!(expression && listed), "both forms in {}", c["name"]);
        }
    }
    let prop = |c: &Value, name: &str| -> Vec<String> {
        c["properties"]
            .as_array()
            .map(|p| p.iter().filter(|x| x["name"] == name).map(|x| x["value"].as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    // The restrictions BOMs have no field for travel as modelgate: properties.
    let custom = models.iter().find(|c| c["name"] == "examples/acme-custom").unwrap();
    assert_eq!(prop(custom, "modelgate:restriction:user-threshold:users"), ["50000000"]);
    assert_eq!(prop(custom, "modelgate:restriction:territorial:region"), ["EU"]);
    assert_eq!(prop(custom, "modelgate:restriction:territorial:at"), ["examples/acme-custom/LICENSE:7"]);
    assert_eq!(custom["licenses"][0]["license"]["name"], "acme-model-terms-v2");
    // An SPDX-list licence is an id; a Llama derivative names its base as an ancestor.
    let encoder = models.iter().find(|c| c["name"] == "acme/encoder-small").unwrap();
    assert_eq!(encoder["licenses"][0]["license"]["id"], "Apache-2.0");
    assert_eq!(encoder["modelCard"]["modelParameters"]["task"], "feature-extraction");
    assert_eq!(encoder["modelCard"]["quantitativeAnalysis"]["performanceMetrics"][0]["type"], "spearman");
    assert!(encoder["modelCard"]["considerations"]["useCases"][0].as_str().is_some());
    let dataset_ref = encoder["modelCard"]["modelParameters"]["datasets"][0]["ref"].as_str().unwrap();
    assert!(components.iter().any(|c| c["bom-ref"] == dataset_ref && c["type"] == "data"));
    let bot = models.iter().find(|c| c["name"] == "examples/llama-support-bot").unwrap();
    assert_eq!(bot["pedigree"]["ancestors"][0]["name"], "meta-llama/Llama-3.1-8B-Instruct");
    let relabelled = models.iter().find(|c| c["name"] == "examples/relabelled-llama").unwrap();
    assert!(relabelled["licenses"][0]["expression"].as_str().unwrap().contains("LicenseRef-llama3.1"));
    // --hash: the SHA-256 of the whole weight file.
    let weights = root().join("examples/acme-encoder/model.safetensors");
    let expected = format!("{:x}", Sha256::digest(fs::read(weights).unwrap()));
    assert_eq!(encoder["components"][0]["hashes"][0]["alg"], "SHA-256");
    assert_eq!(encoder["components"][0]["hashes"][0]["content"], expected);
    // The same scan at the same SOURCE_DATE_EPOCH gives the same BOM, serial number included.
    let again = render(&[&examples(), hostile.path()], "cyclonedx", &["--hash"], &dir.path().join("again.json"));
    assert_eq!(text, again);
}

#[test]
fn the_cyclonedx_validators_reject_a_broken_bom() {
    let Some(_) = venv_tool("check-jsonschema") else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.json");
    let text = render(&[&examples()], "cyclonedx", &[], &file);
    let broken = text.replacen("\"machine-learning-model\"", "\"ml-model\"", 1);
    fs::write(&file, broken).unwrap();
    assert!(validate_cyclonedx(&file).is_err(), "a component type outside the enum must fail");
}

#[test]
fn spdx_of_the_demo_and_a_hostile_tree_validates_three_ways() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_tree();
    let file = dir.path().join("report.spdx.json");
    let text = render(&[&examples(), hostile.path()], "spdx", &["--hash"], &file);
    validate_spdx(&file).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let graph = doc["@graph"].as_array().unwrap();
    let of_type = |t: &str| graph.iter().filter(|e| e["type"] == t).collect::<Vec<_>>();
    let report = json_report(&[&examples(), hostile.path()]);
    let models = report["models"].as_array().unwrap().len();
    let bases: usize =
        report["models"].as_array().unwrap().iter().map(|m| m["lineage"].as_array().unwrap().len()).sum();
    let packages = of_type("ai_AIPackage");
    assert!(packages.len() >= models && packages.len() <= models + bases);
    let find = |name: &str| packages.iter().find(|p| p["name"] == name).copied().unwrap();
    let relation = |from: &Value, kind: &str| -> Vec<&Value> {
        let id = &from["spdxId"];
        graph
            .iter()
            .filter(|e| e["type"] == "Relationship" && &e["from"] == id && e["relationshipType"] == kind)
            .collect()
    };
    let expression_of = |rel: &Value| -> String {
        let to = &rel["to"][0];
        let e = graph.iter().find(|e| &e["spdxId"] == to).unwrap();
        e["simplelicensing_licenseExpression"].as_str().unwrap().to_string()
    };
    let encoder = find("acme/encoder-small");
    assert_eq!(expression_of(relation(encoder, "hasConcludedLicense")[0]), "Apache-2.0");
    assert_eq!(expression_of(relation(encoder, "hasDeclaredLicense")[0]), "Apache-2.0");
    assert_eq!(relation(encoder, "trainedOn").len(), 1);
    assert!(encoder["ai_informationAboutApplication"].as_str().is_some());
    assert_eq!(relation(encoder, "contains").len(), 1);
    let relabelled = find("examples/relabelled-llama");
    assert!(expression_of(relation(relabelled, "hasConcludedLicense")[0]).contains("LicenseRef-llama3.1"));
    // Lineage: the base is an ancestor of the fine-tune.
    let bot = find("examples/llama-support-bot");
    let ancestry: Vec<&Value> = graph
        .iter()
        .filter(|e| e["type"] == "Relationship" && e["relationshipType"] == "ancestorOf" && e["to"][0] == bot["spdxId"])
        .collect();
    assert_eq!(ancestry.len(), 1);
    assert!(!of_type("dataset_DatasetPackage").is_empty());
    let props = bot["extension"][0]["extension_cdxProperty"].as_array().unwrap();
    assert!(props.iter().any(|p| p["extension_cdxPropName"] == "modelgate:restriction:user-threshold:users"
        && p["extension_cdxPropValue"] == "700000000"));
    let hashed =
        of_type("software_File").into_iter().filter(|f| f["verifiedUsing"][0]["algorithm"] == "sha256").count();
    assert!(hashed > 0, "--hash puts SHA-256 on the weight files");
}

#[test]
fn the_spdx_validators_reject_broken_documents() {
    let Some(_) = venv_tool("check-jsonschema") else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    // A small document: the JSON-schema check costs about half a second of CPU per element.
    let small =
        tree(&[("m/README.md", &common::card("license: mit\nbase_model: org/base\ndatasets:\n  - org/data", "# m\n"))]);
    let text = render(&[small.path()], "spdx", &[], &file);
    // Break one thing at a time; each must fail the chain of checks.
    let cases = [
        ("\"software_primaryPurpose\": \"model\"", "\"software_primaryPurpose\": \"weights\""),
        ("\"specVersion\": \"3.0.1\",", ""),
        ("\"relationshipType\": \"hasConcludedLicense\"", "\"relationshipType\": \"concludes\""),
    ];
    for (from, to) in cases {
        assert!(text.contains(from), "{from}");
        fs::write(&file, text.replacen(from, to, 1)).unwrap();
        assert!(validate_spdx(&file).is_err(), "accepted with {from} → {to}");
    }
}

#[test]
fn csv_parses_with_python_one_row_per_model() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_tree();
    let file = dir.path().join("models.csv");
    let inventory = root().join("examples/inventory.csv");
    let text = render(&[&examples(), hostile.path()], "csv", &["--inventory", inventory.to_str().unwrap()], &file);
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    let script = "import csv, json, sys\nrows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8'), strict=True))\nprint(json.dumps(rows))";
    let out = std::process::Command::new("python3").args(["-c", script]).arg(&file).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    let report = json_report(&[&examples(), hostile.path()]);
    let models = report["models"].as_array().unwrap();
    // The inventory adds its models; compare with the JSON report of the same scan.
    let with_inventory = {
        let out = modelgate()
            .current_dir(root())
            .arg("scan")
            .args([examples().as_path(), hostile.path()])
            .args(["--format", "json", "--inventory"])
            .arg(&inventory)
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["models"].as_array().unwrap().len()
    };
    assert!(with_inventory >= models.len());
    assert_eq!(rows.len(), 1 + with_inventory, "a header and one row per model");
    let header = &rows[0];
    assert!(rows.iter().all(|r| r.len() == header.len()), "every row has every column");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    for name in [
        "id",
        "source",
        "location",
        "licence",
        "category",
        "restrictions",
        "weights",
        "data",
        "code",
        "mof_class",
        "findings",
        "team",
        "region",
    ] {
        col(name);
    }
    let custom = rows.iter().find(|r| r[col("id")] == "examples/acme-custom").unwrap();
    assert_eq!(custom[col("restrictions")], "user-threshold; output-use; territorial");
    assert_eq!(custom[col("user_threshold")], "50000000");
    assert_eq!(custom[col("category")], "community");
    assert!(rows.iter().any(|r| !r[col("team")].is_empty()), "inventory columns are kept");
    // The hostile id starts with `=`: kept, but not as a formula.
    let evil = rows.iter().find(|r| r[col("id")].contains("HYPERLINK")).unwrap();
    assert!(evil[col("id")].starts_with("'="), "{}", evil[col("id")]);
    assert!(evil[col("location")].contains('"'), "quotes survive the round trip");
}

#[test]
fn markdown_has_every_model_and_escapes_hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_tree();
    let text = render(&[&examples(), hostile.path()], "markdown", &[], &dir.path().join("r.md"));
    assert!(text.len() <= 65_536);
    assert!(!text.contains("Shortened"), "the demo fits in one comment");
    let report = json_report(&[&examples(), hostile.path()]);
    for (i, _) in report["models"].as_array().unwrap().iter().enumerate() {
        assert!(text.contains(&format!("<a id=\"model-{}\"></a>", i + 1)));
    }
    assert!(text.contains("**Lock-in:** 3 of 18 models"), "{}", &text[..2000]);
    assert!(text.contains("&lt;script&gt;"), "the card's text is shown, escaped");
    // What GitHub's own Markdown engine (cmark-gfm, raw HTML let through as GitHub's renderer
    // does before sanitising) makes of it: only the tags we write, no script, no image, no
    // javascript: link.
    let Some(python) = venv_tool("python") else { return };
    let file = dir.path().join("r.md");
    let script = "import sys, json, re, cmarkgfm\nfrom cmarkgfm.cmark import Options\n\
                  h = cmarkgfm.github_flavored_markdown_to_html(open(sys.argv[1], encoding='utf-8').read(), options=Options.CMARK_OPT_UNSAFE)\n\
                  print(json.dumps({'tags': sorted(set(t.lower() for t in re.findall(r'<([a-zA-Z][a-zA-Z0-9]*)', h))), 'hrefs': re.findall(r'href=\"([^\"]*)\"', h), 'html': h}))";
    let (ok, out) = run(&python, &[OsStr::new("-c"), OsStr::new(script), file.as_os_str()]);
    assert!(ok, "{out}");
    let rendered: Value = serde_json::from_str(&out).unwrap();
    let allowed = [
        "a", "b", "br", "code", "del", "details", "em", "h1", "h2", "h3", "li", "p", "strong", "sub", "summary",
        "table", "tbody", "td", "th", "thead", "tr", "ul",
    ];
    for tag in rendered["tags"].as_array().unwrap() {
        assert!(allowed.contains(&tag.as_str().unwrap()), "the rendered Markdown has a <{tag}> element");
    }
    for href in rendered["hrefs"].as_array().unwrap() {
        let href = href.as_str().unwrap();
        // Our own links: in-page anchors and the catalogue's licence texts. GitHub links bare
        // e-mail addresses whatever the escaping; a mailto: link loads nothing.
        let ours = href.starts_with('#') || href.starts_with("https://") || href.starts_with("http://");
        assert!((ours || href.starts_with("mailto:")) && !href.contains("evil.invalid"), "link to {href}");
    }
    assert!(rendered["html"].as_str().unwrap().contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"));
    assert!(text.contains("`examples/acme-custom/LICENSE:7`"), "restrictions carry their clause location");
}

#[test]
fn markdown_past_the_comment_limit_is_shortened_and_says_so() {
    // 400 models with long ids and several findings each: far past 65,536 characters.
    let long = "x".repeat(120);
    let files: Vec<(String, Vec<u8>)> = (0..400)
        .map(|i| {
            let card = common::card(&format!("license: llama3.1\nmodel_name: org/{long}-{i}"), "# m\n");
            (format!("m{i}/README.md"), card)
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (p.as_str(), c.as_slice())).collect();
    let dir = tree(&refs);
    let out = tempfile::tempdir().unwrap();
    let text = render(&[dir.path()], "markdown", &[], &out.path().join("r.md"));
    assert!(text.len() <= 65_536, "{} bytes", text.len());
    assert!(text.contains("Shortened to fit GitHub's comment limit of 65536 characters"));
    assert!(text.contains("of 400 models"));
    assert!(text.contains("## Summary") && text.contains("**400 models**"), "the summary stays whole");
}

#[test]
fn html_escapes_every_scanned_string_and_allows_only_its_own_script() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_tree();
    let html = render(&[&examples(), hostile.path()], "html", &[], &dir.path().join("r.html"));
    assert_eq!(html.matches("<script").count(), 1, "only the page's own script");
    assert!(!html.contains("<img"), "no image from a card");
    assert!(!html.contains("<iframe") && !html.contains("<svg onload"));
    assert!(!html.contains("href=\"javascript"), "no javascript: link");
    assert!(html.contains("&lt;script&gt;window.__pwned=1&lt;&#x2f;script&gt;"), "the card's text is shown, escaped");
    assert!(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;"));
    // Links only to http(s) catalogue URLs.
    for href in html.replace("&#x2f;", "/").split("href=\"").skip(1) {
        assert!(
            href.starts_with('#') || href.starts_with("https://") || href.starts_with("http://"),
            "{}",
            &href[..40.min(href.len())]
        );
    }
    assert!(html.contains("2026-01-01T00:00:00Z"), "the time comes from SOURCE_DATE_EPOCH");
    assert!(html.contains("examples&#x2f;acme-custom&#x2f;LICENSE:7"), "restrictions carry their clause location");
    assert!(html.contains("id=\"chart-categories\"") && html.contains("<rect class=\"c-permissive\""));
}

#[test]
fn html_template_directory_overrides_and_extends_the_builtin() {
    let dir = tree(&[(
        "report.html",
        b"{% extends \"builtin/report.html\" %}{% block footer %}<footer>Reviewed by Legal: {{ r.summary.models }} models, {{ r.models[0].model.id }}</footer>{% endblock %}",
    )]);
    let out = tempfile::tempdir().unwrap();
    let html =
        render(&[&examples()], "html", &["--template", dir.path().to_str().unwrap()], &out.path().join("r.html"));
    assert!(
        html.contains("<footer>Reviewed by Legal: 17 models, BAAI&#x2f;bge-small-en-v1.5</footer>"),
        "{}",
        &html[html.len().saturating_sub(600)..]
    );
    assert!(html.contains("id=\"models\""), "the rest of the built-in page stays");

    // A broken template is an error with its file and line, exit 2.
    let bad = tree(&[("report.html", b"line one\n{% if %}\n")]);
    let o = modelgate()
        .arg("scan")
        .arg(examples())
        .args(["--format", "html", "--template"])
        .arg(bad.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("report.html:2"), "{err}");
    let o = modelgate()
        .arg("scan")
        .arg(examples())
        .args(["--format", "json", "--template"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "--template is for --format html");
}

#[test]
fn hash_puts_the_sha256_of_each_weight_file_in_the_json_report() {
    let dir = tree(&[
        ("m/README.md", &common::card("license: mit", "# m\n")),
        ("m/model.safetensors", b"\x08\x00\x00\x00\x00\x00\x00\x00{}      0123456789"),
    ]);
    let (plain, _) = common::scan_json(dir.path(), &[]);
    assert!(plain["models"][0]["weights"][0].get("sha256").is_none(), "no hashing unless asked");
    let (hashed, _) = common::scan_json(dir.path(), &["--hash"]);
    let expected = format!("{:x}", Sha256::digest(fs::read(dir.path().join("m/model.safetensors")).unwrap()));
    assert_eq!(hashed["models"][0]["weights"][0]["sha256"], expected);
}

#[test]
fn a_bad_source_date_epoch_is_a_usage_error() {
    let out = modelgate()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .arg("scan")
        .arg(examples())
        .args(["--format", "spdx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOURCE_DATE_EPOCH"));
}
