//! Property tests: any byte string fed to any parser returns (an `Ok` or an error), never a
//! panic. The parsers are called as the fuzz targets call them (`fuzz/src/lib.rs`, included
//! here); the byte strings are random, or random tails after each format's magic bytes so the
//! readers get past their first check.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use proptest::{collection::vec, prelude::*, sample::select};

/// What each weight target's inputs start with (after the variant byte where there is one).
const MAGIC: &[(&str, &[u8])] = &[
    ("safetensors", b"\x40\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{\"license\":\""),
    ("gguf", b"GGUF\x03\x00\x00\x00"),
    ("pickle", b"\x00\x80\x04\x95"),
    ("pickle", b"\x01\x78\x9c"),
    ("zip_checkpoint", b"PK\x03\x04"),
    ("onnx", b"\x08\x08\x12\x07pytorch"),
    ("keras", b"\x01\x89HDF\r\n\x1a\n{\"class_name\":"),
    ("front_matter", b"---\nlicense: "),
    ("config_toml", b"[limits]\n"),
    ("rule_pack", b"name = \"p\"\n[[rule]]\n"),
    ("baseline", b"{\"modelgate_baseline\":1,\"findings\":["),
    ("ollama_manifest", b"{\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":\""),
    ("inventory", b"\x00id,revision,team\n"),
    ("mot", b"framework:\n  name: Model Openness Framework\nrelease:\n  name: "),
    ("plain_yaml", b"license: mit\ntags:\n- "),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_to_any_parser(target in select(targets::TARGETS), bytes in vec(any::<u8>(), 0..2048)) {
        targets::run(target, &bytes);
    }

    #[test]
    fn random_tails_after_each_formats_magic(
        (target, magic) in select(MAGIC),
        tail in vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&tail);
        targets::run(target, &bytes);
    }

    #[test]
    fn text_made_of_the_formats_own_characters(
        target in select(&["front_matter", "references", "licence_text", "inventory", "config_toml", "mot"][..]),
        text in "[-:#&*!|>\\[\\]{}\"'= \n\ta-zA-Z0-9_./@,]{0,600}",
    ) {
        targets::run(target, text.as_bytes());
    }
}
