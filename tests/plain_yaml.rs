//! The fast front-matter reader (`parse::plain_yaml`) against the general YAML parser on every
//! card of `../shared/corpus`: whatever it reads, it reads exactly as `serde-saphyr` does, and
//! it reads most front matter (or it would not be worth having).

mod common;

use modelgate::parse::plain_yaml;
use serde_json::Value;

/// The front matter of a card, split as the card parser splits it: the text between a first
/// `---` line and the next `---` or `...` line (trailing white space, CRs included, ignored).
fn front_matter(text: &str) -> Option<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (first, rest) = text.split_once('\n')?;
    if first.trim_end() != "---" {
        return None;
    }
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(&rest[..offset]);
        }
        offset += line.len();
    }
    None
}

fn saphyr(yaml: &str) -> Option<Value> {
    let options = serde_saphyr::options! {
        non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::AsString,
    };
    serde_saphyr::from_str_with_options::<Value>(yaml, options).ok()
}

#[test]
fn reads_corpus_front_matter_exactly_as_the_full_parser() {
    let mut cards = 0;
    let (mut read, mut read_bytes, mut total_bytes) = (0, 0, 0);
    let mut differ = Vec::new();
    for dir in ["modelcards", "modelcards-bulk"] {
        for entry in std::fs::read_dir(common::corpus().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Some(yaml) = front_matter(&text) else { continue };
            if yaml.trim().is_empty() {
                continue;
            }
            cards += 1;
            total_bytes += yaml.len();
            let Some(fast) = plain_yaml::parse(yaml, 64) else { continue };
            read += 1;
            read_bytes += yaml.len();
            if saphyr(yaml).as_ref() != Some(&fast) {
                differ.push(path.display().to_string());
            }
        }
    }
    assert!(cards > 3000, "only {cards} cards with front matter");
    assert!(
        differ.is_empty(),
        "{} front matters read differently: {:#?}",
        differ.len(),
        &differ[..differ.len().min(20)]
    );
    let share = read as f64 / cards as f64;
    let byte_share = read_bytes as f64 / total_bytes as f64;
    eprintln!(
        "plain_yaml read {read}/{cards} front matters ({:.1} %), {:.1} % of the bytes",
        share * 100.0,
        byte_share * 100.0
    );
    assert!(share > 0.9, "the fast reader took only {:.1} % of the front matter", share * 100.0);
    assert!(byte_share > 0.8, "the fast reader took only {:.1} % of the bytes", byte_share * 100.0);
}

mod generated {
    //! Documents assembled from the pieces card front matter is made of (keys at several
    //! indentations, sequence dashes, scalars that look like numbers, booleans, nulls, quoted
    //! and block scalars, comments, blank lines): whatever the fast reader accepts, the full
    //! parser reads the same way.

    use proptest::{collection::vec, prelude::*, sample::select};

    use super::{plain_yaml, saphyr};

    const INDENTS: &[&str] = &["", "", " ", "  ", "    ", "      "];
    const HEADS: &[&str] = &["key: ", "key:", "- ", "-", "a b: ", "'q k': ", "\"x\": ", "1: ", "- k: ", "- - ", ""];
    const VALUES: &[&str] = &[
        "",
        "text",
        "org/model-1",
        "12",
        "-3",
        "0.50",
        "1e-5",
        "2.5E+3",
        "0755",
        "0x1F",
        "0be27e93",
        "2024-01-01",
        "true",
        "False",
        "yes",
        "Off",
        "N",
        "~",
        "NULL",
        ".nan",
        ".Inf",
        "-.inf",
        "[a, 'b', 3]",
        "[]",
        "{}",
        "{a: 1}",
        "'it''s'",
        "\"a\\nb \\u00e9\"",
        "\"open",
        "close\"",
        "'open",
        "|",
        "|-",
        ">",
        ">+",
        "&anchor x",
        "*anchor",
        "!tag x",
        "a: b",
        "x # comment",
        "# comment",
        "100K<n<1M",
        "-foo",
        "https://example.com/a:b",
    ];

    fn document() -> impl Strategy<Value = String> {
        vec((select(INDENTS), select(HEADS), select(VALUES), 0..3usize), 1..12).prop_map(|lines| {
            lines
                .into_iter()
                .map(|(indent, head, value, variant)| {
                    // Give keys distinct names most of the time so duplicates stay the exception.
                    let head = head.replace("key", &format!("k{variant}"));
                    format!("{indent}{head}{value}\n")
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        #[test]
        fn what_the_fast_reader_accepts_the_full_parser_reads_alike(yaml in document()) {
            if let Some(fast) = plain_yaml::parse(&yaml, 64) {
                prop_assert_eq!(saphyr(&yaml), Some(fast), "{:?}", yaml);
            }
        }
    }
}
