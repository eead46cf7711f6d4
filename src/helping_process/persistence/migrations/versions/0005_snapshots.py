"""Snapshots of folded cases for cold loads, append-only like the trail.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the snapshot table and refuse changing or deleting its rows."""
    op.create_table(
        "snapshots",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id", "seq"],
            ["events.case_id", "events.seq"],
            name="fk_snapshots_case_id_events",
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name="pk_snapshots"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER snapshots_append_only BEFORE UPDATE OR DELETE"
            " ON snapshots FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()"
        )
        op.execute(
            "CREATE TRIGGER snapshots_no_truncate BEFORE TRUNCATE ON snapshots"
            " FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER snapshots_no_{operation.lower()} BEFORE"
            f" {operation} ON snapshots BEGIN SELECT RAISE(ABORT,"
            " 'helping_process: snapshots are append-only'); END"
        )


def downgrade() -> None:
    """Drop the snapshot table (and with it its triggers)."""
    op.drop_table("snapshots")
