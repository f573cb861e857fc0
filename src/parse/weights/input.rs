//! A bounded byte source for the header readers: counts what it reads against a budget, skips
//! what it does not need (by seeking when it can), and checks every claimed length against the
//! bytes that are really left before acting on it. Nothing here allocates a length a file claims.

use std::{
    fs::File,
    io::{self, BufRead, BufReader, Read},
};

use super::HeaderError;

/// Something the readers can read from and skip in.
pub trait Source: BufRead {
    /// Moves `n` bytes forward without handing them out.
    fn skip(&mut self, n: u64) -> io::Result<()>;
    /// Whether skipping is free (a seek) rather than a read.
    fn seekable(&self) -> bool;
}

impl Source for BufReader<File> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let n = i64::try_from(n).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "skip past 2^63"))?;
        self.seek_relative(n)
    }

    fn seekable(&self) -> bool {
        true
    }
}

/// A stream that can only be read forward (a zip member, an inflated joblib file).
pub struct Stream<R>(pub BufReader<R>);

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> BufRead for Stream<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.0.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.0.consume(amt);
    }
}

impl<R: Read> Source for Stream<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let copied = io::copy(&mut (&mut self.0).take(n), &mut io::sink())?;
        if copied < n { Err(io::ErrorKind::UnexpectedEof.into()) } else { Ok(()) }
    }

    fn seekable(&self) -> bool {
        false
    }
}

/// A byte source with a position, an optional known length, and a read budget.
pub struct Input<S> {
    inner: S,
    pos: u64,
    len: Option<u64>,
    budget: u64,
    what: &'static str,
}

impl<S: Source> Input<S> {
    /// Reads from `inner`, which starts at offset 0 and holds `len` bytes when known, reading
    /// (not skipping) at most `budget` bytes; `what` names the structure in errors.
    pub fn new(inner: S, len: Option<u64>, budget: u64, what: &'static str) -> Self {
        Input { inner, pos: 0, len, budget, what }
    }

    /// Current offset.
    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Bytes left, when the length is known.
    pub fn remaining(&self) -> Option<u64> {
        self.len.map(|l| l.saturating_sub(self.pos))
    }

    /// Fails unless `n` more bytes exist (when the length is known).
    pub fn ensure(&self, n: u64, field: &str) -> Result<(), HeaderError> {
        match self.remaining() {
            Some(left) if n > left => Err(HeaderError::Invalid(format!(
                "{field} at offset {} claims {n} bytes but only {left} are left: the file is truncated or the length is false",
                self.pos
            ))),
            _ => Ok(()),
        }
    }

    fn charge(&mut self, n: u64) -> Result<(), HeaderError> {
        if n > self.budget {
            return Err(HeaderError::Limit(format!(
                "stopped at offset {}: the {} is longer than the reader's budget",
                self.pos, self.what
            )));
        }
        self.budget -= n;
        Ok(())
    }

    fn io(&self, e: io::Error) -> HeaderError {
        io_error(e, self.what, self.pos)
    }

    /// The next buffered bytes (empty at the end).
    fn available(&mut self) -> Result<&[u8], HeaderError> {
        let (what, pos) = (self.what, self.pos);
        self.inner.fill_buf().map_err(|e| io_error(e, what, pos))
    }

    /// Fills `buf` exactly.
    pub fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), HeaderError> {
        self.charge(buf.len() as u64)?;
        self.inner.read_exact(buf).map_err(|e| self.io(e))?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    /// One byte, or `None` at the end of the input.
    pub fn next_byte(&mut self) -> Result<Option<u8>, HeaderError> {
        let Some(&b) = self.available()?.first() else { return Ok(None) };
        self.charge(1)?;
        self.inner.consume(1);
        self.pos += 1;
        Ok(Some(b))
    }

    /// Whether the input is at its end.
    pub fn at_end(&mut self) -> Result<bool, HeaderError> {
        Ok(self.available()?.is_empty())
    }

    /// The next byte without consuming it.
    pub fn peek(&mut self) -> Result<Option<u8>, HeaderError> {
        Ok(self.available()?.first().copied())
    }

    /// `N` bytes.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], HeaderError> {
        let mut buf = [0u8; N];
        self.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// `n` bytes into a new buffer; `n` must be at most `limit` and must exist.
    pub fn bytes(&mut self, n: u64, limit: u64, field: &str) -> Result<Vec<u8>, HeaderError> {
        if n > limit {
            return Err(HeaderError::Limit(format!(
                "{field} at offset {} claims {n} bytes, more than the {limit} this reader accepts",
                self.pos
            )));
        }
        self.ensure(n, field)?;
        // `n` is at most `limit`, which the callers keep small.
        let mut buf = vec![0u8; n as usize];
        self.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// Skips `n` bytes, which must exist.
    pub fn skip(&mut self, n: u64, field: &str) -> Result<(), HeaderError> {
        self.ensure(n, field)?;
        if !self.inner.seekable() {
            self.charge(n)?;
        }
        self.inner.skip(n).map_err(|e| self.io(e))?;
        self.pos += n;
        Ok(())
    }

    /// A line ending in `\n` (not included), at most `limit` bytes long.
    pub fn line(&mut self, limit: usize, field: &str) -> Result<Vec<u8>, HeaderError> {
        let mut out = Vec::new();
        loop {
            match self.next_byte()? {
                None => return Err(HeaderError::Invalid(format!("the {} is truncated in {field}", self.what))),
                Some(b'\n') => return Ok(out),
                Some(b) if out.len() < limit => out.push(b),
                Some(_) => {
                    return Err(HeaderError::Limit(format!(
                        "{field} at offset {} is longer than {limit} bytes",
                        self.pos
                    )));
                }
            }
        }
    }
}

fn io_error(e: io::Error, what: &str, pos: u64) -> HeaderError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        HeaderError::Invalid(format!("the {what} is truncated at offset {pos}"))
    } else {
        HeaderError::Io(e.to_string())
    }
}
