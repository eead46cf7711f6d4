"""Crash safety: a writer killed with SIGKILL at random moments leaves a sound trail.

A child process streams scripted commands into one SQLite file and is
killed again and again, sometimes while it opens (and first migrates) the
database, mostly while it writes. Every command it reported as accepted
must survive, every head must match its last event, and the chains verify.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

import attrs
import pytest

from helping_process import Action
from helping_process import AddRecord
from helping_process import MoveCase
from helping_process import ReopenCase
from helping_process import TerminateCase
from helping_process.service import CaseService
from tests.integration._support import ROOT
from tests.integration._support import SCRIPT_END
from tests.integration._support import WORKER
from tests.integration._support import last_events
from tests.integration._support import scripted_command
from tests.integration._support import stored_heads

KILLS = 20
#: Writers started ahead, importing while the current one writes.
AHEAD = 2
ACTIONS = {
    AddRecord: Action.RECORD,
    MoveCase: Action.MOVE,
    TerminateCase: Action.TERMINATE,
    ReopenCase: Action.REOPEN,
}


def _start(path: Path, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration._crash_writer", str(path), str(seed)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(child: subprocess.Popen[str]) -> tuple[str, str]:
    child.kill()
    return child.communicate()


def _run_and_kill(path: Path, rng: random.Random) -> list[tuple[str, int]]:
    """Start and kill a writer KILLS times; return every acknowledged command."""
    acknowledged: list[tuple[str, int]] = []
    waiting = deque(_start(path, seed) for seed in range(AHEAD))
    try:
        for round_ in range(KILLS):
            child = waiting.popleft()
            if round_ + AHEAD < KILLS:
                waiting.append(_start(path, round_ + AHEAD))
            assert child.stdin is not None
            assert child.stdout is not None
            child.stdin.write("go\n")
            child.stdin.flush()
            if round_ % 4 == 0:
                time.sleep(rng.uniform(0, 0.05))  # while it opens the database
            else:
                assert child.stdout.readline() == "ready\n"
                time.sleep(rng.uniform(0.01, 0.25))
            out, err = _kill(child)

            assert child.returncode == -signal.SIGKILL, err
            acknowledged += [
                (case_id, int(seq))
                for line in out.splitlines(keepends=True)
                if line.startswith("ack ") and line.endswith("\n")
                for _, case_id, seq in [line.split()]
            ]
    finally:
        for child in waiting:
            _kill(child)
    return acknowledged


def _expected_actions(seq: int) -> list[Action]:
    return [Action.OPEN] + [ACTIONS[type(scripted_command(n))] for n in range(1, seq)]


@attrs.frozen
class Crashed:
    """A SQLite file after KILLS killed writers, and what they acknowledged."""

    path: Path
    url: str
    acknowledged: list[tuple[str, int]]


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Crashed:
    """One run of killed writers, shared by the module's checks (it takes seconds)."""
    path = tmp_path_factory.mktemp("crash") / "cases.db"
    acknowledged = _run_and_kill(path, random.Random())
    return Crashed(path, f"sqlite:///{path}", acknowledged)


class TestCrash:
    def test_every_acknowledged_command_survives(self, crashed):
        """Each command a writer reported as accepted before its kill is stored."""
        with sqlite3.connect(crashed.path) as connection:
            stored = set(connection.execute("SELECT case_id, seq FROM events"))
        connection.close()

        assert len(crashed.acknowledged) > KILLS
        assert set(crashed.acknowledged) <= stored

    def test_every_head_matches_its_last_event(self, crashed):
        """No kill leaves a head ahead of, or behind, its case's last event."""
        heads = stored_heads(crashed.url)

        events = last_events(crashed.url)

        assert heads == events
        assert len(heads) > 1

    def test_every_chain_verifies(self, crashed, open_store, clock):
        """verify() finds nothing wrong in the killed writers' trail."""
        service = CaseService(open_store(crashed.url), clock=clock)

        findings = service.verify()

        assert findings == []

    def test_every_case_followed_the_script(self, crashed, open_store, clock):
        """Each stored trail is a prefix of the script: no half-applied command."""
        service = CaseService(open_store(crashed.url), clock=clock)

        summaries = service.cases()

        assert all(
            [event.action for event in service.history(s.case_id)]
            == _expected_actions(s.seq)
            for s in summaries
        )

    def test_sqlite_finds_the_file_intact(self, crashed):
        """SQLite's own integrity check passes on the killed writers' file."""
        with sqlite3.connect(crashed.path) as connection:
            integrity = connection.execute("PRAGMA integrity_check").fetchall()
        connection.close()

        assert integrity == [("ok",)]

    def test_the_database_reopens_and_goes_on(
        self, crashed, open_store, clock, tmp_path
    ):
        """A copy of the file opens in a new store and takes the next commands."""
        with (
            sqlite3.connect(crashed.path) as source,
            sqlite3.connect(tmp_path / "copy.db") as copy,
        ):
            source.backup(copy)
        source.close()
        copy.close()
        service = CaseService(
            open_store(f"sqlite:///{tmp_path / 'copy.db'}"), clock=clock
        )
        unfinished = [s for s in service.cases() if s.seq < SCRIPT_END]

        for summary in unfinished:
            service.execute(
                summary.case_id, scripted_command(summary.seq), actor=WORKER
            )

        assert unfinished
        assert all(service.get(s.case_id).seq == s.seq + 1 for s in unfinished)
        assert service.verify() == []
