"""Every exception helping_process raises, under one base class.

Each error keeps its context as attributes and builds its English message in
``__init__``; :meth:`HelpingProcessError.message` renders it in Indonesian or
English, so callers never format error text themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import ClassVar

from helping_process import labels
from helping_process.labels import Language

if TYPE_CHECKING:
    from helping_process.definitions import Coded
    from helping_process.definitions import DefinitionProblem
    from helping_process.definitions import RecordProblem


class HelpingProcessError(Exception):
    """Base class of every error raised by helping_process."""

    #: The message template id in :mod:`helping_process.labels`.
    template: ClassVar[str] = "error.generic"

    def __init__(self) -> None:
        super().__init__(self.message("en"))

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle by attributes, so an error crosses into another process whole.

        The default would call the class with the message as its only
        argument, which no subclass takes (a worker's ``ConcurrentUpdateError``
        could not reach a process pool's caller).
        """
        return _rebuilt, (type(self), vars(self).copy())

    def message(self, lang: Language = "en") -> str:
        """Return the message in the given language.

        The message is rendered from the error's attributes, so it always
        says what the attributes say.

        Args:
            lang: ``"en"`` or ``"id"``.

        Returns:
            One line that names what is wrong.
        """
        return labels.render(self.message_template(), lang, vars(self))

    def message_template(self) -> str:
        """Return the id of the template :meth:`message` renders (with ``vars``)."""
        return self.template


class ProcessDefinitionError(HelpingProcessError):
    """Raised at import when the process definition breaks its own invariants."""

    template = "error.definition"

    def __init__(self, subject: str, problem: str) -> None:
        self.subject = subject
        self.problem = problem
        super().__init__()


class DefinitionError(HelpingProcessError, ValueError):
    """Raised when a process definition loaded from a file or text is broken.

    Every problem is collected before this is raised, so one attempt shows
    the process owner everything to fix.

    Attributes:
        source: the file (or built-in reference) the definition came from.
        problems: each problem, with its path in the file
            (:class:`helping_process.definitions.DefinitionProblem`).
    """

    template = "error.definition_invalid"

    def __init__(self, source: str, problems: Sequence[DefinitionProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__()

    def message(self, lang: Language = "en") -> str:
        """Return one line naming the source and every problem."""
        problems = "; ".join(problem.message(lang) for problem in self.problems)
        return labels.render(
            self.template,
            lang,
            {"source": self.source, "count": len(self.problems), "problems": problems},
        )


class UnknownDefinitionError(HelpingProcessError, LookupError):
    """Raised when no process definition has the reference asked for.

    Attributes:
        ref: the reference asked for (``NAME@VERSION`` or ``NAME``).
        known: the references there are.
    """

    template = "error.unknown_definition"

    def __init__(self, ref: str, known: Sequence[str]) -> None:
        self.ref = ref
        self.known = ", ".join(known)
        super().__init__()


class DefinitionNotRunnableError(HelpingProcessError):
    """Raised when a case would run under a definition the engine cannot run.

    Attributes:
        ref: the definition (``NAME@VERSION``).
        unknown: the codes it names that the engine does not know.
    """

    template = "error.definition_not_runnable"

    def __init__(self, ref: str, unknown: Sequence[str]) -> None:
        self.ref = ref
        self.unknown = ", ".join(unknown)
        super().__init__()


class DefinitionClashError(HelpingProcessError):
    """Raised when another definition is stored under the same name and version.

    Attributes:
        ref: ``NAME@VERSION``.
        stored: the digest of the definition stored under it.
        given: the digest of the one refused.
    """

    template = "error.definition_clash"

    def __init__(self, ref: str, stored: str, given: str) -> None:
        self.ref = ref
        self.stored = stored
        self.given = given
        super().__init__()


class RefusalError(HelpingProcessError):
    """A well-formed command that the process refuses; the case is unchanged."""


class InvalidTransitionError(RefusalError):
    """Raised when no legal move leads from the case's stage to the target."""

    template = "error.invalid_transition"

    def __init__(self, stage: str, target: str) -> None:
        self.stage = stage
        self.target = target
        super().__init__()


class RequirementNotMetError(RefusalError):
    """Raised when a legal move or command still lacks requirements.

    Attributes:
        missing: the stable ids of every unmet requirement, e.g.
            ``contract.time_period``.
    """

    template = "error.requirements"

    def __init__(
        self, stage: str, missing: Iterable[str], *, target: str | None = None
    ) -> None:
        self.stage = stage
        self.target = target
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__()

    def message_template(self) -> str:
        """Name the move when there is one."""
        return self.template if self.target else "error.requirements_in_stage"


class MigrationRefusedError(RefusalError):
    """Raised when a case cannot move to another definition's rules.

    Attributes:
        stage: the case's stage.
        ref: the definition asked for.
        missing: every problem: requirement ids of the target the case's
            records leave unmet, or ``stage: CODE`` / ``record_kind: CODE``
            the target lacks.
    """

    template = "error.migration_refused"

    def __init__(self, stage: str, ref: str, missing: Iterable[str]) -> None:
        self.stage = stage
        self.ref = ref
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__()


class ApprovalRefusedError(RefusalError):
    """Raised when a request for approval cannot be approved or rejected.

    Attributes:
        case_id: the case.
        request: the request's number (the ``seq`` of its event).
        reason: ``not_pending`` (no such request awaits a decision),
            ``self_approval`` (the requester cannot approve their own
            request) or ``role_not_held`` (the approver does not act in
            the role the gate names).
        approver: the role the gate names ("" when unknown).
    """

    template = "error.approval"

    def __init__(
        self, case_id: str, request: int, reason: str, approver: str = ""
    ) -> None:
        self.case_id = case_id
        self.request = request
        self.reason = reason
        self.approver = approver
        super().__init__()

    def message_template(self) -> str:
        """Return the template of the refusal's reason."""
        return f"error.approval.{self.reason}"


class RecordNotAllowedError(RefusalError):
    """Raised when a record kind may not be added in the case's current stage."""

    template = "error.record_not_allowed"

    def __init__(self, kind: str, stage: str) -> None:
        self.kind = kind
        self.stage = stage
        super().__init__()


class NothingToRedactError(RefusalError):
    """Raised when a redaction finds no personal data left in the case.

    Every earlier event's personal data is gone already (or the events had
    none): a redaction event would remove nothing, so none is recorded.
    """

    template = "error.nothing_to_redact"

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__()


class InvalidTerminationReasonError(RefusalError, ValueError):
    """Raised when a termination reason or sub-reason is not allowed here.

    The reason is a known code, but the stage (or the case not being
    residential, or the sub-reason not belonging to the reason) rules it out.
    """

    template = "error.termination_reason"

    def __init__(self, reason: str, stage: str) -> None:
        self.reason = reason
        self.stage = stage
        super().__init__()


class InvalidSubReasonError(InvalidTerminationReasonError):
    """Raised when a sub-reason is given that does not belong to the reason."""

    template = "error.termination_sub_reason"

    def __init__(
        self, reason: str, stage: str, sub_reason: str, allowed: Iterable[str] = ()
    ) -> None:
        self.sub_reason = sub_reason
        self.allowed = tuple(allowed)
        super().__init__(reason, stage)

    def message(self, lang: Language = "en") -> str:
        """Return the message, listing only the sub-reasons of this reason."""
        params = {"reason": self.reason, "sub_reason": self.sub_reason}
        if not self.allowed:
            return labels.render("error.termination_no_sub_reason", lang, params)
        allowed = ", ".join(
            f"{code} ({labels.label('sub_reason', code, lang)})"
            for code in self.allowed
        )
        return labels.render(self.template, lang, {**params, "allowed": allowed})


class InvalidInputError(HelpingProcessError, ValueError):
    """Raised for malformed input: a bad code, date, value or command field."""

    template = "error.invalid_input"

    def __init__(self, field: str, problem: str, value: object = None) -> None:
        self.field = field
        self.problem = problem
        self.value = value
        super().__init__()


class RecordInvalidError(InvalidInputError):
    """Raised when a record is malformed; names the offending field.

    Attributes:
        kind: the record kind (``contract``, ``plan``, ...).
        field: the path of the field inside the record, e.g.
            ``goals[0].objectives``.
        problem: a stable problem code (``missing``, ``blank``, ...).
    """

    template = "error.record_invalid"

    def __init__(
        self, kind: str, field: str, problem: str, value: object = None
    ) -> None:
        self.kind = kind
        super().__init__(field, problem, value)

    def within(self, prefix: str) -> RecordInvalidError:
        """Return the same error with its field path nested under ``prefix``."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return RecordInvalidError(self.kind, field, self.problem, self.value)


class RecordProblemsError(RecordInvalidError):
    """Raised when a record is malformed; names every problem at once.

    A worker who typed a record by hand fixes everything in one attempt:
    each missing field, wrong type, unknown code, bad date and value out of
    range is named with its JSON path and what the field expects.

    Attributes:
        kind: the record kind.
        problems: every problem, in the order of the record's fields
            (:class:`helping_process.definitions.RecordProblem`).
        labelled: the codes the record's fields allow, with their labels,
            shown beside the codes a problem lists.
        field: the path of the first problem (as :class:`RecordInvalidError`).
        problem: the code of the first problem.
    """

    template = "error.record_problems"

    def __init__(
        self,
        kind: str,
        problems: Sequence[RecordProblem],
        labelled: Sequence[Coded] = (),
    ) -> None:
        self.problems = tuple(problems)
        self.labelled = tuple(labelled)
        first = self.problems[0]
        super().__init__(kind, first.path, first.code, first.params.get("value"))

    def message(self, lang: Language = "en") -> str:
        """Return one line naming the record kind and every problem."""
        problems = "; ".join(
            problem.message(lang, self.labelled) for problem in self.problems
        )
        template = "error.record_problem" if len(self.problems) == 1 else self.template
        return labels.render(
            template,
            lang,
            {"kind": self.kind, "count": len(self.problems), "problems": problems},
        )


class UnknownCaseError(HelpingProcessError, LookupError):
    """Raised when no case has the given id."""

    template = "error.unknown_case"

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__()


class ConcurrentUpdateError(HelpingProcessError):
    """Raised when another writer changed the case first; nothing was stored.

    Reload the case and decide again (see ``helping_process.retry``).
    """

    template = "error.concurrent_update"

    def __init__(self, case_id: str, seq: int) -> None:
        self.case_id = case_id
        self.seq = seq
        super().__init__()


class AuditIntegrityError(HelpingProcessError):
    """Raised when the trail contradicts itself: a gap, a bad hash, an illegal move."""

    template = "error.audit_integrity"

    def __init__(self, case_id: str, seq: int, finding: str) -> None:
        self.case_id = case_id
        self.seq = seq
        self.finding = finding
        super().__init__()


class StorageError(HelpingProcessError):
    """Raised for any other database failure; always chained ``from`` the cause."""

    template = "error.storage"

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__()


class DriverMissingError(StorageError):
    """Raised when the database a URL names needs a driver that is not installed.

    A set-up problem, not a failure of the database: installing the
    package's extra (``pip install 'helping-process[postgres]'``) fixes it.

    Attributes:
        module: the missing driver module, e.g. ``psycopg``.
        extra: what to install, e.g. ``helping-process[postgres]``.
    """

    template = "error.driver_missing"

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(f"{module} is not installed (pip install '{extra}')")


def _rebuilt(
    kind: type[HelpingProcessError], attributes: dict[str, object]
) -> HelpingProcessError:
    """Make an unpickled error: its attributes, and its message from them."""
    error = kind.__new__(kind)
    vars(error).update(attributes)
    Exception.__init__(error, error.message("en"))
    return error
