//! Keras models: the layer config, for `Lambda` layers (whose Python function is stored in the
//! file and runs when the model is loaded).
//!
//! A `.keras` archive is a zip whose `config.json` is the model config. A legacy `.h5` is HDF5,
//! with the config as the `model_config` attribute of the root group: a JSON string that h5py
//! writes contiguously, early in the file. Rather than link an HDF5 library, the first
//! [`H5_SCAN`] bytes are searched for the config's opening `{"class_name":` and the JSON is parsed
//! from there as a stream. When it is not found (a weights-only file, or a config stored past
//! the scanned prefix) the file says so in its notes and `lambda_layers` stays unset.
//!
//! The config is never built as a tree: a streaming visitor keeps only the top class name and
//! the names of Lambda layers, and no JSON string longer than
//! [`MAX_JSON_STRING`](super::input::MAX_JSON_STRING) is accepted,
//! so memory stays small however large the config is (it is read up to the `weight-header`
//! limit).

use std::{
    fmt,
    io::{BufReader, Read, Seek, SeekFrom},
};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::json;

use super::{
    Archive, HeaderError,
    input::{JsonStrings, Ratio},
    keep,
    safetensors::json_error,
    shorten,
};
use crate::{
    limits::{InputLimits, LimitName},
    model::WeightHeader,
    parse::lenient::MaybeString,
};

/// How much of an `.h5` file is searched for the model config.
pub const H5_SCAN: u64 = 16 << 20;
/// Most layer names listed.
const MAX_LAMBDAS: usize = 256;

/// Reads a Keras v3 archive's `config.json` and `metadata.json`.
pub fn read_zip<R: Read + Seek>(
    archive: &mut Archive<R>,
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
    #[derive(serde::Deserialize)]
    struct Metadata {
        #[serde(default)]
        keras_version: MaybeString,
        #[serde(default)]
        date_saved: MaybeString,
    }
    let meta = member(archive, "metadata.json", limits, |r| {
        let mut de = serde_json::Deserializer::from_reader(r);
        serde::Deserialize::deserialize(&mut de).map(|m: Metadata| m)
    })?;
    if let Some(meta) = meta {
        for (key, value) in [("keras_version", meta.keras_version.0), ("date_saved", meta.date_saved.0)] {
            if let Some(v) = value {
                keep(&mut h.metadata, &mut h.notes, &format!("keras.{key}"), json!(shorten(&v)));
            }
        }
    }
    let config = member(archive, "config.json", limits, |r| Config::read(r))?
        .ok_or_else(|| HeaderError::Invalid("the archive has no readable config.json".into()))?;
    config.apply(h);
    Ok(())
}

/// Reads one member of the archive with `parse`, within the `weight-header` and `zip-ratio`
/// limits; `None` when there is no such member.
fn member<R: Read + Seek, T>(
    archive: &mut Archive<R>,
    name: &str,
    limits: &InputLimits,
    parse: impl FnOnce(JsonStrings<std::io::Take<Ratio<zip::read::ZipFile<'_, BufReader<R>>>>>) -> serde_json::Result<T>,
) -> Result<Option<T>, HeaderError> {
    let member = match archive.by_name(name) {
        Ok(m) => m,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(HeaderError::Invalid(format!("zip member `{name}`: {e}"))),
    };
    let limit = limits.weight_header;
    if member.size() > limit {
        return Err(HeaderError::Limit(format!(
            "`{name}` is {} bytes ({})",
            member.size(),
            LimitName::WeightHeader.exceeded(limit)
        )));
    }
    let compressed = member.compressed_size();
    let reader = Ratio::new(member, compressed, limits.zip_ratio, &format!("zip member `{name}`"));
    parse(JsonStrings::new(reader.take(limit))).map(Some).map_err(|e| match json_error(e) {
        HeaderError::Invalid(m) => HeaderError::Invalid(format!("`{name}`: {m}")),
        other => other,
    })
}

/// Searches the start of an HDF5 file for the Keras model config.
pub fn read_hdf5<R: Read + Seek>(
    mut file: BufReader<R>,
    size: u64,
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
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
    // The config is followed by the rest of the HDF5 file: only its first value is read.
    let config = Config::read(JsonStrings::new(file.take(limits.weight_header))).map_err(|e| match json_error(e) {
        HeaderError::Invalid(m) => HeaderError::Invalid(format!("model_config at offset {offset}: {m}")),
        other => other,
    })?;
    keep(&mut h.metadata, &mut h.notes, "keras.model_config_offset", json!(offset));
    config.apply(h);
    Ok(())
}

/// What a model config says: its top class name and its Lambda layers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `class_name` of the top object.
    pub class_name: Option<String>,
    /// Names of every layer whose `class_name` is `Lambda`, however deeply nested.
    pub lambdas: Vec<String>,
}

impl Config {
    /// Reads the first JSON value of `reader` as a model config.
    pub fn read(reader: impl Read) -> serde_json::Result<Config> {
        let mut de = serde_json::Deserializer::from_reader(reader);
        let mut lambdas = Vec::new();
        let top = Node { lambdas: &mut lambdas }.deserialize(&mut de)?;
        Ok(Config { class_name: top.class_name, lambdas })
    }

    /// Parses a config held in memory.
    pub fn parse(text: &str) -> serde_json::Result<Config> {
        Config::read(text.as_bytes())
    }

    fn apply(self, h: &mut WeightHeader) {
        if let Some(c) = &self.class_name {
            keep(&mut h.metadata, &mut h.notes, "keras.class_name", json!(shorten(c)));
        }
        h.lambda_layers = Some(self.lambdas);
    }
}

/// What one JSON object says about itself: its class and its name (its own `name`, or its
/// `config`'s).
#[derive(Default)]
struct Info {
    class_name: Option<String>,
    name: Option<String>,
}

/// A JSON value walked for Lambda layers.
struct Node<'a> {
    lambdas: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Info;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Info, D::Error> {
        d.deserialize_any(self)
    }
}

/// The keys a layer object is read for.
enum Key {
    ClassName,
    Config,
    Name,
    Other,
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "class_name" => Key::ClassName,
                    "config" => Key::Config,
                    "name" => Key::Name,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Info;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Keras model config")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Info, A::Error> {
        let mut class_name = None;
        let mut own_name = None;
        let mut config_name = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::ClassName => class_name = map.next_value::<MaybeString>()?.0,
                Key::Name => own_name = map.next_value::<MaybeString>()?.0,
                Key::Config => config_name = map.next_value_seed(Node { lambdas: self.lambdas })?.name,
                Key::Other => {
                    map.next_value_seed(Node { lambdas: self.lambdas })?;
                }
            }
        }
        if matches!(class_name.as_deref(), Some("Lambda" | "keras.layers.Lambda")) && self.lambdas.len() < MAX_LAMBDAS {
            let name = config_name.as_deref().or(own_name.as_deref()).unwrap_or("(unnamed)");
            self.lambdas.push(shorten(name));
        }
        Ok(Info { class_name, name: own_name })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Info, A::Error> {
        while seq.next_element_seed(Node { lambdas: self.lambdas })?.is_some() {}
        Ok(Info::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Info, E> {
        Ok(Info::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Info, E> {
        Ok(Info::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Info, E> {
        Ok(Info::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Info, E> {
        Ok(Info::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Info, E> {
        Ok(Info::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Info, E> {
        Ok(Info::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::weights::input::MAX_JSON_STRING;

    #[test]
    fn lambda_layers_are_found_at_any_depth() {
        let config = r#"{"class_name": "Sequential", "config": {"layers": [
            {"class_name": "Dense", "config": {"name": "d"}},
            {"class_name": "Functional", "config": {"layers": [
                {"class_name": "Lambda", "config": {"name": "inner", "function": {"class_name": "__lambda__"}}}
            ]}},
            {"module": "keras.layers", "config": {"name": "outer"}, "class_name": "Lambda"}
        ]}}"#;
        let c = Config::parse(config).unwrap();
        assert_eq!(c.lambdas, ["inner", "outer"]);
        assert_eq!(c.class_name.as_deref(), Some("Sequential"));
    }

    #[test]
    fn long_strings_are_refused_not_buffered() {
        let long = format!(r#"{{"class_name": "{}"}}"#, "x".repeat(MAX_JSON_STRING as usize + 10));
        let err = Config::read(JsonStrings::new(long.as_bytes())).unwrap_err();
        assert!(matches!(json_error(err), HeaderError::Limit(_)));
    }
}
