"""Queries embedded with ONNX Runtime get the vectors torch gives (so search results do not
depend on the runtime), the export is made once and reused, and a damaged export is replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import SentenceTransformerEmbedder

QUERIES = [
    "clicky full-size keyboard with RGB",
    "a kettle that isn't plastic",
    "can I return an item from a delivered order?",
    "émoji 🎉 and 日本語 in one query",
    "very long query " * 200,  # past MiniLM's 256 word pieces: truncated the same way
]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def onnx_embedder(onnx_dir: Path) -> SentenceTransformerEmbedder:
    emb = SentenceTransformerEmbedder(onnx_cache_dir=onnx_dir)
    emb.embed_query("warm up")  # exports the model
    return emb


def test_onnx_runtime_embeds_queries_like_torch(onnx_embedder: SentenceTransformerEmbedder) -> None:
    torch_embedder = SentenceTransformerEmbedder()
    assert onnx_embedder.query_runtime == "onnxruntime"
    for q in QUERIES:
        a, b = onnx_embedder.embed_query(q), torch_embedder.embed_query(q)
        assert a.shape == b.shape == (384,)
        assert float(np.abs(a - b).max()) < 1e-5, q
        assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5


def test_the_export_is_reused_without_loading_torch_weights(
        onnx_embedder: SentenceTransformerEmbedder, onnx_dir: Path) -> None:
    assert len(list(onnx_dir.glob("*.onnx"))) == 1
    fresh = SentenceTransformerEmbedder(onnx_cache_dir=onnx_dir)
    fresh.embed_query("a tent for four people")
    assert fresh.query_runtime == "onnxruntime"
    assert fresh._model is None  # the sentence-transformers model was never loaded


def test_a_damaged_export_is_made_again(onnx_embedder: SentenceTransformerEmbedder, tmp_path: Path) -> None:
    good = next(Path(onnx_embedder._onnx_cache_dir).glob("*.onnx"))  # type: ignore[arg-type]
    broken = tmp_path / good.name
    broken.write_bytes(good.read_bytes()[:1000])  # a truncated file, as after a full disk
    emb = SentenceTransformerEmbedder(onnx_cache_dir=tmp_path)
    v = emb.embed_query(QUERIES[0])
    assert emb.query_runtime == "onnxruntime"
    assert broken.stat().st_size > 1_000_000  # exported again in place
    assert float(np.abs(v - onnx_embedder.embed_query(QUERIES[0])).max()) < 1e-6


def test_without_a_cache_dir_queries_stay_on_torch() -> None:
    emb = SentenceTransformerEmbedder()
    emb.embed_query("hello")
    assert emb.query_runtime == "torch"
