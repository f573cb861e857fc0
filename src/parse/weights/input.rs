//! A bounded byte source for the header readers: counts what it reads against a budget, skips
//! what it does not need (by seeking when it can), and checks every claimed length against the
//! bytes that are really left before acting on it. Nothing here allocates a length a file claims.

use std::io::{self, BufRead, BufReader, Read, Seek};

use super::{HeaderError, LimitHit};
use crate::limits::LimitName;

/// Something the readers can read from and skip in.
pub trait Source: BufRead {
    /// Moves `n` bytes forward without handing them out.
    fn skip(&mut self, n: u64) -> io::Result<()>;
    /// Whether skipping is free (a seek) rather than a read.
    fn seekable(&self) -> bool;
}

impl<R: Read + Seek> Source for BufReader<R> {
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
    total: u64,
    what: &'static str,
}

impl<S: Source> Input<S> {
    /// Reads from `inner`, which starts at offset 0 and holds `len` bytes when known, reading
    /// (not skipping) at most `budget` bytes (the `weight-header` limit); `what` names the
    /// structure in errors.
    pub fn new(inner: S, len: Option<u64>, budget: u64, what: &'static str) -> Self {
        Input { inner, pos: 0, len, budget, total: budget, what }
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
                "stopped reading at offset {}: the {} is longer than {} bytes ({})",
                self.pos,
                self.what,
                self.total,
                LimitName::WeightHeader.exceeded(self.total)
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

    /// `n` bytes into a new buffer; `n` must exist and be at most `limit` (a length past the
    /// end of the file is corruption, checked first; one that fits but is longer than the
    /// reader accepts is a limit).
    pub fn bytes(&mut self, n: u64, limit: u64, field: &str) -> Result<Vec<u8>, HeaderError> {
        self.ensure(n, field)?;
        if n > limit {
            return Err(HeaderError::Limit(format!(
                "{field} at offset {} claims {n} bytes, more than the {limit} this reader accepts",
                self.pos
            )));
        }
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

/// A read error as a header error: the end of the data is corruption, a limit hit by a wrapped
/// reader (a zip member inflating past its ratio) is a limit.
pub fn io_error(e: io::Error, what: &str, pos: u64) -> HeaderError {
    if let Some(hit) = e.get_ref().and_then(|inner| inner.downcast_ref::<LimitHit>()) {
        return HeaderError::Limit(hit.0.clone());
    }
    if e.kind() == io::ErrorKind::UnexpectedEof {
        HeaderError::Invalid(format!("the {what} is truncated at offset {pos}"))
    } else {
        HeaderError::Io(e.to_string())
    }
}

/// A reader that stops a zip member once it inflates to more than `ratio` bytes per compressed
/// byte (past a first MiB, so small members are never refused): the mark of a zip bomb.
pub struct Ratio<R> {
    inner: R,
    read: u64,
    allowed: u64,
    compressed: u64,
    ratio: u64,
    name: String,
}

/// Bytes any member may inflate to whatever its ratio.
const RATIO_SLACK: u64 = 1 << 20;

impl<R: Read> Ratio<R> {
    /// Wraps a member of `compressed` bytes (as the archive says), named `name` in messages
    /// (``zip member `data.pkl` ``).
    pub fn new(inner: R, compressed: u64, ratio: u64, name: &str) -> Self {
        let allowed = compressed.saturating_mul(ratio).saturating_add(RATIO_SLACK);
        Ratio { inner, read: 0, allowed, compressed, ratio, name: name.to_string() }
    }
}

impl<R: Read> Read for Ratio<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.allowed {
            return Err(io::Error::other(LimitHit(format!(
                "{} inflates past {} bytes from {} compressed bytes, more than {} to 1 ({})",
                self.name,
                self.allowed,
                self.compressed,
                self.ratio,
                LimitName::ZipRatio.exceeded(self.ratio)
            ))));
        }
        Ok(n)
    }
}

/// Longest JSON string [`JsonStrings`] lets through.
pub const MAX_JSON_STRING: u64 = 1 << 20;

/// A reader of JSON text that fails on a string longer than [`MAX_JSON_STRING`] bytes, so a
/// streaming parser (which buffers one string at a time) never holds more than that, whatever
/// the header's length.
pub struct JsonStrings<R> {
    inner: R,
    in_string: bool,
    escaped: bool,
    run: u64,
}

impl<R: Read> JsonStrings<R> {
    /// Wraps JSON text.
    pub fn new(inner: R) -> Self {
        JsonStrings { inner, in_string: false, escaped: false, run: 0 }
    }
}

impl<R: Read> Read for JsonStrings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in buf.get(..n).unwrap_or_default() {
            if !self.in_string {
                if b == b'"' {
                    self.in_string = true;
                    self.run = 0;
                }
                continue;
            }
            self.run += 1;
            if self.run > MAX_JSON_STRING {
                return Err(io::Error::other(LimitHit(format!(
                    "a JSON string is longer than {MAX_JSON_STRING} bytes (a fixed limit of the reader)"
                ))));
            }
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
        }
        Ok(n)
    }
}
