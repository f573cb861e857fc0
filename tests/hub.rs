//! The Hub client against a small HTTP server on loopback that serves Hub-shaped answers built
//! from the model cards of `../shared/corpus/modelcards`: the normal path, 429 then 200, 403 for a
//! gated repository, 401, 404, a server that keeps failing, the token, the response cache and
//! offline mode.
#![cfg(feature = "hub")]

mod common;

use std::{
    collections::BTreeMap,
    fs,
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    sync::{Arc, Mutex},
    thread,
};

use assert_cmd::Command;
use serde_json::{Value, json};

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const TOKEN: &str = "hf_test_secret_0123456789";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    authorization: Option<String>,
}

/// A canned answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, String)>, Vec<u8>);

/// A loopback HTTP/1.1 server: one thread, one request per connection.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(route: impl Fn(&Seen, usize) -> Answer + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let Some(request) = read_request(&stream) else { continue };
                let nth = {
                    let mut log = log.lock().unwrap();
                    log.push(request.clone());
                    log.iter().filter(|s| s.path == request.path).count()
                };
                let (status, headers, body) = route(&request, nth);
                let _ = respond(stream, status, &headers, &body);
            }
        });
        Server { url, seen }
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut authorization = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(v.trim().to_string());
        }
    }
    let path = path.split('?').next().unwrap_or(&path).to_string();
    Some(Seen { path, authorization })
}

fn respond(mut stream: TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

fn corpus_card(name: &str) -> String {
    fs::read_to_string(common::corpus().join("modelcards").join(name)).unwrap()
}

/// The front matter of a card as the Hub's `cardData`.
fn card_data(card: &str) -> Value {
    let card = card.replace("\r\n", "\n");
    let yaml = card.strip_prefix("---\n").and_then(|r| r.split("\n---").next()).unwrap();
    serde_saphyr::from_str::<Value>(yaml).unwrap()
}

fn info(card: &str, siblings: &[(&str, u64)], gated: Value) -> Vec<u8> {
    let siblings: Vec<Value> = siblings.iter().map(|(n, s)| json!({"rfilename": n, "size": s})).collect();
    json!({"id": "x", "sha": SHA, "gated": gated, "cardData": card_data(card), "siblings": siblings})
        .to_string()
        .into_bytes()
}

const REFLECTION: &str = "MiMiGame-1__Reflection-Llama-3.1-70B__README.md";
const MINILM: &str = "SarinSuv__all-MiniLM-L6-v2-local__README.md";
const DATASET: &str = "YoungXinyu1802__HuggingFace-Dataset-Card-Analysis__Data_Dataset_Card_Jiangjie_ekar_chinese.md";
const GATED: &str =
    "YinanWusoymilk__hf-readme__training_and_application_readme_files_bartowski_Meta-Llama-3.1-8B-Instruct-GGUF.md";

/// The Hub of these tests.
fn hub() -> Server {
    let llama_licence = fs::read(common::corpus().join("licences/llama3.1/LICENSE")).unwrap();
    Server::start(move |req, nth| {
        let ok = |body: Vec<u8>| (200, vec![], body);
        let authorised = req.authorization.as_deref() == Some(&format!("Bearer {TOKEN}"));
        match req.path.as_str() {
            "/api/models/acme/reflection" => ok(info(
                &corpus_card(REFLECTION),
                &[
                    ("README.md", 4000),
                    ("LICENSE", 7000),
                    ("config.json", 60),
                    ("model-00001-of-00002.safetensors", 5 << 30),
                    ("training_args.bin", 10),
                ],
                json!(false),
            )),
            p if p == format!("/acme/reflection/resolve/{SHA}/README.md") => ok(corpus_card(REFLECTION).into_bytes()),
            p if p == format!("/acme/reflection/resolve/{SHA}/LICENSE") => ok(llama_licence.clone()),
            p if p == format!("/acme/reflection/resolve/{SHA}/config.json") => {
                ok(br#"{"model_type":"llama","architectures":["LlamaForCausalLM"]}"#.to_vec())
            }
            "/api/models/acme/busy" if nth == 1 => (429, vec![("Retry-After", "1".into())], b"slow down".to_vec()),
            "/api/models/acme/busy" => ok(info(&corpus_card(MINILM), &[("README.md", 10)], json!(false))),
            p if p == format!("/acme/busy/resolve/{SHA}/README.md") => ok(corpus_card(MINILM).into_bytes()),
            "/api/models/acme/gated" => {
                ok(info(&corpus_card(GATED), &[("README.md", 10), ("LICENSE", 10)], json!("manual")))
            }
            p if p.starts_with("/acme/gated/resolve/") && !authorised => {
                (403, vec![], b"Access to this model is restricted".to_vec())
            }
            p if p == format!("/acme/gated/resolve/{SHA}/README.md") => ok(corpus_card(GATED).into_bytes()),
            p if p == format!("/acme/gated/resolve/{SHA}/LICENSE") => ok(llama_licence.clone()),
            "/api/datasets/acme/ekar" => ok(info(&corpus_card(DATASET), &[("README.md", 10)], json!(false))),
            p if p == format!("/datasets/acme/ekar/resolve/{SHA}/README.md") => ok(corpus_card(DATASET).into_bytes()),
            "/api/models/acme/private" => (401, vec![], b"{\"error\":\"Invalid credentials\"}".to_vec()),
            "/api/models/acme/broken" => (503, vec![], b"down".to_vec()),
            _ => (404, vec![], b"{\"error\":\"Repository not found\"}".to_vec()),
        }
    })
}

fn modelgate(server: &Server, cache: &Path) -> Command {
    let mut cmd = Command::cargo_bin("modelgate").unwrap();
    for var in ["NO_COLOR", "HF_TOKEN", "HF_HUB_OFFLINE", "HF_HUB_CACHE", "HF_HOME"] {
        cmd.env_remove(var);
    }
    cmd.env("HF_ENDPOINT", &server.url).arg("scan").arg("--hub-cache-dir").arg(cache);
    cmd
}

fn run(cmd: &mut Command) -> (Value, String, std::process::Output) {
    let out = cmd.args(["--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (v, stderr, out)
}

fn model<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["models"].as_array().unwrap().iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).collect()
}

#[test]
fn a_repository_is_read_from_the_api_and_a_rescan_makes_no_requests() {
    let server = hub();
    let cache = tempfile::tempdir().unwrap();
    let (report, stderr, out) = run(modelgate(&server, cache.path()).args(["--hub", "acme/reflection"]));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let m = model(&report, "acme/reflection");
    assert_eq!(m["source"], "hub");
    assert_eq!(m["revision"], SHA);
    assert_eq!(m["location"], format!("{}/acme/reflection", server.url));
    assert_eq!(m["licence"]["id"], "llama3.1");
    let files: Vec<&str> =
        m["licence"]["evidence"].as_array().unwrap().iter().map(|e| e["file"].as_str().unwrap()).collect();
    assert!(files.contains(&format!("{}/acme/reflection/blob/{SHA}/LICENSE", server.url).as_str()), "{files:?}");
    assert_eq!(m["weights"].as_array().unwrap().len(), 1, "training_args.bin is not weights");
    assert_eq!(m["weights"][0]["bytes"], 5u64 << 30);
    assert_eq!(m["lineage"][0]["id"], "meta-llama/Meta-Llama-3.1-70B-Instruct");
    assert!(m["card"]["sections"].as_array().is_some_and(|s| !s.is_empty()), "the README was read");
    let first = server.requests().len();
    assert_eq!(first, 4, "info, README, LICENSE, config.json: {:?}", server.requests());
    assert!(server.requests().iter().all(|r| r.authorization.is_none()), "no token, no header");

    let (again, _, _) = run(modelgate(&server, cache.path()).args(["--hub", "acme/reflection"]));
    assert_eq!(server.requests().len(), first, "the rescan was served from the cache");
    assert_eq!(again["models"], report["models"]);

    let _ = run(modelgate(&server, cache.path()).args(["--hub", "acme/reflection", "--hub-refresh"]));
    assert_eq!(server.requests().len(), first + 1, "--hub-refresh asks for the repository again, files stay cached");
}

#[test]
fn too_many_requests_is_retried_after_retry_after() {
    let server = hub();
    let cache = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (report, stderr, out) = run(modelgate(&server, cache.path()).args(["--hub", "acme/busy"]));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "Retry-After: 1 was honoured");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths[..2], ["/api/models/acme/busy", "/api/models/acme/busy"]);
    assert_eq!(model(&report, "acme/busy")["licence"]["id"], "apache-2.0");
    assert!(findings(&report, "hub-unavailable").is_empty());
}

#[test]
fn a_gated_repository_is_a_finding_and_the_token_opens_it_without_being_shown() {
    let server = hub();
    let cache = tempfile::tempdir().unwrap();
    let (report, stderr, out) = run(modelgate(&server, cache.path()).args(["--hub", "acme/gated"]));
    assert_eq!(out.status.code(), Some(0), "a gated repository is not an error: {stderr}");
    let hit = findings(&report, "hub-unavailable");
    assert_eq!(hit.len(), 1, "{hit:?}");
    let message = hit[0]["message"].as_str().unwrap();
    assert!(message.contains("gated") && message.contains("HF_TOKEN"), "{message}");
    assert_eq!(hit[0]["severity"], "warning");
    let m = model(&report, "acme/gated");
    assert_eq!(m["licence"]["id"], "llama3.1", "the API's card data still names the licence");
    assert!(m["licence"]["evidence"][0]["file"].as_str().unwrap().ends_with("(cardData)"));

    let mut with_token = modelgate(&server, cache.path());
    with_token.env("HF_TOKEN", TOKEN).args(["--hub", "acme/gated"]);
    let (report, stderr, out) = run(&mut with_token);
    assert!(findings(&report, "hub-unavailable").is_empty(), "{:?}", report["findings"]);
    let m = model(&report, "acme/gated");
    assert!(m["licence"]["evidence"].as_array().unwrap().iter().any(|e| e["kind"] == "licence-file"));
    let sent: Vec<Seen> = server.requests().into_iter().filter(|r| r.authorization.is_some()).collect();
    assert!(!sent.is_empty());
    assert!(sent.iter().all(|r| r.authorization.as_deref() == Some(&format!("Bearer {TOKEN}"))));
    let printed = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(!printed.contains(TOKEN), "the token is never printed");
    let text = modelgate(&server, cache.path())
        .env("HF_TOKEN", TOKEN)
        .args(["--hub", "acme/gated", "--color", "never"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&text.stdout).contains(TOKEN));
    for file in walk(cache.path()) {
        assert!(!fs::read(&file).unwrap().windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "{}", file.display());
    }
}

#[test]
fn refused_missing_and_failing_repositories_are_findings() {
    let server = hub();
    let cache = tempfile::tempdir().unwrap();
    let (report, stderr, out) = run(modelgate(&server, cache.path()).args([
        "--hub",
        "acme/private,acme/missing",
        "--hub",
        "acme/broken",
        "--hub-retries",
        "1",
    ]));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let messages: BTreeMap<String, String> = findings(&report, "hub-unavailable")
        .iter()
        .map(|f| {
            (
                f["model"].as_str().unwrap_or("").to_string() + f["file"].as_str().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let find = |id: &str| messages.iter().find(|(k, _)| k.ends_with(id)).map(|(_, v)| v.clone()).unwrap_or_default();
    assert!(find("acme/private").contains("refused access (401)"), "{messages:?}");
    assert!(find("acme/missing").contains("not found on the Hub (404)"), "{messages:?}");
    assert!(find("acme/broken").contains("503 after every retry"), "{messages:?}");
    let broken = server.requests().iter().filter(|r| r.path == "/api/models/acme/broken").count();
    assert_eq!(broken, 2, "one try and one retry");
    assert_eq!(model(&report, "acme/missing")["source"], "hub");
}

#[test]
fn offline_mode_uses_the_cache_or_says_why_not() {
    let server = hub();
    let cache = tempfile::tempdir().unwrap();
    let (report, _, _) =
        run(modelgate(&server, cache.path()).env("HF_HUB_OFFLINE", "1").args(["--hub", "acme/reflection"]));
    assert!(server.requests().is_empty(), "offline: no requests");
    let hit = findings(&report, "hub-unavailable");
    assert!(hit[0]["message"].as_str().unwrap().contains("HF_HUB_OFFLINE"), "{hit:?}");

    let _ = run(modelgate(&server, cache.path()).args(["--hub", "acme/reflection"]));
    let online = server.requests().len();
    let (report, _, _) =
        run(modelgate(&server, cache.path()).env("HF_HUB_OFFLINE", "1").args(["--hub", "acme/reflection"]));
    assert_eq!(server.requests().len(), online);
    assert_eq!(model(&report, "acme/reflection")["licence"]["id"], "llama3.1");

    // Not in the response cache, but in the Hugging Face cache.
    let hf = tempfile::tempdir().unwrap();
    let snap = hf.path().join("models--acme--local/snapshots").join(SHA);
    fs::create_dir_all(&snap).unwrap();
    fs::create_dir_all(hf.path().join("models--acme--local/refs")).unwrap();
    fs::write(hf.path().join("models--acme--local/refs/main"), SHA).unwrap();
    fs::write(snap.join("README.md"), corpus_card(MINILM)).unwrap();
    let (report, _, _) = run(modelgate(&server, cache.path())
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_HUB_CACHE", hf.path())
        .args(["--hub", "acme/local"]));
    let m = model(&report, "acme/local");
    assert_eq!(m["source"], "hf-cache");
    assert_eq!(m["licence"]["id"], "apache-2.0");
}

#[test]
fn an_unreachable_hub_stops_the_scan_with_a_clear_error() {
    // A port nobody listens on: bind, learn the port, close.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cache = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("modelgate")
        .unwrap()
        .env("HF_ENDPOINT", format!("http://127.0.0.1:{port}"))
        .env("HF_TOKEN", TOKEN)
        .env_remove("HF_HUB_OFFLINE")
        .args(["scan", "--hub", "acme/x", "--hub-retries", "0", "--hub-cache-dir"])
        .arg(cache.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot reach the Hub at http://127.0.0.1"), "{stderr}");
    assert!(!stderr.contains(TOKEN));
}

#[test]
fn hub_from_reads_an_inventory() {
    let server = hub();
    let cache = tempfile::tempdir().unwrap();
    let list = cache.path().join("ids.txt");
    fs::write(&list, "# audited weekly\nacme/reflection team=research\ngpt-4o\n").unwrap();
    let (report, stderr, _) =
        run(modelgate(&server, cache.path()).arg("--hub-from").arg(&list).arg("--inventory").arg(&list));
    let m = model(&report, "acme/reflection");
    assert_eq!(m["source"], "hub", "{stderr}");
    assert_eq!(m["sources"], json!(["hub", "inventory"]));
    assert_eq!(m["inventory"][0]["team"], "research");
    assert_eq!(model(&report, "openai:gpt-4o")["source"], "inventory");
}

#[test]
fn dataset_repositories_are_datasets() {
    let server = hub();
    let cache = tempfile::tempdir().unwrap();
    let (report, stderr, _) = run(modelgate(&server, cache.path()).args(["--hub", "datasets/acme/ekar"]));
    let ds = &report["datasets"][0];
    assert_eq!(ds["id"], "acme/ekar", "{stderr}");
    assert_eq!(ds["source"], "hub");
    assert_eq!(ds["revision"], SHA);
    assert_eq!(ds["location"], format!("{}/datasets/acme/ekar", server.url));
    assert_eq!(ds["licence"]["id"], "afl-3.0");
    assert_eq!(report["summary"]["models"], 0);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}
