"""``helping-process audit …``: verify, seal, report on and export the trail.

- ``verify`` recomputes every hash chain, replays every case and, with
  ``--key`` (or a ``--receipt`` kept off the machine), checks every seal;
  a finding other than a redaction exits 1.
- ``keygen`` writes the agency's Ed25519 key pair; ``seal`` signs a
  checkpoint of the case heads with the private key, and with
  ``--receipt`` writes it to a file to keep elsewhere.
- ``report`` renders the agency's figures and policy findings (text, JSON,
  CSV or one self-contained HTML page); ``policy`` prints a policy file.
- ``export`` writes the trail as JSON lines an auditor verifies with tools
  of their own (``docs/audit-format.md``).

The top-level ``verify`` is kept, hidden, for the scripts written before
this group: it runs the same verification and prints its old JSON members.
The report, the policy checks and the key handling are imported only by
the commands that use them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import IO
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import TypeVar

import click

from helping_process import HelpingProcessError
from helping_process import InvalidInputError
from helping_process.staff import Operation
from helping_process.views import finding_json

from ._errors import BAD_INPUT
from ._errors import REFUSED
from ._errors import Failure
from ._errors import failure
from ._local import CaseIdType
from ._local import CodeType
from ._local import LocalCommand
from ._local import LocalGroup
from ._local import lang_of
from ._local import option
from ._messages import counted
from ._messages import say
from ._render import when
from ._render import wrap
from ._settings import Settings
from ._settings import now
from ._settings import pass_settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from helping_process.audit import Finding
    from helping_process.audit import SealStatus
    from helping_process.audit import Verification
    from helping_process.labels import Language
    from helping_process.policy import Policy
    from helping_process.seals import Receipt
    from helping_process.seals import Seal
    from helping_process.service import CaseService
    from helping_process.service import CaseSummary

F = TypeVar("F", bound=Callable[..., Any])
_T = TypeVar("_T")

#: The file names ``keygen`` writes: the private key and the public key.
PRIVATE_KEY_FILE: Final = "seal-key.pem"
PUBLIC_KEY_FILE: Final = "seal-key.pub.pem"
#: The formats of ``report`` and of ``export``.
REPORT_FORMATS: Final = ("text", "json", "csv", "html")
EXPORT_FORMATS: Final = ("jsonl",)
#: Events verified between two redraws of the progress bar.
_PROGRESS_STEP: Final = 256
#: How many hex digits of the key's fingerprint the text output shows.
_FINGERPRINT_SHOWN: Final = 16


class AuditCommand(LocalCommand):
    """A command of the group, which also takes ``--json`` after its name.

    A usage error found while parsing (before the ``--json`` flag's callback
    could run) is still reported as JSON when ``--json`` was given.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the arguments; remember ``--json`` even when parsing fails."""
        given = list(args)
        try:
            return super().parse_args(ctx, args)
        except click.UsageError:
            if "--json" in given:
                _set_json(ctx)
            raise


class AuditGroup(LocalGroup):
    """The ``audit`` group: its commands are :class:`AuditCommand`."""

    command_class = AuditCommand


def _set_json(ctx: click.Context) -> None:
    settings = ctx.find_object(Settings)
    if settings is not None:
        settings.as_json = True


def _json_callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value:
        _set_json(ctx)


def json_flag() -> Callable[[F], F]:
    """Declare ``--json`` on a subcommand: the same as the global option."""
    return option(
        "--json",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_json_callback,
        help="opt.json",
    )


class FormatType(CodeType):
    """An output format from a closed list; an unknown one names the others."""

    def __init__(self, codes: Sequence[str]) -> None:
        super().__init__(codes, "format")

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """Return the format, or refuse (exit 2) one that is not offered."""
        if value in self.codes:
            return str(value)
        settings = ctx.find_object(Settings) if ctx is not None else None
        lang = lang_of(ctx)
        raise failure(
            say("audit.bad_format", lang, value=value, codes=", ".join(self.codes)),
            kind="InvalidInputError",
            exit_code=BAD_INPUT,
            lang=lang,
            as_json=settings.as_json if settings else False,
            details={"field": "format"},
        )


def bad_input(settings: Settings, key: str, field: str, /, **params: object) -> Failure:
    """Return the failure (exit 2) that reports a bad value of ``field``."""
    return failure(
        settings.say(key, **params),
        kind="InvalidInputError",
        exit_code=BAD_INPUT,
        lang=settings.lang,
        as_json=settings.as_json,
        details={"field": field},
    )


@click.group("audit", cls=AuditGroup, help="help.audit")
def audit() -> None:
    """Verify, seal, report on and export the audit trail."""


# verify ---------------------------------------------------------------------


def finding_line(finding: Finding, lang: Language) -> str:
    """Return one finding for people: where, its kind's code, what it means."""
    where = (
        f"{finding.case_id} #{finding.seq}"
        if finding.case_id
        else say("audit.seal_where", lang, number=finding.seq)
    )
    meaning = say(f"audit.kind.{finding.kind.value}", lang)
    described = finding.describe(lang)
    detail = f" ({described})" if described else ""
    return f"{where} {finding.kind.value}: {meaning}{detail}"


def case_id_of(settings: Settings, ref: str) -> CaseSummary:
    """Return the case a full id or a unique prefix names, read from the heads.

    Matched on the heads alone: a broken trail may not even decode.

    Raises:
        Failure: no case has that id or prefix, or more than one has it.
    """
    return settings.match(ref, settings.service().cases())


def read_key_file(settings: Settings, path: str) -> bytes:
    """Return the bytes of a key file, or fail (exit 2) if it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise settings.failure(
            "usage.unreadable", exit_code=BAD_INPUT, path=path, reason=error.strerror
        ) from error


def public_key(settings: Settings, path: str) -> Ed25519PublicKey:
    """Read the agency's public key from a PEM file (exit 2 if it is not one)."""
    from helping_process import seals  # noqa: PLC0415 - cryptography on demand

    pem = read_key_file(settings, path)
    try:
        return seals.load_public_key(pem)
    except (ValueError, TypeError):
        raise bad_input(settings, "audit.not_public_key", "key", path=path) from None


def private_key(settings: Settings, path: str) -> Ed25519PrivateKey:
    """Read the agency's private key from a PEM file (exit 2 if it is not one)."""
    from helping_process import seals  # noqa: PLC0415 - cryptography on demand

    pem = read_key_file(settings, path)
    try:
        return seals.load_private_key(pem)
    except (ValueError, TypeError):
        raise bad_input(settings, "audit.not_private_key", "key", path=path) from None


def read_receipt_file(
    settings: Settings, path: str, key: Ed25519PublicKey | None
) -> Receipt:
    """Read a seal receipt, checked against ``key`` when given (exit 2 if bad).

    Raises:
        Failure: the file cannot be read, holds no receipt, or was made with
            another key than ``key`` (exit 2).
    """
    from helping_process import seals  # noqa: PLC0415 - cryptography on demand
    from helping_process.labels import label  # noqa: PLC0415 - lazy

    data = read_key_file(settings, path)
    try:
        receipt = seals.read_receipt(data)
        seals.checking_key(key, receipt)
    except InvalidInputError as error:
        reason = label("problem", error.problem, settings.lang)
        raise bad_input(
            settings, "audit.bad_receipt", "receipt", path=path, reason=reason
        ) from None
    return receipt


#: How many findings ``audit verify`` lists unless told otherwise.
MAX_FINDINGS: Final = 1000


def run_verification(  # noqa: PLR0913, PLR0917 - one parameter per option
    settings: Settings,
    case_ref: str | None,
    key_path: str | None,
    receipt_path: str | None = None,
    max_findings: int | None = MAX_FINDINGS,
    jobs: int = 1,
) -> Verification:
    """Verify the trail (or one case), with a progress bar on a terminal.

    The bar is drawn on standard error, and only when that is a terminal
    and the run is not ``--json``. A receipt checks the seals with its own
    key when no key file is given. ``jobs`` 0 means one
    process per core.
    """
    key = public_key(settings, key_path) if key_path is not None else None
    receipt = (
        read_receipt_file(settings, receipt_path, key)
        if receipt_path is not None
        else None
    )
    service = settings.service()
    case = case_id_of(settings, case_ref) if case_ref is not None else None
    case_id = case.case_id if case else None
    service.read(settings.who(), Operation.VERIFY, case_id)
    jobs = jobs or os.cpu_count() or 1
    if settings.as_json or not sys.stderr.isatty():
        return service.verification(
            case_id, key=key, receipt=receipt, max_findings=max_findings, jobs=jobs
        )
    return _verify_on_terminal(
        settings, service, case, key, receipt, max_findings, jobs
    )


def _ticking(items: Iterable[_T], tick: Callable[[int], None]) -> Iterator[_T]:
    """Yield ``items``, advancing the bar by one for each."""
    for item in items:
        tick(1)
        yield item


def max_findings_of(settings: Settings, value: str) -> int:
    """Read ``--max-findings``: a whole number, 0 or more (exit 2 otherwise)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise bad_input(settings, "audit.bad_max_findings", "max_findings", value=value)
    return int(text)


def shows_progress(settings: Settings, *, output: str | None = None) -> bool:
    """Whether a long run draws a progress bar: on a terminal, never in ``--json``.

    The bar goes to standard error; it is left out when that is a pipe or a
    file, and when the output itself goes to the same terminal (``-o -``),
    where the two would mix.
    """
    if settings.as_json or not sys.stderr.isatty():
        return False
    return output != "-" or not sys.stdout.isatty()


@contextlib.contextmanager
def progress(
    settings: Settings, key: str, total: Callable[[], int], *, shown: bool
) -> Iterator[Callable[[int], None]]:
    """Yield a callable that advances a progress bar by a number of steps.

    Args:
        settings: the run's settings, for the label's language.
        key: the message id of the bar's label.
        total: counts the steps (called only when the bar is shown).
        shown: whether to draw the bar (see :func:`shows_progress`); when
            not, the callable does nothing.
    """
    if not shown:
        yield _no_progress
        return
    with click.progressbar(
        length=total(),
        label=settings.say(key),
        file=sys.stderr,
        width=30,
        update_min_steps=_PROGRESS_STEP,
    ) as bar:
        yield bar.update


def _no_progress(steps: int) -> None:
    """Advance no bar."""


def _event_total(settings: Settings, case_id: str | None = None) -> Callable[[], int]:
    """Count the events a run reads, from the case rows (unverified, cheap)."""

    def total() -> int:
        service = settings.service()
        if case_id is not None:
            return service.get(case_id).seq
        return sum(summary.seq for summary in service.cases())

    return total


def _verify_on_terminal(  # noqa: PLR0913, PLR0917 # pragma: no cover - test_audit drives it through a pty; one parameter per option
    settings: Settings,
    service: CaseService,
    case: CaseSummary | None,
    key: Ed25519PublicKey | None,
    receipt: Receipt | None,
    max_findings: int | None,
    jobs: int,
) -> Verification:
    """Verify under a progress bar on standard error, one tick per event.

    The bar's length is read from the case rows; when they are too damaged
    to be read, verification runs without a bar and says how they are.
    """
    case_id = case.case_id if case else None
    try:
        total = case.seq if case else sum(summary.seq for summary in service.cases())
    except (HelpingProcessError, TypeError, ValueError):
        return service.verification(case_id, key=key, max_findings=max_findings)
    with click.progressbar(
        length=total,
        label=settings.say("audit.verifying"),
        file=sys.stderr,
        width=30,
        update_min_steps=_PROGRESS_STEP,
    ) as bar:
        return service.verification(
            case_id,
            key=key,
            progress=bar.update,
            receipt=receipt,
            max_findings=max_findings,
            jobs=jobs,
        )


def show_verification(
    settings: Settings, seen: Verification, *, legacy: bool = False
) -> None:
    """Print the outcome of a verification; fail (exit 1) on any fault.

    Redactions are listed as information; anything else is a fault. With
    ``--json`` the outcome is one JSON document (``ok`` false on a fault)
    and the one-line error goes to standard error only. ``legacy`` prints
    what the old top-level ``verify`` printed too: a ``verified`` member and
    a JSON error object after the document.

    Raises:
        Failure: the trail has faults.
    """
    faults = seen.fault_count
    events = seen.events
    if settings.as_json:
        data: dict[str, Any] = {
            "ok": not faults,
            "cases": seen.cases,
            "events": events,
            "findings": [finding_json(finding) for finding in seen.findings],
        }
        if seen.sealing is not None:
            data["seal"] = _sealing_json(seen.sealing)
        if legacy:
            data = {"verified": not faults, **data}
        else:
            data["unlisted_findings"] = seen.unlisted
        settings.emit(data)
    else:
        for finding in seen.findings:
            settings.echo(wrap(finding_line(finding, settings.lang)))
        if seen.unlisted:
            settings.echo(settings.say("verify.more", count=seen.unlisted))
    if faults:
        raise failure(
            settings.say("verify.faults", count=faults),
            kind="AuditIntegrityError",
            exit_code=REFUSED,
            lang=settings.lang,
            as_json=settings.as_json and legacy,
        )
    if not settings.as_json:
        lang = settings.lang
        settings.echo(
            settings.say(
                "verify.ok",
                cases=counted("count.cases", lang, seen.cases),
                events=counted("count.events", lang, events),
            )
        )


def _sealing_json(sealing: SealStatus) -> dict[str, Any]:
    """What the seals were checked with, and up to where, as JSON."""
    return {
        "key": sealing.key,
        "seals": sealing.seals,
        "newest": sealing.newest,
        "digest": sealing.digest,
        "sealed_at": sealing.sealed_at,
        "receipt": sealing.receipt,
    }


def _seal_note(settings: Settings, seen: Verification) -> None:
    """Say which key checked how many seals, or that there is none yet."""
    sealing = seen.sealing
    if settings.as_json or sealing is None:
        return
    if sealing.seals:
        settings.echo(
            wrap(
                settings.say(
                    "audit.seals_checked",
                    count=sealing.seals,
                    key=sealing.key[:_FINGERPRINT_SHOWN],
                    number=sealing.newest,
                    sealed_at=sealing.sealed_at,
                )
            )
        )
    else:
        click.echo(settings.say("audit.no_seals"), err=True)
    if sealing.receipt is not None:
        settings.echo(settings.say("audit.receipt_matches", number=sealing.receipt))


@audit.command("verify", help="help.audit.verify", short_help="help.audit.verify.short")
@option("--case", "case_ref", metavar="CASE", type=CaseIdType(), help="opt.audit_case")
@option("--key", "key_path", metavar="PUBLIC_KEY", help="opt.public_key")
@option("--receipt", "receipt_path", metavar="FILE", help="opt.receipt_in")
@option(
    "--max-findings",
    "max_findings",
    metavar="N",
    default=str(MAX_FINDINGS),
    help="opt.max_findings",
)
@option(
    "--jobs",
    "jobs",
    metavar="N",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="opt.jobs",
)
@json_flag()
@pass_settings
def verify(  # noqa: PLR0913, PLR0917 - one parameter per option
    settings: Settings,
    case_ref: str | None,
    key_path: str | None,
    receipt_path: str | None,
    max_findings: str,
    jobs: int,
) -> None:
    """Verify every chain, replay every case and check every seal."""
    limit = max_findings_of(settings, max_findings)
    seen = run_verification(settings, case_ref, key_path, receipt_path, limit, jobs)
    if not seen.faults:
        _seal_note(settings, seen)
    show_verification(settings, seen)


@click.command(
    "verify",
    cls=AuditCommand,
    hidden=True,
    help="help.verify",
    short_help="help.verify.short",
)
@click.argument("case_ref", metavar="[CASE]", required=False, type=CaseIdType())
@option("--key", "key_path", metavar="PUBLIC_KEY", help="opt.public_key")
@json_flag()
@pass_settings
def verify_alias(
    settings: Settings, case_ref: str | None, key_path: str | None
) -> None:
    """The old top-level ``verify``: ``audit verify`` with its old JSON.

    It lists every finding, as it always did: its scripts know no bound.
    """
    seen = run_verification(settings, case_ref, key_path, max_findings=None)
    if not seen.faults:
        _seal_note(settings, seen)
    show_verification(settings, seen, legacy=True)


# keygen and seal ------------------------------------------------------------


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a file that must not exist yet, created with ``mode``."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


@audit.command("keygen", help="help.audit.keygen", short_help="help.audit.keygen.short")
@option("--out", "out_dir", required=True, metavar="DIR", help="opt.key_dir")
@json_flag()
@pass_settings
def keygen(settings: Settings, out_dir: str) -> None:
    """Write a new Ed25519 key pair for seals; never overwrite a key."""
    from helping_process import seals  # noqa: PLC0415 - cryptography on demand

    folder = Path(out_dir)
    private_path = folder / PRIVATE_KEY_FILE
    public_path = folder / PUBLIC_KEY_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise bad_input(
            settings, "audit.cannot_write", "out", path=folder, reason=error.strerror
        ) from error
    key = seals.new_private_key()
    written: list[Path] = []
    try:
        for path, data, mode in (
            (private_path, seals.private_pem(key), 0o600),
            (public_path, seals.public_pem(key), 0o644),
        ):
            _write_new(path, data, mode)
            written.append(path)
    except OSError as error:
        for path in written:  # never leave half a key pair behind
            path.unlink()
        exists = isinstance(error, FileExistsError)
        raise bad_input(
            settings,
            "audit.key_exists" if exists else "audit.cannot_write",
            "out",
            path=error.filename,
            reason=error.strerror,
        ) from error
    if settings.as_json:
        settings.emit(
            {"private_key": str(private_path), "public_key": str(public_path)}
        )
        return
    settings.echo(settings.say("audit.private_written", path=private_path))
    settings.echo(settings.say("audit.public_written", path=public_path))


def _claim(settings: Settings, path: Path) -> int:
    """Create the receipt file before sealing; refuse (exit 2) if it exists.

    A new seal never matches an existing receipt, so an existing file is
    always another receipt (or something else) and is never overwritten.
    Claiming the file first means a refusal leaves no seal without its
    receipt.
    """
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise bad_input(
            settings, "audit.receipt_exists", "receipt", path=path
        ) from None
    except OSError as error:
        raise bad_input(
            settings, "audit.cannot_write", "receipt", path=path, reason=error.strerror
        ) from error


def _write_receipt(settings: Settings, descriptor: int, path: Path, made: Seal) -> None:
    """Write the seal's receipt into the claimed file, durably.

    Raises:
        Failure: the file cannot be written (exit 2); the seal is stored.
    """
    from helping_process.seals import Receipt  # noqa: PLC0415 - cryptography on demand

    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(Receipt.of(made).to_json())
            file.flush()
            os.fsync(file.fileno())
    except OSError as error:
        raise bad_input(
            settings,
            "audit.receipt_unwritten",
            "receipt",
            path=path,
            number=made.number,
            reason=error.strerror,
        ) from error


@audit.command("seal", help="help.audit.seal", short_help="help.audit.seal.short")
@option(
    "--key", "key_path", required=True, metavar="PRIVATE_KEY", help="opt.private_key"
)
@option("--receipt", "receipt_path", metavar="FILE", help="opt.receipt_out")
@json_flag()
@pass_settings
def seal(settings: Settings, key_path: str, receipt_path: str | None) -> None:
    """Record a signed checkpoint of the case heads; print its digest."""
    key = private_key(settings, key_path)
    receipt = Path(receipt_path) if receipt_path is not None else None
    descriptor = _claim(settings, receipt) if receipt is not None else None
    service = settings.service()
    shown = shows_progress(settings)
    try:
        with progress(
            settings, "audit.sealing", lambda: len(service.cases()), shown=shown
        ) as tick:
            made = service.seal(key, progress=tick)
    except BaseException:
        if receipt is not None and descriptor is not None:
            os.close(descriptor)  # no seal was stored: leave no receipt file
            receipt.unlink()
        raise
    if receipt is not None and descriptor is not None:
        _write_receipt(settings, descriptor, receipt, made)
    fields = made.fields
    data = {
        "digest": made.digest,
        "sealed_at": fields["sealed_at"],
        "cases": fields["cases"],
        "events": fields["events"],
        "root": fields.get("root"),
        "previous": fields["previous"],
        "number": made.number,
        "format": fields["v"],
        "heads": len(made.heads),
        "trails": fields.get("trails", []),
    }
    if receipt is not None:
        data["receipt"] = str(receipt)
    if settings.as_json:
        settings.emit(data)
        return
    settings.echo(
        settings.say(
            "audit.sealed",
            cases=counted("count.cases", settings.lang, data["cases"]),
            events=counted("count.events", settings.lang, data["events"]),
            sealed_at=data["sealed_at"],
        )
    )
    settings.echo(
        wrap(settings.say("audit.seal_number", number=made.number, heads=data["heads"]))
    )
    settings.echo(settings.say("audit.seal_digest", digest=made.digest))
    if receipt is not None:
        settings.echo(wrap(settings.say("audit.receipt_written", path=receipt)))
    settings.echo(wrap(settings.say("audit.seal_keep")))


# report and policy ----------------------------------------------------------


def parse_moment(
    settings: Settings, name: str, value: str | None, *, end_of_day: bool
) -> dt.datetime | None:
    """Return the moment a ``--since``/``--until`` value names, in UTC.

    A date (``YYYY-MM-DD``) is a whole UTC day: from its first moment for
    ``--since`` and through its last for ``--until``; a date and time must
    carry a time zone.

    Raises:
        Failure: the value is neither (exit 2).
    """
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        pass
    else:
        time = dt.time.max if end_of_day else dt.time.min
        return dt.datetime.combine(day, time, tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise bad_input(
            settings,
            "audit.bad_date",
            name.removeprefix("--"),
            option=name,
            value=value,
        )
    return moment.astimezone(dt.UTC)


def read_policy(settings: Settings, path: str | None) -> Policy:
    """Return the agency's policy from a TOML file, or the default policy.

    Raises:
        Failure: the file cannot be read or is not a valid policy (exit 2).
    """
    from helping_process.policy import Policy  # noqa: PLC0415 - lazy
    from helping_process.policy import load_policy  # noqa: PLC0415 - lazy

    if path is None:
        return Policy()
    try:
        return load_policy(path)
    except OSError as error:
        raise settings.failure(
            "usage.unreadable", exit_code=BAD_INPUT, path=path, reason=error.strerror
        ) from error
    except InvalidInputError as error:
        if error.problem == "not_toml":
            raise bad_input(
                settings,
                "audit.policy_not_toml",
                "policy",
                path=path,
                detail=error.value,
            ) from error
        if error.problem == "unknown_field":
            raise bad_input(
                settings,
                "audit.policy_unknown_key",
                error.field,
                path=path,
                key=error.field,
            ) from error
        message = error.message(settings.lang)
        raise bad_input(
            settings, "audit.bad_policy", error.field, path=path, message=message
        ) from error


def write_output(
    settings: Settings, output: str, chunks: Iterable[str], *, private: bool = False
) -> bool:
    """Write text to a file, or to standard output when ``output`` is ``-``.

    Args:
        settings: the run's settings, for errors.
        output: the file name, or ``-``.
        chunks: the text, piece by piece (pieces are written as they come).
        private: create a new file readable by its owner only (0600), for
            output that holds personal data.

    Returns:
        Whether the text went to a file.

    Raises:
        Failure: the file cannot be written (exit 2).
    """
    if output == "-":
        stream = sys.stdout
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
        return False
    try:
        with _open_for_writing(Path(output), private=private) as file:
            for chunk in chunks:
                file.write(chunk)
    except OSError as error:
        raise bad_input(
            settings, "audit.cannot_write", "output", path=output, reason=error.strerror
        ) from error
    return True


def _open_for_writing(path: Path, *, private: bool) -> IO[str]:
    mode = 0o600 if private else 0o666
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    return os.fdopen(descriptor, "w", encoding="utf-8", newline="")


@audit.command("report", help="help.audit.report", short_help="help.audit.report.short")
@option("--since", metavar="DATE", help="opt.since")
@option("--until", metavar="DATE", help="opt.until")
@option(
    "--format",
    "output_format",
    metavar="FORMAT",
    type=FormatType(REPORT_FORMATS),
    help="opt.report_format",
)
@option("-o", "--output", metavar="FILE", default="-", help="opt.output")
@option("--policy", "policy_path", metavar="FILE", help="opt.policy")
@option("--agency", metavar="NAME", help="opt.agency")
@option("--key", "key_path", metavar="PUBLIC_KEY", help="opt.report_key")
@option("--receipt", "receipt_path", metavar="FILE", help="opt.receipt_in")
@option("--verify/--no-verify", "verify", default=True, help="opt.report_verify")
@json_flag()
@pass_settings
def report(  # noqa: PLR0913 - one parameter per option
    settings: Settings,
    *,
    since: str | None,
    until: str | None,
    output_format: str | None,
    output: str,
    policy_path: str | None,
    agency: str | None,
    key_path: str | None,
    receipt_path: str | None,
    verify: bool,
) -> None:
    """Verify the trail, then render the agency's figures for a window."""
    from helping_process import report as reports  # noqa: PLC0415 - lazy

    start = parse_moment(settings, "--since", since, end_of_day=False)
    end = parse_moment(settings, "--until", until, end_of_day=True)
    as_of = now()
    window_end = min(end, as_of) if end is not None else as_of
    if start is not None and start > window_end:
        raise bad_input(
            settings,
            "audit.since_after_until",
            "since",
            since=since,
            until=window_end.strftime("%Y-%m-%d %H:%M UTC"),
        )
    policy = read_policy(settings, policy_path)
    key = public_key(settings, key_path) if key_path is not None else None
    receipt = (
        read_receipt_file(settings, receipt_path, key)
        if receipt_path is not None
        else None
    )
    chosen = output_format or ("json" if settings.as_json else "text")
    service = settings.service()
    shown = shows_progress(settings, output=output)
    with progress(
        settings, "audit.reporting", _event_total(settings), shown=shown
    ) as tick:
        built = service.report(
            policy=policy,
            since=start,
            until=end,
            agency=agency,
            verify=verify,
            key=key,
            receipt=receipt,
            progress=tick,
            reader=settings.who(),
        )
    lang = settings.lang
    renderers: dict[str, Callable[[], str]] = {
        "text": lambda: reports.render_text(built, lang),
        "json": lambda: reports.render_json(built),
        "csv": lambda: reports.render_csv(built, lang),
        "html": lambda: reports.render_html(built, lang),
    }
    if not write_output(settings, output, [renderers[chosen]()]):
        return
    if settings.as_json:
        settings.emit(
            {
                "path": output,
                "format": chosen,
                "cases": built.cases,
                "findings": len(built.findings),
                "verified": built.trail is not None,
                "sound": None if built.trail is None else built.trail.ok,
            }
        )
        return
    settings.echo(settings.say("audit.written", path=output))


@audit.command("policy", help="help.audit.policy", short_help="help.audit.policy.short")
@option("--policy", "policy_path", metavar="FILE", help="opt.policy_check")
@json_flag()
@pass_settings
def policy(settings: Settings, policy_path: str | None) -> None:
    """Print the default policy (or a file's, checked) as a TOML file."""
    chosen = read_policy(settings, policy_path)
    if settings.as_json:
        settings.emit(chosen.to_json())
        return
    click.echo(chosen.to_toml(), nl=False)


# export ---------------------------------------------------------------------


@audit.command("export", help="help.audit.export", short_help="help.audit.export.short")
@option("--case", "case_ref", metavar="CASE", type=CaseIdType(), help="opt.export_case")
@option("--all", "every_case", is_flag=True, help="opt.export_all")
@option(
    "--format",
    "output_format",
    metavar="FORMAT",
    type=FormatType(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="opt.export_format",
)
@option("-o", "--output", metavar="FILE", default="-", help="opt.output")
@option("--for-sharing", is_flag=True, help="opt.for_sharing")
@json_flag()
@pass_settings
def export(  # noqa: PLR0913 - each option is named
    settings: Settings,
    *,
    case_ref: str | None,
    every_case: bool,
    output_format: str,
    output: str,
    for_sharing: bool,
) -> None:
    """Write the trail (one case, or every case) as JSON lines."""
    if (case_ref is None) == (not every_case) or (for_sharing and every_case):
        raise settings.failure("audit.case_or_all", exit_code=BAD_INPUT)
    case_id = case_id_of(settings, case_ref).case_id if case_ref else None
    written_lines = {"lines": 0}
    shown = shows_progress(settings, output=output)
    # The bar counts the events before the export's transaction starts.
    total = _event_total(settings, case_id)
    with progress(settings, "audit.exporting", total, shown=shown) as tick:
        lines = settings.service().export(
            case_id, reader=settings.who(), for_sharing=for_sharing
        )
        header = next(lines)  # the store is read (and may fail) before a file is made

        def chunks() -> Iterator[str]:
            yield header + "\n"
            written_lines["lines"] += 1
            for line in lines:  # one event a line
                written_lines["lines"] += 1
                tick(1)
                yield line + "\n"

        written = write_output(settings, output, chunks(), private=True)
    if not written:
        return
    cases = json.loads(header)["cases"]
    if settings.as_json:
        settings.emit(
            {
                "path": output,
                "format": output_format,
                "cases": cases,
                "lines": written_lines["lines"],
            }
        )
        return
    settings.echo(
        settings.say(
            "audit.exported",
            cases=counted("count.cases", settings.lang, cases),
            lines=counted("count.lines", settings.lang, written_lines["lines"]),
            path=output,
        )
    )


# access ---------------------------------------------------------------------


@audit.command("access", help="help.audit.access", short_help="help.audit.access.short")
@click.argument("case_ref", metavar="CASE", required=False, type=CaseIdType())
@json_flag()
@pass_settings
def access(settings: Settings, case_ref: str | None) -> None:
    """List who read which case, when and how (of one case, or all)."""
    service = settings.service()
    case_id = case_id_of(settings, case_ref).case_id if case_ref else None
    service.read(settings.who(), Operation.VERIFY, case_id)
    staff_store = service.staff
    entries = [] if staff_store is None else staff_store.accesses(case_id)
    if settings.as_json:
        settings.emit(
            {
                "entries": [
                    {
                        "seq": entry.seq,
                        "actor": entry.actor,
                        "at": entry.at.isoformat(),
                        "read": entry.operation.value,
                        "case_id": entry.case_id,
                    }
                    for entry in entries
                ]
            }
        )
        return
    if not entries:
        settings.echo(settings.say("access.empty"))
        return
    for entry in entries:
        what = entry.case_id or settings.say("access.all")
        settings.echo(
            f"{entry.seq:>5} {when(entry.at)} {entry.actor:<16}"
            f" {entry.operation.value:<8} {what}"
        )
