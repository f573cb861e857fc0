//! Memory stays bounded on lying headers, and no weight file is read whole: every allocation
//! the reading thread makes is counted by a wrapping allocator, and the peak while one file is
//! read must stay far below both what the header claims and the file's own size.

mod weights_fixtures;

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    path::Path,
};

use modelgate::{model::Parsed, parse::weights, vocab::WeightFormat};
use weights_fixtures::{GV, gguf, hostile_ggufs, write};

/// Counts the bytes live on the current thread, and their peak.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        track(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        track(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Reads one file and returns the peak bytes allocated above what was live before, with the
/// header error (if any).
fn peak_reading(path: &Path, format: WeightFormat) -> (usize, Option<String>) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let parsed = weights::read_as(path, "f", format);
    let peak = PEAK.with(Cell::get) - base;
    let error = parsed.into_iter().find_map(|p| match p {
        Parsed::Weights(w) => w.header.header_error.clone(),
        _ => None,
    });
    (peak.max(0) as usize, error)
}

const MIB: usize = 1 << 20;

#[test]
fn lying_headers_cost_no_more_than_a_few_buffers() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, Vec<u8>, WeightFormat)> =
        hostile_ggufs().into_iter().map(|(n, b, _)| (n.to_string(), b, WeightFormat::Gguf)).collect();
    let mut st = (1u64 << 60).to_le_bytes().to_vec();
    st.extend_from_slice(b"{}");
    cases.push(("huge.safetensors".into(), st, WeightFormat::Safetensors));
    let mut st = (200u64 << 20).to_le_bytes().to_vec();
    st.extend_from_slice(b"{\"a\":");
    cases.push(("past-end.safetensors".into(), st, WeightFormat::Safetensors));
    for op in [0x8du8, 0x8e, 0x96] {
        let mut p = vec![0x80, 0x04, op];
        p.extend_from_slice(&(1u64 << 60).to_le_bytes());
        cases.push((format!("op{op:02x}.pkl"), p, WeightFormat::Pickle));
    }
    let mut p = b"\x80\x04X".to_vec();
    p.extend_from_slice(&u32::MAX.to_le_bytes());
    cases.push(("binunicode.pkl".into(), p, WeightFormat::Pickle));
    let mut onnx = vec![0x08, 0x09, 0x32];
    prost::encoding::encode_varint(1 << 60, &mut onnx);
    cases.push(("doc.onnx".into(), onnx, WeightFormat::Onnx));
    cases.push(("zip64.bin".into(), zip64_bomb(1 << 30, 1 << 40), WeightFormat::Pytorch));
    cases.push(("zip64-count.bin".into(), zip64_bomb(1 << 30, 100), WeightFormat::Pytorch));

    for (name, bytes, format) in cases {
        let path = write(dir.path(), &name, &bytes);
        let (peak, error) = peak_reading(&path, format);
        assert!(error.is_some(), "{name}: a lying header must be a finding");
        assert!(peak < MIB, "{name}: {peak} bytes allocated while reading ({error:?})");
    }
}

/// A zip whose ZIP64 end record claims `entries` entries in a central directory of `dir_size`
/// bytes.
fn zip64_bomb(entries: u64, dir_size: u64) -> Vec<u8> {
    let mut b = b"PK\x03\x04".to_vec();
    b.extend_from_slice(&[0u8; 26]);
    let record_at = b.len() as u64;
    b.extend_from_slice(b"PK\x06\x06");
    b.extend_from_slice(&44u64.to_le_bytes());
    b.extend_from_slice(&[45, 0, 45, 0]);
    b.extend_from_slice(&[0u8; 8]);
    b.extend_from_slice(&entries.to_le_bytes());
    b.extend_from_slice(&entries.to_le_bytes());
    b.extend_from_slice(&dir_size.to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes());
    b.extend_from_slice(b"PK\x06\x07");
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&record_at.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(b"PK\x05\x06");
    b.extend_from_slice(&[0u8; 4]);
    b.extend_from_slice(&[0xff; 4]);
    b.extend_from_slice(&[0xff; 8]);
    b.extend_from_slice(&[0u8; 2]);
    b
}

#[test]
fn large_honest_headers_are_streamed_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    // A 250,000-token vocabulary: a header of about 4 MB.
    let tokens: Vec<String> = (0..250_000).map(|i| format!("token-{i}")).collect();
    let bytes =
        gguf(3, &[("general.license", GV::Str("mit".into())), ("tokenizer.ggml.tokens", GV::Strs(tokens))], &[]);
    assert!(bytes.len() > 4 * MIB);
    let path = write(dir.path(), "vocab.gguf", &bytes);
    let (peak, error) = peak_reading(&path, WeightFormat::Gguf);
    assert_eq!(error, None);
    assert!(peak < MIB / 4, "{peak} bytes allocated for a {}-byte header", bytes.len());

    // A safetensors header of 20,000 tensors (about 1.5 MB of JSON).
    let mut header = String::from("{\"__metadata__\":{\"format\":\"pt\"}");
    for i in 0..20_000 {
        header.push_str(&format!(",\"model.layers.{i}.self_attn.q_proj.weight\":{{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[{},{}]}}", i * 4, i * 4 + 4));
    }
    header.push('}');
    assert!(header.len() > MIB);
    let bytes = weights_fixtures::safetensors_raw(&header, 80_000);
    let path = write(dir.path(), "big.safetensors", &bytes);
    let (peak, error) = peak_reading(&path, WeightFormat::Safetensors);
    assert_eq!(error, None);
    assert!(peak < MIB / 4, "{peak} bytes allocated for a {}-byte header", header.len());
}

#[test]
fn the_counter_sees_allocations() {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let v = std::hint::black_box(vec![1u8; 2 * MIB]);
    drop(v);
    assert!(PEAK.with(Cell::get) - base >= (2 * MIB) as isize);
}
