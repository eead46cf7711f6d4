"""Personal data clustered by its key on SQLite (a table WITHOUT ROWID).

Personal data is only ever read by its event's ``(case_id, seq)``: to
load a case and, for every event of the trail, by full verification.
In a rowid table each such read searched the key's index and then the
table; clustered by the key it is one search, and a case's rows sit
together. Full verification reads about a third faster for it.

The table is rebuilt with its rows in key order and the two triggers of
0002 are made again. PostgreSQL keeps its table: it has no rowid tables.
A table holding personal data of no stored event (which only someone
writing with the foreign keys off can leave) is kept as it is: its copy
would break the foreign key, and leaving those rows out would remove
what a forger left from the file an auditor reads. Such a store works
as before, only without the faster reads.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_TABLE = """CREATE TABLE personal_rebuilt (
    case_id VARCHAR(64) NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB,
    redacted_at DATETIME,
    CONSTRAINT pk_personal PRIMARY KEY (case_id, seq),
    CONSTRAINT fk_personal_case_id_events FOREIGN KEY(case_id, seq)
        REFERENCES events (case_id, seq)
){}"""

#: The triggers of 0002 on ``personal``, made again on the new table.
_TRIGGERS = (
    """CREATE TRIGGER personal_redact_only BEFORE UPDATE ON personal
    WHEN NEW.data IS NOT NULL OR NEW.case_id IS NOT OLD.case_id
      OR NEW.seq IS NOT OLD.seq
    BEGIN SELECT RAISE(ABORT, 'helping_process: personal data can only be redacted');
    END""",
    """CREATE TRIGGER personal_no_delete BEFORE DELETE ON personal
    BEGIN SELECT RAISE(ABORT, 'helping_process: personal data can only be redacted');
    END""",
)


#: A row of ``personal`` whose event is not stored, if there is one.
_ORPHAN = """SELECT 1 FROM personal WHERE NOT EXISTS (
    SELECT 1 FROM events
    WHERE events.case_id = personal.case_id AND events.seq = personal.seq
) LIMIT 1"""


def _rebuild(options: str) -> None:
    """Copy ``personal`` into a table made with ``options``, in key order."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql(_ORPHAN).first() is not None:
        return
    op.execute("DROP TRIGGER IF EXISTS personal_redact_only")
    op.execute("DROP TRIGGER IF EXISTS personal_no_delete")
    op.execute(_TABLE.format(options))
    op.execute(
        "INSERT INTO personal_rebuilt (case_id, seq, data, redacted_at)"
        " SELECT case_id, seq, data, redacted_at FROM personal ORDER BY case_id, seq"
    )
    op.execute("DROP TABLE personal")
    op.execute("ALTER TABLE personal_rebuilt RENAME TO personal")
    for statement in _TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    """Rebuild ``personal`` WITHOUT ROWID (SQLite only)."""
    _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    """Rebuild ``personal`` as a rowid table again (SQLite only)."""
    _rebuild("")
