"""Schema migrations with Alembic: every database is brought to the head.

The store upgrades automatically when opened (every command of
``helping-process`` that reads or writes cases does); :func:`upgrade` does it
explicitly. A database already at the
head costs one query, and Alembic itself is imported only when there is
something to migrate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Final

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import text

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest revision in ``migrations/versions``.
HEAD: Final = "0013"
_LOCK_ID: Final = 7_264_001


def current_revision(connection: Connection) -> str | None:
    """Return the database's revision, or None for an empty database."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(bind: Engine | Connection, revision: str = "head") -> str | None:
    """Bring the database to ``revision`` (the head by default).

    Args:
        bind: an engine (the upgrade is its own transaction) or a connection
            (the upgrade joins the transaction it holds, as a savepoint, so
            it commits or rolls back with the caller's work).
        revision: the revision to reach.

    Returns:
        The revision the database had before.
    """
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            return _upgrade(connection, revision)
    if bind.in_transaction():
        with bind.begin_nested():
            return _upgrade(bind, revision)
    with bind.begin():
        return _upgrade(bind, revision)


def _upgrade(connection: Connection, revision: str) -> str | None:
    if connection.dialect.name == "postgresql":
        # Serialises concurrent upgrades of one database.
        connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_ID})"))
    before = current_revision(connection)
    if before == HEAD and revision == "head":
        return before
    from alembic import command  # noqa: PLC0415 - only when there is work

    command.upgrade(_alembic_config(connection), revision)
    return before


def _alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for running the migrations on ``connection``."""
    from alembic.config import Config  # noqa: PLC0415 - only when there is work

    config = Config()
    config.set_main_option("script_location", "helping_process.persistence:migrations")
    config.attributes["connection"] = connection
    return config
