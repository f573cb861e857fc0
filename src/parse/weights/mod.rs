//! Weight files: what their content is (by magic bytes, not only by name) and what their headers
//! say about themselves, read by small streaming readers of our own, one per format.
//!
//! The readers never read or map a weight body and never allocate a length a file claims: every
//! length field is checked against a hard limit and against the bytes really left before it is
//! used (`input.rs`). A header that breaks a limit or is corrupt ends its reader with an error
//! that is kept on the [`WeightHeader`] next to the facts read before it. Pickles are walked
//! opcode by opcode and never unpickled. Which imports are unsafe, which licence a header names,
//! and what to do about either is decided by later stages.

pub mod gguf;
pub mod input;
pub mod keras;
pub mod onnx;
pub mod pickle;
pub mod pytorch;
pub mod safetensors;

use std::{
    collections::BTreeMap,
    io::{self, BufReader, Cursor, Read, Seek, SeekFrom},
    path::Path,
};

use crate::{
    files,
    limits::{InputLimits, LimitName},
    model::{Artifact, HeaderLicence, Parsed, Problem, ProblemKind, WeightFile},
    vocab::WeightFormat,
};

/// Longest metadata value kept in the report, in characters; longer values are shortened.
pub const MAX_KEPT_VALUE: usize = 1024;
/// Most metadata entries kept per file.
pub const MAX_METADATA_ENTRIES: usize = 512;

/// Why a header could not be read to its end.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The bytes are not what the format says (corrupt, truncated, a length past the end).
    #[error("{0}")]
    Invalid(String),
    /// A length or count is larger than the reader accepts.
    #[error("{0}")]
    Limit(String),
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(String),
}

impl From<io::Error> for HeaderError {
    fn from(e: io::Error) -> Self {
        match e.get_ref().and_then(|inner| inner.downcast_ref::<LimitHit>()) {
            Some(hit) => HeaderError::Limit(hit.0.clone()),
            None => HeaderError::Io(e.to_string()),
        }
    }
}

/// A named limit hit inside a wrapped reader, carried through `io::Error` to the header reader.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LimitHit(pub String);

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// 8-byte little-endian header length, then a JSON object.
    Safetensors,
    /// `GGUF`.
    Gguf,
    /// A zip archive (PyTorch checkpoint, `.keras`, or something else).
    Zip,
    /// A pickle with a protocol 2–5 header.
    Pickle,
    /// HDF5 (Keras `.h5`).
    Hdf5,
    /// TensorFlow Lite flatbuffer (`TFL3`).
    Tflite,
    /// zlib- or gzip-compressed data (joblib's `compress=`); inflated and walked.
    Inflatable(Compression),
    /// Compressed with a codec we do not inflate (bz2, xz/lzma, lz4).
    Compressed(&'static str),
    /// A tar archive (PyTorch checkpoints before 0.4 were tars of pickles).
    Tar,
    /// A GGML-era llama.cpp file (before GGUF): no metadata keys to read.
    Ggml,
    /// No signature we know (protocol 0/1 pickles, ONNX and Core ML protobufs, raw dumps).
    Unknown,
}

/// Compressions joblib writes that we inflate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// zlib stream.
    Zlib,
    /// gzip member.
    Gzip,
}

/// How many bytes [`detect`] wants to see.
pub const HEAD: usize = 512;

/// The content a file's first bytes announce; `size` is the file's length.
pub fn detect(head: &[u8], size: u64) -> Content {
    let at = |i: usize, sig: &[u8]| head.get(i..i + sig.len()) == Some(sig);
    if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") {
        Content::Zip
    } else if at(0, b"GGUF") {
        Content::Gguf
    } else if head.len() >= 2 && head[0] == 0x80 && (2..=5).contains(&head[1]) {
        Content::Pickle
    } else if at(0, b"\x89HDF\r\n\x1a\n") {
        Content::Hdf5
    } else if at(4, b"TFL3") {
        Content::Tflite
    } else if is_safetensors(head, size) {
        Content::Safetensors
    } else if at(0, b"\x1f\x8b") {
        Content::Inflatable(Compression::Gzip)
    } else if head.len() >= 2 && head[0] == 0x78 && matches!(head[1], 0x01 | 0x5e | 0x9c | 0xda) {
        Content::Inflatable(Compression::Zlib)
    } else if at(0, b"BZh") {
        Content::Compressed("bzip2")
    } else if at(0, b"\xfd7zXZ\x00") || at(0, b"\x5d\x00\x00") {
        Content::Compressed("xz/lzma")
    } else if at(0, b"\x04\x22\x4d\x18") {
        Content::Compressed("lz4")
    } else if at(257, b"ustar") {
        Content::Tar
    } else if ["lmgg", "fmgg", "tjgg", "algg"].iter().any(|m| at(0, m.as_bytes())) {
        Content::Ggml
    } else {
        Content::Unknown
    }
}

/// A safetensors file starts with the JSON header's length, which must fit in the file, and the
/// header starts with `{`.
fn is_safetensors(head: &[u8], size: u64) -> bool {
    let Some(len) = head.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_le_bytes) else {
        return false;
    };
    len >= 2 && len <= size.saturating_sub(8) && head.get(8) == Some(&b'{')
}

/// The format magic bytes announce, for the formats that have one (zip archives are taken for
/// PyTorch checkpoints, pickles for PyTorch's legacy format).
pub fn sniff(head: &[u8]) -> Option<WeightFormat> {
    match detect(head, u64::MAX) {
        Content::Zip | Content::Pickle => Some(WeightFormat::Pytorch),
        Content::Gguf => Some(WeightFormat::Gguf),
        Content::Hdf5 => Some(WeightFormat::Hdf5),
        Content::Tflite => Some(WeightFormat::Tflite),
        Content::Safetensors => Some(WeightFormat::Safetensors),
        _ => None,
    }
}

/// Reads one discovered weight file: its content, and what its header says.
pub fn read(artifact: &Artifact, named: WeightFormat, limits: &InputLimits) -> Vec<Parsed> {
    let name = artifact.rel.rsplit('/').next().unwrap_or(&artifact.rel).to_ascii_lowercase();
    if name == "training_args.bin" || name.ends_with(".index") {
        return Vec::new();
    }
    read_limited(&artifact.path, artifact.seen, &artifact.rel, named, limits)
}

/// Reads a weight file whose name says it is `named` (also for files without an extension, such
/// as Ollama blobs), within the default limits. Returns the weight file, and a problem when the
/// file could not be read or a limit was hit.
pub fn read_as(path: &Path, rel: &str, named: WeightFormat) -> Vec<Parsed> {
    read_limited(path, files::Seen::Unchecked, rel, named, &InputLimits::default())
}

/// [`read_as`] within `limits`. Only a regular file is opened (never a FIFO or a device).
fn read_limited(path: &Path, seen: files::Seen, rel: &str, named: WeightFormat, limits: &InputLimits) -> Vec<Parsed> {
    match files::open_seen(path, seen) {
        Ok((file, size)) => outcome(inspect(file, size, rel, named, limits), rel),
        Err(e) => vec![problem(ProblemKind::Io, rel, format!("cannot read: {e}"))],
    }
}

/// [`read_as`] over bytes in memory (tests, fuzzing): the same readers, the same limits.
pub fn read_bytes(bytes: &[u8], rel: &str, named: WeightFormat, limits: &InputLimits) -> Vec<Parsed> {
    outcome(inspect(Cursor::new(bytes), bytes.len() as u64, rel, named, limits), rel)
}

fn problem(kind: ProblemKind, rel: &str, message: String) -> Parsed {
    Parsed::Problem(Problem { kind, file: rel.to_string(), line: None, message })
}

/// The facts of a read: the weight file, and an `io-error` or `limit-exceeded` problem when the
/// header was not read to its end for one of those reasons.
fn outcome(read: io::Result<Option<(WeightFile, Option<HeaderError>)>>, rel: &str) -> Vec<Parsed> {
    match read {
        Ok(Some((w, error))) => {
            let mut out = Vec::new();
            match error {
                Some(HeaderError::Io(message)) => {
                    out.push(problem(ProblemKind::Io, rel, format!("cannot read: {message}")));
                }
                Some(HeaderError::Limit(message)) => {
                    out.push(problem(
                        ProblemKind::Limit,
                        rel,
                        format!("{} header not read to its end: {message}", w.format),
                    ));
                }
                _ => {}
            }
            out.push(Parsed::Weights(w));
            out
        }
        Ok(None) => Vec::new(),
        Err(e) => vec![problem(ProblemKind::Io, rel, format!("cannot read: {e}"))],
    }
}

/// Detects and reads one file of `size` bytes. `None` for a `.bin` that is neither a known
/// format nor named like weights (arbitrary binaries are not taken for weights). A header
/// error is kept on the file (`header_error`) unless it is a limit or an I/O error, which the
/// caller reports as problems of their own.
fn inspect<R: Read + Seek>(
    mut file: R,
    size: u64,
    rel: &str,
    named: WeightFormat,
    limits: &InputLimits,
) -> io::Result<Option<(WeightFile, Option<HeaderError>)>> {
    let mut head = Vec::with_capacity(HEAD);
    (&mut file).take(HEAD as u64).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    let content = detect(&head, size);

    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    // `.bin` says "binary", nothing more: any content is at home there.
    let generic = name.ends_with(".bin") || !name.contains('.');
    if generic
        && named == WeightFormat::Pytorch
        && matches!(content, Content::Unknown)
        && !(name.contains("model") || name.contains("weight") || name.contains("adapter"))
    {
        return Ok(None);
    }

    let mut w = WeightFile::new(rel, named, size);
    let h = &mut w.header;
    let result = match content {
        Content::Safetensors => {
            w.format = WeightFormat::Safetensors;
            safetensors::read(BufReader::new(file), size, h, limits)
        }
        Content::Gguf => {
            w.format = WeightFormat::Gguf;
            gguf::read(BufReader::new(file), size, h, limits)
        }
        Content::Zip => match zip_kind(file, size, limits) {
            Ok((mut archive, ZipKind::Torch)) => {
                w.format = WeightFormat::Pytorch;
                pytorch::read_zip(&mut archive, h, limits)
            }
            Ok((mut archive, ZipKind::Keras)) => {
                w.format = WeightFormat::Keras;
                keras::read_zip(&mut archive, h, limits)
            }
            Ok((mut archive, ZipKind::Other)) => match named {
                WeightFormat::Pytorch | WeightFormat::Keras | WeightFormat::Pickle | WeightFormat::Joblib => {
                    pytorch::read_other_zip(&mut archive, h, limits)
                }
                _ => Err(HeaderError::Invalid(format!("a zip archive, not a {named} file"))),
            },
            Err(e) => Err(e),
        },
        Content::Pickle | Content::Inflatable(_) | Content::Compressed(_) | Content::Tar => {
            w.format = match named {
                WeightFormat::Pytorch | WeightFormat::Pickle | WeightFormat::Joblib => named,
                _ => WeightFormat::Pickle,
            };
            pickle::read_file(file, size, content, h, limits)
        }
        Content::Hdf5 => {
            w.format = WeightFormat::Hdf5;
            keras::read_hdf5(BufReader::new(file), size, h, limits)
        }
        Content::Tflite => {
            w.format = WeightFormat::Tflite;
            Ok(())
        }
        Content::Ggml => {
            h.notes.push("GGML file from before GGUF: it carries no metadata keys".into());
            Ok(())
        }
        Content::Unknown => match named {
            WeightFormat::Safetensors => safetensors::read(BufReader::new(file), size, h, limits),
            WeightFormat::Gguf => Err(HeaderError::Invalid("the file does not start with the GGUF magic".into())),
            WeightFormat::Onnx => onnx::read(BufReader::new(file), size, h, limits),
            WeightFormat::Pickle | WeightFormat::Joblib => pickle::read_file(file, size, content, h, limits),
            WeightFormat::Pytorch if !generic => pickle::read_file(file, size, content, h, limits),
            WeightFormat::Pytorch => {
                h.notes.push("no known magic bytes: raw tensor data or a format not read".into());
                Ok(())
            }
            WeightFormat::Hdf5 => Err(HeaderError::Invalid("the file does not start with the HDF5 signature".into())),
            WeightFormat::Keras => Err(HeaderError::Invalid("the file is not a zip archive".into())),
            WeightFormat::Tflite | WeightFormat::Msgpack | WeightFormat::Coreml => Ok(()),
        },
    };
    if w.format != named && !generic {
        w.header.extension_format = Some(named);
    }
    let error = result.err();
    if let Some(e @ HeaderError::Invalid(_)) = &error {
        w.header.header_error = Some(e.to_string());
    }
    Ok(Some((w, error)))
}

/// What a zip archive holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ZipKind {
    /// `torch.save`: `<archive>/data.pkl` and storages.
    Torch,
    /// Keras v3: `config.json` (and `metadata.json`, `model.weights.h5`) at the top.
    Keras,
    /// Neither.
    Other,
}

/// A zip archive over any seekable reader (a file, bytes in memory).
pub type Archive<R> = zip::ZipArchive<BufReader<R>>;

fn zip_kind<R: Read + Seek>(file: R, size: u64, limits: &InputLimits) -> Result<(Archive<R>, ZipKind), HeaderError> {
    let mut reader = BufReader::new(file);
    check_zip_directory(&mut reader, size, limits.zip_members)?;
    reader.seek(SeekFrom::Start(0))?;
    let archive = zip::ZipArchive::new(reader).map_err(|e| HeaderError::Invalid(format!("zip archive: {e}")))?;
    let names: Vec<&[u8]> = archive.file_names_raw().collect();
    let kind = if names.iter().any(|n| n.ends_with(b"/data.pkl") || *n == b"data.pkl") {
        ZipKind::Torch
    } else if names.contains(&&b"config.json"[..])
        && (names.contains(&&b"metadata.json"[..]) || names.iter().any(|n| n.ends_with(b".weights.h5")))
    {
        ZipKind::Keras
    } else {
        ZipKind::Other
    };
    Ok((archive, kind))
}

/// Checks the end-of-central-directory record before the zip crate sizes anything by it: the
/// directory must lie inside the file, and the entry count must fit in it and under the
/// `zip-members` limit.
fn check_zip_directory<R: Read + Seek>(
    reader: &mut BufReader<R>,
    size: u64,
    max_members: u64,
) -> Result<(), HeaderError> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let tail_len = size.min(22 + 65_535);
    reader.seek(SeekFrom::Start(size - tail_len))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    reader.take(tail_len).read_to_end(&mut tail)?;
    let Some(at) = tail.windows(4).rposition(|w| w == EOCD) else {
        return Err(HeaderError::Invalid("zip archive: no end-of-central-directory record".into()));
    };
    let record = &tail[at..];
    let u16_at = |i: usize| record.get(i..i + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u64);
    let u32_at = |i: usize| record.get(i..i + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64);
    let (mut entries, mut dir_size, mut dir_offset) = (u16_at(10), u32_at(12), u32_at(16));
    // ZIP64: the locator sits just before the record and points at the 64-bit record.
    let locator = (at >= 20).then(|| &tail[at - 20..at]).filter(|l| l.starts_with(b"PK\x06\x07"));
    if let Some(l) = locator {
        let mut off = [0u8; 8];
        off.copy_from_slice(&l[8..16]);
        let off = u64::from_le_bytes(off);
        if off.checked_add(56).is_none_or(|end| end > size) {
            return Err(HeaderError::Invalid("zip archive: the ZIP64 record lies outside the file".into()));
        }
        reader.seek(SeekFrom::Start(off))?;
        let mut rec = [0u8; 56];
        reader.read_exact(&mut rec)?;
        if &rec[..4] != b"PK\x06\x06" {
            return Err(HeaderError::Invalid("zip archive: bad ZIP64 end-of-central-directory record".into()));
        }
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&rec[i..i + 8]);
            u64::from_le_bytes(b)
        };
        entries = u64_at(32);
        dir_size = u64_at(40);
        dir_offset = u64_at(48);
    }
    if dir_offset.checked_add(dir_size).is_none_or(|end| end > size) {
        return Err(HeaderError::Invalid(format!(
            "zip archive: the central directory claims {dir_size} bytes at offset {dir_offset}, past the end of the {size}-byte file"
        )));
    }
    if entries > dir_size / 46 {
        return Err(HeaderError::Invalid(format!(
            "zip archive: claims {entries} entries in a {dir_size}-byte central directory (room for at most {})",
            dir_size / 46
        )));
    }
    if entries > max_members {
        return Err(HeaderError::Limit(format!(
            "zip archive: {entries} members, more than {max_members} ({})",
            LimitName::ZipMembers.exceeded(max_members)
        )));
    }
    Ok(())
}

/// The licence fields among a header's `(key, value)` pairs: `license`/`licence` (or ONNX's
/// `model_license`) is the id, `license_name` the name, `license_link`/`license_url` the link.
/// A URL given as the id is taken as the link.
pub fn licence_fields<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<HeaderLicence> {
    let mut l = HeaderLicence::default();
    for (key, value) in pairs {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let key = key.to_ascii_lowercase().replace(['-', '.'], "_");
        let slot = match key.as_str() {
            "license" | "licence" | "model_license" | "general_license" => {
                if value.starts_with("http://") || value.starts_with("https://") { &mut l.link } else { &mut l.license }
            }
            "license_name" | "licence_name" | "general_license_name" => &mut l.name,
            "license_link" | "licence_link" | "license_url" | "licence_url" | "general_license_link" => &mut l.link,
            _ => continue,
        };
        slot.get_or_insert_with(|| shorten(value));
    }
    (l != HeaderLicence::default()).then_some(l)
}

/// A string cut to [`MAX_KEPT_VALUE`] characters, with control characters escaped so no header
/// can write terminal escapes into a report.
pub fn shorten(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX_KEPT_VALUE {
            out.push('…');
            break;
        }
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Adds a metadata entry unless the map is full.
pub fn keep(
    metadata: &mut BTreeMap<String, serde_json::Value>,
    notes: &mut Vec<String>,
    key: &str,
    value: serde_json::Value,
) {
    if metadata.len() < MAX_METADATA_ENTRIES {
        metadata.insert(shorten(key), value);
    } else if metadata.len() == MAX_METADATA_ENTRIES && !notes.iter().any(|n| n.starts_with("metadata: only the first"))
    {
        notes.push(format!("metadata: only the first {MAX_METADATA_ENTRIES} entries are kept"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(detect(b"PK\x03\x04rest", 100), Content::Zip);
        assert_eq!(detect(b"GGUF\x03\0\0\0", 100), Content::Gguf);
        assert_eq!(detect(b"\x80\x02}q\0", 100), Content::Pickle);
        assert_eq!(detect(b"\x08\x00\x00\x00\x00\x00\x00\x00{\"a\":1}", 100), Content::Safetensors);
        assert_eq!(detect(b"\x08\x00\x00\x00\x00\x00\x00\x00{\"a\":1}", 10), Content::Unknown, "header past the end");
        assert_eq!(detect(b"\x78\x9c\x00", 100), Content::Inflatable(Compression::Zlib));
        assert_eq!(detect(b"hello", 100), Content::Unknown);
        assert_eq!(detect(b"", 0), Content::Unknown);
        assert_eq!(sniff(b"\x80\x02}q\0"), Some(WeightFormat::Pytorch));
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn licence_fields_follow_the_card_keys() {
        let l = licence_fields([("license", "apache-2.0"), ("format", "pt")]).unwrap();
        assert_eq!(l.license.as_deref(), Some("apache-2.0"));
        let l = licence_fields([("model_license", "https://example.org/licence")]).unwrap();
        assert_eq!(l.link.as_deref(), Some("https://example.org/licence"));
        assert!(licence_fields([("format", "pt")]).is_none());
    }

    #[test]
    fn shortening_escapes_control_characters() {
        assert_eq!(shorten("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(shorten(&"x".repeat(2000)).chars().count(), MAX_KEPT_VALUE + 1);
    }
}
