"""Snapshots of folded cases, so a cold load does not replay a whole trail.

A snapshot says what a case is after one of its events: its stage, episode,
times and termination reason, and, for each record in force, the ``seq``
of the event that recorded it. It holds no record and no personal text:
loading from it reads those few events again (with their personal data if
it is still kept, as a replay would), so a redaction needs nothing done to
snapshots, and a snapshot cannot bring back what was redacted.

A snapshot is not chained: whoever can write the database can write one.
Two defences keep it from changing what the engine decides. Loading checks
it against the chain (:func:`restore`): the hash of the event it was taken
at, that event's case, stage, episode and time, and that each record it
names is an event recording that kind, before the event; on any mismatch
the load replays the whole trail instead. And ``audit verify`` replays
every case and compares each snapshot, byte for byte, with the snapshot of
the replayed case at the same event (:func:`expected`): a difference is an
``edited`` finding. ``docs/audit-format.md`` describes the encoding.

Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import Final

import attrs
import orjson

from helping_process.audit import canonical
from helping_process.audit import parse_utc_text
from helping_process.audit import utc_text
from helping_process.definitions import Definition
from helping_process.definitions import by_digest
from helping_process.exceptions import AuditIntegrityError
from helping_process.model import FIRST_RULES
from helping_process.model import Action
from helping_process.model import Case
from helping_process.model import ConsentPurpose
from helping_process.model import Event
from helping_process.model import Referral
from helping_process.model import first_rules
from helping_process.states import ContractKind
from helping_process.states import ContractRecord
from helping_process.states import Record
from helping_process.states import RecordsInForce
from helping_process.states import Stage
from helping_process.states import TerminationReason
from helping_process.states.records import RECORD_TYPES
from helping_process.states.vocabulary import RecordKind

#: The version of the snapshot encoding.
FORMAT_VERSION: Final = 1
#: A cold load that replays at least this many events after the newest
#: snapshot (or from the start) stores a snapshot of the case it loaded.
EVERY: Final = 256

#: The fields of :class:`RecordsInForce` that hold one record, and the kind
#: of record each holds.
_SINGLE: Final[Mapping[str, RecordKind]] = {
    "engagement": RecordKind.ENGAGEMENT,
    "intake": RecordKind.INTAKE,
    "contract": RecordKind.CONTRACT,
    "primary_contract": RecordKind.CONTRACT,
    "assessment": RecordKind.ASSESSMENT,
    "plan": RecordKind.PLAN,
    "activity": RecordKind.ACTIVITY,
    "evaluation": RecordKind.EVALUATION,
}
#: The fields that hold the records of residential rehabilitation
#: (``rehsos-pp39``): named in a snapshot only when they hold one, so the
#: snapshots of every other case are the bytes they always were.
_EXTRA: Final[Mapping[str, RecordKind]] = {
    "case_conference": RecordKind.CASE_CONFERENCE,
    "resocialization": RecordKind.RESOCIALIZATION,
    "aftercare_plan": RecordKind.AFTERCARE_PLAN,
    "follow_up": RecordKind.FOLLOW_UP,
}
#: The contract kinds each contract field may hold.
_CONTRACT_KINDS: Final[Mapping[str, frozenset[ContractKind]]] = {
    "contract": frozenset({ContractKind.PRELIMINARY, ContractKind.PRIMARY}),
    "primary_contract": frozenset({ContractKind.PRIMARY}),
    "secondary_contracts": frozenset({ContractKind.SECONDARY}),
}


@attrs.frozen(kw_only=True)
class Snapshot:
    """A stored snapshot of a case after one of its events.

    Attributes:
        case_id: the case.
        seq: the event it was taken at.
        hash: that event's hash.
        data: the canonical JSON of the case (see :func:`expected`).
    """

    case_id: str
    seq: int
    hash: str
    data: bytes


class Origins:
    """Which event brought each record of a fold in force.

    A fold notes every event it applies; a snapshot then names each record
    in force by the ``seq`` of its event. Records are matched by identity:
    the case holds the very objects its events carried.
    """

    def __init__(self) -> None:
        self._seqs: dict[int, tuple[Record, int]] = {}

    def note(self, event: Event) -> None:
        """Remember the event's record (if any) as recorded at its ``seq``."""
        record = event.record
        if record is not None:
            self._seqs[id(record)] = (record, event.seq)

    def remember(self, record: Record, seq: int) -> None:
        """Remember ``record`` as brought in force by the event at ``seq``."""
        self._seqs[id(record)] = (record, seq)

    def seq_of(self, record: Record) -> int:
        """Return the ``seq`` of the event that carried ``record``.

        Raises:
            KeyError: no noted event carried it.
        """
        return self._seqs[id(record)][1]


def expected(case: Case, last_hash: str, origins: Origins) -> Snapshot:
    """Return the snapshot of ``case``, whose last event has hash ``last_hash``.

    Raises:
        KeyError: a record in force came from no event ``origins`` noted.
    """
    records = case.records
    refs: dict[str, Any] = {
        name: None
        if (record := getattr(records, name)) is None
        else origins.seq_of(record)
        for name in _SINGLE
    }
    refs["secondary_contracts"] = [
        origins.seq_of(record) for record in records.secondary_contracts
    ]
    for name in _EXTRA:
        record = getattr(records, name)
        if record is not None:
            refs[name] = origins.seq_of(record)
    data = {
        "v": FORMAT_VERSION,
        "case_id": case.case_id,
        "seq": case.seq,
        "residential": case.residential,
        "stage": case.stage,
        "episode": case.episode,
        "opened_at": utc_text(case.opened_at),
        "stage_entered_at": utc_text(case.stage_entered_at),
        "last_occurred_at": utc_text(case.last_occurred_at),
        "termination_reason": case.termination_reason,
        "records": refs,
    }
    if case.requests:
        # Only a case with requests pending names them: others keep their bytes.
        data["requests"] = [request.seq for request in case.requests]
    if case.approved is not None:
        data["approved"] = case.approved.seq
    definition = case.definition
    if definition.ref != FIRST_RULES:
        # Cases under the first rules keep the snapshots they always had.
        data["process"] = definition.digest
    # Case work is written only when there is some: older snapshots keep
    # their bytes. The opener (the first worker of record) is event 1's
    # actor, and the referral's organisation is read from its event.
    if case.assigned is not None:
        data["assigned"] = case.assigned
    if case.unit is not None:
        data["unit"] = case.unit
    if case.referral is not None:
        data["referral"] = case.referral.seq
    if case.consents:
        data["consents"] = {purpose.value: given for purpose, given in case.consents}
    return Snapshot(
        case_id=case.case_id, seq=case.seq, hash=last_hash, data=canonical(data)
    )


def references(snapshot: Snapshot) -> list[int]:
    """Return the events a load from ``snapshot`` reads: its own, then its records'.

    Raises:
        AuditIntegrityError: the snapshot cannot be read (``snapshot``).
    """
    try:
        data = orjson.loads(snapshot.data)
        refs = data["records"]
        seqs = [seq for name in _SINGLE if (seq := refs[name]) is not None]
        seqs += list(refs["secondary_contracts"])
        seqs += [refs[name] for name in _EXTRA if name in refs]
        seqs += list(data.get("requests", ()))
        if "approved" in data:
            seqs.append(data["approved"])
        if data.get("referral") is not None:
            seqs.append(data["referral"])
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise _refused(snapshot) from error
    if not all(type(seq) is int for seq in seqs):
        raise _refused(snapshot)
    return [snapshot.seq, *sorted({1, *seqs})]


def restore(
    snapshot: Snapshot, events: Mapping[int, tuple[Event, str]]
) -> tuple[Case, Origins]:
    """Build the case a snapshot describes, from the events it names.

    Args:
        snapshot: the snapshot.
        events: at least the events :func:`references` names, decoded, with
            their stored hashes, by ``seq``.

    Returns:
        The case, and the origins of its records in force (to go on folding).

    Raises:
        AuditIntegrityError: the snapshot does not agree with the chain
            (``snapshot``); the caller replays the trail instead.
    """
    try:
        data = orjson.loads(snapshot.data)
        case, origins = _restore(snapshot, data, events)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise _refused(snapshot) from error
    return case, origins


def _restore(
    snapshot: Snapshot, data: Mapping[str, Any], events: Mapping[int, tuple[Event, str]]
) -> tuple[Case, Origins]:
    """:func:`restore`, raising a plain error on the first disagreement."""
    event, event_hash = events[snapshot.seq]
    last_occurred_at = parse_utc_text(data["last_occurred_at"])
    stage = Stage(data["stage"])
    if (
        data["v"] != FORMAT_VERSION
        or data["case_id"] != snapshot.case_id
        or data["seq"] != snapshot.seq
        or event.case_id != snapshot.case_id
        or event_hash != snapshot.hash
        or event.episode + (event.action is Action.REOPEN) != data["episode"]
        or event.to_stage is not stage
        or event.occurred_at != last_occurred_at
    ):
        raise ValueError(snapshot.seq)
    origins = Origins()
    refs = data["records"]
    held: dict[str, Any] = {
        name: _record(name, kind, refs[name], snapshot, events, origins)
        for name, kind in _SINGLE.items()
    }
    held["secondary_contracts"] = tuple(
        _record(
            "secondary_contracts", RecordKind.CONTRACT, seq, snapshot, events, origins
        )
        for seq in refs["secondary_contracts"]
    )
    for name, kind in _EXTRA.items():
        if name in refs:
            held[name] = _record(name, kind, refs[name], snapshot, events, origins)
    reason = data["termination_reason"]
    case = Case(
        case_id=snapshot.case_id,
        residential=_flag(data["residential"]),
        stage=stage,
        episode=data["episode"],
        seq=snapshot.seq,
        opened_at=parse_utc_text(data["opened_at"]),
        stage_entered_at=parse_utc_text(data["stage_entered_at"]),
        last_occurred_at=last_occurred_at,
        records=RecordsInForce(**held),
        termination_reason=None if reason is None else TerminationReason(reason),
        definition=_definition(data.get("process")),
        requests=tuple(
            _named(seq, Action.REQUEST, snapshot, events)
            for seq in data.get("requests", ())
        ),
        approved=(
            _named(data["approved"], Action.REQUEST, snapshot, events)
            if "approved" in data
            else None
        ),
        opened_by=events[1][0].actor.id,
        assigned=_text(data.get("assigned")),
        unit=_text(data.get("unit")),
        referral=_referral(data.get("referral"), snapshot, events),
        consents=_consents(data.get("consents")),
    )
    return case, origins


def _named(
    seq: object,
    action: Action,
    snapshot: Snapshot,
    events: Mapping[int, tuple[Event, str]],
) -> Event:
    """The event a snapshot names by ``seq``, checked to be an ``action`` one."""
    if type(seq) is not int or not 0 < seq <= snapshot.seq:
        raise ValueError(seq)
    event = events[seq][0]
    if event.action is not action:
        raise ValueError(seq)
    return event


def _text(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(value)
    return value


def _referral(
    seq: object, snapshot: Snapshot, events: Mapping[int, tuple[Event, str]]
) -> Referral | None:
    """The referral a snapshot names by ``seq``, checked to be a referral."""
    if seq is None:
        return None
    event = _named(seq, Action.REFER, snapshot, events)
    assert isinstance(seq, int)  # noqa: S101 - _named refuses anything else
    return Referral(seq, event.referral_to)


def _consents(value: object) -> tuple[tuple[ConsentPurpose, bool], ...]:
    """The consents a snapshot holds, in the order of their purposes."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(
        isinstance(given, bool) for given in value.values()
    ):
        raise TypeError(value)
    held = {ConsentPurpose(purpose): given for purpose, given in value.items()}
    return tuple(
        (purpose, held[purpose]) for purpose in ConsentPurpose if purpose in held
    )


def _definition(digest: object) -> Definition:
    """The definition a snapshot names by digest (none: the first rules)."""
    if digest is None:
        return first_rules()
    definition = by_digest(str(digest)) if isinstance(digest, str) else None
    if definition is None or definition.ref == FIRST_RULES:
        raise ValueError(digest)
    return definition


def _record(  # noqa: PLR0913, PLR0917 - one record reference and what checks it
    name: str,
    kind: RecordKind,
    seq: object,
    snapshot: Snapshot,
    events: Mapping[int, tuple[Event, str]],
    origins: Origins,
) -> Record | None:
    """The record a snapshot names by ``seq``, checked to be of the field's kind."""
    if seq is None and (name in _SINGLE or name in _EXTRA):
        return None
    if type(seq) is not int or not 0 < seq <= snapshot.seq:
        raise ValueError(seq)
    event = events[seq][0]
    record = event.record
    if type(record) is not RECORD_TYPES[kind]:
        raise ValueError(seq)
    if isinstance(record, ContractRecord) and (
        record.contract_kind not in _CONTRACT_KINDS[name]
    ):
        raise ValueError(seq)
    origins.note(event)
    return record


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


def _refused(snapshot: Snapshot) -> AuditIntegrityError:
    return AuditIntegrityError(snapshot.case_id, snapshot.seq, "snapshot")
