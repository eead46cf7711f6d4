"""The helping process definition: stages, records, reasons and legal moves.

Pure: no I/O and no state machine library. One module per stage holds that
stage's record type and what it takes to leave it; :mod:`.process` holds the
transition table and :data:`PROCESS`, checked when it is built.
"""

from __future__ import annotations

from helping_process.states._fields import REDACTED
from helping_process.states._fields import redact
from helping_process.states._fields import to_json
from helping_process.states.assessment import AssessmentRecord
from helping_process.states.contract import ContractRecord
from helping_process.states.contract import Parties
from helping_process.states.engagement import EngagementRecord
from helping_process.states.evaluation import Attainment
from helping_process.states.evaluation import EvaluationRecord
from helping_process.states.evaluation import attainment
from helping_process.states.evaluation import gas_t_score
from helping_process.states.intake import IntakeRecord
from helping_process.states.intervention import ActivityRecord
from helping_process.states.planning import GasScale
from helping_process.states.planning import Goal
from helping_process.states.planning import Objective
from helping_process.states.planning import PlanRecord
from helping_process.states.process import PROCESS
from helping_process.states.process import TRANSITIONS
from helping_process.states.process import Move
from helping_process.states.process import Process
from helping_process.states.records import RECORD_STAGES
from helping_process.states.records import Record
from helping_process.states.records import RecordsInForce
from helping_process.states.records import parse_record
from helping_process.states.termination import REASON_RULES
from helping_process.states.termination import ReasonRule
from helping_process.states.vocabulary import ContractKind
from helping_process.states.vocabulary import InterventionModel
from helping_process.states.vocabulary import RecordKind
from helping_process.states.vocabulary import ReferralSource
from helping_process.states.vocabulary import Stage
from helping_process.states.vocabulary import SubReason
from helping_process.states.vocabulary import TerminationReason
from helping_process.states.vocabulary import WorkerRole

__all__ = [
    "PROCESS",
    "REASON_RULES",
    "RECORD_STAGES",
    "REDACTED",
    "TRANSITIONS",
    "ActivityRecord",
    "AssessmentRecord",
    "Attainment",
    "ContractKind",
    "ContractRecord",
    "EngagementRecord",
    "EvaluationRecord",
    "GasScale",
    "Goal",
    "IntakeRecord",
    "InterventionModel",
    "Move",
    "Objective",
    "Parties",
    "PlanRecord",
    "Process",
    "ReasonRule",
    "Record",
    "RecordKind",
    "RecordsInForce",
    "ReferralSource",
    "Stage",
    "SubReason",
    "TerminationReason",
    "WorkerRole",
    "attainment",
    "gas_t_score",
    "parse_record",
    "redact",
    "to_json",
]
