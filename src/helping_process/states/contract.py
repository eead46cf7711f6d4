"""Contract (kontrak): the agreement that binds worker, agency and client.

A contract holds seven elements: it is consensual, mutually agreed, accepted
and reciprocal; it names each party's responsibilities and the tasks
promised; and it runs for a time period. A contract that lacks an element is
still recorded (it is what happened), but the case cannot leave the contract
stage on it. Planning needs a *primary* contract in force; a *secondary*
contract is a time-limited addition that never replaces the primary one.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar
from typing import Self

import attrs

from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import ContractKind
from helping_process.states.vocabulary import RecordKind


@attrs.frozen(kw_only=True)
class Parties:
    """Who the contract binds."""

    kind: ClassVar[RecordKind] = RecordKind.CONTRACT

    worker: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    agency: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    client: str = attrs.field(validator=_fields.text, metadata=PERSONAL)

    @classmethod
    def read(cls, read: Reader) -> Self:
        """Build the parties from a JSON object."""
        parties = cls(
            worker=read.text("worker"),
            agency=read.text("agency"),
            client=read.text("client"),
        )
        read.finish()
        return parties


@attrs.frozen(kw_only=True)
class ContractRecord:
    """A contract with its seven elements.

    Attributes:
        contract_kind: preliminary, primary or secondary.
        consensual: entered freely by both sides.
        mutual_agreement: both sides agree on its content.
        acceptance: the client accepts it.
        reciprocal: it binds both sides.
        responsibilities: each party's responsibilities.
        tasks: the tasks promised.
        valid_from: the first day it is in force.
        valid_until: the last day it is in force.
        parties: the worker, the agency and the client.
    """

    kind: ClassVar[RecordKind] = RecordKind.CONTRACT

    contract_kind: ContractKind = attrs.field(
        validator=_fields.member(ContractKind), metadata={"json": "kind"}
    )
    consensual: bool = attrs.field(validator=_fields.boolean)
    mutual_agreement: bool = attrs.field(validator=_fields.boolean)
    acceptance: bool = attrs.field(validator=_fields.boolean)
    reciprocal: bool = attrs.field(validator=_fields.boolean)
    responsibilities: tuple[str, ...] = attrs.field(
        validator=_fields.texts, metadata=PERSONAL
    )
    tasks: tuple[str, ...] = attrs.field(validator=_fields.texts, metadata=PERSONAL)
    valid_from: dt.date = attrs.field(validator=_fields.date)
    valid_until: dt.date = attrs.field(validator=_fields.date)
    parties: Parties = attrs.field(validator=attrs.validators.instance_of(Parties))

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the contract from a JSON object (its kind is the ``kind`` field)."""
        read = Reader(cls.kind, data)
        record = cls(
            contract_kind=read.code("kind", ContractKind),
            consensual=read.boolean("consensual"),
            mutual_agreement=read.boolean("mutual_agreement"),
            acceptance=read.boolean("acceptance"),
            reciprocal=read.boolean("reciprocal"),
            responsibilities=read.texts("responsibilities"),
            tasks=read.texts("tasks"),
            valid_from=read.date("valid_from"),
            valid_until=read.date("valid_until"),
            parties=read.nested("parties", read.raw("parties"), Parties.read),
        )
        read.finish()
        return record

    def unmet_elements(self) -> list[str]:
        """Return the requirement ids of the elements this contract lacks."""
        missing = [
            f"contract.{name}"
            for name in ("consensual", "mutual_agreement", "acceptance", "reciprocal")
            if not getattr(self, name)
        ]
        if not self.responsibilities:
            missing.append("contract.responsibilities")
        if not self.tasks:
            missing.append("contract.tasks")
        if self.valid_from >= self.valid_until:
            missing.append("contract.time_period")
        return missing

    def is_in_force(self, day: dt.date) -> bool:
        """Whether ``day`` lies within the contract's time period."""
        return self.valid_from <= day <= self.valid_until


def exit_requirements(contract: ContractRecord | None) -> list[str]:
    """Return what the contract stage lacks before assessment.

    Args:
        contract: the latest preliminary or primary contract.
    """
    if contract is None:
        return ["contract.record"]
    return contract.unmet_elements()


def primary_requirements(primary: ContractRecord | None, day: dt.date) -> list[str]:
    """Return what stands between the case and a primary contract in force.

    Args:
        primary: the latest primary contract.
        day: the day the move takes place.
    """
    if primary is None:
        return ["contract.primary"]
    missing = primary.unmet_elements()
    if not primary.is_in_force(day):
        missing.append("contract.in_force")
    return missing
