//! Text from scanned files on its way to a person: a model card, a file name or a header value
//! may hold terminal escapes (clear the screen, move the cursor, rewrite a line, set a link),
//! carriage returns, newlines or Unicode direction overrides, any of which could make the
//! report say something it does not. Two tools:
//!
//! - [`one_line`] escapes every control character, newlines included, and the direction
//!   controls: for values that must stay on their line (paths, finding messages, model ids).
//! - [`terminal`] is applied to the whole terminal, HTML, Markdown and CSV report (and to error
//!   messages) before it is written: control characters other than newline, tab and the CR of a
//!   CRLF are escaped, and escape sequences
//!   are dropped to their escaped text unless they are one of the few colour sequences the
//!   renderer itself uses (only when colour is on).
//!
//! An escaped character is written as Rust writes it (`\u{1b}`), so it stays visible.

use std::borrow::Cow;

/// Whether a character could change how the text around it is shown.
fn hazardous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}')
}

fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.extend(c.escape_unicode()),
    }
}

/// `s` with every control and direction character escaped, so it prints as one line.
pub fn one_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hazardous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hazardous(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes in place.
pub fn one_line_mut(s: &mut String) {
    if let Cow::Owned(clean) = one_line(s) {
        *s = clean;
    }
}

/// The SGR parameters the terminal renderer uses (reset, bold, dim, red, yellow, blue, cyan,
/// default colour). Nothing that hides text (conceal, black or white on any background) is
/// among them, so a sequence copied from a scanned file cannot hide a finding.
const OWN_SGR: &[&str] = &["0", "1", "2", "22", "31", "33", "34", "36", "39"];

/// The length of an SGR sequence the renderer could have written at the start of `s`.
fn own_sgr(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("\u{1b}[")?;
    let end = rest.find('m')?;
    let params = &rest[..end];
    let ok = params.is_empty() || params.split(';').all(|p| OWN_SGR.contains(&p));
    ok.then_some(2 + end + 1)
}

/// A rendered terminal report made safe to write: control characters other than `\n` and `\t`
/// are escaped, as are direction controls; with `colour`, the renderer's own colour sequences
/// are kept.
pub fn terminal(text: &str, colour: bool) -> Cow<'_, str> {
    let risky = |c: char| hazardous(c) && c != '\n' && c != '\t';
    if !text.chars().any(risky) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && colour
            && let Some(n) = own_sgr(rest)
        {
            out.push_str(&rest[..n]);
            rest = &rest[n..];
            continue;
        }
        // CRLF line ends (CSV's, a Windows card quoted whole) end a line like `\n` alone.
        if c == '\r' && rest[1..].starts_with('\n') {
            out.push(c);
        } else if risky(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_escapes_controls_and_direction_overrides() {
        assert_eq!(one_line("plain"), Cow::Borrowed("plain"));
        assert_eq!(one_line("a\nb\r\u{1b}[2J"), "a\\nb\\r\\u{1b}[2J");
        assert_eq!(one_line("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(one_line("\u{9b}31m"), "\\u{9b}31m", "C1 CSI");
        assert_eq!(one_line("é ü 模型"), "é ü 模型");
    }

    #[test]
    fn terminal_keeps_lines_and_own_colours_only() {
        let own = "\u{1b}[1m\u{1b}[31merror\u{1b}[0m: x\n";
        assert_eq!(terminal(own, true), own);
        assert_eq!(terminal(own, false), "\\u{1b}[1m\\u{1b}[31merror\\u{1b}[0m: x\n");
        // From a card: clear screen, cursor up, conceal, an OSC 8 link, a carriage return.
        let hostile = "a\u{1b}[2J\u{1b}[1A\u{1b}[8mhidden\u{1b}]8;;http://x\u{7}b\rc\n";
        let safe = terminal(hostile, true);
        assert!(!safe.contains('\u{1b}') && !safe.contains('\r') && !safe.contains('\u{7}'), "{safe:?}");
        assert!(safe.ends_with('\n'));
        assert_eq!(terminal("a,b\r\nc\rd\r", false), "a,b\r\nc\\rd\\r", "a lone CR is escaped, CRLF kept");
    }
}
