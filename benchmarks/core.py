"""The pure engine: memory per live case, the cost of the n-th open, one command.

Figures (the targets and traps of `docs/performance.md`):

- ``bytes_per_case``: what the engine retains per live case, once what the
  caller holds (its list and the cases in it) is taken out. Target ≤ 200 B;
  ``add_model_bytes_per_case`` shows the trap (~9 KB) and
  ``plain_object_bytes`` the floor (~96 B, one plain object per case).
- ``open_cost_ratio``: µs to open a case once N cases are held ÷ µs to open
  the first ones. Target ≤ 1.2 (``add_model`` gets 33x); ``plain_cost_ratio``
  is the same for making a plain object, what holding N objects costs Python.
- ``engine_command_us`` (one ``execute`` of a move) beside
  ``trigger_floor_us`` (a bare guarded trigger of one shared ``Machine`` on
  a plain object, ~11 µs).
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import sys
import tracemalloc
from collections.abc import Callable
from collections.abc import Iterable
from enum import Enum
from types import FunctionType
from types import ModuleType
from typing import Final
from typing import TypeVar

from _report import Figures
from _report import interleaved_us
from _report import median_us
from _report import progress
from transitions import EventData
from transitions import Machine

from helping_process import Actor
from helping_process import AddRecord
from helping_process import Case
from helping_process import MoveCase
from helping_process import OpenCase
from helping_process import Stage
from helping_process import execute
from helping_process import open_case
from helping_process import parse_record
from helping_process.states import PROCESS

TARGETS: Final = {
    "bytes_per_case": "≤ 200 B (engine's retained growth per live case)",
    "retained_bytes_per_case": "all growth per case, caller's cases included",
    "case_object_bytes": "one Case as the caller holds it (deep)",
    "plain_object_bytes": "floor: a plain object per case (PERFORMANCE ~96 B)",
    "add_model_bytes_per_case": "trap: Machine.add_model (PERFORMANCE ~9 KB)",
    "add_model_first_us": "trap: add_model, first cases",
    "add_model_late_us": "trap: add_model, once the machine holds N",
    "add_model_cost_ratio": "trap: late / first (PERFORMANCE 33x at 100k)",
    "open_first_us": "open_case, first cases",
    "open_late_us": "open_case, once the caller holds N",
    "open_cost_ratio": "≤ 1.2 (add_model gets 33x)",
    "plain_cost_ratio": "floor: the same for a plain object per case",
    "open_us": "one open_case",
    "engine_record_us": "one execute() of AddRecord",
    "engine_command_us": "one execute() of a move",
    "trigger_floor_us": "floor: bare guarded trigger, shared Machine (~11 µs)",
    "command_floor_ratio": "engine_command_us ÷ trigger_floor_us",
}

T = TypeVar("T")

_ACTOR: Final = Actor("w1")
_START: Final = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)
_OPEN: Final = OpenCase(client="client-1", residential=False)
_ADD_ENGAGEMENT: Final = AddRecord(
    record=parse_record(
        "engagement",
        {
            "first_contact_on": "2025-01-06",
            "request": "Help finding a school for my son.",
            "referral_source": "self",
        },
    )
)
_TO_INTAKE: Final = MoveCase(target=Stage.INTAKE)


def _at(index: int) -> dt.datetime:
    """Return a distinct recording time per case, as a real caller would have."""
    return _START + dt.timedelta(seconds=index)


def _open(index: int) -> Case:
    return open_case(
        _OPEN, case_id=f"case-{index:08d}", actor=_ACTOR, at=_at(index)
    ).case


def _open_and_step(index: int) -> Case:
    """Open a case, add its engagement record and move it to intake."""
    at = _at(index)
    case = open_case(_OPEN, case_id=f"case-{index:08d}", actor=_ACTOR, at=at).case
    case = execute(case, _ADD_ENGAGEMENT, actor=_ACTOR, at=at).case
    return execute(case, _TO_INTAKE, actor=_ACTOR, at=at).case


class _PlainCase:
    """The floor: a plain, unslotted object standing for one case."""

    def __init__(self, case_id: str, state: Stage) -> None:
        self.case_id = case_id
        self.state = state


# Deep sizes --------------------------------------------------------------------


def _is_shared_kind(value: object) -> bool:
    """Whether ``value`` is never owned by one case (types, code, codes)."""
    return (
        value is None
        or isinstance(value, type | ModuleType | FunctionType | Enum | bool)
        or (isinstance(value, int) and -5 <= value <= 256)
    )


def _reachable(roots: Iterable[object], skip: set[int]) -> dict[int, object]:
    """Return every object reachable from ``roots`` and not in ``skip``."""
    found: dict[int, object] = {}
    stack = list(roots)
    while stack:
        value = stack.pop()
        key = id(value)
        if key in found or key in skip or _is_shared_kind(value):
            continue
        found[key] = value
        stack.extend(gc.get_referents(value))
    return found


def _deep_bytes(roots: Iterable[object], shared: set[int]) -> int:
    """Return the bytes of the objects under ``roots`` that no one else shares."""
    return sum(sys.getsizeof(value) for value in _reachable(roots, shared).values())


# Memory ------------------------------------------------------------------------


def _traced_growth(build: Callable[[], T]) -> tuple[T, int]:
    """Return what ``build`` made and the traced bytes it left allocated."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        made = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return made, after - before


def _memory_figures(cases: int) -> Figures:
    progress(f"memory: opening and stepping {cases:,} cases under tracemalloc")
    warm = [_open_and_step(index) for index in range(1_000)]
    first = len(warm)

    def build() -> list[Case]:
        return [_open_and_step(index) for index in range(first, first + cases)]

    held, growth = _traced_growth(build)
    # What a new case shares with a warm-up case (enum members, the record,
    # the actor, empty tuples) is not per case.
    shared = set(_reachable([*warm, _ADD_ENGAGEMENT, _TO_INTAKE, _OPEN, _ACTOR], set()))
    caller_bytes = sys.getsizeof(held) + _deep_bytes(held, shared)
    case_bytes = _deep_bytes([held[-1]], shared)
    del held, warm
    plain_bytes = _plain_object_bytes(cases // 4)
    return {
        "memory_cases": cases,
        "bytes_per_case": round((growth - caller_bytes) / cases, 1),
        "retained_bytes_per_case": round(growth / cases, 1),
        "case_object_bytes": case_bytes,
        "plain_object_bytes": round(plain_bytes, 1),
    }


def _plain_object_bytes(count: int) -> float:
    """Return the traced bytes of one plain case object (ids made beforehand)."""
    ids = [f"case-{index:08d}" for index in range(count)]
    _, growth = _traced_growth(lambda: [_PlainCase(i, Stage.ENGAGEMENT) for i in ids])
    list_bytes = sys.getsizeof([None] * count)
    return (growth - list_bytes) / count


def _always(event: EventData) -> bool:
    return True


def _shared_machine() -> Machine:
    """Return a machine like the engine's: the process's states and moves, guarded."""
    machine = Machine(
        model=None,
        states=Stage,
        initial=Stage.ENGAGEMENT,
        auto_transitions=False,
        send_event=True,
    )
    for move in PROCESS.moves:
        machine.add_transition(
            move.trigger, move.source, move.dest, conditions=[_always]
        )
    return machine


def _add_model_figures(count: int) -> Figures:
    """Show the trap: ``Machine.add_model`` per case, memory and time."""
    progress(f"trap: Machine.add_model for {count:,} cases")
    batch = max(count // 20, 50)
    machine = _shared_machine()
    models = [
        _PlainCase(f"case-{index:08d}", Stage.ENGAGEMENT) for index in range(count)
    ]

    def add(chunk: list[_PlainCase]) -> Callable[[], int]:
        def run() -> int:
            for model in chunk:
                machine.add_model(model)
            return len(chunk)

        return run

    first_us = median_us(add(models[:batch]), repeats=1)
    for model in models[batch:-batch]:
        machine.add_model(model)
    late_us = median_us(add(models[-batch:]), repeats=1)
    del machine, models

    machine = _shared_machine()
    models = [
        _PlainCase(f"case-{index:08d}", Stage.ENGAGEMENT) for index in range(count)
    ]
    _, growth = _traced_growth(add(models))
    return {
        "add_model_cases": count,
        "add_model_bytes_per_case": round(growth / count, 1),
        "add_model_first_us": round(first_us, 2),
        "add_model_late_us": round(late_us, 2),
        "add_model_cost_ratio": round(late_us / first_us, 3),
    }


# Time --------------------------------------------------------------------------


def _first_and_late_us(
    make: Callable[[int], object], cases: int, batch: int, repeats: int
) -> tuple[float, float]:
    """Return µs per ``make`` for the first cases and once ``cases`` are held."""
    held: list[object] = []

    def make_batch() -> int:
        start = len(held)
        held.extend(make(index) for index in range(start, start + batch))
        return batch

    first_us = median_us(make_batch, repeats)
    held.extend(make(index) for index in range(len(held), cases))
    late_us = median_us(make_batch, repeats)
    return first_us, late_us


def _plain(index: int) -> _PlainCase:
    return _PlainCase(f"case-{index:08d}", Stage.ENGAGEMENT)


def _open_cost_figures(cases: int, batch: int, rounds: int) -> Figures:
    """Time batches of opens at the start and once ``cases`` are held.

    The whole sequence (start empty, time, fill to ``cases``, time, drop)
    runs ``rounds`` times, for the engine and for a plain object in turn, and
    each figure is the median over rounds: drift on a shared machine then
    has to hit the same phase every round to move a ratio.
    """
    progress(
        f"open cost: {rounds} rounds of 3 x {batch:,} opens at 0 and at {cases:,} held"
    )
    figures: dict[str, list[float]] = {
        "first": [],
        "late": [],
        "ratio": [],
        "floor": [],
    }
    for _ in range(rounds):
        first_us, late_us = _first_and_late_us(_open, cases, batch, repeats=3)
        gc.collect()
        plain_first_us, plain_late_us = _first_and_late_us(
            _plain, cases, batch, repeats=3
        )
        gc.collect()
        figures["first"].append(first_us)
        figures["late"].append(late_us)
        figures["ratio"].append(late_us / first_us)
        figures["floor"].append(plain_late_us / plain_first_us)
    return {
        "open_held_cases": cases,
        "open_first_us": round(statistics.median(figures["first"]), 2),
        "open_late_us": round(statistics.median(figures["late"]), 2),
        "open_cost_ratio": round(statistics.median(figures["ratio"]), 3),
        "plain_cost_ratio": round(statistics.median(figures["floor"]), 3),
    }


def _command_figures(operations: int, repeats: int) -> Figures:
    """Time one open, one record, one move, and the bare trigger floor."""
    progress(f"commands: {repeats} x {operations:,} of each")
    now = _at(10**7)
    engaged = execute(_open(0), _ADD_ENGAGEMENT, actor=_ACTOR, at=now).case
    fresh = _open(1)

    def opens() -> int:
        for _ in range(operations):
            open_case(_OPEN, case_id="case-1", actor=_ACTOR, at=now)
        return operations

    def records() -> int:
        for _ in range(operations):
            execute(fresh, _ADD_ENGAGEMENT, actor=_ACTOR, at=now)
        return operations

    def moves() -> int:
        for _ in range(operations):
            execute(engaged, _TO_INTAKE, actor=_ACTOR, at=now)
        return operations

    machine = _shared_machine()
    advance = machine.events["advance"]
    plain = _PlainCase("case-1", Stage.ENGAGEMENT)

    def triggers() -> int:
        for _ in range(operations):
            plain.state = Stage.ENGAGEMENT
            advance.trigger(plain)
        return operations

    advance.trigger(plain)
    assert plain.state is Stage.INTAKE
    us = interleaved_us(
        {"open": opens, "record": records, "move": moves, "trigger": triggers},
        repeats,
    )
    return {
        "open_us": round(us["open"], 2),
        "engine_record_us": round(us["record"], 2),
        "engine_command_us": round(us["move"], 2),
        "trigger_floor_us": round(us["trigger"], 2),
        "command_floor_ratio": round(us["move"] / us["trigger"], 3),
    }


def measure(quick: bool) -> Figures:
    """Measure the engine's memory and time per case against their floors."""
    cases = 20_000 if quick else 100_000
    return {
        **_memory_figures(cases),
        **_add_model_figures(1_000 if quick else 2_000),
        **_open_cost_figures(cases, batch=1_000, rounds=3 if quick else 5),
        **_command_figures(2_000 if quick else 5_000, repeats=7 if quick else 15),
    }
