"""``helping-process case …``: open, record, move, terminate, reopen, redact, read.

Every CASE argument takes a full case id or a unique prefix of one (at least
four characters), so the short ids ``case list`` shows can be typed back.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import click

from helping_process import AddRecord
from helping_process import Case
from helping_process import Event
from helping_process import InvalidInputError
from helping_process import InvalidSubReasonError
from helping_process import RecordKind
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import next_moves
from helping_process import parse_record
from helping_process.definitions import check_record
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.model import AssignReason
from helping_process.model import ConsentPurpose
from helping_process.staff import Operation
from helping_process.states import to_json
from helping_process.states.termination import REASON_RULES
from helping_process.views import case_json
from helping_process.views import event_json
from helping_process.views import head_json
from helping_process.views import process_json
from helping_process.views import request_json
from helping_process.views import summary_json

from ._errors import BAD_INPUT
from ._errors import CANCELLED
from ._errors import failure
from ._local import CodeType
from ._local import LocalGroup
from ._local import case_argument
from ._local import option
from ._messages import say
from ._prompts import Asker
from ._prompts import ask_record
from ._render import SHORT_ID
from ._render import case_lines
from ._render import pretty
from ._render import short_label
from ._render import table
from ._render import when
from ._render import wrap
from ._settings import Settings
from ._settings import now
from ._settings import pass_settings
from ._step import awaits_approval
from ._step import gate_code
from ._step import step

if TYPE_CHECKING:
    from helping_process.service import CaseSummary

STAGES = CodeType(tuple(Stage), "stage", "stage")
REASONS = CodeType(tuple(TerminationReason), "reason", "reason")


class _SubReasonType(CodeType):
    """A sub-reason code, completed in the shell, checked against its reason.

    An unknown code is refused once the reason is known, naming only the
    sub-reasons of that reason (see :func:`terminate`).
    """

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """Return the value as given; :func:`terminate` checks it."""
        return str(value)


SUB_REASONS = _SubReasonType(tuple(SubReason), "sub_reason", "sub_reason")
KINDS = CodeType(tuple(RecordKind), "kind", "record_kind")


@click.group("case", cls=LocalGroup, help="help.case")
def case() -> None:
    """Open cases and take them through the helping process."""


@case.command("open", help="help.case.open")
@option("--client", required=True, metavar="REF", help="opt.client")
@option("--residential", is_flag=True, help="opt.residential")
@option("--process", "process_ref", metavar="REF", help="opt.process")
@pass_settings
def open_case(
    settings: Settings, client: str, residential: bool, process_ref: str | None
) -> None:
    """Open a case in engagement, as episode 1."""
    opened = settings.service().open(
        client,
        actor=settings.who(),
        # Not given: the definition says (every case of some lives in a panti).
        residential=residential or None,
        process=process_ref,
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
    """Add a record given as a JSON object to the case, or asked field by field."""
    if data is None and path is None:
        asked = _ask_record(settings, case_ref, RecordKind(kind))
        if asked is None:
            return
        current, payload = asked
        # Decided on the case the worker was shown: a change since refuses it.
        after = settings.service().execute(
            current.case_id,
            AddRecord(record=parse_record(kind, payload)),
            actor=settings.who(),
            expected_seq=current.seq,
        )
    else:
        payload = read_json_object(settings, data, path)
        current = settings.resolve(case_ref)
        after = settings.service().add_record_json(
            current.case_id, kind, payload, actor=settings.who()
        )
    if awaits_approval(settings, after):
        return
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


def _ask_record(
    settings: Settings, case_ref: str, kind: RecordKind
) -> tuple[Case, dict[str, Any]] | None:
    """Ask for a record field by field on a terminal, as ``case step`` does.

    The answers are checked as they are given; the record is shown and
    stored only when confirmed. Without a terminal to ask on, the record
    must come with ``--data`` or ``--file``.

    Returns:
        The case as shown and the record's JSON object; None when the worker
        declined to store it.

    Raises:
        Failure: standard input is not a terminal (exit 2), or the worker
            pressed Ctrl-C (exit 130).
    """
    if not sys.stdin.isatty():
        raise settings.failure("usage.data_or_file_terminal", exit_code=BAD_INPUT)
    current = settings.resolve(case_ref)
    lang = settings.lang
    asker = Asker(lang, err=settings.as_json)
    asker.tell(
        "record.heading",
        kind=label("record_kind", kind, lang),
        case_id=current.case_id,
        stage=label("stage", current.stage, lang),
    )
    try:
        payload = ask_record(
            asker, kind, current, today=now().date(), worker=settings.actor_name
        )
        check_record(kind, payload, current.definition)
        asker.echo()
        asker.tell("step.summary.record", kind=label("record_kind", kind, lang))
        for line in pretty(to_json(parse_record(kind, payload)), "  "):
            asker.echo(line)
        confirmed = asker.yes_no("step.confirm")
    except (click.Abort, KeyboardInterrupt, EOFError):
        asker.echo()
        raise settings.failure(
            "cancelled", exit_code=CANCELLED, kind="cancelled"
        ) from None
    if not confirmed:
        asker.tell("step.unchanged")
        return None
    return current, payload


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
    if sub_reason is not None and sub_reason not in tuple(SubReason):
        # A reason of a later definition (client_died, lost_contact) has none.
        rule = REASON_RULES.get(TerminationReason(reason))
        allowed = sorted(
            rule.sub_reasons if rule is not None else (),
            key=tuple(SubReason).index,
        )
        unknown = InvalidSubReasonError(reason, "", sub_reason, allowed)
        raise failure(
            unknown.message(settings.lang),
            kind="InvalidInputError",
            exit_code=BAD_INPUT,
            lang=settings.lang,
            as_json=settings.as_json,
            details={"field": "sub_reason", "allowed": allowed},
        )
    current = settings.resolve(case_ref)
    after = settings.service().terminate(
        current.case_id,
        TerminationReason(reason),
        actor=settings.who(),
        note=note,
        sub_reason=SubReason(sub_reason) if sub_reason else None,
        referral_to=referral_to,
    )
    if awaits_approval(settings, after):
        return
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
    if awaits_approval(settings, after):
        return
    if settings.as_json:
        settings.emit(head_json(after))
        return
    settings.echo(
        settings.say("case.reopened", case_id=after.case_id, episode=after.episode)
    )


@case.command("migrate", help="help.case.migrate")
@case_argument()
@option("--to", "target", required=True, metavar="NAME@VERSION", help="opt.to")
@option("--note", required=True, metavar="TEXT", help="opt.migrate_note")
@pass_settings
def migrate(settings: Settings, case_ref: str, target: str, note: str) -> None:
    """Move the case to another process definition's rules."""
    current = settings.resolve(case_ref)
    after = settings.service().migrate(
        current.case_id, target, actor=settings.actor(), note=note
    )
    if awaits_approval(settings, after):
        return
    if settings.as_json:
        settings.emit({**head_json(after), "process": process_json(after)})
        return
    settings.echo(
        settings.say("case.migrated", case_id=after.case_id, ref=after.definition.ref)
    )


ASSIGN_REASONS = CodeType(tuple(AssignReason), "reason", "assign_reason")
PURPOSES = CodeType(tuple(ConsentPurpose), "purpose", "consent_purpose")


@case.command("assign", help="help.case.assign")
@case_argument()
@option("--worker", required=True, metavar="ID", help="opt.assign_worker")
@option("--reason", metavar="CODE", type=ASSIGN_REASONS, help="opt.assign_reason")
@option("--note", required=True, metavar="TEXT", help="opt.assign_note")
@pass_settings
def assign(
    settings: Settings, case_ref: str, worker: str, reason: str | None, note: str
) -> None:
    """Make another worker the case's worker of record."""
    current = settings.resolve(case_ref)
    after = settings.service().assign(
        current.case_id,
        worker,
        actor=settings.who(),
        note=note,
        reason=AssignReason(reason) if reason else None,
    )
    if settings.as_json:
        settings.emit({**head_json(after), "worker": after.worker, "reason": reason})
        return
    settings.echo(settings.say("case.assigned", case_id=after.case_id, worker=worker))


@case.command("refer", help="help.case.refer")
@case_argument()
@option("--to", "to", required=True, metavar="ORGANISATION", help="opt.refer_to")
@option("--note", required=True, metavar="TEXT", help="opt.refer_note")
@pass_settings
def refer(settings: Settings, case_ref: str, to: str, note: str) -> None:
    """Record an outgoing referral; the case goes on."""
    current = settings.resolve(case_ref)
    after = settings.service().refer(
        current.case_id, to, actor=settings.who(), note=note
    )
    if settings.as_json:
        settings.emit({**head_json(after), "referral_to": to})
        return
    settings.echo(
        settings.say("case.referred", case_id=after.case_id, to=to, seq=after.seq)
    )


@case.command("transfer", help="help.case.transfer")
@case_argument()
@option("--to", "unit", required=True, metavar="UNIT", help="opt.transfer_to")
@option("--note", required=True, metavar="TEXT", help="opt.transfer_note")
@pass_settings
def transfer(settings: Settings, case_ref: str, unit: str, note: str) -> None:
    """Hand the case, with its history, to another unit of the agency."""
    current = settings.resolve(case_ref)
    after = settings.service().transfer(
        current.case_id, unit, actor=settings.who(), note=note
    )
    if settings.as_json:
        settings.emit({**head_json(after), "unit": after.unit})
        return
    settings.echo(settings.say("case.transferred", case_id=after.case_id, unit=unit))


@case.command("consent", help="help.case.consent")
@case_argument()
@option("--purpose", required=True, metavar="CODE", type=PURPOSES, help="opt.purpose")
@option("--given/--withdrawn", "given", required=True, default=None, help="opt.given")
@option("--on", "on", metavar="DATE", help="opt.consent_on")
@option("--note", metavar="TEXT", help="opt.note")
@pass_settings
def consent(  # noqa: PLR0913 - the consent's parts are named
    settings: Settings,
    *,
    case_ref: str,
    purpose: str,
    given: bool,
    on: str | None,
    note: str | None,
) -> None:
    """Record the client's consent for a purpose, given or withdrawn."""
    try:
        day = now().date() if on is None else dt.date.fromisoformat(on)
    except ValueError:
        raise InvalidInputError("on", "not_date", on) from None
    current = settings.resolve(case_ref)
    after = settings.service().consent(
        current.case_id,
        ConsentPurpose(purpose),
        given=given,
        on=day,
        actor=settings.who(),
        note=note,
    )
    if settings.as_json:
        settings.emit(
            {
                **head_json(after),
                "purpose": purpose,
                "given": given,
                "on": day.isoformat(),
            }
        )
        return
    key = "case.consent_given" if given else "case.consent_withdrawn"
    settings.echo(
        settings.say(
            key,
            case_id=after.case_id,
            purpose=label("consent_purpose", purpose, settings.lang),
            on=day.isoformat(),
        )
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
    if awaits_approval(settings, after):
        return
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


@case.command("approve", help="help.case.approve")
@case_argument()
@click.argument("request", metavar="REQUEST", type=click.IntRange(min=1))
@option("--note", required=True, metavar="TEXT", help="opt.approve_note")
@pass_settings
def approve(settings: Settings, case_ref: str, request: int, note: str) -> None:
    """Approve a pending request of the case: its command takes effect now."""
    current = settings.resolve(case_ref)
    after = settings.service().approve(
        current.case_id, request, actor=settings.who(), note=note
    )
    if settings.as_json:
        settings.emit({**head_json(after), "request": request, "approved": True})
        return
    settings.echo(
        settings.say(
            "case.request_approved",
            case_id=after.case_id,
            request=request,
            stage=label("stage", after.stage, settings.lang),
        )
    )


@case.command("reject", help="help.case.reject")
@case_argument()
@click.argument("request", metavar="REQUEST", type=click.IntRange(min=1))
@option("--note", required=True, metavar="TEXT", help="opt.reject_note")
@pass_settings
def reject(settings: Settings, case_ref: str, request: int, note: str) -> None:
    """Reject a pending request of the case (or withdraw one's own)."""
    current = settings.resolve(case_ref)
    after = settings.service().reject(
        current.case_id, request, actor=settings.who(), note=note
    )
    if settings.as_json:
        settings.emit({**head_json(after), "request": request, "approved": False})
        return
    settings.echo(
        settings.say("case.request_rejected", case_id=after.case_id, request=request)
    )


@case.command("pending", help="help.case.pending")
@pass_settings
def pending(settings: Settings) -> None:
    """List the requests that await the current actor's approval."""
    found = settings.service().pending(settings.who())
    found_here = [(item.case_id, item.request) for item in found]
    _request_table(settings, found_here, "pending.none")


@case.command("requests", help="help.case.requests")
@case_argument()
@pass_settings
def requests(settings: Settings, case_ref: str) -> None:
    """List the case's requests awaiting approval, whoever approves them."""
    current = settings.resolve(case_ref)
    found = settings.service().requests(current.case_id, reader=settings.who())
    found_here = [(current.case_id, request) for request in found]
    _request_table(settings, found_here, "requests.none")


def _request_table(
    settings: Settings, found: list[tuple[str, Event]], empty: str
) -> None:
    """Print pending requests: case, number, command, who asked, when."""
    if settings.as_json:
        settings.emit(
            {"requests": [request_json(case_id, event) for case_id, event in found]}
        )
        return
    if not found:
        settings.echo(settings.say(empty))
        return
    lang = settings.lang
    headers = [
        settings.say(key)
        for key in (
            "list.id",
            "pending.request",
            "pending.command",
            "pending.by",
            "pending.approver",
        )
    ]
    rows = []
    for case_id, request in found:
        what = label("gate", gate_code(request), lang)
        if request.reason is not None:
            what = f"{what}: {short_label('reason', request.reason, lang)}"
        approver = short_label("actor_role", str(request.approver), lang)
        rows.append(
            [case_id[:SHORT_ID], str(request.seq), what, request.actor.id, approver]
        )
    for line in table(headers, rows, (SHORT_ID, 10, 30, 12, 12)):
        settings.echo(line)


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


#: How many cases or events one page shows unless ``--limit`` says.
PAGE: Final = 50


def encode_cursor(*parts: object) -> str:
    """Return an opaque cursor naming where the next page starts."""
    text = json.dumps([str(part) for part in parts], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(token: str, size: int) -> list[str]:
    """Return the parts of a cursor :func:`encode_cursor` made.

    Raises:
        InvalidInputError: the token is no such cursor.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError):
        parts = None
    if not (
        isinstance(parts, list)
        and len(parts) == size
        and all(isinstance(part, str) for part in parts)
    ):
        raise InvalidInputError("cursor", "not_cursor", token)
    return parts


def _before(token: str | None) -> tuple[dt.datetime, str] | None:
    """The (opened_at, case_id) a ``case list`` cursor names."""
    if token is None:
        return None
    opened_at, case_id = decode_cursor(token, 2)
    try:
        moment = dt.datetime.fromisoformat(opened_at)
    except ValueError:
        raise InvalidInputError("cursor", "not_cursor", token) from None
    if moment.tzinfo is None:
        raise InvalidInputError("cursor", "not_cursor", token)
    return moment, case_id


@case.command("list", help="help.case.list")
@option("--stage", metavar="STAGE", type=STAGES, help="opt.stage_filter")
@option("--opened-since", metavar="DATE", help="opt.opened_since")
@option("--worker", metavar="ID", help="opt.worker_filter")
@option("--process", "process_ref", metavar="REF", help="opt.process_filter")
@option(
    "--limit",
    metavar="N",
    type=click.IntRange(min=1),
    default=PAGE,
    show_default=True,
    help="opt.limit",
)
@option("--cursor", metavar="TOKEN", help="opt.cursor")
@pass_settings
def list_cases(  # noqa: PLR0913 - each filter is named
    settings: Settings,
    *,
    stage: str | None,
    opened_since: str | None,
    worker: str | None,
    process_ref: str | None,
    limit: int,
    cursor: str | None,
) -> None:
    """List the cases, newest first, a page at a time, filtered."""
    from ._audit import parse_moment  # noqa: PLC0415 - the audit commands load lazily

    since = parse_moment(settings, "--opened-since", opened_since, end_of_day=False)
    before = _before(cursor)
    service = settings.service()
    wanted = service.definition(process_ref).digest if process_ref else None
    summaries: list[CaseSummary] = []
    while True:
        # One more than a page tells whether another page follows.
        page = service.case_page(
            limit=limit + 1,
            stage=Stage(stage) if stage else None,
            opened_since=since,
            worker=worker,
            before=before,
        )
        summaries += [
            summary
            for summary in page
            if wanted is None
            or service.get(summary.case_id).definition.digest == wanted
        ]
        if wanted is None or len(summaries) > limit or len(page) <= limit:
            break
        # The process a case follows is in its trail, not its row: read on.
        before = (page[-1].opened_at, page[-1].case_id)
    more = len(summaries) > limit
    summaries = summaries[:limit]
    last = summaries[-1] if summaries else None
    next_cursor = (
        encode_cursor(last.opened_at.isoformat(), last.case_id)
        if more and last is not None
        else None
    )
    filtered = any(
        value is not None for value in (stage, opened_since, worker, process_ref)
    )
    verified = bool(summaries) and all(summary.verified for summary in summaries)
    if settings.as_json:
        cases = [summary_json(summary) for summary in summaries]
        settings.emit(
            {"cases": cases, "verified": verified, "next_cursor": next_cursor}
        )
        return
    if not summaries:
        empty = "list.no_match" if filtered or cursor else "list.empty"
        settings.echo(settings.say(empty))
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
    if next_cursor is not None:
        click.echo(settings.say("list.next_page", cursor=next_cursor), err=True)


@case.command("history", help="help.case.history")
@case_argument()
@option("--limit", metavar="N", type=click.IntRange(min=1), help="opt.history_limit")
@option("--cursor", metavar="TOKEN", help="opt.cursor")
@pass_settings
def history(
    settings: Settings, case_ref: str, limit: int | None, cursor: str | None
) -> None:
    """Show the case's audit trail, oldest event first, a page at a time."""
    current = settings.resolve(case_ref)
    after = 0
    if cursor is not None:
        (seq,) = decode_cursor(cursor, 1)
        if not seq.isdigit():
            raise InvalidInputError("cursor", "not_cursor", cursor)
        after = int(seq)
    events = settings.service().events_page(
        current.case_id,
        after=after,
        limit=None if limit is None else limit + 1,
        reader=settings.who(),
    )
    more = limit is not None and len(events) > limit
    events = events[:limit]
    next_cursor = encode_cursor(events[-1].seq) if more and events else None
    if settings.as_json:
        settings.emit(
            {
                "events": [event_json(event) for event in events],
                "next_cursor": next_cursor,
            }
        )
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
    if next_cursor is not None:
        click.echo(settings.say("list.next_page", cursor=next_cursor), err=True)


def _event_detail(event: Event, lang: Language) -> str:
    """The record, reason, referral and note of an event, on one line."""
    parts = [
        label("record_kind", event.record.kind, lang) if event.record else "",
        label("reason", event.reason, lang) if event.reason else "",
        label("sub_reason", event.sub_reason, lang) if event.sub_reason else "",
        f"-> {event.referral_to}" if event.referral_to else "",
        f"(#{event.referral_seq})" if event.referral_seq else "",
        f"=> {event.worker}" if event.worker else "",
        label("assign_reason", event.assign_reason, lang)
        if event.assign_reason
        else "",
        f"=> {event.unit}" if event.unit else "",
        _consent_detail(event, lang),
        f'"{event.note}"' if event.note else "",
        f"#{event.request}" if event.request is not None else "",
    ]
    return "; ".join(part for part in parts if part)


case.add_command(step)


def _consent_detail(event: Event, lang: Language) -> str:
    """A consent event's purpose, whether given, and its day."""
    consent = event.consent
    if consent is None:
        return ""
    purpose = label("consent_purpose", consent.purpose, lang)
    key = "history.consent_given" if consent.given else "history.consent_withdrawn"
    return say(key, lang, purpose=purpose, on=consent.on.isoformat())
