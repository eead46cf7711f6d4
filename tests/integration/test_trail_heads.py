"""The heads of the roster trail and the access log, and seals that sign them.

A chained trail shows an entry edited, inserted or deleted *within* it, but
not its newest entries deleted: what is left is a sound, shorter chain.
Each trail's head (``trail_heads``) moves with every entry, so such a
deletion leaves the head ahead of the trail; a format-3 seal signs both
heads, so even an attacker who rewinds the head is found. Each attack is
made as someone who can write the database: the triggers dropped (SQLite)
or switched off (PostgreSQL) first. Every test runs on SQLite and, when a
server is configured, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import Final

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helping_process import seals
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.persistence import SqlStore
from helping_process.persistence.migrate import upgrade
from helping_process.persistence.staff import SqlStaffStore
from helping_process.service import CaseService
from helping_process.staff import ACCESS_TRAIL
from helping_process.staff import ROSTER_TRAIL
from helping_process.testing import FixedClock
from tests.integration._support import plain_engine
from tests.integration.test_staff import ADMIN
from tests.integration.test_staff import WORKER
from tests.integration.test_staff import change
from tests.integration.test_staff import staffed

#: The tables the attacks write.
TABLES: Final = ("staff_events", "access_log", "trail_heads")


def attack(url: str, *statements: tuple[str, dict[str, Any]]) -> None:
    """Take the triggers out of the way, then run ``statements`` in one commit."""
    engine = plain_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                names = connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                ).fetchall()
                for (name,) in names:
                    connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
            else:
                for table in TABLES:
                    connection.exec_driver_sql(
                        f"ALTER TABLE {table} DISABLE TRIGGER USER"
                    )
            for sql, params in statements:
                connection.execute(text(sql), params)
    finally:
        engine.dispose()


def delete_newest(url: str, table: str, trail: str, *, rewind: bool) -> None:
    """Delete a trail's newest entry; with ``rewind``, move its head back too."""
    statements: list[tuple[str, dict[str, Any]]] = [
        (f"DELETE FROM {table} WHERE seq = (SELECT MAX(seq) FROM {table})", {})
    ]
    if rewind:
        statements.append(
            (
                "UPDATE trail_heads SET"
                f" seq = (SELECT MAX(seq) FROM {table}),"
                f" hash = (SELECT hash FROM {table}"
                f"  WHERE seq = (SELECT MAX(seq) FROM {table}))"
                " WHERE trail = :trail",
                {"trail": trail},
            )
        )
    attack(url, *statements)


def _kinds(findings: list[Finding]) -> list[tuple[str, int, FindingKind, str]]:
    return [(f.case_id, f.seq, f.kind, f.cause) for f in findings]


@pytest.fixture
def url(store_url: str) -> str:
    """The database of the test: SQLite, and PostgreSQL when configured."""
    return store_url


@pytest.fixture
def service(url: str, open_store: Callable[..., SqlStore]) -> CaseService:
    """A roster of three changes and an access log of two reads."""
    made = CaseService(open_store(url), clock=FixedClock())
    staff = staffed(made, **{WORKER: ("worker",)})
    staff.change_roster(change("set_role", WORKER, ADMIN, roles=("supervisor",)))
    case_id = made.open("KLIEN-1", actor=WORKER).case_id
    made.get(case_id, reader=WORKER)
    made.history(case_id, reader=ADMIN)
    return made


def _again(url: str, open_store: Callable[..., SqlStore]) -> CaseService:
    """A new service on the database, as an auditor opens it."""
    return CaseService(open_store(url, upgrade=False))


class TestHeads:
    def test_each_trail_is_headed_at_its_newest_entry(self, service):
        """Every roster change and every logged read moves its trail's head."""
        staff = service.staff
        assert staff is not None

        heads = staff.heads()

        assert {trail: seq for trail, (seq, _) in heads.items()} == {
            ROSTER_TRAIL: 3,
            ACCESS_TRAIL: 2,
        }
        assert heads[ROSTER_TRAIL][1] == staff.changes()[-1].hash
        assert heads[ACCESS_TRAIL][1] == staff.accesses()[-1].hash
        assert service.verify() == []

    def test_an_empty_trail_has_no_head_and_verifies(self, url, open_store):
        """A database with no roster and no reads has no head rows, and no finding."""
        service = CaseService(open_store(url), clock=FixedClock())
        service.open("KLIEN-1", actor=WORKER)
        staff = service.staff
        assert staff is not None

        assert (staff.heads(), service.verify()) == ({}, [])

    @pytest.mark.parametrize(
        ("table", "trail", "newest"),
        [("staff_events", ROSTER_TRAIL, 3), ("access_log", ACCESS_TRAIL, 2)],
    )
    @pytest.mark.usefixtures("service")
    def test_deleting_the_newest_entry_is_found(
        self, url, open_store, table, trail, newest
    ):
        """The chain that is left is sound, but the head still names the entry."""
        delete_newest(url, table, trail, rewind=False)

        assert _kinds(_again(url, open_store).verify()) == [
            (trail, newest, FindingKind.TRUNCATED, "finding.head_ahead")
        ]

    def test_an_entry_stored_past_the_head_is_found(self, url, open_store, service):
        """An access entry appended without moving the head is inserted."""
        staff = SqlStaffStore(plain_engine(url))
        forged = staff.accesses()[-1]
        attack(
            url,
            (
                "UPDATE trail_heads SET seq = 1,"
                " hash = (SELECT hash FROM access_log WHERE seq = 1)"
                " WHERE trail = :trail",
                {"trail": ACCESS_TRAIL},
            ),
        )

        assert _kinds(_again(url, open_store).verify()) == [
            (ACCESS_TRAIL, forged.seq, FindingKind.INSERTED, "finding.after_head")
        ]

    def test_a_deleted_head_is_found(self, url, open_store, service):
        """Entries whose head row is gone are a head mismatch of their trail."""
        attack(url, ("DELETE FROM trail_heads WHERE trail = :t", {"t": ROSTER_TRAIL}))

        assert _kinds(_again(url, open_store).verify()) == [
            (ROSTER_TRAIL, 0, FindingKind.HEAD_MISMATCH, "finding.no_trail_head")
        ]

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE trail_heads SET seq = 1 WHERE trail = '@staff'",
            "DELETE FROM trail_heads WHERE trail = '@access'",
        ],
    )
    def test_the_database_refuses_moving_a_head_back(self, url, service, statement):
        """Without an attacker's help, a head is never moved back nor deleted."""
        engine = plain_engine(url)
        try:
            with (
                pytest.raises(DBAPIError, match=r"trail.head"),
                engine.begin() as connection,
            ):
                connection.execute(text(statement))
        finally:
            engine.dispose()


class TestSealedTrails:
    @pytest.fixture
    def sealed(self, service: CaseService) -> Any:
        """The agency's key, with which the trails are sealed once."""
        key = seals.new_private_key()
        service.seal(key)
        return key

    def test_a_seal_signs_both_heads(self, service):
        """A format-3 seal lists ``[trail, seq, hash]`` of the roster and the log."""
        key = seals.new_private_key()
        staff = service.staff
        assert staff is not None

        seal = service.seal(key)

        assert seal.fields["v"] == seals.SEAL_FORMAT == 3
        assert seal.fields["trails"] == [
            [trail, *staff.heads()[trail]] for trail in (ACCESS_TRAIL, ROSTER_TRAIL)
        ]
        assert service.verify(key=key.public_key()) == []

    @pytest.mark.parametrize(
        "newest",
        [("staff_events", ROSTER_TRAIL, 3), ("access_log", ACCESS_TRAIL, 2)],
        ids=["roster", "access"],
    )
    def test_a_seal_catches_a_truncated_trail_with_its_head_rewound(
        self, url, open_store, sealed, newest
    ):
        """Rewinding the head with the deletion hides it from the chain, not a seal."""
        table, trail, seq = newest
        key = sealed
        delete_newest(url, table, trail, rewind=True)
        auditor = _again(url, open_store)

        unsealed = auditor.verify()
        found = auditor.verify(key=key.public_key())

        assert unsealed == []
        assert _kinds(found) == [(trail, seq, FindingKind.TRUNCATED, "finding.sealed")]
        assert found[0].params == {"number": 1}

    def test_a_seal_catches_a_rewritten_access_log(self, url, open_store, service):
        """An access log re-chained to hide who read is different from its seal."""
        key = seals.new_private_key()
        service.seal(key)
        memory = CaseService(open_store(url)).staff
        assert memory is not None
        first = memory.accesses()[0]
        attack(
            url,
            ("DELETE FROM access_log", {}),
            ("DELETE FROM trail_heads WHERE trail = :t", {"t": ACCESS_TRAIL}),
        )
        # The forger logs one read again under another name: a sound chain.
        forger = CaseService(open_store(url), clock=FixedClock())
        assert forger.staff is not None
        forger.staff.log_access(ADMIN, first.operation, first.case_id, at=first.at)
        forger.staff.log_access(ADMIN, first.operation, first.case_id, at=first.at)

        findings = _again(url, open_store).verify(key=key.public_key())

        assert _kinds(findings) == [
            (ACCESS_TRAIL, 2, FindingKind.EDITED, "finding.differs_from_seal")
        ]

    def test_later_seals_keep_checking_earlier_heads(self, url, open_store, service):
        """Every seal signs the heads again; each sealed entry must stay."""
        key = seals.new_private_key()
        service.seal(key)
        case_id = service.open("KLIEN-2", actor=WORKER).case_id
        service.get(case_id, reader=WORKER)
        second = service.seal(key)

        assert [row[:2] for row in second.fields["trails"]] == [
            [ACCESS_TRAIL, 3],
            [ROSTER_TRAIL, 3],
        ]
        assert _again(url, open_store).verify(key=key.public_key()) == []


class TestUpgrade:
    def test_an_old_database_gets_the_heads_of_its_trails(
        self, url, open_store, service
    ):
        """Revision 0012 heads the roster and the log as they stand."""
        staff = service.staff
        assert staff is not None
        before = staff.heads()
        engine = plain_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text("DROP TABLE trail_heads"))
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text("DROP FUNCTION helping_process_trail_forward_only()")
                    )
                connection.execute(
                    text("UPDATE alembic_version SET version_num = '0008'")
                )
            assert upgrade(engine) == "0008"
        finally:
            engine.dispose()

        reopened = CaseService(open_store(url))
        assert reopened.staff is not None
        assert reopened.staff.heads() == before
        assert reopened.verify() == []
