"""Helpers for testing code that uses helping_process.

Everything here is pure and deterministic: a clock that only moves when told
to, JSON factories for a complete record of each kind, :func:`walk`, which
opens a case and steps it with complete records to a given stage through the
real engine, so every case it builds is one the rules accept, and
:class:`InMemoryStore`, an audit store without a database for running a real
:class:`~helping_process.service.CaseService` in unit tests.

Example:
    >>> from helping_process.testing import walk
    >>> walk("planning").case.stage
    <Stage.PLANNING: 'planning'>
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import TypeVar

import attrs

from helping_process.audit import EVERY_CASE
from helping_process.audit import CaseRange
from helping_process.audit import Columns
from helping_process.audit import Head
from helping_process.audit import Sealed
from helping_process.audit import events_of
from helping_process.audit import split_cases
from helping_process.engine import Decision
from helping_process.engine import execute
from helping_process.engine import open_case
from helping_process.exceptions import ConcurrentUpdateError
from helping_process.exceptions import StorageError
from helping_process.exceptions import UnknownCaseError
from helping_process.model import UTC
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import AddRecord
from helping_process.model import Case
from helping_process.model import Command
from helping_process.model import Event
from helping_process.model import MoveCase
from helping_process.model import OpenCase
from helping_process.model import TerminateCase
from helping_process.service import CaseSummary
from helping_process.snapshot import Snapshot
from helping_process.states import RecordKind
from helping_process.states import Stage
from helping_process.states import TerminationReason
from helping_process.states import parse_record
from helping_process.states.vocabulary import HELPING_STAGES

if TYPE_CHECKING:
    from helping_process.definitions import Definition
    from helping_process.seals import Seal

__all__ = [
    "EPOCH",
    "FixedClock",
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "Walk",
    "activity_data",
    "add",
    "aftercare_plan_data",
    "assessment_data",
    "case_conference_data",
    "contract_data",
    "engagement_data",
    "evaluation_data",
    "follow_up_data",
    "intake_data",
    "plan_data",
    "resocialization_data",
    "walk",
]

#: The moment a :class:`FixedClock` shows unless told otherwise (a Monday).
EPOCH: Final = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)

_EPOCH_DAY: Final = EPOCH.date()

#: The JSON form of a record: what :func:`helping_process.parse_record` reads.
JSONObject = dict[str, Any]

_FORWARD: Final = HELPING_STAGES[:-1]


def _iso(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


def _utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` in UTC; a naive datetime has no place in the trail."""
    if value.utcoffset() is None:
        msg = "FixedClock needs an aware datetime"
        raise ValueError(msg)
    return value.astimezone(dt.UTC)


@attrs.define
class FixedClock:
    """A clock that shows the same aware UTC time until it is advanced.

    Pass it wherever the engine or a service wants ``clock: Callable[[],
    datetime]``; call :meth:`advance` to let time pass.

    Attributes:
        now: the time it shows (aware, in UTC).
    """

    now: dt.datetime = attrs.field(default=EPOCH, converter=_utc)

    def __call__(self) -> dt.datetime:
        """Return the time the clock shows."""
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        """Move the clock and return the new time.

        Args:
            **delta: keyword arguments of :class:`datetime.timedelta`, e.g.
                ``days=1`` or ``minutes=5`` (negative values move it back).

        Returns:
            The time the clock shows afterwards.
        """
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    def today(self) -> dt.date:
        """Return the (UTC) date the clock shows."""
        return self.now.date()


def engagement_data(
    *,
    clock: Callable[[], dt.datetime] | None = None,
    first_contact_on: dt.date | str | None = None,
    referral_source: str = "self",
    **overrides: Any,
) -> JSONObject:
    """Return a complete engagement record as JSON.

    Args:
        clock: the first contact is on this clock's day (default: the day
            of :data:`EPOCH`).
        first_contact_on: the day of the first contact (overrides ``clock``).
        referral_source: who referred the client.
        **overrides: fields to set (or add) as given.
    """
    if first_contact_on is None:
        first_contact_on = _EPOCH_DAY if clock is None else clock().date()
    return {
        "first_contact_on": _iso(first_contact_on),
        "request": "Help to find a school for my son.",
        "referral_source": referral_source,
        **overrides,
    }


def intake_data(**overrides: Any) -> JSONObject:
    """Return a complete intake record (an eligible, informed client) as JSON.

    Args:
        **overrides: fields to set (or add) as given.
    """
    return {
        "eligible": True,
        "service_formulation": "School placement and family counselling.",
        "resources_informed": True,
        **overrides,
    }


def contract_data(
    kind: str = "primary",
    *,
    clock: Callable[[], dt.datetime] | None = None,
    valid_from: dt.date | str | None = None,
    valid_until: dt.date | str | None = None,
    **overrides: Any,
) -> JSONObject:
    """Return a contract with all seven elements as JSON.

    With ``clock``, the contract is in force from the clock's day for a
    year (as :func:`walk` makes it), so it is in force "today" for a
    service run on that clock, whatever date the clock shows. Without one,
    it runs through 2025, the year of :data:`EPOCH`, where a default
    :class:`FixedClock` stands.

    Args:
        kind: ``preliminary``, ``primary`` or ``secondary``.
        clock: the clock the contract is dated from.
        valid_from: the first day it is in force (overrides ``clock``).
        valid_until: the last day it is in force (overrides ``clock``).
        **overrides: fields to set (or add) as given.
    """
    if clock is not None:
        start = clock().date()
        default_from, default_until = start, start + dt.timedelta(days=365)
    else:
        default_from, default_until = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    return {
        "kind": kind,
        "consensual": True,
        "mutual_agreement": True,
        "acceptance": True,
        "reciprocal": True,
        "responsibilities": ["The worker visits weekly.", "The client attends."],
        "tasks": ["Visit two schools.", "Meet the head teacher."],
        "valid_from": _iso(default_from if valid_from is None else valid_from),
        "valid_until": _iso(default_until if valid_until is None else valid_until),
        "parties": {"worker": "Worker W", "agency": "LKS Mawar", "client": "Client C"},
        **overrides,
    }


def assessment_data(**overrides: Any) -> JSONObject:
    """Return a complete assessment (its five parts) as JSON.

    Args:
        **overrides: fields to set (or add) as given.
    """
    return {
        "problem_statement": "The son has been out of school for a year.",
        "personality_assessment": "Motivated, anxious about costs.",
        "situational_analysis": "Single parent, irregular income.",
        "integrative_formulation": "Costs and missing papers keep him out.",
        "evaluation": "Good prospects once the papers are in order.",
        **overrides,
    }


def _gas_scale(weight: float) -> JSONObject:
    return {
        "weight": weight,
        "levels": {
            "-2": "No school contacted.",
            "-1": "One school contacted.",
            "0": "Enrolled.",
            "1": "Enrolled and attending.",
            "2": "Attending with good reports.",
        },
    }


def plan_data(
    goal_ids: Iterable[str] = ("g1", "g2"),
    *,
    gas: bool = False,
    **overrides: Any,
) -> JSONObject:
    """Return a plan whose goals each have one objective with one task.

    Args:
        goal_ids: the ids of the plan's goals, in order.
        gas: give every goal a Goal Attainment Scale (weight 1).
        **overrides: fields to set (or add) as given.
    """
    goals = []
    for goal_id in goal_ids:
        goal: JSONObject = {
            "id": goal_id,
            "statement": f"Goal {goal_id}.",
            "success_indicator": f"Goal {goal_id} is observed.",
            "objectives": [
                {"statement": f"First step to {goal_id}.", "tasks": ["Do it."]}
            ],
        }
        if gas:
            goal["gas"] = _gas_scale(1)
        goals.append(goal)
    return {
        "focus": "Access to education.",
        "methods": ["Casework", "Brokering"],
        "goals": goals,
        **overrides,
    }


def activity_data(
    goal_ids: Iterable[str] = ("g1",),
    *,
    clock: Callable[[], dt.datetime] | None = None,
    on: dt.date | str | None = None,
    **overrides: Any,
) -> JSONObject:
    """Return an intervention activity as JSON.

    Args:
        goal_ids: the plan goals it serves.
        clock: the activity takes place on this clock's day (default: the
            day of :data:`EPOCH`).
        on: the day it took place (overrides ``clock``).
        **overrides: fields to set (or add) as given.
    """
    if on is None:
        on = _EPOCH_DAY if clock is None else clock().date()
    return {
        "on": _iso(on),
        "role": "broker",
        "model": "persuade",
        "description": "Went with the client to the school office.",
        "goal_ids": list(goal_ids),
        **overrides,
    }


def evaluation_data(
    achieved: Iterable[str] = ("g1", "g2"),
    gas_scores: Mapping[str, int] | None = None,
    **overrides: Any,
) -> JSONObject:
    """Return an evaluation of the current plan as JSON.

    Args:
        achieved: the ids of the goals achieved.
        gas_scores: the GAS score of each scaled goal, if the plan has scales.
        **overrides: fields to set (or add) as given.
    """
    data: JSONObject = {
        "achieved_goal_ids": list(achieved),
        "process_note": "The client took part in every step.",
        "outcome_note": "The son is back at school.",
    }
    if gas_scores is not None:
        data["gas_scores"] = dict(gas_scores)
    return {**data, **overrides}


def case_conference_data(
    *, held_on: dt.date | str = _EPOCH_DAY, **overrides: Any
) -> JSONObject:
    """Return a case conference (``rehsos-pp39``) as JSON.

    Args:
        held_on: the day it was held.
        **overrides: fields to set (or add) as given.
    """
    return {
        "held_on": _iso(held_on),
        "participants": ["Social worker", "Psychologist", "Head of the unit"],
        "conclusion": "Needs vocational training and family counselling.",
        **overrides,
    }


def resocialization_data(
    *, family: bool = True, community: bool = True, **overrides: Any
) -> JSONObject:
    """Return a resocialization record (``rehsos-pp39``) as JSON.

    Args:
        family: whether the family is prepared to receive the client.
        community: whether the community is.
        **overrides: fields to set (or add) as given.
    """
    return {
        "family_prepared": family,
        "community_prepared": community,
        "plan": "Home visits with the family; meeting with the village head.",
        **overrides,
    }


def aftercare_plan_data(
    *, until: dt.date | str = _EPOCH_DAY, every: int = 14, **overrides: Any
) -> JSONObject:
    """Return an aftercare plan (``rehsos-pp39``) as JSON.

    Args:
        until: the last day of aftercare.
        every: how often to make contact, in days.
        **overrides: fields to set (or add) as given.
    """
    return {"until": _iso(until), "contact_every_days": every, **overrides}


def follow_up_data(*, on: dt.date | str = _EPOCH_DAY, **overrides: Any) -> JSONObject:
    """Return an aftercare follow-up (``rehsos-pp39``) as JSON.

    Args:
        on: the day of the contact.
        **overrides: fields to set (or add) as given.
    """
    return {
        "on": _iso(on),
        "mode": "visit",
        "situation": "Working at the family's shop; attends the youth group.",
        "independent": True,
        **overrides,
    }


def add(kind: RecordKind | str, data: object) -> AddRecord:
    """Return the command that adds the record ``data`` of ``kind``.

    Raises:
        RecordInvalidError: ``data`` is malformed.
    """
    return AddRecord(record=parse_record(kind, data))


@attrs.frozen
class Walk:
    """A case built step by step, with every event the steps produced.

    Attributes:
        case: the case after the last step.
        events: every event, in sequence order.
        actor: who acts in further steps.
        clock: when further steps take place.
    """

    case: Case
    events: tuple[Event, ...]
    actor: Actor
    clock: Callable[[], dt.datetime]

    def then(self, *commands: Command) -> Walk:
        """Execute further commands and return the walk that results.

        Raises:
            HelpingProcessError: the engine refuses a command.
        """
        walked = self
        for command in commands:
            decision = execute(
                walked.case, command, actor=walked.actor, at=walked.clock()
            )
            walked = attrs.evolve(
                walked, case=decision.case, events=(*walked.events, decision.event)
            )
        return walked


def _steps(
    stage: Stage, day: dt.date, *, gas: bool
) -> Iterable[tuple[Stage, tuple[Command, ...]]]:
    """Yield, for each stage, the commands that complete it and leave it."""
    goals = ("g1", "g2")
    until = day + dt.timedelta(days=365)
    leave = {
        Stage.ENGAGEMENT: add("engagement", engagement_data(first_contact_on=day)),
        Stage.INTAKE: add("intake", intake_data()),
        Stage.CONTRACT: add(
            "contract", contract_data(valid_from=day, valid_until=until)
        ),
        Stage.ASSESSMENT: add("assessment", assessment_data()),
        Stage.PLANNING: add("plan", plan_data(goals, gas=gas)),
        Stage.INTERVENTION: add("activity", activity_data(goals, on=day)),
        Stage.EVALUATION: add(
            "evaluation",
            evaluation_data(goals, dict.fromkeys(goals, 1) if gas else None),
        ),
    }
    for current, target in zip(
        _FORWARD, (*_FORWARD[1:], Stage.TERMINATION), strict=True
    ):
        if current is stage:
            return
        if target is Stage.TERMINATION:
            move: Command = TerminateCase(
                reason=TerminationReason.GOALS_ACHIEVED,
                note="Every agreed goal is achieved.",
            )
        else:
            move = MoveCase(target=target)
        yield current, (leave[current], move)


def walk(  # noqa: PLR0913 - keyword-only options of one builder
    stage: Stage | str,
    *,
    residential: bool = False,
    gas: bool = False,
    clock: Callable[[], dt.datetime] | None = None,
    actor: Actor | None = None,
    case_id: str = "case-1",
) -> Walk:
    """Open a case and step it with complete records until it reaches ``stage``.

    Each stage gets the complete record it needs and the case moves forward;
    ``termination`` is reached by a planned termination with every goal
    achieved. Every step takes place at ``clock()``; the contract runs for a
    year from the day the walk starts. The plan has goals ``g1`` and ``g2``.

    Args:
        stage: the stage to stop in.
        residential: whether the client lives in the institution (panti).
        gas: give the plan's goals GAS scales (and score them when evaluated).
        clock: when each step takes place (a :class:`FixedClock` by default).
        actor: who acts (worker ``worker-1`` by default).
        case_id: the case's id.

    Returns:
        The case in ``stage`` and every event that brought it there.
    """
    target = Stage(stage)
    clock = clock or FixedClock()
    actor = actor or Actor("worker-1")
    decision = open_case(
        OpenCase(client="client-1", residential=residential),
        case_id=case_id,
        actor=actor,
        at=clock(),
    )
    walked = Walk(decision.case, (decision.event,), actor, clock)
    for _, commands in _steps(target, clock().date(), gas=gas):
        walked = walked.then(*commands)
    return walked


@attrs.frozen(kw_only=True)
class _CaseRow:
    """A case's head as the store keeps it: SqlStore's ``cases`` row."""

    case_id: str
    client: str | None
    residential: bool
    stage: Stage
    episode: int
    seq: int
    last_hash: str
    opened_at: dt.datetime
    updated_at: dt.datetime

    @property
    def head(self) -> Head:
        """The head, with the stage and episode it says the case is in."""
        return Head(
            case_id=self.case_id,
            seq=self.seq,
            last_hash=self.last_hash,
            stage=self.stage.value,
            episode=self.episode,
        )

    @property
    def summary(self) -> CaseSummary:
        """The case as a list shows it."""
        return CaseSummary(
            case_id=self.case_id,
            client=self.client,
            residential=self.residential,
            stage=self.stage,
            episode=self.episode,
            seq=self.seq,
            opened_at=self.opened_at,
            updated_at=self.updated_at,
        )


@attrs.define
class _Tables:
    """Everything the store holds; published tables are never changed again.

    Values are immutable (frozen rows, tuples of events and seals), so a
    copy of the dictionaries is a snapshot that writing to the copy cannot
    disturb, and reading the published tables needs no lock.
    """

    cases: dict[str, _CaseRow] = attrs.Factory(dict)
    events: dict[str, tuple[Sealed, ...]] = attrs.Factory(dict)
    seals: tuple[Seal, ...] = ()
    snapshots: dict[str, tuple[Snapshot, ...]] = attrs.Factory(dict)
    definitions: tuple[tuple[str, str, int, str], ...] = ()

    def copy(self) -> _Tables:
        """Return a snapshot that can be written without touching this one."""
        return _Tables(
            dict(self.cases),
            dict(self.events),
            self.seals,
            dict(self.snapshots),
            self.definitions,
        )


def _add_snapshot(tables: _Tables, snapshot: Snapshot) -> None:
    """Store a snapshot, unless one at that event is stored already."""
    taken = tables.snapshots.get(snapshot.case_id, ())
    if all(stored.seq != snapshot.seq for stored in taken):
        tables.snapshots[snapshot.case_id] = tuple(
            sorted((*taken, snapshot), key=attrgetter("seq"))
        )


def _append(tables: _Tables, decision: Decision, sealed: Sealed) -> None:
    """Store ``sealed`` and move its case's head, or change nothing.

    ``open`` adds the case. Any other event moves the head only from the
    event it chains to, as SqlStore's guarded update does, so a decision
    made on a case that is no longer the stored one is never stored.

    Raises:
        ConcurrentUpdateError: the case exists already (for ``open``), or its
            head is not at ``sealed.seq - 1`` with hash ``sealed.prev_hash``.
    """
    case, event = decision.case, decision.event
    row = tables.cases.get(case.case_id)
    if event.action is Action.OPEN:
        if row is not None:
            raise ConcurrentUpdateError(case.case_id, 0)
        row = _CaseRow(
            case_id=case.case_id,
            client=event.client,
            residential=case.residential,
            stage=case.stage,
            episode=case.episode,
            seq=sealed.seq,
            last_hash=sealed.hash,
            opened_at=case.opened_at,
            updated_at=case.last_occurred_at,
        )
    elif row is None or row.seq != sealed.seq - 1 or row.last_hash != sealed.prev_hash:
        raise ConcurrentUpdateError(case.case_id, sealed.seq - 1)
    else:
        row = attrs.evolve(
            row,
            stage=case.stage,
            episode=case.episode,
            seq=sealed.seq,
            last_hash=sealed.hash,
            updated_at=case.last_occurred_at,
        )
    tables.cases[case.case_id] = row
    tables.events[case.case_id] = (*tables.events.get(case.case_id, ()), sealed)


def _redact(tables: _Tables, case_id: str, seqs: Sequence[int]) -> None:
    """Drop the personal data of the case's events ``seqs``.

    Only the data kept apart from the chain goes (and the client reference
    of the case's head), so the chain still verifies and shows those events
    as redacted rather than tampered with.
    """
    row = tables.cases.get(case_id)
    if row is None:
        return
    tables.cases[case_id] = attrs.evolve(row, client=None)
    tables.events[case_id] = tuple(
        sealed._replace(personal=None) if sealed.seq in seqs else sealed
        for sealed in tables.events[case_id]
    )


def _add_seal(tables: _Tables, seal: Seal, sealed_at: dt.datetime) -> int:
    """Store a seal under its number, right after the existing ones.

    The leaves keep only what SqlStore's ``seal_leaves`` table keeps (case,
    ``seq`` and hash), and the time is kept as SqlStore's column keeps it,
    so a seal reads back the same from either store.

    Raises:
        ConcurrentUpdateError: another seal took the number first (as the
            seal table's primary key refuses it); this one chains to the
            seal before that one, so storing it would break the seals' chain.
    """
    if any(stored.number == seal.number for stored in tables.seals):
        raise ConcurrentUpdateError("", 0)
    leaves = tuple(
        Head(case_id=head.case_id, seq=head.seq, last_hash=head.last_hash)
        for head in seal.leaves
    )
    stored = attrs.evolve(seal, leaves=leaves, stored_at=sealed_at.astimezone(UTC))
    tables.seals = tuple(
        sorted((*tables.seals, stored), key=lambda stored: stored.number)
    )
    return seal.number


_T = TypeVar("_T")


def _in_range(case_id: str, low: str | None, high: str | None) -> bool:
    """Whether ``case_id`` falls in the range from ``low`` to before ``high``."""
    return (low is None or case_id >= low) and (high is None or case_id < high)


class InMemoryUnitOfWork:
    """One transaction on an :class:`InMemoryStore`, on a snapshot of its own.

    Reads see the store as it was when the unit of work began, plus its own
    writes. Each write is applied to the snapshot at once, so a stale append
    is refused inside the unit of work (where the service can reload the
    case and decide again), and is kept, to be applied again to the store's
    tables when the unit of work is published.
    """

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables
        self._writes: list[Callable[[_Tables], object]] = []

    def _write(self, write: Callable[[_Tables], _T]) -> _T:
        result = write(self._tables)
        self._writes.append(write)
        return result

    def _publish(self, tables: _Tables) -> None:
        """Apply this unit's writes to ``tables``, checking each one again."""
        for write in self._writes:
            write(tables)

    def find_head(self, case_id: str) -> Head | None:
        """Return the case's head, or None when there is none."""
        row = self._tables.cases.get(case_id)
        return None if row is None else row.head

    def head(self, case_id: str) -> Head:
        """Return the case's head.

        Raises:
            UnknownCaseError: no case has that id.
        """
        head = self.find_head(case_id)
        if head is None:
            raise UnknownCaseError(case_id)
        return head

    def events(self, case_id: str, *, after: int = 0) -> list[Sealed]:
        """Return the case's stored events with ``seq`` above ``after``."""
        trail = self._tables.events.get(case_id, ())
        return [sealed for sealed in trail if sealed.seq > after]

    def event_at(self, case_id: str, seq: int) -> Sealed | None:
        """Return the case's stored event ``seq``, or None when there is none."""
        for sealed in self._tables.events.get(case_id, ()):
            if sealed.seq == seq:
                return sealed
        return None

    def snapshot(self, case_id: str, *, upto: int) -> Snapshot | None:
        """Return the case's newest snapshot taken at or before event ``upto``."""
        taken = [s for s in self.snapshots(case_id) if s.seq <= upto]
        return taken[-1] if taken else None

    def snapshots(self, case_id: str) -> list[Snapshot]:
        """Return every stored snapshot of the case, oldest first."""
        return list(self._tables.snapshots.get(case_id, ()))

    def snapshot_cases(self) -> set[str]:
        """Return the ids of the cases that have snapshots."""
        return set(self._tables.snapshots)

    def stray_personal(self, seen: int) -> list[tuple[object, object]]:
        """Return nothing: personal data is kept with its event here."""
        return []

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Store a snapshot (nothing if one at that event is stored already)."""
        self._write(lambda tables: _add_snapshot(tables, snapshot))

    def append(self, decision: Decision, sealed: Sealed) -> None:
        """Store ``sealed`` and move the case's head to ``decision.case``.

        Raises:
            ConcurrentUpdateError: the head is not at ``sealed.seq - 1`` with
                hash ``sealed.prev_hash`` (for ``open``: the case exists).
        """
        self._write(lambda tables: _append(tables, decision, sealed))

    def redact(self, case_id: str, *, seqs: Sequence[int], at: dt.datetime) -> None:
        """Remove the personal data of the case's events ``seqs``.

        Args:
            case_id: the case.
            seqs: the events the redaction names; they lose their personal
                data and the case its client reference.
            at: when; SqlStore keeps it in a column no read returns, so this
                store does not keep it.
        """
        self._write(lambda tables: _redact(tables, case_id, seqs))

    def case_page(
        self,
        *,
        limit: int,
        stage: Stage | None = None,
        opened_since: dt.datetime | None = None,
        worker: str | None = None,
        before: tuple[dt.datetime, str] | None = None,
    ) -> list[CaseSummary]:
        """Return up to ``limit`` case summaries, newest first, as SqlStore does."""
        rows = sorted(
            self._tables.cases.values(),
            key=lambda row: (row.opened_at, row.case_id),
            reverse=True,
        )
        events = self._tables.events
        return [
            row.summary
            for row in rows
            if stage in (None, row.stage)
            and (opened_since is None or row.opened_at >= opened_since)
            and (before is None or (row.opened_at, row.case_id) < before)
            and (
                worker is None
                or next(events_of(events[row.case_id][:1])).actor.id == worker
            )
        ][:limit]

    def cases(self, *, stage: Stage | None = None) -> list[CaseSummary]:
        """Return the summaries of all cases, or of those in ``stage``.

        Ordered by opening time, then case id, as SqlStore lists them.
        """
        rows = sorted(
            self._tables.cases.values(), key=lambda row: (row.opened_at, row.case_id)
        )
        return [row.summary for row in rows if stage in (None, row.stage)]

    def heads(self) -> dict[str, Head]:
        """Return every case's head, by case id."""
        cases = self._tables.cases
        return {case_id: cases[case_id].head for case_id in sorted(cases)}

    def scan(self, *, personal: bool = True) -> Iterator[Sealed]:
        """Yield every stored event, ordered by case id and ``seq``.

        Args:
            personal: read the personal data too (False: the chain only).
        """
        events = self._tables.events
        for case_id in sorted(events):
            for sealed in events[case_id]:
                yield sealed if personal else sealed._replace(personal=None)

    def trails(
        self, *, personal: bool = True, within: CaseRange = EVERY_CASE
    ) -> Iterator[tuple[Head | None, list[Sealed]]]:
        """Yield every case's head with its events, ordered by case id.

        Cases with a head but no events come after those with events.

        Args:
            personal: read the personal data too (False: the chain only).
            within: only the cases whose ids fall in this range.
        """
        low, high = within
        cases = {
            case_id: row
            for case_id, row in self._tables.cases.items()
            if _in_range(case_id, low, high)
        }
        events = {
            case_id: trail
            for case_id, trail in self._tables.events.items()
            if _in_range(case_id, low, high)
        }
        for case_id in sorted(events):
            row = cases.get(case_id)
            yield (
                row.head if row else None,
                [s if personal else s._replace(personal=None) for s in events[case_id]],
            )
        for case_id in sorted(cases.keys() - events.keys()):
            yield cases[case_id].head, []

    def trails_with_columns(
        self, case_id: str | None = None, *, within: CaseRange = EVERY_CASE
    ) -> Iterator[tuple[Head | None, list[Sealed], list[Columns] | None]]:
        """Yield every case (or one) with its events, as :meth:`trails` does.

        This store keeps nothing beside the chained bytes, so there are no
        columns to compare: None for each case's columns.

        Args:
            case_id: one case, or every case when None.
            within: without ``case_id``, only the cases in this range.
        """
        for head, rows in self.trails(within=within):
            if (
                case_id is None
                or (head.case_id if head else rows[0].case_id) == case_id
            ):
                yield head, rows, None

    def case_ranges(self, parts: int) -> list[CaseRange]:
        """Split the cases into at most ``parts`` ranges of about as many events."""
        cases = self._tables.cases
        return split_cases(
            ((case_id, cases[case_id].head.seq) for case_id in sorted(cases)), parts
        )

    def seals(self) -> list[Seal]:
        """Return the stored seals, in the order of their numbers."""
        return list(self._tables.seals)

    def definitions(self) -> list[tuple[str, str, int, str]]:
        """Return the stored process definitions: digest, name, version, text."""
        return sorted(self._tables.definitions, key=lambda row: (row[1], row[2]))

    def add_definition(self, definition: Definition) -> None:
        """Store a process definition's file (a clash raises, as a unique key)."""

        def add(tables: _Tables) -> None:
            for digest, name, version, _ in tables.definitions:
                if digest == definition.digest or (name, version) == (
                    definition.name,
                    definition.version,
                ):
                    raise StorageError("UNIQUE constraint failed: definitions")  # noqa: TRY003 - as the driver says it
            row = (definition.digest, definition.name, definition.version)
            tables.definitions = (*tables.definitions, (*row, definition.text))

        self._write(add)

    def add_seal(self, seal: Seal, *, sealed_at: dt.datetime) -> int:
        """Store a seal under its number; return the number.

        Args:
            seal: the seal.
            sealed_at: when it was made (kept beside it, as SqlStore does).

        Raises:
            ConcurrentUpdateError: a seal with that number is stored already.
        """
        return self._write(lambda tables: _add_seal(tables, seal, sealed_at))


class InMemoryStore:
    """An :class:`~helping_process.service.AuditStore` in memory, for tests.

    A fake of the service's own port with SqlStore's semantics, so agency
    code can run a real :class:`~helping_process.service.CaseService` in
    unit tests without a database. A unit of work is all or nothing: it
    works on a snapshot and is published only when its block ends cleanly;
    an exception discards every write. An append moves a case's head only
    from the event it chains to, and reads order as SqlStore orders them.

    Publishing applies the unit's writes again to the tables as they are by
    then, under one lock, so of two units of work that raced on a case the
    one published second fails with :class:`ConcurrentUpdateError` and
    stores nothing, as the losing database transaction does. Nothing
    outlives the object.

    Example:
        >>> from helping_process.service import CaseService
        >>> service = CaseService(InMemoryStore(), clock=FixedClock())
        >>> case = service.open("client-1", actor=Actor("worker-1"))
        >>> service.verify()
        []
    """

    def __init__(self) -> None:
        self._tables = _Tables()
        self._lock = threading.Lock()

    @contextmanager
    def unit_of_work(self) -> Iterator[InMemoryUnitOfWork]:
        """Open a transaction; publish it on a clean exit, discard it on error.

        Raises:
            ConcurrentUpdateError: another unit of work, published after this
                one began, moved a case this one appends to; nothing of this
                one is stored.
        """
        uow = InMemoryUnitOfWork(self._tables.copy())
        yield uow
        if uow._writes:
            with self._lock:
                tables = self._tables.copy()
                uow._publish(tables)
                self._tables = tables

    def append(self, decision: Decision, sealed: Sealed) -> None:
        """Store one command's event as a unit of work of its own.

        Raises:
            ConcurrentUpdateError: the head is no longer at ``sealed.seq - 1``
                with hash ``sealed.prev_hash``; nothing is stored.
        """
        with self.unit_of_work() as uow:
            uow.append(decision, sealed)

    def opener(self) -> None:
        """Another process cannot open a store that lives in this one's memory."""
