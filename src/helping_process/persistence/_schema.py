"""The tables: case heads, chained events, and personal data kept apart.

Core ``Table`` objects rather than ORM classes: every write is a single
guarded statement and the hot path never needs the ORM's unit of work
(measured: an ORM session per command is five times slower).
Migrations in ``migrations/versions`` create the same schema; a test checks
the two agree.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import ForeignKeyConstraint
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint

from helping_process.persistence._types import UTCDateTime

NAMING: Final = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: One row per case: where its trail ends. Updated only forward.
cases = Table(
    "cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("client", Text, nullable=True),
    Column("residential", Boolean, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("episode", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_cases_stage", "stage"),
)

#: The audit trail: append-only; ``body`` holds the chained canonical bytes.
events = Table(
    "events",
    metadata,
    Column("case_id", String(64), ForeignKey("cases.case_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("episode", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("from_stage", String(16), nullable=True),
    Column("to_stage", String(16), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_events_recorded_at", "recorded_at"),
)

#: Personal data of events, outside the chain; only ever set to NULL after.
#: Read only by its event's key, so SQLite keeps it clustered by that key.
personal = Table(
    "personal",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=True),
    Column("redacted_at", UTCDateTime, nullable=True),
    ForeignKeyConstraint(["case_id", "seq"], ["events.case_id", "events.seq"]),
    sqlite_with_rowid=False,
)

#: Signed checkpoints over every case head (see helping_process.seals).
seals = Table(
    "seals",
    metadata,
    Column("seal_id", Integer, primary_key=True, autoincrement=False),
    Column("sealed_at", UTCDateTime, nullable=False),
    Column("message", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("public_key", LargeBinary, nullable=False),
)

#: The heads each seal covers, whose Merkle root the seal signs.
seal_leaves = Table(
    "seal_leaves",
    metadata,
    Column("seal_id", Integer, ForeignKey("seals.seal_id"), primary_key=True),
    Column("case_id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

#: Snapshots of folded cases for cold loads (see helping_process.snapshot):
#: append-only, each taken at an event of its case.
snapshots = Table(
    "snapshots",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    ForeignKeyConstraint(["case_id", "seq"], ["events.case_id", "events.seq"]),
)

#: API tokens by the SHA-256 of the token (never the token); revoked, not deleted.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("actor_id", Text, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_api_tokens_actor_id", "actor_id"),
)

#: The process definitions cases are pinned to, as their files: append-only,
#: so an auditor replays every case with its own rules from the database.
definitions = Table(
    "definitions",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("text", Text, nullable=False),
    UniqueConstraint("name", "version", name="uq_definitions_name"),
)

#: The staff roster's trail: append-only, hash-chained like a case's events.
staff_events = Table(
    "staff_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("member_id", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

#: Who read which case, when and how: append-only and hash-chained.
access_log = Table(
    "access_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("actor_id", Text, nullable=False),
    Column("operation", String(16), nullable=False),
    Column("case_id", String(64), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_access_log_case_id", "case_id"),
)

#: Where the roster trail and the access log end, as ``cases`` says where a
#: case's trail ends: one row per trail (``@staff``, ``@access``), moved
#: forward in the transaction of each entry, so deleting the newest entries
#: leaves the head ahead of the trail. Never deleted nor moved back.
trail_heads = Table(
    "trail_heads",
    metadata,
    Column("trail", String(16), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
