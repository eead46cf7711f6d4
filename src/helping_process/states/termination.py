"""Termination (terminasi): how an episode ends, planned or early.

Planned termination happens only from evaluation, when the agreed goals are
achieved or no further meaningful progress is being made. Early termination
is possible from every stage that has not ended ("dapat dilakukan kapan
saja": at any time), each reason in the stages it is allowed in
(``docs/domain.md`` §5). Every
termination carries a note; some reasons also need a sub-reason or a
referral.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from helping_process.states.vocabulary import HELPING_STAGES
from helping_process.states.vocabulary import Stage
from helping_process.states.vocabulary import SubReason
from helping_process.states.vocabulary import TerminationReason

_ACTIVE: Final = frozenset(HELPING_STAGES) - {Stage.TERMINATION}


@attrs.frozen(kw_only=True)
class ReasonRule:
    """When a termination reason may be used and what else it needs.

    Attributes:
        reason: the reason code.
        stages: the stages it may be used from.
        residential_only: only for clients living in the institution (panti).
        sub_reasons: the sub-reasons it offers; one is required when any are.
        needs_referral: a referral (``referral_to``) is required.
        needs_evaluation: an evaluation of this visit is required.
        needs_all_goals: that evaluation must show every goal achieved.
    """

    reason: TerminationReason
    stages: frozenset[Stage]
    residential_only: bool = False
    sub_reasons: frozenset[SubReason] = frozenset()
    needs_referral: bool = False
    needs_evaluation: bool = False
    needs_all_goals: bool = False

    @property
    def planned(self) -> bool:
        """Whether this is a planned (not an early) termination."""
        return self.needs_evaluation

    def allows(self, stage: Stage, *, residential: bool) -> bool:
        """Whether the reason may be used from ``stage`` for such a case."""
        return stage in self.stages and (residential or not self.residential_only)


_R = TerminationReason
_S = SubReason

#: The termination reasons (``docs/domain.md`` §5), keyed by code.
REASON_RULES: Final[Mapping[TerminationReason, ReasonRule]] = {
    rule.reason: rule
    for rule in (
        ReasonRule(
            reason=_R.GOALS_ACHIEVED,
            stages=frozenset({Stage.EVALUATION}),
            needs_evaluation=True,
            needs_all_goals=True,
        ),
        ReasonRule(
            reason=_R.NO_MEANINGFUL_PROGRESS,
            stages=frozenset({Stage.EVALUATION}),
            needs_evaluation=True,
        ),
        ReasonRule(reason=_R.CLIENT_REQUEST, stages=_ACTIVE),
        ReasonRule(reason=_R.NO_SUITABLE_SERVICE, stages=_ACTIVE),
        ReasonRule(
            reason=_R.SERVICE_AVAILABLE_ELSEWHERE, stages=_ACTIVE, needs_referral=True
        ),
        ReasonRule(
            reason=_R.NOT_ELIGIBLE,
            stages=frozenset({Stage.ENGAGEMENT, Stage.INTAKE, Stage.CONTRACT}),
        ),
        ReasonRule(
            reason=_R.BEYOND_AGENCY_CAPACITY,
            stages=_ACTIVE,
            sub_reasons=frozenset(
                {_S.PERMANENT_ILLNESS, _S.MENTAL_DISORDER, _S.NEEDS_OTHER_DISCIPLINE}
            ),
            needs_referral=True,
        ),
        ReasonRule(
            reason=_R.CLIENT_DISLIKES_WORKER,
            stages=_ACTIVE,
            sub_reasons=frozenset({_S.EMOTIONAL_INVOLVEMENT, _S.PERSONAL_FACTORS}),
        ),
        ReasonRule(
            reason=_R.CLIENT_ABSCONDED,
            stages=frozenset(
                {
                    Stage.ASSESSMENT,
                    Stage.PLANNING,
                    Stage.INTERVENTION,
                    Stage.EVALUATION,
                }
            ),
            residential_only=True,
            sub_reasons=frozenset(
                {
                    _S.DISLIKES_INSTITUTIONAL_LIFE,
                    _S.DISSATISFIED_WITH_SERVICES,
                    _S.INADEQUATE_FACILITIES,
                    _S.UNFRIENDLY_STAFF,
                }
            ),
        ),
    )
}
