"""CaseService.verification: what it read, what it found, and its progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from helping_process import Action
from helping_process import Actor
from helping_process import AddRecord
from helping_process import OpenCase
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import audit
from helping_process import engine
from helping_process import parse_record
from helping_process import seals
from helping_process.audit import FindingKind
from helping_process.audit import Head
from helping_process.audit import Sealed
from helping_process.audit import replay_case
from helping_process.audit import verify_chain
from helping_process.definitions import builtin
from helping_process.definitions import builtins
from helping_process.definitions import reshaped_kinds
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import InMemoryStore
from helping_process.testing import engagement_data
from tests.definitions import without_family

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


def _long_trail(events: int = 8) -> tuple[list[Sealed], Head]:
    """One case of ``events`` events (an opening and engagement records)."""
    service = CaseService(InMemoryStore(), clock=FixedClock())
    case_id = service.open("KLIEN-1", actor=WORKER).case_id
    for _ in range(events - 1):
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
    return _trail(service, case_id)


def _renumbered(rows: list[Sealed], first_seq: int = 1) -> list[Sealed]:
    return [row._replace(seq=seq) for seq, row in enumerate(rows, first_seq)]


def _where(findings: list[audit.Finding]) -> list[tuple[int, FindingKind, str]]:
    return [(finding.seq, finding.kind, finding.cause) for finding in findings]


class TestEveryBreak:
    """verify_chain goes on after a break and names each damaged event."""

    def test_an_edit_and_a_gap_are_two_findings(self):
        """A changed body at 2 and a missing event 6 are found at 2 and 6."""
        rows, head = _long_trail()
        rows[1] = rows[1]._replace(body=rows[1].body + b" ")

        findings = verify_chain(rows[:5] + rows[6:], head)

        assert _where(findings) == [
            (2, FindingKind.EDITED, "finding.hash_mismatch"),
            (6, FindingKind.DELETED, "finding.seq_gap"),
        ]

    def test_a_swap_names_both_events(self):
        """Events 3 and 4 stored in each other's place are both reordered."""
        rows, head = _long_trail()
        swapped = [*rows[:2], rows[3], rows[2], *rows[4:]]

        findings = verify_chain(_renumbered(swapped), head)

        assert _where(findings) == [
            (3, FindingKind.REORDERED, "finding.out_of_order"),
            (4, FindingKind.REORDERED, "finding.out_of_order"),
        ]

    def test_a_rehashed_edit_is_found_at_the_edited_event(self):
        """An edited event given a new hash is found where the next link breaks."""
        rows, head = _long_trail()
        body = rows[3].body + b" "
        rows[3] = rows[3]._replace(body=body, hash=audit.link(rows[3].prev_hash, body))

        findings = verify_chain(rows, head)

        assert _where(findings) == [(4, FindingKind.EDITED, "finding.rehashed")]

    def test_a_deletion_hidden_by_renumbering_is_found(self):
        """Event 3 deleted and the rest renumbered is one deletion, at 3."""
        rows, head = _long_trail()

        findings = verify_chain(_renumbered(rows[:2] + rows[3:]), head)

        assert _where(findings)[0] == (3, FindingKind.DELETED, "finding.renumbered")

    def test_an_event_inserted_in_the_middle_is_found_alone(self):
        """A well-chained event inserted as 4, the rest renumbered, is one insertion."""
        rows, head = _long_trail()
        forged = rows[3]._replace(body=rows[3].body + b" ")
        forged = forged._replace(hash=audit.link(forged.prev_hash, forged.body))

        findings = verify_chain(_renumbered([*rows[:3], forged, *rows[3:]]), head)

        assert _where(findings) == [(4, FindingKind.INSERTED, "finding.forged")]

    def test_a_huge_jump_is_one_finding(self):
        """A seq that jumps by millions is one finding, not millions."""
        rows, head = _long_trail()
        rows[7] = rows[7]._replace(seq=5_000_000, prev_hash="e" * 64)

        findings = verify_chain(rows, head)

        assert _where(findings)[0] == (8, FindingKind.DELETED, "finding.seq_jump")
        assert dict(findings[0].params) == {"seq": 5_000_000}
        assert len(findings) <= 3


def _stored(row: Sealed, **cells: object) -> Sealed:
    """The row with cells of any type, as a forger's database may hand it back."""
    return Sealed._make({**row._asdict(), **cells}.values())


class TestCorruptCells:
    """A stored cell of another type is a finding naming its column."""

    def test_each_chain_cell_of_another_type_is_named(self):
        """seq, body, prev_hash and hash of the wrong type are each named."""
        rows, head = _long_trail(4)
        corrupt = {
            "seq": _stored(rows[1], seq="2"),
            "body": _stored(rows[1], body=rows[1].body.decode()),
            "prev_hash": _stored(rows[1], prev_hash=rows[1].prev_hash.encode()),
            "hash": _stored(rows[1], hash=None),
        }

        for column, row in corrupt.items():
            findings = verify_chain([rows[0], row, *rows[2:]], head)

            assert (findings[0].seq, findings[0].cause) == (2, "finding.cell")
            assert dict(findings[0].params) == {"table": "events", "column": column}

    def test_a_case_id_of_another_type_is_named_as_text(self):
        """A case id stored as bytes still makes a finding whose case is text."""
        rows, _ = _long_trail(2)
        bad = [_stored(row, case_id=row.case_id.encode()) for row in rows]

        findings = audit.verify_case(bad, None)

        assert findings[0].case_id == repr(rows[0].case_id.encode())
        assert all(isinstance(finding.case_id, str) for finding in findings)

    def test_a_head_of_another_type_is_a_mismatch(self):
        """A head whose seq is text is a head mismatch naming cases.seq."""
        rows, head = _long_trail(2)

        changes: dict[str, Any] = {"seq": "2"}

        (finding,) = verify_chain(rows, attrs.evolve(head, **changes))

        assert (finding.kind, dict(finding.params)) == (
            FindingKind.HEAD_MISMATCH,
            {"table": "cases", "column": "seq"},
        )

    def test_a_forged_body_of_the_wrong_shape_is_edited(self):
        """A well-chained body that is JSON but no event object is an edit."""
        rows, head = _long_trail(2)
        body = b"[1, 2]"
        forged = rows[1]._replace(body=body, hash=audit.link(rows[1].prev_hash, body))

        findings = audit.verify_case(
            [rows[0], forged], attrs.evolve(head, last_hash=forged.hash)
        )

        assert [(f.seq, f.kind) for f in findings] == [(2, FindingKind.EDITED)]


def _columns_of(rows: list[Sealed]) -> list[audit.Columns]:
    """The columns a SQLite store keeps beside each row, as it stores them."""
    columns = []
    for row in rows:
        event = audit.unseal(row)
        columns.append(
            audit.Columns(
                episode=event.episode,
                action=event.action.value,
                from_stage=event.from_stage.value if event.from_stage else None,
                to_stage=event.to_stage.value,
                actor_id=event.actor.id,
                occurred_at=_sqlite_text(event.occurred_at),
                recorded_at=_sqlite_text(event.recorded_at),
                redacted_at=None,
            )
        )
    return columns


def _sqlite_text(instant: dt.datetime) -> str:
    text = audit.utc_text(instant)
    return text[:10] + " " + text[11:-1]


class TestStoredColumns:
    """verify_case compares each column stored beside an event with the event."""

    def test_columns_as_stored_agree(self):
        """The columns a store writes agree with their events: no finding."""
        rows, head = _long_trail(3)

        assert audit.verify_case(rows, head, _columns_of(rows)) == []

    def test_a_time_in_another_form_is_named(self):
        """A stored time of the right length but not a time names its column."""
        rows, head = _long_trail(3)
        columns = _columns_of(rows)
        columns[1] = columns[1]._replace(recorded_at="2026-01-01 10:00:00.00000x")

        findings = audit.verify_case(rows, head, columns)

        assert [(f.seq, f.kind, dict(f.params)) for f in findings] == [
            (2, FindingKind.EDITED, {"table": "events", "column": "recorded_at"})
        ]

    def test_an_episode_stored_as_a_real_number_is_named(self):
        """An episode stored as 1.0 equals 1 but is not the event's integer."""
        rows, head = _long_trail(3)
        columns = _columns_of(rows)
        columns[2] = columns[2]._replace(episode=1.0)

        findings = audit.verify_case(rows, head, columns)

        assert [dict(f.params) for f in findings] == [
            {"table": "events", "column": "episode"}
        ]

    def test_a_redaction_time_on_an_unredacted_event_is_named(self):
        """redacted_at on an event that no redaction covers is a fault."""
        rows, head = _long_trail(3)
        columns = _columns_of(rows)
        columns[0] = columns[0]._replace(redacted_at="2026-01-01 10:00:00.000000")

        findings = audit.verify_case(rows, head, columns)

        assert [(f.seq, dict(f.params)) for f in findings] == [
            (1, {"table": "personal", "column": "redacted_at"})
        ]


class TestAnAgencysOwnRecordFields:
    """A record kind an agency reshaped is replayed against its definition."""

    def test_only_a_reshaped_kind_is_checked_besides_its_class(self):
        """Built-ins need no more than the record classes; a narrowed list does."""
        assert [reshaped_kinds(each) for each in builtins()] == [frozenset()] * len(
            builtins()
        )
        assert reshaped_kinds(without_family()) == {"engagement"}

    @pytest.mark.parametrize("fast", [True, False])
    def test_a_code_the_definition_leaves_out_is_an_illegal_move(self, fast):
        """A re-chained record the built-in would take, but the case's own refuses."""
        clock = FixedClock()
        service = CaseService(InMemoryStore(), clock=clock)
        case = service.open("KLIEN-1", actor=WORKER, process=without_family())
        lenient = attrs.evolve(case, definition=builtin("helping-process@2"))
        record = parse_record("engagement", engagement_data(referral_source="family"))
        decision = engine.execute(
            lenient, AddRecord(record=record), actor=WORKER, at=clock()
        )
        rows, _ = _trail(service, case.case_id)
        forged = audit.seal(decision.event, rows[-1].hash)

        _, (finding,) = replay_case([*rows, forged], fast=fast)

        assert (finding.seq, finding.kind, finding.cause) == (
            2,
            FindingKind.ILLEGAL_MOVE,
            "error.record_invalid",
        )
        assert dict(finding.params) == {
            "kind": "engagement",
            "field": "referral_source",
            "problem": "unknown_code",
            "value": "family",
        }
        assert finding.describe("id") == (
            "Catatan kontak awal: isian 'referral_source' bukan kode yang dikenal"
            " ('family')."
        )
