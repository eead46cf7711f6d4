"""helping_process: the social-work helping process as an enforced state machine.

A case moves through engagement, intake, contract, assessment, planning,
intervention, evaluation and termination, with the loops practice needs and
early termination for the reasons the Indonesian social-work literature
lists. This package is the pure domain: the process definition, the engine
that decides commands, and the audit chain. The database and the command
line live in subpackages that are imported only when used.

Every name here is imported on first use (PEP 562), not when the package is:
``import helping_process.cli`` runs this file first, and ``helping-process
--help`` must not pay for attrs, transitions and importlib.metadata, which
together cost several times the interpreter's own start-up.
So at run time this file imports none of the package. To export a name, add it to
``__all__``, to ``_EXPORTS`` (the module that defines it) and to the
``TYPE_CHECKING`` imports, which are what mypy and IDEs read.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING
from typing import Final

if TYPE_CHECKING:
    from helping_process.definitions import DEFAULT_REF
    from helping_process.definitions import Definition
    from helping_process.definitions import Definition as _Definition
    from helping_process.definitions import DefinitionProblem
    from helping_process.definitions import builtin
    from helping_process.definitions import builtins
    from helping_process.definitions import load_definition
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
    from helping_process.exceptions import DefinitionClashError
    from helping_process.exceptions import DefinitionError
    from helping_process.exceptions import DefinitionNotRunnableError
    from helping_process.exceptions import DriverMissingError
    from helping_process.exceptions import HelpingProcessError
    from helping_process.exceptions import InvalidInputError
    from helping_process.exceptions import InvalidSubReasonError
    from helping_process.exceptions import InvalidTerminationReasonError
    from helping_process.exceptions import InvalidTransitionError
    from helping_process.exceptions import MigrationRefusedError
    from helping_process.exceptions import NothingToRedactError
    from helping_process.exceptions import ProcessDefinitionError
    from helping_process.exceptions import RecordInvalidError
    from helping_process.exceptions import RecordNotAllowedError
    from helping_process.exceptions import RecordProblemsError
    from helping_process.exceptions import RefusalError
    from helping_process.exceptions import RequirementNotMetError
    from helping_process.exceptions import StorageError
    from helping_process.exceptions import UnknownCaseError
    from helping_process.exceptions import UnknownDefinitionError
    from helping_process.labels import Language
    from helping_process.labels import label
    from helping_process.model import Action
    from helping_process.model import Actor
    from helping_process.model import ActorRole
    from helping_process.model import AddRecord
    from helping_process.model import Case
    from helping_process.model import Command
    from helping_process.model import Event
    from helping_process.model import MigrateCase
    from helping_process.model import MoveCase
    from helping_process.model import OpenCase
    from helping_process.model import ProcessPin
    from helping_process.model import RedactCase
    from helping_process.model import ReopenCase
    from helping_process.model import TerminateCase

    #: The default definition for new cases (helping-process@2).
    PROCESS: _Definition
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

    __version__: str

#: Where each public name is defined, imported on first access.
_EXPORTS: Final[dict[str, str]] = {
    "DEFAULT_REF": "helping_process.definitions",
    "Definition": "helping_process.definitions",
    "DefinitionError": "helping_process.exceptions",
    "ProcessPin": "helping_process.model",
    "MigrateCase": "helping_process.model",
    "MigrationRefusedError": "helping_process.exceptions",
    "DefinitionClashError": "helping_process.exceptions",
    "DefinitionNotRunnableError": "helping_process.exceptions",
    "DefinitionProblem": "helping_process.definitions",
    "UnknownDefinitionError": "helping_process.exceptions",
    "builtin": "helping_process.definitions",
    "builtins": "helping_process.definitions",
    "load_definition": "helping_process.definitions",
    "Action": "helping_process.model",
    "ActivityRecord": "helping_process.states",
    "Actor": "helping_process.model",
    "ActorRole": "helping_process.model",
    "AddRecord": "helping_process.model",
    "AssessmentRecord": "helping_process.states",
    "Attainment": "helping_process.states",
    "AuditIntegrityError": "helping_process.exceptions",
    "Case": "helping_process.model",
    "Command": "helping_process.model",
    "ConcurrentUpdateError": "helping_process.exceptions",
    "ContractKind": "helping_process.states",
    "ContractRecord": "helping_process.states",
    "Decision": "helping_process.engine",
    "DriverMissingError": "helping_process.exceptions",
    "EngagementRecord": "helping_process.states",
    "EvaluationRecord": "helping_process.states",
    "Event": "helping_process.model",
    "GasScale": "helping_process.states",
    "Goal": "helping_process.states",
    "HelpingProcessError": "helping_process.exceptions",
    "IntakeRecord": "helping_process.states",
    "InterventionModel": "helping_process.states",
    "InvalidInputError": "helping_process.exceptions",
    "InvalidSubReasonError": "helping_process.exceptions",
    "InvalidTerminationReasonError": "helping_process.exceptions",
    "InvalidTransitionError": "helping_process.exceptions",
    "Language": "helping_process.labels",
    "MoveCase": "helping_process.model",
    "MoveOption": "helping_process.engine",
    "NextMoves": "helping_process.engine",
    "NothingToRedactError": "helping_process.exceptions",
    "Objective": "helping_process.states",
    "OpenCase": "helping_process.model",
    "Parties": "helping_process.states",
    "PlanRecord": "helping_process.states",
    "Process": "helping_process.states",
    "ProcessDefinitionError": "helping_process.exceptions",
    "Record": "helping_process.states",
    "RecordInvalidError": "helping_process.exceptions",
    "RecordProblemsError": "helping_process.exceptions",
    "RecordKind": "helping_process.states",
    "RecordNotAllowedError": "helping_process.exceptions",
    "RecordsInForce": "helping_process.states",
    "RedactCase": "helping_process.model",
    "ReferralSource": "helping_process.states",
    "RefusalError": "helping_process.exceptions",
    "ReopenCase": "helping_process.model",
    "RequirementNotMetError": "helping_process.exceptions",
    "Stage": "helping_process.states",
    "StorageError": "helping_process.exceptions",
    "SubReason": "helping_process.states",
    "TerminateCase": "helping_process.model",
    "TerminationOption": "helping_process.engine",
    "TerminationReason": "helping_process.states",
    "UnknownCaseError": "helping_process.exceptions",
    "WorkerRole": "helping_process.states",
    "apply": "helping_process.engine",
    "attainment": "helping_process.states",
    "execute": "helping_process.engine",
    "gas_t_score": "helping_process.states",
    "label": "helping_process.labels",
    "next_moves": "helping_process.engine",
    "open_case": "helping_process.engine",
    "parse_record": "helping_process.states",
    "replay": "helping_process.engine",
}

__all__ = [
    "DEFAULT_REF",
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
    "Definition",
    "DefinitionClashError",
    "DefinitionError",
    "DefinitionNotRunnableError",
    "DefinitionProblem",
    "DriverMissingError",
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
    "MigrateCase",
    "MigrationRefusedError",
    "MoveCase",
    "MoveOption",
    "NextMoves",
    "NothingToRedactError",
    "Objective",
    "OpenCase",
    "Parties",
    "PlanRecord",
    "Process",
    "ProcessDefinitionError",
    "ProcessPin",
    "Record",
    "RecordInvalidError",
    "RecordKind",
    "RecordNotAllowedError",
    "RecordProblemsError",
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
    "UnknownDefinitionError",
    "WorkerRole",
    "__version__",
    "apply",
    "attainment",
    "builtin",
    "builtins",
    "execute",
    "gas_t_score",
    "label",
    "load_definition",
    "next_moves",
    "open_case",
    "parse_record",
    "replay",
]


if not TYPE_CHECKING:
    # Hidden from mypy so that a misspelt import is still an error, not Any.

    def __getattr__(name: str) -> object:
        """Import a public name on first use and keep it in the module."""
        if name == "__version__":
            from importlib.metadata import version  # noqa: PLC0415 - slow to import

            value: object = version("helping-process")
        elif name == "PROCESS":
            # The default definition for new cases: targets(stage) and
            # reasons(stage, residential=...) answer as they always did.
            value = importlib.import_module("helping_process.definitions").builtin()
        elif name in _EXPORTS:
            value = getattr(importlib.import_module(_EXPORTS[name]), name)
        else:
            message = f"module {__name__!r} has no attribute {name!r}"
            raise AttributeError(message, name=name, obj=sys.modules[__name__])
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """List the public names too, imported or not."""
    return sorted({*globals(), *__all__})
