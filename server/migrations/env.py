"""Alembic environment for the server's own tables (version table `alembic_version_server`)."""

from alembic import context
from sqlalchemy import create_engine

from server.conversation_models import ServerBase

config = context.config
VERSION_TABLE = "alembic_version_server"


def _own_tables_only(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Other owners keep tables in the same database: never autogenerate drops for them."""
    return not (type_ == "table" and reflected and compare_to is None)


def _run_on(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=ServerBase.metadata,
                      version_table=VERSION_TABLE, render_as_batch=connection.dialect.name == "sqlite",
                      include_object=_own_tables_only)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
        _run_on(conn)
else:
    _run_on(connection)
