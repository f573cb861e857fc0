//! The JSON report: `Report` serialised as is, pretty-printed, keys in a fixed order.
//!
//! The models are nearly all of a large report (50,000 cards make 800 MB), so they are
//! pretty-printed on their own, a chunk at a time on every core, and spliced into the rest of the
//! report; the bytes are the same as `serde_json::to_writer_pretty` of the whole.

use std::io;

use rayon::prelude::*;
use serde::Serialize;

use super::{DatasetReport, ModelReport, Report, Summary, Suppressed, Tool};
use crate::model::Finding;

/// Models rendered at a time (two chunks are held: one being written, the next being rendered):
/// enough to keep every core busy, few enough to bound the memory.
const CHUNK: usize = 128;

pub(super) fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    write_chunked(report, out, CHUNK)
}

fn write_chunked(report: &Report, out: &mut dyn io::Write, chunk: usize) -> io::Result<()> {
    let mut stream = Streamed::begin(report, out)?;
    stream.write_models(&report.models, chunk)?;
    stream.end(report)
}

/// The JSON report written a part at a time: the shell's keys before `models`, the models,
/// then the keys after them (the same bytes as [`write`]).
pub(super) struct Streamed<'o> {
    out: &'o mut dyn io::Write,
    /// Models written so far.
    written: usize,
    /// What came before the models.
    head: String,
}

/// Where the shell's `"models": []` opens its list: everything before the `[` of its only
/// top-level `"models": []`.
fn models_at(shell: &str) -> io::Result<usize> {
    list_at(shell, "\n  \"models\": []")
}

/// Where the empty list `[]` that ends `marker` opens in `shell`.
fn list_at(shell: &str, marker: &str) -> io::Result<usize> {
    let at = shell.find(marker).ok_or_else(|| io::Error::other(format!("no `{}` in the report", marker.trim())))?;
    Ok(at + marker.len() - 2)
}

impl<'o> Streamed<'o> {
    /// Writes what comes before the models: it depends on the schema version, the tool and the
    /// policy packs only, which `head` has as the whole report will.
    pub(super) fn begin(head: &Report, out: &'o mut dyn io::Write) -> io::Result<Self> {
        let shell = serde_json::to_string_pretty(&Shell::of(head)).map_err(io::Error::other)?;
        let at = models_at(&shell)?;
        out.write_all(&shell.as_bytes()[..at])?;
        Ok(Streamed { out, written: 0, head: shell[..at].to_string() })
    }

    /// Writes models `chunk` at a time, or fewer when they render to more than [`BUDGET`]
    /// bytes. The next chunk is rendered while this one is written: writing 800 MB is a tenth
    /// of a large scan, and the cores would otherwise wait for it.
    fn write_models(&mut self, models: &[ModelReport], chunk: usize) -> io::Result<()> {
        let mut rendered = render_some(models, chunk)?;
        let mut at = rendered.len();
        while !rendered.is_empty() {
            let mut next = None;
            let written = rayon::in_place_scope(|scope| -> io::Result<()> {
                let rest = &models[at..];
                let next = &mut next;
                scope.spawn(move |_| *next = Some(render_some(rest, chunk)));
                self.write_rendered(&rendered)
            });
            written?;
            rendered = next.transpose()?.unwrap_or_default();
            at += rendered.len();
        }
        Ok(())
    }

    fn write_rendered(&mut self, rendered: &[Vec<u8>]) -> io::Result<()> {
        for model in rendered {
            self.out.write_all(if self.written == 0 { b"[\n    " } else { b",\n    " })?;
            self.out.write_all(model)?;
            self.written += 1;
        }
        Ok(())
    }

    /// Writes the end of the models list and what follows it.
    fn end(self, report: &Report) -> io::Result<()> {
        let shell = serde_json::to_string_pretty(&Shell::of(report)).map_err(io::Error::other)?;
        let at = models_at(&shell)?;
        if shell[..at] != self.head {
            return Err(io::Error::other("the report's head changed while its models were written"));
        }
        self.out.write_all(if self.written == 0 { b"[]" } else { b"\n  ]" })?;
        self.out.write_all(&shell.as_bytes()[at + 2..])?;
        self.out.write_all(b"\n")
    }
}

impl super::Stream for Streamed<'_> {
    fn models(&mut self, models: &[ModelReport]) -> io::Result<()> {
        self.write_models(models, CHUNK)
    }

    fn finish(self: Box<Self>, report: &Report) -> io::Result<()> {
        self.end(report)
    }
}

/// The bytes rendered models may hold at once, per chunk: a card's front matter can be most of a
/// megabyte (a model index of hundreds of results), pretty-printed to several, and a scan can
/// hold a run of copies of it.
const BUDGET: usize = 1 << 20;

/// The first models, at most `chunk` of them, rendered on every core, one per core at a time,
/// until they hold [`BUDGET`] bytes.
fn render_some(models: &[ModelReport], chunk: usize) -> io::Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut bytes = 0;
    // As many at a time as there are cores: a batch is rendered before the budget is checked.
    for batch in models[..chunk.min(models.len())].chunks(rayon::current_num_threads().max(1)) {
        let rendered: Vec<Vec<u8>> = batch.par_iter().map(render).collect::<io::Result<_>>()?;
        bytes += rendered.iter().map(Vec::len).sum::<usize>();
        out.extend(rendered);
        if bytes >= BUDGET {
            break;
        }
    }
    Ok(out)
}

/// One model pretty-printed as the element of a list two levels deep.
fn render(model: &ModelReport) -> io::Result<Vec<u8>> {
    pretty_at(model, 2)
}

/// `value` pretty-printed as an element of a list `depth` levels deep (its lines after the first
/// indented by `2 × depth` spaces): serialised inside `depth` one-element lists whose brackets
/// are then cut off, so it is never copied to indent it (a card's front matter can be most of
/// a megabyte).
pub(super) fn pretty_at<T: Serialize>(value: &T, depth: usize) -> io::Result<Vec<u8>> {
    struct Nested<'a, T>(&'a T, usize);
    impl<T: Serialize> Serialize for Nested<'_, T> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self.1 {
                0 => self.0.serialize(serializer),
                n => [Nested(self.0, n - 1)].serialize(serializer),
            }
        }
    }
    let open: String = (1..=depth).map(|k| format!("[\n{}", "  ".repeat(k))).collect();
    let close: String = (0..depth).rev().map(|k| format!("\n{}]", "  ".repeat(k))).collect();
    let mut out = serde_json::to_vec_pretty(&Nested(value, depth)).map_err(io::Error::other)?;
    if !(out.starts_with(open.as_bytes()) && out.ends_with(close.as_bytes())) {
        return Err(io::Error::other("a value did not render inside its lists"));
    }
    out.truncate(out.len() - close.len());
    out.drain(..open.len());
    Ok(out)
}

/// Writes `shell`, pretty-printed JSON whose only `marker` ends in an empty list (`"results":
/// []`), with that list holding `items`, each rendered at `depth` ([`pretty_at`]): the same bytes
/// as the whole document pretty-printed, without holding its items' trees at once.
pub(super) fn write_spliced(
    out: &mut dyn io::Write,
    shell: &str,
    marker: &str,
    depth: usize,
    items: impl Iterator<Item = io::Result<Vec<u8>>>,
) -> io::Result<()> {
    let at = list_at(shell, marker)?;
    out.write_all(&shell.as_bytes()[..at])?;
    let indent = "  ".repeat(depth);
    let mut written = 0;
    for item in items {
        out.write_all(if written == 0 { b"[\n" } else { b",\n" })?;
        out.write_all(indent.as_bytes())?;
        out.write_all(&item?)?;
        written += 1;
    }
    if written == 0 {
        out.write_all(b"[]")?;
    } else {
        // The list's own bracket, one level out.
        write!(out, "\n{}]", indent.get(2..).unwrap_or(""))?;
    }
    out.write_all(&shell.as_bytes()[at + 2..])
}

/// `Report` with an empty model list, borrowed: the same fields, names, order and omissions
/// (`tests::the_spliced_report_is_serde_json_s` compares the two).
#[derive(Serialize)]
struct Shell<'a> {
    schema_version: u32,
    tool: &'a Tool,
    policy: &'a [String],
    models: [(); 0],
    datasets: &'a [DatasetReport],
    findings: &'a [Finding],
    suppressed: &'a [Suppressed],
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<&'a String>,
    summary: &'a Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<&'a crate::shard::Shard>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scanned: &'a [String],
}

impl<'a> Shell<'a> {
    fn of(r: &'a Report) -> Self {
        Shell {
            schema_version: r.schema_version,
            tool: &r.tool,
            policy: &r.policy,
            models: [],
            datasets: &r.datasets,
            findings: &r.findings,
            suppressed: &r.suppressed,
            config: r.config.as_ref(),
            summary: &r.summary,
            shard: r.shard.as_ref(),
            scanned: &r.scanned,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn report_of(args: &[&str]) -> super::Report {
        let Command::Scan(scan) = Cli::try_parse_from(args).unwrap().command else { panic!("not a scan") };
        let packs = [crate::evaluate::pack::builtin("default").unwrap()];
        crate::app::build_report(&scan, &packs).unwrap()
    }

    #[test]
    fn the_spliced_report_is_serde_json_s() {
        let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
        let cards = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/modelcards");
        let empty = tempfile::tempdir().unwrap();
        let empty = empty.path().to_str().unwrap();
        for args in [
            &["modelgate", "scan", demo][..],
            &["modelgate", "scan", cards],
            &["modelgate", "scan", demo, "--shard", "1/2"],
            &["modelgate", "scan", empty],
        ] {
            let report = report_of(args);
            let mut theirs = serde_json::to_vec_pretty(&report).unwrap();
            theirs.push(b'\n');
            // Chunks of one, of a few (the last one short) and of all.
            for chunk in [1, 7, super::CHUNK] {
                let mut ours = Vec::new();
                super::write_chunked(&report, &mut ours, chunk).unwrap();
                assert!(ours == theirs, "{args:?} in chunks of {chunk}: the spliced report differs from serde_json's");
            }
        }
    }
}
