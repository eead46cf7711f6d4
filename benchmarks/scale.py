"""Verification at scale: a million events, their speed and the memory it takes.

An auditor verifies the whole trail at once, so the figure that matters is
events/s on a large database against the floor of the same run: reading the
same rows in the same order and SHA-256 hashing each (what any verifier must
do at least). Memory must not grow with the trail: the peak while verifying
the large database is compared with the peak on one ten times smaller.

The databases are written through the engine (``CaseService.batch``), 50
events per case, as real trails: open, the records of every stage up to
intervention, then activities.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Final

from _report import Figures
from _report import progress

from helping_process import Actor
from helping_process import Stage
from helping_process import parse_record
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data

TARGETS: Final = {
    "scale_verify_ratio": ">= 0.6 of fetch + SHA-256 on the large database",
    "scale_verify_replay_per_s": "with every event decided again (audit verify)",
    "scale_full_verify_ratio": ">= 0.25: replay too, one process, vs the floor",
    "scale_verify_jobs_ratio": "the same with --jobs = every core",
    "scale_jobs2_speedup": "--jobs 2 ÷ --jobs 1 (cores permitting)",
    "scale_jobs4_speedup": "--jobs 4 ÷ --jobs 1 (cores permitting)",
    "scale_peak_ratio": "~1: peak memory flat as the trail grows 10x",
}

EVENTS_PER_CASE: Final = 50
#: Events in the (small, large) databases: (quick, full).
_SIZES: Final = {"small": (10_000, 100_000), "large": (100_000, 1_000_000)}
_ACTOR: Final = Actor("worker-1")
_STEPS: Final = (
    ("engagement", engagement_data, Stage.INTAKE),
    ("intake", intake_data, Stage.CONTRACT),
    ("contract", contract_data, Stage.ASSESSMENT),
    ("assessment", assessment_data, Stage.PLANNING),
    ("plan", plan_data, Stage.INTERVENTION),
)
_BATCH: Final = 20
#: The processes of the parallel verification: every core.
_JOBS: Final = os.cpu_count() or 1
#: The job counts whose full verification is measured one after another.
_JOB_COUNTS: Final = (1, 2, 4)


def _build(path: Path, events: int) -> int:
    """Write ``events`` events through the engine, 50 a case; return the count."""
    service = CaseService(SqlStore.from_url(f"sqlite:///{path}"), clock=FixedClock())
    activity = parse_record("activity", activity_data())
    written = 0
    cases = events // EVENTS_PER_CASE
    for start in range(0, cases, _BATCH):
        with service.batch() as batch:
            for index in range(start, min(start + _BATCH, cases)):
                case_id = batch.open(f"client {index}", actor=_ACTOR).case_id
                for kind, data, target in _STEPS:
                    batch.add_record_json(case_id, kind, data(), actor=_ACTOR)
                    batch.move(case_id, target, actor=_ACTOR)
                for _ in range(EVENTS_PER_CASE - 1 - 2 * len(_STEPS)):
                    batch.add_record(case_id, activity, actor=_ACTOR)
                written += EVENTS_PER_CASE
    service.store.dispose()  # type: ignore[attr-defined] # SqlStore
    return written


def _floor_per_s(path: Path) -> float:
    """Fetch every stored event in trail order and SHA-256 it, with sqlite3."""
    connection = sqlite3.connect(path)
    sha256 = hashlib.sha256
    count = 0
    started = time.perf_counter()
    for body, prev_hash, stored in connection.execute(
        "SELECT body, prev_hash, hash FROM events ORDER BY case_id, seq"
    ):
        sha256(prev_hash.encode() + body).hexdigest() == stored  # noqa: B015 - the work measured
        count += 1
    rate = count / (time.perf_counter() - started)
    connection.close()
    return rate


def _verify_per_s(path: Path, events: int, *, replay: bool, jobs: int = 1) -> float:
    service = CaseService(SqlStore.from_url(f"sqlite:///{path}"))
    started = time.perf_counter()
    findings = list(service.verification(replay=replay, jobs=jobs).findings)
    rate = events / (time.perf_counter() - started)
    service.store.dispose()  # type: ignore[attr-defined] # SqlStore
    assert findings == [], findings[:3]
    return rate


def _peak_bytes(path: Path) -> int:
    """The peak of Python allocations while verifying the chains of ``path``."""
    service = CaseService(SqlStore.from_url(f"sqlite:///{path}"))
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    service.verify(replay=False)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    service.store.dispose()  # type: ignore[attr-defined] # SqlStore
    return peak


def measure(quick: bool) -> Figures:
    """Verification speed and peak memory on a small and a large database."""
    small_n, large_n = (sizes[0 if quick else 1] for sizes in _SIZES.values())
    with tempfile.TemporaryDirectory(prefix="hp-scale-") as folder:
        small, large = Path(folder) / "small.db", Path(folder) / "large.db"
        progress(f"writing {small_n:,} and {large_n:,} events through the engine")
        started = time.perf_counter()
        _build(small, small_n)
        events = _build(large, large_n)
        build_s = time.perf_counter() - started
        progress("verifying, against fetch + SHA-256, in turn")
        rates, floors, ratios = [], [], []
        for _ in range(3):
            rate = _verify_per_s(large, events, replay=False)
            floor = _floor_per_s(large)
            rates.append(rate)
            floors.append(floor)
            ratios.append(rate / floor)
        progress(f"verifying with replay, with --jobs {_JOB_COUNTS} and {_JOBS}")
        replay = _verify_per_s(large, events, replay=True)
        floor = _floor_per_s(large)
        by_jobs = {1: replay}
        for jobs in {*_JOB_COUNTS[1:], _JOBS} - {1}:
            by_jobs[jobs] = _verify_per_s(large, events, replay=True, jobs=jobs)
        parallel = by_jobs[_JOBS]
        floor = (floor + _floor_per_s(large)) / 2
        progress("peak memory, small and large")
        small_peak, large_peak = _peak_bytes(small), _peak_bytes(large)
    return {
        "scale_events": events,
        "scale_build_per_s": round((small_n + large_n) / build_s),
        "scale_verify_per_s": round(statistics.median(rates)),
        "scale_verify_floor_per_s": round(statistics.median(floors)),
        "scale_verify_ratio": round(statistics.median(ratios), 2),
        "scale_verify_replay_per_s": round(replay),
        "scale_full_verify_ratio": round(replay / floor, 2),
        "scale_verify_jobs": _JOBS,
        "scale_verify_jobs_per_s": round(parallel),
        "scale_verify_jobs_ratio": round(parallel / floor, 2),
        "scale_cores": os.cpu_count() or 1,
        **{
            f"scale_verify_jobs{jobs}_per_s": round(by_jobs[jobs])
            for jobs in _JOB_COUNTS
        },
        **{
            f"scale_jobs{jobs}_speedup": round(by_jobs[jobs] / replay, 2)
            for jobs in _JOB_COUNTS[1:]
        },
        "scale_small_peak_bytes": small_peak,
        "scale_large_peak_bytes": large_peak,
        "scale_peak_ratio": round(large_peak / small_peak, 2),
    }
