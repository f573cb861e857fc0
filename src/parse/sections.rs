//! The headings of a card body, what each is about, and whether it was filled in.
//!
//! The Hugging Face template leaves `[More Information Needed]` under every heading nobody
//! wrote; the `transformers` Trainer writes "More information needed". Both count as empty.

use super::{LongLines, cut_line};
use crate::{model::Section, vocab::SectionKind};

/// Indexes the headings of `body`, whose first line is line `first_line` of the file.
pub fn index(body: &str, first_line: u32) -> Vec<Section> {
    index_with(body, first_line, usize::MAX).0
}

/// [`index`], reading at most `max_line` bytes of each line; says which lines were longer.
pub fn index_with(body: &str, first_line: u32, max_line: usize) -> (Vec<Section>, LongLines) {
    let mut long = LongLines::default();
    let lines: Vec<&str> = super::lines::lines(body)
        .enumerate()
        .map(|(i, l)| {
            if l.len() > max_line {
                long.note(first_line.saturating_add(i as u32), l.len());
            }
            cut_line(l, max_line)
        })
        .collect();
    let mut raw: Vec<(Section, bool)> = Vec::new(); // (section, own content filled)
    let mut in_fence: Option<&str> = None;
    let mut in_comment = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let line_no = first_line.saturating_add(i as u32);
        let trimmed = line.trim_start();
        i += 1;
        if let Some(fence) = in_fence {
            if trimmed.starts_with(fence) {
                in_fence = None;
            }
            mark_filled(&mut raw);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = Some(if trimmed.starts_with("```") { "```" } else { "~~~" });
            continue;
        }
        if let Some((level, title)) = atx_heading(line).or_else(|| html_heading(line)) {
            raw.push((heading(title, level, line_no), false));
            continue;
        }
        if !in_comment
            && is_setext_text(line)
            && let Some(level) = lines.get(i).copied().and_then(setext_underline)
        {
            raw.push((heading(line, level, line_no), false));
            i += 1;
            continue;
        }
        let (content, still_in_comment) = strip_comments(line, in_comment);
        in_comment = still_in_comment;
        // Only the first substantive line under a heading matters (profile: this check was
        // the hottest part of card parsing when run on every line).
        if raw.last().is_some_and(|(_, filled)| !filled) && is_substantive(&content) {
            mark_filled(&mut raw);
            add_excerpt(&mut raw, &content);
        }
    }
    (resolve(raw), long)
}

/// The longest excerpt kept of a section, in characters.
const MAX_EXCERPT: usize = 500;

/// The section kinds whose text is kept as an excerpt.
const EXCERPTED: &[SectionKind] =
    &[SectionKind::IntendedUse, SectionKind::OutOfScope, SectionKind::Limitations, SectionKind::TrainingData];

/// Appends a line of the last section's own text to its excerpt, up to [`MAX_EXCERPT`].
fn add_excerpt(raw: &mut [(Section, bool)], content: &str) {
    let Some((section, _)) = raw.last_mut() else { return };
    if !section.kinds.iter().any(|k| EXCERPTED.contains(k)) {
        return;
    }
    let excerpt = section.excerpt.get_or_insert_with(String::new);
    let have = excerpt.chars().count();
    if have >= MAX_EXCERPT {
        return;
    }
    let words = content.split_whitespace().collect::<Vec<_>>().join(" ");
    if !excerpt.is_empty() {
        excerpt.push(' ');
    }
    let room = MAX_EXCERPT.saturating_sub(have + 1);
    if words.chars().count() > room {
        excerpt.extend(words.chars().take(room.saturating_sub(1)));
        excerpt.push('…');
    } else {
        excerpt.push_str(&words);
    }
}

/// The largest licence section kept for identification.
const MAX_LICENCE_SECTION: usize = 64 * 1024;

/// The text under the first heading about the licence ("License", "Licensing", "Terms of
/// use"), up to the next heading of the same or a higher level, with the 1-based line of its
/// first line. A card that states its licence only in prose is identified from it.
pub fn licence_section(body: &str, first_line: u32, sections: &[Section]) -> Option<crate::model::Located<String>> {
    let pos = sections.iter().position(|s| s.kinds.contains(&SectionKind::Licence))?;
    let heading = &sections[pos];
    let end_line = sections[pos + 1..].iter().find(|s| s.level <= heading.level).map(|s| s.line);
    let start = (heading.line + 1).checked_sub(first_line)? as usize;
    let mut text = String::new();
    for (i, line) in super::lines::lines(body).enumerate().skip(start) {
        if end_line.is_some_and(|e| first_line + i as u32 >= e) || text.len() + line.len() > MAX_LICENCE_SECTION {
            break;
        }
        text.push_str(line);
        text.push('\n');
    }
    (!text.trim().is_empty()).then(|| crate::model::Located { value: text, line: heading.line + 1 })
}

fn mark_filled(raw: &mut [(Section, bool)]) {
    if let Some(last) = raw.last_mut() {
        last.1 = true;
    }
}

fn heading(title: &str, level: u8, line: u32) -> Section {
    let title = clean_title(title);
    let kinds = kinds_of(&title);
    Section { title, level, line, kinds, filled: false, excerpt: None }
}

/// A section is filled when its own text is, or when a sub-section about the same thing (or
/// about nothing in particular) is.
fn resolve(raw: Vec<(Section, bool)>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::with_capacity(raw.len());
    for i in 0..raw.len() {
        let (section, own) = &raw[i];
        let mut filled = *own;
        if !filled {
            for (sub, sub_own) in raw[i + 1..].iter().take_while(|(s, _)| s.level > section.level) {
                let related = sub.kinds.is_empty()
                    || section.kinds.is_empty()
                    || sub.kinds.iter().any(|k| section.kinds.contains(k));
                if *sub_own && related {
                    filled = true;
                    break;
                }
            }
        }
        out.push(Section { filled, ..section.clone() });
    }
    out
}

fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let after = &rest[hashes..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    let title = after.trim().trim_end_matches('#').trim();
    Some((hashes as u8, title))
}

fn html_heading(line: &str) -> Option<(u8, &str)> {
    let t = line.trim();
    let lower = t.get(..3)?.to_ascii_lowercase();
    if !lower.starts_with("<h") {
        return None;
    }
    let level = lower.as_bytes()[2].checked_sub(b'0').filter(|l| (1..=6).contains(l))?;
    let open_end = t.find('>')?;
    let close = t.to_ascii_lowercase().rfind("</h")?;
    (close > open_end).then(|| (level, &t[open_end + 1..close]))
}

fn setext_underline(line: &str) -> Option<u8> {
    let t = line.trim();
    if t.len() >= 3 && t.bytes().all(|b| b == b'=') {
        Some(1)
    } else if t.len() >= 3 && t.bytes().all(|b| b == b'-') {
        Some(2)
    } else {
        None
    }
}

fn is_setext_text(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && line.len() - line.trim_start().len() < 4
        && !t.starts_with(['-', '*', '+', '>', '|', '#', '<', '`'])
        && !t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.len() <= 120
}

/// Heading text without markdown decoration, links, numbering or a trailing colon.
fn clean_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut chars = title.chars().peekable();
    let mut in_tag = false;
    while let Some(c) = chars.next() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '*' | '_' | '`' | '[' => {}
            ']' => {
                // Drop a link target `](...)`.
                if chars.peek() == Some(&'(') {
                    for c in chars.by_ref() {
                        if c == ')' {
                            break;
                        }
                    }
                }
            }
            _ => out.push(c),
        }
    }
    let t = out.trim().trim_end_matches(':').trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')').trim();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keyword table: the first words a title may contain, per kind. Checked against the
/// lower-cased title; a title can be about several things ("Intended uses & limitations").
const KINDS: &[(SectionKind, &[&str])] = &[
    (
        SectionKind::OutOfScope,
        &["out-of-scope", "out of scope", "misuse", "prohibited use", "malicious use", "not intended"],
    ),
    (
        SectionKind::IntendedUse,
        &["intended use", "intended purpose", "direct use", "downstream use", "use case", "primary use", "uses"],
    ),
    (
        SectionKind::Limitations,
        &["limitation", "bias", "risk", "ethical", "ethics", "caveat", "safety", "fairness", "recommendations"],
    ),
    (
        SectionKind::TrainingData,
        &[
            "training data",
            "training and evaluation data",
            "training dataset",
            "pretraining data",
            "pre-training data",
            "training corpus",
            "data sources",
            "dataset",
        ],
    ),
    (
        SectionKind::TrainingProcedure,
        &["training procedure", "training details", "hyperparameter", "training regime", "fine-tuning details"],
    ),
    (SectionKind::Evaluation, &["evaluation", "results", "benchmark", "performance", "metrics"]),
    (SectionKind::EnvironmentalImpact, &["environmental impact", "carbon", "co2", "emission"]),
    (
        SectionKind::TechnicalSpecifications,
        &["technical specification", "architecture", "compute infrastructure", "hardware"],
    ),
    (SectionKind::Licence, &["license", "licence", "licensing", "terms of use"]),
    (SectionKind::Citation, &["citation", "cite", "bibtex"]),
    (SectionKind::ModelDetails, &["model details", "model description", "model summary", "model overview"]),
    (
        SectionKind::HowToUse,
        &["how to use", "how to get started", "usage", "quick start", "quickstart", "getting started", "inference"],
    ),
];

fn kinds_of(title: &str) -> Vec<SectionKind> {
    let lower = title.to_lowercase();
    let (keywords, of) = keywords();
    let mut hit = [false; KINDS.len()];
    for m in keywords.find_overlapping_iter(&lower) {
        let (kind, phrase) = of[m.pattern().as_usize()];
        // Single words match whole words or word prefixes ("limitations", "biases"): a word
        // runs between characters that are neither alphanumeric nor `-`.
        let word_start = || lower[..m.start()].chars().next_back().is_none_or(|c| !c.is_alphanumeric() && c != '-');
        if phrase || word_start() {
            hit[kind] = true;
        }
    }
    let mut kinds: Vec<SectionKind> =
        KINDS.iter().zip(hit).filter(|(_, hit)| *hit).map(|((kind, _), _)| *kind).collect();
    // "Out-of-scope use" also contains "use"; it is not an intended-use section.
    if kinds.contains(&SectionKind::OutOfScope) {
        kinds.retain(|k| *k != SectionKind::IntendedUse);
    }
    kinds
}

/// Every keyword of [`KINDS`] in one automaton (a heading is searched once, not once per
/// keyword), with the index of its kind and whether it is a phrase (holds a space or `-`).
fn keywords() -> &'static (aho_corasick::AhoCorasick, Vec<(usize, bool)>) {
    static KEYWORDS: std::sync::OnceLock<(aho_corasick::AhoCorasick, Vec<(usize, bool)>)> = std::sync::OnceLock::new();
    KEYWORDS.get_or_init(|| {
        let all: Vec<(usize, &str)> =
            KINDS.iter().enumerate().flat_map(|(i, (_, keys))| keys.iter().map(move |k| (i, *k))).collect();
        let automaton = aho_corasick::AhoCorasick::new(all.iter().map(|(_, k)| k)).expect("keywords are literals");
        (automaton, all.iter().map(|(i, k)| (*i, k.contains([' ', '-']))).collect())
    })
}

/// Removes `<!-- … -->` comments; returns the rest of the line and whether a comment is still
/// open at its end.
fn strip_comments(line: &str, mut in_comment: bool) -> (std::borrow::Cow<'_, str>, bool) {
    // Most lines hold no comment at all: no copy for them.
    // (`<` first: a one-byte search, where a substring search sets up a searcher per line.)
    let opens = line.contains('<') && line.contains("<!--");
    if !in_comment && !opens {
        return (std::borrow::Cow::Borrowed(line), false);
    }
    let mut out = String::new();
    let mut rest = line;
    loop {
        if in_comment {
            match rest.find("-->") {
                Some(i) => {
                    rest = &rest[i + 3..];
                    in_comment = false;
                }
                None => return (out.into(), true),
            }
        } else {
            match rest.find("<!--") {
                Some(i) => {
                    out.push_str(&rest[..i]);
                    rest = &rest[i + 4..];
                    in_comment = true;
                }
                None => {
                    out.push_str(rest);
                    return (out.into(), false);
                }
            }
        }
    }
}

const PLACEHOLDERS: &[&str] = &[
    "[more information needed]",
    "more information needed",
    "[needs more information]",
    "needs more information",
    "[optional]",
    "[todo]",
    "todo",
    "tbd",
    "n/a",
    "coming soon",
    "to be added",
];

/// Whether a line says something beyond a template placeholder or an empty label.
fn is_substantive(line: &str) -> bool {
    static ANY_PLACEHOLDER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let any_placeholder = ANY_PLACEHOLDER.get_or_init(|| {
        aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(PLACEHOLDERS).expect("literals")
    });
    // Most lines hold no placeholder: they are judged as written, since what is judged below
    // (punctuation, letters, a trailing colon) does not change with case. Lower-casing makes no
    // placeholder out of non-ASCII letters: of those, only the Kelvin sign becomes a lone ASCII
    // letter, `k`, which no placeholder holds (`İ` becomes `i` and a combining dot).
    let lower: std::borrow::Cow<'_, str> = if any_placeholder.is_match(line) {
        let mut lower = line.trim().to_lowercase();
        for p in PLACEHOLDERS {
            if let Some(i) = lower.find(p) {
                lower.replace_range(i..i + p.len(), "");
            }
        }
        lower.into()
    } else {
        line.trim().into()
    };
    let t = lower.trim().trim_matches(|c: char| matches!(c, '-' | '*' | '+' | '_' | '.' | ' ' | '|' | ':' | '>'));
    if t.is_empty() {
        return false;
    }
    // A bare template label ("- **Developed by:**") whose value was a placeholder.
    let label_only = lower.trim().trim_start_matches(['-', '*', '+', ' ']).trim_end().ends_with(':')
        || lower.trim_end().ends_with(":**");
    if label_only && line.to_lowercase().contains("information needed") {
        return false;
    }
    t.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(title: &str) -> Vec<SectionKind> {
        kinds_of(title)
    }

    #[test]
    fn titles_map_to_kinds() {
        assert_eq!(kinds("Uses"), vec![SectionKind::IntendedUse]);
        assert_eq!(kinds("Out-of-Scope Use"), vec![SectionKind::OutOfScope]);
        assert!(kinds("Intended uses & limitations").contains(&SectionKind::Limitations));
        assert!(kinds("Intended uses & limitations").contains(&SectionKind::IntendedUse));
        assert_eq!(kinds("Bias, Risks, and Limitations"), vec![SectionKind::Limitations]);
        assert_eq!(kinds("Training and evaluation data"), vec![SectionKind::TrainingData, SectionKind::Evaluation]);
        assert!(kinds("How to Get Started with the Model").contains(&SectionKind::HowToUse));
        assert!(kinds("Model Card Authors").is_empty());
    }

    #[test]
    fn placeholders_do_not_fill_a_section() {
        let body = "# Model\n\nA model.\n\n## Uses\n\n### Direct Use\n\n[More Information Needed]\n\n### Out-of-Scope Use\n\nNot for medicine.\n\n## Bias, Risks, and Limitations\n\n<!-- This section is meant to convey both technical and sociotechnical limitations. -->\n\n[More Information Needed]\n\n## Training Data\n\n- **Developed by:** [More Information Needed]\n\n## Evaluation\nMore information needed\n";
        let s = index(body, 10);
        let get = |t: &str| s.iter().find(|x| x.title == t).unwrap();
        assert_eq!(get("Model").line, 10);
        assert!(get("Model").filled);
        assert!(!get("Uses").filled, "Direct Use is empty; Out-of-Scope is another subject");
        assert!(!get("Direct Use").filled);
        assert!(get("Out-of-Scope Use").filled);
        assert!(!get("Bias, Risks, and Limitations").filled);
        assert!(!get("Training Data").filled);
        assert!(!get("Evaluation").filled);
    }

    #[test]
    fn headings_in_code_fences_are_ignored_and_setext_headings_count() {
        let body = "Intended use\n============\nFor chat.\n\n```\n# not a heading\n```\nLimitations\n-----------\nHallucinates.\n";
        let s = index(body, 1);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].title, "Intended use");
        assert_eq!(s[0].line, 1);
        assert!(s[0].filled);
        assert_eq!(s[1].level, 2);
        assert!(s[1].filled);
    }

    #[test]
    fn the_licence_section_is_kept_for_identification() {
        let body = "# M\n\nText.\n\n## License\n\nReleased under the Llama 3.1 Community License.\n\n### Notes\n\nMore.\n\n## Citation\n\nx\n";
        let s = index(body, 5);
        let l = licence_section(body, 5, &s).unwrap();
        assert_eq!(l.line, 10);
        assert!(l.value.contains("Llama 3.1 Community License"));
        assert!(l.value.contains("More."), "sub-sections belong to the section");
        assert!(!l.value.contains("Citation"));
        assert!(licence_section("# Only\ntext\n", 1, &index("# Only\ntext\n", 1)).is_none());
    }

    #[test]
    fn html_and_decorated_headings() {
        let s = index("<h2 align=\"center\">Training Data</h2>\nWikipedia.\n## **1. [Limitations](#x):**\nSome.\n", 1);
        assert_eq!(s[0].title, "Training Data");
        assert_eq!(s[0].level, 2);
        assert_eq!(s[1].title, "Limitations");
        assert!(s[1].filled);
    }
}
