"""``helping-process demo`` tells its stories on a temporary database of its own."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

# pexpect ships no type information and no stubs are installed.
import pexpect  # type: ignore[import-untyped]
import pytest

from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from tests.cli._support import PYTHON
from tests.cli._support import Cli
from tests.cli._support import python_env
from tests.cli._support import spawn_args

#: The line that says where the demo builds its database.
_WHERE = re.compile(r"^  (sqlite:///\S+)$", re.MULTILINE)


def _where(stdout: str) -> Path:
    """Return the folder the demo said it built its database in."""
    match = _WHERE.search(stdout)
    assert match is not None, stdout
    return Path(match.group(1).removeprefix("sqlite:///")).parent


def _cases(path: Path) -> dict[str, str]:
    """Return each client of a kept demo database with its case's stage."""
    store = SqlStore.from_url(f"sqlite:///{path}")
    try:
        service = CaseService(store)
        assert service.verify() == []
        return {str(summary.client): summary.stage for summary in service.cases()}
    finally:
        store.dispose()


class TestDemo:
    def test_story_in_english(self, cli: Cli):
        """The demo exits 0, shows a refusal, verifies, and says nothing was kept."""
        result = cli.run("demo", db=False)

        lines = result.stdout.splitlines()
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        assert all(len(line) <= 80 for line in lines if "sqlite:" not in line)
        assert "1. A completed case, with a re-plan after a partial evaluation" in lines
        text = " ".join(result.stdout.split())
        assert (
            "Refused: Cannot go from Contract to Assessment; missing: the contract "
            "accepted by the client [contract.acceptance]." in text
        )
        assert "3 of 5 goals achieved (60%); unmet: g2, g4." in text
        assert "Terminated: Agreed goals achieved." in text
        assert "Terminated: Client ran away from the institution." in text
        assert "sub-reason: Needs another discipline" in text
        assert "trail verified: 4 cases, 46 events" in lines
        assert "nothing was kept" in text
        assert lines[-1] == "  helping-process demo --keep demo-cases.db"

    def test_story_in_indonesian(self, cli: Cli):
        """In Indonesian the demo tells the same story in Indonesian words."""
        result = cli.run("demo", lang="id", db=False)

        lines = result.stdout.splitlines()
        assert result.exit_code == 0, result.stderr
        assert all(len(line) <= 80 for line in lines if "sqlite:" not in line)
        assert "jejak audit terverifikasi: 4 kasus, 46 peristiwa" in lines
        assert "Ditolak: Tidak dapat berpindah dari Kontrak" in result.stdout
        assert "tidak ada yang disimpan" in result.stdout

    def test_twice_the_same_story(self, cli: Cli):
        """Two runs print the same story, ids and dates too, but for the path."""
        first = cli.run("demo", db=False)
        second = cli.run("demo", db=False)

        assert first.exit_code == second.exit_code == 0
        assert _where(first.stdout) != _where(second.stdout)
        assert _WHERE.sub("", first.stdout) == _WHERE.sub("", second.stdout)
        assert "2025-05-04  Case " in first.stdout

    def test_json(self, cli: Cli):
        """With --json the demo prints one JSON document: cases, refusal, where."""
        result = cli.run("--json", "demo", db=False)

        data = json.loads(result.stdout)
        assert result.exit_code == 0
        assert [case["stage"] for case in data["cases"]] == [
            "termination",
            "termination",
            "termination",
            "engagement",
        ]
        assert data["refusal"]["missing"] == ["contract.acceptance"]
        assert data["verified"] == {"cases": 4, "events": 46, "findings": []}
        assert data["kept"] is None
        assert data["database"].startswith("sqlite:///")
        assert not Path(data["database"].removeprefix("sqlite:///")).exists()
        assert data["next"] == ["helping-process demo --keep demo-cases.db"]

    def test_ids_are_those_the_docs_show(self, cli: Cli):
        """The demo's case ids never change, so docs/cli.md can name them."""
        data = cli.json("demo", db=False)

        docs = (Path(__file__).parents[2] / "docs" / "cli.md").read_text("utf-8")
        first, waiting = data["cases"][0]["case_id"], data["cases"][-1]["case_id"]
        assert f"helping-process case show {first[:8]}" in docs
        assert f"helping-process case step {waiting[:8]}" in docs


class TestDemoLeavesRealDataAlone:
    def test_default_database_not_created(self, cli: Cli, tmp_path: Path):
        """Without --db the demo neither creates nor touches the default database."""
        home = tmp_path / "user"
        env: dict[str, str | None] = {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
        }

        result = cli.run("demo", db=False, env=env)

        assert result.exit_code == 0, result.stderr
        assert not home.exists()
        assert "helping_process.db" not in result.stdout

    def test_configured_database_unchanged(self, cli: Cli):
        """A database named by --db keeps every byte; the demo never opens it."""
        case_id = cli.open()
        path = Path(cli.url.removeprefix("sqlite:///"))
        before = {
            file.name: file.read_bytes() for file in path.parent.glob("cases.db*")
        }

        result = cli.run("demo")

        after = {file.name: file.read_bytes() for file in path.parent.glob("cases.db*")}
        assert result.exit_code == 0, result.stderr
        assert after == before
        assert cli.url not in result.stdout
        assert [case["case_id"] for case in cli.json("case", "list")["cases"]] == [
            case_id
        ]

    def test_environment_database_not_created(self, cli: Cli, tmp_path: Path):
        """A database named by HELPING_PROCESS_DB that does not exist stays so."""
        path = tmp_path / "configured.db"

        result = cli.run(
            "demo", db=False, env={"HELPING_PROCESS_DB": f"sqlite:///{path}"}
        )

        assert result.exit_code == 0, result.stderr
        assert not path.exists()

    def test_temporary_folder_removed(self, cli: Cli):
        """The folder the demo said it used is gone when it ends."""
        result = cli.run("demo", db=False)

        assert result.exit_code == 0, result.stderr
        assert not _where(result.stdout).exists()


class TestDemoKeep:
    def test_keep_moves_the_database_into_place(self, cli: Cli, tmp_path: Path):
        """With --keep the finished, verified database is at PATH, nothing beside it."""
        kept = tmp_path / "kept" / "demo.db"
        kept.parent.mkdir()

        result = cli.run("demo", "--keep", str(kept), db=False)

        lines = result.stdout.splitlines()
        assert result.exit_code == 0, result.stderr
        assert sorted(path.name for path in kept.parent.iterdir()) == ["demo.db"]
        assert _cases(kept) == {
            "DEMO-ANDI": "termination",
            "DEMO-RINA": "termination",
            "DEMO-BUDI": "termination",
            "DEMO-SARI": "engagement",
        }
        assert f"The demo's database is kept at {kept}. Try next:" in " ".join(
            result.stdout.split()
        )
        assert f"  export HELPING_PROCESS_DB='sqlite:///{kept}'" in lines
        assert any(line.startswith("  helping-process case step ") for line in lines)

    def test_kept_cases_end_as_the_stories_say(self, cli: Cli, tmp_path: Path):
        """The kept cases end planned, absconded, referred and open."""
        kept = tmp_path / "demo.db"
        cli.run("demo", "--keep", str(kept), db=False)
        on_kept = Cli(f"sqlite:///{kept}", cli.home)

        cases = on_kept.json("case", "list")["cases"]
        reasons = {}
        for case in cases:
            events = on_kept.json("case", "history", case["case_id"])["events"]
            reasons[case["client"]] = events[-1]["reason"]
        assert reasons == {
            "DEMO-ANDI": "goals_achieved",
            "DEMO-RINA": "client_absconded",
            "DEMO-BUDI": "beyond_agency_capacity",
            "DEMO-SARI": None,
        }
        andi = next(case for case in cases if case["client"] == "DEMO-ANDI")
        loops = [
            event
            for event in on_kept.json("case", "history", andi["case_id"])["events"]
            if (event["from_stage"], event["to_stage"]) == ("evaluation", "planning")
        ]
        assert len(loops) == 1
        assert loops[0]["note"].startswith("Goals g2 and g4 unmet")

    def test_events_recorded_as_they_happen(self, cli: Cli, tmp_path: Path):
        """Each kept event is recorded when it happened: no entry is late."""
        kept = tmp_path / "demo.db"
        cli.run("demo", "--keep", str(kept), db=False)
        on_kept = Cli(f"sqlite:///{kept}", cli.home)

        events = [
            event
            for case in on_kept.json("case", "list")["cases"]
            for event in on_kept.json("case", "history", case["case_id"])["events"]
        ]

        assert len(events) == 46
        assert all(event["recorded_at"] == event["occurred_at"] for event in events)
        assert min(event["occurred_at"] for event in events).startswith("2025-05-04")
        assert max(event["occurred_at"] for event in events).startswith("2025-09-01")

    def test_keep_refuses_an_existing_path(self, cli: Cli, tmp_path: Path):
        """--keep never writes over a file: bad input, exit 2, the file unchanged."""
        kept = tmp_path / "mine.db"
        kept.write_bytes(b"precious")

        result = cli.run("demo", "--keep", str(kept), db=False, fails=True)

        assert result.exit_code == 2
        assert kept.read_bytes() == b"precious"
        assert f"{kept} already exists" in result.stderr
        assert result.stdout == ""
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            "cases.db",
            "mine.db",
        ]

    def test_keep_in_a_missing_folder(self, cli: Cli, tmp_path: Path):
        """--keep in a folder that does not exist is bad input, in Indonesian too."""
        kept = tmp_path / "missing" / "demo.db"

        result = cli.run("demo", "--keep", str(kept), db=False, fails=True, lang="id")

        assert result.exit_code == 2
        assert f"Folder {kept.parent} tidak ada" in result.stderr

    def test_folder_it_cannot_write_in(self, cli: Cli, tmp_path: Path, monkeypatch):
        """A folder the demo cannot write in is bad input, with the reason."""

        def refuse(**_: object) -> str:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr("tempfile.mkdtemp", refuse)

        result = cli.run(
            "demo", "--keep", str(tmp_path / "demo.db"), db=False, fails=True
        )

        assert result.exit_code == 2
        assert result.stderr == (
            f"Error: The demo cannot write its database in {tmp_path}: Permission "
            "denied. Nothing was kept.\n"
        )

    def test_keep_json(self, cli: Cli, tmp_path: Path):
        """With --json and --keep the document names the kept file and what next."""
        kept = tmp_path / "demo.db"

        data = cli.json("demo", "--keep", str(kept), db=False)

        assert data["kept"] == str(kept)
        assert data["next"][:2] == [
            f"export HELPING_PROCESS_DB='sqlite:///{kept}'",
            "helping-process case list",
        ]


def _demo_process(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], Path]:
    """Start a slow demo in a child process; return it and its TMPDIR."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = python_env(
        LANG="C.UTF-8",
        TMPDIR=str(scratch),
        XDG_DATA_HOME=str(tmp_path / "home"),
        HOME=str(tmp_path / "home"),
    )
    child = subprocess.Popen(
        [PYTHON, "-m", "helping_process.cli", "demo", "--pause", "0.05", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    return child, scratch


def _half_way(child: subprocess.Popen[str]) -> None:
    """Read the story until the first case's contract is refused."""
    assert child.stdout is not None
    for line in child.stdout:
        if "Refused:" in line:
            return
    pytest.fail("the demo ended before its refusal")


def _empty_soon(folder: Path) -> list[str]:
    """Return what is left in ``folder`` once it is empty, or after 20 s."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        left = sorted(path.name for path in folder.iterdir())
        if not left:
            return left
        time.sleep(0.05)
    return sorted(path.name for path in folder.iterdir())


class TestDemoKilledHalfWay:
    @pytest.mark.parametrize(
        ("signum", "exit_code"),
        [(signal.SIGINT, 130), (signal.SIGTERM, 130), (signal.SIGKILL, -9)],
    )
    def test_nothing_left_behind(self, tmp_path: Path, signum: int, exit_code: int):
        """A demo stopped by a real signal half-way leaves no file behind."""
        child, scratch = _demo_process(tmp_path)
        _half_way(child)
        assert [path.name for path in scratch.iterdir()] != []

        child.send_signal(signum)
        _, stderr = child.communicate(timeout=60)

        assert child.returncode == exit_code
        assert _empty_soon(scratch) == []
        assert not (tmp_path / "home").exists()
        if signum != signal.SIGKILL:
            assert "nothing" in stderr
            assert "Traceback" not in stderr

    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
    def test_nothing_kept_half_made(self, tmp_path: Path, signum: int):
        """With --keep, a demo killed half-way leaves neither PATH nor its folder."""
        folder = tmp_path / "kept"
        folder.mkdir()
        child, _ = _demo_process(tmp_path, "--keep", str(folder / "demo.db"))
        _half_way(child)
        assert [path.name for path in folder.iterdir()] != []

        child.send_signal(signum)
        child.communicate(timeout=60)

        assert _empty_soon(folder) == []


class TestDemoOnATerminal:
    def test_progress_bar(self, cli: Cli):
        """On a terminal, the verification shows a progress bar."""
        child = pexpect.spawn(
            PYTHON,
            spawn_args(cli.url, "demo"),
            env=python_env(LANG="C.UTF-8", XDG_DATA_HOME=str(cli.home)),
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 80),
        )
        child.expect_exact("Verifying the audit trail")
        child.expect_exact("trail verified: 4 cases, 46 events")
        child.expect(pexpect.EOF)
        child.close()

        assert child.exitstatus == 0
