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
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from functools import partial
from itertools import groupby
from itertools import starmap
from operator import attrgetter
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import insert
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.engine import URL
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.expression import ClauseElement

from helping_process.audit import Head
from helping_process.audit import Sealed
from helping_process.engine import Decision
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import HelpingProcessError
from helping_process.exceptions import StorageError
from helping_process.exceptions import UnknownCaseError
from helping_process.model import Action
from helping_process.persistence import migrate
from helping_process.persistence._engine import make_engine
from helping_process.persistence._schema import cases
from helping_process.persistence._schema import events
from helping_process.persistence._schema import personal
from helping_process.persistence._schema import seal_leaves
from helping_process.persistence._schema import seals
from helping_process.persistence._types import UTCDateTime
from helping_process.service import CaseSummary
from helping_process.states import Stage

if TYPE_CHECKING:
    from helping_process.seals import Seal

#: Every trigger message of migration 0002 starts with this.
_TRIGGER_MARK: Final = "helping_process:"
#: SQLSTATEs of a transaction another one made fail: serialisation, deadlock.
_RETRYABLE_STATES: Final = frozenset({"40001", "40P01"})
#: How many rows a scan on PostgreSQL fetches at a time (SQLite steps row by row).
_SCAN_BATCH: Final = 2000
#: How many events a unit of work keeps before it writes them. Rows written
#: while they are still in the processor's cache go in faster: a thousand
#: kept to the commit make a bulk import about 6 % slower.
_KEPT_EVENTS: Final = 64


class _Prepared:
    """A Core statement compiled once for a dialect, run on a DBAPI cursor.

    A command writes three rows; running them through Core's execution
    machinery costs more than the writes themselves (PERFORMANCE.md: Core is
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

    def __init__(self, dialect: Dialect) -> None:
        # A named cursor is a server-side one on PostgreSQL: scans stream.
        self.server_side = dialect.name == "postgresql"
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
        self.trail = _Prepared(
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
            .where(events.c.seq > bindparam("b_after"))
            .order_by(events.c.seq),
            dialect,
        )
        self.redact_personal = _Prepared(
            update(personal)
            .where(personal.c.case_id == bindparam("b_case_id"))
            .where(personal.c.seq < bindparam("b_before"))
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
        self._pages: dict[tuple[bool, bool, bool], _Prepared] = {}
        self.cases_in_stage = _Prepared(
            listing.where(cases.c.stage == bindparam("b_stage")), dialect
        )
        self.insert_seal = _Prepared(insert(seals), dialect)
        self.insert_leaf = _Prepared(insert(seal_leaves), dialect)
        self.seals = _Prepared(
            select(
                seals.c.seal_id, seals.c.message, seals.c.signature, seals.c.public_key
            ).order_by(seals.c.seal_id),
            dialect,
        )
        self.leaves = _Prepared(
            select(
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

    def case_page(self, *, stage: bool, since: bool, before: bool) -> _Prepared:
        """Return the listing of one page of cases, newest first.

        One statement per combination of filters, prepared on first use:
        ``b_stage``, ``b_since`` (opened at or after), ``b_before_at`` and
        ``b_before_id`` (strictly before that case in the order), ``b_limit``
        and ``b_offset`` (always 0).
        """
        key = (stage, since, before)
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
        # On SQLite a transaction's two ends are statements run on the
        # cursor, prepared once in the driver's cache (the driver's own
        # commit() parses COMMIT again each time); BEGIN IMMEDIATE takes the
        # write lock at once, so writers queue instead of failing to upgrade.
        sqlite = engine.dialect.name == "sqlite"
        self._begin = "BEGIN IMMEDIATE" if sqlite else None
        self._end = "COMMIT" if sqlite else None
        #: Connections checked out of the engine's pool, each with its
        #: cursor, free for the next unit of work.
        self._idle: list[tuple[Any, Any]] = []

    @classmethod
    def from_url(cls, url: str | URL, *, upgrade: bool = True) -> SqlStore:
        """Open the store at a database URL (``sqlite:///…``, ``postgresql://…``)."""
        return cls(make_engine(url), upgrade=upgrade)

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlUnitOfWork]:
        """Open a transaction; commit on a clean exit, roll back on any error."""
        with _translated(self._dbapi_error):
            if isinstance(self.bind, Connection):
                with self.bind.begin_nested():
                    cursor = self.bind.connection.cursor()
                    try:
                        uow = SqlUnitOfWork(cursor, self._statements)
                        yield uow
                        uow.flush()
                    finally:
                        cursor.close()
                return
            connection, cursor = self._checkout()
            try:
                self._start(cursor)
                uow = SqlUnitOfWork(cursor, self._statements)
                yield uow
                uow.flush()
                self._commit(connection, cursor)
            except BaseException:
                self._discard(connection)
                raise
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

    def dispose(self) -> None:
        """Close the engine's pooled connections (not a caller's connection)."""
        while self._idle:
            self._idle.pop()[0].close()
        if isinstance(self.bind, Engine):
            self.bind.dispose()


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

    def __init__(self, cursor: Any, statements: _Statements) -> None:
        self._cursor = cursor
        self._sql = statements
        #: The cases this transaction appended to: the seq and hash each ends with.
        self._moved: dict[str, tuple[int, str]] = {}
        #: What later appends left to write: heads by case, events, personal data.
        self._heads: dict[str, tuple[Decision, Sealed]] = {}
        self._events: list[tuple[Any, ...]] = []
        self._personal: list[tuple[Any, ...]] = []

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

    def redact(self, case_id: str, *, before: int, at: dt.datetime) -> None:
        """Remove the personal data of the case's events before ``before``."""
        self.flush()
        self._sql.redact_personal.run(
            self._cursor, {"b_case_id": case_id, "b_before": before, "b_at": at}
        )
        self._sql.redact_client.run(self._cursor, {"b_case_id": case_id})

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
        self, *, personal: bool = True
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
        """
        self.flush()
        without_events = {
            row[0]: _head(*row)
            for row in self._sql.heads_without_events.rows(self._cursor)
        }
        scan = self._sql.scan if personal else self._sql.scan_chain
        with (
            self._rows(self._sql.heads_in_order, "helping_process_heads") as rows,
            self._rows(scan) as events,
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

    @contextmanager
    def _rows(
        self, statement: _Prepared, name: str = "helping_process_scan"
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
            cursor.execute(statement.sql)
            yield cursor
        finally:
            cursor.close()

    def seals(self) -> list[Seal]:
        """Return the stored seals, oldest first."""
        self.flush()
        from helping_process.seals import Seal  # noqa: PLC0415 - cryptography on demand

        leaves: dict[int, list[Head]] = {}
        for seal_id, case_id, seq, hash_ in self._sql.leaves.rows(self._cursor):
            leaves.setdefault(seal_id, []).append(
                Head(case_id=case_id, seq=seq, last_hash=hash_)
            )
        return [
            Seal(
                message=bytes(message),
                signature=bytes(signature),
                public_key=bytes(public_key),
                leaves=tuple(leaves.get(seal_id, ())),
            )
            for seal_id, message, signature, public_key in self._sql.seals.rows(
                self._cursor
            )
        ]

    def add_seal(self, seal: Seal, *, sealed_at: dt.datetime) -> int:
        """Store a seal after the existing ones; return its number."""
        self.flush()
        number = len(self._sql.seals.rows(self._cursor)) + 1
        self._sql.insert_seal.run(
            self._cursor,
            {
                "seal_id": number,
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
                    "seal_id": number,
                    "case_id": head.case_id,
                    "seq": head.seq,
                    "hash": head.last_hash,
                },
            )
        return number

    def case_page(
        self,
        *,
        limit: int,
        stage: Stage | None = None,
        opened_since: dt.datetime | None = None,
        before: tuple[dt.datetime, str] | None = None,
    ) -> list[CaseSummary]:
        """Return up to ``limit`` case summaries, newest first.

        Args:
            limit: the most summaries to return.
            stage: only cases in this stage.
            opened_since: only cases opened at or after this moment.
            before: only cases after this ``(opened_at, case_id)`` in the
                order (the last one of the previous page).
        """
        self.flush()
        statement = self._sql.case_page(
            stage=stage is not None,
            since=opened_since is not None,
            before=before is not None,
        )
        values: dict[str, Any] = {"b_limit": limit, "b_offset": 0}
        if stage is not None:
            values["b_stage"] = stage.value
        if opened_since is not None:
            values["b_since"] = opened_since
        if before is not None:
            values["b_before_at"], values["b_before_id"] = before
        return [_summary(row) for row in statement.rows(self._cursor, values)]

    def cases(self, *, stage: Stage | None = None) -> list[CaseSummary]:
        """Return the summaries of all cases, or of those in ``stage``."""
        self.flush()
        if stage is None:
            rows = self._sql.all_cases.rows(self._cursor)
        else:
            rows = self._sql.cases_in_stage.rows(self._cursor, {"b_stage": stage.value})
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
