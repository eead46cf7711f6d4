"""Agency policy checks: each rule passing and failing, and the policy file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pytest

from helping_process import Action
from helping_process import ActivityRecord
from helping_process import AddRecord
from helping_process import Event
from helping_process import InvalidInputError
from helping_process import MoveCase
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process.policy import DEFAULT_MAX_DAYS
from helping_process.policy import Policy
from helping_process.policy import PolicyFinding
from helping_process.policy import Rule
from helping_process.policy import Severity
from helping_process.policy import check_all
from helping_process.policy import check_case
from helping_process.policy import load_policy
from helping_process.policy import parse_policy
from helping_process.policy import rule_label
from helping_process.policy import severity_label
from helping_process.states import REDACTED
from helping_process.states import parse_record
from helping_process.states import redact
from helping_process.testing import EPOCH
from helping_process.testing import FixedClock
from helping_process.testing import Walk
from helping_process.testing import activity_data
from helping_process.testing import add
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import walk

R = TerminationReason
POLICY = Policy()
DAY = dt.timedelta(days=1)


def rules(findings: list[PolicyFinding]) -> list[Rule]:
    """Return the rule of each finding, in order."""
    return [finding.rule for finding in findings]


def only(findings: list[PolicyFinding], rule: Rule) -> list[PolicyFinding]:
    """Return the findings of one rule."""
    return [finding for finding in findings if finding.rule is rule]


def forged(walked: Walk, **fields: Any) -> tuple[Event, ...]:
    """Return the walk's events plus one made by hand, as imported data would be.

    The engine would refuse such an event; the checks must still catch it.
    """
    last = walked.events[-1]
    event = Event(
        case_id=last.case_id,
        seq=last.seq + 1,
        episode=last.episode,
        occurred_at=last.occurred_at,
        recorded_at=last.recorded_at,
        actor=last.actor,
        action=fields.pop("action", Action.RECORD),
        from_stage=walked.case.stage,
        to_stage=fields.pop("to_stage", walked.case.stage),
        **fields,
    )
    return (*walked.events, event)


def coercion(justification: object) -> ActivityRecord:
    """Return a coercive activity whose justification is forced to ``justification``.

    The record's own validation refuses a blank or missing justification, so a
    tampered one is made by writing past the frozen class.
    """
    record = parse_record(
        "activity", activity_data(model="coerce", justification="Court order.")
    )
    assert isinstance(record, ActivityRecord)
    object.__setattr__(record, "justification", justification)
    return record


class TestPolicy:
    def test_defaults(self):
        """A policy without settings has the documented limits and every rule on."""
        policy = Policy()

        assert policy.max_days[Stage.ASSESSMENT] == 30
        assert policy.max_days[Stage.INTERVENTION] == 180
        assert (policy.late_entry_hours, policy.idle_days) == (48, 60)
        assert all(policy.is_enabled(rule) for rule in Rule)
        assert policy.severity[Rule.CONTRACT_EXPIRED] is Severity.ERROR

    def test_stage_limits_merge_over_the_defaults(self):
        """Setting one stage's limit keeps the other stages' defaults."""
        policy = Policy(max_days={"assessment": 45})

        assert policy.max_days == {**DEFAULT_MAX_DAYS, Stage.ASSESSMENT: 45}

    def test_termination_has_no_limit(self):
        """Termination ends an episode, so it takes no limit."""
        with pytest.raises(InvalidInputError) as raised:
            Policy(max_days={"termination": 10})

        assert raised.value.field == "stages.max_days.termination"

    @pytest.mark.parametrize(
        ("options", "field", "problem"),
        [
            ({"late_entry_hours": -1}, "records.late_entry_hours", "out_of_range"),
            ({"idle_days": 0}, "cases.idle_days", "out_of_range"),
            ({"idle_days": True}, "cases.idle_days", "not_number"),
            (
                {"max_days": {"planning": "30"}},
                "stages.max_days.planning",
                "not_number",
            ),
            (
                {"max_days": {"planning": float("inf")}},
                "stages.max_days.planning",
                "out_of_range",
            ),
            ({"max_days": 30}, "stages.max_days", "not_object"),
            ({"disabled": "idle_case"}, "rules.disabled", "not_list"),
            ({"disabled": ["sleepy_case"]}, "rules.disabled[0]", "unknown_code"),
            (
                {"severity": {"idle_case": "fatal"}},
                "rules.severity.idle_case",
                "unknown_code",
            ),
            ({"severity": ["idle_case"]}, "rules.severity", "not_object"),
        ],
    )
    def test_bad_values_name_their_key(self, options, field, problem):
        """A bad value is refused with the key it has in a policy file."""
        with pytest.raises(InvalidInputError) as raised:
            Policy(**options)

        assert (raised.value.field, raised.value.problem) == (field, problem)

    def test_toml_round_trip(self):
        """A policy written as TOML reads back equal."""
        policy = Policy(
            max_days={"assessment": 45.5},
            late_entry_hours=72,
            disabled=["idle_case"],
            severity={"late_entry": "info"},
        )

        assert parse_policy(policy.to_toml()) == policy

    def test_to_json(self):
        """The JSON form follows the file's layout."""
        data = Policy(disabled=["late_entry"]).to_json()

        assert data["stages"]["max_days"]["intervention"] == 180
        assert data["rules"]["disabled"] == ["late_entry"]
        assert data["records"] == {"late_entry_hours": 48}


class TestLoadPolicy:
    EXAMPLE = """
[stages.max_days]
assessment = 45

[records]
late_entry_hours = 72

[cases]
idle_days = 90

[rules]
disabled = ["idle_case"]
"""

    def test_reads_the_agency_file(self, tmp_path: Path):
        """The documented example sets each value and keeps the other defaults."""
        path = tmp_path / "policy.toml"
        path.write_text(self.EXAMPLE, encoding="utf-8")

        policy = load_policy(path)

        assert policy == Policy(
            max_days={"assessment": 45},
            late_entry_hours=72,
            idle_days=90,
            disabled=[Rule.IDLE_CASE],
        )
        assert policy.max_days[Stage.PLANNING] == 30

    def test_an_empty_file_is_the_default(self, tmp_path: Path):
        """An empty policy file gives the default policy."""
        path = tmp_path / "policy.toml"
        path.write_text("", encoding="utf-8")

        assert load_policy(path) == Policy()

    @pytest.mark.parametrize(
        ("text", "field", "problem"),
        [
            ("[stage.max_days]\nassessment = 45\n", "stage", "unknown_field"),
            (
                "[stages.max_days]\nassesment = 45\n",
                "stages.max_days.assesment",
                "unknown_field",
            ),
            ("[stages]\nmin_days = 3\n", "stages.min_days", "unknown_field"),
            (
                "[records]\nlate_entry_days = 2\n",
                "records.late_entry_days",
                "unknown_field",
            ),
            ("[cases]\nidle_days = -5\n", "cases.idle_days", "out_of_range"),
            ('[cases]\nidle_days = "ninety"\n', "cases.idle_days", "not_number"),
            ("cases = 3\n", "cases", "not_object"),
            ("[stages]\nmax_days = 3\n", "stages.max_days", "not_object"),
            ('[rules]\ndisabled = ["idle"]\n', "rules.disabled[0]", "unknown_code"),
            ("[rules]\nseverity = 1\n", "rules.severity", "not_object"),
            (
                '[rules.severity]\nidle = "info"\n',
                "rules.severity.idle",
                "unknown_field",
            ),
            ("[cases\nidle_days = 1\n", "policy", "not_toml"),
        ],
    )
    def test_errors_name_the_key(self, tmp_path: Path, text, field, problem):
        """An unknown key or a bad value is refused, naming the key."""
        path = tmp_path / "policy.toml"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(InvalidInputError) as raised:
            load_policy(path)

        assert (raised.value.field, raised.value.problem) == (field, problem)

    def test_not_utf8(self, tmp_path: Path):
        """A file that is not UTF-8 is refused as such."""
        path = tmp_path / "policy.toml"
        path.write_bytes(b"[cases]\nidle_days = 9\n# \xff\n")

        with pytest.raises(InvalidInputError) as raised:
            load_policy(path)

        assert raised.value.problem == "not_utf8"

    def test_a_missing_file_is_an_os_error(self, tmp_path: Path):
        """A file that does not exist raises the usual FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            load_policy(tmp_path / "absent.toml")


class TestContractExpired:
    def test_activity_within_the_contract(self):
        """An activity while the primary contract runs is no finding."""
        clock = FixedClock()
        walked = walk("intervention", clock=clock)
        clock.advance(days=300)

        walked = walked.then(add("activity", activity_data(on=clock.today())))

        findings = check_case(walked.events, POLICY, clock.now)
        assert only(findings, Rule.CONTRACT_EXPIRED) == []

    def test_activity_after_the_contract_ended(self):
        """An event in intervention after valid_until is reported at that event."""
        clock = FixedClock()
        walked = walk("intervention", clock=clock)
        clock.advance(days=400)

        walked = walked.then(
            add("activity", activity_data(on=clock.today())),
            add("activity", activity_data(on=clock.today())),
        )

        findings = only(
            check_case(walked.events, POLICY, clock.now), Rule.CONTRACT_EXPIRED
        )
        assert [(f.seq, f.severity) for f in findings] == [
            (walked.events[-2].seq, Severity.ERROR)
        ]
        assert findings[0].params["valid_until"] == "2026-01-06"

    def test_sitting_in_intervention_past_the_contract(self):
        """A case still in intervention at as_of after valid_until is reported."""
        walked = walk("intervention")

        findings = check_case(walked.events, POLICY, EPOCH + 366 * DAY)

        assert rules(only(findings, Rule.CONTRACT_EXPIRED)) == [Rule.CONTRACT_EXPIRED]
        assert findings[0].seq == walked.case.seq

    def test_a_renewed_contract_counts(self):
        """A new primary contract recorded in intervention is the one judged."""
        clock = FixedClock()
        walked = walk("intervention", clock=clock)
        clock.advance(days=360)
        renewal = contract_data(
            valid_from=clock.today(), valid_until=clock.today() + 365 * DAY
        )

        walked = walked.then(add("contract", renewal))

        assert (
            only(
                check_case(walked.events, POLICY, clock.now + 30 * DAY),
                Rule.CONTRACT_EXPIRED,
            )
            == []
        )

    def test_not_once_out_of_intervention(self):
        """A case that left intervention is not judged against the contract."""
        walked = walk("evaluation")

        findings = check_case(walked.events, POLICY, EPOCH + 400 * DAY)

        assert only(findings, Rule.CONTRACT_EXPIRED) == []


class TestStageOverdue:
    def test_within_the_limit(self):
        """An assessment of 20 days is within the default 30."""
        clock = FixedClock()
        walked = walk("assessment", clock=clock)
        clock.advance(days=20)

        walked = walked.then(
            add("assessment", assessment_data()), MoveCase(target=Stage.PLANNING)
        )

        assert (
            only(check_case(walked.events, POLICY, clock.now), Rule.STAGE_OVERDUE) == []
        )

    def test_over_the_limit(self):
        """An assessment of 40 days is reported at the move out of it."""
        clock = FixedClock()
        walked = walk("assessment", clock=clock)
        clock.advance(days=40)

        walked = walked.then(
            add("assessment", assessment_data()), MoveCase(target=Stage.PLANNING)
        )

        findings = only(
            check_case(walked.events, POLICY, clock.now), Rule.STAGE_OVERDUE
        )
        assert [(f.seq, f.params["stage"], f.params["days"]) for f in findings] == [
            (walked.events[-1].seq, "assessment", "40")
        ]
        assert findings[0].detail == (
            "Assessment: 40 days in the stage by 2025-02-15, over the limit of 30."
        )

    def test_the_current_stage_at_as_of(self):
        """A stage still open past its limit is judged at as_of."""
        walked = walk("intake")

        findings = only(
            check_case(walked.events, POLICY, EPOCH + 15 * DAY), Rule.STAGE_OVERDUE
        )

        assert [(f.seq, f.at, f.params["stage"]) for f in findings] == [
            (walked.case.seq, EPOCH + 15 * DAY, "intake")
        ]

    def test_the_agency_sets_the_limit(self):
        """With assessment allowed 45 days, 40 days is no finding."""
        clock = FixedClock()
        walked = walk("assessment", clock=clock)
        clock.advance(days=40)
        walked = walked.then(
            add("assessment", assessment_data()), MoveCase(target=Stage.PLANNING)
        )

        findings = check_case(
            walked.events, Policy(max_days={"assessment": 45}), clock.now
        )

        assert only(findings, Rule.STAGE_OVERDUE) == []

    def test_a_terminated_case_is_not_overdue(self):
        """A terminated case has no stage to overrun."""
        walked = walk("termination")

        assert check_case(walked.events, POLICY, EPOCH + 1000 * DAY) == []


class TestPlannedTerminationWithoutEvaluation:
    def test_planned_termination_after_evaluation(self):
        """A planned termination the engine accepted has its evaluation."""
        walked = walk("termination")

        findings = check_case(walked.events, POLICY, walked.case.last_occurred_at)

        assert findings == []

    def test_no_evaluation_in_this_visit(self):
        """A forged goals_achieved termination without an evaluation is reported."""
        events = forged(
            walk("evaluation"),
            action=Action.TERMINATE,
            to_stage=Stage.TERMINATION,
            reason=R.GOALS_ACHIEVED,
            note="Done.",
        )

        findings = check_case(events, POLICY, events[-1].occurred_at)

        assert rules(findings) == [Rule.PLANNED_TERMINATION_WITHOUT_EVALUATION]
        assert findings[0].params["missing"] == "evaluation.record"
        assert findings[0].seq == events[-1].seq

    def test_not_from_evaluation(self):
        """A forged planned termination from intervention is reported."""
        events = forged(
            walk("intervention"),
            action=Action.TERMINATE,
            to_stage=Stage.TERMINATION,
            reason=R.NO_MEANINGFUL_PROGRESS,
            note="Stalled.",
        )

        findings = check_case(events, POLICY, events[-1].occurred_at)

        assert rules(findings) == [Rule.PLANNED_TERMINATION_WITHOUT_EVALUATION]
        assert findings[0].params["stage"] == "intervention"

    def test_goals_achieved_with_goals_unmet(self):
        """goals_achieved after an evaluation with a goal unmet is reported."""
        walked = walk("evaluation").then(add("evaluation", evaluation_data(["g1"])))
        events = forged(
            walked,
            action=Action.TERMINATE,
            to_stage=Stage.TERMINATION,
            reason=R.GOALS_ACHIEVED,
            note="Done.",
        )

        findings = check_case(events, POLICY, events[-1].occurred_at)

        assert findings[0].params["missing"] == "evaluation.goals_achieved"


class TestLateEntry:
    def test_recorded_the_next_day(self):
        """An event recorded 24 hours after it took place is in time."""
        clock = FixedClock()
        walked = walk("intake", clock=clock)
        clock.advance(days=1)

        walked = walked.then(
            AddRecord(record=parse_record("intake", intake_data()), occurred_at=EPOCH)
        )

        assert only(check_case(walked.events, POLICY, clock.now), Rule.LATE_ENTRY) == []

    def test_recorded_four_days_later(self):
        """An event recorded 96 hours after it took place is late."""
        clock = FixedClock()
        walked = walk("intake", clock=clock)
        clock.advance(days=4)

        walked = walked.then(
            AddRecord(record=parse_record("intake", intake_data()), occurred_at=EPOCH)
        )

        findings = only(check_case(walked.events, POLICY, clock.now), Rule.LATE_ENTRY)
        assert [(f.seq, f.at, f.params["hours"]) for f in findings] == [
            (walked.events[-1].seq, EPOCH, "96")
        ]
        assert findings[0].detail == "Recorded 96 hours after it took place (limit 48)."

    def test_the_agency_sets_the_limit(self):
        """With 120 hours allowed, four days late is in time."""
        clock = FixedClock()
        walked = walk("intake", clock=clock)
        clock.advance(days=4)
        walked = walked.then(
            AddRecord(record=parse_record("intake", intake_data()), occurred_at=EPOCH)
        )

        findings = check_case(walked.events, Policy(late_entry_hours=120), clock.now)

        assert only(findings, Rule.LATE_ENTRY) == []


class TestCoercionWithoutJustification:
    def test_justified_coercion(self):
        """A coercive activity with a justification is no finding."""
        walked = walk("intervention").then(
            add("activity", activity_data(model="coerce", justification="Court order."))
        )

        assert check_case(walked.events, POLICY, walked.case.last_occurred_at) == []

    def test_other_models_need_no_justification(self):
        """A persuasive activity without a justification is no finding."""
        walked = walk("intervention").then(add("activity", activity_data()))

        assert check_case(walked.events, POLICY, walked.case.last_occurred_at) == []

    @pytest.mark.parametrize(
        ("justification", "problem"),
        [(None, "missing"), ("  ", "blank"), (REDACTED, "redacted")],
    )
    def test_unjustified_coercion(self, justification, problem):
        """A coercive activity with no usable justification is reported."""
        record = coercion(justification)
        events = forged(walk("intervention"), record=record)

        findings = check_case(events, POLICY, events[-1].occurred_at)

        assert [(f.rule, f.seq, f.params["problem"]) for f in findings] == [
            (Rule.COERCION_WITHOUT_JUSTIFICATION, events[-1].seq, problem)
        ]

    def test_a_redacted_record(self):
        """After a lawful redaction the justification reads as redacted."""
        walked = walk("intervention").then(
            add("activity", activity_data(model="coerce", justification="Court order."))
        )
        last = walked.events[-1]
        events = (*walked.events[:-1], attrs.evolve(last, record=redact(last.record)))

        findings = check_case(events, POLICY, last.occurred_at)

        assert findings[0].describe("id") == (
            "Kegiatan dengan paksaan pada 2025-01-06 tidak disertai alasan: "
            "alasan telah dihapus (redaksi)."
        )


class TestIncompleteTermination:
    def test_complete_termination(self):
        """A termination with its sub-reason, referral and note is no finding."""
        walked = walk("assessment").then(
            TerminateCase(
                reason=R.BEYOND_AGENCY_CAPACITY,
                sub_reason=SubReason.MENTAL_DISORDER,
                referral_to="RSJ Menur",
                note="Needs psychiatric care.",
            )
        )

        assert check_case(walked.events, POLICY, walked.case.last_occurred_at) == []

    def test_missing_sub_reason_referral_and_note(self):
        """A forged termination lacking its parts names each one missing."""
        events = forged(
            walk("assessment"),
            action=Action.TERMINATE,
            to_stage=Stage.TERMINATION,
            reason=R.BEYOND_AGENCY_CAPACITY,
        )

        findings = check_case(events, POLICY, events[-1].occurred_at)

        assert rules(findings) == [Rule.INCOMPLETE_TERMINATION]
        assert findings[0].params["missing"] == (
            "termination.sub_reason,termination.referral_to,termination.note"
        )
        assert findings[0].detail == (
            "The termination as 'Problem beyond the agency's capacity' lacks a "
            "sub-reason for this termination reason; where the client is referred "
            "to; a termination note."
        )

    def test_a_sub_reason_of_another_reason(self):
        """A sub-reason that belongs to another reason counts as missing."""
        events = forged(
            walk("intake"),
            action=Action.TERMINATE,
            to_stage=Stage.TERMINATION,
            reason=R.CLIENT_DISLIKES_WORKER,
            sub_reason=SubReason.PERMANENT_ILLNESS,
            note=" ",
        )

        findings = check_case(events, POLICY, events[-1].occurred_at)

        assert (
            findings[0].params["missing"] == "termination.sub_reason,termination.note"
        )

    def test_no_reason_at_all(self):
        """A forged termination without a reason is reported."""
        events = forged(
            walk("intake"), action=Action.TERMINATE, to_stage=Stage.TERMINATION
        )

        findings = check_case(events, POLICY, events[-1].occurred_at)

        assert [(f.rule, f.params["missing"]) for f in findings] == [
            (Rule.INCOMPLETE_TERMINATION, "termination.reason")
        ]


class TestIdleCase:
    def test_recently_active(self):
        """An open case with an event 59 days ago is not idle."""
        walked = walk("assessment")

        findings = check_case(walked.events, POLICY, EPOCH + 59 * DAY)

        assert only(findings, Rule.IDLE_CASE) == []

    def test_idle(self):
        """An open case with no event for 61 days is idle, judged at as_of."""
        walked = walk("assessment")

        findings = only(
            check_case(walked.events, POLICY, EPOCH + 61 * DAY), Rule.IDLE_CASE
        )

        assert [(f.seq, f.at, f.severity) for f in findings] == [
            (walked.case.seq, EPOCH + 61 * DAY, Severity.WARNING)
        ]
        assert findings[0].params == {
            "days": "61",
            "max_days": "60",
            "last": "2025-01-06",
        }

    def test_the_agency_can_switch_it_off(self):
        """A disabled rule reports nothing."""
        walked = walk("assessment")

        findings = check_case(
            walked.events, Policy(disabled=["idle_case"]), EPOCH + 61 * DAY
        )

        assert rules(findings) == [Rule.STAGE_OVERDUE]

    def test_the_agency_sets_the_severity(self):
        """Findings carry the severity the agency chose for the rule."""
        walked = walk("assessment")
        policy = Policy(severity={"idle_case": "info"})

        findings = only(
            check_case(walked.events, policy, EPOCH + 61 * DAY), Rule.IDLE_CASE
        )

        assert findings[0].severity is Severity.INFO


class TestCheckCase:
    def test_no_events(self):
        """A case without events has no findings."""
        assert check_case([], POLICY, EPOCH) == []

    def test_events_after_as_of_are_left_out(self):
        """What happened after as_of is not judged."""
        clock = FixedClock()
        walked = walk("intake", clock=clock)
        clock.advance(days=4)
        walked = walked.then(
            AddRecord(
                record=parse_record("intake", intake_data()), occurred_at=clock.now
            )
        )

        assert check_case(walked.events, POLICY, EPOCH + DAY) == []

    def test_findings_in_trail_order(self):
        """Findings come ordered by event, then by rule."""
        clock = FixedClock()
        walked = walk("intake", clock=clock)
        clock.advance(days=20)
        walked = walked.then(
            AddRecord(record=parse_record("intake", intake_data()), occurred_at=EPOCH),
            MoveCase(target=Stage.CONTRACT),
        )

        findings = check_case(walked.events, POLICY, EPOCH + 100 * DAY)

        assert [(f.seq, f.rule) for f in findings] == [
            (4, Rule.LATE_ENTRY),
            (5, Rule.STAGE_OVERDUE),
            (5, Rule.STAGE_OVERDUE),
            (5, Rule.IDLE_CASE),
        ]

    def test_a_naive_moment_is_refused(self):
        """as_of must carry a time zone."""
        with pytest.raises(InvalidInputError) as raised:
            check_case(walk("intake").events, POLICY, dt.datetime(2025, 1, 1))  # noqa: DTZ001 - the point of the test

        assert raised.value.field == "as_of"

    def test_events_of_two_cases_are_refused(self):
        """Events of another case in one trail are refused."""
        events = (*walk("intake").events, walk("intake", case_id="case-2").events[1])

        with pytest.raises(InvalidInputError) as raised:
            check_case(events, POLICY, EPOCH)

        assert raised.value.problem == "not_grouped"

    def test_events_out_of_order_are_refused(self):
        """A trail whose seq goes back is refused."""
        events = walk("intake").events

        with pytest.raises(InvalidInputError) as raised:
            check_case((*events, events[0]), POLICY, EPOCH)

        assert raised.value.problem == "not_in_order"


class TestCheckAll:
    @staticmethod
    def store() -> list[Event]:
        """Return the events of three cases, case by case."""
        clock = FixedClock()
        events = [*walk("intake", case_id="a", clock=clock).events]
        events += walk("termination", case_id="b", clock=clock).events
        events += walk("engagement", case_id="c", clock=clock).events
        return events

    def test_a_stream_grouped_by_case(self):
        """A stream with each case's events together is checked case by case."""
        findings = check_all(iter(self.store()), POLICY, EPOCH + 61 * DAY)

        assert [(f.case_id, f.rule) for f in findings] == [
            ("a", Rule.STAGE_OVERDUE),
            ("a", Rule.IDLE_CASE),
            ("c", Rule.STAGE_OVERDUE),
            ("c", Rule.IDLE_CASE),
        ]

    def test_a_mapping_of_cases(self):
        """A mapping of case id to events gives the same findings."""
        events = self.store()
        by_case: dict[str, list[Event]] = {}
        for event in events:
            by_case.setdefault(event.case_id, []).append(event)

        assert check_all(by_case, POLICY, EPOCH + 61 * DAY) == check_all(
            events, POLICY, EPOCH + 61 * DAY
        )

    def test_a_split_case_is_refused(self):
        """A stream in which a case's events come apart is refused."""
        events = self.store()
        split = [*events[1:], events[0]]

        with pytest.raises(InvalidInputError) as raised:
            check_all(split, POLICY, EPOCH)

        assert (raised.value.problem, raised.value.value) == ("not_grouped", "a")


class TestLabels:
    @pytest.mark.parametrize("rule", list(Rule))
    def test_every_rule_has_two_labels(self, rule):
        """Every rule reads differently in Indonesian and English."""
        english, indonesian = rule_label(rule, "en"), rule_label(rule, "id")

        assert english
        assert indonesian
        assert english != indonesian

    def test_known_labels(self):
        """Labels read as an Indonesian agency and an English one would expect."""
        assert rule_label("late_entry", "id") == "Pencatatan terlambat"
        assert rule_label(Rule.IDLE_CASE) == "Idle case"
        assert severity_label(Severity.ERROR, "id") == "Pelanggaran"
        assert severity_label("warning") == "Warning"

    def test_unknown_codes(self):
        """An unknown rule, severity or language is bad input."""
        with pytest.raises(InvalidInputError):
            rule_label("sleepy_case")
        with pytest.raises(InvalidInputError):
            severity_label("fatal")
        with pytest.raises(InvalidInputError):
            rule_label(Rule.IDLE_CASE, "fr")  # type: ignore[arg-type] # a wrong language on purpose

    def test_details_in_indonesian(self):
        """A finding told in Indonesian uses its labels and the decimal comma."""
        clock = FixedClock()
        walked = walk("assessment", clock=clock)
        clock.advance(days=40, hours=12)
        walked = walked.then(
            add("assessment", assessment_data()), MoveCase(target=Stage.PLANNING)
        )

        finding = only(
            check_case(walked.events, POLICY, clock.now), Rule.STAGE_OVERDUE
        )[0]

        assert finding.describe("id") == (
            "Asesmen (pengungkapan dan pemahaman masalah): 40,5 hari di tahap ini "
            "sampai 2025-02-15, melebihi batas 30 hari."
        )

    def test_finding_as_json(self):
        """A finding's JSON form holds codes, the time and the facts."""
        walked = walk("assessment")

        finding = check_case(walked.events, POLICY, EPOCH + 61 * DAY)[-1]

        assert finding.to_json() == {
            "case_id": "case-1",
            "seq": walked.case.seq,
            "rule": "idle_case",
            "severity": "warning",
            "at": "2025-03-08T09:00:00Z",
            "detail": "No event for 61 days (limit 60); the last was on 2025-01-06.",
            "params": {"days": "61", "max_days": "60", "last": "2025-01-06"},
        }
