//! Where a report goes: a file (`-o`) or standard output, written as it is rendered instead of
//! collected first, so a large report never sits in memory twice.

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    path::Path,
};

use anyhow::{Context, Result};

/// Standard output where a reader that closes the pipe early (`| head`) ends the output, not the
/// scan: that is the reader's choice.
struct Stdout<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other if self.closed => other.or(Ok(())),
            other => other,
        }
    }
}

/// Runs `render` on the file `output` (created or truncated) or on standard output.
pub(super) fn render(output: Option<&Path>, render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    match output {
        Some(path) => {
            let file = File::create(path).with_context(|| format!("cannot write `{}`", path.display()))?;
            let mut out = BufWriter::with_capacity(1 << 16, file);
            render(&mut out).and_then(|()| out.flush()).with_context(|| format!("cannot write `{}`", path.display()))
        }
        None => {
            let stdout = io::stdout().lock();
            let mut out = Stdout { inner: BufWriter::with_capacity(1 << 16, stdout), closed: false };
            render(&mut out).and_then(|()| out.flush()).context("cannot write the report to standard output")
        }
    }
}
