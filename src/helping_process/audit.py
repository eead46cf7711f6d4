"""The audit trail's hash chain: canonical bytes, sealing and verification.

An event is stored as two byte strings. The **body** is the canonical JSON
of the event with every personal text replaced by ``[redacted]`` and the
SHA-256 digest of the personal data; it is what the chain covers:
``hash = SHA-256(prev_hash ‖ body)``, with ``prev_hash`` as 64 ASCII hex
digits and the first event chained to :data:`GENESIS`. The **personal**
bytes (client reference, notes, referral, the record's free text) are kept
apart, so a lawful redaction removes them and the chain still verifies: the
body alone replays through the process rules, and a missing personal part
reads as "redacted", never "tampered". The personal bytes carry a random
salt, so the digest the chain holds reveals nothing once they are gone: a
short text such as a client number cannot be found again by hashing every
candidate. ``docs/audit-format.md`` specifies
the encoding for auditors who verify with their own tools.

Everything here is pure: it works on events and stored rows, not on a
database.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from enum import StrEnum
from enum import unique
from itertools import groupby
from itertools import pairwise
from operator import attrgetter
from operator import itemgetter
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import NamedTuple

import attrs
import orjson

from helping_process import engine
from helping_process import labels
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import HelpingProcessError
from helping_process.exceptions import RecordInvalidError
from helping_process.exceptions import RecordProblemsError
from helping_process.labels import Language
from helping_process.model import UTC
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import ActorRole
from helping_process.model import AssignReason
from helping_process.model import Case
from helping_process.model import Consent
from helping_process.model import ConsentPurpose
from helping_process.model import Event
from helping_process.model import ProcessPin
from helping_process.states import REDACTED
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states import parse_record
from helping_process.states._fields import split_json

if TYPE_CHECKING:
    from helping_process.snapshot import Origins
    from helping_process.snapshot import Snapshot

#: The ``prev_hash`` of every case's first event.
GENESIS: Final = "0" * 64
#: The actions whose events may carry the keys of case work (assignment,
#: referral, transfer, consent), by member and by code.
_CASEWORK: Final = frozenset(
    {Action.ASSIGN, Action.REFER, Action.TRANSFER, Action.CONSENT}
)
#: The version of the body encoding; bumped only with a documented migration.
FORMAT_VERSION: Final = 1

#: How :func:`utc_text` writes an instant, as printf fields.
_TIME_TEXT: Final = "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ"


@unique
class FindingKind(StrEnum):
    """What verification can find wrong (or, for ``redacted``, merely note)."""

    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TRUNCATED = "truncated"
    ILLEGAL_MOVE = "illegal_move"
    HEAD_MISMATCH = "head_mismatch"
    CASE_MISSING = "case_missing"
    BAD_SEAL = "bad_seal"
    REDACTED = "redacted"


def _as_text(value: object) -> str:
    """A case id as a finding names it, whatever the cell held."""
    return value if isinstance(value, str) else repr(value)


@attrs.frozen
class Finding:
    """One verification finding: which case, which event, what kind.

    Attributes:
        case_id: the case.
        seq: the event concerned (0 when it is about the case as a whole).
        kind: what was found.
        cause: what exactly, as the id of a message in
            :mod:`helping_process.labels` ("" when the kind says it all):
            ``finding.…``, or the ``error.…`` of the rule an event breaks.
        params: the facts the message names (numbers, codes).
    """

    case_id: str = attrs.field(converter=_as_text)
    seq: int
    kind: FindingKind
    cause: str = ""
    params: Mapping[str, object] = attrs.field(factory=dict)

    @property
    def is_tampering(self) -> bool:
        """Whether this finding is a fault (a redaction is only information)."""
        return self.kind is not FindingKind.REDACTED

    @property
    def detail(self) -> str:
        """What exactly was found, in English (see :meth:`describe`)."""
        return self.describe("en")

    def describe(self, lang: Language = "en") -> str:
        """Return what exactly was found, in Indonesian or English."""
        return labels.render(self.cause, lang, self.params) if self.cause else ""


@attrs.frozen(kw_only=True)
class SealStatus:
    """Which key the seals were checked with, and up to which seal.

    Attributes:
        key: the key's fingerprint: SHA-256 of its raw 32 bytes, as hex.
        seals: how many seals are stored.
        newest: the number of the newest stored seal (0 when there is none).
        digest: its digest (None when there is none).
        sealed_at: the time it signs (None when there is none, or it has
            none).
        receipt: the number of the seal a receipt vouched for, or None.
    """

    key: str
    seals: int
    newest: int
    digest: str | None
    sealed_at: str | None
    receipt: int | None = None

    def describe(self, lang: Language = "en") -> str:
        """Say, in Indonesian or English, which key checked up to which seal.

        One sentence for the top of a report; the findings say whether the
        seals held.
        """
        template = "sealing.checked" if self.seals else "sealing.none"
        said = labels.render(template, lang, attrs.asdict(self))
        if self.receipt is not None:
            said += " " + labels.render("sealing.receipt", lang, attrs.asdict(self))
        return said


@attrs.frozen(kw_only=True)
class Verification:
    """What a verification read and found.

    Attributes:
        findings: the findings, in case order (redactions included).
        cases: the cases read (from their heads or their events).
        events: the events read.
        seals: the seals checked (0 without a key).
        sealing: which key checked the seals and up to which seal (None
            without a key).
        unlisted: how many more findings there were than the listed ones
            (a verification lists at most as many as it was asked to).
        unlisted_faults: how many of those unlisted are faults.
    """

    findings: tuple[Finding, ...]
    cases: int
    events: int
    seals: int
    sealing: SealStatus | None = None
    unlisted: int = 0
    unlisted_faults: int = 0

    @property
    def faults(self) -> list[Finding]:
        """The listed findings that are not mere redactions."""
        return [finding for finding in self.findings if finding.is_tampering]

    @property
    def fault_count(self) -> int:
        """How many faults were found, listed or not."""
        return len(self.faults) + self.unlisted_faults

    @property
    def ok(self) -> bool:
        """Whether the trail is sound (redactions allowed)."""
        return not self.faults and not self.unlisted_faults


class Sealed(NamedTuple):
    """An event as the trail stores it.

    A named tuple rather than an attrs class: verification makes one per
    stored row, a million for a large trail, and a tuple is built in a
    quarter of the time.

    Attributes:
        case_id: the case.
        seq: the event's number within the case.
        body: the canonical bytes the chain covers.
        personal: the personal data kept apart from the chain, or None when
            the event had none or it was redacted.
        prev_hash: the hash of the case's previous event.
        hash: ``SHA-256(prev_hash ‖ body)`` as hex.
    """

    case_id: str
    seq: int
    body: bytes
    personal: bytes | None
    prev_hash: str
    hash: str


class Columns(NamedTuple):
    """The plain columns stored beside an event's chained bytes, as read.

    They are copies of what the body holds, kept for the lists and the SQL
    an agency runs; full verification compares each with the decoded event,
    so a forged column is found even though the chain does not cover it.
    Values are the database's own cells, not converted: a corrupt cell is a
    finding, never an exception.

    Attributes:
        episode: ``events.episode``.
        action: ``events.action``.
        from_stage: ``events.from_stage``.
        to_stage: ``events.to_stage``.
        actor_id: ``events.actor_id``.
        occurred_at: ``events.occurred_at`` as the driver gives it.
        recorded_at: ``events.recorded_at`` likewise.
        redacted_at: ``personal.redacted_at`` (None without a personal row).
    """

    episode: object
    action: object
    from_stage: object
    to_stage: object
    actor_id: object
    occurred_at: object
    recorded_at: object
    redacted_at: object


class HeadColumns(NamedTuple):
    """The columns of a case's row that repeat what its events say, as read.

    Attributes:
        client: ``cases.client``: the open event's client reference, or
            NULL once the case was redacted.
        residential: ``cases.residential``: as the open event says.
        opened_at: ``cases.opened_at``: when the open event took place.
        updated_at: ``cases.updated_at``: when the last event took place.
    """

    client: object
    residential: object
    opened_at: object
    updated_at: object


@attrs.frozen(kw_only=True)
class Head:
    """A case's head as stored beside its trail: what the last event should be.

    Attributes:
        case_id: the case.
        seq: the number of its last event.
        last_hash: the hash of its last event.
        stage: the code of the stage the head says the case is in, as
            stored (None where only the chain's end is known, as in a
            seal's leaves).
        episode: the episode the head says the case is in (None likewise).
        columns: the row's other columns, when they were read (full
            verification compares them with the replayed case).
    """

    case_id: str
    seq: int
    last_hash: str
    stage: str | None = None
    episode: int | None = None
    columns: HeadColumns | None = None


#: A range of case ids, in the store's order: from the first (on) to the
#: second (before); None leaves that side open.
CaseRange = tuple[str | None, str | None]
#: The range of every case.
EVERY_CASE: Final[CaseRange] = (None, None)


def split_cases(weights: Iterable[tuple[str, int]], parts: int) -> list[CaseRange]:
    """Split cases into at most ``parts`` consecutive ranges of about equal work.

    Args:
        weights: every case id with its number of events, in the store's
            order of case ids.
        parts: how many ranges at most.

    Returns:
        Ranges that follow one another from no lower bound to no upper one,
        so that every case id, even one not listed, falls in exactly one.
        Each case counts its events and one more, so empty cases count too.
    """
    listed = [(case_id, seq + 1) for case_id, seq in weights]
    total = sum(weight for _, weight in listed)
    bounds: list[str | None] = [None]
    done = 0
    for case_id, weight in listed:
        if done >= total * len(bounds) / parts and len(bounds) < parts:
            bounds.append(case_id)
        done += weight
    bounds.append(None)
    return list(pairwise(bounds))


def canonical(value: object) -> bytes:
    """Return the canonical JSON bytes of ``value``.

    Object keys sorted by code point, no insignificant white space, UTF-8
    without escapes (the output of ``json.dumps(value, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` for the values events hold).
    orjson does it about ten times faster than the standard library.
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def link(prev_hash: str, body: bytes) -> str:
    """Return ``SHA-256(prev_hash ‖ body)`` as 64 lowercase hex digits."""
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


def digest(data: bytes) -> str:
    """Return the SHA-256 of ``data`` as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


#: The instant :func:`utc_text` wrote last, and its text: one tuple, so
#: threads never see a torn pair.
_last_text: list[tuple[dt.datetime | None, str]] = [(None, "")]


def utc_text(value: dt.datetime) -> str:
    """Return an aware instant in UTC as the chain writes it (``…T…Z``).

    Formatting the fields gives what ``isoformat`` gives, in half its time
    (and a third of strftime's). The last instant's text is kept: a command
    writes its one instant into the chain and, through the store's column
    type, into three columns.
    """
    seen, text = _last_text[0]
    if value is seen:
        return text
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    text = _TIME_TEXT % (
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
        utc.microsecond,
    )
    _last_text[0] = (value, text)
    return text


def _body(event: Event, record: Any, personal_digest: str | None) -> dict[str, Any]:
    """Return the chained JSON object of an event (personal text redacted).

    Codes stay enum members: orjson writes a member as its value. Only a
    redaction that names its events has ``redacted_seqs``, and only a pinned
    open event or a migration has ``process``: every other event keeps
    exactly the keys it always had.
    """
    occurred_at = utc_text(event.occurred_at)
    body = {
        "v": FORMAT_VERSION,
        "case_id": event.case_id,
        "seq": event.seq,
        "episode": event.episode,
        "occurred_at": occurred_at,
        "recorded_at": (
            occurred_at
            if event.recorded_at == event.occurred_at
            else utc_text(event.recorded_at)
        ),
        "actor": {"id": event.actor.id, "role": event.actor.role},
        "action": event.action,
        "from_stage": event.from_stage,
        "to_stage": event.to_stage,
        "residential": event.residential,
        "client": None if event.client is None else REDACTED,
        "record_kind": event.record.kind if event.record else None,
        "record": record,
        "reason": event.reason,
        "sub_reason": event.sub_reason,
        "referral_to": None if event.referral_to is None else REDACTED,
        "note": None if event.note is None else REDACTED,
        "personal_digest": personal_digest,
    }
    if event.redacted is not None:
        body["redacted_seqs"] = event.redacted
    pin = event.process
    if pin is not None:
        body["process"] = {
            "name": pin.name,
            "version": pin.version,
            "digest": pin.digest,
        }
    if event.requested is not None:
        body["requested"] = event.requested
        body["approver"] = event.approver
    if event.request is not None:
        body["request"] = event.request
    if event.action in _CASEWORK or event.referral_seq is not None:
        _casework_body(event, body)
    return body


def _casework_body(event: Event, body: dict[str, Any]) -> None:
    """Add the keys of assignment, referral, transfer and consent events.

    Each key is written only when it is set, so every other event keeps
    exactly the keys it always had.
    """
    if event.worker is not None:
        body["worker"] = event.worker
    if event.assign_reason is not None:
        body["assign_reason"] = event.assign_reason
    if event.unit is not None:
        body["unit"] = event.unit
    consent = event.consent
    if consent is not None:
        body["consent"] = {
            "purpose": consent.purpose,
            "given": consent.given,
            "on": consent.on.isoformat(),
        }
    if event.referral_seq is not None:
        body["referral_seq"] = event.referral_seq


def _consent(value: object) -> Consent | None:
    """The consent a body holds, or None.

    Raises:
        ValueError: the ``consent`` object is not a purpose, flag and day.
    """
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"purpose", "given", "on"}:
        raise ValueError(value)
    on = value["on"]
    if not isinstance(on, str):
        raise TypeError(on)
    return Consent(
        ConsentPurpose(value["purpose"]), value["given"], dt.date.fromisoformat(on)
    )


def seal(event: Event, prev_hash: str, *, salt: bytes | None = None) -> Sealed:
    """Encode an event and chain it to ``prev_hash``.

    Args:
        event: the event.
        prev_hash: the hash of the case's previous event.
        salt: random bytes (16 from :func:`secrets.token_bytes`) written as
            hex into the personal bytes, which the chain holds only the
            digest of; without a salt, a short personal text could be found
            from its digest by trying every candidate. None seals without
            one, as events were sealed before salts (their format is kept
            byte for byte, and they still verify).
    """
    personal_data: dict[str, Any] = {}
    if event.client is not None:
        personal_data["client"] = event.client
    if event.note is not None:
        personal_data["note"] = event.note
    if event.referral_to is not None:
        personal_data["referral_to"] = event.referral_to
    record = None
    if event.record is not None:
        record, personal_data["record"] = split_json(event.record)
    if personal_data and salt is not None:
        personal_data["salt"] = salt.hex()
    personal = canonical(personal_data) if personal_data else None
    body = canonical(_body(event, record, digest(personal) if personal else None))
    # Sealed's fields in order: case_id, seq, body, personal, prev_hash, hash.
    return Sealed(
        event.case_id, event.seq, body, personal, prev_hash, link(prev_hash, body)
    )


def unseal(sealed: Sealed) -> Event:
    """Decode a stored event, with its personal data when it is still there.

    Raises:
        AuditIntegrityError: the bytes are not an event of this format, or
            the personal data does not match the digest the chain holds.
    """
    try:
        body = orjson.loads(sealed.body)
        personal = orjson.loads(sealed.personal) if sealed.personal else None
    except orjson.JSONDecodeError:
        raise AuditIntegrityError(sealed.case_id, sealed.seq, "undecodable") from None
    if personal is not None and digest(sealed.personal or b"") != body.get(
        "personal_digest"
    ):
        raise AuditIntegrityError(sealed.case_id, sealed.seq, "personal_edited")
    try:
        return _event(body, personal or {})
    except (KeyError, TypeError, ValueError, HelpingProcessError):
        raise AuditIntegrityError(sealed.case_id, sealed.seq, "undecodable") from None


def _event(body: Mapping[str, Any], personal: Mapping[str, Any]) -> Event:
    """Build the event a decoded body (and its personal data) describes.

    Codes are looked up in their enums' value maps and instants read by
    :func:`parse_utc_text`: replay decodes every event of a trail, and the enums'
    constructors and ``strptime`` were most of what that cost.
    """
    if body["v"] != FORMAT_VERSION:
        raise ValueError(body["v"])

    def text(name: str) -> str | None:
        value = body[name]
        return None if value is None else str(personal.get(name, REDACTED))

    kind = body["record_kind"]
    record = None
    if kind is not None:
        record = parse_record(kind, personal.get("record", body["record"]))
    actor = body["actor"]
    from_stage = body["from_stage"]
    reason = body["reason"]
    sub_reason = body["sub_reason"]
    occurred_at = parse_utc_text(body["occurred_at"])
    recorded_text = body["recorded_at"]
    return Event(
        case_id=body["case_id"],
        seq=body["seq"],
        episode=body["episode"],
        occurred_at=occurred_at,
        recorded_at=(
            occurred_at
            if recorded_text == body["occurred_at"]
            else parse_utc_text(recorded_text)
        ),
        actor=_actor(actor["id"], actor["role"]),
        action=_ACTIONS[body["action"]],
        from_stage=_STAGES[from_stage] if from_stage else None,
        to_stage=_STAGES[body["to_stage"]],
        residential=body["residential"],
        client=text("client"),
        record=record,
        reason=_REASONS[reason] if reason else None,
        sub_reason=_SUB_REASONS[sub_reason] if sub_reason else None,
        referral_to=text("referral_to"),
        note=text("note"),
        redacted=_seqs(body.get("redacted_seqs")),
        process=_pin(body.get("process")),
        **_approval(body),
        **(
            _casework_fields(body)
            if body["action"] in _CASEWORK or "referral_seq" in body
            else {}
        ),
    )


def _approval(body: Mapping[str, Any]) -> dict[str, Any]:
    """The approval fields of a body: only approval events have them.

    Raises:
        KeyError: a code names no action or role.
        TypeError: a request number is not a whole number.
    """
    if "requested" not in body and "request" not in body:
        return {}
    found: dict[str, Any] = {}
    if "requested" in body:
        found["requested"] = _ACTIONS[body["requested"]]
        found["approver"] = _ROLES[body["approver"]]
    if "request" in body:
        number = body["request"]
        if type(number) is not int:
            raise TypeError(number)
        found["request"] = number
    return found


def _casework_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an assignment, referral, transfer or consent body."""
    reason = body.get("assign_reason")
    referral_seq = body.get("referral_seq")
    if referral_seq is not None and type(referral_seq) is not int:
        raise TypeError(referral_seq)
    return {
        "worker": body.get("worker"),
        "assign_reason": None if reason is None else AssignReason(reason),
        "unit": body.get("unit"),
        "consent": _consent(body.get("consent")),
        "referral_seq": referral_seq,
    }


def _pin(value: object) -> ProcessPin | None:
    """The definition a body pins, or None when it pins none.

    Raises:
        ValueError: the ``process`` object is not a name, version and digest.
    """
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"name", "version", "digest"}:
        raise ValueError(value)
    name, version, digest_ = value["name"], value["version"], value["digest"]
    if not (
        isinstance(name, str) and type(version) is int and isinstance(digest_, str)
    ):
        raise ValueError(value)
    return ProcessPin(name, version, digest_)


#: The codes of each enum an event holds, by their text (a KeyError for an
#: unknown one, as decoding expects).
_ACTIONS: Final[Mapping[object, Action]] = Action._value2member_map_  # type: ignore[assignment] # the map holds only members
_STAGES: Final[Mapping[object, Stage]] = Stage._value2member_map_  # type: ignore[assignment] # likewise
_REASONS: Final[Mapping[object, TerminationReason]] = (
    TerminationReason._value2member_map_  # type: ignore[assignment] # likewise
)
_SUB_REASONS: Final[Mapping[object, SubReason]] = SubReason._value2member_map_  # type: ignore[assignment] # likewise
_ROLES: Final[Mapping[object, ActorRole]] = ActorRole._value2member_map_  # type: ignore[assignment] # likewise


@functools.lru_cache(maxsize=256)
def _actor(actor_id: object, role: object) -> Actor:
    """The actor of a stored event: an agency's few workers act on every case.

    Actors are frozen values, so one made for an id and role serves every
    event that names them (validated once, not once per event).
    """
    return Actor(actor_id, role)  # type: ignore[arg-type] # validated by Actor


#: What :func:`utc_text` writes, and nothing else.
_INSTANT: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", re.ASCII)


def parse_utc_text(text: str) -> dt.datetime:
    """Read an instant as the chain writes it (``…T…Z``), and only that form.

    ``fromisoformat`` reads the ``Z`` as UTC since Python 3.11, at a
    twentieth of the cost of ``strptime``; it also reads other forms of ISO
    8601, which the pattern refuses first.

    Raises:
        ValueError: the text is not an instant in the chain's form.
    """
    if _INSTANT.fullmatch(text) is None:
        raise ValueError(text)
    return dt.datetime.fromisoformat(text)


def _seqs(value: object) -> tuple[int, ...] | None:
    """The events a redaction names, as stored.

    Their numbers are checked when the redaction is decided again (see
    :class:`~helping_process.model.RedactCase`).

    Raises:
        TypeError: not a list (the event is undecodable).
    """
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError(value)
    return tuple(value)


#: What a corrupt cell can raise where the chain is recomputed: a cell of
#: another type (a TEXT body, a BLOB hash) or a hash that is not ASCII.
_CELL_ERRORS: Final = (AttributeError, TypeError, UnicodeError)
#: What decoding and replaying a well-chained but forged body can raise
#: besides the library's own errors (a field of the wrong shape).
_DECODE_ERRORS: Final = (AttributeError, KeyError, TypeError, ValueError)
#: The length of SQLite's text of an instant, ``YYYY-MM-DD HH:MM:SS.ffffff``.
_STORED_TIME_LENGTH: Final = 26
#: A gap in ``seq`` up to this size is reported event by event; a larger
#: jump (a renumbered row, not that many deletions) as one finding.
_GAP_LIMIT: Final = 1000


def verify_chain(rows: Sequence[Sealed], head: Head | None) -> list[Finding]:
    """Recompute one case's chain against its head; return every break.

    The chain is recomputed in one tight loop that only tests whether each
    row is as expected; the bodies are not parsed, so a sound chain verifies
    at close to the speed of hashing the stored bytes. Only a broken chain
    is looked at again, row by row (see :func:`_breaks`): every edited,
    deleted, inserted and reordered event is reported with its ``seq``,
    resynchronising on the stored links after each break. A corrupt cell
    (another type than the column's, a hash that is not ASCII) is a finding
    at its event, never an exception. The personal data kept apart is not
    looked at (see :func:`verify_case`).

    Args:
        rows: the case's stored events in the order of their ``seq`` column.
        head: the case's head, or None when the case row is missing.
    """
    case_id = _as_text(rows[0].case_id) if rows else (head.case_id if head else "")
    findings = []
    if head is None:
        findings.append(
            Finding(case_id, 0, FindingKind.CASE_MISSING, "finding.no_case")
        )
    broken = not _chain_holds(rows)
    if broken:
        findings += _breaks(rows)
    if head is not None:
        findings += _head_findings(rows, head, broken=broken)
    return findings


def _chain_holds(rows: Sequence[Sealed]) -> bool:
    """Whether every row is numbered, linked and hashed as expected."""
    prev = GENESIS
    sha256 = hashlib.sha256
    try:
        for expected, row in enumerate(rows, 1):
            prev_hash = row.prev_hash
            if (
                row.seq != expected
                or prev_hash != prev
                or sha256(prev_hash.encode("ascii") + row.body).hexdigest() != row.hash
            ):
                return False
            prev = row.hash
    except _CELL_ERRORS:
        return False
    return True


def _bad_cell(row: Sequence[object]) -> str | None:
    """The first chain column of a stored row whose cell is not of its type.

    The row is read as plain cells: a database hands back whatever a forger
    stored, whatever the tuple's field types say.
    """
    case_id, seq, body, _, prev_hash, hash_ = row
    if type(seq) is not int:
        return "seq"
    if not isinstance(case_id, str):
        return "case_id"
    if not isinstance(body, bytes):
        return "body"
    if not isinstance(prev_hash, str) or not prev_hash.isascii():
        return "prev_hash"
    if not isinstance(hash_, str):
        return "hash"
    return None


def _own_seq(row: Sealed) -> int | None:
    """The ``seq`` the row's body holds (None when it cannot be read)."""
    try:
        value = orjson.loads(row.body)["seq"]
    except (*_DECODE_ERRORS, orjson.JSONDecodeError):
        return None
    return value if type(value) is int else None


def _breaks(rows: Sequence[Sealed]) -> list[Finding]:  # noqa: PLR0912, PLR0915 - one branch per kind of break, read as one table
    """Say what is wrong with each row of a broken chain.

    First every row is checked alone: its cells (a finding names the column
    of a corrupt one) and its hash against its own bytes (``edited``). Then
    the links: a row resynchronises on the stored hash of the row before
    it, so one break is reported once. A row that does not link to the row
    before it is explained by where its predecessor is: missing with a gap
    in ``seq`` (``deleted``, each missing ``seq``), missing because the row
    before was re-hashed (``edited``) or deleted and the rest renumbered
    (``deleted``), stored later (``reordered``), or stored earlier with rows
    between that no row links to (those are ``inserted``). The body is
    parsed only for rows at a break, for the ``seq`` it holds.
    """
    case_id = _as_text(rows[0].case_id)
    count = len(rows)
    bad = [_bad_cell(row) for row in rows]
    valid = [
        column is None and link(row.prev_hash, row.body) == row.hash
        for row, column in zip(rows, bad, strict=True)
    ]
    by_hash: dict[object, int] = {}
    linked_to: set[object] = set()
    for index, row in enumerate(rows):
        if isinstance(row.hash, str):
            by_hash.setdefault(row.hash, index)
        linked_to.add(row.prev_hash)
    flagged = [False] * count
    findings: list[Finding] = []

    def found(at: int, kind: FindingKind, cause: str, **params: object) -> None:
        findings.append(Finding(case_id, at, kind, cause, params))

    previous = -1
    expected = 1
    for index, row in enumerate(rows):
        column = bad[index]
        if column is not None:
            seq = expected if column == "seq" else row.seq
            found(
                seq, FindingKind.EDITED, "finding.cell", table="events", column=column
            )
            flagged[index] = True
            previous, expected = index, seq + 1
            continue
        prev_hash = rows[previous].hash if previous >= 0 else GENESIS
        linked = row.prev_hash == prev_hash
        seq = row.seq
        if seq > expected:
            if linked and _own_seq(row) == expected:
                found(
                    seq,
                    FindingKind.EDITED,
                    "finding.column",
                    table="events",
                    column="seq",
                )
            elif seq - expected > _GAP_LIMIT:
                found(expected, FindingKind.DELETED, "finding.seq_jump", seq=seq)
            else:
                for missing in range(expected, seq):
                    found(missing, FindingKind.DELETED, "finding.seq_gap")
        elif seq < expected:
            found(seq, FindingKind.INSERTED, "finding.seq_repeated")
            flagged[index] = True
        elif not linked and valid[index]:
            own = _own_seq(row)
            source = -1 if row.prev_hash == GENESIS else by_hash.get(row.prev_hash)
            if source is None:
                if (
                    previous >= 0
                    and not flagged[previous]
                    and rows[previous].hash not in linked_to
                    and own in (None, seq)
                ):
                    found(rows[previous].seq, FindingKind.EDITED, "finding.rehashed")
                    flagged[previous] = True
                elif own is not None and own > seq:
                    found(seq, FindingKind.DELETED, "finding.renumbered")
                elif previous < 0 or not flagged[previous]:
                    found(seq, FindingKind.INSERTED, "finding.forged")
                    flagged[index] = True
            elif source > index:
                found(seq, FindingKind.REORDERED, "finding.out_of_order")
                flagged[index] = True
            else:
                between = [k for k in range(source + 1, index) if not flagged[k]]
                for k in between:
                    found(rows[k].seq, FindingKind.INSERTED, "finding.forged")
                    flagged[k] = True
                if not between and own not in (None, seq):
                    found(seq, FindingKind.REORDERED, "finding.out_of_order")
                    flagged[index] = True
        if not valid[index]:
            found(seq, FindingKind.EDITED, "finding.hash_mismatch")
            flagged[index] = True
        previous, expected = index, seq + 1
    if not findings:
        # The loop explains every break it meets; this is only a safeguard.
        found(
            rows[0].seq if bad[0] is None else 1,
            FindingKind.EDITED,
            "finding.undecodable",
        )
    return findings


def _head_findings(
    rows: Sequence[Sealed], head: Head, *, broken: bool
) -> list[Finding]:
    """Compare the head with the end of the stored chain.

    After a break the stored ``seq`` may be off by the events deleted or
    inserted, which are reported already: then the head must only hold the
    hash of the last row.
    """
    case_id = head.case_id
    cells: tuple[object, object] = (head.seq, head.last_hash)
    if type(cells[0]) is not int or not isinstance(cells[1], str):
        column = "seq" if type(cells[0]) is not int else "last_hash"
        facts: dict[str, object] = {"table": "cases", "column": column}
        return [Finding(case_id, 0, FindingKind.HEAD_MISMATCH, "finding.cell", facts)]
    last = rows[-1] if rows else None
    last_seq = last.seq if last is not None and type(last.seq) is int else 0
    if broken and last is not None and head.last_hash != last.hash:
        ahead = [
            row.seq
            for row in rows[:-1]
            if row.hash == head.last_hash and type(row.seq) is int
        ]
        if ahead:
            facts = {"head": head.seq}
            cause = "finding.after_head"
            return [Finding(case_id, ahead[0] + 1, FindingKind.INSERTED, cause, facts)]
    found: tuple[int, FindingKind, str, dict[str, object]] | None = None
    if broken and last is not None and head.last_hash == last.hash:
        found = None
    elif head.seq > last_seq:
        facts = {"head": head.seq, "trail": last_seq}
        found = (last_seq + 1, FindingKind.TRUNCATED, "finding.head_ahead", facts)
    elif head.seq < last_seq and not broken:
        facts = {"head": head.seq}
        found = (head.seq + 1, FindingKind.INSERTED, "finding.after_head", facts)
    elif last is not None and head.last_hash != last.hash:
        found = (last_seq, FindingKind.HEAD_MISMATCH, "finding.head_hash", {})
    return [] if found is None else [Finding(case_id, *found)]


def _redactions(
    rows: Sequence[Sealed], columns: Sequence[Columns] | None = None
) -> list[Finding]:
    """Note personal data that is gone: redacted if a later redaction covers it.

    A redaction covers the events its ``redacted_seqs`` names; one recorded
    before redactions named their events covers every earlier event. The
    bodies are searched as bytes: canonical JSON writes these pairs in
    exactly one way, and no string value can contain them unescaped. With
    the stored columns, ``personal.redacted_at`` is checked too: it is NULL
    unless a later redaction removed the event's personal data, and then it
    is when that redaction was recorded. Only the redaction events' bodies
    are parsed, for the events they name and their time. A case whose every
    event keeps its personal data, with no time of redaction, has nothing
    to note: that is checked first (see :func:`_all_kept`).
    """
    if _all_kept(rows, columns):
        return []
    #: Each redaction: its seq, the events it names (None: every earlier
    #: one), and when it was recorded (None without the columns).
    redactions: list[tuple[int, frozenset[int] | None, object]] = []
    for row in rows:
        body: object = row[2]
        if (
            isinstance(body, bytes)
            and type(row.seq) is int
            and b'"action":"redact"' in body
        ):
            named = _named(body)
            redactions.append(
                (
                    row.seq,
                    None if named is None else frozenset(named),
                    _recorded_at(row) if columns else None,
                )
            )
    findings = []
    for index, row in enumerate(rows):
        cells: Sequence[object] = row
        if not isinstance(cells[2], bytes) or type(cells[1]) is not int:
            continue  # the chain's check names the cell
        if cells[3].__class__ is bytes and (
            columns is None or columns[index][7] is None
        ):
            continue  # personal data kept, and no time of redaction: sound
        if cells[3] is not None and not isinstance(cells[3], bytes):
            cause = "finding.cell"
            facts: dict[str, object] = {"table": "personal", "column": "data"}
            findings.append(
                Finding(row.case_id, row.seq, FindingKind.EDITED, cause, facts)
            )
            continue
        cover = (
            next(
                (
                    (seq, at)
                    for seq, named, at in redactions
                    if seq > row.seq and (named is None or row.seq in named)
                ),
                None,
            )
            if redactions
            else None
        )
        removed = row.personal is None and b'"personal_digest":null' not in row.body
        if removed:
            if cover is not None:
                findings.append(Finding(row.case_id, row.seq, FindingKind.REDACTED))
            else:
                findings.append(
                    Finding(
                        row.case_id,
                        row.seq,
                        FindingKind.EDITED,
                        "finding.personal_removed",
                    )
                )
        if columns is not None:
            stored = columns[index].redacted_at
            expected = cover[1] if removed and cover is not None else None
            if not (
                stored is None
                if expected is None
                else stored_instant(stored) == expected
            ):
                facts = {"table": "personal", "column": "redacted_at"}
                findings.append(
                    Finding(
                        row.case_id,
                        row.seq,
                        FindingKind.EDITED,
                        "finding.column",
                        facts,
                    )
                )
    return findings


def _all_kept(rows: Sequence[Sealed], columns: Sequence[Columns] | None) -> bool:
    """Whether every event keeps the personal data it had, none redacted.

    Each event's personal data is there, or its body says it had none; and
    no ``redacted_at`` is set. Checked a column at a time in C calls: the
    rows of a sound case pass without a Python step each.
    """
    if columns is not None:
        times = list(map(_redacted_at, columns))
        if times.count(None) != len(times):  # counted, not hashed: any value
            return False
    personals = list(map(_personal_cell, rows))
    kinds = set(map(type, personals))
    if kinds == {bytes}:
        return True
    return kinds <= {bytes, type(None)} and all(
        type(row.body) is bytes and _NO_PERSONAL in row.body
        for row, personal in zip(rows, personals, strict=True)
        if personal is None
    )


def personal_rows(rows: Sequence[Sealed], columns: Sequence[Columns]) -> int:
    """How many of the events were read with a row of personal data.

    A row holds the data or, once redacted, the time of its redaction;
    a row holding neither counts as none (no command writes one). Counted
    in C calls for a case whose every event has its data.
    """
    absent = list(map(_personal_cell, rows)).count(None)
    if not absent:
        return len(rows)
    return len(rows) - sum(
        1
        for row, stored in zip(rows, columns, strict=True)
        if _personal_cell(row) is None and _redacted_at(stored) is None
    )


def stray_personal(case_id: object, seq: object) -> Finding:
    """The finding of personal data that no stored event owns (``inserted``)."""
    return Finding(
        _as_text(case_id),
        seq if type(seq) is int else 0,
        FindingKind.INSERTED,
        "finding.personal_without_event",
        {"table": "personal"},
    )


_personal_cell: Final = itemgetter(3)
_redacted_at: Final = itemgetter(7)
#: How a body says its event had no personal data.
_NO_PERSONAL: Final = b'"personal_digest":null'


def _named(body: bytes) -> list[int] | None:
    """The events a redaction's body names.

    None for a redaction recorded before redactions named their events; a
    body that cannot be read names none (replay reports it).
    """
    try:
        fields = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(fields, dict):
        return []
    if "redacted_seqs" not in fields:
        return None
    named = fields["redacted_seqs"]
    if not isinstance(named, list):
        return []
    return [seq for seq in named if type(seq) is int]


def _recorded_at(row: Sealed) -> dt.datetime | None:
    """When a (redaction) event was recorded, read from its body."""
    try:
        return _instant(orjson.loads(row.body)["recorded_at"])
    except (*_DECODE_ERRORS, orjson.JSONDecodeError):
        return None


def _instant(text: str) -> dt.datetime:
    return parse_utc_text(text)


def stored_instant(value: object) -> dt.datetime | None:
    """Read an instant as a time column stores it; None if it is not one.

    PostgreSQL's driver gives an aware datetime; SQLite holds the text
    ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, which is what the store writes.
    Anything else (another type, another form, a time zone) is no stored
    instant, so it never equals the event's.
    """
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else None
    if (
        isinstance(value, str)
        and len(value) == _STORED_TIME_LENGTH
        and value[10] == " "
    ):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else None
    return None


def replay_case(
    rows: Iterable[Sealed],
    columns: Iterable[Columns] | None = None,
    snapshots: Sequence[Snapshot] = (),
    *,
    fast: bool = True,
) -> tuple[Case | None, list[Finding]]:
    """Decode a case's events and decide each one again through the rules.

    Args:
        rows: the case's stored events, in order.
        columns: the columns stored beside them, one per row, to compare
            with each decoded event (a mismatch is an ``edited`` finding
            naming the column); None to compare nothing.
        snapshots: the case's stored snapshots; each must be exactly the
            snapshot of the replayed case at its event.
        fast: decide record events straight from their bodies where that
            is sure (:mod:`helping_process._fast_replay`); False decides
            every event through the reference path, event and command
            rebuilt. Both give the same case and findings.

    Returns:
        The case as far as it replays, and the findings: the stored columns
        that differ from their events, every snapshot that differs from the
        replayed case (``edited``), then the first event that cannot be
        decoded or that the rules refuse (``illegal_move``), where replay
        stops.
    """
    case, findings, _ = _replay(list(rows), columns, snapshots, fast=fast)
    return case, findings


def _replay(  # noqa: PLR0912 - the reference step and the fast runs, side by side
    rows: Sequence[Sealed],
    columns: Iterable[Columns] | None,
    snapshots: Sequence[Snapshot] = (),
    *,
    fast: bool = True,
) -> tuple[Case | None, list[Finding], Event | None]:
    """:func:`replay_case`, also returning the case's first (open) event.

    The reference step (unseal, compare the columns, :func:`engine.readmit`)
    decides the open event and every event the fast path is not sure of;
    between them, runs of events are decided by
    :func:`helping_process._fast_replay.replay_run`, which stops before
    anything it is not sure of and after every event a snapshot names.
    """
    origins: Origins | None = None
    checks: list[int] = []
    if snapshots:
        from helping_process import snapshot  # noqa: PLC0415 - it imports this module

        pending = {stored.seq: stored for stored in snapshots}
        origins = snapshot.Origins()
        checks = [index for index, row in enumerate(rows) if row.seq in pending]
    if fast:
        from helping_process._fast_replay import replay_run  # noqa: PLC0415 - it imports this module
    case: Case | None = None
    first: Event | None = None
    findings: list[Finding] = []
    stored = (
        None
        if columns is None
        else columns
        if isinstance(columns, Sequence)
        else list(columns)
    )
    count = len(rows)
    index = 0
    while index < count:
        row = rows[index]
        if fast and case is not None:
            at = bisect.bisect_left(checks, index)
            stop = checks[at] + 1 if at < len(checks) else count
            case, reached = replay_run(case, rows, stored, index, stop, origins)
            if reached > index:
                index = reached
                if origins is not None:
                    row = rows[index - 1]
                    kept = pending.pop(row.seq, None)
                    if (
                        kept is not None
                        and snapshot.expected(case, row.hash, origins) != kept
                    ):
                        findings.append(snapshot_differs(kept))
                continue
        try:
            event = unseal(row)
            if first is None:
                first = event
            if stored is not None:
                findings += _column_findings(event, stored[index])
            case = engine.readmit(case, event)
        except HelpingProcessError as error:
            findings.append(_refusal(row, error))
            return case, findings, first
        except _DECODE_ERRORS:
            # A well-chained body of the wrong shape (re-hashed to the head).
            findings.append(
                Finding(row.case_id, row.seq, FindingKind.EDITED, "finding.undecodable")
            )
            return case, findings, first
        if origins is not None:
            origins.note(event)
            kept = pending.pop(row.seq, None)
            if kept is not None and snapshot.expected(case, row.hash, origins) != kept:
                findings.append(snapshot_differs(kept))
        index += 1
    if snapshots:
        findings += [snapshot_differs(kept) for kept in pending.values()]
    return case, findings, first


def _refusal(row: Sealed, error: HelpingProcessError) -> Finding:
    """The finding of an event that does not decode or replay."""
    if isinstance(error, AuditIntegrityError):
        kind = FindingKind.ILLEGAL_MOVE
        if error.finding in {"undecodable", "personal_edited"}:
            kind = FindingKind.EDITED
        facts = {"finding": error.finding}
        return Finding(row.case_id, row.seq, kind, "finding.integrity", facts)
    if isinstance(error, RecordProblemsError):
        # A finding keeps plain facts: the first problem, as a reader names it.
        error = RecordInvalidError(error.kind, error.field, error.problem, error.value)
    return Finding(
        row.case_id,
        row.seq,
        FindingKind.ILLEGAL_MOVE,
        error.message_template(),
        vars(error).copy(),
    )


def snapshot_differs(stored: Snapshot) -> Finding:
    """The finding of a stored snapshot that is not the replayed case's."""
    facts = {"seq": stored.seq}
    return Finding(
        stored.case_id,
        stored.seq,
        FindingKind.EDITED,
        "finding.snapshot_differs",
        facts,
    )


def _column_findings(event: Event, stored: Columns) -> Sequence[Finding]:
    """The event's stored columns that differ from the event itself.

    A sound row costs one tuple comparison and two instants read; the
    columns are told apart only when that fails. Types count: a code stored
    as bytes, or an episode stored as a real number, is not what the event
    says.
    """
    from_stage = event.from_stage
    if (
        stored[:5]
        == (
            event.episode,
            event.action._value_,
            None if from_stage is None else from_stage._value_,
            event.to_stage._value_,
            event.actor.id,
        )
        and type(stored.episode) is int
        and _same_instant(stored.occurred_at, event.occurred_at)
        and _same_instant(stored.recorded_at, event.recorded_at)
    ):
        return ()
    expected: tuple[object, ...] = (
        event.episode,
        event.action._value_,
        None if from_stage is None else from_stage._value_,
        event.to_stage._value_,
        event.actor.id,
        event.occurred_at,
        event.recorded_at,
    )
    found: tuple[object, ...] = (
        *stored[:5],
        stored_instant(stored.occurred_at),
        stored_instant(stored.recorded_at),
    )
    return [
        Finding(
            event.case_id,
            event.seq,
            FindingKind.EDITED,
            "finding.column",
            {"table": "events", "column": name},
        )
        for name, value, want in zip(Columns._fields, found, expected, strict=False)
        if value != want or type(value) is not type(want)
    ]


def _same_instant(value: object, instant: dt.datetime) -> bool:
    """Whether a stored time cell holds ``instant`` (see :func:`stored_instant`)."""
    if value.__class__ is str:
        text = str(value)
        if len(text) != _STORED_TIME_LENGTH or text[10] != " ":
            return False
        try:
            return dt.datetime.fromisoformat(text + "+00:00") == instant
        except ValueError:
            return False
    return stored_instant(value) == instant


def verify_case(
    rows: Sequence[Sealed],
    head: Head | None,
    columns: Sequence[Columns] | None = None,
    snapshots: Sequence[Snapshot] = (),
    *,
    fast: bool = True,
) -> list[Finding]:
    """Verify one case: its chain, its replay through the rules, its head.

    Only a chain without breaks is replayed: after a break the events are
    no longer the ones the chain vouches for, and deciding them again would
    only add noise to the breaks already reported.

    Args:
        rows: the case's stored events in the order of their ``seq`` column.
        head: the case's head, or None when the case row is missing.
        columns: the columns stored beside the events (one per row) and the
            head's columns are compared with what the events say, when given.
        snapshots: the case's stored snapshots, checked against the replay.
        fast: replay through the fast path where it is sure (see
            :func:`replay_case`); False: through the reference path only.

    Returns:
        Every break of the chain, or the findings of the replay (stored
        columns that differ, the first event the rules refuse, a head that
        differs), and every redaction. Personal data removed without a
        redaction covering it is an ``edited`` event.
    """
    findings = verify_chain(rows, head) + _redactions(rows, columns)
    if any(finding.is_tampering for finding in findings):
        return findings
    case, replayed, first = _replay(rows, columns, snapshots, fast=fast)
    if any(
        finding.kind is not FindingKind.EDITED
        or finding.cause not in ("finding.column", "finding.snapshot_differs")
        for finding in replayed
    ):
        return replayed + findings
    if head is not None and case is not None:
        replayed += _head_differs(case, head, first)
    return replayed + findings


def _head_differs(case: Case, head: Head, first: Event | None) -> list[Finding]:
    """The head's columns that differ from the replayed case.

    The client reference is the open event's, or NULL once the open event's
    personal data was redacted.
    """
    stored = head.columns
    # A head read in full has every column; otherwise None means not known.
    known = stored is not None
    names = []
    if case.seq != head.seq:
        names.append("seq")
    if (known or head.stage is not None) and head.stage != case.stage._value_:
        names.append("stage")
    if (known or head.episode is not None) and (
        type(head.episode) is not int or head.episode != case.episode
    ):
        names.append("episode")
    if stored is not None:
        client = None if first is None or first.client == REDACTED else first.client
        if stored.client != client or not isinstance(stored.client, str | None):
            names.append("client")
        if not (
            isinstance(stored.residential, int)
            and stored.residential in (0, 1)
            and bool(stored.residential) is case.residential
        ):
            names.append("residential")
        if stored_instant(stored.opened_at) != case.opened_at:
            names.append("opened_at")
        if stored_instant(stored.updated_at) != case.last_occurred_at:
            names.append("updated_at")
    return [
        Finding(
            head.case_id,
            case.seq,
            FindingKind.HEAD_MISMATCH,
            "finding.column",
            {"table": "cases", "column": name},
        )
        for name in names
    ]


#: The version of the JSON-lines export; see ``docs/audit-format.md``.
EXPORT_FORMAT: Final = 1


def export_lines(
    heads: Mapping[str, Head], rows: Iterable[Sealed], *, exported_at: dt.datetime
) -> Iterator[str]:
    """Yield the trail as JSON lines that an auditor can verify independently.

    The first line describes the export; then, per case, its head and its
    events in order, each event with its stored bytes as text (canonical
    JSON is UTF-8, so the text round-trips byte for byte). Personal data is
    included as stored (null when redacted). See ``docs/audit-format.md``.

    Args:
        heads: the heads of the cases to export, by case id.
        rows: their events, ordered by case id and ``seq``.
        exported_at: when the export was made.
    """
    yield canonical(
        {
            "type": "export",
            "format": EXPORT_FORMAT,
            "chain_format": FORMAT_VERSION,
            "exported_at": utc_text(exported_at),
            "cases": len(heads),
        }
    ).decode()
    pending = dict(heads)
    for case_id, case_rows in groupby(rows, key=attrgetter("case_id")):
        head = pending.pop(case_id, None)
        if head is not None:
            yield _head_line(head)
        for row in case_rows:
            yield canonical(
                {
                    "type": "event",
                    "case_id": row.case_id,
                    "seq": row.seq,
                    "prev_hash": row.prev_hash,
                    "hash": row.hash,
                    "body": row.body.decode(),
                    "personal": None if row.personal is None else row.personal.decode(),
                }
            ).decode()
    for head in pending.values():
        yield _head_line(head)


def _head_line(head: Head) -> str:
    return canonical(
        {
            "type": "head",
            "case_id": head.case_id,
            "seq": head.seq,
            "last_hash": head.last_hash,
        }
    ).decode()


def events_of(rows: Iterable[Sealed]) -> Iterator[Event]:
    """Decode stored events in order."""
    return (unseal(row) for row in rows)
