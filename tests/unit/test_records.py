"""Records: reading JSON, refusing malformed input, where each kind goes (§3)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helping_process import ActivityRecord
from helping_process import AssessmentRecord
from helping_process import ContractKind
from helping_process import ContractRecord
from helping_process import EngagementRecord
from helping_process import EvaluationRecord
from helping_process import InvalidInputError
from helping_process import MoveCase
from helping_process import PlanRecord
from helping_process import RecordInvalidError
from helping_process import RecordNotAllowedError
from helping_process import ReferralSource
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import parse_record
from helping_process.states import REDACTED
from helping_process.states import redact
from helping_process.states import to_json
from helping_process.states._fields import evolve
from helping_process.states.records import RecordsInForce
from helping_process.states.vocabulary import HELPING_STAGES
from helping_process.testing import activity_data
from helping_process.testing import add
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data
from helping_process.testing import walk
from tests.strategies import Failing
from tests.strategies import Malformed
from tests.strategies import complete_records
from tests.strategies import failing_contract_records
from tests.strategies import failing_intake_records
from tests.strategies import failing_plan_records
from tests.strategies import malformed_records

#: These tests state the rules of helping-process@1 (docs/domain.md).
pytestmark = pytest.mark.usefixtures("first_rules")

S = Stage

FACTORIES = {
    "engagement": engagement_data,
    "intake": intake_data,
    "contract": contract_data,
    "assessment": assessment_data,
    "plan": plan_data,
    "activity": activity_data,
    "evaluation": evaluation_data,
}

#: docs/domain.md §4 by hand: the stages in which each kind may be added.
RECORD_STAGES = {
    "engagement": {S.ENGAGEMENT},
    "intake": {S.INTAKE},
    "contract": {S.CONTRACT, S.ASSESSMENT, S.PLANNING, S.INTERVENTION, S.EVALUATION},
    "assessment": {S.ASSESSMENT},
    "plan": {S.PLANNING},
    "activity": {S.INTERVENTION},
    "evaluation": {S.EVALUATION},
}


def goal(**fields: object) -> dict[str, object]:
    """Return a complete goal as JSON, with some fields replaced."""
    return {
        "id": "g1",
        "statement": "Back to school.",
        "success_indicator": "Attends every day.",
        "objectives": [{"statement": "Enrol.", "tasks": ["Visit the school."]}],
        **fields,
    }


def invalid(kind: str, data: object) -> RecordInvalidError:
    """Return the error parsing ``data`` as a ``kind`` record raises."""
    with pytest.raises(RecordInvalidError) as refused:
        parse_record(kind, data)
    return refused.value


class TestParseRecord:
    @pytest.mark.parametrize("kind", sorted(FACTORIES))
    def test_complete_record_is_read(self, kind):
        """The testing factories give a well-formed record of each kind."""
        record = parse_record(kind, FACTORIES[kind]())

        assert record.kind == kind

    def test_engagement_fields(self):
        """An engagement record reads its date and its referral code."""
        record = EngagementRecord.from_json(engagement_data(referral_source="court"))

        assert (record.first_contact_on, record.referral_source) == (
            dt.date(2025, 1, 6),
            ReferralSource.COURT,
        )

    def test_contract_kind_is_read_from_kind(self):
        """A contract's ``kind`` field gives its contract kind."""
        record = ContractRecord.from_json(contract_data("secondary"))

        assert record.contract_kind == ContractKind.SECONDARY

    def test_single_text_counts_as_a_list_of_one(self):
        """A list of texts given as one text is a list of one."""
        record = ContractRecord.from_json(contract_data(tasks="Visit the school."))

        assert record.tasks == ("Visit the school.",)

    def test_unknown_kind_is_refused(self):
        """Only the seven record kinds exist."""
        with pytest.raises(InvalidInputError) as refused:
            parse_record("diary", {})

        assert (refused.value.field, refused.value.problem) == ("kind", "unknown_code")

    @given(kind=st.sampled_from(sorted(FACTORIES)), data=st.data())
    def test_json_round_trip(self, kind, data):
        """A record written back to JSON reads as the same record."""
        record = parse_record(kind, data.draw(complete_records(kind)))

        again = parse_record(kind, to_json(record))

        assert again == record


class TestMalformedRecords:
    @given(malformed=malformed_records())
    def test_malformed_record_names_the_field(self, malformed: Malformed):
        """Any malformed record is refused, naming the field path and the problem."""
        error = invalid(malformed.kind, malformed.data)

        assert (error.kind, error.field, error.problem) == (
            malformed.kind,
            malformed.field,
            malformed.problem,
        )

    @pytest.mark.parametrize(
        ("kind", "data", "field", "problem"),
        [
            (
                "engagement",
                {"request": "x", "referral_source": "self"},
                "first_contact_on",
                "missing",
            ),
            ("engagement", engagement_data(request=7), "request", "not_text"),
            (
                "engagement",
                engagement_data(referral_source="neighbour"),
                "referral_source",
                "unknown_code",
            ),
            (
                "engagement",
                engagement_data(first_contact_on="2025-02-30"),
                "first_contact_on",
                "not_date",
            ),
            ("engagement", engagement_data(request="  "), "request", "blank"),
            ("engagement", engagement_data(mood="calm"), "mood", "unknown_field"),
            (
                "engagement",
                engagement_data(request="x" * 10_001),
                "request",
                "too_long",
            ),
            (
                "engagement",
                engagement_data(request="a\x00b"),
                "request",
                "nul_character",
            ),
            ("engagement", engagement_data(request="\ud800"), "request", "not_utf8"),
            ("intake", intake_data(eligible="yes"), "eligible", "not_bool"),
            ("intake", intake_data(eligible=1), "eligible", "not_bool"),
            ("intake", intake_data(eligible=False), "criteria_failed", "missing"),
            (
                "intake",
                intake_data(criteria_failed=["Age"]),
                "criteria_failed",
                "not_eligible",
            ),
            (
                "contract",
                contract_data(responsibilities=5),
                "responsibilities",
                "not_list",
            ),
            ("contract", contract_data(tasks=["ok", 3]), "tasks[1]", "not_text"),
            ("contract", contract_data(parties="all of us"), "parties", "not_object"),
            (
                "contract",
                contract_data(parties={"worker": "W", "agency": "A"}),
                "parties.client",
                "missing",
            ),
            (
                "contract",
                contract_data(parties={"worker": " ", "agency": "A", "client": "C"}),
                "parties.worker",
                "blank",
            ),
            ("contract", contract_data(kind="verbal"), "kind", "unknown_code"),
            (
                "contract",
                contract_data(valid_until="31-12-2025"),
                "valid_until",
                "not_date",
            ),
            (
                "plan",
                plan_data(goals=[goal(objectives=[{"statement": "Enrol."}])]),
                "goals[0].objectives[0].tasks",
                "missing",
            ),
            (
                "plan",
                plan_data(
                    goals=[goal(objectives=[{"statement": "E", "tasks": [" "]}])]
                ),
                "goals[0].objectives[0].tasks[0]",
                "blank",
            ),
            (
                "plan",
                plan_data(goals=[goal(), goal(statement="Again.")]),
                "goals[1].id",
                "duplicate",
            ),
            (
                "plan",
                plan_data(goals=[goal(extra=1)]),
                "goals[0].extra",
                "unknown_field",
            ),
            (
                "plan",
                plan_data(goals=[goal(gas={"weight": 0, "levels": {}})]),
                "goals[0].gas.weight",
                "out_of_range",
            ),
            (
                "plan",
                plan_data(goals=[goal(gas={"weight": True, "levels": {}})]),
                "goals[0].gas.weight",
                "not_number",
            ),
            (
                "plan",
                plan_data(
                    goals=[
                        goal(
                            gas={
                                "levels": {
                                    "-2": "a",
                                    "-1": "b",
                                    "0": "c",
                                    "1": "d",
                                    "2": " ",
                                }
                            }
                        )
                    ]
                ),
                "goals[0].gas.levels.2",
                "blank",
            ),
            (
                "plan",
                plan_data(
                    goals=[
                        goal(
                            gas={
                                "levels": {
                                    "-2": "a",
                                    "-1": "b",
                                    "0": "c",
                                    "1": "d",
                                    "2": "e",
                                    "3": "f",
                                }
                            }
                        )
                    ]
                ),
                "goals[0].gas.levels.3",
                "unknown_field",
            ),
            ("plan", plan_data(goals="g1"), "goals", "not_list"),
            ("plan", plan_data(goals=["g1"]), "goals[0]", "not_object"),
            ("activity", activity_data(model="coerce"), "justification", "missing"),
            ("activity", activity_data(goal_ids=[]), "goal_ids", "empty"),
            ("activity", activity_data(goal_ids=["g1", "g1"]), "goal_ids", "duplicate"),
            ("activity", activity_data(role="therapist"), "role", "unknown_code"),
            (
                "evaluation",
                evaluation_data(gas_scores={"g1": 3}),
                "gas_scores.g1",
                "out_of_range",
            ),
            (
                "evaluation",
                {**evaluation_data(), "gas_scores": {"g1": 1.5}},
                "gas_scores.g1",
                "not_integer",
            ),
            (
                "evaluation",
                evaluation_data(gas_scores={"g1": True}),
                "gas_scores.g1",
                "not_integer",
            ),
            (
                "evaluation",
                {**evaluation_data(), "gas_scores": [1]},
                "gas_scores",
                "not_object",
            ),
            ("evaluation", ["not", "an", "object"], "", "not_object"),
        ],
    )
    def test_malformed_example(self, kind, data, field, problem):
        """Each kind of malformation is refused, naming where it is."""
        error = invalid(kind, data)

        assert (error.field, error.problem) == (field, problem)

    def test_error_says_what_and_where(self):
        """The message names the record, the field path and the problem."""
        error = invalid(
            "plan", plan_data(goals=[goal(objectives=[{"statement": "Enrol."}])])
        )

        assert error.message("en") == (
            "Intervention plan: the field 'goals[0].objectives[0].tasks' is missing."
        )

    def test_malformed_record_is_bad_input(self):
        """A malformed record is bad input, not a refusal by the process."""
        error = invalid("engagement", engagement_data(request=""))

        assert isinstance(error, InvalidInputError)
        assert isinstance(error, ValueError)


class TestFailingRecords:
    @given(failing=failing_intake_records())
    def test_failing_intake(self, failing: Failing):
        """A well-formed but failing intake is recorded; only the move is refused."""
        walked = walk(S.INTAKE).then(add(failing.kind, failing.data))

        with pytest.raises(RequirementNotMetError) as refused:
            walked.then(MoveCase(target=S.CONTRACT))

        assert walked.case.records.intake is not None
        assert set(refused.value.missing) == failing.missing

    @given(failing=failing_contract_records())
    def test_failing_contract(self, failing: Failing):
        """A well-formed but failing contract is recorded; only the move is refused."""
        walked = walk(S.CONTRACT).then(add(failing.kind, failing.data))

        with pytest.raises(RequirementNotMetError) as refused:
            walked.then(MoveCase(target=S.ASSESSMENT))

        assert walked.case.records.contract is not None
        assert set(refused.value.missing) == failing.missing

    @given(failing=failing_plan_records())
    def test_failing_plan(self, failing: Failing):
        """A well-formed but failing plan is recorded; only the move is refused."""
        walked = walk(S.PLANNING).then(add(failing.kind, failing.data))

        with pytest.raises(RequirementNotMetError) as refused:
            walked.then(MoveCase(target=S.INTERVENTION))

        assert walked.case.records.plan is not None
        assert set(refused.value.missing) == failing.missing


class TestWhereRecordsGo:
    @pytest.mark.parametrize(
        ("kind", "stage"),
        [(kind, stage) for kind, stages in RECORD_STAGES.items() for stage in stages],
    )
    def test_record_allowed_in_its_stages(self, kind, stage):
        """Each record kind is added in the stages docs/domain.md §4 names."""
        walked = walk(stage)

        recorded = walked.then(add(kind, FACTORIES[kind]()))

        assert recorded.events[-1].record == parse_record(kind, FACTORIES[kind]())

    @pytest.mark.parametrize(
        ("kind", "stage"),
        [
            (kind, stage)
            for kind, stages in RECORD_STAGES.items()
            for stage in HELPING_STAGES
            if stage not in stages
        ],
    )
    def test_record_refused_elsewhere(self, kind, stage):
        """Adding a record in a stage that does not take it is refused."""
        walked = walk(stage)

        with pytest.raises(RecordNotAllowedError) as refused:
            walked.then(add(kind, FACTORIES[kind]()))

        assert (refused.value.kind, refused.value.stage) == (kind, stage)


class TestRedact:
    def test_personal_text_is_replaced(self):
        """Redaction replaces every personal text with the redaction mark."""
        record = AssessmentRecord.from_json(assessment_data())

        redacted = redact(record)

        assert to_json(redacted) == dict.fromkeys(assessment_data(), REDACTED)

    def test_structure_survives(self):
        """Ids, codes, dates, flags, numbers and list lengths survive redaction."""
        record = PlanRecord.from_json(plan_data(("a", "b"), gas=True))

        redacted = redact(record)

        assert [g.id for g in redacted.goals] == ["a", "b"]
        assert [g.gas.weight for g in redacted.goals if g.gas] == [1.0, 1.0]
        assert [len(g.objectives[0].tasks) for g in redacted.goals] == [1, 1]
        assert len(redacted.methods) == len(record.methods)
        assert redacted.focus == REDACTED
        assert {level for g in redacted.goals if g.gas for level in g.gas.levels} == {
            "-2",
            "-1",
            "0",
            "1",
            "2",
        }

    def test_codes_and_dates_survive(self):
        """A redacted contract keeps its kind, flags and period, not its parties."""
        record = ContractRecord.from_json(contract_data(acceptance=False))

        redacted = redact(record)

        data = to_json(redacted)
        assert {
            key: data[key]
            for key in ("kind", "acceptance", "valid_from", "valid_until")
        } == {
            "kind": "primary",
            "acceptance": False,
            "valid_from": "2025-01-01",
            "valid_until": "2025-12-31",
        }
        assert data["parties"] == dict.fromkeys(
            ("worker", "agency", "client"), REDACTED
        )
        assert data["tasks"] == [REDACTED, REDACTED]

    def test_activity_keeps_its_goals(self):
        """A redacted activity still names the goals it served."""
        record = ActivityRecord.from_json(
            activity_data(("g1", "g2"), model="coerce", justification="J")
        )

        redacted = redact(record)

        assert (redacted.goal_ids, redacted.model, redacted.justification) == (
            ("g1", "g2"),
            record.model,
            REDACTED,
        )

    def test_evaluation_keeps_its_scores(self):
        """A redacted evaluation keeps the achieved goals and GAS scores."""
        record = EvaluationRecord.from_json(evaluation_data(("g1",), {"g1": 2}))

        redacted = redact(record)

        assert (redacted.achieved_goal_ids, redacted.gas_scores) == (
            ("g1",),
            {"g1": 2},
        )
        assert (redacted.process_note, redacted.outcome_note) == (REDACTED, REDACTED)


class TestEvolve:
    """The engine's copy-with-changes, for the case and its records in force."""

    def test_a_plain_value_is_copied_with_its_changes(self):
        """The copy has the changes; the original is untouched."""
        activity = ActivityRecord.from_json(activity_data())
        records = RecordsInForce()

        changed = evolve(records, {"activity": activity})

        assert (changed.activity, records.activity) == (activity, None)
        assert changed == RecordsInForce(activity=activity)

    def test_a_validated_value_is_made_again_through_init(self):
        """A class whose fields are checked is built, and checked, again."""
        activity = ActivityRecord.from_json(activity_data())

        with pytest.raises(RecordInvalidError):
            evolve(activity, {"goal_ids": ()})

    @pytest.mark.parametrize("plain", [True, False])
    def test_a_name_that_is_no_field_is_refused(self, plain):
        """A misspelt change raises instead of adding an attribute."""
        activity = ActivityRecord.from_json(activity_data())
        value = RecordsInForce() if plain else activity
        with pytest.raises(TypeError, match="activty"):
            evolve(value, {"activty": None})
