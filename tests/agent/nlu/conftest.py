"""One real NLU (real MiniLM, shipped intent model, demo-store catalog) for the whole session."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DB = Path(__file__).resolve().parents[3] / "tools" / "data" / "tau2_retail" / "db.json"


@pytest.fixture(scope="session")
def db() -> dict[str, Any]:
    return json.loads(DB.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def catalog(db: dict[str, Any]):  # type: ignore[no-untyped-def]
    from agent.nlu import Catalog

    return Catalog.from_data(db)


@pytest.fixture(scope="session")
def sentence_model():  # type: ignore[no-untyped-def]
    from agent.nlu.embedding import load_sentence_transformer

    return load_sentence_transformer()


@pytest.fixture(scope="session")
def nlu(sentence_model, catalog):  # type: ignore[no-untyped-def]
    from agent.nlu import NLU

    return NLU(sentence_model, catalog=catalog)
