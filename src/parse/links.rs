//! Links in a card's body: Markdown links, HTML anchors and bare URLs, each with its line, its
//! text and what the section around it is about. The openness stage reads papers, code
//! repositories, reports and checkpoints from them; only those links are kept (most links of a
//! card are badges, images and pages of the Hub, and a scan of 50,000 cards held them all).

use crate::model::{CardLink, Section};
use crate::urls;
use crate::vocab::SectionKind;

/// At most this many links are read per card: a hostile card cannot make us hold more.
const MAX_LINKS: usize = 1000;
/// Link text and URLs are cut to these many characters.
const MAX_TEXT: usize = 200;
const MAX_URL: usize = 2000;

/// The links of `body` (which starts on 1-based line `first_line`) that point at a paper, a
/// code repository or checkpoints, in order, of its first [`MAX_LINKS`] links.
pub fn extract(body: &str, first_line: u32, sections: &[Section]) -> Vec<CardLink> {
    let mut out = Vec::new();
    let mut read = 0;
    let mut in_fence = false;
    let mut fence_is_citation = false;
    // Where a link may start, found in one pass over the body: most lines hold none, and a
    // search started on every line cost more than the searching did (profile of 50,000 cards).
    let mut marks = markers().find_iter(body).map(|m| m.start()).peekable();
    let mut line_start = 0;
    for (i, raw) in super::lines::with_breaks(body).enumerate() {
        let (start, end) = (line_start, line_start + raw.len());
        line_start = end;
        // The line as `str::lines` gives it: without its `\n` or `\r\n`.
        let line = super::lines::strip_break(raw);
        let line_no = first_line.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            fence_is_citation =
                in_fence && trimmed.trim_start_matches(['`', '~']).trim().eq_ignore_ascii_case("bibtex");
            continue;
        }
        if in_fence && trimmed.starts_with('@') {
            fence_is_citation = true;
        }
        while marks.next_if(|&m| m < start).is_some() {}
        if marks.peek().is_none_or(|&m| m >= end) {
            continue;
        }
        for (url, text) in links_in(line) {
            if read >= MAX_LINKS {
                return out;
            }
            read += 1;
            if !urls::is_read(&url, &text) {
                continue;
            }
            // No section lookup for a line without a kept link.
            let kinds = kinds_at(sections, line_no);
            let in_citation = (in_fence && fence_is_citation) || kinds.contains(&SectionKind::Citation);
            out.push(CardLink { url, text, line: line_no, kinds, in_citation });
        }
    }
    out
}

/// The kinds of the section a line sits in (the nearest heading above it that says what it is
/// about, looking through enclosing headings).
fn kinds_at(sections: &[Section], line: u32) -> Vec<SectionKind> {
    let mut stack: Vec<&Section> = Vec::new();
    for s in sections.iter().take_while(|s| s.line <= line) {
        while stack.last().is_some_and(|top| top.level >= s.level) {
            stack.pop();
        }
        stack.push(s);
    }
    stack.iter().rev().find(|s| !s.kinds.is_empty()).map(|s| s.kinds.clone()).unwrap_or_default()
}

/// `(url, text)` of every link on one line: `[text](url)`, `<a href="url">text</a>`, and bare
/// `http(s)://` URLs (whose text is the line around them).
fn links_in(line: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    // Markdown: [text](url "title")
    let mut from = 0;
    while let Some(rel) = find(&line[from..], "](") {
        let close = from + rel;
        let open = line[..close].rfind('[');
        let url_start = close + 2;
        let url_end = line[url_start..].find([')', ' ', '"']).map_or(line.len(), |j| url_start + j);
        let url = &line[url_start..url_end];
        if let Some(open) = open
            && is_url_like(url)
        {
            let text = line[open + 1..close].trim_start_matches('!').trim_start_matches('[');
            out.push((cut(url, MAX_URL), cut(text, MAX_TEXT)));
            taken.push((open, url_end));
        }
        from = url_start.min(line.len());
    }
    // HTML: href="url" … >text<
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(rel) = find(&lower[from..], "href=") {
        let start = from + rel + 5;
        let quote = line[start..].chars().next();
        let (url_start, end_char) = match quote {
            Some(q @ ('"' | '\'')) => (start + 1, q),
            _ => (start, ' '),
        };
        let url_end = line[url_start..].find([end_char, '>']).map_or(line.len(), |j| url_start + j);
        let url = &line[url_start..url_end];
        if is_url_like(url) {
            let after = &line[url_end..];
            let text = after
                .find('>')
                .map(|gt| {
                    let rest = &after[gt + 1..];
                    rest.find('<').map_or(rest, |lt| &rest[..lt])
                })
                .unwrap_or("");
            out.push((cut(url, MAX_URL), cut(text.trim(), MAX_TEXT)));
            taken.push((from + rel, url_end));
        }
        from = url_end.max(start).min(line.len());
    }
    // Bare URLs not inside a link found above.
    let mut from = 0;
    while let Some(rel) = find(&lower[from..], "http") {
        let start = from + rel;
        let rest = &lower[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            from = start + 4;
            continue;
        }
        let end = line[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '<' | '"' | '\'' | '`' | ']' | '}' | ','))
            .map_or(line.len(), |j| start + j);
        if !taken.iter().any(|&(a, b)| start >= a && start < b) {
            let url = line[start..end].trim_end_matches(['.', ';', ':']);
            out.push((cut(url, MAX_URL), cut(line.trim(), MAX_TEXT)));
        }
        from = end.max(start + 4).min(line.len());
    }
    out
}

/// What every link holds: `](`, `href=` or `http`, in any case.
fn markers() -> &'static aho_corasick::AhoCorasick {
    static MARKERS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    MARKERS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["](", "href=", "http"])
            .expect("three literal patterns build")
    })
}

/// Where `needle` first occurs in `haystack`. (`str::find` sets up a two-way searcher on every
/// call, which cost more than the search on lines this short.)
fn find(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

fn is_url_like(url: &str) -> bool {
    let u = url.trim().as_bytes();
    let starts = |prefix: &str| u.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()));
    starts("http://") || starts("https://")
}

/// The first `max` characters of `s`.
fn cut(s: &str, max: usize) -> String {
    // Most texts are shorter than the cut in bytes, so in characters too: one copy, no walk.
    if s.len() <= max {
        return s.to_string();
    }
    s.char_indices().nth(max).map_or(s, |(end, _)| &s[..end]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(title: &str, level: u8, line: u32, kinds: Vec<SectionKind>) -> Section {
        Section { title: title.into(), level, line, kinds, filled: true, excerpt: None }
    }

    #[test]
    fn markdown_html_and_bare_links() {
        let body = "See [our paper](https://arxiv.org/abs/2401.00001) and <a href=\"https://github.com/o/r\">code</a>.\nAlso https://example.com/x.pdf.\n";
        let links = extract(body, 10, &[]);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["https://arxiv.org/abs/2401.00001", "https://github.com/o/r", "https://example.com/x.pdf"]);
        assert_eq!(links[0].text, "our paper");
        assert_eq!(links[1].text, "code");
        assert_eq!(links[2].line, 11);
    }

    #[test]
    fn links_know_their_section_and_citation_blocks() {
        let body = "# Training\nTrained with [this](https://github.com/o/train).\n# Citation\n```bibtex\n@article{x, url={https://arxiv.org/abs/1}}\n```\n";
        let sections = vec![
            section("Training", 1, 1, vec![SectionKind::TrainingProcedure]),
            section("Citation", 1, 3, vec![SectionKind::Citation]),
        ];
        let links = extract(body, 1, &sections);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].kinds, [SectionKind::TrainingProcedure]);
        assert!(!links[0].in_citation);
        assert!(links[1].in_citation);
    }

    #[test]
    fn lines_are_counted_as_str_lines_counts_them() {
        let body = "https://a.example/1.pdf\r\nno link\r\n\r\n[x](HTTPS://b.example/2.pdf)\rhttp\nlast <A HREF=\"https://c.example/3.pdf\">c</a>";
        let links = extract(body, 5, &[]);
        let got: Vec<(&str, u32)> = links.iter().map(|l| (l.url.as_str(), l.line)).collect();
        assert_eq!(
            got,
            [("https://a.example/1.pdf", 5), ("HTTPS://b.example/2.pdf", 8), ("https://c.example/3.pdf", 9)]
        );
        assert_eq!(body.lines().count(), 5);
    }

    #[test]
    fn hostile_lines_do_not_panic_and_are_bounded() {
        let body = format!("{}\n[](\n](http\nhref=\nhttps://\n[x](https://a.b/{})", "[".repeat(5000), "é".repeat(5000));
        let links = extract(&body, 1, &[]);
        assert!(links.iter().all(|l| l.url.chars().count() <= MAX_URL));
        let many = "https://a.b/p.pdf ".repeat(3000);
        assert_eq!(extract(&many, 1, &[]).len(), MAX_LINKS);
    }

    #[test]
    fn only_links_to_papers_repositories_and_checkpoints_are_kept_of_the_first_ones_read() {
        let body = "![badge](https://img.shields.io/x) [model](https://huggingface.co/o/m)\n\
                    [paper](https://arxiv.org/abs/1) [code](https://github.com/o/r) [ckpt](https://huggingface.co/o/m/tree/step-1000-checkpoint)\n";
        let urls: Vec<String> = extract(body, 1, &[]).into_iter().map(|l| l.url).collect();
        assert_eq!(
            urls,
            [
                "https://arxiv.org/abs/1",
                "https://github.com/o/r",
                "https://huggingface.co/o/m/tree/step-1000-checkpoint"
            ]
        );
        // Links dropped still count towards the cap: what is kept does not depend on the cut.
        let crowded = format!("{}\n[paper](https://arxiv.org/abs/1)", "https://a.b ".repeat(MAX_LINKS));
        assert!(extract(&crowded, 1, &[]).is_empty());
    }
}
