"""The transition table of the helping process and what each move requires.

The table is data: every legal move with its trigger. :class:`Process`
indexes it and checks its own invariants when built (every stage reachable
from engagement, termination reachable from every stage, no dead ends,
every forward move with its exit rule, every termination reason usable
somewhere and every stage that may terminate with a reason to, planned
reasons in evaluation only), so a broken definition fails at import instead
of stranding a case.

What a move requires (``docs/domain.md`` §3, §4):

- a forward move (``advance``) needs the exit records of the stage it
  leaves; leaving planning also needs a primary contract in force;
- a loop back (``reassess``, ``replan``, ``resume``) needs a note saying
  why; every move out of evaluation needs this visit's evaluation, and
  ``resume`` (continue the same plan) needs the primary contract in force;
- ``terminate`` needs a reason allowed in the stage (see
  :mod:`~helping_process.states.termination`) and a note;
- ``reopen`` starts a new episode and needs a note.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Final

import attrs

from helping_process.exceptions import ProcessDefinitionError
from helping_process.states import assessment
from helping_process.states import contract
from helping_process.states import engagement
from helping_process.states import evaluation
from helping_process.states import intake
from helping_process.states import intervention
from helping_process.states import planning
from helping_process.states.records import RecordsInForce
from helping_process.states.termination import REASON_RULES
from helping_process.states.termination import ReasonRule
from helping_process.states.vocabulary import HELPING_REASONS
from helping_process.states.vocabulary import HELPING_STAGES
from helping_process.states.vocabulary import Stage
from helping_process.states.vocabulary import SubReason
from helping_process.states.vocabulary import TerminationReason

ADVANCE: Final = "advance"
REASSESS: Final = "reassess"
REPLAN: Final = "replan"
RESUME: Final = "resume"
TERMINATE: Final = "terminate"
REOPEN: Final = "reopen"

#: Triggers that loop back and therefore need a note saying why.
LOOP_TRIGGERS: Final = frozenset({REASSESS, REPLAN, RESUME})


@attrs.frozen
class Move:
    """One legal move: a trigger that takes a case from one stage to another."""

    trigger: str
    source: Stage
    dest: Stage

    @property
    def is_loop(self) -> bool:
        """Whether the move goes back, and so needs a note saying why."""
        return self.trigger in LOOP_TRIGGERS


_FORWARD = HELPING_STAGES[:-2]  # engagement … intervention; evaluation terminates

#: Every legal move of the process (``docs/domain.md`` §3).
TRANSITIONS: Final[tuple[Move, ...]] = (
    *(
        Move(ADVANCE, stage, HELPING_STAGES[index + 1])
        for index, stage in enumerate(_FORWARD)
    ),
    Move(REASSESS, Stage.PLANNING, Stage.ASSESSMENT),
    Move(REASSESS, Stage.INTERVENTION, Stage.ASSESSMENT),
    Move(REASSESS, Stage.EVALUATION, Stage.ASSESSMENT),
    Move(REPLAN, Stage.INTERVENTION, Stage.PLANNING),
    Move(REPLAN, Stage.EVALUATION, Stage.PLANNING),
    Move(RESUME, Stage.EVALUATION, Stage.INTERVENTION),
    *(
        Move(TERMINATE, stage, Stage.TERMINATION)
        for stage in HELPING_STAGES
        if stage is not Stage.TERMINATION
    ),
    Move(REOPEN, Stage.TERMINATION, Stage.ENGAGEMENT),
)


class Process:
    """The helping process: its legal moves, reasons and requirements.

    Built once from a transition table and the termination reasons; it holds
    no cases.

    Raises:
        ProcessDefinitionError: the table breaks an invariant.
    """

    def __init__(
        self,
        moves: Iterable[Move],
        reasons: Mapping[TerminationReason, ReasonRule],
    ) -> None:
        self.moves: tuple[Move, ...] = tuple(moves)
        self.reason_rules = reasons
        self._by_pair: dict[tuple[Stage, Stage], Move] = {}
        self._targets: dict[Stage, set[Stage]] = {
            stage: set() for stage in HELPING_STAGES
        }
        for move in self.moves:
            if (move.source, move.dest) in self._by_pair:
                raise ProcessDefinitionError(move.source, "duplicate_move")
            self._by_pair[move.source, move.dest] = move
            self._targets[move.source].add(move.dest)
        self._check()

    def _check(self) -> None:
        """Fail loudly if the definition would strand a case."""
        self._check_moves()
        self._check_reasons()

    def _check_moves(self) -> None:
        triggers = [(move.trigger, move.source) for move in self.moves]
        for trigger, source in triggers:
            if triggers.count((trigger, source)) > 1:
                raise ProcessDefinitionError(f"{source}/{trigger}", "ambiguous_trigger")
        reached = _reach(Stage.ENGAGEMENT, self._targets)
        for stage in HELPING_STAGES:
            if not self._targets[stage]:
                raise ProcessDefinitionError(stage, "dead_end")
            if stage not in reached:
                raise ProcessDefinitionError(stage, "unreachable")
            if Stage.TERMINATION not in _reach(stage, self._targets):
                raise ProcessDefinitionError(stage, "cannot_terminate")
            move = self._by_pair.get((stage, Stage.TERMINATION))
            if move is not None and not self.reasons(stage, residential=True):
                raise ProcessDefinitionError(stage, "termination_without_reason")
        for move in self.moves:
            if move.trigger == ADVANCE and move.source not in _EXITS:
                raise ProcessDefinitionError(move.source, "no_exit_rule")

    def _check_reasons(self) -> None:
        for reason in _FIRST_REASONS:
            rule = self.reason_rules.get(reason)
            if rule is None or not rule.stages:
                raise ProcessDefinitionError(reason, "never_allowed")
            if any(Stage.TERMINATION not in self._targets[s] for s in rule.stages):
                raise ProcessDefinitionError(reason, "allowed_without_termination")
            if rule.planned and rule.stages != {Stage.EVALUATION}:
                raise ProcessDefinitionError(reason, "planned_outside_evaluation")

    def targets(self, stage: Stage) -> frozenset[Stage]:
        """Return every stage a legal move can reach from ``stage``."""
        return frozenset(self._targets[stage])

    def reasons(
        self, stage: Stage, *, residential: bool
    ) -> frozenset[TerminationReason]:
        """Return the termination reasons allowed in ``stage`` for such a case."""
        return frozenset(
            reason
            for reason, rule in self.reason_rules.items()
            if rule.allows(stage, residential=residential)
        )

    def move(self, source: Stage, dest: Stage) -> Move | None:
        """Return the legal move from ``source`` to ``dest``, if there is one."""
        return self._by_pair.get((source, dest))

    def move_requirements(
        self, move: Move, records: RecordsInForce, *, day: dt.date
    ) -> list[str]:
        """Return the requirement ids the case's records leave unmet for ``move``.

        What the command itself must carry (a note) is checked by
        :meth:`command_requirements`.
        """
        source = move.source
        if move.trigger == ADVANCE:
            return _EXITS[source](records, day)
        missing: list[str] = []
        if source is Stage.EVALUATION:
            missing += _evaluation_requirements(records)
        if move.trigger == RESUME:
            missing += contract.primary_requirements(records.primary_contract, day)
        return missing

    @staticmethod
    def command_requirements(move: Move, *, note: str | None) -> list[str]:
        """Return what the command must carry for ``move`` (its note)."""
        if note is not None:
            return []
        if move.is_loop:
            return ["move.note"]
        if move.trigger == REOPEN:
            return ["reopen.note"]
        return []

    def termination_requirements(
        self, rule: ReasonRule, records: RecordsInForce
    ) -> list[str]:
        """Return what the case's records lack for a termination under ``rule``."""
        missing: list[str] = []
        if rule.needs_evaluation:
            missing += _evaluation_requirements(records)
        if rule.needs_all_goals and records.evaluation is not None:
            plan_goals = records.plan.goal_ids if records.plan else frozenset()
            if not plan_goals <= set(records.evaluation.achieved_goal_ids):
                missing.append("evaluation.goals_achieved")
        return missing

    @staticmethod
    def termination_command_requirements(
        rule: ReasonRule,
        *,
        sub_reason: SubReason | None,
        referral_to: str | None,
        note: str | None,
    ) -> list[str]:
        """Return what a termination command must still carry under ``rule``."""
        missing: list[str] = []
        if rule.sub_reasons and sub_reason is None:
            missing.append("termination.sub_reason")
        if rule.needs_referral and referral_to is None:
            missing.append("termination.referral_to")
        if note is None:
            missing.append("termination.note")
        return missing


#: The reasons of the first release: later ones (client_died) belong to
#: later definitions (see helping_process.definitions), not to this table.
_FIRST_REASONS: Final = tuple(
    reason for reason in HELPING_REASONS if reason is not TerminationReason.CLIENT_DIED
)


def _evaluation_requirements(records: RecordsInForce) -> list[str]:
    scaled = records.plan.scaled_goal_ids if records.plan else frozenset()
    return evaluation.exit_requirements(records.evaluation, scaled)


#: What each stage's records must hold before a forward move out of it.
_EXITS: Final[Mapping[Stage, Callable[[RecordsInForce, dt.date], list[str]]]] = {
    Stage.ENGAGEMENT: lambda records, day: engagement.exit_requirements(
        records.engagement
    ),
    Stage.INTAKE: lambda records, day: intake.exit_requirements(records.intake),
    Stage.CONTRACT: lambda records, day: contract.exit_requirements(records.contract),
    Stage.ASSESSMENT: lambda records, day: assessment.exit_requirements(
        records.assessment
    ),
    Stage.PLANNING: lambda records, day: (
        planning.exit_requirements(records.plan)
        + contract.primary_requirements(records.primary_contract, day)
    ),
    Stage.INTERVENTION: lambda records, day: intervention.exit_requirements(
        records.activity
    ),
}


def _reach(start: Stage, targets: Mapping[Stage, Iterable[Stage]]) -> set[Stage]:
    """Return the stages reachable from ``start`` (``start`` included)."""
    seen = {start}
    queue = deque([start])
    while queue:
        for target in targets[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


#: The helping process of ``docs/domain.md``, checked at import.
PROCESS: Final = Process(TRANSITIONS, REASON_RULES)
