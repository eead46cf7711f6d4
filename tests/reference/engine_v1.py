"""The engine: pure decisions of (case, command, actor, time) -> (case, event).

One :class:`transitions.Machine` is built at import from the transition
table in :mod:`helping_process.states` and holds no cases: a command fires
the shared machine's event on a throwaway carrier that stands for the frozen
case, so deciding costs the same for the first case as for the millionth and
the engine keeps nothing per case. A refusal raises before anything is
produced, so it changes nothing.

Replay is the same code path: :func:`replay` turns every stored event back
into its command and decides it again, so a trail that replays is a trail
whose every step the rules accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import Final

import attrs
from transitions import EventData
from transitions import Machine
from transitions import MachineError

from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import InvalidSubReasonError
from helping_process.exceptions import InvalidTerminationReasonError
from helping_process.exceptions import InvalidTransitionError
from helping_process.exceptions import NothingToRedactError
from helping_process.exceptions import RecordInvalidError
from helping_process.exceptions import RecordNotAllowedError
from helping_process.exceptions import RequirementNotMetError
from helping_process.model import UTC
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import AddRecord
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import Event
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import RedactCase
from helping_process.model import ReopenCase
from helping_process.model import TerminateCase
from helping_process.states import PROCESS
from helping_process.states import RECORD_STAGES
from helping_process.states import ActivityRecord
from helping_process.states import EngagementRecord
from helping_process.states import EvaluationRecord
from helping_process.states import Move
from helping_process.states import Record
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states._fields import evolve
from helping_process.states.process import REOPEN
from helping_process.states.process import TERMINATE
from helping_process.states.records import NO_RECORDS
from helping_process.states.vocabulary import HELPING_REASONS
from helping_process.states.vocabulary import HELPING_STAGES


@attrs.frozen
class Decision:
    """An accepted command: the case it leaves and the event to append."""

    case: Case
    event: Event


@attrs.frozen(kw_only=True)
class MoveOption:
    """A legal move from the case's stage and whether it is allowed now.

    Attributes:
        target: the stage the move leads to.
        allowed: whether the case's records meet the move's requirements.
        missing: the unmet requirement ids.
        note_required: whether the command must carry a note (loops, reopen).
    """

    target: Stage
    allowed: bool
    missing: tuple[str, ...]
    note_required: bool


@attrs.frozen(kw_only=True)
class TerminationOption:
    """A termination reason allowed in the case's stage.

    Attributes:
        reason: the reason code.
        allowed: whether the case's records allow it now.
        missing: what the records still lack (e.g. ``evaluation.record``).
        sub_reasons: the sub-reasons to choose from (one is required when any).
        referral_required: whether ``referral_to`` is required.
        planned: whether it is a planned termination.
    """

    reason: TerminationReason
    allowed: bool
    missing: tuple[str, ...]
    sub_reasons: tuple[SubReason, ...]
    referral_required: bool
    planned: bool


@attrs.frozen(kw_only=True)
class NextMoves:
    """Everything a case can do next: moves and termination reasons."""

    stage: Stage
    moves: tuple[MoveOption, ...]
    terminations: tuple[TerminationOption, ...]


class _Carrier:
    """Stands for one frozen case while the shared machine fires.

    transitions sets ``state`` on its model; the frozen case cannot take
    attributes, so this small, unslotted object does, and is dropped after.
    """

    def __init__(
        self, state: Stage, move: Move, check: Callable[[Move], list[str]]
    ) -> None:
        self.state = state
        self.move = move
        self.check = check
        self.missing: list[str] = []


def _admissible(event: EventData) -> bool:
    """Condition of every transition: the move's requirements are met."""
    carrier = event.model
    assert isinstance(carrier, _Carrier)
    carrier.missing = carrier.check(carrier.move)
    return not carrier.missing


def _build_machine() -> Machine:
    machine = Machine(
        model=None,
        states=Stage,
        initial=Stage.ENGAGEMENT,
        auto_transitions=False,
        send_event=True,
    )
    for move in PROCESS.moves:
        machine.add_transition(
            move.trigger, move.source, move.dest, conditions=[_admissible]
        )
    return machine


_MACHINE: Final = _build_machine()


def _fire(case: Case, move: Move, check: Callable[[Move], list[str]]) -> None:
    """Fire ``move`` on the shared machine; raise if it is refused."""
    carrier = _Carrier(case.stage, move, check)
    try:
        accepted = _MACHINE.events[move.trigger].trigger(carrier)
    except MachineError:  # pragma: no cover - callers fire only moves of the table
        raise InvalidTransitionError(case.stage, move.dest) from None
    if not accepted:
        raise RequirementNotMetError(case.stage, carrier.missing, target=move.dest)


def _occurred(
    command: OpenCase | Command, at: dt.datetime, previous: dt.datetime | None
) -> dt.datetime:
    """Return when the command took place: given, or now; never in the future."""
    if at.utcoffset() is None:
        raise InvalidInputError("recorded_at", "not_utc", at)
    at = at.astimezone(UTC)
    occurred = command.occurred_at or at
    if occurred > at:
        raise InvalidInputError("occurred_at", "future", occurred.isoformat())
    if previous is not None and occurred < previous:
        raise InvalidInputError("occurred_at", "before_previous", occurred.isoformat())
    return occurred


def open_case(
    command: OpenCase, *, case_id: str, actor: Actor, at: dt.datetime
) -> Decision:
    """Open a case in engagement, as episode 1.

    Args:
        command: the client reference and whether the case is residential.
        case_id: the new case's id.
        actor: who opens it.
        at: the time of recording (aware).
    """
    occurred = _occurred(command, at, None)
    event = Event(
        case_id=case_id,
        seq=1,
        episode=1,
        occurred_at=occurred,
        recorded_at=at.astimezone(UTC),
        actor=actor,
        action=Action.OPEN,
        from_stage=None,
        to_stage=Stage.ENGAGEMENT,
        residential=command.residential,
        client=command.client,
        note=command.note,
    )
    return Decision(apply(None, event), event)


def execute(case: Case, command: Command, *, actor: Actor, at: dt.datetime) -> Decision:
    """Decide a command on a case.

    Args:
        case: the case as it stands.
        command: what is asked.
        actor: who asks.
        at: the time of recording (aware).

    Returns:
        The new case and the one event that records the command.

    Raises:
        RefusalError: the process refuses; the message names what is missing.
        InvalidInputError: the command or its record is malformed.
    """
    occurred = _occurred(command, at, case.last_occurred_at)
    action, to_stage = _RECORD, case.stage
    details: dict[str, Any]
    match command:
        case AddRecord(record=record):
            _admit_record(case, record, occurred.date())
            details = {"record": record}
        case MoveCase(target=Stage.TERMINATION) if PROCESS.move(
            case.stage, Stage.TERMINATION
        ):
            raise RequirementNotMetError(
                case.stage, ["termination.reason"], target=Stage.TERMINATION
            )
        case MoveCase(target=target, note=note):
            move = PROCESS.move(case.stage, target)
            if move is None:
                raise InvalidTransitionError(case.stage, target)
            _fire(case, move, _move_check(case, occurred.date(), note))
            action = Action.REOPEN if move.trigger == REOPEN else Action.MOVE
            to_stage = target
            details = {"note": note}
        case ReopenCase(note=note):
            return execute(
                case,
                MoveCase(target=Stage.ENGAGEMENT, note=note, occurred_at=occurred),
                actor=actor,
                at=at,
            )
        case TerminateCase():
            _admit_termination(case, command)
            action, to_stage = Action.TERMINATE, Stage.TERMINATION
            details = {
                "reason": command.reason,
                "sub_reason": command.sub_reason,
                "referral_to": command.referral_to,
                "note": command.note,
            }
        case RedactCase(note=note, events=redacted):
            if note is None:
                raise RequirementNotMetError(case.stage, ["redact.note"])
            if redacted is not None:
                if not redacted:
                    raise NothingToRedactError(case.case_id)
                if redacted[-1] > case.seq:
                    raise InvalidInputError("redacted", "not_event_numbers", redacted)
            action = Action.REDACT
            details = {"note": note, "redacted": redacted}
    event = Event(
        case_id=case.case_id,
        seq=case.seq + 1,
        episode=case.episode,
        occurred_at=occurred,
        recorded_at=at.astimezone(UTC),
        actor=actor,
        action=action,
        from_stage=case.stage,
        to_stage=to_stage,
        **details,
    )
    return Decision(apply(case, event), event)


def _move_check(
    case: Case, day: dt.date, note: str | None
) -> Callable[[Move], list[str]]:
    def check(move: Move) -> list[str]:
        return PROCESS.move_requirements(
            move, case.records, day=day
        ) + PROCESS.command_requirements(move, note=note)

    return check


def _admit_termination(case: Case, command: TerminateCase) -> None:
    """Refuse a termination the stage, reason or command does not support."""
    move = PROCESS.move(case.stage, Stage.TERMINATION)
    if move is None:
        raise InvalidTransitionError(case.stage, Stage.TERMINATION)
    rule = PROCESS.reason_rules[command.reason]
    if not rule.allows(case.stage, residential=case.residential):
        raise InvalidTerminationReasonError(command.reason, case.stage)
    if command.sub_reason is not None and command.sub_reason not in rule.sub_reasons:
        raise InvalidSubReasonError(command.reason, case.stage, command.sub_reason)

    def check(move: Move) -> list[str]:
        return PROCESS.termination_requirements(
            rule, case.records
        ) + PROCESS.termination_command_requirements(
            rule,
            sub_reason=command.sub_reason,
            referral_to=command.referral_to,
            note=command.note,
        )

    _fire(case, move, check)


def _admit_record(case: Case, record: Record, day: dt.date) -> None:
    """Refuse a record the stage does not take or that contradicts the case."""
    if case.stage not in RECORD_STAGES[record.kind]:
        raise RecordNotAllowedError(record.kind, case.stage)
    plan = case.records.plan
    goals = plan.goal_ids if plan else frozenset()
    match record:
        case EngagementRecord() if record.first_contact_on > day:
            raise RecordInvalidError(record.kind, "first_contact_on", "future")
        case ActivityRecord() if record.on > day:
            raise RecordInvalidError(record.kind, "on", "future")
        case ActivityRecord() if not set(record.goal_ids) <= goals:
            unknown = sorted(set(record.goal_ids) - goals)[0]
            raise RecordInvalidError(record.kind, "goal_ids", "unknown_goal", unknown)
        case EvaluationRecord() if not set(record.achieved_goal_ids) <= goals:
            unknown = sorted(set(record.achieved_goal_ids) - goals)[0]
            raise RecordInvalidError(
                record.kind, "achieved_goal_ids", "unknown_goal", unknown
            )
        case EvaluationRecord():
            scaled = plan.scaled_goal_ids if plan else frozenset()
            for goal_id in sorted(record.gas_scores):
                if goal_id not in scaled:
                    problem = "unknown_goal" if goal_id not in goals else "no_gas_scale"
                    raise RecordInvalidError(
                        record.kind, f"gas_scores.{goal_id}", problem
                    )
        case _:
            pass


#: ``Action.RECORD``: an enum member looked up on its class costs a
#: dictionary lookup and a call, and every step of a fold asks for it.
_RECORD: Final = Action.RECORD


def apply(case: Case | None, event: Event) -> Case:
    """Return the case after ``event``: one step of the fold over a trail.

    ``apply`` trusts the event; :func:`execute` and :func:`replay` are what
    check it against the rules.
    """
    at = event.occurred_at
    if case is None:
        return Case(
            case_id=event.case_id,
            residential=bool(event.residential),
            stage=event.to_stage,
            episode=event.episode,
            seq=event.seq,
            opened_at=at,
            stage_entered_at=at,
            last_occurred_at=at,
        )
    changes: dict[str, Any] = {"seq": event.seq, "last_occurred_at": at}
    action = event.action
    if action is _RECORD:  # the commonest, tested before the match's lookups
        if event.record is not None:
            changes["records"] = case.records.with_record(event.record)
        return evolve(case, changes)
    match action:
        case Action.MOVE:
            move = PROCESS.move(case.stage, event.to_stage)
            changes["stage"] = event.to_stage
            changes["stage_entered_at"] = at
            changes["records"] = case.records.entering(
                event.to_stage, loop=move is not None and move.is_loop
            )
        case Action.TERMINATE:
            changes["stage"] = Stage.TERMINATION
            changes["stage_entered_at"] = at
            changes["termination_reason"] = event.reason
        case Action.REOPEN:
            changes["stage"] = Stage.ENGAGEMENT
            changes["episode"] = case.episode + 1
            changes["stage_entered_at"] = at
            changes["records"] = NO_RECORDS
            changes["termination_reason"] = None
        case _:
            pass
    return evolve(case, changes)


def command_of(event: Event) -> OpenCase | Command:
    """Return the command an event records, so it can be decided again."""
    occurred = event.occurred_at
    if event.action is _RECORD and event.record is not None:
        return AddRecord(record=event.record, occurred_at=occurred)
    match event.action:
        case Action.OPEN:
            return OpenCase(
                client=event.client or "",
                residential=bool(event.residential),
                note=event.note,
                occurred_at=occurred,
            )
        case Action.RECORD if event.record is not None:
            return AddRecord(record=event.record, occurred_at=occurred)
        case Action.MOVE | Action.REOPEN:
            return MoveCase(
                target=event.to_stage, note=event.note, occurred_at=occurred
            )
        case Action.TERMINATE if event.reason is not None:
            return TerminateCase(
                reason=event.reason,
                sub_reason=event.sub_reason,
                referral_to=event.referral_to,
                note=event.note,
                occurred_at=occurred,
            )
        case Action.REDACT:
            return RedactCase(
                note=event.note, events=event.redacted, occurred_at=occurred
            )
        case _:
            raise AuditIntegrityError(event.case_id, event.seq, "incomplete")


def readmit(case: Case | None, event: Event) -> Case:
    """Decide a stored event again and return the case after it.

    One step of :func:`replay`: the event must follow the case without a
    gap, and deciding its command again must give exactly the same event.

    Raises:
        AuditIntegrityError: the event does not follow the case, or says
            something its command would not have produced.
        RefusalError: the event records a move the rules refuse.
        InvalidInputError: the event carries a malformed record or command.
    """
    expected_seq = 1 if case is None else case.seq + 1
    if event.seq != expected_seq:
        finding = "gap" if event.seq > expected_seq else "duplicate"
        raise AuditIntegrityError(event.case_id, event.seq, finding)
    if case is not None and event.case_id != case.case_id:
        raise AuditIntegrityError(event.case_id, event.seq, "foreign_event")
    command = command_of(event)
    if isinstance(command, OpenCase):
        if case is not None:
            raise AuditIntegrityError(event.case_id, event.seq, "opened_twice")
        decision = open_case(
            command, case_id=event.case_id, actor=event.actor, at=event.recorded_at
        )
    elif case is None:
        raise AuditIntegrityError(event.case_id, event.seq, "not_opened")
    else:
        decision = execute(case, command, actor=event.actor, at=event.recorded_at)
    if not decision.event == event:  # __eq__ itself: attrs' __ne__ is a call more
        raise AuditIntegrityError(event.case_id, event.seq, "differs")
    return decision.case


def replay(events: Iterable[Event]) -> Case:
    """Fold a case's events into the case, deciding each one again.

    Args:
        events: the case's events in sequence order.

    Returns:
        The case as its trail makes it.

    Raises:
        AuditIntegrityError: the trail is empty, has a gap, or an event says
            something its command would not have produced.
        RefusalError: an event records a move the rules refuse.
        InvalidInputError: an event carries a malformed record or command.
    """
    case: Case | None = None
    for event in events:
        case = readmit(case, event)
    if case is None:
        raise AuditIntegrityError("", 0, "empty")
    return case


def next_moves(case: Case, *, on: dt.date | None = None) -> NextMoves:
    """Return every legal move and termination reason, and what each lacks.

    Args:
        case: the case.
        on: the day to judge contracts in force on; the day of the case's
            last event when not given.
    """
    day = on or case.last_occurred_at.date()
    moves = []
    for target in sorted(PROCESS.targets(case.stage), key=list(HELPING_STAGES).index):
        move = PROCESS.move(case.stage, target)
        if move is None or move.trigger == TERMINATE:
            continue
        missing = tuple(PROCESS.move_requirements(move, case.records, day=day))
        moves.append(
            MoveOption(
                target=target,
                allowed=not missing,
                missing=missing,
                note_required=bool(PROCESS.command_requirements(move, note=None)),
            )
        )
    terminations = []
    for reason in HELPING_REASONS:
        rule = PROCESS.reason_rules[reason]
        if not rule.allows(case.stage, residential=case.residential):
            continue
        missing = tuple(PROCESS.termination_requirements(rule, case.records))
        terminations.append(
            TerminationOption(
                reason=reason,
                allowed=not missing,
                missing=missing,
                sub_reasons=tuple(sorted(rule.sub_reasons)),
                referral_required=rule.needs_referral,
                planned=rule.planned,
            )
        )
    return NextMoves(
        stage=case.stage, moves=tuple(moves), terminations=tuple(terminations)
    )
