//! Builds the benchmark trees of `bench/run`, reproducibly: the same seed gives the same bytes.
//!
//! ```text
//! cargo run --release --example bench-trees -- monorepo DIR [--files N] [--models M] [--seed S]
//! cargo run --release --example bench-trees -- hf-cache DIR [--models N] [--seed S]
//! cargo run --release --example bench-trees -- cards DIR [--cards N] [--seed S]
//! ```
//!
//! Real text comes from `../shared/corpus` (`--corpus DIR` to change it): model cards and licence
//! texts are copied from there, and `MANIFEST.tsv` says which licence each text is. Weight files
//! are real headers (safetensors, GGUF) in front of large sparse bodies: a file of several GiB
//! costs a few KiB of disk, and a scanner that reads a body pays for it in time.
//!
//! Next to a monorepo `DIR` it writes `DIR.licences/` (hard links to the tree's licence files,
//! same relative paths, for the tools that take a directory) and `DIR.licences.tsv` (each licence
//! file and the catalogue id its text is, for counting correct identifications). Every kind of
//! tree ends with a one-line summary on standard output: `files=… bytes=… apparent=… models=…`.

use std::{
    collections::BTreeMap,
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    process::ExitCode,
    sync::atomic::{AtomicU64, Ordering},
};

use rayon::prelude::*;

/// splitmix64: small, seedable, and good enough to pick file kinds and sizes.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The corpus texts the trees are made of.
struct Corpus {
    /// (file name, text, licence id) of the licence texts.
    licences: Vec<(String, String, String)>,
    /// (file stem, text, licence id) of the curated model cards.
    cards: Vec<(String, String, String)>,
    /// (file stem, text) of the curated and bulk cards together.
    all_cards: Vec<(String, String)>,
}

impl Corpus {
    fn load(dir: &Path) -> io::Result<Corpus> {
        let manifest = fs::read_to_string(dir.join("MANIFEST.tsv"))?;
        let mut licences = Vec::new();
        let mut cards = Vec::new();
        let mut all_cards = Vec::new();
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(path), Some(kind), Some(licence)) = (cols.first(), cols.get(4), cols.get(5)) else { continue };
            let licence = licence.strip_prefix("other:").unwrap_or(licence).to_string();
            let text = || fs::read(dir.join(path)).map(|b| String::from_utf8_lossy(&b).into_owned());
            let stem = Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if path.starts_with("licences/") {
                let name = Path::new(path).file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                licences.push((name, text()?, licence));
            } else if *kind == "modelcard" && path.starts_with("modelcards/") {
                let t = text()?;
                cards.push((stem.clone(), t.clone(), licence));
                all_cards.push((stem, t));
            } else if *kind == "modelcard" && path.starts_with("modelcards-bulk/") {
                all_cards.push((stem, text()?));
            }
        }
        if licences.is_empty() || cards.is_empty() {
            return Err(io::Error::other(format!(
                "no licence texts or model cards listed in {}/MANIFEST.tsv",
                dir.display()
            )));
        }
        Ok(Corpus { licences, cards, all_cards })
    }
}

/// What was written.
#[derive(Default)]
struct Tally {
    files: AtomicU64,
    bytes: AtomicU64,
    apparent: AtomicU64,
}

impl Tally {
    fn write(&self, path: &Path, content: &[u8]) -> io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, content)?;
        self.count(content.len() as u64, content.len() as u64);
        Ok(())
    }
    /// A header followed by a sparse body: `total` bytes long, `header.len()` of them on disk.
    fn sparse(&self, path: &Path, header: &[u8], total: u64) -> io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut f = fs::File::create(path)?;
        f.write_all(header)?;
        f.set_len(total.max(header.len() as u64))?;
        self.count(header.len() as u64, total);
        Ok(())
    }
    fn count(&self, bytes: u64, apparent: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.apparent.fetch_add(apparent, Ordering::Relaxed);
    }
    fn summary(&self, models: usize) -> String {
        format!(
            "files={} bytes={} apparent={} models={models}",
            self.files.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.apparent.load(Ordering::Relaxed)
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Weight headers

/// A safetensors file: the header of `layers` transformer blocks of width `dim` (F16), whose body
/// is the exact size the offsets need.
fn safetensors(rng: &mut Rng, layers: u64, dim: u64, licence: &str) -> (Vec<u8>, u64) {
    let mut tensors = Vec::new();
    let mut offset = 0u64;
    let mut add = |name: String, shape: Vec<u64>| {
        let bytes = shape.iter().product::<u64>() * 2;
        tensors.push(format!(
            "\"{name}\":{{\"dtype\":\"F16\",\"shape\":[{}],\"data_offsets\":[{offset},{}]}}",
            shape.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
            offset + bytes
        ));
        offset += bytes;
    };
    add("model.embed_tokens.weight".into(), vec![32000, dim]);
    for l in 0..layers {
        for part in ["q_proj", "k_proj", "v_proj", "o_proj"] {
            add(format!("model.layers.{l}.self_attn.{part}.weight"), vec![dim, dim]);
        }
        for part in ["gate_proj", "up_proj"] {
            add(format!("model.layers.{l}.mlp.{part}.weight"), vec![dim * 2, dim]);
        }
        add(format!("model.layers.{l}.mlp.down_proj.weight"), vec![dim, dim * 2]);
        add(format!("model.layers.{l}.input_layernorm.weight"), vec![dim]);
    }
    add("lm_head.weight".into(), vec![32000, dim]);
    let meta =
        format!("\"__metadata__\":{{\"format\":\"pt\",\"license\":\"{licence}\",\"seed\":\"{}\"}}", rng.below(1 << 20));
    let json = format!("{{{meta},{}}}", tensors.join(","));
    let mut header = (json.len() as u64).to_le_bytes().to_vec();
    header.extend_from_slice(json.as_bytes());
    let total = header.len() as u64 + offset;
    (header, total)
}

fn gguf_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn gguf_kv_str(out: &mut Vec<u8>, k: &str, v: &str) {
    gguf_str(out, k);
    out.extend_from_slice(&8u32.to_le_bytes());
    gguf_str(out, v);
}

fn gguf_kv_u32(out: &mut Vec<u8>, k: &str, v: u32) {
    gguf_str(out, k);
    out.extend_from_slice(&4u32.to_le_bytes());
    out.extend_from_slice(&v.to_le_bytes());
}

/// A GGUF v3 file quantised to Q8_0 (34 bytes per 32 weights), with a 32,000-token vocabulary.
fn gguf(layers: u64, dim: u64, name: &str, licence: &str) -> (Vec<u8>, u64) {
    let mut tensors: Vec<(String, Vec<u64>)> = vec![("token_embd.weight".into(), vec![dim, 32000])];
    for l in 0..layers {
        for part in ["attn_q", "attn_k", "attn_v", "attn_output"] {
            tensors.push((format!("blk.{l}.{part}.weight"), vec![dim, dim]));
        }
        tensors.push((format!("blk.{l}.ffn_up.weight"), vec![dim, dim * 2]));
        tensors.push((format!("blk.{l}.ffn_down.weight"), vec![dim * 2, dim]));
    }
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(tensors.len() as u64).to_le_bytes());
    out.extend_from_slice(&7u64.to_le_bytes());
    gguf_kv_str(&mut out, "general.architecture", "llama");
    gguf_kv_str(&mut out, "general.name", name);
    gguf_kv_str(&mut out, "general.license", licence);
    gguf_kv_u32(&mut out, "general.file_type", 7);
    gguf_kv_u32(&mut out, "llama.context_length", 8192);
    gguf_kv_str(&mut out, "tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}");
    // The vocabulary: the bulk of a real GGUF header.
    gguf_str(&mut out, "tokenizer.ggml.tokens");
    out.extend_from_slice(&9u32.to_le_bytes());
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&32000u64.to_le_bytes());
    for i in 0..32000 {
        gguf_str(&mut out, &format!("tok{i}"));
    }
    let mut offset = 0u64;
    for (name, dims) in &tensors {
        gguf_str(&mut out, name);
        out.extend_from_slice(&(dims.len() as u32).to_le_bytes());
        for d in dims {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        offset += (dims.iter().product::<u64>() / 32 * 34).div_ceil(32) * 32;
    }
    while !out.len().is_multiple_of(32) {
        out.push(0);
    }
    let total = out.len() as u64 + offset;
    (out, total)
}

// ---------------------------------------------------------------------------------------------
// Source files

const WORDS: [&str; 32] = [
    "request", "value", "index", "buffer", "config", "result", "handler", "client", "user", "item", "state", "cache",
    "token", "record", "batch", "limit", "offset", "stream", "event", "node", "path", "query", "score", "label",
    "image", "vector", "metric", "report", "session", "worker", "queue", "entry",
];

/// Hub ids code may load (some are model directories of the tree too).
const HUB_IDS: [&str; 12] = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "google/gemma-2-9b-it",
    "Qwen/Qwen2.5-7B-Instruct",
    "sentence-transformers/all-MiniLM-L6-v2",
    "BAAI/bge-large-en-v1.5",
    "openai/whisper-large-v3",
    "stabilityai/stable-diffusion-xl-base-1.0",
    "microsoft/phi-3-mini-4k-instruct",
    "bigscience/bloom-560m",
    "tiiuae/falcon-7b",
    "intfloat/e5-large-v2",
];

/// Languages of the monorepo, with their share in percent (they add up to 100).
const LANGUAGES: [(&str, u64); 13] = [
    ("py", 22),
    ("ts", 14),
    ("js", 6),
    ("go", 12),
    ("java", 9),
    ("rs", 6),
    ("c", 5),
    ("h", 3),
    ("json", 5),
    ("yaml", 6),
    ("md", 7),
    ("sh", 2),
    ("txt", 3),
];

fn ident(rng: &mut Rng) -> String {
    format!("{}_{}", rng.pick(&WORDS), rng.pick(&WORDS))
}

/// One source file of about `lines` lines; `refs` adds a line that names a model.
fn source(rng: &mut Rng, ext: &str, lines: u64, refs: bool) -> String {
    let mut s = String::with_capacity(lines as usize * 40);
    let comment = match ext {
        "py" | "sh" | "yaml" => "#",
        "md" | "txt" | "json" => "",
        _ => "//",
    };
    if !comment.is_empty() && rng.chance(60) {
        s.push_str(&format!("{comment} Copyright 2024 Example Corp.\n{comment} SPDX-License-Identifier: Apache-2.0\n"));
        if rng.chance(20) {
            s.push_str(&format!("{comment} See the license file at the root of this repository.\n"));
        }
    }
    match ext {
        "py" => {
            s.push_str("import os\nimport json\n\n");
            if refs {
                let id = rng.pick(&HUB_IDS);
                s.push_str(&format!(
                    "from transformers import AutoModel\n\nMODEL = AutoModel.from_pretrained(\"{id}\")\n"
                ));
            }
            while (s.matches('\n').count() as u64) < lines {
                let (f, a, b) = (ident(rng), ident(rng), ident(rng));
                s.push_str(&format!(
                    "\ndef {f}({a}, {b}=None):\n    \"\"\"Return the {a} for {b}.\"\"\"\n    if {b} is None:\n        {b} = {{}}\n    return [{a}.get(k, {}) for k in {b}]\n",
                    rng.below(1000)
                ));
            }
        }
        "ts" | "js" => {
            if refs {
                s.push_str("import OpenAI from \"openai\";\n\nconst client = new OpenAI();\n");
                s.push_str("export async function ask(q: string) {\n  return client.chat.completions.create({ model: \"gpt-4o-mini\", messages: [{ role: \"user\", content: q }] });\n}\n");
            }
            while (s.matches('\n').count() as u64) < lines {
                let (f, a, b) = (ident(rng), ident(rng), ident(rng));
                s.push_str(&format!(
                    "\nexport function {f}({a}, {b}) {{\n  const out = [];\n  for (const k of Object.keys({a})) {{\n    out.push({a}[k] + {b} * {});\n  }}\n  return out;\n}}\n",
                    rng.below(1000)
                ));
            }
        }
        "go" | "java" | "rs" | "c" | "h" => {
            while (s.matches('\n').count() as u64) < lines {
                let (f, a, b) = (ident(rng), ident(rng), ident(rng));
                s.push_str(&format!(
                    "\nint {f}(int {a}, int {b}) {{\n    int total = 0;\n    for (int i = 0; i < {a}; i++) {{\n        total += i * {b} + {};\n    }}\n    return total;\n}}\n",
                    rng.below(1000)
                ));
            }
        }
        "json" => {
            s.push_str("{\n");
            if refs {
                s.push_str(&format!("  \"model\": \"{}\",\n", rng.pick(&HUB_IDS)));
            }
            for i in 0..lines {
                s.push_str(&format!("  \"{}_{i}\": {},\n", ident(rng), rng.below(100_000)));
            }
            s.push_str("  \"license\": \"MIT\"\n}\n");
        }
        "yaml" => {
            if refs {
                s.push_str(&format!("model: {}\n", rng.pick(&HUB_IDS)));
            }
            for i in 0..lines {
                s.push_str(&format!("{}_{i}: {}\n", ident(rng), rng.below(100_000)));
            }
        }
        "sh" => {
            s.push_str("#!/bin/sh\nset -eu\n");
            if refs {
                s.push_str("ollama pull llama3.2:3b\n");
            }
            for _ in 0..lines {
                s.push_str(&format!("echo \"{} {}\"\n", ident(rng), rng.below(1000)));
            }
        }
        _ => {
            s.push_str(&format!("# {}\n\n", ident(rng)));
            for _ in 0..lines {
                let words: Vec<&str> = (0..10).map(|_| *rng.pick(&WORDS)).collect();
                s.push_str(&words.join(" "));
                s.push_str(".\n");
            }
        }
    }
    s
}

/// A line count: mostly short files, a few long ones (median ≈ 60 lines, mean ≈ 90).
fn line_count(rng: &mut Rng) -> u64 {
    let base = 10 + rng.below(100);
    if rng.chance(10) { base * (2 + rng.below(6)) } else { base }
}

fn language(rng: &mut Rng) -> &'static str {
    let mut roll = rng.below(100);
    for (ext, share) in LANGUAGES {
        if roll < share {
            return ext;
        }
        roll -= share;
    }
    "txt"
}

// ---------------------------------------------------------------------------------------------
// Tree (a): a monorepo

fn monorepo(corpus: &Corpus, out: &Path, files: u64, models: u64, seed: u64) -> io::Result<String> {
    let tally = Tally::default();
    // Source files: packages of 20 files in 2 sub-directories, under a few top-level areas.
    const AREAS: [&str; 6] = ["services", "libs", "web", "tools", "platform", "research"];
    (0..files.div_ceil(20)).into_par_iter().try_for_each(|pkg| -> io::Result<()> {
        let mut rng = Rng::new(seed, pkg);
        let area = AREAS[(pkg % AREAS.len() as u64) as usize];
        let dir = out.join(area).join(format!("pkg-{pkg:05}"));
        for i in 0..20.min(files - pkg * 20) {
            let ext = language(&mut rng);
            let sub = if i % 2 == 0 { "src" } else { "src/internal" };
            let lines = line_count(&mut rng);
            let refs = matches!(ext, "py" | "ts" | "js" | "yaml" | "json" | "sh") && rng.chance(2);
            let name = format!("{}_{i:02}.{ext}", rng.pick(&WORDS));
            tally.write(&dir.join(sub).join(name), source(&mut rng, ext, lines, refs).as_bytes())?;
        }
        Ok(())
    })?;

    // Vendored third-party code: a licence file each (permissive texts of the corpus).
    let permissive: Vec<&(String, String, String)> =
        corpus.licences.iter().filter(|(_, _, id)| matches!(id.as_str(), "mit" | "apache-2.0" | "cc-by-4.0")).collect();
    let mut expected: Vec<(String, String)> = Vec::new();
    for v in 0..100u64 {
        let (_, text, id) = permissive[(v as usize) % permissive.len()];
        let rel = format!("third_party/vendor-{v:03}/LICENSE");
        tally.write(&out.join(&rel), text.as_bytes())?;
        expected.push((rel, id.clone()));
        let mut rng = Rng::new(seed, 1_000_000 + v);
        tally.write(
            &out.join(format!("third_party/vendor-{v:03}/lib.c")),
            source(&mut rng, "c", 80, false).as_bytes(),
        )?;
    }

    // Model directories: a card, a licence text, a config, a tokenizer and weights with sparse
    // bodies (a third GGUF). Every corpus licence text is used; the card is one whose declared
    // licence is the text's when the corpus has one.
    let mut cards_by_licence: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, _, id)) in corpus.cards.iter().enumerate() {
        cards_by_licence.entry(id.as_str()).or_default().push(i);
    }
    let model_rows: Vec<(String, String)> = (0..models)
        .into_par_iter()
        .map(|m| -> io::Result<(String, String)> {
            let mut rng = Rng::new(seed, 2_000_000 + m);
            let (lname, ltext, lid) = &corpus.licences[(m as usize) % corpus.licences.len()];
            let card = match cards_by_licence.get(lid.as_str()) {
                Some(ix) => &corpus.cards[*rng.pick(ix)],
                None => rng.pick(&corpus.cards),
            };
            let dir = if m % 4 == 0 {
                format!("services/pkg-{:05}/model", m * 7)
            } else {
                format!("ml/models/{}-{m:03}", card.0.split("__").nth(1).unwrap_or("model").to_ascii_lowercase())
            };
            let base = out.join(&dir);
            tally.write(&base.join("README.md"), card.1.as_bytes())?;
            let licence_name = if lname.to_ascii_lowercase().starts_with("licen") { lname.clone() } else { "LICENSE".into() };
            tally.write(&base.join(&licence_name), ltext.as_bytes())?;
            tally.write(
                &base.join("config.json"),
                format!(
                    "{{\"model_type\": \"llama\", \"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": {}, \"num_hidden_layers\": {}}}\n",
                    4096, 32
                )
                .as_bytes(),
            )?;
            let vocab: String = (0..4000).map(|i| format!("\"tok{i}\": {i}, ")).collect();
            tally.write(&base.join("tokenizer.json"), format!("{{\"model\": {{\"vocab\": {{{vocab}}}}}}}").as_bytes())?;
            let layers = 8 + rng.below(40);
            let dim = [2048, 3072, 4096][rng.below(3) as usize];
            if m % 3 == 0 {
                let (h, total) = gguf(layers, dim, &card.0, lid);
                tally.sparse(&base.join("model-Q8_0.gguf"), &h, total)?;
            } else {
                let shards = 1 + rng.below(3);
                for s in 1..=shards {
                    let (h, total) = safetensors(&mut rng, layers / shards + 1, dim, lid);
                    let name = if shards == 1 {
                        "model.safetensors".to_string()
                    } else {
                        format!("model-{s:05}-of-{shards:05}.safetensors")
                    };
                    tally.sparse(&base.join(name), &h, total)?;
                }
            }
            if rng.chance(30) {
                tally.write(&base.join("train.py"), source(&mut rng, "py", 120, true).as_bytes())?;
            }
            Ok((format!("{dir}/{licence_name}"), lid.clone()))
        })
        .collect::<io::Result<_>>()?;
    expected.extend(model_rows);
    expected.sort();

    // The licence files again, as hard links in a tree of their own, with the expected ids.
    let mirror = sibling(out, "licences");
    let _ = fs::remove_dir_all(&mirror);
    let mut tsv = String::from("file\texpected\n");
    for (rel, id) in &expected {
        let to = mirror.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::hard_link(out.join(rel), &to)?;
        tsv.push_str(&format!("{rel}\t{id}\n"));
    }
    fs::write(sibling(out, "licences.tsv"), tsv)?;
    Ok(format!("{} licence_files={}", tally.summary(models as usize), expected.len()))
}

/// `DIR.suffix` beside `DIR`.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{suffix}"));
    dir.with_file_name(name)
}

// ---------------------------------------------------------------------------------------------
// Tree (b): a Hugging Face cache

fn hf_cache(corpus: &Corpus, out: &Path, models: u64, seed: u64) -> io::Result<String> {
    let tally = Tally::default();
    (0..models).into_par_iter().try_for_each(|m| -> io::Result<()> {
        let mut rng = Rng::new(seed, m);
        let (stem, text) = &corpus.all_cards[(m as usize) % corpus.all_cards.len()];
        // A valid Hub name: letters, digits, single dashes, at most 96 characters.
        let mut name = String::new();
        for c in stem.chars().take(60) {
            let c = if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' };
            if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
                name.push(c);
            }
        }
        let repo = out.join(format!("models--bench-org-{}--{name}-{m}", m % 50));
        let rev = format!("{:016x}{:016x}{:08x}", rng.next(), rng.next(), rng.below(1 << 32));
        tally.write(&repo.join("refs/main"), rev.as_bytes())?;
        let snap = repo.join("snapshots").join(&rev);
        fs::create_dir_all(&snap)?;
        let mut blob = |file: &str, content: &[u8], total: Option<u64>| -> io::Result<()> {
            let sha = format!("{:016x}{:016x}{:016x}{:016x}", rng.next(), rng.next(), rng.next(), rng.next());
            let path = repo.join("blobs").join(&sha);
            match total {
                Some(t) => tally.sparse(&path, content, t)?,
                None => tally.write(&path, content)?,
            }
            let link = snap.join(file);
            if let Some(parent) = link.parent() {
                fs::create_dir_all(parent)?;
            }
            let depth = file.matches('/').count();
            let up = "../".repeat(depth + 2);
            std::os::unix::fs::symlink(format!("{up}blobs/{sha}"), link)
        };
        blob("README.md", text.as_bytes(), None)?;
        blob("config.json", b"{\"model_type\": \"bert\", \"architectures\": [\"BertModel\"]}\n", None)?;
        let (h, total) = safetensors(&mut Rng::new(seed, m), 4 + m % 12, 1024, "apache-2.0");
        blob("model.safetensors", &h, Some(total))?;
        if m % 3 == 0 {
            let (_, ltext, _) = &corpus.licences[(m as usize) % corpus.licences.len()];
            blob("LICENSE", ltext.as_bytes(), None)?;
        }
        Ok(())
    })?;
    Ok(tally.summary(models as usize))
}

// ---------------------------------------------------------------------------------------------
// Tree (c): model cards, replicated with varied ids

fn cards(corpus: &Corpus, out: &Path, count: u64, seed: u64) -> io::Result<String> {
    let tally = Tally::default();
    (0..count).into_par_iter().try_for_each(|i| -> io::Result<()> {
        let (stem, text) = &corpus.all_cards[((i + seed) as usize) % corpus.all_cards.len()];
        let id = format!("bench-{}/{stem}-{i}", i % 100);
        tally
            .write(&out.join(format!("org-{:03}/{stem}-{i}/README.md", i % 100)), with_model_name(text, &id).as_bytes())
    })?;
    Ok(tally.summary(count as usize))
}

/// The card with `model_name:` set to `id` (replacing the card's own), so each copy is a model
/// of its own; cards without front matter are named by their directory anyway.
fn with_model_name(text: &str, id: &str) -> String {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = body.strip_prefix("---\n") else { return text.to_string() };
    let mut out = format!("---\nmodel_name: {id}\n");
    for line in rest.split_inclusive('\n') {
        if !line.starts_with("model_name:") {
            out.push_str(line);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------

fn main() -> ExitCode {
    match run() {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-trees: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> io::Result<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        io::Error::other(
            "usage: bench-trees monorepo|hf-cache|cards DIR [--files N] [--models N] [--cards N] [--seed S] [--corpus DIR]",
        )
    };
    let (kind, dir) = match args.as_slice() {
        [k, d, ..] => (k.as_str(), PathBuf::from(d)),
        _ => return Err(usage()),
    };
    let mut options: BTreeMap<&str, &str> = BTreeMap::new();
    for pair in args[2..].chunks(2) {
        match pair {
            [k, v] if k.starts_with("--") => {
                options.insert(&k[2..], v);
            }
            _ => return Err(usage()),
        }
    }
    let num = |key: &str, default: u64| -> io::Result<u64> {
        options
            .get(key)
            .map_or(Ok(default), |v| v.parse().map_err(|_| io::Error::other(format!("--{key}: not a number: {v}"))))
    };
    let corpus_dir = options
        .get("corpus")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"), PathBuf::from);
    let corpus = Corpus::load(&corpus_dir)?;
    let seed = num("seed", 1)?;
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    match kind {
        "monorepo" => monorepo(&corpus, &dir, num("files", 100_000)?, num("models", 200)?, seed),
        "hf-cache" => hf_cache(&corpus, &dir, num("models", 2_000)?, seed),
        "cards" => cards(&corpus, &dir, num("cards", 50_000)?, seed),
        _ => Err(usage()),
    }
}
