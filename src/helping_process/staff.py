"""Who may do what: the staff roster, the Authorizer port, the access log.

The roster is a trail of its own: every change (a member added, their roles
set, a member deactivated) is an entry hash-chained to the one before it,
exactly like a case's events, and the current roster is the fold of that
trail. While the roster is empty, actors are not checked (the engine runs
as it did before rosters); once it has a member, every command's actor must
be an active member holding a role that may do it.

The access log is a third chained trail: who read which case (or all),
when, and how (``show``, ``history``, ``export``, ``report``). Both trails
are verified by ``audit verify``: an edited, inserted or deleted entry
breaks the chain.

This module is pure: the SQL stores live in :mod:`helping_process.persistence`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from enum import StrEnum
from enum import unique
from typing import Final
from typing import Protocol

import attrs
import orjson

from helping_process.audit import GENESIS
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.audit import canonical
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import RefusalError
from helping_process.model import Actor
from helping_process.model import ActorRole

#: The pseudo case id under which verification names roster findings.
ROSTER_TRAIL: Final = "@staff"
#: The pseudo case id under which verification names access-log findings.
ACCESS_TRAIL: Final = "@access"


@unique
class StaffRole(StrEnum):
    """A role a staff member holds on the roster."""

    WORKER = "worker"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


@unique
class Operation(StrEnum):
    """What an actor asks to do, as the Authorizer judges it."""

    OPEN = "open"
    RECORD = "record"
    MOVE = "move"
    TERMINATE = "terminate"
    REOPEN = "reopen"
    REDACT = "redact"
    SHOW = "show"
    HISTORY = "history"
    EXPORT = "export"
    REPORT = "report"
    VERIFY = "verify"
    LIST = "list"
    STAFF = "staff"
    APPROVE = "approve"
    ASSIGN = "assign"
    REFER = "refer"
    TRANSFER = "transfer"
    CONSENT = "consent"


#: The case changes of practice: workers and supervisors do them.
PRACTICE: Final = frozenset(
    {
        Operation.OPEN,
        Operation.RECORD,
        Operation.MOVE,
        Operation.TERMINATE,
        Operation.REOPEN,
    }
)
#: Reading: every role may read (an auditor does nothing else).
READS: Final = frozenset(
    {
        Operation.SHOW,
        Operation.HISTORY,
        Operation.EXPORT,
        Operation.REPORT,
        Operation.VERIFY,
        Operation.LIST,
    }
)
#: The reads that the access log records (a read of case content).
LOGGED_READS: Final = frozenset(
    {Operation.SHOW, Operation.HISTORY, Operation.EXPORT, Operation.REPORT}
)

#: The work on a case its worker of record does: referral and consent.
CASEWORK: Final = frozenset({Operation.REFER, Operation.CONSENT})
#: Who the case is with: supervisors and admins assign and transfer it.
ALLOCATION: Final = frozenset({Operation.ASSIGN, Operation.TRANSFER})
#: What only the case's worker of record (or a supervisor) may do to it.
ON_ASSIGNED: Final = frozenset(
    {
        Operation.RECORD,
        Operation.MOVE,
        Operation.TERMINATE,
        Operation.REOPEN,
        Operation.REFER,
        Operation.CONSENT,
    }
)

#: What each role may do.
PERMISSIONS: Final[Mapping[StaffRole, frozenset[Operation]]] = {
    StaffRole.WORKER: PRACTICE | READS | CASEWORK | {Operation.APPROVE},
    StaffRole.SUPERVISOR: PRACTICE
    | READS
    | CASEWORK
    | ALLOCATION
    | {Operation.REDACT, Operation.APPROVE},
    StaffRole.AUDITOR: READS,
    StaffRole.ADMIN: READS
    | ALLOCATION
    | {Operation.REDACT, Operation.STAFF, Operation.APPROVE},
}

#: The role recorded in a case event for each roster role that may change a case.
_RECORDED: Final = {
    StaffRole.WORKER: ActorRole.WORKER,
    StaffRole.SUPERVISOR: ActorRole.SUPERVISOR,
    StaffRole.ADMIN: ActorRole.ADMINISTRATOR,
}
#: A self-declared actor role, as the roster role it claims.
_CLAIMED: Final = {value: key for key, value in _RECORDED.items()}
#: Least privilege: an undeclared role is the first of these the member holds.
_PREFERENCE: Final = (
    StaffRole.WORKER,
    StaffRole.SUPERVISOR,
    StaffRole.ADMIN,
    StaffRole.AUDITOR,
)


def roles_of(values: Iterable[str]) -> tuple[StaffRole, ...]:
    """Return roles parsed from codes, sorted and without repeats.

    Raises:
        InvalidInputError: a code names no role, or none is given.
    """
    found: set[StaffRole] = set()
    for value in values:
        try:
            found.add(StaffRole(value))
        except ValueError:
            raise InvalidInputError("role", "unknown_code", value) from None
    if not found:
        raise InvalidInputError("role", "missing")
    return tuple(sorted(found))


class NotPermittedError(RefusalError):
    """Raised when the roster (or an agency's Authorizer) refuses an actor.

    Attributes:
        actor: the actor's id.
        operation: what was asked (``move``, ``show``, ``staff`` ...).
        reason: why: ``unknown_actor``, ``inactive_actor``, ``role_not_held``,
            ``not_permitted`` or ``not_assigned`` (or an Authorizer's own
            message id).
        roles: the roles the member holds, comma separated ("" for none).
        assigned: for ``not_assigned``: the case's worker of record.
    """

    template = "error.not_permitted"

    def __init__(
        self, actor: str, operation: str, reason: str, roles: str, assigned: str = ""
    ) -> None:
        self.actor = actor
        self.operation = operation
        self.reason = reason
        self.roles = roles
        self.assigned = assigned
        super().__init__()

    def message_template(self) -> str:
        """Return the template of the refusal's reason."""
        return f"error.not_permitted.{self.reason}"


class RosterRefusedError(RefusalError):
    """Raised when a roster change breaks the roster's rules; nothing is stored.

    Attributes:
        member: the member concerned.
        reason: ``first_not_admin``, ``member_exists``, ``unknown_member``,
            ``member_inactive`` or ``last_admin``.
    """

    template = "error.roster"

    def __init__(self, member: str, reason: str) -> None:
        self.member = member
        self.reason = reason
        super().__init__()

    def message_template(self) -> str:
        """Return the template of the refusal's reason."""
        return f"error.roster.{self.reason}"


@attrs.frozen
class Verdict:
    """An Authorizer's decision on one operation.

    Attributes:
        refusal: why it is refused (a reason of :class:`NotPermittedError`),
            or "" when it is allowed.
        role: the role to record in the case event (None: as declared).
        checked: whether actors were checked at all (False while the
            roster is empty).
        roles: the roles the actor holds, for the refusal's message.
        assigned: for ``not_assigned``: the case's worker of record.
    """

    refusal: str = ""
    role: ActorRole | None = None
    checked: bool = True
    roles: tuple[str, ...] = ()
    assigned: str = ""

    @property
    def allowed(self) -> bool:
        """Whether the operation may go ahead."""
        return not self.refusal


#: The verdict while actors are not checked.
UNCHECKED: Final = Verdict(checked=False)


class Authorizer(Protocol):
    """Decides whether an actor may do an operation, on a case or on all.

    The roster is the default (:class:`RosterAuthorizer`); an agency plugs
    in its own identity system by passing another to
    ``CaseService(..., authorizer=...)``.
    """

    def authorize(
        self,
        actor: Actor | str,
        operation: Operation,
        case_id: str | None,
        *,
        worker: str | None = None,
    ) -> Verdict:
        """Return the verdict on ``actor`` doing ``operation``.

        Args:
            actor: who asks: an :class:`Actor` with a self-declared role,
                or only an id (the role is then the roster's).
            operation: what is asked.
            case_id: the case, or None for every case (or a new one).
            worker: the case's worker of record, when a case is changed
                (None otherwise): only they or a supervisor may do the
                operations in :data:`ON_ASSIGNED`.
        """


class AllowEveryone:
    """An Authorizer that checks nobody: the engine as before rosters."""

    def authorize(
        self,
        actor: Actor | str,
        operation: Operation,
        case_id: str | None,
        *,
        worker: str | None = None,
    ) -> Verdict:
        """Allow everything, and say that actors were not checked."""
        return UNCHECKED


@attrs.frozen(kw_only=True)
class Member:
    """A staff member as the roster now holds them.

    Attributes:
        id: the id the member acts under (the case events' actor id).
        name: the member's name.
        roles: the roles held.
        active: False once deactivated.
        since: when the member was added.
    """

    id: str
    name: str
    roles: tuple[StaffRole, ...]
    active: bool = True
    since: dt.datetime


@unique
class ChangeKind(StrEnum):
    """What a roster change does."""

    ADD = "add"
    SET_ROLE = "set_role"
    DEACTIVATE = "deactivate"


@attrs.frozen(kw_only=True)
class RosterChange:
    """One chained roster entry.

    Attributes:
        seq: its place in the roster trail, from 1.
        kind: what it does.
        member: the member concerned.
        name: the member's name (``add`` only).
        roles: the roles the member holds after it (empty for deactivate).
        note: why (required to deactivate).
        actor: who made the change.
        recorded_at: when.
        prev_hash: the hash of the entry before ("0" * 64 for the first).
        hash: SHA-256 of ``prev_hash`` and the canonical body.
    """

    seq: int
    kind: ChangeKind
    member: str
    name: str | None = None
    roles: tuple[StaffRole, ...] = ()
    note: str | None = None
    actor: str
    recorded_at: dt.datetime
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> bytes:
        """Return the canonical bytes the hash covers."""
        return canonical(
            {
                "seq": self.seq,
                "kind": self.kind.value,
                "member": self.member,
                "name": self.name,
                "roles": [role.value for role in self.roles],
                "note": self.note,
                "actor": self.actor,
                "recorded_at": self.recorded_at.isoformat(),
            }
        )


@attrs.frozen(kw_only=True)
class AccessEntry:
    """One chained access-log entry: who read what, when.

    Attributes:
        seq: its place in the log, from 1.
        actor: who read.
        operation: how: ``show``, ``history``, ``export`` or ``report``.
        case_id: the case read, or None for every case.
        at: when.
        prev_hash: the hash of the entry before.
        hash: SHA-256 of ``prev_hash`` and the canonical body.
    """

    seq: int
    actor: str
    operation: Operation
    case_id: str | None
    at: dt.datetime
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> bytes:
        """Return the canonical bytes the hash covers."""
        return canonical(
            {
                "seq": self.seq,
                "actor": self.actor,
                "operation": self.operation.value,
                "case_id": self.case_id,
                "at": self.at.isoformat(),
            }
        )


def chain_hash(prev_hash: str, body: bytes) -> str:
    """Return SHA-256 (hex) of the previous hash and the canonical body."""
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


@attrs.frozen
class StoredEntry:
    """A roster or access-log row as stored, for verification.

    The cells are what the database holds, of whatever type: a cell of the
    wrong type is a finding, never a crash.

    Attributes:
        seq: the row's seq column.
        body: the stored canonical bytes.
        prev_hash: the stored previous hash.
        hash: the stored hash.
        columns: the other stored columns, by column name: the body key
            each repeats, and its stored value.
    """

    seq: object
    body: object
    prev_hash: object
    hash: object
    columns: Mapping[str, tuple[str, object]] = attrs.field(factory=dict)


def check_chain(trail: str, table: str, rows: Sequence[StoredEntry]) -> list[Finding]:
    """Return the findings of one chained trail (the roster or the access log).

    Each row's hash must be SHA-256 of the hash before it and its stored
    body, the seqs must run from 1 without a gap, and every column stored
    beside the body must say what the body says: an edited body or column
    is ``edited``, a missing row ``deleted`` (at the first seq missing), a
    row whose link is broken without a gap ``inserted``.
    """
    findings: list[Finding] = []
    prev = GENESIS
    expected = 1
    for row in rows:
        if not (
            isinstance(row.body, bytes)
            and isinstance(row.prev_hash, str)
            and isinstance(row.hash, str)
            and isinstance(row.seq, int)
        ):
            findings.append(
                Finding(
                    trail,
                    row.seq if isinstance(row.seq, int) else expected,
                    FindingKind.EDITED,
                    "finding.cell",
                    {"table": table, "column": "body"},
                )
            )
            prev = row.hash if isinstance(row.hash, str) else ""
            expected += 1
            continue
        if row.seq != expected:
            findings.append(
                Finding(trail, expected, FindingKind.DELETED, "finding.seq_gap")
            )
        elif row.prev_hash != prev:
            findings.append(
                Finding(trail, row.seq, FindingKind.INSERTED, "finding.chain_link")
            )
        if chain_hash(row.prev_hash, row.body) != row.hash:
            findings.append(
                Finding(trail, row.seq, FindingKind.EDITED, "finding.chain_hash")
            )
        else:
            findings.extend(
                _columns_differ(trail, table, row.seq, row.body, row.columns)
            )
        prev = row.hash
        expected = row.seq + 1
    return findings


def head_findings(  # noqa: PLR0911 - one return per kind of finding, read as a table
    trail: str, rows: Sequence[StoredEntry], head: tuple[object, object] | None
) -> list[Finding]:
    """Compare a trail's stored head with where its rows end.

    The head moves with every entry in the same transaction, so deleting
    the newest entries (which leaves a sound, shorter chain) leaves the
    head ahead of the trail: ``truncated``. Rows past the head are
    ``inserted``; a head at the last row with another hash is
    ``head_mismatch``; rows without a head at all are ``head_mismatch``
    too (a head is written with the first entry).

    Args:
        trail: the pseudo case id findings name (``@staff``, ``@access``).
        rows: the trail's stored rows, in ``seq`` order.
        head: the stored ``(seq, hash)`` cells, or None when there is none.
    """
    last = rows[-1] if rows else None
    if head is None:
        if last is None:
            return []
        return [Finding(trail, 0, FindingKind.HEAD_MISMATCH, "finding.no_trail_head")]
    seq, hash_ = head
    if type(seq) is not int or not isinstance(hash_, str):
        column = "seq" if type(seq) is not int else "hash"
        facts: dict[str, object] = {"table": "trail_heads", "column": column}
        return [Finding(trail, 0, FindingKind.HEAD_MISMATCH, "finding.cell", facts)]
    last_seq = last.seq if last is not None and type(last.seq) is int else 0
    if seq > last_seq:
        facts = {"head": seq, "trail": last_seq}
        cause = "finding.head_ahead"
        return [Finding(trail, last_seq + 1, FindingKind.TRUNCATED, cause, facts)]
    if seq < last_seq:
        facts = {"head": seq}
        return [
            Finding(trail, seq + 1, FindingKind.INSERTED, "finding.after_head", facts)
        ]
    if last is not None and last.hash != hash_:
        return [Finding(trail, seq, FindingKind.HEAD_MISMATCH, "finding.head_hash")]
    return []


def _columns_differ(
    trail: str,
    table: str,
    seq: int,
    body_bytes: bytes,
    columns: Mapping[str, tuple[str, object]],
) -> list[Finding]:
    try:
        body = orjson.loads(body_bytes)
    except orjson.JSONDecodeError:
        return [Finding(trail, seq, FindingKind.EDITED, "finding.undecodable")]
    if not isinstance(body, dict):
        return [Finding(trail, seq, FindingKind.EDITED, "finding.undecodable")]
    stored = {"seq": ("seq", seq), **columns}
    return [
        Finding(
            trail,
            seq,
            FindingKind.EDITED,
            "finding.column",
            {"table": table, "column": column},
        )
        for column, (key, value) in stored.items()
        if body.get(key) != value
    ]


@attrs.frozen
class Roster:
    """The roster as its trail makes it.

    Attributes:
        members: every member ever added, by id.
        seq: the number of changes folded.
        last_hash: the hash of the last change.
    """

    members: Mapping[str, Member] = attrs.field(factory=dict)
    seq: int = 0
    last_hash: str = GENESIS

    @property
    def is_empty(self) -> bool:
        """Whether nobody was ever added: actors are then not checked."""
        return not self.members

    def active_admins(self) -> set[str]:
        """Return the ids of the active members who hold ``admin``."""
        return {
            member.id
            for member in self.members.values()
            if member.active and StaffRole.ADMIN in member.roles
        }

    def verdict(  # noqa: PLR0911 - one return per outcome of the decision
        self, actor: Actor | str, operation: Operation, worker: str | None = None
    ) -> Verdict:
        """Judge ``actor`` doing ``operation`` by this roster.

        An actor given only by id acts in the least of their roles that may
        do it; a self-declared role must be one the member holds. On a case
        whose worker of record is ``worker``, the operations of
        :data:`ON_ASSIGNED` are the worker of record's, or a supervisor's:
        anyone else is refused as ``not_assigned``, naming who is assigned.
        """
        if self.is_empty:
            return UNCHECKED
        actor_id = actor if isinstance(actor, str) else actor.id
        member = self.members.get(actor_id)
        if member is None:
            return Verdict("unknown_actor")
        held = tuple(role.value for role in member.roles)
        if not member.active:
            return Verdict("inactive_actor", roles=held)
        assigned_only = (
            worker is not None and operation in ON_ASSIGNED and worker != actor_id
        )
        if isinstance(actor, Actor):
            claimed = _CLAIMED[actor.role]
            if claimed not in member.roles:
                return Verdict("role_not_held", roles=held)
            if operation not in PERMISSIONS[claimed]:
                return Verdict("not_permitted", roles=held)
            if assigned_only and claimed is not StaffRole.SUPERVISOR:
                return Verdict("not_assigned", roles=held, assigned=worker or "")
            return Verdict(role=actor.role, roles=held)
        permitted = [
            role
            for role in _PREFERENCE
            if role in member.roles and operation in PERMISSIONS[role]
        ]
        for role in permitted:
            if not assigned_only or role is StaffRole.SUPERVISOR:
                return Verdict(role=_RECORDED.get(role), roles=held)
        if permitted:
            return Verdict("not_assigned", roles=held, assigned=worker or "")
        return Verdict("not_permitted", roles=held)


def apply_change(roster: Roster, change: RosterChange) -> Roster:
    """Return the roster after ``change``, which must be legal there.

    Raises:
        RosterRefusedError: the change breaks a rule of the roster.
        NotPermittedError: the actor may not change the roster.
    """
    check_change(roster, change)
    members = dict(roster.members)
    current = members.get(change.member)
    if change.kind is ChangeKind.ADD:
        members[change.member] = Member(
            id=change.member,
            name=change.name or "",
            roles=change.roles,
            since=change.recorded_at,
        )
    elif change.kind is ChangeKind.SET_ROLE:
        assert current is not None  # noqa: S101 - check_change made sure
        members[change.member] = attrs.evolve(current, roles=change.roles)
    else:
        assert current is not None  # noqa: S101 - check_change made sure
        members[change.member] = attrs.evolve(current, active=False)
    return Roster(members, change.seq, change.hash)


def check_change(roster: Roster, change: RosterChange) -> None:
    """Refuse a roster change its roster does not allow.

    The first member of an empty roster must be an admin (otherwise nobody
    could change the roster after); later, only an active admin changes it,
    and the roster always keeps an active admin.

    Raises:
        RosterRefusedError: the change breaks a rule of the roster.
        NotPermittedError: the actor may not change the roster.
    """
    if roster.is_empty:
        if change.kind is not ChangeKind.ADD or StaffRole.ADMIN not in change.roles:
            raise RosterRefusedError(change.member, "first_not_admin")
    else:
        verdict = roster.verdict(change.actor, Operation.STAFF)
        if not verdict.allowed:
            raise NotPermittedError(
                change.actor, Operation.STAFF, verdict.refusal, ", ".join(verdict.roles)
            )
    current = roster.members.get(change.member)
    if change.kind is ChangeKind.ADD:
        if current is not None:
            raise RosterRefusedError(change.member, "member_exists")
        return
    if current is None:
        raise RosterRefusedError(change.member, "unknown_member")
    if not current.active:
        raise RosterRefusedError(change.member, "member_inactive")
    still_admin = change.kind is ChangeKind.SET_ROLE and StaffRole.ADMIN in change.roles
    if roster.active_admins() == {change.member} and not still_admin:
        raise RosterRefusedError(change.member, "last_admin")


def fold(changes: Iterable[RosterChange]) -> Roster:
    """Return the roster its changes make, trusting they were checked."""
    roster = Roster()
    for change in changes:
        roster = apply_change(roster, change)
    return roster


def replay_findings(changes: Sequence[RosterChange]) -> list[Finding]:
    """Replay the roster trail through its rules; each illegal change is a finding."""
    findings: list[Finding] = []
    roster = Roster()
    for change in changes:
        try:
            roster = apply_change(roster, change)
        except (RosterRefusedError, NotPermittedError) as refused:
            findings.append(
                Finding(
                    ROSTER_TRAIL,
                    change.seq,
                    FindingKind.ILLEGAL_MOVE,
                    refused.message_template(),
                    vars(refused),
                )
            )
    return findings


class StaffStore(Protocol):
    """Where the roster trail and the access log are kept."""

    def roster(self) -> Roster:
        """Return the current roster (folded, possibly from a cache)."""

    def changes(self) -> list[RosterChange]:
        """Return every roster change, in order."""

    def change_roster(self, change: RosterChange) -> RosterChange:
        """Check ``change`` against the current roster, chain it and store it.

        ``seq``, ``prev_hash`` and ``hash`` are set by the store; the
        stored change is returned.

        Raises:
            RosterRefusedError: the change breaks a rule of the roster.
            NotPermittedError: the actor may not change the roster.
        """

    def log_access(
        self,
        actor: str,
        operation: Operation,
        case_id: str | None,
        *,
        at: dt.datetime,
    ) -> AccessEntry:
        """Append one chained access-log entry and return it."""

    def accesses(self, case_id: str | None = None) -> list[AccessEntry]:
        """Return the access log (of one case: its reads and reads of all)."""

    def verify(self) -> list[Finding]:
        """Return the findings of both chained trails (empty when sound)."""

    def heads(self) -> dict[str, tuple[int, str]]:
        """Return where each non-empty trail ends: ``(seq, hash)`` by trail.

        The trails are named by their pseudo case ids, :data:`ROSTER_TRAIL`
        and :data:`ACCESS_TRAIL`; a seal signs these heads.
        """

    def entry_hash(self, trail: str, seq: int) -> str | None:
        """Return the stored hash of a trail's entry ``seq``, or None."""


def chained(change: RosterChange, roster: Roster) -> RosterChange:
    """Return ``change`` numbered and chained after ``roster``'s last change."""
    numbered = attrs.evolve(change, seq=roster.seq + 1, prev_hash=roster.last_hash)
    return attrs.evolve(numbered, hash=chain_hash(roster.last_hash, numbered.body()))


def chained_access(entry: AccessEntry, seq: int, prev_hash: str) -> AccessEntry:
    """Return ``entry`` numbered ``seq`` and chained after ``prev_hash``."""
    numbered = attrs.evolve(entry, seq=seq, prev_hash=prev_hash)
    return attrs.evolve(numbered, hash=chain_hash(prev_hash, numbered.body()))


class MemoryStaffStore:
    """A :class:`StaffStore` in memory, for tests and examples."""

    def __init__(self) -> None:
        self._changes: list[RosterChange] = []
        self._roster = Roster()
        self._accesses: list[AccessEntry] = []

    def roster(self) -> Roster:
        """Return the current roster."""
        return self._roster

    def changes(self) -> list[RosterChange]:
        """Return every roster change, in order."""
        return list(self._changes)

    def change_roster(self, change: RosterChange) -> RosterChange:
        """Check, chain and keep ``change``."""
        stored = chained(change, self._roster)
        self._roster = apply_change(self._roster, stored)
        self._changes.append(stored)
        return stored

    def log_access(
        self,
        actor: str,
        operation: Operation,
        case_id: str | None,
        *,
        at: dt.datetime,
    ) -> AccessEntry:
        """Append one chained access-log entry."""
        last = self._accesses[-1].hash if self._accesses else GENESIS
        entry = chained_access(
            AccessEntry(
                seq=0, actor=actor, operation=operation, case_id=case_id, at=at
            ),
            len(self._accesses) + 1,
            last,
        )
        self._accesses.append(entry)
        return entry

    def accesses(self, case_id: str | None = None) -> list[AccessEntry]:
        """Return the access log, or the entries that read ``case_id``."""
        return [
            entry
            for entry in self._accesses
            if case_id is None or entry.case_id in (None, case_id)
        ]

    def verify(self) -> list[Finding]:
        """Return the findings of both trails (none: memory is not tampered)."""
        return replay_findings(self._changes)

    def heads(self) -> dict[str, tuple[int, str]]:
        """Return where each non-empty trail ends."""
        ends: dict[str, tuple[int, str]] = {}
        if self._changes:
            ends[ROSTER_TRAIL] = (self._changes[-1].seq, self._changes[-1].hash)
        if self._accesses:
            ends[ACCESS_TRAIL] = (self._accesses[-1].seq, self._accesses[-1].hash)
        return ends

    def entry_hash(self, trail: str, seq: int) -> str | None:
        """Return the hash of a trail's entry ``seq``, or None."""
        hashes = [
            entry.hash
            for entry in (self._changes if trail == ROSTER_TRAIL else self._accesses)
        ]
        return hashes[seq - 1] if 0 < seq <= len(hashes) else None


class RosterAuthorizer:
    """The default :class:`Authorizer`: the roster in a :class:`StaffStore`.

    The roster is read at every decision (the store keeps it cheap), so a
    member deactivated by another process is refused at once.
    """

    def __init__(self, staff: StaffStore) -> None:
        self.staff = staff

    def authorize(
        self,
        actor: Actor | str,
        operation: Operation,
        case_id: str | None,
        *,
        worker: str | None = None,
    ) -> Verdict:
        """Judge ``actor`` doing ``operation`` by the current roster."""
        return self.staff.roster().verdict(actor, operation, worker)
