"""Verification in several processes finds what one process finds, in order."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from typing import Final

import pytest
from sqlalchemy import Engine
from sqlalchemy import text

from helping_process import Stage
from helping_process import service as service_module
from helping_process.audit import FindingKind
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data
from tests.integration._support import WORKER
from tests.integration._support import plain_connection

#: The SQLite triggers of migration 0002 that guard the trail.
_SQLITE_TRIGGERS: Final = (
    "events_no_update",
    "events_no_delete",
    "personal_redact_only",
    "personal_no_delete",
    "cases_forward_only",
    "cases_no_delete",
)
CASES: Final = 12
_TO_INTERVENTION: Final = (
    ("engagement", engagement_data, Stage.INTAKE),
    ("intake", intake_data, Stage.CONTRACT),
    ("contract", contract_data, Stage.ASSESSMENT),
    ("assessment", assessment_data, Stage.PLANNING),
    ("plan", plan_data, Stage.INTERVENTION),
)


def _fill(service: CaseService) -> list[str]:
    """Twelve cases in intervention, each a few activities longer than the last."""
    ids = []
    for index in range(CASES):
        case_id = service.open(f"client {index}", actor=WORKER).case_id
        for kind, data, target in _TO_INTERVENTION:
            service.add_record_json(case_id, kind, data(), actor=WORKER)
            service.move(case_id, target, actor=WORKER)
        for _ in range(index):
            service.add_record_json(case_id, "activity", activity_data(), actor=WORKER)
        ids.append(case_id)
    return sorted(ids)


def _tamper(url: str, ids: list[str]) -> None:
    """As an attacker with write access: edit, delete and cut in three cases.

    And personal data that no event owns, in a fourth: only the counts of
    every range together show it is there.
    """
    with plain_connection(url) as connection:
        if connection.dialect.name == "sqlite":
            for trigger in _SQLITE_TRIGGERS:
                connection.execute(text(f"DROP TRIGGER {trigger}"))
        else:
            for table in ("events", "cases"):
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            # ALL: the foreign key's own triggers too.
            connection.execute(text("ALTER TABLE personal DISABLE TRIGGER ALL"))
        connection.execute(
            text(
                "INSERT INTO personal (case_id, seq, data) VALUES (:case, 99, :data)"
            ).bindparams(case=ids[4], data=b'{"client":"X"}')
        )
        connection.execute(
            text(
                "UPDATE events SET body = :body WHERE case_id = :case AND seq = 4"
            ).bindparams(body=b'{"edited":true}', case=ids[2])
        )
        for case_id, seq in ((ids[7], 5), (ids[11], 3)):
            for table in ("personal", "events"):
                connection.execute(
                    text(
                        f"DELETE FROM {table} WHERE case_id = :case AND seq = :seq"
                    ).bindparams(case=case_id, seq=seq)
                )
        connection.commit()


class TestParallelVerification:
    """``verification(jobs=N)`` splits the cases between processes."""

    def test_jobs_find_what_one_process_finds(
        self, store_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A tampered trail gives the same findings, in case order, with 1 or 3 jobs."""
        ids = _fill(CaseService(open_store(store_url), clock=FixedClock()))
        _tamper(store_url, ids)
        service = CaseService(open_store(store_url), clock=FixedClock())

        alone = service.verification(jobs=1)
        parallel = service.verification(jobs=3)

        assert parallel == alone
        assert {finding.case_id for finding in alone.faults} == {
            ids[2],
            ids[4],
            ids[7],
            ids[11],
        }
        assert alone.cases == CASES

    def test_progress_counts_every_event(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """With jobs, progress is told each range's events, adding up to all."""
        _fill(CaseService(open_store(sqlite_url), clock=FixedClock()))
        service = CaseService(open_store(sqlite_url), clock=FixedClock())
        told: list[int] = []

        seen = service.verification(jobs=2, progress=told.append)

        assert seen.ok
        assert sum(told) == seen.events
        assert len(told) > 1

    def test_workers_check_the_ranges_this_process_does_not_reach(
        self,
        store_url: str,
        open_store: Callable[..., SqlStore],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """This process checks ranges from the last; a ready worker, from the first.

        Here this process is held back (its progress callback waits), so the
        worker, once started, checks the rest: the findings are the same.
        """
        ids = _fill(CaseService(open_store(store_url), clock=FixedClock()))
        _tamper(store_url, ids)
        service = CaseService(open_store(store_url), clock=FixedClock())
        alone = service.verification(jobs=1)
        here: list[object] = []
        check_range = service_module._check_range

        def checked_here(*args: Any) -> Any:
            here.append(args[2])
            return check_range(*args)

        monkeypatch.setattr(service_module, "_check_range", checked_here)

        parallel = service.verification(jobs=2, progress=lambda _: time.sleep(0.5))

        assert parallel == alone
        assert 0 < len(here) < CASES

    def test_a_store_on_a_callers_connection_verifies_in_process(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A store bound to a caller's transaction cannot be shared: one process."""
        ids = _fill(CaseService(open_store(sqlite_url), clock=FixedClock()))
        engine = open_store(sqlite_url).bind
        assert isinstance(engine, Engine)

        with engine.connect() as connection:
            store = SqlStore(connection, upgrade=False)
            seen = CaseService(store).verification(jobs=4)

        assert store.opener() is None
        assert seen.ok
        assert seen.cases == len(ids)


class TestChainOnly:
    """Chain-only verification splits the same way."""

    def test_chain_only_jobs_find_the_edit(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """An edited body is found by the chain alone, in one process or two."""
        ids = _fill(CaseService(open_store(sqlite_url), clock=FixedClock()))
        _tamper(sqlite_url, ids)
        service = CaseService(open_store(sqlite_url), clock=FixedClock())

        alone = service.verification(replay=False, jobs=1)
        parallel = service.verification(replay=False, jobs=2)

        assert parallel == alone
        assert (ids[2], 4, FindingKind.EDITED) in {
            (finding.case_id, finding.seq, finding.kind) for finding in alone.findings
        }


class TestStoresOfOneProcess:
    """A store no other process can open is verified in this one."""

    def test_an_in_memory_database_verifies_in_process(
        self, open_store: Callable[..., SqlStore]
    ) -> None:
        """SQLite in memory is this process's alone: its cases are verified here."""
        store = open_store("sqlite://")
        ids = _fill(CaseService(store, clock=FixedClock()))

        seen = CaseService(store).verification(jobs=2)

        assert store.opener() is None
        assert (seen.ok, seen.cases) == (True, len(ids))


class TestReading:
    """A reading unit of work never holds up a writer."""

    def test_a_writer_appends_while_a_reader_reads(
        self, store_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """While one store reads in ``reading()``, another appends and commits."""
        ids = _fill(CaseService(open_store(store_url), clock=FixedClock()))
        reader, writer = open_store(store_url), open_store(store_url)

        with reader.reading() as uow:
            before = uow.heads()[ids[0]].seq
            written = CaseService(writer, clock=FixedClock()).add_record_json(
                ids[0], "activity", activity_data(), actor=WORKER
            )

        with reader.reading() as uow:
            after = uow.heads()[ids[0]].seq
        assert written.seq == after == before + 1
