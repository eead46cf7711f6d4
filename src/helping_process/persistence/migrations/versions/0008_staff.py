"""The staff roster's trail and the access log, both append-only and chained.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from helping_process.persistence._types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLES = ("staff_events", "access_log")


def _chained(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        *columns,
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{name}"),
    )


def upgrade() -> None:
    """Create both tables and the triggers that keep them append-only."""
    _chained(
        "staff_events",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    _chained(
        "access_log",
        sa.Column("actor_id", sa.Text(), nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_access_log_case_id", "access_log", ["case_id"])
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _TABLES:
        if postgresql:
            # helping_process_refuse() is revision 0002's.
            op.execute(
                f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE
                ON {table} FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()"""
            )
            op.execute(
                f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()"""
            )
            continue
        for verb in ("update", "delete"):
            op.execute(
                f"""CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table}
                BEGIN SELECT RAISE(ABORT,
                  'helping_process: {table} is append-only'); END"""
            )


def downgrade() -> None:
    """Drop both tables (their triggers go with them)."""
    for table in _TABLES:
        op.drop_table(table)
