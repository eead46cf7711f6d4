"""Assessment (asesmen): understanding the problem, as a process and a product.

To leave assessment the case needs an assessment with its five parts
(``docs/domain.md`` §4.4): problem statement, personality assessment,
situational analysis, integrative formulation and evaluation.
"""

from __future__ import annotations

from typing import ClassVar
from typing import Self

import attrs

from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import RecordKind


@attrs.frozen(kw_only=True)
class AssessmentRecord:
    """The worker's assessment of the client in their situation."""

    kind: ClassVar[RecordKind] = RecordKind.ASSESSMENT

    problem_statement: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    personality_assessment: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    situational_analysis: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    integrative_formulation: str = attrs.field(
        validator=_fields.text, metadata=PERSONAL
    )
    evaluation: str = attrs.field(validator=_fields.text, metadata=PERSONAL)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            problem_statement=read.text("problem_statement"),
            personality_assessment=read.text("personality_assessment"),
            situational_analysis=read.text("situational_analysis"),
            integrative_formulation=read.text("integrative_formulation"),
            evaluation=read.text("evaluation"),
        )
        read.finish()
        return record


def exit_requirements(record: AssessmentRecord | None) -> list[str]:
    """Return what assessment still lacks before planning."""
    return [] if record is not None else ["assessment.record"]
