"""Alembic environment: runs migrations on the connection the server hands over (see
server/store/migrate.py), or on the URL from the server's settings when run by hand."""

from __future__ import annotations

from sqlalchemy import create_engine

from alembic import context
from server.settings import Settings
from server.store.tables import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(Settings().db_url)
    with engine.begin() as conn:
        _migrate(conn)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
