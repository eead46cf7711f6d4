"""Making SQLAlchemy engines: durable SQLite by default, PostgreSQL at scale."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from typing import Final

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import NoSuchModuleError
from sqlalchemy.pool import StaticPool

from helping_process.exceptions import DriverMissingError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import StorageError

#: How long a SQLite writer waits for another one, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS: Final = 30_000
#: How long a store waits before trying to switch a new database to WAL again.
_WAL_RETRY_S: Final = 0.005
#: How much of a database file SQLite may read through a memory map
#: (SQLite caps it at its own build's limit, 2 GiB by default).
SQLITE_MMAP_BYTES: Final = 1 << 30
#: What to install for PostgreSQL (psycopg 3).
_POSTGRES_EXTRA: Final = "helping-process[postgres]"


def make_engine(url: str | URL) -> Engine:
    """Return an engine for ``url``, set up for a durable audit trail.

    SQLite files are created with permissions 0600 and run with WAL,
    ``synchronous=FULL``, ``secure_delete`` and foreign keys on; every
    transaction starts with ``BEGIN IMMEDIATE`` so writers queue instead of
    failing to upgrade a read lock. ``postgresql://`` URLs use psycopg 3.

    Raises:
        InvalidInputError: the URL is malformed or names an unsupported
            database.
        DriverMissingError: the database driver is not installed.
        StorageError: the SQLite file cannot be created.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is no number
        raise InvalidInputError("database_url", "not_url", str(url)) from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite(parsed)
        if backend == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            return create_engine(parsed, pool_size=16, max_overflow=16)
    except NoSuchModuleError as error:
        raise DriverMissingError(parsed.drivername, _POSTGRES_EXTRA) from error
    except ModuleNotFoundError as error:
        module = (error.name or parsed.drivername).partition(".")[0]
        raise DriverMissingError(module, _POSTGRES_EXTRA) from error
    raise InvalidInputError("database_url", "unsupported_database", backend)


def _sqlite(url: URL) -> Engine:
    path = url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        _create_private(Path(path))
        # Every unit of work ends its own transaction: no reset on check-in.
        engine = create_engine(url, pool_reset_on_return=None)
    else:
        engine = create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _create_private(path: Path) -> None:
    """Create the database file readable and writable by its owner only."""
    if path.exists():
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    except OSError as error:
        detail = f"cannot create {path}: {error.strerror}"
        raise StorageError(detail) from error


def _sqlite_connect(dbapi_connection: Any, record: object) -> None:
    # pysqlite's own transaction handling is off; _sqlite_begin starts them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    # Deleted content is overwritten with zeros, in free pages and in the
    # free space inside pages: a redaction leaves no copy in the file, nor
    # does the rewrite of a case row on every command (its client reference).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Pages are read through a memory map instead of a read() and a copy
    # each: a scan in (case_id, seq) order visits the rows of a trail
    # written case after case in turn, a page apart, and full verification
    # fetched a quarter faster so. Only reads use it; writes still go
    # through the journal.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Put the database in WAL mode (the file keeps it: once is enough).

    The switch needs the database to itself. Stores opening a new database
    together can find one another switching, and SQLite then refuses at
    once instead of waiting (waiting could deadlock), so the switch is
    tried again until the busy timeout has passed.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(_WAL_RETRY_S)
        else:
            return


def _sqlite_begin(connection: Any) -> None:
    # Straight to the driver: this runs once per command on the hot path.
    connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
