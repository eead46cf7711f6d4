"""Append-only in the database itself: triggers refuse rewriting history.

Events can never be updated or deleted; personal data can only be set to
NULL (the redaction path); case heads can never be deleted nor moved back.
On PostgreSQL, TRUNCATE is refused too.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE = (
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'helping_process: audit events are append-only'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'helping_process: audit events are append-only'); END""",
    """CREATE TRIGGER personal_redact_only BEFORE UPDATE ON personal
    WHEN NEW.data IS NOT NULL OR NEW.case_id IS NOT OLD.case_id
      OR NEW.seq IS NOT OLD.seq
    BEGIN SELECT RAISE(ABORT, 'helping_process: personal data can only be redacted');
    END""",
    """CREATE TRIGGER personal_no_delete BEFORE DELETE ON personal
    BEGIN SELECT RAISE(ABORT, 'helping_process: personal data can only be redacted');
    END""",
    """CREATE TRIGGER cases_forward_only BEFORE UPDATE ON cases
    WHEN NEW.seq < OLD.seq OR NEW.case_id IS NOT OLD.case_id
    BEGIN SELECT RAISE(ABORT, 'helping_process: a case head only moves forward');
    END""",
    """CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
    BEGIN SELECT RAISE(ABORT, 'helping_process: cases are never deleted'); END""",
)

_POSTGRESQL = (
    """CREATE FUNCTION helping_process_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION
        'helping_process: % on % is refused: the audit trail is append-only',
        TG_OP, TG_TABLE_NAME;
    END $$""",
    """CREATE FUNCTION helping_process_redact_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.data IS NOT NULL OR NEW.case_id <> OLD.case_id
         OR NEW.seq <> OLD.seq THEN
        RAISE EXCEPTION 'helping_process: personal data can only be redacted';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE FUNCTION helping_process_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.seq < OLD.seq OR NEW.case_id <> OLD.case_id THEN
        RAISE EXCEPTION 'helping_process: a case head only moves forward';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()""",
    """CREATE TRIGGER personal_no_delete BEFORE DELETE ON personal
    FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()""",
    """CREATE TRIGGER personal_no_truncate BEFORE TRUNCATE ON personal
    FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()""",
    """CREATE TRIGGER personal_redact_only BEFORE UPDATE ON personal
    FOR EACH ROW EXECUTE FUNCTION helping_process_redact_only()""",
    """CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION helping_process_refuse()""",
    """CREATE TRIGGER cases_no_truncate BEFORE TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION helping_process_refuse()""",
    """CREATE TRIGGER cases_forward_only BEFORE UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION helping_process_forward_only()""",
)

_SQLITE_DROP = (
    "events_no_update",
    "events_no_delete",
    "personal_redact_only",
    "personal_no_delete",
    "cases_forward_only",
    "cases_no_delete",
)


def upgrade() -> None:
    """Install the triggers of the connected dialect."""
    statements = _POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Remove the triggers."""
    if op.get_bind().dialect.name == "postgresql":
        for table in ("events", "personal", "cases"):
            for name in (
                f"{table}_append_only",
                f"{table}_no_truncate",
                f"{table}_no_delete",
                f"{table}_redact_only",
                f"{table}_forward_only",
            ):
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ("refuse", "redact_only", "forward_only"):
            op.execute(f"DROP FUNCTION IF EXISTS helping_process_{function}()")
        return
    for name in _SQLITE_DROP:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
