"""``helping-process case step``: take a case one step, interactively.

The worker sees where the case stands and what is legal now, picks one
numbered choice (record what is missing, move to an allowed stage, end the
episode), answers prompts that validate as they go, checks a summary and
confirms. The command is decided against the version of the case that was
shown (``expected_seq``): if someone else changed the case meanwhile, it is
refused with :class:`~helping_process.ConcurrentUpdateError` and nothing is
stored. Ctrl-C at any prompt stores nothing and exits with 130.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

import attrs
import click

from helping_process import AddRecord
from helping_process import Case
from helping_process import Command
from helping_process import Event
from helping_process import MoveCase
from helping_process import NextMoves
from helping_process import RecordKind
from helping_process import ReopenCase
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process import next_moves
from helping_process import parse_record
from helping_process.definitions import check_record
from helping_process.labels import label
from helping_process.staff import Operation
from helping_process.states import to_json
from helping_process.views import head_json
from helping_process.views import made_request
from helping_process.views import pending_json

from ._errors import CANCELLED
from ._local import LocalCommand
from ._local import case_argument
from ._messages import say
from ._prompts import Asker
from ._prompts import ask_record
from ._prompts import number_prompt
from ._render import next_lines
from ._render import pretty
from ._render import wrap
from ._settings import Settings
from ._settings import now
from ._settings import pass_settings

#: What a chosen action asks and decides: the command and its summary.
Prepare = Callable[[Asker], tuple[Command, list[str]]]

_QUIT: Final = "0"


@attrs.frozen
class Choice:
    """One numbered choice of the step menu.

    Attributes:
        text: what the menu shows.
        prepare: asks what the command needs; returns it with its summary.
    """

    text: str
    prepare: Prepare


def needed_kinds(moves: NextMoves) -> set[RecordKind]:
    """Return the record kinds some next move or termination still lacks."""
    missing = [item for move in moves.moves for item in move.missing]
    missing += [item for option in moves.terminations for item in option.missing]
    kinds = set()
    for item in missing:
        prefix = item.partition(".")[0]
        if prefix in tuple(RecordKind):
            kinds.add(RecordKind(prefix))
    return kinds


def choices(
    case: Case, moves: NextMoves, asker: Asker, *, today: dt.date, worker: str
) -> list[Choice]:
    """Return the legal choices in this stage, records that are missing first."""
    lang = asker.lang
    # The kinds the case's definition takes in this stage, in its order.
    addable = [
        RecordKind(spec.code)
        for spec in case.definition.record_kinds
        if case.stage in spec.stages
    ]
    needed = needed_kinds(moves)
    addable.sort(key=lambda kind: kind not in needed)
    menu = []
    for kind in addable:
        key = "step.record_needed" if kind in needed else "step.record"
        menu.append(
            Choice(
                say(key, lang, kind=label("record_kind", kind, lang)),
                _record(case, kind, today=today, worker=worker),
            )
        )
    # Forward moves first: going back is the exception and needs a note.
    for move in sorted(moves.moves, key=lambda move: move.note_required):
        if not move.allowed:
            continue
        if _reopens(case, move.target):
            text = say("step.reopen", asker.lang, episode=case.episode + 1)
        else:
            text = say("step.move", asker.lang, stage=label("stage", move.target, lang))
        menu.append(
            Choice(text, _move(case, move.target, note_required=move.note_required))
        )
    if any(option.allowed for option in moves.terminations):
        menu.append(Choice(say("step.terminate", asker.lang), _terminate(moves)))
    return menu


def _reopens(case: Case, target: Stage) -> bool:
    """Whether the move to ``target`` starts a new episode."""
    return any(
        move.kind == "reopen"
        for move in case.definition.moves_between(case.stage, target)
    )


def _record(case: Case, kind: RecordKind, *, today: dt.date, worker: str) -> Prepare:
    def prepare(asker: Asker) -> tuple[Command, list[str]]:
        data = ask_record(asker, kind, case, today=today, worker=worker)
        check_record(kind, data, case.definition)
        record = parse_record(kind, data)
        summary = [
            say(
                "step.summary.record",
                asker.lang,
                kind=label("record_kind", kind, asker.lang),
            )
        ]
        return AddRecord(record=record), summary + pretty(to_json(record), "  ")

    return prepare


def _move(case: Case, target: Stage, *, note_required: bool) -> Prepare:
    def prepare(asker: Asker) -> tuple[Command, list[str]]:
        if note_required:
            note: str | None = asker.required_text("step.note_required")
        else:
            note = asker.text("step.note_optional", optional=True)
        lang = asker.lang
        if _reopens(case, target):
            command: Command = ReopenCase(note=note)
            summary = [say("step.summary.reopen", asker.lang, episode=case.episode + 1)]
        else:
            command = MoveCase(target=target, note=note)
            summary = [
                say(
                    "step.summary.move",
                    lang,
                    source=label("stage", case.stage, lang),
                    target=label("stage", target, lang),
                )
            ]
        if note:
            summary.append(wrap(say("step.summary.note", asker.lang, note=note), "  "))
        return command, summary

    return prepare


def _terminate(moves: NextMoves) -> Prepare:
    def prepare(asker: Asker) -> tuple[Command, list[str]]:
        lang = asker.lang
        options = {
            option.reason: option for option in moves.terminations if option.allowed
        }
        reason = TerminationReason(asker.codes("step.reason", "reason", tuple(options)))
        option = options[reason]
        sub_reason = None
        if option.sub_reasons:
            sub_reason = SubReason(
                asker.codes("step.sub_reason", "sub_reason", option.sub_reasons)
            )
        referral = None
        if option.referral_required:
            referral = asker.required_text("step.referral_to")
        note = asker.required_text("step.termination_note")
        command = TerminateCase(
            reason=reason, sub_reason=sub_reason, referral_to=referral, note=note
        )
        summary = [
            say(
                "step.summary.terminate",
                asker.lang,
                reason=label("reason", reason, lang),
            )
        ]
        if sub_reason is not None:
            summary.append("  " + label("sub_reason", sub_reason, lang))
        if referral is not None:
            summary.append(
                wrap(say("step.summary.referral", asker.lang, referral=referral), "  ")
            )
        summary.append(wrap(say("step.summary.note", asker.lang, note=note), "  "))
        return command, summary

    return prepare


def _choose(asker: Asker, menu: list[Choice]) -> Choice | None:
    """Show the menu and return the choice made, or None to leave."""
    asker.tell("step.menu")
    for number, choice in enumerate(menu, start=1):
        asker.echo(f"  {number}) {choice.text}")
    asker.echo(f"  {_QUIT}) {say('step.quit', asker.lang)}")
    while True:
        answer = click.prompt(
            number_prompt(len(menu), asker.lang),
            err=asker.err,
            type=str,
        ).strip()
        if answer == _QUIT:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(menu):
            return menu[int(answer) - 1]
        asker.complain(say("prompt.not_a_choice", asker.lang))


@click.command(
    "step",
    cls=LocalCommand,
    help="help.case.step",
    short_help="help.case.step.short",
)
@case_argument()
@pass_settings
def step(settings: Settings, case_ref: str) -> None:
    """Take the case one step: record, move or terminate, interactively."""
    current = settings.resolve(case_ref)
    settings.service().read(settings.who(), Operation.SHOW, current.case_id)
    today = now().date()
    moves = next_moves(current, on=today)
    asker = Asker(settings.lang, err=settings.as_json)
    lang = settings.lang
    asker.tell(
        "step.heading",
        case_id=current.case_id,
        stage=label("stage", current.stage, lang),
        episode=current.episode,
        seq=current.seq,
    )
    for line in next_lines(moves, lang):
        asker.echo(line)
    menu = choices(current, moves, asker, today=today, worker=settings.actor_name)
    try:
        chosen = _choose(asker, menu)
        if chosen is None:
            asker.tell("step.unchanged")
            return
        command, summary = chosen.prepare(asker)
        asker.echo()
        for line in summary:
            asker.echo(line)
        if not asker.yes_no("step.confirm"):
            asker.tell("step.unchanged")
            return
    except (click.Abort, KeyboardInterrupt, EOFError):
        asker.echo()
        raise settings.failure(
            "cancelled", exit_code=CANCELLED, kind="cancelled"
        ) from None
    after = settings.service().execute(
        current.case_id, command, actor=settings.who(), expected_seq=current.seq
    )
    if awaits_approval(settings, after):
        return
    if settings.as_json:
        settings.emit(head_json(after))
        return
    settings.echo(
        settings.say(
            "step.done",
            stage=label("stage", after.stage, lang),
            episode=after.episode,
            seq=after.seq,
        )
    )


def awaits_approval(settings: Settings, after: Case) -> bool:
    """Say that the command became a request for approval, if it did.

    A gated command leaves the case as it was: the requester is told which
    request awaits whose approval (``--json``: ``"pending": true`` and
    ``"request"``), never that the command is done.
    """
    request = made_request(after)
    if request is None:
        return False
    if settings.as_json:
        settings.emit(pending_json(after, request))
        return True
    settings.echo(
        settings.say(
            "case.request_made",
            case_id=after.case_id,
            request=request.seq,
            command=label("gate", gate_code(request), settings.lang),
            approver=label("actor_role", str(request.approver), settings.lang),
        )
    )
    return True


def gate_code(request: Event) -> str:
    """The gate a request stands for: ``coerce`` for an activity, else its action."""
    return "coerce" if request.record is not None else str(request.requested)
