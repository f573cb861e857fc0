//! Python pickles, walked opcode by opcode and never executed: every global a pickle imports
//! (`GLOBAL`, `INST`, `STACK_GLOBAL`, the `EXT*` extension codes) is listed.
//!
//! The walk keeps the unpickler's stack and memo in outline: strings are tracked (pushed, put in
//! the memo by `PUT`/`BINPUT`/`LONG_BINPUT`/`MEMOIZE`, fetched by `GET`/`BINGET`/`LONG_BINGET`,
//! duplicated, popped), everything else is an opaque value. So a `STACK_GLOBAL` names the module
//! and attribute the unpickler would import, however the strings got onto the stack; when an
//! operand is not a string we tracked (it was computed by a call), the import is listed with
//! `<computed>` in its place, which no allow-list accepts.
//!
//! Protocols 0–5 are read. The walk ends where Python's unpickler would stop (`STOP`, or an error
//! such as a truncated stream, an unknown opcode or a stack underflow: the file is then corrupt,
//! and nothing after that point could run). Where we stop and Python would not (one of our
//! limits, a compressed file we do not inflate, joblib's arrays embedded in the stream) the scan
//! is marked unverified.

use std::{
    collections::{BTreeSet, HashMap},
    io::{BufReader, Read, Seek, SeekFrom},
    rc::Rc,
};

use flate2::read::{GzDecoder, ZlibDecoder};

use super::{
    Compression, Content, HeaderError,
    input::{Input, Ratio, Source, Stream},
};
use crate::{
    limits::{InputLimits, LimitName},
    model::{PickleScan, WeightHeader},
};

/// Most values on the stack (marks included).
pub const MAX_STACK: usize = 1 << 20;
/// Most memo entries.
pub const MAX_MEMO: usize = 1 << 19;
/// Longest string kept for `STACK_GLOBAL`; longer strings are opaque.
pub const MAX_TRACKED_STRING: u64 = 256;
/// Total bytes of strings kept; past it strings are opaque.
pub const MAX_TRACKED_BYTES: u64 = 32 << 20;
/// Longest text line (`GLOBAL` module and name, protocol 0 arguments).
pub const MAX_LINE: usize = 4096;
/// Most distinct imports listed.
pub const MAX_IMPORTS: usize = 4096;
/// Most pickle streams walked in one file.
const MAX_STREAMS: usize = 16;

/// `torch.save`'s legacy (pre-1.6) format opens with this pickle: protocol 2, the magic number
/// 0x1950a86a20f9469cfc6c as a `LONG1`, `STOP`.
const LEGACY_TORCH: &[u8] = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";

/// joblib writes numpy arrays into the stream right after this object's `BUILD`.
const JOBLIB_ARRAY: [&str; 2] =
    ["joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper"];

/// Walks the pickles of a non-zip file: a raw pickle, a legacy torch file (five concatenated
/// pickles, then raw storages), a zlib/gzip-compressed joblib file.
pub fn read_file<R: Read + Seek>(
    mut file: R,
    size: u64,
    content: Content,
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
    let mut walker = Walker::new(limits);
    let budget = limits.weight_header;
    let mut scan = PickleScan::default();
    let result = match content {
        Content::Compressed(codec) => {
            scan.unverified = Some(format!("compressed with {codec}, which is not inflated: its pickle is not walked"));
            Ok(())
        }
        Content::Tar => {
            scan.unverified = Some("a tar archive (PyTorch before 0.4): its pickles are not walked".into());
            Ok(())
        }
        Content::Inflatable(c) => {
            h.notes.push(format!("{} compressed (joblib `compress=`): inflated while walking", c.name()));
            let source = BufReader::new(file);
            // Inflated bytes per compressed byte are bounded as for zip members.
            let name = format!("the {} stream", c.name());
            fn bounded<R: Read>(r: R, size: u64, limits: &InputLimits, name: &str) -> Stream<Ratio<R>> {
                Stream(BufReader::new(Ratio::new(r, size, limits.zip_ratio, name)))
            }
            match c {
                Compression::Zlib => walk_streams(
                    Input::new(bounded(ZlibDecoder::new(source), size, limits, &name), None, budget, "pickle"),
                    "pickle",
                    1,
                    &mut walker,
                    &mut scan,
                ),
                Compression::Gzip => walk_streams(
                    Input::new(bounded(GzDecoder::new(source), size, limits, &name), None, budget, "pickle"),
                    "pickle",
                    1,
                    &mut walker,
                    &mut scan,
                ),
            }
        }
        _ => {
            let mut head = [0u8; LEGACY_TORCH.len()];
            let legacy = std::io::Read::read_exact(&mut file, &mut head).is_ok() && head == LEGACY_TORCH;
            file.seek(SeekFrom::Start(0))?;
            let streams = if legacy {
                h.notes.push(
                    "legacy torch.save format (PyTorch before 1.6): concatenated pickles, then raw storages".into(),
                );
                5
            } else {
                1
            };
            walk_streams(
                Input::new(BufReader::new(file), Some(size), budget, "pickle"),
                "pickle",
                streams,
                &mut walker,
                &mut scan,
            )
        }
    };
    finish(walker, scan, result, h)
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::Zlib => "zlib",
            Compression::Gzip => "gzip",
        }
    }
}

/// Walks up to `count` pickles one after the other, recorded as `name` (`name 1`… when several
/// are expected).
pub fn walk_streams<S: Source>(
    mut input: Input<S>,
    name: &str,
    count: usize,
    walker: &mut Walker,
    scan: &mut PickleScan,
) -> Result<(), HeaderError> {
    for i in 1..=count.min(MAX_STREAMS) {
        if i > 1 && input.at_end()? {
            break;
        }
        scan.streams.push(if count == 1 { name.to_string() } else { format!("{name} {i}") });
        walker.walk(&mut input)?;
    }
    Ok(())
}

/// Ends a scan: a limit of ours (or a joblib array) makes it unverified, corruption is a header
/// error; the imports found so far are kept either way.
pub fn finish(
    walker: Walker,
    mut scan: PickleScan,
    result: Result<(), HeaderError>,
    h: &mut WeightHeader,
) -> Result<(), HeaderError> {
    let joblib_array = JOBLIB_ARRAY.iter().any(|j| walker.imports.contains(*j));
    scan.imports = walker.imports.into_iter().collect();
    scan.protocol = walker.protocol;
    let out = match result {
        // Unverified, and reported as a limit hit by the caller.
        Err(HeaderError::Limit(m)) => {
            scan.unverified.get_or_insert(m.clone());
            Err(HeaderError::Limit(m))
        }
        Err(HeaderError::Invalid(m)) if joblib_array => {
            scan.unverified.get_or_insert(format!(
                "joblib stores numpy arrays inside the pickle stream and the walk cannot step over them ({m})"
            ));
            Ok(())
        }
        other => other,
    };
    h.pickle = Some(scan);
    out
}

/// A value on the unpickler's stack, in outline.
#[derive(Clone, Debug)]
enum Value {
    /// Anything we do not track.
    Other,
    /// A string (or bytes) short enough to track.
    Str(Rc<str>),
}

/// The walker's state across the pickles of one file.
#[derive(Debug)]
pub struct Walker {
    /// `module.name` of every import.
    pub imports: BTreeSet<String>,
    /// Highest protocol seen.
    pub protocol: Option<u8>,
    tracked_bytes: u64,
    stack: Vec<Value>,
    metastack: Vec<Vec<Value>>,
    depth: usize,
    memo: HashMap<u64, Value>,
    /// Opcodes walked so far, across the file's pickles, and the `pickle-opcodes` limit.
    opcodes: u64,
    max_opcodes: u64,
}

impl Default for Walker {
    fn default() -> Self {
        Walker::new(&InputLimits::default())
    }
}

impl Walker {
    /// A walker within `limits` (`pickle-opcodes`).
    pub fn new(limits: &InputLimits) -> Self {
        Walker {
            imports: BTreeSet::new(),
            protocol: None,
            tracked_bytes: 0,
            stack: Vec::new(),
            metastack: Vec::new(),
            depth: 0,
            memo: HashMap::new(),
            opcodes: 0,
            max_opcodes: limits.pickle_opcodes,
        }
    }
}

fn corrupt(at: u64, what: impl std::fmt::Display) -> HeaderError {
    HeaderError::Invalid(format!("pickle opcode at offset {at}: {what}"))
}

impl Walker {
    /// Walks one pickle to its `STOP`.
    pub fn walk<S: Source>(&mut self, input: &mut Input<S>) -> Result<(), HeaderError> {
        self.stack.clear();
        self.metastack.clear();
        self.depth = 0;
        self.memo.clear();
        loop {
            let at = input.pos();
            let Some(op) = input.next_byte()? else {
                return Err(corrupt(at, "the stream ends before STOP"));
            };
            self.opcodes += 1;
            if self.opcodes > self.max_opcodes {
                return Err(HeaderError::Limit(format!(
                    "stopped at offset {at} after {} opcodes ({})",
                    self.max_opcodes,
                    LimitName::PickleOpcodes.exceeded(self.max_opcodes)
                )));
            }
            if self.step(op, at, input)? {
                return Ok(());
            }
        }
    }

    fn push(&mut self, v: Value, at: u64) -> Result<(), HeaderError> {
        if self.depth >= MAX_STACK {
            return Err(HeaderError::Limit(format!(
                "pickle opcode at offset {at}: more than {MAX_STACK} values on the stack (a fixed limit of the pickle reader)"
            )));
        }
        self.depth += 1;
        self.stack.push(v);
        Ok(())
    }

    fn pop(&mut self, at: u64) -> Result<Value, HeaderError> {
        let v = self.stack.pop().ok_or_else(|| corrupt(at, "stack underflow"))?;
        self.depth -= 1;
        Ok(v)
    }

    fn top(&mut self, at: u64) -> Result<&mut Value, HeaderError> {
        self.stack.last_mut().ok_or_else(|| corrupt(at, "stack underflow"))
    }

    fn mark(&mut self, at: u64) -> Result<(), HeaderError> {
        if self.depth >= MAX_STACK {
            return Err(HeaderError::Limit(format!(
                "pickle opcode at offset {at}: more than {MAX_STACK} marks (a fixed limit of the pickle reader)"
            )));
        }
        self.depth += 1;
        self.metastack.push(std::mem::take(&mut self.stack));
        Ok(())
    }

    fn pop_mark(&mut self, at: u64) -> Result<Vec<Value>, HeaderError> {
        let below = self.metastack.pop().ok_or_else(|| corrupt(at, "no MARK to pop to"))?;
        let items = std::mem::replace(&mut self.stack, below);
        self.depth -= items.len() + 1;
        Ok(items)
    }

    fn put(&mut self, key: u64, at: u64) -> Result<(), HeaderError> {
        let v = self.stack.last().cloned().ok_or_else(|| corrupt(at, "memo put from an empty stack"))?;
        if self.memo.len() >= MAX_MEMO && !self.memo.contains_key(&key) {
            return Err(HeaderError::Limit(format!(
                "pickle opcode at offset {at}: more than {MAX_MEMO} memo entries (a fixed limit of the pickle reader)"
            )));
        }
        self.memo.insert(key, v);
        Ok(())
    }

    fn get(&mut self, key: u64, at: u64) -> Result<(), HeaderError> {
        let v = self.memo.get(&key).cloned().ok_or_else(|| corrupt(at, format!("memo key {key} was never set")))?;
        self.push(v, at)
    }

    fn import(&mut self, module: &str, name: &str, at: u64) -> Result<(), HeaderError> {
        if self.imports.len() >= MAX_IMPORTS {
            return Err(HeaderError::Limit(format!(
                "pickle opcode at offset {at}: more than {MAX_IMPORTS} imports (a fixed limit of the pickle reader)"
            )));
        }
        self.imports.insert(format!("{}.{}", printable(module), printable(name)));
        Ok(())
    }

    /// A string argument of `len` bytes: kept when short, stepped over otherwise.
    fn data<S: Source>(&mut self, input: &mut Input<S>, len: u64, at: u64) -> Result<Value, HeaderError> {
        if len <= MAX_TRACKED_STRING && self.tracked_bytes + len <= MAX_TRACKED_BYTES {
            let bytes = input.bytes(len, MAX_TRACKED_STRING, "a pickle string")?;
            self.tracked_bytes += len;
            return Ok(Value::Str(Rc::from(String::from_utf8_lossy(&bytes).as_ref())));
        }
        input.skip(len, "a pickle string").map_err(|e| match e {
            HeaderError::Invalid(_) => corrupt(at, format!("a {len}-byte argument runs past the end of the file")),
            e => e,
        })?;
        Ok(Value::Other)
    }

    fn text(&mut self, s: String) -> Value {
        let len = s.len() as u64;
        if len <= MAX_TRACKED_STRING && self.tracked_bytes + len <= MAX_TRACKED_BYTES {
            self.tracked_bytes += len;
            Value::Str(Rc::from(s))
        } else {
            Value::Other
        }
    }

    /// One opcode; `true` at `STOP`.
    fn step<S: Source>(&mut self, op: u8, at: u64, input: &mut Input<S>) -> Result<bool, HeaderError> {
        let line = |input: &mut Input<S>| input.line(MAX_LINE, "a pickle text argument");
        match op {
            b'.' => return Ok(true),
            // PROTO
            0x80 => {
                let p = input.array::<1>()?[0];
                if p > 5 {
                    return Err(corrupt(at, format!("unsupported protocol {p}")));
                }
                self.protocol = Some(self.protocol.map_or(p, |q| q.max(p)));
            }
            // FRAME: a length prefix for the opcodes that follow; they are read as they come.
            0x95 => {
                input.array::<8>()?;
            }
            b'(' => self.mark(at)?,
            b'0' => {
                if self.stack.is_empty() {
                    self.pop_mark(at)?;
                } else {
                    self.pop(at)?;
                }
            }
            b'1' => {
                self.pop_mark(at)?;
            }
            b'2' => {
                let v = self.top(at)?.clone();
                self.push(v, at)?;
            }
            // Numbers and constants.
            b'F' | b'I' | b'L' => {
                line(input)?;
                self.push(Value::Other, at)?;
            }
            b'J' => {
                input.array::<4>()?;
                self.push(Value::Other, at)?;
            }
            b'K' => {
                input.array::<1>()?;
                self.push(Value::Other, at)?;
            }
            b'M' => {
                input.array::<2>()?;
                self.push(Value::Other, at)?;
            }
            b'G' => {
                input.array::<8>()?;
                self.push(Value::Other, at)?;
            }
            0x8a => {
                let n = input.array::<1>()?[0];
                input.skip(u64::from(n), "a LONG1 argument")?;
                self.push(Value::Other, at)?;
            }
            0x8b => {
                let n = i32::from_le_bytes(input.array::<4>()?);
                let n = u64::try_from(n).map_err(|_| corrupt(at, "LONG4 with a negative length"))?;
                input.skip(n, "a LONG4 argument")?;
                self.push(Value::Other, at)?;
            }
            b'N' | 0x88 | 0x89 | b'}' | b']' | b')' | 0x8f => self.push(Value::Other, at)?,
            // Strings and bytes.
            b'S' => {
                let raw = line(input)?;
                let quoted = raw.len() >= 2 && raw[0] == raw[raw.len() - 1] && matches!(raw[0], b'\'' | b'"');
                if !quoted {
                    return Err(corrupt(at, "STRING argument is not quoted"));
                }
                let v = self.text(String::from_utf8_lossy(&escape_decode(&raw[1..raw.len() - 1])).into_owned());
                self.push(v, at)?;
            }
            b'V' => {
                let raw = line(input)?;
                let v = self.text(raw_unicode_escape(&raw));
                self.push(v, at)?;
            }
            b'T' => {
                let n = i32::from_le_bytes(input.array::<4>()?);
                let n = u64::try_from(n).map_err(|_| corrupt(at, "BINSTRING with a negative length"))?;
                let v = self.data(input, n, at)?;
                self.push(v, at)?;
            }
            b'B' | b'X' => {
                let n = u32::from_le_bytes(input.array::<4>()?);
                let v = self.data(input, u64::from(n), at)?;
                self.push(v, at)?;
            }
            b'U' | b'C' | 0x8c => {
                let n = input.array::<1>()?[0];
                let v = self.data(input, u64::from(n), at)?;
                self.push(v, at)?;
            }
            0x8d | 0x8e | 0x96 => {
                let n = u64::from_le_bytes(input.array::<8>()?);
                let v = self.data(input, n, at)?;
                self.push(v, at)?;
            }
            // Out-of-band buffers (protocol 5).
            0x97 => self.push(Value::Other, at)?,
            0x98 => {
                self.top(at)?;
            }
            // Containers.
            b'a' | b'b' => {
                self.pop(at)?;
                *self.top(at)? = Value::Other;
            }
            b's' => {
                self.pop(at)?;
                self.pop(at)?;
                *self.top(at)? = Value::Other;
            }
            b'e' | b'u' | 0x90 => {
                self.pop_mark(at)?;
                *self.top(at)? = Value::Other;
            }
            b'd' | b'l' | b't' | 0x91 => {
                self.pop_mark(at)?;
                self.push(Value::Other, at)?;
            }
            0x85 => *self.top(at)? = Value::Other,
            0x86 | 0x87 => {
                let n = if op == 0x86 { 1 } else { 2 };
                for _ in 0..n {
                    self.pop(at)?;
                }
                *self.top(at)? = Value::Other;
            }
            // Memo: PUT/GET (decimal line), BINPUT/BINGET (u8), LONG_BINPUT/LONG_BINGET (u32).
            b'p' | b'q' | b'r' | b'g' | b'h' | b'j' => {
                let key = match op {
                    b'p' | b'g' => memo_key(&line(input)?, at)?,
                    b'q' | b'h' => u64::from(input.array::<1>()?[0]),
                    _ => u64::from(u32::from_le_bytes(input.array::<4>()?)),
                };
                if matches!(op, b'p' | b'q' | b'r') {
                    self.put(key, at)?;
                } else {
                    self.get(key, at)?;
                }
            }
            // MEMOIZE: the next index is the memo's size, as in Python.
            0x94 => {
                let key = self.memo.len() as u64;
                self.put(key, at)?;
            }
            // Imports and calls.
            b'c' | b'i' => {
                let module = utf8(line(input)?, at)?;
                let name = utf8(line(input)?, at)?;
                self.import(&module, &name, at)?;
                if op == b'i' {
                    self.pop_mark(at)?;
                }
                self.push(Value::Other, at)?;
            }
            0x93 => {
                let name = self.pop(at)?;
                let module = self.pop(at)?;
                let word = |v: &Value| match v {
                    Value::Str(s) => s.to_string(),
                    Value::Other => "<computed>".to_string(),
                };
                self.import(&word(&module), &word(&name), at)?;
                self.push(Value::Other, at)?;
            }
            0x82..=0x84 => {
                let code = match op {
                    0x82 => u32::from(input.array::<1>()?[0]),
                    0x83 => u32::from(u16::from_le_bytes(input.array::<2>()?)),
                    _ => u32::from_le_bytes(input.array::<4>()?),
                };
                self.import("copyreg", &format!("_inverted_registry[{code}]"), at)?;
                self.push(Value::Other, at)?;
            }
            b'R' => {
                self.pop(at)?;
                *self.top(at)? = Value::Other;
            }
            0x81 => {
                self.pop(at)?;
                *self.top(at)? = Value::Other;
            }
            0x92 => {
                self.pop(at)?;
                self.pop(at)?;
                *self.top(at)? = Value::Other;
            }
            b'o' => {
                let args = self.pop_mark(at)?;
                if args.is_empty() {
                    return Err(corrupt(at, "OBJ without a class"));
                }
                self.push(Value::Other, at)?;
            }
            b'P' => {
                line(input)?;
                self.push(Value::Other, at)?;
            }
            b'Q' => *self.top(at)? = Value::Other,
            _ => return Err(corrupt(at, format!("unknown opcode 0x{op:02x}"))),
        }
        Ok(false)
    }
}

fn utf8(bytes: Vec<u8>, at: u64) -> Result<String, HeaderError> {
    String::from_utf8(bytes).map_err(|_| corrupt(at, "GLOBAL name is not UTF-8"))
}

/// A `PUT`/`GET` argument: a decimal integer.
fn memo_key(line: &[u8], at: u64) -> Result<u64, HeaderError> {
    let text = std::str::from_utf8(line).unwrap_or("").trim();
    if text.starts_with('-') {
        return Err(corrupt(at, "negative memo index"));
    }
    text.parse::<u64>().map_err(|_| {
        HeaderError::Limit(format!(
            "pickle opcode at offset {at}: memo index `{}` is not a 64-bit number",
            printable(text)
        ))
    })
}

/// A name for a report: control characters escaped, at most 200 characters.
fn printable(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 200 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Python's `codecs.escape_decode`, as protocol 0 `STRING` arguments use it.
fn escape_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != b'\\' || i >= s.len() {
            out.push(c);
            continue;
        }
        let e = s[i];
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'x' => {
                let hex = s
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.extend_from_slice(b"\\x"),
                }
            }
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            _ => {
                out.push(b'\\');
                out.push(e);
            }
        }
    }
    out
}

/// Python's `raw-unicode-escape` decoding, as protocol 0 `UNICODE` arguments use it: only
/// `\uXXXX` and `\UXXXXXXXX` are escapes, every other byte is a Latin-1 character.
fn raw_unicode_escape(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && matches!(s.get(i + 1), Some(b'u' | b'U')) {
            let n = if s[i + 1] == b'u' { 4 } else { 8 };
            let ch = s
                .get(i + 2..i + 2 + n)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32);
            if let Some(c) = ch {
                out.push(c);
                i += 2 + n;
                continue;
            }
        }
        out.push(char::from(s[i]));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(bytes: &[u8]) -> (Vec<String>, Result<(), HeaderError>) {
        let mut w = Walker::default();
        let mut input = Input::new(Stream(BufReader::new(bytes)), None, 256 << 20, "pickle");
        let r = w.walk(&mut input);
        (w.imports.into_iter().collect(), r)
    }

    #[test]
    fn protocol_0_global_and_reduce() {
        let (i, r) = imports(b"cposix\nsystem\n(S'echo hi'\ntR.");
        assert_eq!(i, ["posix.system"]);
        assert!(r.is_ok());
    }

    #[test]
    fn stack_global_follows_the_memo() {
        // "os" BINPUT 0, "system" BINPUT 1, pop both, BINGET 0, BINGET 1, STACK_GLOBAL.
        let p = b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x30\x30h\x00h\x01\x93)R.";
        let (i, r) = imports(p);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(i, ["os.system"]);
    }

    #[test]
    fn computed_operands_are_not_trusted() {
        // builtins.str() called, then used as a module name.
        let p = b"\x80\x04\x8c\x08builtins\x8c\x03str\x93)R\x8c\x06system\x93.";
        let (i, _) = imports(p);
        assert!(i.contains(&"<computed>.system".to_string()), "{i:?}");
    }

    #[test]
    fn corrupt_streams_end_the_walk() {
        assert!(matches!(imports(b"\x80\x02").1, Err(HeaderError::Invalid(_))), "truncated");
        assert!(matches!(imports(b"R.").1, Err(HeaderError::Invalid(_))), "underflow");
        assert!(matches!(imports(b"\xff").1, Err(HeaderError::Invalid(_))), "unknown opcode");
        assert!(matches!(imports(b"h\x05.").1, Err(HeaderError::Invalid(_))), "memo miss");
        // A string claiming 2^60 bytes: refused, not allocated.
        let mut p = b"\x80\x04\x8d".to_vec();
        p.extend_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(imports(&p).1.is_err());
    }

    #[test]
    fn protocol_0_strings_decode() {
        assert_eq!(escape_decode(br"a\x41\n\'"), b"aA\n'");
        assert_eq!(raw_unicode_escape(br"os\u0073"), "oss");
        let (i, r) = imports(b"(Vos\nVsystem\n\x93.");
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(i, ["os.system"]);
        let (i, r) = imports(b"Vos\n(Vsystem\n\x93.");
        assert!(r.is_err(), "STACK_GLOBAL sees only the values above the last MARK");
        assert!(i.is_empty());
        let (i, _) = imports(b"Vos\nS'sys\\x74em'\n\x93.");
        assert_eq!(i, ["os.system"]);
    }

    #[test]
    fn names_are_made_printable() {
        assert_eq!(printable("a\u{1b}b"), "a\\u{1b}b");
    }
}
