"""The process definition checks itself when it is built."""

from __future__ import annotations

import attrs
import pytest

from helping_process import Process
from helping_process import ProcessDefinitionError
from helping_process import Stage
from helping_process import TerminationReason
from helping_process.states import REASON_RULES
from helping_process.states import TRANSITIONS
from helping_process.states import Move

S = Stage
R = TerminationReason


def without(*pairs: tuple[Stage, Stage]) -> list[Move]:
    """Return the transition table less the moves between the given stages."""
    return [move for move in TRANSITIONS if (move.source, move.dest) not in pairs]


def broken(moves, reasons=REASON_RULES) -> ProcessDefinitionError:
    """Return the error building a process from a broken table raises."""
    with pytest.raises(ProcessDefinitionError) as refused:
        Process(moves, reasons)
    return refused.value


class TestProcessDefinition:
    def test_the_real_table_is_sound(self):
        """The table of docs/domain.md builds a process without complaint."""
        process = Process(TRANSITIONS, REASON_RULES)

        assert process.targets(S.TERMINATION) == {S.ENGAGEMENT}

    def test_dead_end(self):
        """A stage with no way out is refused."""
        error = broken(without((S.TERMINATION, S.ENGAGEMENT)))

        assert (error.subject, error.problem) == (S.TERMINATION, "dead_end")

    def test_unreachable_stage(self):
        """A stage the case can never reach from engagement is refused."""
        error = broken(without((S.ENGAGEMENT, S.INTAKE)))

        assert (error.subject, error.problem) == (S.INTAKE, "unreachable")

    def test_stage_that_cannot_terminate(self):
        """A stage from which termination cannot be reached is refused."""
        moves = [
            *(move for move in TRANSITIONS if move.source is not S.EVALUATION),
            Move("wait", S.EVALUATION, S.EVALUATION),
        ]

        error = broken(moves)

        assert (error.subject, error.problem) == (S.EVALUATION, "cannot_terminate")

    def test_reason_never_allowed(self):
        """A termination reason no stage allows is refused."""
        reasons = {
            **REASON_RULES,
            R.NOT_ELIGIBLE: attrs.evolve(
                REASON_RULES[R.NOT_ELIGIBLE], stages=frozenset()
            ),
        }

        error = broken(TRANSITIONS, reasons)

        assert (error.subject, error.problem) == (R.NOT_ELIGIBLE, "never_allowed")

    def test_reason_missing(self):
        """A termination reason without a rule is never allowed."""
        reasons = {
            reason: rule
            for reason, rule in REASON_RULES.items()
            if reason is not R.CLIENT_ABSCONDED
        }

        error = broken(TRANSITIONS, reasons)

        assert (error.subject, error.problem) == (R.CLIENT_ABSCONDED, "never_allowed")

    def test_reason_allowed_where_termination_is_not(self):
        """A reason allowed in a stage that has no move to termination is refused."""
        error = broken(without((S.ENGAGEMENT, S.TERMINATION)))

        assert error.problem == "allowed_without_termination"

    def test_stage_that_terminates_without_a_reason(self):
        """A stage that may terminate but allows no reason to is refused."""
        reasons = {
            reason: attrs.evolve(rule, stages=rule.stages - {S.INTAKE})
            for reason, rule in REASON_RULES.items()
        }

        error = broken(TRANSITIONS, reasons)

        assert (error.subject, error.problem) == (
            S.INTAKE,
            "termination_without_reason",
        )

    def test_forward_move_without_an_exit_rule(self):
        """A forward move out of a stage that has no exit rule is refused."""
        error = broken([*TRANSITIONS, Move("advance", S.TERMINATION, S.INTAKE)])

        assert (error.subject, error.problem) == (S.TERMINATION, "no_exit_rule")

    def test_planned_termination_outside_evaluation(self):
        """A planned reason allowed outside evaluation is refused."""
        reasons = {
            **REASON_RULES,
            R.GOALS_ACHIEVED: attrs.evolve(
                REASON_RULES[R.GOALS_ACHIEVED],
                stages=frozenset({S.INTERVENTION, S.EVALUATION}),
            ),
        }

        error = broken(TRANSITIONS, reasons)

        assert (error.subject, error.problem) == (
            R.GOALS_ACHIEVED,
            "planned_outside_evaluation",
        )

    def test_duplicate_move(self):
        """The same move twice is refused."""
        error = broken([*TRANSITIONS, Move("advance", S.ENGAGEMENT, S.INTAKE)])

        assert (error.subject, error.problem) == (S.ENGAGEMENT, "duplicate_move")

    def test_two_triggers_for_one_move(self):
        """Two triggers leading from one stage to the same stage are refused."""
        error = broken([*TRANSITIONS, Move("skip", S.INTAKE, S.CONTRACT)])

        assert (error.subject, error.problem) == (S.INTAKE, "duplicate_move")

    def test_ambiguous_trigger(self):
        """One trigger leading from one stage to two stages is refused."""
        error = broken([*TRANSITIONS, Move("advance", S.ENGAGEMENT, S.CONTRACT)])

        assert error.problem == "ambiguous_trigger"

    def test_error_names_the_subject(self):
        """The definition error says which stage is broken and how."""
        error = broken(without((S.TERMINATION, S.ENGAGEMENT)))

        assert error.message("en") == (
            "The process definition is broken: termination is a dead end."
        )
