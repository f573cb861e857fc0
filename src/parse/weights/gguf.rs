//! GGUF (llama.cpp): `GGUF`, a version, the tensor and key counts, typed key/value pairs, then
//! one info record per tensor, then the tensor data (never read).
//!
//! Versions 1–3 are read, little- or big-endian. Every count and length is checked against the
//! bytes left in the file before it is used, so a header claiming a 2^60-element array or a
//! string longer than the file ends the reader at once with an error instead of an allocation.
//! Long strings and large arrays (tokenizer vocabularies) are stepped over, not kept.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::{BufReader, Read, Seek},
};

use serde_json::{Value, json};

use super::{
    HeaderError,
    input::{Input, Source},
    keep, licence_fields, shorten,
};
use crate::{limits::InputLimits, model::WeightHeader};

/// Longest key (the specification's limit).
pub const MAX_KEY: u64 = 65_535;
/// Longest string value read; longer ones are stepped over.
pub const MAX_STRING: u64 = 1 << 16;
/// Arrays up to this many elements are kept in the metadata; longer ones are stepped over.
pub const MAX_KEPT_ARRAY: u64 = 64;
/// Most tensor infos read for the parameter count.
pub const MAX_TENSORS: u64 = 1 << 20;
/// Most dimensions a tensor may have (ggml has 4).
pub const MAX_DIMS: u32 = 8;
/// How deep arrays of arrays may nest.
const MAX_NESTING: u32 = 4;

/// Reads the header of a GGUF file of `size` bytes into `h`, reading (not skipping) at most
/// the `weight-header` limit: keys, kept values, tensor infos.
pub fn read<R: Read + Seek>(
    file: BufReader<R>,
    size: u64,
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
    let mut input = Input::new(file, Some(size), limits.weight_header, "GGUF header");
    read_from(&mut input, h)
}

/// Reads a GGUF header from any source.
pub fn read_from<S: Source>(input: &mut Input<S>, h: &mut WeightHeader) -> Result<(), HeaderError> {
    if &input.array::<4>()? != b"GGUF" {
        return Err(HeaderError::Invalid("the file does not start with the GGUF magic".into()));
    }
    let raw = input.array::<4>()?;
    let (version, big_endian) = match (u32::from_le_bytes(raw), u32::from_be_bytes(raw)) {
        (v @ 1..=3, _) => (v, false),
        (_, v @ 1..=3) => (v, true),
        (v, _) => return Err(HeaderError::Invalid(format!("unknown GGUF version {v}"))),
    };
    let mut r = Reader { input, big_endian, wide: version >= 2 };
    let tensor_count = r.count()?;
    let kv_count = r.count()?;
    // A pair is at least a key length, a type and a one-byte value.
    let min_pair = if r.wide { 8 } else { 4 } + 4 + 1;
    r.fits(kv_count, min_pair, "the key/value count")?;
    let mut facts = Facts::default();
    keep(&mut h.metadata, &mut h.notes, "gguf.version", json!(version));
    if big_endian {
        h.notes.push("big-endian GGUF".into());
    }
    let result = (|| -> Result<(), HeaderError> {
        for _ in 0..kv_count {
            r.pair(h, &mut facts)?;
        }
        Ok(())
    })();
    facts.apply(h);
    result?;
    // A tensor info is at least a name length, a dimension count, a type and an offset.
    r.fits(tensor_count, if r.wide { 8 } else { 4 } + 4 + 4 + 8, "the tensor count")?;
    h.tensors = Some(tensor_count);
    if tensor_count > MAX_TENSORS {
        h.notes.push(format!("{tensor_count} tensors: more than {MAX_TENSORS}, parameters not counted"));
        return Ok(());
    }
    let mut parameters: Option<u64> = Some(0);
    let mut dtypes = BTreeSet::new();
    for _ in 0..tensor_count {
        let len = r.count()?;
        r.skip_checked(len, MAX_KEY, "a tensor name")?;
        let dims = r.u32()?;
        if dims > MAX_DIMS {
            return Err(HeaderError::Invalid(format!("a tensor claims {dims} dimensions (ggml has at most 4)")));
        }
        let mut elements = Some(1u64);
        for _ in 0..dims {
            let d = r.u64()?;
            elements = elements.and_then(|e| e.checked_mul(d));
        }
        let ty = r.u32()?;
        let _offset = r.u64()?;
        parameters = match (parameters, elements) {
            (Some(p), Some(e)) => p.checked_add(e),
            _ => None,
        };
        if dtypes.len() < 64 {
            dtypes.insert(ggml_type(ty));
        }
    }
    h.parameters = parameters;
    h.dtypes = dtypes.into_iter().collect();
    Ok(())
}

/// Keys that feed fields of their own rather than only the metadata.
#[derive(Default)]
struct Facts {
    licence: Vec<(String, String)>,
    /// `general.base_model.{i}.{field}`.
    bases: BTreeMap<u64, BTreeMap<String, String>>,
}

impl Facts {
    fn apply(self, h: &mut WeightHeader) {
        h.licence = licence_fields(self.licence.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        for fields in self.bases.values() {
            let get = |k: &str| fields.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
            let hub_url = ["repo_url", "url"].iter().filter_map(|k| get(k)).find(|u| u.contains("huggingface.co/"));
            let id = match (hub_url, get("organization"), get("name")) {
                (Some(u), _, _) => u.to_string(),
                (None, Some(org), Some(name)) => format!("{org}/{name}"),
                (None, None, Some(name)) => name.to_string(),
                (None, _, None) => match get("repo_url").or_else(|| get("url")) {
                    Some(u) => u.to_string(),
                    None => continue,
                },
            };
            if !h.base_models.contains(&id) {
                h.base_models.push(id);
            }
        }
    }
}

struct Reader<'a, S> {
    input: &'a mut Input<S>,
    big_endian: bool,
    /// Versions 2 and 3 use 64-bit counts and lengths; version 1 used 32-bit ones.
    wide: bool,
}

impl<S: Source> Reader<'_, S> {
    fn u32(&mut self) -> Result<u32, HeaderError> {
        let b = self.input.array::<4>()?;
        Ok(if self.big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    fn u64(&mut self) -> Result<u64, HeaderError> {
        let b = self.input.array::<8>()?;
        Ok(if self.big_endian { u64::from_be_bytes(b) } else { u64::from_le_bytes(b) })
    }

    /// A count or length: 64-bit from version 2 on.
    fn count(&mut self) -> Result<u64, HeaderError> {
        if self.wide { self.u64() } else { self.u32().map(u64::from) }
    }

    /// Fails unless `count` items of at least `each` bytes fit in what is left.
    fn fits(&self, count: u64, each: u64, what: &str) -> Result<(), HeaderError> {
        let need = count.checked_mul(each);
        match (need, self.input.remaining()) {
            (Some(n), Some(left)) if n <= left => Ok(()),
            (_, None) => Ok(()),
            (_, Some(left)) => Err(HeaderError::Invalid(format!(
                "{what} at offset {} claims {count} entries of at least {each} bytes, more than the {left} bytes left",
                self.input.pos()
            ))),
        }
    }

    fn skip_checked(&mut self, len: u64, limit: u64, what: &str) -> Result<(), HeaderError> {
        self.input.ensure(len, what)?;
        if len > limit {
            return Err(HeaderError::Limit(format!("{what} claims {len} bytes (at most {limit} accepted)")));
        }
        self.input.skip(len, what)
    }

    /// A string of at most [`MAX_STRING`] bytes, or `None` (stepped over) when longer.
    fn string(&mut self, what: &str) -> Result<Option<String>, HeaderError> {
        let len = self.count()?;
        if len > MAX_STRING {
            self.input.skip(len, what)?;
            return Ok(None);
        }
        let bytes = self.input.bytes(len, MAX_STRING, what)?;
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    fn pair(&mut self, h: &mut WeightHeader, facts: &mut Facts) -> Result<(), HeaderError> {
        let len = self.count()?;
        let key = self.input.bytes(len, MAX_KEY, "a metadata key")?;
        let key = String::from_utf8_lossy(&key).into_owned();
        let ty = self.u32()?;
        if key == "tokenizer.chat_template" || key.starts_with("tokenizer.chat_template.") {
            h.chat_template = true;
            return self.skip_value(ty, &key, 0);
        }
        let value = self.value(ty, &key, 0)?;
        if let Some(s) = value.as_str() {
            if matches!(key.as_str(), "general.license" | "general.license.name" | "general.license.link") {
                facts.licence.push((key.clone(), s.to_string()));
            }
            if let Some(rest) = key.strip_prefix("general.base_model.")
                && let Some((i, field)) = rest.split_once('.')
                && let Ok(i) = i.parse::<u64>()
                && i < 64
            {
                facts.bases.entry(i).or_default().insert(field.to_string(), s.to_string());
            }
        }
        if key == "general.file_type"
            && let Some(t) = value.as_u64()
        {
            h.quantisation = Some(file_type(t));
        }
        keep(&mut h.metadata, &mut h.notes, &key, value);
        Ok(())
    }

    /// A value as JSON; large arrays and long strings become a short description.
    fn value(&mut self, ty: u32, key: &str, depth: u32) -> Result<Value, HeaderError> {
        Ok(match ty {
            0 => json!(self.input.array::<1>()?[0]),
            1 => json!(self.input.array::<1>()?[0] as i8),
            2 => json!(self.bytes2()?),
            3 => json!(self.bytes2()? as i16),
            4 => json!(self.u32()?),
            5 => json!(self.u32()? as i32),
            6 => json!(f32::from_bits(self.u32()?)),
            7 => json!(self.input.array::<1>()?[0] != 0),
            8 => match self.string(key)? {
                Some(s) => Value::String(shorten(&s)),
                None => Value::String("(a string too long to keep)".into()),
            },
            9 => {
                let elem = self.u32()?;
                let count = self.count()?;
                self.fits(count, min_size(elem), &format!("array `{}`", shorten(key)))?;
                if count <= MAX_KEPT_ARRAY && elem != 9 {
                    let mut items = Vec::new();
                    for _ in 0..count {
                        items.push(self.value(elem, key, depth + 1)?);
                    }
                    Value::Array(items)
                } else {
                    self.skip_elements(elem, count, key, depth + 1)?;
                    Value::String(format!("(array of {count} {})", type_name(elem)))
                }
            }
            10 => json!(self.u64()?),
            11 => json!(self.u64()? as i64),
            12 => json!(f64::from_bits(self.u64()?)),
            t => return Err(HeaderError::Invalid(format!("key `{}` has unknown value type {t}", shorten(key)))),
        })
    }

    fn bytes2(&mut self) -> Result<u16, HeaderError> {
        let b = self.input.array::<2>()?;
        Ok(if self.big_endian { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) })
    }

    fn skip_value(&mut self, ty: u32, key: &str, depth: u32) -> Result<(), HeaderError> {
        match ty {
            8 => {
                let len = self.count()?;
                self.input.skip(len, key)
            }
            9 => {
                let elem = self.u32()?;
                let count = self.count()?;
                self.fits(count, min_size(elem), &format!("array `{}`", shorten(key)))?;
                self.skip_elements(elem, count, key, depth + 1)
            }
            t => match fixed_size(t) {
                Some(n) => self.input.skip(n, key),
                None => Err(HeaderError::Invalid(format!("key `{}` has unknown value type {t}", shorten(key)))),
            },
        }
    }

    fn skip_elements(&mut self, elem: u32, count: u64, key: &str, depth: u32) -> Result<(), HeaderError> {
        if depth > MAX_NESTING {
            return Err(HeaderError::Limit(format!("array `{}` nests deeper than {MAX_NESTING}", shorten(key))));
        }
        if let Some(n) = fixed_size(elem) {
            // `fits` has checked count * size against the bytes left.
            return self.input.skip(count.saturating_mul(n), key);
        }
        for _ in 0..count {
            self.skip_value(elem, key, depth)?;
        }
        Ok(())
    }
}

/// Size of a fixed-size value type.
fn fixed_size(ty: u32) -> Option<u64> {
    Some(match ty {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        10..=12 => 8,
        _ => return None,
    })
}

/// The least bytes one element of a type takes (a string or array holds at least its length).
fn min_size(ty: u32) -> u64 {
    fixed_size(ty).unwrap_or(if ty == 9 { 12 } else { 8 }).max(1)
}

fn type_name(ty: u32) -> &'static str {
    match ty {
        0 => "u8",
        1 => "i8",
        2 => "u16",
        3 => "i16",
        4 => "u32",
        5 => "i32",
        6 => "f32",
        7 => "bool",
        8 => "string",
        9 => "array",
        10 => "u64",
        11 => "i64",
        12 => "f64",
        _ => "values of an unknown type",
    }
}

/// ggml tensor type names (ggml.h `ggml_type`).
fn ggml_type(ty: u32) -> String {
    const NAMES: [&str; 40] = [
        "F32", "F16", "Q4_0", "Q4_1", "", "", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
        "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32",
        "I64", "F64", "IQ1_M", "BF16", "", "", "", "TQ1_0", "TQ2_0", "", "", "", "MXFP4",
    ];
    match NAMES.get(ty as usize) {
        Some(n) if !n.is_empty() => (*n).to_string(),
        _ => format!("type {ty}"),
    }
}

/// llama.cpp file types (`llama_ftype`), the quantisation a file was made with.
fn file_type(t: u64) -> String {
    let name = match t {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        4 => "Q4_1_SOME_F16",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        _ => return format!("file type {t}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(ggml_type(12), "Q4_K");
        assert_eq!(ggml_type(4), "type 4");
        assert_eq!(ggml_type(1000), "type 1000");
        assert_eq!(file_type(15), "Q4_K_M");
        assert_eq!(file_type(99), "file type 99");
        assert_eq!(min_size(8), 8);
        assert_eq!(min_size(9), 12);
        assert_eq!(min_size(0), 1);
    }
}
