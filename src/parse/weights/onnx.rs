//! ONNX: a protobuf `ModelProto`. The top-level fields are scanned as a stream: the graph (with
//! the weights inside it) and every other large field are stepped over by seeking, and only the
//! small header fields are kept and decoded with `prost` derive structs written here (no
//! `protoc`, no generated code): IR version, opsets, producer, domain, model version, doc string
//! and `metadata_props` (where ONNX recommends `model_license` and `model_author`).

use std::io::{BufReader, Read, Seek};

use prost::Message;
use serde_json::json;

use super::{
    HeaderError,
    input::{Input, Source},
    keep, licence_fields, shorten,
};
use crate::{limits::InputLimits, model::WeightHeader};

/// Most top-level fields scanned.
const MAX_FIELDS: u32 = 100_000;
/// Largest header field kept (a doc string, the metadata list); larger ones are stepped over.
const MAX_FIELD: u64 = 1 << 20;
/// Total bytes of header fields kept.
const MAX_KEPT: usize = 4 << 20;

/// `onnx.ModelProto`, the header fields only (the graph, tag 7, is never read).
#[derive(Clone, PartialEq, Message)]
pub struct ModelProto {
    /// IR version.
    #[prost(int64, tag = "1")]
    pub ir_version: i64,
    /// Tool that wrote the model.
    #[prost(string, tag = "2")]
    pub producer_name: String,
    /// Its version.
    #[prost(string, tag = "3")]
    pub producer_version: String,
    /// Reverse-DNS namespace of the model.
    #[prost(string, tag = "4")]
    pub domain: String,
    /// Model version.
    #[prost(int64, tag = "5")]
    pub model_version: i64,
    /// Free text.
    #[prost(string, tag = "6")]
    pub doc_string: String,
    /// Operator sets the model uses.
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
    /// Named metadata.
    #[prost(message, repeated, tag = "14")]
    pub metadata_props: Vec<StringStringEntryProto>,
}

/// `onnx.OperatorSetIdProto`.
#[derive(Clone, PartialEq, Message)]
pub struct OperatorSetIdProto {
    /// Operator set domain (empty for the default `ai.onnx`).
    #[prost(string, tag = "1")]
    pub domain: String,
    /// Version.
    #[prost(int64, tag = "2")]
    pub version: i64,
}

/// `onnx.StringStringEntryProto`.
#[derive(Clone, PartialEq, Message)]
pub struct StringStringEntryProto {
    /// Key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// Value.
    #[prost(string, tag = "2")]
    pub value: String,
}

/// Reads the header fields of an ONNX file of `size` bytes into `h`.
pub fn read<R: Read + Seek>(
    file: BufReader<R>,
    size: u64,
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
    let mut input = Input::new(file, Some(size), limits.weight_header, "ONNX model");
    let kept = scan(&mut input, h)?;
    let model = ModelProto::decode(kept.as_slice()).map_err(|e| HeaderError::Invalid(format!("ONNX header: {e}")))?;
    apply(&model, h);
    Ok(())
}

/// Copies the header fields (key and payload) out of the top-level stream.
pub fn scan<S: Source>(input: &mut Input<S>, h: &mut WeightHeader) -> Result<Vec<u8>, HeaderError> {
    let mut kept = Vec::new();
    let mut fields = 0;
    while !input.at_end()? {
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(HeaderError::Limit(format!("more than {MAX_FIELDS} top-level fields")));
        }
        let at = input.pos();
        let key = varint(input)?;
        let (tag, wire) = (key >> 3, key & 7);
        let wanted = matches!(tag, 1..=6 | 8 | 14);
        let mut payload = Vec::new();
        match wire {
            0 => prost::encoding::encode_varint(varint(input)?, &mut payload),
            1 => payload.extend_from_slice(&input.array::<8>()?),
            5 => payload.extend_from_slice(&input.array::<4>()?),
            2 => {
                let len = varint(input)?;
                input.ensure(len, &format!("field {tag}"))?;
                if !wanted || len > MAX_FIELD || kept.len() as u64 + len > MAX_KEPT as u64 {
                    if wanted {
                        h.notes.push(format!("ONNX field {tag} ({len} bytes) not read: too large"));
                    }
                    input.skip(len, &format!("field {tag}"))?;
                    continue;
                }
                prost::encoding::encode_varint(len, &mut payload);
                payload.extend_from_slice(&input.bytes(len, MAX_FIELD, &format!("field {tag}"))?);
            }
            w => {
                return Err(HeaderError::Invalid(format!(
                    "not an ONNX model: field {tag} at offset {at} has wire type {w}"
                )));
            }
        }
        if tag == 0 {
            return Err(HeaderError::Invalid(format!("not an ONNX model: field number 0 at offset {at}")));
        }
        if wanted {
            prost::encoding::encode_varint(key, &mut kept);
            kept.extend_from_slice(&payload);
        }
    }
    Ok(kept)
}

/// A base-128 varint, at most 10 bytes.
fn varint<S: Source>(input: &mut Input<S>) -> Result<u64, HeaderError> {
    let mut value = 0u64;
    for i in 0..10 {
        let b = input.array::<1>()?[0];
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(HeaderError::Invalid(format!("varint longer than 10 bytes at offset {}", input.pos())))
}

fn apply(m: &ModelProto, h: &mut WeightHeader) {
    let mut put = |key: &str, v: serde_json::Value| keep(&mut h.metadata, &mut h.notes, key, v);
    put("onnx.ir_version", json!(m.ir_version));
    for (k, v) in [
        ("onnx.producer_name", &m.producer_name),
        ("onnx.producer_version", &m.producer_version),
        ("onnx.domain", &m.domain),
        ("onnx.doc_string", &m.doc_string),
    ] {
        if !v.is_empty() {
            put(k, json!(shorten(v)));
        }
    }
    if m.model_version != 0 {
        put("onnx.model_version", json!(m.model_version));
    }
    for o in &m.opset_import {
        let domain = if o.domain.is_empty() { "ai.onnx" } else { o.domain.as_str() };
        put(&format!("onnx.opset.{domain}"), json!(o.version));
    }
    for p in &m.metadata_props {
        put(&p.key, json!(shorten(&p.value)));
    }
    h.licence = licence_fields(m.metadata_props.iter().map(|p| (p.key.as_str(), p.value.as_str())));
}
