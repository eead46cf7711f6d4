"""CaseService.verification: what it read, what it found, and its progress."""

from __future__ import annotations

import attrs

from helping_process import Action
from helping_process import Actor
from helping_process import OpenCase
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import audit
from helping_process import engine
from helping_process import seals
from helping_process.audit import FindingKind
from helping_process.audit import Head
from helping_process.audit import Sealed
from helping_process.audit import replay_case
from helping_process.audit import verify_chain
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import InMemoryStore
from helping_process.testing import engagement_data

WORKER = Actor("worker-1")


def _service_with_two_cases() -> tuple[CaseService, list[str]]:
    service = CaseService(InMemoryStore(), clock=FixedClock())
    first = service.open("KLIEN-1", actor=WORKER).case_id
    service.add_record_json(first, "engagement", engagement_data(), actor=WORKER)
    second = service.open("KLIEN-2", actor=WORKER).case_id
    return service, [first, second]


class TestVerification:
    def test_a_sound_trail_counts_its_cases_and_events(self):
        """A sound trail is ok, with every case and event counted."""
        service, _ = _service_with_two_cases()

        verification = service.verification()

        assert verification.ok
        assert (verification.cases, verification.events) == (2, 3)
        assert (verification.findings, verification.seals) == ((), 0)

    def test_progress_hears_each_cases_events(self):
        """The progress callback gets the event count of every case checked."""
        service, _ = _service_with_two_cases()
        ticks: list[int] = []

        service.verification(progress=ticks.append)

        assert sorted(ticks) == [1, 2]

    def test_one_case_counts_only_itself(self):
        """Verifying one case reads that case alone."""
        service, (first, _) = _service_with_two_cases()
        ticks: list[int] = []

        verification = service.verification(first, progress=ticks.append)

        assert (verification.cases, verification.events, ticks) == (1, 2, [2])

    def test_a_redaction_is_information_not_a_fault(self):
        """Redacted events are findings, yet the trail is still ok."""
        service, (first, _) = _service_with_two_cases()
        service.redact(first, actor=WORKER, note="UU 27/2022")

        verification = service.verification()

        assert verification.ok
        assert verification.faults == []
        assert {f.kind for f in verification.findings} == {FindingKind.REDACTED}

    def test_seals_checked_are_counted(self):
        """With the key, the number of seals checked is reported."""
        service, _ = _service_with_two_cases()
        key = seals.new_private_key()
        service.seal(key)
        service.seal(key)

        verification = service.verification(key=key.public_key())

        assert (verification.ok, verification.seals) == (True, 2)

    def test_the_seal_status_reads_in_both_languages(self):
        """Which key checked up to which seal is said in Indonesian and English."""
        service, _ = _service_with_two_cases()
        key = seals.new_private_key()
        receipt = seals.Receipt.of(service.seal(key))

        sealing = service.verification(receipt=receipt).sealing
        unsealed = _service_with_two_cases()[0].verification(key=key.public_key())

        assert sealing is not None
        assert sealing.describe("en") == (
            f"Seals checked with the key {seals.fingerprint(key)}: 1 seal(s), the "
            f"newest seal 1, sealed at {sealing.sealed_at}. A receipt of seal 1 kept "
            "off the machine was checked too."
        )
        assert sealing.describe("id").startswith("Segel diperiksa dengan kunci ")
        assert unsealed.sealing is not None
        assert unsealed.sealing.describe("id").startswith("Tidak ada segel")

    def test_verify_returns_the_same_findings(self):
        """verify() is verification() with its findings only."""
        service, (first, _) = _service_with_two_cases()
        service.redact(first, actor=WORKER, note="UU 27/2022")

        assert service.verify() == list(service.verification().findings)


class TestInMemoryTrails:
    def test_trails_yield_each_case_with_its_head(self):
        """The in-memory store yields each case by id with its head and events."""
        service, ids = _service_with_two_cases()

        with service.store.unit_of_work() as uow:
            trails = list(uow.trails(personal=False))

        assert [head.case_id for head, _ in trails if head] == sorted(ids)
        assert [len(rows) for _, rows in trails] == [
            service.get(case_id).seq for case_id in sorted(ids)
        ]
        assert all(row.personal is None for _, rows in trails for row in rows)


def _trail(service: CaseService, case_id: str) -> tuple[list[Sealed], Head]:
    with service.store.unit_of_work() as uow:
        return uow.events(case_id), uow.head(case_id)


class TestFindingsInBothLanguages:
    """A finding says what exactly was found in Indonesian as well as English."""

    def test_a_truncated_trail_names_both_counts(self):
        """The head's count and the trail's, in the auditor's language."""
        service, (first, _) = _service_with_two_cases()
        rows, head = _trail(service, first)

        (finding,) = verify_chain(rows[:-1], head)

        assert (finding.kind, finding.cause) == (
            FindingKind.TRUNCATED,
            "finding.head_ahead",
        )
        assert dict(finding.params) == {"head": 2, "trail": 1}
        assert finding.detail == finding.describe("en")
        assert finding.describe("en") == "the head says 2 events, the trail has 1"
        assert finding.describe("id") == (
            "kepala kasus menyebut 2 peristiwa, jejaknya berisi 1"
        )

    def test_an_edited_event_reads_in_indonesian(self):
        """A changed body is told without an English word in Indonesian."""
        service, (first, _) = _service_with_two_cases()
        rows, head = _trail(service, first)
        edited = rows[1]._replace(body=rows[1].body.replace(b"worker", b"WORKER"))

        (finding,) = verify_chain([rows[0], edited], head)

        assert (finding.seq, finding.cause) == (2, "finding.hash_mismatch")
        assert finding.describe("id") == "hash-nya tidak cocok dengan isinya"

    def test_a_refused_event_is_told_as_the_rule_tells_it(self):
        """An event the rules refuse reads as the refusal would, in either language."""
        clock = FixedClock()
        opened = engine.open_case(
            OpenCase(client="KLIEN-1"), case_id="case-1", actor=WORKER, at=clock()
        )
        forged = attrs.evolve(
            opened.event,
            seq=2,
            action=Action.MOVE,
            from_stage=Stage.ENGAGEMENT,
            to_stage=Stage.INTAKE,
            client=None,
        )
        first = audit.seal(opened.event, audit.GENESIS)
        rows = [first, audit.seal(forged, first.hash)]
        refusal = RequirementNotMetError(
            Stage.ENGAGEMENT, ["engagement.record"], target=Stage.INTAKE
        )

        _, (finding,) = replay_case(rows)

        assert (finding.kind, finding.seq) == (FindingKind.ILLEGAL_MOVE, 2)
        assert finding.cause == "error.requirements"
        assert finding.describe("id") == refusal.message("id")
        assert finding.describe("en") == refusal.message("en")
