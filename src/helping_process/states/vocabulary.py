"""The codes of the helping process: stages, reasons, roles and record kinds.

Every value is persisted and typed on the command line, so renaming one is a
data migration (``docs/domain.md`` §2, §5, §6). The enums hold the codes of
every built-in definition (``helping-process`` and ``rehsos-pp39``); which of
them a case may use is its definition's to say, so code that lists stages,
reasons or record kinds asks the definition, and the helping process's own
table iterates :data:`HELPING_STAGES` and :data:`HELPING_REASONS`.
"""

from __future__ import annotations

from enum import StrEnum
from enum import unique
from typing import Final


@unique
class Stage(StrEnum):
    """A stage (tahap) of the helping process, in its forward order."""

    ENGAGEMENT = "engagement"
    INTAKE = "intake"
    CONTRACT = "contract"
    ASSESSMENT = "assessment"
    PLANNING = "planning"
    INTERVENTION = "intervention"
    EVALUATION = "evaluation"
    TERMINATION = "termination"
    # rehsos-pp39: preparing the return home, follow-up after closure.
    RESOCIALIZATION = "resocialization"
    AFTERCARE = "aftercare"
    CLOSED = "closed"


@unique
class TerminationReason(StrEnum):
    """Why an episode ends (``docs/domain.md`` §5)."""

    GOALS_ACHIEVED = "goals_achieved"
    NO_MEANINGFUL_PROGRESS = "no_meaningful_progress"
    CLIENT_REQUEST = "client_request"
    NO_SUITABLE_SERVICE = "no_suitable_service"
    SERVICE_AVAILABLE_ELSEWHERE = "service_available_elsewhere"
    NOT_ELIGIBLE = "not_eligible"
    BEYOND_AGENCY_CAPACITY = "beyond_agency_capacity"
    CLIENT_DISLIKES_WORKER = "client_dislikes_worker"
    CLIENT_ABSCONDED = "client_absconded"
    CLIENT_DIED = "client_died"
    # rehsos-pp39: the client cannot be reached during aftercare.
    LOST_CONTACT = "lost_contact"


@unique
class SubReason(StrEnum):
    """The finer reason some termination reasons require."""

    PERMANENT_ILLNESS = "permanent_illness"
    MENTAL_DISORDER = "mental_disorder"
    NEEDS_OTHER_DISCIPLINE = "needs_other_discipline"
    EMOTIONAL_INVOLVEMENT = "emotional_involvement"
    PERSONAL_FACTORS = "personal_factors"
    DISLIKES_INSTITUTIONAL_LIFE = "dislikes_institutional_life"
    DISSATISFIED_WITH_SERVICES = "dissatisfied_with_services"
    INADEQUATE_FACILITIES = "inadequate_facilities"
    UNFRIENDLY_STAFF = "unfriendly_staff"


@unique
class WorkerRole(StrEnum):
    """The role a worker plays in an intervention activity (``docs/domain.md`` §6)."""

    ENABLER = "enabler"
    BROKER = "broker"
    MEDIATOR = "mediator"
    ADVOCATE = "advocate"
    PROTECTOR = "protector"
    EDUCATOR = "educator"
    EVALUATOR = "evaluator"
    CASE_MANAGER = "case_manager"


@unique
class InterventionModel(StrEnum):
    """How an activity seeks change; ``coerce`` must be justified."""

    INDUCE = "induce"
    PERSUADE = "persuade"
    DIRECT_OBEDIENCE = "direct_obedience"
    COERCE = "coerce"


@unique
class ContractKind(StrEnum):
    """A contract's kind: a secondary contract never replaces the primary."""

    PRELIMINARY = "preliminary"
    PRIMARY = "primary"
    SECONDARY = "secondary"


@unique
class ReferralSource(StrEnum):
    """Who brought the client to the agency."""

    SELF = "self"
    FAMILY = "family"
    COMMUNITY = "community"
    AGENCY = "agency"
    COURT = "court"
    POLICE = "police"
    OUTREACH = "outreach"
    OTHER = "other"


@unique
class RecordKind(StrEnum):
    """A kind of record the process requires (``docs/domain.md`` §4)."""

    ENGAGEMENT = "engagement"
    INTAKE = "intake"
    CONTRACT = "contract"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    ACTIVITY = "activity"
    EVALUATION = "evaluation"
    # rehsos-pp39
    CASE_CONFERENCE = "case_conference"
    RESOCIALIZATION = "resocialization"
    AFTERCARE_PLAN = "aftercare_plan"
    FOLLOW_UP = "follow_up"


@unique
class FollowUpMode(StrEnum):
    """How the worker reached the client in an aftercare follow-up."""

    VISIT = "visit"
    PHONE = "phone"
    MESSAGE = "message"


#: The stages of the helping process (``helping-process@1`` and ``@2``) in
#: their forward order: :class:`Stage` also holds other profiles' stages.
HELPING_STAGES: Final = (
    Stage.ENGAGEMENT,
    Stage.INTAKE,
    Stage.CONTRACT,
    Stage.ASSESSMENT,
    Stage.PLANNING,
    Stage.INTERVENTION,
    Stage.EVALUATION,
    Stage.TERMINATION,
)

#: The termination reasons of the helping process (``client_died`` from
#: ``helping-process@2`` on); :class:`TerminationReason` holds other
#: profiles' reasons too.
HELPING_REASONS: Final = tuple(TerminationReason)[
    : tuple(TerminationReason).index(TerminationReason.CLIENT_DIED) + 1
]
