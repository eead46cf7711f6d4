"""The JSON shapes of the HTTP API: those of the command line's ``--json``.

A case is what ``case show --json`` prints, a summary what ``case list
--json`` prints, an event what ``case history --json`` prints and a finding
what ``audit verify --json`` prints, so a script moves between the command
line and the API without translating (a test holds them equal).
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


def next_json(moves: NextMoves) -> dict[str, Any]:
    """Return every legal move and termination reason, and what each lacks."""
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


def case_json(case: Case, moves: NextMoves) -> dict[str, Any]:
    """Return a case with its records in force and its next moves."""
    return {
        "case_id": case.case_id,
        "stage": case.stage.value,
        "episode": case.episode,
        "residential": case.residential,
        "seq": case.seq,
        "records": {
            kind.value: to_json(record)
            for kind, record in case.records.latest().items()
        },
        "next": next_json(moves),
        "process": {
            "name": case.definition.name,
            "version": case.definition.version,
            "digest": case.definition.digest,
        },
    }


def event_json(event: Event) -> dict[str, Any]:
    """Return one audit event."""
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
    }


def summary_json(summary: CaseSummary) -> dict[str, Any]:
    """Return one case of a list."""
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
