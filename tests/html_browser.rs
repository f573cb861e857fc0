//! The HTML report in a real browser: Debian's Chromium, headless, opens the report from a
//! `file://` URL. Its `--dump-dom` prints the page after the script ran; the script records on
//! `<html>` how many models the filter (preset from the URL fragment) left visible and
//! `typeof window.__pwned`, which every injection attempt of the hostile card would set.
//!
//! No network: Chromium is pointed at a proxy on loopback that this test runs and that records
//! every request; a control page with a remote image proves the proxy sees requests, and the
//! report must send none. A screenshot of the demo report is saved as a test artefact
//! (`target/tmp/html-report.png`; `MODELGATE_BLESS=1` also writes `docs/report-html.png`, the
//! README's picture).
//!
//! `bash .ci/run` installs Chromium and sets `MODELGATE_REQUIRE_BROWSER=1`, which makes a missing
//! browser a failure; elsewhere the test skips with a message. `MODELGATE_CHROMIUM` names
//! another binary.

mod common;

use std::{
    io::{Read, Write},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use common::{hostile_tree, modelgate};
use serde_json::Value;

fn chromium() -> Option<String> {
    let candidate = std::env::var("MODELGATE_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let works = Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success());
    if works {
        return Some(candidate);
    }
    assert!(
        std::env::var_os("MODELGATE_REQUIRE_BROWSER").is_none(),
        "MODELGATE_REQUIRE_BROWSER is set but `{candidate}` does not run (bash .ci/run installs Debian's chromium)"
    );
    eprintln!("skipped: no chromium to run the HTML report in (bash .ci/run installs it)");
    None
}

/// A loopback HTTP proxy that answers 404 to everything and records each request line.
struct Proxy {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (requests.clone(), stop.clone());
        let handle = thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                        let mut buffer = [0u8; 2048];
                        let n = stream.read(&mut buffer).unwrap_or(0);
                        let text = String::from_utf8_lossy(&buffer[..n]);
                        r.lock().unwrap().push(text.lines().next().unwrap_or("(connection)").to_string());
                        let _ = stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    }
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Proxy { port, requests, stop, handle: Some(handle) }
    }

    /// The requests a page made: every request but Chromium's own calls home (component
    /// updates, sign-in, network time), which the flags below do not fully silence and which
    /// go to these hosts only.
    fn requests(&self) -> Vec<String> {
        const CHROMIUM_SERVICES: &[&str] =
            &["update.googleapis.com", "accounts.google.com", "clients2.google.com/time/", "clients2.google.com:443"];
        let all = self.requests.lock().unwrap().clone();
        all.into_iter()
            .filter(|r| {
                !CHROMIUM_SERVICES.iter().any(|h| r.contains(&format!(" {h}")) || r.contains(&format!("//{h}")))
            })
            .collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Runs headless Chromium on a URL with a fresh profile, every request sent to `proxy`; its
/// standard output.
fn browse(chromium: &str, proxy: &Proxy, url: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-component-extensions-with-background-pages",
            "--disable-default-apps",
            "--disable-client-side-phishing-detection",
            "--disable-domain-reliability",
            "--disable-breakpad",
            "--metrics-recording-only",
            "--no-pings",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
        .arg("--proxy-bypass-list=<-loopback>")
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s on {url}");
        }
        thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// The value of an attribute of the dumped document's `<html>` tag.
fn root_attribute(dom: &str, name: &str) -> Option<String> {
    let start = dom.find("<html")?;
    let tag = &dom[start..start + dom[start..].find('>')?];
    let key = format!("{name}=\"");
    let from = tag.find(&key)? + key.len();
    Some(tag[from..from + tag[from..].find('"')?].to_string())
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

fn report(roots: &[&Path], format: &str, out: &Path) {
    let o = modelgate()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .arg("scan")
        .args(roots)
        .args(["--format", format, "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));
}

/// How many models the page's filter should leave for one word, from the JSON report (the
/// same fields the table row's `data-text` holds).
fn expected_matches(json: &Value, word: &str) -> usize {
    json["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            let fields =
                [&m["id"], &m["licence"]["id"], &m["licence"]["name"], &m["source"], &m["location"], &m["vendor"]];
            let hay: Vec<String> = fields.iter().filter_map(|v| v.as_str()).map(str::to_lowercase).collect();
            hay.join(" ").contains(word)
        })
        .count()
}

#[test]
fn the_html_report_renders_filters_runs_no_card_script_and_makes_no_request() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_tree();
    let examples = PathBuf::from("examples");
    let page = dir.path().join("report.html");
    report(&[&examples, hostile.path()], "html", &page);
    let json_file = dir.path().join("report.json");
    report(&[&examples, hostile.path()], "json", &json_file);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    let models = json["models"].as_array().unwrap().len();

    let proxy = Proxy::start();

    // The control: a page that loads a remote image reaches the proxy, so silence below means
    // the report asked for nothing.
    let control = dir.path().join("control.html");
    std::fs::write(&control, "<!DOCTYPE html><img src=\"http://evil.invalid/p.png\"><p>control</p>").unwrap();
    let dom = browse(&chromium, &proxy, &file_url(&control), &["--dump-dom".into()]);
    assert!(dom.contains("control"), "chromium printed no DOM: {dom}");
    let seen = proxy.requests();
    assert!(
        seen.iter().any(|r| r.contains("evil.invalid")),
        "the proxy saw no request from the control page: {seen:?}"
    );
    proxy.requests.lock().unwrap().clear();

    // The table renders, a filter from the URL fragment works, and no card script ran.
    let url = format!("{}#filter=llama", file_url(&page));
    let dom = browse(&chromium, &proxy, &url, &["--dump-dom".into()]);
    assert_eq!(root_attribute(&dom, "data-ready").as_deref(), Some("1"), "the page's script did not run");
    assert_eq!(root_attribute(&dom, "data-pwned").as_deref(), Some("undefined"), "a script from the card ran");
    assert_eq!(dom.matches("<tr data-anchor=").count(), models, "one table row per model");
    let expected = expected_matches(&json, "llama");
    assert!(expected > 1 && expected < models, "the filter must select some, not all: {expected}");
    assert_eq!(root_attribute(&dom, "data-visible-models"), Some(expected.to_string()));
    assert!(dom.contains(&format!("{expected} of {models} models")));
    assert_eq!(dom.matches("<script").count(), 1, "only the page's own script is in the DOM");
    assert!(!dom.contains("<img") && !dom.contains("<iframe"), "no element from the card");
    assert!(dom.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"), "the card's text is shown as text");

    let url = format!("{}#category=non-commercial&severity=warning", file_url(&page));
    let dom = browse(&chromium, &proxy, &url, &["--dump-dom".into()]);
    assert_eq!(root_attribute(&dom, "data-visible-models").as_deref(), Some("1"), "category and severity filters");

    let requests = proxy.requests();
    assert!(requests.is_empty(), "the report made network requests: {requests:?}");

    // The screenshot of the demo report: a test artefact, and the README's picture when blessed.
    let demo = dir.path().join("demo.html");
    report(&[&examples], "html", &demo);
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report.png");
    let _ = std::fs::remove_file(&png);
    browse(
        &chromium,
        &proxy,
        &file_url(&demo),
        &[format!("--screenshot={}", png.display()), "--window-size=1280,1900".into(), "--hide-scrollbars".into()],
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000, "a real PNG");
    eprintln!("screenshot: {}", png.display());
    if std::env::var_os("MODELGATE_BLESS").is_some() {
        std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-html.png"), &bytes).unwrap();
    }
    assert!(proxy.requests().is_empty(), "the demo report made network requests");
}
