"""A whole ``rehsos-pp39@1`` case through the command line, on every backend.

The residential rehabilitation profile of PP 39/2012: admission, problem
disclosure closed by a case conference, planning, problem solving,
resocialization, termination, aftercare after closure, and closed; each
check refuses until its record is there, and ``lost_contact`` ends
aftercare early.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from helping_process.testing import activity_data
from helping_process.testing import aftercare_plan_data
from helping_process.testing import assessment_data
from helping_process.testing import case_conference_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import follow_up_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data
from helping_process.testing import resocialization_data
from tests.cli._support import Cli

#: A day in the past, so no record is dated in the future.
PAST = "2025-01-03"


@pytest.fixture
def cli(store_url: str, tmp_path: Path) -> Cli:
    """The command line on a database of each backend."""
    return Cli(store_url, tmp_path / "home")


def _record(cli: Cli, case_id: str, kind: str, data: Any) -> None:
    result = cli.run("case", "record", case_id, kind, "--data", json.dumps(data))
    assert result.exit_code == 0, result.stderr


#: Who signs a closure off: the profile gates every termination for a supervisor.
SUPERVISOR = ("--actor", "penyelia-1", "--role", "supervisor")


def _ok(cli: Cli, *args: str) -> None:
    """Run a command; a termination awaits, and then gets, a supervisor's approval."""
    result = cli.run("--json", *args)
    assert result.exit_code == 0, result.stderr
    if args[:2] != ("case", "terminate"):
        return
    asked = json.loads(result.stdout)
    assert asked["pending"] is True, asked
    assert (asked["requested"], asked["approver"]) == ("terminate", "supervisor")
    approved = cli.run(
        "--json", *SUPERVISOR, "case", "approve", asked["case_id"],
        str(asked["request"]), "--note", "Signed off by the head of unit.",
    )  # fmt: skip
    assert approved.exit_code == 0, approved.stdout


def _refused(cli: Cli, *args: str) -> str:
    result = cli.run("--json", *args, fails=True)
    assert result.exit_code == 1, result.stdout
    error = json.loads(result.stdout)["error"]
    return str(error["message"])


def _open(cli: Cli) -> str:
    opened = cli.json("case", "open", "--client", "PM-1", "--process", "rehsos-pp39")
    return str(opened["case_id"])


def _to_resocialization(cli: Cli) -> str:
    """Open a case and take it, with every check refused first, to resocialization."""
    case_id = _open(cli)
    _record(cli, case_id, "engagement", engagement_data(first_contact_on=PAST))
    _record(cli, case_id, "intake", intake_data())
    assert "contract.primary" in _refused(cli, "case", "move", case_id, "assessment")
    _record(
        cli,
        case_id,
        "contract",
        contract_data(valid_from="2025-01-01", valid_until="2099-12-31"),
    )
    _ok(cli, "case", "move", case_id, "assessment")
    _record(cli, case_id, "assessment", assessment_data())
    assert "[case_conference.record]" in _refused(
        cli, "case", "move", case_id, "planning"
    )
    _record(cli, case_id, "case_conference", case_conference_data(held_on=PAST))
    _ok(cli, "case", "move", case_id, "planning")
    _record(cli, case_id, "plan", plan_data())
    _ok(cli, "case", "move", case_id, "intervention")
    _record(cli, case_id, "activity", activity_data(on=PAST))
    missing = _refused(cli, "case", "move", case_id, "resocialization")
    assert "[evaluation.record]" in missing
    _record(cli, case_id, "evaluation", evaluation_data())
    _ok(cli, "case", "move", case_id, "resocialization")
    return case_id


class TestWholeCase:
    def test_open_to_closed(self, cli: Cli):
        """A case runs open → aftercare → closed, each check refusing first."""
        case_id = _to_resocialization(cli)
        terminate = ("case", "terminate", case_id, "--reason", "goals_achieved")
        assert "[resocialization.record]" in _refused(cli, *terminate, "--note", "x")
        _record(cli, case_id, "resocialization", resocialization_data(community=False))
        missing = _refused(cli, *terminate, "--note", "Goals met.")
        assert "[resocialization.community_prepared]" in missing
        assert "family_prepared" not in missing
        _record(cli, case_id, "resocialization", resocialization_data())
        _ok(cli, *terminate, "--note", "Goals met; family and village ready.")
        assert "[aftercare_plan.record]" in _refused(
            cli, "case", "move", case_id, "aftercare"
        )
        _record(cli, case_id, "aftercare_plan", aftercare_plan_data(until=PAST))
        _ok(cli, "case", "move", case_id, "aftercare")
        _record(cli, case_id, "follow_up", follow_up_data(on=PAST))
        _ok(cli, "case", "move", case_id, "closed")

        shown = cli.json("case", "show", case_id)
        history = cli.json("case", "history", case_id)
        assert shown["stage"] == "closed"
        assert shown["process"]["name"] == "rehsos-pp39"
        assert shown["residential"] is True
        # The request and its approved effect both name the reason.
        assert [
            e["reason"] for e in history["events"] if e["action"] == "terminate"
        ] == ["goals_achieved"]
        assert [e["to_stage"] for e in history["events"] if e["action"] == "move"] == [
            "assessment",
            "planning",
            "intervention",
            "resocialization",
            "aftercare",
            "closed",
        ]
        assert cli.verify() == []

    def test_aftercare_runs_until_its_day(self, cli: Cli):
        """Aftercare does not close before the plan's day; lost contact ends it."""
        case_id = _to_resocialization(cli)
        _record(cli, case_id, "resocialization", resocialization_data())
        _ok(cli, "case", "terminate", case_id, "--reason", "goals_achieved",
            "--note", "Goals met.")  # fmt: skip
        _record(cli, case_id, "aftercare_plan", aftercare_plan_data(until="2099-12-31"))
        _ok(cli, "case", "move", case_id, "aftercare")

        refused = _refused(cli, "case", "move", case_id, "closed")
        next_moves = cli.json("case", "show", case_id)["next"]
        _ok(cli, "case", "terminate", case_id, "--reason", "lost_contact",
            "--note", "No answer to three visits.")  # fmt: skip

        assert "[aftercare.period_ended]" in refused
        assert next_moves["moves"] == [
            {
                "target": "closed",
                "allowed": False,
                "missing": ["aftercare.period_ended"],
                "note_required": False,
            }
        ]
        assert {t["reason"] for t in next_moves["terminations"]} == {
            "client_died",
            "lost_contact",
        }
        events = cli.json("case", "history", case_id)["events"]
        assert (events[-1]["to_stage"], events[-1]["reason"]) == (
            "closed",
            "lost_contact",
        )
        assert cli.verify() == []


class TestTerminationRules:
    def test_lost_contact_only_in_aftercare(self, cli: Cli):
        """lost_contact is a reason of aftercare alone."""
        case_id = _open(cli)

        message = _refused(cli, "case", "terminate", case_id, "--reason",
                           "lost_contact", "--note", "Gone.")  # fmt: skip

        assert message == (
            "The termination reason 'Contact with the client lost' is not allowed "
            "in Engagement."
        )

    def test_early_termination_closes_without_aftercare(self, cli: Cli):
        """Running away ends the case at once: closed, no aftercare."""
        case_id = _open(cli)

        _ok(cli, "case", "terminate", case_id, "--reason", "client_absconded",
            "--sub-reason", "dislikes_institutional_life",
            "--note", "Left at night.")  # fmt: skip

        shown = cli.json("case", "show", case_id)
        assert shown["stage"] == "closed"
        assert shown["next"]["moves"][0]["target"] == "engagement"

    def test_planned_termination_only_from_resocialization(self, cli: Cli):
        """goals_achieved is not allowed before resocialization."""
        case_id = _open(cli)

        message = _refused(cli, "case", "terminate", case_id, "--reason",
                           "goals_achieved", "--note", "x")  # fmt: skip

        assert "not allowed" in message

    def test_every_case_is_residential(self, cli: Cli):
        """Opening without --residential opens a residential case."""
        case_id = _open(cli)

        assert cli.json("case", "show", case_id)["residential"] is True


class TestReportAndGraph:
    def test_report_counts_the_profiles_stages(self, cli: Cli):
        """The report lists the profile's stages and reasons with their counts."""
        closed = _open(cli)
        _ok(cli, "case", "terminate", closed, "--reason", "client_request",
            "--note", "Went home.")  # fmt: skip
        _to_resocialization(cli)

        report = cli.json("audit", "report", "--format", "json")

        by_stage = report["cases_by_stage"]
        assert by_stage["closed"] == 1
        assert by_stage["resocialization"] == 1
        assert by_stage["engagement"] == 0
        assert report["open_cases"] == 1
        assert report["terminations"]["by_reason"]["client_request"] == 1
        assert report["terminations"]["by_reason"]["lost_contact"] == 0
        assert "resocialization" in report["time_in_stage"]
        assert report["findings"]["items"] == []

    def test_graph(self, cli: Cli):
        """The graph of the profile shows aftercare after termination."""
        case_id = _open(cli)

        mermaid = cli.run("process", "graph", "rehsos-pp39", "--format", "mermaid")
        dot = cli.run("process", "graph", "--case", case_id, "--format", "dot")

        assert mermaid.exit_code == 0, mermaid.stderr
        assert '    termination -->|"advance"| aftercare' in mermaid.stdout
        assert dot.exit_code == 0, dot.stderr
        assert "aftercare" in dot.stdout


def test_records_are_dated_today_or_before(cli: Cli):
    """A follow-up or case conference in the future is refused."""
    case_id = _open(cli)
    _record(cli, case_id, "engagement", engagement_data(first_contact_on=PAST))
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()

    result = cli.run("case", "record", case_id, "follow_up", "--data",
                     json.dumps(follow_up_data(on=tomorrow)), fails=True)  # fmt: skip

    assert result.exit_code in {1, 2}


class TestStep:
    def test_the_case_conference_is_asked_for(self, cli: Cli):
        """The step offers the missing case conference first and asks each field."""
        case_id = _open(cli)
        _record(cli, case_id, "engagement", engagement_data(first_contact_on=PAST))
        _record(cli, case_id, "intake", intake_data())
        _record(cli, case_id, "contract", contract_data(valid_until="2099-12-31"))
        _ok(cli, "case", "move", case_id, "assessment")
        _record(cli, case_id, "assessment", assessment_data())
        answers = ["1", PAST, "Social worker", "Psychologist", "", "Training.", "y"]

        result = cli.run("case", "step", case_id, input="\n".join(answers) + "\n")

        assert result.exit_code == 0, result.stderr
        assert "  1) Record: Case conference (needed)" in result.stdout
        assert cli.json("case", "show", case_id)["records"]["case_conference"] == {
            "held_on": PAST,
            "participants": ["Social worker", "Psychologist"],
            "conclusion": "Training.",
        }

    def test_aftercare_is_reached_and_followed_up(self, cli: Cli):
        """From termination the step moves on to aftercare, and asks a follow-up."""
        case_id = _to_resocialization(cli)
        _record(cli, case_id, "resocialization", resocialization_data())
        _ok(cli, "case", "terminate", case_id, "--reason", "no_meaningful_progress",
            "--note", "Stalled; going home.")  # fmt: skip
        plan = ["1", "2099-12-31", "14", "y"]
        move = ["2", "", "y"]
        follow_up = ["1", PAST, "2", "Working at the shop.", "y", "y"]

        results = [
            cli.run("case", "step", case_id, input="\n".join(answers) + "\n")
            for answers in (plan, move, follow_up)
        ]

        assert [r.exit_code for r in results] == [0, 0, 0], results[-1].stderr
        assert "  1) Record: Aftercare plan (needed)" in results[0].stdout
        assert "  2) Move to Aftercare" in results[1].stdout
        records = cli.json("case", "show", case_id)["records"]
        assert records["aftercare_plan"] == {
            "until": "2099-12-31",
            "contact_every_days": 14,
        }
        assert records["follow_up"] == {
            "on": PAST,
            "mode": "phone",
            "situation": "Working at the shop.",
            "independent": True,
        }
