"""The helping process definition: stages, records, reasons and legal moves.

Pure: no I/O and no state machine library. One module per stage holds that
stage's record type and what it takes to leave it; :mod:`.process` holds the
transition table and :data:`PROCESS`, checked when it is built.

Every name here is imported on first use (PEP 562), so that importing
:mod:`.vocabulary`, the codes the command line checks, does not build the
records (attrs) and the process with it: ``helping-process --help`` needs only
the codes. To export a name, add it to ``__all__``, to
``_EXPORTS`` and to the ``TYPE_CHECKING`` imports, which mypy and IDEs read.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING
from typing import Final

if TYPE_CHECKING:
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

#: Where each public name is defined, imported on first access.
_EXPORTS: Final[dict[str, str]] = {
    "ActivityRecord": "helping_process.states.intervention",
    "AssessmentRecord": "helping_process.states.assessment",
    "Attainment": "helping_process.states.evaluation",
    "ContractKind": "helping_process.states.vocabulary",
    "ContractRecord": "helping_process.states.contract",
    "EngagementRecord": "helping_process.states.engagement",
    "EvaluationRecord": "helping_process.states.evaluation",
    "GasScale": "helping_process.states.planning",
    "Goal": "helping_process.states.planning",
    "IntakeRecord": "helping_process.states.intake",
    "InterventionModel": "helping_process.states.vocabulary",
    "Move": "helping_process.states.process",
    "Objective": "helping_process.states.planning",
    "PROCESS": "helping_process.states.process",
    "Parties": "helping_process.states.contract",
    "PlanRecord": "helping_process.states.planning",
    "Process": "helping_process.states.process",
    "REASON_RULES": "helping_process.states.termination",
    "RECORD_STAGES": "helping_process.states.records",
    "REDACTED": "helping_process.states._fields",
    "ReasonRule": "helping_process.states.termination",
    "Record": "helping_process.states.records",
    "RecordKind": "helping_process.states.vocabulary",
    "RecordsInForce": "helping_process.states.records",
    "ReferralSource": "helping_process.states.vocabulary",
    "Stage": "helping_process.states.vocabulary",
    "SubReason": "helping_process.states.vocabulary",
    "TRANSITIONS": "helping_process.states.process",
    "TerminationReason": "helping_process.states.vocabulary",
    "WorkerRole": "helping_process.states.vocabulary",
    "attainment": "helping_process.states.evaluation",
    "gas_t_score": "helping_process.states.evaluation",
    "parse_record": "helping_process.states.records",
    "redact": "helping_process.states._fields",
    "to_json": "helping_process.states._fields",
}

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


if not TYPE_CHECKING:
    # Hidden from mypy so that a misspelt import is still an error, not Any.

    def __getattr__(name: str) -> object:
        """Import a public name on first use and keep it in the package."""
        if name not in _EXPORTS:
            message = f"module {__name__!r} has no attribute {name!r}"
            raise AttributeError(message, name=name, obj=sys.modules[__name__])
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """List the public names too, imported or not."""
    return sorted({*globals(), *__all__})
