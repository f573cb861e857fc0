//! Text normalisation for phrase matching, keeping a way back to the original lines.
//!
//! Licence texts arrive as plain text, Markdown (`**Agreement**`, `llama3\_3`), HTML fragments
//! (`<span style=…>`), with curly or straight quotes and any line wrapping. Matching happens on
//! a folded form: lower case, markdown emphasis, escapes, tags and quote marks dropped, dashes
//! unified, all whitespace collapsed to one space. Catalogue phrases are folded the same way,
//! so they compare equal whatever the source formatting.

/// Folded text plus, for each original line, the offset in the folded text where it starts.
#[derive(Debug, Clone)]
pub struct Normalised {
    /// The folded text.
    pub text: String,
    /// `(offset in text, 1-based original line)`, ascending.
    line_starts: Vec<(usize, u32)>,
}

impl Normalised {
    /// Folds `text`.
    pub fn new(text: &str) -> Normalised {
        let mut out = String::with_capacity(text.len());
        let mut line_starts = vec![(0usize, 1u32)];
        let mut line: u32 = 1;
        let mut pending_space = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\n' {
                line += 1;
                pending_space = !out.is_empty();
                line_starts.push((out.len() + usize::from(pending_space), line));
                continue;
            }
            // HTML tags: `<span …>`, `</p>`; bounded so a stray `<` cannot swallow the text.
            if c == '<' && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!') {
                let mut look = chars.clone();
                let mut len = 0;
                let mut closed = false;
                for n in look.by_ref() {
                    len += 1;
                    if n == '>' {
                        closed = true;
                        break;
                    }
                    if n == '\n' || len > 300 {
                        break;
                    }
                }
                if closed {
                    chars = look;
                    pending_space = !out.is_empty();
                    continue;
                }
            }
            match fold(c) {
                Fold::Drop => {}
                Fold::Space => pending_space = !out.is_empty(),
                Fold::Char(f) => {
                    if pending_space {
                        out.push(' ');
                        pending_space = false;
                    }
                    out.push(f);
                }
                Fold::Lower => {
                    if pending_space {
                        out.push(' ');
                        pending_space = false;
                    }
                    out.extend(c.to_lowercase());
                }
            }
        }
        Normalised { text: out, line_starts }
    }

    /// The 1-based original line of a byte offset in the folded text.
    pub fn line_of(&self, offset: usize) -> u32 {
        let i = self.line_starts.partition_point(|(o, _)| *o <= offset);
        self.line_starts[i.saturating_sub(1)].1
    }

    /// The number of original lines.
    pub fn lines(&self) -> u32 {
        self.line_starts.last().map_or(1, |(_, l)| *l)
    }
}

enum Fold {
    Drop,
    Space,
    Char(char),
    Lower,
}

fn fold(c: char) -> Fold {
    match c {
        '*' | '`' | '\\' | '"' | '\'' | '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{00ab}'
        | '\u{00bb}' | '\u{feff}' | '\u{200b}' => Fold::Drop,
        '#' | '>' | '|' | '_' | '\u{00a0}' => Fold::Space,
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Fold::Char('-'),
        c if c.is_whitespace() => Fold::Space,
        c if c.is_ascii() => Fold::Char(c.to_ascii_lowercase()),
        _ => Fold::Lower,
    }
}

/// Folds a catalogue phrase.
pub fn phrase(p: &str) -> String {
    Normalised::new(p).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_html_and_quotes_fold_away() {
        let a = Normalised::new(
            "**Llama 3.1** **Acceptable Use Policy**\n\nfound at <span style=\"x\">https://llama.meta.com/llama3\\_1/use-policy</span>.",
        );
        assert!(
            a.text.starts_with("llama 3.1 acceptable use policy found at https://llama.meta.com/llama3 1/use-policy"),
            "{}",
            a.text
        );
        let b = Normalised::new("“Agreement” means\nthe   terms");
        assert_eq!(b.text, "agreement means the terms");
        assert_eq!(phrase("“Agreement” means the terms"), b.text);
    }

    #[test]
    fn offsets_map_back_to_lines() {
        let n = Normalised::new("first line\n\nthird line here\nfourth");
        let third = n.text.find("third").unwrap();
        assert_eq!(n.line_of(third), 3);
        assert_eq!(n.line_of(0), 1);
        assert_eq!(n.line_of(n.text.find("fourth").unwrap()), 4);
        assert_eq!(n.lines(), 4);
    }

    #[test]
    fn a_stray_angle_bracket_does_not_swallow_text() {
        let n = Normalised::new("if a <b then c\nmore");
        assert!(n.text.contains("more"));
    }
}
