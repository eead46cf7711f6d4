"""The ASGI application: routes, authentication, problems, access log.

Handlers run on the event loop and call :class:`CaseService` directly: a
command is a few hundred microseconds of SQLite or PostgreSQL work, less
than handing it to a thread would add, and one process then never runs two
commands at once, so the service's case cache needs no lock. Processes
scale out (``serve --workers N``, or more hosts on one PostgreSQL): each
command is decided on the case as stored and appended with a guard on the
head it chains to, so nothing one process holds can contradict another.
Audit verification and reports, which read the whole trail, run in a
worker thread so they never stall the commands.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from typing import Final

import anyio.to_thread
import attrs
import orjson
from litestar import Litestar
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.exceptions import MethodNotAllowedException
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp
from litestar.types import HTTPResponseBodyEvent
from litestar.types import HTTPResponseStartEvent
from litestar.types import Message
from litestar.types import Receive
from litestar.types import Scope
from litestar.types import Send

from helping_process import audit
from helping_process import views
from helping_process.definitions import DEFAULT_REF
from helping_process.definitions import Definition
from helping_process.definitions import builtin
from helping_process.definitions import builtins
from helping_process.definitions import record_schema
from helping_process.engine import next_moves
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import HelpingProcessError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import UnknownCaseError
from helping_process.exceptions import UnknownDefinitionError
from helping_process.http._body import Member
from helping_process.http._body import decode_cursor
from helping_process.http._body import encode_cursor
from helping_process.http._body import read_code
from helping_process.http._body import read_count
from helping_process.http._body import read_limit
from helping_process.http._body import read_moment
from helping_process.http._body import read_request
from helping_process.http._openapi import ENFORCED_REF
from helping_process.http._openapi import openapi_document
from helping_process.http._problems import MEDIA_TYPE
from helping_process.http._problems import Problem
from helping_process.http._problems import field_error
from helping_process.http._problems import from_error
from helping_process.http._problems import invalid
from helping_process.labels import Language
from helping_process.labels import render
from helping_process.model import Actor
from helping_process.model import AssignCase
from helping_process.model import AssignReason
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import Consent
from helping_process.model import ConsentPurpose
from helping_process.model import MigrateCase
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import RecordConsent
from helping_process.model import RedactCase
from helping_process.model import ReferCase
from helping_process.model import ReopenCase
from helping_process.model import TerminateCase
from helping_process.model import TransferCase
from helping_process.service import AuditStore
from helping_process.service import CaseService
from helping_process.service import retry_on_conflict
from helping_process.staff import Operation
from helping_process.states import RecordKind
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.tokens import RememberingTokenStore
from helping_process.tokens import TokenStore

#: How many seconds a live token's member is remembered by default: a
#: revocation made elsewhere holds everywhere within this time.
TOKEN_TTL: Final = 1.0

#: The access log: one line per request, naming the staff member.
access_log = logging.getLogger("helping_process.http.access")
_errors_log = logging.getLogger("helping_process.http")

_JSON: Final = "application/json"
_BEARER: Final = "bearer "
#: The longest case id the API looks up (the column's width).
_MAX_CASE_ID: Final = 64

_OPEN: Final = {
    "client": Member("text", required=True),
    "residential": Member("bool"),
    "note": Member("text"),
    "process": Member("text"),
}
_RECORD: Final = {
    "kind": Member("text", required=True, codes=tuple(RecordKind)),
    "data": Member("object", required=True),
}
_MOVE: Final = {
    "to": Member("text", required=True, codes=tuple(Stage)),
    "note": Member("text"),
}
_TERMINATION: Final = {
    "reason": Member("text", required=True, codes=tuple(TerminationReason)),
    "sub_reason": Member("text", codes=tuple(SubReason)),
    "referral_to": Member("text"),
    "note": Member("text"),
}
_NOTE: Final = {"note": Member("text")}
_ASSIGNMENT: Final = {
    "worker": Member("text", required=True),
    "reason": Member("text", codes=tuple(AssignReason)),
    "note": Member("text"),
}
_REFERRAL: Final = {"to": Member("text", required=True), "note": Member("text")}
_TRANSFER: Final = {"unit": Member("text", required=True), "note": Member("text")}
_CONSENT: Final = {
    "purpose": Member("text", required=True, codes=tuple(ConsentPurpose)),
    "given": Member("bool", required=True),
    "on": Member("text"),
    "note": Member("text"),
}
_VERIFY: Final = {"case_id": Member("text")}
_MIGRATION: Final = {
    "to": Member("text", required=True),
    "note": Member("text", required=True),
}


@attrs.frozen
class Api:
    """What the handlers work with, kept in the application's state.

    Attributes:
        service: the case service.
        tokens: the API tokens.
        clock: the current time (aware).
        openapi: the OpenAPI document, encoded once.
    """

    service: CaseService
    tokens: TokenStore
    clock: Callable[[], dt.datetime]
    openapi: bytes


def _api(request: Request[Any, Any, Any]) -> Api:
    api: Api = request.app.state["api"]
    return api


def _header(request: Request[Any, Any, Any], name: bytes) -> str | None:
    """Return the first value of a request header (``name`` in lower case).

    Read from the ASGI scope's raw pairs: a request carries a handful of
    headers, and a scan of them costs less than the framework building its
    header mapping, which every request would otherwise do several times.
    """
    for key, value in request.scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def language(request: Request[Any, Any, Any]) -> Language:
    """Return the language the client prefers: Indonesian or English."""
    accepted = _header(request, b"accept-language") or ""
    for part in accepted.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("id"):
            return "id"
        if tag.startswith("en"):
            return "en"
    return "en"


def _actor(request: Request[Any, Any, Any], lang: Language) -> str:
    """Return the id of the staff member whose token the request carries.

    Only the id: with a staff roster, the role the case event records is
    the member's own (see :mod:`helping_process.staff`), and a member the
    roster refuses is answered 403 ``forbidden``.

    Raises:
        Problem: 401, no token or an unknown or revoked one.
    """
    header = _header(request, b"authorization") or ""
    challenge = {"WWW-Authenticate": 'Bearer realm="helping-process"'}
    if not header.lower().startswith(_BEARER):
        raise Problem(
            "unauthorized", render("http.unauthorized", lang, {}), headers=challenge
        )
    actor_id = _api(request).tokens.actor_of(header[len(_BEARER) :].strip())
    if actor_id is None:
        raise Problem(
            "unauthorized", render("http.bad_token", lang, {}), headers=challenge
        )
    # For the request log: the scope's own state dict, which the framework's
    # ``request.state`` would wrap in a new object on every request.
    request.scope.setdefault("state", {})["actor"] = actor_id
    return actor_id


class _Answer:
    """A finished JSON answer, sent to the ASGI server as it is.

    Handlers return it rather than a framework ``Response``, which the
    framework would convert into an ASGI response of its own on every
    request (its headers object, media-type and cookie handling): the
    answers here are all JSON with a few known headers, so their raw
    header pairs are built directly. Errors still go through the
    framework's exception handlers as problems.
    """

    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        body: bytes,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = _JSON,
    ) -> None:
        self.body = body
        self.status = status
        self.headers = [
            (b"content-type", media_type.encode("ascii")),
            (b"content-length", str(len(self.body)).encode("ascii")),
            *(
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in (headers or {}).items()
            ),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the status line, the headers and the body."""
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": self.status,
            "headers": self.headers,
        }
        await send(start)
        body: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": self.body,
            "more_body": False,
        }
        await send(body)


def _json(
    data: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> ASGIApp:
    """Answer with ``data`` as JSON."""
    return _Answer(orjson.dumps(data), status, headers)


def _written(api: Api, case: Case, status: int = 200) -> ASGIApp:
    """Answer a command: the case after it, or 202 if it awaits approval.

    A command the process definition gates became a request instead: 202
    Accepted, with the request (see ``views.pending_json``).
    """
    request = views.made_request(case)
    if request is not None:
        return _json(views.pending_json(case, request), 202, {"ETag": f'"{case.seq}"'})
    return _case_response(api, case, status)


def _case_response(api: Api, case: Case, status: int = 200) -> ASGIApp:
    """Answer with the case, its records, its next moves and its ETag."""
    moves = next_moves(case, on=api.clock().date())
    headers = {"ETag": f'"{case.seq}"'}
    if status == 201:  # noqa: PLR2004 - Created
        headers["Location"] = f"/cases/{case.case_id}"
    return _json(views.case_json(case, moves), status, headers)


def _case_id(case_id: str, lang: Language) -> str:
    """Return a case id worth looking up; refuse one no case can have."""
    if not 0 < len(case_id) <= _MAX_CASE_ID or not case_id.isprintable():
        raise from_error(UnknownCaseError(case_id), lang)
    return case_id


def _expected_seq(request: Request[Any, Any, Any]) -> int | str | None:
    """Return the seq ``If-Match`` names, None without one, or the bad text."""
    given = _header(request, b"if-match")
    if given is None or given.strip() == "*":
        return None
    tag = given.split(",")[0].strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() and len(tag) < 19 else given  # noqa: PLR2004 - 64-bit


def _run(
    request: Request[Any, Any, Any],
    case_id: str,
    command: Command,
    lang: Language,
    actor: Actor | str,
) -> Case:
    """Run a command on a case, guarded by ``If-Match`` when it is sent."""
    service = _api(request).service
    return _guarded(
        request,
        case_id,
        lang,
        lambda seq: service.execute(case_id, command, actor=actor, expected_seq=seq),
    )


def _guarded(
    request: Request[Any, Any, Any],
    case_id: str,
    lang: Language,
    write: Callable[[int | None], Case],
) -> Case:
    """Write to a case (``write`` is given the seq expected, or None).

    Without ``If-Match`` a write that lost a race is decided again on the
    case as it now stands (a few times at most); with it, a case changed
    since that version is refused with 412.
    """
    service = _api(request).service
    expected = _expected_seq(request)
    if expected is None:
        return retry_on_conflict(lambda: write(None))
    if isinstance(expected, int):
        try:
            return write(expected)
        except ConcurrentUpdateError:
            pass
    current = service.get(case_id)
    detail = render(
        "http.precondition_failed",
        lang,
        {"case_id": case_id, "seq": current.seq, "given": expected},
    )
    raise Problem(
        "precondition-failed",
        detail,
        {"seq": current.seq},
        {"ETag": f'"{current.seq}"'},
    )


# Cases ------------------------------------------------------------------------


def _named_definition(api: Api, field: str, ref: str, lang: Language) -> Definition:
    """Return the definition a body names in ``field``.

    A body naming no definition is malformed (422 naming the field), not a
    request for a missing resource.
    """
    try:
        return api.service.definition(ref)
    except UnknownDefinitionError as error:
        problem = field_error(field, "unknown", error.message(lang))
        raise invalid([problem], lang) from None


@post("/cases", status_code=201)
async def open_case(request: Request[Any, Any, Any]) -> ASGIApp:
    """Open a case in engagement."""
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _OPEN, lang)
    api = _api(request)
    residential = body["residential"]
    # Validates the client and note before the definition is looked up.
    command = OpenCase(
        client=body["client"], residential=bool(residential), note=body["note"]
    )
    process = (
        None
        if body["process"] is None
        else _named_definition(api, "process", body["process"], lang)
    )
    case = api.service.open(
        command.client,
        actor=actor,
        residential=None if residential is None else command.residential,
        note=command.note,
        process=process,
    )
    return _case_response(api, case, 201)


@get("/cases")
async def list_cases(request: Request[Any, Any, Any]) -> ASGIApp:
    """List cases, newest first, a page at a time."""
    lang = language(request)
    _api(request).service.read(_actor(request, lang), Operation.LIST, None)
    query = request.query_params
    stage_code = read_code("stage", query.get("stage"), tuple(Stage), lang)
    limit = read_limit(query.get("limit"), lang)
    since = read_moment("opened_since", query.get("opened_since"), lang)
    before = decode_cursor(query.get("cursor"), lang)
    page = _api(request).service.case_page(
        limit=limit + 1,
        stage=Stage(stage_code) if stage_code is not None else None,
        opened_since=since,
        before=before,
    )
    more = len(page) > limit
    page = page[:limit]
    cursor = encode_cursor(page[-1].opened_at, page[-1].case_id) if more else None
    return _json(
        {"cases": [views.summary_json(item) for item in page], "next_cursor": cursor}
    )


@get("/cases/{case_id:str}")
async def show_case(request: Request[Any, Any, Any]) -> ASGIApp:
    """Show a case, its records in force and every legal next move."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    api = _api(request)
    return _case_response(api, api.service.get(_case_id(case_id, lang), reader=actor))


@post("/cases/{case_id:str}/records", status_code=201)
async def add_record(request: Request[Any, Any, Any]) -> ASGIApp:
    """Add a record of a kind to the case."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _RECORD, lang)
    case_id = _case_id(case_id, lang)
    service = _api(request).service
    case = _guarded(
        request,
        case_id,
        lang,
        lambda seq: service.add_record_json(
            case_id, body["kind"], body["data"], actor=actor, expected_seq=seq
        ),
    )
    return _written(_api(request), case, 201)


@post("/cases/{case_id:str}/moves", status_code=200)
async def move(request: Request[Any, Any, Any]) -> ASGIApp:
    """Move the case to another stage."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _MOVE, lang)
    command = MoveCase(target=Stage(body["to"]), note=body["note"])
    case = _run(request, _case_id(case_id, lang), command, lang, actor)
    return _case_response(_api(request), case)


@post("/cases/{case_id:str}/termination", status_code=200)
async def terminate(request: Request[Any, Any, Any]) -> ASGIApp:
    """End the case's episode for a reason allowed in its stage."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _TERMINATION, lang)
    command = TerminateCase(
        reason=TerminationReason(body["reason"]),
        sub_reason=SubReason(body["sub_reason"]) if body["sub_reason"] else None,
        referral_to=body["referral_to"],
        note=body["note"],
    )
    case = _run(request, _case_id(case_id, lang), command, lang, actor)
    return _written(_api(request), case)


async def _with_note(
    request: Request[Any, Any, Any], command: Callable[..., Command]
) -> ASGIApp:
    """Run a command whose body is only a note (a reopening, a redaction)."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _NOTE, lang)
    case = _run(
        request, _case_id(case_id, lang), command(note=body["note"]), lang, actor
    )
    return _written(_api(request), case)


@post("/cases/{case_id:str}/reopen", status_code=200)
async def reopen(request: Request[Any, Any, Any]) -> ASGIApp:
    """Start a new episode of a terminated case."""
    return await _with_note(request, ReopenCase)


@post("/cases/{case_id:str}/redaction", status_code=200)
async def redact(request: Request[Any, Any, Any]) -> ASGIApp:
    """Remove the personal data of the case's earlier events."""
    return await _with_note(request, RedactCase)


@get("/cases/{case_id:str}/requests")
async def case_requests(request: Request[Any, Any, Any]) -> ASGIApp:
    """The case's requests awaiting approval, oldest first."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    found = _api(request).service.requests(_case_id(case_id, lang), reader=actor)
    return _json({"requests": [views.request_json(case_id, event) for event in found]})


async def _decide(request: Request[Any, Any, Any], *, approve: bool) -> ASGIApp:
    """Approve or reject a pending request; the body is the decider's note."""
    case_id: str = request.path_params["case_id"]
    number: int = request.path_params["number"]
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _NOTE, lang)
    service = _api(request).service
    decide = service.approve if approve else service.reject
    case = retry_on_conflict(
        lambda: decide(_case_id(case_id, lang), number, actor=actor, note=body["note"])
    )
    return _case_response(_api(request), case)


@post("/cases/{case_id:str}/requests/{number:int}/approval", status_code=200)
async def approve_request(request: Request[Any, Any, Any]) -> ASGIApp:
    """Approve a pending request: its command takes effect now."""
    return await _decide(request, approve=True)


@post("/cases/{case_id:str}/requests/{number:int}/rejection", status_code=200)
async def reject_request(request: Request[Any, Any, Any]) -> ASGIApp:
    """Reject a pending request, or withdraw one's own."""
    return await _decide(request, approve=False)


@get("/requests")
async def pending_requests(request: Request[Any, Any, Any]) -> ASGIApp:
    """The requests awaiting the caller's approval (not their own)."""
    lang = language(request)
    actor = _actor(request, lang)
    found = _api(request).service.pending(actor)
    return _json(
        {"requests": [views.request_json(p.case_id, p.request) for p in found]}
    )


async def _casework(
    request: Request[Any, Any, Any],
    members: Mapping[str, Member],
    command: Callable[[dict[str, Any]], Command],
    status: int = 200,
) -> ASGIApp:
    """Run an assignment, referral, transfer or consent from its body."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, members, lang)
    case = _run(request, _case_id(case_id, lang), command(body), lang, actor)
    return _case_response(_api(request), case, status)


@post("/cases/{case_id:str}/assignment", status_code=200)
async def assign(request: Request[Any, Any, Any]) -> ASGIApp:
    """Make another worker the case's worker of record."""
    return await _casework(
        request,
        _ASSIGNMENT,
        lambda body: AssignCase(
            worker=body["worker"],
            reason=AssignReason(body["reason"]) if body["reason"] else None,
            note=body["note"],
        ),
    )


@post("/cases/{case_id:str}/referrals", status_code=201)
async def refer(request: Request[Any, Any, Any]) -> ASGIApp:
    """Record an outgoing referral; the case goes on."""
    return await _casework(
        request,
        _REFERRAL,
        lambda body: ReferCase(to=body["to"], note=body["note"]),
        201,
    )


@post("/cases/{case_id:str}/transfer", status_code=200)
async def transfer(request: Request[Any, Any, Any]) -> ASGIApp:
    """Hand the case, with its history, to another unit of the agency."""
    return await _casework(
        request,
        _TRANSFER,
        lambda body: TransferCase(unit=body["unit"], note=body["note"]),
    )


@post("/cases/{case_id:str}/consents", status_code=201)
async def consent(request: Request[Any, Any, Any]) -> ASGIApp:
    """Record the client's consent for a purpose, given or withdrawn."""
    api = _api(request)

    def command(body: dict[str, Any]) -> Command:
        on = api.clock().date()
        if body["on"] is not None:
            try:
                on = dt.date.fromisoformat(body["on"])
            except ValueError:
                raise InvalidInputError("on", "not_date", body["on"]) from None
        return RecordConsent(
            consent=Consent(ConsentPurpose(body["purpose"]), body["given"], on),
            note=body["note"],
        )

    return await _casework(request, _CONSENT, command, 201)


@post("/cases/{case_id:str}/migration", status_code=200)
async def migrate(request: Request[Any, Any, Any]) -> ASGIApp:
    """Move the case to another process definition's rules, saying why.

    The target (``NAME@VERSION``, or ``NAME`` for its newest) is one the
    service knows: a built-in or an installed definition; it is stored
    with the trail before the migration is decided, as ``case migrate``
    does. A reference no definition has is a 422 naming ``to``.
    """
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _MIGRATION, lang)
    target = _named_definition(_api(request), "to", body["to"], lang)
    _api(request).service.install(target)
    command = MigrateCase(to=target, note=body["note"])
    case = _run(request, _case_id(case_id, lang), command, lang, actor)
    return _written(_api(request), case)


@get("/cases/{case_id:str}/history")
async def history(request: Request[Any, Any, Any]) -> ASGIApp:
    """Return the case's audit events, oldest first, a page at a time."""
    case_id: str = request.path_params["case_id"]
    lang = language(request)
    actor = _actor(request, lang)
    limit = read_limit(request.query_params.get("limit"), lang)
    after = read_count("after", request.query_params.get("after"), lang)
    events = _api(request).service.events_page(
        _case_id(case_id, lang), after=after, limit=limit + 1, reader=actor
    )
    more = len(events) > limit
    events = events[:limit]
    return _json(
        {
            "events": [views.event_json(event) for event in events],
            "next_after": events[-1].seq if more else None,
        }
    )


# Process definitions ------------------------------------------------------------


def _definition_json(definition: Definition) -> dict[str, Any]:
    return {
        "ref": definition.ref,
        "name": definition.name,
        "version": definition.version,
        "digest": definition.digest,
        "default": definition.ref == DEFAULT_REF,
        "enforced": definition.ref == ENFORCED_REF,
        "label": {"en": definition.label.en, "id": definition.label.id},
        "record_kinds": [kind.code for kind in definition.record_kinds],
    }


@get("/process")
async def process(request: Request[Any, Any, Any]) -> ASGIApp:
    """List the process definitions."""
    lang = language(request)
    _actor(request, lang)
    return _json({"definitions": [_definition_json(item) for item in builtins()]})


@get("/process/{ref:str}/schemas/{kind:str}")
async def record_kind_schema(request: Request[Any, Any, Any]) -> ASGIApp:
    """Return the JSON Schema of a record kind of a process definition."""
    ref: str = request.path_params["ref"]
    kind: str = request.path_params["kind"]
    lang = language(request)
    _actor(request, lang)
    definition = builtin(ref)
    try:
        schema = record_schema(definition, kind, lang)
    except KeyError:
        detail = render(
            "http.unknown_kind", lang, {"ref": definition.ref, "kind": kind}
        )
        raise Problem("not-found", detail) from None
    return _Answer(
        orjson.dumps(schema),
        headers={"Content-Language": lang},
        media_type="application/schema+json",
    )


# Audit ------------------------------------------------------------------------


@post("/audit/verify", status_code=200)
async def verify(request: Request[Any, Any, Any]) -> ASGIApp:
    """Recompute the chains and replay the cases (one, or all)."""
    lang = language(request)
    actor = _actor(request, lang)
    body = await read_request(request, _VERIFY, lang)
    service = _api(request).service
    service.read(actor, Operation.VERIFY, body["case_id"])
    seen: audit.Verification = await anyio.to_thread.run_sync(
        lambda: service.verification(body["case_id"])
    )
    return _json(
        {
            "ok": not seen.faults,
            "cases": seen.cases,
            "events": seen.events,
            "findings": [views.finding_json(item) for item in seen.findings],
        }
    )


@get("/audit/report")
async def report(request: Request[Any, Any, Any]) -> ASGIApp:
    """Return the agency's figures and policy findings for a window, as JSON."""
    from helping_process import report as reports  # noqa: PLC0415 - on demand
    from helping_process.policy import Policy  # noqa: PLC0415 - on demand

    lang = language(request)
    actor = _actor(request, lang)
    since = read_moment("since", request.query_params.get("since"), lang)
    until = read_moment("until", request.query_params.get("until"), lang)
    api = _api(request)
    api.service.read(actor, Operation.REPORT, None)

    def build() -> Any:
        with api.service.store.unit_of_work() as uow:
            built = reports.build_report(
                audit.events_of(uow.scan()),
                policy=Policy(),
                as_of=api.clock(),
                since=since,
                until=until,
            )
        checked = api.service.actors_checked
        return attrs.evolve(built, actors_checked=checked).to_json()

    return _json(await anyio.to_thread.run_sync(build))


@get("/openapi.json")
async def openapi(request: Request[Any, Any, Any]) -> ASGIApp:
    """Return the OpenAPI 3.1 document of this API."""
    return _Answer(_api(request).openapi)


# Errors and the access log -------------------------------------------------------


def _problem_response(
    request: Request[Any, Any, Any], problem: Problem
) -> Response[bytes]:
    headers = {"Content-Language": language(request), **problem.headers}
    return Response(
        problem.body(request.url.path),
        status_code=problem.kind.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def _on_problem(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    assert isinstance(error, Problem)  # noqa: S101 - registered for Problem only
    return _problem_response(request, error)


def _on_domain(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    assert isinstance(error, HelpingProcessError)  # noqa: S101 - registered for it only
    problem = from_error(error, language(request))
    if problem.kind.status >= 500:  # noqa: PLR2004 - server errors are logged
        _errors_log.error("%s %s: %s", request.method, request.url.path, error)
    return _problem_response(request, problem)


def _on_http(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    """Answer the framework's own errors (no route, wrong method) as problems."""
    lang = language(request)
    path = request.url.path
    if isinstance(error, NotFoundException):
        problem = Problem("not-found", render("http.not_found", lang, {"path": path}))
    elif isinstance(error, MethodNotAllowedException):
        detail = render(
            "http.method_not_allowed", lang, {"method": request.method, "path": path}
        )
        allowed = (error.headers or {}).get("Allow", "")
        problem = Problem(
            "method-not-allowed",
            detail,
            headers={"Allow": allowed} if allowed else None,
        )
    elif isinstance(error, HTTPException) and error.status_code < 500:  # noqa: PLR2004
        problem = Problem("invalid-input", str(error.detail), {"errors": []})
    else:
        return _on_other(request, error)
    return _problem_response(request, problem)


def _on_other(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    _errors_log.exception("%s %s", request.method, request.url.path, exc_info=error)
    problem = Problem("internal", render("http.internal", language(request), {}))
    return _problem_response(request, problem)


def _access_logged(app: ASGIApp) -> ASGIApp:
    """Wrap the app so every HTTP request writes one line to the access log.

    The line names the client, the method, the path, the status, the staff
    member whose token the request carried (``-`` when none was valid) and
    the milliseconds taken. With the log off it costs one level check. A
    path no route matches is answered before middleware runs, unlogged.
    """

    async def logged(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not access_log.isEnabledFor(logging.INFO):
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("-", 0)
            access_log.info(
                "%s %s %s %d actor=%s %.1fms",
                client[0],
                scope["method"],
                scope["path"],
                status,
                scope.get("state", {}).get("actor", "-"),
                (time.perf_counter() - started) * 1000,
            )

    return logged


def create_app(
    target: CaseService | AuditStore | str,
    *,
    tokens: TokenStore | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    debug: bool = False,
    token_ttl: float = TOKEN_TTL,
) -> Litestar:
    """Return the ASGI application over a case service.

    Args:
        target: a :class:`CaseService`, a store to make one on, or a
            database URL (``sqlite:///…``, ``postgresql://…``).
        tokens: where API tokens are checked; by default the token table
            of the same SQL database (a store that is not SQL needs one).
        clock: the current time (aware), for the next moves' contract days.
        debug: let the framework show tracebacks (never in production).
        token_ttl: how many seconds a live token's member is remembered
            (see :class:`~helping_process.tokens.RememberingTokenStore`):
            a token revoked elsewhere may still be accepted that long; 0
            asks the token store on every request.

    Raises:
        ValueError: no token store was given and the service's store keeps
            none.
    """
    if isinstance(target, str):
        from helping_process.persistence import SqlStore  # noqa: PLC0415 - SQL only when asked

        target = SqlStore.from_url(target)
    service = target if isinstance(target, CaseService) else CaseService(target)
    if tokens is None:
        from helping_process.persistence import SqlStore  # noqa: PLC0415
        from helping_process.persistence import SqlTokenStore  # noqa: PLC0415

        if not isinstance(service.store, SqlStore):
            message = "a store other than SqlStore needs a token store (tokens=)"
            raise ValueError(message)
        tokens = SqlTokenStore(service.store)
    if token_ttl > 0:
        tokens = RememberingTokenStore(tokens, token_ttl)
    api = Api(
        service=service,
        tokens=tokens,
        clock=clock or (lambda: dt.datetime.now(dt.UTC)),
        openapi=orjson.dumps(openapi_document(builtin(ENFORCED_REF))),
    )
    return Litestar(
        route_handlers=[
            open_case,
            list_cases,
            show_case,
            add_record,
            move,
            terminate,
            reopen,
            redact,
            case_requests,
            approve_request,
            reject_request,
            pending_requests,
            assign,
            refer,
            transfer,
            consent,
            migrate,
            history,
            process,
            record_kind_schema,
            verify,
            report,
            openapi,
        ],
        openapi_config=None,
        exception_handlers={
            Problem: _on_problem,
            HelpingProcessError: _on_domain,
            HTTPException: _on_http,
            Exception: _on_other,
        },
        middleware=[_access_logged],
        state=_state(api),
        debug=debug,
        logging_config=None,
    )


def _state(api: Api) -> Any:
    from litestar.datastructures import State  # noqa: PLC0415 - only here

    return State({"api": api})


#: The environment variable naming the database (the command line's own).
DATABASE_ENV: Final = "HELPING_PROCESS_DB"
#: The environment variable giving ``token_ttl`` to ``serve``'s workers.
TOKEN_TTL_ENV: Final = "HELPING_PROCESS_TOKEN_TTL"  # noqa: S105 - a name


def environment_app() -> Litestar:
    """Return the application on the database ``HELPING_PROCESS_DB`` names.

    The factory ``helping-process serve`` hands uvicorn, which calls it in
    every worker process; it also sends the access log (one line per
    request, naming the staff member) to standard error.
    """
    import os  # noqa: PLC0415 - read when a server starts, never at import

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    return create_app(
        os.environ[DATABASE_ENV],
        token_ttl=float(os.environ.get(TOKEN_TTL_ENV, TOKEN_TTL)),
    )
