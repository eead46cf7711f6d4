"""Errors as RFC 9457 problem details, each with a stable ``type`` URI.

Every refusal reaches the client as ``application/problem+json``: a
``type`` that never changes (``urn:helping-process:problem:NAME``), a
``title``, the HTTP ``status``, a ``detail`` in the language the client
asked for (``Accept-Language``: Indonesian or English) and members that
name what is wrong: ``missing`` (the requirement ids a move lacks),
``errors`` (every field problem of a malformed body) or ``seq`` (the case's
version). ``docs/http.md`` lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Final

import attrs
import orjson

from helping_process.exceptions import ApprovalRefusedError
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import DefinitionClashError
from helping_process.exceptions import DefinitionNotRunnableError
from helping_process.exceptions import HelpingProcessError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import MigrationRefusedError
from helping_process.exceptions import RecordInvalidError
from helping_process.exceptions import RecordProblemsError
from helping_process.exceptions import RefusalError
from helping_process.exceptions import RequirementNotMetError
from helping_process.exceptions import StorageError
from helping_process.exceptions import UnknownCaseError
from helping_process.exceptions import UnknownDefinitionError
from helping_process.labels import Language
from helping_process.labels import render
from helping_process.staff import NotPermittedError

#: The media type of every problem.
MEDIA_TYPE: Final = "application/problem+json"
#: The prefix of every problem type URI.
TYPE_PREFIX: Final = "urn:helping-process:problem:"


@attrs.frozen
class ProblemType:
    """A kind of problem: its name (the end of its URI), status and title."""

    name: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        """Return the stable ``type`` URI."""
        return TYPE_PREFIX + self.name


#: Every problem type the API answers with, by name.
PROBLEM_TYPES: Final[Mapping[str, ProblemType]] = {
    kind.name: kind
    for kind in (
        ProblemType("unauthorized", 401, "No valid API token"),
        ProblemType("forbidden", 403, "Not allowed for this staff member"),
        ProblemType("not-found", 404, "No such resource"),
        ProblemType("method-not-allowed", 405, "Method not allowed"),
        ProblemType("refused", 409, "Refused by the helping process"),
        ProblemType("approval-refused", 409, "Refused by the approval rules"),
        ProblemType("conflict", 409, "Changed by someone else meanwhile"),
        ProblemType("precondition-failed", 412, "The case has changed (If-Match)"),
        ProblemType("invalid-input", 422, "Malformed request"),
        ProblemType("audit-integrity", 500, "The audit trail contradicts itself"),
        ProblemType("internal", 500, "Internal error"),
        ProblemType("storage-unavailable", 503, "The database is unavailable"),
    )
}


class Problem(Exception):  # noqa: N818 - named after RFC 9457's "problem details"
    """A problem to answer with; raised by handlers, rendered by the app.

    Args:
        name: the problem type's name (a key of :data:`PROBLEM_TYPES`).
        detail: the sentence for people, already in the client's language.
        members: extension members (``missing``, ``errors``, ``seq``).
        headers: extra response headers (``WWW-Authenticate``).
    """

    def __init__(
        self,
        name: str,
        detail: str,
        members: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = PROBLEM_TYPES[name]
        self.detail = detail
        self.members = dict(members or {})
        self.headers = dict(headers or {})

    def body(self, instance: str | None = None) -> bytes:
        """Return the problem document."""
        document: dict[str, Any] = {
            "type": self.kind.uri,
            "title": self.kind.title,
            "status": self.kind.status,
            "detail": self.detail,
        }
        if instance is not None:
            document["instance"] = instance
        document.update(self.members)
        return orjson.dumps(document)


def field_error(field: str, problem: str, detail: str) -> dict[str, str]:
    """Return one member of a 422 problem's ``errors``."""
    return {"field": field, "problem": problem, "detail": detail}


def invalid(errors: Sequence[Mapping[str, str]], lang: Language) -> Problem:
    """Return the 422 problem of a malformed request naming every field problem."""
    detail = render("http.invalid", lang, {"count": len(errors)})
    return Problem("invalid-input", detail, {"errors": list(errors)})


def from_error(error: HelpingProcessError, lang: Language) -> Problem:  # noqa: PLR0911 - one return per kind
    """Return the problem that answers a helping_process error."""
    detail = error.message(lang)
    code = type(error).__name__
    match error:
        case UnknownCaseError() | UnknownDefinitionError():
            return Problem("not-found", detail, {"code": code})
        case NotPermittedError():
            return Problem(
                "forbidden",
                detail,
                {"code": code, "actor": error.actor, "operation": error.operation},
            )
        case ApprovalRefusedError():
            return Problem(
                "approval-refused",
                detail,
                {"code": code, "request": error.request, "reason": error.reason},
            )
        case RequirementNotMetError() | MigrationRefusedError():
            return Problem(
                "refused", detail, {"code": code, "missing": list(error.missing)}
            )
        case RefusalError() | DefinitionClashError() | DefinitionNotRunnableError():
            # A definition the engine cannot run, or a clash with a stored
            # one, refuses the command as the process would.
            return Problem("refused", detail, {"code": code, "missing": []})
        case RecordProblemsError():
            return invalid(
                [
                    field_error(
                        _in_data(problem.path),
                        problem.code,
                        problem.message(lang, error.labelled),
                    )
                    for problem in error.problems
                ],
                lang,
            )
        case RecordInvalidError():
            where = _in_data(error.field)
            return invalid([field_error(where, error.problem, detail)], lang)
        case InvalidInputError():
            return invalid([field_error(error.field, error.problem, detail)], lang)
        case ConcurrentUpdateError():
            return Problem("conflict", detail, {"code": code})
        case AuditIntegrityError():
            return Problem("audit-integrity", detail, {"code": code})
        case StorageError():
            return Problem("storage-unavailable", detail, {"code": code})
        case _:
            return Problem("internal", detail, {"code": code})


def _in_data(path: str | None) -> str:
    """Return where in a record's body a field is: ``data.<path>``."""
    return f"data.{path}" if path else "data"
