//! The pickle imports a weight file may make without being flagged `unsafe-pickle`.
//!
//! An allow-list, not a deny-list: deny-list scanners have been bypassed through imports nobody
//! thought to list (`numpy.__builtins__`-style attribute paths, `importlib.import_module`,
//! `functools.partial`, `operator.attrgetter` chains, names built on the stack). Every entry
//! below is an exact `module.name` that rebuilds tensors or plain containers and calls nothing
//! the pickle chooses; anything else, including a dotted name inside an allowed module, is
//! flagged. The list is the part of PyTorch's own `weights_only=True` allow-list that state
//! dicts use, plus numpy's array reconstruction.

/// Modules Python 2 pickles name that Python 3 maps on load (`fix_imports`).
fn python3_module(module: &str) -> &str {
    match module {
        "__builtin__" => "builtins",
        "copy_reg" => "copyreg",
        other => other,
    }
}

/// Exact `module.name` entries, each with why it is safe.
const ALLOWED: &[(&str, &str)] = &[
    // The ordered dict a `state_dict()` is; constructing it runs no chosen code.
    ("collections", "OrderedDict"),
    // Tensor and parameter rebuilders `torch.save` writes for every tensor: they wrap a storage
    // the loader already holds, with a shape, strides and flags.
    ("torch._utils", "_rebuild_tensor"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_tensor_v3"),
    ("torch._utils", "_rebuild_parameter"),
    ("torch._utils", "_rebuild_parameter_with_state"),
    ("torch._utils", "_rebuild_qtensor"),
    ("torch._utils", "_rebuild_sparse_tensor"),
    ("torch._utils", "_rebuild_meta_tensor_no_storage"),
    // Rebuilds a tensor subclass: calls the function it is given, which is itself an import of
    // the same pickle and so checked against this list.
    ("torch._tensor", "_rebuild_from_type_v2"),
    ("torch.nn.parameter", "Parameter"),
    ("torch", "Tensor"),
    ("torch", "Size"),
    ("torch", "device"),
    ("torch.serialization", "_get_layout"),
    ("torch", "per_tensor_affine"),
    ("torch", "per_channel_affine"),
    ("torch", "per_tensor_symmetric"),
    ("torch", "per_channel_symmetric"),
    ("torch", "per_channel_affine_float_qparams"),
    // numpy arrays and scalars: `ndarray.__reduce__` writes these.
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    // Protocol-2 pickles (torch's default) write bytes as `_codecs.encode(text, "latin1")`.
    ("_codecs", "encode"),
    // Plain containers protocol 2 cannot write with an opcode of its own.
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "bytearray"),
    ("builtins", "complex"),
];

/// torch dtypes pickle as `torch.<dtype>`.
const TORCH_DTYPES: &[&str] = &[
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "half",
    "float",
    "double",
    "complex32",
    "complex64",
    "complex128",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
    "qint8",
    "quint8",
    "qint32",
    "quint4x2",
    "quint2x4",
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
];

/// Whether an import (`module.name`, as the walk lists it) is on the allow-list.
pub fn allowed(import: &str) -> bool {
    // The walk writes `module.name`; the module is everything before the last dot that the
    // allow-list knows, so try each split.
    import.match_indices('.').any(|(i, _)| {
        let (module, name) = (&import[..i], &import[i + 1..]);
        allowed_pair(python3_module(module), name)
    })
}

fn allowed_pair(module: &str, name: &str) -> bool {
    if ALLOWED.contains(&(module, name)) {
        return true;
    }
    // Legacy typed storages: `torch.FloatStorage`, `torch.BFloat16Storage` …, and the
    // untyped one. Plain identifiers only: no dotted attribute path gets through.
    module == "torch"
        && (TORCH_DTYPES.contains(&name)
            || name == "UntypedStorage"
            || (name.ends_with("Storage")
                && name.len() > "Storage".len()
                && name.bytes().all(|b| b.is_ascii_alphanumeric())
                && name.as_bytes()[0].is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_dict_imports_are_allowed() {
        for i in [
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch.FloatStorage",
            "torch.BFloat16Storage",
            "torch.float16",
            "numpy.core.multiarray._reconstruct",
            "_codecs.encode",
            "__builtin__.set",
        ] {
            assert!(allowed(i), "{i}");
        }
    }

    #[test]
    fn everything_else_is_not() {
        for i in [
            "posix.system",
            "os.system",
            "builtins.eval",
            "__builtin__.getattr",
            "numpy.__builtins__",
            "numpy.ndarray.__reduce__",
            "torch._utils._rebuild_tensor_v2.__globals__",
            "torch.Storage.__init__",
            "importlib.import_module",
            "functools.partial",
            "operator.attrgetter",
            "<computed>.system",
            "torch.load",
            "torch.os.system",
            "copyreg._inverted_registry[1]",
            "collections.OrderedDict.fromkeys",
        ] {
            assert!(!allowed(i), "{i}");
        }
    }
}
