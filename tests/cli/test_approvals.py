"""``case approve``, ``case reject`` and ``case pending`` end to end."""

from __future__ import annotations

from pathlib import Path

from tests.cli._support import Cli

GATED = """
format = 1
extends = "helping-process@2"
name = "lks-mawar"
version = 1

[[gates]]
command = "terminate"
approver = "supervisor"
"""
SUPERVISOR = ("--actor", "penyelia-2", "--role", "supervisor")


def _requested(cli: Cli, tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "mawar.toml"
    path.write_text(GATED, encoding="utf-8")
    assert cli.run("process", "install", str(path)).exit_code == 0
    case_id = cli.json("case", "open", "--client", "K-1", "--process", "lks-mawar")[
        "case_id"
    ]
    data = cli.json(
        "case", "terminate", case_id, "--reason", "client_request", "--note", "Wish."
    )
    assert data["pending"] is True
    assert (data["stage"], data["requested"], data["approver"]) == (
        "engagement",
        "terminate",
        "supervisor",
    )
    return case_id, data["request"]


class TestApprovals:
    def test_pending_then_approved_by_a_supervisor(self, cli: Cli, tmp_path: Path):
        """A supervisor sees the request, approves it, and the case ends."""
        case_id, number = _requested(cli, tmp_path)

        waiting = cli.json(*SUPERVISOR, "case", "pending")["requests"]
        mine = cli.json("case", "pending")["requests"]
        approved = cli.json(
            *SUPERVISOR, "case", "approve", case_id, str(number), "--note", "Agreed."
        )

        assert [(r["case_id"], r["request"]) for r in waiting] == [(case_id, number)]
        assert waiting[0]["requested_by"]["id"] == "worker-1"
        assert mine == []
        assert approved["stage"] == "termination"
        assert cli.json("audit", "verify")["ok"] is True

    def test_self_approval_and_wrong_role_are_refusals(self, cli: Cli, tmp_path: Path):
        """The requester's own approval, or a worker's, is refused with exit 1."""
        case_id, number = _requested(cli, tmp_path)

        own = cli.run(
            "--role", "supervisor", "case", "approve", case_id, str(number),
            "--note", "Mine.", fails=True,
        )  # fmt: skip
        worker = cli.run(
            "--actor", "budi", "case", "approve", case_id, str(number),
            "--note", "OK.", fails=True, lang="id",
        )  # fmt: skip

        assert own.exit_code == worker.exit_code == 1
        assert "someone else must approve it" in own.stderr
        assert "--role supervisor" in worker.stderr
        assert "Traceback" not in own.stderr + worker.stderr

    def test_rejected(self, cli: Cli, tmp_path: Path):
        """A rejected request leaves the case where it was and awaits nobody."""
        case_id, number = _requested(cli, tmp_path)

        result = cli.run(
            *SUPERVISOR, "case", "reject", case_id, str(number), "--note", "Not yet."
        )
        shown = cli.json("case", "show", case_id)

        assert result.exit_code == 0
        assert "rejected" in result.stdout
        assert shown["stage"] == "engagement"
        assert cli.json(*SUPERVISOR, "case", "pending") == {"requests": []}

    def test_a_bad_request_number_is_bad_input(self, cli: Cli, tmp_path: Path):
        """A request number that is not a number is a usage error (exit 2)."""
        case_id, _ = _requested(cli, tmp_path)

        result = cli.run(
            *SUPERVISOR, "case", "approve", case_id, "x", "--note", "?", fails=True
        )

        assert result.exit_code == 2

    def test_case_requests_lists_the_case_s_pending_requests(
        self, cli: Cli, tmp_path: Path
    ):
        """Whoever reads the case sees its requests and who approves them."""
        case_id, number = _requested(cli, tmp_path)

        listed = cli.json("case", "requests", case_id)["requests"]
        text = cli.run("case", "requests", case_id)

        assert [(r["request"], r["approver"]) for r in listed] == [
            (number, "supervisor")
        ]
        assert text.exit_code == 0
        assert "Supervisor" in text.stdout
