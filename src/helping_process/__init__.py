"""helping_process: the social-work helping process as an enforced state machine.

A case moves through engagement, intake, contract, assessment, planning,
intervention, evaluation and termination, with the loops practice needs and
early termination for the reasons the Indonesian social-work literature
lists. This package is the pure domain: the process definition, the engine
that decides commands, and the audit chain. The database and the command
line live in subpackages that are imported only when used.
"""

from __future__ import annotations

from importlib.metadata import version

from helping_process.engine import Decision
from helping_process.engine import MoveOption
from helping_process.engine import NextMoves
from helping_process.engine import TerminationOption
from helping_process.engine import apply
from helping_process.engine import execute
from helping_process.engine import next_moves
from helping_process.engine import open_case
from helping_process.engine import replay
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import HelpingProcessError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import InvalidSubReasonError
from helping_process.exceptions import InvalidTerminationReasonError
from helping_process.exceptions import InvalidTransitionError
from helping_process.exceptions import ProcessDefinitionError
from helping_process.exceptions import RecordInvalidError
from helping_process.exceptions import RecordNotAllowedError
from helping_process.exceptions import RefusalError
from helping_process.exceptions import RequirementNotMetError
from helping_process.exceptions import StorageError
from helping_process.exceptions import UnknownCaseError
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import ActorRole
from helping_process.model import AddRecord
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import Event
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import RedactCase
from helping_process.model import ReopenCase
from helping_process.model import TerminateCase
from helping_process.states import PROCESS
from helping_process.states import ActivityRecord
from helping_process.states import AssessmentRecord
from helping_process.states import Attainment
from helping_process.states import ContractKind
from helping_process.states import ContractRecord
from helping_process.states import EngagementRecord
from helping_process.states import EvaluationRecord
from helping_process.states import GasScale
from helping_process.states import Goal
from helping_process.states import IntakeRecord
from helping_process.states import InterventionModel
from helping_process.states import Objective
from helping_process.states import Parties
from helping_process.states import PlanRecord
from helping_process.states import Process
from helping_process.states import Record
from helping_process.states import RecordKind
from helping_process.states import RecordsInForce
from helping_process.states import ReferralSource
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states import WorkerRole
from helping_process.states import attainment
from helping_process.states import gas_t_score
from helping_process.states import parse_record

__version__ = version("helping-process")

__all__ = [
    "PROCESS",
    "Action",
    "ActivityRecord",
    "Actor",
    "ActorRole",
    "AddRecord",
    "AssessmentRecord",
    "Attainment",
    "AuditIntegrityError",
    "Case",
    "Command",
    "ConcurrentUpdateError",
    "ContractKind",
    "ContractRecord",
    "Decision",
    "EngagementRecord",
    "EvaluationRecord",
    "Event",
    "GasScale",
    "Goal",
    "HelpingProcessError",
    "IntakeRecord",
    "InterventionModel",
    "InvalidInputError",
    "InvalidSubReasonError",
    "InvalidTerminationReasonError",
    "InvalidTransitionError",
    "Language",
    "MoveCase",
    "MoveOption",
    "NextMoves",
    "Objective",
    "OpenCase",
    "Parties",
    "PlanRecord",
    "Process",
    "ProcessDefinitionError",
    "Record",
    "RecordInvalidError",
    "RecordKind",
    "RecordNotAllowedError",
    "RecordsInForce",
    "RedactCase",
    "ReferralSource",
    "RefusalError",
    "ReopenCase",
    "RequirementNotMetError",
    "Stage",
    "StorageError",
    "SubReason",
    "TerminateCase",
    "TerminationOption",
    "TerminationReason",
    "UnknownCaseError",
    "WorkerRole",
    "__version__",
    "apply",
    "attainment",
    "execute",
    "gas_t_score",
    "label",
    "next_moves",
    "open_case",
    "parse_record",
    "replay",
]
