"""Intervention (intervensi): the planned change, carried out as activities.

Each activity names the worker's role, the model of influence and the goals
it serves; a coercive activity must be justified. To leave intervention for
evaluation the case needs at least one activity since it last entered the
intervention stage.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar
from typing import Self

import attrs

from helping_process.exceptions import RecordInvalidError
from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import InterventionModel
from helping_process.states.vocabulary import RecordKind
from helping_process.states.vocabulary import WorkerRole


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

    def __attrs_post_init__(self) -> None:
        if not self.goal_ids:
            raise RecordInvalidError(self.kind, "goal_ids", "empty")
        if self.model is InterventionModel.COERCE and self.justification is None:
            raise RecordInvalidError(self.kind, "justification", "missing")

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            on=read.date("on"),
            role=read.code("role", WorkerRole),
            model=read.code("model", InterventionModel),
            description=read.text("description"),
            goal_ids=read.texts("goal_ids"),
            justification=read.optional_text("justification"),
        )
        read.finish()
        return record


def exit_requirements(activity: ActivityRecord | None) -> list[str]:
    """Return what intervention lacks before evaluation.

    Args:
        activity: the latest activity recorded since the case entered
            intervention, if any.
    """
    return [] if activity is not None else ["activity.record"]
