"""Durable writes, bulk import, verification and PostgreSQL: engine vs raw driver.

Every floor does *the same writes* as the engine: the same schema (made by
the project's migrations), the same pragmas, the same rows, byte for byte:
update the case head, insert the event, insert its personal data. On
SQLite the floor starts from a copy of the engine's database, and the two
write in turns, a block of commands each, into databases side by side; on
PostgreSQL their runs alternate. Each ratio
is the median of the repeats, so a noisy neighbour hits both sides alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import Final

from _report import Figures
from floors import postgres_url

from helping_process import Actor
from helping_process import Stage
from helping_process import audit
from helping_process import parse_record
from helping_process import snapshot
from helping_process.audit import Sealed
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import EPOCH
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data

TARGETS: Final = {
    "durable_ratio": ">= 0.8 (one commit per command, WAL + FULL)",
    "bulk_ratio": ">= 0.5 (1000 commands per commit)",
    "verify_ratio": ">= 0.6 of fetch + SHA-256 of the stored bytes",
    "full_verify_ratio": ">= 0.25 of the same floor (chain + replay, one process)",
    "replay_fast_speedup": "reference replay CPU ÷ fast replay CPU, same cases",
    "cold_load_10k_ms": "<= 50 ms (a case of 10,000 events, from its snapshot)",
    "postgres_ratio": ">= 0.7 (8 writers on distinct cases, vs one statement each)",
}

POSTGRES_URL: Final = os.environ.get(
    "HELPING_PROCESS_TEST_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
)
_RECORDS: Final = (
    ("engagement", engagement_data, Stage.INTAKE),
    ("intake", intake_data, Stage.CONTRACT),
    ("contract", contract_data, Stage.ASSESSMENT),
    ("assessment", assessment_data, Stage.PLANNING),
    ("plan", plan_data, Stage.INTERVENTION),
)
_ACTOR: Final = Actor("worker-1")
#: The guarded head update, the event and its personal data in one statement.
_RAW_POSTGRES_APPEND: Final = """
WITH head AS (
    UPDATE cases SET stage = 'intervention', episode = 1, seq = %(seq)s,
        last_hash = %(hash)s, updated_at = now()
    WHERE case_id = %(case_id)s AND seq = %(expected)s AND last_hash = %(prev)s
    RETURNING case_id
), event AS (
    INSERT INTO events (case_id, seq, episode, action, from_stage, to_stage,
        occurred_at, recorded_at, actor_id, body, prev_hash, hash)
    SELECT case_id, %(seq)s, 1, 'record', 'intervention', 'intervention',
        now(), now(), 'worker-1', %(body)s, %(prev)s, %(hash)s
    FROM head
    RETURNING case_id, seq
)
INSERT INTO personal (case_id, seq, data) SELECT case_id, seq, %(personal)s FROM event
"""
_STAMP: Final = "2025-01-06 09:00:00.000000"
#: How many cases the write benchmarks spread their commands over.
_CASES: Final = 20


def _ticking() -> Callable[[], dt.datetime]:
    """A clock that ticks like the real one, from the day the sample records hold.

    Each command is stamped with an instant of its own, as in use (a fixed
    clock would let every command reuse the last one's text).
    """
    offset = EPOCH - dt.datetime.now(dt.UTC)
    return lambda: dt.datetime.now(dt.UTC) + offset


def _cases_in_intervention(service: CaseService, count: int) -> list[str]:
    """Open ``count`` cases and bring each to intervention (one batch)."""
    ids = []
    with service.batch() as batch:
        for index in range(count):
            case = batch.open(f"client {index}", actor=_ACTOR)
            for kind, data, target in _RECORDS:
                batch.add_record_json(case.case_id, kind, data(), actor=_ACTOR)
                batch.move(case.case_id, target, actor=_ACTOR)
            ids.append(case.case_id)
    return ids


class _EngineWriter:
    """The full engine adding activities to cases in intervention."""

    def __init__(self, path: Path, cases: int) -> None:
        self.path = path
        self.service = CaseService(
            SqlStore.from_url(f"sqlite:///{path}"), clock=_ticking()
        )
        self.ids = _cases_in_intervention(self.service, cases)
        self.activity = parse_record("activity", activity_data())
        self.done = 0

    def write(self, commands: int, per_commit: int) -> float:
        """Run ``commands`` commands, ``per_commit`` a commit; return the seconds."""
        ids, activity, service = self.ids, self.activity, self.service
        first = self.done
        started = time.perf_counter()
        if per_commit == 1:
            for index in range(first, first + commands):
                service.add_record(ids[index % len(ids)], activity, actor=_ACTOR)
        else:
            for start in range(first, first + commands, per_commit):
                with service.batch() as batch:
                    for index in range(
                        start, min(start + per_commit, first + commands)
                    ):
                        batch.add_record(ids[index % len(ids)], activity, actor=_ACTOR)
        self.done += commands
        return time.perf_counter() - started

    def close(self) -> None:
        self.service.store.dispose()  # type: ignore[attr-defined] # SqlStore


class _RawWriter:
    """The same writes with the sqlite3 module, on the same schema and pragmas.

    It writes into a copy of the engine's database as it stands before
    the timing (the same cases, rows and pages), to the same cases in the
    same order, so each commit touches as many pages as the engine's.
    """

    def __init__(self, path: Path, engine: _EngineWriter, sample: Sealed) -> None:
        import sqlite3  # noqa: PLC0415

        source, copy = sqlite3.connect(engine.path), sqlite3.connect(path)
        source.backup(copy)
        source.close()
        copy.close()
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self.connection.execute(f"PRAGMA {pragma}")
        heads = {
            case_id: (seq, last_hash)
            for case_id, seq, last_hash in self.connection.execute(
                "SELECT case_id, seq, last_hash FROM cases"
            )
        }
        self.ids = list(engine.ids)
        self.seqs = {case_id: heads[case_id][0] for case_id in self.ids}
        self.last = {case_id: heads[case_id][1] for case_id in self.ids}
        self.sample = sample
        self.done = 0

    def write(self, commands: int, per_commit: int) -> float:
        """Run ``commands`` commands, ``per_commit`` a commit; return the seconds."""
        connection, ids, seqs, last = self.connection, self.ids, self.seqs, self.last
        body, personal = self.sample.body, self.sample.personal
        first = self.done
        started = time.perf_counter()
        for start in range(first, first + commands, per_commit):
            connection.execute("BEGIN IMMEDIATE")
            for index in range(start, min(start + per_commit, first + commands)):
                case_id = ids[index % len(ids)]
                seqs[case_id] += 1
                seq = seqs[case_id]
                prev = last[case_id]
                digest = hashlib.sha256(prev.encode() + body).hexdigest()
                moved = connection.execute(
                    "UPDATE cases SET stage=?, episode=?, seq=?, last_hash=?,"
                    " updated_at=? WHERE case_id=? AND seq=?",
                    ("intervention", 1, seq, digest, _STAMP, case_id, seq - 1),
                ).rowcount
                assert moved == 1
                connection.execute(
                    "INSERT INTO events (case_id, seq, episode, action, from_stage,"
                    " to_stage, occurred_at, recorded_at, actor_id, body, prev_hash,"
                    " hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        case_id,
                        seq,
                        1,
                        "record",
                        "intervention",
                        "intervention",
                        _STAMP,
                        _STAMP,
                        "worker-1",
                        body,
                        prev,
                        digest,
                    ),
                )
                connection.execute(
                    "INSERT INTO personal (case_id, seq, data, redacted_at)"
                    " VALUES (?,?,?,?)",
                    (case_id, seq, personal, None),
                )
                last[case_id] = digest
            connection.execute("COMMIT")
        self.done += commands
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


def _sample(path: Path) -> Sealed:
    """One stored activity event, whose bytes the raw floor writes again."""
    service = CaseService(SqlStore.from_url(f"sqlite:///{path}"))
    with service.store.unit_of_work() as uow:
        case_id = next(iter(uow.heads()))
        sealed = uow.events(case_id)[-1]
    service.store.dispose()  # type: ignore[attr-defined] # SqlStore
    return sealed


def _interleaved(
    commands: int, per_commit: int, block: int, sample: Sealed, repeats: int
) -> tuple[float, float, float]:
    """Median engine rate, floor rate and ratio, the two writing in turns.

    Each repeat makes two fresh databases in one folder, and the engine
    and the floor write ``block`` commands in turn until each has written
    ``commands``: a disk or a neighbour slowing down for a moment slows
    both alike.
    """
    engine_rates, floor_rates, ratios = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            engine = _EngineWriter(Path(folder) / "engine.db", _CASES)
            floor = _RawWriter(Path(folder) / "floor.db", engine, sample)
            engine_s = floor_s = 0.0
            for _ in range(commands // block):
                engine_s += engine.write(block, per_commit)
                floor_s += floor.write(block, per_commit)
            engine.close()
            floor.close()
        engine_rates.append(commands / engine_s)
        floor_rates.append(commands / floor_s)
        ratios.append(floor_s / engine_s)
    return (
        statistics.median(engine_rates),
        statistics.median(floor_rates),
        statistics.median(ratios),
    )


def _writes(quick: bool, per_commit: int, prefix: str) -> Figures:
    if per_commit == 1:
        commands, block = (1000 if quick else 4000), 50
    else:
        commands, block = (10_000 if quick else 50_000), per_commit
    with tempfile.TemporaryDirectory() as folder:
        seed = _EngineWriter(Path(folder) / "seed.db", _CASES)
        seed.write(10, 1)
        seed.close()
        sample = _sample(Path(folder) / "seed.db")
    engine, floor, ratio = _interleaved(
        commands, per_commit, block, sample, repeats=5 if quick else 7
    )
    return {
        f"{prefix}_per_s": round(engine),
        f"{prefix}_floor_per_s": round(floor),
        f"{prefix}_ratio": round(ratio, 2),
    }


def _verify(quick: bool) -> Figures:
    """Chain verification events/s against fetching and hashing the same rows."""
    import sqlite3  # noqa: PLC0415

    cases, commands = (200, 30_000) if quick else (2000, 300_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "verify.db"
        writer = _EngineWriter(path, cases)
        writer.write(commands, 1000)
        writer.close()
        service = CaseService(SqlStore.from_url(f"sqlite:///{path}"))
        with service.store.unit_of_work() as uow:
            total = sum(head.seq for head in uow.heads().values())
        chain_rates, floor_rates, ratios = [], [], []
        full_rates: list[float] = []
        full_ratios: list[float] = []
        for _ in range(3):
            started = time.perf_counter()
            findings = service.verify(replay=False)
            chain = total / (time.perf_counter() - started)
            assert findings == [], findings
            connection = sqlite3.connect(path)
            started = time.perf_counter()
            for body, prev, stored in connection.execute(
                "SELECT body, prev_hash, hash FROM events ORDER BY case_id, seq"
            ):
                hashlib.sha256(prev.encode() + body).hexdigest() == stored  # noqa: B015 - the work measured
            floor = total / (time.perf_counter() - started)
            connection.close()
            chain_rates.append(chain)
            floor_rates.append(floor)
            ratios.append(chain / floor)
            # Full verification as `audit verify` runs it (one process), in
            # the same rounds as the floor it is compared with.
            started = time.perf_counter()
            seen = service.verification(replay=True)
            full = total / (time.perf_counter() - started)
            assert seen.ok, seen.findings
            full_rates.append(full)
            full_ratios.append(full / floor)
        speedup = _replay_speedup(service)
        service.store.dispose()  # type: ignore[attr-defined] # SqlStore
    return {
        "verify_events": total,
        "verify_per_s": round(statistics.median(chain_rates)),
        "verify_floor_per_s": round(statistics.median(floor_rates)),
        "verify_ratio": round(statistics.median(ratios), 2),
        "verify_replay_per_s": round(statistics.median(full_rates)),
        "full_verify_ratio": round(statistics.median(full_ratios), 2),
        "replay_fast_speedup": round(speedup, 2),
    }


def _replay_speedup(service: CaseService) -> float:
    """How much faster the fast replay checks a case than the reference path.

    The trails are read once into memory; each case is then verified
    (chain, replay, columns) both ways, in turns, and the CPU times of the
    two compared: the median of three rounds.
    """
    with service.store.reading() as uow:  # type: ignore[attr-defined] # SqlStore
        trails = list(uow.trails_with_columns())
    ratios = []
    for _ in range(3):
        spent = {True: 0.0, False: 0.0}
        for head, rows, columns in trails:
            for fast in (True, False):
                started = time.process_time()
                audit.verify_case(rows, head, columns, fast=fast)
                spent[fast] += time.process_time() - started
        ratios.append(spent[False] / spent[True])
    return statistics.median(ratios)


def _cold_load(quick: bool) -> Figures:
    """Loading a case of 10,000 events into a service that holds nothing.

    What every CLI command on a long case pays. The case is written in
    batches; a first cold load folds the whole trail (and stores a
    snapshot), then ``EVERY - 1`` more events are appended, so each timed
    load folds the most events a load after a snapshot ever folds.
    """
    events = 10_000
    every = snapshot.EVERY
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'long.db'}"
        store = SqlStore.from_url(url)
        writer = CaseService(store, clock=_ticking())
        case_id = _cases_in_intervention(writer, 1)[0]
        activity = parse_record("activity", activity_data())
        first = writer.get(case_id).seq
        for start in range(first, events - (every - 1), 1000):
            with writer.batch() as batch:
                for _ in range(min(1000, events - (every - 1) - start)):
                    batch.add_record(case_id, activity, actor=_ACTOR)
        started = time.perf_counter()
        CaseService(store).get(case_id)  # folds everything, stores a snapshot
        replay_ms = (time.perf_counter() - started) * 1000
        with writer.batch() as batch:
            for _ in range(every - 1):
                batch.add_record(case_id, activity, actor=_ACTOR)
        timings = []
        for _ in range(5 if quick else 9):
            started = time.perf_counter()
            loaded = CaseService(store).get(case_id)
            timings.append((time.perf_counter() - started) * 1000)
        assert loaded.seq == events, loaded.seq
        store.dispose()
    return {
        "cold_load_10k_ms": round(statistics.median(timings), 1),
        "cold_load_10k_replay_ms": round(replay_ms, 1),
    }


def _postgres(quick: bool) -> Figures:
    """8 writers on distinct cases: the engine against psycopg doing the same.

    Engine and floor runs alternate, each on cases of its own, and the
    ratio is the median of the repeats (a shared server is noisy).
    """
    try:
        import psycopg  # noqa: PLC0415
        from sqlalchemy import create_engine  # noqa: PLC0415
    except ImportError:
        return {"postgres_note": "psycopg is not installed"}
    writers, each, repeats = 8, (150 if quick else 600), (5 if quick else 7)
    schema = f"bench_{os.getpid()}"
    admin_url = postgres_url()  # libpq's form of the same URL
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
    except psycopg.Error as error:
        return {"postgres_note": f"no server: {str(error).splitlines()[0]}"}
    try:
        engine = create_engine(
            POSTGRES_URL,
            connect_args={"options": f"-csearch_path={schema}"},
            pool_size=writers,
        )
        store = SqlStore(engine)
        clock = _ticking()  # one for all writers: a case's events never go back
        service = CaseService(store, clock=clock)
        activity = parse_record("activity", activity_data())
        sample_case = _cases_in_intervention(service, 1)[0]
        service.add_record(sample_case, activity, actor=_ACTOR)
        with store.unit_of_work() as uow:
            sample = uow.events(sample_case)[-1]

        def engine_run() -> float:
            ids = _cases_in_intervention(service, writers)

            def writer(case_id: str) -> None:
                mine = CaseService(store, clock=clock)
                for _ in range(each):
                    mine.add_record(case_id, activity, actor=_ACTOR)

            return _threads(writer, ids, writers * each)

        def raw_run() -> float:
            connections = {
                str(uuid.uuid4()): psycopg.connect(
                    admin_url, options=f"-csearch_path={schema}", autocommit=True
                )
                for _ in range(writers)
            }
            for case_id, connection in connections.items():
                connection.execute(
                    "INSERT INTO cases (case_id, client, residential, stage,"
                    " episode, seq, last_hash, opened_at, updated_at)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,now(),now())",
                    (case_id, "client", False, "intervention", 1, 0, "0" * 64),
                )
            try:
                return _threads(
                    lambda case_id: _raw_postgres_writer(
                        connections[case_id], case_id, each, sample
                    ),
                    list(connections),
                    writers * each,
                )
            finally:
                for connection in connections.values():
                    connection.close()

        engine_run()  # the pool opens its connections outside the timing
        engine_rates, floor_rates, ratios = [], [], []
        for _ in range(repeats):
            engine_rates.append(engine_run())
            floor_rates.append(raw_run())
            ratios.append(engine_rates[-1] / floor_rates[-1])
        store.dispose()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
    return {
        "postgres_per_s": round(statistics.median(engine_rates)),
        "postgres_floor_per_s": round(statistics.median(floor_rates)),
        "postgres_ratio": round(statistics.median(ratios), 2),
    }


def _raw_postgres_writer(
    connection: Any, case_id: str, each: int, sample: Sealed
) -> None:
    """The best raw way to the same rows: one statement each, autocommit."""
    prev = "0" * 64
    for seq in range(1, each + 1):
        digest = hashlib.sha256(prev.encode() + sample.body).hexdigest()
        moved = connection.execute(
            _RAW_POSTGRES_APPEND,
            {
                "case_id": case_id,
                "seq": seq,
                "expected": seq - 1,
                "prev": prev,
                "hash": digest,
                "body": sample.body,
                "personal": sample.personal,
            },
        ).rowcount
        assert moved == 1
        prev = digest


def _threads(work: Callable[[str], Any], ids: list[str], total: int) -> float:
    """Run ``work(case_id)`` on a thread per case; return total commands/s."""
    threads = [threading.Thread(target=work, args=(case_id,)) for case_id in ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started)


def measure(quick: bool) -> Figures:
    """Durable, bulk, verification and PostgreSQL figures with their floors."""
    figures: Figures = {}
    figures.update(_writes(quick, 1, "durable"))
    figures.update(_writes(quick, 1000, "bulk"))
    figures.update(_verify(quick))
    figures.update(_cold_load(quick))
    figures.update(_postgres(quick))
    return figures
