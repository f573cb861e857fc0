//! The reference scanner over real text: the usage snippets of the corpus model cards (which
//! call `from_pretrained`, `SentenceTransformer`, `ollama run` …), read as code in every
//! language the scanner knows. Every text must scan without a panic, and the Hub ids and Ollama
//! models the snippets name must be found.

mod common;

use std::{collections::BTreeSet, fs, path::Path};

use modelgate::{
    model::{Language, ModelTarget},
    parse::references,
};
use regex::Regex;

fn texts(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = fs::read(&p) {
                out.push((p.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_text_scans_in_every_language() {
    let corpus = common::corpus();
    let mut files = 0;
    // The bulk cards are read as Python by the next test; here in the other line readers.
    for (dir, languages) in [
        ("modelcards", &Language::ALL[..]),
        ("licences", &Language::ALL[..]),
        ("modelcards-bulk", &[Language::Yaml, Language::Notebook][..]),
    ] {
        for (name, text) in texts(&corpus.join(dir)) {
            for &language in languages {
                // Must not panic; what is found is checked by the tests below.
                let _ = references::scan(&name, language, &text, &|_| false);
            }
            files += 1;
        }
    }
    assert!(files > 3000, "{files} files");
}

#[test]
fn hub_ids_in_card_snippets_are_found() {
    let corpus = common::corpus();
    // An independent, deliberately plain reading of the snippets: from_pretrained("owner/name").
    let plain = Regex::new(r#"from_pretrained\(\s*["']([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)["']\s*[,)]"#).unwrap();
    let mut expected = 0;
    let mut missed = Vec::new();
    for dir in ["modelcards", "modelcards-bulk"] {
        for (name, text) in texts(&corpus.join(dir)) {
            let found: BTreeSet<String> = references::scan(&name, Language::Python, &text, &|_| false)
                .into_iter()
                .filter_map(|r| match r.target {
                    ModelTarget::Hub(id) => Some(id),
                    _ => None,
                })
                .collect();
            for line in text.lines().filter(|l| {
                !l.trim_start().starts_with('#')
                    && l.len() <= modelgate::limits::InputLimits::default().line_length as usize
            }) {
                for c in plain.captures_iter(line) {
                    let id = &c[1];
                    if id.contains("--") || id.contains("..") || id.ends_with('.') {
                        continue; // not valid Hub ids, rightly refused
                    }
                    expected += 1;
                    if !found.contains(id) {
                        missed.push(format!("{name}: {id}"));
                    }
                }
            }
        }
    }
    println!("from_pretrained ids in corpus snippets: {expected}, missed: {}", missed.len());
    assert!(expected > 1000, "{expected}");
    assert!(missed.is_empty(), "{missed:#?}");
}

#[test]
fn known_snippets_give_known_models() {
    let corpus = common::corpus();
    let scan = |file: &str, language: Language| -> Vec<String> {
        let text = fs::read_to_string(corpus.join("modelcards").join(file)).unwrap();
        references::scan(file, language, &text, &|_| false).into_iter().map(|r| r.target.id()).collect()
    };
    let minilm = scan("SarinSuv__all-MiniLM-L6-v2-local__README.md", Language::Python);
    assert!(minilm.contains(&"sentence-transformers/all-MiniLM-L6-v2".to_string()), "{minilm:?}");
    let ollama: Vec<String> = ["modelcards", "modelcards-bulk"]
        .iter()
        .flat_map(|d| texts(&corpus.join(d)))
        .filter(|(_, text)| text.contains("ollama"))
        .flat_map(|(name, text)| {
            references::scan(&name, Language::Shell, &text, &|_| false)
                .into_iter()
                .filter(|r| matches!(r.target, ModelTarget::Ollama(_)))
                .map(|r| r.target.id())
                .collect::<Vec<_>>()
        })
        .collect();
    for expected in ["library/dolphin:latest", "library/dolphin3-r1:latest", "library/dolphin-mixtral:latest"] {
        assert!(ollama.contains(&expected.to_string()), "{expected}: {ollama:?}");
    }
    // `ollama run ajindal/llama3.1-storm:8b` with a Markdown backtick right after it.
    assert!(ollama.contains(&"ajindal/llama3.1-storm:8b".to_string()), "{ollama:?}");
}
