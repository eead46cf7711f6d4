"""``helping-process demo`` tells its stories on a temporary database."""

from __future__ import annotations

import json

# pexpect ships no type information and no stubs are installed.
import pexpect  # type: ignore[import-untyped]

from tests.cli._support import PYTHON
from tests.cli._support import Cli
from tests.cli._support import python_env
from tests.cli._support import spawn_args


class TestDemo:
    def test_story_in_english(self, cli: Cli):
        """The demo exits 0, shows a refusal, verifies, and suggests commands."""
        result = cli.run("demo")

        lines = result.stdout.splitlines()
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        assert all(len(line) <= 80 for line in lines if cli.url not in line)
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
        assert "  helping-process case list" in lines
        assert any(line.startswith("  helping-process case step ") for line in lines)
        assert "helping-process process graph --format mermaid --case" in text
        assert cli.verify() == []

    def test_cases_end_as_the_stories_say(self, cli: Cli):
        """The demo's cases end planned, absconded, referred and open."""
        cli.run("demo")

        cases = cli.json("case", "list")["cases"]
        reasons = {}
        for case in cases:
            events = cli.json("case", "history", case["case_id"])["events"]
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
            for event in cli.json("case", "history", andi["case_id"])["events"]
            if (event["from_stage"], event["to_stage"]) == ("evaluation", "planning")
        ]
        assert len(loops) == 1
        assert loops[0]["note"].startswith("Goals g2 and g4 unmet")

    def test_story_in_indonesian_on_its_own_db_option(self, cli: Cli):
        """With its own --db the demo tells its story there, here in Indonesian."""
        result = cli.run("demo", "--db", cli.url, lang="id", db=False)

        lines = result.stdout.splitlines()
        assert result.exit_code == 0, result.stderr
        assert all(len(line) <= 80 for line in lines if cli.url not in line)
        assert "jejak audit terverifikasi: 4 kasus, 46 peristiwa" in lines
        assert "Ditolak: Tidak dapat berpindah dari Kontrak" in result.stdout
        assert f"  export HELPING_PROCESS_DB='{cli.url}'" in lines
        assert cli.verify() == []

    def test_json(self, cli: Cli):
        """With --json the demo prints one JSON document: cases and refusal."""
        result = cli.run("--json", "demo")

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
        assert data["next"][:2] == [
            f"export HELPING_PROCESS_DB='{cli.url}'",
            "helping-process case list",
        ]

    def test_default_database(self, cli: Cli):
        """Without --db the demo creates and uses the default database."""
        result = cli.run("demo", db=False)

        default = cli.home / "helping-process" / "helping_process.db"
        assert result.exit_code == 0, result.stderr
        assert default.exists()
        assert f"  sqlite:///{default}" in result.stdout.splitlines()
        assert "export HELPING_PROCESS_DB" not in result.stdout


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
