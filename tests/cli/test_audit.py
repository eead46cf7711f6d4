"""``helping-process audit …`` end to end on a SQLite file of the test's own."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

# pexpect ships no type information and no stubs are installed.
import pexpect  # type: ignore[import-untyped]
import pytest

from helping_process import Actor
from helping_process.audit import FindingKind
from helping_process.audit import link
from helping_process.persistence import SqlStore
from helping_process.policy import Policy
from helping_process.policy import parse_policy
from helping_process.service import CaseService
from tests.cli._support import PYTHON
from tests.cli._support import Cli
from tests.cli._support import messages_module
from tests.cli._support import python_env
from tests.cli._support import spawn_args

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "examples" / "verify_export.py"
AUDIT_MODULE = ROOT / "cli" / "_audit.py"
KEY = re.compile(r"(audit|help|opt|usage|error|verify)\.[\w.\-]+")
COMMANDS = ["verify", "keygen", "seal", "report", "export", "policy"]


def _path(cli: Cli) -> str:
    return cli.url.removeprefix("sqlite:///")


def _attacker(cli: Cli) -> sqlite3.Connection:
    """A plain connection by someone who can write the file and drops the triggers."""
    connection = sqlite3.connect(_path(cli))
    names = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    ).fetchall()
    for (name,) in names:
        connection.execute(f"DROP TRIGGER {name}")
    return connection


def _tamper(cli: Cli, *statements: tuple[str, tuple[object, ...]]) -> None:
    connection = _attacker(cli)
    with connection:
        for sql, params in statements:
            connection.execute(sql, params)
    connection.close()


def _truncate(cli: Cli, case_id: str) -> None:
    """Delete the case's newest event (of three) and rewind its head to match."""
    connection = _attacker(cli)
    with connection:
        prev, stage, updated_at = connection.execute(
            "SELECT e.prev_hash, p.to_stage, p.occurred_at FROM events e JOIN events p"
            " ON p.case_id = e.case_id AND p.seq = 2"
            " WHERE e.case_id = ? AND e.seq = 3",
            (case_id,),
        ).fetchone()
        for table in ("personal", "events"):
            connection.execute(
                f"DELETE FROM {table} WHERE case_id = ? AND seq = 3",
                (case_id,),
            )
        connection.execute(
            "UPDATE cases SET seq = 2, last_hash = ?, stage = ?, updated_at = ?"
            " WHERE case_id = ?",
            (prev, stage, updated_at, case_id),
        )
    connection.close()


def _service(cli: Cli) -> tuple[CaseService, SqlStore]:
    store = SqlStore.from_url(cli.url)
    return CaseService(store), store


def _redact(cli: Cli, case_id: str) -> None:
    service, store = _service(cli)
    try:
        service.redact(case_id, actor=Actor("worker-1"), note="UU 27/2022 Pasal 8")
    finally:
        store.dispose()


def _keygen(cli: Cli, folder: Path) -> tuple[Path, Path]:
    result = cli.run("audit", "keygen", "--out", str(folder))
    assert result.exit_code == 0, result.stderr
    return folder / "seal-key.pem", folder / "seal-key.pub.pem"


def _fingerprint(public: Path) -> str:
    """The fingerprint of a public key file, as verify reports it."""
    from helping_process import seals  # noqa: PLC0415 - as the command loads it

    return seals.fingerprint(seals.load_public_key(public.read_bytes()))


def _delete_seal(cli: Cli, number: int) -> None:
    _tamper(cli, ("DELETE FROM seals WHERE seal_id = ?", (number,)))


def _terminate(cli: Cli, case_id: str) -> None:
    result = cli.run(
        "case", "terminate", case_id, "--reason", "client_request",
        "--note", "Moved to another city.",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def trail(cli: Cli) -> dict[str, str]:
    """Three cases: one in intake, one terminated at the client's wish, one new."""
    intake = cli.walk("intake")
    ended = cli.open("KLIEN-2")
    _terminate(cli, ended)
    fresh = cli.open("KLIEN-3")
    return {"intake": intake, "ended": ended, "fresh": fresh}


class TestHelp:
    @pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
    @pytest.mark.parametrize("lang", ["en", "id"])
    def test_every_command_has_help_in_80_columns(
        self, cli: Cli, command: list[str], lang: str
    ):
        """Every audit command's help renders in the language, without raw keys."""
        result = cli.run("audit", *command, "--help", lang=lang)

        assert result.exit_code == 0
        assert result.stdout.startswith("Usage:" if lang == "en" else "Penggunaan:")
        assert not KEY.search(result.stdout)
        assert all(len(line) <= 80 for line in result.stdout.splitlines())

    def test_audit_is_listed_and_the_old_verify_is_hidden(self, cli: Cli):
        """The main help lists audit and no longer lists the top-level verify."""
        result = cli.run("--help")

        commands = result.stdout.split("Commands:")[1].split("\n\n")[0]
        names = [line.split()[0] for line in commands.strip().splitlines()]
        assert "audit" in names
        assert "verify" not in names
        assert cli.run("verify", "--help").exit_code == 0

    def test_every_message_key_used_exists(self):
        """Every message key the audit module names is in the table, in both forms."""
        table = dict(messages_module.MESSAGES)
        tree = ast.parse(AUDIT_MODULE.read_text(encoding="utf-8"))
        used = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and KEY.fullmatch(node.value)
        }

        prefixes = {key for key in used if key.endswith(".")}

        assert used - prefixes - set(table) == set()
        assert prefixes == {"audit.kind."}
        assert {f"audit.kind.{kind}" for kind in FindingKind} <= set(table)


class TestVerify:
    def test_a_sound_trail_verifies_in_both_languages(self, cli: Cli):
        """A sound trail exits 0 and counts its cases and events, in either language."""
        cli.walk("intake")
        cli.open()

        english = cli.run("audit", "verify")
        indonesian = cli.run("audit", "verify", lang="id")

        assert (english.exit_code, indonesian.exit_code) == (0, 0)
        assert english.stdout == "trail verified: 2 cases, 4 events\n"
        assert indonesian.stdout == (
            "jejak audit terverifikasi: 2 kasus, 4 peristiwa\n"
        )
        assert english.stderr == indonesian.stderr == ""

    def test_json_is_exactly_ok_cases_events_findings(self, cli: Cli):
        """With --json, global or on the subcommand, the document has five members."""
        cli.walk("intake")

        given_globally = cli.json("audit", "verify")
        given_after = cli.run("audit", "verify", "--json")

        assert given_globally == {
            "ok": True,
            "cases": 1,
            "events": 3,
            "findings": [],
            "unlisted_findings": 0,
        }
        assert json.loads(given_after.stdout) == given_globally

    def test_one_case_by_unique_prefix(self, cli: Cli):
        """--case takes a unique prefix and verifies that case alone."""
        case_id = cli.walk("intake")
        cli.open()

        data = cli.json("audit", "verify", "--case", case_id[:8])

        assert (data["ok"], data["cases"], data["events"]) == (True, 1, 3)

    @pytest.mark.parametrize(
        ("lang", "message"),
        [
            ("en", "Error: No case id is or starts with zzzz-9; "),
            ("id", "Kesalahan: Tidak ada id kasus yang sama dengan atau diawali "),
        ],
    )
    def test_an_unknown_case_is_bad_input(self, cli: Cli, lang: str, message: str):
        """Verifying a case that does not exist exits 2 with one line."""
        cli.open()

        result = cli.run("audit", "verify", "--case", "zzzz-9", fails=True, lang=lang)
        as_json = cli.run("audit", "verify", "--case", "zzzz-9", "--json", fails=True)

        assert (result.exit_code, as_json.exit_code) == (2, 2)
        assert result.stderr.startswith(message)
        assert json.loads(as_json.stdout)["error"]["kind"] == "UnknownCaseError"

    def test_an_edited_event_names_case_seq_and_kind(self, cli: Cli):
        """An edited event exits 1 and is reported at its case, event and kind."""
        case_id = cli.walk("intake")
        cli.open()
        _tamper(
            cli,
            (
                "UPDATE events SET body = ? WHERE case_id = ? AND seq = 2",
                (b'{"tampered": true}', case_id),
            ),
        )

        as_json = cli.run("--json", "audit", "verify", fails=True)
        text = cli.run("audit", "verify", fails=True, lang="id")

        data = json.loads(as_json.stdout)
        assert as_json.exit_code == text.exit_code == 1
        assert data["ok"] is False
        assert (data["cases"], data["events"]) == (2, 4)
        assert [(f["case_id"], f["seq"], f["kind"]) for f in data["findings"]] == [
            (case_id, 2, "edited")
        ]
        assert as_json.stderr == (
            "Refused: The audit trail has 1 finding; see above.\n"
        )
        assert (data["findings"][0]["cause"], data["findings"][0]["params"]) == (
            "finding.hash_mismatch",
            {},
        )
        assert data["findings"][0]["detail"] == "its hash does not match its bytes"
        assert (
            f"{case_id} #2 edited: peristiwa diubah setelah disimpan"
            " (hash-nya tidak cocok dengan isinya)"
        ) in " ".join(text.stdout.split())
        assert text.stderr == "Ditolak: Jejak audit memiliki 1 temuan; lihat di atas.\n"

    def test_jobs_report_what_one_process_reports(self, cli: Cli):
        """--jobs 2 and --jobs 0 (every core) print the findings of one process."""
        tampered = cli.walk("intake")
        for _ in range(5):
            cli.walk("contract")
        _tamper(
            cli,
            (
                "UPDATE events SET body = ? WHERE case_id = ? AND seq = 2",
                (b'{"tampered": true}', tampered),
            ),
        )

        alone = cli.run("--json", "audit", "verify", fails=True)
        two = cli.run("--json", "audit", "verify", "--jobs", "2", fails=True)
        every_core = cli.run("--json", "audit", "verify", "--jobs", "0", fails=True)

        assert alone.exit_code == two.exit_code == every_core.exit_code == 1
        assert json.loads(two.stdout) == json.loads(alone.stdout)
        assert json.loads(every_core.stdout) == json.loads(alone.stdout)
        assert json.loads(alone.stdout)["cases"] == 6

    def test_an_illegal_move_is_told_as_the_rule_tells_it(self, cli: Cli):
        """A re-chained illegal move reads as its refusal, with its facts as codes."""
        case_id = cli.walk("intake")
        connection = _attacker(cli)
        with connection:
            prev_hash, body = connection.execute(
                "SELECT prev_hash, body FROM events WHERE case_id = ? AND seq = 3",
                (case_id,),
            ).fetchone()
            edited = bytes(body).replace(
                b'"to_stage":"intake"', b'"to_stage":"planning"'
            )
            connection.execute(
                "UPDATE events SET body = ?, hash = ? WHERE case_id = ? AND seq = 3",
                (edited, link(prev_hash, edited), case_id),
            )
            connection.execute(
                "UPDATE cases SET last_hash = ? WHERE case_id = ?",
                (link(prev_hash, edited), case_id),
            )
        connection.close()

        data = json.loads(cli.run("--json", "audit", "verify", fails=True).stdout)
        text = cli.run("audit", "verify", fails=True, lang="id")

        column, finding = data["findings"]
        assert (column["seq"], column["kind"], column["params"]) == (
            3,
            "edited",
            {"table": "events", "column": "to_stage"},
        )
        assert (finding["seq"], finding["kind"], finding["cause"]) == (
            3,
            "illegal_move",
            "error.invalid_transition",
        )
        assert finding["params"] == {"stage": "engagement", "target": "planning"}
        assert finding["detail"] == "No legal move leads from Engagement to Planning."
        assert (
            "(Tidak ada perpindahan yang sah dari Engagement (kontak awal) ke"
            " Perencanaan (rencana intervensi).)"
        ) in " ".join(text.stdout.split())

    def test_a_deleted_event_is_found(self, cli: Cli):
        """Deleting an event from the middle of a chain is reported as deleted."""
        case_id = cli.walk("contract")
        _tamper(
            cli,
            ("DELETE FROM personal WHERE case_id = ? AND seq = 2", (case_id,)),
            ("DELETE FROM events WHERE case_id = ? AND seq = 2", (case_id,)),
        )

        result = cli.run("--json", "audit", "verify", fails=True)

        findings = json.loads(result.stdout)["findings"]
        assert result.exit_code == 1
        assert (findings[0]["case_id"], findings[0]["seq"], findings[0]["kind"]) == (
            case_id,
            2,
            "deleted",
        )

    def test_a_redaction_alone_is_information(self, cli: Cli):
        """A lawful redaction exits 0 and lists the redacted events as information."""
        case_id = cli.walk("intake")
        _redact(cli, case_id)

        data = cli.json("audit", "verify")
        text = cli.run("audit", "verify")

        assert data["ok"] is True
        assert {finding["kind"] for finding in data["findings"]} == {"redacted"}
        assert [finding["seq"] for finding in data["findings"]] == [1, 2]
        assert not any(finding["tampering"] for finding in data["findings"])
        assert text.exit_code == 0
        assert f"{case_id} #1 redacted: personal data redacted" in text.stdout
        assert text.stdout.endswith("trail verified: 1 case, 4 events\n")

    def test_a_usage_error_after_the_subcommand_json_is_json(self, cli: Cli):
        """With --json given after the subcommand, even a parse error is JSON."""
        result = cli.run("audit", "verify", "--json", "--nope", fails=True)

        assert result.exit_code == 2
        assert json.loads(result.stdout)["error"]["kind"] == "usage"
        assert result.stderr.startswith("Error: There is no option --nope.")

    def test_a_usage_error_is_one_line_in_the_language(self, cli: Cli):
        """A bad option of an audit command exits 2 with one translated line."""
        result = cli.run("audit", "verify", "--nope", fails=True, lang="id")

        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            "Kesalahan: Tidak ada opsi --nope. "
            "(Lihat 'helping-process audit verify --help'.)\n"
        )

    def test_the_old_verify_still_answers_old_scripts(self, cli: Cli):
        """The hidden top-level verify runs the same check and keeps 'verified'."""
        case_id = cli.walk("intake")

        data = cli.json("verify", case_id[:8])

        assert data == {
            "verified": True,
            "ok": True,
            "cases": 1,
            "events": 3,
            "findings": [],
        }


class TestMaxFindings:
    @staticmethod
    def _three_deletions(cli: Cli) -> str:
        case_id = cli.walk("assessment")  # seven events
        for seq in (2, 4, 5):
            _tamper(
                cli,
                ("DELETE FROM personal WHERE case_id = ? AND seq = ?", (case_id, seq)),
                ("DELETE FROM events WHERE case_id = ? AND seq = ?", (case_id, seq)),
            )
        return case_id

    def test_every_deleted_event_is_listed_by_default(self, cli: Cli):
        """Three deleted events of one case are three findings, none left out."""
        case_id = self._three_deletions(cli)

        data = json.loads(cli.run("--json", "audit", "verify", fails=True).stdout)

        assert [(f["case_id"], f["seq"], f["kind"]) for f in data["findings"]] == [
            (case_id, 2, "deleted"),
            (case_id, 4, "deleted"),
            (case_id, 5, "deleted"),
        ]
        assert data["unlisted_findings"] == 0

    def test_the_json_lists_up_to_the_bound_and_counts_the_rest(self, cli: Cli):
        """--max-findings 1 lists one finding, in its usual shape, and counts two."""
        self._three_deletions(cli)

        result = cli.run("--json", "audit", "verify", "--max-findings", "1", fails=True)

        data = json.loads(result.stdout)
        assert result.exit_code == 1
        assert data["ok"] is False
        assert data["unlisted_findings"] == 2
        (finding,) = data["findings"]
        assert set(finding) == {
            "case_id",
            "seq",
            "kind",
            "detail",
            "cause",
            "params",
            "tampering",
        }

    def test_the_text_says_how_many_more(self, cli: Cli):
        """The text output ends its list with how many findings it left out."""
        self._three_deletions(cli)

        english = cli.run("audit", "verify", "--max-findings", "2", fails=True)
        indonesian = cli.run(
            "audit", "verify", "--max-findings", "2", fails=True, lang="id"
        )

        assert english.exit_code == indonesian.exit_code == 1
        assert "… and 1 more finding" in english.stdout
        assert "… dan 1 temuan lainnya" in indonesian.stdout
        assert "3 findings" in english.stderr

    def test_a_bound_of_zero_lists_nothing_but_still_fails(self, cli: Cli):
        """--max-findings 0 lists no finding and still exits 1 on faults."""
        self._three_deletions(cli)

        data = json.loads(
            cli.run(
                "--json", "audit", "verify", "--max-findings", "0", fails=True
            ).stdout
        )

        assert (data["ok"], data["findings"], data["unlisted_findings"]) == (
            False,
            [],
            3,
        )

    def test_a_bound_that_is_no_number_is_bad_input(self, cli: Cli):
        """--max-findings takes a whole number; anything else exits 2 and says so."""
        cli.walk("intake")

        result = cli.run("audit", "verify", "--max-findings", "many", fails=True)

        assert result.exit_code == 2
        assert "--max-findings takes a whole number" in result.stderr


class TestVerifyOnATerminal:
    def _spawn(self, cli: Cli, *args: str) -> pexpect.spawn:
        return pexpect.spawn(
            PYTHON,
            spawn_args(cli.url, *args),
            env=python_env(LANG="C.UTF-8", XDG_DATA_HOME=str(cli.home)),
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 80),
        )

    def test_progress_bar(self, cli: Cli):
        """On a terminal, verification shows a progress bar before its verdict."""
        cli.walk("intake")
        child = self._spawn(cli, "audit", "verify")

        child.expect_exact("Verifying the audit trail")
        child.expect_exact("trail verified: 1 case, 3 events")
        child.expect(pexpect.EOF)
        child.close()

        assert child.exitstatus == 0

    def test_no_progress_bar_with_json(self, cli: Cli):
        """With --json a terminal gets the JSON document and no progress bar."""
        cli.walk("intake")
        child = self._spawn(cli, "--json", "audit", "verify")

        child.expect(pexpect.EOF)
        output = child.before
        child.close()

        assert child.exitstatus == 0
        assert json.loads(output)["events"] == 3
        assert "Verifying" not in output


class TestKeygen:
    def test_writes_a_private_and_a_public_key(self, cli: Cli, tmp_path: Path):
        """Keygen writes a 0600 private key and a public key, and prints the paths."""
        folder = tmp_path / "keys"

        result = cli.run("audit", "keygen", "--out", str(folder))

        private, public = folder / "seal-key.pem", folder / "seal-key.pub.pem"
        assert result.exit_code == 0
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
        assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
        assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
        assert str(private) in result.stdout
        assert str(public) in result.stdout

    def test_json_names_both_paths(self, cli: Cli, tmp_path: Path):
        """With --json, keygen prints exactly the two paths."""
        data = cli.json("audit", "keygen", "--out", str(tmp_path / "keys"))

        assert data == {
            "private_key": str(tmp_path / "keys" / "seal-key.pem"),
            "public_key": str(tmp_path / "keys" / "seal-key.pub.pem"),
        }

    @pytest.mark.parametrize(
        ("lang", "words"),
        [("en", "already exists; keys are never overwritten"), ("id", "sudah ada")],
    )
    def test_refuses_to_overwrite(
        self, cli: Cli, tmp_path: Path, lang: str, words: str
    ):
        """A second keygen into the same directory exits 2 and changes nothing."""
        private, public = _keygen(cli, tmp_path)
        before = private.read_bytes(), public.read_bytes()

        result = cli.run(
            "audit", "keygen", "--out", str(tmp_path), fails=True, lang=lang
        )

        assert result.exit_code == 2
        assert words in result.stderr
        assert len(result.stderr.splitlines()) == 1
        assert (private.read_bytes(), public.read_bytes()) == before

    def test_an_existing_public_key_leaves_no_private_key(
        self, cli: Cli, tmp_path: Path
    ):
        """If only the public key file exists, keygen exits 2 and writes nothing."""
        public = tmp_path / "seal-key.pub.pem"
        public.write_text("an older public key")

        result = cli.run("audit", "keygen", "--out", str(tmp_path), fails=True)

        assert result.exit_code == 2
        assert result.stderr.startswith(f"Error: {public} already exists")
        assert not (tmp_path / "seal-key.pem").exists()
        assert public.read_text() == "an older public key"

    def test_a_directory_that_cannot_be_made_is_bad_input(
        self, cli: Cli, tmp_path: Path
    ):
        """An --out that is a regular file exits 2 with a JSON error."""
        blocker = tmp_path / "file"
        blocker.write_text("not a directory")

        result = cli.run(
            "--json", "audit", "keygen", "--out", str(blocker / "keys"), fails=True
        )

        assert result.exit_code == 2
        assert json.loads(result.stdout)["error"]["field"] == "out"
        assert result.stderr.startswith(f"Error: Cannot write {blocker}")


class TestSeal:
    def test_prints_the_digest_number_and_counts(self, cli: Cli, tmp_path: Path):
        """Sealing prints the seal's digest, number, counts and heads it lists."""
        cli.walk("intake")
        cli.open()
        private, _ = _keygen(cli, tmp_path)

        data = cli.json("audit", "seal", "--key", str(private))
        text = cli.run("audit", "seal", "--key", str(private), lang="id")

        assert set(data) == {
            "digest",
            "sealed_at",
            "cases",
            "events",
            "root",
            "previous",
            "number",
            "format",
            "heads",
            "trails",
        }
        assert re.fullmatch(r"[0-9a-f]{64}", data["digest"])
        assert (data["cases"], data["events"], data["previous"]) == (2, 4, None)
        assert (data["number"], data["format"], data["heads"], data["root"]) == (
            1,
            3,
            2,
            None,
        )
        assert text.exit_code == 0
        assert "Tersegel 2 kasus, 4 peristiwa" in text.stdout
        assert "segel 2; 0 kepala kasus berubah sejak segel sebelumnya" in text.stdout
        assert all(len(line) <= 80 for line in text.stdout.splitlines())

    @pytest.mark.parametrize(
        ("lang", "start"),
        [("en", "Error: Cannot read"), ("id", "Kesalahan: Tidak dapat membaca")],
    )
    def test_an_unreadable_key_is_bad_input(
        self, cli: Cli, tmp_path: Path, lang: str, start: str
    ):
        """A private key file that cannot be read exits 2 with one line."""
        missing = tmp_path / "absent.pem"

        result = cli.run("audit", "seal", "--key", str(missing), fails=True, lang=lang)

        assert result.exit_code == 2
        assert result.stderr.startswith(f"{start} {missing}")

    def test_a_public_key_is_not_a_private_key(self, cli: Cli, tmp_path: Path):
        """Sealing with the public key file exits 2 and says which file to use."""
        _, public = _keygen(cli, tmp_path)

        result = cli.run("--json", "audit", "seal", "--key", str(public), fails=True)

        assert result.exit_code == 2
        assert json.loads(result.stdout)["error"]["field"] == "key"
        assert "is not an Ed25519 private key" in result.stderr

    def test_truncation_is_found_with_the_key_only(self, cli: Cli, tmp_path: Path):
        """Removing a sealed case's newest event and its head is found with --key."""
        case_id = cli.walk("intake")
        cli.open()
        private, public = _keygen(cli, tmp_path)
        assert cli.run("audit", "seal", "--key", str(private)).exit_code == 0
        _truncate(cli, case_id)

        unsealed = cli.run("--json", "audit", "verify")
        sealed = cli.run("--json", "audit", "verify", "--key", str(public), fails=True)
        text = cli.run("audit", "verify", "--key", str(public), fails=True)

        assert unsealed.exit_code == 0
        assert json.loads(unsealed.stdout)["findings"] == []
        assert sealed.exit_code == text.exit_code == 1
        findings = json.loads(sealed.stdout)["findings"]
        assert [(f["case_id"], f["seq"], f["kind"]) for f in findings] == [
            (case_id, 3, "truncated")
        ]
        assert f"{case_id} #3 truncated: the newest events are gone" in text.stdout

    def test_another_key_finds_a_bad_seal(self, cli: Cli, tmp_path: Path):
        """A seal checked with a key that did not make it is reported as bad_seal."""
        cli.walk("intake")
        private, _ = _keygen(cli, tmp_path / "agency")
        _, stranger = _keygen(cli, tmp_path / "stranger")
        cli.run("audit", "seal", "--key", str(private))

        result = cli.run("audit", "verify", "--key", str(stranger), fails=True)

        assert result.exit_code == 1
        assert (
            "seal 1 bad_seal: a seal is missing, changed or not the agency's"
            " (it was signed with another key)"
        ) in " ".join(result.stdout.split())

    def test_a_sound_sealed_trail_counts_the_seals(self, cli: Cli, tmp_path: Path):
        """With --key and an untouched trail, verify exits 0 and counts the seals."""
        cli.walk("intake")
        private, public = _keygen(cli, tmp_path)
        cli.run("audit", "seal", "--key", str(private))

        result = cli.run("audit", "verify", "--key", str(public))

        assert result.exit_code == 0
        assert re.fullmatch(
            r"1 seal checked with the key [0-9a-f]{16}…; the newest is seal 1,"
            r"\s+sealed\s+at\s+\d{4}-\d\d-\d\dT[\d:.]+Z\.\n"
            r"trail verified: 1 case, 3 events\n",
            result.stdout,
        )

    def test_json_and_the_old_verify_take_the_key_too(self, cli: Cli, tmp_path: Path):
        """--key works with --json and on the hidden top-level verify alike."""
        case_id = cli.walk("intake")
        private, public = _keygen(cli, tmp_path)
        cli.run("audit", "seal", "--key", str(private))

        data = cli.json("audit", "verify", "--key", str(public))
        sound = cli.run("verify", "--key", str(public))
        _truncate(cli, case_id)
        broken = cli.run("verify", "--key", str(public), fails=True)

        assert data == {
            "ok": True,
            "cases": 1,
            "events": 3,
            "findings": [],
            "unlisted_findings": 0,
            "seal": {
                "key": _fingerprint(public),
                "seals": 1,
                "newest": 1,
                "digest": data["seal"]["digest"],
                "sealed_at": data["seal"]["sealed_at"],
                "receipt": None,
            },
        }
        assert sound.stdout.startswith("1 seal checked with the key ")
        assert broken.exit_code == 1
        assert f"{case_id} #3 truncated" in broken.stdout

    def test_no_seal_yet_is_said(self, cli: Cli, tmp_path: Path):
        """Verifying with a key before any seal exits 0 and says there is none."""
        cli.walk("intake")
        _, public = _keygen(cli, tmp_path)

        result = cli.run("audit", "verify", "--key", str(public), lang="id")

        assert result.exit_code == 0
        assert result.stderr == (
            "Belum ada segel untuk diperiksa; buat dengan 'audit seal'.\n"
        )

    def test_a_file_that_is_no_key_is_bad_input(self, cli: Cli, tmp_path: Path):
        """Verifying with a file that holds no public key exits 2."""
        cli.open()
        junk = tmp_path / "junk.pem"
        junk.write_text("not a key")

        result = cli.run("audit", "verify", "--key", str(junk), fails=True, lang="id")

        assert result.exit_code == 2
        assert result.stderr.startswith(f"Kesalahan: {junk} bukan kunci publik Ed25519")


class TestReceipt:
    def test_seal_writes_the_receipt(self, cli: Cli, tmp_path: Path):
        """--receipt writes the new seal to a new file and names it in the output."""
        cli.walk("intake")
        private, _ = _keygen(cli, tmp_path)
        receipt = tmp_path / "receipt-1.json"
        second = tmp_path / "receipt-2.json"

        data = cli.json(
            "audit", "seal", "--key", str(private), "--receipt", str(receipt)
        )
        text = cli.run("audit", "seal", "--key", str(private), "--receipt", str(second))

        written = json.loads(receipt.read_text("utf-8"))
        assert data["receipt"] == str(receipt)
        assert (written["type"], written["format"]) == (
            "helping_process.seal_receipt",
            1,
        )
        assert (written["number"], written["digest"]) == (1, data["digest"])
        assert json.loads(written["message"])["number"] == 1
        assert json.loads(second.read_text("utf-8"))["number"] == 2
        assert "receipt (keep it off this machine):" in text.stdout

    @pytest.mark.parametrize(
        ("lang", "words"),
        [("en", "already exists; a receipt is never overwritten"), ("id", "sudah ada")],
    )
    def test_an_existing_receipt_file_is_refused_before_sealing(
        self, cli: Cli, tmp_path: Path, lang: str, words: str
    ):
        """An existing file exits 2, is left as it was, and nothing is sealed."""
        cli.walk("intake")
        private, _ = _keygen(cli, tmp_path)
        existing = tmp_path / "receipt.json"
        existing.write_text("kept")

        result = cli.run(
            "audit", "seal", "--key", str(private), "--receipt", str(existing),
            fails=True, lang=lang,
        )  # fmt: skip
        after = cli.json("audit", "seal", "--key", str(private))

        assert result.exit_code == 2
        assert words in result.stderr
        assert existing.read_text() == "kept"
        assert after["number"] == 1

    def test_a_receipt_that_cannot_be_written_is_refused_before_sealing(
        self, cli: Cli, tmp_path: Path
    ):
        """A receipt in a missing folder, or a wrong key, exits 2 and seals nothing."""
        cli.walk("intake")
        private, public = _keygen(cli, tmp_path)
        nowhere = tmp_path / "missing" / "receipt.json"
        receipt = tmp_path / "receipt.json"

        unwritable = cli.run(
            "audit", "seal", "--key", str(private), "--receipt", str(nowhere),
            fails=True,
        )  # fmt: skip
        wrong_key = cli.run(
            "audit", "seal", "--key", str(public), "--receipt", str(receipt),
            fails=True,
        )  # fmt: skip
        after = cli.json("audit", "seal", "--key", str(private))

        assert (unwritable.exit_code, wrong_key.exit_code) == (2, 2)
        assert unwritable.stderr.startswith(f"Error: Cannot write {nowhere}")
        assert not receipt.exists()
        assert after["number"] == 1

    def test_a_sound_trail_passes_with_the_receipt_alone(
        self, cli: Cli, tmp_path: Path
    ):
        """A receipt without --key checks the seals with the receipt's own key."""
        case_id = cli.walk("intake")
        private, public = _keygen(cli, tmp_path)
        receipt = tmp_path / "receipt.json"
        cli.run("audit", "seal", "--key", str(private), "--receipt", str(receipt))
        cli.record(case_id, "intake")
        cli.run("audit", "seal", "--key", str(private))

        text = cli.run("audit", "verify", "--receipt", str(receipt), lang="id")
        data = cli.json(
            "audit", "verify", "--receipt", str(receipt), "--key", str(public)
        )

        assert text.exit_code == 0
        assert "Tanda terima segel 1 cocok dengan segel yang tersimpan." in text.stdout
        assert "yang terbaru adalah segel 2" in text.stdout
        assert (data["ok"], data["seal"]["receipt"], data["seal"]["newest"]) == (
            True,
            1,
            2,
        )

    def test_deleting_the_newest_seal_is_caught_only_with_the_receipt(
        self, cli: Cli, tmp_path: Path
    ):
        """A case and the newest seal deleted: --key passes, --receipt names both."""
        kept = cli.walk("intake")
        private, public = _keygen(cli, tmp_path)
        receipt = tmp_path / "receipt.json"
        cli.run("audit", "seal", "--key", str(private))
        gone = cli.walk("intake")
        cli.run("audit", "seal", "--key", str(private), "--receipt", str(receipt))
        _tamper(
            cli,
            *(
                (f"DELETE FROM {table} WHERE case_id = ?", (gone,))
                for table in ("personal", "events", "cases")
            ),
        )
        _delete_seal(cli, 2)

        with_key = cli.run("audit", "verify", "--key", str(public))
        data = json.loads(
            cli.run(
                "--json", "audit", "verify", "--receipt", str(receipt), fails=True
            ).stdout
        )
        text = cli.run("audit", "verify", "--receipt", str(receipt), fails=True)

        assert with_key.exit_code == 0
        assert text.exit_code == 1
        assert [(f["case_id"], f["seq"], f["kind"]) for f in data["findings"]] == [
            ("", 2, "bad_seal"),
            (gone, 3, "case_missing"),
        ]
        assert data["findings"][0]["params"] == {"number": 2}
        said = " ".join(text.stdout.split())
        assert kept not in said
        assert (
            "seal 2 bad_seal: a seal is missing, changed or not the agency's (the"
            " seal the receipt vouches for is missing)"
        ) in said
        assert f"{gone} #3 case_missing: the case is missing (sealed by seal 2)" in said

    @pytest.mark.parametrize(
        ("content", "lang", "words"),
        [
            ("not json", "en", "is not a seal receipt"),
            ('{"type": "x"}', "id", "bukan tanda terima segel"),
        ],
    )
    def test_a_file_that_is_no_receipt_is_bad_input(
        self, cli: Cli, tmp_path: Path, content: str, lang: str, words: str
    ):
        """A receipt file that holds no receipt exits 2 in the user's language."""
        cli.walk("intake")
        junk = tmp_path / "junk.json"
        junk.write_text(content)

        result = cli.run(
            "--json", "audit", "verify", "--receipt", str(junk), fails=True, lang=lang
        )

        assert result.exit_code == 2
        assert json.loads(result.stdout)["error"]["field"] == "receipt"
        assert str(junk) in result.stderr
        assert words in result.stderr

    def test_a_receipt_with_a_forged_digest_is_bad_input(
        self, cli: Cli, tmp_path: Path
    ):
        """A receipt whose digest is not its seal's exits 2."""
        cli.walk("intake")
        private, _ = _keygen(cli, tmp_path)
        receipt = tmp_path / "receipt.json"
        cli.run("audit", "seal", "--key", str(private), "--receipt", str(receipt))
        written = json.loads(receipt.read_text("utf-8"))
        receipt.write_text(json.dumps({**written, "digest": "0" * 64}))

        result = cli.run("audit", "verify", "--receipt", str(receipt), fails=True)

        assert result.exit_code == 2
        assert "does not match its message and signature" in result.stderr

    def test_a_receipt_of_another_key_is_bad_input(self, cli: Cli, tmp_path: Path):
        """A receipt made with another key than --key exits 2."""
        cli.walk("intake")
        private, _ = _keygen(cli, tmp_path / "agency")
        _, stranger = _keygen(cli, tmp_path / "stranger")
        receipt = tmp_path / "receipt.json"
        cli.run("audit", "seal", "--key", str(private), "--receipt", str(receipt))

        result = cli.run(
            "audit", "verify", "--receipt", str(receipt), "--key", str(stranger),
            fails=True,
        )  # fmt: skip

        assert result.exit_code == 2
        assert "was made with another key than the one given" in result.stderr

    def test_an_unreadable_receipt_is_bad_input(self, cli: Cli, tmp_path: Path):
        """A receipt path that cannot be read exits 2 and names it."""
        cli.open()
        missing = tmp_path / "absent.json"

        result = cli.run("audit", "verify", "--receipt", str(missing), fails=True)

        assert result.exit_code == 2
        assert result.stderr.startswith(f"Error: Cannot read {missing}")


class TestReport:
    def test_text_in_both_languages(self, cli: Cli, trail: dict[str, str]):
        """The text report shows cases per stage and the termination reason."""
        english = cli.run("audit", "report")
        indonesian = cli.run("audit", "report", lang="id")

        assert english.exit_code == indonesian.exit_code == 0
        lines = english.stdout.splitlines()
        assert lines[0] == "Helping process report"
        assert "Cases per current stage" in lines
        assert any(re.fullmatch(r"Intake\s+1", line) for line in lines)
        assert any(re.fullmatch(r"Termination\s+1", line) for line in lines)
        assert any(re.fullmatch(r"Client's own wish\s+1", line) for line in lines)
        ids = indonesian.stdout.splitlines()
        assert ids[0] == "Laporan proses pertolongan"
        assert "Kasus menurut tahap saat ini" in ids
        assert any(re.fullmatch(r"Atas kemauan klien\s+1", line) for line in ids)

    def test_json(self, cli: Cli, trail: dict[str, str]):
        """The JSON report parses and holds the stages and the termination reason."""
        explicit = cli.run("audit", "report", "--format", "json")
        data = cli.json("audit", "report")

        assert json.loads(explicit.stdout)["cases"] == data["cases"] == 3
        assert data["cases_by_stage"]["intake"] == 1
        assert data["cases_by_stage"]["engagement"] == 1
        assert data["cases_by_stage"]["termination"] == 1
        assert data["terminations"]["by_reason"]["client_request"] == 1

    def test_csv(self, cli: Cli, trail: dict[str, str]):
        """The CSV report parses with the csv module, labels in the chosen language."""
        result = cli.run("audit", "report", "--format", "csv", lang="id")

        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        figures = {(row["section"], row["key"]): row for row in rows}
        assert result.exit_code == 0
        assert figures["cases_by_stage", "intake"]["value"] == "1"
        assert figures["cases_by_stage", "intake"]["label"] == "Intake (penerimaan)"
        reason = figures["terminations_by_reason", "client_request"]
        assert (reason["value"], reason["label"]) == ("1", "Atas kemauan klien")

    def test_html_is_self_contained(
        self, cli: Cli, trail: dict[str, str], tmp_path: Path
    ):
        """The HTML report is one page that loads nothing from anywhere."""
        path = tmp_path / "report.html"

        result = cli.run("audit", "report", "--format", "html", "-o", str(path))

        page = path.read_text(encoding="utf-8")
        assert result.exit_code == 0
        assert result.stdout == f"Wrote {path}.\n"
        assert page.startswith("<!DOCTYPE html>")
        assert "Client&#x27;s own wish" in page or "Client's own wish" in page
        assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page)
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
        assert not re.search(r"url\(|@import", page)
        assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
            "http://www.w3.org/2000/svg"
        }

    def test_dash_and_a_file_get_the_same_report(
        self, cli: Cli, trail: dict[str, str], tmp_path: Path
    ):
        """-o - writes to standard output; -o FILE writes the same bytes there."""
        path = tmp_path / "report.csv"

        to_stdout = cli.run("audit", "report", "--format", "csv", "-o", "-")
        to_file = cli.json("audit", "report", "--format", "csv", "-o", str(path))

        assert _without_as_of(path.read_text()) == _without_as_of(to_stdout.stdout)
        assert to_file == {
            "path": str(path),
            "format": "csv",
            "cases": 3,
            "findings": 0,
            "verified": True,
            "sound": True,
        }

    def test_the_window_limits_the_report(self, cli: Cli, trail: dict[str, str]):
        """A window ending before the trail began holds no case; one from today all."""
        before = cli.json("audit", "report", "--until", "2000-01-01")
        today = cli.json("audit", "report", "--since", "2000-01-01T00:00:00+07:00")

        assert before["cases"] == 0
        assert before["until"] == "2000-01-01T23:59:59.999999Z"
        assert today["cases"] == 3
        assert today["since"] == "1999-12-31T17:00:00Z"

    @pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "2025-01-01T10:00"])
    @pytest.mark.parametrize(
        ("lang", "words"),
        [("en", "must be a date (YYYY-MM-DD)"), ("id", "harus berupa tanggal")],
    )
    def test_a_bad_date_is_bad_input(self, cli: Cli, value: str, lang: str, words: str):
        """A date that is not one, or a time without a zone, exits 2 with one line."""
        result = cli.run("audit", "report", "--since", value, fails=True, lang=lang)
        as_json = cli.run("--json", "audit", "report", "--until", value, fails=True)

        assert (result.exit_code, as_json.exit_code) == (2, 2)
        assert words in result.stderr
        assert repr(value) in result.stderr
        assert json.loads(as_json.stdout)["error"]["field"] == "until"

    def test_since_after_the_end_is_bad_input(self, cli: Cli):
        """A window that starts after it ends exits 2 and says so."""
        result = cli.run(
            "audit", "report", "--since", "2025-02-01", "--until", "2025-01-01",
            fails=True, lang="id",
        )  # fmt: skip

        assert result.exit_code == 2
        assert result.stderr.startswith(
            "Kesalahan: --since 2025-02-01 jatuh sesudah akhir periode"
        )

    def test_an_unknown_format_is_bad_input(self, cli: Cli):
        """A format that is not offered exits 2 and names the formats that are."""
        result = cli.run("audit", "report", "--format", "pdf", fails=True, lang="id")

        assert result.exit_code == 2
        assert result.stderr == (
            "Kesalahan: 'pdf' bukan format yang tersedia di sini. Gunakan salah "
            "satu: text, json, csv, html.\n"
        )

    def test_the_policy_file_is_used(
        self, cli: Cli, trail: dict[str, str], tmp_path: Path
    ):
        """The report is checked against the agency's policy file."""
        path = tmp_path / "policy.toml"
        path.write_text(
            '[cases]\nidle_days = 90\n\n[rules]\ndisabled = ["idle_case"]\n'
        )

        data = cli.json("audit", "report", "--policy", str(path))

        assert data["policy"]["cases"]["idle_days"] == 90
        assert data["policy"]["rules"]["disabled"] == ["idle_case"]

    @pytest.mark.parametrize(
        ("text", "words"),
        [
            ("x = [", "is not TOML"),
            ("[stages.max_days]\ntermination = 3\n", "which is not a policy key"),
            ("[cases]\nidle_days = -1\n", "is not valid: cases.idle_days"),
        ],
    )
    def test_a_bad_policy_file_is_bad_input(
        self, cli: Cli, tmp_path: Path, text: str, words: str
    ):
        """A policy file that is not TOML or not a policy exits 2 naming the file."""
        path = tmp_path / "policy.toml"
        path.write_text(text)

        result = cli.run("audit", "report", "--policy", str(path), fails=True)

        assert result.exit_code == 2
        assert result.stderr.startswith(f"Error: The policy file {path}")
        assert words in result.stderr

    def test_a_missing_policy_file_is_bad_input(self, cli: Cli, tmp_path: Path):
        """A policy file that cannot be read exits 2 with one line."""
        path = tmp_path / "absent.toml"

        result = cli.run("audit", "report", "--policy", str(path), fails=True)

        assert result.exit_code == 2
        assert result.stderr.startswith(f"Error: Cannot read {path}")


def _without_as_of(text: str) -> str:
    """A CSV report without its ``as_of`` row, which differs run by run."""
    return "\n".join(line for line in text.splitlines() if ",as_of," not in line)


class TestPolicy:
    def test_prints_the_default_policy(self, cli: Cli):
        """The default policy is printed as TOML that reads back the same."""
        result = cli.run("audit", "policy")

        assert result.exit_code == 0
        assert result.stdout == Policy().to_toml()
        assert parse_policy(result.stdout) == Policy()

    def test_checks_and_prints_a_file(self, cli: Cli, tmp_path: Path):
        """With --policy, the file's policy is printed merged over the defaults."""
        path = tmp_path / "policy.toml"
        path.write_text("[stages.max_days]\nassessment = 45\n")

        text = cli.run("audit", "policy", "--policy", str(path))
        data = cli.json("audit", "policy", "--policy", str(path))

        assert "assessment = 45" in text.stdout.splitlines()
        assert data["stages"]["max_days"]["assessment"] == 45
        assert data["stages"]["max_days"]["intake"] == 14


class TestExport:
    def test_every_case_verifies_with_the_example_script(
        self, cli: Cli, tmp_path: Path
    ):
        """An export of every case, a redaction included, verifies independently."""
        first = cli.walk("intake")
        cli.walk("contract")
        _redact(cli, first)
        path = tmp_path / "trail.jsonl"

        result = cli.run(
            "audit", "export", "--all", "--format", "jsonl", "-o", str(path)
        )
        checked = subprocess.run(
            [sys.executable, str(SCRIPT), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"Exported 2 cases, 12 lines, to {path}.\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert (checked.returncode, checked.stdout.strip()) == (
            0,
            "verified: 2 cases, 9 events",
        )

    def test_one_case_to_standard_output(self, cli: Cli):
        """--case exports that case alone: a header, its head and its events."""
        case_id = cli.walk("intake")
        cli.open()

        result = cli.run("audit", "export", "--case", case_id[:8])

        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert result.exit_code == 0
        assert [line["type"] for line in lines] == [
            "export",
            "head",
            "event",
            "event",
            "event",
        ]
        assert lines[0]["cases"] == 1
        assert {line["case_id"] for line in lines[1:]} == {case_id}

    def test_json_summarises_a_file_export(self, cli: Cli, tmp_path: Path):
        """With --json and -o, export prints where it wrote and how much."""
        cli.walk("intake")
        path = tmp_path / "trail.jsonl"

        data = cli.json("audit", "export", "--all", "-o", str(path))

        assert data == {"path": str(path), "format": "jsonl", "cases": 1, "lines": 5}

    @pytest.mark.parametrize("choice", [[], ["--all", "--case", "abcd"]])
    @pytest.mark.parametrize(
        ("lang", "message"),
        [
            ("en", "Error: Give exactly one of --case CASE or --all.\n"),
            ("id", "Kesalahan: Berikan tepat satu dari --case CASE atau --all.\n"),
        ],
    )
    def test_exactly_one_of_case_or_all(
        self, cli: Cli, choice: list[str], lang: str, message: str
    ):
        """Neither or both of --case and --all exits 2 with one line."""
        result = cli.run("audit", "export", *choice, fails=True, lang=lang)

        assert result.exit_code == 2
        assert result.stderr == message

    def test_an_unknown_case_writes_no_file(self, cli: Cli, tmp_path: Path):
        """Exporting an unknown case exits 2 and leaves no file behind."""
        path = tmp_path / "trail.jsonl"

        result = cli.run(
            "--json", "audit", "export", "--case", "zzzz-9", "-o", str(path), fails=True
        )

        assert result.exit_code == 2
        assert json.loads(result.stdout)["error"]["kind"] == "UnknownCaseError"
        assert not path.exists()

    def test_an_unknown_format_is_bad_input(self, cli: Cli):
        """Only jsonl is offered; another format exits 2 naming it."""
        result = cli.run("audit", "export", "--all", "--format", "csv", fails=True)

        assert result.exit_code == 2
        assert result.stderr == (
            "Error: 'csv' is not a format offered here. Use one of: jsonl.\n"
        )

    def test_an_unwritable_file_is_bad_input(self, cli: Cli, tmp_path: Path):
        """An output file in a directory that does not exist exits 2."""
        cli.open()
        path = tmp_path / "missing" / "trail.jsonl"

        result = cli.run("audit", "export", "--all", "-o", str(path), fails=True)

        assert result.exit_code == 2
        assert result.stderr.startswith(f"Error: Cannot write {path}")


class TestReportTrail:
    def test_a_sound_trail_is_said_first(self, cli: Cli, trail: dict[str, str]):
        """The text report says first that the trail was verified and sound."""
        english = cli.run("audit", "report")
        indonesian = cli.run("audit", "report", lang="id")

        lines = english.stdout.splitlines()
        assert lines[2] == (
            "Audit trail: verified, no fault found (cases: 3; events: 6)"
        )
        assert lines[3] == "Seals: not checked (no public key given)"
        assert indonesian.stdout.splitlines()[2].startswith(
            "Jejak audit: terverifikasi, tidak ada kesalahan"
        )

    def test_the_key_and_the_newest_seal_are_named(
        self, cli: Cli, trail: dict[str, str], tmp_path: Path
    ):
        """With --key, the top says which key checked up to which seal."""
        private, public = _keygen(cli, tmp_path / "keys")
        assert cli.run("audit", "seal", "--key", str(private)).exit_code == 0

        result = cli.run("audit", "report", "--key", str(public))
        data = cli.json("audit", "report", "--format", "json", "--key", str(public))

        seals = result.stdout.splitlines()[3]
        assert seals.startswith("Seals: ")
        assert _fingerprint(public)[:16] in seals
        assert data["trail"]["seal"]["newest"] == 1
        assert data["trail"]["seal"]["key"] == _fingerprint(public)

    def test_faults_are_listed_and_their_cases_left_out(
        self, cli: Cli, trail: dict[str, str]
    ):
        """A broken case is named at the top and left out of the figures."""
        _tamper(
            cli,
            (
                "UPDATE events SET body = CAST(body || ' ' AS BLOB)"
                " WHERE case_id = ? AND seq = 2",
                (trail["ended"],),
            ),
        )

        result = cli.run("audit", "report")
        data = cli.json("audit", "report", "--format", "json")

        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert lines[2].startswith("Audit trail: NOT SOUND: faults found: 1")
        assert lines[4].startswith(f"  {trail['ended']} #2 edited")
        assert lines[5] == (
            f"The figures leave out the cases with faults: {trail['ended']}"
        )
        assert data["cases"] == 2
        assert data["trail"]["sound"] is False
        assert data["trail"]["excluded_cases"] == [trail["ended"]]
        assert data["trail"]["findings"][0]["kind"] == "edited"

    def test_no_verify_says_so(self, cli: Cli, trail: dict[str, str]):
        """--no-verify skips verification, and the report says it is unverified."""
        text = cli.run("audit", "report", "--no-verify")
        csv_rows = cli.run("audit", "report", "--no-verify", "--format", "csv")
        html = cli.run("audit", "report", "--no-verify", "--format", "html")
        data = cli.json("audit", "report", "--format", "json", "--no-verify")

        assert text.stdout.splitlines()[2].startswith("Audit trail: NOT VERIFIED")
        assert "trail,state,unverified," in csv_rows.stdout
        assert 'class="trail unverified"' in html.stdout
        assert data["trail"] == {"verified": False}

    def test_html_and_csv_say_the_verdict(self, cli: Cli, trail: dict[str, str]):
        """The HTML page's first section and the CSV's first rows give the verdict."""
        html = cli.run("audit", "report", "--format", "html", lang="id")
        csv_rows = cli.run("audit", "report", "--format", "csv")

        first = html.stdout.index("<section")
        assert html.stdout[first:].startswith(
            '<section id="trail" class="trail sound">'
        )
        assert "terverifikasi, tidak ada kesalahan" in html.stdout
        assert 'trail,state,sound,"Audit trail: verified' in csv_rows.stdout
        assert "trail,faults,0," in csv_rows.stdout
