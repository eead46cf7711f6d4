"""Engagement (kontak awal): the first contact and the client's request.

To leave engagement the case needs an engagement record: when the first
contact took place, what the client asked for, and who referred them.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar
from typing import Self

import attrs

from helping_process.states import _fields
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import Reader
from helping_process.states.vocabulary import RecordKind
from helping_process.states.vocabulary import ReferralSource


@attrs.frozen(kw_only=True)
class EngagementRecord:
    """The first contact between worker and client.

    Attributes:
        first_contact_on: the date of the first contact.
        request: the client's request for service, in their words.
        referral_source: who brought the client to the agency.
    """

    kind: ClassVar[RecordKind] = RecordKind.ENGAGEMENT

    first_contact_on: dt.date = attrs.field(validator=_fields.date)
    request: str = attrs.field(validator=_fields.text, metadata=PERSONAL)
    referral_source: ReferralSource = attrs.field(
        validator=_fields.member(ReferralSource)
    )

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Build the record from a JSON object, naming any malformed field."""
        read = Reader(cls.kind, data)
        record = cls(
            first_contact_on=read.date("first_contact_on"),
            request=read.text("request"),
            referral_source=read.code("referral_source", ReferralSource),
        )
        read.finish()
        return record


def exit_requirements(record: EngagementRecord | None) -> list[str]:
    """Return what engagement still lacks before intake."""
    return [] if record is not None else ["engagement.record"]
