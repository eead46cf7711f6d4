"""The engine: pure decisions of (case, command, actor, time) -> (case, event).

Every case runs under a process definition (:mod:`helping_process.definitions`):
the one it was opened under, or the one its last migration chose. One
:class:`transitions.Machine` is built per definition, on the first command
of its first case, kept by the definition's digest and shared by all its
cases; it holds no cases: a command fires the shared machine's event on a
throwaway carrier that stands for the frozen case, so deciding costs the
same for the first case as for the millionth and the engine keeps nothing
per case. A refusal raises before anything is produced, so it changes
nothing.

Replay is the same code path: :func:`replay` turns every stored event back
into its command and decides it again, so a trail that replays is a trail
whose every step the rules accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import attrs
from transitions import EventData
from transitions import Machine
from transitions import MachineError

from helping_process.definitions import checks
from helping_process.definitions._validate import check_record
from helping_process.definitions._validate import reshaped_kinds
from helping_process.exceptions import ApprovalRefusedError
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import DefinitionNotRunnableError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import InvalidSubReasonError
from helping_process.exceptions import InvalidTerminationReasonError
from helping_process.exceptions import InvalidTransitionError
from helping_process.exceptions import MigrationRefusedError
from helping_process.exceptions import NothingToRedactError
from helping_process.exceptions import RecordInvalidError
from helping_process.exceptions import RecordNotAllowedError
from helping_process.exceptions import RequirementNotMetError
from helping_process.model import UTC
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import ActorRole
from helping_process.model import AddRecord
from helping_process.model import ApproveRequest
from helping_process.model import AssignCase
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import ConsentPurpose
from helping_process.model import Event
from helping_process.model import MigrateCase
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import ProcessPin
from helping_process.model import RecordConsent
from helping_process.model import RedactCase
from helping_process.model import ReferCase
from helping_process.model import Referral
from helping_process.model import RejectRequest
from helping_process.model import ReopenCase
from helping_process.model import TerminateCase
from helping_process.model import TransferCase
from helping_process.model import first_rules
from helping_process.states import ActivityRecord
from helping_process.states import EngagementRecord
from helping_process.states import EvaluationRecord
from helping_process.states import InterventionModel
from helping_process.states import Record
from helping_process.states import RecordKind
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states import to_json
from helping_process.states._fields import evolve
from helping_process.states.records import NO_RECORDS
from helping_process.states.records import RecordsInForce
from helping_process.states.rehabilitation import CaseConferenceRecord
from helping_process.states.rehabilitation import FollowUpRecord

if TYPE_CHECKING:
    from helping_process.definitions import Definition
    from helping_process.definitions import GateSpec
    from helping_process.definitions import MoveSpec
    from helping_process.definitions import ReasonSpec


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


@attrs.frozen
class _Options:
    """What is open in one stage, worked out once (see :meth:`Rules.options`).

    Attributes:
        moves: the finished option of a move that checks nothing, or the
            move, its target and whether it needs a note.
        terminations: the finished option of a reason that checks
            nothing, or the reason and its option when every check passes.
    """

    moves: tuple[MoveOption | tuple[MoveSpec, Stage, bool], ...]
    terminations: tuple[TerminationOption | tuple[ReasonSpec, TerminationOption], ...]


class _Carrier:
    """Stands for one frozen case while the shared machine fires.

    transitions sets ``state`` on its model; the frozen case cannot take
    attributes, so this small, unslotted object does, and is dropped after.
    """

    def __init__(self, state: str, check: Callable[[], list[str]]) -> None:
        self.state = state
        self.check = check
        self.missing: list[str] = []


def _admissible(event: EventData) -> bool:
    """Condition of every transition: the move's requirements are met."""
    carrier = event.model
    assert isinstance(carrier, _Carrier)  # noqa: S101 - only carriers are fired
    carrier.missing = carrier.check()
    return not carrier.missing


def _trigger(move: MoveSpec) -> str:
    """The name of a move's event on its definition's machine."""
    return f"{move.kind}:{move.source}>{move.dest}"


#: The extra record fields a later definition may allow, by record kind:
#: a record that sets one is refused under a definition without it.
_EXTRA_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "plan": ("practice_systems", "programme", "strategy"),
    "activity": ("techniques",),
    "evaluation": ("obstacles",),
}


class Rules:
    """A process definition compiled for deciding: its machine and indexes.

    Built once per definition (see :func:`rules_of`) and shared by all its
    cases; it holds no cases.

    Attributes:
        definition: the definition.
        start: the stage a case opens (and reopens) in.
        machine: the :class:`transitions.Machine` of the definition's moves.
    """

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.start = Stage(definition.start)
        self.moves: dict[tuple[str, str], MoveSpec] = {}
        self.terminations: dict[tuple[str, str], MoveSpec] = {}
        #: The stages a termination leads to from each stage that has one.
        self.terminal: dict[str, frozenset[str]] = {}
        for move in definition.moves:
            if move.kind in ("early", "planned"):
                self.terminations[move.source, move.kind] = move
                ends = self.terminal.get(move.source, frozenset())
                self.terminal[move.source] = ends | {move.dest}
            else:
                self.moves[move.source, move.dest] = move
        self.reasons: dict[TerminationReason, ReasonSpec] = {
            TerminationReason(spec.code): spec
            for spec in definition.termination_reasons
        }
        self.record_stages: dict[str, frozenset[str]] = {
            kind.code: kind.stages for kind in definition.record_kinds
        }
        self.unknown_fields: dict[str, tuple[str, ...]] = {
            kind.code: tuple(
                name
                for name in _EXTRA_FIELDS.get(kind.code, ())
                if name not in {spec.name for spec in kind.fields}
            )
            for kind in definition.record_kinds
        }
        #: An evaluation recorded during intervention counts on entering
        #: evaluation (when the definition allows one there).
        self.progress_evaluation = "intervention" in self.record_stages.get(
            "evaluation", frozenset()
        )
        #: The record kinds checked against the definition's own fields
        #: besides their classes' (see :func:`reshaped_kinds`).
        self.reshaped = reshaped_kinds(definition)
        #: Whether any command of the definition needs approval.
        self.gated = bool(definition.gates)
        #: The options of each ``(stage, residential)``, built on first use.
        self._options: dict[tuple[Stage, bool], _Options] = {}
        self.machine = Machine(
            model=None,
            states=[stage.code for stage in definition.stages],
            initial=definition.start,
            auto_transitions=False,
            send_event=True,
        )
        for move in definition.moves:
            self.machine.add_transition(
                _trigger(move), move.source, move.dest, conditions=[_admissible]
            )

    def options(self, stage: Stage, *, residential: bool) -> _Options:
        """Return the moves and termination reasons open in ``stage``.

        What does not depend on the case's records is worked out once per
        stage (and residence): the targets in the definition's order, each
        reason's sub-reasons, and the finished option of every move and
        reason that checks nothing. :func:`next_moves` then only runs the
        checks, on every answer of the API and every ``case show``.
        """
        key = (stage, residential)
        found = self._options.get(key)
        if found is not None:
            return found
        order = [item.code for item in self.definition.stages]
        moves: list[MoveOption | tuple[MoveSpec, Stage, bool]] = []
        for target in sorted(self.definition.targets(stage), key=order.index):
            move = self.move(stage, target)
            if move is None:
                continue
            note_required = bool(self.command_requirements(move, note=None))
            if move.checks:
                moves.append((move, Stage(target), note_required))
            else:
                moves.append(
                    MoveOption(
                        target=Stage(target),
                        allowed=True,
                        missing=(),
                        note_required=note_required,
                    )
                )
        endings: list[TerminationOption | tuple[ReasonSpec, TerminationOption]] = []
        for reason, spec in self.reasons.items():
            if not spec.allows(stage, residential=residential):
                continue
            option = TerminationOption(
                reason=reason,
                allowed=True,
                missing=(),
                sub_reasons=tuple(sorted(SubReason(s.code) for s in spec.sub_reasons)),
                referral_required=spec.referral,
                planned=spec.planned,
            )
            move = self.terminations.get((stage, spec.kind))
            checked = spec.checks or (move is not None and move.checks)
            endings.append((spec, option) if checked else option)
        found = self._options[key] = _Options(tuple(moves), tuple(endings))
        return found

    def move(self, source: str, dest: str) -> MoveSpec | None:
        """Return the move from ``source`` to ``dest`` that is no termination."""
        return self.moves.get((source, dest))

    def ends(self, stage: str) -> bool:
        """Whether an episode may be terminated from ``stage``."""
        return stage in self.terminal

    def move_requirements(
        self, move: MoveSpec, records: RecordsInForce, day: dt.date
    ) -> list[str]:
        """Return what the case's records lack for ``move``."""
        if not move.checks:
            return []
        return checks.run(move.checks, checks.Facts(records=records, day=day))

    @staticmethod
    def command_requirements(move: MoveSpec, *, note: str | None) -> list[str]:
        """Return what the command must carry for ``move`` (its note)."""
        if note is not None or not move.note:
            return []
        return ["reopen.note"] if move.kind == "reopen" else ["move.note"]

    @staticmethod
    def termination_requirements(
        reason: ReasonSpec, records: RecordsInForce
    ) -> list[str]:
        """Return what the case's records lack for a termination for ``reason``."""
        if not reason.checks:
            return []
        # The day matters to no check a reason names: contracts are not asked.
        facts = checks.Facts(records=records, day=dt.date.min)
        return checks.run(reason.checks, facts)

    def ending_requirements(
        self, stage: str, reason: ReasonSpec, records: RecordsInForce, day: dt.date
    ) -> list[str]:
        """Return what the records lack to end the episode in ``stage`` for ``reason``.

        The termination move's own checks first (``rehsos-pp39``: family
        and community prepared, for a planned termination), then the
        reason's.
        """
        move = self.terminations[stage, reason.kind]
        return self.move_requirements(
            move, records, day
        ) + self.termination_requirements(reason, records)


_RULES: dict[str, Rules] = {}


def rules_of(definition: Definition) -> Rules:
    """Return the compiled rules of ``definition``, built once per digest.

    Raises:
        DefinitionNotRunnableError: the definition names stages, reasons,
            sub-reasons or record kinds this engine does not know.
    """
    rules = _RULES.get(definition.digest)
    if rules is None:
        problems = unsupported(definition)
        if problems:
            raise DefinitionNotRunnableError(definition.ref, problems)
        rules = _RULES.setdefault(definition.digest, Rules(definition))
    return rules


def unsupported(definition: Definition) -> list[str]:
    """Return the codes of ``definition`` this engine cannot run, if any.

    The engine knows the stages, reasons, sub-reasons and record kinds of
    every built-in definition (:mod:`helping_process.states.vocabulary`),
    and a definition may use any of them, in any arrangement of moves and
    checks; a definition naming another code can be loaded, checked, shown
    and stored, but cases cannot run under it: a new kind of record is
    code (its fields' rules), as a new check is.
    """
    problems = [
        f"stages: {stage.code}"
        for stage in definition.stages
        if stage.code not in Stage._value2member_map_
    ]
    problems += [
        f"termination_reasons: {reason.code}"
        for reason in definition.termination_reasons
        if reason.code not in TerminationReason._value2member_map_
    ]
    problems += [
        f"sub_reasons: {sub.code}"
        for reason in definition.termination_reasons
        for sub in reason.sub_reasons
        if sub.code not in SubReason._value2member_map_
    ]
    problems += [
        f"record_kinds: {kind.code}"
        for kind in definition.record_kinds
        if kind.code not in RecordKind._value2member_map_
    ]
    return problems


def _fire(
    rules: Rules, case: Case, move: MoveSpec, check: Callable[[], list[str]]
) -> None:
    """Fire ``move`` on the definition's shared machine; raise if refused."""
    carrier = _Carrier(case.stage._value_, check)
    try:
        accepted = rules.machine.events[_trigger(move)].trigger(carrier)
    except MachineError:  # pragma: no cover - callers fire only moves of the table
        raise InvalidTransitionError(case.stage, move.dest) from None
    if not accepted:
        raise RequirementNotMetError(
            case.stage, carrier.missing, target=Stage(move.dest)
        )


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
    """Open a case in its definition's start stage, as episode 1.

    The open event pins the case to ``command.process`` (name, version and
    digest, in the chained bytes); a command without one opens it unpinned
    under ``helping-process@1``, as every case was opened before pinning.

    Args:
        command: the client reference, whether the case is residential and
            the definition it runs under.
        case_id: the new case's id.
        actor: who opens it.
        at: the time of recording (aware).

    Raises:
        DefinitionNotRunnableError: the engine cannot run the definition.
    """
    occurred = _occurred(command, at, None)
    definition = command.process
    rules = rules_of(definition if definition is not None else first_rules())
    residential = command.residential
    if rules.definition.residential == "always" and not residential:
        raise InvalidInputError("residential", "always_residential")
    event = Event(
        case_id=case_id,
        seq=1,
        episode=1,
        occurred_at=occurred,
        recorded_at=at.astimezone(UTC),
        actor=actor,
        action=Action.OPEN,
        from_stage=None,
        to_stage=rules.start,
        residential=residential,
        client=command.client,
        note=command.note,
        process=None if definition is None else ProcessPin.of(definition),
    )
    return Decision(_opened(event, rules.definition), event)


def execute(  # noqa: PLR0912, PLR0915 - one arm per command
    case: Case, command: Command, *, actor: Actor, at: dt.datetime
) -> Decision:
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
    rules = rules_of(case.definition)
    action, to_stage = _RECORD, case.stage
    details: dict[str, Any]
    match command:
        case AddRecord(record=record):
            _admit_record(rules, case, record, occurred.date())
            details = {"record": record}
        case MoveCase(target=target) if (
            rules.ends(case.stage)
            and target in rules.terminal[case.stage]
            and rules.move(case.stage, target) is None
        ):
            raise RequirementNotMetError(
                case.stage, ["termination.reason"], target=target
            )
        case MoveCase(target=target, note=note):
            move = rules.move(case.stage, target)
            if move is None:
                raise InvalidTransitionError(case.stage, target)
            day = occurred.date()
            records = case.records
            _fire(
                rules,
                case,
                move,
                lambda: (
                    rules.move_requirements(move, records, day)
                    + rules.command_requirements(move, note=note)
                ),
            )
            action = Action.REOPEN if move.kind == "reopen" else Action.MOVE
            to_stage = target
            details = {"note": note}
        case ReopenCase(note=note):
            return execute(
                case,
                MoveCase(target=rules.start, note=note, occurred_at=occurred),
                actor=actor,
                at=at,
            )
        case TerminateCase():
            command, referral_seq = _linked(rules, case, command)
            to_stage = _admit_termination(rules, case, command, occurred.date())
            action = Action.TERMINATE
            details = {
                "reason": command.reason,
                "sub_reason": command.sub_reason,
                "referral_to": command.referral_to,
                "note": command.note,
                "referral_seq": referral_seq,
            }
        case AssignCase() | ReferCase() | TransferCase() | RecordConsent():
            action, details = _casework(rules, case, command, occurred.date())
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
        case MigrateCase(to=target, note=note):
            _admit_migration(case, target, note, occurred.date())
            action = Action.MIGRATE
            details = {"note": note, "process": ProcessPin.of(target)}
        case ApproveRequest() | RejectRequest():
            approve = isinstance(command, ApproveRequest)
            _admit_decision(case, command.request, actor, command.note, approve=approve)
            action = Action.APPROVE if approve else Action.REJECT
            details = {"note": command.note, "request": command.request}
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
    if case.approved is not None or rules.gated:
        event = _gated(rules, case, event)
    return Decision(apply(case, event), event)


def _gated(rules: Rules, case: Case, event: Event) -> Event:
    """Return the event a gate makes of ``event``: a request, or it unchanged.

    Right after an approval only the approved command may follow, and it
    takes effect; otherwise a command a gate holds becomes a request that
    leaves the case where it is.
    """
    if case.approved is not None:
        _check_effect(case, case.approved, event)
        return event
    gate = gate_of(rules.definition, event)
    if gate is None:
        return event
    return attrs.evolve(
        event,
        action=Action.REQUEST,
        requested=event.action,
        to_stage=case.stage,
        redacted=None,
        approver=ActorRole(gate.approver),
    )


def gate_of(definition: Definition, event: Event) -> GateSpec | None:
    """Return the gate that holds ``event``'s effect for approval, if any.

    A termination is gated by its reason, an activity by its intervention
    model (``coerce``), a reopen, migration or redaction as such.
    """
    match event.action:
        case Action.TERMINATE:
            return definition.gate("terminate", event.reason)
        case Action.RECORD if (
            isinstance(event.record, ActivityRecord)
            and event.record.model is InterventionModel.COERCE
        ):
            return definition.gate("coerce")
        case Action.REOPEN:
            return definition.gate("reopen")
        case Action.MIGRATE:
            return definition.gate("migrate")
        case Action.REDACT:
            return definition.gate("redact")
        case _:
            return None


def _admit_decision(
    case: Case, number: int, actor: Actor, note: str | None, *, approve: bool
) -> None:
    """Refuse an approval or rejection the request or its decider does not allow.

    Only a pending request can be decided. Approval takes someone other
    than the requester acting in the role the gate names (four eyes);
    rejection too, except that the requester may withdraw their own.
    """
    request = case.request(number)
    if request is None:
        raise ApprovalRefusedError(case.case_id, number, "not_pending")
    approver = request.approver or ActorRole.SUPERVISOR
    own = actor.id == request.actor.id
    if approve and own:
        raise ApprovalRefusedError(case.case_id, number, "self_approval", approver)
    if actor.role is not approver and not (own and not approve):
        raise ApprovalRefusedError(case.case_id, number, "role_not_held", approver)
    if note is None:
        raise RequirementNotMetError(
            case.stage, ["approve.note" if approve else "reject.note"]
        )


def _check_effect(case: Case, request: Event, event: Event) -> None:
    """Refuse anything after an approval but the approved command itself.

    The event after an approval is the request's command, by its requester,
    as it was asked (re-decided on the case as it now stands). Personal
    text is not compared: a redaction may since have removed the request's.
    """
    if not (
        event.action is request.requested
        and event.actor == request.actor
        and _public(event.record) == _public(request.record)
        and event.reason is request.reason
        and event.sub_reason is request.sub_reason
        and event.process == request.process
    ):
        raise AuditIntegrityError(case.case_id, event.seq, "approval_unapplied")


def _public(record: Record | None) -> object:
    """A record's kind and the fields that are not personal data."""
    if record is None:
        return None
    return type(record), {
        field.name: getattr(record, field.name)
        for field in attrs.fields(type(record))
        if not field.metadata.get("personal")
    }


def requested_command(
    request: Event, *, occurred_at: dt.datetime | None = None
) -> Command:
    """Return the gated command a ``request`` event asks for.

    Raises:
        AuditIntegrityError: the event is no request, or lacks what its
            command needs.
    """
    match request.requested:
        case Action.TERMINATE if request.reason is not None:
            return TerminateCase(
                reason=request.reason,
                sub_reason=request.sub_reason,
                referral_to=request.referral_to,
                note=request.note,
                occurred_at=occurred_at,
            )
        case Action.RECORD if request.record is not None:
            return AddRecord(record=request.record, occurred_at=occurred_at)
        case Action.REOPEN:
            return ReopenCase(note=request.note, occurred_at=occurred_at)
        case Action.MIGRATE if request.process is not None:
            return MigrateCase(
                to=_pinned(request), note=request.note, occurred_at=occurred_at
            )
        case Action.REDACT:
            return RedactCase(note=request.note, occurred_at=occurred_at)
        case _:
            raise AuditIntegrityError(request.case_id, request.seq, "incomplete")


def _linked(
    rules: Rules, case: Case, command: TerminateCase
) -> tuple[TerminateCase, int | None]:
    """Link a termination that refers the client to the case's latest referral.

    A reason that asks where the client is referred to (``referral``)
    follows from the case's latest ``refer`` event when there is one: the
    event names it (``referral_seq``), and ``referral_to`` defaults to the
    organisation it named.
    """
    reason = rules.reasons.get(command.reason)
    referral = case.referral
    if reason is None or not reason.referral or referral is None:
        return command, None
    if command.referral_to is None and referral.to is not None:
        command = attrs.evolve(command, referral_to=referral.to)
    return command, referral.seq


def _casework(  # noqa: PLR0912 - one branch per requirement, read as a table
    rules: Rules,
    case: Case,
    command: AssignCase | ReferCase | TransferCase | RecordConsent,
    day: dt.date,
) -> tuple[Action, dict[str, Any]]:
    """Decide an assignment, referral, transfer or consent: none moves the case.

    An assignment and a transfer may be made in any stage; a referral and a
    consent only while an episode is in progress. Each needs a note but a
    consent, and a referral the client's consent for referral.
    """
    missing: list[str] = []
    active = rules.definition.stage(case.stage).kind == "active"
    match command:
        case AssignCase(worker=worker, reason=reason, note=note):
            if worker == case.worker:
                missing.append("assign.other_worker")
            if note is None:
                missing.append("assign.note")
            action = Action.ASSIGN
            details: dict[str, Any] = {
                "worker": worker,
                "assign_reason": reason,
                "note": note,
            }
        case ReferCase(to=to, note=note):
            if not active:
                missing.append("case.active")
            if not case.consented(ConsentPurpose.REFERRAL):
                missing.append("consent.referral")
            if note is None:
                missing.append("refer.note")
            action, details = Action.REFER, {"referral_to": to, "note": note}
        case TransferCase(unit=unit, note=note):
            if unit == case.unit:
                missing.append("transfer.other_unit")
            if note is None:
                missing.append("transfer.note")
            action, details = Action.TRANSFER, {"unit": unit, "note": note}
        case RecordConsent(consent=consent, note=note):
            if consent.on > day:
                raise InvalidInputError("on", "future", consent.on.isoformat())
            if not active:
                missing.append("case.active")
            action, details = Action.CONSENT, {"consent": consent, "note": note}
    if missing:
        raise RequirementNotMetError(case.stage, missing)
    return action, details


def _admit_termination(
    rules: Rules, case: Case, command: TerminateCase, day: dt.date
) -> Stage:
    """Refuse a termination the stage, reason or command does not support.

    Returns:
        The stage the termination leads to.
    """
    if not rules.ends(case.stage):
        raise InvalidTransitionError(case.stage, Stage.TERMINATION)
    reason = rules.reasons.get(command.reason)
    if reason is None or not reason.allows(case.stage, residential=case.residential):
        raise InvalidTerminationReasonError(command.reason, case.stage)
    subs = [sub.code for sub in reason.sub_reasons]
    if command.sub_reason is not None and command.sub_reason not in subs:
        raise InvalidSubReasonError(
            command.reason, case.stage, command.sub_reason, subs
        )
    move = rules.terminations[case.stage, reason.kind]
    records = case.records

    def check() -> list[str]:
        missing = rules.ending_requirements(case.stage, reason, records, day)
        if reason.sub_reasons and command.sub_reason is None:
            missing.append("termination.sub_reason")
        if reason.referral and command.referral_to is None:
            missing.append("termination.referral_to")
        if move.note and command.note is None:
            missing.append("termination.note")
        return missing

    _fire(rules, case, move, check)
    return Stage(move.dest)


def _admit_record(rules: Rules, case: Case, record: Record, day: dt.date) -> None:
    """Refuse a record the stage does not take or that contradicts the case."""
    kind = record.kind
    stages = rules.record_stages.get(kind)
    if stages is None or case.stage not in stages:
        raise RecordNotAllowedError(kind, case.stage)
    _admit_fields(rules, record)
    plan = case.records.plan
    goals = plan.goal_ids if plan else frozenset()
    match record:
        case EngagementRecord() if record.first_contact_on > day:
            raise RecordInvalidError(record.kind, "first_contact_on", "future")
        case ActivityRecord() | FollowUpRecord() if record.on > day:
            raise RecordInvalidError(record.kind, "on", "future")
        case CaseConferenceRecord() if record.held_on > day:
            raise RecordInvalidError(record.kind, "held_on", "future")
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


def _admit_fields(rules: Rules, record: Record) -> None:
    """Refuse a record whose fields the case's definition does not have or take.

    The record's class has read its fields as the built-ins shape them; a
    kind the definition reshaped is checked against the definition too.
    """
    kind = record.kind
    if kind in rules.reshaped:
        check_record(kind, to_json(record), rules.definition)
    for name in rules.unknown_fields[kind]:
        if getattr(record, name) is not None:
            raise RecordInvalidError(kind, name, "unknown_field")


def migration_problems(case: Case, target: Definition, day: dt.date) -> list[str]:
    """Return why ``case`` cannot move to ``target``'s rules (empty: it can).

    The case's stage must exist in the target, and the case must stand
    there as the target would have let it: its records in force meet the
    checks of the target's forward move into the stage (none for the start
    stage or a terminal one), every kind of record it keeps is one the
    target has, and no record in force uses a field the target lacks. Each
    problem is a requirement id of the target, or a ``migrate.…`` id.
    """
    if unsupported(target):
        return ["migrate.definition"]
    if case.definition == target:
        return ["migrate.same_definition"]
    rules = rules_of(target)
    stage = case.stage
    if stage not in {spec.code for spec in target.stages}:
        return ["migrate.stage"]
    problems: list[str] = []
    latest = case.records.latest()
    if any(kind not in rules.record_stages for kind in latest) or any(
        getattr(record, name) is not None
        for kind, record in latest.items()
        for name in rules.unknown_fields[kind]
    ):
        problems.append("migrate.record_kind")
    entries = [
        move
        for move in target.moves
        if move.dest == stage and move.kind == "forward" and move.checks
    ]
    if entries and target.stage(stage).kind == "active":
        missing = [rules.move_requirements(move, case.records, day) for move in entries]
        if all(missing):
            problems += missing[0]
    return problems


def _admit_migration(
    case: Case, target: Definition, note: str | None, day: dt.date
) -> None:
    """Refuse a migration the target's rules or the command do not support."""
    problems = migration_problems(case, target, day)
    if note is None:
        problems.append("migrate.note")
    if problems:
        raise MigrationRefusedError(case.stage, target.ref, problems)


#: ``Action.RECORD``: an enum member looked up on its class costs a
#: dictionary lookup and a call, and every step of a fold asks for it.
_RECORD: Final = Action.RECORD


def apply(case: Case | None, event: Event) -> Case:  # noqa: PLR0912 - one arm per action
    """Return the case after ``event``: one step of the fold over a trail.

    ``apply`` trusts the event; :func:`execute` and :func:`replay` are what
    check it against the rules.

    Raises:
        AuditIntegrityError: the event pins a definition that is not known
            (not built in, and not stored with the trail).
    """
    at = event.occurred_at
    if case is None:
        return _opened(event, _pinned(event))
    changes: dict[str, Any] = {"seq": event.seq, "last_occurred_at": at}
    if case.approved is not None:
        changes["approved"] = None
    action = event.action
    if action is _RECORD:  # the commonest, tested before the match's lookups
        if event.record is not None:
            changes["records"] = case.records.with_record(event.record)
        return evolve(case, changes)
    match action:
        case Action.MOVE:
            rules = rules_of(case.definition)
            move = rules.move(case.stage, event.to_stage)
            changes["stage"] = event.to_stage
            changes["stage_entered_at"] = at
            changes["records"] = _entering(
                rules,
                case.records,
                event.to_stage,
                loop=move is not None and move.kind == "loop",
            )
        case Action.TERMINATE:
            changes["stage"] = event.to_stage
            changes["stage_entered_at"] = at
            changes["termination_reason"] = event.reason
        case Action.REOPEN:
            changes["stage"] = event.to_stage
            changes["episode"] = case.episode + 1
            changes["stage_entered_at"] = at
            changes["records"] = NO_RECORDS
            changes["termination_reason"] = None
        case Action.MIGRATE:
            changes["definition"] = _pinned(event)
        case Action.REQUEST:
            changes["requests"] = (*case.requests, event)
        case Action.APPROVE | Action.REJECT:
            changes["requests"] = tuple(
                request for request in case.requests if request.seq != event.request
            )
            if action is Action.APPROVE:
                changes["approved"] = case.request(event.request or 0)
        case Action.ASSIGN:
            changes["assigned"] = event.worker
        case Action.REFER:
            changes["referral"] = Referral(event.seq, event.referral_to)
        case Action.TRANSFER:
            changes["unit"] = event.unit
        case Action.CONSENT if event.consent is not None:
            consent = event.consent
            held = dict(case.consents)
            held[consent.purpose] = consent.given
            changes["consents"] = tuple(
                (purpose, held[purpose])
                for purpose in ConsentPurpose
                if purpose in held
            )
        case _:
            pass
    return evolve(case, changes)


def _opened(event: Event, definition: Definition) -> Case:
    at = event.occurred_at
    return Case(
        case_id=event.case_id,
        residential=bool(event.residential),
        stage=event.to_stage,
        episode=event.episode,
        seq=event.seq,
        opened_at=at,
        stage_entered_at=at,
        last_occurred_at=at,
        definition=definition,
        opened_by=event.actor.id,
    )


def _entering(
    rules: Rules, records: RecordsInForce, stage: Stage, *, loop: bool
) -> RecordsInForce:
    """The records in force once a case enters ``stage`` under ``rules``.

    Where an evaluation may be recorded during intervention, one recorded
    in this visit to intervention still counts on entering evaluation (the
    newest counts), and none from an earlier visit does.
    """
    if rules.progress_evaluation:
        if stage is Stage.INTERVENTION:
            return evolve(records, {"activity": None, "evaluation": None})
        if stage is Stage.EVALUATION:
            return records
    return records.entering(stage, loop=loop)


def _pinned(event: Event) -> Definition:
    """The definition an open or migrate event names (unpinned: the first)."""
    pin = event.process
    if pin is None:
        return first_rules()
    from helping_process.definitions import by_digest  # noqa: PLC0415 - cycle

    definition = by_digest(pin.digest)
    if definition is None or (definition.name, definition.version) != (
        pin.name,
        pin.version,
    ):
        raise AuditIntegrityError(event.case_id, event.seq, "definition_missing")
    return definition


def command_of(  # noqa: PLR0911, PLR0912 - one return per action
    event: Event,
) -> OpenCase | Command:
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
                process=None if event.process is None else _pinned(event),
            )
        case Action.MIGRATE if event.process is not None:
            return MigrateCase(to=_pinned(event), note=event.note, occurred_at=occurred)
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
        case Action.REQUEST:
            return requested_command(event, occurred_at=occurred)
        case Action.APPROVE if event.request is not None:
            return ApproveRequest(
                request=event.request, note=event.note, occurred_at=occurred
            )
        case Action.REJECT if event.request is not None:
            return RejectRequest(
                request=event.request, note=event.note, occurred_at=occurred
            )
        case Action.ASSIGN if event.worker is not None:
            return AssignCase(
                worker=event.worker,
                reason=event.assign_reason,
                note=event.note,
                occurred_at=occurred,
            )
        case Action.REFER if event.referral_to is not None:
            return ReferCase(
                to=event.referral_to, note=event.note, occurred_at=occurred
            )
        case Action.TRANSFER if event.unit is not None:
            return TransferCase(unit=event.unit, note=event.note, occurred_at=occurred)
        case Action.CONSENT if event.consent is not None:
            return RecordConsent(
                consent=event.consent, note=event.note, occurred_at=occurred
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
        if (
            decision.event.action is Action.REQUEST
            and event.action is not Action.REQUEST
        ):
            # The rules hold this command for approval; the trail applies it.
            raise AuditIntegrityError(event.case_id, event.seq, "unapproved")
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
    rules = rules_of(case.definition)
    options = rules.options(case.stage, residential=case.residential)
    moves = []
    for move in options.moves:
        if isinstance(move, MoveOption):
            moves.append(move)
            continue
        spec, target, note_required = move
        missing = tuple(rules.move_requirements(spec, case.records, day))
        moves.append(
            MoveOption(
                target=target,
                allowed=not missing,
                missing=missing,
                note_required=note_required,
            )
        )
    terminations = []
    for ending in options.terminations:
        if isinstance(ending, TerminationOption):
            terminations.append(ending)
            continue
        reason, option = ending
        missing = tuple(
            rules.ending_requirements(case.stage, reason, case.records, day)
        )
        if missing:
            option = attrs.evolve(option, allowed=False, missing=missing)
        terminations.append(option)
    if case.referral is not None:
        # A referral recorded on the case is where it refers to.
        terminations = [
            attrs.evolve(option, referral_required=False)
            if option.referral_required
            else option
            for option in terminations
        ]
    return NextMoves(
        stage=case.stage, moves=tuple(moves), terminations=tuple(terminations)
    )
