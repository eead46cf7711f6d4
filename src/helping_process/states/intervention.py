"""Intervention (intervensi): the planned change, carried out as activities.

Each activity names the worker's role, the model of influence and the goals
it serves; a coercive activity must be justified. To leave intervention for
evaluation the case needs at least one activity since it last entered the
intervention stage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import ClassVar
from typing import Final
from typing import Self

import attrs

from helping_process.exceptions import RecordInvalidError
from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import InterventionModel
from helping_process.states.vocabulary import RecordKind
from helping_process.states.vocabulary import WorkerRole

#: The techniques of influence an activity may name (helping-process@2).
TECHNIQUES: Final = frozenset(
    {
        "situational_redefinition",
        "refocusing_attention",
        "stress_reduction",
        "change_in_behavior_setting",
        "changing_climate_of_opinion",
        "new_values_and_life_goals",
    }
)


@attrs.frozen(kw_only=True)
class ActivityRecord:
    """One intervention activity.

    Attributes:
        on: the day it took place.
        role: the worker's role in it.
        model: how it sought change (induce, persuade, direct obedience,
            coerce).
        description: what was done.
        goal_ids: the plan goals it serves (at least one).
        justification: why coercion was necessary; required for ``coerce``.
        techniques: the influence techniques used (helping-process@2 on,
            optional).
    """

    kind: ClassVar[RecordKind] = RecordKind.ACTIVITY

    on: dt.date = attrs.field(validator=_fields.date)
    role: WorkerRole = attrs.field(validator=_fields.member(WorkerRole))
    model: InterventionModel = attrs.field(validator=_fields.member(InterventionModel))
    description: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    goal_ids: tuple[str, ...] = attrs.field(validator=_fields.ids)
    justification: str | None = attrs.field(
        default=None, validator=_fields.optional_text, metadata=PERSONAL
    )
    techniques: tuple[str, ...] | None = attrs.field(
        default=None, validator=_fields.code_list(TECHNIQUES)
    )

    def __attrs_post_init__(self) -> None:
        if not self.goal_ids:
            raise RecordInvalidError(self.kind, "goal_ids", "empty")
        if self.model is InterventionModel.COERCE and self.justification is None:
            raise RecordInvalidError(self.kind, "justification", "missing")

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field.

        Activities are most of a long trail, and replay reads every one: a
        well-formed object is built directly (the class's validators check
        it as the reader would); anything else goes through the reader,
        which names what is wrong.
        """
        if type(data) is dict and data.keys() <= _FIELDS:
            built = cls._direct(data)
            if built is not None:
                return built
        read = Reader(cls.kind, data)
        record = cls(
            on=read.date("on"),
            role=read.code("role", WorkerRole),
            model=read.code("model", InterventionModel),
            description=read.text("description"),
            goal_ids=read.texts("goal_ids"),
            justification=read.optional_text("justification"),
            techniques=read.optional_texts("techniques"),
        )
        read.finish()
        return record

    @classmethod
    def _direct(cls, data: dict[str, Any]) -> Self | None:
        """Build a well-formed activity without the reader; None if it is not one.

        Accepts only what :meth:`from_json`'s reader accepts and gives the
        same record: the day as ISO text, known codes, the goal ids as a
        list of texts; the validators check the rest.
        """
        on, goal_ids = data.get("on"), data.get("goal_ids")
        if type(on) is not str or type(goal_ids) is not list:
            return None
        if not all(type(goal_id) is str for goal_id in goal_ids):
            return None
        try:
            return cls(
                on=dt.date.fromisoformat(on),
                role=_ROLES[data.get("role")],
                model=_MODELS[data.get("model")],
                description=data.get("description"),  # type: ignore[arg-type] # validated
                goal_ids=tuple(goal_ids),
                justification=data.get("justification"),
            )
        except (KeyError, TypeError, ValueError, RecordInvalidError):
            return None


#: The fields of an activity's JSON object.
_FIELDS: Final = frozenset(
    {"on", "role", "model", "description", "goal_ids", "justification"}
)


_ROLES: Final[dict[object, WorkerRole]] = WorkerRole._value2member_map_  # type: ignore[assignment] # holds only members
_MODELS: Final[dict[object, InterventionModel]] = InterventionModel._value2member_map_  # type: ignore[assignment] # likewise


def exit_requirements(activity: ActivityRecord | None) -> list[str]:
    """Return what intervention lacks before evaluation.

    Args:
        activity: the latest activity recorded since the case entered
            intervention, if any.
    """
    return [] if activity is not None else ["activity.record"]
