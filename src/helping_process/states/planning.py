"""Planning (perencanaan): goals, objectives and tasks, and how to reach them.

To leave planning forward the case needs a plan with at least one goal,
every goal with at least one objective and every objective with at least one
task, and a primary contract in force on the day of the move. Goal
Attainment Scaling (GAS) scales, when used, are part of the plan, so they are
fixed before the intervention starts and change only through a new plan.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any
from typing import ClassVar
from typing import Final
from typing import Self

import attrs

from helping_process.exceptions import RecordInvalidError
from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import RecordKind

#: The GAS levels, from much less than expected (-2) to much more (+2).
GAS_LEVELS: Final = ("-2", "-1", "0", "1", "2")


def _gas_levels(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, Mapping):
        raise RecordInvalidError(RecordKind.PLAN, attribute.name, "not_object")
    for level in GAS_LEVELS:
        problem = _fields.check_text(value.get(level))
        if problem is not None:
            raise RecordInvalidError(
                RecordKind.PLAN, f"{attribute.name}.{level}", problem
            )
    extra = sorted(set(value) - set(GAS_LEVELS))
    if extra:
        raise RecordInvalidError(
            RecordKind.PLAN, f"{attribute.name}.{extra[0]}", "unknown_field"
        )


def _positive(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise RecordInvalidError(RecordKind.PLAN, attribute.name, "out_of_range", value)


@attrs.frozen(kw_only=True)
class GasScale:
    """A goal's attainment scale: what each level from -2 to +2 looks like.

    Attributes:
        weight: the goal's weight in the T-score (default 1).
        levels: the observable outcome at each level ``"-2"`` … ``"2"``.
    """

    kind: ClassVar[RecordKind] = RecordKind.PLAN

    weight: float = attrs.field(default=1.0, validator=_positive)
    levels: Mapping[str, str] = attrs.field(validator=_gas_levels, metadata=PERSONAL)

    @classmethod
    def read(cls, read: Reader) -> Self:
        """Build a scale from a JSON object."""
        scale = cls(
            weight=read.number("weight", 1.0),
            levels=dict(read.mapping("levels")),
        )
        read.finish()
        return scale


@attrs.frozen(kw_only=True)
class Objective:
    """A step towards a goal, with the tasks that make it up."""

    kind: ClassVar[RecordKind] = RecordKind.PLAN

    statement: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    tasks: tuple[str, ...] = attrs.field(validator=_fields.texts, metadata=PERSONAL)

    @classmethod
    def read(cls, read: Reader) -> Self:
        """Build an objective from a JSON object."""
        objective = cls(statement=read.text("statement"), tasks=read.texts("tasks"))
        read.finish()
        return objective


@attrs.frozen(kw_only=True)
class Goal:
    """A goal of the plan, with how success is recognised.

    Attributes:
        id: a short identifier that activities and evaluations refer to.
        statement: what the client and worker want to reach.
        success_indicator: how they will know it is reached.
        objectives: the steps towards it.
        gas: an optional Goal Attainment Scale.
    """

    kind: ClassVar[RecordKind] = RecordKind.PLAN

    id: str = attrs.field(validator=_fields.text)
    statement: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    success_indicator: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    objectives: tuple[Objective, ...] = attrs.field(validator=_fields.each(Objective))
    gas: GasScale | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(GasScale)),
    )

    @classmethod
    def read(cls, read: Reader) -> Self:
        """Build a goal from a JSON object."""
        gas = read.raw("gas", required=False)
        goal = cls(
            id=read.text("id"),
            statement=read.text("statement"),
            success_indicator=read.text("success_indicator"),
            objectives=read.objects("objectives", Objective.read),
            gas=None if gas is None else read.nested("gas", gas, GasScale.read),
        )
        read.finish()
        return goal


def _goal_ids_distinct(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[Goal, ...]
) -> None:
    seen: set[str] = set()
    for index, goal in enumerate(value):
        if goal.id in seen:
            raise RecordInvalidError(
                RecordKind.PLAN, f"goals[{index}].id", "duplicate", goal.id
            )
        seen.add(goal.id)


#: The programme of tasks a plan may name (helping-process@2).
PROGRAMME_TASKS: Final = frozenset(
    {
        "motivation",
        "capacity_building",
        "creating_opportunities",
        "resource_mobilisation",
        "establishing_change",
    }
)


@attrs.frozen(kw_only=True)
class PracticeSystems:
    """The four basic systems of practice a plan names.

    Attributes:
        client_system: who asks for help and is to benefit.
        target_system: who must change for the goals to be reached.
        action_system: who works with the worker to bring the change about.
        change_agent_system: the worker and the agency.
    """

    client_system: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    target_system: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    action_system: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    change_agent_system: str = attrs.field(validator=_fields.text, metadata=PERSONAL)

    @classmethod
    def read(cls, read: Reader) -> Self:
        """Build the systems from a JSON object."""
        systems = cls(
            client_system=read.text("client_system"),
            target_system=read.text("target_system"),
            action_system=read.text("action_system"),
            change_agent_system=read.text("change_agent_system"),
        )
        read.finish()
        return systems


@attrs.frozen(kw_only=True)
class PlanRecord:
    """The intervention plan.

    Attributes:
        focus: the focus and root of the problem.
        methods: the methods and techniques chosen.
        goals: the goals, each with objectives and tasks.
        practice_systems: the client, target, action and change-agent
            systems (helping-process@2 on, optional).
        programme: the programme of tasks (helping-process@2 on, optional).
        strategy: the approach, strategy and tactics (helping-process@2 on,
            optional).
    """

    kind: ClassVar[RecordKind] = RecordKind.PLAN

    focus: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    methods: tuple[str, ...] = attrs.field(validator=_fields.texts, metadata=PERSONAL)
    goals: tuple[Goal, ...] = attrs.field(
        validator=[_fields.each(Goal), _goal_ids_distinct]
    )
    practice_systems: PracticeSystems | None = attrs.field(default=None)
    programme: tuple[str, ...] | None = attrs.field(
        default=None, validator=_fields.code_list(PROGRAMME_TASKS)
    )
    strategy: str | None = attrs.field(
        default=None, validator=_fields.optional_text, metadata=PERSONAL
    )

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the plan from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            focus=read.text("focus"),
            methods=read.texts("methods"),
            goals=read.objects("goals", Goal.read),
            practice_systems=(
                None
                if read.raw("practice_systems", required=False) is None
                else read.nested(
                    "practice_systems",
                    read.raw("practice_systems"),
                    PracticeSystems.read,
                )
            ),
            programme=read.optional_texts("programme"),
            strategy=read.optional_text("strategy"),
        )
        read.finish()
        return record

    @functools.cached_property
    def goal_ids(self) -> frozenset[str]:
        """The ids of the plan's goals (every activity checks them: kept)."""
        return frozenset(goal.id for goal in self.goals)

    @functools.cached_property
    def scaled_goal_ids(self) -> frozenset[str]:
        """The ids of the goals that carry a GAS scale."""
        return frozenset(goal.id for goal in self.goals if goal.gas is not None)


def exit_requirements(plan: PlanRecord | None) -> list[str]:
    """Return what the plan itself still lacks before intervention.

    The primary contract the move also needs is checked by
    :func:`helping_process.states.contract.primary_requirements`.
    """
    if plan is None:
        return ["plan.record"]
    missing = []
    if not plan.goals:
        missing.append("plan.goals")
    if any(not goal.objectives for goal in plan.goals):
        missing.append("plan.objectives")
    if any(not objective.tasks for goal in plan.goals for objective in goal.objectives):
        missing.append("plan.tasks")
    return missing
