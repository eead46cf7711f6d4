"""How errors leave the command line: one line, the right exit code.

Every error becomes a :class:`Failure`, a :class:`click.ClickException` that
prints one line on standard error in the chosen language and, with
``--json``, a JSON error object on standard output. Exit codes:

- 0: success;
- 1: the process refused (:class:`~helping_process.RefusalError`), another
  writer won (:class:`~helping_process.ConcurrentUpdateError`), the audit
  trail is broken (:class:`~helping_process.AuditIntegrityError`, or
  ``verify`` findings), or the database failed
  (:class:`~helping_process.StorageError`);
- 2: bad input (:class:`~helping_process.UnknownCaseError`,
  :class:`~helping_process.InvalidInputError`, a bad option or argument, an
  unknown or broken process definition) or bad set-up
  (:class:`~helping_process.DriverMissingError`: the database's driver is
  not installed);
- 70: a bug in helping_process (rerun with ``--debug`` and report it);
- 130: cancelled with Ctrl-C (or end of input) at a prompt; nothing changed.
"""

from __future__ import annotations

import errno
import json
import sys
import traceback
from collections.abc import Mapping
from typing import IO
from typing import Any
from typing import Final

import click

from helping_process import ContractKind
from helping_process import DefinitionError
from helping_process import DriverMissingError
from helping_process import HelpingProcessError
from helping_process import InterventionModel
from helping_process import InvalidInputError
from helping_process import RecordInvalidError
from helping_process import RecordKind
from helping_process import RecordProblemsError
from helping_process import ReferralSource
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import UnknownCaseError
from helping_process import UnknownDefinitionError
from helping_process import WorkerRole
from helping_process.labels import Language

from ._messages import say

#: Exit code of bad input (click's own for usage errors).
BAD_INPUT: Final = 2
#: Exit code of a refusal, a lost race, an audit finding or a database failure.
REFUSED: Final = 1
#: Exit code of a bug (EX_SOFTWARE of sysexits.h).
INTERNAL: Final = 70
#: Exit code of a run cancelled at a prompt (128 + SIGINT).
CANCELLED: Final = 130

#: The codes a field accepts, named when an unknown one is given.
_CODES: Final[Mapping[str, tuple[str, ...]]] = {
    "stage": tuple(Stage),
    "reason": tuple(TerminationReason),
    "sub_reason": tuple(SubReason),
    "kind": tuple(RecordKind),
    "role": ("worker", "supervisor"),
    "lang": ("en", "id"),
    "format": ("mermaid", "dot"),
}

#: The codes a record field accepts, by (record kind, field).
_RECORD_CODES: Final[Mapping[tuple[str, str], tuple[str, ...]]] = {
    ("engagement", "referral_source"): tuple(ReferralSource),
    ("contract", "kind"): tuple(ContractKind),
    ("activity", "role"): tuple(WorkerRole),
    ("activity", "model"): tuple(InterventionModel),
}

#: click's message (untranslated) when a group is given no command.
_MISSING_COMMAND: Final = "Missing command."

#: Problems the domain names that its label table does not word yet.
_CLI_PROBLEMS: Final[Mapping[str, str]] = {
    "not_url": "problem.not_url",
    "unsupported_database": "problem.unsupported_database",
}


class Failure(click.ClickException):
    """An error as the command line reports it: one line, maybe a JSON object.

    Each exit code has its subclass (click keeps ``exit_code`` on the class);
    build one with :func:`failure`.

    Args:
        message: the one-line message, already in the chosen language.
        kind: the exception class name, ``usage``, ``cancelled`` or ``internal``.
        lang: the language of the line's prefix.
        as_json: also print a JSON error object on standard output.
        details: extra members of the JSON error (``missing``, ``field``).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        lang: Language,
        as_json: bool,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(" ".join(message.split()))
        self.kind = kind
        self.lang = lang
        self.as_json = as_json
        self.details = dict(details or {})

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the line on standard error, and the JSON error if asked."""
        prefix = "error.prefix.refused" if self.exit_code == REFUSED else "error.prefix"
        if self.kind == "cancelled":
            prefix = "error.prefix.cancelled"
        click.echo(f"{say(prefix, self.lang)}: {self.message}", err=True)
        if self.as_json:
            error = {"kind": self.kind, "message": self.message, **self.details}
            click.echo(json.dumps({"error": error}, ensure_ascii=False))


class RefusedFailure(Failure):
    """The process refused, another writer won, or the trail is broken."""

    exit_code = REFUSED


class BadInputFailure(Failure):
    """The input was malformed: a bad option, code, record or case id."""

    exit_code = BAD_INPUT


class InternalFailure(Failure):
    """A bug in helping_process."""

    exit_code = INTERNAL


class CancelledFailure(Failure):
    """The run was cancelled at a prompt; nothing was changed."""

    exit_code = CANCELLED


_BY_CODE: Final[Mapping[int, type[Failure]]] = {
    REFUSED: RefusedFailure,
    BAD_INPUT: BadInputFailure,
    INTERNAL: InternalFailure,
    CANCELLED: CancelledFailure,
}


def failure(  # noqa: PLR0913 - every part of the report is named
    message: str,
    *,
    kind: str,
    exit_code: int,
    lang: Language,
    as_json: bool,
    details: Mapping[str, Any] | None = None,
) -> Failure:
    """Return the failure that exits with ``exit_code`` and reports ``message``."""
    cls = _BY_CODE.get(exit_code, Failure)
    return cls(message, kind=kind, lang=lang, as_json=as_json, details=details)


def from_domain(
    error: HelpingProcessError, lang: Language, *, as_json: bool
) -> Failure:
    """Return the failure that reports a helping_process error."""
    bad_input = isinstance(
        error,
        UnknownCaseError
        | InvalidInputError
        | UnknownDefinitionError
        | DefinitionError
        | DriverMissingError,
    )
    details: dict[str, Any] = {}
    message = error.message(lang)
    if isinstance(error, DefinitionError | RecordProblemsError):
        details["problems"] = [problem.to_json() for problem in error.problems]
    if isinstance(error, RequirementNotMetError):
        details["missing"] = list(error.missing)
    if isinstance(error, InvalidInputError):
        details["field"] = error.field
        if error.problem in _CLI_PROBLEMS:
            message = say(_CLI_PROBLEMS[error.problem], lang, value=error.value)
        if isinstance(error, RecordInvalidError):
            codes = _RECORD_CODES.get((error.kind, error.field))
        else:
            codes = _CODES.get(error.field)
        listed = isinstance(error, RecordProblemsError)  # names its codes itself
        if error.problem == "unknown_code" and codes and not listed:
            message = f"{message} {say('error.one_of', lang, codes=', '.join(codes))}"
    return failure(
        message,
        kind=type(error).__name__,
        exit_code=BAD_INPUT if bad_input else REFUSED,
        lang=lang,
        as_json=as_json,
        details=details,
    )


def from_usage(error: click.UsageError, lang: Language, *, as_json: bool) -> Failure:
    """Return the failure that reports a bad option or argument."""
    hint = _hint(error)
    command = getattr(error, "command_name", None)
    if isinstance(error, click.NoSuchOption):
        message = say("usage.no_such_option", lang, name=error.option_name)
    elif isinstance(command, str):
        message = say("usage.no_such_command", lang, name=command)
    elif error.message == _MISSING_COMMAND:
        message = say("usage.missing_command", lang)
    elif isinstance(error, click.MissingParameter):
        message = say("usage.missing", lang, name=hint)
    elif isinstance(error, click.BadParameter):
        message = say("usage.bad_value", lang, name=hint, detail=error.message)
    else:
        message = say("usage.generic", lang, detail=error.format_message())
    path = error.ctx.command_path if error.ctx is not None else "helping-process"
    message = f"{message} {say('usage.see_help', lang, command=path)}"
    return failure(
        message, kind="usage", exit_code=BAD_INPUT, lang=lang, as_json=as_json
    )


def _hint(error: click.UsageError) -> str:
    """The option or argument a usage error is about, as the user typed it."""
    hint = getattr(error, "param_hint", None)
    param = getattr(error, "param", None)
    if hint is None and isinstance(param, click.Parameter):
        hint = param.get_error_hint(error.ctx) if error.ctx else param.name
    if isinstance(hint, str):
        return hint
    if hint:
        return " / ".join(str(item) for item in hint)
    return ""


def translate(  # noqa: PLR0911 - one return per kind of error
    error: BaseException, lang: Language, *, as_json: bool, debug: bool
) -> BaseException:
    """Return what to raise for ``error`` so that it ends the run cleanly.

    Failures, click's own exits, help screens and a closed pipe pass
    unchanged; with ``--debug`` the traceback is printed first.
    """
    passing = Failure | click.exceptions.Exit | click.exceptions.NoArgsIsHelpError
    if isinstance(error, passing) or (debug and not _expected(error)):
        return error
    if isinstance(error, OSError) and error.errno == errno.EPIPE:
        return error  # output piped into `head`: click ends quietly
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    match error:
        case HelpingProcessError():
            return from_domain(error, lang, as_json=as_json)
        case click.UsageError():
            return from_usage(error, lang, as_json=as_json)
        case click.ClickException():
            return failure(
                error.format_message(),
                kind="usage",
                exit_code=error.exit_code,
                lang=lang,
                as_json=as_json,
            )
        case click.Abort() | KeyboardInterrupt() | EOFError():
            return failure(
                say("interrupted", lang),
                kind="cancelled",
                exit_code=CANCELLED,
                lang=lang,
                as_json=as_json,
            )
        case Exception():
            detail = f"{type(error).__name__}: {error}"
            return failure(
                say("error.internal", lang, detail=detail),
                kind="internal",
                exit_code=INTERNAL,
                lang=lang,
                as_json=as_json,
            )
        case _:
            return error


def _expected(error: BaseException) -> bool:
    """Whether ``error`` is one the command line reports (not a bug)."""
    reported = (HelpingProcessError, click.ClickException, click.Abort)
    return isinstance(error, (*reported, KeyboardInterrupt, EOFError))
