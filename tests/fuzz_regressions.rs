//! The inputs the fuzzers found (crashes, hangs, memory blow-ups), and hand-written hostile
//! inputs of the same kind, kept as regression tests. Each is written here as bytes (or built
//! from a text of ../shared/corpus the way the fuzzer mutated it) and fed to what its fuzz
//! target feeds an input to (`fuzz/src/lib.rs`, included here). README "Security" lists the
//! fuzz runs.

#[path = "../fuzz/src/lib.rs"]
mod targets;

mod common;

/// Hand-written hostile inputs, one or more per target: each is the smallest form of a trick
/// a reader must survive (lengths past the end, counts of 2^64-1, nesting, bad UTF-8).
fn hostile_inputs() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut out: Vec<(&str, &str, Vec<u8>)> = vec![
        ("front_matter", "unterminated front matter", b"---\nlicense: [mit, [apache-2.0, {a: *x".to_vec()),
        ("front_matter", "an alias to an undefined anchor", b"---\nlicense: *nothing\n---\n".to_vec()),
        ("front_matter", "deep flow nesting", [b"---\nlicense: ".as_slice(), &[b'['; 5000], b"\n---\n"].concat()),
        ("licence_text", "only replacement characters", vec![0xff; 4096]),
        ("plain_yaml", "a quoted scalar whose every line holds a doubled quote", {
            let mut t = b"a: 'x\n".to_vec();
            t.extend(b"  it''s\n".repeat(5000));
            t.extend(b"  end'\n");
            t
        }),
        ("licence_text", "a lone HTML tag opener at the end", b"MIT License <".to_vec()),
        ("config_toml", "a limit of 2^64", b"[limits]\nfile-size = 18446744073709551616\n".to_vec()),
        (
            "config_toml",
            "a size with an overflowing suffix",
            b"[limits]\nfile-size = '99999999999999999999G'\n".to_vec(),
        ),
        ("rule_pack", "a rule without an id", b"name = 'p'\n[[rule]]\nseverity = 'error'\n".to_vec()),
        (
            "baseline",
            "a finding that is not an object",
            b"{\"modelgate_baseline\":1,\"findings\":[1,[],null]}".to_vec(),
        ),
        ("model_config", "a config nested 10 000 deep", [vec![b'['; 10_000], vec![b']'; 10_000]].concat()),
        (
            "ollama_manifest",
            "a digest that climbs out of the blob directory",
            br#"{"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:../../etc/passwd"}]}"#
                .to_vec(),
        ),
        ("inventory", "a CSV row with a quote never closed", b"\x00id,revision\n\"meta-llama/x,1\n".to_vec()),
        (
            "mot",
            "a release whose components are an alias bomb",
            b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nrelease:\n  name: m\n  components: [*b, *b, *b, *b]\n"
                .to_vec(),
        ),
        ("mot", "a release name that is a mapping", b"release:\n  name: {a: b}\n".to_vec()),
        ("references", "a Python line of one huge string", [b"\x00x = \"".as_slice(), &[b'a'; 100_000]].concat()),
    ];
    // safetensors: a header length of 2^64-1, and one that points past the end.
    out.push(("safetensors", "a header length of 2^64-1", [u64::MAX.to_le_bytes().as_slice(), b"{}"].concat()));
    out.push(("safetensors", "a header past the end", [64u64.to_le_bytes().as_slice(), b"{\"a\":"].concat()));
    // GGUF: a string key of 2^63 bytes, and an array of 2^60 arrays.
    let mut gguf = b"GGUF\x03\x00\x00\x00".to_vec();
    gguf.extend_from_slice(&0u64.to_le_bytes());
    gguf.extend_from_slice(&1u64.to_le_bytes());
    gguf.extend_from_slice(&(1u64 << 63).to_le_bytes());
    out.push(("gguf", "a key of 2^63 bytes", gguf));
    let mut gguf = b"GGUF\x03\x00\x00\x00".to_vec();
    gguf.extend_from_slice(&0u64.to_le_bytes());
    gguf.extend_from_slice(&1u64.to_le_bytes());
    gguf.extend_from_slice(&1u64.to_le_bytes());
    gguf.push(b'k');
    gguf.extend_from_slice(&9u32.to_le_bytes()); // array
    gguf.extend_from_slice(&9u32.to_le_bytes()); // of arrays
    gguf.extend_from_slice(&(1u64 << 60).to_le_bytes());
    out.push(("gguf", "an array of 2^60 arrays", gguf));
    // Pickles: a frame of 2^64-1 bytes, a memo index far out, a stack underflow.
    out.push(("pickle", "a frame of 2^64-1 bytes", [b"\x00\x80\x04\x95".as_slice(), &u64::MAX.to_le_bytes()].concat()));
    out.push(("pickle", "a memo get of an index never put", b"\x00\x80\x02j\xff\xff\xff\xff.".to_vec()));
    out.push(("pickle", "pops and reduces on an empty stack", b"\x020R1tR.".to_vec()));
    // Zip: an end-of-central-directory record claiming 65535 members and nothing else.
    let mut eocd = b"PK\x05\x06".to_vec();
    eocd.extend_from_slice(&[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    eocd.extend_from_slice(&u32::MAX.to_le_bytes());
    eocd.extend_from_slice(&0u32.to_le_bytes());
    eocd.extend_from_slice(&0u16.to_le_bytes());
    out.push(("zip_checkpoint", "a central directory of 65535 members that is not there", eocd));
    // ONNX: a field length of 2^63, and groups nested past any sense.
    out.push(("onnx", "a field length of 2^63", b"\x12\xff\xff\xff\xff\xff\xff\xff\xff\x7f".to_vec()));
    out.push(("onnx", "nested start-group tags", vec![0x0b; 10_000]));
    // Keras / HDF5: a signature and then nothing; a config string that never ends.
    out.push(("keras", "an HDF5 signature alone", b"\x01\x89HDF\r\n\x1a\n".to_vec()));
    out.push((
        "keras",
        "a JSON config without an end",
        [b"\x00{\"class_name\":\"".as_slice(), &[b'x'; 50_000]].concat(),
    ));
    out
}

#[test]
fn hand_written_hostile_inputs_are_parsed_without_a_panic() {
    let inputs = hostile_inputs();
    for (target, what, bytes) in &inputs {
        assert!(targets::TARGETS.contains(target), "{target}: no fuzz target of that name");
        eprintln!("{target}: {what}");
        targets::run(target, bytes);
    }
    // Every target has at least one.
    for target in targets::TARGETS {
        assert!(inputs.iter().any(|(t, _, _)| t == target), "no hostile input for `{target}`");
    }
}

/// `plain_yaml`, first run (9,863 executions): a corpus card's `language:` list mutated into
/// `- pt\xd9- :`, a key with spaces before its colon. The fast reader kept the spaces in the key,
/// serde-saphyr (rightly) does not.
#[test]
fn plain_yaml_key_with_spaces_before_its_colon() {
    let bytes = b"language:\n- en\n- zh\n- de\n- fr\n- es\n- pt\xd9- :\n- EleutherAI/\x90\x96\x93\x9a\xf5\xd2\xdf\x8cogethermomputer/RedPajama-Data-1T\n";
    targets::run("plain_yaml", bytes);
    let text = String::from_utf8_lossy(bytes);
    let value = modelgate::parse::plain_yaml::parse(&text, 64).expect("within the subset");
    assert_eq!(value["language"][5], serde_json::json!({"pt\u{fffd}-": null}));
}

/// `plain_yaml`, a 600 s run (1,473,454 executions): a kept (`|+`) block scalar whose last
/// line, the last of the text, is blank and has no line break after it; serde-saphyr keeps no
/// line break for it, the reader kept one.
#[test]
fn plain_yaml_keeps_no_break_for_an_unterminated_last_line() {
    let bytes = b"l: falseJlicense\ne#t: |+\n PVBKYCIrw0YUBw\n    - type: au\n ";
    targets::run("plain_yaml", bytes);
    for (yaml, kept) in [
        ("e: |+\n a\n ", "a\n"),
        ("e: >+\n a\n\n ", "a\n\n"),
        ("e: |+\n a\n \n", "a\n\n"),
        ("e: |+\n a\n \nf: 1", "a\n\n"),
    ] {
        let value = modelgate::parse::plain_yaml::parse(yaml, 64).expect("within the subset");
        assert_eq!(value["e"], kept, "{yaml:?}");
    }
}

/// `plain_yaml`, runs two to eight: front matter the fast reader took and serde-saphyr refuses,
/// each shortened to what matters. The reader must leave every one to serde-saphyr.
#[test]
fn plain_yaml_leaves_what_serde_saphyr_refuses() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // Run 2 (18,267 executions): a card's `widget:` text with a C1 control (U+0094) spliced
        // in; YAML does not allow C1 controls.
        ("a C1 control character", "widget:\n- text: \u{7528}\u{94}\u{6237}\nlanguage:\n- zh\n".into()),
        // Run 3: `}` inside a plain item of a flow sequence.
        ("a flow indicator inside a flow item", b"license: mit\ntags: [MMMyyy}yyy=yyyMMM]".to_vec()),
        // Run 4: `]#`, a `#` with no space before it, is stray text, not a comment.
        ("a hash right after a flow sequence", b"tags:\n- [ext:na]#x\n".to_vec()),
        // Run 5 (101,260 executions): `key: -` and a more-indented line, a sequence indicator
        // where a value starts; the reader folded the dash into a string.
        ("a dash as a value, folded", b"lagunae:   -\n  nfsr- n33###ltl\n".to_vec()),
        // Run 6 (86,987 executions): YAML caps an implicit key at 1,024 characters.
        ("a plain key too long", [b"ic".repeat(600), b": x\n".to_vec()].concat()),
        // Run 8 (1,098,834 executions): the same for a quoted key.
        ("a quoted key too long", [b"tags:\n'''".to_vec(), b"Q".repeat(1200), b"s': x\n".to_vec()].concat()),
        // Run 7 (112,601 executions): `0` and `-0` are one key to a parser that compares keys by
        // value; the reader kept both as text.
        ("keys equal as numbers", b"0:\n-0:\n-3:3:".to_vec()),
    ];
    for (what, bytes) in cases {
        targets::run("plain_yaml", &bytes);
        assert_eq!(modelgate::parse::plain_yaml::parse(&String::from_utf8_lossy(&bytes), 64), None, "{what}");
    }
}

/// `licence_text`, 600 s run: a scancode-style licence file (YAML header, then the BigScience
/// Open RAIL-M text) with a run of invalid UTF-8 spliced into its first sentence timed out
/// (12 s). The input itself is read in well under a second; the fuzzer ran at nice 19 on a
/// machine with a load of ~10, and the clause patterns fell back to the regex crate's slowest
/// engine on any non-ASCII text (35 times slower than now, see `recognise::clauses`). Rebuilt
/// here from the corpus text the fuzzer started from.
#[test]
fn licence_text_with_invalid_utf8_in_its_first_sentence() {
    let path = common::corpus().join("licences/bigscience-openrail-m/bigscience-open-rail-m.LICENSE");
    let text = std::fs::read(&path).unwrap();
    let at =
        text.windows(24).position(|w| w == b"This Open RAIL-M License").expect("the licence's first sentence") + 24;
    let mut bytes = text[..at].to_vec();
    bytes.extend_from_slice(&[0xff; 100]);
    bytes.extend_from_slice(&text[at..]);
    targets::run("licence_text", &bytes);
    // The same text is still identified and its restrictions still read.
    let report = modelgate::recognise::explain_text(&String::from_utf8_lossy(&bytes));
    assert_eq!(report.matches.first().map(|m| m.licence.id.as_str()), Some("bigscience-openrail-m"));
    assert!(!report.restrictions.is_empty());
}
