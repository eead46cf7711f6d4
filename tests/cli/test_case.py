"""``helping-process case …`` end to end on a SQLite file of the test's own."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from helping_process import builtin
from tests.cli._support import COMPLETE
from tests.cli._support import Cli


class TestOpen:
    def test_json_is_exactly_id_stage_episode(self, cli: Cli):
        """Opening with --json prints exactly the id, the stage and the episode."""
        result = cli.run("--json", "case", "open", "--client", "KLIEN-7")

        data = json.loads(result.stdout)

        assert result.exit_code == 0
        assert sorted(data) == ["case_id", "episode", "stage"]
        assert (data["stage"], data["episode"]) == ("engagement", 1)

    def test_text_names_the_case_and_the_stage(self, cli: Cli):
        """Opening in text mode names the new case and its stage label."""
        result = cli.run("case", "open", "--client", "KLIEN-7", lang="id")

        case_id = cli.json("case", "list")["cases"][0]["case_id"]

        assert result.exit_code == 0
        assert case_id in result.stdout
        assert "Engagement (kontak awal)" in result.stdout
        assert result.stderr == ""

    def test_residential_is_kept(self, cli: Cli):
        """A case opened with --residential says so when shown."""
        case_id = cli.open(residential=True)

        assert cli.json("case", "show", case_id)["residential"] is True

    def test_missing_client_is_a_usage_error(self, cli: Cli):
        """Opening without --client is bad input, in the chosen language."""
        english = cli.run("case", "open", fails=True)
        indonesian = cli.run("case", "open", fails=True, lang="id")

        assert (english.exit_code, indonesian.exit_code) == (2, 2)
        assert english.stderr.startswith("Error: '--client' is required.")
        assert indonesian.stderr.startswith("Kesalahan: '--client' wajib diisi.")
        assert english.stdout == indonesian.stdout == ""


class TestRecord:
    def test_data_is_recorded(self, cli: Cli):
        """A record given with --data is in force afterwards."""
        case_id = cli.open()

        result = cli.run(
            "case", "record", case_id, "engagement", "--data",
            json.dumps(COMPLETE["engagement"]),
        )  # fmt: skip

        shown = cli.json("case", "show", case_id)
        assert result.exit_code == 0
        assert shown["records"]["engagement"] == COMPLETE["engagement"]
        assert "Engagement record recorded" in result.stdout

    def test_file_is_recorded(self, cli: Cli, tmp_path: Path):
        """A record given in a file is read from the file."""
        case_id = cli.open()
        path = tmp_path / "engagement.json"
        path.write_text(json.dumps(COMPLETE["engagement"]), encoding="utf-8")

        data = cli.json("case", "record", case_id, "engagement", "--file", str(path))

        assert data == {
            "case_id": case_id,
            "stage": "engagement",
            "episode": 1,
            "seq": 2,
            "record_kind": "engagement",
        }

    def test_dash_reads_standard_input(self, cli: Cli):
        """--file - reads the record from standard input."""
        case_id = cli.open()

        result = cli.run(
            "case", "record", case_id, "engagement", "--file", "-",
            input=json.dumps(COMPLETE["engagement"]),
        )  # fmt: skip

        assert result.exit_code == 0
        assert cli.events(case_id) == 2

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ("{", "data"),
            ("[1, 2]", "data"),
            ('{"a": NaN}', "data"),
            ('{"first_contact_on": "2025-13-01"}', "first_contact_on"),
            ('{"request": "x"}', "first_contact_on"),
        ],
    )
    def test_malformed_input_is_bad_input(self, cli: Cli, payload: str, field: str):
        """Malformed JSON or a malformed record exits 2 and stores nothing."""
        case_id = cli.open()

        result = cli.run(
            "--json", "case", "record", case_id, "engagement", "--data", payload,
            fails=True,
        )  # fmt: skip

        error = json.loads(result.stdout)["error"]
        assert result.exit_code == 2
        assert error["field"] == field
        assert len(result.stderr.splitlines()) == 1
        assert cli.events(case_id) == 1

    def test_record_invalid_names_the_field_in_both_languages(self, cli: Cli):
        """A malformed record's error names the field, worded per language."""
        case_id = cli.open()
        bad = json.dumps({**COMPLETE["engagement"], "referral_source": "aliens"})

        english = cli.run(
            "case", "record", case_id, "engagement", "--data", bad, fails=True
        )
        indonesian = cli.run(
            "case", "record", case_id, "engagement", "--data", bad, fails=True,
            lang="id",
        )  # fmt: skip

        assert english.stderr == (
            "Error: Engagement record: the field 'referral_source' is not a known "
            "code ('aliens'), one of: self (Self), family (Family), community "
            "(Community), agency (Agency), court (Court), police (Police), outreach "
            "(Outreach), other (Other).\n"
        )
        assert indonesian.stderr.startswith(
            "Kesalahan: Catatan kontak awal: isian 'referral_source' bukan kode"
        )

    def test_unknown_kind_is_bad_input(self, cli: Cli):
        """An unknown record kind exits 2 and lists the kinds."""
        case_id = cli.open()

        result = cli.run(
            "--json", "case", "record", case_id, "diary", "--data", "{}", fails=True
        )

        assert result.exit_code == 2
        assert json.loads(result.stdout)["error"]["kind"] == "InvalidInputError"
        assert "Use one of: engagement, intake" in result.stderr

    def test_data_and_file_together_are_refused(self, cli: Cli):
        """Giving both --data and --file (or neither) is a usage error."""
        case_id = cli.open()

        both = cli.run(
            "case", "record", case_id, "intake", "--data", "{}", "--file", "-",
            fails=True,
        )  # fmt: skip
        neither = cli.run("--json", "case", "record", case_id, "intake", fails=True)

        assert (both.exit_code, neither.exit_code) == (2, 2)
        assert json.loads(neither.stdout)["error"]["kind"] == "usage"

    def test_unreadable_file_is_bad_input(self, cli: Cli, tmp_path: Path):
        """A file that cannot be read exits 2 with one line."""
        case_id = cli.open()

        result = cli.run(
            "case", "record", case_id, "intake", "--file", str(tmp_path / "none"),
            fails=True,
        )  # fmt: skip

        assert result.exit_code == 2
        assert result.stderr.startswith("Error: Cannot read ")
        assert len(result.stderr.splitlines()) == 1

    def test_non_utf8_file_is_bad_input(self, cli: Cli, tmp_path: Path):
        """A file that is not UTF-8 text exits 2."""
        case_id = cli.open()
        path = tmp_path / "latin1.json"
        path.write_bytes(b'{"request": "caf\xe9"}')

        result = cli.run(
            "case", "record", case_id, "engagement", "--file", str(path), fails=True
        )

        assert result.exit_code == 2
        assert "UTF-8" in result.stderr

    def test_record_in_the_wrong_stage_is_refused(self, cli: Cli):
        """A plan in engagement is refused (exit 1), naming the stage."""
        case_id = cli.open()

        result = cli.run(
            "case", "record", case_id, "plan", "--data", json.dumps(COMPLETE["plan"]),
            fails=True,
        )  # fmt: skip

        assert result.exit_code == 1
        assert result.stderr == (
            "Refused: Cannot add an intervention plan while the case is in "
            "Engagement.\n"
        )
        assert cli.events(case_id) == 1


class TestMove:
    def test_forward_move_with_its_record(self, cli: Cli):
        """With the engagement record in force, the case moves to intake."""
        case_id = cli.open()
        cli.record(case_id, "engagement")

        data = cli.json("case", "move", case_id, "intake")

        assert data == {
            "case_id": case_id,
            "stage": "intake",
            "episode": 1,
            "seq": 3,
            "from_stage": "engagement",
        }

    def test_refusal_names_what_is_missing_in_both_languages(self, cli: Cli):
        """A refused move exits 1 and names the missing requirement."""
        case_id = cli.open()

        english = cli.run("case", "move", case_id, "intake", fails=True)
        indonesian = cli.run("case", "move", case_id, "intake", fails=True, lang="id")

        assert (english.exit_code, indonesian.exit_code) == (1, 1)
        assert english.stderr == (
            "Refused: Cannot go from Engagement to Intake; missing: an engagement "
            "record (first contact, request, referral source) [engagement.record].\n"
        )
        assert indonesian.stderr.startswith("Ditolak: Tidak dapat berpindah dari")
        assert "[engagement.record]" in indonesian.stderr
        assert cli.events(case_id) == 1

    def test_refusal_in_json_lists_the_missing_ids(self, cli: Cli):
        """With --json, a refusal is a JSON error object with the missing ids."""
        case_id = cli.walk("contract")
        cli.record(case_id, "contract", {**COMPLETE["contract"], "acceptance": False})

        result = cli.run("--json", "case", "move", case_id, "assessment", fails=True)

        assert result.exit_code == 1
        assert json.loads(result.stdout) == {
            "error": {
                "kind": "RequirementNotMetError",
                "message": (
                    "Cannot go from Contract to Assessment; missing: the contract "
                    "accepted by the client [contract.acceptance]."
                ),
                "missing": ["contract.acceptance"],
            }
        }

    def test_illegal_move_is_refused(self, cli: Cli):
        """Skipping a stage is refused with exit 1."""
        case_id = cli.open()

        result = cli.run("--json", "case", "move", case_id, "planning", fails=True)

        assert result.exit_code == 1
        assert json.loads(result.stdout)["error"]["kind"] == "InvalidTransitionError"

    def test_loop_needs_a_note(self, cli: Cli):
        """Going back from planning to assessment needs --note."""
        case_id = cli.walk("planning")

        refused = cli.run("case", "move", case_id, "assessment", fails=True)
        cli.move(case_id, "assessment", note="The family situation changed.")

        assert refused.exit_code == 1
        assert "[move.note]" in refused.stderr
        assert cli.json("case", "show", case_id)["stage"] == "assessment"

    def test_unknown_stage_is_bad_input(self, cli: Cli):
        """An unknown stage code exits 2, listing the stages."""
        case_id = cli.open()

        result = cli.run("case", "move", case_id, "limbo", fails=True, lang="id")

        assert result.exit_code == 2
        assert result.stderr.startswith(
            "Kesalahan: stage bukan kode yang dikenal ('limbo'). Gunakan salah satu:"
        )

    def test_unknown_case_is_bad_input(self, cli: Cli):
        """A case id that names no case exits 2."""
        result = cli.run("--json", "case", "move", "nope-nope", "intake", fails=True)

        assert result.exit_code == 2
        assert json.loads(result.stdout) == {
            "error": {
                "kind": "UnknownCaseError",
                "message": "No case id is or starts with nope-nope; "
                "'helping-process case list' shows the cases.",
            }
        }
        assert result.stderr == (
            "Error: No case id is or starts with nope-nope; "
            "'helping-process case list' shows the cases.\n"
        )


class TestTerminate:
    def test_early_termination_with_sub_reason_and_referral(self, cli: Cli):
        """beyond_agency_capacity takes its sub-reason and referral."""
        case_id = cli.walk("assessment")

        data = cli.json(
            "case", "terminate", case_id, "--reason", "beyond_agency_capacity",
            "--sub-reason", "needs_other_discipline", "--referral-to", "RSJ",
            "--note", "Needs psychiatric care.",
        )  # fmt: skip

        history = cli.json("case", "history", case_id)["events"]
        assert data["stage"] == "termination"
        assert history[-1]["reason"] == "beyond_agency_capacity"
        assert history[-1]["sub_reason"] == "needs_other_discipline"
        assert history[-1]["referral_to"] == "RSJ"

    def test_unknown_sub_reason_of_a_reason_without_any_is_bad_input(self, cli: Cli):
        """client_died has no sub-reasons: an unknown one is exit 2, not a crash."""
        case_id = cli.open()

        result = cli.run(
            "--json", "case", "terminate", case_id,
            "--reason", "client_died", "--sub-reason", "bogus", "--note", "x",
            fails=True,
        )  # fmt: skip

        assert result.exit_code == 2
        assert json.loads(result.stdout)["error"]["allowed"] == []

    def test_missing_sub_reason_is_refused(self, cli: Cli):
        """Without its sub-reason and referral the termination is refused."""
        case_id = cli.open()

        result = cli.run(
            "--json", "case", "terminate", case_id,
            "--reason", "beyond_agency_capacity", "--note", "x", fails=True,
        )  # fmt: skip

        assert result.exit_code == 1
        assert json.loads(result.stdout)["error"]["missing"] == [
            "termination.sub_reason",
            "termination.referral_to",
        ]

    def test_reason_not_allowed_in_the_stage(self, cli: Cli):
        """goals_achieved from engagement is refused."""
        case_id = cli.open()

        result = cli.run(
            "case", "terminate", case_id, "--reason", "goals_achieved", "--note", "x",
            fails=True,
        )  # fmt: skip

        assert result.exit_code == 1
        assert result.stderr.startswith("Refused: The termination reason")

    def test_absconding_needs_a_residential_case(self, cli: Cli):
        """client_absconded is allowed only for a client living in the panti."""
        home = cli.walk("assessment")
        panti = cli.walk("assessment", residential=True)
        args = ["--reason", "client_absconded", "--sub-reason", "unfriendly_staff"]

        refused = cli.run("case", "terminate", home, *args, "--note", "x", fails=True)
        done = cli.run("case", "terminate", panti, *args, "--note", "Ran away.")

        assert refused.exit_code == 1
        assert done.exit_code == 0
        assert "Client ran away from the institution" in done.stdout

    def test_unknown_reason_and_missing_note_are_bad_input(self, cli: Cli):
        """An unknown reason, or no --note, exits 2."""
        case_id = cli.open()

        unknown = cli.run(
            "case", "terminate", case_id, "--reason", "bored", "--note", "x",
            fails=True,
        )  # fmt: skip
        no_note = cli.run(
            "case", "terminate", case_id, "--reason", "client_request", fails=True
        )

        assert (unknown.exit_code, no_note.exit_code) == (2, 2)
        assert no_note.stderr.startswith("Error: '--note' is required.")


class TestReopen:
    def test_reopen_starts_a_new_episode(self, cli: Cli):
        """A terminated case reopens in engagement as episode 2."""
        case_id = cli.open()
        cli.run(
            "case", "terminate", case_id, "--reason", "client_request", "--note", "x"
        )

        data = cli.json("case", "reopen", case_id, "--note", "The client is back.")
        text = cli.run("case", "show", case_id)

        assert data["stage"] == "engagement"
        assert data["episode"] == 2
        assert "Episode 2" in text.stdout

    def test_reopening_an_open_case_is_refused(self, cli: Cli):
        """Reopening a case that has not ended is refused."""
        case_id = cli.open()

        result = cli.run("case", "reopen", case_id, "--note", "x", fails=True)

        assert result.exit_code == 1


class TestRedact:
    def test_redaction_names_the_events_in_both_languages(self, cli: Cli):
        """A redaction exits 0 and names the case and the events it redacted."""
        case_id = cli.open("KLIEN-RAHASIA")
        cli.record(case_id, "engagement")
        cli.move(case_id, "intake")
        other = cli.open("KLIEN-LAIN")
        cli.record(other, "engagement")

        english = cli.run("case", "redact", case_id, "--note", "UU 27/2022 Pasal 8")
        indonesian = cli.run(
            "case", "redact", other, "--note", "UU 27/2022 Pasal 8", lang="id"
        )

        assert english.exit_code == 0
        assert english.stdout == (
            f"Personal data of case {case_id} redacted from events 1, 2 "
            "(event 4 records the redaction).\n"
        )
        assert indonesian.stdout == (
            f"Data pribadi kasus {other} dihapus dari peristiwa 1, 2 "
            "(peristiwa 3 mencatat penghapusan).\n"
        )
        assert "KLIEN-RAHASIA" not in cli.run("case", "list").stdout

    def test_json_lists_the_redacted_events(self, cli: Cli):
        """With --json, the case's head, the redacted events and the erasure."""
        case_id = cli.open()
        cli.record(case_id, "engagement")
        cli.move(case_id, "intake")

        data = cli.json("case", "redact", case_id, "--note", "UU 27/2022 Pasal 8")
        history = cli.json("case", "history", case_id)["events"]

        assert data == {
            "case_id": case_id,
            "stage": "intake",
            "episode": 1,
            "seq": 4,
            "redacted": [1, 2],
            "erased": True,
        }
        assert [event["action"] for event in history] == [
            "open",
            "record",
            "move",
            "redact",
        ]
        assert [(f.seq, f.kind.value) for f in cli.verify()] == [
            (1, "redacted"),
            (2, "redacted"),
        ]

    def test_nothing_left_to_redact_is_refused_in_both_languages(self, cli: Cli):
        """A second redaction exits 1, says why, and stores nothing."""
        case_id = cli.open()
        cli.run("case", "redact", case_id, "--note", "UU 27/2022 Pasal 8")

        english = cli.run("case", "redact", case_id, "--note", "again", fails=True)
        indonesian = cli.run(
            "case", "redact", case_id, "--note", "again", fails=True, lang="id"
        )
        data = cli.run(
            "--json", "case", "redact", case_id, "--note", "again", fails=True
        )

        assert (english.exit_code, indonesian.exit_code, data.exit_code) == (1, 1, 1)
        assert english.stderr == (
            f"Refused: Case {case_id} holds no personal data left to redact; "
            "nothing was stored.\n"
        )
        assert indonesian.stderr.startswith(f"Ditolak: Kasus {case_id} tidak")
        assert json.loads(data.stdout)["error"]["kind"] == "NothingToRedactError"
        assert cli.events(case_id) == 2

    def test_a_note_is_required(self, cli: Cli):
        """Without --note it is bad input; a blank note is refused; nothing changes."""
        case_id = cli.open()

        missing = cli.run("case", "redact", case_id, fails=True)
        blank = cli.run("case", "redact", case_id, "--note", "  ", fails=True)

        assert (missing.exit_code, blank.exit_code) == (2, 1)
        assert "--note" in missing.stderr
        assert "[redact.note]" in blank.stderr
        assert cli.events(case_id) == 1


class TestShow:
    def test_json_shape(self, cli: Cli):
        """Showing a case in JSON gives the case, its records and its next moves."""
        case_id = cli.walk("evaluation")

        data = cli.json("case", "show", case_id)

        assert sorted(data) == [
            "case_id", "consents", "episode", "next", "process", "records", "referral",
            "residential", "seq", "stage", "unit", "worker",
        ]  # fmt: skip
        assert (data["worker"], data["unit"], data["referral"], data["consents"]) == (
            "worker-1",
            None,
            None,
            {},
        )
        assert data["process"] == {
            "name": "helping-process",
            "version": 2,
            "digest": builtin("helping-process@2").digest,
        }
        assert sorted(data["records"]) == [
            "activity", "assessment", "contract", "engagement", "intake", "plan",
        ]  # fmt: skip
        moves = {move["target"]: move for move in data["next"]["moves"]}
        assert sorted(moves) == ["assessment", "intervention", "planning"]
        assert moves["planning"] == {
            "target": "planning",
            "allowed": False,
            "missing": ["evaluation.record"],
            "note_required": True,
        }
        reasons = {option["reason"]: option for option in data["next"]["terminations"]}
        assert reasons["goals_achieved"]["planned"] is True
        assert reasons["beyond_agency_capacity"]["sub_reasons"] == [
            "mental_disorder",
            "needs_other_discipline",
            "permanent_illness",
        ]
        assert reasons["beyond_agency_capacity"]["referral_required"] is True
        assert "client_absconded" not in reasons

    def test_text_names_missing_requirements_with_labels(self, cli: Cli):
        """Showing a case in text lists each missing requirement's label and id."""
        case_id = cli.open()

        english = cli.run("case", "show", case_id)
        indonesian = cli.run("case", "show", case_id, lang="id")

        assert "[--] intake: Intake" in english.stdout
        assert (
            "an engagement record (first contact, request, referral source) "
            "[engagement.record]" in " ".join(english.stdout.split())
        )
        assert "catatan kontak awal" in indonesian.stdout
        assert "Tahap: Engagement (kontak awal)" in indonesian.stdout

    def test_unique_prefix_names_the_case(self, cli: Cli):
        """A unique prefix of at least four characters stands for the id."""
        case_id = cli.open()

        data = cli.json("case", "show", case_id[:6])
        too_short = cli.run("case", "show", case_id[:3], fails=True)

        assert data["case_id"] == case_id
        assert too_short.exit_code == 2

    def test_text_fits_80_columns(self, cli: Cli):
        """Every line case show prints without record JSON fits 80 columns."""
        case_id = cli.walk("intake")

        result = cli.run("case", "show", case_id, lang="id")

        assert all(
            len(line) <= 80 for line in result.stdout.splitlines() if '": ' not in line
        )


class TestList:
    def test_table_fits_80_columns(self, cli: Cli):
        """The list is a table whose lines fit 80 columns."""
        first = cli.open("A-VERY-LONG-CLIENT-REFERENCE-0001")
        cli.open("KLIEN-2")

        result = cli.run("case", "list")

        lines = result.stdout.splitlines()
        assert lines[0].split() == [
            "id", "client", "stage", "ep", "events", "updated", "(UTC)",
        ]  # fmt: skip
        assert len(lines) == 3
        assert all(len(line) <= 80 for line in lines)
        assert any(line.startswith(first[:8]) for line in lines)
        assert "…" in result.stdout

    def test_the_list_says_it_is_not_verified(self, cli: Cli):
        """The list reads the case rows unverified, and says so in text and JSON."""
        cli.open()

        text = cli.run("case", "list")
        data = cli.json("case", "list")

        assert "Not verified" in text.stderr
        assert "audit verify" in text.stderr
        assert "Not verified" not in text.stdout
        assert data["verified"] is False

    def test_stage_filter_and_json(self, cli: Cli):
        """--stage keeps the cases in that stage; JSON lists them."""
        at_intake = cli.walk("intake")
        cli.open()

        data = cli.json("case", "list", "--stage", "intake")

        assert [case["case_id"] for case in data["cases"]] == [at_intake]
        assert data["cases"][0]["events"] == 3
        assert sorted(data["cases"][0]) == [
            "case_id", "client", "episode", "events", "opened_at", "residential",
            "stage", "updated_at",
        ]  # fmt: skip

    def test_empty_list(self, cli: Cli):
        """An empty database lists no cases, in each language."""
        english = cli.run("case", "list")
        indonesian = cli.run("case", "list", lang="id")

        assert english.stdout == "No cases.\n"
        assert indonesian.stdout == "Belum ada kasus.\n"


class TestHistory:
    def test_json_events(self, cli: Cli):
        """The history in JSON lists every event with its fields."""
        case_id = cli.open()
        cli.record(case_id, "engagement")
        cli.move(case_id, "intake")

        events = cli.json("case", "history", case_id)["events"]

        assert [event["action"] for event in events] == ["open", "record", "move"]
        assert sorted(events[1]) == [
            "action", "actor", "episode", "from_stage", "note", "occurred_at",
            "reason", "record", "record_kind", "recorded_at", "referral_to", "seq",
            "sub_reason", "to_stage",
        ]  # fmt: skip
        assert events[1]["actor"] == {"id": "worker-1", "role": "worker"}
        assert events[1]["record_kind"] == "engagement"
        assert events[1]["record"] == COMPLETE["engagement"]
        assert (events[2]["from_stage"], events[2]["to_stage"]) == (
            "engagement",
            "intake",
        )

    def test_table_fits_80_columns(self, cli: Cli):
        """The history table's lines fit 80 columns in both languages."""
        case_id = cli.walk("planning")
        cli.move(case_id, "assessment", note="A long note " * 20)

        for lang in ("en", "id"):
            result = cli.run("case", "history", case_id, lang=lang)

            assert result.exit_code == 0
            assert all(len(line) <= 80 for line in result.stdout.splitlines())

    def test_supervisor_role_is_recorded(self, cli: Cli):
        """--role supervisor is the role of the events it writes."""
        case_id = cli.open()

        cli.run("--role", "supervisor", "case", "record", case_id, "engagement",
                "--data", json.dumps(COMPLETE["engagement"]))  # fmt: skip

        events = cli.json("case", "history", case_id)["events"]
        assert events[-1]["actor"] == {"id": "worker-1", "role": "supervisor"}


class TestStorageAndAudit:
    def test_unreachable_database_exits_1(self, cli: Cli, tmp_path: Path):
        """A database that cannot be created is a storage failure (exit 1)."""
        url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'cases.db'}"

        result = cli.run("--json", "--db", url, "case", "list", fails=True, db=False)

        assert result.exit_code == 1
        assert json.loads(result.stdout)["error"]["kind"] == "StorageError"
        assert result.stderr.startswith("Refused: The database failed: cannot create")

    def test_malformed_url_is_bad_input(self, cli: Cli):
        """A database URL that is not one exits 2 with a worded message."""
        result = cli.run("--db", "nonsense://", "case", "list", fails=True, db=False)

        assert result.exit_code == 2
        assert "is not supported" in result.stderr

    def test_tampered_trail_is_an_audit_finding(self, cli: Cli, db_url: str):
        """An edited event makes verify exit 1 and report the finding."""
        case_id = cli.walk("intake")
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
            connection.execute("DROP TRIGGER events_no_update")
            connection.execute(
                "UPDATE events SET body = ? WHERE case_id = ? AND seq = 2",
                (b'{"tampered": true}', case_id),
            )
        connection.close()

        result = cli.run("--json", "verify", fails=True)
        one = cli.run("verify", case_id[:8], fails=True, lang="id")

        data = json.loads(result.stdout.splitlines()[0])
        assert result.exit_code == 1
        assert data["verified"] is False
        assert data["findings"][0]["case_id"] == case_id
        assert json.loads(result.stdout.splitlines()[1])["error"]["kind"] == (
            "AuditIntegrityError"
        )
        assert one.exit_code == 1
        assert one.stderr.startswith("Ditolak: Jejak audit memiliki")

    def test_sound_trail_verifies(self, cli: Cli):
        """Verifying a sound trail exits 0 and counts cases and events."""
        cli.walk("intake")
        cli.open()

        result = cli.run("verify")

        assert result.exit_code == 0
        assert result.stdout == "trail verified: 2 cases, 4 events\n"


class TestCaseIds:
    @pytest.fixture
    def twins(self, db_url: str) -> list[str]:
        """Two cases whose ids share the prefix ``abcd``."""
        from helping_process import Actor  # noqa: PLC0415
        from helping_process.persistence import SqlStore  # noqa: PLC0415
        from helping_process.service import CaseService  # noqa: PLC0415

        ids = iter(["abcd-0001", "abcd-0002"])
        store = SqlStore.from_url(db_url)
        service = CaseService(store, new_id=lambda: next(ids))
        try:
            return [
                service.open(client, actor=Actor("worker-1")).case_id
                for client in ("A", "B")
            ]
        finally:
            store.dispose()

    def test_ambiguous_prefix_is_bad_input(self, cli: Cli, twins: list[str]):
        """A prefix that matches two cases exits 2 and says so."""
        show = cli.run("case", "show", "abcd", fails=True)
        verify = cli.run("verify", "abcd", fails=True, lang="id")

        assert (show.exit_code, verify.exit_code) == (2, 2)
        assert show.stderr == (
            "Error: The id prefix abcd matches 2 cases: abcd-0001 (A), "
            "abcd-0002 (B); give more characters of the id.\n"
        )
        assert verify.stderr.startswith(
            "Kesalahan: Awalan id abcd cocok dengan 2 kasus: abcd-0001 (A), "
        )

    def test_too_short_prefix_says_so(self, cli: Cli, twins: list[str]):
        """A prefix shorter than four characters is refused as too short."""
        show = cli.run("--json", "case", "show", "abc", fails=True)
        verify = cli.run("verify", "abc", fails=True, lang="id")

        assert (show.exit_code, verify.exit_code) == (2, 2)
        assert json.loads(show.stdout)["error"] == {
            "kind": "UnknownCaseError",
            "message": "No case has the id abc, and a prefix of an id needs at "
            "least 4 characters.",
        }
        assert "awalan id minimal 4 karakter" in verify.stderr

    def test_prefix_of_no_case_says_so(self, cli: Cli, twins: list[str]):
        """A long enough prefix that starts no case id says no case matches."""
        result = cli.run("case", "history", "abce", fails=True)

        assert result.exit_code == 2
        assert "No case id is or starts with abce;" in result.stderr

    def test_exact_id_and_unique_prefix(self, cli: Cli, twins: list[str]):
        """An exact id wins over prefixes; a longer prefix is unique."""
        exact = cli.json("case", "show", "abcd-0001")
        unique = cli.json("verify", "abcd-0002")

        assert exact["case_id"] == "abcd-0001"
        assert unique["verified"] is True
        assert unique["events"] == 1

    def test_verify_unknown_case(self, cli: Cli, twins: list[str]):
        """Verifying a case that does not exist exits 2."""
        result = cli.run("verify", "zzzz-9", fails=True)

        assert result.exit_code == 2


class TestTextOutput:
    def test_reopen_and_ended_episode_in_text(self, cli: Cli):
        """Text output names the reason an episode ended and the new episode."""
        case_id = cli.open()
        cli.run("case", "terminate", case_id, "--reason", "client_request",
                "--note", "Moved away.")  # fmt: skip

        ended = cli.run("case", "show", case_id, lang="id")
        reopened = cli.run("case", "reopen", case_id, "--note", "Back.")

        assert "Episode berakhir: Atas kemauan klien" in ended.stdout
        assert reopened.stdout == f"Case {case_id} reopened as episode 2.\n"

    def test_terminate_and_move_in_text(self, cli: Cli):
        """Text output of a move and a termination names the stages and reason."""
        case_id = cli.open()
        cli.record(case_id, "engagement")

        moved = cli.run("case", "move", case_id, "intake", lang="id")
        ended = cli.run("case", "terminate", case_id, "--reason", "not_eligible",
                        "--note", "Out of area.")  # fmt: skip

        assert moved.stdout == (
            f"Kasus {case_id} berpindah dari Engagement (kontak awal) ke "
            "Intake (penerimaan).\n"
        )
        assert ended.stdout == (f"Case {case_id} terminated: Candidate not eligible.\n")
