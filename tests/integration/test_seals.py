"""Seals: what a seal signs names what it covers; the key and a receipt find the rest.

Each attack is made as someone who can write to the database but does not
hold the private key: the append-only triggers dropped (SQLite) or disabled
(PostgreSQL) first, then plain SQL. Every test runs on SQLite and, when a
server is configured, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import Final

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helping_process import Actor
from helping_process import InvalidInputError
from helping_process import Stage
from helping_process import audit
from helping_process import seals
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.audit import Head
from helping_process.model import UTC
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from tests.integration._support import plain_engine

WORKER: Final = Actor("worker-1")
#: Every table an attacker may write; their triggers are disabled first.
TABLES: Final = ("cases", "events", "personal", "seals", "seal_leaves")


class Attacker:
    """Someone with write access to the database and no private key."""

    def __init__(self, url: str) -> None:
        self.url = url

    def run(self, *statements: tuple[str, dict[str, Any]] | str) -> None:
        """Drop (or disable) the append-only triggers, then run ``statements``."""
        engine = plain_engine(self.url)
        try:
            with engine.begin() as connection:
                if engine.dialect.name == "sqlite":
                    names = connection.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                    ).fetchall()
                    for (name,) in names:
                        connection.exec_driver_sql(f"DROP TRIGGER {name}")
                else:
                    for table in TABLES:
                        connection.exec_driver_sql(
                            f"ALTER TABLE {table} DISABLE TRIGGER USER"
                        )
                for statement in statements:
                    sql, params = (
                        (statement, {}) if isinstance(statement, str) else statement
                    )
                    connection.execute(text(sql), params)
        finally:
            engine.dispose()

    def delete_case(self, case_id: str) -> None:
        """Delete every row that holds the case's id, seal leaves included."""
        self.run(
            *(
                (f"DELETE FROM {table} WHERE case_id = :case_id", {"case_id": case_id})
                for table in ("personal", "events", "cases", "seal_leaves")
            )
        )

    def delete_seal(self, number: int) -> None:
        """Delete one seal (and its leaf rows, if it is of format 1)."""
        self.run(
            *(
                (f"DELETE FROM {table} WHERE seal_id = :number", {"number": number})
                for table in ("seal_leaves", "seals")
            )
        )

    def truncate(self, case_id: str, keep: int) -> None:
        """Delete the case's events after ``keep`` and rewind its head to match."""
        params = {"case_id": case_id, "keep": keep}
        self.run(
            ("DELETE FROM personal WHERE case_id = :case_id AND seq > :keep", params),
            ("DELETE FROM events WHERE case_id = :case_id AND seq > :keep", params),
            (
                "UPDATE cases SET seq = :keep,"
                " last_hash = (SELECT hash FROM events"
                "  WHERE case_id = :case_id AND seq = :keep),"
                " stage = (SELECT to_stage FROM events"
                "  WHERE case_id = :case_id AND seq = :keep)"
                " WHERE case_id = :case_id",
                params,
            ),
        )


@pytest.fixture
def url(store_url: str) -> str:
    """The database of the test: SQLite, and PostgreSQL when configured."""
    return store_url


@pytest.fixture
def clock() -> FixedClock:
    """The services' clock."""
    return FixedClock()


@pytest.fixture
def service(
    url: str, open_store: Callable[..., SqlStore], clock: FixedClock
) -> CaseService:
    """A service on the test's database."""
    return CaseService(open_store(url), clock=clock)


@pytest.fixture
def attacker(url: str, service: CaseService) -> Attacker:
    """An attacker on the same database (created by the service first)."""
    return Attacker(url)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    """A new agency signing key."""
    return seals.new_private_key()


def _open(service: CaseService, client: str) -> str:
    """Open a case and take it to intake: three events."""
    case_id = service.open(client, actor=WORKER, note="Walked in.").case_id
    service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
    service.move(case_id, Stage.INTAKE, actor=WORKER)
    return case_id


def _three_cases(service: CaseService) -> list[str]:
    return [_open(service, client) for client in ("KLIEN-1", "KLIEN-2", "KLIEN-3")]


def _record_again(service: CaseService, case_id: str) -> None:
    """One more event on the case (in intake): an intake record."""
    service.add_record_json(case_id, "intake", intake_data(), actor=WORKER)


def _kinds(findings: Sequence[Finding]) -> list[tuple[str, int, FindingKind, str]]:
    return [(f.case_id, f.seq, f.kind, f.cause) for f in findings]


def _stored(service: CaseService) -> list[seals.Seal]:
    with service.store.unit_of_work() as uow:
        return uow.seals()


def format_1_seal(
    heads: Sequence[Head],
    key: Ed25519PrivateKey,
    *,
    sealed_at: dt.datetime,
    previous: seals.Seal | None,
) -> seals.Seal:
    """A seal as the first format made it: a signed Merkle root, leaves apart."""
    leaves = tuple(
        Head(case_id=head.case_id, seq=head.seq, last_hash=head.last_hash)
        for head in sorted(heads, key=lambda head: head.case_id)
    )
    message = audit.canonical(
        {
            "type": "helping_process.seal",
            "v": 1,
            "sealed_at": sealed_at.astimezone(UTC).isoformat(),
            "cases": len(leaves),
            "events": sum(head.seq for head in leaves),
            "root": seals.merkle_root(leaves),
            "previous": previous.digest if previous else None,
        }
    )
    return seals.Seal(
        message=message,
        signature=key.sign(message),
        public_key=seals.raw_public_key(key),
        number=previous.number + 1 if previous else 1,
        leaves=leaves,
        stored_at=sealed_at,
    )


def _seal_format_1(service: CaseService, key: Ed25519PrivateKey) -> seals.Seal:
    """Store a format-1 seal of every head, as an agency's database holds them."""
    at = FixedClock()()
    with service.store.unit_of_work() as uow:
        stored = uow.seals()
        seal = format_1_seal(
            list(uow.heads().values()),
            key,
            sealed_at=at,
            previous=stored[-1] if stored else None,
        )
        uow.add_seal(seal, sealed_at=at)
    return seal


class TestSealFormat:
    def test_a_seal_signs_its_number_time_chain_counts_and_heads(self, service, key):
        """The first seal signs number 1, no previous seal, and every head."""
        ids = _three_cases(service)

        seal = service.seal(key)

        heads = {case_id: service.get(case_id) for case_id in ids}
        assert seal.fields["v"] == 3
        assert seal.fields["trails"] == []  # no roster, no read logged yet
        assert (seal.number, seal.fields["number"]) == (1, 1)
        assert seal.fields["previous"] is None
        assert (seal.fields["cases"], seal.fields["events"]) == (3, 9)
        assert [head[:2] for head in seal.fields["heads"]] == [
            [case_id, heads[case_id].seq] for case_id in sorted(ids)
        ]
        assert service.verify(key=key.public_key()) == []

    def test_a_seal_lists_only_the_heads_changed_since_the_previous(self, service, key):
        """The next seal lists changed and new cases, and chains to the first."""
        ids = _three_cases(service)
        first = service.seal(key)
        _record_again(service, ids[1])
        new = _open(service, "KLIEN-4")

        second = service.seal(key)
        third = service.seal(key)

        assert second.number == 2
        assert second.fields["previous"] == first.digest
        assert [head[0] for head in second.fields["heads"]] == sorted([ids[1], new])
        assert (second.fields["cases"], second.fields["events"]) == (4, 13)
        assert (third.fields["heads"], third.fields["previous"]) == ([], second.digest)
        assert service.verify(key=key.public_key()) == []

    def test_seals_read_back_as_they_were_made(self, service, key):
        """A stored seal reads back with its number, time and no leaf rows."""
        _three_cases(service)
        made = service.seal(key)

        (stored,) = _stored(service)

        assert stored == made

    def test_a_seal_does_not_verify_with_another_key(self, service, key):
        """A seal checked against a key that did not make it is a bad seal."""
        _three_cases(service)
        service.seal(key)

        verification = service.verification(key=seals.new_private_key().public_key())

        assert _kinds(verification.findings) == [
            ("", 1, FindingKind.BAD_SEAL, "finding.other_key")
        ]
        assert verification.findings[0].params == {"number": 1}

    def test_the_verification_says_which_key_and_seal(self, service, key):
        """A verification with the key reports the key and the newest seal."""
        _three_cases(service)
        service.seal(key)
        newest = service.seal(key)

        sealing = service.verification(key=key.public_key()).sealing

        assert sealing is not None
        assert (sealing.key, sealing.seals, sealing.newest) == (
            seals.fingerprint(key),
            2,
            2,
        )
        assert (sealing.digest, sealing.sealed_at, sealing.receipt) == (
            newest.digest,
            "2025-01-06T09:00:00.000000Z",
            None,
        )


class TestDeletedCases:
    def test_a_case_deleted_whole_is_named_with_the_key_alone(
        self, service, key, attacker
    ):
        """Every row with the case's id deleted: the seal that covered it names it."""
        ids = _three_cases(service)
        service.seal(key)
        _record_again(service, ids[1])
        service.seal(key)  # names only ids[1]: ids[0] is named by seal 1 alone
        attacker.delete_case(ids[0])

        unsealed = service.verify()
        sealed = service.verify(key=key.public_key())

        assert unsealed == []
        assert _kinds(sealed) == [
            (ids[0], 3, FindingKind.CASE_MISSING, "finding.sealed")
        ]
        assert sealed[0].params == {"number": 1}

    def test_every_deleted_case_is_named(self, service, key, attacker):
        """Two cases deleted whole are both named, each by its case id."""
        ids = _three_cases(service)
        service.seal(key)
        attacker.delete_case(ids[0])
        attacker.delete_case(ids[2])

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            (case_id, 3, FindingKind.CASE_MISSING, "finding.sealed")
            for case_id in sorted([ids[0], ids[2]])
        ]

    def test_deleting_the_newest_seal_too_is_caught_only_with_the_receipt(
        self, service, key, attacker
    ):
        """A case only the newest seal named, deleted with it: only a receipt sees it.

        This is the documented limit of seals alone: the newest seals can be
        deleted without a trace in the database.
        """
        _three_cases(service)
        service.seal(key)
        late = _open(service, "KLIEN-4")
        receipt = seals.Receipt.of(service.seal(key))
        attacker.delete_case(late)
        attacker.delete_seal(2)

        with_key = service.verification(key=key.public_key())
        with_receipt = service.verify(key=key.public_key(), receipt=receipt)

        assert (with_key.findings, with_key.seals) == ((), 1)
        assert _kinds(with_receipt) == [
            ("", 2, FindingKind.BAD_SEAL, "finding.receipt_missing"),
            (late, 3, FindingKind.CASE_MISSING, "finding.sealed"),
        ]

    def test_a_case_an_older_seal_named_is_still_named_without_the_newest(
        self, service, key, attacker
    ):
        """Deleting the newest seal does not hide a case an earlier seal named."""
        ids = _three_cases(service)
        service.seal(key)
        _record_again(service, ids[0])
        service.seal(key)
        attacker.delete_case(ids[0])
        attacker.delete_seal(2)

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            (ids[0], 3, FindingKind.CASE_MISSING, "finding.sealed")
        ]

    def test_every_seal_deleted_with_the_case_is_not_caught_without_a_receipt(
        self, service, key, attacker
    ):
        """Deleting the case and every seal leaves nothing for the key to find."""
        ids = _three_cases(service)
        receipt = seals.Receipt.of(service.seal(key))
        attacker.delete_case(ids[2])
        attacker.delete_seal(1)

        with_key = service.verification(key=key.public_key())
        with_receipt = service.verify(receipt=receipt)

        assert (with_key.findings, with_key.seals) == ((), 0)
        assert _kinds(with_receipt) == [
            ("", 1, FindingKind.BAD_SEAL, "finding.receipt_missing"),
            (ids[2], 3, FindingKind.CASE_MISSING, "finding.sealed"),
        ]

    def test_a_newest_seal_replaced_differs_from_the_receipt(
        self, service, key, attacker
    ):
        """A seal deleted and made again under the same number is not the receipt's."""
        ids = _three_cases(service)
        receipt = seals.Receipt.of(service.seal(key))
        attacker.delete_seal(1)
        _record_again(service, ids[0])
        service.seal(key)

        findings = service.verify(key=key.public_key(), receipt=receipt)

        assert _kinds(findings) == [
            ("", 1, FindingKind.BAD_SEAL, "finding.receipt_differs"),
        ]

    def test_a_sound_trail_passes_with_an_older_receipt(self, service, key):
        """A receipt of an older seal passes while later seals chain on from it."""
        ids = _three_cases(service)
        receipt = seals.Receipt.of(service.seal(key))
        _record_again(service, ids[0])
        service.seal(key)

        verification = service.verification(receipt=receipt)

        assert verification.findings == ()
        assert verification.sealing is not None
        assert (verification.sealing.receipt, verification.sealing.newest) == (1, 2)

    def test_a_receipt_of_another_key_is_refused(self, service, key):
        """A receipt made with another key than the one given is bad input."""
        _three_cases(service)
        receipt = seals.Receipt.of(service.seal(key))

        with pytest.raises(InvalidInputError) as refused:
            service.verify(key=seals.new_private_key().public_key(), receipt=receipt)

        assert refused.value.problem == "receipt_other_key"


class TestSealChain:
    def test_deleting_a_middle_seal_is_caught(self, service, key, attacker):
        """A gap in the seal numbers is a bad seal at the missing number."""
        ids = _three_cases(service)
        for case_id in ids:
            service.seal(key)
            _record_again(service, case_id)
        attacker.delete_seal(2)

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            ("", 2, FindingKind.BAD_SEAL, "finding.seal_missing"),
        ]

    def test_deleting_the_first_seals_is_caught(self, service, key, attacker):
        """Seals deleted from the start leave a gap before the first one kept."""
        ids = _three_cases(service)
        for case_id in ids:
            service.seal(key)
            _record_again(service, case_id)
        attacker.delete_seal(1)
        attacker.delete_seal(2)

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            ("", 1, FindingKind.BAD_SEAL, "finding.seals_missing"),
        ]
        assert findings[0].params == {"number": 1, "last": 2}

    def test_renumbering_after_a_deletion_is_caught(self, service, key, attacker):
        """A seal moved to the number of a deleted one signs another number."""
        _three_cases(service)
        for _ in range(3):
            service.seal(key)
        attacker.delete_seal(2)
        attacker.run("UPDATE seals SET seal_id = 2 WHERE seal_id = 3")

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            ("", 2, FindingKind.BAD_SEAL, "finding.seal_number"),
        ]

    def test_editing_a_seal_breaks_its_signature_once(self, service, key, attacker):
        """A seal whose message was edited is reported, and only it."""
        ids = _three_cases(service)
        service.seal(key)
        service.seal(key)
        attacker.delete_case(ids[1])
        message = _stored(service)[0].message
        forged = message.replace(f'"{ids[1]}"'.encode(), b'"case-gone"')
        attacker.run(("UPDATE seals SET message = :m WHERE seal_id = 1", {"m": forged}))

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            ("", 1, FindingKind.BAD_SEAL, "finding.bad_signature"),
        ]

    def test_a_seal_forged_with_another_key_is_caught(self, service, key):
        """A well-chained seal signed by someone else is a bad seal."""
        _three_cases(service)
        service.seal(key)
        forged = seals.make_seal(
            [],
            seals.new_private_key(),
            sealed_at=FixedClock()(),
            previous=_stored(service),
        )
        with service.store.unit_of_work() as uow:
            uow.add_seal(forged, sealed_at=FixedClock()())

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [("", 2, FindingKind.BAD_SEAL, "finding.other_key")]

    @pytest.mark.parametrize(
        ("statement", "cause"),
        [
            (
                "UPDATE seals SET sealed_at = :value",
                "finding.seal_time",
            ),
            (
                "UPDATE seals SET public_key = :key",
                "finding.seal_key",
            ),
            (
                "INSERT INTO seal_leaves (seal_id, case_id, seq, hash)"
                " VALUES (1, 'case-x', 1, :hash)",
                "finding.seal_leaves",
            ),
        ],
        ids=["sealed_at", "public_key", "added_leaf"],
    )
    def test_what_is_stored_beside_a_seal_is_checked(
        self, service, key, attacker, statement, cause
    ):
        """The number, time and key stored beside a seal must be what it signs."""
        _three_cases(service)
        service.seal(key)
        params = {
            "value": dt.datetime(2030, 1, 1, tzinfo=UTC),
            "key": seals.raw_public_key(seals.new_private_key()),
            "hash": "0" * 64,
        }
        attacker.run((statement, params))

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [("", 1, FindingKind.BAD_SEAL, cause)]

    def test_seal_rows_are_append_only(self, url, service, key):
        """The database refuses to change or delete a stored seal."""
        _three_cases(service)
        service.seal(key)
        engine = plain_engine(url)

        try:
            with (
                pytest.raises(DBAPIError, match="helping_process"),
                engine.begin() as connection,
            ):
                connection.exec_driver_sql("DELETE FROM seals")
        finally:
            engine.dispose()

        assert len(_stored(service)) == 1


class TestSealedCases:
    def test_removing_the_newest_events_with_the_head_is_found(
        self, service, key, attacker
    ):
        """Truncating a case and rewinding its head is found at the sealed event."""
        ids = _three_cases(service)
        service.seal(key)
        attacker.truncate(ids[1], keep=2)

        assert service.verify() == []
        assert _kinds(service.verify(key=key.public_key())) == [
            (ids[1], 3, FindingKind.TRUNCATED, "finding.sealed")
        ]

    def test_a_truncation_is_found_by_an_older_seal_after_a_new_one(
        self, service, key, attacker
    ):
        """A seal made after the truncation does not hide it: the older one names it."""
        ids = _three_cases(service)
        service.seal(key)
        attacker.truncate(ids[1], keep=2)
        after = service.seal(key)

        findings = service.verify(key=key.public_key())

        assert [head[:2] for head in after.fields["heads"]] == [[ids[1], 2]]
        assert _kinds(findings) == [
            (ids[1], 3, FindingKind.TRUNCATED, "finding.sealed")
        ]

    def test_a_consistently_rechained_case_is_found(self, service, key, attacker):
        """Rewriting an event and re-chaining the rest without the key is found."""
        ids = _three_cases(service)
        service.seal(key)
        with service.store.unit_of_work() as uow:
            rows = uow.events(ids[2])
        statements = []
        prev = audit.GENESIS
        for row in rows:
            body = row.body
            if row.seq == 2:
                body = body.replace(b'"worker-1"', b'"worker-9"')
            digest = audit.link(prev, body)
            statements.append(
                (
                    "UPDATE events SET body = :body, prev_hash = :prev, hash = :hash"
                    " WHERE case_id = :case_id AND seq = :seq",
                    {
                        "body": body,
                        "prev": prev,
                        "hash": digest,
                        "case_id": ids[2],
                        "seq": row.seq,
                    },
                )
            )
            prev = digest
        statements.append(
            (
                "UPDATE cases SET last_hash = :hash WHERE case_id = :case_id",
                {"hash": prev, "case_id": ids[2]},
            )
        )
        attacker.run(*statements)

        findings = service.verify(key=key.public_key(), replay=False)

        assert _kinds(findings) == [
            (ids[2], 3, FindingKind.EDITED, "finding.differs_from_seal")
        ]

    def test_one_case_verified_alone_keeps_its_seal_findings(
        self, service, key, attacker
    ):
        """Verifying one case reports its seal findings and the seals', not others'."""
        ids = _three_cases(service)
        service.seal(key)
        attacker.truncate(ids[0], keep=2)
        attacker.truncate(ids[1], keep=1)

        findings = service.verify(ids[0], key=key.public_key())

        assert _kinds(findings) == [
            (ids[0], 3, FindingKind.TRUNCATED, "finding.sealed")
        ]


class TestFormatOneSeals:
    def test_old_seals_still_verify(self, service, key):
        """Format-1 seals stored before this format verify as they did."""
        ids = _three_cases(service)
        _seal_format_1(service, key)
        _record_again(service, ids[0])
        _seal_format_1(service, key)

        assert service.verify(key=key.public_key()) == []

    def test_the_first_new_seal_chains_to_the_last_old_one_and_lists_every_head(
        self, service, key
    ):
        """After format-1 seals, the first new seal names every case once."""
        ids = _three_cases(service)
        old = _seal_format_1(service, key)

        new = service.seal(key)

        assert (new.number, new.fields["previous"]) == (2, old.digest)
        assert [head[0] for head in new.fields["heads"]] == sorted(ids)
        assert service.verify(key=key.public_key()) == []

    def test_an_old_seal_names_a_deleted_case_while_its_leaves_remain(
        self, service, key, attacker
    ):
        """A case deleted with its rows but not its leaf rows is named."""
        ids = _three_cases(service)
        _seal_format_1(service, key)
        attacker.run(
            *(
                (f"DELETE FROM {table} WHERE case_id = :c", {"c": ids[0]})
                for table in ("personal", "events", "cases")
            )
        )

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            (ids[0], 3, FindingKind.CASE_MISSING, "finding.sealed")
        ]

    def test_an_old_seal_cannot_name_a_case_deleted_with_its_leaves(
        self, service, key, attacker
    ):
        """The known limit of format 1: leaves deleted too leave a nameless bad seal."""
        ids = _three_cases(service)
        _seal_format_1(service, key)
        attacker.delete_case(ids[0])

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [("", 1, FindingKind.BAD_SEAL, "finding.bad_root")]

    def test_a_new_seal_closes_the_old_limit(self, service, key, attacker):
        """Once a new seal is made, the same deletion is named by case id."""
        ids = _three_cases(service)
        _seal_format_1(service, key)
        service.seal(key)
        attacker.delete_case(ids[0])

        findings = service.verify(key=key.public_key())

        assert _kinds(findings) == [
            ("", 1, FindingKind.BAD_SEAL, "finding.bad_root"),
            (ids[0], 3, FindingKind.CASE_MISSING, "finding.sealed"),
        ]


class TestCorruptSealCells:
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        """SQLite only: PostgreSQL keeps no cell of another type in a column."""
        return sqlite_url

    @pytest.mark.parametrize(
        ("column", "value"),
        [("sealed_at", "not a time"), ("sealed_at", 42), ("message", "text")],
    )
    def test_a_seal_cell_of_another_type_is_a_finding(
        self, service, key, attacker, column, value
    ):
        """A seal cell holding something else is reported, never raised."""
        _three_cases(service)
        service.seal(key)
        attacker.run((f"UPDATE seals SET {column} = :value", {"value": value}))

        findings = service.verify(key=key.public_key())

        assert [(f.case_id, f.seq, f.kind) for f in findings] == [
            ("", 1, FindingKind.BAD_SEAL)
        ]

    def test_a_message_stored_as_text_of_the_same_bytes_still_verifies(
        self, service, key, attacker
    ):
        """The same bytes stored as text are the same seal."""
        _three_cases(service)
        service.seal(key)
        attacker.run("UPDATE seals SET message = CAST(message AS TEXT)")

        assert service.verify(key=key.public_key()) == []


class TestKeys:
    def test_keys_round_trip_through_pem(self, key):
        """A key written as PEM reads back as the same key."""
        private = seals.load_private_key(seals.private_pem(key))
        public = seals.load_public_key(seals.public_pem(key))

        assert seals.public_pem(private) == seals.public_pem(public)
