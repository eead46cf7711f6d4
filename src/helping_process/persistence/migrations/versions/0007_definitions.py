"""Process definitions in use, append-only; stored cases pinned to the first rules.

Every case stored before this revision was opened without a pin: its open
event names no definition, which means ``helping-process@1``. The file of
that definition is stored here, so the database alone holds the rules each
of its cases ran under.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the definitions table, refuse changes to it, store the first rules."""
    table = op.create_table(
        "definitions",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_definitions"),
        sa.UniqueConstraint("name", "version", name="uq_definitions_name"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER definitions_append_only BEFORE UPDATE OR DELETE"
            " ON definitions FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()"
        )
        op.execute(
            "CREATE TRIGGER definitions_no_truncate BEFORE TRUNCATE ON definitions"
            " FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER definitions_no_{operation.lower()} BEFORE"
                f" {operation} ON definitions BEGIN SELECT RAISE(ABORT,"
                " 'helping_process: definitions are append-only'); END"
            )
    from helping_process.definitions import builtin  # noqa: PLC0415 - the package's own

    first = builtin("helping-process@1")
    op.bulk_insert(
        table,
        [
            {
                "digest": first.digest,
                "name": first.name,
                "version": first.version,
                "text": first.text,
            }
        ],
    )


def downgrade() -> None:
    """Drop the definitions table (and with it its triggers)."""
    op.drop_table("definitions")
