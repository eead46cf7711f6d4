"""The SQL :class:`~helping_process.staff.StaffStore`: roster trail and access log.

Both are append-only tables (triggers refuse updates and deletes) whose rows
chain by SHA-256 like a case's events. Each has a head in ``trail_heads``,
moved forward in the transaction of every entry, so deleting the newest
entries is found as a case's truncation is. The roster is folded from its
trail and kept folded in memory; every decision reads only the newest row's
seq and hash to know whether another process changed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection
from sqlalchemy import Dialect
from sqlalchemy import Engine
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import SQLAlchemyError

from helping_process.audit import GENESIS
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import StorageError
from helping_process.persistence._schema import access_log
from helping_process.persistence._schema import staff_events
from helping_process.persistence._schema import trail_heads
from helping_process.persistence.store import SqlStore
from helping_process.persistence.store import _Prepared
from helping_process.staff import ACCESS_TRAIL
from helping_process.staff import ROSTER_TRAIL
from helping_process.staff import AccessEntry
from helping_process.staff import ChangeKind
from helping_process.staff import Operation
from helping_process.staff import Roster
from helping_process.staff import RosterChange
from helping_process.staff import StaffRole
from helping_process.staff import StoredEntry
from helping_process.staff import apply_change
from helping_process.staff import chained
from helping_process.staff import chained_access
from helping_process.staff import check_chain
from helping_process.staff import head_findings
from helping_process.staff import replay_findings

#: How often an append retries after another writer took its seq.
_ATTEMPTS = 5

_TIP = select(staff_events.c.seq, staff_events.c.hash).order_by(
    staff_events.c.seq.desc()
)
#: The same two lookups as plain SQL, for the store's driver cursors.
_TIP_SQL = "SELECT seq, hash FROM staff_events ORDER BY seq DESC LIMIT 1"
_ACCESS_TIP_SQL = "SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1"
_CHANGES_SQL = "SELECT body, prev_hash, hash FROM staff_events ORDER BY seq"


#: Each trail's table, by the pseudo case id findings and seals name it.
_TABLES = {ROSTER_TRAIL: staff_events, ACCESS_TRAIL: access_log}


def _move_head(dialect: Dialect) -> Any:
    """The statement that moves a trail's head to its new entry.

    An upsert: the first entry of a trail creates its head. The database
    refuses a head moved back (a trigger), and two writers cannot both
    append the same seq (the trail's primary key), so the head always
    names the newest entry.
    """
    module: Any = postgresql if dialect.name == "postgresql" else sqlite
    statement = module.insert(trail_heads)
    return statement.on_conflict_do_update(
        index_elements=[trail_heads.c.trail],
        set_={"seq": statement.excluded.seq, "hash": statement.excluded.hash},
    )


def _change(row: Sequence[object]) -> RosterChange:
    body = orjson.loads(row[0])  # type: ignore[arg-type] # the body column
    return RosterChange(
        seq=body["seq"],
        kind=ChangeKind(body["kind"]),
        member=body["member"],
        name=body["name"],
        roles=tuple(StaffRole(role) for role in body["roles"]),
        note=body["note"],
        actor=body["actor"],
        recorded_at=dt.datetime.fromisoformat(body["recorded_at"]),
        prev_hash=str(row[1]),
        hash=str(row[2]),
    )


def _entry(row: Sequence[object]) -> AccessEntry:
    body = orjson.loads(row[0])  # type: ignore[arg-type] # the body column
    return AccessEntry(
        seq=body["seq"],
        actor=body["actor"],
        operation=Operation(body["operation"]),
        case_id=body["case_id"],
        at=dt.datetime.fromisoformat(body["at"]),
        prev_hash=str(row[1]),
        hash=str(row[2]),
    )


class SqlStaffStore:
    """The roster and the access log in the case database.

    Args:
        target: the case store, or an engine, or a connection whose
            transaction the caller holds.
    """

    def __init__(self, target: SqlStore | Engine | Connection) -> None:
        self.bind = target.bind if isinstance(target, SqlStore) else target
        self._store = target if isinstance(target, SqlStore) else None
        self._roster = Roster()
        engine = self.bind if isinstance(self.bind, Engine) else self.bind.engine
        self._insert_access = _Prepared(insert(access_log), engine.dialect)
        self._move_head = _move_head(engine.dialect)
        self._move_head_prepared = _Prepared(self._move_head, engine.dialect)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            if isinstance(self.bind, Connection):
                with self.bind.begin_nested():
                    yield self.bind
                return
            with self.bind.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            raise StorageError(str(error).splitlines()[0]) from error

    def _tip(self) -> tuple[int, str]:
        """The roster trail's last seq and hash, on a pooled driver cursor.

        Every command and every logged read asks this (through the
        Authorizer), so it is one plain query on a connection the store
        keeps, outside any transaction: no pool checkout, no BEGIN.
        """
        assert self._store is not None  # noqa: S101 - the caller checked
        with self._store.lend() as cursor:
            cursor.execute(_TIP_SQL)
            row = cursor.fetchone()
        return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))

    def _fold(self, connection: Connection | None = None) -> Roster:
        if connection is None:
            tip = self._tip()
        else:
            row = connection.execute(_TIP.limit(1)).first()
            tip = (0, GENESIS) if row is None else (row[0], row[1])
        if tip == (self._roster.seq, self._roster.last_hash):
            return self._roster
        if connection is None:
            assert self._store is not None  # noqa: S101 - no connection: the store's
            with self._store.lend() as cursor:
                cursor.execute(_CHANGES_SQL)
                rows = cursor.fetchall()
            roster = Roster()
            for row in rows:
                roster = apply_change(roster, _change(row))
            self._roster = roster
            return roster
        roster = Roster()
        for change in self._read_changes(connection):
            roster = apply_change(roster, change)
        self._roster = roster
        return roster

    @staticmethod
    def _read_changes(connection: Connection) -> list[RosterChange]:
        rows = connection.execute(
            select(
                staff_events.c.body, staff_events.c.prev_hash, staff_events.c.hash
            ).order_by(staff_events.c.seq)
        )
        return [_change(row) for row in rows]

    def roster(self) -> Roster:
        """Return the current roster (refolded only when its trail grew)."""
        if self._store is not None and isinstance(self.bind, Engine):
            return self._fold()
        with self._transaction() as connection:
            return self._fold(connection)

    def changes(self) -> list[RosterChange]:
        """Return every roster change, in order."""
        with self._transaction() as connection:
            return self._read_changes(connection)

    def change_roster(self, change: RosterChange) -> RosterChange:
        """Check ``change`` against the current roster, chain it and store it."""
        with self._transaction() as connection:
            roster = self._fold(connection)
            stored = chained(change, roster)
            after = apply_change(roster, stored)
            connection.execute(
                insert(staff_events).values(
                    seq=stored.seq,
                    kind=stored.kind.value,
                    member_id=stored.member,
                    actor_id=stored.actor,
                    recorded_at=stored.recorded_at,
                    body=stored.body(),
                    prev_hash=stored.prev_hash,
                    hash=stored.hash,
                )
            )
            connection.execute(
                self._move_head,
                {"trail": ROSTER_TRAIL, "seq": stored.seq, "hash": stored.hash},
            )
        self._roster = after
        return stored

    def log_access(
        self,
        actor: str,
        operation: Operation,
        case_id: str | None,
        *,
        at: dt.datetime,
    ) -> AccessEntry:
        """Append one chained access-log entry and return it.

        Two readers may take the same seq; the second one's insert fails on
        the primary key and it chains again after the first.
        """
        entry = AccessEntry(
            seq=0, actor=actor, operation=operation, case_id=case_id, at=at
        )
        if self._store is not None:
            return self._log_on_store(self._store, entry)
        for attempt in range(_ATTEMPTS):
            try:
                with self._transaction() as connection:
                    tip = connection.execute(text(_ACCESS_TIP_SQL)).first()
                    seq, last = (0, GENESIS) if tip is None else (tip[0], tip[1])
                    stored = chained_access(entry, seq + 1, last)
                    connection.execute(
                        insert(access_log).values(
                            seq=stored.seq,
                            actor_id=actor,
                            operation=operation.value,
                            case_id=case_id,
                            at=at,
                            body=stored.body(),
                            prev_hash=stored.prev_hash,
                            hash=stored.hash,
                        )
                    )
                    connection.execute(
                        self._move_head,
                        {"trail": ACCESS_TRAIL, "seq": stored.seq, "hash": stored.hash},
                    )
            except StorageError as error:
                if (
                    not isinstance(error.__cause__, IntegrityError)
                    or attempt == _ATTEMPTS - 1
                ):
                    raise
                continue
            return stored
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def _log_on_store(self, store: SqlStore, entry: AccessEntry) -> AccessEntry:
        """Append on the store's own kept connection: two statements, one commit.

        A logged read costs a durable write; going through the store's
        prepared path rather than Core's execution saves most of the rest.
        The entry and its trail's head are written in one transaction.
        """
        for attempt in range(_ATTEMPTS):
            try:
                with store.unit_of_work() as uow:
                    cursor = uow._cursor
                    cursor.execute(_ACCESS_TIP_SQL)
                    row = cursor.fetchone()
                    seq, last = (0, GENESIS) if row is None else (row[0], row[1])
                    stored = chained_access(entry, int(seq) + 1, str(last))
                    self._insert_access.insert(
                        cursor,
                        [
                            (
                                stored.seq,
                                stored.actor,
                                stored.operation.value,
                                stored.case_id,
                                stored.at,
                                stored.body(),
                                stored.prev_hash,
                                stored.hash,
                            )
                        ],
                    )
                    self._move_head_prepared.run_row(
                        cursor, (ACCESS_TRAIL, stored.seq, stored.hash)
                    )
            except ConcurrentUpdateError:
                if attempt == _ATTEMPTS - 1:
                    raise
                continue
            return stored
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def accesses(self, case_id: str | None = None) -> list[AccessEntry]:
        """Return the access log (of one case: its reads and reads of all)."""
        query = select(access_log.c.body, access_log.c.prev_hash, access_log.c.hash)
        if case_id is not None:
            query = query.where(
                or_(access_log.c.case_id == case_id, access_log.c.case_id.is_(None))
            )
        with self._transaction() as connection:
            rows = connection.execute(query.order_by(access_log.c.seq))
            return [_entry(row) for row in rows]

    def verify(self) -> list[Finding]:
        """Return the findings of the roster trail and the access log."""
        with self._transaction() as connection:
            roster_rows = connection.execute(
                select(staff_events).order_by(staff_events.c.seq)
            ).all()
            access_rows = connection.execute(
                select(access_log).order_by(access_log.c.seq)
            ).all()
            heads: dict[object, tuple[object, object]] = {
                row.trail: (row.seq, row.hash)
                for row in connection.execute(select(trail_heads))
            }
        roster = [
            StoredEntry(
                row.seq,
                bytes(row.body) if isinstance(row.body, memoryview) else row.body,
                row.prev_hash,
                row.hash,
                {
                    "kind": ("kind", row.kind),
                    "member_id": ("member", row.member_id),
                    "actor_id": ("actor", row.actor_id),
                    "recorded_at": ("recorded_at", _iso(row.recorded_at)),
                },
            )
            for row in roster_rows
        ]
        access = [
            StoredEntry(
                row.seq,
                bytes(row.body) if isinstance(row.body, memoryview) else row.body,
                row.prev_hash,
                row.hash,
                {
                    "actor_id": ("actor", row.actor_id),
                    "operation": ("operation", row.operation),
                    "case_id": ("case_id", row.case_id),
                    "at": ("at", _iso(row.at)),
                },
            )
            for row in access_rows
        ]
        findings = check_chain(ROSTER_TRAIL, staff_events.name, roster)
        if not findings:
            findings = _replayed(roster)
        return [
            *findings,
            *head_findings(ROSTER_TRAIL, roster, heads.get(ROSTER_TRAIL)),
            *check_chain(ACCESS_TRAIL, access_log.name, access),
            *head_findings(ACCESS_TRAIL, access, heads.get(ACCESS_TRAIL)),
        ]

    def heads(self) -> dict[str, tuple[int, str]]:
        """Return where each non-empty trail ends, as its head row says."""
        with self._transaction() as connection:
            rows = connection.execute(select(trail_heads)).all()
        return {str(row.trail): (int(row.seq), str(row.hash)) for row in rows}

    def entry_hash(self, trail: str, seq: int) -> str | None:
        """Return the stored hash of a trail's entry ``seq``, or None.

        A cell that is not text (a forger's) is returned as its text, so it
        differs from any sealed hash rather than failing.
        """
        table = _TABLES[trail]
        try:
            with self._transaction() as connection:
                found = connection.execute(
                    select(table.c.hash).where(table.c.seq == seq)
                ).scalar()
        except DBAPIError:  # pragma: no cover - a cell no driver can read
            return ""
        return None if found is None else str(found)


def _replayed(rows: Sequence[StoredEntry]) -> list[Finding]:
    """Replay a sound roster chain; a body that is no roster change is edited."""
    changes = []
    for row in rows:
        try:
            changes.append(_change((row.body, row.prev_hash, row.hash)))
        except (KeyError, ValueError, TypeError):
            seq = row.seq if isinstance(row.seq, int) else 0
            return [
                Finding(ROSTER_TRAIL, seq, FindingKind.EDITED, "finding.undecodable")
            ]
    return replay_findings(changes)


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.datetime) else value
