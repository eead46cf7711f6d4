"""Replay of the commonest events straight from their decoded bodies.

Full verification decides every stored event again. The reference path
(:func:`helping_process.audit.unseal`, then :func:`engine.readmit`) builds
the event, the command it records, decides it through
:func:`engine.execute`, compares the two events and copies the case and its
records twice: some twenty calls per event, most of a long trail's replay.

This module decides a **record** event, the bulk of any long trail (most of
them activities), from its decoded JSON instead: it checks, field by field,
that the body says exactly what :func:`engine.execute` would have written
for the record on this case, and that the record is one the stage takes.
It is a conservative acceptor: whatever it is not sure of (another action,
any odd field, a record it cannot check cheaply, a column that differs)
it leaves to the reference path, event by event, which then reports
exactly what it always reported. So it must never accept an event the
reference refuses, and must leave the case exactly as the reference would;
``tests/property/test_fast_replay.py`` holds the two to the same findings
on generated trails, sound and tampered.

Activities are checked without being built: only the latest activity is
in force, so a run of activities builds (through the reference reader) only
its last one, when the case is next needed. A new kind of event needs
nothing here: every action but ``record`` takes the reference path, and so
does every event of a definition with approval gates or a record kind
reshaped from the built-ins'.

Pure: it works on stored rows, not on a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import orjson

from helping_process import audit
from helping_process import engine
from helping_process.exceptions import HelpingProcessError
from helping_process.model import Case
from helping_process.states import Stage
from helping_process.states import parse_record
from helping_process.states._fields import MAX_ITEMS
from helping_process.states._fields import MAX_TEXT
from helping_process.states._fields import check_text
from helping_process.states._fields import evolve
from helping_process.states.vocabulary import InterventionModel
from helping_process.states.vocabulary import WorkerRole

if TYPE_CHECKING:
    from helping_process.snapshot import Origins

#: The fields of an activity's JSON object that the fast check knows.
_ACTIVITY_FIELDS: Final = frozenset(
    {"on", "role", "model", "description", "goal_ids", "justification"}
)
_ROLES: Final = frozenset(role.value for role in WorkerRole)
_MODELS: Final = frozenset(model.value for model in InterventionModel)
_COERCE: Final = InterventionModel.COERCE.value
_STAGES: Final[dict[object, Stage]] = Stage._value2member_map_  # type: ignore[assignment] # holds only members
#: What a forged body can make the checks raise; the event is then left
#: to the reference path.
_UNSURE: Final = (
    AttributeError,
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    orjson.JSONDecodeError,
    HelpingProcessError,
)
#: How many fields a record event's body has: exactly those of
#: :data:`_same_fields` and :data:`_own_fields` (an event with any other,
#: such as a redaction's list or a pin, is the reference's to decide).
_RECORD_KEYS: Final = 19
#: The body fields every record event of a case in one stage shares.
_same_fields: Final = itemgetter(
    "action",
    "case_id",
    "client",
    "episode",
    "from_stage",
    "note",
    "reason",
    "referral_to",
    "residential",
    "sub_reason",
    "to_stage",
    "v",
)
#: The body fields that are the event's own.
_own_fields: Final = itemgetter(
    "seq",
    "occurred_at",
    "recorded_at",
    "personal_digest",
    "record",
    "record_kind",
    "actor",
)
#: The length of a day in ISO form, ``YYYY-MM-DD``.
_DAY_LENGTH: Final = 10
#: No instant read yet in a run.
_NO_TEXT: Final = object()


def replay_run(  # noqa: PLR0912, PLR0913, PLR0915, PLR0917 - one check per field, read as one table
    case: Case,
    rows: Sequence[audit.Sealed],
    columns: Sequence[audit.Columns] | None,
    start: int,
    stop: int,
    origins: Origins | None,
) -> tuple[Case, int]:
    """Replay ``rows[start:stop]`` on ``case`` for as long as it is sure.

    Args:
        case: the case before ``rows[start]``.
        rows: the case's stored events.
        columns: the columns stored beside them (one per row), or None.
        start: the first row to replay.
        stop: the row before which to stop (a snapshot to check, or the end).
        origins: where the fold notes which event brought each record in
            force (when the case has snapshots), or None.

    Returns:
        The case after the rows replayed, and the index of the first row
        not replayed: the reference path must decide it (or it is ``stop``).
    """
    rules = engine.rules_of(case.definition)
    if rules.gated or rules.reshaped or case.approved is not None:
        # Approval gates turn a command into a request and hold what follows
        # an approval to its command, and a record kind an agency reshaped
        # is checked against its definition: the reference path decides all
        # that.
        return case, start
    case_id = case.case_id
    stage_code = case.stage._value_
    episode = case.episode
    seq = case.seq
    records = case.records
    plan = records.plan
    goals = plan.goal_ids if plan is not None else frozenset()
    activities_here = stage_code in rules.record_stages.get("activity", ())
    activity_unknown = rules.unknown_fields.get("activity", ())
    # What the body of every record event on this case says, in the order
    # of _SAME_FIELDS; the event's own facts are read by _OWN_FIELDS.
    same = (
        "record",
        case_id,
        None,
        episode,
        stage_code,
        None,
        None,
        None,
        None,
        None,
        stage_code,
        audit.FORMAT_VERSION,
    )
    last_at: dt.datetime = case.last_occurred_at
    occurred = last_at
    last_text: object = _NO_TEXT  # the last instant read, as the chain writes it
    stored_text = day = ""  # that instant as SQLite stores it, and its day
    last_actor: Any = _NO_TEXT  # the last actor checked, as the body has it
    stored_same: tuple[object, ...] = ()  # the columns of a record by that actor
    last_on: object = _NO_TEXT  # the last activity day checked
    pending: tuple[Any, int] | None = None  # the latest activity, unbuilt
    loads = orjson.loads
    sha256 = hashlib.sha256
    is_instant = audit._INSTANT.fullmatch
    instant = dt.datetime.fromisoformat
    # An activity's body, read as bytes: what precedes its instant (for the
    # last actor checked; empty until one is) and what follows its seq.
    head = b""
    last_record: list[Any] = [None, None]  # the last record's bytes, decoded
    tail = b',"sub_reason":null,"to_stage":%b,"v":%d}' % (
        orjson.dumps(stage_code),
        audit.FORMAT_VERSION,
    )
    index = start
    while index < stop:
        row = rows[index]
        try:
            personal_bytes = row.personal
            facts = (
                _activity_facts(
                    row.body, head, b"%b%d%b" % (_SEQ, seq + 1, tail), last_record
                )
                if head and personal_bytes
                else None
            )
            if facts is not None:
                occurred_text, personal_digest, record_data, recorded_text = facts
                body_seq, kind, actor = seq + 1, "activity", last_actor
            else:
                body = loads(row.body)
                if len(body) != _RECORD_KEYS:
                    break
                if _same_fields(body) != same:
                    # A move ends the run: the stage its checks were made for.
                    if pending is not None:
                        records = _with_activity(records, pending, origins)
                        pending = None
                    if seq != case.seq:
                        case = evolve(
                            case,
                            {
                                "seq": seq,
                                "last_occurred_at": last_at,
                                "records": records,
                            },
                        )
                    stored = None if columns is None else columns[index]
                    moved = _move(rules, case, row, body, stored)
                    return (case, index) if moved is None else (moved, index + 1)
                (
                    body_seq,
                    occurred_text,
                    recorded_text,
                    personal_digest,
                    record_data,
                    kind,
                    actor,
                ) = _own_fields(body)
            if body_seq != seq + 1:
                break
            if personal_bytes:
                personal = loads(personal_bytes)
                if (
                    type(personal) is not dict
                    or sha256(personal_bytes).hexdigest() != personal_digest
                ):
                    break
                record_data = personal.get("record", record_data)
            if occurred_text != last_text:
                if is_instant(occurred_text) is None:
                    break
                occurred = instant(occurred_text)
                if occurred < last_at:
                    break
                last_text = occurred_text
                stored_text = f"{occurred_text[:10]} {occurred_text[11:26]}"
                day = occurred_text[:10]
            recorded = occurred
            if recorded_text != occurred_text:
                if is_instant(recorded_text) is None:
                    break
                recorded = instant(recorded_text)
                if recorded < occurred:
                    break
            if actor is not last_actor and actor != last_actor:
                actor_id = actor["id"]
                audit._actor(actor_id, actor["role"])
                last_actor = actor
                stored_same = (episode, "record", stage_code, stage_code, actor_id)
                head = _body_head(case_id, episode, stage_code, actor)
            if columns is not None:
                stored = columns[index]
                if stored[:5] != stored_same or type(stored[0]) is not int:
                    break
                if stored[5] != stored_text and not audit._same_instant(
                    stored[5], occurred
                ):
                    break
                if (
                    stored[6] != stored_text or recorded is not occurred
                ) and not audit._same_instant(stored[6], recorded):
                    break
            if kind == "activity":
                # What ActivityRecord.from_json accepts and _admit_record
                # admits here, or (anything else) the reference's to judge.
                if (
                    not activities_here
                    or type(record_data) is not dict
                    or not record_data.keys() <= _ACTIVITY_FIELDS
                ):
                    break
                get = record_data.get
                on = get("on")
                if type(on) is not str:
                    break
                if on != last_on:
                    # YYYY-MM-DD only (no week or ordinal date): then the
                    # texts order as the days do.
                    if len(on) != _DAY_LENGTH or on[4] != "-" or on[7] != "-":
                        break
                    dt.date.fromisoformat(on)
                    last_on = on
                if on > day:
                    break
                goal_ids = get("goal_ids")
                if (
                    type(goal_ids) is not list
                    or not goal_ids
                    or len(goal_ids) > MAX_ITEMS
                    or not goals.issuperset(goal_ids)
                    or (len(goal_ids) > 1 and len(set(goal_ids)) != len(goal_ids))
                    or get("role") not in _ROLES
                ):
                    break
                model = get("model")
                if model not in _MODELS:
                    break
                description = get("description")
                # Plain ASCII text passes here; anything else is checked
                # by the validators' own function.
                if not (
                    type(description) is str
                    and description.isascii()
                    and 0 < len(description) <= MAX_TEXT
                    and "\x00" not in description
                    and not description.isspace()
                ) and not _is_text(description):
                    break
                justification = get("justification")
                if justification is None:
                    if model == _COERCE:
                        break
                elif not _is_text(justification):
                    break
                if activity_unknown and any(
                    get(name) is not None for name in activity_unknown
                ):
                    break
                pending = (record_data, seq + 1)
            else:
                if type(kind) is not str:
                    break
                record = parse_record(kind, record_data)
                if pending is not None:
                    records = _with_activity(records, pending, origins)
                    pending = None
                case = evolve(
                    case, {"seq": seq, "last_occurred_at": last_at, "records": records}
                )
                engine._admit_record(rules, case, record, occurred.date())
                records = records.with_record(record)
                if origins is not None:
                    origins.remember(record, seq + 1)
                plan = records.plan
                goals = plan.goal_ids if plan is not None else frozenset()
        except _UNSURE:
            break
        seq += 1
        last_at = occurred
        index += 1
    if pending is not None:
        records = _with_activity(records, pending, origins)
    if seq == case.seq:
        return case, index
    return evolve(
        case, {"seq": seq, "last_occurred_at": last_at, "records": records}
    ), index


def _move(  # noqa: PLR0911 - one refusal per check
    rules: engine.Rules,
    case: Case,
    row: audit.Sealed,
    body: dict[str, Any],
    stored: audit.Columns | None,
) -> Case | None:
    """The case after a move event, or None when the reference must decide it.

    What :func:`engine.execute` decides for a forward, loop or backward move
    (``MoveCase``): the move is one of the definition's, no termination, and
    its checks hold on the case's records on the day it took place; a note
    is there if the move needs one. The shared machine fires a move exactly
    when those checks hold, so they are asked directly.
    """
    stage_code = case.stage._value_
    if _same_fields(body) != (
        "move",
        case.case_id,
        None,
        case.episode,
        stage_code,
        body["note"],
        None,
        None,
        None,
        None,
        body["to_stage"],
        audit.FORMAT_VERSION,
    ):
        return None
    (seq, occurred_text, recorded_text, digest, record, kind, actor) = _own_fields(body)
    if seq != case.seq + 1 or record is not None or kind is not None:
        return None
    note = body["note"]
    if row.personal:
        personal = orjson.loads(row.personal)
        if (
            type(personal) is not dict
            or hashlib.sha256(row.personal).hexdigest() != digest
        ):
            return None
        if note is not None:
            note = personal.get("note", note)
    occurred = audit.parse_utc_text(occurred_text)
    recorded = audit.parse_utc_text(recorded_text)
    target = _STAGES.get(body["to_stage"])
    if recorded < occurred or occurred < case.last_occurred_at or target is None:
        return None
    actor_id = actor["id"]
    audit._actor(actor_id, actor["role"])
    if target in rules.terminal.get(stage_code, ()):
        return None
    move = rules.move(stage_code, target)
    if move is None or move.kind == "reopen":
        return None
    if rules.move_requirements(
        move, case.records, occurred.date()
    ) or rules.command_requirements(move, note=note):
        return None
    if stored is not None and (
        stored[:5] != (case.episode, "move", stage_code, target._value_, actor_id)
        or type(stored[0]) is not int
        or not audit._same_instant(stored[5], occurred)
        or not audit._same_instant(stored[6], recorded)
    ):
        return None
    return evolve(
        case,
        {
            "seq": seq,
            "last_occurred_at": occurred,
            "stage": target,
            "stage_entered_at": occurred,
            "records": engine._entering(
                rules, case.records, target, loop=move.kind == "loop"
            ),
        },
    )


#: The canonical bytes of a record body between its fields (see
#: :func:`_activity_facts`), in their order.
_DIGEST: Final = b'","personal_digest":"'
_RECORD: Final = b'","reason":null,"record":'
_KIND: Final = b',"record_kind":"activity","recorded_at":"'
_SEQ: Final = b'","referral_to":null,"residential":null,"seq":'
#: The length of an instant as the chain writes it, and of a SHA-256 in hex.
_INSTANT_LENGTH: Final = 27
_HEX_LENGTH: Final = 64


def _body_head(case_id: str, episode: int, stage: str, actor: object) -> bytes:
    """The canonical bytes a record body starts with, up to its instant's text.

    Empty (no body starts so) when the actor cannot be written.
    """
    fields = {
        "action": "record",
        "actor": actor,
        "case_id": case_id,
        "client": None,
        "episode": episode,
        "from_stage": stage,
        "note": None,
        "occurred_at": "",
    }
    try:
        return audit.canonical(fields)[:-2]  # without the closing '"}'
    except TypeError:
        return b""


def _activity_facts(
    body: bytes, head: bytes, tail: bytes, last: list[Any]
) -> tuple[str, str, Any, str] | None:
    """An activity's own facts, read from its body's canonical bytes, or None.

    A record body is canonical JSON (keys sorted, no white space), so an
    activity of a known case, stage, actor and seq is ``head``, its
    instant, its digest, its record, its second instant and ``tail``, with
    fixed bytes between them: the bytes are compared and only the record
    is decoded, three times faster than decoding the body. A body that
    reads so is exactly the JSON object those fields make (the record, a
    JSON value of its own, cannot reach past the bytes around it; the
    digest must still equal the personal data's, so it is hex; the caller
    reads the instants as the chain writes them, which holds no escape).
    Anything else (another actor, a body not canonical, a forged one) is
    None: the caller decodes the body as JSON then. ``last`` holds the
    last record's bytes and what they decode to: the next activity's
    (redacted) record is often the same bytes, decoded once.

    Returns:
        The occurred instant, the personal digest, the record and the
        recorded instant, as the body holds them.
    """
    if not (body.startswith(head) and body.endswith(tail)):
        return None
    at = len(head) + _INSTANT_LENGTH
    digest_at = at + len(_DIGEST)
    record_at = digest_at + _HEX_LENGTH + len(_RECORD)
    end = len(body) - len(tail)
    kind_at = end - _INSTANT_LENGTH - len(_KIND)
    if (
        body[at:digest_at] != _DIGEST
        or body[record_at - len(_RECORD) : record_at] != _RECORD
        or body[kind_at : end - _INSTANT_LENGTH] != _KIND
        or record_at > kind_at
    ):
        return None
    try:
        record_bytes = body[record_at:kind_at]
        if record_bytes == last[0]:
            record = last[1]
        else:
            record = orjson.loads(record_bytes)
            last[:] = (record_bytes, record)
        return (
            body[len(head) : at].decode(),
            body[digest_at : digest_at + _HEX_LENGTH].decode(),
            record,
            body[end - _INSTANT_LENGTH : end].decode(),
        )
    except ValueError:  # not JSON, or not UTF-8
        return None


def _with_activity(
    records: Any, pending: tuple[Any, int], origins: Origins | None
) -> Any:
    """The records with the latest activity of a run built and in force."""
    data, seq = pending
    record = parse_record("activity", data)
    if origins is not None:
        origins.remember(record, seq)
    return records.with_record(record)


def _is_text(value: object) -> bool:
    """Whether ``value`` is free text the records' validators accept.

    ASCII text is judged here; any other value by the validators' own check.
    """
    if (
        type(value) is str
        and value.isascii()
        and 0 < len(value) <= MAX_TEXT
        and "\x00" not in value
        and not value.isspace()
    ):
        return True
    return check_text(value) is None
