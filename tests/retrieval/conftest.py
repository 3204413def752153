"""Shared fixtures: the real all-MiniLM-L6-v2 (cached per text so several stores can share
embeddings) and a demo store on the real Qdrant Edge, built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from retrieval import KbSources, Retrieval  # noqa: E402
from retrieval.backends.edge import EdgeBackend  # noqa: E402
from retrieval.embedding import SentenceTransformerEmbedder  # noqa: E402
from retrieval.tau2_adapter import (  # noqa: E402
    catalog_from_tau2,
    load_categories,
    load_tau2_store,
    orders_from_tau2,
)

ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "tools" / "data" / "tau2_retail" / "db.json"
CATEGORIES = ROOT / "tools" / "data" / "categories.json"
POLICY = ROOT / "tools" / "data" / "tau2_retail" / "policy.md"
CUSTOMERS = ("james_li_5688", "noah_brown_6181", "sofia_kovacs_7075")


class CachingEmbedder:
    """The real embedder, with a per-text cache shared by every store built in the session."""

    def __init__(self, real: SentenceTransformerEmbedder) -> None:
        self.real = real
        self.cache: dict[str, np.ndarray] = {}
        self.documents_embedded = 0

    @property
    def dim(self) -> int:
        return self.real.dim

    @property
    def model_id(self) -> str:
        return self.real.model_id

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            self.cache.update(zip(missing, self.real.embed_documents(missing)))
        self.documents_embedded += len(texts)
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> CachingEmbedder:
    """Queries go through ONNX Runtime, as in the server (documents through torch)."""
    return CachingEmbedder(SentenceTransformerEmbedder(onnx_cache_dir=tmp_path_factory.mktemp("onnx-cache")))


@pytest.fixture(scope="session")
def tau2_db() -> dict:
    return load_tau2_store(DB)


@pytest.fixture(scope="session")
def demo_products(tau2_db: dict) -> list:
    return list(catalog_from_tau2(tau2_db, load_categories(CATEGORIES)))


@pytest.fixture(scope="session")
def demo_orders(tau2_db: dict) -> list:
    return [o for o in orders_from_tau2(tau2_db) if o.customer_id in CUSTOMERS]


@pytest.fixture(scope="session")
def kb_sources() -> KbSources:
    return KbSources(policy_files=((POLICY, "tau2-policy"),))


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, embedder: CachingEmbedder, demo_products: list,
         demo_orders: list, kb_sources: KbSources) -> Iterator[Retrieval]:
    """Full demo catalog, full kb, the orders of three customers, on Qdrant Edge."""
    store = tmp_path_factory.mktemp("edge") / "qdrant"
    r = Retrieval(EdgeBackend(store), embedder, kb_sources=kb_sources)
    r.index_catalog(demo_products)
    r.index_kb()
    r.index_history(demo_orders)
    yield r
    r.close()
