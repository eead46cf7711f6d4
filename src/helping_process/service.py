"""Use cases: load a case, decide a command, append its sealed event.

:class:`CaseService` is what agency software embeds. Each command runs in
one unit of work of an :class:`AuditStore`: the case's head and the new
event are written together or not at all, and a refused command writes
nothing. The store is a port: :mod:`helping_process.persistence` provides
the SQLAlchemy one, :mod:`helping_process.testing` an in-memory one.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextlib import contextmanager
from contextlib import nullcontext
from operator import itemgetter
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import Protocol
from typing import TypeVar

import attrs
import orjson

from helping_process import audit
from helping_process import engine
from helping_process import snapshot as snapshots
from helping_process.audit import Sealed
from helping_process.definitions import Definition
from helping_process.definitions import builtin
from helping_process.definitions import builtins
from helping_process.definitions import load_definition
from helping_process.definitions._validate import check_record
from helping_process.exceptions import ApprovalRefusedError
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import DefinitionClashError
from helping_process.exceptions import DefinitionError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import RecordInvalidError
from helping_process.exceptions import RefusalError
from helping_process.exceptions import RequirementNotMetError
from helping_process.exceptions import UnknownDefinitionError
from helping_process.model import UTC
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import ActorRole
from helping_process.model import AddRecord
from helping_process.model import ApproveRequest
from helping_process.model import AssignCase
from helping_process.model import AssignReason
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import Consent
from helping_process.model import ConsentPurpose
from helping_process.model import Event
from helping_process.model import MigrateCase
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import RecordConsent
from helping_process.model import RedactCase
from helping_process.model import ReferCase
from helping_process.model import RejectRequest
from helping_process.model import ReopenCase
from helping_process.model import TerminateCase
from helping_process.model import TransferCase
from helping_process.snapshot import Snapshot
from helping_process.staff import LOGGED_READS
from helping_process.staff import AllowEveryone
from helping_process.staff import Authorizer
from helping_process.staff import NotPermittedError
from helping_process.staff import Operation
from helping_process.staff import RosterAuthorizer
from helping_process.staff import StaffRole
from helping_process.staff import StaffStore
from helping_process.states import Record
from helping_process.states import RecordKind
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states import parse_record

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from helping_process.policy import Policy
    from helping_process.report import Report
    from helping_process.seals import Receipt
    from helping_process.seals import Seal
    from helping_process.seals import SealReview

T = TypeVar("T")

#: The operation each command is authorized as.
_OPERATIONS: Final[Mapping[type[object], Operation]] = {
    OpenCase: Operation.OPEN,
    AddRecord: Operation.RECORD,
    MoveCase: Operation.MOVE,
    TerminateCase: Operation.TERMINATE,
    ReopenCase: Operation.REOPEN,
    RedactCase: Operation.REDACT,
    ApproveRequest: Operation.APPROVE,
    RejectRequest: Operation.APPROVE,
    AssignCase: Operation.ASSIGN,
    ReferCase: Operation.REFER,
    TransferCase: Operation.TRANSFER,
    RecordConsent: Operation.CONSENT,
}

#: Who acts or reads: an Actor with a self-declared role, or only an id
#: (the role is then the roster's).
Who = Actor | str

#: How many cases a service keeps decoded between commands.
CACHE_SIZE: Final = 4096


@attrs.frozen(kw_only=True)
class CaseSummary:
    """A case as a list shows it, read from its head without replaying.

    Attributes:
        case_id: the case.
        client: the agency's client reference (None once redacted).
        residential: whether the client lives in the institution.
        stage: the current stage.
        episode: the current episode.
        seq: the number of events.
        opened_at: when the case was opened.
        updated_at: when its last event took place.
        verified: whether these values were checked against the audit
            trail. A list reads the case rows as they are stored, which only
            ``audit verify`` (:meth:`CaseService.verification`) compares with
            the chain, so it is False there: whoever shows a summary should
            say it is unverified.
    """

    case_id: str
    client: str | None
    residential: bool
    stage: Stage
    episode: int
    seq: int
    opened_at: dt.datetime
    updated_at: dt.datetime
    verified: bool = False


@attrs.frozen(kw_only=True)
class PendingRequest:
    """A request for approval that awaits a decision.

    Attributes:
        case_id: the case.
        request: the request's event: its ``seq`` is the request's number,
            its ``requested`` the command's action, its ``approver`` the role
            that approves, its other fields the command's details.
    """

    case_id: str
    request: Event


class UnitOfWork(Protocol):
    """One transaction on the store: reads and the append of one command."""

    def head(self, case_id: str) -> audit.Head:
        """Return the case's head.

        Raises:
            UnknownCaseError: no case has that id.
        """

    def events(self, case_id: str, *, after: int = 0) -> list[Sealed]:
        """Return the case's stored events with ``seq`` above ``after``."""

    def event_at(self, case_id: str, seq: int) -> Sealed | None:
        """Return the case's stored event ``seq``, or None when there is none."""

    def snapshot(self, case_id: str, *, upto: int) -> Snapshot | None:
        """Return the case's newest snapshot taken at or before event ``upto``."""

    def snapshots(self, case_id: str) -> list[Snapshot]:
        """Return every stored snapshot of the case, oldest first."""

    def snapshot_cases(self) -> set[str]:
        """Return the ids of the cases that have snapshots."""

    def stray_personal(self, seen: int) -> list[tuple[object, object]]:
        """Return the keys of stored personal data that no stored event owns.

        ``seen``: how many rows of personal data were read with their
        events; a store holding no more has none to look up.
        """

    def definitions(self) -> list[tuple[str, str, int, str]]:
        """Return the stored process definitions: digest, name, version, text."""

    def add_definition(self, definition: Definition) -> None:
        """Store a process definition's file under its digest, name and version."""

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Store a snapshot (nothing if one at that event is stored already)."""

    def append(self, decision: engine.Decision, sealed: Sealed) -> None:
        """Store ``sealed`` and move the case's head to ``decision.case``.

        Raises:
            ConcurrentUpdateError: the head is no longer at ``sealed.seq - 1``
                with hash ``sealed.prev_hash``.
        """

    def redact(self, case_id: str, *, seqs: Sequence[int], at: dt.datetime) -> None:
        """Remove the personal data of the case's events ``seqs``.

        The case row's client reference goes too.
        """

    def cases(self, *, stage: Stage | None = None) -> list[CaseSummary]:
        """Return the summaries of all cases, or of those in ``stage``."""

    def case_page(
        self,
        *,
        limit: int,
        stage: Stage | None = None,
        opened_since: dt.datetime | None = None,
        worker: str | None = None,
        before: tuple[dt.datetime, str] | None = None,
    ) -> list[CaseSummary]:
        """Return up to ``limit`` case summaries, newest first.

        Ordered by opening time then case id, both descending; ``before``
        is the ``(opened_at, case_id)`` of the last summary of the previous
        page, so pages stay stable while cases are opened. ``worker`` keeps
        the cases whose opening event that actor made.
        """

    def find_head(self, case_id: str) -> audit.Head | None:
        """Return the case's head, or None when there is none."""

    def heads(self) -> dict[str, audit.Head]:
        """Return every case's head, by case id."""

    def scan(self, *, personal: bool = True) -> Iterator[Sealed]:
        """Yield every stored event, ordered by case id and ``seq``, streaming.

        Args:
            personal: read the personal data too (False: the chain only).
        """

    def trails(
        self, *, personal: bool = True, within: audit.CaseRange = audit.EVERY_CASE
    ) -> Iterator[tuple[audit.Head | None, list[Sealed]]]:
        """Yield every case's head with its stored events, a case at a time.

        Cases come in the store's order of their ids, each with its events
        in the order of ``seq``; a head is None when the case's row is
        missing, and a case with a head but no events comes with an empty
        list. Only one case's events are held at a time, so memory stays
        flat however long the trail and however many cases it holds.

        Args:
            personal: read the personal data too (False: the chain only).
            within: only the cases whose ids fall in this range.
        """

    def case_ranges(self, parts: int) -> list[audit.CaseRange]:
        """Split the cases into at most ``parts`` ranges of about as many events.

        See :func:`helping_process.audit.split_cases`.
        """

    def trails_with_columns(
        self, case_id: str | None = None, *, within: audit.CaseRange = audit.EVERY_CASE
    ) -> Iterator[tuple[audit.Head | None, list[Sealed], list[audit.Columns] | None]]:
        """Yield every case (or one) with its events and every stored column.

        What :meth:`trails` yields, with the personal data, plus the columns
        stored beside each event (None for a store that keeps none) and, on
        each head, the case row's other columns. Cells come as stored, so a
        corrupt one is verification's to report, never an exception.

        Args:
            case_id: one case, or every case when None.
            within: without ``case_id``, only the cases in this range.
        """

    def seals(self) -> list[Seal]:
        """Return the stored seals, oldest first."""

    def add_seal(self, seal: Seal, *, sealed_at: dt.datetime) -> int:
        """Store a seal after the existing ones; return its number."""


class AuditStore(Protocol):
    """Where cases and their trails are kept."""

    def opener(self) -> Callable[[], AuditStore] | None:
        """Return how another process opens this store (picklable), or None."""

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Open a transaction; it commits on a clean exit and rolls back on error."""

    def append(self, decision: engine.Decision, sealed: Sealed) -> None:
        """Store one command's event as a unit of work of its own.

        What ``with unit_of_work() as uow: uow.append(...)`` does; a store
        may do it in fewer round trips (the most common write of all).

        Raises:
            ConcurrentUpdateError: the head is no longer at ``sealed.seq - 1``
                with hash ``sealed.prev_hash``.
        """


def _now() -> dt.datetime:
    return dt.datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


#: How many random bytes salt an event's personal data.
SALT_BYTES: Final = 16


def _new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


class CaseService:
    """Run cases through the helping process with a durable audit trail.

    Every write names its actor. Reads replay nothing the service already
    holds: decoded cases are kept (a bounded number). A command is decided
    on the held case and appended with a guard on the head it chains to, so
    a case changed by another process (or a caller's rolled-back work) is
    found at the append, reloaded and decided again; reads check the held
    case against the head's version.

    Args:
        store: where cases are kept.
        clock: returns the current time (aware); injected for tests.
        new_id: returns a new case id.
        new_salt: returns the random salt of an event's personal data
            (:data:`SALT_BYTES` from :mod:`secrets`); injected for tests.
            None seals personal data unsalted, as before salts: only to
            reproduce events of that format.
        snapshot_every: a cold load that folds at least this many events
            stores a snapshot of the case (see :meth:`_load`).
        process: the definition new cases follow when :meth:`open` names
            none (the agency's default); ``helping-process@2`` when None.
        staff: where the roster and the access log are kept; by default
            the store's own (``store.staff()``) when it has them.
        authorizer: who may do what; by default the roster of ``staff``
            (:class:`~helping_process.staff.RosterAuthorizer`), or nobody is
            checked when there is no roster.
    """

    def __init__(  # noqa: PLR0913 - each collaborator is named
        self,
        store: AuditStore,
        *,
        clock: Callable[[], dt.datetime] = _now,
        new_id: Callable[[], str] = _new_id,
        new_salt: Callable[[], bytes] | None = _new_salt,
        snapshot_every: int = snapshots.EVERY,
        process: Definition | None = None,
        staff: StaffStore | None = None,
        authorizer: Authorizer | None = None,
    ) -> None:
        self.store = store
        self._staff = staff
        self._staff_known = staff is not None
        self._authorizer = authorizer
        self._clock = clock
        self._new_id = new_id
        self._new_salt = new_salt
        self._snapshot_every = snapshot_every
        self._cache: OrderedDict[str, tuple[Case, str]] = OrderedDict()
        self._process = process
        #: Digests of the definitions known to be stored.
        self._stored: set[str] = set()
        #: Whether the stored definitions have been read into this process.
        self._registered = False

    # -- process definitions -------------------------------------------------

    @property
    def default_process(self) -> Definition:
        """The definition new cases follow unless :meth:`open` names one."""
        return self._process if self._process is not None else builtin()

    @default_process.setter
    def default_process(self, definition: Definition) -> None:
        engine.rules_of(definition)  # refuse one the engine cannot run
        self._process = definition

    def definitions(self) -> list[Definition]:
        """Return the definitions stored with the trail that load soundly.

        Each is also known to this process from then on, so the cases
        pinned to it replay. A stored file that does not load, or whose
        digest is not the one stored, is left out (verification names it).
        """
        with _reading(self.store) as uow:
            return self._register(uow)

    def definition(self, ref: str) -> Definition:
        """Return a definition by ``NAME@VERSION``, or ``NAME`` for its newest.

        Installed definitions and built-ins are both looked up.

        Raises:
            UnknownDefinitionError: no definition has that reference.
        """
        known = {d.ref: d for d in (*builtins(), *self.definitions())}
        if ref in known:
            return known[ref]
        named = sorted(
            (d for d in known.values() if d.name == ref), key=lambda d: d.version
        )
        if not named:
            raise UnknownDefinitionError(ref, sorted(known))
        return named[-1]

    def install(self, definition: Definition) -> bool:
        """Store a definition so cases can be opened under it or moved to it.

        Returns:
            Whether it was stored now (False: it was stored already).

        Raises:
            DefinitionClashError: another definition is stored under the
                same name and version; a change must be a new version.
        """
        with self.store.unit_of_work() as uow:
            return self._store_definition(uow, definition)

    def _store_definition(self, uow: UnitOfWork, definition: Definition) -> bool:
        if definition.digest in self._stored:
            return False
        for digest, name, version, _ in uow.definitions():
            if digest == definition.digest:
                self._stored.add(digest)
                return False
            if (name, version) == (definition.name, definition.version):
                raise DefinitionClashError(definition.ref, digest, definition.digest)
        engine.rules_of(definition)  # refuse one the engine cannot run
        uow.add_definition(definition)
        self._stored.add(definition.digest)
        return True

    def _register(self, uow: UnitOfWork) -> list[Definition]:
        """Load the stored definitions into this process; return the sound ones."""
        loaded = []
        for digest, _name, _version, text in uow.definitions():
            try:
                definition = load_definition(text, name=digest)
            except DefinitionError:
                continue
            if definition.digest == digest:
                loaded.append(definition)
                self._stored.add(digest)
        self._registered = True
        return loaded

    def open(  # noqa: PLR0913 - the opening's parts are named, not bundled
        self,
        client: str,
        *,
        actor: Who,
        residential: bool | None = None,
        note: str | None = None,
        occurred_at: dt.datetime | None = None,
        process: Definition | str | None = None,
    ) -> Case:
        """Open a new case and return it.

        The case is pinned to ``process`` (a definition or its reference;
        the service's default when None), which is stored with the trail
        the first time a case uses it. ``residential`` not given is the
        definition's word: true where every client lives in the
        institution (``residential = "always"``), else false.

        Raises:
            UnknownDefinitionError: no definition has that reference.
            DefinitionClashError: another definition is stored under its
                name and version.
            DefinitionNotRunnableError: the engine cannot run it.
        """
        if isinstance(process, str):
            process = self.definition(process)
        definition = process if process is not None else self.default_process
        if residential is None:
            residential = definition.residential == "always"
        command = OpenCase(
            client=client,
            residential=residential,
            note=note,
            occurred_at=occurred_at,
            process=definition,
        )
        acting = self.authorize(actor, Operation.OPEN, None)
        decision = engine.open_case(
            command, case_id=self._new_id(), actor=acting, at=self._clock()
        )
        if definition.digest not in self._stored:
            with self.store.unit_of_work() as uow:
                self._store_definition(uow, definition)
        sealed = audit.seal(decision.event, audit.GENESIS, salt=self._salt())
        self.store.append(decision, sealed)
        self._remember(decision.case, sealed.hash)
        return decision.case

    def add_record(
        self,
        case_id: str,
        record: Record,
        *,
        actor: Who,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Add a record to the case (see :func:`parse_record` for JSON)."""
        return self.execute(
            case_id, AddRecord(record=record, occurred_at=occurred_at), actor=actor
        )

    def add_record_json(  # noqa: PLR0913 - execute's, and the record's kind and JSON
        self,
        case_id: str,
        kind: RecordKind | str,
        data: Mapping[str, object],
        *,
        actor: Who,
        occurred_at: dt.datetime | None = None,
        expected_seq: int | None = None,
    ) -> Case:
        """Add a record given as a JSON object of ``kind``.

        The record is read by its class; the engine checks it against the
        fields of the case's definition where that definition narrowed its
        kind (see :func:`helping_process.definitions.reshaped_kinds`).
        ``expected_seq`` is :meth:`execute`'s.

        Raises:
            RecordProblemsError: the object is malformed; every problem is
                named at once, not only the first.
        """
        try:
            record = parse_record(kind, data)
        except RecordInvalidError:
            # The record reader stops at the first problem: name them all.
            check_record(str(kind), data, self.get(case_id).definition)
            raise
        return self.execute(
            case_id,
            AddRecord(record=record, occurred_at=occurred_at),
            actor=actor,
            expected_seq=expected_seq,
        )

    def move(
        self,
        case_id: str,
        target: Stage,
        *,
        actor: Who,
        note: str | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Move the case to ``target``; a loop back needs a note."""
        command = MoveCase(target=target, note=note, occurred_at=occurred_at)
        return self.execute(case_id, command, actor=actor)

    def terminate(  # noqa: PLR0913 - the termination's parts are named, not bundled
        self,
        case_id: str,
        reason: TerminationReason,
        *,
        actor: Who,
        note: str | None,
        sub_reason: SubReason | None = None,
        referral_to: str | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """End the case's episode for ``reason``."""
        command = TerminateCase(
            reason=reason,
            sub_reason=sub_reason,
            referral_to=referral_to,
            note=note,
            occurred_at=occurred_at,
        )
        return self.execute(case_id, command, actor=actor)

    def reopen(
        self,
        case_id: str,
        *,
        actor: Who,
        note: str | None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Start a new episode of a terminated case."""
        command = ReopenCase(note=note, occurred_at=occurred_at)
        return self.execute(case_id, command, actor=actor)

    def redact(self, case_id: str, *, actor: Who, note: str | None) -> Case:
        """Remove the personal data of the case's earlier events.

        The redaction is itself an event: who, when, the lawful basis (its
        note) and the ``seq`` of every event whose personal data it removes
        (``Event.redacted``), all in the chain; the chain still verifies
        and reports those events as redacted. The case row's client
        reference goes too. A store on a database file then removes every
        copy the file still holds (see ``docs/audit-format.md``).

        Raises:
            NothingToRedactError: no earlier event holds personal data any
                more; nothing is stored.
        """
        return self.execute(case_id, RedactCase(note=note), actor=actor)

    def migrate(
        self,
        case_id: str,
        to: Definition | str,
        *,
        actor: Actor,
        note: str | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Move the case to another definition's rules, saying why.

        The target is stored with the trail first (if it is not already);
        the migration is one chained event, from which replay judges the
        case by the target's rules.

        Raises:
            MigrationRefusedError: the case's stage is not in the target, or
                its records in force fail what the target asks in that stage,
                or the note is missing; every problem is named.
            UnknownDefinitionError: no definition has that reference.
            DefinitionClashError: another definition is stored under the
                target's name and version.
        """
        target = self.definition(to) if isinstance(to, str) else to
        if target.digest not in self._stored:
            with self.store.unit_of_work() as uow:
                self._store_definition(uow, target)
        command = MigrateCase(to=target, note=note, occurred_at=occurred_at)
        return self.execute(case_id, command, actor=actor)

    def assign(  # noqa: PLR0913 - the assignment's parts are named, not bundled
        self,
        case_id: str,
        worker: str,
        *,
        actor: Who,
        note: str | None,
        reason: AssignReason | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Make ``worker`` the case's worker of record (supervisor or admin).

        With ``reason=client_dislikes_worker`` the reassignment resolves
        that problem without ending the service. While the roster has
        members, ``worker`` must be an active member who holds the worker
        or supervisor role.

        Raises:
            RequirementNotMetError: the note is missing, ``worker`` is
                already the worker of record or may not hold cases.
        """
        command = AssignCase(
            worker=worker, reason=reason, note=note, occurred_at=occurred_at
        )
        return self.execute(case_id, command, actor=actor)

    def _check_assignee(self, command: AssignCase, case: Case) -> None:
        """Refuse an assignee the roster does not know as a practitioner."""
        staff = self.staff
        if staff is None:
            return
        roster = staff.roster()
        if roster.is_empty:
            return
        member = roster.members.get(command.worker)
        if (
            member is None
            or not member.active
            or not {StaffRole.WORKER, StaffRole.SUPERVISOR} & set(member.roles)
        ):
            raise RequirementNotMetError(case.stage, ["assign.worker_on_roster"])

    def refer(
        self,
        case_id: str,
        to: str,
        *,
        actor: Who,
        note: str | None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Record an outgoing referral to organisation ``to``; the case goes on.

        Refused without the client's consent for referral in force. A later
        termination for a reason that refers the client links to it.
        """
        command = ReferCase(to=to, note=note, occurred_at=occurred_at)
        return self.execute(case_id, command, actor=actor)

    def transfer(
        self,
        case_id: str,
        unit: str,
        *,
        actor: Who,
        note: str | None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Hand the case, with its whole history, to another unit of the agency.

        The worker of record stays until the receiving unit's supervisor
        assigns another (:meth:`assign`).
        """
        command = TransferCase(unit=unit, note=note, occurred_at=occurred_at)
        return self.execute(case_id, command, actor=actor)

    def consent(  # noqa: PLR0913 - the consent's parts are named, not bundled
        self,
        case_id: str,
        purpose: ConsentPurpose,
        *,
        given: bool,
        on: dt.date,
        actor: Who,
        note: str | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Record the client's consent for ``purpose``, given or withdrawn on ``on``."""
        command = RecordConsent(
            consent=Consent(purpose, given, on), note=note, occurred_at=occurred_at
        )
        return self.execute(case_id, command, actor=actor)

    def execute(
        self,
        case_id: str,
        command: Command,
        *,
        actor: Who,
        expected_seq: int | None = None,
    ) -> Case:
        """Decide ``command`` on the case and store its event, in one transaction.

        Args:
            case_id: the case.
            command: what is asked.
            actor: who asks.
            expected_seq: the version the caller decided on (the ``seq`` of
                the case it showed someone); when given, a case changed since
                is refused with :class:`ConcurrentUpdateError`.

        Raises:
            UnknownCaseError: no case has that id.
            RefusalError: the process refuses, or the actor may not do
                this (:class:`~helping_process.staff.NotPermittedError`);
                nothing is stored.
            InvalidInputError: the command is malformed; nothing is stored.
            ConcurrentUpdateError: another writer changed the case first;
                nothing is stored (see :func:`retry_on_conflict`).
        """
        operation = _OPERATIONS.get(type(command), Operation.RECORD)
        who = actor
        held = self._cache.get(case_id)
        if (
            held is not None
            and expected_seq in (None, held[0].seq)
            and not isinstance(command, RedactCase)
        ):
            if isinstance(command, AssignCase):
                self._check_assignee(command, held[0])
            try:
                acting = self.authorize(who, operation, case_id, case=held[0])
            except NotPermittedError:
                pass  # the held case may be stale: judged again on the stored one
            else:
                stored = self._append_held(held, command, acting)
                if stored is not None:
                    return stored
        with self.store.unit_of_work() as uow:
            current = self._load(uow, case_id)
            actor = self.authorize(who, operation, case_id, case=current[0])
            if expected_seq is not None and current[0].seq != expected_seq:
                raise ConcurrentUpdateError(case_id, expected_seq)
            if isinstance(command, AssignCase):
                self._check_assignee(command, current[0])
            if isinstance(command, RedactCase):
                command = attrs.evolve(
                    command, events=_redactable(uow.events(case_id), current[0].seq)
                )
            decision, sealed = self._decide(current, command, actor)
            uow.append(decision, sealed)
            redacts = decision.event.action is Action.REDACT
            if isinstance(command, RedactCase) and redacts and command.events:
                uow.redact(case_id, seqs=command.events, at=decision.event.recorded_at)
        if redacts:
            self._cache.pop(case_id, None)
        else:
            self._remember(decision.case, sealed.hash)
        return decision.case

    def approve(
        self, case_id: str, request: int | str, *, actor: Who, note: str | None
    ) -> Case:
        """Approve a pending request: its command takes effect now.

        Two chained events are stored together: the approval (by the
        approver, naming the request) and the command itself (by its
        requester), decided again on the case as it now stands. Without a
        roster the approver's role is the one declared; with one, an
        approver given by id acts in the role the request's gate names,
        which the roster must give them.

        Raises:
            ApprovalRefusedError: no such request is pending, the approver
                is the requester, or does not act in the approving role.
            RefusalError: the command is no longer legal (the reason is
                the rules'); nothing is stored.
        """
        command = ApproveRequest(request=request, note=note)
        pending = self._pending_request(case_id, command.request)
        acting = self.authorize(
            self._as_approver(actor, pending), Operation.APPROVE, case_id
        )
        with self.store.unit_of_work() as uow:
            current = self._load(uow, case_id)
            approval, sealed = self._decide(current, command, acting)
            request_event = approval.case.approved
            assert request_event is not None  # noqa: S101 - an approval sets it
            effect = engine.requested_command(request_event)
            if isinstance(effect, RedactCase):
                earlier = _redactable(uow.events(case_id), current[0].seq)
                if approval.event.note is not None:
                    earlier = (*earlier, approval.event.seq)
                effect = attrs.evolve(effect, events=earlier)
            decision, effect_sealed = self._decide(
                (approval.case, sealed.hash), effect, request_event.actor
            )
            uow.append(approval, sealed)
            uow.append(decision, effect_sealed)
            if isinstance(effect, RedactCase) and effect.events:
                uow.redact(case_id, seqs=effect.events, at=decision.event.recorded_at)
        if isinstance(effect, RedactCase):
            self._cache.pop(case_id, None)
        else:
            self._remember(decision.case, effect_sealed.hash)
        return decision.case

    def reject(
        self, case_id: str, request: int | str, *, actor: Who, note: str | None
    ) -> Case:
        """Reject a pending request (or withdraw one's own): it never takes effect.

        Raises:
            ApprovalRefusedError: no such request is pending, or the actor
                is neither its requester nor acts in the approving role.
        """
        command = RejectRequest(request=request, note=note)
        pending = self._pending_request(case_id, command.request)
        if not (isinstance(actor, str) and actor == pending.actor.id):
            actor = self._as_approver(actor, pending)
        return self.execute(case_id, command, actor=actor)

    def _pending_request(self, case_id: str, number: int) -> Event:
        pending = self.get(case_id).request(number)
        if pending is None:
            raise ApprovalRefusedError(case_id, number, "not_pending")
        return pending

    def _as_approver(self, who: Who, request: Event) -> Who:
        """Who acts, in the approving role when only an id is given to a roster."""
        if isinstance(who, str) and self.actors_checked:
            return Actor(who, request.approver or ActorRole.SUPERVISOR)
        return who

    def requests(self, case_id: str, *, reader: Who | None = None) -> list[Event]:
        """Return the case's pending requests, oldest first (read as ``show``)."""
        return list(self.get(case_id, reader=reader).requests)

    def approving_roles(self, who: Who) -> frozenset[ActorRole]:
        """Return the roles in which ``who`` may approve.

        Without a roster, the role declared (a worker's when none is); with
        one, every role the Authorizer lets them approve in.
        """
        if not self.actors_checked:
            return frozenset({who.role if isinstance(who, Actor) else ActorRole.WORKER})
        actor_id = who if isinstance(who, str) else who.id
        return frozenset(
            role
            for role in ActorRole
            if self.authorizer.authorize(
                Actor(actor_id, role), Operation.APPROVE, None
            ).allowed
        )

    def pending(self, who: Who) -> list[PendingRequest]:
        """Return the requests that await ``who``: theirs to approve, not their own.

        A request awaits someone who may approve in its approving role and
        did not make it. Every case's trail is read for its requests and
        their decisions (the chained bytes, without personal data), oldest
        request first.

        Raises:
            NotPermittedError: ``who`` may not list the cases.
        """
        self.read(who, Operation.LIST, None)
        actor_id = who if isinstance(who, str) else who.id
        roles = self.approving_roles(who)
        open_: dict[tuple[str, int], Event] = {}
        marks = (b'"action":"request"', b'"action":"approve"', b'"action":"reject"')
        with self.store.unit_of_work() as uow:
            for row in uow.scan(personal=False):
                if not any(mark in row.body for mark in marks):
                    continue
                try:
                    event = audit.unseal(row)
                except AuditIntegrityError:
                    continue  # verification names it
                if event.action is Action.REQUEST:
                    open_[event.case_id, event.seq] = event
                elif event.request is not None:
                    open_.pop((event.case_id, event.request), None)
        return sorted(
            (
                PendingRequest(case_id=case_id, request=event)
                for (case_id, _), event in open_.items()
                if event.approver in roles and event.actor.id != actor_id
            ),
            key=lambda pending: (pending.request.recorded_at, pending.case_id),
        )

    def _append_held(
        self, held: tuple[Case, str], command: Command, actor: Actor
    ) -> Case | None:
        """Decide on the case as held and store it in one round of the store.

        The held case is usually current, so the guarded append is all it
        takes. Returns None when the held case cannot be trusted with the
        decision (the append found the head moved, or the held case refuses
        the command): the caller then decides on the stored case, so a
        decision is never made, nor a refusal given, on stale data.
        """
        try:
            decision, sealed = self._decide(held, command, actor)
        except (RefusalError, InvalidInputError):
            return None
        try:
            self.store.append(decision, sealed)
        except ConcurrentUpdateError:
            self._cache.pop(decision.case.case_id, None)
            return None
        self._remember(decision.case, sealed.hash)
        return decision.case

    def _decide(
        self, held: tuple[Case, str], command: Command, actor: Actor
    ) -> tuple[engine.Decision, Sealed]:
        case, last_hash = held
        decision = engine.execute(case, command, actor=actor, at=self._clock())
        return decision, audit.seal(decision.event, last_hash, salt=self._salt())

    @property
    def staff(self) -> StaffStore | None:
        """Where the roster and the access log are kept (None: nowhere).

        Found on first use, not when the service is made: a store on a
        caller's connection must not be read before the caller begins.
        """
        if not self._staff_known:
            own = getattr(self.store, "staff", None)
            self._staff = own() if callable(own) else None
            self._staff_known = True
        return self._staff

    @property
    def authorizer(self) -> Authorizer:
        """Who decides who may do what: the given one, or the roster's."""
        if self._authorizer is None:
            staff = self.staff
            self._authorizer = (
                AllowEveryone() if staff is None else RosterAuthorizer(staff)
            )
        return self._authorizer

    def authorize(
        self,
        who: Who,
        operation: Operation,
        case_id: str | None,
        *,
        case: Case | None = None,
    ) -> Actor:
        """Return the actor as the case event records them, or refuse.

        The Authorizer decides, knowing the worker of record of ``case``
        (the case changed, when one is); with a roster, the recorded role
        is the member's (a self-declared role must be one they hold).

        Raises:
            NotPermittedError: the actor may not do ``operation`` (on a
                case assigned to someone else: ``not_assigned``).
        """
        worker = None if case is None else case.worker
        if worker == "":
            worker = None
        verdict = self.authorizer.authorize(who, operation, case_id, worker=worker)
        actor_id = who if isinstance(who, str) else who.id
        if not verdict.allowed:
            raise NotPermittedError(
                actor_id,
                operation,
                verdict.refusal,
                ", ".join(verdict.roles),
                verdict.assigned,
            )
        if isinstance(who, Actor) and verdict.role in (None, who.role):
            return who
        return (
            Actor(actor_id) if verdict.role is None else Actor(actor_id, verdict.role)
        )

    @property
    def actors_checked(self) -> bool:
        """Whether actors are checked (False while the roster is empty)."""
        return self.authorizer.authorize("", Operation.LIST, None).checked

    def read(
        self, reader: Who | None, operation: Operation, case_id: str | None
    ) -> None:
        """Check that ``reader`` may read, and log the read if it is logged.

        Nothing is checked or logged without a reader (the service's own
        reads). ``show``, ``history``, ``export`` and ``report`` append an
        entry to the access log: who, when, what, which case (None: all).

        Raises:
            NotPermittedError: the reader may not read.
        """
        if reader is None:
            return
        actor = self.authorize(reader, operation, case_id)
        if self.staff is not None and operation in LOGGED_READS:
            self.staff.log_access(actor.id, operation, case_id, at=self._clock())

    def _salt(self) -> bytes | None:
        return None if self._new_salt is None else self._new_salt()

    def get(self, case_id: str, *, reader: Who | None = None) -> Case:
        """Return the case as it stands.

        With a ``reader``, the read is authorized and logged as ``show``.
        """
        with self.store.unit_of_work() as uow:
            case = self._load(uow, case_id)[0]
        self.read(reader, Operation.SHOW, case_id)
        return case

    def next_moves(
        self, case_id: str, *, reader: Who | None = None
    ) -> engine.NextMoves:
        """Return every legal move and termination reason, and what each lacks.

        With a ``reader``, the read is authorized and logged as ``show``.
        """
        return engine.next_moves(
            self.get(case_id, reader=reader), on=self._clock().date()
        )

    def history(self, case_id: str, *, reader: Who | None = None) -> list[Event]:
        """Return the case's events, oldest first, with personal data if kept.

        With a ``reader``, the read is authorized and logged as ``history``.
        """
        with self.store.unit_of_work() as uow:
            uow.head(case_id)
            found = list(audit.events_of(uow.events(case_id)))
        self.read(reader, Operation.HISTORY, case_id)
        return found

    def cases(
        self, *, stage: Stage | None = None, reader: Who | None = None
    ) -> list[CaseSummary]:
        """Return the summaries of all cases, or of those in ``stage``."""
        self.read(reader, Operation.LIST, None)
        with self.store.unit_of_work() as uow:
            return uow.cases(stage=stage)

    def case_page(
        self,
        *,
        limit: int,
        stage: Stage | None = None,
        opened_since: dt.datetime | None = None,
        worker: str | None = None,
        before: tuple[dt.datetime, str] | None = None,
    ) -> list[CaseSummary]:
        """Return one page of case summaries, newest first.

        Args:
            limit: the most summaries to return.
            stage: only cases in this stage.
            opened_since: only cases opened at or after this moment.
            worker: only cases whose worker of record is this actor (who
                opened the case, or whom its last assignment named).
            before: the ``(opened_at, case_id)`` of the last summary of the
                previous page; None for the first page.
        """
        if worker is None:
            with self.store.unit_of_work() as uow:
                return uow.case_page(
                    limit=limit, stage=stage, opened_since=opened_since, before=before
                )
        # The worker of record is in the trail, not the case row: read on
        # until the page is full or the cases run out.
        found: list[CaseSummary] = []
        while len(found) < limit:
            with self.store.unit_of_work() as uow:
                page = uow.case_page(
                    limit=limit, stage=stage, opened_since=opened_since, before=before
                )
            found += [s for s in page if self.get(s.case_id).worker == worker]
            if len(page) < limit:
                break
            before = (page[-1].opened_at, page[-1].case_id)
        return found[:limit]

    def events_page(
        self,
        case_id: str,
        *,
        after: int = 0,
        limit: int | None = None,
        reader: Who | None = None,
    ) -> list[Event]:
        """Return the case's events with ``seq`` above ``after``, oldest first.

        With a ``reader``, the read is authorized and logged as ``history``.

        Args:
            case_id: the case.
            after: the ``seq`` of the last event of the previous page (0 for
                the first page).
            limit: the most events to return; None for every one.
            reader: who reads (logged); None for a read nobody is answerable for.

        Raises:
            UnknownCaseError: no case has that id.
        """
        with self.store.unit_of_work() as uow:
            uow.head(case_id)
            rows = uow.events(case_id, after=after)
        self.read(reader, Operation.HISTORY, case_id)
        if limit is not None:
            rows = rows[:limit]
        return list(audit.events_of(rows))

    @contextmanager
    def batch(self) -> Iterator[CaseService]:
        """Run many commands in one transaction, for bulk import.

        Yields a service whose commands all join one unit of work, committed
        when the block ends cleanly; if the block raises, none of them is
        stored. A refused command inside the block stores nothing and may
        be caught and skipped.
        """
        staff, authorizer = self.staff, self.authorizer  # found before the lock
        with self.store.unit_of_work() as uow:
            inner = CaseService(
                _Joined(uow),
                clock=self._clock,
                new_id=self._new_id,
                new_salt=self._new_salt,
                snapshot_every=self._snapshot_every,
                staff=staff,
                authorizer=authorizer,
            )
            inner._cache = self._cache.copy()
            yield inner
        self._cache = inner._cache

    def seal(
        self,
        key: Ed25519PrivateKey,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> Seal:
        """Sign a checkpoint of the case heads and store it as the next seal.

        The seal lists the head of every case that changed since the
        previous seal, and the heads of the staff roster and the access log
        when the store keeps them, and chains to the previous seal (see
        :mod:`helping_process.seals`).
        Keep the returned seal's ``digest``, or its receipt, off the
        machine: with the public key it proves what the trail held at this
        moment, and that no seal up to it was removed.

        Args:
            key: the private key that signs the seal.
            progress: called with the number of case heads sealed, once
                the seal is stored (a progress bar's steps).

        Raises:
            ConcurrentUpdateError: another seal was stored meanwhile; this
                one would not chain to it, so nothing was stored.
        """
        from helping_process import seals  # noqa: PLC0415 - cryptography on demand

        staff = self.staff
        # Read before the seal's own transaction, which on SQLite holds the
        # write lock: an entry appended meanwhile is simply sealed next time.
        trails = None if staff is None else staff.heads()
        with self.store.unit_of_work() as uow:
            previous = uow.seals()
            at = self._clock()
            heads = list(uow.heads().values())
            seal = seals.make_seal(
                heads, key, sealed_at=at, previous=previous, trails=trails
            )
            uow.add_seal(seal, sealed_at=at)
        if progress is not None:
            progress(len(heads))  # one step a case head, once it is stored
        return seal

    def verify(
        self,
        case_id: str | None = None,
        *,
        replay: bool = True,
        key: Ed25519PublicKey | None = None,
        receipt: Receipt | None = None,
    ) -> list[audit.Finding]:
        """Recompute the chains and replay the cases; return the findings.

        :meth:`verification` with its findings only: empty when the trail is
        sound.
        """
        verification = self.verification(
            case_id, replay=replay, key=key, receipt=receipt
        )
        return list(verification.findings)

    def verification(  # noqa: PLR0913 - each option of a verification is named
        self,
        case_id: str | None = None,
        *,
        replay: bool = True,
        key: Ed25519PublicKey | None = None,
        progress: Callable[[int], object] | None = None,
        receipt: Receipt | None = None,
        max_findings: int | None = None,
        jobs: int = 1,
        reader: Who | None = None,
    ) -> audit.Verification:
        """Recompute the chains and replay the cases through the rules.

        Each case is checked on its own: its chain is recomputed from the
        stored bytes, and every edit, deletion, insertion and reordering is
        reported with its event; a sound chain's events are decided again
        (``illegal_move``), every column stored beside them is compared with
        what they say, and the replayed case must match its row. Corrupt
        cells are findings, never errors. Redactions are reported as
        information. The trail is read as one ordered stream, a case at a
        time, so memory stays flat however many events there are.

        With ``key``, every seal is checked too (see
        :func:`helping_process.seals.review_seals`): each seal must verify
        and chain to the one before it, and every case a seal names must
        still hold the sealed event, so a case deleted whole, or its newest
        events removed or rewritten since a seal, is named even if its
        chain and head were made consistent again, or every row holding
        its id was deleted; so is a roster change or an access-log entry
        a format-3 seal signed that is gone or different. With ``receipt``
        too, the receipted seal must be stored unchanged, which also
        catches the newest seals deleted.

        Args:
            case_id: one case, or every case when None.
            replay: also decide every event again and compare the stored
                columns (False: the chains only).
            key: the agency's public key, to check the seals with.
            progress: called with the number of events of each case once it
                is checked (a progress bar's ``update``).
            receipt: a receipt of a seal the agency kept off the machine;
                without ``key``, its own public key checks the seals.
            max_findings: list at most this many findings and only count the
                rest (None: list them all).
            jobs: how many processes verify the whole trail at once. Cases
                are independent, so the store's cases are split into ranges
                of about equal events, each worker opens the store itself
                and checks whole ranges, and the findings are merged in case
                order: the same findings as with one job. This process is
                one of the ``jobs``: it checks ranges while the others start
                (about half a second of imports each). 1 (the default)
                verifies in this process alone, as a small trail is best.
                A store that another process cannot open (in memory, or on
                a caller's connection) is verified in this process.
            reader: who verifies; authorized as ``verify`` (not logged).

        Returns:
            The findings, in case order, with what was read.

        Raises:
            InvalidInputError: the receipt was made with another key than
                ``key`` (``receipt_other_key``).
            NotPermittedError: ``reader`` may not verify.
        """
        self.read(reader, Operation.VERIFY, case_id)
        tick = progress or _ignore
        review: SealReview | None = None
        parts: list[_Part] = []
        with _reading(self.store) as uow:
            if key is not None or receipt is not None:
                from helping_process import seals  # noqa: PLC0415 - cryptography on demand

                key = seals.checking_key(key, receipt)
                review = seals.review_seals(uow.seals(), key, receipt=receipt)
            sealed = _sealed_seqs(review)
            forged = _forged_definitions(uow) if replay else []
            opener = self.store.opener() if jobs > 1 and case_id is None else None
            ranges = uow.case_ranges(jobs * _RANGES_PER_JOB) if opener else []
            if opener is None or len(ranges) < 2:  # noqa: PLR2004 - one range: no pool
                parts = [
                    _check_range(uow, case_id, audit.EVERY_CASE, replay, sealed, tick)
                ]
            else:
                parts = _check_in_parallel(
                    uow,
                    opener,
                    ranges,
                    jobs=jobs,
                    replay=replay,
                    sealed=sealed,
                    tick=tick,
                )
            strays = _strays(uow, parts) if case_id is None and replay else []
        found = _Findings(max_findings)
        found.add(forged)
        for part in parts:
            found.add(part.findings)
        found.add(strays)
        if case_id is None and self.staff is not None:
            found.add(self.staff.verify())
        hashes = {at: value for part in parts for at, value in part.hashes.items()}
        cases = sum(part.cases for part in parts)
        events = sum(part.events for part in parts)
        if review is not None:
            from helping_process import seals  # noqa: PLC0415 - cryptography on demand

            compared = seals.compare_heads(
                review.covered, lambda case, seq: hashes.get((case, seq))
            )
            staff = self.staff
            if case_id is None and staff is not None:
                compared += seals.compare_trails(review.trails, staff.entry_hash)
            found.add(
                [
                    finding
                    for finding in (*review.findings, *compared)
                    if case_id is None or finding.case_id in ("", case_id)
                ]
            )
        return audit.Verification(
            findings=tuple(found.listed),
            cases=cases,
            events=events,
            seals=review.status.seals if review else 0,
            sealing=review.status if review else None,
            unlisted=found.unlisted,
            unlisted_faults=found.unlisted_faults,
        )

    def report(  # noqa: PLR0913 - the window and the verification are named
        self,
        *,
        policy: Policy | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        agency: str | None = None,
        verify: bool = True,
        key: Ed25519PublicKey | None = None,
        receipt: Receipt | None = None,
        progress: Callable[[int], object] | None = None,
        reader: Who | None = None,
    ) -> Report:
        """Compute the agency's figures for a window from a verified trail.

        The trail is verified first (every chain, every replay, and the
        seals with ``key`` or ``receipt``), and the report says so at its
        top: whether it was sound, with which key up to which seal, and
        what was found. The figures are computed from the chained events of
        the cases in which verification found no fault; the others are
        named as left out. With ``verify=False`` nothing is verified and the
        report says that instead.

        Args:
            policy: the agency's policy (the default policy when None).
            since: the start of the window on ``occurred_at``, if any.
            until: the end of the window, if any (else now).
            agency: the agency's name, for the title.
            verify: verify the trail first.
            key: the agency's public key, to check the seals with.
            receipt: a seal receipt kept off the machine.
            progress: a progress bar's ``update``, called as verification
                checks each case.
            reader: who reads; authorized, and logged as ``report`` of all.

        Raises:
            InvalidInputError: a moment is naive or the window is empty, or
                the receipt was made with another key than ``key``.
        """
        from helping_process import report as reports  # noqa: PLC0415 - figures on demand
        from helping_process.policy import Policy  # noqa: PLC0415

        self.read(reader, Operation.REPORT, None)
        trail = (
            self.verification(key=key, receipt=receipt, progress=progress)
            if verify
            else None
        )
        faulty = {f.case_id for f in trail.faults if f.case_id} if trail else set()
        with _reading(self.store) as uow:
            rows: Iterable[Sealed] = uow.scan()
            if faulty:
                rows = (row for row in rows if row.case_id not in faulty)
            built = reports.build_report(
                audit.events_of(rows),
                policy=policy or Policy(),
                as_of=self._clock(),
                since=since,
                until=until,
                agency=agency,
            )
        return attrs.evolve(
            built,
            trail=trail,
            excluded=tuple(sorted(faulty)),
            actors_checked=self.actors_checked,
        )

    def export(
        self,
        case_id: str | None = None,
        *,
        reader: Who | None = None,
        for_sharing: bool = False,
    ) -> Iterator[str]:
        """Yield the trail (one case, or all) as JSON lines for external audit.

        The lines stream from one transaction; ``docs/audit-format.md``
        specifies them and ``examples/verify_export.py`` verifies them with
        the standard library alone. With a ``reader``, the export is
        authorized and logged as ``export`` before the first line.

        ``for_sharing`` exports one case to share outside the agency: it is
        refused unless the client's consent for data sharing is in force.

        Raises:
            RequirementNotMetError: for sharing, without that consent (or
                without one case).
        """
        if for_sharing:
            if case_id is None:
                raise InvalidInputError("case", "missing")
            case = self.get(case_id)
            if not case.consented(ConsentPurpose.DATA_SHARING):
                raise RequirementNotMetError(case.stage, ["consent.data_sharing"])
        self.read(reader, Operation.EXPORT, case_id)
        with self.store.unit_of_work() as uow:
            if case_id is not None:
                heads = {case_id: uow.head(case_id)}
                rows: Iterable[Sealed] = uow.events(case_id)
            else:
                heads = uow.heads()
                rows = uow.scan()
            yield from audit.export_lines(heads, rows, exported_at=self._clock())

    def _load(self, uow: UnitOfWork, case_id: str) -> tuple[Case, str]:
        """Return the case and its last hash, decoding only what is new.

        A case not held is folded from its newest snapshot and the events
        after it (see :mod:`helping_process.snapshot`); a snapshot that does
        not agree with the chain is passed over and the whole trail folded.
        A load that folded ``snapshot_every`` events or more stores a
        snapshot of the case it loaded, in the same transaction, so the next
        cold load folds fewer: appends never write one, and a case nobody
        reads again never costs one.

        Raises:
            AuditIntegrityError: the trail does not end where the head says.
        """
        head = uow.head(case_id)
        cached = self._cache.get(case_id)
        if cached is not None and cached[0].seq == head.seq:
            self._cache.move_to_end(case_id)
            return cached
        case: Case | None = None
        last_hash = audit.GENESIS
        origins = snapshots.Origins()
        stored = uow.snapshot(case_id, upto=head.seq)
        if stored is not None:
            try:
                case, origins = _restore(uow, stored)
                last_hash = stored.hash
            except AuditIntegrityError:
                case, origins = None, snapshots.Origins()
        start = case.seq if case is not None else 0
        for sealed in uow.events(case_id, after=start):
            if sealed.seq > head.seq:
                break  # appended after the head was read: not this transaction's
            event = audit.unseal(sealed)
            try:
                case = engine.apply(case, event)
            except AuditIntegrityError:
                # A pin to a definition installed since this process began:
                # read the stored definitions once, then fold on.
                if self._registered:
                    raise
                self._register(uow)
                case = engine.apply(case, event)
            origins.note(event)
            last_hash = sealed.hash
        if case is None or case.seq != head.seq or last_hash != head.last_hash:
            raise AuditIntegrityError(case_id, head.seq, "head_mismatch")
        if case.seq - start >= self._snapshot_every:
            uow.add_snapshot(snapshots.expected(case, last_hash, origins))
        self._remember(case, last_hash)
        return case, last_hash

    def _remember(self, case: Case, last_hash: str) -> None:
        self._cache[case.case_id] = (case, last_hash)
        self._cache.move_to_end(case.case_id)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)


def _redactable(rows: Sequence[Sealed], last: int) -> tuple[int, ...]:
    """The events up to ``last`` whose personal data a redaction removes.

    Every event that still holds personal data, except earlier redactions:
    their note is the lawful basis of what was removed, which an auditor
    needs to read.
    """
    return tuple(
        row.seq
        for row in rows
        if row.personal is not None
        and row.seq <= last
        and b'"action":"redact"' not in row.body
    )


class _Findings:
    """The findings of a verification: listed up to a bound, then counted."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.listed: list[audit.Finding] = []
        self.unlisted = 0
        self.unlisted_faults = 0

    def add(self, findings: Sequence[audit.Finding]) -> None:
        """List what fits under the bound; count the rest."""
        if not findings:
            return
        room = (
            len(findings)
            if self.limit is None
            else max(0, self.limit - len(self.listed))
        )
        self.listed += findings[:room]
        rest = findings[room:]
        self.unlisted += len(rest)
        self.unlisted_faults += sum(finding.is_tampering for finding in rest)


def _restore(uow: UnitOfWork, stored: Snapshot) -> tuple[Case, snapshots.Origins]:
    """The case a snapshot describes, read with the few events it names.

    Raises:
        AuditIntegrityError: the snapshot does not agree with the chain.
    """
    events: dict[int, tuple[Event, str]] = {}
    for seq in snapshots.references(stored):
        sealed = uow.event_at(stored.case_id, seq)
        if sealed is None:
            raise AuditIntegrityError(stored.case_id, stored.seq, "snapshot")
        events[seq] = (audit.unseal(sealed), sealed.hash)
    return snapshots.restore(stored, events)


def _reading(store: AuditStore) -> AbstractContextManager[UnitOfWork]:
    """A unit of work for reads: the store's ``reading()`` where it has one.

    A SQLite unit of work takes the write lock when it begins; the workers
    of a parallel verification would otherwise read one after another.
    """
    reading = getattr(store, "reading", None)
    return reading() if reading is not None else store.unit_of_work()


def _ignore(events: int) -> None:
    """The progress callback of a verification nobody watches."""


def _sealed_seqs(review: SealReview | None) -> dict[str, set[int]]:
    """The events whose hashes the seals need: each sealed head, and seq 1."""
    sealed: dict[str, set[int]] = {}
    for _, case_id, seq, _ in review.covered if review else ():
        sealed.setdefault(case_id, {1}).add(seq)
    return sealed


def _strays(uow: UnitOfWork, parts: Sequence[_Part]) -> list[audit.Finding]:
    """Rows that belong to no case the verification read, after it read them all.

    Snapshots of a case that has neither events nor a head (each is
    ``edited``: no load reads them, but verify says they are there), then
    personal data that no stored event owns (each is ``inserted``: no
    command shows it, but an agency's own SQL would). The database's
    foreign keys keep both out, unless someone turned them off.
    """
    checked = set().union(*(part.snapshot_cases for part in parts))
    orphans = sorted(uow.snapshot_cases() - checked)
    seen = sum(part.personal for part in parts)
    return [
        *(
            audit.snapshot_differs(stored)
            for case_id in orphans
            for stored in uow.snapshots(case_id)
        ),
        *(
            audit.stray_personal(case_id, seq)
            for case_id, seq in uow.stray_personal(seen)
        ),
    ]


#: Ranges per verifying process: more, smaller ranges even out their loads
#: (a worker opens the store once, so a range costs only its queries).
_RANGES_PER_JOB: Final = 8


@attrs.define
class _Part:
    """What the verification of a range of cases found."""

    findings: list[audit.Finding]
    cases: int = 0
    events: int = 0
    hashes: dict[tuple[str, int], str] = attrs.field(factory=dict)
    snapshot_cases: set[str] = attrs.field(factory=set)
    #: How many rows of personal data were read with their events.
    personal: int = 0


def _check_range(  # noqa: PLR0913, PLR0917 - the verification's parts, passed on
    uow: UnitOfWork,
    case_id: str | None,
    within: audit.CaseRange,
    replay: bool,
    sealed: Mapping[str, set[int]],
    tick: Callable[[int], object],
) -> _Part:
    """Verify one case, or the cases of one range, a case at a time.

    With replay (or for one case), every column stored beside the chain is
    read too, and the snapshots of each case that has any are checked
    against the replayed case (the snapshot table is small: one row for
    hundreds of events, only for cases loaded cold).
    """
    part = _Part([])
    findings = part.findings
    if replay or case_id is not None:
        stored = _sound_definitions(uow) if replay else frozenset()
        with_snapshots = uow.snapshot_cases() if replay else set()
        for head, rows, columns in uow.trails_with_columns(case_id, within=within):
            part.cases += 1
            part.events += len(rows)
            if not replay:
                findings += audit.verify_chain(rows, head)
            else:
                name = rows[0].case_id if rows else (head.case_id if head else "")
                taken: Sequence[Snapshot] = ()
                if name in with_snapshots:
                    taken = uow.snapshots(name)
                    part.snapshot_cases.add(name)
                found = audit.verify_case(rows, head, columns, taken)
                findings += found
                if rows and columns is not None:
                    findings += _unstored_pins(rows, columns, stored, found)
                    part.personal += audit.personal_rows(rows, columns)
            tick(len(rows))
            if sealed:
                _sealed_hashes(rows, sealed, part.hashes)
        if case_id is not None and not part.cases:
            findings.append(
                audit.Finding(
                    case_id, 0, audit.FindingKind.CASE_MISSING, "finding.no_case"
                )
            )
        return part
    for head, rows in uow.trails(personal=False, within=within):
        part.cases += 1
        part.events += len(rows)
        findings += audit.verify_chain(rows, head)
        tick(len(rows))
        if sealed:
            _sealed_hashes(rows, sealed, part.hashes)
    return part


def _sound_definitions(uow: UnitOfWork) -> frozenset[str]:
    """Load the stored definitions into this process; return their digests.

    Only a stored file that loads and hashes to the digest it is stored
    under counts: a case pinned to any other digest is a finding.
    """
    sound = set()
    for digest, _name, _version, text in uow.definitions():
        try:
            definition = load_definition(text, name=digest)
        except DefinitionError:
            continue
        if definition.digest == digest:
            sound.add(digest)
    return frozenset(sound)


def _forged_definitions(uow: UnitOfWork) -> list[audit.Finding]:
    """A stored definition is edited unless its text loads as what it is stored as.

    The text must hash to the digest it is stored under and name the same
    name and version as the columns beside it.
    """
    findings = []
    for digest, name, version, text in uow.definitions():
        try:
            loaded = load_definition(text, name=digest)
        except DefinitionError:
            sound = False
        else:
            sound = (loaded.digest, loaded.name, loaded.version) == (
                digest,
                name,
                version,
            )
        if not sound:
            findings.append(
                audit.Finding(
                    f"{name}@{version}",
                    0,
                    audit.FindingKind.EDITED,
                    "finding.integrity",
                    {"finding": "definition_forged"},
                )
            )
    return findings


_action_cell: Final = itemgetter(1)


def _unstored_pins(
    rows: Sequence[Sealed],
    columns: Sequence[audit.Columns],
    stored: frozenset[str],
    found: Sequence[audit.Finding],
) -> list[audit.Finding]:
    """The open and migrate events that pin a definition not stored soundly.

    An auditor replays each case with the rules stored beside it; a pin
    the database cannot resolve is a definition deleted (or never stored).
    Only the open event and migrations carry pins: the rest is not read.
    """
    actions = list(map(_action_cell, columns))
    candidates = [0]
    if "migrate" in actions:
        candidates += [i for i, action in enumerate(actions) if action == "migrate"]
    named = {
        finding.seq
        for finding in found
        if finding.params.get("finding") == "definition_missing"
    }
    findings = []
    for index in candidates:
        if index >= len(rows):
            continue
        row = rows[index]
        try:
            pin = orjson.loads(row.body).get("process")
        except (orjson.JSONDecodeError, AttributeError):
            continue
        if not isinstance(pin, dict) or pin.get("digest") in stored:
            continue
        if row.seq not in named:
            findings.append(
                audit.Finding(
                    row.case_id,
                    row.seq,
                    audit.FindingKind.DELETED,
                    "finding.integrity",
                    {"finding": "definition_missing"},
                )
            )
    return findings


#: The store a verifying worker opened once, for every range it checks.
_worker_store: list[AuditStore] = []


def _open_worker(opener: Callable[[], AuditStore]) -> None:
    """Open the store in a verifying worker, load its definitions, close it at exit.

    Once per worker: opening a store and loading its definitions take tens
    of milliseconds, which every range would otherwise pay again.
    """
    from multiprocessing import util  # noqa: PLC0415 - only a worker needs it

    store = opener()
    with _reading(store) as uow:
        _sound_definitions(uow)
    close = getattr(store, "dispose", None)
    if close is not None:
        util.Finalize(store, close, exitpriority=10)
    _worker_store.append(store)


def _verify_range(
    within: audit.CaseRange, replay: bool, sealed: Mapping[str, set[int]]
) -> _Part:
    """Verify one range of cases on the store this worker opened."""
    with _reading(_worker_store[0]) as uow:
        return _check_range(uow, None, within, replay, sealed, _ignore)


def _ready() -> None:
    """Nothing: a worker that ran it has started and opened the store."""


def _check_in_parallel(  # noqa: PLR0913 - the verification's parts, passed on
    uow: UnitOfWork,
    opener: Callable[[], AuditStore],
    ranges: Sequence[audit.CaseRange],
    *,
    jobs: int,
    replay: bool,
    sealed: Mapping[str, set[int]],
    tick: Callable[[int], object],
) -> list[_Part]:
    """Verify ranges of cases in ``jobs`` processes, this one too; return them in order.

    Workers are spawned, not forked: a fork would copy the parent's open
    database connections, which a child must never use. A spawned worker
    first imports the engine and opens the store, half a second or more,
    so no range waits for that: this process checks ranges from the last
    back on ``uow``, and a worker is given the first range no one has
    taken once it is ready, and the next each time it finishes one, until
    the two ends meet. Every range is checked once, by whoever reaches it
    first; a trail this process checks alone before a worker is ready is
    not held up by it (the pool is left to shut down on its own).
    """
    import multiprocessing  # noqa: PLC0415 - only a parallel verification needs it
    import threading  # noqa: PLC0415
    from concurrent.futures import Future  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    parts: list[_Part | None] = [None] * len(ranges)
    futures: dict[int, Future[_Part]] = {}
    lock = threading.Lock()
    bounds = [0, len(ranges)]  # the first range no one has taken, and the last + 1
    pool = ProcessPoolExecutor(
        max_workers=jobs - 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_open_worker,
        initargs=(opener,),
    )

    def give(done: Future[Any]) -> None:
        """Give a worker that is ready, or just finished a range, the next one."""
        if done.cancelled() or done.exception() is not None:
            return  # the pool is broken or shut down; the error is the range's
        with lock:
            at = bounds[0]
            if at >= bounds[1]:
                return
            bounds[0] = at + 1
            futures[at] = pool.submit(_verify_range, ranges[at], replay, sealed)
        futures[at].add_done_callback(give)

    try:
        for _ in range(jobs - 1):
            pool.submit(_ready).add_done_callback(give)
        while True:
            with lock:
                at = bounds[1] - 1
                if at < bounds[0]:
                    break
                bounds[1] = at
            parts[at] = _check_range(uow, None, ranges[at], replay, sealed, tick)
        for at in sorted(futures):
            part = futures[at].result()
            tick(part.events)
            parts[at] = part
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [part for part in parts if part is not None]


def _sealed_hashes(
    rows: Sequence[Sealed],
    sealed: Mapping[str, set[int]],
    hashes: dict[tuple[str, int], str],
) -> None:
    """Keep the hashes of a case's events that some seal covers (and its first's).

    Looked up by position (event ``seq`` sits at index ``seq - 1`` in a
    sound trail), so the cost is per sealed head, not per event.
    """
    wanted = sealed.get(rows[0].case_id) if rows else None
    if not wanted:
        return
    count = len(rows)
    for seq in wanted:
        row = rows[seq - 1] if 0 < seq <= count else None
        if row is None or row.seq != seq:
            row = next((row for row in rows if row.seq == seq), None)
        if row is not None:
            hashes[row.case_id, seq] = row.hash


class _Joined:
    """A store whose every unit of work is one already open (see ``batch``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        return nullcontext(self._uow)

    def append(self, decision: engine.Decision, sealed: Sealed) -> None:
        self._uow.append(decision, sealed)

    def opener(self) -> None:
        """A transaction in progress cannot be shared with another process."""


def retry_on_conflict(call: Callable[[], T], *, attempts: int = 3) -> T:
    """Call ``call`` again when another writer changed the case first.

    Each attempt reloads the case and decides the command afresh, so a
    command the new state no longer allows is refused rather than forced.

    Args:
        call: the service call to make, e.g.
            ``lambda: service.move(case_id, Stage.INTAKE, actor=actor)``.
        attempts: how many times to try in all.

    Raises:
        ConcurrentUpdateError: every attempt lost the race.
    """
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ConcurrentUpdateError:
            if attempt == attempts:
                raise
    raise AssertionError  # pragma: no cover - the loop returns or raises
