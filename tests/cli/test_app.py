"""The group itself: help, info, languages, errors, completion, start-up."""

from __future__ import annotations

import ast
import errno
import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from helping_process import __version__
from helping_process.labels import Language
from tests.cli._support import Cli
from tests.cli._support import case_module
from tests.cli._support import errors_module
from tests.cli._support import main
from tests.cli._support import messages_module
from tests.cli._support import python_env

CLI_DIR = Path(__file__).parents[2] / "cli"
KEY = re.compile(
    r"(help|opt|usage|error|case|list|history|show|info|process"
    r"|trigger|verify|demo|step|prompt|field|problem)\.[\w.\-]+"
)


def message_table() -> dict[str, tuple[str, str]]:
    """The command line's message table."""
    return dict(messages_module.MESSAGES)


class TestHelp:
    def test_help_in_both_languages(self, cli: Cli):
        """--help reads in the language --lang asks for."""
        english = cli.run("--help")
        indonesian = cli.run("--help", lang="id")

        assert english.exit_code == indonesian.exit_code == 0
        assert english.stdout.startswith("Usage: helping-process [OPTIONS]")
        assert indonesian.stdout.startswith("Penggunaan: helping-process [OPTIONS]")
        assert "Commands:" in english.stdout
        assert "Perintah:" in indonesian.stdout

    def test_help_documents_completion_and_exit_codes(self, cli: Cli):
        """The epilog shows the shell completion line and the exit codes."""
        result = cli.run("--help")

        assert (
            'eval "$(_HELPING_PROCESS_COMPLETE=bash_source helping-process)"'
            in result.stdout
        )
        assert "130 cancelled at a prompt" in result.stdout

    @pytest.mark.parametrize(
        "command",
        [
            ["case"],
            ["case", "open"],
            ["case", "record"],
            ["case", "move"],
            ["case", "terminate"],
            ["case", "reopen"],
            ["case", "show"],
            ["case", "list"],
            ["case", "history"],
            ["case", "step"],
            ["process"],
            ["process", "show"],
            ["process", "graph"],
            ["demo"],
            ["info"],
            ["verify"],
        ],
    )
    @pytest.mark.parametrize("lang", ["en", "id"])
    def test_every_command_has_help_fitting_80_columns(
        self, cli: Cli, command: list[str], lang: str
    ):
        """Every command's help renders, with no raw message key, in 80 columns."""
        result = cli.run(*command, "--help", lang=lang)

        assert result.exit_code == 0
        assert not re.search(r"\b(help|opt)\.[a-z]", result.stdout)
        assert all(len(line) <= 80 for line in result.stdout.splitlines())

    def test_version(self, cli: Cli):
        """--version prints the package version."""
        result = cli.run("--version")

        assert result.exit_code == 0
        assert __version__ in result.stdout

    def test_no_arguments_show_help(self, cli: Cli):
        """Without any argument the help is shown (click's convention: exit 2)."""
        from click.testing import CliRunner  # noqa: PLC0415

        result = CliRunner().invoke(main, [], env=cli.env())

        assert result.exit_code == 2
        assert "Usage:" in result.stdout + result.stderr

    def test_options_without_a_command(self, cli: Cli):
        """Options but no command is a usage error in the chosen language."""
        result = cli.run(fails=True, lang="id")

        assert result.exit_code == 2
        assert result.stderr == (
            "Kesalahan: Perintah belum diberikan. (Lihat 'helping-process --help'.)\n"
        )


class TestInfo:
    def test_json_with_the_default_database(self, cli: Cli):
        """The info command shows the default database in the user data directory."""
        data = cli.json("info", db=False)

        data_dir = cli.home / "helping-process"
        assert data == {
            "version": __version__,
            "database": f"sqlite:///{data_dir / 'helping_process.db'}",
            "data_dir": str(data_dir),
            "language": "en",
            "actor": "worker-1",
            "role": "worker",
            "default_process": "helping-process@2",
            "actors_checked": False,
            "active_staff": 0,
        }
        assert not data_dir.exists()

    def test_environment_chooses_database_actor_and_language(self, cli: Cli):
        """HELPING_PROCESS_DB, _ACTOR and _LANG stand in for the options."""
        result = CliRunnerless(cli).info(
            HELPING_PROCESS_DB="sqlite:///x.db",
            HELPING_PROCESS_ACTOR="peksos-9",
            HELPING_PROCESS_LANG="id",
        )

        assert result["database"] == "sqlite:///x.db"
        assert result["actor"] == "peksos-9"
        assert result["language"] == "id"

    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({"LANG": "id_ID.UTF-8"}, "id"),
            ({"LANG": "en_US.UTF-8", "LC_ALL": "id_ID.UTF-8"}, "id"),
            ({"LANG": "id_ID.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
            ({"LANG": "C.UTF-8"}, "en"),
            ({"LANG": "id_ID.UTF-8", "HELPING_PROCESS_LANG": "en"}, "en"),
        ],
    )
    def test_locale_chooses_the_language(
        self, cli: Cli, env: dict[str, str], expected: str
    ):
        """Without --lang, HELPING_PROCESS_LANG and then the locale decide."""
        assert CliRunnerless(cli).info(**env)["language"] == expected

    def test_text(self, cli: Cli):
        """The info command in text mode lists each item on its own line."""
        result = cli.run("info", lang="id")

        assert result.stdout.splitlines()[0] == f"versi          {__version__}"
        assert "basis data" in result.stdout

    def test_default_database_is_created_on_first_use(self, cli: Cli):
        """The first command that needs the default database creates it."""
        result = cli.run("case", "list", db=False)

        assert result.exit_code == 0
        assert (cli.home / "helping-process" / "helping_process.db").exists()


class CliRunnerless:
    """Runs ``info --json`` with only the environment choosing the settings."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli

    def info(self, **env: str) -> dict[str, str]:
        """Return what info reports under ``env``."""
        from click.testing import CliRunner  # noqa: PLC0415

        result = CliRunner(catch_exceptions=False).invoke(
            main, ["--json", "info"], env=self.cli.env(**env)
        )
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)  # type: ignore[no-any-return] # a JSON object


class TestUsageErrors:
    def test_unknown_option_in_both_languages(self, cli: Cli):
        """An unknown option exits 2 with one line in the chosen language."""
        english = cli.run("--colour", "info", fails=True)
        indonesian = cli.run("--colour", "info", fails=True, lang="id")

        assert english.exit_code == indonesian.exit_code == 2
        assert english.stderr == (
            "Error: There is no option --colour. (See 'helping-process --help'.)\n"
        )
        assert indonesian.stderr == (
            "Kesalahan: Tidak ada opsi --colour. (Lihat 'helping-process --help'.)\n"
        )

    def test_unknown_command(self, cli: Cli):
        """An unknown command exits 2; with --json the error is JSON."""
        result = cli.run("--json", "case", "close", fails=True)

        assert result.exit_code == 2
        assert json.loads(result.stdout) == {
            "error": {
                "kind": "usage",
                "message": (
                    "There is no command 'close'. (See 'helping-process case --help'.)"
                ),
            }
        }

    def test_bad_language(self, cli: Cli):
        """An unknown --lang exits 2 and lists the languages."""
        result = cli.run(fails=True, lang="fr")

        assert result.exit_code == 2
        assert result.stderr == (
            "Error: lang is not a known code ('fr'). Use one of: en, id.\n"
        )

    def test_bad_role(self, cli: Cli):
        """--role takes worker or supervisor only."""
        result = cli.run("--role", "boss", "info", fails=True)

        assert result.exit_code == 2
        assert "Use one of: worker, supervisor." in result.stderr

    def test_blank_actor_is_bad_input(self, cli: Cli):
        """A blank --actor is bad input when a command acts."""
        result = cli.run("--actor", " ", "case", "open", "--client", "x", fails=True)

        assert result.exit_code == 2
        assert cli.json("case", "list") == {
            "cases": [],
            "verified": False,
            "next_cursor": None,
        }

    def test_debug_shows_the_traceback(self, cli: Cli):
        """--debug prints the traceback before the one-line error."""
        case_id = cli.open()
        args = ("case", "record", case_id, "engagement", "--data", "{}")
        quiet = cli.run(*args, fails=True)
        loud = cli.run("--debug", *args, fails=True)

        assert "Traceback" not in quiet.stderr
        assert "Traceback" in loud.stderr
        assert loud.stderr.endswith(quiet.stderr)
        assert loud.exit_code == 2


class TestSetUp:
    def test_missing_postgres_driver_is_bad_set_up(self, cli: Cli, monkeypatch):
        """Without psycopg a postgresql:// URL exits 2 and names what to install."""
        monkeypatch.setitem(sys.modules, "psycopg", None)
        url = "postgresql://postgres@127.0.0.1/none"

        result = cli.run("--db", url, "case", "list", db=False, fails=True)
        as_json = cli.run("--json", "--db", url, "case", "list", db=False, fails=True)

        assert (result.exit_code, as_json.exit_code) == (2, 2)
        assert result.stderr == (
            "Error: The database driver psycopg is not installed; install it "
            "with: pip install 'helping-process[postgres]'\n"
        )
        assert json.loads(as_json.stdout)["error"]["kind"] == "DriverMissingError"


class TestCompletion:
    def test_bash_script(self, cli: Cli):
        """_HELPING_PROCESS_COMPLETE=bash_source prints the completion script."""
        result = cli.run(
            lang="", db=False, env={"_HELPING_PROCESS_COMPLETE": "bash_source"}
        )

        assert result.exit_code == 0
        assert "_helping_process_completion" in result.stdout

    def test_stage_codes_complete(self, cli: Cli):
        """Stage codes complete from what was typed."""
        case_id = cli.open()

        result = cli.run(
            lang="",
            db=False,
            env={
                "_HELPING_PROCESS_COMPLETE": "bash_complete",
                "COMP_WORDS": f"helping-process case move {case_id} in",
                "COMP_CWORD": "4",
            },
        )

        assert result.stdout.split() == [
            "plain,intake",
            "plain,intervention",
        ]

    def test_case_ids_complete_from_the_database(self, cli: Cli):
        """Case ids complete from the cases in the database."""
        case_id = cli.open()

        result = cli.run(
            lang="",
            db=False,
            env={
                "_HELPING_PROCESS_COMPLETE": "bash_complete",
                "COMP_WORDS": f"helping-process --db {cli.url} case show {case_id[:2]}",
                "COMP_CWORD": "5",
            },
        )

        assert result.stdout.split() == [f"plain,{case_id}"]


class TestMessages:
    def test_english_counts_agree_with_their_number(self):
        """An English count reads '1 case' and '2 cases'; Indonesian has no -s."""
        say = messages_module.say
        counted = messages_module.counted

        def verified(lang: Language, cases: int, events: int) -> str:
            return say(
                "verify.ok",
                lang,
                cases=counted("count.cases", lang, cases),
                events=counted("count.events", lang, events),
            )

        assert verified("en", 1, 1) == "trail verified: 1 case, 1 event"
        assert verified("en", 2, 0) == "trail verified: 2 cases, 0 events"
        assert verified("id", 1, 2) == (
            "jejak audit terverifikasi: 1 kasus, 2 peristiwa"
        )

    def test_no_message_hedges_its_plural(self):
        """No English message writes '(s)'; no Indonesian one picks a plural."""
        for english, indonesian in message_table().values():
            assert "(s)" not in english
            assert "|" not in indonesian

    def test_every_key_used_exists(self):
        """Every message key the command line names is in the table."""
        table = message_table()
        used = set()
        for path in CLI_DIR.glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and KEY.fullmatch(node.value)
                ):
                    used.add(node.value)
        prefixes = {key for key in used if key.endswith((".", "_", "level"))}

        assert used - prefixes - set(table) == set()
        assert all(any(name.startswith(p) for name in table) for p in prefixes)

    def test_both_languages_take_the_same_parameters(self):
        """The English and Indonesian templates of a key name the same fields."""
        formatter = string.Formatter()
        for key, (english, indonesian) in message_table().items():
            fields = [
                {name for _, name, _, _ in formatter.parse(text) if name}
                for text in (english, indonesian)
            ]

            assert fields[0] == fields[1], key
            assert english.strip(), key
            assert indonesian.strip(), key


class TestStartUp:
    def test_help_loads_no_database_code(self):
        """--help loads neither SQLAlchemy, Alembic nor the persistence package."""
        script = (
            "import json, sys\n"
            "from helping_process.cli import main\n"
            "main(['--help'], standalone_mode=False)\n"
            "names = ('sqlalchemy', 'alembic', 'helping_process.persistence')\n"
            "print(json.dumps([name in sys.modules for name in names]))\n"
        )

        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env=python_env(),
        )

        assert json.loads(result.stdout.splitlines()[-1]) == [False, False, False]

    def test_process_show_loads_no_database_code(self):
        """Showing the process needs no database, so it does not load SQLAlchemy."""
        script = (
            "import sys\n"
            "from helping_process.cli import main\n"
            "main(['process', 'show'], standalone_mode=False)\n"
            "print('sqlalchemy' in sys.modules)\n"
        )

        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env=python_env(),
        )

        assert result.stdout.splitlines()[-1] == "False"


class TestErrorPaths:
    def test_option_without_its_value(self, cli: Cli):
        """An option missing its value is a usage error, one line, exit 2."""
        result = cli.run("case", "list", "--stage", fails=True)

        assert result.exit_code == 2
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("Error: ")

    def test_language_of_an_early_error_is_read_from_the_arguments(self, cli: Cli):
        """A bad global option is reported in the --lang=xx language."""
        result = cli.run("--lang=id", "--json", "--colour", fails=True, lang="")

        assert result.stderr.startswith("Kesalahan: Tidak ada opsi --colour.")
        assert json.loads(result.stdout)["error"]["kind"] == "usage"

    def test_a_bug_is_one_line_with_exit_70(
        self, cli: Cli, monkeypatch: pytest.MonkeyPatch
    ):
        """An unexpected exception is one line (exit 70); --debug shows it whole."""

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("boom")

        case_id = cli.open()
        monkeypatch.setattr(case_module, "next_moves", broken)

        quiet = cli.run("--json", "case", "show", case_id, fails=True)
        with pytest.raises(RuntimeError, match="boom"):
            cli.run("--debug", "case", "show", case_id)

        assert quiet.exit_code == 70
        assert quiet.stderr == (
            "Error: Unexpected failure (RuntimeError: boom); rerun with --debug "
            "and report it.\n"
        )
        assert json.loads(quiet.stdout)["error"]["kind"] == "internal"

    def test_interrupt_outside_a_prompt(
        self, cli: Cli, monkeypatch: pytest.MonkeyPatch
    ):
        """Ctrl-C while a command runs ends it with 130 and one line."""

        def interrupted(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        case_id = cli.open()
        monkeypatch.setattr(case_module, "next_moves", interrupted)

        result = cli.run("case", "show", case_id, fails=True, lang="id")

        assert result.exit_code == 130
        assert result.stderr == (
            "Dibatalkan: Dihentikan; setiap perintah tersimpan utuh atau tidak "
            "sama sekali.\n"
        )

    def test_default_directory_that_cannot_be_made(self, cli: Cli, tmp_path: Path):
        """A data directory that cannot be created is a storage failure."""
        blocker = tmp_path / "file"
        blocker.write_text("", encoding="utf-8")

        result = cli.run(
            "case", "list", db=False, fails=True, env={"XDG_DATA_HOME": str(blocker)}
        )

        assert result.exit_code == 1
        assert result.stderr.startswith("Refused: The database failed: cannot create")

    def test_language_falls_back_to_english(self):
        """Without any language setting, English is spoken."""
        detect = messages_module.detect_language

        assert detect({}) == "en"
        assert detect({"HELPING_PROCESS_LANG": "xx", "LANG": "id"}) == "id"

    def test_closed_pipe_is_left_to_click(self):
        """Output piped into a reader that left is not reported as a bug."""
        closed = BrokenPipeError(errno.EPIPE, "Broken pipe")

        raised = errors_module.translate(closed, "en", as_json=False, debug=False)

        assert raised is closed
