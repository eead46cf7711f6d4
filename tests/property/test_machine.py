"""Random command sequences against a tiny reference model of the process.

The reference model below is docs/domain.md written out by hand as plain codes and
sets; it imports nothing from ``helping_process.states``. It runs once for
each built-in definition: ``helping-process@1`` and ``helping-process@2``
(the corrections of version 2 written out by hand as well), and
``rehsos-pp39@1``, residential rehabilitation, with a reference of its own
written from docs/process-definitions.md. For every command
it predicts whether the engine accepts it, and if not, which error and which
missing requirement ids the refusal names. Invariants then hold after every
step: the stage is one the graph allows, the trail replays to the live case,
and its sequence numbers have no gaps.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test

from helping_process import Action
from helping_process import Actor
from helping_process import AddRecord
from helping_process import Case
from helping_process import Command
from helping_process import Event
from helping_process import HelpingProcessError
from helping_process import InvalidInputError
from helping_process import InvalidSubReasonError
from helping_process import InvalidTerminationReasonError
from helping_process import InvalidTransitionError
from helping_process import MoveCase
from helping_process import OpenCase
from helping_process import RecordNotAllowedError
from helping_process import RedactCase
from helping_process import ReopenCase
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process import builtin
from helping_process import execute
from helping_process import label
from helping_process import next_moves
from helping_process import open_case
from helping_process import parse_record
from helping_process import replay
from helping_process.audit import GENESIS
from helping_process.audit import Sealed
from helping_process.audit import replay_case
from helping_process.audit import seal
from helping_process.audit import unseal
from helping_process.engine import apply
from helping_process.engine import requested_command
from helping_process.exceptions import ApprovalRefusedError
from helping_process.model import ActorRole
from helping_process.model import ApproveRequest
from helping_process.model import AssignCase
from helping_process.model import Consent
from helping_process.model import ConsentPurpose
from helping_process.model import RecordConsent
from helping_process.model import ReferCase
from helping_process.model import TransferCase
from helping_process.snapshot import Origins
from helping_process.snapshot import expected
from helping_process.snapshot import restore
from helping_process.testing import FixedClock
from tests.strategies import JSONObject
from tests.strategies import complete_records
from tests.strategies import failing_contract_records
from tests.strategies import failing_intake_records
from tests.strategies import failing_plan_records
from tests.strategies import move_commands
from tests.strategies import notes
from tests.strategies import reopen_commands
from tests.strategies import termination_commands
from tests.strategies import texts

# --- the reference model: docs/domain.md §3-§5 by hand ----------------------------

GRAPH: dict[str, set[str]] = {
    "engagement": {"intake", "termination"},
    "intake": {"contract", "termination"},
    "contract": {"assessment", "termination"},
    "assessment": {"planning", "termination"},
    "planning": {"intervention", "assessment", "termination"},
    "intervention": {"evaluation", "planning", "assessment", "termination"},
    "evaluation": {"planning", "assessment", "intervention", "termination"},
    "termination": {"engagement"},
}
FORWARD = {
    "engagement": "intake",
    "intake": "contract",
    "contract": "assessment",
    "assessment": "planning",
    "planning": "intervention",
    "intervention": "evaluation",
}
LOOPS = {
    ("planning", "assessment"),
    ("intervention", "planning"),
    ("intervention", "assessment"),
    ("evaluation", "planning"),
    ("evaluation", "assessment"),
    ("evaluation", "intervention"),
}
ACTIVE = set(GRAPH) - {"termination"}
REASON_STAGES = {
    "goals_achieved": {"evaluation"},
    "no_meaningful_progress": {"evaluation"},
    "client_request": ACTIVE,
    "no_suitable_service": ACTIVE,
    "service_available_elsewhere": ACTIVE,
    "not_eligible": {"engagement", "intake", "contract"},
    "beyond_agency_capacity": ACTIVE,
    "client_dislikes_worker": ACTIVE,
    "client_absconded": {"assessment", "planning", "intervention", "evaluation"},
}
#: helping-process@2: death ends services; absconding from admission on.
REASON_STAGES_V2 = {
    **REASON_STAGES,
    "client_died": ACTIVE,
    "client_absconded": ACTIVE - {"engagement"},
}
RESIDENTIAL_ONLY = {"client_absconded"}
PLANNED = {"goals_achieved", "no_meaningful_progress"}
NEEDS_REFERRAL = {"service_available_elsewhere", "beyond_agency_capacity"}
SUB_REASONS = {
    "beyond_agency_capacity": {
        "permanent_illness",
        "mental_disorder",
        "needs_other_discipline",
    },
    "client_dislikes_worker": {"emotional_involvement", "personal_factors"},
    "client_absconded": {
        "dislikes_institutional_life",
        "dissatisfied_with_services",
        "inadequate_facilities",
        "unfriendly_staff",
    },
}
RECORD_STAGES = {
    "engagement": {"engagement"},
    "intake": {"intake"},
    "contract": {"contract", "assessment", "planning", "intervention", "evaluation"},
    "assessment": {"assessment"},
    "plan": {"planning"},
    "activity": {"intervention"},
    "evaluation": {"evaluation"},
}
#: The record that lets a case leave each stage forward.
EXIT_RECORD = {
    "engagement": "engagement",
    "intake": "intake",
    "contract": "contract",
    "assessment": "assessment",
    "planning": "plan",
    "intervention": "activity",
}
STAGE_RECORD = {**EXIT_RECORD, "evaluation": "evaluation"}
#: helping-process@2: an evaluation may also be recorded in intervention.
RECORD_STAGES_V2 = {**RECORD_STAGES, "evaluation": {"intervention", "evaluation"}}


def _given(text: str | None) -> bool:
    return text is not None and bool(text.strip())


class Reference:
    """What the process should allow, tracked from the accepted commands alone."""

    def __init__(self, *, residential: bool, version: int = 1) -> None:
        self.residential = residential
        self.version = version
        self.reason_stages = REASON_STAGES_V2 if version == 2 else REASON_STAGES
        self.record_stages = RECORD_STAGES_V2 if version == 2 else RECORD_STAGES
        self.stage = "engagement"
        self.episode = 1
        #: Case work, kept across episodes: consent per purpose, whether
        #: a referral was made, the unit and the worker of record.
        self.consents: dict[str, bool] = {}
        self.referred = False
        self.unit: str | None = None
        self.worker = "worker-1"
        self.reset()

    def reset(self) -> None:
        """Forget every record: a new episode starts with none in force."""
        #: kind -> the requirement ids its latest record in force leaves unmet
        self.unmet: dict[str, frozenset[str]] = {}
        self.contract_period: tuple[dt.date, dt.date] | None = None
        self.plan_goals: frozenset[str] = frozenset()
        self.scaled_goals: frozenset[str] = frozenset()
        self.all_achieved = False

    # -- what a command would lack -----------------------------------------

    def contract_missing(self, today: dt.date) -> set[str]:
        """The ids standing between the case and a primary contract in force."""
        if self.contract_period is None:
            return {"contract.primary"}
        start, end = self.contract_period
        missing = set(self.unmet["contract"])
        if not start <= today <= end:
            missing.add("contract.in_force")
        return missing

    def evaluation_missing(self) -> set[str]:
        """The ids an evaluation of this visit still lacks."""
        if "evaluation" not in self.unmet:
            return {"evaluation.record"}
        return set(self.unmet["evaluation"])

    def move_missing(self, target: str, note: str | None, today: dt.date) -> set[str]:
        """The ids a legal, non-terminating move still lacks."""
        source = self.stage
        if source == "termination":
            return set() if _given(note) else {"reopen.note"}
        if FORWARD.get(source) == target:
            kind = EXIT_RECORD[source]
            missing = (
                set(self.unmet[kind]) if kind in self.unmet else {f"{kind}.record"}
            )
            if source == "planning":
                missing |= self.contract_missing(today)
            return missing
        missing = set() if _given(note) else {"move.note"}
        if source == "evaluation":
            missing |= self.evaluation_missing()
        if (source, target) == ("evaluation", "intervention"):
            missing |= self.contract_missing(today)
        return missing

    def reason_allowed(self, reason: str) -> bool:
        """Whether the reason may end the episode in this stage."""
        return self.stage in self.reason_stages.get(reason, ()) and (
            self.residential or reason not in RESIDENTIAL_ONLY
        )

    def termination_missing(self, command: TerminateCase) -> set[str]:
        """The ids an allowed termination reason still lacks."""
        reason = command.reason.value
        missing: set[str] = set()
        if reason in PLANNED:
            missing |= self.evaluation_missing()
        if (
            reason == "goals_achieved"
            and "evaluation" in self.unmet
            and not self.all_achieved
        ):
            missing.add("evaluation.goals_achieved")
        if reason in SUB_REASONS and command.sub_reason is None:
            missing.add("termination.sub_reason")
        if (
            reason in NEEDS_REFERRAL
            and not _given(command.referral_to)
            and not self.referred
        ):
            missing.add("termination.referral_to")
        if not _given(command.note):
            missing.add("termination.note")
        return missing

    # -- following accepted commands --------------------------------------

    def enter(self, target: str) -> None:
        """Follow a move, forgetting what the new stage asks for anew."""
        loop = (self.stage, target) in LOOPS
        if target == "engagement" and self.stage == "termination":
            self.episode += 1
            self.reset()
        elif target == "intervention":
            self.unmet.pop("activity", None)
            if self.version > 1:
                # Only an evaluation of this visit to intervention counts.
                self.unmet.pop("evaluation", None)
        elif target == "evaluation":
            if self.version == 1:
                self.unmet.pop("evaluation", None)
        elif loop and target == "assessment":
            self.unmet.pop("assessment", None)
            self.unmet.pop("plan", None)
        elif loop and target == "planning":
            self.unmet.pop("plan", None)
        self.stage = target

    def record(self, kind: str, data: JSONObject, unmet: frozenset[str]) -> None:
        """Follow an accepted record."""
        self.unmet[kind] = unmet
        if kind == "contract":
            self.contract_period = (
                dt.date.fromisoformat(data["valid_from"]),
                dt.date.fromisoformat(data["valid_until"]),
            )
        elif kind == "plan":
            self.plan_goals = frozenset(goal["id"] for goal in data["goals"])
            self.scaled_goals = frozenset(
                goal["id"] for goal in data["goals"] if "gas" in goal
            )
        elif kind == "evaluation":
            self.all_achieved = set(data["achieved_goal_ids"]) >= self.plan_goals


# --- the machine ---------------------------------------------------------------


class HelpingProcessMachine(RuleBasedStateMachine):
    """Drives one case with random commands and checks it against the reference."""

    #: The version of helping-process the case runs under.
    version = 1
    #: The stages each stage may lead to, terminations included.
    graph = GRAPH

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock()
        self.actor = Actor("worker-1")
        self.events: list[Event] = []
        self.case: Case | None = None
        self.reference = Reference(residential=False, version=self.version)

    # -- helpers -----------------------------------------------------------

    @property
    def current(self) -> Case:
        """The case, once opened."""
        assert self.case is not None
        return self.case

    def run(self, command: Command) -> HelpingProcessError | None:
        """Execute ``command``; return the refusal, which must change nothing."""
        before = copy.deepcopy(self.current)
        length = len(self.events)
        try:
            decision = execute(self.current, command, actor=self.actor, at=self.clock())
        except HelpingProcessError as error:
            assert self.current == before
            assert len(self.events) == length
            if isinstance(error, RequirementNotMetError):
                for requirement in error.missing:
                    for lang in ("en", "id"):
                        assert label("requirement", requirement, lang) != requirement
            return error
        event = decision.event
        assert event.seq == before.seq + 1
        assert (event.case_id, event.episode) == (before.case_id, before.episode)
        assert event.from_stage == before.stage
        assert event.to_stage == decision.case.stage
        assert decision.case.stage in self.graph[before.stage] | {before.stage}
        self.case = decision.case
        self.events.append(event)
        return None

    def expect(
        self,
        outcome: HelpingProcessError | None,
        error: type[HelpingProcessError] | None,
        missing: set[str] | None = None,
    ) -> None:
        """Check the outcome: accepted (no error) or refused as predicted."""
        if error is None:
            assert outcome is None, outcome
            return
        assert type(outcome) is error, (outcome, error)
        if missing is not None:
            assert isinstance(outcome, RequirementNotMetError)
            assert set(outcome.missing) == missing

    def draw_record(self, draw: Callable[..., object], kind: str) -> JSONObject:
        """Draw a complete record of ``kind`` that fits the case's plan and day."""
        plan = self.current.records.plan
        goals = sorted(plan.goal_ids) if plan and plan.goals else ["g1"]
        scaled = sorted(plan.scaled_goal_ids) if plan else []
        data = draw(
            complete_records(
                kind,
                today=self.clock.today(),
                goal_ids=goals,
                scaled_goal_ids=scaled,
            )
        )
        assert isinstance(data, dict)
        return data

    def add(self, kind: str, data: JSONObject, unmet: frozenset[str]) -> None:
        """Add a well-formed record and check the engine takes it where it should."""
        outcome = self.run(AddRecord(record=parse_record(kind, data)))
        if self.reference.stage in self.reference.record_stages[kind]:
            self.expect(outcome, None)
            self.reference.record(kind, data, unmet)
        else:
            self.expect(outcome, RecordNotAllowedError)

    def move(self, command: MoveCase) -> None:
        """Move and check the outcome against the reference graph."""
        source, target = self.reference.stage, command.target.value
        outcome = self.run(command)
        if target == "termination" and source != "termination":
            # Termination is reached by terminating with a reason, never by a move.
            self.expect(outcome, RequirementNotMetError, {"termination.reason"})
        elif target not in GRAPH[source]:
            self.expect(outcome, InvalidTransitionError)
        else:
            missing = self.reference.move_missing(
                target, command.note, self.clock.today()
            )
            self.expect(outcome, RequirementNotMetError if missing else None, missing)
            if not missing:
                self.reference.enter(target)

    def terminate(self, command: TerminateCase) -> None:
        """Terminate and check the outcome against the reference reasons."""
        reference = self.reference
        reason, sub_reason = command.reason.value, command.sub_reason
        outcome = self.run(command)
        if reference.stage == "termination":
            self.expect(outcome, InvalidTransitionError)
        elif not reference.reason_allowed(reason):
            self.expect(outcome, InvalidTerminationReasonError)
        elif sub_reason is not None and sub_reason not in SUB_REASONS.get(reason, ()):
            self.expect(outcome, InvalidSubReasonError)
        else:
            missing = reference.termination_missing(command)
            self.expect(outcome, RequirementNotMetError if missing else None, missing)
            if not missing:
                event = self.events[-1]
                assert (event.action, event.reason) == (
                    Action.TERMINATE,
                    command.reason,
                )
                assert reason not in PLANNED or event.from_stage == Stage.EVALUATION
                reference.enter("termination")

    def progress(self, steps: int, data: st.DataObject) -> None:
        """Add each stage's complete record (and a contract) and move forward."""
        for _ in range(steps):
            stage = self.reference.stage
            if stage not in FORWARD:
                return
            if stage == "planning":
                contract = self.draw_record(data.draw, "contract")
                self.add("contract", contract, frozenset())
            kind = EXIT_RECORD[stage]
            self.add(kind, self.draw_record(data.draw, kind), frozenset())
            self.move(MoveCase(target=Stage(FORWARD[stage])))
            if self.reference.stage == stage:
                return

    # -- rules ---------------------------------------------------------------

    @initialize(
        residential=st.booleans(),
        note=st.none() | texts(),
        steps=st.integers(min_value=0, max_value=6),
        data=st.data(),
    )
    def open(
        self, residential: bool, note: str | None, steps: int, data: st.DataObject
    ) -> None:
        """Open the case, residential or not, and take it some stages forward."""
        decision = open_case(
            OpenCase(
                client="client-1",
                residential=residential,
                note=note,
                process=builtin(f"helping-process@{self.version}"),
            ),
            case_id="case-1",
            actor=self.actor,
            at=self.clock(),
        )
        self.case = decision.case
        self.events = [decision.event]
        self.reference = Reference(residential=residential, version=self.version)
        self.progress(steps, data)

    @rule(data=st.data())
    def add_complete_record(self, data: st.DataObject) -> None:
        """Add the complete record the current stage works with."""
        kind = STAGE_RECORD.get(self.reference.stage) or data.draw(
            st.sampled_from(sorted(RECORD_STAGES))
        )
        self.add(kind, self.draw_record(data.draw, kind), frozenset())

    @rule(kind=st.sampled_from(sorted(RECORD_STAGES)), data=st.data())
    def add_any_record(self, kind: str, data: st.DataObject) -> None:
        """Add a complete record of any kind, in whatever stage the case is."""
        self.add(kind, self.draw_record(data.draw, kind), frozenset())

    @rule(data=st.data())
    def add_failing_record(self, data: st.DataObject) -> None:
        """Add a well-formed record that fails the requirements of its stage."""
        today = self.clock.today()
        stage = self.reference.stage
        scaled = self.reference.scaled_goals
        if stage == "evaluation" and scaled and "plan" in self.reference.unmet:
            record = self.draw_record(data.draw, "evaluation")
            record.pop("gas_scores")
            self.add("evaluation", record, frozenset({"evaluation.gas_scores"}))
            return
        failing = data.draw(
            st.one_of(
                failing_intake_records(),
                failing_contract_records(today, kinds=("primary",)),
                failing_plan_records(),
            )
        )
        self.add(failing.kind, failing.data, failing.missing)

    @rule(note=notes())
    def advance(self, note: str | None) -> None:
        """Move forward to the next stage."""
        target = FORWARD.get(self.reference.stage, "termination")
        self.move(MoveCase(target=Stage(target), note=note))

    @rule(command=move_commands())
    def move_anywhere(self, command: MoveCase) -> None:
        """Move to any stage, legal or not."""
        self.move(command)

    @precondition(lambda self: self.reference.stage in FORWARD)
    @rule(steps=st.integers(min_value=1, max_value=7), data=st.data())
    def complete_and_advance(self, steps: int, data: st.DataObject) -> None:
        """Complete the stage and move on, a few stages in a row."""
        self.progress(steps, data)

    @precondition(lambda self: self.reference.stage == "evaluation")
    @rule(
        data=st.data(),
        back_to=st.sampled_from(["assessment", "planning", "intervention"]),
    )
    def evaluate_and_loop(self, data: st.DataObject, back_to: str) -> None:
        """Evaluate the current plan and go back with a note."""
        self.add("evaluation", self.draw_record(data.draw, "evaluation"), frozenset())
        self.move(MoveCase(target=Stage(back_to), note="Goals partly unmet."))

    @precondition(lambda self: self.reference.stage == "evaluation")
    @rule(
        data=st.data(),
        reason=st.sampled_from(sorted(PLANNED)),
        gas_scored=st.booleans(),
    )
    def evaluate_and_end(
        self, data: st.DataObject, reason: str, gas_scored: bool
    ) -> None:
        """Evaluate the current plan and end the episode as planned."""
        record = self.draw_record(data.draw, "evaluation")
        unmet: frozenset[str] = frozenset()
        if not gas_scored and record.pop("gas_scores", None):
            unmet = frozenset({"evaluation.gas_scores"})
        self.add("evaluation", record, unmet)
        self.terminate(
            TerminateCase(reason=TerminationReason(reason), note="Evaluated.")
        )

    @rule(command=termination_commands())
    def terminate_anyhow(self, command: TerminateCase) -> None:
        """Terminate with any reason, sub-reason, referral and note."""
        self.terminate(command)

    @precondition(
        lambda self: self.reference.stage in {"planning", "intervention", "evaluation"}
    )
    @rule(data=st.data())
    def terminate_properly(self, data: st.DataObject) -> None:
        """Terminate with an allowed reason and everything it needs."""
        allowed = sorted(
            reason
            for reason in self.reference.reason_stages
            if self.reference.reason_allowed(reason)
        )
        reason = data.draw(st.sampled_from(allowed))
        subs = sorted(SUB_REASONS.get(reason, ()))
        command = TerminateCase(
            reason=TerminationReason(reason),
            sub_reason=SubReason(data.draw(st.sampled_from(subs))) if subs else None,
            referral_to="Dinas Sosial" if reason in NEEDS_REFERRAL else None,
            note=data.draw(texts()),
        )
        self.terminate(command)

    @rule(command=reopen_commands())
    def reopen(self, command: ReopenCase) -> None:
        """Reopen, with or without a note, whatever the stage."""
        source = self.reference.stage
        outcome = self.run(command)
        if source != "termination":
            self.expect(outcome, InvalidTransitionError)
            return
        missing = set() if _given(command.note) else {"reopen.note"}
        self.expect(outcome, RequirementNotMetError if missing else None, missing)
        if not missing:
            self.reference.enter("engagement")

    @rule(
        work=st.sampled_from(["consent", "refer", "transfer", "assign"]),
        purpose=st.sampled_from(list(ConsentPurpose)),
        given=st.booleans(),
        name=st.sampled_from(["worker-1", "worker-2", "UNIT-A", "UNIT-B"]),
    )
    def case_work(
        self, work: str, purpose: ConsentPurpose, given: bool, name: str
    ) -> None:
        """Consent, refer, transfer or assign: none moves the case."""
        reference = self.reference
        stage = self.current.stage
        # Consent and referral are work of an episode in progress: not in
        # termination, nor in rehsos-pp39's aftercare (after closure) or closed.
        active = reference.stage not in {"termination", "aftercare", "closed"}
        missing: set[str] = set()
        command: Command
        if work == "consent":
            command = RecordConsent(consent=Consent(purpose, given, self.clock.today()))
            missing = set() if active else {"case.active"}
        elif work == "refer":
            command = ReferCase(to=name, note="Referred.")
            missing = set() if active else {"case.active"}
            if not reference.consents.get("referral", False):
                missing.add("consent.referral")
        elif work == "transfer":
            command = TransferCase(unit=name, note="Moved.")
            missing = {"transfer.other_unit"} if name == reference.unit else set()
        else:
            command = AssignCase(worker=name, note="Caseload.")
            missing = {"assign.other_worker"} if name == reference.worker else set()

        outcome = self.run(command)

        self.expect(outcome, RequirementNotMetError if missing else None, missing)
        assert self.current.stage == stage
        if missing:
            return
        if work == "consent":
            reference.consents[purpose.value] = given
        elif work == "refer":
            reference.referred = True
        elif work == "transfer":
            reference.unit = name
        else:
            reference.worker = name
        assert (self.current.worker, self.current.unit) == (
            reference.worker,
            reference.unit,
        )

    @rule(note=notes())
    def redact(self, note: str | None) -> None:
        """Record a redaction, which never moves the case."""
        outcome = self.run(RedactCase(note=note))

        missing = set() if _given(note) else {"redact.note"}
        self.expect(outcome, RequirementNotMetError if missing else None, missing)

    @rule(days=st.integers(min_value=0, max_value=90), hours=st.integers(0, 23))
    def pass_time(self, days: int, hours: int) -> None:
        """Let time pass, so contracts may lapse."""
        self.clock.advance(days=days, hours=hours)

    @rule(seconds=st.integers(min_value=1, max_value=86_400), future=st.booleans())
    def misdate(self, seconds: int, future: bool) -> None:
        """A command dated after now, or before the case's last event, is refused."""
        shift = dt.timedelta(seconds=seconds)
        occurred = (
            self.clock() + shift if future else self.current.last_occurred_at - shift
        )

        outcome = self.run(RedactCase(note="Late entry.", occurred_at=occurred))

        assert isinstance(outcome, InvalidInputError)
        assert outcome.problem == ("future" if future else "before_previous")

    # -- invariants -----------------------------------------------------------

    @invariant()
    def stage_follows_the_reference(self) -> None:
        """The case is in a stage of the graph, the one the reference expects."""
        if self.case is not None:
            assert self.case.stage.value in GRAPH
            assert self.case.definition.ref == f"helping-process@{self.version}"
            assert (self.case.stage.value, self.case.episode) == (
                self.reference.stage,
                self.reference.episode,
            )
            ended = self.case.stage == Stage.TERMINATION
            assert (self.case.termination_reason is not None) == ended

    @invariant()
    def trail_replays_to_the_case(self) -> None:
        """Replaying the trail gives the live case."""
        if self.case is not None:
            assert replay(self.events) == self.case

    @invariant()
    def the_sealed_trail_replays_and_snapshots_to_the_case(self) -> None:
        """Sealed and read back, the trail replays, and snapshots, to the live case."""
        if self.case is None:
            return
        rows: list[Sealed] = []
        for event in self.events:
            rows.append(seal(event, rows[-1].hash if rows else GENESIS))
        replayed, findings = replay_case(rows)
        assert findings == []
        assert replayed == self.case
        folded: Case | None = None
        origins = Origins()
        decoded = {}
        for row in rows:
            event = unseal(row)
            folded = apply(folded, event)
            origins.note(event)
            decoded[row.seq] = (event, row.hash)
        assert folded == self.case
        taken = expected(folded, rows[-1].hash, origins)
        restored, _ = restore(taken, decoded)
        assert restored == self.case
        assert replay_case(rows, snapshots=[taken]) == (self.case, [])

    @invariant()
    def seq_is_gap_free(self) -> None:
        """Sequence numbers run from 1 without gaps."""
        if self.case is not None:
            numbers = [event.seq for event in self.events]
            assert numbers == list(range(1, len(self.events) + 1))
            assert self.case.seq == len(self.events)

    @invariant()
    def terminations_obey_the_reasons(self) -> None:
        """Planned endings come from evaluation; the others from their stages."""
        late = self.reference.reason_stages["client_absconded"]
        for event in self.events:
            if event.action != Action.TERMINATE:
                continue
            reason, stage = event.reason, event.from_stage
            assert reason is not None
            assert stage is not None
            if reason.value in PLANNED:
                assert stage.value == "evaluation"
            if reason.value == "not_eligible":
                assert stage.value in {"engagement", "intake", "contract"}
            if reason.value == "client_absconded":
                assert self.reference.residential
                assert stage.value in late
            assert _given(event.note)

    @invariant()
    def next_moves_match_the_reference(self) -> None:
        """What next_moves says each move lacks is what the reference says."""
        if self.case is None:
            return
        today = self.clock.today()
        options = next_moves(self.case, on=today)
        targets = {option.target.value for option in options.moves}
        assert targets == GRAPH[self.reference.stage] - {"termination"}
        for option in options.moves:
            expected = self.reference.move_missing(option.target.value, "note", today)
            assert set(option.missing) == expected
            assert option.allowed == (not expected)
        reasons = {option.reason.value for option in options.terminations}
        assert reasons == {
            r for r in self.reference.reason_stages if self.reference.reason_allowed(r)
        }


class SecondVersionMachine(HelpingProcessMachine):
    """The same, for a case under helping-process@2."""

    version = 2


class TestHelpingProcess:
    def test_random_command_sequences(self):
        """Random commands keep the case legal, replayable and as the model says."""
        run_state_machine_as_test(
            HelpingProcessMachine, settings=settings(deadline=None)
        )

    def test_random_command_sequences_under_version_two(self):
        """The same holds for a case under helping-process@2."""
        run_state_machine_as_test(
            SecondVersionMachine, settings=settings(deadline=None)
        )


# --- rehsos-pp39@1: residential rehabilitation, by hand --------------------------

#: The moves that are no termination: forward, loops back, and the reopen.
PP39_MOVES: dict[str, set[str]] = {
    "engagement": {"assessment"},
    "assessment": {"planning"},
    "planning": {"intervention", "assessment"},
    "intervention": {"resocialization", "planning", "assessment"},
    "resocialization": set(),
    "termination": {"aftercare"},
    "aftercare": {"closed"},
    "closed": {"engagement"},
}
PP39_ACTIVE = {
    "engagement",
    "assessment",
    "planning",
    "intervention",
    "resocialization",
}
#: Where a termination leads from each stage: planned to termination (then
#: aftercare), early straight to closed.
PP39_ENDS: dict[str, set[str]] = {
    **{stage: {"closed"} for stage in PP39_ACTIVE},
    "resocialization": {"termination", "closed"},
    "aftercare": {"closed"},
}
PP39_GRAPH = {
    stage: targets | PP39_ENDS.get(stage, set())
    for stage, targets in PP39_MOVES.items()
}
PP39_FORWARD = {
    "engagement": "assessment",
    "assessment": "planning",
    "planning": "intervention",
    "intervention": "resocialization",
    "termination": "aftercare",
    "aftercare": "closed",
}
PP39_LOOPS = {
    ("planning", "assessment"),
    ("intervention", "planning"),
    ("intervention", "assessment"),
}
PP39_REASON_STAGES = {
    "goals_achieved": {"resocialization"},
    "no_meaningful_progress": {"resocialization"},
    "client_request": PP39_ACTIVE,
    "no_suitable_service": PP39_ACTIVE,
    "service_available_elsewhere": PP39_ACTIVE,
    "not_eligible": {"engagement"},
    "beyond_agency_capacity": PP39_ACTIVE,
    "client_dislikes_worker": PP39_ACTIVE,
    "client_absconded": PP39_ACTIVE,
    "client_died": PP39_ACTIVE | {"aftercare"},
    "lost_contact": {"aftercare"},
}
PP39_RECORD_STAGES = {
    "engagement": {"engagement"},
    "intake": {"engagement"},
    "contract": PP39_ACTIVE,
    "assessment": {"assessment"},
    "plan": {"planning"},
    "activity": {"intervention", "resocialization"},
    "evaluation": {"intervention", "resocialization"},
    "case_conference": {"assessment"},
    "resocialization": {"resocialization"},
    "aftercare_plan": {"termination"},
    "follow_up": {"aftercare"},
}
#: The records each forward move asks for, in the order the stage makes them.
PP39_EXIT_RECORDS = {
    "engagement": ("engagement", "intake", "contract"),
    "assessment": ("assessment", "case_conference"),
    "planning": ("plan",),
    "intervention": ("activity", "evaluation"),
    "termination": ("aftercare_plan",),
    "aftercare": ("follow_up",),
}


class ResidentialReference(Reference):
    """What rehsos-pp39@1 should allow, tracked from the accepted commands alone."""

    def __init__(self) -> None:
        super().__init__(residential=True, version=2)
        self.reason_stages = PP39_REASON_STAGES
        self.record_stages = PP39_RECORD_STAGES

    def reset(self) -> None:
        """Forget every record, the aftercare plan too."""
        super().reset()
        self.aftercare_until: dt.date | None = None

    def _record_missing(self, kind: str) -> set[str]:
        return set(self.unmet[kind]) if kind in self.unmet else {f"{kind}.record"}

    def move_missing(  # noqa: PLR0911 - one return per stage left
        self, target: str, note: str | None, today: dt.date
    ) -> set[str]:
        """The ids a legal, non-terminating move still lacks."""
        source = self.stage
        if source == "closed":
            return set() if _given(note) else {"reopen.note"}
        if PP39_FORWARD.get(source) != target:
            return set() if _given(note) else {"move.note"}
        match source:
            case "engagement":
                missing = self._record_missing("engagement")
                return (
                    missing
                    | self._record_missing("intake")
                    | self.contract_missing(today)
                )
            case "assessment":
                return self._record_missing("assessment") | self._record_missing(
                    "case_conference"
                )
            case "planning":
                return self._record_missing("plan") | self.contract_missing(today)
            case "intervention":
                return self._record_missing("activity") | self.evaluation_missing()
            case "termination":
                return self._record_missing("aftercare_plan")
            case _:  # aftercare, until the plan's last day
                if self.aftercare_until is None:
                    return {"aftercare_plan.record"}
                return (
                    set()
                    if self.aftercare_until <= today
                    else {"aftercare.period_ended"}
                )

    def termination_missing(self, command: TerminateCase) -> set[str]:
        """The ids an allowed termination reason still lacks."""
        missing = super().termination_missing(command)
        if command.reason.value in PLANNED:
            missing |= self._record_missing("resocialization")
        return missing

    def enter(self, target: str) -> None:
        """Follow a move, forgetting what the new stage asks for anew."""
        loop = (self.stage, target) in PP39_LOOPS
        if target == "engagement" and self.stage == "closed":
            self.episode += 1
            self.reset()
        elif target == "intervention":
            self.unmet.pop("activity", None)
            self.unmet.pop("evaluation", None)
        elif loop and target == "assessment":
            for kind in ("assessment", "plan", "case_conference"):
                self.unmet.pop(kind, None)
        elif loop and target == "planning":
            self.unmet.pop("plan", None)
        self.stage = target

    def record(self, kind: str, data: JSONObject, unmet: frozenset[str]) -> None:
        """Follow an accepted record."""
        super().record(kind, data, unmet)
        if kind == "aftercare_plan":
            self.aftercare_until = dt.date.fromisoformat(data["until"])


def _resocialization_unmet(data: JSONObject) -> frozenset[str]:
    return frozenset(
        f"resocialization.{name}"
        for name in ("family_prepared", "community_prepared")
        if not data[name]
    )


class ResidentialMachine(HelpingProcessMachine):
    """The same machine for a case under rehsos-pp39@1, against its own reference.

    Rules and invariants of the helping process that name its stages are
    replaced here; those that do not (records that fail, redaction, time,
    replay, sealing and snapshots) run as they are.
    """

    graph = PP39_GRAPH

    def __init__(self) -> None:
        super().__init__()
        self.reference = ResidentialReference()

    def run(self, command: Command) -> HelpingProcessError | None:
        """Execute ``command``; a request the profile gates is approved at once.

        The profile gates every termination and every coerce activity for a
        supervisor: the command becomes a request that leaves the case
        where it is, and takes effect when a supervisor other than the
        worker approves it, as the service does (approval, then the command
        decided again for its requester). So the reference sees the effect.
        """
        outcome = super().run(command)
        request = self.events[-1] if self.events else None
        if (
            outcome is not None
            or request is None
            or request.action is not Action.REQUEST
        ):
            return outcome
        assert self.current.stage == request.from_stage == request.to_stage
        assert request.approver is ActorRole.SUPERVISOR
        with pytest.raises(ApprovalRefusedError):  # never one's own request
            execute(
                self.current,
                ApproveRequest(request=request.seq, note="Mine."),
                actor=self.actor,
                at=self.clock(),
            )
        supervisor = Actor("penyelia-1", ActorRole.SUPERVISOR)
        approval = execute(
            self.current,
            ApproveRequest(request=request.seq, note="Signed off."),
            actor=supervisor,
            at=self.clock(),
        )
        effect = execute(
            approval.case,
            requested_command(request),
            actor=request.actor,
            at=self.clock(),
        )
        assert effect.event.action is request.requested
        self.events += [approval.event, effect.event]
        self.case = effect.case
        return None

    def unmet_of(self, kind: str, data: JSONObject) -> frozenset[str]:
        """What a complete record of ``kind`` leaves unmet (a resocialization may)."""
        return (
            _resocialization_unmet(data) if kind == "resocialization" else frozenset()
        )

    def move(self, command: MoveCase) -> None:
        """Move and check the outcome against the profile's graph."""
        source, target = self.reference.stage, command.target.value
        outcome = self.run(command)
        if target in PP39_ENDS.get(source, ()) and target not in PP39_MOVES[source]:
            self.expect(outcome, RequirementNotMetError, {"termination.reason"})
        elif target not in PP39_MOVES[source]:
            self.expect(outcome, InvalidTransitionError)
        else:
            missing = self.reference.move_missing(
                target, command.note, self.clock.today()
            )
            self.expect(outcome, RequirementNotMetError if missing else None, missing)
            if not missing:
                self.reference.enter(target)

    def terminate(self, command: TerminateCase) -> None:
        """Terminate and check the outcome against the profile's reasons."""
        reference = self.reference
        reason, sub_reason = command.reason.value, command.sub_reason
        outcome = self.run(command)
        if reference.stage not in PP39_ENDS:
            self.expect(outcome, InvalidTransitionError)
        elif not reference.reason_allowed(reason):
            self.expect(outcome, InvalidTerminationReasonError)
        elif sub_reason is not None and sub_reason not in SUB_REASONS.get(reason, ()):
            self.expect(outcome, InvalidSubReasonError)
        else:
            missing = reference.termination_missing(command)
            self.expect(outcome, RequirementNotMetError if missing else None, missing)
            if not missing:
                reference.enter("termination" if reason in PLANNED else "closed")

    def progress(self, steps: int, data: st.DataObject) -> None:
        """Add each stage's complete records and move forward."""
        for _ in range(steps):
            stage = self.reference.stage
            if stage == "resocialization":
                self.end_as_planned(data, "no_meaningful_progress")
                if self.reference.stage == stage:
                    return
                continue
            if stage not in PP39_FORWARD:
                return
            for kind in PP39_EXIT_RECORDS[stage]:
                if kind == "aftercare_plan":
                    record = self.draw_record(data.draw, kind)
                    record["until"] = self.clock.today().isoformat()
                else:
                    record = self.draw_record(data.draw, kind)
                self.add(kind, record, frozenset())
            self.move(MoveCase(target=Stage(PP39_FORWARD[stage])))
            if self.reference.stage == stage:
                return

    @initialize(
        note=st.none() | texts(),
        steps=st.integers(min_value=0, max_value=8),
        data=st.data(),
    )
    def open(self, note: str | None, steps: int, data: st.DataObject) -> None:
        """Open a residential case and take it some stages forward."""
        with pytest.raises(InvalidInputError):
            open_case(
                OpenCase(client="c", process=builtin("rehsos-pp39@1")),
                case_id="case-0",
                actor=self.actor,
                at=self.clock(),
            )
        decision = open_case(
            OpenCase(
                client="client-1",
                residential=True,
                note=note,
                process=builtin("rehsos-pp39@1"),
            ),
            case_id="case-1",
            actor=self.actor,
            at=self.clock(),
        )
        self.case = decision.case
        self.events = [decision.event]
        self.reference = ResidentialReference()
        self.progress(steps, data)

    @rule(data=st.data())
    def add_complete_record(self, data: st.DataObject) -> None:
        """Add a complete record of a kind the current stage works with."""
        kinds = sorted(
            kind
            for kind, stages in PP39_RECORD_STAGES.items()
            if self.reference.stage in stages
        ) or sorted(PP39_RECORD_STAGES)
        kind = data.draw(st.sampled_from(kinds))
        record = self.draw_record(data.draw, kind)
        self.add(kind, record, self.unmet_of(kind, record))

    @rule(kind=st.sampled_from(sorted(PP39_RECORD_STAGES)), data=st.data())
    def add_any_record(self, kind: str, data: st.DataObject) -> None:
        """Add a complete record of any kind, in whatever stage the case is."""
        record = self.draw_record(data.draw, kind)
        self.add(kind, record, self.unmet_of(kind, record))

    @rule(family=st.booleans(), community=st.booleans(), data=st.data())
    def prepare_the_return(
        self, family: bool, community: bool, data: st.DataObject
    ) -> None:
        """Record how far family and community are prepared."""
        record = self.draw_record(data.draw, "resocialization")
        record.update(family_prepared=family, community_prepared=community)
        self.add("resocialization", record, _resocialization_unmet(record))

    @rule(note=notes())
    def advance(self, note: str | None) -> None:
        """Move forward to the next stage (or on from resocialization)."""
        target = PP39_FORWARD.get(self.reference.stage, "termination")
        self.move(MoveCase(target=Stage(target), note=note))

    @precondition(lambda self: self.reference.stage not in {"closed"})
    @rule(steps=st.integers(min_value=1, max_value=8), data=st.data())
    def complete_and_advance(self, steps: int, data: st.DataObject) -> None:
        """Complete the stage and move on, a few stages in a row."""
        self.progress(steps, data)

    @precondition(lambda self: self.reference.stage == "resocialization")
    @rule(data=st.data(), reason=st.sampled_from(sorted(PLANNED)))
    def end_as_planned(self, data: st.DataObject, reason: str) -> None:
        """Evaluate, prepare the return, and end the episode as planned."""
        self.add("evaluation", self.draw_record(data.draw, "evaluation"), frozenset())
        self.add(
            "resocialization",
            self.draw_record(data.draw, "resocialization"),
            frozenset(),
        )
        self.terminate(
            TerminateCase(reason=TerminationReason(reason), note="Ready to go home.")
        )

    @precondition(lambda self: self.reference.stage == "aftercare")
    @rule(note=texts())
    def lose_contact(self, note: str) -> None:
        """End aftercare early: the client cannot be reached."""
        self.terminate(
            TerminateCase(reason=TerminationReason("lost_contact"), note=note)
        )

    @rule(command=reopen_commands())
    def reopen(self, command: ReopenCase) -> None:
        """Reopen, with or without a note, whatever the stage."""
        source = self.reference.stage
        outcome = self.run(command)
        if source != "closed":
            self.expect(outcome, InvalidTransitionError)
            return
        missing = set() if _given(command.note) else {"reopen.note"}
        self.expect(outcome, RequirementNotMetError if missing else None, missing)
        if not missing:
            self.reference.enter("engagement")

    @invariant()
    def stage_follows_the_reference(self) -> None:
        """The case is in a stage of the profile, the one the reference expects."""
        if self.case is not None:
            assert self.case.stage.value in PP39_GRAPH
            assert self.case.definition.ref == "rehsos-pp39@1"
            assert self.case.residential
            assert (self.case.stage.value, self.case.episode) == (
                self.reference.stage,
                self.reference.episode,
            )
            ended = self.case.stage.value not in PP39_ACTIVE
            assert (self.case.termination_reason is not None) == ended

    @invariant()
    def terminations_obey_the_reasons(self) -> None:
        """Planned endings come from resocialization; lost contact from aftercare."""
        for event in self.events:
            if event.action != Action.TERMINATE:
                continue
            reason, stage = event.reason, event.from_stage
            assert reason is not None
            assert stage is not None
            assert stage.value in PP39_REASON_STAGES[reason.value]
            planned = reason.value in PLANNED
            assert event.to_stage.value == ("termination" if planned else "closed")
            assert _given(event.note)

    @invariant()
    def next_moves_match_the_reference(self) -> None:
        """What next_moves says each move lacks is what the reference says."""
        if self.case is None:
            return
        today = self.clock.today()
        options = next_moves(self.case, on=today)
        targets = {option.target.value for option in options.moves}
        assert targets == PP39_MOVES[self.reference.stage]
        for option in options.moves:
            expected = self.reference.move_missing(option.target.value, "note", today)
            assert set(option.missing) == expected
            assert option.allowed == (not expected)
        reasons = {option.reason.value for option in options.terminations}
        assert reasons == {
            r for r in self.reference.reason_stages if self.reference.reason_allowed(r)
        }


class TestResidentialProfile:
    def test_random_command_sequences(self):
        """The same holds for a case under rehsos-pp39@1, aftercare included."""
        run_state_machine_as_test(ResidentialMachine, settings=settings(deadline=None))
