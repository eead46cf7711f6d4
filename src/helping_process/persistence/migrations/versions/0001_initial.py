"""The initial schema: case heads, chained events, personal data apart.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from helping_process.persistence._types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("client", sa.Text(), nullable=True),
        sa.Column("residential", sa.Boolean(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_cases"),
    )
    op.create_index("ix_cases_stage", "cases", ["stage"])
    op.create_table(
        "events",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_stage", sa.String(16), nullable=True),
        sa.Column("to_stage", sa.String(16), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name="fk_events_case_id_cases"
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name="pk_events"),
    )
    op.create_index("ix_events_recorded_at", "events", ["recorded_at"])
    op.create_table(
        "personal",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("redacted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id", "seq"],
            ["events.case_id", "events.seq"],
            name="fk_personal_case_id_events",
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name="pk_personal"),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("personal")
    op.drop_table("events")
    op.drop_table("cases")
