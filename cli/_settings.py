"""What one run of the command line works with: options, output, the service.

The database is opened lazily, on the first command that needs it, so
``--help`` and ``process show`` never import SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import click

from helping_process import StorageError
from helping_process import UnknownCaseError
from helping_process.labels import Language

from ._errors import Failure
from ._errors import failure
from ._messages import say

if TYPE_CHECKING:
    from helping_process import Actor
    from helping_process import Case
    from helping_process.service import CaseService
    from helping_process.service import CaseSummary

#: The application name platformdirs places the data directory under.
APP_NAME: Final = "helping-process"
#: The file name of the default embedded database.
DEFAULT_DB_FILE: Final = "helping_process.db"
#: The shortest prefix of a case id that may stand for the whole id.
MIN_PREFIX: Final = 4
#: How many matching cases an ambiguous prefix's error names.
MAX_SHOWN: Final = 5


def data_dir() -> Path:
    """Return the user data directory where the default database lives."""
    import platformdirs  # noqa: PLC0415 - only commands that need it pay for it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    """Return the URL of the default SQLite database (not creating it)."""
    return f"sqlite:///{data_dir() / DEFAULT_DB_FILE}"


def login_name() -> str:
    """Return the login name of the user, or ``unknown`` when there is none."""
    import getpass  # noqa: PLC0415 - only commands that act pay for it

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or passwd
        return "unknown"


def open_service(
    url: str | None, process: str | None = None
) -> tuple[CaseService, Callable[[], None]]:
    """Open the case service on ``url`` (the default database when None).

    The default database's directory is created on first use. ``process``
    names the definition new cases follow (``NAME@VERSION`` or ``NAME``;
    the package's default when None).

    Returns:
        The service and a function that closes its connections.

    Raises:
        StorageError: the database cannot be created or reached.
        InvalidInputError: the URL is malformed or names no supported database.
    """
    from helping_process.persistence import SqlStore  # noqa: PLC0415 - lazy
    from helping_process.service import CaseService  # noqa: PLC0415 - lazy

    if url is None:
        folder = data_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            detail = f"cannot create {folder}: {error.strerror}"
            raise StorageError(detail) from error
        url = default_database_url()
    store = SqlStore.from_url(url)
    service = CaseService(store)
    if process is not None:
        try:
            service.default_process = service.definition(process)
        except BaseException:
            store.dispose()
            raise
    return service, store.dispose


def now() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


# A dataclass, not attrs (which the values use): this plain holder is built on
# every run, and importing attrs would cost --help as much as Python's start-up.
@dataclasses.dataclass(slots=True)
class Settings:
    """The global options of one run, and the service they lead to.

    Attributes:
        db: the database URL given, or None for the default database.
        actor_id: the acting worker's id, or None for the login name.
        role: ``worker`` or ``supervisor`` as given, or None.
        lang: the language of every message.
        as_json: print machine-readable JSON on standard output.
        debug: show tracebacks.
        default_process: the definition new cases follow (``NAME@VERSION``
            or ``NAME``), the agency's setting; None for the package's
            default, ``helping-process@2``.
    """

    db: str | None = None
    actor_id: str | None = None
    role: str | None = None
    lang: Language = "en"
    as_json: bool = False
    debug: bool = False
    default_process: str | None = None
    _service: CaseService | None = dataclasses.field(default=None, init=False)
    _closers: list[Callable[[], None]] = dataclasses.field(
        default_factory=list, init=False
    )

    @property
    def database_url(self) -> str:
        """The URL of the database this run uses."""
        return self.db if self.db is not None else default_database_url()

    @property
    def actor_name(self) -> str:
        """The id of who acts: ``--actor`` or the login name."""
        return self.actor_id if self.actor_id is not None else login_name()

    def actor(self) -> Actor:
        """Return who acts, in which role (``worker`` unless one was given)."""
        from helping_process import Actor  # noqa: PLC0415 - attrs on demand

        return Actor(self.actor_name, self.role or "worker")

    def who(self) -> Actor | str:
        """Return who acts as the service is asked: with ``--role``, that role.

        Without ``--role`` only the id, so that with a staff roster the
        role recorded is the member's own.
        """
        return self.actor() if self.role is not None else self.actor_name

    def service(self) -> CaseService:
        """Return the case service, opening the database on first use."""
        if self._service is None:
            self._service, close = open_service(self.db, self.default_process)
            self._closers.append(close)
        return self._service

    def has_database(self) -> bool:
        """Whether the database exists (a URL given, or the default file made)."""
        return self.db is not None or (data_dir() / DEFAULT_DB_FILE).exists()

    def close(self) -> None:
        """Close the database connections this run opened."""
        while self._closers:
            self._closers.pop()()

    def resolve(self, ref: str) -> Case:
        """Return the case a full id or a unique id prefix names.

        Raises:
            Failure: no case has that id, and the prefix is too short, is
                the start of no case id, or of more than one (bad input,
                exit 2, naming the cases it matches).
        """
        service = self.service()
        try:
            return service.get(ref)
        except UnknownCaseError:
            pass
        return service.get(self.match(ref, service.cases()).case_id)

    def match(self, ref: str, summaries: Iterable[CaseSummary]) -> CaseSummary:
        """Return the one case among ``summaries`` a full id or a prefix names.

        Raises:
            Failure: as :meth:`resolve` says.
        """
        listed = list(summaries)
        exact = [summary for summary in listed if summary.case_id == ref]
        if exact:
            return exact[0]
        if len(ref) < MIN_PREFIX:
            raise self.failure(
                "error.prefix_too_short",
                exit_code=2,
                kind="UnknownCaseError",
                ref=ref,
                minimum=MIN_PREFIX,
            )
        matches = sorted(
            (summary for summary in listed if summary.case_id.startswith(ref)),
            key=lambda summary: summary.case_id,
        )
        if not matches:
            raise self.failure(
                "error.no_case_prefix", exit_code=2, kind="UnknownCaseError", ref=ref
            )
        if len(matches) > 1:
            shown = ", ".join(
                f"{summary.case_id} ({summary.client or '-'})"
                for summary in matches[:MAX_SHOWN]
            )
            if len(matches) > MAX_SHOWN:
                shown += ", …"
            raise self.failure(
                "error.ambiguous_case",
                exit_code=2,
                ref=ref,
                count=len(matches),
                matches=shown,
            )
        return matches[0]

    def say(self, key: str, /, **params: object) -> str:
        """Return a message of the command line in the chosen language."""
        return say(key, self.lang, **params)

    def failure(
        self, key: str, /, *, exit_code: int, kind: str = "usage", **params: object
    ) -> Failure:
        """Return the failure that reports a message of the command line."""
        return failure(
            say(key, self.lang, **params),
            kind=kind,
            exit_code=exit_code,
            lang=self.lang,
            as_json=self.as_json,
        )

    def echo(self, text: str = "") -> None:
        """Print a line for people (on standard error in ``--json`` runs)."""
        click.echo(text, err=self.as_json)

    def emit(self, data: Any) -> None:
        """Print one JSON document on standard output."""
        click.echo(json.dumps(data, ensure_ascii=False))

    def emit_pretty(self, data: Any) -> None:
        """Print one JSON document on standard output, indented for people."""
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))


pass_settings = click.make_pass_decorator(Settings)
