"""Helpers for testing code that uses helping_process.

Everything here is pure and deterministic: a clock that only moves when told
to, JSON factories for a complete record of each kind, and :func:`walk`,
which opens a case and steps it with complete records to a given stage
through the real engine, so every case it builds is one the rules accept.

Example:
    >>> from helping_process.testing import walk
    >>> walk("planning").case.stage
    <Stage.PLANNING: 'planning'>
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import Final

import attrs

from helping_process.engine import execute
from helping_process.engine import open_case
from helping_process.model import Actor
from helping_process.model import AddRecord
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import Event
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import TerminateCase
from helping_process.states import RecordKind
from helping_process.states import Stage
from helping_process.states import TerminationReason
from helping_process.states import parse_record

__all__ = [
    "EPOCH",
    "FixedClock",
    "Walk",
    "activity_data",
    "add",
    "assessment_data",
    "contract_data",
    "engagement_data",
    "evaluation_data",
    "intake_data",
    "plan_data",
    "walk",
]

#: The moment a :class:`FixedClock` shows unless told otherwise (a Monday).
EPOCH: Final = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)

_EPOCH_DAY: Final = EPOCH.date()

#: The JSON form of a record: what :func:`helping_process.parse_record` reads.
JSONObject = dict[str, Any]

_FORWARD: Final = tuple(Stage)[:-1]


def _iso(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


def _utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` in UTC; a naive datetime has no place in the trail."""
    if value.utcoffset() is None:
        msg = "FixedClock needs an aware datetime"
        raise ValueError(msg)
    return value.astimezone(dt.UTC)


@attrs.define
class FixedClock:
    """A clock that shows the same aware UTC time until it is advanced.

    Pass it wherever the engine or a service wants ``clock: Callable[[],
    datetime]``; call :meth:`advance` to let time pass.

    Attributes:
        now: the time it shows (aware, in UTC).
    """

    now: dt.datetime = attrs.field(default=EPOCH, converter=_utc)

    def __call__(self) -> dt.datetime:
        """Return the time the clock shows."""
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        """Move the clock and return the new time.

        Args:
            **delta: keyword arguments of :class:`datetime.timedelta`, e.g.
                ``days=1`` or ``minutes=5`` (negative values move it back).

        Returns:
            The time the clock shows afterwards.
        """
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    def today(self) -> dt.date:
        """Return the (UTC) date the clock shows."""
        return self.now.date()


def engagement_data(
    *,
    first_contact_on: dt.date | str = _EPOCH_DAY,
    referral_source: str = "self",
    **overrides: Any,
) -> JSONObject:
    """Return a complete engagement record as JSON.

    Args:
        first_contact_on: the day of the first contact.
        referral_source: who referred the client.
        **overrides: fields to set (or add) as given.
    """
    return {
        "first_contact_on": _iso(first_contact_on),
        "request": "Help to find a school for my son.",
        "referral_source": referral_source,
        **overrides,
    }


def intake_data(**overrides: Any) -> JSONObject:
    """Return a complete intake record (an eligible, informed client) as JSON.

    Args:
        **overrides: fields to set (or add) as given.
    """
    return {
        "eligible": True,
        "service_formulation": "School placement and family counselling.",
        "resources_informed": True,
        **overrides,
    }


def contract_data(
    kind: str = "primary",
    *,
    valid_from: dt.date | str = dt.date(2025, 1, 1),
    valid_until: dt.date | str = dt.date(2025, 12, 31),
    **overrides: Any,
) -> JSONObject:
    """Return a contract with all seven elements as JSON.

    Args:
        kind: ``preliminary``, ``primary`` or ``secondary``.
        valid_from: the first day it is in force.
        valid_until: the last day it is in force.
        **overrides: fields to set (or add) as given.
    """
    return {
        "kind": kind,
        "consensual": True,
        "mutual_agreement": True,
        "acceptance": True,
        "reciprocal": True,
        "responsibilities": ["The worker visits weekly.", "The client attends."],
        "tasks": ["Visit two schools.", "Meet the head teacher."],
        "valid_from": _iso(valid_from),
        "valid_until": _iso(valid_until),
        "parties": {"worker": "Worker W", "agency": "LKS Mawar", "client": "Client C"},
        **overrides,
    }


def assessment_data(**overrides: Any) -> JSONObject:
    """Return a complete assessment (its five parts) as JSON.

    Args:
        **overrides: fields to set (or add) as given.
    """
    return {
        "problem_statement": "The son has been out of school for a year.",
        "personality_assessment": "Motivated, anxious about costs.",
        "situational_analysis": "Single parent, irregular income.",
        "integrative_formulation": "Costs and missing papers keep him out.",
        "evaluation": "Good prospects once the papers are in order.",
        **overrides,
    }


def _gas_scale(weight: float) -> JSONObject:
    return {
        "weight": weight,
        "levels": {
            "-2": "No school contacted.",
            "-1": "One school contacted.",
            "0": "Enrolled.",
            "1": "Enrolled and attending.",
            "2": "Attending with good reports.",
        },
    }


def plan_data(
    goal_ids: Iterable[str] = ("g1", "g2"),
    *,
    gas: bool = False,
    **overrides: Any,
) -> JSONObject:
    """Return a plan whose goals each have one objective with one task.

    Args:
        goal_ids: the ids of the plan's goals, in order.
        gas: give every goal a Goal Attainment Scale (weight 1).
        **overrides: fields to set (or add) as given.
    """
    goals = []
    for goal_id in goal_ids:
        goal: JSONObject = {
            "id": goal_id,
            "statement": f"Goal {goal_id}.",
            "success_indicator": f"Goal {goal_id} is observed.",
            "objectives": [
                {"statement": f"First step to {goal_id}.", "tasks": ["Do it."]}
            ],
        }
        if gas:
            goal["gas"] = _gas_scale(1)
        goals.append(goal)
    return {
        "focus": "Access to education.",
        "methods": ["Casework", "Brokering"],
        "goals": goals,
        **overrides,
    }


def activity_data(
    goal_ids: Iterable[str] = ("g1",),
    *,
    on: dt.date | str = _EPOCH_DAY,
    **overrides: Any,
) -> JSONObject:
    """Return an intervention activity as JSON.

    Args:
        goal_ids: the plan goals it serves.
        on: the day it took place.
        **overrides: fields to set (or add) as given.
    """
    return {
        "on": _iso(on),
        "role": "broker",
        "model": "persuade",
        "description": "Went with the client to the school office.",
        "goal_ids": list(goal_ids),
        **overrides,
    }


def evaluation_data(
    achieved: Iterable[str] = ("g1", "g2"),
    gas_scores: Mapping[str, int] | None = None,
    **overrides: Any,
) -> JSONObject:
    """Return an evaluation of the current plan as JSON.

    Args:
        achieved: the ids of the goals achieved.
        gas_scores: the GAS score of each scaled goal, if the plan has scales.
        **overrides: fields to set (or add) as given.
    """
    data: JSONObject = {
        "achieved_goal_ids": list(achieved),
        "process_note": "The client took part in every step.",
        "outcome_note": "The son is back at school.",
    }
    if gas_scores is not None:
        data["gas_scores"] = dict(gas_scores)
    return {**data, **overrides}


def add(kind: RecordKind | str, data: object) -> AddRecord:
    """Return the command that adds the record ``data`` of ``kind``.

    Raises:
        RecordInvalidError: ``data`` is malformed.
    """
    return AddRecord(record=parse_record(kind, data))


@attrs.frozen
class Walk:
    """A case built step by step, with every event the steps produced.

    Attributes:
        case: the case after the last step.
        events: every event, in sequence order.
        actor: who acts in further steps.
        clock: when further steps take place.
    """

    case: Case
    events: tuple[Event, ...]
    actor: Actor
    clock: Callable[[], dt.datetime]

    def then(self, *commands: Command) -> Walk:
        """Execute further commands and return the walk that results.

        Raises:
            HelpingProcessError: the engine refuses a command.
        """
        walked = self
        for command in commands:
            decision = execute(
                walked.case, command, actor=walked.actor, at=walked.clock()
            )
            walked = attrs.evolve(
                walked, case=decision.case, events=(*walked.events, decision.event)
            )
        return walked


def _steps(
    stage: Stage, day: dt.date, *, gas: bool
) -> Iterable[tuple[Stage, tuple[Command, ...]]]:
    """Yield, for each stage, the commands that complete it and leave it."""
    goals = ("g1", "g2")
    until = day + dt.timedelta(days=365)
    leave = {
        Stage.ENGAGEMENT: add("engagement", engagement_data(first_contact_on=day)),
        Stage.INTAKE: add("intake", intake_data()),
        Stage.CONTRACT: add(
            "contract", contract_data(valid_from=day, valid_until=until)
        ),
        Stage.ASSESSMENT: add("assessment", assessment_data()),
        Stage.PLANNING: add("plan", plan_data(goals, gas=gas)),
        Stage.INTERVENTION: add("activity", activity_data(goals, on=day)),
        Stage.EVALUATION: add(
            "evaluation",
            evaluation_data(goals, dict.fromkeys(goals, 1) if gas else None),
        ),
    }
    for current, target in zip(
        _FORWARD, (*_FORWARD[1:], Stage.TERMINATION), strict=True
    ):
        if current is stage:
            return
        if target is Stage.TERMINATION:
            move: Command = TerminateCase(
                reason=TerminationReason.GOALS_ACHIEVED,
                note="Every agreed goal is achieved.",
            )
        else:
            move = MoveCase(target=target)
        yield current, (leave[current], move)


def walk(  # noqa: PLR0913 - keyword-only options of one builder
    stage: Stage | str,
    *,
    residential: bool = False,
    gas: bool = False,
    clock: Callable[[], dt.datetime] | None = None,
    actor: Actor | None = None,
    case_id: str = "case-1",
) -> Walk:
    """Open a case and step it with complete records until it reaches ``stage``.

    Each stage gets the complete record it needs and the case moves forward;
    ``termination`` is reached by a planned termination with every goal
    achieved. Every step takes place at ``clock()``; the contract runs for a
    year from the day the walk starts. The plan has goals ``g1`` and ``g2``.

    Args:
        stage: the stage to stop in.
        residential: whether the client lives in the institution (panti).
        gas: give the plan's goals GAS scales (and score them when evaluated).
        clock: when each step takes place (a :class:`FixedClock` by default).
        actor: who acts (worker ``worker-1`` by default).
        case_id: the case's id.

    Returns:
        The case in ``stage`` and every event that brought it there.
    """
    target = Stage(stage)
    clock = clock or FixedClock()
    actor = actor or Actor("worker-1")
    decision = open_case(
        OpenCase(client="client-1", residential=residential),
        case_id=case_id,
        actor=actor,
        at=clock(),
    )
    walked = Walk(decision.case, (decision.event,), actor, clock)
    for _, commands in _steps(target, clock().date(), gas=gas):
        walked = walked.then(*commands)
    return walked
