"""The in-memory store: SqlStore's semantics behind a real CaseService."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helping_process import Action
from helping_process import Actor
from helping_process import Case
from helping_process import ConcurrentUpdateError
from helping_process import Event
from helping_process import InvalidInputError
from helping_process import InvalidTerminationReasonError
from helping_process import InvalidTransitionError
from helping_process import OpenCase
from helping_process import RecordNotAllowedError
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import UnknownCaseError
from helping_process import apply
from helping_process import audit
from helping_process.audit import FindingKind
from helping_process.audit import Head
from helping_process.audit import Sealed
from helping_process.engine import Decision
from helping_process.engine import command_of
from helping_process.service import AuditStore
from helping_process.service import CaseService
from helping_process.service import CaseSummary
from helping_process.service import retry_on_conflict
from helping_process.states import REDACTED
from helping_process.testing import EPOCH
from helping_process.testing import InMemoryStore
from helping_process.testing import add
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from helping_process.testing import walk

WORKER = Actor("worker-1")
SUPERVISOR = Actor("supervisor-1", "supervisor")


def numbered_ids() -> Callable[[], str]:
    """Return a ``new_id`` that gives case-1, case-2, and so on."""
    counter = itertools.count(1)
    return lambda: f"case-{next(counter)}"


@pytest.fixture
def store() -> InMemoryStore:
    """An empty in-memory store."""
    return InMemoryStore()


@pytest.fixture
def service(store, clock) -> CaseService:
    """A service over the store, with a fixed clock and numbered case ids."""
    return CaseService(store, clock=clock, new_id=numbered_ids())


@pytest.fixture
def eager_switching() -> Iterator[None]:
    """Switch threads every microsecond, so units of work really interleave."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def drive(service: CaseService, stage: Stage, *, residential: bool = False) -> Case:
    """Open a case through the service and step it to ``stage`` as walk() does."""
    walked = walk(stage, residential=residential)
    case = service.open("client-1", actor=WORKER, residential=residential)
    for event in walked.events[1:]:
        command = command_of(event)
        assert not isinstance(command, OpenCase)
        case = service.execute(case.case_id, command, actor=WORKER)
    return case


def seed(store: InMemoryStore, events: Sequence[Event]) -> list[Sealed]:
    """Chain and append events to the store directly, in one unit of work."""
    stored: list[Sealed] = []
    case: Case | None = None
    with store.unit_of_work() as uow:
        for event in events:
            sealed = audit.seal(event, stored[-1].hash if stored else audit.GENESIS)
            case = apply(case, event)
            uow.append(Decision(case, event), sealed)
            stored.append(sealed)
    return stored


def opening() -> tuple[Decision, Sealed]:
    """The decision and sealed event that open case-1."""
    walked = walk(Stage.ENGAGEMENT)
    decision = Decision(walked.case, walked.events[0])
    return decision, audit.seal(decision.event, audit.GENESIS)


def snapshot(store: InMemoryStore) -> tuple[dict[str, Head], list[Sealed]]:
    """Every head and every stored event, personal data included."""
    with store.unit_of_work() as uow:
        return uow.heads(), list(uow.scan())


def add_engagement(service: CaseService, case_id: str, request: str) -> Case:
    """Add an engagement record with this request."""
    return service.add_record_json(
        case_id, "engagement", engagement_data(request=request), actor=WORKER
    )


class TestPort:
    def test_is_an_audit_store(self, store):
        """The store satisfies the service's port (mypy checks the annotation)."""
        port: AuditStore = store

        with port.unit_of_work() as uow:
            heads = uow.heads()

        assert heads == {}

    def test_head_of_an_unknown_case(self, store):
        """An unknown case has no head: find_head says None and head raises."""
        with store.unit_of_work() as uow:
            found = uow.find_head("nobody")
            with pytest.raises(UnknownCaseError):
                uow.head("nobody")

        assert found is None

    def test_events_of_an_unknown_case(self, store):
        """An unknown case has no events."""
        with store.unit_of_work() as uow:
            events = uow.events("nobody")

        assert events == []

    def test_the_open_action_inserts_the_case(self, store):
        """Appending an open event adds the case's head, in engagement, episode 1."""
        (opened,) = seed(store, walk(Stage.ENGAGEMENT).events)

        with store.unit_of_work() as uow:
            head = uow.head("case-1")

        assert head == Head(
            case_id="case-1",
            seq=1,
            last_hash=opened.hash,
            stage="engagement",
            episode=1,
        )

    def test_head_follows_stage_and_episode(self, service, store):
        """The head says the stage and episode the last event left, as SqlStore's."""
        case = drive(service, Stage.PLANNING)

        with store.unit_of_work() as uow:
            head = uow.head(case.case_id)
            last = uow.events(case.case_id)[-1]

        assert head == Head(
            case_id=case.case_id,
            seq=case.seq,
            last_hash=last.hash,
            stage="planning",
            episode=1,
        )

    def test_events_after(self, service, store):
        """Reading events after n returns those above n, in order."""
        case = drive(service, Stage.CONTRACT)

        with store.unit_of_work() as uow:
            seqs = [sealed.seq for sealed in uow.events(case.case_id, after=2)]

        assert seqs == list(range(3, case.seq + 1))

    def test_opening_an_existing_case_is_refused(self, store):
        """A second open of the same case id raises and stores nothing."""
        events = walk(Stage.ENGAGEMENT).events
        seed(store, events)
        before = snapshot(store)

        with pytest.raises(ConcurrentUpdateError):
            seed(store, events)

        assert snapshot(store) == before

    @pytest.mark.parametrize(
        ("index", "prev_hash"),
        [(1, "0" * 64), (2, None)],
        ids=["wrong-hash", "wrong-seq"],
    )
    def test_an_append_not_chained_to_the_head_is_refused(
        self, store, index, prev_hash
    ):
        """The head moves only from sealed.seq - 1 with hash sealed.prev_hash."""
        walked = walk(Stage.INTAKE)
        (opened,) = seed(store, walked.events[:1])
        event = walked.events[index]
        sealed = audit.seal(event, prev_hash or opened.hash)
        before = snapshot(store)

        with (
            pytest.raises(ConcurrentUpdateError) as raised,
            store.unit_of_work() as uow,
        ):
            uow.append(Decision(walked.case, event), sealed)

        assert (raised.value.case_id, raised.value.seq) == ("case-1", event.seq - 1)
        assert snapshot(store) == before

    def test_redacting_an_unknown_case_changes_nothing(self, store):
        """Redaction touches only the case it names, as SqlStore's updates do."""
        seed(store, walk(Stage.ENGAGEMENT).events)
        before = snapshot(store)

        with store.unit_of_work() as uow:
            uow.redact("nobody", seqs=(1, 2, 3, 4), at=EPOCH)

        assert snapshot(store) == before

    def test_scan_is_ordered_by_case_and_seq(self, store):
        """Events are scanned in order of case id, then seq."""
        seed(store, walk(Stage.ENGAGEMENT, case_id="b").events)
        seed(store, walk(Stage.INTAKE, case_id="a").events)

        with store.unit_of_work() as uow:
            order = [(sealed.case_id, sealed.seq) for sealed in uow.scan()]

        assert order == [("a", 1), ("a", 2), ("a", 3), ("b", 1)]

    def test_scan_without_personal_data(self, service, store):
        """A scan without personal data reads the chain only."""
        service.open("client-1", actor=WORKER, note="First contact.")

        with store.unit_of_work() as uow:
            chain = [sealed.personal for sealed in uow.scan(personal=False)]
            full = [sealed.personal for sealed in uow.scan()]

        assert (chain, full[0] is not None) == ([None], True)


class TestUnitOfWork:
    def test_an_exception_discards_every_write(self, store):
        """A unit of work that raises stores nothing it wrote."""
        with pytest.raises(RuntimeError), store.unit_of_work() as uow:  # noqa: PT012 - the unit of work is the act
            uow.append(*opening())
            raise RuntimeError

        assert snapshot(store) == ({}, [])

    def test_writes_are_seen_inside_before_they_are_published(
        self, service, store, clock
    ):
        """A unit of work reads its own writes; others see them once it ends."""
        case = service.open("client-1", actor=WORKER)

        with service.batch() as inner:
            add_engagement(inner, case.case_id, "Inside.")
            inside = inner.get(case.case_id).seq
            outside = CaseService(store, clock=clock).get(case.case_id).seq

        assert (inside, outside, service.get(case.case_id).seq) == (2, 1, 2)

    def test_the_later_of_two_racing_units_stores_nothing(self, service, store, clock):
        """Of two units of work appending to one case, the one ending later fails."""
        case = service.open("client-1", actor=WORKER)
        rival = CaseService(store, clock=clock)

        with pytest.raises(ConcurrentUpdateError), service.batch() as inner:  # noqa: PT012 - the race is the act
            add_engagement(inner, case.case_id, "Mine.")
            add_engagement(rival, case.case_id, "Theirs.")

        history = service.history(case.case_id)
        assert [(event.seq, event.action) for event in history] == [
            (1, Action.OPEN),
            (2, Action.RECORD),
        ]
        assert history[-1].record is not None
        assert history[-1].record.request == "Theirs."
        assert service.verify() == []

    def test_units_racing_on_different_cases_both_win(self, service, store, clock):
        """Units of work that append to different cases are both published."""
        first = service.open("client-1", actor=WORKER)
        second = service.open("client-2", actor=WORKER)
        rival = CaseService(store, clock=clock)

        with service.batch() as inner:
            add_engagement(inner, first.case_id, "Mine.")
            add_engagement(rival, second.case_id, "Theirs.")

        assert [summary.seq for summary in service.cases()] == [2, 2]
        assert service.verify() == []

    def test_racing_seals_keep_the_seals_chained(self, service, store):
        """A seal made while another was stored is refused, not stored unchained."""
        key = Ed25519PrivateKey.generate()
        service.open("client-1", actor=WORKER)

        with pytest.raises(ConcurrentUpdateError), store.unit_of_work() as uow:
            uow.add_seal(service.seal(key), sealed_at=EPOCH)

        with store.unit_of_work() as uow:
            assert len(uow.seals()) == 1
        assert service.verify(key=key.public_key()) == []


class TestService:
    def test_an_opened_case_reads_back(self, service, clock):
        """The case open() returns is the one get(), history() and cases() read."""
        case = service.open("client-1", actor=WORKER, residential=True)

        read = service.get(case.case_id)
        history = service.history(case.case_id)
        summaries = service.cases()

        assert read == case
        assert [(event.action, event.client) for event in history] == [
            (Action.OPEN, "client-1")
        ]
        assert summaries == [
            CaseSummary(
                case_id="case-1",
                client="client-1",
                residential=True,
                stage=Stage.ENGAGEMENT,
                episode=1,
                seq=1,
                opened_at=clock(),
                updated_at=clock(),
            )
        ]

    def test_a_whole_episode(self, service):
        """Records and moves to a planned termination give walk()'s case."""
        case = drive(service, Stage.TERMINATION)

        history = service.history(case.case_id)

        assert service.get(case.case_id) == case == walk(Stage.TERMINATION).case
        assert [event.to_stage for event in history] == [
            event.to_stage for event in walk(Stage.TERMINATION).events
        ]
        assert service.verify() == []

    def test_terminate_early_and_reopen(self, service, store):
        """An early termination ends the episode; reopening starts the next one."""
        case = drive(service, Stage.ASSESSMENT)

        service.terminate(
            case.case_id,
            TerminationReason.CLIENT_DISLIKES_WORKER,
            sub_reason=SubReason.PERSONAL_FACTORS,
            actor=WORKER,
            note="Asked for another worker.",
        )
        reopened = service.reopen(case.case_id, actor=WORKER, note="Came back.")

        with store.unit_of_work() as uow:
            head = uow.head(case.case_id)
        assert (reopened.stage, reopened.episode) == (Stage.ENGAGEMENT, 2)
        assert (head.stage, head.episode, head.seq) == ("engagement", 2, case.seq + 2)
        assert [event.action for event in service.history(case.case_id)[-2:]] == [
            Action.TERMINATE,
            Action.REOPEN,
        ]
        assert service.verify() == []

    def test_redaction(self, service, store):
        """Redaction empties earlier personal data; the chain still verifies."""
        case = service.open("Ibu Siti", actor=WORKER, note="Told us about debts.")
        add_engagement(service, case.case_id, "Her son Budi needs a school.")

        redacted = service.redact(case.case_id, actor=SUPERVISOR, note="UU 27/2022")

        opened, recorded, redaction = service.history(case.case_id)
        with store.unit_of_work() as uow:
            kept = [sealed.personal is not None for sealed in uow.events("case-1")]
        assert (opened.client, opened.note) == (REDACTED, REDACTED)
        assert recorded.record is not None
        assert recorded.record.request == REDACTED
        assert (redaction.action, redaction.note) == (Action.REDACT, "UU 27/2022")
        assert kept == [False, False, True]
        assert service.cases()[0].client is None
        assert [(f.seq, f.kind) for f in service.verify()] == [
            (1, FindingKind.REDACTED),
            (2, FindingKind.REDACTED),
        ]
        assert (service.get(case.case_id).seq, redacted.seq) == (3, 3)

    def test_cases_by_stage_in_opening_order(self, store, clock):
        """Cases are listed by opening time then case id, and filtered by stage."""
        ids = iter(["b", "a", "c"])
        service = CaseService(store, clock=clock, new_id=lambda: next(ids))
        service.open("client-b", actor=WORKER)
        service.open("client-a", actor=WORKER)
        service.open(
            "client-c", actor=WORKER, occurred_at=clock() - dt.timedelta(days=1)
        )
        add_engagement(service, "a", "School.")
        service.move("a", Stage.INTAKE, actor=WORKER)

        every = [summary.case_id for summary in service.cases()]
        engaged = [s.case_id for s in service.cases(stage=Stage.ENGAGEMENT)]
        taken_in = [s.case_id for s in service.cases(stage=Stage.INTAKE)]

        assert (every, engaged, taken_in) == (["c", "a", "b"], ["c", "b"], ["a"])

    def test_next_moves(self, service):
        """The next moves are those of the stored case."""
        case = drive(service, Stage.ENGAGEMENT)

        moves = service.next_moves(case.case_id)

        assert [(m.target, m.allowed, m.missing) for m in moves.moves] == [
            (Stage.INTAKE, False, ("engagement.record",))
        ]

    def test_export(self, service):
        """The export has a header, then each case's head and events."""
        drive(service, Stage.INTAKE)
        drive(service, Stage.ENGAGEMENT)

        lines = list(service.export())

        assert len(lines) == 1 + 2 + 3 + 1

    def test_seals_verify(self, service, store):
        """Seals are stored in order and verify with the public key."""
        key = Ed25519PrivateKey.generate()
        case = drive(service, Stage.INTAKE)
        first = service.seal(key)
        add_engagement(service, service.open("client-2", actor=WORKER).case_id, "X.")
        second = service.seal(key)

        with store.unit_of_work() as uow:
            stored = uow.seals()

        assert stored == [first, second]
        assert [(head.case_id, head.seq) for head in stored[0].heads] == [
            (case.case_id, case.seq)
        ]
        assert [head.seq for head in stored[1].heads] == [2]
        assert service.verify(key=key.public_key()) == []


REFUSALS: dict[str, tuple[Callable[[CaseService, str], object], type[Exception]]] = {
    "skipped stage": (
        lambda s, c: s.move(c, Stage.CONTRACT, actor=WORKER),
        InvalidTransitionError,
    ),
    "missing record": (
        lambda s, c: s.move(c, Stage.INTAKE, actor=WORKER),
        RequirementNotMetError,
    ),
    "record out of stage": (
        lambda s, c: s.add_record_json(c, "intake", intake_data(), actor=WORKER),
        RecordNotAllowedError,
    ),
    "reason out of stage": (
        lambda s, c: s.terminate(
            c, TerminationReason.GOALS_ACHIEVED, actor=WORKER, note="Done."
        ),
        InvalidTerminationReasonError,
    ),
    "malformed record": (
        lambda s, c: s.add_record_json(c, "engagement", {}, actor=WORKER),
        InvalidInputError,
    ),
    "unknown case": (
        lambda s, c: s.move("nobody", Stage.INTAKE, actor=WORKER),
        UnknownCaseError,
    ),
}


class TestRefusals:
    @pytest.mark.parametrize("refusal", sorted(REFUSALS))
    @pytest.mark.parametrize("warm", [True, False], ids=["cached", "cold"])
    def test_a_refused_command_stores_nothing(
        self, service, store, refusal, warm, clock
    ):
        """A refused command leaves every head and event as it was."""
        case = service.open("client-1", actor=WORKER, note="First contact.")
        deciding = service if warm else CaseService(store, clock=clock)
        command, error = REFUSALS[refusal]
        before = snapshot(store)

        with pytest.raises(error):
            command(deciding, case.case_id)

        assert snapshot(store) == before
        assert add_engagement(deciding, case.case_id, "Then this.").seq == 2

    def test_an_exception_in_a_batch_stores_nothing(self, service, store):
        """If the block of batch() raises, none of its commands is stored."""
        case = service.open("client-1", actor=WORKER)
        before = snapshot(store)

        with pytest.raises(RuntimeError), service.batch() as inner:  # noqa: PT012 - the batch is the act
            add_engagement(inner, case.case_id, "Imported.")
            inner.open("client-2", actor=WORKER)
            raise RuntimeError

        assert snapshot(store) == before
        assert service.get(case.case_id).seq == 1

    def test_a_refusal_caught_in_a_batch_keeps_the_rest(self, service):
        """A refused command inside batch() may be skipped; the others are stored."""
        case = service.open("client-1", actor=WORKER)

        with service.batch() as inner:
            add_engagement(inner, case.case_id, "Imported.")
            with pytest.raises(InvalidTransitionError):
                inner.move(case.case_id, Stage.PLANNING, actor=WORKER)
            inner.move(case.case_id, Stage.INTAKE, actor=WORKER)

        assert [e.action for e in service.history(case.case_id)] == [
            Action.OPEN,
            Action.RECORD,
            Action.MOVE,
        ]
        assert service.verify() == []


class TestConcurrentWriters:
    def test_a_stale_service_reloads(self, service, store, clock):
        """A service holding an old case decides on the stored one instead."""
        case = service.open("client-1", actor=WORKER)
        other = CaseService(store, clock=clock)
        add_engagement(other, case.case_id, "Recorded elsewhere.")

        moved = service.move(case.case_id, Stage.INTAKE, actor=WORKER)

        assert (moved.seq, moved.stage) == (3, Stage.INTAKE)
        assert service.verify() == []

    def test_a_stale_expected_seq_is_refused(self, service, store, clock):
        """A command decided on an old version raises and stores nothing."""
        case = service.open("client-1", actor=WORKER)
        add_engagement(
            CaseService(store, clock=clock), case.case_id, "Recorded elsewhere."
        )
        before = snapshot(store)

        with pytest.raises(ConcurrentUpdateError) as raised:
            service.execute(
                case.case_id,
                add("engagement", engagement_data()),
                actor=WORKER,
                expected_seq=1,
            )

        assert (raised.value.case_id, raised.value.seq) == (case.case_id, 1)
        assert snapshot(store) == before

    def test_retry_on_conflict_wins_the_second_time(self, service, store, clock):
        """A retried command is decided again after losing a race, and stored once."""
        case = service.open("client-1", actor=WORKER)
        rival = CaseService(store, clock=clock)
        attempts: list[int] = []

        def record() -> Case:
            with service.batch() as inner:
                recorded = add_engagement(inner, case.case_id, "Mine.")
                if not attempts:
                    add_engagement(rival, case.case_id, "Theirs.")
                attempts.append(recorded.seq)
            return recorded

        recorded = retry_on_conflict(record)

        assert (attempts, recorded.seq) == ([2, 3], 3)
        assert len(service.history(case.case_id)) == 3
        assert service.verify() == []

    def test_retry_on_conflict_gives_up(self, service, store, clock):
        """A command that loses every attempt raises after the last one."""
        case = service.open("client-1", actor=WORKER)
        add_engagement(
            CaseService(store, clock=clock), case.case_id, "Recorded elsewhere."
        )
        calls: list[int] = []

        def stale() -> object:
            calls.append(1)
            return service.execute(
                case.case_id,
                add("engagement", engagement_data()),
                actor=WORKER,
                expected_seq=1,
            )

        with pytest.raises(ConcurrentUpdateError):
            retry_on_conflict(stale, attempts=3)

        assert len(calls) == 3

    def test_threads_appending_to_one_case(self, store, clock, eager_switching):
        """Threads racing on one case each store every command exactly once."""
        opener = CaseService(store, clock=clock)
        case_id = opener.open("client-1", actor=WORKER).case_id
        threads, each = 8, 10

        def work() -> None:
            mine = CaseService(store, clock=clock)
            for _ in range(each):
                retry_on_conflict(
                    lambda: add_engagement(mine, case_id, "Again."), attempts=1000
                )

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

        assert opener.get(case_id).seq == 1 + threads * each
        assert opener.verify() == []

    def test_threads_opening_cases(self, store, clock, eager_switching):
        """Threads opening cases at once lose none of them."""
        threads, each = 8, 10

        def work() -> None:
            mine = CaseService(store, clock=clock)
            for _ in range(each):
                mine.open("client-1", actor=WORKER)

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

        service = CaseService(store, clock=clock)
        assert len(service.cases()) == threads * each
        assert service.verify() == []
