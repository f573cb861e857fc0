//! A hostile tree, scanned by the binary: every trick of issue 10 at once (a 10 GB sparse file,
//! a YAML alias bomb, a GGUF claiming 2^60 elements, a zip bomb, FIFOs named `README.md`,
//! `LICENSE`, `model.safetensors` and `.gitignore`, links to `/` and link loops, a card with a
//! 1 MB line, non-UTF-8 names, an unreadable directory, binary junk named `LICENSE`, terminal
//! escapes in a card and in a file name). The scan must end, within bounds, with the expected
//! findings and exit status.
//!
//! The child is watched from here: its peak resident memory comes from `wait4`'s rusage, the
//! bytes it read from `/proc/<pid>/io`, sampled while it runs. The time bound is a safety net
//! against a hang (the scan takes about a second), not a performance assertion.

#![cfg(target_os = "linux")]

use std::{
    ffi::OsStr,
    fs,
    io::Write,
    os::unix::{ffi::OsStrExt, fs::PermissionsExt},
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

const GB: u64 = 1 << 30;
/// A scan that has not ended after this long is stuck.
const HANG: Duration = Duration::from_secs(180);
/// Peak resident memory allowed to the whole scan.
const MAX_RSS_KB: i64 = 200 * 1024;
/// Bytes the scan may read in all (the 10 GB files must not be read).
const MAX_READ: u64 = 1 << 30;

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo {}", path.display());
}

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn sparse(path: &Path, len: u64) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::File::create(path).unwrap().set_len(len).unwrap();
}

/// "Billion laughs": ten levels of ten aliases each.
fn yaml_bomb() -> String {
    let mut y = String::from("---\nlicense: apache-2.0\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        y.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{p}"); 10].join(", ")));
    }
    y.push_str("---\n# Model\n");
    y
}

/// A GGUF whose one metadata array claims 2^60 float elements.
fn gguf_bomb() -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes()); // tensors
    b.extend_from_slice(&1u64.to_le_bytes()); // key/value pairs
    let key = b"tokenizer.ggml.scores";
    b.extend_from_slice(&(key.len() as u64).to_le_bytes());
    b.extend_from_slice(key);
    b.extend_from_slice(&9u32.to_le_bytes()); // array
    b.extend_from_slice(&6u32.to_le_bytes()); // of f32
    b.extend_from_slice(&(1u64 << 60).to_le_bytes());
    b.extend_from_slice(&[0u8; 64]);
    b
}

/// A torch checkpoint whose `data.pkl` deflates 512 MiB of valid pickle opcodes (push None,
/// pop, forever) into well under a megabyte.
fn zip_bomb() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    w.start_file("archive/data.pkl", options).unwrap();
    w.write_all(b"\x80\x02").unwrap();
    let chunk = b"N0".repeat(1 << 19);
    for _ in 0..512 {
        w.write_all(&chunk).unwrap();
    }
    w.start_file("archive/version", zip::write::SimpleFileOptions::default()).unwrap();
    w.write_all(b"3\n").unwrap();
    w.finish().unwrap().into_inner()
}

/// The tree; returns whether the unreadable directory really is unreadable (not as root).
fn build(root: &Path) -> bool {
    // 10 GB sparse files: only their first bytes may be read.
    sparse(&root.join("sparse/model.safetensors"), 10 * GB);
    sparse(&root.join("sparse/README.md"), 10 * GB);
    sparse(&root.join("sparse/.ignore"), 10 * GB);
    write(&root.join("bomb/README.md"), yaml_bomb().as_bytes());
    write(&root.join("gguf/model.gguf"), &gguf_bomb());
    write(&root.join("gguf/README.md"), b"---\nlicense: mit\n---\n");
    write(&root.join("zipbomb/pytorch_model.bin"), &zip_bomb());
    write(&root.join("zipbomb/LICENSE"), b"MIT License\n");
    // Special files where model files are expected.
    fs::create_dir_all(root.join("fifo")).unwrap();
    for name in ["README.md", "LICENSE", "model.safetensors", ".gitignore"] {
        mkfifo(&root.join("fifo").join(name));
    }
    write(&root.join("fifo/config.json"), br#"{"model_type": "llama"}"#);
    // Links out of the tree, and loops.
    fs::create_dir_all(root.join("links")).unwrap();
    std::os::unix::fs::symlink("/", root.join("links/root")).unwrap();
    std::os::unix::fs::symlink("/usr", root.join("links/usr")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("links/LICENSE")).unwrap();
    std::os::unix::fs::symlink(".", root.join("links/loop")).unwrap();
    std::os::unix::fs::symlink("b.md", root.join("links/a.md")).unwrap();
    std::os::unix::fs::symlink("a.md", root.join("links/b.md")).unwrap();
    write(&root.join("links/README.md"), b"---\nlicense: mit\n---\n");
    // A card with one line of 1 MB.
    let mut long = b"---\nlicense: mit\n---\n# Model\n".to_vec();
    long.extend(std::iter::repeat_n(b'x', 1 << 20));
    long.push(b'\n');
    write(&root.join("longline/README.md"), &long);
    // Non-UTF-8 names.
    let odd = root.join(OsStr::from_bytes(b"nonutf8-\xff\xfe"));
    write(&odd.join("README.md"), b"---\nlicense: apache-2.0\n---\n");
    write(&root.join("nonutf8-file").join(OsStr::from_bytes(b"\xffLICENSE")), b"junk");
    // Binary junk named LICENSE, beside weights.
    let junk: Vec<u8> = (0u32..65_536).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    write(&root.join("junk/LICENSE"), &junk);
    write(&root.join("junk/model.safetensors"), &junk);
    // Terminal escapes in a card and in a directory name.
    write(
        &root.join("escapes/README.md"),
        b"---\nlicense: other\nlicense_name: \"Evil\\e[2J\\e]8;;http://x\\a licence\\r\"\n---\n# Evil\n\n## Intended uses\n\nUse \x1b[2J\x1b]8;;http://x\x07 it\r freely.\n",
    );
    write(&root.join("escape-\x1b[31mdir/README.md"), b"---\nlicense: mit\n---\n");
    // An unreadable directory.
    write(&root.join("locked/README.md"), b"---\nlicense: mit\n---\n");
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::read_dir(root.join("locked")).is_err()
}

/// What the scan did.
struct Run {
    stdout: Vec<u8>,
    status: i32,
    max_rss_kb: i64,
    read_bytes: u64,
    elapsed: Duration,
}

/// Runs the binary on `args`, watching its memory and reads.
fn watch(args: &[&OsStr], work: &Path) -> Run {
    fs::create_dir_all(work).unwrap();
    let out_path = work.join("stdout");
    let stdout = fs::File::create(&out_path).unwrap();
    let child = Command::new(assert_cmd::cargo::cargo_bin("modelgate"))
        .args(args)
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let mut read_bytes = 0;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: zeroed rusage is a valid value; pid is our child, waited on only here.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage);
        }
        assert_eq!(r, 0, "wait4 failed");
        if let Ok(io) = fs::read_to_string(format!("/proc/{pid}/io"))
            && let Some(rchar) = io.lines().find_map(|l| l.strip_prefix("rchar: "))
        {
            read_bytes = rchar.trim().parse().unwrap_or(read_bytes);
        }
        if start.elapsed() > HANG {
            // SAFETY: killing our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the scan did not end within {HANG:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    std::mem::forget(child); // reaped above
    assert!(libc::WIFEXITED(status), "the scan was killed by a signal: status {status}");
    Run {
        stdout: fs::read(&out_path).unwrap(),
        status: libc::WEXITSTATUS(status),
        max_rss_kb: usage.ru_maxrss,
        read_bytes,
        elapsed: start.elapsed(),
    }
}

fn check_bounds(run: &Run, what: &str) {
    eprintln!(
        "{what}: {:?}, peak RSS {} MiB, {} MiB read, exit {}",
        run.elapsed,
        run.max_rss_kb / 1024,
        run.read_bytes >> 20,
        run.status
    );
    assert!(run.max_rss_kb < MAX_RSS_KB, "{what}: peak RSS {} KiB", run.max_rss_kb);
    assert!(run.read_bytes < MAX_READ, "{what}: read {} bytes: a 10 GB file was read", run.read_bytes);
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<(&'a str, &'a str)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| (f["file"].as_str().unwrap_or(""), f["message"].as_str().unwrap_or("")))
        .collect()
}

fn has(report: &Value, rule: &str, file: &str, needle: &str) -> bool {
    findings(report, rule).iter().any(|(f, m)| *f == file && m.contains(needle))
}

#[test]
fn a_hostile_tree_is_scanned_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let denies = build(&root);
    let work = dir.path();

    let run = watch(&[OsStr::new("scan"), root.as_os_str(), OsStr::new("--format"), OsStr::new("json")], work);
    check_bounds(&run, "scan");
    assert_eq!(run.status, 1, "findings at error severity (the zip bomb's unverified pickle)");
    let report: Value = serde_json::from_slice(&run.stdout).expect("a JSON report");
    let all = &report["findings"];

    // Limits, each named.
    assert!(has(&report, "limit-exceeded", "sparse/README.md", "limit `file-size`"), "{all:#}");
    assert!(has(&report, "limit-exceeded", "sparse/.ignore", "limit `file-size`"), "{all:#}");
    assert!(has(&report, "weights-header-invalid", "sparse/model.safetensors", "header"), "{all:#}");
    assert!(has(&report, "limit-exceeded", "bomb/README.md", "limit `yaml-aliases`"), "{all:#}");
    assert!(has(&report, "weights-header-invalid", "gguf/model.gguf", "1152921504606846976"), "{all:#}");
    let bomb = findings(&report, "limit-exceeded")
        .into_iter()
        .find(|(f, _)| *f == "zipbomb/pytorch_model.bin")
        .unwrap_or_else(|| panic!("no limit finding for the zip bomb: {all:#}"));
    assert!(bomb.1.contains("zip-ratio") || bomb.1.contains("pickle-opcodes"), "{}", bomb.1);
    assert!(has(&report, "unsafe-pickle", "zipbomb/pytorch_model.bin", ""), "unverified pickle: {all:#}");
    assert!(has(&report, "limit-exceeded", "longline/README.md", "limit `line-length`"), "{all:#}");
    // Special files: reported, never opened.
    for name in ["README.md", "LICENSE", "model.safetensors"] {
        assert!(has(&report, "io-error", &format!("fifo/{name}"), "FIFO"), "{name}: {all:#}");
    }
    assert!(has(&report, "io-error", "fifo/.gitignore", "FIFO"), "{all:#}");
    // Links are not followed.
    assert!(has(&report, "io-error", "links/LICENSE", "not followed"), "{all:#}");
    let ids: Vec<&str> = report["models"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"links"), "{ids:?}");
    assert!(!ids.iter().any(|id| id.contains("etc")), "{ids:?}");
    // Non-UTF-8 names are read, shown lossily.
    assert!(ids.iter().any(|id| id.starts_with("nonutf8-")), "{ids:?}");
    // The unreadable directory: reported where permissions deny (not as root).
    if denies {
        assert!(findings(&report, "io-error").iter().any(|(f, _)| f.starts_with("locked")), "{all:#}");
    } else {
        eprintln!("running as root: chmod 000 does not deny, so `locked/` was read");
        assert!(ids.contains(&"locked"), "{ids:?}");
    }
    // A file name's escape is shown as text in every format.
    assert!(
        findings(&report, "licence-missing")
            .iter()
            .chain(&findings(&report, "card-incomplete"))
            .all(|(f, _)| !f.contains('\u{1b}')),
        "{all:#}"
    );

    // The terminal report: no escape or carriage return from the tree reaches the terminal,
    // with colour on or off.
    for colour in ["never", "always"] {
        let run = watch(
            &[OsStr::new("scan"), root.as_os_str(), OsStr::new("--color"), OsStr::new(colour)],
            &work.join(colour),
        );
        check_bounds(&run, colour);
        let out = String::from_utf8(run.stdout).expect("UTF-8");
        assert!(!out.contains('\r') && !out.contains('\u{7}'), "{out}");
        let escapes: Vec<&str> = out.match_indices('\u{1b}').map(|(i, _)| &out[i..(i + 6).min(out.len())]).collect();
        if colour == "never" {
            assert!(escapes.is_empty(), "{escapes:?}");
        }
        assert!(!out.contains("\u{1b}[2J") && !out.contains("\u{1b}]8"), "{out}");
        assert!(out.contains("escape-\\u{1b}[31mdir"), "the name is shown escaped: {out}");
    }

    // The other formats people read or `cat`: HTML and CSV escape only their own syntax, so
    // the escapes of the card (in its licence name and its intended-use excerpt) must not pass.
    for format in ["html", "markdown", "csv"] {
        let out = Command::new(assert_cmd::cargo::cargo_bin("modelgate"))
            .args([OsStr::new("scan"), root.join("escapes").as_os_str(), OsStr::new("--format"), OsStr::new(format)])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(text.contains("Evil"), "{format}: the card was read: {text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{format}: {text}");
    }

    // Following links: never out of the tree, loops reported.
    let run = watch(
        &[
            OsStr::new("scan"),
            root.as_os_str(),
            OsStr::new("--format"),
            OsStr::new("json"),
            OsStr::new("--follow-symlinks"),
        ],
        &work.join("follow"),
    );
    check_bounds(&run, "--follow-symlinks");
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let all = &report["findings"];
    // `/` is an ancestor of the tree: the walker calls that a loop; `/usr` is not.
    assert!(
        findings(&report, "io-error")
            .iter()
            .any(|(f, m)| *f == "links/root" && (m.contains("loop") || m.contains("outside"))),
        "{all:#}"
    );
    assert!(has(&report, "io-error", "links/usr", "outside the scanned directory"), "{all:#}");
    assert!(has(&report, "io-error", "links/LICENSE", "outside the scanned directory"), "{all:#}");
    assert!(
        findings(&report, "io-error").iter().any(|(f, m)| f.starts_with("links/loop") && m.contains("loop")),
        "{all:#}"
    );
    assert!(
        findings(&report, "io-error").iter().any(|(f, _)| f.starts_with("links/a.md") || f.starts_with("links/b.md")),
        "{all:#}"
    );

    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
}
