"""The public test helpers: a fixed clock, record factories and walks."""

from __future__ import annotations

import datetime as dt

import pytest

from helping_process import Actor
from helping_process import ActorRole
from helping_process import PlanRecord
from helping_process import Stage
from helping_process.testing import EPOCH
from helping_process.testing import FixedClock
from helping_process.testing import evaluation_data
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


class TestWalk:
    @pytest.mark.parametrize("stage", list(Stage))
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
