"""Alembic environment: migrations run on the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlalchemy import create_engine

from helping_process.persistence._schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if isinstance(given, Connection):
    _run(given)
else:
    with create_engine(
        context.config.get_main_option("sqlalchemy.url", "")
    ).connect() as connection:
        _run(connection)
