"""Writers for the concurrency tests, run in threads and in spawned processes.

Each ``*_at`` function is a process entry point: it opens its own store on
the URL, waits for the common start time so the writers really overlap, and
disposes of the store before returning plain, picklable results. The
functions without the suffix do the same work on a service they are given,
for threads sharing one process.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Final

from helping_process import Actor
from helping_process import ConcurrentUpdateError
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.service import retry_on_conflict
from helping_process.testing import FixedClock
from tests.integration._support import engagement
from tests.integration._support import scripted_command

#: How often a writer that should eventually succeed tries before giving up.
ATTEMPTS: Final = 500

#: An accepted call: the case, the request text it stored, the seq it got.
Accepted = tuple[str, str, int]


def wait_until(start_at: float) -> None:
    """Sleep until the wall clock reaches ``start_at`` (a ``time.time()`` value)."""
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)


def warm_up() -> None:
    """Run in each new process: importing this module is the work it does."""


def write_records(
    service: CaseService, writer: int, case_ids: list[str], calls: int
) -> list[Accepted]:
    """Add ``calls`` engagement records, round robin over ``case_ids``.

    Every call retries on conflict until it is stored, and its request text
    is unique (``w<writer>-c<call>``), so the trail shows where each went.
    """
    actor = Actor(f"writer-{writer}")
    accepted = []
    for call in range(calls):
        case_id = case_ids[(writer + call) % len(case_ids)]
        request = f"w{writer}-c{call}"
        command = engagement(request)
        call_once = partial(service.execute, case_id, command, actor=actor)
        case = retry_on_conflict(call_once, attempts=ATTEMPTS)
        accepted.append((case_id, request, case.seq))
    return accepted


def write_batches(
    service: CaseService, writer: int, case_ids: list[str], batches: int, size: int
) -> list[Accepted]:
    """Add records in ``batches`` batches of ``size``, over ``case_ids``.

    Each writer walks the cases in an order of its own, so batches lock
    them in different orders; a batch that loses a race (a conflict or,
    on PostgreSQL, a deadlock) is run again whole. Only the calls of the
    batches that committed are returned.
    """
    actor = Actor(f"writer-{writer}")
    order = case_ids[writer % len(case_ids) :] + case_ids[: writer % len(case_ids)]
    if writer % 2:
        order.reverse()
    accepted: list[Accepted] = []
    for number in range(batches):

        def run(number: int = number) -> list[Accepted]:
            calls = []
            with service.batch() as batch:
                for call in range(size):
                    case_id = order[call % len(order)]
                    request = f"w{writer}-b{number}-c{call}"
                    case = batch.execute(case_id, engagement(request), actor=actor)
                    calls.append((case_id, request, case.seq))
            return calls

        accepted += retry_on_conflict(run, attempts=ATTEMPTS)
    return accepted


def open_and_walk(
    service: CaseService, writer: int, cases: int, steps: int
) -> list[tuple[str, int]]:
    """Open ``cases`` new cases and run the script ``steps`` commands into each."""
    actor = Actor(f"writer-{writer}")
    walked = []
    for number in range(cases):
        case = service.open(f"client of writer {writer} #{number}", actor=actor)
        for _ in range(steps):
            case = service.execute(
                case.case_id, scripted_command(case.seq), actor=actor
            )
        walked.append((case.case_id, case.seq))
    return walked


def race(service: CaseService, case_id: str, expected_seq: int, request: str) -> bool:
    """Add a record decided on version ``expected_seq``; return whether it won."""
    try:
        service.execute(
            case_id,
            engagement(request),
            actor=Actor("racer"),
            expected_seq=expected_seq,
        )
    except ConcurrentUpdateError:
        return False
    return True


@contextmanager
def _service(url: str) -> Iterator[CaseService]:
    store = SqlStore.from_url(url)
    try:
        yield CaseService(store, clock=FixedClock())
    finally:
        store.dispose()


def write_records_at(
    url: str, writer: int, case_ids: list[str], calls: int, start_at: float
) -> list[Accepted]:
    """:func:`write_records` in a process of its own, from ``start_at``."""
    with _service(url) as service:
        wait_until(start_at)
        return write_records(service, writer, case_ids, calls)


def write_batches_at(
    url: str, writer: int, case_ids: list[str], shape: tuple[int, int], start_at: float
) -> list[Accepted]:
    """:func:`write_batches` (``shape``: batches, size) in a process of its own."""
    with _service(url) as service:
        wait_until(start_at)
        return write_batches(service, writer, case_ids, *shape)


def open_and_walk_at(
    url: str, writer: int, cases: int, steps: int, start_at: float
) -> list[tuple[str, int]]:
    """:func:`open_and_walk` in a process of its own, from ``start_at``."""
    with _service(url) as service:
        wait_until(start_at)
        return open_and_walk(service, writer, cases, steps)


def race_at(
    url: str, case_id: str, expected_seq: int, request: str, start_at: float
) -> bool:
    """:func:`race` in a process of its own, from ``start_at``."""
    with _service(url) as service:
        wait_until(start_at)
        return race(service, case_id, expected_seq, request)
