//! A fast reader for the plain subset of YAML that card front matter is written in: block
//! mappings and sequences, plain and quoted scalars (folded over several lines), literal and
//! folded block scalars, and one-line flow sequences of scalars.
//!
//! Why: front matter was a third of a 50,000-card scan, most of it in the general YAML parser's
//! event and `serde` machinery. Anything outside the subset (anchors, aliases, tags, flow
//! mappings, duplicate keys, numbers in forms other than plain decimals, block scalars with
//! indentation indicators …) makes [`parse`] return `None`, and the caller hands the text to
//! `serde-saphyr`, which also reports every error. Within the subset the
//! result is the value `serde-saphyr` gives; `tests/plain_yaml.rs` checks that on every card
//! of the shared corpus.

use serde_json::{Map, Number, Value};

/// The value of `yaml` when it is block YAML within the subset and nests at most
/// `max_depth` deep; `None` otherwise (including for YAML that is broken).
pub fn parse(yaml: &str, max_depth: usize) -> Option<Value> {
    if !plain_characters(yaml) {
        return None;
    }
    let mut lines = Lines::read(yaml)?;
    if lines.items.is_empty() {
        return None;
    }
    let (value, end) = lines.block(0, 0, 1, max_depth)?;
    // Everything must have been read: a line left over is indented in a way the subset does
    // not cover (or is broken).
    (end == lines.items.len()).then_some(value)
}

/// Whether `yaml` has only characters the subset reads the same way as the full parser: no
/// control characters but line feeds and CR LF pairs (a lone CR is a line break too), no C1
/// controls or non-characters (YAML does not allow them), and none of the characters YAML 1.1
/// took as line breaks or a byte-order mark.
fn plain_characters(yaml: &str) -> bool {
    let bytes = yaml.as_bytes();
    let controls_ok = bytes.iter().enumerate().all(|(i, &b)| match b {
        b'\n' => true,
        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
        _ => b >= 0x20 && b != 0x7f,
    });
    // YAML's printable set leaves out the C1 controls, U+FFFE and U+FFFF.
    controls_ok
        && (yaml.is_ascii()
            || !yaml.chars().any(|c| {
                matches!(c, '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
            }))
}

/// One non-blank, non-comment line.
#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    /// The line after its indentation, without trailing spaces.
    text: &'a str,
    /// Whether a blank or comment line precedes it (a line break in a folded plain scalar, or
    /// its end).
    after_gap: bool,
    /// Its 0-based index among all lines.
    row: usize,
}

struct Lines<'a> {
    items: Vec<Line<'a>>,
    /// Every line, for block scalars (whose blank and `#` lines are content).
    raw: Vec<&'a str>,
    /// Whether the last line has no line break after it.
    unterminated: bool,
}

impl<'a> Lines<'a> {
    fn read(yaml: &'a str) -> Option<Lines<'a>> {
        let mut items = Vec::new();
        let mut gap = false;
        // `lines` ends lines at LF or CR LF, and a final line break does not start a line
        // (`plain_characters` has refused a lone CR).
        let raw: Vec<&str> = super::lines::lines(yaml).collect();
        for (row, &raw) in raw.iter().enumerate() {
            let text = raw.trim_start_matches(' ');
            let indent = raw.len() - text.len();
            let text = text.trim_end_matches(' ');
            if text.is_empty() || text.starts_with('#') {
                gap = true;
                continue;
            }
            // Directives and document markers are left to the full parser.
            if (indent == 0 && (text.starts_with("---") || text.starts_with("..."))) || text.starts_with('%') {
                return None;
            }
            items.push(Line { indent, text, after_gap: gap, row });
            gap = false;
        }
        Some(Lines { items, raw, unterminated: !yaml.ends_with('\n') })
    }

    /// The block (mapping or sequence) starting at line `at`, indented at least `min`.
    fn block(&mut self, at: usize, min: usize, depth: usize, max_depth: usize) -> Option<(Value, usize)> {
        if depth > max_depth {
            return None;
        }
        let line = *self.items.get(at)?;
        if line.indent < min {
            return None;
        }
        if is_item(line.text) {
            self.sequence(at, line.indent, depth, max_depth)
        } else {
            self.mapping(at, line.indent, depth, max_depth)
        }
    }

    fn mapping(&mut self, mut at: usize, indent: usize, depth: usize, max_depth: usize) -> Option<(Value, usize)> {
        let mut map = Map::new();
        while let Some(line) = self.items.get(at).copied() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.text) {
                return None;
            }
            let (key, rest) = split_key(line.text)?;
            at += 1;
            let value = if rest.is_empty() {
                match self.items.get(at).copied() {
                    Some(next) if next.indent > indent => {
                        let (v, end) = self.block(at, indent + 1, depth + 1, max_depth)?;
                        at = end;
                        v
                    }
                    // A sequence may sit at its key's own indentation.
                    Some(next) if next.indent == indent && is_item(next.text) => {
                        let (v, end) = self.sequence(at, indent, depth + 1, max_depth)?;
                        at = end;
                        v
                    }
                    _ => Value::Null,
                }
            } else {
                let (v, end) = self.scalar(rest, at, indent)?;
                at = end;
                v
            };
            if map.insert(key, value).is_some() {
                return None;
            }
        }
        Some((Value::Object(map), at))
    }

    fn sequence(&mut self, mut at: usize, indent: usize, depth: usize, max_depth: usize) -> Option<(Value, usize)> {
        let mut items = Vec::new();
        while let Some(line) = self.items.get(at).copied() {
            if line.indent < indent || (line.indent == indent && !is_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let rest = line.text[1..].trim_start_matches(' ');
            if rest.is_empty() {
                at += 1;
                match self.items.get(at).copied() {
                    Some(next) if next.indent > indent => {
                        let (v, end) = self.block(at, indent + 1, depth + 1, max_depth)?;
                        items.push(v);
                        at = end;
                    }
                    _ => items.push(Value::Null),
                }
                continue;
            }
            if is_item(rest) || split_key(rest).is_some() {
                // `- key: value` or `- - item`: a block whose first line starts after the dash;
                // read it as if that line stood alone at that column.
                let column = indent + (line.text.len() - rest.len());
                self.items[at] = Line { indent: column, text: rest, after_gap: false, row: line.row };
                let (v, end) = self.block(at, column, depth + 1, max_depth)?;
                items.push(v);
                at = end;
                continue;
            }
            let (v, end) = self.scalar(rest, at + 1, indent)?;
            items.push(v);
            at = end;
        }
        Some((Value::Array(items), at))
    }

    /// A scalar or flow value `text` whose continuation lines (a plain scalar folded over
    /// lines) start at `at` and are indented more than `indent`.
    fn scalar(&self, text: &str, mut at: usize, indent: usize) -> Option<(Value, usize)> {
        let first = text.as_bytes()[0];
        match first {
            b'"' | b'\'' => {
                let Some((s, rest)) = quoted(text) else { return self.quoted_lines(text, at, indent) };
                no_trailing(rest)?;
                return self.single_line(Value::String(s), at, indent);
            }
            b'[' => return self.single_line(flow_sequence(text)?, at, indent),
            b'{' => {
                return self.single_line((strip_comment(text) == "{}").then(|| Value::Object(Map::new()))?, at, indent);
            }
            b'|' | b'>' => return self.block_scalar(text, at, indent),
            _ => {}
        }
        let first_line = plain(text)?;
        let commented = comment_at(text).is_some();
        let mut folded: Option<String> = None;
        while let Some(next) = self.items.get(at) {
            if next.indent <= indent {
                break;
            }
            // A blank line inside a folded scalar is a line break, and a comment ends a scalar:
            // both left to the full parser.
            if next.after_gap || commented {
                return None;
            }
            let f = folded.get_or_insert_with(|| first_line.to_string());
            f.push(' ');
            f.push_str(plain_continuation(next.text)?);
            at += 1;
        }
        let value = match folded {
            Some(f) => Value::String(f),
            None => resolve(first_line)?,
        };
        Some((value, at))
    }

    /// A quoted scalar that opens with `text` at the end of the line before item `at` and goes
    /// on over lines indented more than `indent`, folded as YAML folds them: a line break is a
    /// space, each blank line a line break, and in double quotes an escaped break is nothing.
    fn quoted_lines(&self, text: &str, at: usize, indent: usize) -> Option<(Value, usize)> {
        let quote = text.as_bytes()[0];
        let first_row = self.row_after(at)?;
        // A scalar that closes on its first line failed for another reason (an escape the
        // subset leaves to the full parser).
        if closes(&text[1..], quote) || spaced_backslash(self.raw[first_row - 1], quote) {
            return None;
        }
        let mut source = text.to_string();
        let mut blanks = 0;
        for (row, raw) in self.raw.iter().enumerate().skip(first_row) {
            let line = raw.trim_start_matches(' ');
            if line.is_empty() {
                blanks += 1;
                continue;
            }
            if raw.len() - line.len() <= indent || spaced_backslash(raw, quote) {
                return None;
            }
            let escaped = quote == b'"' && (source.len() - source.trim_end_matches('\\').len()) % 2 == 1;
            if escaped && blanks == 0 {
                source.pop();
            } else {
                source.truncate(source.trim_end_matches(' ').len());
                if blanks == 0 {
                    source.push(' ');
                } else if escaped {
                    return None;
                }
                source.extend(std::iter::repeat_n('\n', blanks));
            }
            blanks = 0;
            source.push_str(line.trim_end_matches(' '));
            // Only the new line is looked at for the closing quote, so a long scalar is read in
            // one pass; once it closes, the whole is decoded once.
            if closes(line, quote) {
                let (value, rest) = quoted(&source)?;
                no_trailing(rest)?;
                return self.single_line(Value::String(value), self.first_item_from(at, row + 1), indent);
            }
        }
        None
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header `header` ends the line before
    /// item `at`; its content lines are indented more than `indent`.
    fn block_scalar(&self, header: &str, at: usize, indent: usize) -> Option<(Value, usize)> {
        let (style, chomp) = header.split_at(1);
        let chomp = match strip_comment(chomp) {
            "" => Chomp::Clip,
            "-" => Chomp::Strip,
            "+" => Chomp::Keep,
            // Indentation indicators and anything else: the full parser.
            _ => return None,
        };
        let first_row = self.row_after(at)?;
        // Content runs to the first non-blank line indented `indent` or less.
        let mut rows = Vec::new();
        let mut content_indent = None;
        for raw in self.raw.iter().skip(first_row) {
            let text = raw.trim_start_matches(' ');
            let ind = raw.len() - text.len();
            if text.is_empty() {
                // Spaces beyond the content's indentation on a blank line are content: rare,
                // and left to the full parser.
                if content_indent.is_some_and(|c| ind > c) || (content_indent.is_none() && ind > indent + 1) {
                    return None;
                }
                rows.push(None);
                continue;
            }
            if ind <= indent {
                break;
            }
            let c = *content_indent.get_or_insert(ind);
            if ind < c {
                return None;
            }
            rows.push(Some(&raw[c..]));
        }
        let last = rows.iter().rposition(Option::is_some)?;
        let end_row = first_row + rows.len();
        // Kept trailing blank lines are line breaks: a blank last line of the text with no
        // line break after it adds none (tenth fuzz run).
        let mut trailing = rows.len() - 1 - last;
        if trailing > 0 && end_row == self.raw.len() && self.unterminated {
            trailing -= 1;
        }
        let mut out = String::new();
        let mut breaks = 0;
        let mut previous: Option<&str> = None;
        for row in &rows[..=last] {
            let Some(text) = row else {
                breaks += 1;
                continue;
            };
            let newlines = match previous {
                // Blank lines before the first line are line breaks.
                None => breaks,
                // Folding joins two lines that are not more indented with a space; each blank
                // line between them is a line break.
                Some(p) if style == ">" && !p.starts_with(' ') && !text.starts_with(' ') => {
                    if breaks == 0 {
                        out.push(' ');
                    }
                    breaks
                }
                Some(_) => breaks + 1,
            };
            out.extend(std::iter::repeat_n('\n', newlines));
            out.push_str(text);
            breaks = 0;
            previous = Some(text);
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => out.push('\n'),
            Chomp::Keep => out.extend(std::iter::repeat_n('\n', 1 + trailing)),
        }
        Some((Value::String(out), self.first_item_from(at, end_row)))
    }

    /// The first line (by index among all lines) after the one item `at` follows: where a
    /// scalar that ends item `at - 1`'s line goes on.
    fn row_after(&self, at: usize) -> Option<usize> {
        Some(self.items.get(at.checked_sub(1)?)?.row + 1)
    }

    /// The first item from `at` on that starts on line `row` or later (the items a multi-line
    /// scalar took are skipped).
    fn first_item_from(&self, mut at: usize, row: usize) -> usize {
        while self.items.get(at).is_some_and(|l| l.row < row) {
            at += 1;
        }
        at
    }

    /// `value`, provided no more-indented line follows it (which would make it broken YAML or
    /// a multi-line flow or quoted scalar).
    fn single_line(&self, value: Value, at: usize, indent: usize) -> Option<(Value, usize)> {
        match self.items.get(at) {
            Some(next) if next.indent > indent => None,
            _ => Some((value, at)),
        }
    }
}

/// What a block scalar keeps of its final line breaks.
enum Chomp {
    Clip,
    Strip,
    Keep,
}

/// Whether a line is a block sequence item.
fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `key: rest` split at the mapping indicator; `None` when the line is not a simple key.
fn split_key(text: &str) -> Option<(String, &str)> {
    let (key, rest) = match text.as_bytes()[0] {
        b'"' | b'\'' => {
            let (key, rest) = quoted(text)?;
            // The 1,024-character cap on implicit keys holds for quoted keys too.
            if text.len() - rest.len() > 1000 {
                return None;
            }
            (key, rest.strip_prefix(':')?)
        }
        _ => {
            let colon = text.match_indices(':').map(|(i, _)| i).find(|&i| {
                let after = text.as_bytes().get(i + 1);
                after.is_none() || after == Some(&b' ')
            })?;
            // A plain scalar ends before the spaces that precede the indicator (`a : 1`).
            let key = text[..colon].trim_end_matches(' ');
            // A plain key is its text, whatever it would resolve to as a value, except the
            // null forms; indicators, merge keys and comments are left to the full parser.
            // YAML caps an implicit key at 1,024 characters; long ones go to the full parser. So
            // do keys that read as anything but their own text (`1`, `-0`, `true`, `.nan`): the
            // full parser compares keys by value, so `0` and `-0` are the same key.
            if key.len() > 1000
                || plain(key) != Some(key)
                || !(surely_text(key) || matches!(resolve(key), Some(Value::String(s)) if s == key))
                || matches!(key, "~" | "null" | "Null" | "NULL" | "<<")
            {
                return None;
            }
            (key.to_string(), &text[colon + 1..])
        }
    };
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let rest = rest.trim_start_matches(' ');
    Some((key, if rest.starts_with('#') { "" } else { rest }))
}

/// Whether `text` (inside a quoted scalar, not at its opening quote) holds the closing `quote`:
/// in single quotes a `'` not doubled, in double quotes a `"` not escaped.
fn closes(text: &str, quote: u8) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return true,
            _ => i += 1,
        }
    }
    false
}

/// Whether a line of a double-quoted scalar ends in a backslash and then spaces (an escaped
/// space before the line break, which the subset leaves to the full parser).
fn spaced_backslash(raw: &str, quote: u8) -> bool {
    quote == b'"' && raw.ends_with(' ') && raw.trim_end_matches(' ').ends_with('\\')
}

/// Nothing but spaces and a comment after a closed quote or bracket.
fn no_trailing(rest: &str) -> Option<()> {
    let after = rest.trim_start_matches(' ');
    // A comment needs a space before its `#`.
    (after.is_empty() || (after.starts_with('#') && after.len() < rest.len())).then_some(())
}

/// Where ` #` (a comment) starts in `text`. (Byte searches: this runs on every scalar, where
/// a substring search would set up a searcher each time.)
fn comment_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (1..bytes.len()).find(|&i| bytes[i] == b'#' && bytes[i - 1] == b' ').map(|i| i - 1)
}

/// Whether `text` holds `: ` or ends with `:`, which would make a plain scalar a mapping key.
fn has_mapping_indicator(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| b == b':' && bytes.get(i + 1).is_none_or(|&n| n == b' '))
}

/// `text` without a trailing ` # comment`.
fn strip_comment(text: &str) -> &str {
    match comment_at(text) {
        Some(i) => text[..i].trim_end_matches(' '),
        None => text,
    }
}

/// A single-line plain scalar's text, if it is plain (no indicator at its start, no `: `).
fn plain(text: &str) -> Option<&str> {
    let text = strip_comment(text);
    let first = *text.as_bytes().first()?;
    if b"&*!|>%@`,?:[]{}#'\"".contains(&first) || (first == b'-' && matches!(text.as_bytes().get(1), None | Some(b' ')))
    {
        return None;
    }
    (!has_mapping_indicator(text)).then_some(text)
}

/// A continuation line of a folded plain scalar.
fn plain_continuation(text: &str) -> Option<&str> {
    if text.starts_with('#') || has_mapping_indicator(text) || comment_at(text).is_some() {
        return None;
    }
    if is_item(text) {
        return None;
    }
    Some(text)
}

/// A one-line flow sequence of scalars: `[a, "b", 1]`.
fn flow_sequence(text: &str) -> Option<Value> {
    let mut rest = &text[1..];
    let mut items = Vec::new();
    loop {
        rest = rest.trim_start_matches(' ');
        let first = *rest.as_bytes().first()?;
        if first == b']' {
            no_trailing(&rest[1..])?;
            return Some(Value::Array(items));
        }
        let (item, after) = match first {
            b'"' | b'\'' => {
                let (s, after) = quoted(rest)?;
                (Value::String(s), after)
            }
            b'[' | b'{' | b',' => return None,
            _ => {
                let end = rest.find([',', ']'])?;
                let token = rest[..end].trim_end_matches(' ');
                // Flow indicators cannot sit inside a plain scalar in a flow sequence.
                if has_mapping_indicator(token) || token.contains(['#', '[', '{', '}']) {
                    return None;
                }
                (resolve(plain(token)?)?, &rest[end..])
            }
        };
        items.push(item);
        let after = after.trim_start_matches(' ');
        rest = match after.as_bytes().first()? {
            b',' => &after[1..],
            b']' => after,
            _ => return None,
        };
        // `[a, ]` is valid YAML but rare: left to the full parser.
        if rest.trim_start_matches(' ').starts_with(']') && after.starts_with(',') {
            return None;
        }
    }
}

/// A quoted scalar at the start of `text`, and what follows its closing quote; `None` when it
/// does not close on this line or uses an escape the subset leaves to the full parser.
fn quoted(text: &str) -> Option<(String, &str)> {
    let quote = text.as_bytes()[0];
    let body = &text[1..];
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if quote == b'\'' => {
                if body[i + 1..].starts_with('\'') {
                    out.push('\'');
                    chars.next();
                } else {
                    return Some((out, &body[i + 1..]));
                }
            }
            '"' if quote == b'"' => return Some((out, &body[i + 1..])),
            '\\' if quote == b'"' => {
                let (_, e) = chars.next()?;
                match e {
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '/' => out.push('/'),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'u' => {
                        let hex = body.get(i + 2..i + 6)?;
                        let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                        out.push(c);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => return None,
                }
            }
            _ => out.push(c),
        }
    }
    None
}

/// Whether `text` holds `.inf` or `.nan` in any case.
fn names_non_finite(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'.', b)
        .any(|i| b.get(i + 1..i + 4).is_some_and(|w| w.eq_ignore_ascii_case(b"inf") || w.eq_ignore_ascii_case(b"nan")))
}

/// A plain scalar's value as `serde-saphyr` resolves it, for the forms the subset takes: the
/// null forms, YAML 1.1 and 1.2 booleans, decimal integers and fractions, and text that cannot
/// be a number. Other numeric forms (`0x1F`, `1e3`, `.5`, `0755`, `1_000`, `.inf`) and text
/// that might be one (`2023-01-01`) are left to the full parser.
fn resolve(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        "-" => return None,
        _ => {}
    }
    if surely_text(text) {
        return Some(Value::String(text.to_string()));
    }
    // Compared in any case without a lower-cased copy (a copy per scalar was a visible part of
    // reading 50,000 cards).
    let is = |word: &str| text.eq_ignore_ascii_case(word);
    // YAML 1.1 booleans, in any case.
    if is("yes") || is("on") || is("y") {
        return Some(Value::Bool(true));
    }
    if is("no") || is("off") || is("n") {
        return Some(Value::Bool(false));
    }
    // Non-finite floats are kept as text (`NonFiniteFloatPolicy::AsString`), spelled one way.
    match text {
        ".nan" | ".NaN" | ".NAN" => return Some(Value::String(".nan".into())),
        ".inf" | ".Inf" | "+.inf" => return Some(Value::String(".inf".into())),
        "-.inf" | "-.Inf" => return Some(Value::String("-.inf".into())),
        _ => {}
    }
    if names_non_finite(text) || is("null") || is("true") || is("false") {
        return None;
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let decimal = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !text.starts_with('+') && decimal(digits) && (digits == "0" || !digits.starts_with('0')) {
        return text.parse::<i64>().ok().map(|n| Value::Number(n.into()));
    }
    if !text.starts_with('+')
        && let Some((whole, fraction)) = digits.split_once('.')
        && decimal(whole)
        && decimal(fraction)
        && (whole == "0" || !whole.starts_with('0'))
    {
        let f: f64 = text.parse().ok()?;
        return Number::from_f64(f).map(Value::Number);
    }
    if !text.starts_with('+')
        && let Some((mantissa, exponent)) = digits.split_once(['e', 'E'])
        && let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"))
        && decimal(whole)
        && decimal(fraction)
        && (whole == "0" || !whole.starts_with('0'))
        && decimal(exponent.strip_prefix(['-', '+']).unwrap_or(exponent))
    {
        let f: f64 = text.parse().ok()?;
        return Number::from_f64(f).filter(|_| f.is_finite()).map(Value::Number);
    }
    if number_like(digits) {
        return None;
    }
    Some(Value::String(text.to_string()))
}

/// Whether a plain scalar is text without a doubt: more than six characters (every other form
/// [`resolve`] knows is shorter) and not starting like a number.
fn surely_text(text: &str) -> bool {
    let first = text.as_bytes()[0];
    text.len() > 6 && !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.'))
}

/// Whether text (its sign removed) could be read as a number by some YAML schema: a radix
/// prefix, or only digits, `_`, `.`, `:`, `-`, `+` and exponent marks, with a digit.
fn number_like(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let radix = |prefix: &str, digit: fn(u8) -> bool| {
        lower.strip_prefix(prefix).is_some_and(|d| !d.is_empty() && d.bytes().all(|b| digit(b) || b == b'_'))
    };
    if radix("0x", |b| b.is_ascii_hexdigit())
        || radix("0o", |b| matches!(b, b'0'..=b'7'))
        || radix("0b", |b| matches!(b, b'0' | b'1'))
    {
        return true;
    }
    lower.bytes().any(|b| b.is_ascii_digit())
        && lower.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b':' | b'-' | b'+' | b'e'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(yaml: &str) -> Value {
        parse(yaml, 64).unwrap_or_else(|| panic!("not read: {yaml:?}"))
    }

    #[test]
    fn reads_the_shapes_cards_use() {
        let yaml = "license: apache-2.0\nbase_model:\n- org/a\n- 'org/b'\ntags: [x, \"y z\", 3]\n\
                    model-index:\n  - name: m\n    results:\n      - task:\n          type: t\n        metrics:\n          - value: 0.5\n            verified: false\n\
                    empty:\nlong: one\n  two\n  three\ncount: -12 # note\n";
        assert_eq!(
            ok(yaml),
            json!({
                "license": "apache-2.0",
                "base_model": ["org/a", "org/b"],
                "tags": ["x", "y z", 3],
                "model-index": [{"name": "m", "results": [{"task": {"type": "t"}, "metrics": [{"value": 0.5, "verified": false}]}]}],
                "empty": null,
                "long": "one two three",
                "count": -12
            })
        );
    }

    #[test]
    fn leaves_everything_else_to_the_full_parser() {
        for yaml in [
            "a: &x 1\nb: *x\n",
            "a: !tag 1\n",
            "a: |2\n  text\n",
            "a: {b: 1}\n",
            "a: \"open\n  close\n",
            "a: 1\na: 2\n",
            "a: nULL\n",
            "a: 0755\n",
            "a: 2023-01-01\n",
            "a: .INf\n",
            "a: b\r\r\nc: d\r\n",
            "a: b\rc: d\n",
            "a: \u{2028}\n",
            "a: x\u{94}y\n",
            "a: x\u{ffff}\n",
            "a: b: c\n",
            "a:\n\tb: 1\n",
            "a:\n  b: 1\n c: 2\n",
            "a: one\n\n  two\n",
            "? a\n: b\n",
            "a: [b, [c]]\n",
            "a: [b}c]\n",
            "a: [b]#c\n",
            "a: -\n  b\n",
            "a: 'b'#c\n",
            "~: x\n",
            "0: a\n-0: b\n",
            "true: a\n",
            "a: \"\\x41\"\n",
            "a: \"\\x41\n  b\"\n",
            "a: \"one\\ \n  two\"\n",
        ] {
            assert_eq!(parse(yaml, 64), None, "{yaml:?}");
        }
    }

    #[test]
    fn agrees_with_the_full_parser() {
        for yaml in [
            "a: |\n  one\n    two\n\n  three\n\nb: 1\n",
            "a: |-\n  one\n  # not a comment\n",
            "a: |+\n  one\n\n\nb: 1\n",
            "a: >\n  one\n  two\n\n  three\n",
            "a: >-\n\n  one\n  two\n",
            "a: >\n  one\n    more\n  two\n  three\n\n    four\n  five\nb: 1e3\nc: -2.5E-05\nd: 1.0e+2\n",
            "- text: >-\n    one\n    two\n  title: t\n",
            "a:\n- |\n  x\n- y\n",
            "a: Yes\nb: off\nc: NULL\nd: 1399c76144fd\ne: 01-ai/Yi\nf: 100K<n<1M\ng: -foo\nh: 10.50\n",
            "a: 'it''s'\nb: \"\\u00e9\\n\"\nc: [ ]\nd: {}\n",
            "a:\n  - [a, b]\n  -\n    b: 2\n  - - c\n    - d\n",
            "a : 1\nb  :\n- x\n- y - :\n",
            "a: \"open\n  close\"\nb: 'one  \n\n   two\n   # three'\nc: \"x\\\n  y \\\\\n  z\"\n",
            "- text: ' A typical\n    feed-forward'\n  example_title: x\n",
        ] {
            let full: Value = serde_saphyr::from_str(yaml).unwrap();
            assert_eq!(parse(yaml, 64).as_ref(), Some(&full), "{yaml:?}");
        }
    }

    #[test]
    fn a_long_quoted_scalar_is_read_in_one_pass() {
        // Every line holds quotes that do not close the scalar: each must not cost a re-read.
        let yaml = format!("a: 'start\n{}  end'\n", "  it''s ''quoted'' here\n".repeat(20_000));
        let full: Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(parse(&yaml, 64), Some(full));
        let yaml = format!("a: \"start\n{}  end\"\n", "  a \\\"quoted\\\" word\n".repeat(20_000));
        let full: Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(parse(&yaml, 64), Some(full));
    }

    #[test]
    fn depth_is_bounded() {
        assert!(parse("a:\n b:\n  c: 1\n", 3).is_some());
        assert_eq!(parse("a:\n b:\n  c:\n   d: 1\n", 3), None);
    }
}
