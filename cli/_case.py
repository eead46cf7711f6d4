"""``helping-process case …``: open, record, move, terminate, reopen, redact, read.

Every CASE argument takes a full case id or a unique prefix of one (at least
four characters), so the short ids ``case list`` shows can be typed back.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from helping_process import Event
from helping_process import InvalidInputError
from helping_process import RecordKind
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import next_moves
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.staff import Operation

from ._local import CodeType
from ._local import LocalGroup
from ._local import case_argument
from ._local import option
from ._render import SHORT_ID
from ._render import case_json
from ._render import case_lines
from ._render import event_json
from ._render import head_json
from ._render import short_label
from ._render import summary_json
from ._render import table
from ._render import when
from ._render import wrap
from ._settings import Settings
from ._settings import now
from ._settings import pass_settings
from ._step import step

STAGES = CodeType(tuple(Stage), "stage", "stage")
REASONS = CodeType(tuple(TerminationReason), "reason", "reason")
SUB_REASONS = CodeType(tuple(SubReason), "sub_reason", "sub_reason")
KINDS = CodeType(tuple(RecordKind), "kind", "record_kind")


@click.group("case", cls=LocalGroup, help="help.case")
def case() -> None:
    """Open cases and take them through the helping process."""


@case.command("open", help="help.case.open")
@option("--client", required=True, metavar="REF", help="opt.client")
@option("--residential", is_flag=True, help="opt.residential")
@pass_settings
def open_case(settings: Settings, client: str, residential: bool) -> None:
    """Open a case in engagement, as episode 1."""
    opened = settings.service().open(
        client, actor=settings.who(), residential=residential
    )
    if settings.as_json:
        settings.emit(
            {
                "case_id": opened.case_id,
                "stage": opened.stage.value,
                "episode": opened.episode,
            }
        )
        return
    stage = label("stage", opened.stage, settings.lang)
    settings.echo(settings.say("case.opened", case_id=opened.case_id, stage=stage))


def read_json_object(settings: Settings, data: str | None, path: str | None) -> Any:
    """Return the JSON object given with ``--data`` or in ``--file``.

    Raises:
        Failure: neither or both were given, or the file cannot be read.
        InvalidInputError: the text is not UTF-8, not JSON or not an object.
    """
    if (data is None) == (path is None):
        raise settings.failure("usage.data_or_file", exit_code=2)
    if data is None:
        assert path is not None  # noqa: S101 - exactly one of the two is given
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise settings.failure(
                "usage.unreadable", exit_code=2, path=path, reason=error.strerror
            ) from error
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError("data", "not_utf8") from None
    try:
        parsed = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise InvalidInputError("data", "not_json") from None
    if not isinstance(parsed, dict):
        raise InvalidInputError("data", "not_object")
    return parsed


def _no_constant(name: str) -> Any:
    """Refuse ``NaN`` and ``Infinity``, which JSON does not have."""
    raise InvalidInputError("data", "not_json", name)


@case.command("record", help="help.case.record")
@case_argument()
@click.argument("kind", metavar="KIND", type=KINDS)
@option("--data", metavar="JSON", help="opt.data")
@option("--file", "path", metavar="PATH", help="opt.file")
@pass_settings
def record(
    settings: Settings, case_ref: str, kind: str, data: str | None, path: str | None
) -> None:
    """Add a record given as a JSON object to the case."""
    payload = read_json_object(settings, data, path)
    current = settings.resolve(case_ref)
    after = settings.service().add_record_json(
        current.case_id, kind, payload, actor=settings.who()
    )
    if settings.as_json:
        settings.emit({**head_json(after), "record_kind": kind})
        return
    settings.echo(
        settings.say(
            "case.recorded",
            kind=label("record_kind", kind, settings.lang),
            case_id=after.case_id,
            seq=after.seq,
        )
    )


@case.command("move", help="help.case.move")
@case_argument()
@click.argument("target", metavar="STAGE", type=STAGES)
@option("--note", metavar="TEXT", help="opt.note")
@pass_settings
def move(settings: Settings, case_ref: str, target: str, note: str | None) -> None:
    """Move the case to another stage."""
    current = settings.resolve(case_ref)
    after = settings.service().move(
        current.case_id, Stage(target), actor=settings.who(), note=note
    )
    if settings.as_json:
        settings.emit({**head_json(after), "from_stage": current.stage.value})
        return
    settings.echo(
        settings.say(
            "case.moved",
            case_id=after.case_id,
            source=label("stage", current.stage, settings.lang),
            target=label("stage", after.stage, settings.lang),
        )
    )


@case.command("terminate", help="help.case.terminate")
@case_argument()
@option("--reason", required=True, metavar="CODE", type=REASONS, help="opt.reason")
@option("--sub-reason", metavar="CODE", type=SUB_REASONS, help="opt.sub_reason")
@option("--referral-to", metavar="TEXT", help="opt.referral_to")
@option("--note", required=True, metavar="TEXT", help="opt.termination_note")
@pass_settings
def terminate(  # noqa: PLR0913 - the termination's parts are named
    settings: Settings,
    *,
    case_ref: str,
    reason: str,
    sub_reason: str | None,
    referral_to: str | None,
    note: str,
) -> None:
    """End the case's episode for a reason allowed in its stage."""
    current = settings.resolve(case_ref)
    after = settings.service().terminate(
        current.case_id,
        TerminationReason(reason),
        actor=settings.who(),
        note=note,
        sub_reason=SubReason(sub_reason) if sub_reason else None,
        referral_to=referral_to,
    )
    if settings.as_json:
        settings.emit({**head_json(after), "reason": reason})
        return
    settings.echo(
        settings.say(
            "case.terminated",
            case_id=after.case_id,
            reason=label("reason", reason, settings.lang),
        )
    )


@case.command("reopen", help="help.case.reopen")
@case_argument()
@option("--note", required=True, metavar="TEXT", help="opt.reopen_note")
@pass_settings
def reopen(settings: Settings, case_ref: str, note: str) -> None:
    """Start a new episode of a terminated case."""
    current = settings.resolve(case_ref)
    after = settings.service().reopen(current.case_id, actor=settings.who(), note=note)
    if settings.as_json:
        settings.emit(head_json(after))
        return
    settings.echo(
        settings.say("case.reopened", case_id=after.case_id, episode=after.episode)
    )


@case.command("redact", help="help.case.redact", short_help="help.case.redact.short")
@case_argument()
@option("--note", required=True, metavar="TEXT", help="opt.redact_note")
@pass_settings
def redact(settings: Settings, case_ref: str, note: str) -> None:
    """Redact the personal data of every earlier event of the case."""
    from helping_process.persistence import SqlStore  # noqa: PLC0415 - lazy

    current = settings.resolve(case_ref)
    service = settings.service()
    after = service.redact(current.case_id, actor=settings.who(), note=note)
    redacted = next(
        event.redacted or ()
        for event in reversed(service.history(after.case_id))
        if event.seq == after.seq
    )
    store = service.store
    erased = not (isinstance(store, SqlStore) and store.erase_pending())
    if settings.as_json:
        settings.emit(
            {**head_json(after), "redacted": list(redacted), "erased": erased}
        )
        return
    settings.echo(
        settings.say(
            "case.redacted",
            case_id=after.case_id,
            events=", ".join(map(str, redacted)),
            seq=after.seq,
        )
    )
    if not erased:
        click.echo(settings.say("case.erase_pending"), err=True)


@case.command("show", help="help.case.show", short_help="help.case.show.short")
@case_argument()
@pass_settings
def show(settings: Settings, case_ref: str) -> None:
    """Show the case, its records in force, and every legal next move."""
    current = settings.resolve(case_ref)
    settings.service().read(settings.who(), Operation.SHOW, current.case_id)
    moves = next_moves(current, on=now().date())
    if settings.as_json:
        settings.emit(case_json(current, moves))
        return
    for line in case_lines(current, moves, settings.lang):
        settings.echo(line)


@case.command("list", help="help.case.list")
@option("--stage", metavar="STAGE", type=STAGES, help="opt.stage_filter")
@pass_settings
def list_cases(settings: Settings, stage: str | None) -> None:
    """List the cases, or those in one stage."""
    summaries = settings.service().cases(
        stage=Stage(stage) if stage else None, reader=settings.who()
    )
    verified = bool(summaries) and all(summary.verified for summary in summaries)
    if settings.as_json:
        cases = [summary_json(summary) for summary in summaries]
        settings.emit({"cases": cases, "verified": verified})
        return
    if not summaries:
        settings.echo(settings.say("list.empty"))
        return
    if not verified:
        click.echo(settings.say("list.unverified"), err=True)
    lang = settings.lang
    headers = [
        settings.say(key)
        for key in (
            "list.id",
            "list.client",
            "list.stage",
            "list.episode",
            "list.events",
            "list.updated",
        )
    ]
    rows = [
        [
            summary.case_id[:SHORT_ID],
            summary.client or "-",
            short_label("stage", summary.stage, lang),
            str(summary.episode),
            str(summary.seq),
            when(summary.updated_at),
        ]
        for summary in summaries
    ]
    for line in table(headers, rows, (SHORT_ID, 16, 12, 2, 9, 16)):
        settings.echo(line)


@case.command("history", help="help.case.history")
@case_argument()
@pass_settings
def history(settings: Settings, case_ref: str) -> None:
    """Show the case's audit trail, oldest event first."""
    current = settings.resolve(case_ref)
    events = settings.service().history(current.case_id, reader=settings.who())
    if settings.as_json:
        settings.emit({"events": [event_json(event) for event in events]})
        return
    lang = settings.lang
    headers = [
        settings.say(key)
        for key in (
            "history.seq",
            "history.when",
            "history.actor",
            "history.action",
            "history.stage",
        )
    ]
    rows = []
    details = []
    for event in events:
        target = short_label("stage", event.to_stage, lang)
        stages = target
        if event.from_stage is not None and event.from_stage != event.to_stage:
            stages = f"{short_label('stage', event.from_stage, lang)}>{target}"
        rows.append(
            [
                str(event.seq),
                when(event.occurred_at),
                event.actor.id,
                short_label("action", event.action, lang),
                stages,
            ]
        )
        details.append(_event_detail(event, lang))
    header, *lines = table(headers, rows, (3, 16, 10, 20, 23))
    settings.echo(header)
    for line, detail in zip(lines, details, strict=True):
        settings.echo(line)
        if detail:
            settings.echo(wrap(detail, "     "))


def _event_detail(event: Event, lang: Language) -> str:
    """The record, reason, referral and note of an event, on one line."""
    parts = [
        label("record_kind", event.record.kind, lang) if event.record else "",
        label("reason", event.reason, lang) if event.reason else "",
        label("sub_reason", event.sub_reason, lang) if event.sub_reason else "",
        f"-> {event.referral_to}" if event.referral_to else "",
        f'"{event.note}"' if event.note else "",
    ]
    return "; ".join(part for part in parts if part)


case.add_command(step)
