//! Lines of a text, split where `memchr` finds the line breaks.
//!
//! The standard library looks for `\n` a word at a time; on 50,000 cards, each split three or
//! four times (front matter, headings, links), that search was a twentieth of card parsing.
//! These iterators give exactly what `str::lines` and `str::split_inclusive('\n')` give.

/// Each line with its line break, as `text.split_inclusive('\n')` gives them.
pub fn with_breaks(text: &str) -> impl Iterator<Item = &str> {
    let mut breaks = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        // A `\n` is one byte and never inside a UTF-8 sequence, so both ends are char bounds.
        let end = breaks.next().map_or(text.len(), |i| i + 1);
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

/// Each line without its `\n` or `\r\n`, as `text.lines()` gives them.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    with_breaks(text).map(strip_break)
}

/// A line of [`with_breaks`] without its `\n` or `\r\n` (a lone `\r` stays, as in `str::lines`).
pub fn strip_break(line: &str) -> &str {
    match line.strip_suffix('\n') {
        Some(line) => line.strip_suffix('\r').unwrap_or(line),
        None => line,
    }
}

/// The end of the first line of `text` (the index of its `\n`, or the length of `text`).
pub fn first_end(text: &str) -> usize {
    memchr::memchr(b'\n', text.as_bytes()).unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_as_the_standard_library_splits_them() {
        for text in [
            "",
            "\n",
            "\n\n",
            "one",
            "one\n",
            "one\r\ntwo\r\n",
            "one\rtwo\n\rthree\r",
            "é\nü\r\n日本\n",
            "trailing\r",
            "a\n\r\nb",
        ] {
            assert_eq!(lines(text).collect::<Vec<_>>(), text.lines().collect::<Vec<_>>(), "{text:?}");
            assert_eq!(with_breaks(text).collect::<Vec<_>>(), text.split_inclusive('\n').collect::<Vec<_>>());
            assert_eq!(first_end(text), text.find('\n').unwrap_or(text.len()));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_splits_as_the_standard_library_splits_it(text in "[a\r\né日 ]{0,64}") {
            proptest::prop_assert_eq!(lines(&text).collect::<Vec<_>>(), text.lines().collect::<Vec<_>>());
            proptest::prop_assert_eq!(
                with_breaks(&text).collect::<Vec<_>>(),
                text.split_inclusive('\n').collect::<Vec<_>>()
            );
        }
    }
}
