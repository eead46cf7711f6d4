"""The audit trail's hash chain: canonical bytes, sealing and verification.

An event is stored as two byte strings. The **body** is the canonical JSON
of the event with every personal text replaced by ``[redacted]`` and the
SHA-256 digest of the personal data; it is what the chain covers:
``hash = SHA-256(prev_hash ‖ body)``, with ``prev_hash`` as 64 ASCII hex
digits and the first event chained to :data:`GENESIS`. The **personal**
bytes (client reference, notes, referral, the record's free text) are kept
apart, so a lawful redaction removes them and the chain still verifies: the
body alone replays through the process rules, and a missing personal part
reads as "redacted", never "tampered". ``docs/audit-format.md`` specifies
the encoding for auditors who verify with their own tools.

Everything here is pure: it works on events and stored rows, not on a
database.
"""

from __future__ import annotations

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
from helping_process.labels import Language
from helping_process.model import UTC
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import Case
from helping_process.model import Event
from helping_process.states import REDACTED
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states import parse_record
from helping_process.states._fields import split_json

if TYPE_CHECKING:
    from helping_process.snapshot import Snapshot

#: The ``prev_hash`` of every case's first event.
GENESIS: Final = "0" * 64
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

    case_id: str
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
class Verification:
    """What a verification read and found.

    Attributes:
        findings: the findings, in case order (redactions included).
        cases: the cases read (from their heads or their events).
        events: the events read.
        seals: the seals checked (0 without a key).
    """

    findings: tuple[Finding, ...]
    cases: int
    events: int
    seals: int

    @property
    def faults(self) -> list[Finding]:
        """The findings that are not mere redactions."""
        return [finding for finding in self.findings if finding.is_tampering]

    @property
    def ok(self) -> bool:
        """Whether the trail is sound (redactions allowed)."""
        return not self.faults


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
    """

    case_id: str
    seq: int
    last_hash: str
    stage: str | None = None
    episode: int | None = None


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

    Codes stay enum members: orjson writes a member as its value.
    """
    occurred_at = utc_text(event.occurred_at)
    return {
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


def seal(event: Event, prev_hash: str) -> Sealed:
    """Encode an event and chain it to ``prev_hash``."""
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
    )


#: The codes of each enum an event holds, by their text (a KeyError for an
#: unknown one, as decoding expects).
_ACTIONS: Final[Mapping[object, Action]] = Action._value2member_map_  # type: ignore[assignment] # the map holds only members
_STAGES: Final[Mapping[object, Stage]] = Stage._value2member_map_  # type: ignore[assignment] # likewise
_REASONS: Final[Mapping[object, TerminationReason]] = (
    TerminationReason._value2member_map_  # type: ignore[assignment] # likewise
)
_SUB_REASONS: Final[Mapping[object, SubReason]] = SubReason._value2member_map_  # type: ignore[assignment] # likewise


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


def verify_chain(rows: Sequence[Sealed], head: Head | None) -> list[Finding]:
    """Recompute one case's chain against its head; return the first break.

    Only the first break is reported: after it, every later link is suspect
    anyway. The bodies are not parsed unless a break needs classifying, so
    verification runs at close to the speed of hashing the stored bytes.
    The personal data kept apart is not looked at (see :func:`verify_case`).

    Args:
        rows: the case's stored events in the order of their ``seq`` column.
        head: the case's head, or None when the case row is missing.
    """
    case_id = rows[0].case_id if rows else (head.case_id if head else "")
    if head is None:
        return [Finding(case_id, 0, FindingKind.CASE_MISSING, "finding.no_case")]
    broken = _first_break(rows)
    if broken is not None:
        return [broken]
    last = rows[-1] if rows else None
    last_seq = last.seq if last else 0
    if head.seq > last_seq:
        facts = {"head": head.seq, "trail": last_seq}
        return [
            Finding(
                case_id,
                last_seq + 1,
                FindingKind.TRUNCATED,
                "finding.head_ahead",
                facts,
            )
        ]
    if head.seq < last_seq:
        facts = {"head": head.seq}
        return [
            Finding(
                case_id, head.seq + 1, FindingKind.INSERTED, "finding.after_head", facts
            )
        ]
    if last is not None and head.last_hash != last.hash:
        cause = "finding.head_hash"
        return [Finding(case_id, last_seq, FindingKind.HEAD_MISMATCH, cause)]
    return []


def _first_break(rows: Sequence[Sealed]) -> Finding | None:
    """Return the first break of the chain, or None when it holds.

    The loop that runs over every event tests only whether the row is as
    expected; the tests that say what is wrong run once, at a break.
    """
    prev = GENESIS
    sha256 = hashlib.sha256
    for expected, row in enumerate(rows, 1):
        prev_hash = row.prev_hash
        if (
            row.seq != expected
            or prev_hash != prev
            or sha256(prev_hash.encode("ascii") + row.body).hexdigest() != row.hash
        ):
            return _break_at(rows, expected - 1)
        prev = row.hash
    return None


def _break_at(rows: Sequence[Sealed], index: int) -> Finding:
    """Say what is wrong with ``rows[index]``, which follows a sound chain."""
    row = rows[index]
    expected = index + 1
    if row.seq > expected:
        return Finding(row.case_id, expected, FindingKind.DELETED, "finding.seq_gap")
    if row.seq < expected:
        return Finding(
            row.case_id, row.seq, FindingKind.INSERTED, "finding.seq_repeated"
        )
    if link(row.prev_hash, row.body) != row.hash:
        return Finding(
            row.case_id, row.seq, FindingKind.EDITED, "finding.hash_mismatch"
        )
    return _classify_break(rows, index)


def _classify_break(rows: Sequence[Sealed], index: int) -> Finding:
    """Say why ``rows[index]`` does not link to the row before it."""
    row = rows[index]
    if any(later.hash == row.prev_hash for later in rows[index + 1 :]):
        return Finding(
            row.case_id, row.seq, FindingKind.REORDERED, "finding.out_of_order"
        )
    try:
        own_seq = int(orjson.loads(row.body)["seq"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return Finding(row.case_id, row.seq, FindingKind.EDITED, "finding.undecodable")
    if own_seq > row.seq:
        return Finding(row.case_id, row.seq, FindingKind.DELETED, "finding.renumbered")
    if own_seq < row.seq:
        return Finding(row.case_id, own_seq, FindingKind.INSERTED, "finding.forged")
    if any(earlier.hash == row.prev_hash for earlier in rows[:index]):
        return Finding(row.case_id, row.seq - 1, FindingKind.INSERTED, "finding.forged")
    return Finding(row.case_id, row.seq - 1, FindingKind.EDITED, "finding.rehashed")


def _redactions(rows: Sequence[Sealed]) -> list[Finding]:
    """Note personal data that is gone: redacted if a later redaction covers it.

    The bodies are searched as bytes: canonical JSON writes these pairs in
    exactly one way, and no string value can contain them unescaped.
    """
    redacted_before = 0
    for row in rows:
        if b'"action":"redact"' in row.body:
            redacted_before = row.seq
    findings = []
    for row in rows:
        if row.personal is None and b'"personal_digest":null' not in row.body:
            if row.seq < redacted_before:
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
    return findings


def replay_case(
    rows: Iterable[Sealed], snapshots: Sequence[Snapshot] = ()
) -> tuple[Case | None, list[Finding]]:
    """Decode a case's events and decide each one again through the rules.

    Args:
        rows: the case's stored events in the order of their ``seq`` column.
        snapshots: the case's stored snapshots; each must be exactly the
            snapshot of the replayed case at its event.

    Returns:
        The case as far as it replays, and the findings: the first event
        that cannot be decoded, or that the rules refuse (``illegal_move``),
        and every snapshot that differs from the replayed case (``edited``).
    """
    if snapshots:
        return _replay_with_snapshots(rows, snapshots)
    case: Case | None = None
    for row in rows:
        try:
            case = engine.readmit(case, unseal(row))
        except HelpingProcessError as error:
            return case, [_refusal(row, error)]
    return case, []


def _refusal(row: Sealed, error: HelpingProcessError) -> Finding:
    """The finding of an event that does not decode or replay."""
    if isinstance(error, AuditIntegrityError):
        kind = FindingKind.ILLEGAL_MOVE
        if error.finding in {"undecodable", "personal_edited"}:
            kind = FindingKind.EDITED
        facts = {"finding": error.finding}
        return Finding(row.case_id, row.seq, kind, "finding.integrity", facts)
    return Finding(
        row.case_id,
        row.seq,
        FindingKind.ILLEGAL_MOVE,
        error.message_template(),
        vars(error).copy(),
    )


def _replay_with_snapshots(
    rows: Iterable[Sealed], snapshots: Sequence[Snapshot]
) -> tuple[Case | None, list[Finding]]:
    """:func:`replay_case`, comparing each snapshot with the replayed case."""
    from helping_process import snapshot  # noqa: PLC0415 - it imports this module

    pending = {stored.seq: stored for stored in snapshots}
    origins = snapshot.Origins()
    findings: list[Finding] = []
    case: Case | None = None
    for row in rows:
        try:
            event = unseal(row)
            case = engine.readmit(case, event)
        except HelpingProcessError as error:
            return case, [_refusal(row, error)]
        origins.note(event)
        stored = pending.pop(row.seq, None)
        if stored is not None and snapshot.expected(case, row.hash, origins) != stored:
            findings.append(snapshot_differs(stored))
    findings += [snapshot_differs(stored) for stored in pending.values()]
    return case, sorted(findings, key=attrgetter("seq"))


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


def verify_case(
    rows: Sequence[Sealed], head: Head | None, snapshots: Sequence[Snapshot] = ()
) -> list[Finding]:
    """Verify one case: its chain, its replay through the rules, its head.

    Args:
        rows: the case's stored events in the order of their ``seq`` column.
        head: the case's head, or None when the case row is missing.
        snapshots: the case's stored snapshots, checked against the replay.

    Returns:
        The first fault found (if any) and every redaction. Personal data
        removed without a redaction covering it is an ``edited`` event.
    """
    findings = verify_chain(rows, head) + _redactions(rows)
    if any(finding.is_tampering for finding in findings):
        return findings
    case, replayed = replay_case(rows, snapshots)
    if replayed:
        return replayed + findings
    if head is not None and case is not None and not _agrees(case, head):
        cause = "finding.replay_differs"
        return [Finding(head.case_id, head.seq, FindingKind.HEAD_MISMATCH, cause)]
    return findings


def _agrees(case: Case, head: Head) -> bool:
    """Whether the head says what the replayed case is (where it says it)."""
    return (
        case.seq == head.seq
        and head.stage in (None, case.stage)
        and head.episode in (None, case.episode)
    )


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
