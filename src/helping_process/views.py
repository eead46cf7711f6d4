"""The JSON views of cases, events, summaries and verification findings.

The command line's ``--json`` and the HTTP API answer in these shapes, so a
script moves between the two without translating. Codes are their values,
instants ISO 8601; nothing is labelled (labels are for people).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from helping_process.states import to_json

if TYPE_CHECKING:
    from helping_process.audit import Finding
    from helping_process.engine import NextMoves
    from helping_process.model import Case
    from helping_process.model import Event
    from helping_process.service import CaseSummary

__all__ = [
    "case_json",
    "casework_json",
    "event_json",
    "finding_json",
    "head_json",
    "made_request",
    "next_json",
    "pending_json",
    "process_json",
    "request_json",
    "summary_json",
]


def next_json(moves: NextMoves) -> dict[str, Any]:
    """Return what a case can do next, as ``case show`` prints it in JSON."""
    return {
        "moves": [
            {
                "target": option.target.value,
                "allowed": option.allowed,
                "missing": list(option.missing),
                "note_required": option.note_required,
            }
            for option in moves.moves
        ],
        "terminations": [
            {
                "reason": option.reason.value,
                "allowed": option.allowed,
                "missing": list(option.missing),
                "sub_reasons": [sub.value for sub in option.sub_reasons],
                "referral_required": option.referral_required,
                "planned": option.planned,
            }
            for option in moves.terminations
        ],
    }


def process_json(case: Case) -> dict[str, Any]:
    """Return the definition a case runs under: name, version, digest."""
    definition = case.definition
    return {
        "name": definition.name,
        "version": definition.version,
        "digest": definition.digest,
    }


def case_json(case: Case, moves: NextMoves) -> dict[str, Any]:
    """Return a case with its records in force and its next moves."""
    return {
        "case_id": case.case_id,
        "stage": case.stage.value,
        "episode": case.episode,
        "residential": case.residential,
        "seq": case.seq,
        "process": process_json(case),
        **casework_json(case),
        "records": {
            kind.value: to_json(record)
            for kind, record in case.records.latest().items()
        },
        "next": next_json(moves),
    }


def casework_json(case: Case) -> dict[str, Any]:
    """Return who holds a case, its unit, its latest referral and its consents.

    ``worker`` is the worker of record; ``unit`` the unit it was last
    transferred to (None: never); ``referral`` the latest outgoing
    referral (``seq`` of its event, ``to``); ``consents`` each purpose
    recorded, True while given.
    """
    referral = case.referral
    return {
        "worker": case.worker or None,
        "unit": case.unit,
        "referral": None
        if referral is None
        else {"seq": referral.seq, "to": referral.to},
        "consents": {purpose.value: given for purpose, given in case.consents},
    }


def head_json(case: Case) -> dict[str, Any]:
    """Return where a case stands after a command: id, stage, episode, seq."""
    return {
        "case_id": case.case_id,
        "stage": case.stage.value,
        "episode": case.episode,
        "seq": case.seq,
    }


def event_json(event: Event) -> dict[str, Any]:
    """Return one audit event as ``case history --json`` prints it."""
    record = event.record
    return {
        "seq": event.seq,
        "episode": event.episode,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "actor": {"id": event.actor.id, "role": event.actor.role.value},
        "action": event.action.value,
        "from_stage": event.from_stage.value if event.from_stage else None,
        "to_stage": event.to_stage.value,
        "reason": event.reason.value if event.reason else None,
        "sub_reason": event.sub_reason.value if event.sub_reason else None,
        "referral_to": event.referral_to,
        "note": event.note,
        "record_kind": record.kind.value if record is not None else None,
        "record": to_json(record) if record is not None else None,
        **_approval_keys(event),
        **_casework_event(event),
    }


def _approval_keys(event: Event) -> dict[str, Any]:
    """The keys only approval events have: what is asked, by whom decided."""
    keys: dict[str, Any] = {}
    if event.requested is not None:
        keys["requested"] = event.requested.value
        keys["approver"] = event.approver.value if event.approver else None
    if event.request is not None:
        keys["request"] = event.request
    return keys


def made_request(case: Case) -> Event | None:
    """Return the request the case's last event made, if it made one.

    A gated command leaves the case where it was and adds a request: the
    caller tells the requester it awaits approval rather than that it is done.
    """
    requests = case.requests
    if requests and requests[-1].seq == case.seq:
        return requests[-1]
    return None


def pending_json(case: Case, request: Event) -> dict[str, Any]:
    """Return a command that became a request: the case, and the request."""
    return {
        **head_json(case),
        "pending": True,
        "request": request.seq,
        "requested": request.requested.value if request.requested else None,
        "approver": request.approver.value if request.approver else None,
    }


def request_json(case_id: str, request: Event) -> dict[str, Any]:
    """Return one pending request (``case pending``, ``GET …/requests``)."""
    record = request.record
    pin = request.process
    return {
        "case_id": case_id,
        "request": request.seq,
        "requested": request.requested.value if request.requested else None,
        "approver": request.approver.value if request.approver else None,
        "requested_by": {"id": request.actor.id, "role": request.actor.role.value},
        "requested_at": request.recorded_at.isoformat(),
        "stage": request.to_stage.value,
        "reason": request.reason.value if request.reason else None,
        "sub_reason": request.sub_reason.value if request.sub_reason else None,
        "record_kind": record.kind.value if record is not None else None,
        "process": None if pin is None else pin.ref,
    }


def _casework_event(event: Event) -> dict[str, Any]:
    """The keys of an assignment, referral, transfer or consent, when set.

    ``worker`` and ``assign_reason`` (assign), ``unit`` (transfer),
    ``consent`` (purpose, given, on) and ``referral_seq`` (a termination
    that follows a referral) appear only on the events that carry them.
    """
    found: dict[str, Any] = {}
    if event.worker is not None:
        found["worker"] = event.worker
    if event.assign_reason is not None:
        found["assign_reason"] = event.assign_reason.value
    if event.unit is not None:
        found["unit"] = event.unit
    if event.consent is not None:
        found["consent"] = {
            "purpose": event.consent.purpose.value,
            "given": event.consent.given,
            "on": event.consent.on.isoformat(),
        }
    if event.referral_seq is not None:
        found["referral_seq"] = event.referral_seq
    return found


def summary_json(summary: CaseSummary) -> dict[str, Any]:
    """Return one case of ``case list --json``."""
    return {
        "case_id": summary.case_id,
        "client": summary.client,
        "residential": summary.residential,
        "stage": summary.stage.value,
        "episode": summary.episode,
        "events": summary.seq,
        "opened_at": summary.opened_at.isoformat(),
        "updated_at": summary.updated_at.isoformat(),
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    """Return one verification finding (its detail in English)."""
    return {
        "case_id": finding.case_id,
        "seq": finding.seq,
        "kind": finding.kind.value,
        "detail": finding.detail,
        "cause": finding.cause,
        "params": {key: _plain(value) for key, value in finding.params.items()},
        "tampering": finding.is_tampering,
    }


def _plain(value: object) -> object:
    """A finding's fact as JSON: numbers and codes as they are, lists as lists."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return str(value)
