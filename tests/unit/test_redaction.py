"""Redaction names its events in the chain; personal data is sealed salted."""

from __future__ import annotations

import hashlib
import itertools

import attrs
import orjson
import pytest
from hypothesis import given

from helping_process import Action
from helping_process import Actor
from helping_process import AuditIntegrityError
from helping_process import InvalidInputError
from helping_process import NothingToRedactError
from helping_process import RedactCase
from helping_process import Stage
from helping_process import audit
from helping_process import engine
from helping_process.audit import FindingKind
from helping_process.audit import Sealed
from helping_process.service import SALT_BYTES
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import InMemoryStore
from helping_process.testing import engagement_data
from tests.strategies import texts

WORKER = Actor("worker-1")
SUPERVISOR = Actor("supervisor-1", "supervisor")


def _service(*, salted: bool = True) -> CaseService:
    numbers = itertools.count(1)
    return CaseService(
        InMemoryStore(),
        clock=FixedClock(),
        new_salt=(lambda: next(numbers).to_bytes(SALT_BYTES, "big"))
        if salted
        else None,
    )


def _trail(service: CaseService, case_id: str) -> list[Sealed]:
    with service.store.unit_of_work() as uow:
        return uow.events(case_id)


def _digest(sealed: Sealed) -> str:
    return str(orjson.loads(sealed.body)["personal_digest"])


class TestSalt:
    def test_the_same_personal_data_has_two_digests(self):
        """Two events with the same client and note get different digests."""
        service = _service()
        first = service.open("KLIEN-1", actor=WORKER, note="Same note").case_id
        second = service.open("KLIEN-1", actor=WORKER, note="Same note").case_id

        (one,), (two,) = _trail(service, first), _trail(service, second)

        assert orjson.loads(one.personal or b"")["client"] == "KLIEN-1"
        assert _digest(one) != _digest(two)

    def test_the_digest_is_not_the_hash_of_the_data_alone(self):
        """Hashing a guessed client reference without the salt finds nothing."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        (sealed,) = _trail(service, case_id)
        guess = audit.canonical({"client": "KLIEN-1"})

        assert _digest(sealed) != hashlib.sha256(guess).hexdigest()
        assert _digest(sealed) == hashlib.sha256(sealed.personal or b"").hexdigest()

    def test_the_default_salt_is_random(self):
        """Without an injected salt, two services never draw the same one."""
        services = [CaseService(InMemoryStore(), clock=FixedClock()) for _ in range(2)]
        salts = []
        for service in services:
            case_id = service.open("KLIEN-1", actor=WORKER).case_id
            (sealed,) = _trail(service, case_id)
            salts.append(orjson.loads(sealed.personal or b"")["salt"])

        assert len(set(salts)) == 2
        assert all(len(bytes.fromhex(salt)) == SALT_BYTES for salt in salts)

    def test_unsalted_events_still_verify_and_mix_with_salted_ones(self):
        """A trail begun without salts goes on salted and verifies throughout."""
        store = InMemoryStore()
        old = CaseService(store, clock=FixedClock(), new_salt=None)
        case_id = old.open("KLIEN-1", actor=WORKER, note="before salts").case_id
        new = CaseService(store, clock=FixedClock())
        new.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)

        first, second = _trail(new, case_id)

        assert b'"salt"' not in (first.personal or b"")
        assert b'"salt"' in (second.personal or b"")
        assert new.verify() == []
        assert new.history(case_id)[0].note == "before salts"

    def test_an_edited_salt_is_an_edited_event(self):
        """Changing the salt breaks the digest the chain holds."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        with service.store.unit_of_work() as uow:
            (sealed,) = uow.events(case_id)
            head = uow.head(case_id)
        personal = (sealed.personal or b"").replace(b'"salt":"0', b'"salt":"1')

        findings = audit.verify_case([sealed._replace(personal=personal)], head)

        assert [(f.seq, f.kind) for f in findings] == [(1, FindingKind.EDITED)]

    @given(texts())
    def test_any_personal_text_round_trips_through_the_salted_bytes(self, note):
        """Whatever the note, it is read back from the salted personal part."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER, note=note).case_id

        (event,) = service.history(case_id)

        assert event.note == note


class TestRedactionNamesItsEvents:
    def test_the_redaction_names_every_event_with_personal_data(self):
        """Events without personal data (a move without a note) are not named."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
        service.move(case_id, Stage.INTAKE, actor=WORKER)

        service.redact(case_id, actor=SUPERVISOR, note="UU 27/2022 Pasal 8")
        *_, redaction = _trail(service, case_id)

        assert orjson.loads(redaction.body)["redacted_seqs"] == [1, 2]
        assert service.history(case_id)[-1].redacted == (1, 2)
        assert [(f.seq, f.kind) for f in service.verify()] == [
            (1, FindingKind.REDACTED),
            (2, FindingKind.REDACTED),
        ]

    def test_a_later_redaction_keeps_the_earlier_lawful_basis(self):
        """A second redaction names only new events, not the first redaction."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        service.redact(case_id, actor=SUPERVISOR, note="first basis")
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)

        service.redact(case_id, actor=SUPERVISOR, note="second basis")
        history = service.history(case_id)

        assert [event.redacted for event in history] == [None, (1,), None, (3,)]
        assert [event.note for event in history if event.action is Action.REDACT] == [
            "first basis",
            "second basis",
        ]

    def test_nothing_left_is_refused_and_stores_nothing(self):
        """Redacting a case whose personal data is gone stores no event."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        service.redact(case_id, actor=SUPERVISOR, note="UU")

        with pytest.raises(NothingToRedactError) as refused:
            service.redact(case_id, actor=SUPERVISOR, note="again")

        assert len(_trail(service, case_id)) == 2
        assert "no personal data left" in refused.value.message("en")
        assert "tidak menyimpan data pribadi" in refused.value.message("id")

    def test_a_forged_list_of_events_is_a_finding(self):
        """A redaction body naming a later event does not replay."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        service.redact(case_id, actor=SUPERVISOR, note="UU")
        opened, redaction = _trail(service, case_id)
        body = redaction.body.replace(b'"redacted_seqs":[1]', b'"redacted_seqs":[1,5]')
        forged = redaction._replace(
            body=body, hash=audit.link(redaction.prev_hash, body)
        )

        _, findings = audit.replay_case([opened, forged])

        assert [(f.seq, f.kind) for f in findings] == [(2, FindingKind.ILLEGAL_MOVE)]

    def test_a_list_that_is_no_list_covers_nothing(self):
        """A rechained redaction whose list is no list of numbers is a fault."""
        service = _service()
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        service.redact(case_id, actor=SUPERVISOR, note="UU")
        with service.store.unit_of_work() as uow:
            opened, redaction = uow.events(case_id)
            head = uow.head(case_id)
        body = redaction.body.replace(b'"redacted_seqs":[1]', b'"redacted_seqs":"1"')
        forged = redaction._replace(
            body=body, hash=audit.link(redaction.prev_hash, body)
        )

        findings = audit.verify_case(
            [opened, forged], attrs.evolve(head, last_hash=forged.hash)
        )

        assert [(f.seq, f.kind, f.cause) for f in findings] == [
            (1, FindingKind.EDITED, "finding.personal_removed")
        ]
        with pytest.raises(AuditIntegrityError) as undecodable:
            audit.unseal(forged)
        assert undecodable.value.finding == "undecodable"

    def test_a_redaction_without_a_list_covers_every_earlier_event(self):
        """Redactions recorded before they named events still verify as before."""
        store = InMemoryStore()
        service = CaseService(store, clock=FixedClock(), new_salt=None)
        case_id = service.open("KLIEN-1", actor=WORKER, note="n").case_id
        case = service.get(case_id)
        decision = engine.execute(
            case, RedactCase(note="UU"), actor=SUPERVISOR, at=FixedClock()()
        )
        with store.unit_of_work() as uow:
            (opened,) = uow.events(case_id)
            sealed = audit.seal(decision.event, opened.hash)
            uow.append(decision, sealed)
            uow.redact(case_id, seqs=(1,), at=decision.event.recorded_at)

        assert b"redacted_seqs" not in sealed.body
        assert [(f.seq, f.kind) for f in service.verify()] == [
            (1, FindingKind.REDACTED)
        ]


class TestRedactCase:
    @pytest.mark.parametrize("events", [[0], [2, 1], [1, 1], ["1"], "1", [True]])
    def test_malformed_event_numbers_are_bad_input(self, events):
        """Event numbers must be positive whole numbers in increasing order."""
        with pytest.raises(InvalidInputError) as raised:
            RedactCase(note="UU", events=events)

        assert (raised.value.field, raised.value.problem) == (
            "redacted",
            "not_event_numbers",
        )

    def test_an_empty_list_is_refused_by_the_engine(self):
        """The engine refuses a redaction that would remove nothing."""
        service = _service()
        case = service.get(service.open("KLIEN-1", actor=WORKER).case_id)

        with pytest.raises(NothingToRedactError):
            engine.execute(
                case,
                RedactCase(note="UU", events=()),
                actor=SUPERVISOR,
                at=FixedClock()(),
            )
