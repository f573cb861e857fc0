//! Keras models: the layer config, for `Lambda` layers (whose Python function is stored in the
//! file and runs when the model is loaded).
//!
//! A `.keras` archive is a zip whose `config.json` is the model config. A legacy `.h5` is HDF5,
//! with the config as the `model_config` attribute of the root group: a JSON string that h5py
//! writes contiguously, early in the file. Rather than link an HDF5 library, the first
//! [`H5_SCAN`] bytes are searched for the config's opening `{"class_name":` and the JSON is parsed
//! from there as a stream. When it is not found (a weights-only file, or a config stored past
//! the scanned prefix) the file says so in its notes and `lambda_layers` stays unset.

use std::{
    fs::File,
    io::{BufReader, Read, Seek, SeekFrom},
};

use serde_json::{Value, json};

use super::{HeaderError, keep, shorten};
use crate::model::WeightHeader;

/// Largest `config.json` / `model_config` read.
pub const MAX_CONFIG: u64 = 16 << 20;
/// How much of an `.h5` file is searched for the model config.
pub const H5_SCAN: u64 = 16 << 20;
/// Most layer names listed.
const MAX_LAMBDAS: usize = 256;

type Archive = zip::ZipArchive<BufReader<File>>;

/// Reads a Keras v3 archive's `config.json` and `metadata.json`.
pub fn read_zip(archive: &mut Archive, h: &mut WeightHeader) -> Result<(), HeaderError> {
    if let Some(meta) = member_json(archive, "metadata.json")? {
        for key in ["keras_version", "date_saved"] {
            if let Some(v) = meta.get(key).and_then(Value::as_str) {
                keep(&mut h.metadata, &mut h.notes, &format!("keras.{key}"), json!(shorten(v)));
            }
        }
    }
    let config = member_json(archive, "config.json")?
        .ok_or_else(|| HeaderError::Invalid("the archive has no readable config.json".into()))?;
    apply_config(&config, h);
    Ok(())
}

fn member_json(archive: &mut Archive, name: &str) -> Result<Option<Value>, HeaderError> {
    let member = match archive.by_name(name) {
        Ok(m) => m,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(HeaderError::Invalid(format!("zip member `{name}`: {e}"))),
    };
    if member.size() > MAX_CONFIG {
        return Err(HeaderError::Limit(format!("`{name}` is {} bytes (at most {MAX_CONFIG} read)", member.size())));
    }
    serde_json::from_reader(BufReader::new(member.take(MAX_CONFIG)))
        .map(Some)
        .map_err(|e| HeaderError::Invalid(format!("`{name}`: {e}")))
}

/// Searches the start of an HDF5 file for the Keras model config.
pub fn read_hdf5(mut file: BufReader<File>, size: u64, h: &mut WeightHeader) -> Result<(), HeaderError> {
    const NEEDLE: &[u8] = b"{\"class_name\":";
    let limit = size.min(H5_SCAN);
    let mut chunk = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut pos = 0u64; // file offset of carry[0]
    let mut found = None;
    while pos + (carry.len() as u64) < limit {
        let want = (limit - pos - carry.len() as u64).min(chunk.len() as u64) as usize;
        let n = file.read(&mut chunk[..want])?;
        if n == 0 {
            break;
        }
        carry.extend_from_slice(&chunk[..n]);
        if let Some(at) = carry.windows(NEEDLE.len()).position(|w| w == NEEDLE) {
            found = Some(pos + at as u64);
            break;
        }
        let keep_from = carry.len().saturating_sub(NEEDLE.len() - 1);
        pos += keep_from as u64;
        carry.drain(..keep_from);
    }
    let Some(offset) = found else {
        h.notes.push(if size > H5_SCAN {
            format!("no Keras model_config in the first {H5_SCAN} bytes: Lambda layers not checked")
        } else {
            "no Keras model_config (a weights-only file?): Lambda layers not checked".into()
        });
        return Ok(());
    };
    file.seek(SeekFrom::Start(offset))?;
    let mut stream = serde_json::Deserializer::from_reader(file.take(MAX_CONFIG)).into_iter::<Value>();
    match stream.next() {
        Some(Ok(config)) => {
            keep(&mut h.metadata, &mut h.notes, "keras.model_config_offset", json!(offset));
            apply_config(&config, h);
            Ok(())
        }
        Some(Err(e)) => Err(HeaderError::Invalid(format!("model_config at offset {offset}: {e}"))),
        None => Err(HeaderError::Invalid(format!("model_config at offset {offset} is empty"))),
    }
}

fn apply_config(config: &Value, h: &mut WeightHeader) {
    if let Some(c) = config.get("class_name").and_then(Value::as_str) {
        keep(&mut h.metadata, &mut h.notes, "keras.class_name", json!(shorten(c)));
    }
    let mut names = Vec::new();
    lambdas(config, &mut names);
    h.lambda_layers = Some(names);
}

/// Names of every layer whose `class_name` is `Lambda`, however deeply nested.
pub fn lambdas(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let class = map.get("class_name").and_then(Value::as_str);
            if matches!(class, Some("Lambda" | "keras.layers.Lambda")) && out.len() < MAX_LAMBDAS {
                let name = map
                    .get("config")
                    .and_then(|c| c.get("name"))
                    .and_then(Value::as_str)
                    .or_else(|| map.get("name").and_then(Value::as_str))
                    .unwrap_or("(unnamed)");
                out.push(shorten(name));
            }
            map.values().for_each(|x| lambdas(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| lambdas(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_layers_are_found_at_any_depth() {
        let config = json!({"class_name": "Sequential", "config": {"layers": [
            {"class_name": "Dense", "config": {"name": "d"}},
            {"class_name": "Functional", "config": {"layers": [
                {"class_name": "Lambda", "config": {"name": "inner", "function": {"class_name": "__lambda__"}}}
            ]}},
            {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "outer"}}
        ]}});
        let mut names = Vec::new();
        lambdas(&config, &mut names);
        assert_eq!(names, ["inner", "outer"]);
    }
}
