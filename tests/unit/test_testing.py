"""The public test helpers: a fixed clock, record factories and walks."""

from __future__ import annotations

import datetime as dt

import pytest

from helping_process import Actor
from helping_process import ActorRole
from helping_process import PlanRecord
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process.service import CaseService
from helping_process.states.vocabulary import HELPING_STAGES
from helping_process.testing import EPOCH
from helping_process.testing import FixedClock
from helping_process.testing import InMemoryStore
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data
from helping_process.testing import walk


class TestFixedClock:
    def test_stands_still(self):
        """The clock shows the same time until it is advanced."""
        clock = FixedClock()

        times = {clock(), clock()}

        assert times == {EPOCH}

    def test_advance(self):
        """Advancing moves the clock by a timedelta's keyword arguments."""
        clock = FixedClock()

        now = clock.advance(days=1, minutes=30)

        assert now == clock() == EPOCH + dt.timedelta(days=1, minutes=30)

    def test_today(self):
        """The clock's day is its UTC date."""
        clock = FixedClock(dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.UTC))

        today = clock.today()

        assert today == dt.date(2025, 3, 1)

    def test_kept_in_utc(self):
        """A time in another zone is shown in UTC."""
        jakarta = dt.timezone(dt.timedelta(hours=7))

        clock = FixedClock(dt.datetime(2025, 1, 6, 16, 0, tzinfo=jakarta))

        assert (clock(), clock().tzinfo) == (EPOCH, dt.UTC)

    def test_naive_time_is_refused(self):
        """A clock without a zone would put naive times in the trail."""
        with pytest.raises(ValueError, match="aware"):
            FixedClock(dt.datetime(2025, 1, 6))  # noqa: DTZ001 - naive on purpose


class TestFactories:
    def test_plan_goals(self):
        """A plan has the goals asked for, each with one objective and one task."""
        plan = PlanRecord.from_json(plan_data(("a", "b", "c")))

        assert [(goal.id, len(goal.objectives)) for goal in plan.goals] == [
            ("a", 1),
            ("b", 1),
            ("c", 1),
        ]

    def test_overrides(self):
        """Keyword overrides replace fields of the record."""
        data = evaluation_data(("g1",), {"g1": 2}, outcome_note="Partly.")

        assert (
            data["achieved_goal_ids"],
            data["gas_scores"],
            data["outcome_note"],
        ) == (
            ["g1"],
            {"g1": 2},
            "Partly.",
        )


def _to_intervention(
    service: CaseService, clock: FixedClock, contract: dict[str, object]
) -> Stage:
    """Take a new case with complete records as far as it goes; return its stage."""
    worker = Actor("worker-1")
    case_id = service.open("client-1", actor=worker).case_id
    steps = [
        ("engagement", engagement_data(clock=clock), Stage.INTAKE),
        ("intake", intake_data(), Stage.CONTRACT),
        ("contract", contract, Stage.ASSESSMENT),
        ("assessment", assessment_data(), Stage.PLANNING),
        ("plan", plan_data(), Stage.INTERVENTION),
    ]
    stage = Stage.ENGAGEMENT
    for kind, data, target in steps:
        service.add_record_json(case_id, kind, data, actor=worker)
        try:
            stage = service.move(case_id, target, actor=worker).stage
        except RequirementNotMetError:
            return stage
    return stage


class TestDatedFromTheClock:
    LATER = FixedClock(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC))

    def test_contract_runs_a_year_from_the_clock(self):
        """A contract made with a clock is in force from its day for a year."""
        data = contract_data(clock=self.LATER)

        assert data["valid_from"] == "2027-03-01"
        assert (
            data["valid_until"]
            == (dt.date(2027, 3, 1) + dt.timedelta(days=365)).isoformat()
        )

    def test_given_dates_win(self):
        """Dates given explicitly override the clock's."""
        data = contract_data(clock=self.LATER, valid_until="2027-06-30")

        assert (data["valid_from"], data["valid_until"]) == ("2027-03-01", "2027-06-30")

    def test_other_records_take_the_clock_day(self):
        """Engagement and activity records made with a clock are dated on its day."""
        assert engagement_data(clock=self.LATER)["first_contact_on"] == "2027-03-01"
        assert activity_data(clock=self.LATER)["on"] == "2027-03-01"
        assert engagement_data()["first_contact_on"] == EPOCH.date().isoformat()

    def test_a_service_on_a_later_clock_reaches_intervention(self):
        """On a clock past 2025, a clock-dated contract lets the plan start."""
        clock = FixedClock(self.LATER.now)
        dated = CaseService(InMemoryStore(), clock=clock)
        undated = CaseService(InMemoryStore(), clock=clock)

        assert _to_intervention(dated, clock, contract_data(clock=clock)) is (
            Stage.INTERVENTION
        )
        assert _to_intervention(undated, clock, contract_data()) is Stage.PLANNING


class TestWalk:
    @pytest.mark.parametrize("stage", list(HELPING_STAGES))
    def test_reaches_the_stage(self, stage):
        """A walk stops in the stage asked for."""
        walked = walk(stage)

        assert walked.case.stage == stage

    def test_uses_the_clock_and_actor(self, clock):
        """Every step takes place at the clock's time, done by the given actor."""
        clock.advance(days=3)
        supervisor = Actor("s-1", ActorRole.SUPERVISOR)

        walked = walk(Stage.PLANNING, clock=clock, actor=supervisor)

        assert {event.occurred_at for event in walked.events} == {clock()}
        assert {event.actor for event in walked.events} == {supervisor}

    def test_residential_and_case_id(self):
        """A walk opens the case it is asked to, residential or not."""
        walked = walk(Stage.ENGAGEMENT, residential=True, case_id="c-9")

        assert (walked.case.case_id, walked.case.residential) == ("c-9", True)

    def test_gas(self):
        """With gas, the plan's goals carry scales and are scored."""
        walked = walk(Stage.TERMINATION, gas=True)

        records = walked.case.records
        assert records.plan is not None
        assert records.evaluation is not None
        assert records.plan.scaled_goal_ids == set(records.evaluation.gas_scores)
