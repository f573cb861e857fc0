//! What each fuzz target feeds its input to. The same function runs the regression inputs of
//! `tests/fuzz_regressions.rs` and the property tests of `tests/proptest_parsers.rs` (which
//! include this file), so a crash found by the fuzzer stays a test.
//!
//! Every parser must return (an error is fine); a panic, a hang or an allocation the input
//! size does not justify is a bug.

use std::{io::Cursor, path::Path};

use modelgate::{
    baseline,
    config::Config,
    discover::{inventory, ollama},
    evaluate::pack,
    limits::InputLimits,
    model::{Language, WeightHeader},
    parse::{self, card, plain_yaml, references, weights},
    recognise::{self, clauses, normalise::Normalised},
    vocab::WeightFormat,
};

/// Every target, as named in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &[
    "front_matter",
    "licence_text",
    "config_toml",
    "rule_pack",
    "baseline",
    "safetensors",
    "gguf",
    "pickle",
    "zip_checkpoint",
    "onnx",
    "keras",
    "references",
    "model_config",
    "ollama_manifest",
    "inventory",
    "mot",
    "plain_yaml",
];

/// Limits small enough that one input stays fast, large enough that the fuzzer reaches deep.
fn limits() -> InputLimits {
    InputLimits {
        weight_header: 1 << 20,
        pickle_opcodes: 100_000,
        line_length: 4096,
        front_matter: 64 << 10,
        ..InputLimits::default()
    }
}

/// The first byte picks a variant (a language, a format); the rest is the input.
fn split(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((b, rest)) => (*b, rest),
        None => (0, data),
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Runs `target` on `data`. Unknown target names panic (a typo in a test is a bug).
pub fn run(target: &str, data: &[u8]) {
    let limits = limits();
    match target {
        "front_matter" => {
            let (card, _hits) = card::parse_with("m/README.md", &text(data), &limits);
            if let Some(c) = card {
                assert!(c.body().sections.iter().all(|s| s.title.len() <= limits.line_length as usize));
            }
        }
        "licence_text" => {
            let t = text(data);
            let _ = recognise::explain_text(&t);
            let _ = clauses::extract(&Normalised::new(&t));
            let _ = recognise::resolve_free_text(t.lines().next().unwrap_or(""));
        }
        "config_toml" => {
            // Pack paths are taken from a directory that does not exist: nothing else is read.
            let _ = Config::parse("modelgate.toml", &text(data), Path::new("/nonexistent/modelgate-fuzz"));
        }
        "rule_pack" => {
            let _ = pack::parse("pack.toml", &text(data));
        }
        "baseline" => {
            let _ = baseline::parse(&text(data));
        }
        "safetensors" => {
            let mut h = WeightHeader::default();
            let _ = weights::safetensors::read(Cursor::new(data), data.len() as u64, &mut h, &limits);
            let _ = weights::read_bytes(data, "model.safetensors", WeightFormat::Safetensors, &limits);
        }
        "gguf" => {
            let mut h = WeightHeader::default();
            let reader = std::io::BufReader::new(Cursor::new(data));
            let _ = weights::gguf::read(reader, data.len() as u64, &mut h, &limits);
        }
        "pickle" => {
            let (variant, rest) = split(data);
            let (name, format) = match variant % 3 {
                0 => ("model.pkl", WeightFormat::Pickle),
                1 => ("model.joblib", WeightFormat::Joblib),
                _ => ("pytorch_model.bin", WeightFormat::Pytorch),
            };
            let _ = weights::read_bytes(rest, name, format, &limits);
        }
        "zip_checkpoint" => {
            let _ = weights::read_bytes(data, "pytorch_model.bin", WeightFormat::Pytorch, &limits);
        }
        "onnx" => {
            let mut h = WeightHeader::default();
            let reader = std::io::BufReader::new(Cursor::new(data));
            let _ = weights::onnx::read(reader, data.len() as u64, &mut h, &limits);
        }
        "keras" => {
            let (variant, rest) = split(data);
            let (name, format) =
                if variant % 2 == 0 { ("model.keras", WeightFormat::Keras) } else { ("model.h5", WeightFormat::Hdf5) };
            let _ = weights::read_bytes(rest, name, format, &limits);
            let _ = weights::keras::Config::read(weights::input::JsonStrings::new(rest));
        }
        "references" => {
            const LANGUAGES: [(Language, &str); 9] = [
                (Language::Python, "app.py"),
                (Language::Notebook, "nb.ipynb"),
                (Language::Javascript, "app.ts"),
                (Language::Yaml, "compose.yml"),
                (Language::Toml, "pyproject.toml"),
                (Language::Json, "adapter_config.json"),
                (Language::Dockerfile, "Dockerfile"),
                (Language::Shell, "run.sh"),
                (Language::Modelfile, "Modelfile"),
            ];
            let (variant, rest) = split(data);
            let (language, file) = LANGUAGES[usize::from(variant) % LANGUAGES.len()];
            let t = text(rest);
            let (found, _) = references::scan_with(file, language, &t, &|_| false, limits.line_length as usize);
            assert!(found.iter().all(|r| r.at.file == file));
        }
        "model_config" => {
            let _ = parse::config("config.json", &text(data));
        }
        "ollama_manifest" => {
            if let Ok(m) = ollama::parse_manifest(data) {
                for layer in m.layers.iter().chain(&m.config) {
                    if let Some(name) = ollama::blob_file_name(&layer.digest) {
                        assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
                    }
                }
            }
        }
        "inventory" => {
            let (variant, rest) = split(data);
            let ext = ["csv", "tsv", "json", "txt"][usize::from(variant) % 4];
            if let Ok(rows) = inventory::parse("inventory", ext, &text(rest)) {
                let _ = inventory::entries(rows);
            }
        }
        "mot" => {
            let _ = parse::mot::parse("models/m.yml", &text(data));
        }
        "plain_yaml" => {
            // Differential: whatever the fast front-matter reader accepts, serde-saphyr must
            // read to the same value.
            let t = text(data);
            if let Some(fast) = plain_yaml::parse(&t, 64) {
                let options = serde_saphyr::options! {
                    non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::AsString,
                };
                let full = serde_saphyr::from_str_with_options::<serde_json::Value>(&t, options).ok();
                assert_eq!(full.as_ref(), Some(&fast), "the fast reader and serde-saphyr differ on {t:?}");
            }
        }
        other => panic!("no fuzz target `{other}`"),
    }
}
