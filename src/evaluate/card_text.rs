//! What a card's prose says, for rules that read more than the front matter: the text under
//! headings of a given kind, the line a front-matter key sits on, and the training compute a
//! card states.
//!
//! Training compute is read only where a card states it as a number of floating-point
//! operations on a line that talks about training or totals (`6.67x10^22 FLOPs in total`,
//! `Total FLOPS: 2.1 x 10e21`, `3.8e25 FLOP`, `0.96 petaflop/s-days`). Throughput figures
//! (`TFLOP/s per GPU`), inference costs, table columns and GPU-hours are not converted: they
//! need assumptions a compliance check should not make.

use std::sync::OnceLock;

use regex::Regex;

use crate::{model::Card, vocab::SectionKind};

/// One petaflop/s-day in floating-point operations.
const PETAFLOP_DAY: f64 = 1e15 * 86_400.0;

/// A training-compute figure found in a card.
#[derive(Clone, Debug, PartialEq)]
pub struct Compute {
    /// Floating-point operations.
    pub flop: f64,
    /// 1-based line in the card file.
    pub line: u32,
    /// The statement, trimmed, at most 120 characters.
    pub text: String,
}

/// A line of prose with its 1-based line number in the card file.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: u32,
    /// The text.
    pub text: &'a str,
    /// Title of the section it sits under, if any.
    pub section: Option<&'a str>,
}

/// The first line of the body (after the front matter), 0-based.
fn body_start(lines: &[&str]) -> usize {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return 0;
    }
    lines
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, l)| matches!(l.trim_end(), "---" | "..."))
        .map_or(lines.len(), |(i, _)| i + 1)
}

/// The body lines of a card; with `kinds`, only those under a filled-or-not heading of one of
/// these kinds (down to the next heading of the same or a higher level).
pub fn lines<'a>(card: &'a Card, kinds: &[SectionKind]) -> Vec<Line<'a>> {
    let all: Vec<&str> = card.body().text.lines().collect();
    let start = body_start(&all);
    let mut out = Vec::new();
    if kinds.is_empty() {
        for (i, text) in all.iter().enumerate().skip(start) {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let section = card.body().sections.iter().rev().find(|s| s.line <= number).map(|s| s.title.as_str());
            out.push(Line { number, text, section });
        }
        return out;
    }
    for (si, s) in card.body().sections.iter().enumerate() {
        if !s.kinds.iter().any(|k| kinds.contains(k)) {
            continue;
        }
        let end = card.body().sections[si + 1..].iter().find(|n| n.level <= s.level).map_or(u32::MAX, |n| n.line);
        let first = s.line as usize; // the line after the heading, 0-based
        for (i, text) in all.iter().enumerate().skip(first.max(start)) {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if number >= end {
                break;
            }
            // A nested heading of another kind still belongs to this section's text.
            out.push(Line { number, text, section: Some(s.title.as_str()) });
        }
    }
    out.sort_by_key(|l| l.number);
    out.dedup_by_key(|l| l.number);
    out
}

/// The 1-based line of a top-level front-matter key (`co2_eq_emissions:`), if written there.
pub fn key_line(card: &Card, key: &str) -> Option<u32> {
    let top = key.split('.').next().unwrap_or(key);
    let lines: Vec<&str> = card.body().text.lines().collect();
    let end = body_start(&lines);
    lines.iter().take(end).enumerate().skip(1).find_map(|(i, l)| {
        let rest = l.strip_prefix(top)?;
        rest.trim_start().starts_with(':').then(|| u32::try_from(i + 1).unwrap_or(u32::MAX))
    })
}

/// Whether a dotted key (`co2_eq_emissions.emissions`) is present and not null in the front
/// matter.
pub fn metadata_has(metadata: &serde_json::Value, key: &str) -> bool {
    let mut v = metadata;
    for part in key.split('.') {
        match v.get(part) {
            Some(next) => v = next,
            None => return false,
        }
    }
    !v.is_null()
}

/// The largest training-compute figure the card states, if any.
pub fn training_compute(card: &Card) -> Option<Compute> {
    let mut best: Option<Compute> = None;
    for (i, raw) in card.body().text.lines().enumerate() {
        let Some(flop) = compute_in_line(raw) else { continue };
        if best.as_ref().is_none_or(|b| flop > b.flop) {
            let text: String = raw.trim().chars().take(120).collect();
            best = Some(Compute { flop, line: u32::try_from(i + 1).unwrap_or(u32::MAX), text });
        }
    }
    best
}

/// The compute a single line states, in FLOP.
fn compute_in_line(raw: &str) -> Option<f64> {
    static FLOP_WORD: OnceLock<Regex> = OnceLock::new();
    static PF_DAYS: OnceLock<Regex> = OnceLock::new();
    static NUMBERS: OnceLock<Regex> = OnceLock::new();
    if raw.len() > 2_000 {
        return None;
    }
    let line = superscripts(&raw.to_lowercase());
    let pf_days = PF_DAYS.get_or_init(|| {
        Regex::new(r"(\d+(?:\.\d+)?)\s*(?:petaflop(?:/s|s)?[- ]?days?|pfs?(?:/s)?[- ]days?)").expect("valid regex")
    });
    let flop_word = FLOP_WORD.get_or_init(|| Regex::new(r"\bflop(?:s)?\b").expect("valid regex"));
    let throughput = [
        "flop/s",
        "flops/s",
        "/sec",
        "per second",
        "per gpu",
        "throughput",
        "utilization",
        "utilisation",
        "mfu",
        "inference",
    ];
    if let Some(c) = pf_days.captures(&line) {
        return c.get(1)?.as_str().parse::<f64>().ok().map(|v| v * PETAFLOP_DAY);
    }
    if !flop_word.is_match(&line) || throughput.iter().any(|t| line.contains(t)) {
        return None;
    }
    if !["train", "total", "compute", "consum", "used"].iter().any(|w| line.contains(w)) {
        return None;
    }
    let numbers = NUMBERS.get_or_init(|| {
        Regex::new(concat!(
            // 6.67 x 10^22, 6.67x10<sup>22</sup>, 2.1 x 10e21 (read as 10^21, as meant), 3 × 10**24
            r"(?:(\d+(?:\.\d+)?)\s*(?:x|×|\*|·)\s*10|\b10)\s*(?:\^|\*\*|e|<sup>)\s*\+?(\d{1,3})",
            // 3.8e25, 6E+23
            r"|(\d+(?:\.\d+)?)e\+?(\d{1,3})\b",
        ))
        .expect("valid regex")
    });
    numbers
        .captures_iter(&line)
        .filter_map(|c| {
            let (mantissa, exp) = match (c.get(2), c.get(4)) {
                (Some(e), _) => (c.get(1).map_or(Some(1.0), |m| m.as_str().parse().ok())?, e.as_str()),
                (None, Some(e)) => (c.get(3)?.as_str().parse::<f64>().ok()?, e.as_str()),
                _ => return None,
            };
            let exp: i32 = exp.parse().ok()?;
            let v = mantissa * 10f64.powi(exp);
            // Below a petaflop is a throughput or a parameter count, not a training run.
            (v.is_finite() && v >= 1e15).then_some(v)
        })
        .reduce(f64::max)
}

/// Superscript digits to ASCII (`10²⁵` → `10^25`).
fn superscripts(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_sup = false;
    for c in s.chars() {
        let d = match c {
            '⁰' => Some('0'),
            '¹' => Some('1'),
            '²' => Some('2'),
            '³' => Some('3'),
            '⁴' => Some('4'),
            '⁵' => Some('5'),
            '⁶' => Some('6'),
            '⁷' => Some('7'),
            '⁸' => Some('8'),
            '⁹' => Some('9'),
            _ => None,
        };
        match d {
            Some(d) => {
                if !in_sup {
                    out.push('^');
                    in_sup = true;
                }
                out.push(d);
            }
            None => {
                in_sup = false;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compute_statements_cards_make() {
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a / b - 1.0).abs() < 1e-9);
        assert!(close(compute_in_line("consumed ~6.67x10<sup>22</sup> FLOPs in total."), 6.67e22));
        assert!(close(compute_in_line("- **Total FLOPS:** 2.1 x 10e21"), 2.1e21));
        assert!(close(compute_in_line("Training compute: 3.8e25 FLOP"), 3.8e25));
        assert!(close(compute_in_line("trained with 5 × 10²⁵ FLOPs"), 5e25));
        assert!(close(compute_in_line("Training used 10^24 FLOPs"), 1e24));
        assert!(close(
            compute_in_line("The total compute used was 0.96 petaflop days (pfs-days)."),
            0.96 * PETAFLOP_DAY
        ));
        assert_eq!(compute_in_line("Training throughput: About 150 TFLOP per GPU per second"), None);
        assert_eq!(compute_in_line("We characterise training FLOPs and inference speed"), None);
        assert_eq!(compute_in_line("| Model | Params | Training FLOPs |"), None);
        assert_eq!(compute_in_line("model flop utilization (MFU) increased"), None);
        assert_eq!(compute_in_line("trained on 10e5 examples"), None, "no FLOP word");
    }
}
