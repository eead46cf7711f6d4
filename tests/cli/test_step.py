"""``helping-process case step``: the interactive step.

Driven two ways: CliRunner with the answers on standard input (every record
kind, every kind of choice), and a real pseudo-terminal with pexpect (a
record and a move, Ctrl-C, and a concurrent change).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

# pexpect ships no type information and no stubs are installed.
import pexpect  # type: ignore[import-untyped]
import pytest
from click.testing import Result

from tests.cli._support import PYTHON
from tests.cli._support import Cli
from tests.cli._support import plain
from tests.cli._support import python_env
from tests.cli._support import spawn_args

TODAY = dt.datetime.now(dt.UTC).date()


def step(cli: Cli, case_id: str, *answers: str, lang: str = "en", **kw: Any) -> Result:
    """Run ``case step`` with one answer per line of standard input."""
    return cli.run(
        "case", "step", case_id, input="\n".join(answers) + "\n", lang=lang, **kw
    )


def shown(cli: Cli, case_id: str) -> dict[str, Any]:
    """The case as ``case show --json`` gives it."""
    return cli.json("case", "show", case_id)  # type: ignore[no-any-return] # a JSON object


class TestRecord:
    def test_engagement_record_is_asked_and_stored(self, cli: Cli):
        """A bad date and a blank request are asked again; the record is stored."""
        case_id = cli.open()

        result = step(
            cli, case_id,
            "1", "2025-13-01", "2025-01-05", "  ", "Needs a school place.", "9",
            "family", "y",
        )  # fmt: skip

        assert result.exit_code == 0, result.stderr
        assert "  1) Record: Engagement record (needed)" in result.stdout
        assert "Not accepted: must be a date (YYYY-MM-DD)." in result.stdout
        assert "Not accepted: must not be blank." in result.stdout
        assert "Not accepted: give one of the numbers shown." in result.stdout
        assert "Stored. The case is in Engagement (episode 1, event 2)." in (
            result.stdout
        )
        assert shown(cli, case_id)["records"]["engagement"] == {
            "first_contact_on": "2025-01-05",
            "request": "Needs a school place.",
            "referral_source": "family",
        }

    def test_future_date_is_asked_again(self, cli: Cli):
        """A first contact in the future is refused at the prompt."""
        case_id = cli.open()
        future = (TODAY + dt.timedelta(days=3)).isoformat()

        result = step(cli, case_id, "1", future, "", "Help.", "1", "y")

        assert "Not accepted: lies in the future." in result.stdout
        first = shown(cli, case_id)["records"]["engagement"]["first_contact_on"]
        assert first == TODAY.isoformat()

    def test_intake_not_eligible_needs_a_criterion(self, cli: Cli):
        """An ineligible candidate's failed criteria are asked, at least one."""
        case_id = cli.walk("intake")

        result = step(
            cli, case_id,
            "1", "maybe", "n", "None possible.", "y", "", "Lives out of area", "",
            "y",
        )  # fmt: skip

        assert result.exit_code == 0, result.stderr
        assert "Not accepted: answer y (yes) or n (no)." in result.stdout
        assert "Not accepted: give at least 1 item." in result.stdout
        assert shown(cli, case_id)["records"]["intake"] == {
            "eligible": False,
            "service_formulation": "None possible.",
            "resources_informed": True,
            "criteria_failed": ["Lives out of area"],
        }

    def test_contract_with_its_seven_elements(self, cli: Cli):
        """A contract is asked element by element; the period must run forward."""
        case_id = cli.walk("contract")

        result = step(
            cli, case_id,
            "1", "primary", "y", "y", "n", "y",
            "The worker visits weekly", "", "Visit two schools", "Meet the head", "",
            "2025-02-01", "2025-01-01", "2025-12-31",
            "", "LKS Mawar", "Client C",
            "y",
        )  # fmt: skip

        contract = shown(cli, case_id)["records"]["contract"]
        assert result.exit_code == 0, result.stderr
        assert "Not accepted: must be after 2025-02-01." in result.stdout
        assert contract["acceptance"] is False
        assert contract["tasks"] == ["Visit two schools", "Meet the head"]
        assert (contract["valid_from"], contract["valid_until"]) == (
            "2025-02-01",
            "2025-12-31",
        )
        assert contract["parties"] == {
            "worker": "worker-1",
            "agency": "LKS Mawar",
            "client": "Client C",
        }
        moves = {move["target"]: move for move in shown(cli, case_id)["next"]["moves"]}
        assert moves["assessment"]["missing"] == ["contract.acceptance"]

    def test_assessment_in_indonesian(self, cli: Cli):
        """The five parts of the assessment are asked in Indonesian."""
        case_id = cli.walk("assessment")

        result = step(
            cli, case_id, "1", "Masalah", "Kepribadian", "Situasi", "Formulasi",
            "Evaluasi", "ya", lang="id",
        )  # fmt: skip

        assert result.exit_code == 0, result.stderr
        assert "Pernyataan masalah: " in result.stdout
        assert "Tersimpan. Kasus berada di tahap" in result.stdout
        assert shown(cli, case_id)["records"]["assessment"]["evaluation"] == "Evaluasi"

    def test_plan_activity_and_evaluation_with_gas(self, cli: Cli):
        """A plan with a GAS scale, an activity and a scored evaluation."""
        case_id = cli.walk("planning")

        plan = step(
            cli, case_id,
            "1", "Access to school", "Casework", "",
            "", "Enrolled", "Letter of acceptance", "Visit schools", "Call", "",
            "n", "y", "0", "2", "none", "one", "enrolled", "attending", "thriving",
            "y",
            "g1", "g2", "Attends", "Register", "Fill the form", "", "Do it", "",
            "n", "n", "n", "y",
        )  # fmt: skip
        move = step(cli, case_id, "3", "", "y")
        activity = step(
            cli, case_id,
            "1", "", "broker", "coerce", "Took the client to school.", "n", "n",
            "y", "n", "Court order to attend.", "y",
        )  # fmt: skip
        cli.move(case_id, "evaluation")
        evaluation = step(
            cli, case_id, "1", "y", "n", "3", "1", "Went well.", "Enrolled.", "y"
        )

        records = shown(cli, case_id)["records"]
        for result in (plan, move, activity, evaluation):
            assert result.exit_code == 0, result.stdout + result.stderr
        assert "Not accepted: is out of range." in plan.stdout
        assert "Not accepted: repeats a value." in plan.stdout
        assert [goal["id"] for goal in records["plan"]["goals"]] == ["g1", "g2"]
        assert records["plan"]["goals"][0]["gas"]["weight"] == 2
        assert "  1) Record: Intervention plan (needed)" in plan.stdout
        assert "  3) Move to Intervention" in move.stdout
        assert "Not accepted: give at least 1 item." in activity.stdout
        assert records["activity"]["goal_ids"] == ["g1"]
        assert records["activity"]["justification"] == "Court order to attend."
        assert records["evaluation"]["achieved_goal_ids"] == ["g1"]
        assert records["evaluation"]["gas_scores"] == {"g1": 1}


class TestMoveAndTerminate:
    def test_move_with_an_optional_note(self, cli: Cli):
        """An allowed move is chosen, its note skipped, and confirmed."""
        case_id = cli.open()
        cli.record(case_id, "engagement")

        result = step(cli, case_id, "2", "", "y")

        assert result.exit_code == 0, result.stderr
        assert "To move: Engagement -> Intake" in result.stdout
        assert shown(cli, case_id)["stage"] == "intake"

    def test_loop_back_asks_for_a_note(self, cli: Cli):
        """Going back from planning asks for the note until it is given."""
        case_id = cli.walk("planning")

        result = step(cli, case_id, "3", "", "Information is missing.", "y")

        assert result.exit_code == 0, result.stderr
        assert "Not accepted: must not be blank." in result.stdout
        history = cli.json("case", "history", case_id)["events"]
        assert history[-1]["note"] == "Information is missing."

    def test_terminate_with_sub_reason_and_referral_in_indonesian(self, cli: Cli):
        """A termination asks the reason, its sub-reason, referral and note."""
        case_id = cli.open()

        result = step(
            cli, case_id,
            "2", "beyond_agency_capacity", "needs_other_discipline", "RSJ Daerah",
            "Perlu psikiater.", "y", lang="id",
        )  # fmt: skip

        last = cli.json("case", "history", case_id)["events"][-1]
        assert result.exit_code == 0, result.stderr
        assert "Akan diterminasi: Masalah di luar kemampuan lembaga" in result.stdout
        assert (last["reason"], last["sub_reason"], last["referral_to"]) == (
            "beyond_agency_capacity",
            "needs_other_discipline",
            "RSJ Daerah",
        )

    def test_reopen_a_terminated_case(self, cli: Cli):
        """A terminated case offers reopening as its one choice."""
        case_id = cli.open()
        cli.run("case", "terminate", case_id, "--reason", "client_request",
                "--note", "Moved away.")  # fmt: skip

        result = step(cli, case_id, "1", "The client is back.", "y")

        assert "  1) Reopen the case (episode 2)" in result.stdout
        assert shown(cli, case_id)["episode"] == 2

    def test_json_keeps_standard_output_for_the_result(self, cli: Cli):
        """With --json the questions go to stderr and stdout is one JSON object."""
        case_id = cli.open()
        cli.record(case_id, "engagement")

        result = cli.run("--json", "case", "step", case_id, input="2\n\ny\n")

        assert json.loads(result.stdout) == {
            "case_id": case_id,
            "stage": "intake",
            "episode": 1,
            "seq": 3,
        }
        assert "Move to Intake" in result.stderr


class TestOneChoice:
    def test_a_single_choice_is_not_a_range(self, cli: Cli):
        """A terminated case offers only the reopening: choose 1, not from 1-1."""
        case_id = cli.open()
        cli.run("case", "terminate", case_id, "--reason", "client_request",
                "--note", "Moved away.")  # fmt: skip

        english = step(cli, case_id, "0")
        indonesian = step(cli, case_id, "0", lang="id")

        assert english.exit_code == indonesian.exit_code == 0
        assert "  1) " in english.stdout
        assert "  2) " not in english.stdout
        assert "Choose 1: " in english.stdout
        assert "Pilih 1: " in indonesian.stdout
        assert "1-1" not in english.stdout + indonesian.stdout


class TestNothingChanges:
    @pytest.mark.parametrize("answers", [["0"], ["2", "", "n"]])
    def test_leaving_or_declining_stores_nothing(self, cli: Cli, answers: list[str]):
        """Leaving the menu or declining the summary stores nothing (exit 0)."""
        case_id = cli.open()
        cli.record(case_id, "engagement")

        result = step(cli, case_id, *answers)

        assert result.exit_code == 0
        assert result.stdout.endswith("Nothing was changed.\n")
        assert cli.events(case_id) == 2

    def test_end_of_input_cancels(self, cli: Cli):
        """Input ending at a prompt cancels (exit 130) and stores nothing."""
        case_id = cli.open()

        result = cli.run(
            "--json", "case", "step", case_id, input="1\n2025-01-05\n", fails=True
        )

        assert result.exit_code == 130
        assert result.stderr.endswith("Cancelled: Nothing was changed.\n")
        assert json.loads(result.stdout)["error"]["kind"] == "cancelled"
        assert cli.events(case_id) == 1

    def test_unknown_case(self, cli: Cli):
        """Stepping a case that does not exist exits 2 before any prompt."""
        result = cli.run("case", "step", "nope", fails=True, lang="id")

        assert result.exit_code == 2
        assert result.stderr.startswith(
            "Kesalahan: Tidak ada id kasus yang sama dengan atau diawali nope;"
        )


def spawn(cli: Cli, case_id: str, lang: str = "en") -> pexpect.spawn[str]:
    """Start ``case step`` in a pseudo-terminal."""
    return pexpect.spawn(
        PYTHON,
        spawn_args(cli.url, "case", "step", case_id, lang=lang),
        env=python_env(LANG="C.UTF-8", XDG_DATA_HOME=str(cli.home)),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 80),
    )


def finish(child: pexpect.spawn[str]) -> int:
    """Wait for the child to end and return its exit status."""
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None, child.signalstatus
    return int(child.exitstatus)


class TestTerminal:
    def test_record_then_move(self, cli: Cli):
        """In a real terminal: record the engagement, then move to intake."""
        case_id = cli.open()

        child = spawn(cli, case_id)
        child.expect_exact("1) Record: Engagement record (needed)")
        child.expect_exact("Choose (1-2): ")
        child.sendline("1")
        child.expect_exact("Date of the first contact (YYYY-MM-DD)")
        child.sendline("06-01-2025")
        child.expect_exact("must be a date (YYYY-MM-DD)")
        child.sendline("2025-01-06")
        child.expect_exact("The client's request for service: ")
        child.sendline("A school place for my son.")
        child.expect_exact("Choose (1-8): ")
        child.sendline("2")
        child.expect_exact("Store this? [y/n]: ")
        child.sendline("y")
        child.expect_exact("Stored. The case is in Engagement")
        recorded = finish(child)

        child = spawn(cli, case_id, lang="id")
        child.expect_exact("2) Pindah ke Intake (penerimaan)")
        child.expect_exact("Pilih (1-3): ")
        child.sendline("2")
        child.expect_exact("Keterangan (opsional, Enter untuk melewati): ")
        child.sendline("")
        child.expect_exact("Simpan ini? [y/t]: ")
        child.sendline("y")
        child.expect_exact("Tersimpan.")
        moved = finish(child)

        assert (recorded, moved) == (0, 0)
        assert shown(cli, case_id)["stage"] == "intake"
        assert shown(cli, case_id)["records"]["engagement"]["referral_source"] == (
            "family"
        )

    def test_ctrl_c_leaves_the_case_unchanged(self, cli: Cli):
        """Ctrl-C at a prompt stores nothing, says so, and exits 130."""
        case_id = cli.open()
        before = cli.events(case_id)

        child = spawn(cli, case_id)
        child.expect_exact("Choose (1-2): ")
        child.sendline("1")
        child.expect_exact("Date of the first contact (YYYY-MM-DD)")
        child.sendline("2025-01-06")
        child.expect_exact("The client's request for service: ")
        child.sendcontrol("c")
        child.expect_exact("Cancelled: Nothing was changed.")
        status = finish(child)

        assert status == 130
        assert cli.events(case_id) == before
        assert "Traceback" not in plain(child.before or "")

    def test_concurrent_change_is_refused(self, cli: Cli):
        """A change made while the worker answers makes the step fail cleanly."""
        case_id = cli.open()
        cli.record(case_id, "engagement")

        child = spawn(cli, case_id)
        child.expect_exact("Choose (1-3): ")
        child.sendline("2")
        child.expect_exact("Note (optional, Enter to skip): ")
        child.sendline("")
        child.expect_exact("Store this? [y/n]: ")
        cli.record(case_id, "engagement", {**_engagement(), "request": "Changed."})
        child.sendline("y")
        child.expect_exact("was changed by someone else")
        status = finish(child)

        assert status == 1
        assert cli.events(case_id) == 3
        assert shown(cli, case_id)["stage"] == "engagement"


def _engagement() -> dict[str, Any]:
    from tests.cli._support import COMPLETE  # noqa: PLC0415

    return dict(COMPLETE["engagement"])
