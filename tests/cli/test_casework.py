"""``case assign/refer/transfer/consent``, the worker of record, sharing exports."""

from __future__ import annotations

import pytest

from tests.cli._support import Cli


def _as(actor: str, *args: str) -> tuple[str, ...]:
    """The global option naming another actor than the default worker."""
    return ("--actor", actor, *args)


@pytest.fixture
def staffed(cli: Cli) -> Cli:
    """A roster of an admin, two workers and a supervisor."""
    for member, role in (
        ("boss", "admin"),
        ("worker-1", "worker"),
        ("budi", "worker"),
        ("sri", "supervisor"),
    ):
        result = cli.run(
            *_as("boss", "staff", "add", member, "--name", member, "--role", role)
        )
        assert result.exit_code == 0, result.stderr
    return cli


class TestAssign:
    def test_show_and_list_name_the_worker_of_record(self, cli):
        """The opener holds the case; an assignment moves it, in text and JSON."""
        case_id = cli.open()

        assigned = cli.json(
            *_as("sri", "case", "assign", case_id, "--worker", "budi"),
            "--reason",
            "client_dislikes_worker",
            "--note",
            "The client asked for another worker.",
        )
        shown = cli.json("case", "show", case_id)
        text = cli.run("case", "show", case_id).stdout
        listed = cli.json("case", "list", "--worker", "budi")["cases"]
        opener = cli.json("case", "list", "--worker", "worker-1")["cases"]

        assert (assigned["worker"], assigned["reason"], assigned["seq"]) == (
            "budi",
            "client_dislikes_worker",
            2,
        )
        assert shown["worker"] == "budi"
        assert "Worker of record: budi" in text
        assert [case["case_id"] for case in listed] == [case_id]
        assert opener == []

    def test_show_offers_reassignment_for_a_client_who_dislikes_the_worker(self, cli):
        """The next moves name reassignment as the way to keep the service."""
        case_id = cli.open()

        text = cli.run("case", "show", case_id).stdout

        assert "--reason client_dislikes_worker" in " ".join(text.split())

    def test_someone_elses_case_is_refused_naming_the_worker(self, staffed):
        """Exit 1, naming who is assigned, in English and Indonesian."""
        case_id = staffed.open()

        english = staffed.run(
            *_as("budi", "case", "move", case_id, "intake"), fails=True
        )
        indonesian = staffed.run(
            *_as("budi", "case", "move", case_id, "intake"), lang="id", fails=True
        )

        assert english.exit_code == 1
        assert "worker of record is worker-1" in english.stderr
        assert indonesian.exit_code == 1
        assert "pekerja penanggung jawab kasus ini adalah worker-1" in (
            indonesian.stderr
        )
        assert staffed.events(case_id) == 1

    def test_a_worker_may_not_assign(self, staffed):
        """Assignment is a supervisor's or an admin's: a worker gets exit 1."""
        case_id = staffed.open()

        result = staffed.run(
            "case", "assign", case_id, "--worker", "budi", "--note", "Mine.", fails=True
        )

        assert result.exit_code == 1
        assert staffed.events(case_id) == 1

    def test_an_unknown_reason_is_bad_input(self, cli):
        """A reason that is no code is refused with exit 2."""
        case_id = cli.open()

        result = cli.run(
            *_as("sri", "case", "assign", case_id, "--worker", "budi"),
            "--reason",
            "tired",
            "--note",
            "x",
            fails=True,
        )

        assert result.exit_code == 2


class TestReferTransferConsent:
    def test_a_referral_needs_consent_then_the_termination_links_to_it(self, cli):
        """Refused (exit 1) without consent; with it, recorded and linked."""
        case_id = cli.open()
        refused = cli.run(
            "case", "refer", case_id, "--to", "Dinsos Kota", "--note", "x", fails=True
        )

        consent = cli.json(
            "case", "consent", case_id, "--purpose", "referral", "--given"
        )
        referred = cli.json(
            "case", "refer", case_id, "--to", "Dinsos Kota", "--note", "Shelter."
        )
        cli.run(
            "case",
            "terminate",
            case_id,
            "--reason",
            "service_available_elsewhere",
            "--note",
            "Referred.",
        )
        events = cli.json("case", "history", case_id)["events"]
        shown = cli.json("case", "show", case_id)

        assert refused.exit_code == 1
        assert "consent for referral" in refused.stderr
        assert (consent["purpose"], consent["given"]) == ("referral", True)
        assert referred["referral_to"] == "Dinsos Kota"
        assert [event["action"] for event in events] == [
            "open",
            "consent",
            "refer",
            "terminate",
        ]
        assert events[1]["consent"]["purpose"] == "referral"
        assert (events[3]["referral_seq"], events[3]["referral_to"]) == (
            3,
            "Dinsos Kota",
        )
        assert "referral_seq" not in events[0]
        assert shown["referral"] == {"seq": 3, "to": "Dinsos Kota"}
        assert shown["consents"] == {"referral": True}
        assert cli.verify() == []

    def test_a_transfer_names_the_unit(self, cli):
        """``case show`` names the unit; the history keeps it."""
        case_id = cli.open()

        moved = cli.json(
            *_as("sri", "case", "transfer", case_id, "--to", "UNIT-B"),
            "--note",
            "Moved.",
        )
        text = cli.run("case", "show", case_id).stdout
        history = cli.run("case", "history", case_id).stdout

        assert moved["unit"] == "UNIT-B"
        assert "Unit: UNIT-B" in text
        assert "UNIT-B" in history

    @pytest.mark.parametrize(
        "args",
        [
            ("--purpose", "marriage", "--given"),
            ("--purpose", "services", "--given", "--on", "yesterday"),
            ("--purpose", "services"),
        ],
    )
    def test_a_malformed_consent_is_bad_input(self, cli, args):
        """An unknown purpose, a bad day or no given/withdrawn: exit 2."""
        case_id = cli.open()

        result = cli.run("case", "consent", case_id, *args, fails=True)

        assert result.exit_code == 2
        assert cli.events(case_id) == 1

    def test_an_export_for_sharing_needs_consent(self, cli, tmp_path):
        """Without consent for data sharing exit 1 and no file; with it, written."""
        case_id = cli.open()
        path = tmp_path / "shared.jsonl"

        refused = cli.run(
            "audit",
            "export",
            "--case",
            case_id,
            "--for-sharing",
            "-o",
            str(path),
            fails=True,
        )
        every = cli.run(
            "audit", "export", "--all", "--for-sharing", "-o", str(path), fails=True
        )
        cli.run(
            "case",
            "consent",
            case_id,
            "--purpose",
            "data_sharing",
            "--given",
            "--note",
            "Signed form.",
        )
        written = cli.run(
            "audit", "export", "--case", case_id, "--for-sharing", "-o", str(path)
        )

        assert refused.exit_code == 1
        assert "consent for sharing data" in refused.stderr
        assert every.exit_code == 2
        assert written.exit_code == 0, written.stderr
        assert path.read_text().count('"type":"event"') == 2
