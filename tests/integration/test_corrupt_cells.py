"""Verification never crashes on what a forger stores: every cell is data.

A real SQLite file, written by the real engine, has its tables rebuilt
without constraints (as a forger with the file can: SQLite then takes any
type in any column, NULLs and duplicate keys included), and cells are then
changed at random: bytes flipped, values truncated, stored as another
storage class, as TEXT that is not UTF-8, or as NULL. Verification, through
the service and through ``audit verify``, must report every change as a
fault or pass cleanly when nothing changed; it never raises.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from helping_process import Stage
from helping_process.cli import main
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from tests.integration._support import WORKER

#: Every column of the trail's tables (the seal tables are not the trail's).
COLUMNS: Final = {
    "cases": (
        "case_id", "client", "residential", "stage", "episode", "seq",
        "last_hash", "opened_at", "updated_at",
    ),
    "events": (
        "case_id", "seq", "episode", "action", "from_stage", "to_stage",
        "occurred_at", "recorded_at", "actor_id", "body", "prev_hash", "hash",
    ),
    "personal": ("case_id", "seq", "data", "redacted_at"),
}  # fmt: skip
#: What a change stores, as SQL over the cell's old value ``{c}``.
CHANGES: Final = {
    "text": "CAST({c} AS TEXT)",
    "blob": "CAST({c} AS BLOB)",
    "integer": "7",
    "real": "2.5",
    "null": "NULL",
    "not_utf8": "CAST(x'ff' || CAST({c} AS BLOB) AS TEXT)",
    "truncated": "substr({c}, 1, length({c}) / 2)",
    "flipped": None,
}

Change = tuple[str, int, str, str, int]


def _fill(path: Path) -> None:
    """Four cases written by the engine: one redacted, one reopened late."""
    store = SqlStore.from_url(f"sqlite:///{path}")
    service = CaseService(store, clock=FixedClock())
    for index in range(4):
        case_id = service.open(f"KLIEN-{index}", actor=WORKER, note="Walk-in").case_id
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
        service.move(case_id, Stage.INTAKE, actor=WORKER)
        service.add_record_json(case_id, "intake", intake_data(), actor=WORKER)
        service.move(case_id, Stage.CONTRACT, actor=WORKER, note="Eligible.")
        service.add_record_json(case_id, "contract", contract_data(), actor=WORKER)
        if index == 1:
            service.redact(case_id, actor=WORKER, note="UU 27/2022 request")
    store.dispose()


def _rebuild(path: Path) -> None:
    """Rebuild every trail table without constraints or triggers, as a forger can."""
    connection = sqlite3.connect(path)
    try:
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            connection.execute(f'DROP TRIGGER "{name}"')
        for table in COLUMNS:
            connection.execute(f"CREATE TABLE loose AS SELECT * FROM {table}")
            connection.execute(f"DROP TABLE {table}")
            connection.execute(f"ALTER TABLE loose RENAME TO {table}")
        connection.commit()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trail, rebuilt loose, made once for the module."""
    path = tmp_path_factory.mktemp("cells") / "original.db"
    _fill(path)
    _rebuild(path)
    return path


@pytest.fixture(scope="module")
def sound(original: Path) -> None:
    """The rebuilt trail still verifies (the changes alone make findings)."""
    store = SqlStore.from_url(f"sqlite:///{original}")
    try:
        assert CaseService(store).verification().ok
    finally:
        store.dispose()


def _dump(connection: sqlite3.Connection) -> list[tuple[object, ...]]:
    """Every cell with its storage class, in a comparable form."""
    rows: list[tuple[object, ...]] = []
    for table, columns in COLUMNS.items():
        cells = ", ".join(f"typeof({c}), quote({c})" for c in columns)
        rows += connection.execute(
            f"SELECT {cells} FROM {table} ORDER BY rowid"
        ).fetchall()
    return rows


def _flip(
    connection: sqlite3.Connection, table: str, column: str, rowid: int, at: int
) -> None:
    """Flip one bit of the cell's bytes, keeping its storage class."""
    kind, data = connection.execute(
        f"SELECT typeof({column}), CAST({column} AS BLOB) FROM {table} WHERE rowid = ?",
        (rowid,),
    ).fetchone()
    if kind == "integer":
        bit = 1 << (at % 8)
        connection.execute(
            f"UPDATE {table} SET {column} = ({column} | ?) - ({column} & ?)"
            " WHERE rowid = ?",
            (bit, bit, rowid),
        )
        return
    if data is None or not data:
        return
    flipped = bytearray(data)
    flipped[at % len(flipped)] ^= 1 << (at % 7)
    cast = "TEXT" if kind == "text" else "BLOB"
    connection.execute(
        f"UPDATE {table} SET {column} = CAST(? AS {cast}) WHERE rowid = ?",
        (bytes(flipped), rowid),
    )


def _apply(path: Path, changes: list[Change]) -> bool:
    """Make the changes; return whether any cell is now different."""
    connection = sqlite3.connect(path)
    connection.text_factory = bytes
    try:
        before = _dump(connection)
        for table, row, column, change, at in changes:
            rowids = [
                rowid
                for (rowid,) in connection.execute(
                    f"SELECT rowid FROM {table} ORDER BY rowid"
                )
            ]
            rowid = rowids[row % len(rowids)]
            sql = CHANGES[change]
            if sql is None:
                _flip(connection, table, column, rowid, at)
            else:
                connection.execute(
                    f"UPDATE {table} SET {column} = {sql.format(c=column)}"
                    " WHERE rowid = ?",
                    (rowid,),
                )
        connection.commit()
        return _dump(connection) != before
    finally:
        connection.close()


changes_strategy = st.lists(
    st.sampled_from(sorted(COLUMNS)).flatmap(
        lambda table: st.tuples(
            st.just(table),
            st.integers(min_value=0, max_value=100),
            st.sampled_from(COLUMNS[table]),
            st.sampled_from(sorted(CHANGES)),
            st.integers(min_value=0, max_value=10_000),
        )
    ),
    min_size=1,
    max_size=3,
)


@pytest.fixture(scope="module")
def copies(original: Path, sound: None) -> Iterator[Path]:
    """A folder for the examples' copies of the trail (each overwrites it)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


class TestCorruptCells:
    @given(changes=changes_strategy)
    def test_verification_reports_a_change_and_never_raises(
        self, original, copies, changes
    ):
        """A changed cell is a fault to the service and the CLI; nothing raises."""
        path = copies / "cases.db"
        for leftover in copies.iterdir():
            leftover.unlink()
        shutil.copyfile(original, path)
        changed = _apply(path, changes)

        store = SqlStore.from_url(f"sqlite:///{path}")
        try:
            seen = CaseService(store).verification()
        finally:
            store.dispose()
        result = CliRunner(catch_exceptions=True).invoke(
            main,
            ["--db", f"sqlite:///{path}", "--json", "audit", "verify"],
        )

        assert seen.ok is not changed
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code == (1 if changed else 0), result.output

    @pytest.mark.parametrize("table", sorted(COLUMNS))
    def test_every_change_of_every_column_is_reported(self, original, copies, table):
        """Each kind of change to each column of a first and a last row is a fault."""
        missed = []

        for column in COLUMNS[table]:
            for change in sorted(CHANGES):
                for row in (0, -1):
                    path = copies / f"{table}.db"
                    shutil.copyfile(original, path)
                    changed = _apply(path, [(table, row, column, change, 3)])
                    store = SqlStore.from_url(f"sqlite:///{path}")
                    try:
                        ok = CaseService(store).verification().ok
                    finally:
                        store.dispose()
                    if ok is changed:
                        missed.append((column, change, row))

        assert missed == []
