#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Seeds are small valid inputs of each format (written here, or taken from ../shared/corpus and
the repository's own rules and examples), so the fuzzer starts from inputs that reach deep
into each parser. Pickles are written with Python's pickle module and never loaded.

    python3 fuzz/seed.py            # from the repository root
"""

import io
import json
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
SHARED = ROOT.parent / "shared" / "corpus"
MAX_SEED = 32 * 1024


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data[:MAX_SEED])


def files(pattern_dir, glob, limit):
    out = sorted(p for p in pattern_dir.glob(glob) if p.is_file() and p.stat().st_size <= MAX_SEED)
    return out[:limit]


def safetensors(meta=None):
    header = {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}
    if meta is not None:
        header["__metadata__"] = meta
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + bytes(16)


def gguf(kvs, tensors=1):
    def s(x):
        b = x.encode()
        return struct.pack("<Q", len(b)) + b

    out = b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", tensors) + struct.pack("<Q", len(kvs))
    for k, (ty, v) in kvs.items():
        out += s(k) + struct.pack("<I", ty)
        if ty == 8:
            out += s(v)
        elif ty == 4:
            out += struct.pack("<I", v)
        elif ty == 9:
            elem, items = v
            out += struct.pack("<I", elem) + struct.pack("<Q", len(items))
            for it in items:
                out += s(it) if elem == 8 else struct.pack("<f", it)
    for i in range(tensors):
        out += s(f"t{i}") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 4) + struct.pack("<I", 0)
        out += struct.pack("<Q", 0)
    return out + bytes(64)


def torch_zip(payload):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/version", "3\n")
        z.writestr("archive/data/0", bytes(16))
    return buf.getvalue()


def onnx():
    def varint(n):
        out = b""
        while True:
            b = n & 0x7F
            n >>= 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out

    def field(tag, wire, payload):
        key = varint(tag << 3 | wire)
        if wire == 2:
            return key + varint(len(payload)) + payload
        return key + payload

    entry = field(1, 2, b"model_license") + field(2, 2, b"apache-2.0")
    opset = field(1, 2, b"") + field(2, 0, varint(17))
    graph = field(1, 2, b"node") + field(5, 2, b"\x00" * 32)
    return (
        field(1, 0, varint(8))
        + field(2, 2, b"pytorch")
        + field(3, 2, b"2.1")
        + field(8, 2, opset)
        + field(14, 2, entry)
        + field(7, 2, graph)
    )


def keras_zip(config):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3", "date_saved": "2024-01-01"}))
        z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(64))
    return buf.getvalue()


def main():
    if not SHARED.is_dir():
        sys.exit(f"error: {SHARED} is missing; the seeds take cards and licence texts from there")

    for p in files(SHARED / "modelcards", "*.md", 300):
        put("front_matter", p.name, p.read_bytes())
    for p in files(SHARED / "modelcards-bulk", "*.md", 300):
        text = p.read_text(errors="replace")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            if end > 0:
                put("plain_yaml", p.name, text[text.find("\n") + 1 : end + 1].encode())
    put("front_matter", "bomb.md", "---\nlicense: mit\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n---\n# Uses\n")
    for p in files(SHARED / "licences", "**/*", 200):
        put("licence_text", p.parent.name + "__" + p.name, p.read_bytes())

    put("config_toml", "starter.toml", (ROOT / "src" / "config" / "starter.toml").read_bytes())
    put(
        "config_toml",
        "full.toml",
        "packs = ['default']\nfail-on = 'warning'\nexclude = ['vendor']\n[licences]\nallow = ['permissive']\n"
        "deny = ['cc-by-nc-4.0']\n[severity]\nrestricted-use = 'error'\n[limits]\nfile-size = '1MiB'\n"
        "[[waiver]]\nmodel = 'org/*'\nrule = 'restricted-use'\nreason = 'reviewed'\nexpires = 2030-01-01\n",
    )
    for p in sorted((ROOT / "rules").glob("*.toml")):
        put("rule_pack", p.name, p.read_bytes())
    put(
        "baseline",
        "baseline.json",
        json.dumps(
            {
                "modelgate_baseline": 1,
                "findings": [
                    {"rule": "licence-missing", "model": "m", "fingerprint": "sha256:00", "severity": "error"}
                ],
            }
        ),
    )

    put("safetensors", "plain.safetensors", safetensors())
    put("safetensors", "meta.safetensors", safetensors({"license": "apache-2.0", "format": "pt"}))
    put("gguf", "plain.gguf", gguf({"general.architecture": (8, "llama"), "general.license": (8, "mit")}))
    put(
        "gguf",
        "vocab.gguf",
        gguf({"tokenizer.ggml.tokens": (9, (8, ["a", "b", "c"])), "tokenizer.ggml.scores": (9, (6, [0.5, 1.0]))}),
    )
    state = OrderedDict(w=[1.0, 2.0], b=(3, "x"))
    for proto in range(0, 6):
        put("pickle", f"p{proto}.pkl", bytes([0]) + pickle.dumps(state, protocol=proto))
    put("pickle", "global.pkl", bytes([1]) + b"cposix\nsystem\n(S'echo hi'\ntR.")
    put("pickle", "legacy.bin", bytes([2]) + b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19." + pickle.dumps(state, 2))
    put("zip_checkpoint", "torch.zip", torch_zip(pickle.dumps(state, protocol=2)))
    put("onnx", "model.onnx", onnx())
    lam = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Lambda", "config": {"name": "l", "function": "..."}}]},
    }
    put("keras", "model.keras", bytes([0]) + keras_zip(lam))
    put("keras", "model.h5", bytes([1]) + b"\x89HDF\r\n\x1a\n" + bytes(32) + json.dumps(lam).encode() + bytes(32))

    code = {
        0: "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/model-7b')\n",
        1: json.dumps({"cells": [{"cell_type": "code", "source": ["import openai\n", "c = openai.OpenAI()\n"]}]}),
        2: "import OpenAI from 'openai';\nconst r = await client.chat.completions.create({ model: 'gpt-4o' });\n",
        3: "services:\n  ollama:\n    image: ollama/ollama\n    command: ollama run llama3.1:8b\n",
        5: json.dumps({"base_model_name_or_path": "meta-llama/Llama-3.1-8B"}),
        6: "FROM python:3.12\nRUN huggingface-cli download org/model\n",
        7: "ollama pull qwen2.5:7b\n",
        8: "FROM llama3.2\nPARAMETER temperature 0.2\n",
    }
    for variant, text in code.items():
        put("references", f"code{variant}", bytes([variant]) + text.encode())
    for p in sorted((ROOT / "examples").rglob("*.py"))[:20]:
        put("references", "ex_" + p.name, bytes([0]) + p.read_bytes())

    put("model_config", "config.json", json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]}))
    put(
        "ollama_manifest",
        "manifest.json",
        json.dumps(
            {
                "schemaVersion": 2,
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:ab", "size": 1},
                "layers": [
                    {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:cd", "size": 100},
                    {"mediaType": "application/vnd.ollama.image.license", "digest": "sha256:ef", "size": 10},
                ],
            }
        ),
    )
    inv = ROOT / "examples" / "inventory.csv"
    if inv.is_file():
        put("inventory", "inventory.csv", bytes([0]) + inv.read_bytes())
    put("inventory", "list.txt", bytes([3]) + b"meta-llama/Llama-3.1-8B team=search region=eu\ngpt-4o\nollama:qwen2.5\n")
    put("inventory", "inv.json", bytes([2]) + json.dumps({"models": [{"id": "org/m", "revision": "v1"}]}).encode())
    for f in files(SHARED / "mof" / "models", "*.yml", 20):
        put("mot", f.name, f.read_bytes())
    print(f"seeds written to {CORPUS}")


if __name__ == "__main__":
    main()
