"""``case list`` filters and pages, ``case history`` pages, long runs show progress.

Pages run newest first with an opaque cursor that stays put while cases are
opened; an empty filter says no case matches. The progress bars of ``audit
verify``, ``report``, ``export`` and ``seal`` are drawn on a terminal only
(a real pseudo-terminal), never on a pipe or with ``--json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# pexpect ships no type information and no stubs are installed.
import pexpect  # type: ignore[import-untyped]
import pytest

from tests.cli._support import PYTHON
from tests.cli._support import Cli
from tests.cli._support import python_env
from tests.cli._support import spawn_args


def _listed(cli: Cli, *args: str) -> Any:
    return cli.json("case", "list", *args)


def _ids(listed: Any) -> list[str]:
    return [case["case_id"] for case in listed["cases"]]


class TestCaseList:
    def test_pages_follow_the_cursor_newest_first(self, cli: Cli):
        """Three pages of two cover five cases once each, newest first."""
        opened = [cli.open(f"KLIEN-{index}") for index in range(5)]

        first = _listed(cli, "--limit", "2")
        second = _listed(cli, "--limit", "2", "--cursor", first["next_cursor"])
        third = _listed(cli, "--limit", "2", "--cursor", second["next_cursor"])

        assert _ids(first) + _ids(second) + _ids(third) == opened[::-1]
        assert third["next_cursor"] is None

    def test_a_cursor_stays_put_while_cases_are_opened(self, cli: Cli):
        """A case opened after the first page does not shift the second."""
        opened = [cli.open(f"KLIEN-{index}") for index in range(4)]
        first = _listed(cli, "--limit", "2")
        cli.open("KLIEN-new")

        second = _listed(cli, "--limit", "2", "--cursor", first["next_cursor"])

        assert _ids(second) == [opened[1], opened[0]]

    def test_the_next_cursor_is_printed_for_people(self, cli: Cli):
        """The text listing names the cursor of the next page on standard error."""
        for index in range(3):
            cli.open(f"KLIEN-{index}")

        result = cli.run("case", "list", "--limit", "2")

        assert result.exit_code == 0
        assert len(result.stdout.splitlines()) == 3  # the header and two cases
        assert "More follow: --cursor " in result.stderr

    def test_filters_by_stage_worker_and_opening_day(self, cli: Cli):
        """Stage, worker (the opener) and opened-since each narrow the list."""
        first = cli.open("KLIEN-1")
        cli.record(first, "engagement")
        cli.run("case", "move", first, "intake")
        second = cli.open("KLIEN-2")

        in_intake = _listed(cli, "--stage", "intake")
        by_worker = _listed(cli, "--worker", "worker-1")
        since = _listed(cli, "--opened-since", "2000-01-01")
        future = _listed(cli, "--opened-since", "2999-01-01")

        assert _ids(in_intake) == [first]
        assert _ids(by_worker) == [second, first]
        assert _ids(since) == [second, first]
        assert _ids(future) == []

    def test_the_process_filter_reads_each_case_pin(self, cli: Cli):
        """--process keeps the cases pinned to that definition, a name its newest."""
        newest = cli.open()
        first = str(
            cli.json(
                "case", "open", "--client", "KLIEN-2", "--process", "helping-process@1"
            )["case_id"]
        )

        assert _ids(_listed(cli, "--process", "helping-process@1")) == [first]
        assert _ids(_listed(cli, "--process", "helping-process")) == [newest]
        assert _ids(_listed(cli, "--process", "rehsos-pp39")) == []

    @pytest.mark.parametrize(
        ("lang", "said"),
        [("en", "No cases match.\n"), ("id", "Tidak ada kasus yang cocok.\n")],
    )
    def test_an_empty_filter_says_no_case_matches(self, cli: Cli, lang, said):
        """A filter that keeps nothing says so, in the worker's language."""
        cli.open()

        result = cli.run("case", "list", "--worker", "nobody", lang=lang)

        assert result.exit_code == 0
        assert result.stdout == said

    def test_a_bad_cursor_or_process_is_bad_input(self, cli: Cli):
        """A cursor no page printed, or an unknown process, exits 2."""
        bad_cursor = cli.run("case", "list", "--cursor", "not-a-cursor", fails=True)
        bad_process = cli.run("case", "list", "--process", "nowhere@1", fails=True)
        bad_day = cli.run("case", "list", "--opened-since", "yesterday", fails=True)

        assert (bad_cursor.exit_code, bad_process.exit_code) == (2, 2)
        assert bad_day.exit_code == 2
        assert "cursor" in bad_cursor.stderr
        assert "Traceback" not in bad_cursor.stderr + bad_process.stderr


class TestCaseHistory:
    def test_history_pages_oldest_first(self, cli: Cli):
        """Pages of two events follow each other through the whole trail."""
        case_id = cli.open()
        cli.record(case_id, "engagement")
        cli.run("case", "move", case_id, "intake")
        cli.record(case_id, "intake")

        first = cli.json("case", "history", case_id, "--limit", "3")
        second = cli.json(
            "case", "history", case_id, "--limit", "3", "--cursor",
            first["next_cursor"],
        )  # fmt: skip

        assert [event["seq"] for event in first["events"]] == [1, 2, 3]
        assert [event["seq"] for event in second["events"]] == [4]
        assert second["next_cursor"] is None

    def test_history_without_limit_is_whole(self, cli: Cli):
        """Without --limit every event is shown and no cursor follows."""
        case_id = cli.open()
        cli.record(case_id, "engagement")

        whole = cli.json("case", "history", case_id)

        assert [event["seq"] for event in whole["events"]] == [1, 2]
        assert whole["next_cursor"] is None


#: The label of each long command's bar, and the command.
LONG_RUNS = [
    ("Verifying the audit trail", ["audit", "verify"]),
    ("Reading the audit trail", ["audit", "report", "-o", "{dir}/report.txt"]),
    ("Exporting the audit trail", ["audit", "export", "--all", "-o", "{dir}/t.jsonl"]),
    ("Sealing the case heads", ["audit", "seal", "--key", "{dir}/keys/seal-key.pem"]),
]


def _args(args: list[str], where: Path) -> list[str]:
    return [arg.replace("{dir}", str(where)) for arg in args]


class TestProgress:
    @pytest.fixture
    def trail(self, cli: Cli, tmp_path: Path) -> Path:
        """A case with a few events, and a key pair to seal with."""
        case_id = cli.open()
        cli.record(case_id, "engagement")
        cli.run("case", "move", case_id, "intake")
        cli.run("audit", "keygen", "--out", str(tmp_path / "keys"))
        return tmp_path

    @pytest.mark.parametrize(("label", "args"), LONG_RUNS)
    def test_no_bar_on_a_pipe(self, cli: Cli, trail: Path, label, args):
        """On a pipe the bar is never drawn."""
        result = cli.run(*_args(args, trail))

        assert result.exit_code == 0, result.stderr
        assert label not in result.stderr + result.stdout

    @pytest.mark.parametrize(("label", "args"), LONG_RUNS)
    def test_a_bar_on_a_terminal(self, cli: Cli, trail: Path, label, args):
        """On a terminal the bar is drawn on standard error, then the result."""
        child = pexpect.spawn(
            PYTHON,
            spawn_args(cli.url, *_args(args, trail)),
            env=python_env(LANG="C.UTF-8", XDG_DATA_HOME=str(cli.home)),
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 100),
        )
        child.expect_exact(label)
        child.expect(pexpect.EOF)
        child.close()

        assert child.exitstatus == 0

    @pytest.mark.parametrize(("label", "args"), LONG_RUNS)
    def test_no_bar_with_json(self, cli: Cli, trail: Path, label, args):
        """With --json a terminal gets the JSON document and no bar."""
        child = pexpect.spawn(
            PYTHON,
            spawn_args(cli.url, "--json", *_args(args, trail)),
            env=python_env(LANG="C.UTF-8", XDG_DATA_HOME=str(cli.home)),
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 100),
        )
        child.expect(pexpect.EOF)
        output = child.before
        child.close()

        assert child.exitstatus == 0
        assert label not in output
        assert json.loads(output)
