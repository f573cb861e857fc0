//! Weight files made by the tests, byte by byte: GGUF, safetensors headers, pickles, zips.
//! Nothing here is ever unpickled or loaded by anything but modelgate's header readers.
#![allow(dead_code)]

use std::{
    io::{Cursor, Write},
    path::{Path, PathBuf},
    process::Command,
};

/// A GGUF metadata value.
pub enum GV {
    U32(u32),
    U64(u64),
    Bool(bool),
    Str(String),
    U32s(Vec<u32>),
    Strs(Vec<String>),
}

fn gguf_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A GGUF file (version 2 or 3, little-endian) with the given keys and tensors (name, dims,
/// ggml type); tensor data is zeros, 32-byte aligned.
pub fn gguf(version: u32, kvs: &[(&str, GV)], tensors: &[(&str, &[u64], u32)]) -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(tensors.len() as u64).to_le_bytes());
    out.extend_from_slice(&(kvs.len() as u64).to_le_bytes());
    for (k, v) in kvs {
        gguf_str(&mut out, k);
        match v {
            GV::U32(x) => {
                out.extend_from_slice(&4u32.to_le_bytes());
                out.extend_from_slice(&x.to_le_bytes());
            }
            GV::U64(x) => {
                out.extend_from_slice(&10u32.to_le_bytes());
                out.extend_from_slice(&x.to_le_bytes());
            }
            GV::Bool(x) => {
                out.extend_from_slice(&7u32.to_le_bytes());
                out.push(u8::from(*x));
            }
            GV::Str(s) => {
                out.extend_from_slice(&8u32.to_le_bytes());
                gguf_str(&mut out, s);
            }
            GV::U32s(xs) => {
                out.extend_from_slice(&9u32.to_le_bytes());
                out.extend_from_slice(&4u32.to_le_bytes());
                out.extend_from_slice(&(xs.len() as u64).to_le_bytes());
                for x in xs {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
            GV::Strs(xs) => {
                out.extend_from_slice(&9u32.to_le_bytes());
                out.extend_from_slice(&8u32.to_le_bytes());
                out.extend_from_slice(&(xs.len() as u64).to_le_bytes());
                for x in xs {
                    gguf_str(&mut out, x);
                }
            }
        }
    }
    let mut offset = 0u64;
    let mut sizes = Vec::new();
    for (name, dims, ty) in tensors {
        gguf_str(&mut out, name);
        out.extend_from_slice(&(dims.len() as u32).to_le_bytes());
        for d in *dims {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        let n: u64 = dims.iter().product();
        let bytes = match ty {
            0 => n * 4,
            1 => n * 2,
            2 => n / 32 * 18,
            8 => n / 32 * 34,
            _ => n,
        };
        sizes.push(bytes);
        offset += bytes.div_ceil(32) * 32;
    }
    while !out.len().is_multiple_of(32) {
        out.push(0);
    }
    for s in sizes {
        out.extend(std::iter::repeat_n(0u8, (s.div_ceil(32) * 32) as usize));
    }
    out
}

/// A GGUF prefix (magic, version 3, no tensors, one key) followed by `value`.
pub fn gguf_with(key: &str, ty: u32, value: &[u8]) -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes());
    b.extend_from_slice(&1u64.to_le_bytes());
    b.extend_from_slice(&(key.len() as u64).to_le_bytes());
    b.extend_from_slice(key.as_bytes());
    b.extend_from_slice(&ty.to_le_bytes());
    b.extend_from_slice(value);
    b.extend_from_slice(&[0u8; 64]);
    b
}

/// GGUF files whose headers lie, with a phrase the error must contain.
pub fn hostile_ggufs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut array = 4u32.to_le_bytes().to_vec();
    array.extend_from_slice(&(1u64 << 60).to_le_bytes());
    let mut strings = 8u32.to_le_bytes().to_vec();
    strings.extend_from_slice(&(1u64 << 60).to_le_bytes());
    let mut kv_bomb = b"GGUF".to_vec();
    kv_bomb.extend_from_slice(&3u32.to_le_bytes());
    kv_bomb.extend_from_slice(&0u64.to_le_bytes());
    kv_bomb.extend_from_slice(&(1u64 << 60).to_le_bytes());
    let mut key_bomb = b"GGUF".to_vec();
    key_bomb.extend_from_slice(&3u32.to_le_bytes());
    key_bomb.extend_from_slice(&0u64.to_le_bytes());
    key_bomb.extend_from_slice(&1u64.to_le_bytes());
    key_bomb.extend_from_slice(&(1u64 << 62).to_le_bytes());
    key_bomb.extend_from_slice(&[0u8; 64]);
    let mut tensor_bomb = gguf(3, &[], &[]);
    tensor_bomb[8..16].copy_from_slice(&(1u64 << 40).to_le_bytes());
    vec![
        ("array.gguf", gguf_with("tokenizer.ggml.scores", 9, &array), "claims 1152921504606846976 entries"),
        ("string-array.gguf", gguf_with("tokenizer.ggml.tokens", 9, &strings), "claims 1152921504606846976 entries"),
        (
            "string.gguf",
            gguf_with("general.license", 8, &(1u64 << 62).to_le_bytes()),
            "claims 4611686018427387904 bytes",
        ),
        ("kv-count.gguf", kv_bomb, "key/value count"),
        ("key.gguf", key_bomb, "metadata key"),
        ("tensor-count.gguf", tensor_bomb, "tensor count"),
        ("type.gguf", gguf_with("x", 77, &[]), "unknown value type 77"),
        ("version.gguf", b"GGUF\x63\x00\x00\x00".to_vec(), "unknown GGUF version 99"),
    ]
}

/// A safetensors file with a header written by hand (for lying headers).
pub fn safetensors_raw(header: &str, body: usize) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend(std::iter::repeat_n(0u8, body));
    out
}

/// A protocol-2 pickle shaped like a one-tensor `torch.save` state dict: an `OrderedDict`
/// holding a tensor rebuilt by `torch._utils._rebuild_tensor_v2` from a `FloatStorage`
/// persistent id.
pub fn torch_state_dict_pickle() -> Vec<u8> {
    let mut p = b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01".to_vec();
    p.extend_from_slice(b"X\x06\x00\x00\x00weightq\x02");
    p.extend_from_slice(b"ctorch._utils\n_rebuild_tensor_v2\nq\x03");
    p.extend_from_slice(b"((X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05");
    p.extend_from_slice(b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ");
    p.extend_from_slice(b"K\x00K\x02K\x03\x86K\x03K\x01\x86\x89ccollections\nOrderedDict\n)RtR");
    p.extend_from_slice(b"s.");
    p
}

/// A protocol-2 pickle that would run `posix.system(command)` when unpickled.
pub fn system_pickle(command: &str) -> Vec<u8> {
    let mut p = b"\x80\x02cposix\nsystem\nq\x00X".to_vec();
    p.extend_from_slice(&(command.len() as u32).to_le_bytes());
    p.extend_from_slice(command.as_bytes());
    p.extend_from_slice(b"\x85R.");
    p
}

/// A zip archive of `(name, bytes)` members, stored or deflated.
pub fn zip(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in members {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A `torch.save` zip around a `data.pkl`.
pub fn torch_zip(data_pkl: &[u8]) -> Vec<u8> {
    zip(
        &[
            ("archive/data.pkl", data_pkl),
            ("archive/byteorder", b"little"),
            ("archive/data/0", &[0u8; 24]),
            ("archive/version", b"3\n"),
        ],
        false,
    )
}

/// Writes `bytes` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `python3`, when there is one. CI must have it (`.ci/run` checks), so there a missing
/// interpreter fails the test instead of skipping it.
pub fn python3() -> Option<&'static str> {
    let ok = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if ok {
        return Some("python3");
    }
    assert!(std::env::var_os("CI").is_none(), "python3 is required in CI to generate pickles");
    eprintln!("skipped: python3 is not installed, so the Python-made pickles are not generated");
    None
}

/// Runs a Python script (which only ever *writes* pickles) with `dir` as its argument.
pub fn run_python(script: &str, dir: &Path) -> bool {
    let Some(py) = python3() else { return false };
    let out = Command::new(py).arg("-c").arg(script).arg(dir).output().unwrap();
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    true
}
