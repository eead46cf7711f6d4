"""Intake (penerimaan): eligibility and the formulation of the service.

The case leaves intake only for an eligible candidate who has been told
which resources exist; an ineligible one is recorded as such and the case is
then terminated as ``not_eligible``.
"""

from __future__ import annotations

from typing import ClassVar
from typing import Self

import attrs

from helping_process.exceptions import RecordInvalidError
from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import RecordKind


@attrs.frozen(kw_only=True)
class IntakeRecord:
    """The agency's decision to take the client on.

    Attributes:
        eligible: whether the candidate meets the agency's criteria.
        service_formulation: the service the agency will give (rumusan
            pelayanan).
        resources_informed: whether the client was told which resources exist.
        criteria_failed: the criteria not met; given exactly when not eligible.
    """

    kind: ClassVar[RecordKind] = RecordKind.INTAKE

    eligible: bool = attrs.field(validator=_fields.boolean)
    service_formulation: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    resources_informed: bool = attrs.field(validator=_fields.boolean)
    criteria_failed: tuple[str, ...] = attrs.field(
        default=(), validator=_fields.texts, metadata=PERSONAL
    )

    def __attrs_post_init__(self) -> None:
        if not self.eligible and not self.criteria_failed:
            raise RecordInvalidError(self.kind, "criteria_failed", "missing")
        if self.eligible and self.criteria_failed:
            raise RecordInvalidError(self.kind, "criteria_failed", "not_eligible")

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            eligible=read.boolean("eligible"),
            service_formulation=read.text("service_formulation"),
            resources_informed=read.boolean("resources_informed"),
            criteria_failed=read.texts("criteria_failed", required=False),
        )
        read.finish()
        return record


def exit_requirements(record: IntakeRecord | None) -> list[str]:
    """Return what intake still lacks before the contract."""
    if record is None:
        return ["intake.record"]
    missing = []
    if not record.eligible:
        missing.append("intake.eligible")
    if not record.resources_informed:
        missing.append("intake.resources_informed")
    return missing
