"""Reading request bodies and query strings, naming every problem at once.

A body is one JSON object whose members are declared per operation; every
problem (a member missing, of the wrong type, unknown, or not one of its
codes) is collected before the request is refused, so a client fixes all of
them in one go. What only the process can judge (a blank note, a record's
fields) is left to it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from typing import Any
from typing import Final

import attrs
import orjson
from litestar import Request
from litestar.exceptions import ClientException

from helping_process.http._problems import Problem
from helping_process.http._problems import field_error
from helping_process.http._problems import invalid
from helping_process.labels import Language
from helping_process.labels import render

#: The largest request body read, in bytes (the framework's own default).
MAX_BODY: Final = 10_000_000
#: The most items a page holds, and how many it holds unless asked.
MAX_LIMIT: Final = 500
DEFAULT_LIMIT: Final = 50


@attrs.frozen
class Member:
    """A member of a request body: its JSON type, whether required, its codes.

    ``kind`` is ``text``, ``bool`` or ``object``; a member with ``codes`` is
    a text that must be one of them.
    """

    kind: str
    required: bool = False
    codes: tuple[str, ...] = ()


_PROBLEM_OF: Final = {"text": "not_text", "bool": "not_bool", "object": "not_object"}
_TYPE_OF: Final = {"text": str, "bool": bool, "object": dict}


def _error(
    field: str, problem: str, lang: Language, value: object = None
) -> dict[str, str]:
    detail = render(
        "error.invalid_input",
        lang,
        {"field": field, "problem": problem, "value": value},
    )
    return field_error(field, problem, detail)


async def read_request(
    request: Request[Any, Any, Any], members: Mapping[str, Member], lang: Language
) -> dict[str, Any]:
    """Return the members of a request's body (see :func:`read_body`).

    The body is read straight from the server's ASGI messages as they come:
    the framework's reader builds its header mapping and looks up the
    route's size limit on every request, which costs ten times the read.

    Raises:
        Problem: 422, the body is over :data:`MAX_BODY` bytes, or is not
            what ``members`` declare.
        ClientException: the client went away before sending it all.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            gone = "The client disconnected before its body ended."
            raise ClientException(gone)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise invalid([_error("body", "too_large", lang, MAX_BODY)], lang)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return read_body(b"".join(chunks), members, lang)


def read_body(
    raw: bytes, members: Mapping[str, Member], lang: Language
) -> dict[str, Any]:
    """Return the body's members (absent optional ones as None).

    Raises:
        Problem: 422, naming every problem of the body.
    """
    try:
        data = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise invalid([_error("body", "not_json", lang)], lang) from None
    if not isinstance(data, dict):
        raise invalid([_error("body", "not_object", lang)], lang)
    errors = [
        _error(name, "unknown_field", lang) for name in data if name not in members
    ]
    values: dict[str, Any] = {}
    for name, member in members.items():
        value = data.get(name)
        if value is None:
            if member.required:
                errors.append(_error(name, "missing", lang))
            values[name] = None
            continue
        if not isinstance(value, _TYPE_OF[member.kind]):
            errors.append(_error(name, _PROBLEM_OF[member.kind], lang, value))
        elif member.codes and value not in member.codes:
            errors.append(_error(name, "unknown_code", lang, value))
        values[name] = value
    if errors:
        raise invalid(errors, lang)
    return values


def read_limit(text: str | None, lang: Language) -> int:
    """Return the page size a ``limit`` query parameter asks for.

    Raises:
        Problem: 422, not a whole number from 1 to :data:`MAX_LIMIT`.
    """
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise invalid([_error("limit", "out_of_range", lang, text)], lang)
    return int(text)


def read_code(
    name: str, text: str | None, codes: tuple[str, ...], lang: Language
) -> str | None:
    """Return a code given in the query, or None when absent.

    Raises:
        Problem: 422, not one of ``codes``.
    """
    if text is not None and text not in codes:
        raise invalid([_error(name, "unknown_code", lang, text)], lang)
    return text


def read_count(name: str, text: str | None, lang: Language) -> int:
    """Return a non-negative whole number given in the query (0 when absent).

    Raises:
        Problem: 422, not a whole number.
    """
    if text is None:
        return 0
    if not text.isdigit() or len(text) > 18:  # noqa: PLR2004 - fits a 64-bit integer
        raise invalid([_error(name, "not_integer", lang, text)], lang)
    return int(text)


def read_moment(name: str, text: str | None, lang: Language) -> dt.datetime | None:
    """Return an ISO 8601 date or date-time as an aware UTC moment.

    A date is its midnight in UTC, and so is a time without a zone.

    Raises:
        Problem: 422, not an ISO 8601 date or date-time.
    """
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise invalid([_error(name, "not_datetime", lang, text)], lang) from None


def encode_cursor(opened_at: dt.datetime, case_id: str) -> str:
    """Return the opaque cursor that continues a listing after this case."""
    raw = orjson.dumps([opened_at.isoformat(), case_id])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str | None, lang: Language) -> tuple[dt.datetime, str] | None:
    """Return the position an opaque cursor stands for.

    Raises:
        Problem: 422, not a cursor this API gave out.
    """
    if text is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, case_id = orjson.loads(raw)
        moment = dt.datetime.fromisoformat(at)
        if moment.tzinfo is None or not isinstance(case_id, str):
            raise ValueError(text)  # noqa: TRY301 - one refusal for every bad cursor
        return moment.astimezone(dt.UTC), case_id
    except (ValueError, TypeError, binascii.Error, OverflowError):
        raise invalid([_error("cursor", "unknown_code", lang, text)], lang) from None


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_BODY",
    "MAX_LIMIT",
    "Member",
    "Problem",
    "decode_cursor",
    "encode_cursor",
    "read_body",
    "read_code",
    "read_count",
    "read_limit",
    "read_moment",
    "read_request",
]
