"""Shared fixtures: a seeded demo store on the real SQLite and the real PostgreSQL.

Each test gets its own copy: a copied SQLite file, or a PostgreSQL database created from a
seeded template database (CREATE DATABASE … TEMPLATE, fast).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from tools.crm import registry as crm_registry
from tools.db import make_engine, make_sessionmaker
from tools.offers import registry as offers_registry
from tools.seed import seed
from tools.service import ToolService

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# One ONNX export of the embedding model for the whole run (servers and CLI subprocesses
# included), instead of one per test's var_dir.
os.environ.setdefault("CONCIERGE_MODELS_DIR", tempfile.mkdtemp(prefix="concierge-test-models-"))

REPO = Path(__file__).resolve().parent.parent
TAU2_TEST_DATA = REPO / "tests" / "data" / "tau2_retail"  # vendored: tasks and τ²'s expected output
PG_ADMIN_URL = os.environ.get("CONCIERGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Store:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    tools: ToolService

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def _store(url: str) -> Store:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    return Store(url, engine, sessions, ToolService(sessions, crm_registry.merge(offers_registry)))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    seed(engine)
    with engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "store.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{dbname}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # the server is part of this machine and of CI: a test never skips it
        pytest.fail(f"PostgreSQL not reachable at {PG_ADMIN_URL} (set CONCIERGE_TEST_POSTGRES_URL): {exc}")
    name = f"concierge_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_pg_url(name))
    seed(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    admin = _pg_admin()
    name = f"concierge_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    s = _store(url)
    yield s
    s.engine.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    s = _store(sqlite_url)
    yield s
    s.engine.dispose()


@pytest.fixture(scope="session")
def index_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store indexed once (`concierge index all`, real MiniLM + Qdrant Edge); servers
    started by the tests copy it, so each start only checks content hashes."""
    import subprocess
    import sys

    var = tmp_path_factory.mktemp("index")
    db = var / "concierge.db"
    shutil.copyfile(sqlite_template, db)
    env = {**os.environ, "CONCIERGE_VAR_DIR": str(var), "CONCIERGE_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(Path(sys.executable).parent / "concierge"), "index", "all"], env=env, check=True,
                   capture_output=True, timeout=1200)
    return var / "qdrant"


@pytest.fixture(scope="session")
def live_server(sqlite_template: Path, index_template: Path,  # type: ignore[no-untyped-def]
                tmp_path_factory: pytest.TempPathFactory):
    """One real server for the whole session (its start loads every model)."""
    from tests.live import start_server, stop_server

    server = start_server(tmp_path_factory.mktemp("live"), sqlite_template, index_template=index_template)
    yield server
    stop_server(server)
