"""The heads of the roster trail and the access log.

A chained trail without a head does not show its newest entries deleted:
what is left is still a sound chain. ``trail_heads`` keeps where each of
the two trails ends, moved forward with every entry, as ``cases`` does for
each case; triggers refuse deleting a head or moving it back. An existing
database gets the heads of what its trails hold now.

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Each trail's pseudo case id (as findings name it) and its table.
_TRAILS = (("@staff", "staff_events"), ("@access", "access_log"))

_SQLITE = (
    """CREATE TRIGGER trail_heads_forward_only BEFORE UPDATE ON trail_heads
    WHEN NEW.seq < OLD.seq OR NEW.trail IS NOT OLD.trail
    BEGIN SELECT RAISE(ABORT, 'helping_process: a trail head only moves forward');
    END""",
    """CREATE TRIGGER trail_heads_no_delete BEFORE DELETE ON trail_heads
    BEGIN SELECT RAISE(ABORT, 'helping_process: trail heads are never deleted');
    END""",
)

_POSTGRESQL = (
    """CREATE FUNCTION helping_process_trail_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.seq < OLD.seq OR NEW.trail <> OLD.trail THEN
        RAISE EXCEPTION 'helping_process: a trail head only moves forward';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER trail_heads_forward_only BEFORE UPDATE ON trail_heads
    FOR EACH ROW EXECUTE FUNCTION helping_process_trail_forward_only()""",
    # helping_process_refuse() is revision 0002's.
    """CREATE TRIGGER trail_heads_no_delete BEFORE DELETE ON trail_heads
    FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()""",
    """CREATE TRIGGER trail_heads_no_truncate BEFORE TRUNCATE ON trail_heads
    FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()""",
)


def upgrade() -> None:
    """Create the table, head each trail that has entries, add the triggers."""
    op.create_table(
        "trail_heads",
        sa.Column("trail", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("trail", name="pk_trail_heads"),
    )
    for trail, table in _TRAILS:
        op.execute(
            f"""INSERT INTO trail_heads (trail, seq, hash)
            SELECT '{trail}', seq, hash FROM {table}
            WHERE seq = (SELECT MAX(seq) FROM {table})"""  # noqa: S608 - constants
        )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRESQL if postgresql else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    """Drop the table (its triggers go with it) and the PostgreSQL function."""
    op.drop_table("trail_heads")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS helping_process_trail_forward_only()")
