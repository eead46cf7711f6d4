"""The record kinds, where each may be added, and the records in force.

"In force" means "counts for the next move": a newer record of a kind
supersedes the older one (both stay in the trail), activities count only
since the case last entered intervention, an evaluation only during the
current visit to evaluation, and a loop back into assessment or planning
asks for that stage's record anew, since revising it is why the case went
back (a reassessment asks for a new plan as well, since the plan rests on
the assessment). A reopened case starts a new episode with no records in force.

The records of residential rehabilitation (``rehsos-pp39``) are held the
same way: the newest case conference (asked anew, like the assessment it
closes, after a loop back into assessment), resocialization record,
aftercare plan and follow-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from helping_process.exceptions import InvalidInputError
from helping_process.states._fields import evolve
from helping_process.states.assessment import AssessmentRecord
from helping_process.states.contract import ContractRecord
from helping_process.states.engagement import EngagementRecord
from helping_process.states.evaluation import EvaluationRecord
from helping_process.states.intake import IntakeRecord
from helping_process.states.intervention import ActivityRecord
from helping_process.states.planning import PlanRecord
from helping_process.states.rehabilitation import AftercarePlanRecord
from helping_process.states.rehabilitation import CaseConferenceRecord
from helping_process.states.rehabilitation import FollowUpRecord
from helping_process.states.rehabilitation import ResocializationRecord
from helping_process.states.vocabulary import ContractKind
from helping_process.states.vocabulary import RecordKind
from helping_process.states.vocabulary import Stage

Record = (
    EngagementRecord
    | IntakeRecord
    | ContractRecord
    | AssessmentRecord
    | PlanRecord
    | ActivityRecord
    | EvaluationRecord
    | CaseConferenceRecord
    | ResocializationRecord
    | AftercarePlanRecord
    | FollowUpRecord
)

RECORD_TYPES: Final[Mapping[RecordKind, type[Record]]] = {
    RecordKind.ENGAGEMENT: EngagementRecord,
    RecordKind.INTAKE: IntakeRecord,
    RecordKind.CONTRACT: ContractRecord,
    RecordKind.ASSESSMENT: AssessmentRecord,
    RecordKind.PLAN: PlanRecord,
    RecordKind.ACTIVITY: ActivityRecord,
    RecordKind.EVALUATION: EvaluationRecord,
    RecordKind.CASE_CONFERENCE: CaseConferenceRecord,
    RecordKind.RESOCIALIZATION: ResocializationRecord,
    RecordKind.AFTERCARE_PLAN: AftercarePlanRecord,
    RecordKind.FOLLOW_UP: FollowUpRecord,
}

#: The stages in which each record kind of the helping process's first
#: release may be added (a case's definition says it for every case).
RECORD_STAGES: Final[Mapping[RecordKind, frozenset[Stage]]] = {
    RecordKind.ENGAGEMENT: frozenset({Stage.ENGAGEMENT}),
    RecordKind.INTAKE: frozenset({Stage.INTAKE}),
    RecordKind.CONTRACT: frozenset(
        {
            Stage.CONTRACT,
            Stage.ASSESSMENT,
            Stage.PLANNING,
            Stage.INTERVENTION,
            Stage.EVALUATION,
        }
    ),
    RecordKind.ASSESSMENT: frozenset({Stage.ASSESSMENT}),
    RecordKind.PLAN: frozenset({Stage.PLANNING}),
    RecordKind.ACTIVITY: frozenset({Stage.INTERVENTION}),
    RecordKind.EVALUATION: frozenset({Stage.EVALUATION}),
}


def record_kind(value: str) -> RecordKind:
    """Return the record kind with code ``value``.

    Raises:
        InvalidInputError: ``value`` is not a record kind.
    """
    try:
        return RecordKind(value)
    except ValueError:
        raise InvalidInputError("kind", "unknown_code", value) from None


def parse_record(kind: RecordKind | str, data: object) -> Record:
    """Build a record of ``kind`` from its JSON object.

    Raises:
        InvalidInputError: ``kind`` is not a record kind.
        RecordInvalidError: the object is malformed; names the field.
    """
    record_type = _BY_CODE.get(kind) if type(kind) is str else None
    return (record_type or RECORD_TYPES[record_kind(kind)]).from_json(data)


#: The record classes by their kind's code: replay parses every record.
_BY_CODE: Final[Mapping[str, type[Record]]] = {
    kind.value: record_type for kind, record_type in RECORD_TYPES.items()
}


#: The field of :class:`RecordsInForce` that holds each kind of record but
#: contracts, which are held by their contract kind.
_HELD_AS: Final[Mapping[type[Record], str]] = {
    EngagementRecord: "engagement",
    IntakeRecord: "intake",
    AssessmentRecord: "assessment",
    PlanRecord: "plan",
    ActivityRecord: "activity",
    EvaluationRecord: "evaluation",
    CaseConferenceRecord: "case_conference",
    ResocializationRecord: "resocialization",
    AftercarePlanRecord: "aftercare_plan",
    FollowUpRecord: "follow_up",
}


# Not slotted: a copy per event is then a dict copy (see _fields.evolve).
@attrs.frozen(kw_only=True, slots=False)
class RecordsInForce:
    """The records that count for the case's next move.

    Attributes:
        engagement: the latest engagement record.
        intake: the latest intake record.
        contract: the latest preliminary or primary contract.
        primary_contract: the latest primary contract.
        secondary_contracts: the secondary contracts of this episode.
        assessment: the assessment of this visit to assessment or later.
        plan: the plan of this visit to planning or later.
        activity: the latest activity since the case entered intervention.
            Only the latest is held: the rules ask whether there is one,
            and the trail keeps them all (a case that held every activity
            would cost time and memory growing with its length).
        evaluation: the evaluation of this visit to evaluation.
        case_conference: the case conference of this visit to assessment
            or later.
        resocialization: the latest resocialization record.
        aftercare_plan: the latest aftercare plan.
        follow_up: the latest aftercare follow-up (only the latest, as for
            activities).
    """

    engagement: EngagementRecord | None = None
    intake: IntakeRecord | None = None
    contract: ContractRecord | None = None
    primary_contract: ContractRecord | None = None
    secondary_contracts: tuple[ContractRecord, ...] = ()
    assessment: AssessmentRecord | None = None
    plan: PlanRecord | None = None
    activity: ActivityRecord | None = None
    evaluation: EvaluationRecord | None = None
    case_conference: CaseConferenceRecord | None = None
    resocialization: ResocializationRecord | None = None
    aftercare_plan: AftercarePlanRecord | None = None
    follow_up: FollowUpRecord | None = None

    def with_record(self, record: Record) -> RecordsInForce:
        """Return the records with ``record`` in force."""
        if type(record) is not ContractRecord:
            return evolve(self, {_HELD_AS[type(record)]: record})
        match record.contract_kind:
            case ContractKind.SECONDARY:
                return evolve(
                    self, {"secondary_contracts": (*self.secondary_contracts, record)}
                )
            case ContractKind.PRIMARY:
                return evolve(self, {"contract": record, "primary_contract": record})
            case _:
                return evolve(self, {"contract": record})

    def entering(self, stage: Stage, *, loop: bool) -> RecordsInForce:
        """Return the records in force once the case enters ``stage``."""
        if stage is Stage.INTERVENTION:
            return evolve(self, {"activity": None})
        if stage is Stage.EVALUATION:
            return evolve(self, {"evaluation": None})
        if loop and stage is Stage.ASSESSMENT:
            # A new assessment needs a new plan: the old one rests on the old.
            # The case conference closes an assessment: a new one asks anew.
            return evolve(
                self, {"assessment": None, "plan": None, "case_conference": None}
            )
        if loop and stage is Stage.PLANNING:
            return evolve(self, {"plan": None})
        return self

    def latest(self) -> Mapping[RecordKind, Record]:
        """Return the newest record in force of each kind."""
        newest: dict[RecordKind, Record | None] = {
            RecordKind.ENGAGEMENT: self.engagement,
            RecordKind.INTAKE: self.intake,
            RecordKind.CONTRACT: self.primary_contract or self.contract,
            RecordKind.ASSESSMENT: self.assessment,
            RecordKind.PLAN: self.plan,
            RecordKind.ACTIVITY: self.activity,
            RecordKind.EVALUATION: self.evaluation,
            RecordKind.CASE_CONFERENCE: self.case_conference,
            RecordKind.RESOCIALIZATION: self.resocialization,
            RecordKind.AFTERCARE_PLAN: self.aftercare_plan,
            RecordKind.FOLLOW_UP: self.follow_up,
        }
        return {kind: record for kind, record in newest.items() if record is not None}


#: No records in force: how every case and every new episode starts.
NO_RECORDS: Final = RecordsInForce()
