"""Evaluation (evaluasi): planned against achieved, process and outcome.

Every move out of evaluation needs an evaluation recorded during the current
visit to the stage (so, of the current plan); when the plan carries GAS
scales, the evaluation scores every scaled goal. This module also holds the
evaluation arithmetic (``docs/domain.md`` §7): attainment of planned goals, and the
Goal Attainment Scaling T-score of Kiresuk and Sherman (1968).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
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

#: The intercorrelation of goal scores assumed by the GAS T-score.
GAS_RHO: Final = 0.3
#: The lowest and highest GAS score.
GAS_MIN: Final = -2
GAS_MAX: Final = 2


def _gas_scores(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, Mapping):
        raise RecordInvalidError(RecordKind.EVALUATION, attribute.name, "not_object")
    for goal_id, score in value.items():
        where = f"{attribute.name}.{goal_id}"
        if isinstance(score, bool) or not isinstance(score, int):
            raise RecordInvalidError(RecordKind.EVALUATION, where, "not_integer", score)
        if not GAS_MIN <= score <= GAS_MAX:
            raise RecordInvalidError(
                RecordKind.EVALUATION, where, "out_of_range", score
            )


@attrs.frozen(kw_only=True)
class EvaluationRecord:
    """An evaluation of the current plan.

    Attributes:
        achieved_goal_ids: the goals the client has reached.
        gas_scores: the GAS score (-2..2) of each scaled goal.
        process_note: how the helping process went.
        outcome_note: what it achieved (process and outcome are judged apart:
            a good process can still give a poor result).
        obstacles: what stood in the way (hambatan); from helping-process@2
            on, refused under a definition without it.
    """

    kind: ClassVar[RecordKind] = RecordKind.EVALUATION

    achieved_goal_ids: tuple[str, ...] = attrs.field(validator=_fields.ids)
    gas_scores: Mapping[str, int] = attrs.field(factory=dict, validator=_gas_scores)
    process_note: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    outcome_note: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    obstacles: tuple[str, ...] | None = attrs.field(
        default=None, validator=_fields.optional_texts, metadata=PERSONAL
    )

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            achieved_goal_ids=read.texts("achieved_goal_ids"),
            gas_scores=dict(read.mapping("gas_scores")),
            process_note=read.text("process_note"),
            outcome_note=read.text("outcome_note"),
            obstacles=read.optional_texts("obstacles"),
        )
        read.finish()
        return record


@attrs.frozen(kw_only=True)
class Attainment:
    """Planned goals against achieved ones.

    Attributes:
        planned: the planned goal ids.
        achieved: the planned goals achieved.
        unmet: the planned goals not achieved.
    """

    planned: frozenset[str]
    achieved: frozenset[str]
    unmet: frozenset[str]

    @property
    def ratio(self) -> float:
        """The share of planned goals achieved (0 when nothing was planned)."""
        return len(self.achieved) / len(self.planned) if self.planned else 0.0


def attainment(planned: Sequence[str], achieved: Sequence[str]) -> Attainment:
    """Compare planned goals with achieved ones.

    >>> attainment(["1", "2", "3", "4", "5"], ["1", "3", "5"]).ratio
    0.6
    """
    planned_set = frozenset(planned)
    achieved_set = frozenset(achieved) & planned_set
    return Attainment(
        planned=planned_set, achieved=achieved_set, unmet=planned_set - achieved_set
    )


def gas_t_score(
    scores: Sequence[int], weights: Sequence[float] | None = None, rho: float = GAS_RHO
) -> float:
    """Return the Goal Attainment Scaling T-score.

    ``T = 50 + 10 * sum(w*x) / sqrt((1 - rho) * sum(w**2) + rho * sum(w)**2)``:
    50 means every goal was met as expected; each standard deviation is 10
    points.

    Args:
        scores: each goal's score, -2..2.
        weights: each goal's weight (default 1 each).
        rho: the assumed intercorrelation of the goal scores.

    Raises:
        ValueError: no scores, a score out of range, or weights that do not
            match the scores or are not positive.
    """
    weights = [1.0] * len(scores) if weights is None else list(weights)
    if not scores or len(weights) != len(scores):
        msg = "GAS needs one weight for each of at least one score"
        raise ValueError(msg)
    if any(not GAS_MIN <= score <= GAS_MAX for score in scores):
        msg = "GAS scores lie between -2 and 2"
        raise ValueError(msg)
    if any(weight <= 0 for weight in weights):
        msg = "GAS weights are positive"
        raise ValueError(msg)
    weighted = sum(w * x for w, x in zip(weights, scores, strict=True))
    spread = (1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2
    return 50 + 10 * weighted / math.sqrt(spread)


def exit_requirements(
    evaluation: EvaluationRecord | None, scaled_goal_ids: frozenset[str]
) -> list[str]:
    """Return what evaluation lacks before any move out of it.

    Args:
        evaluation: the evaluation recorded during this visit, if any.
        scaled_goal_ids: the goals of the current plan that carry a GAS scale.
    """
    if evaluation is None:
        return ["evaluation.record"]
    if not scaled_goal_ids <= set(evaluation.gas_scores):
        return ["evaluation.gas_scores"]
    return []
