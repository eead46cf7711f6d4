"""Use cases: load a case, decide a command, append its sealed event.

:class:`CaseService` is what agency software embeds. Each command runs in
one unit of work of an :class:`AuditStore`: the case's head and the new
event are written together or not at all, and a refused command writes
nothing. The store is a port: :mod:`helping_process.persistence` provides
the SQLAlchemy one, :mod:`helping_process.testing` an in-memory one.
"""

from __future__ import annotations

import datetime as dt
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
from typing import TYPE_CHECKING
from typing import Final
from typing import Protocol
from typing import TypeVar

import attrs

from helping_process import audit
from helping_process import engine
from helping_process.audit import Sealed
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import RefusalError
from helping_process.model import UTC
from helping_process.model import Actor
from helping_process.model import AddRecord
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import Event
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import RedactCase
from helping_process.model import ReopenCase
from helping_process.model import TerminateCase
from helping_process.states import Record
from helping_process.states import RecordKind
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states import parse_record

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from helping_process.seals import Seal

T = TypeVar("T")

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
    """

    case_id: str
    client: str | None
    residential: bool
    stage: Stage
    episode: int
    seq: int
    opened_at: dt.datetime
    updated_at: dt.datetime


class UnitOfWork(Protocol):
    """One transaction on the store: reads and the append of one command."""

    def head(self, case_id: str) -> audit.Head:
        """Return the case's head.

        Raises:
            UnknownCaseError: no case has that id.
        """

    def events(self, case_id: str, *, after: int = 0) -> list[Sealed]:
        """Return the case's stored events with ``seq`` above ``after``."""

    def append(self, decision: engine.Decision, sealed: Sealed) -> None:
        """Store ``sealed`` and move the case's head to ``decision.case``.

        Raises:
            ConcurrentUpdateError: the head is no longer at ``sealed.seq - 1``
                with hash ``sealed.prev_hash``.
        """

    def redact(self, case_id: str, *, before: int, at: dt.datetime) -> None:
        """Remove the personal data of the case's events before ``before``."""

    def cases(self, *, stage: Stage | None = None) -> list[CaseSummary]:
        """Return the summaries of all cases, or of those in ``stage``."""

    def case_page(
        self,
        *,
        limit: int,
        stage: Stage | None = None,
        opened_since: dt.datetime | None = None,
        before: tuple[dt.datetime, str] | None = None,
    ) -> list[CaseSummary]:
        """Return up to ``limit`` case summaries, newest first.

        Ordered by opening time then case id, both descending; ``before``
        is the ``(opened_at, case_id)`` of the last summary of the previous
        page, so pages stay stable while cases are opened.
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
        self, *, personal: bool = True
    ) -> Iterator[tuple[audit.Head | None, list[Sealed]]]:
        """Yield every case's head with its stored events, a case at a time.

        Cases come in the store's order of their ids, each with its events
        in the order of ``seq``; a head is None when the case's row is
        missing, and a case with a head but no events comes with an empty
        list. Only one case's events are held at a time, so memory stays
        flat however long the trail and however many cases it holds.

        Args:
            personal: read the personal data too (False: the chain only).
        """

    def seals(self) -> list[Seal]:
        """Return the stored seals, oldest first."""

    def add_seal(self, seal: Seal, *, sealed_at: dt.datetime) -> int:
        """Store a seal after the existing ones; return its number."""


class AuditStore(Protocol):
    """Where cases and their trails are kept."""

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
    """

    def __init__(
        self,
        store: AuditStore,
        *,
        clock: Callable[[], dt.datetime] = _now,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self.store = store
        self._clock = clock
        self._new_id = new_id
        self._cache: OrderedDict[str, tuple[Case, str]] = OrderedDict()

    def open(
        self,
        client: str,
        *,
        actor: Actor,
        residential: bool = False,
        note: str | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Open a new case in engagement and return it."""
        command = OpenCase(
            client=client, residential=residential, note=note, occurred_at=occurred_at
        )
        decision = engine.open_case(
            command, case_id=self._new_id(), actor=actor, at=self._clock()
        )
        sealed = audit.seal(decision.event, audit.GENESIS)
        self.store.append(decision, sealed)
        self._remember(decision.case, sealed.hash)
        return decision.case

    def add_record(
        self,
        case_id: str,
        record: Record,
        *,
        actor: Actor,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Add a record to the case (see :func:`parse_record` for JSON)."""
        return self.execute(
            case_id, AddRecord(record=record, occurred_at=occurred_at), actor=actor
        )

    def add_record_json(
        self,
        case_id: str,
        kind: RecordKind | str,
        data: Mapping[str, object],
        *,
        actor: Actor,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Add a record given as a JSON object of ``kind``."""
        record = parse_record(kind, data)
        return self.add_record(case_id, record, actor=actor, occurred_at=occurred_at)

    def move(
        self,
        case_id: str,
        target: Stage,
        *,
        actor: Actor,
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
        actor: Actor,
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
        actor: Actor,
        note: str | None,
        occurred_at: dt.datetime | None = None,
    ) -> Case:
        """Start a new episode of a terminated case."""
        command = ReopenCase(note=note, occurred_at=occurred_at)
        return self.execute(case_id, command, actor=actor)

    def redact(self, case_id: str, *, actor: Actor, note: str | None) -> Case:
        """Remove the personal data of the case's earlier events.

        The redaction is itself an event (its note gives the lawful basis);
        the chain still verifies and reports the earlier events as redacted.
        """
        return self.execute(case_id, RedactCase(note=note), actor=actor)

    def execute(
        self,
        case_id: str,
        command: Command,
        *,
        actor: Actor,
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
            RefusalError: the process refuses; nothing is stored.
            InvalidInputError: the command is malformed; nothing is stored.
            ConcurrentUpdateError: another writer changed the case first;
                nothing is stored (see :func:`retry_on_conflict`).
        """
        held = self._cache.get(case_id)
        if (
            held is not None
            and expected_seq in (None, held[0].seq)
            and not isinstance(command, RedactCase)
        ):
            stored = self._append_held(held, command, actor)
            if stored is not None:
                return stored
        with self.store.unit_of_work() as uow:
            current = self._load(uow, case_id)
            if expected_seq is not None and current[0].seq != expected_seq:
                raise ConcurrentUpdateError(case_id, expected_seq)
            decision, sealed = self._decide(current, command, actor)
            uow.append(decision, sealed)
            if isinstance(command, RedactCase):
                uow.redact(case_id, before=sealed.seq, at=decision.event.recorded_at)
        if isinstance(command, RedactCase):
            self._cache.pop(case_id, None)
        else:
            self._remember(decision.case, sealed.hash)
        return decision.case

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
        return decision, audit.seal(decision.event, last_hash)

    def get(self, case_id: str) -> Case:
        """Return the case as it stands."""
        with self.store.unit_of_work() as uow:
            return self._load(uow, case_id)[0]

    def next_moves(self, case_id: str) -> engine.NextMoves:
        """Return every legal move and termination reason, and what each lacks."""
        return engine.next_moves(self.get(case_id), on=self._clock().date())

    def history(self, case_id: str) -> list[Event]:
        """Return the case's events, oldest first, with personal data if kept."""
        with self.store.unit_of_work() as uow:
            uow.head(case_id)
            return list(audit.events_of(uow.events(case_id)))

    def cases(self, *, stage: Stage | None = None) -> list[CaseSummary]:
        """Return the summaries of all cases, or of those in ``stage``."""
        with self.store.unit_of_work() as uow:
            return uow.cases(stage=stage)

    def case_page(
        self,
        *,
        limit: int,
        stage: Stage | None = None,
        opened_since: dt.datetime | None = None,
        before: tuple[dt.datetime, str] | None = None,
    ) -> list[CaseSummary]:
        """Return one page of case summaries, newest first.

        Args:
            limit: the most summaries to return.
            stage: only cases in this stage.
            opened_since: only cases opened at or after this moment.
            before: the ``(opened_at, case_id)`` of the last summary of the
                previous page; None for the first page.
        """
        with self.store.unit_of_work() as uow:
            return uow.case_page(
                limit=limit, stage=stage, opened_since=opened_since, before=before
            )

    def events_page(
        self, case_id: str, *, after: int = 0, limit: int | None = None
    ) -> list[Event]:
        """Return the case's events with ``seq`` above ``after``, oldest first.

        Raises:
            UnknownCaseError: no case has that id.
        """
        with self.store.unit_of_work() as uow:
            uow.head(case_id)
            rows = uow.events(case_id, after=after)
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
        with self.store.unit_of_work() as uow:
            inner = CaseService(_Joined(uow), clock=self._clock, new_id=self._new_id)
            inner._cache = self._cache.copy()
            yield inner
        self._cache = inner._cache

    def seal(self, key: Ed25519PrivateKey) -> Seal:
        """Sign a checkpoint of every case head and store it.

        Keep the returned seal's ``digest`` off the machine: with the public
        key it proves what the trail held at this moment.
        """
        from helping_process import seals  # noqa: PLC0415 - cryptography on demand

        with self.store.unit_of_work() as uow:
            previous = uow.seals()
            at = self._clock()
            seal = seals.make_seal(
                list(uow.heads().values()),
                key,
                sealed_at=at,
                previous=previous[-1] if previous else None,
            )
            uow.add_seal(seal, sealed_at=at)
        return seal

    def verify(
        self,
        case_id: str | None = None,
        *,
        replay: bool = True,
        key: Ed25519PublicKey | None = None,
    ) -> list[audit.Finding]:
        """Recompute the chains and replay the cases; return the findings.

        :meth:`verification` with its findings only: empty when the trail is
        sound.
        """
        return list(self.verification(case_id, replay=replay, key=key).findings)

    def verification(
        self,
        case_id: str | None = None,
        *,
        replay: bool = True,
        key: Ed25519PublicKey | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> audit.Verification:
        """Recompute the chains and replay the cases through the rules.

        Each case is checked on its own: its chain is recomputed from the
        stored bytes (edits, deletions, insertions, reordering, truncation),
        its events are decided again (``illegal_move``), and the replayed
        case must match its head. Redactions are reported as information.
        The trail is read as one ordered stream, a case at a time, so memory
        stays flat however many events there are.

        With ``key``, every seal is checked too (see
        :func:`helping_process.seals.verify_seals`): a case deleted whole, or
        its newest events removed or rewritten since a seal, is found even if
        its chain and head were made consistent again.

        Args:
            case_id: one case, or every case when None.
            replay: also decide every event again (False: the chains only).
            key: the agency's public key, to check the seals with.
            progress: called with the number of events of each case once it
                is checked (a progress bar's ``update``).

        Returns:
            The findings, in case order, with what was read.
        """
        check = audit.verify_case if replay else audit.verify_chain
        tick = progress or _ignore
        cases = events = 0
        with self.store.unit_of_work() as uow:
            stored_seals = uow.seals() if key is not None else []
            sealed = {
                (head.case_id, seq)
                for seal in stored_seals
                for head in seal.leaves
                for seq in (1, head.seq)
            }
            hashes: dict[tuple[str, int], str] = {}
            findings: list[audit.Finding] = []
            if case_id is not None:
                rows = uow.events(case_id)
                head = uow.find_head(case_id)
                findings += check(rows, head)
                cases, events = int(bool(rows) or head is not None), len(rows)
                tick(len(rows))
                if sealed:
                    hashes.update(_sealed_hashes(rows, sealed))
            else:
                for head, rows in uow.trails(personal=replay):
                    cases += 1
                    events += len(rows)
                    findings += check(rows, head)
                    tick(len(rows))
                    if sealed:
                        hashes.update(_sealed_hashes(rows, sealed))
        if key is not None:
            from helping_process import seals  # noqa: PLC0415 - cryptography on demand

            findings += [
                finding
                for finding in seals.verify_seals(
                    stored_seals, key, lambda case, seq: hashes.get((case, seq))
                )
                if case_id is None or finding.case_id in ("", case_id)
            ]
        return audit.Verification(
            findings=tuple(findings),
            cases=cases,
            events=events,
            seals=len(stored_seals),
        )

    def export(self, case_id: str | None = None) -> Iterator[str]:
        """Yield the trail (one case, or all) as JSON lines for external audit.

        The lines stream from one transaction; ``docs/audit-format.md``
        specifies them and ``examples/verify_export.py`` verifies them with
        the standard library alone.
        """
        with self.store.unit_of_work() as uow:
            if case_id is not None:
                heads = {case_id: uow.head(case_id)}
                rows: Iterable[Sealed] = uow.events(case_id)
            else:
                heads = uow.heads()
                rows = uow.scan()
            yield from audit.export_lines(heads, rows, exported_at=self._clock())

    def _load(self, uow: UnitOfWork, case_id: str) -> tuple[Case, str]:
        """Return the case and its last hash, decoding only what is new."""
        head = uow.head(case_id)
        cached = self._cache.get(case_id)
        if cached is not None and cached[0].seq == head.seq:
            self._cache.move_to_end(case_id)
            return cached
        case: Case | None = None
        last_hash = audit.GENESIS
        for sealed in uow.events(case_id):
            if sealed.seq > head.seq:
                break  # appended after the head was read: not this transaction's
            case = engine.apply(case, audit.unseal(sealed))
            last_hash = sealed.hash
        if case is None or case.seq != head.seq or last_hash != head.last_hash:
            raise AuditIntegrityError(case_id, head.seq, "head_mismatch")
        self._remember(case, last_hash)
        return case, last_hash

    def _remember(self, case: Case, last_hash: str) -> None:
        self._cache[case.case_id] = (case, last_hash)
        self._cache.move_to_end(case.case_id)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)


def _ignore(events: int) -> None:
    """The progress callback of a verification nobody watches."""


def _sealed_hashes(
    rows: Sequence[Sealed], sealed: set[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """The hashes of the events some seal covers (and of each case's first)."""
    return {
        (row.case_id, row.seq): row.hash
        for row in rows
        if (row.case_id, row.seq) in sealed
    }


class _Joined:
    """A store whose every unit of work is one already open (see ``batch``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        return nullcontext(self._uow)

    def append(self, decision: engine.Decision, sealed: Sealed) -> None:
        self._uow.append(decision, sealed)


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
