//! safetensors: an 8-byte little-endian header length, a JSON header, then the tensor bytes.
//!
//! The JSON is parsed as a stream (tensor names are not kept) so a large header costs no more
//! memory than its `__metadata__` and its longest single string (serde_json buffers one string
//! at a time), both bounded by the header limit. The checks are the reference implementation's: the header
//! length is at most 100 MB and inside the file, each tensor's `data_offsets` are ordered, match
//! its shape and dtype, and lie inside the body.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    io::Read,
};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{HeaderError, input::JsonStrings, keep, licence_fields, shorten};
use crate::{
    limits::{InputLimits, LimitName},
    model::WeightHeader,
};

/// Largest header accepted, as in the reference implementation.
pub const MAX_HEADER: u64 = 100_000_000;
/// Most dimensions a tensor may have.
const MAX_DIMS: usize = 64;

/// Reads the header of a safetensors file of `size` bytes into `h`.
pub fn read(mut file: impl Read, size: u64, h: &mut WeightHeader, limits: &InputLimits) -> Result<(), HeaderError> {
    let mut len = [0u8; 8];
    file.read_exact(&mut len).map_err(|_| HeaderError::Invalid("the file is shorter than 8 bytes".into()))?;
    let n = u64::from_le_bytes(len);
    let body = size.saturating_sub(8);
    if n > body {
        return Err(HeaderError::Invalid(format!(
            "the header claims {n} bytes but the file holds {body} after the length"
        )));
    }
    if n > MAX_HEADER {
        return Err(HeaderError::Invalid(format!(
            "the header claims {n} bytes, more than the {MAX_HEADER} safetensors allows"
        )));
    }
    if n > limits.weight_header {
        return Err(HeaderError::Limit(format!(
            "the header is {n} bytes long ({})",
            LimitName::WeightHeader.exceeded(limits.weight_header)
        )));
    }
    let summary = parse_header(JsonStrings::new(file.take(n)))?;
    let data_len = body - n;
    summary.check(data_len)?;
    apply(summary, h);
    Ok(())
}

/// Parses a header from a reader holding exactly the JSON bytes.
pub fn parse_header(reader: impl Read) -> Result<Summary, HeaderError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let summary = de.deserialize_map(HeaderVisitor).map_err(json_error)?;
    de.end().map_err(json_error)?;
    Ok(summary)
}

/// A JSON error as a header error: a limit of the reader under it stays a limit.
pub fn json_error(e: serde_json::Error) -> HeaderError {
    if e.is_io() {
        let io: std::io::Error = e.into();
        if io.kind() != std::io::ErrorKind::UnexpectedEof {
            return HeaderError::from(io);
        }
        return HeaderError::Invalid("header JSON: the JSON ends too early".into());
    }
    HeaderError::Invalid(format!("header JSON: {e}"))
}

/// What a header says, without tensor names.
#[derive(Debug, Default)]
pub struct Summary {
    /// `__metadata__`, in file order.
    pub metadata: Vec<(String, String)>,
    /// Tensor count.
    pub tensors: u64,
    /// Element count, `None` on overflow.
    pub parameters: Option<u64>,
    /// Element types.
    pub dtypes: BTreeSet<String>,
    /// Largest end offset, and the first inconsistency found.
    max_end: u64,
    problem: Option<String>,
}

impl Summary {
    fn check(&self, data_len: u64) -> Result<(), HeaderError> {
        if let Some(p) = &self.problem {
            return Err(HeaderError::Invalid(p.clone()));
        }
        if self.max_end > data_len {
            return Err(HeaderError::Invalid(format!(
                "tensor data ends at byte {} of the body but the body holds {data_len}: the file is truncated",
                self.max_end
            )));
        }
        Ok(())
    }
}

fn apply(s: Summary, h: &mut WeightHeader) {
    h.licence = licence_fields(s.metadata.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    for (k, v) in &s.metadata {
        keep(&mut h.metadata, &mut h.notes, k, serde_json::Value::String(shorten(v)));
    }
    h.tensors = Some(s.tensors);
    h.parameters = s.parameters;
    h.dtypes = s.dtypes.into_iter().collect();
}

/// Bits per element of a safetensors dtype (`None` for a dtype we do not know, which is then
/// not size-checked).
fn dtype_bits(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" | "C64" => 64,
        _ => return None,
    })
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Summary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of tensors")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
        let mut s = Summary { parameters: Some(0), ..Default::default() };
        while let Some(key) = map.next_key::<String>()? {
            if key == "__metadata__" {
                let m: Option<BTreeMap<String, String>> = map.next_value()?;
                s.metadata = m.unwrap_or_default().into_iter().collect();
                continue;
            }
            let t: TensorInfo = map.next_value()?;
            s.tensors += 1;
            let elements = t.shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d));
            s.parameters = match (s.parameters, elements) {
                (Some(p), Some(e)) => p.checked_add(e),
                _ => None,
            };
            let [start, end] = t.data_offsets;
            if s.problem.is_none() {
                if end < start {
                    s.problem = Some(format!("tensor `{}` ends before it starts", shorten(&key)));
                } else if let (Some(bits), Some(e)) = (dtype_bits(&t.dtype), elements)
                    && e.checked_mul(bits).map(|b| b.div_ceil(8)) != Some(end - start)
                {
                    s.problem = Some(format!(
                        "tensor `{}` has {} bytes of data but its shape and dtype need {}",
                        shorten(&key),
                        end - start,
                        e.saturating_mul(bits) / 8
                    ));
                }
            }
            s.max_end = s.max_end.max(end);
            if s.dtypes.len() < 64 {
                s.dtypes.insert(shorten(&t.dtype));
            }
        }
        Ok(s)
    }
}

/// One tensor entry; unknown keys are ignored.
struct TensorInfo {
    dtype: String,
    shape: Vec<u64>,
    data_offsets: [u64; 2],
}

impl<'de> de::Deserialize<'de> for TensorInfo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TensorInfo;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tensor entry {dtype, shape, data_offsets}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TensorInfo, A::Error> {
                let (mut dtype, mut shape, mut offsets) = (None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "dtype" => dtype = Some(map.next_value::<String>()?),
                        "shape" => shape = Some(map.next_value_seed(Dims)?),
                        "data_offsets" => offsets = Some(map.next_value::<[u64; 2]>()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(TensorInfo {
                    dtype: dtype.ok_or_else(|| de::Error::missing_field("dtype"))?,
                    shape: shape.ok_or_else(|| de::Error::missing_field("shape"))?,
                    data_offsets: offsets.ok_or_else(|| de::Error::missing_field("data_offsets"))?,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// A shape, at most [`MAX_DIMS`] long.
struct Dims;

impl<'de> DeserializeSeed<'de> for Dims {
    type Value = Vec<u64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<u64>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Dims {
    type Value = Vec<u64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a shape of at most {MAX_DIMS} dimensions")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
        let mut dims = Vec::new();
        while let Some(d) = seq.next_element::<u64>()? {
            if dims.len() == MAX_DIMS {
                return Err(de::Error::custom(format_args!("shape has more than {MAX_DIMS} dimensions")));
            }
            dims.push(d);
        }
        Ok(dims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_sum_parameters_and_keep_metadata() {
        let json = br#"{"__metadata__":{"format":"pt","license":"mit"},
            "a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},
            "b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]}}"#;
        let s = parse_header(&json[..]).unwrap();
        assert_eq!(s.tensors, 2);
        assert_eq!(s.parameters, Some(10));
        assert_eq!(s.dtypes.iter().collect::<Vec<_>>(), ["BF16", "F32"]);
        assert!(s.check(32).is_ok());
        assert!(s.check(31).is_err(), "a truncated body is reported");
        let mut h = WeightHeader::default();
        apply(s, &mut h);
        assert_eq!(h.licence.unwrap().license.as_deref(), Some("mit"));
    }

    #[test]
    fn inconsistent_offsets_are_reported() {
        let json = br#"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#;
        assert!(parse_header(&json[..]).unwrap().check(100).is_err());
        assert!(parse_header(&br#"{"a":{"dtype":"F32"}}"#[..]).is_err());
        assert!(parse_header(&br#"[1,2]"#[..]).is_err());
        let deep = format!(r#"{{"a":{{"dtype":"F32","shape":[{}],"data_offsets":[0,4]}}}}"#, vec!["1"; 100].join(","));
        assert!(parse_header(deep.as_bytes()).is_err());
    }
}
