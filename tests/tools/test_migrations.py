"""The Alembic migrations build exactly the schema the SQLAlchemy models describe, so a model
change without its migration (or the reverse) fails here rather than in production."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from server.conversation_models import ServerBase
from server.conversations import migrate_server
from tests.conftest import Store
from tools.models import Base as CrmBase


def _differences(store: Store, metadata: MetaData) -> list:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True,
            # The other chain's tables live in the same database; compare only this chain's.
            "include_name": lambda name, kind, _parent: kind != "table" or name in metadata.tables,
        })
        return compare_metadata(ctx, metadata)


@pytest.mark.parametrize("chain", ["crm", "server"])
def test_models_and_migrations_agree(store: Store, chain: str) -> None:
    if chain == "server":
        migrate_server(store.engine)
    assert _differences(store, CrmBase.metadata if chain == "crm" else ServerBase.metadata) == []
