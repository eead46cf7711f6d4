import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helping_process import Actor
from helping_process import Stage
from helping_process import audit
from helping_process import seals
from helping_process.audit import FindingKind
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import engagement_data

WORKER = Actor("worker-1")
TRIGGERS = (
    "events_no_update",
    "events_no_delete",
    "personal_no_delete",
    "personal_redact_only",
    "cases_no_delete",
    "cases_forward_only",
    "seals_no_update",
    "seals_no_delete",
    "seal_leaves_no_update",
    "seal_leaves_no_delete",
)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A SQLite file of the test's own."""
    return tmp_path / "cases.db"


@pytest.fixture
def service(database: Path) -> CaseService:
    """A service on that file, with a fixed clock."""
    return CaseService(SqlStore.from_url(f"sqlite:///{database}"), clock=FixedClock())


@pytest.fixture
def key() -> Ed25519PrivateKey:
    """A new agency signing key."""
    return seals.new_private_key()


def _three_cases(service: CaseService) -> list[str]:
    ids = []
    for client in ("KLIEN-1", "KLIEN-2", "KLIEN-3"):
        case = service.open(client, actor=WORKER)
        service.add_record_json(
            case.case_id, "engagement", engagement_data(), actor=WORKER
        )
        service.move(case.case_id, Stage.INTAKE, actor=WORKER)
        ids.append(case.case_id)
    return ids


def _attacker(database: Path) -> sqlite3.Connection:
    """A plain connection by someone who can write the file and drops the triggers."""
    connection = sqlite3.connect(database)
    for trigger in TRIGGERS:
        connection.execute(f"DROP TRIGGER {trigger}")
    return connection


def _kinds(findings: list[audit.Finding]) -> list[tuple[str, int, FindingKind]]:
    return [(finding.case_id, finding.seq, finding.kind) for finding in findings]


class TestSeals:
    def test_a_sealed_trail_verifies_with_the_key(self, service, key):
        """A seal over untouched cases verifies with its public key."""
        _three_cases(service)

        seal = service.seal(key)

        assert service.verify(key=key.public_key()) == []
        assert (seal.fields["cases"], seal.fields["events"]) == (3, 9)

    def test_a_seal_does_not_verify_with_another_key(self, service, key):
        """A seal checked against a key that did not make it is a bad seal."""
        _three_cases(service)
        service.seal(key)

        findings = service.verify(key=seals.new_private_key().public_key())

        assert _kinds(findings) == [("", 1, FindingKind.BAD_SEAL)]

    def test_seals_chain_to_each_other(self, service, key):
        """Each seal signs the digest of the one before it."""
        _three_cases(service)

        first = service.seal(key)
        second = service.seal(key)

        assert second.fields["previous"] == first.digest

    def test_deleting_a_whole_case_is_found(self, service, key, database):
        """A case deleted with its head and events is named by the seal."""
        ids = _three_cases(service)
        service.seal(key)
        attacker = _attacker(database)
        for table in ("personal", "events", "cases"):
            attacker.execute(f"DELETE FROM {table} WHERE case_id = ?", (ids[0],))
        attacker.commit()

        unsealed = service.verify()
        sealed = service.verify(key=key.public_key())

        assert unsealed == []
        assert _kinds(sealed) == [(ids[0], 3, FindingKind.CASE_MISSING)]

    def test_removing_the_newest_events_with_the_head_is_found(
        self, service, key, database
    ):
        """Truncating a case and rewinding its head is found at the sealed event."""
        ids = _three_cases(service)
        service.seal(key)
        attacker = _attacker(database)
        (prev, stage) = attacker.execute(
            "SELECT e.prev_hash, p.to_stage FROM events e JOIN events p"
            " ON p.case_id = e.case_id AND p.seq = 2"
            " WHERE e.case_id = ? AND e.seq = 3",
            (ids[1],),
        ).fetchone()
        attacker.execute(
            "DELETE FROM personal WHERE case_id = ? AND seq = 3", (ids[1],)
        )
        attacker.execute("DELETE FROM events WHERE case_id = ? AND seq = 3", (ids[1],))
        attacker.execute(
            "UPDATE cases SET seq = 2, last_hash = ?, stage = ? WHERE case_id = ?",
            (prev, stage, ids[1]),
        )
        attacker.commit()

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [(ids[1], 3, FindingKind.TRUNCATED)]

    def test_a_consistently_rechained_case_is_found(self, service, key, database):
        """Rewriting an event and re-chaining the rest without the key is found."""
        ids = _three_cases(service)
        service.seal(key)
        attacker = _attacker(database)
        rows = attacker.execute(
            "SELECT seq, body FROM events WHERE case_id = ? ORDER BY seq", (ids[2],)
        ).fetchall()
        prev = audit.GENESIS
        for seq, body in rows:
            assert b'"worker-1"' in body
            forged = body.replace(b'"worker-1"', b'"worker-9"') if seq == 2 else body
            digest = audit.link(prev, forged)
            attacker.execute(
                "UPDATE events SET body = ?, prev_hash = ?, hash = ?"
                " WHERE case_id = ? AND seq = ?",
                (forged, prev, digest, ids[2], seq),
            )
            prev = digest
        attacker.execute(
            "UPDATE cases SET last_hash = ? WHERE case_id = ?", (prev, ids[2])
        )
        attacker.commit()

        findings = service.verify(key=key.public_key(), replay=False)

        assert _kinds(findings) == [(ids[2], 3, FindingKind.EDITED)]

    def test_a_forged_seal_does_not_verify(self, service, key, database):
        """A seal inserted by someone without the private key is a bad seal."""
        _three_cases(service)
        service.seal(key)
        forger = seals.new_private_key()
        forged = seals.make_seal(
            [], forger, sealed_at=FixedClock()(), previous=service_seals(service)[-1]
        )
        with service.store.unit_of_work() as uow:
            uow.add_seal(forged, sealed_at=FixedClock()())

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [("", 2, FindingKind.BAD_SEAL)]

    def test_seal_rows_are_append_only(self, service, key, database):
        """The database refuses to change or delete a stored seal."""
        _three_cases(service)
        service.seal(key)
        connection = sqlite3.connect(database)

        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM seals")

    def test_keys_round_trip_through_pem(self, key):
        """A key written as PEM reads back as the same key."""
        private = seals.load_private_key(seals.private_pem(key))
        public = seals.load_public_key(seals.public_pem(key))

        assert seals.public_pem(private) == seals.public_pem(public)


def service_seals(service: CaseService) -> list[seals.Seal]:
    """The seals stored so far."""
    with service.store.unit_of_work() as uow:
        return uow.seals()
