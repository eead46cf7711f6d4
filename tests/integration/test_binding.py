"""Every stored column is bound to the chain, and every break is reported.

The schema test reflects the real database's tables and columns, so a
column added later is forged too: each column of each table (but the seal
tables and Alembic's) is changed in turn, with the append-only triggers out
of the way as an attacker would have them, and verification must name it.
The break tests damage a case in several places at once and expect each
damage at its event.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import Final

import pytest
from sqlalchemy import Connection
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from helping_process import Stage
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.audit import link
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.staff import ACCESS_TRAIL
from helping_process.staff import ROSTER_TRAIL
from helping_process.staff import ChangeKind
from helping_process.staff import RosterChange
from helping_process.staff import roles_of
from helping_process.testing import FixedClock
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from tests.integration._support import WORKER
from tests.integration._support import plain_connection

A: Final = "case-a"
B: Final = "case-b"
#: Tables verification does not bind here: the seals bind their own rows,
#: and API tokens are credentials, not trail (whoever can write the database
#: needs no token to change it).
UNBOUND: Final = frozenset({"seals", "seal_leaves", "alembic_version", "api_tokens"})
#: Columns that are the chain itself (or its key): forging one breaks a link
#: or a hash, and the finding names the event rather than the column.
CHAIN: Final = {
    "events": {"case_id", "seq", "body", "prev_hash", "hash"},
    "cases": {"case_id", "seq", "last_hash"},
    "personal": {"case_id", "seq", "data"},
    # A snapshot is checked whole against the replayed case: forging any of
    # its cells is a finding at the snapshot (or, with another case id, at
    # the case it now claims), not at a column.
    "snapshots": {"case_id", "seq", "hash", "data"},
    # A definition is checked whole: its text must hash to its digest and
    # name its name and version; a forgery is reported as the definition.
    "definitions": {"digest", "name", "version", "text"},
    # The roster trail and the access log chain by seq like a case's events.
    "staff_events": {"seq", "body", "prev_hash", "hash"},
    "access_log": {"seq", "body", "prev_hash", "hash"},
    # Where each of the two trails ends, as ``cases`` for a case: forging a
    # cell leaves the head away from the trail's last entry.
    "trail_heads": {"trail", "seq", "hash"},
}
#: The row of each table the forger changes: case A's, its last event's
#: (the redaction), and the personal data of its first event (redacted).
TARGETS: Final[dict[str, dict[str, Any]]] = {
    "cases": {"case_id": A},
    "events": {"case_id": A, "seq": 8},
    "personal": {"case_id": A, "seq": 1},
    "snapshots": {"case_id": A, "seq": 8},
    "definitions": {"name": "helping-process", "version": 2},
    "staff_events": {"seq": 2},
    "access_log": {"seq": 1},
    "trail_heads": {"trail": ROSTER_TRAIL},
}
#: The pseudo case ids under which the roster and access log are reported.
TRAILS: Final = {
    "staff_events": ROSTER_TRAIL,
    "access_log": ACCESS_TRAIL,
    "trail_heads": ROSTER_TRAIL,
}


def _fill(service: CaseService) -> None:
    """Case A: seven events, then a redaction (seq 8); case B: three events."""
    case_id = service.open("KLIEN-001", actor=WORKER, note="Walked in.").case_id
    service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
    service.move(case_id, Stage.INTAKE, actor=WORKER)
    service.add_record_json(case_id, "intake", intake_data(), actor=WORKER)
    service.move(case_id, Stage.CONTRACT, actor=WORKER, note="Eligible.")
    service.add_record_json(case_id, "contract", contract_data(), actor=WORKER)
    service.move(case_id, Stage.ASSESSMENT, actor=WORKER)
    service.redact(case_id, actor=WORKER, note="UU 27/2022 request")
    other = service.open("KLIEN-002", actor=WORKER).case_id
    service.add_record_json(other, "engagement", engagement_data(), actor=WORKER)
    service.move(other, Stage.INTAKE, actor=WORKER)
    # A cold load of case A by a new service stores its snapshot at seq 8.
    CaseService(service.store, snapshot_every=1).get(case_id)
    # A roster (an admin who adds the worker), and two logged reads.
    staff = service.staff
    assert staff is not None
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    for member, roles, by in (
        ("boss", ("admin",), "boss"),
        (WORKER.id, ("worker",), "boss"),
    ):
        staff.change_roster(
            RosterChange(
                seq=0,
                kind=ChangeKind.ADD,
                member=member,
                name=member.title(),
                roles=roles_of(roles),
                actor=by,
                recorded_at=at,
            )
        )
    service.get(other, reader=WORKER)
    service.history(case_id, reader="boss")


def _ticking() -> Callable[[], dt.datetime]:
    """A clock a minute later at each command, so every event has its own time."""
    clock = FixedClock()
    return lambda: clock.advance(minutes=1)


@pytest.fixture
def trail(store_url: str, open_store: Callable[..., SqlStore]) -> str:
    """The two cases, on every kind of database."""
    ids = iter([A, B]).__next__
    _fill(CaseService(open_store(store_url), clock=_ticking(), new_id=ids))
    return store_url


def _disarm(connection: Connection) -> None:
    """Take the append-only triggers out of the way, as an attacker would."""
    if connection.dialect.name == "postgresql":
        # The owner can; a superuser also switches off the foreign keys.
        connection.execute(text("SET session_replication_role = replica"))
        return
    names = connection.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    ).scalars()
    for name in list(names):
        connection.execute(text(f'DROP TRIGGER "{name}"'))


#: What a NULL cell is forged into, by the reflected type's name.
NULL_FORGERIES: Final = (
    ("BYTEA", b'{"client":"forged"}'),
    ("BLOB", b'{"client":"forged"}'),
    ("TIME", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
    ("INT", 1000),
)


def _forged(value: Any, type_name: str) -> Any:
    """A different value of the same column type."""
    if value is None:
        found = [new for name, new in NULL_FORGERIES if name in type_name]
        return found[0] if found else "forged"
    changes: list[tuple[type | tuple[type, ...], Callable[[Any], Any]]] = [
        (bool, lambda v: not v),
        (int, lambda v: v + 1000),
        (dt.datetime, lambda v: v + dt.timedelta(seconds=1)),
        ((bytes, memoryview), lambda v: bytes(v)[:-1] + bytes([bytes(v)[-1] ^ 1])),
        (str, lambda v: v[:-1] + ("0" if v[-1] != "0" else "1")),
    ]
    change = next(change for kind, change in changes if isinstance(value, kind))
    return change(value)


def _bound_columns(url: str) -> list[tuple[str, str]]:
    """Every (table, column) of the real database that verification must bind."""
    with plain_connection(url) as connection:
        inspector = inspect(connection)
        return [
            (table, column["name"])
            for table in sorted(inspector.get_table_names())
            if table not in UNBOUND
            for column in inspector.get_columns(table)
        ]


def _forge(
    url: str, table_name: str, column: str, *, back: tuple[Any, Any] | None = None
) -> tuple[Any, Any]:
    """Forge a column of the table's target row; return (forged, original).

    With ``back`` (what a forgery returned), put the original value back.
    """
    with plain_connection(url) as connection:
        _disarm(connection)
        table = Table(table_name, MetaData(), autoload_with=connection)
        key = dict(TARGETS[table_name])
        if back is not None and column in key:
            key[column] = back[0]
        where = [table.c[name] == value for name, value in key.items()]
        value = connection.execute(select(table.c[column]).where(*where)).scalar_one()
        type_name = str(table.c[column].type).upper()
        new = _forged(value, type_name) if back is None else back[1]
        changed = connection.execute(update(table).where(*where).values({column: new}))
        assert changed.rowcount == 1
        connection.commit()
        return new, value


def _kinds(findings: list[Finding]) -> list[tuple[str, int, FindingKind]]:
    return [(finding.case_id, finding.seq, finding.kind) for finding in findings]


class TestEveryColumnIsBound:
    def test_the_trail_verifies_before_any_forgery(self, trail, open_store):
        """The untouched trail has no fault, only its redactions."""
        findings = CaseService(open_store(trail)).verify()

        assert [f for f in findings if f.is_tampering] == []
        assert {f.kind for f in findings} == {FindingKind.REDACTED}

    def test_the_schema_has_the_columns_this_test_knows(self, trail):
        """The reflection finds the three tables and their plain columns."""
        columns = _bound_columns(trail)

        assert {table for table, _ in columns} == {
            "cases",
            "definitions",
            "events",
            "personal",
            "snapshots",
            "staff_events",
            "access_log",
            "trail_heads",
        }
        assert ("events", "action") in columns
        assert ("personal", "redacted_at") in columns

    @pytest.mark.parametrize(
        "table",
        [
            "cases",
            "definitions",
            "events",
            "personal",
            "snapshots",
            "staff_events",
            "access_log",
            "trail_heads",
        ],
    )
    def test_each_forged_column_is_named(self, trail, open_store, table):
        """Forging any column of the table is a fault at case A naming it."""
        columns = [name for owner, name in _bound_columns(trail) if owner == table]
        missed = []

        for column in columns:
            forgery = _forge(trail, table, column)
            findings = CaseService(open_store(trail)).verify()
            faults = [
                f
                for f in findings
                if f.is_tampering
                and (
                    f.case_id in (A, TRAILS.get(table))
                    or table in {"snapshots", "definitions"}
                )
            ]
            named = [
                f
                for f in faults
                if f.params.get("table") == table and f.params.get("column") == column
            ]
            if not (named or (faults and column in CHAIN[table])):
                missed.append((column, _kinds(findings)))
            _forge(trail, table, column, back=forgery)  # each column on its own

        assert missed == []
        assert CaseService(open_store(trail)).verification().ok


# Several breaks in one case -------------------------------------------------


def _long_case(path: Path, cases: int = 1) -> list[str]:
    """Cases of eight events each (no redaction) in a SQLite file."""
    ids = [f"case-{index}" for index in range(cases)]
    store = SqlStore.from_url(f"sqlite:///{path}")
    service = CaseService(store, clock=_ticking(), new_id=iter(ids).__next__)
    for _ in ids:
        case_id = service.open("KLIEN-001", actor=WORKER).case_id
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
        service.move(case_id, Stage.INTAKE, actor=WORKER)
        service.add_record_json(case_id, "intake", intake_data(), actor=WORKER)
        service.move(case_id, Stage.CONTRACT, actor=WORKER)
        service.add_record_json(case_id, "contract", contract_data(), actor=WORKER)
        service.move(case_id, Stage.ASSESSMENT, actor=WORKER)
        service.add_record_json(case_id, "contract", contract_data(), actor=WORKER)
    store.dispose()
    return ids


def _attacker(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    names = connection.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
    for (name,) in names.fetchall():
        connection.execute(f'DROP TRIGGER "{name}"')
    return connection


def _edit(db: sqlite3.Connection, case_id: str, seq: int) -> None:
    (body,) = db.execute(
        "SELECT body FROM events WHERE case_id = ? AND seq = ?", (case_id, seq)
    ).fetchone()
    edited = bytes(body).replace(b'"episode":1', b'"episode":2')
    db.execute(
        "UPDATE events SET body = ? WHERE case_id = ? AND seq = ?",
        (edited, case_id, seq),
    )


def _delete(db: sqlite3.Connection, case_id: str, seq: int) -> None:
    for table in ("personal", "events"):
        db.execute(f"DELETE FROM {table} WHERE case_id = ? AND seq = ?", (case_id, seq))


def _swap(db: sqlite3.Connection, case_id: str, seq: int) -> None:
    """Swap events ``seq`` and ``seq + 1`` (and their personal data)."""
    for table in ("events", "personal"):
        for old, new in ((seq, -1), (seq + 1, seq), (-1, seq + 1)):
            db.execute(
                f"UPDATE {table} SET seq = ? WHERE case_id = ? AND seq = ?",
                (new, case_id, old),
            )


def _insert_before(db: sqlite3.Connection, case_id: str, seq: int) -> None:
    """Insert a well-chained copy of event ``seq - 1`` as ``seq``; shift the rest."""
    for table in ("personal", "events"):
        db.execute(
            f"UPDATE {table} SET seq = seq + 1000 WHERE case_id = ? AND seq >= ?",
            (case_id, seq),
        )
        db.execute(
            f"UPDATE {table} SET seq = seq - 999 WHERE case_id = ? AND seq > 1000",
            (case_id,),
        )
    columns = (
        "case_id, episode, action, from_stage, to_stage, occurred_at,"
        " recorded_at, actor_id"
    )
    row = db.execute(
        f"SELECT {columns}, body, hash FROM events WHERE case_id = ? AND seq = ?",
        (case_id, seq - 1),
    ).fetchone()
    body = bytes(row[-2]).replace(b'"seq":%d' % (seq - 1), b'"seq":%d' % seq)
    db.execute(
        f"INSERT INTO events ({columns}, seq, body, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row[:-2], seq, body, row[-1], link(row[-1], body)),
    )


def _verify(path: Path, **options: Any) -> Any:
    store = SqlStore.from_url(f"sqlite:///{path}")
    try:
        return CaseService(store).verification(**options)
    finally:
        store.dispose()


class TestEveryBreakIsReported:
    def test_an_edit_and_a_deletion_are_two_findings(self, tmp_path):
        """Editing event 2 and deleting event 6 are found at 2 and at 6."""
        path = tmp_path / "cases.db"
        (case_id,) = _long_case(path)
        with _attacker(path) as db:
            _edit(db, case_id, 2)
            _delete(db, case_id, 6)

        seen = _verify(path)

        assert _kinds(list(seen.findings)) == [
            (case_id, 2, FindingKind.EDITED),
            (case_id, 6, FindingKind.DELETED),
        ]

    def test_two_deletions_and_a_deleted_pair_are_each_found(self, tmp_path):
        """Each deleted event is its own finding, a run of two included."""
        path = tmp_path / "cases.db"
        (case_id,) = _long_case(path)
        with _attacker(path) as db:
            for seq in (2, 4, 5):
                _delete(db, case_id, seq)

        seen = _verify(path)

        assert _kinds(list(seen.findings)) == [
            (case_id, 2, FindingKind.DELETED),
            (case_id, 4, FindingKind.DELETED),
            (case_id, 5, FindingKind.DELETED),
        ]

    def test_an_inserted_event_is_found_where_it_was_put(self, tmp_path):
        """An event inserted in the middle, the rest renumbered, is found alone."""
        path = tmp_path / "cases.db"
        (case_id,) = _long_case(path)
        with _attacker(path) as db:
            _insert_before(db, case_id, 4)

        seen = _verify(path)

        assert _kinds(list(seen.findings)) == [(case_id, 4, FindingKind.INSERTED)]

    def test_two_adjacent_swaps_are_each_found(self, tmp_path):
        """Swapping 2 with 3 and 4 with 5 reports the four events out of place."""
        path = tmp_path / "cases.db"
        (case_id,) = _long_case(path)
        with _attacker(path) as db:
            _swap(db, case_id, 2)
            _swap(db, case_id, 4)

        seen = _verify(path)

        assert _kinds(list(seen.findings)) == [
            (case_id, seq, FindingKind.REORDERED) for seq in (2, 3, 4, 5)
        ]

    def test_an_edit_after_a_swap_is_found_too(self, tmp_path):
        """A swap and a later edit in one case are both reported."""
        path = tmp_path / "cases.db"
        (case_id,) = _long_case(path)
        with _attacker(path) as db:
            _swap(db, case_id, 2)
            _edit(db, case_id, 7)

        seen = _verify(path)

        assert _kinds(list(seen.findings)) == [
            (case_id, 2, FindingKind.REORDERED),
            (case_id, 3, FindingKind.REORDERED),
            (case_id, 7, FindingKind.EDITED),
        ]

    def test_several_broken_cases_are_each_reported(self, tmp_path):
        """Damage in three cases is reported in each, the sound case left clean."""
        path = tmp_path / "cases.db"
        ids = _long_case(path, cases=4)
        with _attacker(path) as db:
            _edit(db, ids[0], 3)
            _delete(db, ids[1], 2)
            _swap(db, ids[3], 6)

        seen = _verify(path)

        assert _kinds(list(seen.findings)) == [
            (ids[0], 3, FindingKind.EDITED),
            (ids[1], 2, FindingKind.DELETED),
            (ids[3], 6, FindingKind.REORDERED),
            (ids[3], 7, FindingKind.REORDERED),
        ]
        assert seen.cases == 4


class TestMaxFindings:
    def test_findings_past_the_bound_are_counted(self, tmp_path):
        """With max_findings=2, two findings are listed and the rest counted."""
        path = tmp_path / "cases.db"
        ids = _long_case(path, cases=3)
        with _attacker(path) as db:
            for case_id in ids:
                _edit(db, case_id, 2)
                _delete(db, case_id, 5)

        seen = _verify(path, max_findings=2)

        assert _kinds(list(seen.findings)) == [
            (ids[0], 2, FindingKind.EDITED),
            (ids[0], 5, FindingKind.DELETED),
        ]
        assert (seen.unlisted, seen.unlisted_faults, seen.fault_count) == (4, 4, 6)
        assert not seen.ok

    def test_no_bound_lists_everything(self, tmp_path):
        """Without a bound every finding is listed and none counted apart."""
        path = tmp_path / "cases.db"
        ids = _long_case(path, cases=3)
        with _attacker(path) as db:
            for case_id in ids:
                _delete(db, case_id, 5)

        seen = _verify(path)

        assert len(seen.findings) == 3
        assert seen.unlisted == 0


class TestRedactedAt:
    def test_a_redaction_time_moved_is_found(self, tmp_path, open_store):
        """personal.redacted_at must be when the covering redaction was recorded."""
        path = tmp_path / "cases.db"
        url = f"sqlite:///{path}"
        ids = iter([A, B]).__next__
        _fill(CaseService(open_store(url), clock=_ticking(), new_id=ids))
        with _attacker(path) as db:
            db.execute(
                "UPDATE personal SET redacted_at = '2020-01-01 00:00:00.000000'"
                " WHERE case_id = ? AND seq = 2",
                (A,),
            )

        findings = CaseService(open_store(url)).verify()

        assert [
            (f.case_id, f.seq, f.kind, dict(f.params))
            for f in findings
            if f.is_tampering
        ] == [
            (
                A,
                2,
                FindingKind.EDITED,
                {"table": "personal", "column": "redacted_at"},
            )
        ]

    def test_a_redaction_time_without_a_redaction_is_found(self, tmp_path, open_store):
        """A redacted_at on an event no redaction covers is a fault."""
        path = tmp_path / "cases.db"
        url = f"sqlite:///{path}"
        ids = iter([A, B]).__next__
        _fill(CaseService(open_store(url), clock=_ticking(), new_id=ids))
        with _attacker(path) as db:
            db.execute(
                "UPDATE personal SET redacted_at = '2020-01-01 00:00:00.000000'"
                " WHERE case_id = ? AND seq = 1",
                (B,),
            )

        findings = CaseService(open_store(url)).verify()

        assert [(f.case_id, f.seq, f.kind) for f in findings if f.is_tampering] == [
            (B, 1, FindingKind.EDITED)
        ]
