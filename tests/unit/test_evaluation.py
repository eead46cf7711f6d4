"""Evaluation arithmetic: planned against achieved, and GAS T-scores (§6)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helping_process import AddRecord
from helping_process import PlanRecord
from helping_process import RecordNotAllowedError
from helping_process import Stage
from helping_process import attainment
from helping_process import gas_t_score
from helping_process.testing import plan_data
from helping_process.testing import walk

scores = st.lists(st.integers(min_value=-2, max_value=2), min_size=1, max_size=12)


class TestAttainment:
    def test_seed_example(self):
        """Planned {1..5}, achieved {1,3,5}: attainment 0.6, unmet {2,4}."""
        result = attainment(["1", "2", "3", "4", "5"], ["1", "3", "5"])

        assert (result.ratio, result.unmet) == (0.6, frozenset({"2", "4"}))
        assert (result.planned, result.achieved) == (
            frozenset({"1", "2", "3", "4", "5"}),
            frozenset({"1", "3", "5"}),
        )

    def test_every_goal_achieved(self):
        """Achieving every planned goal gives an attainment of 1."""
        result = attainment(["a", "b"], ["b", "a"])

        assert (result.ratio, result.unmet) == (1.0, frozenset())

    def test_unplanned_goals_do_not_count(self):
        """A goal achieved outside the plan does not raise the attainment."""
        result = attainment(["a", "b"], ["a", "z"])

        assert (result.ratio, result.achieved) == (0.5, frozenset({"a"}))

    def test_nothing_planned(self):
        """With nothing planned, the attainment is 0, not a division by zero."""
        result = attainment([], [])

        assert result.ratio == 0.0


class TestGasTScore:
    @pytest.mark.parametrize(
        ("xs", "weights", "expected"),
        [
            ((-2, 0, -1, 2, 0, 1), (3, 5, 1, 4, 2, 6), 55.000),
            ((0, 0, 0), None, 50.000),
            ((1, 1, 1), None, 63.693),
            ((-1, -1, -1), None, 36.307),
            ((2,), None, 70.000),
        ],
    )
    def test_domain_vectors(self, xs, weights, expected):
        """The T-score matches the test vectors of docs/domain.md §7 to 3 decimals."""
        score = gas_t_score(xs, weights)

        assert round(score, 3) == expected

    def test_default_weights_are_one(self):
        """Leaving out the weights weighs every goal 1."""
        unweighted = gas_t_score([2, -1, 0])

        assert unweighted == gas_t_score([2, -1, 0], [1, 1, 1])

    @given(xs=scores)
    def test_all_as_expected_is_fifty(self, xs):
        """Every goal met as expected scores exactly 50."""
        score = gas_t_score([0] * len(xs))

        assert score == 50.0

    @given(xs=scores)
    def test_symmetric(self, xs):
        """Mirroring every score mirrors the T-score around 50."""
        score = gas_t_score(xs)

        mirrored = gas_t_score([-x for x in xs])

        assert math.isclose(score - 50, 50 - mirrored, abs_tol=1e-9)

    @given(xs=scores)
    def test_monotone(self, xs):
        """Raising one goal's score never lowers the T-score."""
        index = next((i for i, x in enumerate(xs) if x < 2), None)
        raised = list(xs)
        if index is not None:
            raised[index] += 1

        assert gas_t_score(raised) >= gas_t_score(xs)

    @pytest.mark.parametrize(
        ("xs", "weights"),
        [
            ((), None),
            ((0, 1), (1,)),
            ((3,), None),
            ((-3,), None),
            ((1,), (0,)),
            ((1,), (-1,)),
        ],
    )
    def test_bad_input(self, xs, weights):
        """No scores, scores out of -2..2 and bad weights are refused."""
        with pytest.raises(ValueError, match="GAS"):
            gas_t_score(xs, weights)


class TestGasScales:
    def test_scales_are_fixed_before_intervention(self):
        """A plan, and so its GAS scales, cannot change once intervention starts."""
        walked = walk(Stage.INTERVENTION, gas=True)
        new_plan = AddRecord(record=PlanRecord.from_json(plan_data(gas=True)))

        with pytest.raises(RecordNotAllowedError):
            walked.then(new_plan)

    def test_scaled_goals_of_the_plan(self):
        """A plan knows which goals carry a GAS scale."""
        plan = PlanRecord.from_json(plan_data(("a", "b"), gas=True))

        assert plan.scaled_goal_ids == {"a", "b"}
