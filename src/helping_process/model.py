"""The values the engine works with: actors, cases, events and commands.

All are frozen attrs classes. A :class:`Case` is what a fold over its
:class:`Event` trail gives; a command is what someone asks for, and the
engine turns an accepted command into exactly one event.
"""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum
from enum import unique
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import attrs

from helping_process.exceptions import InvalidInputError
from helping_process.states import Record
from helping_process.states import RecordsInForce
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states._fields import PERSONAL
from helping_process.states._fields import check_text
from helping_process.states.records import NO_RECORDS
from helping_process.states.records import RECORD_TYPES

if TYPE_CHECKING:
    from helping_process.definitions import Definition

#: The definition every case stored before cases were pinned ran under.
FIRST_RULES: Final = "helping-process@1"

UTC = dt.UTC


@unique
class ActorRole(StrEnum):
    """The role in which someone acts on a case."""

    WORKER = "worker"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


@unique
class Action(StrEnum):
    """What an event did to its case."""

    OPEN = "open"
    RECORD = "record"
    MOVE = "move"
    TERMINATE = "terminate"
    REOPEN = "reopen"
    REDACT = "redact"
    MIGRATE = "migrate"
    REQUEST = "request"
    APPROVE = "approve"
    REJECT = "reject"
    ASSIGN = "assign"
    REFER = "refer"
    TRANSFER = "transfer"
    CONSENT = "consent"


@unique
class ConsentPurpose(StrEnum):
    """What a client's consent is for."""

    SERVICES = "services"
    DATA_SHARING = "data_sharing"
    REFERRAL = "referral"


@unique
class AssignReason(StrEnum):
    """Why a case is given another worker of record, when the reason matters.

    ``client_dislikes_worker`` resolves the termination reason of that name
    by reassignment: the client keeps the service and gets another worker.
    """

    CLIENT_DISLIKES_WORKER = "client_dislikes_worker"


@attrs.frozen
class Consent:
    """A client's consent for one purpose, given or withdrawn on a day.

    Who recorded it is the event's actor; the consent itself holds no
    personal text, so it stays in the chain through a redaction.

    Attributes:
        purpose: what it is for.
        given: True when given, False when withdrawn.
        on: the day the client gave or withdrew it.
    """

    purpose: ConsentPurpose = attrs.field()
    given: bool = attrs.field()
    on: dt.date = attrs.field()

    @purpose.validator
    def _purpose(self, attribute: attrs.Attribute[object], value: object) -> None:
        if not isinstance(value, ConsentPurpose):
            raise InvalidInputError("purpose", "unknown_code", value)

    @given.validator
    def _given(self, attribute: attrs.Attribute[object], value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidInputError("given", "not_bool", value)

    @on.validator
    def _on(self, attribute: attrs.Attribute[object], value: object) -> None:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise InvalidInputError("on", "not_date", value)


@attrs.frozen
class Referral:
    """The latest outgoing referral of a case.

    Attributes:
        seq: the event that recorded it.
        to: the organisation referred to (personal data: redactable).
    """

    seq: int
    to: str | None


@attrs.frozen
class ProcessPin:
    """The process definition a case runs under, as its trail names it.

    Attributes:
        name: the definition's name (``helping-process``).
        version: its version under that name.
        digest: SHA-256 (hex) of its canonical form: what the pin binds.
    """

    name: str
    version: int
    digest: str

    @property
    def ref(self) -> str:
        """Return ``NAME@VERSION``."""
        return f"{self.name}@{self.version}"

    @classmethod
    def of(cls, definition: Definition) -> ProcessPin:
        """Return the pin of ``definition``."""
        return cls(definition.name, definition.version, definition.digest)


def first_rules() -> Definition:
    """Return ``helping-process@1``: the rules of every case stored unpinned."""
    from helping_process.definitions import builtin  # noqa: PLC0415 - read on first use

    return builtin(FIRST_RULES)


def _text_field(name: str, *, optional: bool) -> Any:
    """Return a validator for a command's free text, raising InvalidInputError."""

    def validate(
        instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if value is None and optional:
            return
        problem = check_text(value)
        if problem is not None:
            raise InvalidInputError(name, problem)

    return validate


def _blank_to_none(value: object) -> object:
    """Treat blank optional text as absent, so it is reported as missing."""
    return None if isinstance(value, str) and not value.strip() else value


def _note() -> Any:
    return attrs.field(
        default=None,
        converter=_blank_to_none,
        validator=_text_field("note", optional=True),
        metadata=PERSONAL,
    )


def _to_utc(value: object) -> dt.datetime | None:
    """Convert when a command took place to UTC (one call: a converter).

    Raises:
        InvalidInputError: not an aware datetime.
    """
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InvalidInputError("occurred_at", "not_utc", value)
    return value.astimezone(UTC)


def _occurred_at() -> Any:
    return attrs.field(default=None, converter=_to_utc)


def _default_rules() -> Definition:
    """The definition new cases follow: ``DEFAULT_REF``, read at each call."""
    from helping_process.definitions import _load  # noqa: PLC0415 - read on first use

    return _load.builtin(_load.DEFAULT_REF)


def _actor_role(value: object) -> ActorRole:
    try:
        return ActorRole(str(value))
    except ValueError:
        raise InvalidInputError("role", "unknown_code", value) from None


@attrs.frozen
class Actor:
    """Who acts: an id the agency knows them by, and the role they act in."""

    id: str = attrs.field(validator=_text_field("actor", optional=False))
    role: ActorRole = attrs.field(default=ActorRole.WORKER, converter=_actor_role)


# Not slotted: a copy per event is then a dict copy (see _fields.evolve).
@attrs.frozen(kw_only=True, slots=False)
class Case:
    """A case as its trail makes it.

    Attributes:
        case_id: the case's id.
        residential: whether the client lives in the institution (panti).
        stage: the current stage.
        episode: the current episode; reopening starts the next one.
        seq: the sequence number of the last event (the case's version).
        opened_at: when the case was opened.
        stage_entered_at: when the case entered its current stage.
        last_occurred_at: when the last event took place.
        records: the records that count for the next move.
        termination_reason: why the last episode ended, while it is ended.
        definition: the process definition the case runs under now (the
            one it was opened under, or the one its last migration chose).
        requests: the requests for approval that await a decision, as their
            ``request`` events, oldest first.
        approved: the request the last event approved, whose command the
            next event must be (None: none).
        opened_by: the actor who opened the case (its first worker of record).
        assigned: the worker of record an assignment named, if any.
        unit: the unit of the agency the case was last transferred to, if any.
        referral: the latest outgoing referral, if any.
        consents: the client's consent in force for each purpose recorded
            (True given, False withdrawn); a purpose never recorded is absent.
    """

    case_id: str
    residential: bool
    stage: Stage
    episode: int
    seq: int
    opened_at: dt.datetime
    stage_entered_at: dt.datetime
    last_occurred_at: dt.datetime
    records: RecordsInForce = NO_RECORDS
    termination_reason: TerminationReason | None = None
    definition: Definition = attrs.field(factory=first_rules)
    requests: tuple[Event, ...] = ()
    approved: Event | None = None

    def request(self, seq: int) -> Event | None:
        """Return the pending request whose event is ``seq``, if any."""
        for event in self.requests:
            if event.seq == seq:
                return event
        return None

    opened_by: str = ""
    assigned: str | None = None
    unit: str | None = None
    referral: Referral | None = None
    consents: tuple[tuple[ConsentPurpose, bool], ...] = ()

    @property
    def worker(self) -> str:
        """The worker of record: the one last assigned, else who opened it."""
        return self.assigned if self.assigned is not None else self.opened_by

    def consented(self, purpose: ConsentPurpose) -> bool:
        """Whether the client's consent for ``purpose`` is given, not withdrawn."""
        return dict(self.consents).get(purpose, False)


# Not slotted: one is made per command, and attrs makes a frozen class
# without slots by filling its __dict__, a third faster than slot by slot.
@attrs.frozen(kw_only=True, slots=False)
class Event:
    """One accepted command, as the audit trail keeps it.

    Personal fields (the client reference, notes, the referral and the
    record's free text) are marked so they can be kept apart from the
    hash chain and redacted on a lawful request.

    Attributes:
        case_id: the case.
        seq: the event's number within the case, gap-free from 1.
        episode: the episode it belongs to.
        occurred_at: when it took place (UTC).
        recorded_at: when it was recorded (UTC).
        actor: who acted.
        action: what was done.
        from_stage: the stage before.
        to_stage: the stage after.
        residential: for ``open``: whether the client lives in a panti.
        client: for ``open``: the agency's reference for the client.
        record: for ``record``: the record added.
        reason: for ``terminate``: the termination reason.
        sub_reason: for ``terminate``: the sub-reason, if the reason has them.
        referral_to: for ``terminate``: where the client was referred.
        note: the worker's note.
        redacted: for ``redact``: the ``seq`` of every earlier event whose
            personal data it removed, in order (None on redactions recorded
            before the list was).
        process: for ``open``: the definition the case is pinned to (None
            on cases opened before cases were pinned: they run under
            ``helping-process@1``); for ``migrate``: the one it moves to.
        requested: for ``request``: the action the gated command takes
            once approved (its details are this event's other fields).
        approver: for ``request``: the role that approves it.
        request: for ``approve`` and ``reject``: the ``seq`` of the request.
        worker: for ``assign``: the new worker of record.
        assign_reason: for ``assign``: why, when it resolves a problem.
        unit: for ``transfer``: the unit the case is handed to.
        consent: for ``consent``: the consent given or withdrawn.
        referral_seq: for ``terminate`` because the service is available
            elsewhere: the ``refer`` event it follows from, if any.
    """

    case_id: str
    seq: int
    episode: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    actor: Actor
    action: Action
    from_stage: Stage | None
    to_stage: Stage
    residential: bool | None = None
    client: str | None = attrs.field(default=None, metadata=PERSONAL)
    record: Record | None = None
    reason: TerminationReason | None = None
    sub_reason: SubReason | None = None
    referral_to: str | None = attrs.field(default=None, metadata=PERSONAL)
    note: str | None = attrs.field(default=None, metadata=PERSONAL)
    redacted: tuple[int, ...] | None = None
    process: ProcessPin | None = None
    requested: Action | None = None
    approver: ActorRole | None = None
    request: int | None = None
    worker: str | None = None
    assign_reason: AssignReason | None = None
    unit: str | None = None
    consent: Consent | None = None
    referral_seq: int | None = None


@attrs.frozen(kw_only=True)
class OpenCase:
    """Open a new case in engagement.

    Attributes:
        client: the agency's reference for the client (kept as personal data).
        residential: whether the client lives in the institution (panti).
        note: an optional note.
        occurred_at: when it took place, if earlier than now.
        process: the definition the case is pinned to. None opens it
            unpinned, under ``helping-process@1``, as cases were opened
            before pinning: only replay of such a case's trail asks for it.
    """

    client: str = attrs.field(
        validator=_text_field("client", optional=False), metadata=PERSONAL
    )
    residential: bool = attrs.field(default=False)
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()
    process: Definition | None = attrs.field(factory=_default_rules)

    @residential.validator
    def _residential(self, attribute: attrs.Attribute[bool], value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidInputError("residential", "not_bool", value)


_RECORD_CLASSES: Final = tuple(RECORD_TYPES.values())


@attrs.frozen(kw_only=True)
class AddRecord:
    """Add a record to the case in the stage that allows it."""

    record: Record = attrs.field()
    occurred_at: dt.datetime | None = _occurred_at()

    @record.validator
    def _record(self, attribute: attrs.Attribute[Record], value: object) -> None:
        if not isinstance(value, _RECORD_CLASSES):
            raise InvalidInputError("record", "not_object")


@attrs.frozen(kw_only=True)
class MoveCase:
    """Move the case to another stage; a loop back needs a note saying why."""

    target: Stage = attrs.field()
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()

    @target.validator
    def _target(self, attribute: attrs.Attribute[Stage], value: object) -> None:
        if not isinstance(value, Stage):
            raise InvalidInputError("stage", "unknown_code", value)


@attrs.frozen(kw_only=True)
class TerminateCase:
    """End the episode for a reason allowed in the case's stage."""

    reason: TerminationReason = attrs.field()
    sub_reason: SubReason | None = attrs.field(default=None)
    referral_to: str | None = attrs.field(
        default=None,
        converter=_blank_to_none,
        validator=_text_field("referral_to", optional=True),
        metadata=PERSONAL,
    )
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()

    @reason.validator
    def _reason(self, attribute: attrs.Attribute[object], value: object) -> None:
        if not isinstance(value, TerminationReason):
            raise InvalidInputError("reason", "unknown_code", value)

    @sub_reason.validator
    def _sub_reason(self, attribute: attrs.Attribute[object], value: object) -> None:
        if value is not None and not isinstance(value, SubReason):
            raise InvalidInputError("sub_reason", "unknown_code", value)


@attrs.frozen(kw_only=True)
class ReopenCase:
    """Start a new episode of a terminated case, saying why."""

    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()


def _event_numbers(value: object) -> tuple[int, ...] | None:
    """Convert the events a redaction names to a tuple of their numbers.

    Raises:
        InvalidInputError: not a strictly increasing list of event numbers.
    """
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(
        type(seq) is int and seq >= 1 for seq in value
    ):
        raise InvalidInputError("redacted", "not_event_numbers", value)
    numbers = tuple(value)
    if any(later <= earlier for earlier, later in itertools.pairwise(numbers)):
        raise InvalidInputError("redacted", "not_event_numbers", value)
    return numbers


@attrs.frozen(kw_only=True)
class RedactCase:
    """Redact the personal data of every earlier event, giving the lawful basis.

    Attributes:
        note: the lawful basis (required).
        events: the ``seq`` of every earlier event that still holds personal
            data: what the redaction removes, and what its event names in
            the chain. :meth:`CaseService.redact
            <helping_process.service.CaseService.redact>` reads them from
            the store; None only for redactions recorded before events were
            named (they covered every earlier event).
        occurred_at: when it took place, if earlier than now.
    """

    note: str | None = _note()
    events: tuple[int, ...] | None = attrs.field(default=None, converter=_event_numbers)
    occurred_at: dt.datetime | None = _occurred_at()


@attrs.frozen(kw_only=True)
class MigrateCase:
    """Move the case to another process definition, saying why.

    Attributes:
        to: the definition the case runs under from this event on.
        note: why (required).
        occurred_at: when it took place, if earlier than now.
    """

    to: Definition
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()


def _request_number(value: object) -> int:
    """Return a request's number (the ``seq`` of its event).

    Raises:
        InvalidInputError: not a whole number from 1.
    """
    if type(value) is int and value >= 1:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
        if number >= 1:
            return number
    raise InvalidInputError("request", "not_request_number", value)


@attrs.frozen(kw_only=True)
class ApproveRequest:
    """Approve a pending request: its command takes effect now.

    Attributes:
        request: the request's number (the ``seq`` of its event).
        note: the approver's note (required).
        occurred_at: when it took place, if earlier than now.
    """

    request: int = attrs.field(converter=_request_number)
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()


@attrs.frozen(kw_only=True)
class RejectRequest:
    """Reject a pending request, or withdraw one's own: it never takes effect.

    Attributes:
        request: the request's number (the ``seq`` of its event).
        note: why (required).
        occurred_at: when it took place, if earlier than now.
    """

    request: int = attrs.field(converter=_request_number)
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()


@attrs.frozen(kw_only=True)
class AssignCase:
    """Make another worker the case's worker of record, saying why.

    Attributes:
        worker: the actor id of the new worker of record.
        reason: ``client_dislikes_worker`` when the reassignment resolves it.
        note: why (required).
        occurred_at: when it took place, if earlier than now.
    """

    worker: str = attrs.field(validator=_text_field("worker", optional=False))
    reason: AssignReason | None = attrs.field(default=None)
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()

    @reason.validator
    def _reason(self, attribute: attrs.Attribute[object], value: object) -> None:
        if value is not None and not isinstance(value, AssignReason):
            raise InvalidInputError("reason", "unknown_code", value)


@attrs.frozen(kw_only=True)
class ReferCase:
    """Refer the client to another organisation; the case goes on.

    Attributes:
        to: the organisation (kept as personal data).
        note: why (required).
        occurred_at: when it took place, if earlier than now.
    """

    to: str = attrs.field(
        validator=_text_field("to", optional=False), metadata=PERSONAL
    )
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()


@attrs.frozen(kw_only=True)
class TransferCase:
    """Hand the case, with its history, to another unit of the agency.

    Attributes:
        unit: the receiving unit's code.
        note: why (required).
        occurred_at: when it took place, if earlier than now.
    """

    unit: str = attrs.field(validator=_text_field("unit", optional=False))
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()


@attrs.frozen(kw_only=True)
class RecordConsent:
    """Record the client's consent for a purpose, given or withdrawn.

    Attributes:
        consent: the purpose, whether given, and the day.
        note: an optional note.
        occurred_at: when it took place, if earlier than now.
    """

    consent: Consent = attrs.field()
    note: str | None = _note()
    occurred_at: dt.datetime | None = _occurred_at()

    @consent.validator
    def _consent(self, attribute: attrs.Attribute[object], value: object) -> None:
        if not isinstance(value, Consent):
            raise InvalidInputError("consent", "not_object")


Command = (
    AddRecord
    | MoveCase
    | TerminateCase
    | ReopenCase
    | RedactCase
    | MigrateCase
    | ApproveRequest
    | RejectRequest
    | AssignCase
    | ReferCase
    | TransferCase
    | RecordConsent
)
