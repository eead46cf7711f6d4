"""``case record``: every problem at once, and a record asked field by field.

A malformed record is refused with exit 2 naming every problem, in both
languages and in ``--json`` error objects; without ``--data``/``--file`` the
record is asked on a terminal (a real pseudo-terminal, pexpect) and refused
elsewhere.
"""

from __future__ import annotations

import json

# pexpect ships no type information and no stubs are installed.
import pexpect  # type: ignore[import-untyped]

from helping_process.testing import contract_data
from tests.cli._support import PYTHON
from tests.cli._support import Cli
from tests.cli._support import plain
from tests.cli._support import python_env
from tests.cli._support import spawn_args


def _broken_contract() -> str:
    data = contract_data(valid_from="2026-02-30", kind="forever")
    del data["acceptance"]
    data["tasks"] = 5
    return json.dumps(data)


def _at_contract(cli: Cli) -> str:
    case_id = cli.open()
    cli.record(case_id, "engagement")
    cli.run("case", "move", case_id, "intake")
    cli.record(case_id, "intake")
    cli.run("case", "move", case_id, "contract")
    return case_id


class TestEveryProblem:
    def test_all_problems_in_one_english_message(self, cli: Cli):
        """Four problems of four kinds are named at once; exit 2; nothing stored."""
        case_id = _at_contract(cli)
        before = cli.events(case_id)

        result = cli.run(
            "case", "record", case_id, "contract", "--data", _broken_contract(),
            fails=True,
        )  # fmt: skip

        assert result.exit_code == 2
        assert result.stderr == (
            "Error: Contract: 4 problems: the field 'kind' is not a known code "
            "('forever'), one of: preliminary (Preliminary contract), primary "
            "(Primary contract), secondary (Secondary contract); the field "
            "'acceptance' is missing; the field 'tasks' must be a list (5); the "
            "field 'valid_from' must be a date (YYYY-MM-DD) ('2026-02-30').\n"
        )
        assert cli.events(case_id) == before

    def test_all_problems_in_indonesian(self, cli: Cli):
        """The same refusal reads in Indonesian, with the Indonesian code labels."""
        case_id = _at_contract(cli)

        result = cli.run(
            "case", "record", case_id, "contract", "--data", _broken_contract(),
            fails=True, lang="id",
        )  # fmt: skip

        assert result.exit_code == 2
        assert result.stderr.startswith(
            "Kesalahan: Kontrak: 4 masalah: isian 'kind' bukan kode yang dikenal "
            "('forever'), pilih salah satu: preliminary (Kontrak awal), "
        )
        assert "isian 'acceptance' tidak ada" in result.stderr
        assert "secondary (Kontrak " in result.stderr

    def test_json_error_carries_the_problems(self, cli: Cli):
        """A --json error object lists each problem with its path, code and params."""
        case_id = _at_contract(cli)

        result = cli.run(
            "--json", "case", "record", case_id, "contract", "--data",
            _broken_contract(), fails=True,
        )  # fmt: skip
        error = json.loads(result.stdout)["error"]

        assert result.exit_code == 2
        assert error["kind"] == "RecordProblemsError"
        assert error["problems"] == [
            {
                "path": "kind",
                "code": "unknown_code",
                "params": {
                    "value": "forever",
                    "codes": ["preliminary", "primary", "secondary"],
                },
            },
            {"path": "acceptance", "code": "missing", "params": {}},
            {"path": "tasks", "code": "not_list", "params": {"value": 5}},
            {
                "path": "valid_from",
                "code": "not_date",
                "params": {"value": "2026-02-30"},
            },
        ]

    def test_a_foreign_sub_reason_lists_only_its_reasons(self, cli: Cli):
        """An unknown sub-reason names the reason's own sub-reasons, exit 2."""
        case_id = cli.open()

        result = cli.run(
            "case", "terminate", case_id, "--reason", "client_dislikes_worker",
            "--sub-reason", "boredom", "--note", "x", fails=True,
        )  # fmt: skip

        assert result.exit_code == 2
        assert result.stderr == (
            "Error: The sub-reason 'boredom' does not belong to 'Client dislikes the "
            "worker'; its sub-reasons are: emotional_involvement (Emotional "
            "involvement), personal_factors (Personal factors).\n"
        )

    def test_a_known_sub_reason_of_another_reason_is_refused(self, cli: Cli):
        """A sub-reason of another reason is refused (exit 1) naming the right ones."""
        case_id = cli.open()

        result = cli.run(
            "case", "terminate", case_id, "--reason", "client_dislikes_worker",
            "--sub-reason", "mental_disorder", "--note", "x", fails=True, lang="id",
        )  # fmt: skip

        assert result.exit_code == 1
        assert "sub-alasannya: emotional_involvement (Keterlibatan emosional), " in (
            result.stderr
        )
        assert "permanent_illness" not in result.stderr


class TestAskedRecord:
    def test_without_a_terminal_data_or_file_is_needed(self, cli: Cli):
        """Not on a terminal, a record without --data or --file is exit 2."""
        case_id = cli.open()

        result = cli.run("case", "record", case_id, "engagement", fails=True)

        assert result.exit_code == 2
        assert result.stderr == (
            "Error: Give the record with --data or --file: it can be asked field by "
            "field only on a terminal.\n"
        )
        assert cli.events(case_id) == 1

    def test_a_record_is_asked_field_by_field_on_a_terminal(self, cli: Cli):
        """On a terminal each field is asked, checked, shown, confirmed and stored."""
        case_id = cli.open()

        child = pexpect.spawn(
            PYTHON,
            spawn_args(cli.url, "case", "record", case_id, "engagement", lang="id"),
            env=python_env(LANG="C.UTF-8", XDG_DATA_HOME=str(cli.home)),
            encoding="utf-8",
            timeout=30,
        )
        child.expect_exact("Catatan kontak awal untuk kasus")
        child.expect_exact("Tanggal kontak pertama (YYYY-MM-DD)")
        child.sendline("2025-13-40")
        child.expect_exact("harus berupa tanggal (YYYY-MM-DD)")
        child.sendline("2025-01-06")
        child.expect_exact("Permintaan pelayanan dari klien")
        child.sendline("Tempat tinggal sementara")
        child.expect_exact("Pilih (1-8): ")
        child.sendline("2")
        child.expect_exact("Simpan ini? [y/t]: ")
        child.sendline("y")
        child.expect(pexpect.EOF)
        child.close()

        assert child.exitstatus == 0, plain(child.before or "")
        assert cli.events(case_id) == 2
        shown = cli.json("case", "show", case_id)
        assert shown["records"]["engagement"]["referral_source"] == "family"
