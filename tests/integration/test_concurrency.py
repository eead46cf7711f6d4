"""Concurrent writers: real threads and spawned processes on one database.

Whatever the interleaving, every accepted command's event is stored exactly
once, at the seq its caller was told, seqs stay gap-free, every chain
verifies, and two writers deciding on the same version never both win.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from multiprocessing.pool import Pool
from typing import Any
from typing import TypeVar

import pytest
from sqlalchemy.engine import make_url

from helping_process.service import CaseService
from helping_process.testing import FixedClock
from tests.integration import _workers
from tests.integration._support import ROOT
from tests.integration._support import WORKER
from tests.integration._support import request_of
from tests.integration._workers import Accepted

T = TypeVar("T")

WRITERS = 8
#: Far enough ahead for every writer to be ready when it comes.
LEAD_TIME = 0.3


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    """Eight spawned worker processes, shared by the module's tests."""
    context = multiprocessing.get_context("spawn")
    with pytest.MonkeyPatch.context() as patch:
        # The workers import the writers from tests/, as this process does.
        patch.syspath_prepend(str(ROOT))
        workers = context.Pool(WRITERS, initializer=_workers.warm_up)
    try:
        yield workers
    finally:
        workers.close()
        workers.join()


def _in_threads(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run each call in a thread of its own, all released at once."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as executor:
        return list(executor.map(released, calls))


def _in_processes(
    pool: Pool, function: Callable[..., T], args: Sequence[tuple[Any, ...]]
) -> list[T]:
    """Run ``function`` once per argument tuple in the pool, all from one moment."""
    start_at = time.time() + LEAD_TIME
    return pool.starmap(function, [(*each, start_at) for each in args])


def _quick_deadlocks(url: str) -> str:
    """``url``, with PostgreSQL looking for deadlocks after 20 ms, not a second.

    Batches that lock shared cases in different orders deadlock on
    PostgreSQL; the server breaks each deadlock once it has waited
    ``deadlock_timeout``, and the loser retries.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    options = f"{parsed.query.get('options', '')} -cdeadlock_timeout=20ms".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(
        hide_password=False
    )


def _open_cases(service: CaseService, count: int) -> list[str]:
    return [service.open(f"KLIEN-{n:03}", actor=WORKER).case_id for n in range(count)]


def _assert_every_call_stored_once(
    service: CaseService, case_ids: list[str], accepted: list[Accepted]
) -> None:
    """Each trail is gap-free and holds each accepted call once, at its told seq."""
    for case_id in case_ids:
        history = service.history(case_id)
        stored = sorted(
            (request_of(event), event.seq)
            for event in history
            if event.record is not None
        )
        told = sorted(
            (request, seq) for case, request, seq in accepted if case == case_id
        )

        assert [event.seq for event in history] == list(range(1, len(history) + 1))
        assert stored == told
        assert len(history) == 1 + len(told)
        assert service.get(case_id).seq == len(history)


def _assert_each_writer_in_order(accepted: list[Accepted]) -> None:
    """A writer's calls on one case are stored in the order it made them."""
    by_writer: dict[tuple[str, str], list[int]] = {}
    for case_id, request, seq in accepted:
        by_writer.setdefault((case_id, request.split("-")[0]), []).append(seq)
    assert all(seqs == sorted(seqs) for seqs in by_writer.values())


def _assert_walked(
    service: CaseService, walked: list[tuple[str, int]], steps: int
) -> None:
    assert sorted(seq for _, seq in walked) == [1 + steps] * len(walked)
    assert all(service.get(case_id).seq == seq for case_id, seq in walked)


class TestThreads:
    def test_writers_on_one_case_lose_nothing(self, store_url, open_store, clock):
        """Eight threads adding records to one case: each call stored once, in place."""
        store = open_store(store_url)
        service = CaseService(store, clock=clock)
        (case_id,) = _open_cases(service, 1)

        results = _in_threads(
            [
                partial(
                    _workers.write_records,
                    CaseService(store, clock=FixedClock()),
                    writer,
                    [case_id],
                    10,
                )
                for writer in range(WRITERS)
            ]
        )

        accepted = [call for result in results for call in result]
        assert len(accepted) == WRITERS * 10
        _assert_every_call_stored_once(service, [case_id], accepted)
        _assert_each_writer_in_order(accepted)
        assert service.verify() == []

    def test_writers_on_many_cases_lose_nothing(self, store_url, open_store, clock):
        """Threads spread over shared cases while opening their own: nothing lost."""
        store = open_store(store_url)
        service = CaseService(store, clock=clock)
        case_ids = _open_cases(service, 5)

        def work(writer: int) -> tuple[list[Accepted], list[tuple[str, int]]]:
            own = CaseService(store, clock=FixedClock())
            accepted = _workers.write_records(own, writer, case_ids, 10)
            return accepted, _workers.open_and_walk(own, writer, 2, 6)

        results = _in_threads([partial(work, writer) for writer in range(WRITERS)])

        accepted = [call for result, _ in results for call in result]
        walked = [case for _, result in results for case in result]
        _assert_every_call_stored_once(service, case_ids, accepted)
        _assert_each_writer_in_order(accepted)
        _assert_walked(service, walked, 6)
        assert len(service.cases()) == 5 + WRITERS * 2
        assert service.verify() == []

    def test_one_service_shared_by_threads_loses_nothing(self, service):
        """A single service embedded in a threaded server is safe to share."""
        case_ids = _open_cases(service, 3)

        results = _in_threads(
            [
                partial(_workers.write_records, service, writer, case_ids, 12)
                for writer in range(WRITERS)
            ]
        )

        accepted = [call for result in results for call in result]
        assert len(accepted) == WRITERS * 12
        _assert_every_call_stored_once(service, case_ids, accepted)
        assert service.verify() == []

    def test_batches_on_shared_cases_lose_nothing(self, store_url, open_store, clock):
        """Eight threads' batches over shared cases, in different orders: all stored."""
        store = open_store(_quick_deadlocks(store_url))
        service = CaseService(store, clock=clock)
        case_ids = _open_cases(service, 4)

        results = _in_threads(
            [
                partial(
                    _workers.write_batches,
                    CaseService(store, clock=FixedClock()),
                    writer,
                    case_ids,
                    3,
                    6,
                )
                for writer in range(WRITERS)
            ]
        )

        accepted = [call for result in results for call in result]
        assert len(accepted) == WRITERS * 3 * 6
        _assert_every_call_stored_once(service, case_ids, accepted)
        assert service.verify() == []

    def test_two_writers_on_the_same_version_never_both_win(
        self, store_url, open_store, clock
    ):
        """Of the threads deciding on one version, exactly one is stored each round."""
        store = open_store(store_url)
        service = CaseService(store, clock=clock)
        (case_id,) = _open_cases(service, 1)
        racers = [CaseService(store, clock=FixedClock()) for _ in range(WRITERS)]
        winners = []

        for round_ in range(8):
            outcomes = _in_threads(
                [
                    partial(
                        _workers.race,
                        racer,
                        case_id,
                        1 + round_,
                        f"round {round_} racer {n}",
                    )
                    for n, racer in enumerate(racers)
                ]
            )
            assert outcomes.count(True) == 1
            winners.append(f"round {round_} racer {outcomes.index(True)}")

        stored = [request_of(e) for e in service.history(case_id) if e.record]
        assert stored == winners
        assert service.verify() == []


class TestProcesses:
    def test_writers_on_one_case_lose_nothing(self, store_url, service, pool):
        """Eight processes adding records to one case: each call stored once."""
        (case_id,) = _open_cases(service, 1)

        results = _in_processes(
            pool,
            _workers.write_records_at,
            [(store_url, writer, [case_id], 6) for writer in range(WRITERS)],
        )

        accepted = [call for result in results for call in result]
        assert len(accepted) == WRITERS * 6
        _assert_every_call_stored_once(service, [case_id], accepted)
        _assert_each_writer_in_order(accepted)
        assert service.verify() == []

    def test_writers_on_many_cases_lose_nothing(self, store_url, service, pool):
        """Processes on shared cases while others open their own: nothing lost."""
        case_ids = _open_cases(service, 4)

        start_at = time.time() + LEAD_TIME
        recording = pool.starmap_async(
            _workers.write_records_at,
            [
                (store_url, writer, case_ids, 8, start_at)
                for writer in range(WRITERS // 2)
            ],
        )
        walking = pool.starmap_async(
            _workers.open_and_walk_at,
            [(store_url, writer, 2, 6, start_at) for writer in range(WRITERS // 2)],
        )
        accepted = [call for result in recording.get(60) for call in result]
        walked = [case for result in walking.get(60) for case in result]

        _assert_every_call_stored_once(service, case_ids, accepted)
        _assert_each_writer_in_order(accepted)
        _assert_walked(service, walked, 6)
        assert len(service.cases()) == 4 + (WRITERS // 2) * 2
        assert service.verify() == []

    def test_batches_on_shared_cases_lose_nothing(self, store_url, service, pool):
        """Eight processes' batches over shared cases, in different orders."""
        case_ids = _open_cases(service, 4)
        url = _quick_deadlocks(store_url)

        results = _in_processes(
            pool,
            _workers.write_batches_at,
            [(url, writer, case_ids, (3, 6)) for writer in range(WRITERS)],
        )

        accepted = [call for result in results for call in result]
        assert len(accepted) == WRITERS * 3 * 6
        _assert_every_call_stored_once(service, case_ids, accepted)
        assert service.verify() == []

    def test_two_writers_on_the_same_version_never_both_win(
        self, store_url, service, pool
    ):
        """Of the processes deciding on one version, exactly one wins each round."""
        (case_id,) = _open_cases(service, 1)
        winners = []

        for round_ in range(4):
            outcomes = _in_processes(
                pool,
                _workers.race_at,
                [
                    (store_url, case_id, 1 + round_, f"round {round_} racer {n}")
                    for n in range(WRITERS)
                ],
            )
            assert outcomes.count(True) == 1
            winners.append(f"round {round_} racer {outcomes.index(True)}")

        stored = [request_of(e) for e in service.history(case_id) if e.record]
        assert stored == winners
        assert service.verify() == []
