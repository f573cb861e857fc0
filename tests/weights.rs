//! Weight headers, end to end: files made by the tests (and by Python's `pickle`, which only
//! writes them), read by modelgate's streaming readers, cross-checked with the `safetensors` and
//! `gguf` crates, and scanned through the binary.

mod weights_fixtures;

use std::{collections::BTreeMap, io::BufReader, path::Path};

use assert_cmd::Command;
use modelgate::{
    model::{Parsed, WeightFile},
    parse::weights::{
        self, HeaderError,
        input::{Input, Stream},
    },
    vocab::WeightFormat,
};
use serde_json::Value;
use weights_fixtures::{
    GV, gguf, hostile_ggufs, safetensors_raw, system_pickle, torch_state_dict_pickle, torch_zip, write, zip,
};

fn read(path: &Path, format: WeightFormat) -> WeightFile {
    let rel = path.file_name().unwrap().to_string_lossy().into_owned();
    let parsed = weights::read_as(path, &rel, format);
    parsed
        .into_iter()
        .find_map(|p| match p {
            Parsed::Weights(w) => Some(w),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{} was not read as weights", path.display()))
}

fn scan_json(dir: &Path) -> (Value, i32) {
    let out =
        Command::cargo_bin("modelgate").unwrap().arg("scan").arg(dir).args(["--format", "json"]).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (json, out.status.code().unwrap())
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).collect()
}

fn imports(w: &WeightFile) -> Vec<String> {
    w.header.pickle.as_ref().map(|p| p.imports.clone()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// safetensors

#[test]
fn safetensors_headers_match_the_safetensors_crate() {
    use safetensors::{Dtype, tensor::TensorView};
    let dir = tempfile::tempdir().unwrap();
    let a = vec![0u8; 2 * 3 * 4];
    let b = vec![0u8; 5 * 2];
    let c = vec![0u8; 7 * 8];
    let tensors = vec![
        ("encoder.weight", TensorView::new(Dtype::F32, vec![2, 3], &a).unwrap()),
        ("encoder.bias", TensorView::new(Dtype::BF16, vec![5], &b).unwrap()),
        ("position_ids", TensorView::new(Dtype::I64, vec![1, 7], &c).unwrap()),
    ];
    let metadata: std::collections::HashMap<String, String> =
        [("format".to_string(), "pt".to_string()), ("license".to_string(), "mit".to_string())].into();
    let bytes = safetensors::serialize(tensors, Some(metadata)).unwrap();
    let path = write(dir.path(), "model.safetensors", &bytes);

    let ours = read(&path, WeightFormat::Safetensors);
    let theirs = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (_, their_meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();

    assert_eq!(ours.format, WeightFormat::Safetensors);
    assert_eq!(ours.header.header_error, None);
    assert_eq!(ours.header.tensors, Some(theirs.len() as u64));
    let params: u64 = theirs.tensors().iter().map(|(_, t)| t.shape().iter().product::<usize>() as u64).sum();
    assert_eq!(ours.header.parameters, Some(params));
    let mut dtypes: Vec<String> = theirs.tensors().iter().map(|(_, t)| format!("{:?}", t.dtype())).collect();
    dtypes.sort();
    dtypes.dedup();
    assert_eq!(ours.header.dtypes, dtypes);
    let their_meta: BTreeMap<String, Value> =
        their_meta.metadata().clone().unwrap().into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    assert_eq!(ours.header.metadata, their_meta);
    assert_eq!(ours.header.licence.as_ref().unwrap().license.as_deref(), Some("mit"));

    // The crate refuses a truncated file; so do we, and we say why.
    let cut = &bytes[..bytes.len() - 10];
    assert!(safetensors::SafeTensors::deserialize(cut).is_err());
    let path = write(dir.path(), "cut.safetensors", cut);
    let w = read(&path, WeightFormat::Safetensors);
    assert!(w.header.header_error.as_deref().unwrap().contains("truncated"), "{:?}", w.header.header_error);
}

#[test]
fn lying_safetensors_headers_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut huge = (1u64 << 60).to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("huge.safetensors", huge, "claims 1152921504606846976 bytes but the file holds 2"),
        ("past-end.safetensors", [&100u64.to_le_bytes()[..], b"{\"a\":1}"].concat(), "claims 100 bytes"),
        ("not-json.safetensors", safetensors_raw("{nope", 0), "JSON"),
        (
            "bad-offsets.safetensors",
            safetensors_raw(r#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[8,0]}}"#, 16),
            "ends before it starts",
        ),
        (
            "short.safetensors",
            safetensors_raw(r#"{"w":{"dtype":"F32","shape":[1000],"data_offsets":[0,4000]}}"#, 16),
            "truncated",
        ),
    ];
    for (name, bytes, expect) in cases {
        let path = write(dir.path(), name, &bytes);
        let w = read(&path, WeightFormat::Safetensors);
        let err = w.header.header_error.unwrap_or_else(|| panic!("{name}: no error"));
        assert!(err.contains(expect), "{name}: {err}");
    }
    let (report, _) = scan_json(dir.path());
    assert_eq!(findings(&report, "weights-header-invalid").len(), 5, "{:#}", report["findings"]);
    assert!(findings(&report, "weights-header-invalid").iter().all(|f| f["severity"] == "warning"));
}

#[test]
fn safetensors_headers_past_the_format_or_our_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 150 MB claimed and present (a sparse file): past what the format allows.
    let path = dir.path().join("big.safetensors");
    let mut bytes = 150_000_000u64.to_le_bytes().to_vec();
    bytes.push(b'{');
    std::fs::write(&path, &bytes).unwrap();
    std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(150_000_100).unwrap();
    let err = read(&path, WeightFormat::Safetensors).header.header_error.unwrap();
    assert!(err.contains("more than the 100000000 safetensors allows"), "{err}");
    // A valid header longer than `--limit weight-header`: a limit, not a broken file.
    std::fs::remove_file(&path).unwrap();
    let ok = safetensors_raw(r#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4);
    write(dir.path(), "ok.safetensors", &ok);
    let out = Command::cargo_bin("modelgate")
        .unwrap()
        .args(["scan", "--format", "json", "--limit", "weight-header=16"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = findings(&report, "limit-exceeded");
    assert_eq!(hits.len(), 1, "{:#}", report["findings"]);
    assert!(hits[0]["message"].as_str().unwrap().contains("limit `weight-header` = 16"), "{}", hits[0]);
    assert!(findings(&report, "weights-header-invalid").is_empty(), "{:#}", report["findings"]);
}

// ---------------------------------------------------------------------------------------------
// GGUF

fn sample_gguf(version: u32) -> Vec<u8> {
    let tokens: Vec<String> = (0..1000).map(|i| format!("tok{i}")).collect();
    gguf(
        version,
        &[
            ("general.architecture", GV::Str("llama".into())),
            ("general.name", GV::Str("Tiny Test".into())),
            ("general.organization", GV::Str("Acme".into())),
            ("general.license", GV::Str("apache-2.0".into())),
            ("general.license.link", GV::Str("https://www.apache.org/licenses/LICENSE-2.0".into())),
            ("general.file_type", GV::U32(15)),
            ("general.base_model.count", GV::U32(1)),
            ("general.base_model.0.name", GV::Str("Llama 3.1 8B Instruct".into())),
            ("general.base_model.0.organization", GV::Str("Meta Llama".into())),
            (
                "general.base_model.0.repo_url",
                GV::Str("https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct".into()),
            ),
            ("llama.context_length", GV::U32(4096)),
            ("llama.rope.dims", GV::U32s(vec![1, 2, 3])),
            ("general.tags", GV::Strs(vec!["text-generation".into()])),
            ("tokenizer.ggml.tokens", GV::Strs(tokens)),
            ("tokenizer.chat_template", GV::Str("{% for m in messages %}{{ m.content }}{% endfor %}".into())),
        ],
        &[("token_embd.weight", &[64, 32], 0), ("blk.0.attn_q.weight", &[64, 64], 8), ("output_norm.weight", &[64], 1)],
    )
}

#[test]
fn gguf_headers_match_the_gguf_crate() {
    let dir = tempfile::tempdir().unwrap();
    for version in [2, 3] {
        let bytes = sample_gguf(version);
        let path = write(dir.path(), &format!("tiny-v{version}.gguf"), &bytes);
        let ours = read(&path, WeightFormat::Gguf);
        let theirs = gguf::GGUFFile::read(&bytes).unwrap().expect("the oracle reads the whole file");
        assert_eq!(ours.header.header_error, None);
        assert_eq!(ours.header.tensors, Some(theirs.tensors.len() as u64));
        let params: u64 = theirs.tensors.iter().map(|t| t.dimensions.iter().product::<u64>()).sum();
        assert_eq!(ours.header.parameters, Some(params));
        for m in &theirs.header.metadata {
            let mine = ours.header.metadata.get(&m.key);
            match &m.value {
                gguf::GGUFMetadataValue::String(s) if m.key == "tokenizer.chat_template" => {
                    assert!(mine.is_none() && ours.header.chat_template && !s.is_empty());
                }
                gguf::GGUFMetadataValue::String(s) => assert_eq!(mine, Some(&Value::String(s.clone())), "{}", m.key),
                gguf::GGUFMetadataValue::Uint32(x) => assert_eq!(mine, Some(&Value::from(*x)), "{}", m.key),
                gguf::GGUFMetadataValue::Array(a) if a.len > 64 => {
                    assert_eq!(mine, Some(&Value::String(format!("(array of {} string)", a.len))), "{}", m.key)
                }
                gguf::GGUFMetadataValue::Array(a) => {
                    assert_eq!(mine.and_then(Value::as_array).map(Vec::len), Some(a.value.len()), "{}", m.key)
                }
                other => panic!("unexpected value {other:?}"),
            }
        }
        let licence = ours.header.licence.as_ref().unwrap();
        assert_eq!(licence.license.as_deref(), Some("apache-2.0"));
        assert_eq!(licence.link.as_deref(), Some("https://www.apache.org/licenses/LICENSE-2.0"));
        assert_eq!(ours.header.quantisation.as_deref(), Some("Q4_K_M"));
        assert_eq!(ours.header.base_models, ["https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"]);
        assert_eq!(ours.header.dtypes, ["F16", "F32", "Q8_0"]);
    }
}

#[test]
fn a_big_endian_gguf_reads_like_a_little_endian_one() {
    // Version 3, no tensors, one string key, every number big-endian.
    let mut b = b"GGUF".to_vec();
    b.extend_from_slice(&3u32.to_be_bytes());
    b.extend_from_slice(&0u64.to_be_bytes());
    b.extend_from_slice(&1u64.to_be_bytes());
    b.extend_from_slice(&15u64.to_be_bytes());
    b.extend_from_slice(b"general.license");
    b.extend_from_slice(&8u32.to_be_bytes());
    b.extend_from_slice(&3u64.to_be_bytes());
    b.extend_from_slice(b"mit");
    let dir = tempfile::tempdir().unwrap();
    let w = read(&write(dir.path(), "be.gguf", &b), WeightFormat::Gguf);
    assert_eq!(w.header.header_error, None);
    assert_eq!(w.header.licence.unwrap().license.as_deref(), Some("mit"));
    assert!(w.header.notes.iter().any(|n| n.contains("big-endian")));
}

#[test]
fn hostile_gguf_headers_are_findings_not_allocations() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, expect) in hostile_ggufs() {
        let w = read(&write(dir.path(), name, &bytes), WeightFormat::Gguf);
        let err = w.header.header_error.unwrap_or_else(|| panic!("{name}: no error"));
        assert!(err.contains(expect), "{name}: {err}");
    }
    let (report, _) = scan_json(dir.path());
    assert_eq!(findings(&report, "weights-header-invalid").len(), hostile_ggufs().len());
}

#[test]
fn every_truncation_of_a_gguf_header_is_an_error_never_a_panic() {
    let bytes = sample_gguf(3);
    let read_prefix = |cut: usize| {
        let slice = &bytes[..cut];
        let mut input = Input::new(Stream(BufReader::new(slice)), Some(cut as u64), 1 << 20, "GGUF header");
        let mut h = Default::default();
        weights::gguf::read_from(&mut input, &mut h)
    };
    // The header ends where the first prefix reads whole; every shorter prefix is an error.
    let end = (0..bytes.len()).find(|&cut| read_prefix(cut).is_ok()).expect("the whole file reads");
    assert!(end > 10_000, "the header holds a 1000-token vocabulary: {end}");
    for cut in 0..end {
        let r = read_prefix(cut);
        assert!(matches!(r, Err(HeaderError::Invalid(_))), "cut at {cut}: {r:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Pickles

#[test]
fn a_torch_state_dict_imports_only_allowed_globals() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good/pytorch_model.bin", &torch_zip(&torch_state_dict_pickle()));
    write(dir.path(), "good/README.md", b"---\nlicense: mit\n---\n# Good\n");
    let w = read(&dir.path().join("good/pytorch_model.bin"), WeightFormat::Pytorch);
    assert_eq!(w.format, WeightFormat::Pytorch);
    assert_eq!(
        imports(&w),
        ["collections.OrderedDict", "torch.FloatStorage", "torch._utils._rebuild_tensor_v2"],
        "{:?}",
        w.header
    );
    let scan = w.header.pickle.as_ref().unwrap();
    assert_eq!(scan.streams, ["archive/data.pkl"]);
    assert_eq!(scan.protocol, Some(2));
    assert_eq!(scan.unverified, None);
    assert_eq!(w.header.metadata["torch.format_version"], "3");
    let (report, _) = scan_json(dir.path());
    assert!(findings(&report, "unsafe-pickle").is_empty(), "{:#}", report["findings"]);
}

#[test]
fn the_malicious_pickle_is_reported_and_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let canary = dir.path().join("pwned");
    let command = format!("touch {}", canary.display());
    write(dir.path(), "evil/pytorch_model.bin", &torch_zip(&system_pickle(&command)));
    write(dir.path(), "evil/model.pkl", &system_pickle(&command));
    write(dir.path(), "evil/README.md", b"---\nlicense: mit\n---\n# Evil\n");
    let (report, code) = scan_json(dir.path());
    assert_eq!(code, 1, "unsafe-pickle is an error in the default pack");
    let hits = findings(&report, "unsafe-pickle");
    assert_eq!(hits.len(), 2, "{hits:?}");
    for h in &hits {
        assert_eq!(h["severity"], "error");
        assert!(h["message"].as_str().unwrap().contains("`posix.system`"), "{h}");
    }
    let files: Vec<&str> = hits.iter().map(|h| h["file"].as_str().unwrap()).collect();
    assert!(files.contains(&"evil/pytorch_model.bin") && files.contains(&"evil/model.pkl"));
    let weights = report["models"][0]["weights"].as_array().unwrap();
    assert!(weights.iter().all(|w| w["pickle"]["imports"] == serde_json::json!(["posix.system"])));
    assert!(!canary.exists(), "the pickle ran");
}

#[test]
fn python_made_pickles_of_every_protocol_are_walked() {
    let dir = tempfile::tempdir().unwrap();
    let canary = dir.path().join("pwned");
    // Python only writes these: `pickle.dumps` never calls the reduce functions.
    let script = r#"
import functools, operator, os, pickle, sys, zlib, gzip, collections
out, canary = sys.argv[1], sys.argv[1] + "/pwned"
class System:
    def __reduce__(self): return (os.system, ("touch " + canary,))
class Eval:
    def __reduce__(self): return (eval, ("__import__('os').system('touch " + canary + "')",))
class Partial:
    def __reduce__(self): return (functools.partial(os.system, "touch " + canary), ())
class Getter:
    def __reduce__(self): return (operator.attrgetter("upper"), ("x",))
for p in range(0, 6):
    for name, obj in [("system", System()), ("eval", Eval()), ("partial", Partial()), ("getter", Getter()),
                      ("plain", {"weights": [1.5, 2.5], "name": "ok", "set": {1, 2}})]:
        with open(f"{out}/{name}-p{p}.pkl", "wb") as f:
            f.write(pickle.dumps(obj, protocol=p))
with open(f"{out}/compressed.joblib", "wb") as f:
    f.write(zlib.compress(pickle.dumps(System(), protocol=4)))
with open(f"{out}/gzipped.joblib", "wb") as f:
    f.write(gzip.compress(pickle.dumps(System(), protocol=2)))
"#;
    if !weights_fixtures::run_python(script, dir.path()) {
        return;
    }
    let system = ["posix.system", "nt.system", "os.system"];
    for p in 0..=5 {
        let get = |name: &str| read(&dir.path().join(format!("{name}-p{p}.pkl")), WeightFormat::Pickle);
        let w = get("system");
        assert!(imports(&w).iter().any(|i| system.contains(&i.as_str())), "p{p}: {:?}", w.header);
        assert_eq!(w.header.header_error, None, "p{p}");
        assert!(imports(&get("eval")).iter().any(|i| i.ends_with(".eval")), "p{p}");
        let partial = imports(&get("partial"));
        assert!(partial.contains(&"functools.partial".to_string()), "p{p}: {partial:?}");
        assert!(partial.iter().any(|i| system.contains(&i.as_str())), "p{p}: {partial:?}");
        assert!(imports(&get("getter")).contains(&"operator.attrgetter".to_string()), "p{p}");
        let plain = get("plain");
        assert_eq!(plain.header.header_error, None, "p{p}");
        assert!(imports(&plain).iter().all(|i| i.ends_with(".set")), "p{p}: {:?}", imports(&plain));
        if p >= 2 {
            assert_eq!(plain.header.pickle.as_ref().unwrap().protocol, Some(p as u8));
        }
    }
    for name in ["compressed.joblib", "gzipped.joblib"] {
        let w = read(&dir.path().join(name), WeightFormat::Joblib);
        assert!(imports(&w).iter().any(|i| system.contains(&i.as_str())), "{name}: {:?}", w.header);
    }
    let (report, _) = scan_json(dir.path());
    let flagged: Vec<&str> = findings(&report, "unsafe-pickle").iter().map(|f| f["file"].as_str().unwrap()).collect();
    for p in 0..=5 {
        for name in ["system", "eval", "partial", "getter"] {
            assert!(flagged.contains(&format!("{name}-p{p}.pkl").as_str()), "{name}-p{p} not flagged");
        }
        assert!(!flagged.contains(&format!("plain-p{p}.pkl").as_str()), "plain-p{p} flagged");
    }
    assert!(!canary.exists(), "a pickle ran");
}

/// The bypasses published against deny-list scanners, each built by hand.
fn bypass_pickles() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let s = |x: &str| {
        let mut v = vec![0x8c, x.len() as u8];
        v.extend_from_slice(x.as_bytes());
        v
    };
    // numpy.__builtins__-style: an allowed-looking module, a dotted attribute path.
    let mut numpy_builtins = b"\x80\x04".to_vec();
    numpy_builtins.extend(s("numpy"));
    numpy_builtins.extend(s("__builtins__.eval"));
    numpy_builtins.extend_from_slice(b"\x93");
    numpy_builtins.extend(s("print(1)"));
    numpy_builtins.extend_from_slice(b"\x85R.");
    // importlib.import_module("os"), then getattr(module, "system")("…").
    let mut importlib = b"\x80\x02cimportlib\nimport_module\nX\x02\x00\x00\x00os\x85Rq\x00".to_vec();
    importlib.extend_from_slice(b"c__builtin__\ngetattr\nh\x00X\x06\x00\x00\x00system\x86RX\x04\x00\x00\x00true\x85R.");
    // Memo trick: the strings are pushed, memoised, popped, and fetched back for STACK_GLOBAL,
    // so no scanner that only looks at the opcodes just before STACK_GLOBAL can see them.
    let mut memo = b"\x80\x04".to_vec();
    memo.extend(s("os"));
    memo.extend_from_slice(b"\x94");
    memo.extend(s("innocent"));
    memo.extend_from_slice(b"\x940");
    memo.extend(s("system"));
    memo.extend_from_slice(b"\x940\x30");
    memo.extend(s("collections"));
    memo.extend(s("OrderedDict"));
    memo.extend_from_slice(b"\x930h\x00h\x02\x93");
    memo.extend(s("true"));
    memo.extend_from_slice(b"\x85R.");
    // functools.partial(os.system, "…")() and operator.attrgetter("system")(os).
    let partial = b"\x80\x02cfunctools\npartial\ncos\nsystem\nX\x04\x00\x00\x00true\x86R)R.".to_vec();
    let attrgetter = b"\x80\x02coperator\nattrgetter\nX\x06\x00\x00\x00system\x85Rcos\n_wrap_close\n\x85R.".to_vec();
    vec![
        ("numpy-builtins.pkl", numpy_builtins, "numpy.__builtins__.eval"),
        ("importlib.pkl", importlib, "importlib.import_module"),
        ("memo.pkl", memo, "os.system"),
        ("partial.pkl", partial, "functools.partial"),
        ("attrgetter.pkl", attrgetter, "operator.attrgetter"),
    ]
}

#[test]
fn deny_list_bypasses_are_caught_by_the_allow_list() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, import) in bypass_pickles() {
        let w = read(&write(dir.path(), name, &bytes), WeightFormat::Pickle);
        assert!(imports(&w).contains(&import.to_string()), "{name}: {:?}", imports(&w));
        assert_eq!(w.header.header_error, None, "{name}");
    }
    let (report, _) = scan_json(dir.path());
    for (name, _, import) in bypass_pickles() {
        let hit = findings(&report, "unsafe-pickle").into_iter().find(|f| f["file"] == name);
        let hit = hit.unwrap_or_else(|| panic!("{name} not flagged"));
        assert!(hit["message"].as_str().unwrap().contains(import), "{hit}");
    }
    // The memo trick also imports `collections.OrderedDict`, which stays allowed.
    let memo = findings(&report, "unsafe-pickle").into_iter().find(|f| f["file"] == "memo.pkl").unwrap();
    assert!(!memo["message"].as_str().unwrap().contains("OrderedDict"));
}

#[test]
fn legacy_torch_files_are_five_concatenated_pickles() {
    let mut bytes = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.".to_vec();
    bytes.extend_from_slice(b"\x80\x02M\xe9\x03.");
    bytes.extend_from_slice(b"\x80\x02}q\x00X\x0d\x00\x00\x00little_endianq\x01\x88s.");
    bytes.extend_from_slice(&system_pickle("true"));
    bytes.extend_from_slice(b"\x80\x02]q\x00X\x01\x00\x00\x000a.");
    bytes.extend_from_slice(&[0xff; 64]); // raw storage bytes, never walked
    let dir = tempfile::tempdir().unwrap();
    let w = read(&write(dir.path(), "old.pt", &bytes), WeightFormat::Pytorch);
    assert_eq!(w.format, WeightFormat::Pytorch);
    assert_eq!(imports(&w), ["posix.system"]);
    let scan = w.header.pickle.as_ref().unwrap();
    assert_eq!(scan.streams.len(), 5);
    assert_eq!(w.header.header_error, None);
    assert!(w.header.notes.iter().any(|n| n.contains("legacy torch.save")));
}

#[test]
fn corrupt_and_unverifiable_pickles_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    // Truncated: Python stops there too, so the imports before it are all that could run.
    let good = torch_state_dict_pickle();
    let w = read(&write(dir.path(), "cut.pkl", &good[..good.len() / 2]), WeightFormat::Pickle);
    assert!(w.header.header_error.as_deref().unwrap().contains("truncated"), "{:?}", w.header);
    assert_eq!(w.header.pickle.as_ref().unwrap().unverified, None);
    // bzip2: we do not inflate it, so nothing is known.
    let w = read(&write(dir.path(), "model.joblib", b"BZh91AY&SY rest"), WeightFormat::Joblib);
    assert!(w.header.pickle.as_ref().unwrap().unverified.as_deref().unwrap().contains("bzip2"));
    // A stack bomb: a million MARKs.
    let mut bomb = b"\x80\x04".to_vec();
    bomb.extend(std::iter::repeat_n(b'(', 1 << 21));
    let w = read(&write(dir.path(), "bomb.pkl", &bomb), WeightFormat::Pickle);
    assert!(w.header.pickle.as_ref().unwrap().unverified.as_deref().unwrap().contains("marks"), "{:?}", w.header);
    let (report, _) = scan_json(dir.path());
    let flagged: Vec<&str> = findings(&report, "unsafe-pickle").iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert!(flagged.contains(&"model.joblib") && flagged.contains(&"bomb.pkl"), "{flagged:?}");
    assert!(!flagged.contains(&"cut.pkl"), "only allowed imports before the cut");
    assert!(findings(&report, "weights-header-invalid").iter().any(|f| f["file"] == "cut.pkl"));
}

// ---------------------------------------------------------------------------------------------
// Magic bytes against extensions

#[test]
fn content_that_does_not_match_the_extension_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m/model.safetensors", &system_pickle("true"));
    write(dir.path(), "m/weights.gguf", &torch_zip(&torch_state_dict_pickle()));
    write(dir.path(), "m/pytorch_model.bin", &sample_gguf(3)); // `.bin` holds anything: no finding
    let (report, _) = scan_json(dir.path());
    let hits = findings(&report, "weights-format-mismatch");
    let mut got: Vec<(&str, &str)> =
        hits.iter().map(|f| (f["file"].as_str().unwrap(), f["message"].as_str().unwrap())).collect();
    got.sort();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].0 == "m/model.safetensors" && got[0].1.contains("named as safetensors but its content is pickle"));
    assert!(got[1].0 == "m/weights.gguf" && got[1].1.contains("content is pytorch"));
    // The disguised pickle is still walked as what it is.
    assert!(findings(&report, "unsafe-pickle").iter().any(|f| f["file"] == "m/model.safetensors"));
    let weights = report["models"][0]["weights"].as_array().unwrap();
    let st = weights.iter().find(|w| w["file"] == "m/model.safetensors").unwrap();
    assert_eq!(st["format"], "pickle");
    assert_eq!(st["extension_format"], "safetensors");
    let bin = weights.iter().find(|w| w["file"] == "m/pytorch_model.bin").unwrap();
    assert_eq!(bin["format"], "gguf");
    assert!(bin.get("extension_format").is_none());
}

// ---------------------------------------------------------------------------------------------
// Keras and ONNX

#[test]
fn keras_lambda_layers_are_flagged_in_both_formats() {
    let config = serde_json::json!({"class_name": "Sequential", "config": {"name": "seq", "layers": [
        {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense"}},
        {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "sneaky",
            "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA"}}}}
    ]}});
    let dir = tempfile::tempdir().unwrap();
    let keras = zip(
        &[
            ("metadata.json", br#"{"keras_version": "3.6.0", "date_saved": "2026-01-01@00:00:00"}"#),
            ("config.json", config.to_string().as_bytes()),
            ("model.weights.h5", b"\x89HDF\r\n\x1a\n"),
        ],
        true,
    );
    write(dir.path(), "k/model.keras", &keras);
    // A legacy `.h5`: the HDF5 signature, some structure, then the config as h5py stores it.
    let mut h5 = b"\x89HDF\r\n\x1a\n".to_vec();
    h5.extend(std::iter::repeat_n(0u8, 3000));
    h5.extend_from_slice(serde_json::to_string(&config).unwrap().replace("\":", "\": ").as_bytes());
    h5.extend(std::iter::repeat_n(0u8, 3000));
    write(dir.path(), "k/legacy.h5", &h5);
    write(dir.path(), "k/clean.h5", b"\x89HDF\r\n\x1a\n\0\0\0\0");

    let w = read(&dir.path().join("k/model.keras"), WeightFormat::Keras);
    assert_eq!(w.format, WeightFormat::Keras);
    assert_eq!(w.header.lambda_layers.as_deref(), Some(&["sneaky".to_string()][..]));
    assert_eq!(w.header.metadata["keras.keras_version"], "3.6.0");
    let w = read(&dir.path().join("k/legacy.h5"), WeightFormat::Hdf5);
    assert_eq!(w.header.lambda_layers.as_deref(), Some(&["sneaky".to_string()][..]), "{:?}", w.header);
    let w = read(&dir.path().join("k/clean.h5"), WeightFormat::Hdf5);
    assert_eq!(w.header.lambda_layers, None);
    assert!(w.header.notes.iter().any(|n| n.contains("Lambda layers not checked")));

    let (report, code) = scan_json(dir.path());
    assert_eq!(code, 1);
    let files: Vec<&str> =
        findings(&report, "unsafe-keras-lambda").iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["k/legacy.h5", "k/model.keras"]);
    assert!(findings(&report, "unsafe-keras-lambda")[0]["message"].as_str().unwrap().contains("`sneaky`"));
}

#[test]
fn onnx_header_fields_are_read_and_the_graph_is_skipped() {
    use modelgate::parse::weights::onnx::{ModelProto, OperatorSetIdProto, StringStringEntryProto};
    use prost::Message;
    let header = ModelProto {
        ir_version: 9,
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: 17 }],
        producer_name: "pytorch".into(),
        producer_version: "2.3.0".into(),
        domain: String::new(),
        model_version: 0,
        doc_string: "a test model".into(),
        metadata_props: vec![
            StringStringEntryProto { key: "model_license".into(), value: "apache-2.0".into() },
            StringStringEntryProto { key: "model_author".into(), value: "Acme".into() },
        ],
    };
    let encoded = header.encode_to_vec();
    // Field order as ONNX writes it: 1–6, the graph (7), then 8 and 14. Split the encoded header
    // after its scalar fields and put a 3 MB graph in between.
    let mut bytes = ModelProto { opset_import: vec![], metadata_props: vec![], ..header.clone() }.encode_to_vec();
    let tail = &encoded[bytes.len()..];
    let graph = vec![0u8; 3 << 20];
    bytes.push(0x3a);
    prost::encoding::encode_varint(graph.len() as u64, &mut bytes);
    bytes.extend_from_slice(&graph);
    bytes.extend_from_slice(tail);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "model.onnx", &bytes);
    let w = read(&dir.path().join("model.onnx"), WeightFormat::Onnx);
    assert_eq!(w.header.header_error, None);
    assert_eq!(w.header.metadata["onnx.producer_name"], "pytorch");
    assert_eq!(w.header.metadata["onnx.opset.ai.onnx"], 17);
    assert_eq!(w.header.metadata["model_author"], "Acme");
    assert_eq!(w.header.licence.as_ref().unwrap().license.as_deref(), Some("apache-2.0"));
    // A graph claiming more bytes than the file has.
    let mut lying = vec![0x08, 0x09, 0x3a];
    prost::encoding::encode_varint(1 << 60, &mut lying);
    let w = read(&write(dir.path(), "lying.onnx", &lying), WeightFormat::Onnx);
    assert!(w.header.header_error.unwrap().contains("field 7"));

    let (report, _) = scan_json(dir.path());
    let m = &report["models"][0];
    assert_eq!(m["licence"]["id"], "apache-2.0");
}

// ---------------------------------------------------------------------------------------------
// Weight metadata as evidence

#[test]
fn a_gguf_without_a_card_is_a_model_with_its_licence() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "models/tiny.gguf", &sample_gguf(3));
    let (report, _) = scan_json(dir.path());
    let models = report["models"].as_array().unwrap();
    assert_eq!(models.len(), 1);
    let m = &models[0];
    assert!(m.get("card").is_none());
    assert_eq!(m["licence"]["id"], "apache-2.0");
    let ev = &m["licence"]["evidence"][0];
    assert_eq!(ev["kind"], "weights-metadata");
    assert_eq!(ev["file"], "models/tiny.gguf");
    assert_eq!(ev["value"], "apache-2.0");
    assert_eq!(m["parameters"], 64 * 32 + 64 * 64 + 64);
    assert!(findings(&report, "licence-missing").is_empty());
    // general.base_model.* feeds lineage like a card's base_model: Llama 3.1's terms come along.
    assert_eq!(m["base_models"], serde_json::json!(["meta-llama/Llama-3.1-8B-Instruct"]));
    assert_eq!(m["lineage"][0]["evidence"]["kind"], "weights-metadata");
    assert_eq!(m["lineage"][0]["licence"], "llama3.1");
    assert!(
        m["restrictions"].as_array().unwrap().iter().any(|r| r["inherited_from"] == "meta-llama/Llama-3.1-8B-Instruct")
    );
    assert_eq!(m["weights"][0]["chat_template"], true);
    assert_eq!(m["weights"][0]["quantisation"], "Q4_K_M");
}

#[test]
fn a_gguf_licence_that_disagrees_with_the_card_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m/README.md", b"---\nlicense: mit\n---\n# M\n");
    write(dir.path(), "m/model.gguf", &gguf(3, &[("general.license", GV::Str("apache-2.0".into()))], &[]));
    write(dir.path(), "same/README.md", b"---\nlicense: apache-2.0\n---\n# Same\n");
    write(dir.path(), "same/model.gguf", &gguf(3, &[("general.license", GV::Str("Apache-2.0".into()))], &[]));
    let (report, _) = scan_json(dir.path());
    let conflicts = findings(&report, "licence-conflict");
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0]["file"], "m/model.gguf");
    assert!(conflicts[0]["message"].as_str().unwrap().contains("the header of m/model.gguf declares apache-2.0"));
    let m = report["models"].as_array().unwrap().iter().find(|m| m["location"] == "m").unwrap();
    assert_eq!(m["licence"]["id"], "mit AND apache-2.0");
    let same = report["models"].as_array().unwrap().iter().find(|m| m["location"] == "same").unwrap();
    assert_eq!(same["licence"]["id"], "apache-2.0");
    let kinds: Vec<&str> =
        same["licence"]["evidence"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"card-license") && kinds.contains(&"weights-metadata"), "{kinds:?}");
}

#[test]
fn an_unknown_header_licence_is_reported_as_unknown() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/model.gguf",
        &gguf(
            3,
            &[
                ("general.license", GV::Str("other".into())),
                ("general.license.name", GV::Str("acme-model-licence".into())),
            ],
            &[],
        ),
    );
    let (report, _) = scan_json(dir.path());
    assert_eq!(report["models"][0]["licence"]["id"], "acme-model-licence");
    let unknown = findings(&report, "licence-unknown");
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0]["message"].as_str().unwrap().contains("the header of m/model.gguf"));
}

#[test]
fn parameters_add_up_over_shards_and_not_over_copies() {
    let dir = tempfile::tempdir().unwrap();
    let shard = |n: u64| gguf(3, &[], &[("w", &[n], 0)]);
    write(dir.path(), "m/model-00001-of-00002.gguf", &shard(100));
    write(dir.path(), "m/model-00002-of-00002.gguf", &shard(50));
    write(dir.path(), "m/model-q8.gguf", &shard(150));
    let (report, _) = scan_json(dir.path());
    assert_eq!(report["models"][0]["parameters"], 150);
}
