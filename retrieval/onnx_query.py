"""Query embeddings through ONNX Runtime: the same all-MiniLM-L6-v2 vectors as
sentence-transformers (to ~1e-7), three times faster for one short query on one core, which
is what a search is (about 3 ms instead of 10; the rest of a hybrid search is ~1 ms).

The model is exported from the local sentence-transformers copy once, on first use, with
torch's own ONNX exporter (transformer + mean pooling + L2 normalisation in one graph), into a
cache directory, and checked against the torch output before it is kept. Later processes load
the cached file without loading torch weights at all.

Written by hand (about 80 lines) because sentence-transformers' own ONNX backend needs
`optimum-onnx`, whose pins conflict with this project's transformers; the export itself is
torch's and the runtime is ONNX Runtime's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
#: How far the exported graph may drift from torch's output before it is refused.
MAX_DRIFT = 1e-4
_PROBE = "a waterproof hiking boot with a wide toe box, size 10"
_export_lock = threading.Lock()


def supported(model_path: Path) -> bool:
    """The model is a BERT-style encoder with mean pooling and a Normalize module, and the
    runtime is installed."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    try:
        modules = json.loads((model_path / "modules.json").read_text())
        pooling = json.loads((model_path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return kinds == ["Transformer", "Pooling", "Normalize"] and bool(pooling.get("pooling_mode_mean_tokens")) \
        and (model_path / "tokenizer.json").exists()


def cache_file(model_path: Path, cache_dir: Path) -> Path:
    """One file per model version: the name carries a hash of the weights' size and mtime."""
    weights = next((p for p in (model_path / "model.safetensors", model_path / "pytorch_model.bin") if p.exists()),
                   model_path / "config.json")
    st = weights.stat()
    digest = hashlib.sha256(f"{model_path.resolve()}|{st.st_size}|{int(st.st_mtime)}".encode()).hexdigest()[:16]
    return cache_dir / f"{model_path.name if model_path.name != 'model' else model_path.parent.name}-{digest}.onnx"


def export(st_model: Any, model_path: Path, target: Path) -> None:
    """Export transformer + mean pooling + normalisation; written atomically, kept only if it
    reproduces torch's embedding of a probe sentence."""
    import torch

    class _Graph(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    batch = st_model.tokenizer([_PROBE], return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {"embedding": {0: "batch"}}
    graph = _Graph(st_model[0].auto_model).eval()
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about BERT's shape arithmetic, not errors
        torch.onnx.export(graph, tuple(batch[n] for n in INPUTS), str(tmp), input_names=list(INPUTS),
                          output_names=["embedding"], dynamic_axes=axes, opset_version=17, dynamo=False)
    want = st_model.encode([_PROBE], normalize_embeddings=True, convert_to_numpy=True)[0]
    got = OnnxQueryEncoder(tmp, model_path).encode(_PROBE)
    drift = float(np.abs(want - got).max())
    if drift > MAX_DRIFT:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"exported MiniLM drifts {drift:.2e} from torch; keeping the torch path")
    os.replace(tmp, target)


class OnnxQueryEncoder:
    """One ONNX Runtime session, single-threaded (a query is one short sequence; a second
    thread only spin-waits for a core the LLM or another request is using)."""

    def __init__(self, onnx_file: Path, model_path: Path, *, threads: int = 1, max_tokens: int = 256) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])

    def encode(self, text: str) -> np.ndarray:
        enc = self._tokenizer.encode(text)
        feed = {"input_ids": np.asarray([enc.ids], dtype=np.int64),
                "attention_mask": np.asarray([enc.attention_mask], dtype=np.int64),
                "token_type_ids": np.asarray([enc.type_ids], dtype=np.int64)}
        return np.asarray(self._session.run(None, feed)[0][0], dtype=np.float32)


def open_encoder(model_path: Path, cache_dir: Path, load_st_model: Callable[[], Any],
                 max_tokens: int = 256) -> OnnxQueryEncoder | None:
    """The cached encoder, exporting it first if needed; None (torch path) if that fails."""
    if not supported(model_path):
        return None
    target = cache_file(model_path, cache_dir)
    with _export_lock:
        for attempt in (1, 2):
            try:
                if not target.exists():
                    export(load_st_model(), model_path, target)
                return OnnxQueryEncoder(target, model_path, max_tokens=max_tokens)
            except Exception as exc:  # noqa: BLE001 - any failure means: use torch
                if attempt == 1 and target.exists():
                    log.warning("cached ONNX model %s unusable (%s); exporting again", target, exc)
                    target.unlink(missing_ok=True)
                    continue
                log.warning("ONNX query embeddings unavailable (%s); using torch", exc)
                return None
    return None
