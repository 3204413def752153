"""Alembic environment: runs on the connection handed in by tools.db.migrate, or on the URL."""

from alembic import context
from sqlalchemy import create_engine

from tools.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run_on(conn)
        return
    _run_on(connection)


def _own_tables_only(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Other owners keep tables in the same database: never autogenerate drops for them."""
    return not (type_ == "table" and reflected and compare_to is None)


def _run_on(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=_own_tables_only,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
