"""``staff add/list/set-role/deactivate``, ``audit access`` and refusals."""

from __future__ import annotations

import pytest

from tests.cli._support import Cli


def _as(actor: str, *args: str) -> tuple[str, ...]:
    """The global option naming another actor than the default worker."""
    return ("--actor", actor, *args)


@pytest.fixture
def staffed(cli: Cli) -> Cli:
    """A roster of an admin (boss), worker-1 and an auditor."""
    for member, roles in (
        ("boss", ["admin"]),
        ("worker-1", ["worker"]),
        ("audi", ["auditor"]),
    ):
        flags = [part for role in roles for part in ("--role", role)]
        result = cli.run(*_as("boss", "staff", "add", member, "--name", member, *flags))
        assert result.exit_code == 0, result.stderr
    return cli


class TestRoster:
    def test_info_says_actors_are_not_checked_while_the_roster_is_empty(self, cli):
        """The info command names the empty-roster mode, in text and JSON."""
        result = cli.run("info")

        assert "not checked (the staff roster is empty)" in result.stdout
        assert cli.json("info")["actors_checked"] is False

    def test_the_first_member_must_be_an_admin(self, cli):
        """A worker as the first member is refused (exit 1) in both languages."""
        english = cli.run(
            "staff", "add", "w", "--name", "W", "--role", "worker", fails=True
        )
        indonesian = cli.run(
            "staff",
            "add",
            "w",
            "--name",
            "W",
            "--role",
            "worker",
            lang="id",
            fails=True,
        )

        assert english.exit_code == 1
        assert "must be an admin" in english.stderr
        assert indonesian.exit_code == 1
        assert "harus admin" in indonesian.stderr
        assert cli.json("staff", "list")["members"] == []

    def test_add_set_role_deactivate_and_list(self, staffed):
        """Roster changes show in the list, with every role and the active flag."""
        staffed.run(
            *_as(
                "boss",
                "staff",
                "set-role",
                "worker-1",
                "--role",
                "worker",
                "--role",
                "supervisor",
            )
        )
        staffed.run(*_as("boss", "staff", "deactivate", "audi", "--note", "Retired."))

        listed = staffed.json("staff", "list")

        assert listed["checked"] is True
        assert [(m["id"], m["roles"], m["active"]) for m in listed["members"]] == [
            ("audi", ["auditor"], False),
            ("boss", ["admin"], True),
            ("worker-1", ["supervisor", "worker"], True),
        ]
        assert "active" in staffed.run("staff", "list").stdout
        assert (
            "checked against the staff roster (2 active)" in staffed.run("info").stdout
        )

    def test_only_an_admin_changes_the_roster(self, staffed):
        """The worker may not add a member."""
        result = staffed.run(
            "staff", "add", "x", "--name", "X", "--role", "worker", fails=True
        )

        assert result.exit_code == 1
        assert "worker-1 (worker) may not change the staff roster" in result.stderr

    def test_deactivating_needs_a_note(self, staffed):
        """A blank note is bad input (exit 2)."""
        result = staffed.run(
            *_as("boss", "staff", "deactivate", "audi", "--note", " "), fails=True
        )

        assert result.exit_code == 2


class TestRefusals:
    def test_an_unknown_actor_is_refused_in_both_languages(self, staffed):
        """An actor not on the roster cannot open a case (exit 1)."""
        english = staffed.run(
            *_as("nobody", "case", "open", "--client", "K"), fails=True
        )
        indonesian = staffed.run(
            *_as("nobody", "case", "open", "--client", "K"), lang="id", fails=True
        )

        assert english.exit_code == 1
        assert "nobody is not on the staff roster" in english.stderr
        assert "tidak ada dalam daftar petugas" in indonesian.stderr
        assert "Traceback" not in english.output
        assert staffed.json("case", "list")["cases"] == []

    def test_a_deactivated_worker_is_refused(self, staffed):
        """After deactivation the worker can no longer move their case."""
        case_id = staffed.open()
        staffed.run(*_as("boss", "staff", "deactivate", "worker-1", "--note", "Left."))

        result = staffed.run("case", "move", case_id, "intake", fails=True)

        assert result.exit_code == 1
        assert "deactivated" in result.stderr

    def test_the_auditor_reads_but_never_changes(self, staffed):
        """The auditor may show a case, not record on it."""
        case_id = staffed.open()

        shown = staffed.run(*_as("audi", "case", "show", case_id))
        refused = staffed.run(
            *_as(
                "audi",
                "case",
                "terminate",
                case_id,
                "--reason",
                "client_request",
                "--note",
                "x",
            ),
            fails=True,
        )

        assert shown.exit_code == 0
        assert refused.exit_code == 1
        assert "audi (auditor) may not terminate a case" in refused.stderr

    def test_a_declared_role_not_held_is_refused(self, staffed):
        """--role supervisor is refused for a member who is only a worker."""
        result = staffed.run(
            "--role", "supervisor", "case", "open", "--client", "K", fails=True
        )

        assert result.exit_code == 1
        assert "does not hold the role declared" in result.stderr

    def test_a_token_is_issued_only_to_an_active_member(self, staffed):
        """The admin issues tokens to members, never to strangers."""
        issued = staffed.run(*_as("boss", "staff", "token", "audi"))
        stranger = staffed.run(*_as("boss", "staff", "token", "nobody"), fails=True)
        by_worker = staffed.run("staff", "token", "audi", fails=True)

        assert issued.exit_code == 0
        assert stranger.exit_code == 1
        assert "not an active member" in stranger.stderr
        assert by_worker.exit_code == 1


class TestAuditAccess:
    def test_every_kind_of_read_is_listed(self, staffed, tmp_path):
        """show, history, export and report each leave an entry naming who and what."""
        case_id = staffed.open()
        staffed.run(*_as("audi", "case", "show", case_id))
        staffed.run(*_as("audi", "case", "history", case_id))
        staffed.run(
            *_as(
                "audi",
                "audit",
                "export",
                "--case",
                case_id,
                "-o",
                str(tmp_path / "x.jsonl"),
            )
        )
        staffed.run(*_as("boss", "audit", "report", "-o", str(tmp_path / "r.txt")))
        staffed.run("case", "list")  # a list is not a read of a case

        entries = staffed.json(*_as("audi", "audit", "access"))["entries"]
        text = staffed.run(*_as("audi", "audit", "access", case_id)).stdout

        assert [(e["actor"], e["read"], e["case_id"]) for e in entries] == [
            ("audi", "show", case_id),
            ("audi", "history", case_id),
            ("audi", "export", case_id),
            ("boss", "report", None),
        ]
        assert all(e["at"].endswith("+00:00") for e in entries)
        assert "(every case)" in text
        assert text.count(case_id) == 3
        assert staffed.verify() == []

    def test_an_empty_log_says_so(self, cli):
        """Before any read, audit access says nobody read a case."""
        assert "Nobody has read a case yet." in cli.run("audit", "access").stdout


class TestReportSaysWhetherActorsAreChecked:
    def test_the_report_says_actors_are_not_checked_without_a_roster(self, cli):
        """An empty roster is named in the report's text and JSON."""
        text = cli.run("audit", "report").stdout
        data = cli.json("audit", "report", "--format", "json")

        assert "Actors: not checked (the staff roster is empty)" in text
        assert data["actors_checked"] is False

    def test_the_report_says_actors_are_checked_with_a_roster(self, staffed):
        """With a roster the report says its actors were checked."""
        text = staffed.run(*_as("boss", "audit", "report")).stdout

        assert "Actors: checked against the staff roster" in text
