"""The store contract: what every AuditStore must do, run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy import text

from helping_process import Action
from helping_process import Actor
from helping_process import ActorRole
from helping_process import ConcurrentUpdateError
from helping_process import InvalidInputError
from helping_process import InvalidTerminationReasonError
from helping_process import InvalidTransitionError
from helping_process import MoveCase
from helping_process import RecordInvalidError
from helping_process import RecordNotAllowedError
from helping_process import RedactCase
from helping_process import RefusalError
from helping_process import ReopenCase
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import UnknownCaseError
from helping_process import audit
from helping_process import engine
from helping_process.audit import FindingKind
from helping_process.persistence import SqlStore
from helping_process.persistence import make_engine
from helping_process.service import CaseService
from helping_process.states import REDACTED
from helping_process.testing import FixedClock
from helping_process.testing import add
from helping_process.testing import engagement_data
from helping_process.testing import plan_data
from tests.integration._support import SCRIPT_END
from tests.integration._support import SUPERVISOR
from tests.integration._support import WORKER
from tests.integration._support import count_rows
from tests.integration._support import engagement
from tests.integration._support import plain_connection
from tests.integration._support import request_of
from tests.integration._support import scripted_command
from tests.integration._support import snapshot

UTC = dt.UTC


def _open(service: CaseService, client: str = "KLIEN-001", **options: Any) -> str:
    return service.open(client, actor=WORKER, **options).case_id


def _run_script(service: CaseService, case_id: str, until: int) -> None:
    """Run the scripted commands until the case is at version ``until``."""
    seq = service.get(case_id).seq
    while seq < until:
        seq = service.execute(case_id, scripted_command(seq), actor=WORKER).seq


def _second_service(
    url: str, open_store: Callable[..., SqlStore], clock: FixedClock
) -> CaseService:
    return CaseService(open_store(url), clock=clock)


class TestRoundTrip:
    def test_every_command_reads_back_as_the_case_it_returned(self, service):
        """Each command's returned case equals what get() reads from the database."""
        case = service.open("KLIEN-001", actor=WORKER, note="Referred by the RT.")
        returned, read_back = [case], [service.get(case.case_id)]

        while case.seq < SCRIPT_END:
            case = service.execute(
                case.case_id, scripted_command(case.seq), actor=WORKER
            )
            returned.append(case)
            read_back.append(service.get(case.case_id))

        assert read_back == returned
        assert [each.seq for each in returned] == list(range(1, SCRIPT_END + 1))
        assert (case.stage, case.episode) == (Stage.TERMINATION, 2)
        assert service.verify() == []

    def test_a_second_service_reads_the_same_case(
        self, service, store_url, open_store, clock
    ):
        """A service on its own store sees exactly the case the first one wrote."""
        case_id = _open(service)
        _run_script(service, case_id, 9)
        other = _second_service(store_url, open_store, clock)

        seen = other.get(case_id)

        assert seen == service.get(case_id)
        assert other.history(case_id) == service.history(case_id)

    def test_services_see_each_others_writes(
        self, service, store_url, open_store, clock
    ):
        """Two services on one database never decide on a stale cached case."""
        case_id = _open(service)
        other = _second_service(store_url, open_store, clock)
        other.get(case_id)

        service.execute(case_id, scripted_command(1), actor=WORKER)
        moved = other.execute(case_id, scripted_command(2), actor=WORKER)
        again = service.execute(case_id, scripted_command(3), actor=WORKER)

        assert (moved.seq, moved.stage) == (3, Stage.INTAKE)
        assert (again.seq, again.stage) == (4, Stage.INTAKE)
        assert other.get(case_id) == again
        assert service.verify() == []

    def test_a_terminated_case_reopens_in_a_new_episode(self, service):
        """Terminating and reopening are stored and read back as a new episode."""
        case_id = _open(service)

        service.terminate(
            case_id,
            TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
            actor=WORKER,
            note="A closer agency took the case.",
            referral_to="LKS Melati",
        )
        reopened = service.reopen(case_id, actor=WORKER, note="The client came back.")

        assert (reopened.stage, reopened.episode, reopened.seq) == (
            Stage.ENGAGEMENT,
            2,
            3,
        )
        terminated = service.history(case_id)[1]
        assert (terminated.reason, terminated.referral_to, terminated.to_stage) == (
            TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
            "LKS Melati",
            Stage.TERMINATION,
        )
        assert service.get(case_id) == reopened

    def test_a_termination_keeps_its_sub_reason(self, service):
        """A sub-reason and referral are stored with the termination event."""
        case_id = _open(service)

        service.terminate(
            case_id,
            TerminationReason.BEYOND_AGENCY_CAPACITY,
            sub_reason=SubReason.NEEDS_OTHER_DISCIPLINE,
            referral_to="RSJ Menur",
            actor=WORKER,
            note="Needs a psychiatrist.",
        )

        last = service.history(case_id)[-1]
        assert (last.reason, last.sub_reason, last.referral_to, last.note) == (
            TerminationReason.BEYOND_AGENCY_CAPACITY,
            SubReason.NEEDS_OTHER_DISCIPLINE,
            "RSJ Menur",
            "Needs a psychiatrist.",
        )

    def test_times_come_back_aware_and_exact(self, service, clock):
        """occurred_at and recorded_at read back as the same aware UTC instants."""
        earlier = dt.datetime(2025, 1, 5, 22, 15, 30, 123456, tzinfo=UTC)
        jakarta = dt.timezone(dt.timedelta(hours=7))
        opened_on = clock.now
        case_id = _open(service, occurred_at=earlier.astimezone(jakarta))
        clock.advance(minutes=5, microseconds=7)

        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)

        opened, recorded = service.history(case_id)
        assert (opened.occurred_at, opened.recorded_at) == (earlier, opened_on)
        assert (recorded.occurred_at, recorded.recorded_at) == (clock.now, clock.now)
        assert opened.occurred_at.tzinfo is UTC
        assert service.get(case_id).opened_at == earlier


class TestHistory:
    def test_history_returns_every_event_in_order_with_personal_data(self, service):
        """history() gives the events oldest first, notes and record text included."""
        case_id = _open(service, note="Walked in with her son.")
        service.add_record_json(
            case_id,
            "engagement",
            engagement_data(request="Help with school fees."),
            actor=WORKER,
        )
        service.move(case_id, Stage.INTAKE, actor=WORKER)

        history = service.history(case_id)

        assert [(e.seq, e.action, e.from_stage, e.to_stage) for e in history] == [
            (1, Action.OPEN, None, Stage.ENGAGEMENT),
            (2, Action.RECORD, Stage.ENGAGEMENT, Stage.ENGAGEMENT),
            (3, Action.MOVE, Stage.ENGAGEMENT, Stage.INTAKE),
        ]
        assert (history[0].client, history[0].note) == (
            "KLIEN-001",
            "Walked in with her son.",
        )
        assert history[1].record is not None
        assert history[1].record.request == "Help with school fees."

    def test_events_carry_the_actor_id_and_role(self, service, store_url):
        """Every event names who acted and in which role, in the chain and the row."""
        case_id = _open(service)
        service.add_record_json(
            case_id, "engagement", engagement_data(), actor=SUPERVISOR
        )

        history = service.history(case_id)

        assert [(e.actor.id, e.actor.role) for e in history] == [
            ("worker-1", ActorRole.WORKER),
            ("supervisor-1", ActorRole.SUPERVISOR),
        ]
        with plain_connection(store_url) as connection:
            rows = connection.execute(
                text(
                    "SELECT actor_id, body FROM events WHERE case_id = :c ORDER BY seq"
                ),
                {"c": case_id},
            ).all()
        assert [row.actor_id for row in rows] == ["worker-1", "supervisor-1"]
        assert b'"actor":{"id":"supervisor-1","role":"supervisor"}' in bytes(
            rows[1].body
        )

    def test_history_of_an_unknown_case_is_refused(self, service):
        """Asking for the history of a case that does not exist names the case."""
        with pytest.raises(UnknownCaseError) as raised:
            service.history("no-such-case")

        assert raised.value.case_id == "no-such-case"


class TestListing:
    def test_cases_are_filtered_by_stage(self, service):
        """cases(stage=...) lists exactly the cases in that stage."""
        first = _open(service, "KLIEN-001")
        second = _open(service, "KLIEN-002", residential=True)
        third = _open(service, "KLIEN-003")
        _run_script(service, second, 3)
        _run_script(service, third, 5)

        in_engagement = service.cases(stage=Stage.ENGAGEMENT)
        in_intake = service.cases(stage=Stage.INTAKE)
        in_contract = service.cases(stage=Stage.CONTRACT)

        assert [s.case_id for s in in_engagement] == [first]
        assert [(s.case_id, s.residential, s.seq) for s in in_intake] == [
            (second, True, 3)
        ]
        assert [s.case_id for s in in_contract] == [third]
        assert service.cases(stage=Stage.PLANNING) == []
        assert {s.case_id for s in service.cases()} == {first, second, third}

    def test_a_summary_reads_from_the_head(self, service, clock):
        """A summary shows the client, stage, episode, version and times."""
        case_id = _open(service, "KLIEN-007")
        clock.advance(hours=2)
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)

        (summary,) = service.cases()

        assert (
            summary.case_id,
            summary.client,
            summary.residential,
            summary.stage,
            summary.episode,
            summary.seq,
            summary.opened_at,
            summary.updated_at,
        ) == (
            case_id,
            "KLIEN-007",
            False,
            Stage.ENGAGEMENT,
            1,
            2,
            clock.now - dt.timedelta(hours=2),
            clock.now,
        )

    def test_next_moves_follow_the_stored_records(self, service):
        """next_moves names what is missing, and allows the move once it is stored."""
        case_id = _open(service)

        before = service.next_moves(case_id)
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
        after = service.next_moves(case_id)

        assert [(m.target, m.allowed, m.missing) for m in before.moves] == [
            (Stage.INTAKE, False, ("engagement.record",))
        ]
        assert [(m.target, m.allowed, m.missing) for m in after.moves] == [
            (Stage.INTAKE, True, ())
        ]
        assert after.stage is Stage.ENGAGEMENT


#: Commands refused on a case in engagement with no records, and what is raised.
REFUSALS: dict[str, tuple[Callable[[CaseService, str], object], type[Exception]]] = {
    "illegal_move": (
        lambda s, c: s.move(c, Stage.PLANNING, actor=WORKER),
        InvalidTransitionError,
    ),
    "missing_record": (
        lambda s, c: s.move(c, Stage.INTAKE, actor=WORKER),
        RequirementNotMetError,
    ),
    "record_in_wrong_stage": (
        lambda s, c: s.add_record(c, add("plan", plan_data()).record, actor=WORKER),
        RecordNotAllowedError,
    ),
    "reason_not_allowed_here": (
        lambda s, c: s.terminate(
            c, TerminationReason.GOALS_ACHIEVED, actor=WORKER, note="Done."
        ),
        InvalidTerminationReasonError,
    ),
    "referral_missing": (
        lambda s, c: s.terminate(
            c, TerminationReason.SERVICE_AVAILABLE_ELSEWHERE, actor=WORKER, note="x"
        ),
        RequirementNotMetError,
    ),
    "reopen_an_open_case": (
        lambda s, c: s.execute(c, ReopenCase(note="Again."), actor=WORKER),
        RefusalError,
    ),
    "redaction_without_basis": (
        lambda s, c: s.execute(c, RedactCase(note=None), actor=WORKER),
        RequirementNotMetError,
    ),
    "malformed_record": (
        lambda s, c: s.add_record_json(
            c, "engagement", engagement_data(referral_source="martian"), actor=WORKER
        ),
        RecordInvalidError,
    ),
    "unknown_record_kind": (
        lambda s, c: s.add_record_json(c, "diary", {}, actor=WORKER),
        InvalidInputError,
    ),
    "unknown_case": (
        lambda s, c: s.execute(
            "no-such-case", MoveCase(target=Stage.INTAKE), actor=WORKER
        ),
        UnknownCaseError,
    ),
}


class TestPages:
    def _opened(self, service, clock, count: int) -> list[str]:
        """Open ``count`` cases a minute apart; return their ids, oldest first."""
        ids = []
        for index in range(count):
            ids.append(_open(service, f"KLIEN-{index:03}"))
            clock.advance(minutes=1)
        return ids

    def test_pages_run_newest_first_without_gaps_or_repeats(self, service, clock):
        """Walking the pages by their last case lists every case once, newest first."""
        ids = self._opened(service, clock, 7)

        seen: list[str] = []
        before = None
        while True:
            page = service.case_page(limit=3, before=before)
            seen += [summary.case_id for summary in page]
            if len(page) < 3:
                break
            before = (page[-1].opened_at, page[-1].case_id)

        assert seen == ids[::-1]

    def test_a_cursor_is_stable_while_cases_are_opened(self, service, clock):
        """Cases opened after the first page do not shift the next one."""
        ids = self._opened(service, clock, 5)
        first = service.case_page(limit=2)
        self._opened(service, clock, 3)

        second = service.case_page(
            limit=2, before=(first[-1].opened_at, first[-1].case_id)
        )

        assert [s.case_id for s in first] == [ids[4], ids[3]]
        assert [s.case_id for s in second] == [ids[2], ids[1]]

    def test_filters_by_stage_opening_day_and_worker(self, service, clock):
        """Stage, opened-since and the opening worker each narrow the page."""
        ids = self._opened(service, clock, 3)
        since = clock.now
        other = service.open("KLIEN-900", actor=Actor("peksos-99")).case_id
        _run_script(service, ids[0], 3)

        in_intake = service.case_page(limit=10, stage=Stage.INTAKE)
        recent = service.case_page(limit=10, opened_since=since)
        by_other = service.case_page(limit=10, worker="peksos-99")
        by_worker = service.case_page(limit=10, worker=WORKER.id)
        nobody = service.case_page(limit=10, worker="nobody")

        assert [s.case_id for s in in_intake] == [ids[0]]
        assert [s.case_id for s in recent] == [other]
        assert [s.case_id for s in by_other] == [other]
        assert [s.case_id for s in by_worker] == ids[::-1]
        assert nobody == []

    def test_events_page_after_a_seq(self, service):
        """A page of events starts after the given seq and holds at most limit."""
        case_id = _open(service)
        _run_script(service, case_id, 5)

        page = service.events_page(case_id, after=2, limit=2)

        assert [event.seq for event in page] == [3, 4]
        assert [e.seq for e in service.events_page(case_id, after=4)] == [5]


class TestRefusals:
    @pytest.mark.parametrize("refusal", sorted(REFUSALS))
    @pytest.mark.parametrize("warm", [True, False], ids=["cached", "cold"])
    def test_a_refused_command_writes_nothing(
        self, service, store_url, open_store, refusal, warm
    ):
        """A refused command leaves every row of the trail as it was."""
        case_id = _open(service, note="First contact.")
        other = _open(service, "KLIEN-002")
        _run_script(service, other, 4)
        deciding = service if warm else CaseService(open_store(store_url))
        command, error = REFUSALS[refusal]
        before = snapshot(store_url)

        with pytest.raises(error):
            command(deciding, case_id)

        assert snapshot(store_url) == before
        assert deciding.get(case_id).seq == 1
        assert (
            deciding.add_record_json(
                case_id, "engagement", engagement_data(), actor=WORKER
            ).seq
            == 2
        )
        assert service.verify() == []


class TestConcurrentUpdate:
    def test_a_stale_expected_seq_is_refused_and_stores_nothing(
        self, service, store_url, open_store, clock
    ):
        """A command decided on an old version raises and leaves the trail alone."""
        case_id = _open(service)
        shown = service.get(case_id)
        other = _second_service(store_url, open_store, clock)
        other.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
        before = snapshot(store_url)

        with pytest.raises(ConcurrentUpdateError) as raised:
            service.execute(
                case_id,
                engagement("Decided on seq 1."),
                actor=WORKER,
                expected_seq=shown.seq,
            )

        assert (raised.value.case_id, raised.value.seq) == (case_id, 1)
        assert snapshot(store_url) == before

    def test_an_event_that_cannot_be_stored_leaves_the_head_alone(
        self, service, store_url
    ):
        """Head, event and personal data are written together or not at all."""
        case_id = _open(service)
        with plain_connection(store_url) as connection, connection.begin():
            # A row squatting on the next seq: the event's insert must fail.
            connection.execute(
                text(
                    "INSERT INTO events (case_id, seq, episode, action, from_stage,"
                    " to_stage, occurred_at, recorded_at, actor_id, body, prev_hash,"
                    " hash) SELECT case_id, 2, episode, action, from_stage, to_stage,"
                    " occurred_at, recorded_at, actor_id, body, prev_hash, hash"
                    " FROM events WHERE case_id = :c AND seq = 1"
                ),
                {"c": case_id},
            )
        before = snapshot(store_url)

        with pytest.raises(ConcurrentUpdateError):
            service.execute(case_id, engagement("Never stored."), actor=WORKER)

        assert snapshot(store_url) == before

    def test_an_open_that_cannot_be_stored_writes_nothing(
        self, store_url, open_store, clock
    ):
        """An open whose case id is taken leaves every table as it was."""
        service = CaseService(
            open_store(store_url), clock=clock, new_id=lambda: "case-taken"
        )
        service.open("KLIEN-001", actor=WORKER)
        before = snapshot(store_url)

        with pytest.raises(ConcurrentUpdateError):
            service.open("KLIEN-002", actor=WORKER)

        assert snapshot(store_url) == before

    def test_the_current_expected_seq_is_accepted(self, service):
        """A command decided on the version stored is appended after it."""
        case_id = _open(service)

        case = service.execute(
            case_id, engagement("Decided on seq 1."), actor=WORKER, expected_seq=1
        )

        assert case.seq == 2
        assert service.history(case_id)[-1].record.request == "Decided on seq 1."


class TestBatch:
    """Many commands in one transaction: what bulk import relies on."""

    # Sizes on both sides of the few dozen events a batch keeps before writing.
    @pytest.mark.parametrize("rounds", [4, 50])
    def test_a_batch_stores_every_command_in_order(self, service, store_url, rounds):
        """Commands to several cases, interleaved, come back in order and verify."""
        ids = [_open(service, f"KLIEN-{n}") for n in range(3)]

        with service.batch() as batch:
            for round_ in range(rounds):
                for case_id in ids:
                    batch.execute(case_id, engagement(f"round {round_}"), actor=WORKER)

        for case_id in ids:
            history = service.history(case_id)
            assert [event.seq for event in history] == list(range(1, rounds + 2))
            assert [request_of(event) for event in history[1:]] == [
                f"round {round_}" for round_ in range(rounds)
            ]
        assert [summary.seq for summary in service.cases()] == [rounds + 1] * 3
        assert count_rows(store_url)["events"] == 3 * (rounds + 1)
        assert service.verify() == []

    @pytest.mark.parametrize("commands", [3, 100])
    def test_reads_inside_a_batch_see_its_earlier_commands(
        self, service, store_url, open_store, clock, commands
    ):
        """A batch reads its own writes; another service sees them once it ends."""
        case_id = _open(service)
        other = _second_service(store_url, open_store, clock)

        with service.batch() as batch:
            for n in range(commands):
                batch.execute(case_id, engagement(f"import {n}"), actor=WORKER)
            inside = [request_of(event) for event in batch.history(case_id)]
            listed = [summary.seq for summary in batch.cases()]
            verified = batch.verify(case_id)

        assert inside == [None] + [f"import {n}" for n in range(commands)]
        assert listed == [commands + 1]
        assert verified == []
        assert other.get(case_id).seq == commands + 1

    @pytest.mark.parametrize("commands", [3, 100])
    def test_a_batch_that_raises_stores_nothing(self, service, store_url, commands):
        """Commands buffered in a failing batch leave every table as it was."""
        case_id = _open(service)
        before = snapshot(store_url)

        with pytest.raises(RuntimeError), service.batch() as batch:  # noqa: PT012 - the batch is the act
            for n in range(commands):
                batch.execute(case_id, engagement(f"import {n}"), actor=WORKER)
            batch.open("KLIEN-002", actor=WORKER)
            raise RuntimeError

        assert snapshot(store_url) == before
        assert service.get(case_id).seq == 1

    def test_a_batch_decides_afresh_on_a_case_changed_elsewhere(
        self, service, store_url, open_store, clock
    ):
        """A case another service moved is reloaded at its first command in a batch."""
        case_id = _open(service)
        service.get(case_id)  # held by this service at seq 1
        other = _second_service(store_url, open_store, clock)
        other.execute(case_id, engagement("Elsewhere."), actor=WORKER)

        with service.batch() as batch:
            batch.execute(case_id, engagement("Import 1."), actor=WORKER)
            batch.execute(case_id, engagement("Import 2."), actor=WORKER)

        assert [request_of(event) for event in service.history(case_id)] == [
            None,
            "Elsewhere.",
            "Import 1.",
            "Import 2.",
        ]
        assert service.verify() == []

    def test_an_append_that_forks_the_batchs_own_chain_is_refused(
        self, service, store_url, clock
    ):
        """A later append must chain to the transaction's own last event."""
        case_id = _open(service)
        case = service.get(case_id)
        with service.store.unit_of_work() as uow:
            last_hash = uow.head(case_id).last_hash

        def decided(request: str) -> tuple[engine.Decision, audit.Sealed]:
            decision = engine.execute(
                case, engagement(request), actor=WORKER, at=clock()
            )
            return decision, audit.seal(decision.event, last_hash)

        with service.store.unit_of_work() as uow:
            uow.append(*decided("First."))
            with pytest.raises(ConcurrentUpdateError):
                uow.append(*decided("Fork."))

        assert [request_of(event) for event in service.history(case_id)] == [
            None,
            "First.",
        ]
        assert count_rows(store_url)["events"] == 2
        assert service.verify() == []


class TestRedaction:
    def _redacted_case(self, service: CaseService) -> tuple[str, int]:
        case_id = _open(service, "Ibu Siti, Jl. Mawar 3", note="Told us about debts.")
        service.add_record_json(
            case_id,
            "engagement",
            engagement_data(request="Her son Budi needs a school."),
            actor=WORKER,
        )
        service.terminate(
            case_id,
            TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
            referral_to="LKS Melati, Pak Joko",
            actor=WORKER,
            note="Moved to her sister.",
        )
        service.reopen(case_id, actor=WORKER, note="Came back in March.")
        case = service.redact(
            case_id, actor=SUPERVISOR, note="UU 27/2022 Pasal 8 request"
        )
        return case_id, case.seq

    def test_personal_data_of_earlier_events_is_gone_from_the_table(
        self, service, store_url
    ):
        """Redaction sets the personal data of every earlier event to NULL."""
        case_id, redacted_at = self._redacted_case(service)

        with plain_connection(store_url) as connection:
            rows = connection.execute(
                text(
                    "SELECT seq, data, redacted_at FROM personal"
                    " WHERE case_id = :c ORDER BY seq"
                ),
                {"c": case_id},
            ).all()
            client = connection.execute(
                text("SELECT client FROM cases WHERE case_id = :c"), {"c": case_id}
            ).scalar_one()

        assert [(r.seq, r.data is None, r.redacted_at is not None) for r in rows] == [
            (1, True, True),
            (2, True, True),
            (3, True, True),
            (4, True, True),
            (redacted_at, False, False),
        ]
        assert client is None
        assert b"Siti" not in b"".join(bytes(r.data or b"") for r in rows)

    def test_history_shows_redacted_text(self, service):
        """After redaction, history shows the placeholder and the lawful basis."""
        case_id, _ = self._redacted_case(service)

        opened, recorded, terminated, reopened, redaction = service.history(case_id)

        assert (opened.client, opened.note) == (REDACTED, REDACTED)
        assert recorded.record.request == REDACTED
        assert (terminated.referral_to, terminated.note) == (REDACTED, REDACTED)
        assert reopened.note == REDACTED
        assert (redaction.action, redaction.note, redaction.actor) == (
            Action.REDACT,
            "UU 27/2022 Pasal 8 request",
            SUPERVISOR,
        )
        assert service.cases()[0].client is None

    def test_verify_reports_only_redactions(self, service):
        """The chain still verifies and each earlier event is reported as redacted."""
        case_id, _ = self._redacted_case(service)

        findings = service.verify()

        assert [(f.case_id, f.seq, f.kind) for f in findings] == [
            (case_id, seq, FindingKind.REDACTED) for seq in (1, 2, 3, 4)
        ]
        assert not any(f.is_tampering for f in findings)

    def test_a_redacted_case_still_replays(self, service, store_url, open_store, clock):
        """The redacted trail replays to the same case, and the case goes on."""
        case_id, seq = self._redacted_case(service)
        fresh = _second_service(store_url, open_store, clock)

        replayed = fresh.get(case_id)
        with fresh.store.unit_of_work() as uow:
            case, findings = audit.replay_case(uow.events(case_id))
        moved = fresh.add_record_json(
            case_id, "engagement", engagement_data(), actor=WORKER
        )

        assert (replayed.seq, replayed.stage, replayed.episode) == (
            seq,
            Stage.ENGAGEMENT,
            2,
        )
        assert (case, findings) == (replayed, [])
        assert moved.seq == seq + 1
        assert (
            service.history(case_id)[-1].record.request == engagement_data()["request"]
        )


class TestCallerTransaction:
    def test_commands_commit_only_when_the_caller_commits(
        self, store_url, open_store, clock
    ):
        """Inside a caller's transaction nothing is visible until the caller commits."""
        open_store(store_url)
        engine = make_engine(store_url)
        try:
            with engine.connect() as connection:
                transaction = connection.begin()
                held = CaseService(SqlStore(connection, upgrade=False), clock=clock)
                case_id = _open(held)
                _run_script(held, case_id, 3)

                invisible = count_rows(store_url)
                transaction.commit()
        finally:
            engine.dispose()

        assert invisible == {"cases": 0, "events": 0, "personal": 0}
        assert count_rows(store_url)["events"] == 3
        seen = CaseService(open_store(store_url), clock=clock).get(case_id)
        assert (seen.seq, seen.stage) == (3, Stage.INTAKE)

    def test_commands_roll_back_with_the_caller(self, store_url, open_store, clock):
        """When the caller rolls back, none of the commands inside is stored."""
        service = CaseService(open_store(store_url), clock=clock)
        kept = _open(service)
        before = snapshot(store_url)
        engine = make_engine(store_url)
        try:
            with engine.connect() as connection:
                transaction = connection.begin()
                held = CaseService(SqlStore(connection, upgrade=False), clock=clock)
                _open(held, "KLIEN-002")
                held.add_record_json(
                    kept, "engagement", engagement_data(), actor=WORKER
                )
                transaction.rollback()
        finally:
            engine.dispose()

        assert snapshot(store_url) == before
        assert service.get(kept).seq == 1

    def test_a_refused_command_keeps_the_callers_earlier_work(
        self, store_url, open_store, clock
    ):
        """A refusal inside the caller's transaction undoes only itself."""
        open_store(store_url)
        engine = make_engine(store_url)
        try:
            with engine.connect() as connection, connection.begin():
                held = CaseService(SqlStore(connection, upgrade=False), clock=clock)
                case_id = _open(held)
                with pytest.raises(RequirementNotMetError):
                    held.move(case_id, Stage.INTAKE, actor=WORKER)
                held.add_record_json(
                    case_id, "engagement", engagement_data(), actor=WORKER
                )
        finally:
            engine.dispose()

        service = CaseService(open_store(store_url), clock=clock)
        assert service.get(case_id).seq == 2
        assert service.verify() == []

    def test_a_store_opens_on_a_connection_in_a_transaction(
        self, store_url, open_store, clock
    ):
        """SqlStore(connection) opens inside the caller's transaction, upgrading."""
        open_store(store_url)
        engine = make_engine(store_url)
        if engine.dialect.name == "sqlite":
            # Fail in seconds rather than after the 30 s busy timeout.
            event.listen(
                engine,
                "connect",
                lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=1000"),
            )
        try:
            with engine.connect() as connection, connection.begin():
                held = CaseService(SqlStore(connection), clock=clock)
                case_id = _open(held)
        finally:
            engine.dispose()

        assert CaseService(open_store(store_url), clock=clock).get(case_id).seq == 1

    def test_a_rolled_back_command_is_not_remembered(
        self, store_url, open_store, clock
    ):
        """After the caller rolls back, the service forgets what was undone."""
        service = CaseService(open_store(store_url), clock=clock)
        case_id = _open(service)
        engine = make_engine(store_url)
        try:
            with engine.connect() as connection:
                held = CaseService(SqlStore(connection, upgrade=False), clock=clock)
                transaction = connection.begin()
                held.execute(case_id, engagement("Undone by the caller."), actor=WORKER)
                transaction.rollback()
                service.execute(
                    case_id, engagement("Stored by another writer."), actor=WORKER
                )

                with connection.begin():
                    held.move(case_id, Stage.INTAKE, actor=WORKER)
        finally:
            engine.dispose()

        history = service.history(case_id)
        assert [request_of(e) for e in history if e.record] == [
            "Stored by another writer."
        ]
        assert service.verify() == []


class TestTrails:
    def test_each_case_comes_with_its_head_and_events_in_order(
        self, service, store_url, open_store, clock
    ):
        """trails() yields every case once, by id, with its head and its events."""
        first = _open(service)
        _run_script(service, first, 4)
        second = _open(service, "KLIEN-002")

        with open_store(store_url).unit_of_work() as uow:
            trails = list(uow.trails())
            chain_only = list(uow.trails(personal=False))
            heads = uow.heads()

        assert [head.case_id for head, _ in trails if head] == sorted([first, second])
        for head, rows in trails:
            assert head == heads[head.case_id]
            assert [row.seq for row in rows] == list(range(1, head.seq + 1))
            assert {row.case_id for row in rows} == {head.case_id}
        assert any(row.personal is not None for _, rows in trails for row in rows)
        assert all(row.personal is None for _, rows in chain_only for row in rows)
        assert [rows for _, rows in chain_only] == [
            [row._replace(personal=None) for row in rows] for _, rows in trails
        ]
