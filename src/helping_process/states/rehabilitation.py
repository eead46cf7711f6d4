"""Records of residential social rehabilitation (``rehsos-pp39``, PP 39/2012).

A panti closes problem disclosure with a case conference (temu bahas
kasus), prepares family and community before the client goes home
(resosialisasi), and follows the client up after closure (bimbingan
lanjut): an aftercare plan says until when and how often, and each contact
is a follow-up record. Which stages take these records, and what a move
asks of them, is the definition's to say (``definitions/rehsos.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar
from typing import Self

import attrs

from helping_process.exceptions import RecordInvalidError
from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import FollowUpMode
from helping_process.states.vocabulary import RecordKind


def _days(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    """A whole number of days, at least one (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordInvalidError(
            _fields.kind_of(instance), attribute.name, "not_integer", value
        )
    if value < 1:
        raise RecordInvalidError(
            _fields.kind_of(instance), attribute.name, "out_of_range", value
        )


@attrs.frozen(kw_only=True)
class CaseConferenceRecord:
    """The case conference that ends problem disclosure.

    Attributes:
        held_on: the day it was held.
        participants: who took part (at least one).
        conclusion: what it concluded.
    """

    kind: ClassVar[RecordKind] = RecordKind.CASE_CONFERENCE

    held_on: dt.date = attrs.field(validator=_fields.date)
    participants: tuple[str, ...] = attrs.field(
        validator=_fields.texts, metadata=PERSONAL
    )
    conclusion: str = attrs.field(validator=_fields.text, metadata=PERSONAL)

    def __attrs_post_init__(self) -> None:
        if not self.participants:
            raise RecordInvalidError(self.kind, "participants", "empty")

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            held_on=read.date("held_on"),
            participants=read.texts("participants"),
            conclusion=read.text("conclusion"),
        )
        read.finish()
        return record


@attrs.frozen(kw_only=True)
class ResocializationRecord:
    """How far family and community are prepared to receive the client back.

    A record saying either is not prepared is kept; a planned termination
    waits for one saying both are.

    Attributes:
        family_prepared: whether the family is prepared.
        community_prepared: whether the community is prepared.
        plan: what is done to prepare them.
    """

    kind: ClassVar[RecordKind] = RecordKind.RESOCIALIZATION

    family_prepared: bool = attrs.field(validator=_fields.boolean)
    community_prepared: bool = attrs.field(validator=_fields.boolean)
    plan: str = attrs.field(validator=_fields.text, metadata=PERSONAL)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            family_prepared=read.boolean("family_prepared"),
            community_prepared=read.boolean("community_prepared"),
            plan=read.text("plan"),
        )
        read.finish()
        return record


@attrs.frozen(kw_only=True)
class AftercarePlanRecord:
    """The aftercare agreed at termination: until when, and how often.

    Attributes:
        until: the last day of aftercare; the case closes after it.
        contact_every_days: how often the worker makes contact, in days.
    """

    kind: ClassVar[RecordKind] = RecordKind.AFTERCARE_PLAN

    until: dt.date = attrs.field(validator=_fields.date)
    contact_every_days: int = attrs.field(validator=_days)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            until=read.date("until"),
            contact_every_days=read.integer("contact_every_days", least=1),
        )
        read.finish()
        return record


@attrs.frozen(kw_only=True)
class FollowUpRecord:
    """One aftercare contact with the client.

    Attributes:
        on: the day of the contact.
        mode: a visit, a phone call or a message.
        situation: the client's situation.
        independent: whether the client now manages on their own.
    """

    kind: ClassVar[RecordKind] = RecordKind.FOLLOW_UP

    on: dt.date = attrs.field(validator=_fields.date)
    mode: FollowUpMode = attrs.field(validator=_fields.member(FollowUpMode))
    situation: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    independent: bool = attrs.field(validator=_fields.boolean)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            on=read.date("on"),
            mode=read.code("mode", FollowUpMode),
            situation=read.text("situation"),
            independent=read.boolean("independent"),
        )
        read.finish()
        return record
