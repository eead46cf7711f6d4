"""The SQLAlchemy audit store: case heads and hash-chained events.

One unit of work is one database transaction. A command's writes are one
guarded update of the case head (only from the ``seq`` and hash its event
chains to, so two writers can never both win) and the inserts of its event
and personal data; they commit together or not at all. Database errors are
translated at this boundary, so no SQLAlchemy exception reaches a caller.
"""

from __future__ import annotations

import datetime as dt
import sys
import weakref
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from functools import partial
from itertools import groupby
from itertools import islice
from itertools import starmap
from operator import attrgetter
from operator import itemgetter
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import Literal
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import literal_column
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import type_coerce
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.sql.sqltypes import NullType

from helping_process.audit import EVERY_CASE
from helping_process.audit import CaseRange
from helping_process.audit import Columns
from helping_process.audit import Head
from helping_process.audit import HeadColumns
from helping_process.audit import Sealed
from helping_process.audit import split_cases
from helping_process.engine import Decision
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import HelpingProcessError
from helping_process.exceptions import StorageError
from helping_process.exceptions import UnknownCaseError
from helping_process.model import Action
from helping_process.persistence import migrate
from helping_process.persistence._engine import SQLITE_BUSY_TIMEOUT_MS
from helping_process.persistence._engine import make_engine
from helping_process.persistence._schema import cases
from helping_process.persistence._schema import definitions
from helping_process.persistence._schema import events
from helping_process.persistence._schema import personal
from helping_process.persistence._schema import seal_leaves
from helping_process.persistence._schema import seals
from helping_process.persistence._schema import snapshots
from helping_process.persistence._schema import staff_events
from helping_process.persistence._types import UTCDateTime
from helping_process.service import CaseSummary
from helping_process.snapshot import Snapshot
from helping_process.states import Stage

if TYPE_CHECKING:
    from helping_process.definitions import Definition
    from helping_process.persistence.staff import SqlStaffStore
    from helping_process.seals import Seal

_T = TypeVar("_T")

#: Every trigger message of migration 0002 starts with this.
_TRIGGER_MARK: Final = "helping_process:"
#: SQLSTATEs of a transaction another one made fail: serialisation, deadlock.
_RETRYABLE_STATES: Final = frozenset({"40001", "40P01"})
#: How many rows a scan on PostgreSQL fetches at a time (SQLite steps row by row).
_SCAN_BATCH: Final = 2000
#: Bits of SQLite's ``user_version`` (a free integer in the file's header)
#: that say how far the file is erased: every page was rewritten with
#: ``secure_delete`` on (a ``VACUUM``), and a redaction committed whose
#: copies in the write-ahead log are not truncated yet.
_SCRUBBED: Final = 1
_ERASE_PENDING: Final = 2
#: How long a redaction's ``VACUUM FULL`` waits for its lock (PostgreSQL).
_VACUUM_LOCK_TIMEOUT: Final = "5s"
#: How many events a unit of work keeps before it writes them. Rows written
#: while they are still in the processor's cache go in faster: a thousand
#: kept to the commit make a bulk import about 6 % slower.
_KEPT_EVENTS: Final = 64


class _Prepared:
    """A Core statement compiled once for a dialect, run on a DBAPI cursor.

    A command writes three rows; running them through Core's execution
    machinery costs more than the writes themselves (measured: Core is
    1.6 times slower than raw). So SQLAlchemy writes the SQL once and
    converts values with the columns' own types, and the statement runs on
    the cursor of a pooled connection.
    """

    def __init__(
        self,
        statement: ClauseElement,
        dialect: Dialect,
        *,
        columns: Sequence[str] | None = None,
    ) -> None:
        """Compile ``statement``; an ``INSERT`` sets ``columns``, or all."""
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        assert isinstance(compiled, SQLCompiler)  # noqa: S101 - statements compile to SQL
        self.sql = str(compiled)
        self.positional = dialect.positional
        self.names: tuple[str, ...] = tuple(
            compiled.positiontup
            if self.positional and compiled.positiontup
            else compiled.binds
        )
        # Bytes skip the drivers' Binary wrapper, which only costs a copy per
        # value. sqlite3 takes a bytearray as it is, but looks up adapters
        # for bytes (raising and clearing an AttributeError each time, which
        # costs five times the copy into a bytearray). No blob is bound as
        # None: a redaction writes its NULL in the statement.
        blob = bytearray if dialect.name == "sqlite" else None
        binders = {
            name: (
                blob
                if isinstance(bind.type, LargeBinary)
                else bind.type.dialect_impl(dialect).bind_processor(dialect)
            )
            for name, bind in compiled.binds.items()
        }
        #: The positions whose values a column type converts, and how.
        self.binders = [
            (index, binder)
            for index, name in enumerate(self.names)
            if (binder := binders.get(name)) is not None
        ]
        selected = getattr(statement, "selected_columns", ())
        self.readers = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in selected
        ]

    def _params(self, values: Mapping[str, Any]) -> Any:
        return self._row([values.get(name) for name in self.names])

    def _row(self, row: Sequence[Any]) -> Any:
        converted = list(row)
        for index, bind in self.binders:
            converted[index] = bind(converted[index])
        if self.positional:
            return converted
        return dict(zip(self.names, converted, strict=True))

    def run(self, cursor: Any, values: Mapping[str, Any] | None = None) -> int:
        """Execute; return the number of rows changed.

        Parameters missing from ``values`` are NULL.
        """
        cursor.execute(self.sql, self._params(values or {}))
        return int(cursor.rowcount)

    def run_many(self, cursor: Any, values: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per mapping of ``values``, in one ``executemany``."""
        cursor.executemany(self.sql, [self._params(each) for each in values])

    def run_row(self, cursor: Any, row: Sequence[Any]) -> int:
        """Execute with a value per parameter, in order; return the rows changed."""
        cursor.execute(self.sql, self._row(row))
        return int(cursor.rowcount)

    def insert(self, cursor: Any, rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows``, each with a value per parameter, in order.

        For an ``INSERT`` of a whole table the parameters are its columns
        in the table's order. Many rows go in one ``executemany``.
        """
        if len(rows) == 1:
            cursor.execute(self.sql, self._row(rows[0]))
        else:
            cursor.executemany(self.sql, [self._row(row) for row in rows])

    def rows(
        self, cursor: Any, values: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Execute a query; return its rows with the columns' types applied."""
        cursor.execute(self.sql, self._params(values or {}))
        readers = self.readers
        return [
            tuple(
                reader(value) if reader else value
                for reader, value in zip(readers, row, strict=True)
            )
            for row in cursor.fetchall()
        ]


class _Statements:
    """Every statement of the store, prepared for one dialect."""

    def __init__(self, dialect: Dialect) -> None:  # noqa: PLR0915 - one statement per prepared statement
        # A named cursor is a server-side one on PostgreSQL: scans stream.
        self.server_side = dialect.name == "postgresql"
        self.sqlite = dialect.name == "sqlite"
        self.insert_case = _Prepared(insert(cases), dialect)
        self.insert_event = _Prepared(insert(events), dialect)
        # Personal data is never inserted redacted: redacted_at stays NULL.
        self.insert_personal = _Prepared(
            insert(personal), dialect, columns=_PERSONAL_COLUMNS
        )
        # Rows are built as tuples in column order, the order an insert of
        # the columns compiles to.
        assert self.insert_event.names == tuple(events.c.keys())  # noqa: S101 - checked once per store
        assert self.insert_personal.names == _PERSONAL_COLUMNS  # noqa: S101
        self.advance_head = _Prepared(_advance_head(), dialect)
        self.write_head = _Prepared(_write_head(), dialect)
        # Heads are given as tuples in the order of _head_row: SET, then WHERE.
        assert self.advance_head.names == _HEAD_PARAMETERS  # noqa: S101 - checked once per store
        assert self.write_head.names == _HEAD_PARAMETERS[:_UNGUARDED]  # noqa: S101
        head = (cases.c.case_id, cases.c.seq, cases.c.last_hash, cases.c.stage)
        # PostgreSQL: the whole append as one statement, atomic by itself,
        # by whether it opens the case and whether it has personal data.
        self.append_alone = (
            {
                (opening, with_personal): _append_statement(
                    dialect, opening=opening, with_personal=with_personal
                )
                for opening in (False, True)
                for with_personal in (False, True)
            }
            if dialect.name == "postgresql"
            else None
        )
        self.head = _Prepared(
            select(*head, cases.c.episode).where(
                cases.c.case_id == bindparam("b_case_id")
            ),
            dialect,
        )
        # One case's stored events with their personal data: its trail (the
        # events after one) and any single event of it.
        case_events = (
            select(
                events.c.seq,
                events.c.body,
                events.c.prev_hash,
                events.c.hash,
                personal.c.data,
            )
            .outerjoin(
                personal,
                (personal.c.case_id == events.c.case_id)
                & (personal.c.seq == events.c.seq),
            )
            .where(events.c.case_id == bindparam("b_case_id"))
        )
        self.trail = _Prepared(
            case_events.where(events.c.seq > bindparam("b_after")).order_by(
                events.c.seq
            ),
            dialect,
        )
        self.redact_personal = _Prepared(
            update(personal)
            .where(personal.c.case_id == bindparam("b_case_id"))
            .where(personal.c.seq == bindparam("b_seq"))
            .where(personal.c.data.is_not(None))
            .values(data=null(), redacted_at=bindparam("b_at")),
            dialect,
        )
        self.redact_client = _Prepared(
            update(cases)
            .where(cases.c.case_id == bindparam("b_case_id"))
            .values(client=null()),
            dialect,
        )
        listing = select(
            cases.c.case_id,
            cases.c.client,
            cases.c.residential,
            cases.c.stage,
            cases.c.episode,
            cases.c.seq,
            cases.c.opened_at,
            cases.c.updated_at,
        ).order_by(cases.c.opened_at, cases.c.case_id)
        self.all_cases = _Prepared(listing, dialect)
        self._listing = listing
        self._dialect = dialect
        self._pages: dict[tuple[bool, bool, bool, bool], _Prepared] = {}
        self.cases_in_stage = _Prepared(
            listing.where(cases.c.stage == bindparam("b_stage")), dialect
        )
        self.insert_seal = _Prepared(insert(seals), dialect)
        self.insert_definition = _Prepared(insert(definitions), dialect)
        self.definitions = _Prepared(
            _raw_select(
                definitions.c.digest,
                definitions.c.name,
                definitions.c.version,
                definitions.c.text,
            ).order_by(definitions.c.name, definitions.c.version),
            dialect,
        )
        self.insert_leaf = _Prepared(insert(seal_leaves), dialect)
        # Seals are read as the driver gives them, without the columns' own
        # conversions, which raise on a cell of another type: verification
        # must report a forged cell, not stop at it (see _seal).
        self.seals = _Prepared(
            _raw_select(
                seals.c.seal_id,
                seals.c.sealed_at,
                seals.c.message,
                seals.c.signature,
                seals.c.public_key,
            ).order_by(seals.c.seal_id),
            dialect,
        )
        self.leaves = _Prepared(
            _raw_select(
                seal_leaves.c.seal_id,
                seal_leaves.c.case_id,
                seal_leaves.c.seq,
                seal_leaves.c.hash,
            ).order_by(seal_leaves.c.seal_id, seal_leaves.c.case_id),
            dialect,
        )
        self.heads = _Prepared(select(*head, cases.c.episode), dialect)
        # Columns in the order of Sealed's fields: rows become Sealed as they are.
        key = (events.c.case_id, events.c.seq, events.c.body)
        chain = (events.c.prev_hash, events.c.hash)
        self.scan_chain = _Prepared(
            select(*key, null(), *chain).order_by(events.c.case_id, events.c.seq),
            dialect,
        )
        self.heads_in_order = _Prepared(
            select(*head, cases.c.episode).order_by(cases.c.case_id), dialect
        )
        # Full verification reads every column beside the chain, raw: the
        # event's in Columns' order after Sealed's, the head's after Head's.
        full_head = (*head, cases.c.episode, *_HEAD_COLUMNS)
        full_scan = (
            select(
                *key, personal.c.data, *chain, *_EVENT_COLUMNS, personal.c.redacted_at
            )
            .outerjoin(
                personal,
                (personal.c.case_id == events.c.case_id)
                & (personal.c.seq == events.c.seq),
            )
            .order_by(events.c.case_id, events.c.seq)
        )
        without_events = (
            select(*full_head)
            .where(~exists().where(events.c.case_id == cases.c.case_id))
            .order_by(cases.c.case_id)
        )
        in_order = select(*full_head).order_by(cases.c.case_id)
        one = events.c.case_id == bindparam("b_case_id")
        its_head = cases.c.case_id == bindparam("b_case_id")
        self.full_scan = _Prepared(full_scan, dialect)
        self.full_heads = _Prepared(in_order, dialect)
        self.full_without_events = _Prepared(without_events, dialect)
        self.case_scan = _Prepared(full_scan.where(one), dialect)
        self.case_head = _Prepared(in_order.where(its_head), dialect)
        self.case_without_events = _Prepared(without_events.where(its_head), dialect)
        #: The same for a range of case ids, by whether it has a lower and an
        #: upper bound (the statements of parallel verification).
        self.full_ranged: dict[
            tuple[bool, bool], tuple[_Prepared, _Prepared, _Prepared]
        ] = {
            (low, high): (
                _Prepared(
                    _within(
                        without_events.order_by(None),
                        cases.c.case_id,
                        low=low,
                        high=high,
                    ),
                    dialect,
                ),
                _Prepared(
                    _within(
                        in_order.order_by(None), cases.c.case_id, low=low, high=high
                    ),
                    dialect,
                ),
                _Prepared(
                    _within(
                        full_scan.order_by(None), events.c.case_id, low=low, high=high
                    ),
                    dialect,
                ),
            )
            for low in (False, True)
            for high in (False, True)
        }
        self.heads_without_events = _Prepared(
            select(*head, cases.c.episode)
            .where(~exists().where(events.c.case_id == cases.c.case_id))
            .order_by(cases.c.case_id),
            dialect,
        )
        self.scan = _Prepared(
            select(*key, personal.c.data, *chain)
            .outerjoin(
                personal,
                (personal.c.case_id == events.c.case_id)
                & (personal.c.seq == events.c.seq),
            )
            .order_by(events.c.case_id, events.c.seq),
            dialect,
        )
        self.insert_snapshot = _Prepared(_insert_snapshot(dialect), dialect)
        # The newest by max() rather than LIMIT, whose count would be a
        # parameter of its own.
        newest = (
            select(func.max(snapshots.c.seq))
            .where(snapshots.c.case_id == bindparam("b_case_id"))
            .where(snapshots.c.seq <= bindparam("b_upto"))
            .scalar_subquery()
        )
        self.newest_snapshot = _Prepared(
            select(snapshots.c.seq, snapshots.c.hash, snapshots.c.data)
            .where(snapshots.c.case_id == bindparam("b_case_id"))
            .where(snapshots.c.seq == newest),
            dialect,
        )
        self.case_snapshots = _Prepared(
            select(snapshots.c.seq, snapshots.c.hash, snapshots.c.data)
            .where(snapshots.c.case_id == bindparam("b_case_id"))
            .order_by(snapshots.c.seq),
            dialect,
        )
        self.snapshot_cases = _Prepared(select(snapshots.c.case_id).distinct(), dialect)
        # Personal data that no stored event owns (see stray_personal).
        self.personal_count = _Prepared(
            select(func.count()).select_from(personal), dialect
        )
        self.stray_personal = _Prepared(
            _raw_select(personal.c.case_id, personal.c.seq)
            .where(
                ~exists().where(
                    (events.c.case_id == personal.c.case_id)
                    & (events.c.seq == personal.c.seq)
                )
            )
            .order_by(personal.c.case_id, personal.c.seq),
            dialect,
        )
        self.one_event = _Prepared(
            case_events.where(events.c.seq == bindparam("b_seq")), dialect
        )
        self.case_weights = _Prepared(
            select(cases.c.case_id, cases.c.seq).order_by(cases.c.case_id), dialect
        )
        #: The statements of :meth:`SqlUnitOfWork.trails` for a range of
        #: case ids, by whether it has a lower and an upper bound.
        self.ranged: dict[tuple[bool, bool], tuple[_Prepared, ...]] = {}
        for low in (False, True):
            for high in (False, True):
                self.ranged[low, high] = tuple(
                    _Prepared(_within(statement, column, low=low, high=high), dialect)
                    for statement, column in (
                        (_heads_without_events(head), cases.c.case_id),
                        (select(*head, cases.c.episode), cases.c.case_id),
                        (select(*key, null(), *chain), events.c.case_id),
                        (_scan(key, chain), events.c.case_id),
                    )
                )

    def case_page(
        self, *, stage: bool, since: bool, before: bool, worker: bool
    ) -> _Prepared:
        """Return the listing of one page of cases, newest first.

        One statement per combination of filters, prepared on first use:
        ``b_stage``, ``b_since`` (opened at or after), ``b_worker`` (the
        actor of the opening event), ``b_before_at`` and ``b_before_id``
        (strictly before that case in the order), ``b_limit`` and
        ``b_offset`` (always 0).
        """
        key = (stage, since, before, worker)
        prepared = self._pages.get(key)
        if prepared is None:
            statement = self._listing.order_by(None).order_by(
                cases.c.opened_at.desc(), cases.c.case_id.desc()
            )
            if stage:
                statement = statement.where(cases.c.stage == bindparam("b_stage"))
            if since:
                statement = statement.where(
                    cases.c.opened_at >= bindparam("b_since", type_=UTCDateTime())
                )
            if worker:
                # The opening event's actor, found by its primary key.
                statement = statement.where(
                    exists()
                    .where(events.c.case_id == cases.c.case_id)
                    .where(events.c.seq == literal_column("1"))
                    .where(events.c.actor_id == bindparam("b_worker"))
                )
            if before:
                at = bindparam("b_before_at", type_=UTCDateTime())
                statement = statement.where(
                    or_(
                        cases.c.opened_at < at,
                        and_(
                            cases.c.opened_at == at,
                            cases.c.case_id < bindparam("b_before_id"),
                        ),
                    )
                )
            # SQLite writes a bound LIMIT with an OFFSET: bind both.
            statement = statement.limit(bindparam("b_limit", type_=Integer())).offset(
                bindparam("b_offset", type_=Integer())
            )
            prepared = self._pages[key] = _Prepared(statement, self._dialect)
        return prepared


def _insert_snapshot(dialect: Dialect) -> ClauseElement:
    """Store a snapshot, or nothing if one at that event is stored already.

    Two processes that load the same case cold may both take its snapshot;
    the second finds the first's (the same bytes) and a read never fails
    for it.
    """
    values = {
        "case_id": bindparam("b_case_id"),
        "seq": bindparam("b_seq"),
        "hash": bindparam("b_hash"),
        "data": bindparam("b_data", type_=snapshots.c.data.type),
    }
    if dialect.name == "postgresql":
        return postgresql_insert(snapshots).values(values).on_conflict_do_nothing()
    return sqlite_insert(snapshots).values(values).on_conflict_do_nothing()


def _heads_without_events(head: Sequence[Any]) -> Select[Any]:
    """The heads of cases that have no events (there are none in a sound trail)."""
    return select(*head, cases.c.episode).where(
        ~exists().where(events.c.case_id == cases.c.case_id)
    )


def _scan(key: Sequence[Any], chain: Sequence[Any]) -> Select[Any]:
    """Every event with its personal data, in the order of Sealed's fields."""
    return select(*key, personal.c.data, *chain).outerjoin(
        personal,
        (personal.c.case_id == events.c.case_id) & (personal.c.seq == events.c.seq),
    )


def _within(
    statement: Select[Any], column: Any, *, low: bool, high: bool
) -> Select[Any]:
    """``statement`` for the case ids from ``b_low`` (on) to ``b_high`` (before).

    Ordered by case id (and ``seq`` for events), as the whole scans are.
    """
    if low:
        statement = statement.where(column >= bindparam("b_low"))
    if high:
        statement = statement.where(column < bindparam("b_high"))
    order = [column]
    if column is events.c.case_id:
        order.append(events.c.seq)
    return statement.order_by(*order)


def _raw_select(*columns: Any) -> Select[Any]:
    """Select ``columns`` as the driver gives them, without their types' conversions.

    A column type's reader raises on a cell of another type; what verification
    reads must reach it as stored, so a forged cell is a finding, not an error.
    """
    raw: list[Any] = [type_coerce(column, NullType()) for column in columns]
    return select(*raw)


def _close_kept(idle: list[tuple[Any, Any]]) -> None:
    """Close the driver connections a store kept, once the store is gone."""
    while idle:
        idle.pop()[0].invalidate()


def _advance_head() -> Update:
    """The guarded update of a case's head (see :func:`_head_row`).

    It moves the head only from the event the new one chains to: its
    ``seq`` and its hash.
    """
    return (
        _write_head()
        .where(cases.c.seq == bindparam("b_expected"))
        .where(cases.c.last_hash == bindparam("b_prev_hash"))
    )


def _write_head() -> Update:
    """The update of a case's head to its newest event, unguarded.

    Only for a case whose head this transaction has already moved with
    :func:`_advance_head`: the lock that took is held until the end.
    """
    return (
        update(cases)
        .where(cases.c.case_id == bindparam("b_case_id"))
        .values(
            stage=bindparam("b_stage"),
            episode=bindparam("b_episode"),
            seq=bindparam("b_seq"),
            last_hash=bindparam("b_last_hash"),
            updated_at=bindparam("b_updated_at"),
        )
    )


def _append_statement(
    dialect: Dialect, *, opening: bool, with_personal: bool
) -> _Prepared:
    """The head's write, the event and its personal data in one statement.

    Data-modifying CTEs (PostgreSQL): the event is inserted only from the
    head row written (the new case's, for ``open``; otherwise the one the
    guarded update moved), and the personal data only from the event, so
    the statement writes all three rows or none; the number of rows it
    reports is 1 when the head moved and 0 when another writer moved it
    first. The new case's columns are bound as ``o_<column>``.
    """
    written = (
        insert(cases).values(
            {
                column.name: bindparam(f"o_{column.name}", type_=column.type)
                for column in cases.c
            }
        )
        if opening
        else _advance_head()
    )
    head = written.returning(cases.c.case_id).cte("head")
    columns = [column for column in events.c if column.name != "case_id"]
    event = (
        insert(events)
        .from_select(
            ["case_id", *(column.name for column in columns)],
            select(
                head.c.case_id,
                *(bindparam(column.name, type_=column.type) for column in columns),
            ),
        )
        .returning(events.c.case_id, events.c.seq)
        .cte("event")
    )
    statement: ClauseElement = select(event.c.case_id)
    if with_personal:
        statement = insert(personal).from_select(
            ["case_id", "seq", "data"],
            select(
                event.c.case_id,
                event.c.seq,
                bindparam("data", type_=personal.c.data.type),
            ),
        )
    return _Prepared(statement, dialect)


class SqlStore:
    """An :class:`~helping_process.service.AuditStore` on SQLAlchemy.

    Args:
        bind: an engine (each unit of work is its own transaction on a pooled
            connection) or a connection whose transaction the caller holds
            (each unit of work is a savepoint in it, and the caller commits).
        upgrade: bring the schema to the newest migration first.
    """

    def __init__(self, bind: Engine | Connection, *, upgrade: bool = True) -> None:
        self.bind = bind
        engine = bind if isinstance(bind, Engine) else bind.engine
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        if upgrade:
            with _translated(self._dbapi_error):
                migrate.upgrade(bind)
        self._statements = _Statements(engine.dialect)
        #: Connections checked out of the engine's pool, each with its
        #: cursor, free for the next unit of work.
        self._idle: list[tuple[Any, Any]] = []
        # A store dropped without dispose() still closes what it kept: a
        # driver connection collected open is a resource leak (psycopg warns).
        weakref.finalize(self, _close_kept, self._idle)
        #: Whether this store's last erasure reached every copy it can.
        self._erased = True
        self._resume_erase()
        self._staff: SqlStaffStore | Literal[False] | None = None
        # On SQLite a transaction's two ends are statements run on the
        # cursor, prepared once in the driver's cache (the driver's own
        # commit() parses COMMIT again each time); BEGIN IMMEDIATE takes the
        # write lock at once, so writers queue instead of failing to upgrade.
        sqlite = engine.dialect.name == "sqlite"
        self._begin = "BEGIN IMMEDIATE" if sqlite else None
        self._end = "COMMIT" if sqlite else None

    @classmethod
    def from_url(cls, url: str | URL, *, upgrade: bool = True) -> SqlStore:
        """Open the store at a database URL (``sqlite:///…``, ``postgresql://…``)."""
        return cls(make_engine(url), upgrade=upgrade)

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlUnitOfWork]:
        """Open a transaction; commit on a clean exit, roll back on any error."""
        with self._transaction(self._begin) as uow:
            yield uow

    @contextmanager
    def reading(self) -> Iterator[SqlUnitOfWork]:
        """Open a transaction for reads only, which never waits for a writer.

        On SQLite a unit of work takes the write lock at its start, so a
        long read would hold up every writer, and readers would queue
        behind one another; this one begins deferred, and in WAL mode
        readers read a consistent state beside each other and a writer
        (the workers of a parallel verification). Writing in it is not
        for what it is made.
        """
        with self._transaction("BEGIN" if self._begin else None) as uow:
            yield uow

    @contextmanager
    def _transaction(self, begin: str | None) -> Iterator[SqlUnitOfWork]:
        """A unit of work that begins with ``begin`` (None: the driver begins)."""
        with _translated(self._dbapi_error):
            if isinstance(self.bind, Connection):
                with self.bind.begin_nested():
                    cursor = self.bind.connection.cursor()
                    try:
                        uow = SqlUnitOfWork(cursor, self._statements, self._dbapi_error)
                        yield uow
                        uow.flush()
                    finally:
                        cursor.close()
                return
            connection, cursor = self._checkout()
            try:
                if begin:
                    cursor.execute(begin)
                uow = SqlUnitOfWork(cursor, self._statements, self._dbapi_error)
                yield uow
                uow.flush()
                self._commit(connection, cursor)
            except BaseException:
                self._discard(connection)
                raise
            if uow.redacted:
                self._erase(connection, cursor, wait=True)
            self._idle.append((connection, cursor))

    def append(self, decision: Decision, sealed: Sealed) -> None:
        """Store one command's event as a unit of work of its own.

        What :meth:`unit_of_work` and :meth:`SqlUnitOfWork.append` do, on the
        most common write of all without their context managers. On
        PostgreSQL every command is one statement in autocommit (see
        :func:`_append_statement`): one round trip instead of five (BEGIN,
        three statements, COMMIT), which is most of what a command costs
        there. Inside a caller's transaction it is a savepoint.

        Raises:
            ConcurrentUpdateError: the head is no longer at ``sealed.seq - 1``
                with hash ``sealed.prev_hash``; nothing was stored.
        """
        if isinstance(self.bind, Connection):
            with self.unit_of_work() as uow:
                uow.append(decision, sealed)
            return
        alone = self._statements.append_alone
        connection, cursor = self._checkout()
        try:
            if alone is None:
                self._start(cursor)
                _write(cursor, self._statements, decision, sealed)
                self._commit(connection, cursor)
            else:
                _append_alone(connection, cursor, alone, decision, sealed)
        except (SQLAlchemyError, self._dbapi_error) as error:
            self._discard(connection)
            raise _storage_error(error, self._dbapi_error) from error
        except BaseException:
            self._discard(connection)
            raise
        self._idle.append((connection, cursor))

    def erase(self) -> bool:
        """Remove the copies of redacted data the database keeps outside its rows.

        A unit of work that redacts does this itself once it commits; call
        it after committing a redaction made in your own transaction (a
        store on a :class:`~sqlalchemy.engine.Connection`).

        On SQLite (see :func:`_erase_sqlite`) the file is vacuumed once, the
        first time, so that pages written before ``secure_delete`` was on
        are rewritten, and the write-ahead log is checkpointed and truncated;
        a reader that keeps its snapshot for the whole busy timeout leaves
        the log as it is, and the store tries again when it is next opened.
        On PostgreSQL the tables redactions write are rewritten (``VACUUM
        FULL``, see :func:`_vacuum`; ``docs/audit-format.md`` says what the
        server keeps still).

        Returns:
            Whether every copy this can reach is gone (False: SQLite's
            write-ahead log is still to be truncated, or PostgreSQL's tables
            could not be locked for their rewrite in time).
        """
        if isinstance(self.bind, Connection):
            connection = self.bind.engine.raw_connection()
            try:
                return self._erase(connection, connection.cursor(), wait=True)
            finally:
                connection.close()
        connection, cursor = self._checkout()
        erased = self._erase(connection, cursor, wait=True)
        self._idle.append((connection, cursor))
        return erased

    def erase_pending(self) -> bool:
        """Whether a committed redaction may still have copies the erasure missed.

        On SQLite the file says so (a mark the redaction sets and the
        erasure clears); on PostgreSQL, whether this store's last erasure
        failed (see :meth:`erase`).
        """
        if not self._statements.sqlite:
            return not self._erased
        with self.unit_of_work() as uow:
            return bool(uow.user_version() & _ERASE_PENDING)

    def _erase(self, connection: Any, cursor: Any, *, wait: bool) -> bool:
        """Erase on a connection outside any transaction; see :meth:`erase`.

        A database error is not raised: the redaction has committed, and on
        SQLite the pending mark stays for the next attempt.
        """
        try:
            if self._statements.sqlite:
                self._erased = _erase_sqlite(cursor, wait=wait)
            else:
                _vacuum(connection, cursor)
                self._erased = True
        except self._dbapi_error:
            self._erased = False
        return self._erased

    def _resume_erase(self) -> None:
        """Finish an erasure a reader held up, without waiting for readers."""
        if not (self._statements.sqlite and isinstance(self.bind, Engine)):
            return
        connection, cursor = self._checkout()
        try:
            (version,) = cursor.execute("PRAGMA user_version").fetchone()
            if version & _ERASE_PENDING:
                self._erase(connection, cursor, wait=False)
        except self._dbapi_error:
            self._discard(connection)
            return
        self._idle.append((connection, cursor))

    @contextmanager
    def lend(self) -> Iterator[Any]:
        """Lend a driver cursor for reads outside any unit of work.

        The connections kept for units of work serve small reads too (an
        API token's lookup on every request): on SQLite, a read on the
        connection that also writes finds its page cache warm, where another
        connection's cache is invalidated by every commit. The cursor is for
        reads only; any transaction a read opened is ended before the
        connection is kept again.
        """
        if isinstance(self.bind, Connection):
            with self.unit_of_work() as uow:
                yield uow._cursor
            return
        with _translated(self._dbapi_error):
            connection, cursor = self._checkout()
            try:
                yield cursor
                if self._end is None:
                    connection.rollback()  # ends PostgreSQL's implicit transaction
            except BaseException:
                self._discard(connection)
                raise
            self._idle.append((connection, cursor))

    def _start(self, cursor: Any) -> None:
        """Begin a transaction (PostgreSQL's driver begins one by itself)."""
        if self._begin:
            cursor.execute(self._begin)

    def _commit(self, connection: Any, cursor: Any) -> None:
        """Commit the transaction that :meth:`_start` began."""
        if self._end:
            cursor.execute(self._end)
        else:
            connection.commit()

    def _checkout(self) -> tuple[Any, Any]:
        """Return a connection and its cursor for one unit of work.

        Connections that ended a unit of work cleanly are kept checked out
        of the engine's pool, with their cursors, and reused: a pool
        checkout and check-in cost about as much as the Python side of a
        whole command. Appending to and popping from a list are atomic, so
        threads share the free list.
        """
        try:
            return self._idle.pop()
        except IndexError:
            assert isinstance(self.bind, Engine)  # noqa: S101 - callers hold a Connection otherwise
            connection = self.bind.raw_connection()
            return connection, connection.cursor()

    def _discard(self, connection: Any) -> None:
        """Roll back a failed unit of work and give its connection back.

        A connection that cannot even roll back is broken: it is invalidated,
        so the pool opens a new one rather than handing it out again.
        """
        try:
            connection.rollback()
        except self._dbapi_error:
            connection.invalidate()
        finally:
            connection.close()

    def staff(self) -> SqlStaffStore | None:
        """Return the roster and access log kept in this store's database.

        None for a database not yet upgraded to have them (a store opened
        with ``upgrade=False`` on an older schema): its actors are not
        checked and its reads are not logged.
        """
        if self._staff is None:
            from helping_process.persistence.staff import SqlStaffStore  # noqa: PLC0415 - a cycle

            with _translated(self._dbapi_error):
                present = self._has_staff_tables()
            self._staff = SqlStaffStore(self) if present else False
        return self._staff or None

    def _has_staff_tables(self) -> bool:
        """Whether the database has the roster's table.

        On a caller's connection, in the caller's transaction (the case
        service asks when it runs its first command). On an engine, on a
        kept driver connection outside any transaction: on SQLite every
        SQLAlchemy transaction begins IMMEDIATE, which would wait for a
        batch of this store holding the write lock.
        """
        if isinstance(self.bind, Connection):
            return bool(inspect(self.bind).has_table(staff_events.name))
        with self.lend() as cursor:
            try:
                cursor.execute(f"SELECT 1 FROM {staff_events.name} WHERE 1 = 0")  # noqa: S608 - a constant name
                cursor.fetchall()
            except self._dbapi_error:
                return False
        return True

    def opener(self) -> Callable[[], SqlStore] | None:
        """Return how another process opens this store, or None if it cannot.

        A store on an engine is opened again from its URL (password
        included) without running migrations; one on a caller's connection
        cannot be, since its transaction is the caller's, nor one in an
        in-memory SQLite database, which is this process's alone.
        """
        if not isinstance(self.bind, Engine):
            return None
        url = self.bind.url
        if url.get_backend_name() == "sqlite" and (
            url.database in (None, "", ":memory:")
            or "memory" in str(url.query.get("mode", ""))
        ):
            return None  # another process would open an empty database of its own
        return partial(
            SqlStore.from_url, url.render_as_string(hide_password=False), upgrade=False
        )

    def dispose(self) -> None:
        """Close the engine's pooled connections (not a caller's connection)."""
        while self._idle:
            self._idle.pop()[0].close()
        if isinstance(self.bind, Engine):
            self.bind.dispose()


def _replacing_text(data: bytes) -> str:
    """Decode a SQLite TEXT cell, with U+FFFD for bytes that are not UTF-8."""
    return data.decode("utf-8", "replace")


class SqlUnitOfWork:
    """The reads and the appends of one transaction.

    A case's first append in the transaction is written at once, through
    the guarded head update: that is where a decision made on a stale case
    is found. The update also locks the case until the transaction ends
    (its row on PostgreSQL, the whole database on SQLite), so every later
    append to it can only follow this transaction's own: it is checked
    against that in memory and kept. The kept events are written together,
    one ``executemany`` per table, whenever a few dozen have gathered and
    before the next read and the commit; the heads wait for the read or
    the commit, one update per case. A batch of a thousand commands thus
    writes a thousand events but only as many heads as it touches cases.
    """

    def __init__(
        self, cursor: Any, statements: _Statements, dbapi_error: type[Exception]
    ) -> None:
        self._cursor = cursor
        self._sql = statements
        self._dbapi_error = dbapi_error
        #: The cases this transaction appended to: the seq and hash each ends with.
        self._moved: dict[str, tuple[int, str]] = {}
        #: What later appends left to write: heads by case, events, personal data.
        self._heads: dict[str, tuple[Decision, Sealed]] = {}
        self._events: list[tuple[Any, ...]] = []
        self._personal: list[tuple[Any, ...]] = []
        #: Whether this transaction redacted: the store erases once it commits.
        self.redacted = False

    def flush(self) -> None:
        """Write the rows later appends kept; every read and the commit do it first."""
        self._write_events()
        for decision, sealed in self._heads.values():
            row = _head_row(decision, sealed)[:_UNGUARDED]
            self._sql.write_head.run_row(self._cursor, row)
        self._heads = {}

    def _write_events(self) -> None:
        """Write the kept events and their personal data (the heads wait)."""
        if not self._events:
            return
        self._sql.insert_event.insert(self._cursor, self._events)
        if self._personal:
            self._sql.insert_personal.insert(self._cursor, self._personal)
        self._events, self._personal = [], []

    def find_head(self, case_id: str) -> Head | None:
        """Return the case's head, or None when there is none."""
        self.flush()
        rows = self._sql.head.rows(self._cursor, {"b_case_id": case_id})
        return _head(*rows[0]) if rows else None

    def head(self, case_id: str) -> Head:
        """Return the case's head.

        Raises:
            UnknownCaseError: no case has that id.
        """
        head = self.find_head(case_id)
        if head is None:
            raise UnknownCaseError(case_id)
        return head

    def events(self, case_id: str, *, after: int = 0) -> list[Sealed]:
        """Return the case's stored events with ``seq`` above ``after``."""
        self.flush()
        rows = self._sql.trail.rows(
            self._cursor, {"b_case_id": case_id, "b_after": after}
        )
        return [
            Sealed(
                case_id=case_id,
                seq=seq,
                body=bytes(body),
                personal=None if data is None else bytes(data),
                prev_hash=prev_hash,
                hash=hash_,
            )
            for seq, body, prev_hash, hash_, data in rows
        ]

    def event_at(self, case_id: str, seq: int) -> Sealed | None:
        """Return the case's stored event ``seq``, or None when there is none."""
        self.flush()
        rows = self._sql.one_event.rows(
            self._cursor, {"b_case_id": case_id, "b_seq": seq}
        )
        return (
            Sealed(
                case_id=case_id,
                seq=rows[0][0],
                body=bytes(rows[0][1]),
                personal=None if rows[0][4] is None else bytes(rows[0][4]),
                prev_hash=rows[0][2],
                hash=rows[0][3],
            )
            if rows
            else None
        )

    def snapshot(self, case_id: str, *, upto: int) -> Snapshot | None:
        """Return the case's newest snapshot taken at or before event ``upto``."""
        self.flush()
        rows = self._sql.newest_snapshot.rows(
            self._cursor, {"b_case_id": case_id, "b_upto": upto}
        )
        return _snapshots(case_id, rows)[0] if rows else None

    def snapshots(self, case_id: str) -> list[Snapshot]:
        """Return every stored snapshot of the case, oldest first."""
        self.flush()
        rows = self._sql.case_snapshots.rows(self._cursor, {"b_case_id": case_id})
        return _snapshots(case_id, rows)

    def snapshot_cases(self) -> set[str]:
        """Return the ids of the cases that have snapshots."""
        self.flush()
        return {row[0] for row in self._sql.snapshot_cases.rows(self._cursor)}

    def stray_personal(self, seen: int) -> list[tuple[object, object]]:
        """Return the keys of stored personal data that no stored event owns.

        Such rows are shown by no command, but by any SQL an agency runs
        on ``personal``; only someone writing with the foreign keys off can
        leave them. ``seen`` is how many rows verification read with their
        events: a table holding no more (one count) has none, and only
        otherwise is every row looked up. The cells come as stored (text
        that is not UTF-8 with U+FFFD, see :meth:`_lenient`).
        """
        self.flush()
        (total,) = self._raw(self._sql.personal_count, None)[0]
        if total <= seen:
            return []

        def strays() -> Iterator[tuple[Any, ...]]:
            return iter(self._raw(self._sql.stray_personal, None))

        return [(case_id, seq) for case_id, seq in self._lenient(strays)]

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Store a snapshot (nothing if one at that event is stored already)."""
        self.flush()
        self._sql.insert_snapshot.run(
            self._cursor,
            {
                "b_case_id": snapshot.case_id,
                "b_seq": snapshot.seq,
                "b_hash": snapshot.hash,
                "b_data": snapshot.data,
            },
        )

    def append(self, decision: Decision, sealed: Sealed) -> None:
        """Store the event and move the case's head, or store nothing.

        The head moves only from the event this one chains to (its ``seq``
        and hash), so a decision made on a case that is no longer the
        stored one, whether another writer moved on or a caller's rollback
        undid it, is never stored. A later append to a case this
        transaction moved already is kept until :meth:`flush`.

        Raises:
            ConcurrentUpdateError: the head is no longer at ``sealed.seq - 1``
                with hash ``sealed.prev_hash``.
        """
        case_id = sealed.case_id
        moved = self._moved.get(case_id)
        if moved is None:
            _write(self._cursor, self._sql, decision, sealed)
        elif moved != (sealed.seq - 1, sealed.prev_hash):
            raise ConcurrentUpdateError(case_id, sealed.seq - 1)
        else:
            self._heads[case_id] = (decision, sealed)
            self._events.append(_event_row(decision, sealed))
            if sealed.personal is not None:
                self._personal.append(_personal_row(sealed))
            if len(self._events) == _KEPT_EVENTS:
                self._write_events()
        self._moved[case_id] = (sealed.seq, sealed.hash)

    def redact(self, case_id: str, *, seqs: Sequence[int], at: dt.datetime) -> None:
        """Remove the personal data of the case's events ``seqs``.

        The rows' personal data and the case row's client reference are set
        to NULL; the store then erases the copies the database keeps (see
        :meth:`SqlStore.erase`) once the transaction commits. On SQLite the
        file is marked until then, in the same transaction, so an erasure a
        crash or a reader interrupts is finished when the store next opens.
        """
        self.flush()
        self._sql.redact_personal.run_many(
            self._cursor,
            [{"b_case_id": case_id, "b_seq": seq, "b_at": at} for seq in seqs],
        )
        self._sql.redact_client.run(self._cursor, {"b_case_id": case_id})
        if self._sql.sqlite:
            version = self.user_version() | _ERASE_PENDING
            self._cursor.execute(f"PRAGMA user_version={version:d}")
        self.redacted = True

    def user_version(self) -> int:
        """SQLite's ``user_version``: the erasure marks (see :data:`_SCRUBBED`)."""
        (version,) = self._cursor.execute("PRAGMA user_version").fetchone()
        return int(version)

    def heads(self) -> dict[str, Head]:
        """Return every case's head, by case id."""
        self.flush()
        return {row[0]: _head(*row) for row in self._sql.heads.rows(self._cursor)}

    def scan(self, *, personal: bool = True) -> Iterator[Sealed]:
        """Yield every stored event, ordered by case id and ``seq``, streaming.

        Rows come as the cursor steps through them, on a cursor of their
        own, so memory stays flat however long the trail.

        Args:
            personal: read the personal data too (False: the chain only).
        """
        self.flush()
        return self._scan(self._sql.scan if personal else self._sql.scan_chain)

    def _scan(self, statement: _Prepared) -> Iterator[Sealed]:
        with self._rows(statement) as rows:
            yield from map(_sealed, rows)

    def trails(
        self, *, personal: bool = True, within: CaseRange = EVERY_CASE
    ) -> Iterator[tuple[Head | None, list[Sealed]]]:
        """Yield every case's head with its stored events, a case at a time.

        Two streams in the database's own order of case ids, the events and
        the heads, matched by equality alone, so the order need not agree
        with Python's: the heads that have no events are read first (there
        are none in a sound trail), and what is left of the heads stream is
        then exactly the cases that have events, in the order their events
        come. An event group the next head does not match has no head. The
        events go from the cursor to their groups without a Python frame
        per row: this is the loop that verifies a million events.

        Args:
            personal: read the personal data too (False: the chain only).
            within: only the cases whose ids fall in this range.
        """
        self.flush()
        return self._lenient(partial(self._trails, personal=personal, within=within))

    def _trails(
        self, *, personal: bool, within: CaseRange
    ) -> Iterator[tuple[Head | None, list[Sealed]]]:
        """:meth:`trails`, read with the driver's text decoding as it is."""
        if within == EVERY_CASE:
            bounds: dict[str, Any] = {}
            without, in_order = self._sql.heads_without_events, self._sql.heads_in_order
            scan = self._sql.scan if personal else self._sql.scan_chain
        else:
            low, high = within
            bounds = {"b_low": low, "b_high": high}
            without, in_order, chain_only, with_personal = self._sql.ranged[
                low is not None, high is not None
            ]
            scan = with_personal if personal else chain_only
        without_events = {
            row[0]: _head(*row) for row in without.rows(self._cursor, bounds)
        }
        with (
            self._rows(in_order, "helping_process_heads", bounds) as rows,
            self._rows(scan, values=bounds) as events,
        ):
            heads = starmap(_head, rows)
            pending = next(heads, None)
            for case_id, group in groupby(map(_sealed, events), key=_case_id):
                while pending is not None and pending.case_id in without_events:
                    yield pending, []
                    pending = next(heads, None)
                if pending is not None and pending.case_id == case_id:
                    yield pending, list(group)
                    pending = next(heads, None)
                else:
                    yield None, list(group)
            while pending is not None:
                yield pending, []
                pending = next(heads, None)

    def trails_with_columns(
        self, case_id: str | None = None, *, within: CaseRange = EVERY_CASE
    ) -> Iterator[tuple[Head | None, list[Sealed], list[Columns] | None]]:
        """Yield every case (or one) with its events and every stored column.

        What :meth:`trails` yields with the personal data, and besides each
        event the columns stored next to its chained bytes, and besides each
        head the columns of the case row, so that verification can compare
        every stored value with what the chain says. Cells are read as the
        driver gives them, without the columns' types, so a corrupt cell
        reaches verification as it is instead of raising here.

        Args:
            case_id: one case, or every case when None.
            within: without ``case_id``, only the cases whose ids fall in
                this range.
        """
        self.flush()
        return self._lenient(partial(self._trails_with_columns, case_id, within=within))

    def _trails_with_columns(
        self, case_id: str | None, *, within: CaseRange
    ) -> Iterator[tuple[Head | None, list[Sealed], list[Columns] | None]]:
        """:meth:`trails_with_columns`, with the driver's text decoding as it is."""
        sql = self._sql
        values: dict[str, Any] | None
        if case_id is None and within == EVERY_CASE:
            statements = (sql.full_without_events, sql.full_heads, sql.full_scan)
            values = None
        elif case_id is None:
            low, high = within
            statements = sql.full_ranged[low is not None, high is not None]
            values = {"b_low": low, "b_high": high}
        else:
            statements = (sql.case_without_events, sql.case_head, sql.case_scan)
            values = {"b_case_id": case_id}
        without_events = {
            row[0]: _full_head(row) for row in self._raw(statements[0], values)
        }
        with (
            self._rows(statements[1], "helping_process_heads", values) as rows,
            self._rows(statements[2], values=values) as events,
        ):
            heads = map(_full_head, rows)
            pending = next(heads, None)
            for group_id, group in groupby(events, key=_first_cell):
                raw = list(group)
                sealed = list(map(_sealed, map(_chain_cells, raw)))
                stored = list(map(_columns, map(_column_cells, raw)))
                while pending is not None and pending.case_id in without_events:
                    yield pending, [], []
                    pending = next(heads, None)
                if pending is not None and pending.case_id == group_id:
                    yield pending, sealed, stored
                    pending = next(heads, None)
                else:
                    yield None, sealed, stored
            while pending is not None:
                yield pending, [], []
                pending = next(heads, None)

    def _lenient(self, scan: Callable[[], Iterator[_T]]) -> Iterator[_T]:
        """Yield what ``scan`` yields, even past a TEXT cell that is not UTF-8.

        SQLite keeps whatever bytes a forger stores as TEXT, and its Python
        driver refuses to decode them, ending the scan with an error. Then
        the scan runs again, its text decoded with U+FFFD for what is not
        UTF-8 (a value that no longer equals the stored one, so verification
        reports it), from where the first run stopped: the order is the
        database's, the same both times. Only a damaged trail pays for the
        slower decoding.
        """
        done = 0
        try:
            for item in scan():
                yield item
                done += 1
        except self._dbapi_error as error:
            if "decode" not in str(error):
                raise
        else:
            return
        connection = self._cursor.connection
        connection.text_factory = _replacing_text
        try:
            yield from islice(scan(), done, None)
        finally:
            connection.text_factory = str

    def _raw(
        self, statement: _Prepared, values: Mapping[str, Any] | None
    ) -> list[tuple[Any, ...]]:
        """Run a query on the unit's cursor; return its rows as they come."""
        if values is None:
            self._cursor.execute(statement.sql)
        else:
            self._cursor.execute(statement.sql, statement._params(values))
        return list(self._cursor.fetchall())

    def case_ranges(self, parts: int) -> list[CaseRange]:
        """Split the cases into at most ``parts`` ranges of about as many events.

        The ranges follow one another in the database's order of case ids
        (which need not be Python's), from no lower bound to no upper one,
        so every case falls in exactly one, a case without a head too.
        """
        self.flush()
        weights = self._sql.case_weights.rows(self._cursor)
        return split_cases(weights, parts)

    @contextmanager
    def _rows(
        self,
        statement: _Prepared,
        name: str = "helping_process_scan",
        values: Mapping[str, Any] | None = None,
    ) -> Iterator[Iterator[tuple[Any, ...]]]:
        """Run a query on a cursor of its own and give its rows as they come.

        On PostgreSQL the cursor is a server-side one named ``name``, fetching
        ``_SCAN_BATCH`` rows at a time, so the rows stream from the server
        too. The cursor is closed when the block ends.
        """
        connection = self._cursor.connection
        if self._sql.server_side:
            cursor = connection.cursor(name=name)
            cursor.itersize = _SCAN_BATCH
        else:
            cursor = connection.cursor()
        try:
            if values:
                cursor.execute(statement.sql, statement._params(values))
            else:
                cursor.execute(statement.sql)
            yield cursor
        finally:
            cursor.close()

    def seals(self) -> list[Seal]:
        """Return the stored seals, in the order of their numbers.

        A format-1 seal comes with the heads its leaf rows hold. A cell of
        an unexpected type reads as a value that cannot match what the seal
        signs, so verification reports it rather than failing on it.
        """
        self.flush()
        from helping_process.seals import Seal  # noqa: PLC0415 - cryptography on demand

        leaves: dict[object, list[Head]] = {}
        for seal_id, case_id, seq, hash_ in self._sql.leaves.rows(self._cursor):
            leaves.setdefault(seal_id, []).append(
                Head(case_id=_text(case_id), seq=_number(seq), last_hash=_text(hash_))
            )
        return [
            Seal(
                message=_blob(message),
                signature=_blob(signature),
                public_key=_blob(public_key),
                number=_number(seal_id),
                leaves=tuple(leaves.get(seal_id, ())),
                stored_at=_moment(sealed_at),
            )
            for seal_id, sealed_at, message, signature, public_key in (
                self._sql.seals.rows(self._cursor)
            )
        ]

    def add_seal(self, seal: Seal, *, sealed_at: dt.datetime) -> int:
        """Store a seal under its number; return the number.

        Raises:
            ConcurrentUpdateError: another seal took the number first (the
                primary key refuses it); this one chains to the seal before
                that one, so storing it would break the seals' chain.
        """
        self.flush()
        self._sql.insert_seal.run(
            self._cursor,
            {
                "seal_id": seal.number,
                "sealed_at": sealed_at,
                "message": seal.message,
                "signature": seal.signature,
                "public_key": seal.public_key,
            },
        )
        for head in seal.leaves:
            self._sql.insert_leaf.run(
                self._cursor,
                {
                    "seal_id": seal.number,
                    "case_id": head.case_id,
                    "seq": head.seq,
                    "hash": head.last_hash,
                },
            )
        return seal.number

    def case_page(
        self,
        *,
        limit: int,
        stage: Stage | None = None,
        opened_since: dt.datetime | None = None,
        worker: str | None = None,
        before: tuple[dt.datetime, str] | None = None,
    ) -> list[CaseSummary]:
        """Return up to ``limit`` case summaries, newest first (see AuditStore)."""
        self.flush()
        statement = self._sql.case_page(
            stage=stage is not None,
            since=opened_since is not None,
            before=before is not None,
            worker=worker is not None,
        )
        values: dict[str, Any] = {"b_limit": limit, "b_offset": 0}
        if stage is not None:
            values["b_stage"] = stage.value
        if opened_since is not None:
            values["b_since"] = opened_since
        if worker is not None:
            values["b_worker"] = worker
        if before is not None:
            values["b_before_at"], values["b_before_id"] = before
        return _summaries(statement.rows(self._cursor, values))

    def definitions(self) -> list[tuple[str, str, int, str]]:
        """Return the stored process definitions: digest, name, version, text.

        Cells are read as the driver gives them, so a forged one is a
        definition that does not load or hash to its digest, not an error.
        """
        self.flush()
        return [
            (_text(digest), _text(name), _number(version), _text(text))
            for digest, name, version, text in self._sql.definitions.rows(self._cursor)
        ]

    def add_definition(self, definition: Definition) -> None:
        """Store a process definition's file under its digest, name and version."""
        self.flush()
        self._sql.insert_definition.run(
            self._cursor,
            {
                "digest": definition.digest,
                "name": definition.name,
                "version": definition.version,
                "text": definition.text,
            },
        )

    def cases(self, *, stage: Stage | None = None) -> list[CaseSummary]:
        """Return the summaries of all cases, or of those in ``stage``."""
        self.flush()
        if stage is None:
            rows = self._sql.all_cases.rows(self._cursor)
        else:
            rows = self._sql.cases_in_stage.rows(self._cursor, {"b_stage": stage.value})
        return _summaries(rows)


def _summaries(rows: Sequence[tuple[Any, ...]]) -> list[CaseSummary]:
    """The summaries of listed case rows."""
    return [
        CaseSummary(
            case_id=case_id,
            client=client,
            residential=bool(residential),
            stage=Stage(stage_code),
            episode=episode,
            seq=seq,
            opened_at=opened_at,
            updated_at=updated_at,
        )
        for (
            case_id,
            client,
            residential,
            stage_code,
            episode,
            seq,
            opened_at,
            updated_at,
        ) in rows
    ]


def _blob(value: object) -> bytes:
    """A stored byte string as bytes, whatever storage class the cell has."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return b"" if value is None else str(value).encode("ascii")


def _text(value: object) -> str:
    """A stored text as text, whatever storage class the cell has."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _number(value: object) -> int:
    """A stored whole number, or -1 when the cell holds something else."""
    return value if type(value) is int else -1


def _moment(value: object) -> dt.datetime | None:
    """A stored time as an aware UTC datetime, or None when it is none.

    SQLite keeps the time as naive UTC text, PostgreSQL's driver gives an
    aware datetime.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return (
        value.replace(tzinfo=dt.UTC)
        if value.tzinfo is None
        else value.astimezone(dt.UTC)
    )


def _summary(row: Sequence[Any]) -> CaseSummary:
    """A case summary from a row of the listing."""
    case_id, client, residential, stage, episode, seq, opened_at, updated_at = row
    return CaseSummary(
        case_id=case_id,
        client=client,
        residential=bool(residential),
        stage=Stage(stage),
        episode=episode,
        seq=seq,
        opened_at=opened_at,
        updated_at=updated_at,
    )


def _write(
    cursor: Any, statements: _Statements, decision: Decision, sealed: Sealed
) -> None:
    """Write a case's first append of a transaction, its head guarded.

    Raises:
        ConcurrentUpdateError: the head is no longer at ``sealed.seq - 1``
            with hash ``sealed.prev_hash``; nothing was written.
    """
    if decision.event.action is Action.OPEN:
        statements.insert_case.run(cursor, _case_values(decision, sealed))
    elif statements.advance_head.run_row(cursor, _head_row(decision, sealed)) != 1:
        raise ConcurrentUpdateError(sealed.case_id, sealed.seq - 1)
    statements.insert_event.insert(cursor, (_event_row(decision, sealed),))
    if sealed.personal is not None:
        statements.insert_personal.insert(cursor, (_personal_row(sealed),))


def _erase_sqlite(cursor: Any, *, wait: bool) -> bool:
    """Leave no copy of redacted data in any file of a SQLite database.

    With ``secure_delete`` on, a redaction overwrites the freed bytes with
    zeros in the pages it writes; those pages go to the write-ahead log,
    whose older frames still hold the pages as they were. So the log is
    checkpointed into the main file and truncated to nothing. A database
    written before ``secure_delete`` was on holds old copies in free pages
    and in the free space inside pages (every command rewrote its case's
    row), so the first erasure vacuums it: the file is rebuilt from its
    live rows. Both marks of ``user_version`` are then kept up to date.

    Args:
        cursor: a cursor of a connection outside any transaction.
        wait: wait up to the busy timeout for readers and writers to let
            the log be truncated (False: give up at once).

    Returns:
        Whether the log was truncated (False: a reader held it; the pending
        mark stays).
    """
    if not wait:
        cursor.execute("PRAGMA busy_timeout=0")
    try:
        (version,) = cursor.execute("PRAGMA user_version").fetchone()
        if not version & _SCRUBBED:
            cursor.execute("VACUUM")
            version |= _SCRUBBED
            cursor.execute(f"PRAGMA user_version={version:d}")
        (busy, _, _) = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            return False
        if version & _ERASE_PENDING:
            cursor.execute(f"PRAGMA user_version={version & ~_ERASE_PENDING:d}")
        return True
    finally:
        if not wait:
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")


def _vacuum(connection: Any, cursor: Any) -> None:
    """Rewrite the tables a redaction writes (PostgreSQL), outside a transaction.

    A plain ``VACUUM`` frees the old versions of the rows but leaves their
    bytes in the pages' free space; ``VACUUM FULL`` writes the tables (their
    indexes and TOAST) anew, from the live rows only, and removes the old
    files. Both keep the old versions that a transaction still running
    anywhere in the database, begun before the redaction, could see. It
    locks the two tables while it runs, so it waits at most
    :data:`_VACUUM_LOCK_TIMEOUT` for the lock (a long read holds it off)
    rather than queueing every command behind it.

    Raises:
        psycopg.Error: the lock was not granted in time, or the vacuum failed.
    """
    driver = connection.dbapi_connection
    driver.autocommit = True
    try:
        cursor.execute(f"SET lock_timeout = '{_VACUUM_LOCK_TIMEOUT}'")
        try:
            cursor.execute(f"VACUUM FULL {personal.name}, {cases.name}")
        finally:
            cursor.execute("RESET lock_timeout")
    finally:
        driver.autocommit = False


def _case_values(decision: Decision, sealed: Sealed) -> dict[str, Any]:
    """The row of the case an ``open`` makes."""
    case, event = decision.case, decision.event
    return {
        "case_id": case.case_id,
        "client": event.client,
        "residential": case.residential,
        "stage": case.stage._value_,
        "episode": case.episode,
        "seq": case.seq,
        "last_hash": sealed.hash,
        "opened_at": case.opened_at,
        "updated_at": case.last_occurred_at,
    }


#: The parameters of the head updates, in the order of :func:`_head_row`;
#: the unguarded update (``_write_head``) takes the first ``_UNGUARDED``.
_HEAD_PARAMETERS: Final = (
    "b_stage",
    "b_episode",
    "b_seq",
    "b_last_hash",
    "b_updated_at",
    "b_case_id",
    "b_expected",
    "b_prev_hash",
)
_UNGUARDED: Final = 6


def _head_row(decision: Decision, sealed: Sealed) -> tuple[Any, ...]:
    """The parameters of the guarded update that moves the case's head."""
    case = decision.case
    return (
        case.stage._value_,
        case.episode,
        sealed.seq,
        sealed.hash,
        case.last_occurred_at,
        case.case_id,
        sealed.seq - 1,
        sealed.prev_hash,
    )


def _event_row(decision: Decision, sealed: Sealed) -> tuple[Any, ...]:
    """The event's row, in column order (codes as ``_value_``: no descriptor)."""
    event = decision.event
    return (
        sealed.case_id,
        sealed.seq,
        event.episode,
        event.action._value_,
        event.from_stage._value_ if event.from_stage else None,
        event.to_stage._value_,
        event.occurred_at,
        event.recorded_at,
        event.actor.id,
        sealed.body,
        sealed.prev_hash,
        sealed.hash,
    )


#: The columns an event's personal data is inserted with (not redacted_at).
_PERSONAL_COLUMNS: Final = ("case_id", "seq", "data")


def _personal_row(sealed: Sealed) -> tuple[Any, ...]:
    """The row of an event's personal data, in :data:`_PERSONAL_COLUMNS`."""
    return (sealed.case_id, sealed.seq, sealed.personal)


_case_id: Final = attrgetter("case_id")
#: A stored event from its row, which holds Sealed's fields in order: made
#: in C, without the Python frame of the named tuple's ``_make``.
_sealed: Final[Callable[[tuple[Any, ...]], Sealed]] = partial(tuple.__new__, Sealed)


#: The event columns full verification compares, in Columns' order
#: (personal.redacted_at follows them in the query).
_EVENT_COLUMNS: Final = (
    events.c.episode,
    events.c.action,
    events.c.from_stage,
    events.c.to_stage,
    events.c.actor_id,
    events.c.occurred_at,
    events.c.recorded_at,
)
#: The case row's columns beside its head, in HeadColumns' order.
_HEAD_COLUMNS: Final = (
    cases.c.client,
    cases.c.residential,
    cases.c.opened_at,
    cases.c.updated_at,
)
_first_cell: Final = itemgetter(0)
#: A full scan's row cut into the chain's cells and the columns beside them:
#: one slice each (an itemgetter of six indexes converts each of them).
_chain_cells: Final = itemgetter(slice(6))
_column_cells: Final = itemgetter(slice(6, 14))
_columns: Final[Callable[[tuple[Any, ...]], Columns]] = partial(tuple.__new__, Columns)


def _full_head(row: Sequence[Any]) -> Head:
    """A head with its other columns, from a row of a full heads query."""
    case_id, seq, last_hash, stage, episode, *columns = row
    return Head(
        case_id=case_id,
        seq=seq,
        last_hash=last_hash,
        stage=stage,
        episode=episode,
        columns=HeadColumns(*columns),
    )


def _snapshots(case_id: str, rows: Sequence[tuple[Any, ...]]) -> list[Snapshot]:
    return [
        Snapshot(case_id=case_id, seq=seq, hash=hash_, data=bytes(data))
        for seq, hash_, data in rows
    ]


def _head(case_id: str, seq: int, last_hash: str, stage: str, episode: int) -> Head:
    return Head(
        case_id=case_id,
        seq=seq,
        last_hash=last_hash,
        stage=stage,
        episode=episode,
    )


def _append_alone(
    connection: Any,
    cursor: Any,
    statements: Mapping[tuple[bool, bool], _Prepared],
    decision: Decision,
    sealed: Sealed,
) -> None:
    """Run the one-statement append in autocommit (PostgreSQL).

    Raises:
        ConcurrentUpdateError: the statement moved no head; it wrote nothing.
    """
    opening = decision.event.action is Action.OPEN
    values = (
        {f"o_{name}": value for name, value in _case_values(decision, sealed).items()}
        if opening
        else dict(zip(_HEAD_PARAMETERS, _head_row(decision, sealed), strict=True))
    )
    values.update(zip(events.c.keys(), _event_row(decision, sealed), strict=True))
    values["data"] = sealed.personal
    driver = connection.dbapi_connection
    driver.autocommit = True
    try:
        statement = statements[opening, sealed.personal is not None]
        moved = statement.run(cursor, values)
    finally:
        driver.autocommit = False
    if moved != 1:
        raise ConcurrentUpdateError(decision.case.case_id, sealed.seq - 1)


@contextmanager
def _translated(dbapi_error: type[Exception]) -> Iterator[None]:
    """Turn database errors into helping_process errors, chained to the cause."""
    try:
        yield
    except HelpingProcessError:
        raise
    except (SQLAlchemyError, dbapi_error) as error:
        raise _storage_error(error, dbapi_error) from error


def _storage_error(
    error: Exception, dbapi_error: type[Exception]
) -> HelpingProcessError:
    """The helping_process error a database error means.

    A duplicate key can only mean another writer appended the same ``seq``
    first (the guarded head update usually catches that earlier). A
    deadlock or a serialisation failure (PostgreSQL: two batches locking
    the same cases in different orders) means another writer held what
    this transaction needed: the transaction wrote nothing, and running it
    again may well succeed, so it is a conflict too.
    """
    cause = getattr(error, "orig", None) or error
    text = str(cause)
    if _TRIGGER_MARK in text:
        return AuditIntegrityError("", 0, "append_only")
    if isinstance(cause, _integrity_errors(dbapi_error)) or (
        getattr(cause, "sqlstate", None) in _RETRYABLE_STATES
    ):
        return ConcurrentUpdateError("", 0)
    return StorageError(_first_line(text) or type(cause).__name__)


def _integrity_errors(dbapi_error: type[Exception]) -> tuple[type[Exception], ...]:
    """The DBAPI's IntegrityError: a duplicate key means another writer won."""
    module = sys.modules[dbapi_error.__module__]
    found = getattr(module, "IntegrityError", None)
    return (IntegrityError, found) if isinstance(found, type) else (IntegrityError,)


def _first_line(text: str) -> str:
    """The first line of a driver's message, without the SQL or parameters."""
    return text.strip().splitlines()[0] if text.strip() else ""
