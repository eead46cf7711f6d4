"""The engine: moves, their requirements, loops, termination and reopening (§2-§4)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from helping_process import Action
from helping_process import ActivityRecord
from helping_process import Actor
from helping_process import ActorRole
from helping_process import InvalidInputError
from helping_process import InvalidSubReasonError
from helping_process import InvalidTerminationReasonError
from helping_process import InvalidTransitionError
from helping_process import MoveCase
from helping_process import MoveOption
from helping_process import OpenCase
from helping_process import RecordInvalidError
from helping_process import RecordsInForce
from helping_process import RedactCase
from helping_process import ReopenCase
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminateCase
from helping_process import TerminationOption
from helping_process import TerminationReason
from helping_process import execute
from helping_process import next_moves
from helping_process import open_case
from helping_process.states.vocabulary import HELPING_REASONS
from helping_process.states.vocabulary import HELPING_STAGES
from helping_process.testing import Walk
from helping_process.testing import activity_data
from helping_process.testing import add
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data
from helping_process.testing import walk

#: These tests state the rules of helping-process@1 (docs/domain.md).
pytestmark = pytest.mark.usefixtures("first_rules")

S = Stage
R = TerminationReason
NOTE = "New information came up."

NEXT = {
    S.ENGAGEMENT: S.INTAKE,
    S.INTAKE: S.CONTRACT,
    S.CONTRACT: S.ASSESSMENT,
    S.ASSESSMENT: S.PLANNING,
    S.PLANNING: S.INTERVENTION,
    S.INTERVENTION: S.EVALUATION,
}

#: docs/domain.md §3 by hand: every legal target of each stage.
LEGAL_TARGETS = {
    S.ENGAGEMENT: {S.INTAKE, S.TERMINATION},
    S.INTAKE: {S.CONTRACT, S.TERMINATION},
    S.CONTRACT: {S.ASSESSMENT, S.TERMINATION},
    S.ASSESSMENT: {S.PLANNING, S.TERMINATION},
    S.PLANNING: {S.INTERVENTION, S.ASSESSMENT, S.TERMINATION},
    S.INTERVENTION: {S.EVALUATION, S.PLANNING, S.ASSESSMENT, S.TERMINATION},
    S.EVALUATION: {S.PLANNING, S.ASSESSMENT, S.INTERVENTION, S.TERMINATION},
    S.TERMINATION: {S.ENGAGEMENT},
}
ACTIVE = [stage for stage in HELPING_STAGES if stage is not S.TERMINATION]
EIC = {S.ENGAGEMENT, S.INTAKE, S.CONTRACT}
ABSCONDING = {S.ASSESSMENT, S.PLANNING, S.INTERVENTION, S.EVALUATION}

#: docs/domain.md §5 by hand: where each reason may be used (non-residential).
REASON_STAGES: dict[TerminationReason, set[Stage]] = {
    R.GOALS_ACHIEVED: {S.EVALUATION},
    R.NO_MEANINGFUL_PROGRESS: {S.EVALUATION},
    R.CLIENT_REQUEST: set(ACTIVE),
    R.NO_SUITABLE_SERVICE: set(ACTIVE),
    R.SERVICE_AVAILABLE_ELSEWHERE: set(ACTIVE),
    R.NOT_ELIGIBLE: EIC,
    R.BEYOND_AGENCY_CAPACITY: set(ACTIVE),
    R.CLIENT_DISLIKES_WORKER: set(ACTIVE),
    R.CLIENT_ABSCONDED: set(),
    R.CLIENT_DIED: set(),
}

EXIT_RECORDS = [
    (S.ENGAGEMENT, add("engagement", engagement_data()), "engagement.record"),
    (S.INTAKE, add("intake", intake_data()), "intake.record"),
    (S.CONTRACT, add("contract", contract_data()), "contract.record"),
    (S.ASSESSMENT, add("assessment", assessment_data()), "assessment.record"),
    (S.PLANNING, add("plan", plan_data()), "plan.record"),
    (S.INTERVENTION, add("activity", activity_data()), "activity.record"),
]


def missing(walked: Walk, command) -> tuple[str, ...]:
    """Return the requirement ids the engine names when it refuses ``command``."""
    with pytest.raises(RequirementNotMetError) as refused:
        walked.then(command)
    return refused.value.missing


def evaluated(achieved=("g1", "g2"), **options) -> Walk:
    """Return a case in evaluation with an evaluation of the current plan."""
    return walk(S.EVALUATION, **options).then(
        add("evaluation", evaluation_data(achieved))
    )


def ended(reason: TerminationReason, **fields) -> TerminateCase:
    """Return a termination command with a note."""
    return TerminateCase(reason=reason, note="Ending the episode.", **fields)


class TestOpenCase:
    def test_a_new_case_starts_in_engagement(self, clock, actor):
        """Opening a case puts it in engagement, as episode 1, at sequence 1."""
        decision = open_case(
            OpenCase(client="C-17", residential=True),
            case_id="c1",
            actor=actor,
            at=clock(),
        )

        case = decision.case
        assert (case.stage, case.episode, case.seq, case.residential) == (
            S.ENGAGEMENT,
            1,
            1,
            True,
        )
        assert case.records == RecordsInForce()

    def test_opening_records_an_event(self, clock, actor):
        """The opening event names the client, the actor and the first stage."""
        decision = open_case(
            OpenCase(client="C-17", note="Walk-in."),
            case_id="c1",
            actor=actor,
            at=clock(),
        )

        event = decision.event
        assert (event.action, event.from_stage, event.to_stage) == (
            Action.OPEN,
            None,
            S.ENGAGEMENT,
        )
        assert (event.client, event.note, event.actor) == ("C-17", "Walk-in.", actor)
        assert (event.occurred_at, event.recorded_at) == (clock(), clock())

    def test_blank_client_is_refused(self):
        """A case cannot be opened without a client reference."""
        with pytest.raises(InvalidInputError) as refused:
            OpenCase(client="   ")

        assert (refused.value.field, refused.value.problem) == ("client", "blank")

    def test_residential_must_be_a_bool(self):
        """Whether a case is residential is true or false, nothing else."""
        with pytest.raises(InvalidInputError) as refused:
            OpenCase(client="C-17", residential="yes")  # type: ignore[arg-type] # bad input on purpose

        assert refused.value.field == "residential"


class TestActor:
    def test_default_role_is_worker(self):
        """An actor acts as a social worker unless told otherwise."""
        actor = Actor("w-1")

        assert actor.role == ActorRole.WORKER

    def test_role_from_its_code(self):
        """A role may be given by its code."""
        actor = Actor("s-1", "supervisor")

        assert actor.role == ActorRole.SUPERVISOR

    def test_unknown_role_is_refused(self):
        """An unknown role is bad input."""
        with pytest.raises(InvalidInputError) as refused:
            Actor("w-1", "boss")

        assert (refused.value.field, refused.value.problem) == ("role", "unknown_code")

    def test_blank_actor_is_refused(self):
        """Every command is done by someone."""
        with pytest.raises(InvalidInputError) as refused:
            Actor(" ")

        assert refused.value.field == "actor"


class TestForwardMoves:
    @pytest.mark.parametrize(("stage", "record", "requirement"), EXIT_RECORDS)
    def test_forward_move_needs_the_exit_record(
        self, clock, stage, record, requirement
    ):
        """A forward move is refused, naming the record the stage still needs."""
        walked = walk(stage, clock=clock)

        found = missing(walked, MoveCase(target=NEXT[stage]))

        assert found == (requirement,)

    @pytest.mark.parametrize(("stage", "record", "requirement"), EXIT_RECORDS)
    def test_forward_move_with_the_exit_record(self, clock, stage, record, requirement):
        """With its exit record in, the case moves to the next stage."""
        walked = walk(stage, clock=clock)

        moved = walked.then(record, MoveCase(target=NEXT[stage]))

        event = moved.events[-1]
        assert moved.case.stage == NEXT[stage]
        assert (event.action, event.from_stage, event.to_stage) == (
            Action.MOVE,
            stage,
            NEXT[stage],
        )

    def test_a_forward_move_may_carry_a_note(self):
        """A note on a forward move is kept, though none is needed."""
        walked = walk(S.ENGAGEMENT).then(add("engagement", engagement_data()))

        moved = walked.then(MoveCase(target=S.INTAKE, note="Accepted for intake."))

        assert moved.events[-1].note == "Accepted for intake."

    def test_moving_enters_the_stage_at_that_time(self, clock):
        """The case remembers when it entered its stage."""
        walked = walk(S.ENGAGEMENT, clock=clock).then(
            add("engagement", engagement_data())
        )
        later = clock.advance(hours=2)

        moved = walked.then(MoveCase(target=S.INTAKE))

        assert (moved.case.stage_entered_at, moved.case.last_occurred_at) == (
            later,
            later,
        )

    def test_seq_counts_every_event(self):
        """Every accepted command adds one event, numbered from 1 without gaps."""
        walked = walk(S.TERMINATION)

        numbers = [event.seq for event in walked.events]

        assert numbers == list(range(1, len(walked.events) + 1))
        assert walked.case.seq == len(walked.events)


class TestIntakeRequirements:
    def test_ineligible_candidate_stays_in_intake(self):
        """A candidate found not eligible cannot go on to the contract."""
        walked = walk(S.INTAKE).then(
            add("intake", intake_data(eligible=False, criteria_failed=["Age"]))
        )

        found = missing(walked, MoveCase(target=S.CONTRACT))

        assert found == ("intake.eligible",)

    def test_uninformed_client_stays_in_intake(self):
        """The client must be told which resources exist before the contract."""
        walked = walk(S.INTAKE).then(
            add("intake", intake_data(resources_informed=False))
        )

        found = missing(walked, MoveCase(target=S.CONTRACT))

        assert found == ("intake.resources_informed",)

    def test_ineligible_candidate_terminates_as_not_eligible(self):
        """An ineligible candidate's episode ends as not eligible."""
        walked = walk(S.INTAKE).then(
            add("intake", intake_data(eligible=False, criteria_failed=["Age"]))
        )

        ended_case = walked.then(ended(R.NOT_ELIGIBLE)).case

        assert (ended_case.stage, ended_case.termination_reason) == (
            S.TERMINATION,
            R.NOT_ELIGIBLE,
        )


class TestContractRequirements:
    @pytest.mark.parametrize(
        ("overrides", "requirement"),
        [
            ({"consensual": False}, "contract.consensual"),
            ({"mutual_agreement": False}, "contract.mutual_agreement"),
            ({"acceptance": False}, "contract.acceptance"),
            ({"reciprocal": False}, "contract.reciprocal"),
            ({"responsibilities": []}, "contract.responsibilities"),
            ({"tasks": []}, "contract.tasks"),
            ({"valid_until": "2025-01-01"}, "contract.time_period"),
            ({"valid_until": "2024-12-01"}, "contract.time_period"),
        ],
    )
    def test_each_missing_element_is_named(self, overrides, requirement):
        """A contract lacking one of its seven elements keeps the case in contract."""
        walked = walk(S.CONTRACT).then(add("contract", contract_data(**overrides)))

        found = missing(walked, MoveCase(target=S.ASSESSMENT))

        assert found == (requirement,)

    def test_every_missing_element_is_named(self):
        """The refusal names every element the contract lacks, not just the first."""
        walked = walk(S.CONTRACT).then(
            add(
                "contract",
                contract_data(
                    consensual=False,
                    mutual_agreement=False,
                    acceptance=False,
                    reciprocal=False,
                    responsibilities=[],
                    tasks=[],
                    valid_until="2024-01-01",
                ),
            )
        )

        found = missing(walked, MoveCase(target=S.ASSESSMENT))

        assert set(found) == {
            "contract.consensual",
            "contract.mutual_agreement",
            "contract.acceptance",
            "contract.reciprocal",
            "contract.responsibilities",
            "contract.tasks",
            "contract.time_period",
        }

    def test_failing_contract_is_recorded(self):
        """A well-formed contract that lacks acceptance is still recorded."""
        walked = walk(S.CONTRACT)

        recorded = walked.then(add("contract", contract_data(acceptance=False)))

        assert recorded.events[-1].action == Action.RECORD
        assert recorded.case.records.contract is not None
        assert recorded.case.records.contract.acceptance is False

    def test_secondary_contract_alone_does_not_do(self):
        """A secondary contract does not let the case leave the contract stage."""
        walked = walk(S.CONTRACT).then(add("contract", contract_data("secondary")))

        found = missing(walked, MoveCase(target=S.ASSESSMENT))

        assert found == ("contract.record",)

    def test_preliminary_contract_leaves_contract(self):
        """A preliminary contract is enough to leave the contract stage."""
        walked = walk(S.CONTRACT).then(add("contract", contract_data("preliminary")))

        moved = walked.then(MoveCase(target=S.ASSESSMENT))

        assert moved.case.stage == S.ASSESSMENT

    def test_planning_needs_a_primary_contract(self):
        """A plan is carried out only under a primary contract."""
        walked = (
            walk(S.CONTRACT)
            .then(add("contract", contract_data("preliminary")))
            .then(MoveCase(target=S.ASSESSMENT), add("assessment", assessment_data()))
            .then(MoveCase(target=S.PLANNING), add("plan", plan_data()))
        )

        found = missing(walked, MoveCase(target=S.INTERVENTION))

        assert found == ("contract.primary",)

    def test_primary_contract_added_in_planning(self):
        """A primary contract may follow a preliminary one in a later stage."""
        walked = (
            walk(S.CONTRACT)
            .then(add("contract", contract_data("preliminary")))
            .then(MoveCase(target=S.ASSESSMENT), add("assessment", assessment_data()))
            .then(MoveCase(target=S.PLANNING), add("plan", plan_data()))
        )

        moved = walked.then(
            add("contract", contract_data("primary")), MoveCase(target=S.INTERVENTION)
        )

        assert moved.case.stage == S.INTERVENTION

    def test_primary_contract_must_be_complete(self):
        """The primary contract planning relies on must have all its elements."""
        walked = walk(S.PLANNING).then(
            add("contract", contract_data(acceptance=False)),
            add("plan", plan_data()),
        )

        found = missing(walked, MoveCase(target=S.INTERVENTION))

        assert found == ("contract.acceptance",)

    def test_expired_contract_blocks_the_intervention(self, clock):
        """Leaving planning needs the primary contract in force on that day."""
        walked = walk(S.PLANNING, clock=clock).then(add("plan", plan_data()))
        clock.advance(days=400)

        found = missing(walked, MoveCase(target=S.INTERVENTION))

        assert found == ("contract.in_force",)

    def test_contract_not_yet_in_force_blocks_the_intervention(self):
        """A contract that starts later is not in force yet."""
        walked = walk(S.PLANNING).then(
            add(
                "contract",
                contract_data(valid_from="2025-02-01", valid_until="2025-12-31"),
            ),
            add("plan", plan_data()),
        )

        found = missing(walked, MoveCase(target=S.INTERVENTION))

        assert found == ("contract.in_force",)

    def test_contract_in_force_on_its_last_day(self, clock):
        """A contract is still in force on its ``valid_until`` day."""
        walked = walk(S.PLANNING, clock=clock).then(
            add(
                "contract",
                contract_data(valid_from="2025-01-01", valid_until="2025-01-10"),
            ),
            add("plan", plan_data()),
        )
        clock.advance(days=4)

        moved = walked.then(MoveCase(target=S.INTERVENTION))

        assert moved.case.stage == S.INTERVENTION

    def test_secondary_contract_never_replaces_the_primary(self):
        """A failing secondary contract leaves the primary contract in force."""
        walked = walk(S.PLANNING).then(
            add("contract", contract_data("secondary", acceptance=False)),
            add("plan", plan_data()),
        )

        moved = walked.then(MoveCase(target=S.INTERVENTION))

        assert moved.case.stage == S.INTERVENTION
        assert len(moved.case.records.secondary_contracts) == 1

    def test_newer_contract_supersedes_the_older(self):
        """A new contract replaces the old one for the requirements."""
        walked = walk(S.CONTRACT).then(
            add("contract", contract_data(acceptance=False)),
            add("contract", contract_data()),
        )

        moved = walked.then(MoveCase(target=S.ASSESSMENT))

        assert moved.case.stage == S.ASSESSMENT
        assert [event.record.kind for event in moved.events if event.record][-2:] == [
            "contract",
            "contract",
        ]

    def test_newer_failing_contract_supersedes_a_good_one(self):
        """A later contract that lacks acceptance is the one that counts."""
        walked = walk(S.CONTRACT).then(
            add("contract", contract_data()),
            add("contract", contract_data(acceptance=False)),
        )

        found = missing(walked, MoveCase(target=S.ASSESSMENT))

        assert found == ("contract.acceptance",)


class TestPlanRequirements:
    @pytest.mark.parametrize(
        ("plan", "requirement"),
        [
            (plan_data(goal_ids=()), "plan.goals"),
            (
                plan_data(
                    goals=[
                        {
                            "id": "g1",
                            "statement": "Back to school.",
                            "success_indicator": "Attends.",
                            "objectives": [],
                        }
                    ]
                ),
                "plan.objectives",
            ),
            (
                plan_data(
                    goals=[
                        {
                            "id": "g1",
                            "statement": "Back to school.",
                            "success_indicator": "Attends.",
                            "objectives": [{"statement": "Enrol.", "tasks": []}],
                        }
                    ]
                ),
                "plan.tasks",
            ),
        ],
    )
    def test_incomplete_plan_keeps_the_case_in_planning(self, plan, requirement):
        """A plan needs goals, each with objectives, each with tasks."""
        walked = walk(S.PLANNING).then(add("plan", plan))

        found = missing(walked, MoveCase(target=S.INTERVENTION))

        assert found == (requirement,)

    def test_plan_and_contract_are_both_named(self, clock):
        """Leaving planning names a missing plan and a lapsed contract together."""
        walked = walk(S.PLANNING, clock=clock)
        clock.advance(days=400)

        found = missing(walked, MoveCase(target=S.INTERVENTION))

        assert found == ("plan.record", "contract.in_force")

    def test_newer_plan_supersedes_the_older(self):
        """The latest plan is the plan in force."""
        walked = walk(S.PLANNING).then(
            add("plan", plan_data(("a",))), add("plan", plan_data(("b", "c")))
        )

        plan = walked.case.records.plan

        assert plan is not None
        assert plan.goal_ids == {"b", "c"}


class TestInterventionRequirements:
    def test_activity_counts_only_since_entering_intervention(self):
        """Continuing the same plan needs a new activity before evaluating again."""
        walked = evaluated().then(MoveCase(target=S.INTERVENTION, note=NOTE))

        found = missing(walked, MoveCase(target=S.EVALUATION))

        assert found == ("activity.record",)
        assert walked.case.records.activity is None

    def test_the_latest_activity_is_in_force_and_every_one_in_the_trail(self):
        """The case holds the latest activity; the trail keeps each of them."""
        walked = walk(S.INTERVENTION).then(
            add("activity", activity_data(("g1",))),
            add("activity", activity_data(("g2",))),
        )

        in_force = walked.case.records.activity
        recorded = [
            e.record for e in walked.events if isinstance(e.record, ActivityRecord)
        ]

        assert in_force is not None
        assert in_force.goal_ids == ("g2",)
        assert [r.goal_ids for r in recorded[-2:]] == [("g1",), ("g2",)]

    def test_activity_for_a_goal_outside_the_plan_is_refused(self):
        """An activity serves goals of the current plan only."""
        walked = walk(S.INTERVENTION)

        with pytest.raises(RecordInvalidError) as refused:
            walked.then(add("activity", activity_data(("g1", "g9"))))

        assert (refused.value.field, refused.value.problem, refused.value.value) == (
            "goal_ids",
            "unknown_goal",
            "g9",
        )

    def test_coercion_with_justification_is_recorded(self):
        """A justified coercive activity is recorded."""
        walked = walk(S.INTERVENTION)

        recorded = walked.then(
            add(
                "activity",
                activity_data(model="coerce", justification="Immediate danger."),
            )
        )

        activity = recorded.case.records.activity
        assert activity is not None
        assert activity.justification == "Immediate danger."


class TestEvaluationRequirements:
    @pytest.mark.parametrize("target", [S.ASSESSMENT, S.PLANNING, S.INTERVENTION])
    def test_every_loop_out_of_evaluation_needs_an_evaluation(self, target):
        """No move leaves evaluation before the current plan is evaluated."""
        walked = walk(S.EVALUATION)

        found = missing(walked, MoveCase(target=target, note=NOTE))

        assert found == ("evaluation.record",)

    @pytest.mark.parametrize("reason", [R.GOALS_ACHIEVED, R.NO_MEANINGFUL_PROGRESS])
    def test_planned_termination_needs_an_evaluation(self, reason):
        """A planned ending needs an evaluation of the current plan."""
        walked = walk(S.EVALUATION)

        found = missing(walked, ended(reason))

        assert found == ("evaluation.record",)

    def test_early_termination_needs_no_evaluation(self):
        """An early ending from evaluation needs no evaluation."""
        walked = walk(S.EVALUATION)

        ended_case = walked.then(ended(R.CLIENT_REQUEST)).case

        assert ended_case.stage == S.TERMINATION

    def test_evaluation_of_an_earlier_visit_does_not_count(self):
        """Coming back to evaluation asks for a new evaluation."""
        walked = evaluated().then(
            MoveCase(target=S.INTERVENTION, note=NOTE),
            add("activity", activity_data()),
            MoveCase(target=S.EVALUATION),
        )

        found = missing(walked, ended(R.NO_MEANINGFUL_PROGRESS))

        assert found == ("evaluation.record",)

    def test_scaled_goals_need_scores(self):
        """With GAS scales in the plan, the evaluation must score every scaled goal."""
        walked = walk(S.EVALUATION, gas=True).then(
            add("evaluation", evaluation_data(gas_scores={"g1": 0}))
        )

        found = missing(walked, MoveCase(target=S.PLANNING, note=NOTE))

        assert found == ("evaluation.gas_scores",)

    def test_scaled_goals_scored(self):
        """An evaluation scoring every scaled goal lets the case move on."""
        walked = walk(S.EVALUATION, gas=True).then(
            add("evaluation", evaluation_data(gas_scores={"g1": 0, "g2": -1}))
        )

        moved = walked.then(MoveCase(target=S.PLANNING, note=NOTE))

        assert moved.case.stage == S.PLANNING

    def test_score_for_an_unscaled_goal_is_refused(self):
        """Only goals with a GAS scale can be scored."""
        walked = walk(S.EVALUATION)

        with pytest.raises(RecordInvalidError) as refused:
            walked.then(add("evaluation", evaluation_data(gas_scores={"g1": 1})))

        assert (refused.value.field, refused.value.problem) == (
            "gas_scores.g1",
            "no_gas_scale",
        )

    def test_score_for_an_unknown_goal_is_refused(self):
        """A GAS score names a goal of the current plan."""
        walked = walk(S.EVALUATION, gas=True)

        with pytest.raises(RecordInvalidError) as refused:
            walked.then(
                add(
                    "evaluation",
                    evaluation_data(gas_scores={"g1": 1, "g2": 1, "g9": 1}),
                )
            )

        assert (refused.value.field, refused.value.problem) == (
            "gas_scores.g9",
            "unknown_goal",
        )

    def test_achieved_goal_outside_the_plan_is_refused(self):
        """An evaluation names achieved goals of the current plan only."""
        walked = walk(S.EVALUATION)

        with pytest.raises(RecordInvalidError) as refused:
            walked.then(add("evaluation", evaluation_data(("g1", "g7"))))

        assert (refused.value.field, refused.value.problem, refused.value.value) == (
            "achieved_goal_ids",
            "unknown_goal",
            "g7",
        )


class TestLoops:
    @pytest.mark.parametrize(
        ("source", "target"),
        [
            (S.PLANNING, S.ASSESSMENT),
            (S.INTERVENTION, S.PLANNING),
            (S.INTERVENTION, S.ASSESSMENT),
        ],
    )
    def test_loop_needs_a_note(self, source, target):
        """Going back is normal practice, but the note says why."""
        walked = walk(source)

        found = missing(walked, MoveCase(target=target))

        assert found == ("move.note",)

    @pytest.mark.parametrize("target", [S.ASSESSMENT, S.PLANNING, S.INTERVENTION])
    def test_loop_out_of_evaluation_needs_a_note(self, target):
        """Going back from an evaluated case still needs a note saying why."""
        walked = evaluated()

        found = missing(walked, MoveCase(target=target))

        assert found == ("move.note",)

    @pytest.mark.parametrize("source", [S.INTERVENTION, S.EVALUATION])
    def test_reassessment_needs_a_new_plan(self, source):
        """After a reassessment the old plan no longer counts: planning asks anew."""
        walked = (evaluated() if source is S.EVALUATION else walk(source)).then(
            MoveCase(target=S.ASSESSMENT, note=NOTE),
            add("assessment", assessment_data()),
            MoveCase(target=S.PLANNING),
        )

        found = missing(walked, MoveCase(target=S.INTERVENTION))

        assert found == ("plan.record",)
        assert walked.case.records.plan is None

    def test_replanning_keeps_the_assessment(self):
        """A re-plan asks for a new plan but keeps the assessment in force."""
        walked = walk(S.INTERVENTION).then(MoveCase(target=S.PLANNING, note=NOTE))

        assert walked.case.records.plan is None
        assert walked.case.records.assessment is not None

    def test_blank_note_counts_as_none(self):
        """A blank note does not say why."""
        walked = walk(S.PLANNING)

        found = missing(walked, MoveCase(target=S.ASSESSMENT, note="   "))

        assert found == ("move.note",)

    def test_evaluation_and_note_are_named_together(self):
        """A loop out of an unevaluated case names both what it lacks."""
        walked = walk(S.EVALUATION)

        found = missing(walked, MoveCase(target=S.PLANNING))

        assert set(found) == {"evaluation.record", "move.note"}

    @pytest.mark.parametrize(
        ("source", "target"),
        [
            (S.PLANNING, S.ASSESSMENT),
            (S.INTERVENTION, S.PLANNING),
            (S.INTERVENTION, S.ASSESSMENT),
            (S.EVALUATION, S.PLANNING),
            (S.EVALUATION, S.ASSESSMENT),
            (S.EVALUATION, S.INTERVENTION),
        ],
    )
    def test_loop_with_a_note(self, source, target):
        """With a note the case goes back, and the event keeps the note."""
        walked = evaluated() if source is S.EVALUATION else walk(source)

        moved = walked.then(MoveCase(target=target, note=NOTE))

        event = moved.events[-1]
        assert moved.case.stage == target
        assert (event.action, event.from_stage, event.to_stage, event.note) == (
            Action.MOVE,
            source,
            target,
            NOTE,
        )

    @pytest.mark.parametrize(
        ("source", "target", "next_stage", "requirement"),
        [
            (S.PLANNING, S.ASSESSMENT, S.PLANNING, "assessment.record"),
            (S.INTERVENTION, S.ASSESSMENT, S.PLANNING, "assessment.record"),
            (S.INTERVENTION, S.PLANNING, S.INTERVENTION, "plan.record"),
            (S.EVALUATION, S.ASSESSMENT, S.PLANNING, "assessment.record"),
            (S.EVALUATION, S.PLANNING, S.INTERVENTION, "plan.record"),
        ],
    )
    def test_loop_asks_for_the_record_anew(
        self, source, target, next_stage, requirement
    ):
        """Going back to revise the assessment or plan asks for a new one."""
        walked = evaluated() if source is S.EVALUATION else walk(source)

        looped = walked.then(MoveCase(target=target, note=NOTE))

        assert missing(looped, MoveCase(target=next_stage)) == (requirement,)

    def test_resume_needs_the_contract_in_force(self, clock):
        """Continuing the same plan needs the contract still in force."""
        walked = evaluated(clock=clock)
        clock.advance(days=400)

        found = missing(walked, MoveCase(target=S.INTERVENTION, note=NOTE))

        assert found == ("contract.in_force",)

    def test_replan_does_not_need_the_contract_in_force(self, clock):
        """Revising the plan may happen after the contract has lapsed."""
        walked = evaluated(clock=clock)
        clock.advance(days=400)

        moved = walked.then(MoveCase(target=S.PLANNING, note=NOTE))

        assert moved.case.stage == S.PLANNING


class TestIllegalMoves:
    @pytest.mark.parametrize(
        ("source", "target"),
        [
            (source, target)
            for source in HELPING_STAGES
            for target in HELPING_STAGES
            if target not in LEGAL_TARGETS[source] and target is not S.TERMINATION
        ],
    )
    def test_move_outside_the_graph_is_illegal(self, source, target):
        """Skipping, going back into EIC and leaving termination are illegal."""
        walked = walk(source)

        with pytest.raises(InvalidTransitionError) as refused:
            walked.then(MoveCase(target=target, note=NOTE))

        assert (refused.value.stage, refused.value.target) == (source, target)

    @pytest.mark.parametrize("source", ACTIVE)
    def test_moving_to_termination_needs_a_reason(self, source):
        """Termination is reached by terminating with a reason, not by a move."""
        walked = walk(source)

        found = missing(walked, MoveCase(target=S.TERMINATION, note=NOTE))

        assert found == ("termination.reason",)

    def test_moving_a_terminated_case_to_termination_is_illegal(self):
        """A terminated case has no move to termination."""
        walked = walk(S.TERMINATION)

        with pytest.raises(InvalidTransitionError):
            walked.then(MoveCase(target=S.TERMINATION, note=NOTE))

    def test_terminated_case_cannot_terminate_again(self):
        """An ended episode cannot be ended again."""
        walked = walk(S.TERMINATION)

        with pytest.raises(InvalidTransitionError) as refused:
            walked.then(ended(R.CLIENT_REQUEST))

        assert refused.value.stage == S.TERMINATION

    @pytest.mark.parametrize("source", ACTIVE)
    def test_only_a_terminated_case_is_reopened(self, source):
        """Reopening is the way out of termination, and only of termination."""
        walked = walk(source)

        with pytest.raises(InvalidTransitionError) as refused:
            walked.then(ReopenCase(note=NOTE))

        assert (refused.value.stage, refused.value.target) == (source, S.ENGAGEMENT)

    def test_refusal_changes_nothing(self):
        """A refused command leaves the case exactly as it was."""
        walked = walk(S.EVALUATION, gas=True)
        before = copy.deepcopy(walked.case)

        with pytest.raises(RequirementNotMetError):
            walked.then(MoveCase(target=S.PLANNING))

        assert walked.case == before


class TestTermination:
    @pytest.mark.parametrize("stage", ACTIVE)
    def test_early_termination_from_every_stage(self, stage, actor):
        """Terminating early records the reason, the note and the worker."""
        walked = walk(stage, actor=actor)

        ended_walk = walked.then(ended(R.CLIENT_REQUEST))

        event = ended_walk.events[-1]
        assert (ended_walk.case.stage, ended_walk.case.termination_reason) == (
            S.TERMINATION,
            R.CLIENT_REQUEST,
        )
        assert (event.action, event.from_stage, event.reason, event.actor) == (
            Action.TERMINATE,
            stage,
            R.CLIENT_REQUEST,
            actor,
        )
        assert event.note == "Ending the episode."

    @pytest.mark.parametrize(
        ("stage", "reason"),
        [
            (stage, reason)
            for stage in ACTIVE
            for reason in HELPING_REASONS
            if stage not in REASON_STAGES[reason]
        ],
    )
    def test_reason_outside_its_stages_is_refused(self, stage, reason):
        """A reason is refused in a stage docs/domain.md §5 does not allow it in."""
        walked = walk(stage)

        with pytest.raises(InvalidTerminationReasonError) as refused:
            walked.then(
                ended(reason, sub_reason=None, referral_to="Puskesmas Kecamatan")
            )

        assert type(refused.value) is InvalidTerminationReasonError
        assert (refused.value.reason, refused.value.stage) == (reason, stage)

    @pytest.mark.parametrize("stage", sorted(ABSCONDING))
    def test_residential_client_absconds(self, stage):
        """A residential client who runs away ends the episode, with a sub-reason."""
        walked = walk(stage, residential=True)

        ended_walk = walked.then(
            ended(R.CLIENT_ABSCONDED, sub_reason=SubReason.UNFRIENDLY_STAFF)
        )

        assert ended_walk.case.termination_reason == R.CLIENT_ABSCONDED
        assert ended_walk.events[-1].sub_reason == SubReason.UNFRIENDLY_STAFF

    @pytest.mark.parametrize("stage", sorted(EIC))
    def test_absconding_before_assessment_is_refused(self, stage):
        """Absconding is a reason only from assessment to evaluation."""
        walked = walk(stage, residential=True)

        with pytest.raises(InvalidTerminationReasonError):
            walked.then(
                ended(
                    R.CLIENT_ABSCONDED,
                    sub_reason=SubReason.DISLIKES_INSTITUTIONAL_LIFE,
                )
            )

    @pytest.mark.parametrize("stage", sorted(ABSCONDING))
    def test_non_residential_client_cannot_abscond(self, stage):
        """Only a client living in the institution can run away from it."""
        walked = walk(stage)

        with pytest.raises(InvalidTerminationReasonError):
            walked.then(
                ended(R.CLIENT_ABSCONDED, sub_reason=SubReason.INADEQUATE_FACILITIES)
            )

    @pytest.mark.parametrize(
        ("reason", "residential"),
        [
            (R.BEYOND_AGENCY_CAPACITY, False),
            (R.CLIENT_DISLIKES_WORKER, False),
            (R.CLIENT_ABSCONDED, True),
        ],
    )
    def test_sub_reason_required(self, reason, residential):
        """Reasons with sub-reasons need one."""
        walked = walk(S.ASSESSMENT, residential=residential)

        found = missing(walked, ended(reason, referral_to="RSJ Menur"))

        assert found == ("termination.sub_reason",)

    @pytest.mark.parametrize(
        ("reason", "sub_reason"),
        [
            (R.CLIENT_REQUEST, SubReason.PERSONAL_FACTORS),
            (R.BEYOND_AGENCY_CAPACITY, SubReason.EMOTIONAL_INVOLVEMENT),
            (R.CLIENT_DISLIKES_WORKER, SubReason.MENTAL_DISORDER),
            (R.CLIENT_ABSCONDED, SubReason.PERMANENT_ILLNESS),
        ],
    )
    def test_foreign_sub_reason_is_refused(self, reason, sub_reason):
        """A sub-reason must belong to the reason it is given with."""
        walked = walk(S.ASSESSMENT, residential=True)

        with pytest.raises(InvalidSubReasonError) as refused:
            walked.then(ended(reason, sub_reason=sub_reason, referral_to="RSJ"))

        assert (refused.value.reason, refused.value.sub_reason) == (
            reason,
            sub_reason,
        )

    @pytest.mark.parametrize(
        ("reason", "sub_reason"),
        [
            (R.SERVICE_AVAILABLE_ELSEWHERE, None),
            (R.BEYOND_AGENCY_CAPACITY, SubReason.NEEDS_OTHER_DISCIPLINE),
        ],
    )
    def test_referral_required(self, reason, sub_reason):
        """Referring the client elsewhere names where to."""
        walked = walk(S.INTAKE)

        found = missing(walked, ended(reason, sub_reason=sub_reason))

        assert found == ("termination.referral_to",)

    def test_referral_is_recorded(self):
        """The referral is kept on the termination event."""
        walked = walk(S.INTAKE)

        ended_walk = walked.then(
            ended(R.SERVICE_AVAILABLE_ELSEWHERE, referral_to="LKS Melati")
        )

        assert ended_walk.events[-1].referral_to == "LKS Melati"

    @pytest.mark.parametrize("note", [None, "", "  \n"])
    def test_note_required(self, note):
        """Every termination carries a note."""
        walked = walk(S.ENGAGEMENT)

        found = missing(walked, TerminateCase(reason=R.CLIENT_REQUEST, note=note))

        assert found == ("termination.note",)

    def test_every_missing_part_is_named(self):
        """A bare termination names the sub-reason, referral and note it lacks."""
        walked = walk(S.ENGAGEMENT)

        found = missing(walked, TerminateCase(reason=R.BEYOND_AGENCY_CAPACITY))

        assert set(found) == {
            "termination.sub_reason",
            "termination.referral_to",
            "termination.note",
        }

    def test_goals_achieved_needs_every_goal(self):
        """Ending with the goals achieved needs every planned goal achieved."""
        walked = evaluated(achieved=("g1",))

        found = missing(walked, ended(R.GOALS_ACHIEVED))

        assert found == ("evaluation.goals_achieved",)

    def test_goals_achieved(self):
        """An evaluation with every goal achieved allows a planned ending."""
        walked = evaluated(achieved=("g2", "g1"))

        ended_case = walked.then(ended(R.GOALS_ACHIEVED)).case

        assert ended_case.termination_reason == R.GOALS_ACHIEVED

    def test_no_meaningful_progress(self):
        """Ending for lack of progress needs an evaluation, whatever it shows."""
        walked = evaluated(achieved=())

        ended_case = walked.then(ended(R.NO_MEANINGFUL_PROGRESS)).case

        assert ended_case.termination_reason == R.NO_MEANINGFUL_PROGRESS

    def test_goals_achieved_needs_gas_scores(self):
        """A planned ending of a scaled plan needs every scaled goal scored."""
        walked = walk(S.EVALUATION, gas=True).then(add("evaluation", evaluation_data()))

        found = missing(walked, ended(R.GOALS_ACHIEVED))

        assert found == ("evaluation.gas_scores",)


class TestReopen:
    def test_reopen_starts_a_new_episode(self):
        """Reopening starts episode 2 in engagement with no records in force."""
        walked = walk(S.TERMINATION)

        reopened = walked.then(ReopenCase(note="The client came back."))

        case = reopened.case
        assert (case.stage, case.episode, case.termination_reason) == (
            S.ENGAGEMENT,
            2,
            None,
        )
        assert case.records == RecordsInForce()

    def test_reopen_is_recorded(self):
        """The reopening event names the way back and the note."""
        walked = walk(S.TERMINATION)

        reopened = walked.then(ReopenCase(note="The client came back."))

        event = reopened.events[-1]
        assert (event.action, event.from_stage, event.to_stage, event.note) == (
            Action.REOPEN,
            S.TERMINATION,
            S.ENGAGEMENT,
            "The client came back.",
        )

    def test_reopen_keeps_the_history(self):
        """Reopening adds to the trail and rewrites nothing."""
        walked = walk(S.TERMINATION)

        reopened = walked.then(ReopenCase(note="The client came back."))

        assert reopened.events[: len(walked.events)] == walked.events
        assert len(reopened.events) == len(walked.events) + 1

    def test_reopen_needs_a_note(self):
        """A case is reopened only with a note saying why."""
        walked = walk(S.TERMINATION)

        found = missing(walked, ReopenCase())

        assert found == ("reopen.note",)

    def test_new_episode_needs_its_own_records(self):
        """The new episode's engagement needs a new engagement record."""
        reopened = walk(S.TERMINATION).then(ReopenCase(note="Back."))

        found = missing(reopened, MoveCase(target=S.INTAKE))

        assert found == ("engagement.record",)

    def test_events_after_reopening_belong_to_the_new_episode(self):
        """Every event of the new episode carries its number."""
        reopened = walk(S.TERMINATION).then(
            ReopenCase(note="Back."), add("engagement", engagement_data())
        )

        event = reopened.events[-1]

        assert event.episode == 2

    def test_reopen_twice(self):
        """Each reopening starts the next episode."""
        walked = walk(S.TERMINATION).then(
            ReopenCase(note="Back."),
            ended(R.CLIENT_REQUEST),
            ReopenCase(note="Back again."),
        )

        episode = walked.case.episode

        assert episode == 3


class TestTime:
    def test_future_occurred_at_is_refused(self, clock):
        """Nothing can be recorded as happening later than now."""
        walked = walk(S.ENGAGEMENT, clock=clock)
        future = clock() + dt.timedelta(seconds=1)

        with pytest.raises(InvalidInputError) as refused:
            walked.then(ended(R.CLIENT_REQUEST, occurred_at=future))

        assert (refused.value.field, refused.value.problem) == ("occurred_at", "future")

    def test_back_dating_before_the_previous_event_is_refused(self, clock):
        """An event cannot be back-dated before the case's previous event."""
        walked = walk(S.ENGAGEMENT, clock=clock)
        clock.advance(days=1)
        earlier = walked.case.last_occurred_at - dt.timedelta(minutes=1)

        with pytest.raises(InvalidInputError) as refused:
            walked.then(ended(R.CLIENT_REQUEST, occurred_at=earlier))

        assert (refused.value.field, refused.value.problem) == (
            "occurred_at",
            "before_previous",
        )

    def test_back_dating_after_the_previous_event(self, clock):
        """A command may say it happened earlier, but not before the last event."""
        walked = walk(S.ENGAGEMENT, clock=clock)
        occurred = clock.advance(hours=1)
        clock.advance(days=1)

        ended_walk = walked.then(ended(R.CLIENT_REQUEST, occurred_at=occurred))

        event = ended_walk.events[-1]
        assert (event.occurred_at, event.recorded_at) == (occurred, clock())

    def test_occurred_at_is_kept_in_utc(self, clock):
        """A time given in another zone is kept in UTC."""
        walked = walk(S.ENGAGEMENT, clock=clock)
        clock.advance(hours=1)
        jakarta = dt.timezone(dt.timedelta(hours=7))
        occurred = clock().astimezone(jakarta)

        ended_walk = walked.then(ended(R.CLIENT_REQUEST, occurred_at=occurred))

        assert ended_walk.events[-1].occurred_at.tzinfo == dt.UTC
        assert ended_walk.events[-1].occurred_at == clock()

    def test_naive_occurred_at_is_refused(self):
        """A time without a zone is bad input."""
        with pytest.raises(InvalidInputError) as refused:
            ReopenCase(note="x", occurred_at=dt.datetime(2025, 1, 1))  # noqa: DTZ001 - naive on purpose

        assert (refused.value.field, refused.value.problem) == (
            "occurred_at",
            "not_utc",
        )

    def test_naive_recording_time_is_refused(self):
        """The engine refuses to record at a time without a zone."""
        case = walk(S.ENGAGEMENT).case

        with pytest.raises(InvalidInputError) as refused:
            execute(
                case,
                ended(R.CLIENT_REQUEST),
                actor=Actor("w"),
                at=dt.datetime(2025, 1, 7),  # noqa: DTZ001 - naive on purpose
            )

        assert (refused.value.field, refused.value.problem) == (
            "recorded_at",
            "not_utc",
        )

    def test_opening_in_the_future_is_refused(self, clock, actor):
        """A case cannot be opened as of a future time."""
        command = OpenCase(client="C-1", occurred_at=clock() + dt.timedelta(days=1))

        with pytest.raises(InvalidInputError) as refused:
            open_case(command, case_id="c1", actor=actor, at=clock())

        assert refused.value.problem == "future"

    def test_first_contact_in_the_future_is_refused(self, clock):
        """The first contact cannot lie after the day it is recorded."""
        walked = walk(S.ENGAGEMENT, clock=clock)
        tomorrow = clock.today() + dt.timedelta(days=1)

        with pytest.raises(RecordInvalidError) as refused:
            walked.then(add("engagement", engagement_data(first_contact_on=tomorrow)))

        assert (refused.value.field, refused.value.problem) == (
            "first_contact_on",
            "future",
        )

    def test_activity_in_the_future_is_refused(self, clock):
        """An activity cannot be recorded before it takes place."""
        walked = walk(S.INTERVENTION, clock=clock)
        tomorrow = clock.today() + dt.timedelta(days=1)

        with pytest.raises(RecordInvalidError) as refused:
            walked.then(add("activity", activity_data(on=tomorrow)))

        assert (refused.value.field, refused.value.problem) == ("on", "future")


class TestRedactCommand:
    def test_redaction_needs_a_note(self):
        """A redaction names its lawful basis."""
        walked = walk(S.ASSESSMENT)

        with pytest.raises(RequirementNotMetError) as refused:
            walked.then(RedactCase())

        assert (refused.value.missing, refused.value.target) == (("redact.note",), None)

    def test_redaction_is_recorded_without_moving(self):
        """A redaction adds an event and leaves the stage as it is."""
        walked = walk(S.ASSESSMENT)

        redacted = walked.then(RedactCase(note="UU 27/2022 request of 2025-01-06."))

        event = redacted.events[-1]
        assert (event.action, event.from_stage, event.to_stage) == (
            Action.REDACT,
            S.ASSESSMENT,
            S.ASSESSMENT,
        )
        assert redacted.case.stage == S.ASSESSMENT


class TestNextMoves:
    def test_new_case(self):
        """A new case can move to intake once it has an engagement record."""
        case = walk(S.ENGAGEMENT).case

        options = next_moves(case)

        assert options.stage == S.ENGAGEMENT
        assert options.moves == (
            MoveOption(
                target=S.INTAKE,
                allowed=False,
                missing=("engagement.record",),
                note_required=False,
            ),
        )

    def test_termination_options_in_engagement(self):
        """Engagement offers the early reasons and not-eligible, with their needs."""
        case = walk(S.ENGAGEMENT).case

        options = {option.reason: option for option in next_moves(case).terminations}

        assert set(options) == REASON_STAGES.keys() - {
            R.GOALS_ACHIEVED,
            R.NO_MEANINGFUL_PROGRESS,
            R.CLIENT_ABSCONDED,
            R.CLIENT_DIED,
        }
        assert options[R.BEYOND_AGENCY_CAPACITY] == TerminationOption(
            reason=R.BEYOND_AGENCY_CAPACITY,
            allowed=True,
            missing=(),
            sub_reasons=tuple(
                sorted(
                    {
                        SubReason.PERMANENT_ILLNESS,
                        SubReason.MENTAL_DISORDER,
                        SubReason.NEEDS_OTHER_DISCIPLINE,
                    }
                )
            ),
            referral_required=True,
            planned=False,
        )

    def test_planning(self):
        """Planning offers the loop to assessment (with a note) and intervention."""
        case = walk(S.PLANNING).case

        moves = next_moves(case).moves

        assert moves == (
            MoveOption(
                target=S.ASSESSMENT, allowed=True, missing=(), note_required=True
            ),
            MoveOption(
                target=S.INTERVENTION,
                allowed=False,
                missing=("plan.record",),
                note_required=False,
            ),
        )

    def test_judged_on_a_given_day(self):
        """Asked about a day after the contract ends, the intervention is blocked."""
        case = walk(S.PLANNING).then(add("plan", plan_data())).case

        moves = next_moves(case, on=dt.date(2027, 1, 1)).moves

        assert [(move.target, move.missing) for move in moves] == [
            (S.ASSESSMENT, ()),
            (S.INTERVENTION, ("contract.in_force",)),
        ]

    def test_evaluation_before_evaluating(self):
        """Before an evaluation, no move and no planned ending is allowed."""
        case = walk(S.EVALUATION).case

        options = next_moves(case)

        assert [(m.target, m.allowed, m.missing) for m in options.moves] == [
            (S.ASSESSMENT, False, ("evaluation.record",)),
            (S.PLANNING, False, ("evaluation.record",)),
            (S.INTERVENTION, False, ("evaluation.record",)),
        ]
        assert {
            (option.reason, option.allowed, option.planned)
            for option in options.terminations
            if option.planned
        } == {
            (R.GOALS_ACHIEVED, False, True),
            (R.NO_MEANINGFUL_PROGRESS, False, True),
        }

    def test_evaluation_with_unmet_goals(self):
        """With goals unmet, every move is allowed but not ending as achieved."""
        case = evaluated(achieved=("g1",)).case

        options = next_moves(case)

        assert all(move.allowed for move in options.moves)
        assert {
            option.reason: option.missing
            for option in options.terminations
            if option.planned
        } == {
            R.GOALS_ACHIEVED: ("evaluation.goals_achieved",),
            R.NO_MEANINGFUL_PROGRESS: (),
        }

    def test_residential_case_may_abscond(self):
        """A residential case in intervention is offered absconding."""
        case = walk(S.INTERVENTION, residential=True).case

        reasons = {option.reason for option in next_moves(case).terminations}

        assert R.CLIENT_ABSCONDED in reasons

    def test_terminated_case(self):
        """A terminated case can only be reopened, with a note."""
        case = walk(S.TERMINATION).case

        options = next_moves(case)

        assert options.moves == (
            MoveOption(
                target=S.ENGAGEMENT, allowed=True, missing=(), note_required=True
            ),
        )
        assert options.terminations == ()
