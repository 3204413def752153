"""Pseudonym stores: encrypted at rest, expiring, erasable per customer."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from privacy.pseudonyms import PseudonymMap
from privacy.store import InMemoryPseudonymStore, SqlPseudonymStore


def a_map(conversation_id: str, customer_id: str | None) -> PseudonymMap:
    m = PseudonymMap(conversation_id, customer_id)
    m.pseudonym_for("EMAIL_ADDRESS", "secret.person@example.com")
    m.pseudonym_for("PERSON", "Secret Person")
    return m


@pytest.fixture
def sql_store(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    yield SqlPseudonymStore(engine, keys=Fernet.generate_key()), engine
    engine.dispose()


def test_sql_round_trip_and_ciphertext_at_rest(sql_store) -> None:
    store, engine = sql_store
    store.save(a_map("conv-1", "cust-1"))
    loaded = store.load("conv-1")
    assert loaded is not None and loaded.restore("<PERSON_1>") == "Secret Person"
    with engine.connect() as conn:
        raw = conn.execute(text("select ciphertext, customer_id from privacy_pseudonym_maps")).one()
    assert b"secret" not in bytes(raw[0]).lower() and raw[1] == "cust-1"


def test_sql_update_keeps_one_row(sql_store) -> None:
    store, engine = sql_store
    m = a_map("conv-1", None)
    store.save(m)
    m.pseudonym_for("PHONE_NUMBER", "+44 20 7946 0958")
    store.save(m)
    assert store.load("conv-1").restore("<PHONE_NUMBER_1>") == "+44 20 7946 0958"
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from privacy_pseudonym_maps")).scalar() == 1


def test_wrong_key_cannot_read(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'k.db'}")
    SqlPseudonymStore(engine, keys=Fernet.generate_key()).save(a_map("c", None))
    with pytest.raises(RuntimeError):
        SqlPseudonymStore(engine, keys=Fernet.generate_key()).load("c")
    engine.dispose()


def test_key_rotation_reads_old_maps(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    old, new = Fernet.generate_key(), Fernet.generate_key()
    SqlPseudonymStore(engine, keys=old).save(a_map("c", None))
    assert SqlPseudonymStore(engine, keys=[new, old]).load("c").restore("<PERSON_1>") == "Secret Person"
    engine.dispose()


@pytest.mark.parametrize("kind", ["memory", "sql"])
def test_forget_removes_only_that_customers_maps(kind, sql_store) -> None:
    store = InMemoryPseudonymStore() if kind == "memory" else sql_store[0]
    store.save(a_map("a1", "alice"))
    store.save(a_map("a2", "alice"))
    store.save(a_map("b1", "bob"))
    assert store.forget("alice") == 2
    assert store.load("a1") is None and store.load("a2") is None
    assert store.load("b1") is not None


def test_memory_maps_expire() -> None:
    now = [0.0]
    store = InMemoryPseudonymStore(ttl_seconds=60, clock=lambda: now[0])
    store.save(a_map("c", None))
    now[0] = 30
    assert store.load("c") is not None
    now[0] = 200
    assert store.load("c") is None


def test_sql_maps_expire(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    store = SqlPseudonymStore(engine, keys=Fernet.generate_key(), ttl_seconds=0)
    store.save(a_map("c", None))
    assert store.load("c") is None
    assert store.purge_expired() == 0
    engine.dispose()
