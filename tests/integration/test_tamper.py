"""Tampering: the database refuses rewriting history, and verify() finds the rest.

With the append-only triggers in place, the database itself refuses to
update or delete events. An attacker who can write the file drops the
triggers first; every edit they then make is found by ``verify()`` at the
right case and event, with the right kind of finding.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Final

import orjson
import psycopg
import pytest
from sqlalchemy.engine import make_url

from helping_process import Stage
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.audit import link
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from tests.integration._support import WORKER
from tests.integration._support import snapshot

#: The SQLite triggers of migration 0002 that guard the trail.
TRIGGERS: Final = (
    "events_no_update",
    "events_no_delete",
    "personal_redact_only",
    "personal_no_delete",
    "cases_forward_only",
    "cases_no_delete",
)
#: What SQLite raises when a trigger aborts a statement.
REFUSED: Final = (sqlite3.IntegrityError, sqlite3.OperationalError)
A: Final = "case-a"
B: Final = "case-b"

Attack = Callable[[sqlite3.Connection], None]


def _fill(service: CaseService) -> None:
    """Two cases of six events each: personal data on all but seq 3."""
    for _ in (A, B):
        case_id = service.open("KLIEN-001", actor=WORKER, note="Walked in.").case_id
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
        service.move(case_id, Stage.INTAKE, actor=WORKER)
        service.add_record_json(case_id, "intake", intake_data(), actor=WORKER)
        service.move(case_id, Stage.CONTRACT, actor=WORKER, note="Eligible.")
        service.add_record_json(case_id, "contract", contract_data(), actor=WORKER)


def _new_ids() -> Callable[[], str]:
    return iter([A, B]).__next__


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite trail of two sound cases, made once for the module."""
    path = tmp_path_factory.mktemp("tamper") / "original.db"
    store = SqlStore.from_url(f"sqlite:///{path}")
    _fill(CaseService(store, clock=FixedClock(), new_id=_new_ids()))
    store.dispose()
    return path


@pytest.fixture
def database(original: Path, tmp_path: Path) -> Path:
    """A copy of the original trail for one test to attack."""
    path = tmp_path / "cases.db"
    with sqlite3.connect(original) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return path


def _verify(path: Path, open_store: Callable[..., SqlStore]) -> list[Finding]:
    service = CaseService(open_store(f"sqlite:///{path}"), clock=FixedClock())
    return service.verify()


def _kinds(findings: list[Finding]) -> list[tuple[str, int, FindingKind]]:
    return [(finding.case_id, finding.seq, finding.kind) for finding in findings]


def _attack(path: Path, attack: Attack) -> None:
    """Open the file as an attacker would, drop the triggers, and attack."""
    connection = sqlite3.connect(path)
    try:
        for trigger in TRIGGERS:
            connection.execute(f"DROP TRIGGER {trigger}")
        attack(connection)
        connection.commit()
    finally:
        connection.close()


def _body(db: sqlite3.Connection, seq: int) -> tuple[str, bytes]:
    prev_hash, body = db.execute(
        "SELECT prev_hash, body FROM events WHERE case_id = ? AND seq = ?", (A, seq)
    ).fetchone()
    return prev_hash, bytes(body)


def _edit_body(db: sqlite3.Connection) -> None:
    _, body = _body(db, 3)
    edited = body.replace(b'"to_stage":"intake"', b'"to_stage":"planning"')
    db.execute("UPDATE events SET body = ? WHERE case_id = ? AND seq = 3", (edited, A))


def _delete_event(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM events WHERE case_id = ? AND seq = 3", (A,))


def _delete_first_event(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM personal WHERE case_id = ? AND seq = 1", (A,))
    db.execute("DELETE FROM events WHERE case_id = ? AND seq = 1", (A,))


def _forge(db: sqlite3.Connection, to_stage: str) -> str:
    """Append a well-chained move to ``to_stage`` as seq 7 of case A."""
    columns = [
        "case_id", "seq", "episode", "action", "from_stage", "to_stage",
        "occurred_at", "recorded_at", "actor_id", "body", "prev_hash", "hash",
    ]  # fmt: skip
    row = dict(
        zip(
            columns,
            db.execute(
                f"SELECT {', '.join(columns)} FROM events"
                " WHERE case_id = ? AND seq = 6",
                (A,),
            ).fetchone(),
            strict=True,
        )
    )
    body = orjson.loads(row["body"])
    body.update(
        seq=7,
        action="move",
        from_stage="contract",
        to_stage=to_stage,
        record=None,
        record_kind=None,
        personal_digest=None,
    )
    forged = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    row.update(
        seq=7,
        action="move",
        to_stage=to_stage,
        body=forged,
        prev_hash=row["hash"],
        hash=link(row["hash"], forged),
    )
    db.execute(
        f"INSERT INTO events ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})",
        [row[column] for column in columns],
    )
    return str(row["hash"])


def _insert_forged_event(db: sqlite3.Connection) -> None:
    _forge(db, "assessment")


def _insert_forged_event_and_head(db: sqlite3.Connection) -> None:
    forged_hash = _forge(db, "evaluation")
    db.execute(
        "UPDATE cases SET seq = 7, last_hash = ? WHERE case_id = ?", (forged_hash, A)
    )


def _swap_events(db: sqlite3.Connection) -> None:
    for table in ("events", "personal"):
        db.execute(f"UPDATE {table} SET seq = -3 WHERE case_id = ? AND seq = 3", (A,))
        db.execute(f"UPDATE {table} SET seq = 3 WHERE case_id = ? AND seq = 4", (A,))
        db.execute(f"UPDATE {table} SET seq = 4 WHERE case_id = ? AND seq = -3", (A,))


def _remove_newest(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM personal WHERE case_id = ? AND seq >= 5", (A,))
    db.execute("DELETE FROM events WHERE case_id = ? AND seq >= 5", (A,))


def _edit_personal(db: sqlite3.Connection) -> None:
    (data,) = db.execute(
        "SELECT data FROM personal WHERE case_id = ? AND seq = 2", (A,)
    ).fetchone()
    edited = bytes(data).replace(b"school", b"house")
    db.execute(
        "UPDATE personal SET data = ? WHERE case_id = ? AND seq = 2", (edited, A)
    )


def _delete_personal(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM personal WHERE case_id = ? AND seq = 4", (A,))


def _insert_stray_personal(db: sqlite3.Connection) -> None:
    """Personal data of no event, in a stored case and in no case at all."""
    db.executemany(
        "INSERT INTO personal (case_id, seq, data) VALUES (?, ?, ?)",
        [(A, 99, b'{"client":"X"}'), ("case-z", 1, b'{"client":"Y"}')],
    )


def _rehash_edited_event(db: sqlite3.Connection) -> None:
    prev_hash, body = _body(db, 2)
    edited = body.replace(b'"referral_source":"self"', b'"referral_source":"court"')
    db.execute(
        "UPDATE events SET body = ?, hash = ? WHERE case_id = ? AND seq = 2",
        (edited, link(prev_hash, edited), A),
    )


def _rehash_to_the_head(db: sqlite3.Connection) -> None:
    """Edit a move into an illegal one and re-chain everything after it."""
    prev_hash, body = _body(db, 3)
    edited = body.replace(b'"to_stage":"intake"', b'"to_stage":"planning"')
    for seq in range(3, 7):
        if seq > 3:
            _, edited = _body(db, seq)
        new_hash = link(prev_hash, edited)
        db.execute(
            "UPDATE events SET body = ?, prev_hash = ?, hash = ?"
            " WHERE case_id = ? AND seq = ?",
            (edited, prev_hash, new_hash, A, seq),
        )
        prev_hash = new_hash
    db.execute("UPDATE cases SET last_hash = ? WHERE case_id = ?", (prev_hash, A))


def _delete_head(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM cases WHERE case_id = ?", (A,))


def _edit_head_hash(db: sqlite3.Connection) -> None:
    db.execute("UPDATE cases SET last_hash = ? WHERE case_id = ?", ("f" * 64, A))


def _edit_head_stage(db: sqlite3.Connection) -> None:
    db.execute("UPDATE cases SET stage = 'termination' WHERE case_id = ?", (A,))


#: Each attack on case A, and every finding it must produce.
ATTACKS: Final[dict[str, tuple[Attack, list[tuple[str, int, FindingKind]]]]] = {
    "edit_event_body": (_edit_body, [(A, 3, FindingKind.EDITED)]),
    "delete_event": (_delete_event, [(A, 3, FindingKind.DELETED)]),
    "delete_first_event": (_delete_first_event, [(A, 1, FindingKind.DELETED)]),
    "insert_forged_event": (_insert_forged_event, [(A, 7, FindingKind.INSERTED)]),
    "insert_forged_event_and_head": (
        _insert_forged_event_and_head,
        [(A, 7, FindingKind.ILLEGAL_MOVE)],
    ),
    "swap_two_events": (
        _swap_events,
        [(A, 3, FindingKind.REORDERED), (A, 4, FindingKind.REORDERED)],
    ),
    "remove_newest_events": (_remove_newest, [(A, 5, FindingKind.TRUNCATED)]),
    "edit_personal_data": (_edit_personal, [(A, 2, FindingKind.EDITED)]),
    "delete_personal_data": (_delete_personal, [(A, 4, FindingKind.EDITED)]),
    "insert_stray_personal_data": (
        _insert_stray_personal,
        [(A, 99, FindingKind.INSERTED), ("case-z", 1, FindingKind.INSERTED)],
    ),
    "rehash_edited_event": (_rehash_edited_event, [(A, 2, FindingKind.EDITED)]),
    "rehash_to_the_head": (
        _rehash_to_the_head,
        [(A, 3, FindingKind.EDITED), (A, 3, FindingKind.ILLEGAL_MOVE)],
    ),
    "delete_case_head": (_delete_head, [(A, 0, FindingKind.CASE_MISSING)]),
    "edit_head_hash": (_edit_head_hash, [(A, 6, FindingKind.HEAD_MISMATCH)]),
    "edit_head_stage": (_edit_head_stage, [(A, 6, FindingKind.HEAD_MISMATCH)]),
}


class TestTamperingIsFound:
    def test_the_untouched_trail_verifies(self, database, open_store):
        """Before any attack, both cases verify without findings."""
        findings = _verify(database, open_store)

        assert findings == []

    @pytest.mark.parametrize("attack", sorted(ATTACKS))
    def test_each_attack_is_found_at_its_case_and_event(
        self, database, open_store, attack
    ):
        """verify() names the attacked case, the event and the kind of tampering."""
        change, expected = ATTACKS[attack]

        _attack(database, change)

        findings = _verify(database, open_store)
        assert _kinds(findings) == expected
        assert all(finding.is_tampering for finding in findings)

    @pytest.mark.parametrize("attack", sorted(ATTACKS))
    def test_each_finding_reads_in_both_languages(self, database, open_store, attack):
        """Every finding says what exactly was found, in Indonesian and in English."""
        _attack(database, ATTACKS[attack][0])

        findings = _verify(database, open_store)

        described = [(f.describe("en"), f.describe("id")) for f in findings]
        assert all(english and indonesian for english, indonesian in described)
        assert all(english != indonesian for english, indonesian in described)

    @pytest.mark.parametrize("attack", sorted(ATTACKS))
    def test_the_untouched_case_still_verifies(self, database, open_store, attack):
        """An attack on one case leaves the other case's verification clean."""
        _attack(database, ATTACKS[attack][0])

        service = CaseService(open_store(f"sqlite:///{database}"), clock=FixedClock())

        assert service.verify(B) == []


class TestSqliteRefusesRewrites:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE events SET body = x'00' WHERE case_id = 'case-a' AND seq = 2",
            "UPDATE events SET seq = 9 WHERE case_id = 'case-a' AND seq = 6",
            "DELETE FROM events WHERE case_id = 'case-a' AND seq = 6",
            "DELETE FROM events",
            "DELETE FROM personal WHERE case_id = 'case-a' AND seq = 2",
            "UPDATE personal SET data = x'7b7d' WHERE case_id = 'case-a' AND seq = 2",
            "UPDATE personal SET seq = 3 WHERE case_id = 'case-a' AND seq = 2",
            "UPDATE cases SET seq = 2 WHERE case_id = 'case-a'",
            "DELETE FROM cases WHERE case_id = 'case-a'",
        ],
    )
    def test_the_database_refuses_rewriting_history(self, database, statement):
        """With the triggers in place, plain sqlite3 cannot rewrite the trail."""
        before = snapshot(f"sqlite:///{database}")
        connection = sqlite3.connect(database)
        try:
            with pytest.raises(REFUSED, match="helping_process"):
                connection.execute(statement)
            connection.commit()
        finally:
            connection.close()

        assert snapshot(f"sqlite:///{database}") == before
        assert set(TRIGGERS) <= set(_triggers(database))

    def test_the_database_allows_nulling_personal_data(self, database, open_store):
        """Setting personal data to NULL is allowed; verify() flags it unredacted."""
        connection = sqlite3.connect(database)
        try:
            connection.execute(
                "UPDATE personal SET data = NULL WHERE case_id = ? AND seq = 2", (A,)
            )
            connection.commit()
        finally:
            connection.close()

        findings = _verify(database, open_store)

        assert _kinds(findings) == [(A, 2, FindingKind.EDITED)]


def _triggers(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return sorted(
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        )
    finally:
        connection.close()


def _psycopg(url: str) -> psycopg.Connection:
    """A plain psycopg connection to the test's schema."""
    conninfo = make_url(url).set(drivername="postgresql")
    return psycopg.connect(conninfo.render_as_string(hide_password=False))


@pytest.fixture
def postgres_trail(postgres_url: str, open_store: Callable[..., SqlStore]) -> str:
    """The two cases on PostgreSQL, in the test's own schema."""
    store = open_store(postgres_url)
    _fill(CaseService(store, clock=FixedClock(), new_id=_new_ids()))
    return postgres_url


@pytest.mark.postgres
class TestPostgresRefusesRewrites:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE events SET body = '\\x00' WHERE case_id = 'case-a' AND seq = 2",
            "DELETE FROM events WHERE case_id = 'case-a' AND seq = 6",
            "TRUNCATE events CASCADE",
            "DELETE FROM personal WHERE case_id = 'case-a' AND seq = 2",
            "TRUNCATE personal",
            "UPDATE personal SET data = '\\x7b7d' WHERE case_id = 'case-a' AND seq = 2",
            "UPDATE cases SET seq = 2 WHERE case_id = 'case-a'",
            "DELETE FROM cases WHERE case_id = 'case-a'",
        ],
    )
    def test_the_database_refuses_rewriting_history(self, postgres_trail, statement):
        """With the triggers in place, plain psycopg cannot rewrite the trail."""
        with _psycopg(postgres_trail) as connection:
            with pytest.raises(psycopg.errors.RaiseException, match="helping_process"):
                connection.execute(statement)
            connection.rollback()

            count = connection.execute("SELECT COUNT(*) FROM events").fetchone()

        assert count == (12,)

    def test_the_database_allows_nulling_personal_data(
        self, postgres_trail, open_store
    ):
        """Setting personal data to NULL is allowed; verify() flags it unredacted."""
        with _psycopg(postgres_trail) as connection:
            connection.execute(
                "UPDATE personal SET data = NULL WHERE case_id = %s AND seq = 2", (A,)
            )

        findings = CaseService(open_store(postgres_trail)).verify()

        assert _kinds(findings) == [(A, 2, FindingKind.EDITED)]

    def test_personal_data_of_no_event_is_found(self, postgres_trail, open_store):
        """A row in personal that no event owns, the foreign key off: inserted."""
        with _psycopg(postgres_trail) as connection:
            connection.execute("ALTER TABLE personal DISABLE TRIGGER ALL")
            connection.execute(
                "INSERT INTO personal (case_id, seq, data) VALUES (%s, 99, %s)",
                (A, b'{"client":"X"}'),
            )

        findings = CaseService(open_store(postgres_trail)).verify()

        assert _kinds(findings) == [(A, 99, FindingKind.INSERTED)]
        assert findings[0].cause == "finding.personal_without_event"

    @pytest.mark.parametrize(
        ("statements", "expected"),
        [
            (
                [
                    "UPDATE events SET body = convert_to(replace(convert_from("
                    'body, \'UTF8\'), \'"to_stage":"intake"\', \'"to_stage":'
                    "\"planning\"'), 'UTF8') WHERE case_id = 'case-a' AND seq = 3"
                ],
                [(A, 3, FindingKind.EDITED)],
            ),
            (
                [
                    "DELETE FROM personal WHERE case_id = 'case-a' AND seq >= 5",
                    "DELETE FROM events WHERE case_id = 'case-a' AND seq >= 5",
                ],
                [(A, 5, FindingKind.TRUNCATED)],
            ),
        ],
        ids=["edit_event_body", "remove_newest_events"],
    )
    def test_an_owner_who_disables_the_triggers_is_found(
        self, postgres_trail, open_store, statements, expected
    ):
        """An owner who disables the triggers and edits is caught by verify()."""
        with _psycopg(postgres_trail) as connection:
            for table in ("events", "personal", "cases"):
                connection.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for statement in statements:
                connection.execute(statement)

        findings = CaseService(open_store(postgres_trail)).verify()

        assert _kinds(findings) == expected
