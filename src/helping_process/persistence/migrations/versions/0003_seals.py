"""Signed seals: checkpoints over every case head, append-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from helping_process.persistence._types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("seals", "seal_leaves")


def upgrade() -> None:
    """Create the seal tables and refuse changing or deleting their rows."""
    op.create_table(
        "seals",
        sa.Column("seal_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sealed_at", UTCDateTime(), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seal_id", name="pk_seals"),
    )
    op.create_table(
        "seal_leaves",
        sa.Column("seal_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["seal_id"], ["seals.seal_id"], name="fk_seal_leaves_seal_id_seals"
        ),
        sa.PrimaryKeyConstraint("seal_id", "case_id", name="pk_seal_leaves"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _TABLES:
        if postgresql:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE"
                f" ON {table} FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()"
            )
        else:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE"
                    f" {operation} ON {table} BEGIN SELECT RAISE(ABORT,"
                    " 'helping_process: seals are append-only'); END"
                )


def downgrade() -> None:
    """Drop the seal tables (and with them their triggers)."""
    op.drop_table("seal_leaves")
    op.drop_table("seals")
