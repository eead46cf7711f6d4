"""Floors: what the disk, raw ``sqlite3`` and raw ``psycopg`` allow for our writes.

One transition = update the case row (guarded by its sequence number) and
insert a ~300-byte audit row, as the project's targets count it. Each function
builds its own database in a temporary directory (or its own tables on the
PostgreSQL server) and removes it afterwards, so the durable-write groups
can call them side by side with the store they compare.

Figures: ``sqlite_floor_per_s`` (WAL + ``synchronous=FULL``, one commit per
transition), ``sqlite_batch_floor_per_s`` (1000 per commit),
``fetch_sha256_floor_per_s`` (read stored bytes in order and SHA-256 them),
``fsync_floor_per_s`` (``os.write`` + ``fsync``) and, when psycopg and a
server are there, ``postgres_update_insert_floor_per_s`` (8 writers, durable).
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

from _report import Figures
from _report import progress

if TYPE_CHECKING:
    import psycopg

TARGETS: Final = {
    "fsync_floor_per_s": "os.write 300 B + fsync (PERFORMANCE 7.4k/s)",
    "sqlite_floor_per_s": "WAL + FULL, 1 commit each (PERFORMANCE 4.4k-4.8k/s)",
    "sqlite_batch_floor_per_s": "WAL + FULL, 1000 per commit (PERFORMANCE 22k-35k/s)",
    "fetch_sha256_floor_per_s": "fetch + SHA-256 of stored bytes, events/s",
    "postgres_update_insert_floor_per_s": (
        "8 writers, update + insert, durable (PERFORMANCE 6.2k/s)"
    ),
    "postgres_settings": "must be fsync=on, synchronous_commit=on to be durable",
    "postgres_floor_skipped": "why the PostgreSQL floor was not measured",
}

#: Environment variable naming the PostgreSQL server to measure against.
POSTGRES_URL_VARIABLE: Final = "HELPING_PROCESS_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL: Final = "postgresql://postgres@127.0.0.1:5432/test"

#: The bytes of one audit row, about the size of a canonical event.
AUDIT_ROW_BYTES: Final = 300

_STAGES: Final = ("intake", "contract")

_SQLITE_SCHEMA: Final = (
    "CREATE TABLE cases ("
    " case_id TEXT PRIMARY KEY, stage TEXT NOT NULL, seq INTEGER NOT NULL)",
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY, case_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " body BLOB NOT NULL, UNIQUE (case_id, seq))",
)
_SQLITE_MOVE: Final = (
    "UPDATE cases SET stage = ?, seq = ? WHERE case_id = ? AND seq = ?"
)
_SQLITE_APPEND: Final = "INSERT INTO events (case_id, seq, body) VALUES (?, ?, ?)"


class FloorSkippedError(Exception):
    """Raised when a floor cannot be measured here (a driver or server is missing).

    Attributes:
        missing: what is missing: ``"psycopg"`` or ``"server"``.
    """

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(_MISSING[missing])


class FloorMiscountError(Exception):
    """Raised when a floor wrote or read other than the rows it meant to."""

    def __init__(self, counted: int, expected: int) -> None:
        self.counted = counted
        self.expected = expected
        super().__init__(f"counted {counted:,} rows, expected {expected:,}")


_MISSING: Final = {
    "psycopg": "psycopg is not importable (the postgres extra)",
    "server": f"no PostgreSQL server at ${POSTGRES_URL_VARIABLE} or the default",
}


def audit_row(number: int) -> bytes:
    """Return a distinct audit row of :data:`AUDIT_ROW_BYTES` bytes."""
    return f"{number:012d}".encode().ljust(AUDIT_ROW_BYTES, b"x")


def case_ids(count: int, seed: int = 0) -> list[str]:
    """Return ``count`` distinct random UUID strings, as the service makes case ids.

    Random ids spread the ``(case_id, seq)`` index writes the way real ones do.
    """
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def fsync_per_s(writes: int) -> float:
    """Return ``os.write`` of one audit row + ``fsync`` per second."""
    with tempfile.TemporaryDirectory(prefix="hp-floor-") as directory:
        descriptor = os.open(
            Path(directory) / "log", os.O_WRONLY | os.O_CREAT | os.O_APPEND
        )
        try:
            row = audit_row(0)
            start = time.perf_counter()
            for _ in range(writes):
                os.write(descriptor, row)
                os.fsync(descriptor)
            elapsed = time.perf_counter() - start
        finally:
            os.close(descriptor)
    return writes / elapsed


@contextmanager
def sqlite_database(cases: int) -> Iterator[sqlite3.Connection]:
    """Yield a WAL + ``synchronous=FULL`` database holding ``cases`` case rows.

    The connection is in autocommit mode: callers ``BEGIN`` and ``COMMIT``.
    """
    with tempfile.TemporaryDirectory(prefix="hp-floor-") as directory:
        connection = sqlite3.connect(Path(directory) / "floor.db", isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            for statement in _SQLITE_SCHEMA:
                connection.execute(statement)
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT INTO cases (case_id, stage, seq) VALUES (?, 'engagement', 1)",
                [(case_id,) for case_id in case_ids(cases)],
            )
            connection.execute("COMMIT")
            yield connection
        finally:
            connection.close()


def sqlite_transitions_per_s(
    transitions: int, *, per_commit: int = 1, cases: int = 1_000
) -> float:
    """Return transitions/s of raw ``sqlite3``, ``per_commit`` per transaction.

    Each transition updates a case row only if its ``seq`` is the one last
    seen (as the store guards it) and inserts one audit row; the cases are
    taken in turn.
    """
    ids = case_ids(cases)
    seqs = [1] * cases
    row = audit_row(0)
    with sqlite_database(cases) as connection:
        start = time.perf_counter()
        for first in range(0, transitions, per_commit):
            connection.execute("BEGIN")
            for number in range(first, min(first + per_commit, transitions)):
                slot = number % cases
                seq = seqs[slot]
                case_id = ids[slot]
                moved = connection.execute(
                    _SQLITE_MOVE, (_STAGES[seq % 2], seq + 1, case_id, seq)
                )
                if moved.rowcount != 1:
                    raise FloorMiscountError(moved.rowcount, 1)
                connection.execute(_SQLITE_APPEND, (case_id, seq + 1, row))
                seqs[slot] = seq + 1
            connection.execute("COMMIT")
        elapsed = time.perf_counter() - start
    return transitions / elapsed


def fetch_sha256_per_s(events: int, *, events_per_case: int = 50) -> float:
    """Return events/s of reading stored audit rows in trail order and hashing each.

    The floor of verifying a chain whose canonical bytes are stored in the
    row: fetch ``(case_id, seq)``-ordered bytes from SQLite, SHA-256 them.
    """
    cases = max(events // events_per_case, 1)
    with sqlite_database(cases) as connection:
        connection.execute("BEGIN")
        connection.executemany(
            _SQLITE_APPEND,
            (
                (case_id, seq, audit_row(number * events_per_case + seq))
                for number, case_id in enumerate(case_ids(cases))
                for seq in range(1, events_per_case + 1)
            ),
        )
        connection.execute("COMMIT")
        stored = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        start = time.perf_counter()
        sha256 = hashlib.sha256
        hashed = 0
        for (body,) in connection.execute(
            "SELECT body FROM events ORDER BY case_id, seq"
        ):
            sha256(body).digest()
            hashed += 1
        elapsed = time.perf_counter() - start
    if hashed != stored:
        raise FloorMiscountError(hashed, stored)
    return hashed / elapsed


def postgres_url() -> str:
    """Return the PostgreSQL URL to measure against (env or the local default).

    The variable holds the tests' SQLAlchemy URL (``postgresql+psycopg://``);
    libpq takes it without the driver.
    """
    url = os.environ.get(POSTGRES_URL_VARIABLE) or DEFAULT_POSTGRES_URL
    scheme, separator, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{separator}{rest}"


def postgres_transitions_per_s(
    transitions_per_writer: int, *, writers: int = 8, cases_per_writer: int = 16
) -> tuple[float, str]:
    """Return transitions/s of raw psycopg, ``writers`` threads on distinct cases.

    Each writer has its own connection in autocommit and sends one guarded
    update + insert statement per transition, so each transition is one
    durable commit. The tables are made for the run and dropped after.

    Returns:
        The rate, and the server's durability settings (``fsync``,
        ``synchronous_commit``): the rate is a durable floor only when on.

    Raises:
        FloorSkippedError: psycopg is not importable or no server answers.
    """
    try:
        import psycopg  # noqa: PLC0415 - optional: the postgres extra
    except ImportError:
        raise FloorSkippedError("psycopg") from None
    url = postgres_url()
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        raise FloorSkippedError("server") from None
    with admin, _postgres_tables(admin) as (cases_table, events_table):
        settings = ", ".join(
            f"{name}={_postgres_setting(admin, name)}"
            for name in ("fsync", "synchronous_commit")
        )
        ids = [case_ids(cases_per_writer, seed=writer) for writer in range(writers)]
        with admin.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {cases_table} (case_id, stage, seq)"
                " VALUES (%s, 'engagement', 1)",
                [(case_id,) for writer_ids in ids for case_id in writer_ids],
            )
        statement = (
            f"WITH moved AS (UPDATE {cases_table} SET stage = %s, seq = seq + 1"
            " WHERE case_id = %s AND seq = %s RETURNING case_id, seq)"
            f" INSERT INTO {events_table} (case_id, seq, body)"
            " SELECT case_id, seq, %s FROM moved"
        )
        elapsed = _write_concurrently(url, statement, ids, transitions_per_writer)
        written = _postgres_count(admin, events_table)
    if written != writers * transitions_per_writer:
        raise FloorMiscountError(written, writers * transitions_per_writer)
    return written / elapsed, settings


def _postgres_count(connection: psycopg.Connection[Any], table: str) -> int:
    row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _postgres_setting(connection: psycopg.Connection[Any], name: str) -> str:
    row = connection.execute(f"SHOW {name}").fetchone()
    return str(row[0]) if row else "?"


@contextmanager
def _postgres_tables(connection: psycopg.Connection[Any]) -> Iterator[tuple[str, str]]:
    """Create a run's own case and event tables; drop them afterwards."""
    suffix = f"{os.getpid()}_{secrets.token_hex(4)}"
    cases_table, events_table = f"hp_floor_cases_{suffix}", f"hp_floor_events_{suffix}"
    try:
        connection.execute(
            f"CREATE TABLE {cases_table} (case_id text PRIMARY KEY,"
            " stage text NOT NULL, seq integer NOT NULL)"
        )
        connection.execute(
            f"CREATE TABLE {events_table} (case_id text NOT NULL,"
            " seq integer NOT NULL, body bytea NOT NULL, PRIMARY KEY (case_id, seq))"
        )
        yield cases_table, events_table
    finally:
        for table in (events_table, cases_table):
            connection.execute(f"DROP TABLE IF EXISTS {table}")


def _write_concurrently(
    url: str, statement: str, ids: list[list[str]], transitions_per_writer: int
) -> float:
    """Run one writer thread per list of case ids; return the seconds they took."""
    import psycopg  # noqa: PLC0415 - optional: the postgres extra

    ready = threading.Barrier(len(ids) + 1)
    failures: list[BaseException] = []
    row = audit_row(0)

    def write(writer_ids: list[str]) -> None:
        seqs = [1] * len(writer_ids)
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                ready.wait()
                for number in range(transitions_per_writer):
                    slot = number % len(writer_ids)
                    seq = seqs[slot]
                    done = connection.execute(
                        statement,
                        (_STAGES[seq % 2], writer_ids[slot], seq, row),
                    )
                    # A refused guard appends nothing; the caller counts rows.
                    seqs[slot] = seq + done.rowcount
        except BaseException as error:  # handed to the measuring thread
            failures.append(error)
            ready.abort()

    threads = [threading.Thread(target=write, args=(each,)) for each in ids]
    for thread in threads:
        thread.start()
    with suppress(threading.BrokenBarrierError):
        ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise failures[0]
    return elapsed


#: How many operations each floor does: (quick, full).
_SIZES: Final = {
    "fsync": (300, 1_500),
    "sqlite": (1_000, 5_000),
    "sqlite_batch": (40_000, 200_000),
    "fetch_sha256": (50_000, 250_000),
    "postgres_per_writer": (500, 2_500),
}


def measure(quick: bool) -> Figures:
    """Measure the write and verification floors (small N when quick)."""
    size = {name: sizes[0 if quick else 1] for name, sizes in _SIZES.items()}
    figures: Figures = {}
    progress(f"floor: os.write + fsync x {size['fsync']:,}")
    figures["fsync_floor_per_s"] = round(fsync_per_s(size["fsync"]))
    progress(f"floor: sqlite3, one commit per transition x {size['sqlite']:,}")
    figures["sqlite_floor_per_s"] = round(sqlite_transitions_per_s(size["sqlite"]))
    progress(f"floor: sqlite3, 1000 per commit x {size['sqlite_batch']:,}")
    figures["sqlite_batch_floor_per_s"] = round(
        sqlite_transitions_per_s(size["sqlite_batch"], per_commit=1_000)
    )
    progress(f"floor: fetch + SHA-256 x {size['fetch_sha256']:,}")
    figures["fetch_sha256_floor_per_s"] = round(
        fetch_sha256_per_s(size["fetch_sha256"])
    )
    progress(f"floor: psycopg, 8 writers x {size['postgres_per_writer']:,}")
    try:
        rate, settings = postgres_transitions_per_s(size["postgres_per_writer"])
    except FloorSkippedError as skipped:
        progress(f"PostgreSQL floor skipped: {skipped}")
        figures["postgres_floor_skipped"] = str(skipped)
    else:
        figures["postgres_update_insert_floor_per_s"] = round(rate)
        figures["postgres_settings"] = settings
    return figures
