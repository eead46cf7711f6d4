"""Helpers of the integration tests: plain database access and a scripted case.

The plain engine deliberately bypasses :mod:`helping_process.persistence`: it is
how a test (or an auditor, or an attacker) looks at the tables themselves.
It is imported by spawned worker processes too, so it must stay importable
without pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from typing import Final

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from helping_process import Actor
from helping_process import Command
from helping_process import EngagementRecord
from helping_process import Event
from helping_process import MoveCase
from helping_process import ReopenCase
from helping_process import Stage
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process.testing import activity_data
from helping_process.testing import add
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data

#: The repository root (the folder holding ``tests/``).
ROOT: Final = Path(__file__).resolve().parents[2]
#: The tables of the audit trail, parents first.
TABLES: Final = ("cases", "events", "personal")
WORKER: Final = Actor("worker-1")
SUPERVISOR: Final = Actor("supervisor-1", "supervisor")

#: One episode after its opening event: complete records and forward moves,
#: ending in a planned termination (valid on the FixedClock's day).
EPISODE: Final[tuple[Command, ...]] = (
    add("engagement", engagement_data()),
    MoveCase(target=Stage.INTAKE),
    add("intake", intake_data()),
    MoveCase(target=Stage.CONTRACT),
    add("contract", contract_data()),
    MoveCase(target=Stage.ASSESSMENT),
    add("assessment", assessment_data()),
    MoveCase(target=Stage.PLANNING),
    add("plan", plan_data()),
    MoveCase(target=Stage.INTERVENTION),
    add("activity", activity_data(("g1", "g2"))),
    MoveCase(target=Stage.EVALUATION),
    add("evaluation", evaluation_data()),
    TerminateCase(
        reason=TerminationReason.GOALS_ACHIEVED, note="Every agreed goal is achieved."
    ),
)
#: The version a scripted case ends at: two full episodes.
SCRIPT_END: Final = 2 * (len(EPISODE) + 1)


def scripted_command(seq: int) -> Command:
    """Return the scripted command for a case at version ``seq``.

    The script opens (seq 1), runs :data:`EPISODE`, reopens, and runs it
    again, so the next command depends on the case's version alone.
    """
    step = seq % (len(EPISODE) + 1)
    if step == 0:
        return ReopenCase(note="The client asked for help again.")
    return EPISODE[step - 1]


def engagement(request: str) -> Command:
    """Return an engagement record command whose request text is ``request``."""
    return add("engagement", engagement_data(request=request))


def request_of(event: Event) -> str | None:
    """Return the request text of an engagement record event, else None."""
    record = event.record
    return record.request if isinstance(record, EngagementRecord) else None


def plain_engine(url: str) -> Engine:
    """Return a SQLAlchemy engine on ``url`` without any of the library's setup."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, poolclass=NullPool)


@contextmanager
def plain_connection(url: str) -> Iterator[Connection]:
    """Yield a plain connection to ``url`` (closed and disposed afterwards)."""
    engine = plain_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of the trail's tables, in a stable order."""
    with plain_connection(url) as connection:
        return {
            table: [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in connection.execute(
                    text(f"SELECT * FROM {table} ORDER BY 1, 2")
                )
            ]
            for table in TABLES
        }


def stored_heads(url: str) -> dict[str, tuple[int, str]]:
    """Return each case row's ``(seq, last_hash)``."""
    with plain_connection(url) as connection:
        rows = connection.execute(text("SELECT case_id, seq, last_hash FROM cases"))
        return {row.case_id: (row.seq, row.last_hash) for row in rows}


def last_events(url: str) -> dict[str, tuple[int, str]]:
    """Return each case's newest stored event as ``(seq, hash)``."""
    with plain_connection(url) as connection:
        rows = connection.execute(
            text(
                "SELECT e.case_id, e.seq, e.hash FROM events e"
                " WHERE e.seq = (SELECT MAX(seq) FROM events m"
                " WHERE m.case_id = e.case_id)"
            )
        )
        return {row.case_id: (row.seq, row.hash) for row in rows}


def count_rows(url: str) -> dict[str, int]:
    """Return how many rows each table of the trail holds."""
    with plain_connection(url) as connection:
        return {
            table: int(
                connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            )
            for table in TABLES
        }
