"""``helping-process process show`` and ``process graph``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helping_process import DEFAULT_REF
from helping_process import Stage
from helping_process import builtin
from helping_process import builtins
from helping_process import load_definition
from helping_process.definitions import builtin_text
from helping_process.states import PROCESS
from helping_process.states.vocabulary import HELPING_STAGES
from tests.cli._support import Cli


class TestShow:
    def test_text_in_both_languages(self, cli: Cli):
        """Showing the process lists stages, moves and reasons in one language."""
        english = cli.run("process", "show")
        indonesian = cli.run("process", "show", lang="id")

        assert english.exit_code == indonesian.exit_code == 0
        assert "  5. planning      Planning" in english.stdout
        assert (
            "  5. planning      Perencanaan (rencana intervensi)" in indonesian.stdout
        )
        assert "evaluation -> planning (re-plan) (note required)" in english.stdout
        assert "client_absconded: Klien kabur dari panti" in indonesian.stdout
        assert "hanya klien yang tinggal di panti" in indonesian.stdout
        assert "needs: needs" not in english.stdout
        assert "perlu: perlu" not in indonesian.stdout
        assert (
            "      needs: a sub-reason: emotional_involvement, personal_factors"
            in english.stdout.splitlines()
        )
        for output in (english.stdout, indonesian.stdout):
            assert all(len(line) <= 80 for line in output.splitlines())

    def test_json(self, cli: Cli):
        """Showing the process in JSON gives every stage, move and reason."""
        data = cli.json("process", "show", "helping-process@1", db=False)

        assert data["stages"] == [stage.value for stage in HELPING_STAGES]
        assert len(data["moves"]) == len(PROCESS.moves)
        assert {"from": "evaluation", "to": "intervention", "trigger": "resume",
                "note_required": True} in data["moves"]  # fmt: skip
        reasons = {rule["reason"]: rule for rule in data["terminations"]}
        assert sorted(reasons) == sorted(
            reason.value for reason in PROCESS.reason_rules
        )
        assert reasons["client_absconded"]["residential_only"] is True
        assert reasons["client_absconded"]["stages"] == [
            "assessment", "planning", "intervention", "evaluation",
        ]  # fmt: skip


class TestGraph:
    def test_mermaid_without_a_case(self, cli: Cli):
        """The Mermaid graph has every stage and move and no highlight."""
        result = cli.run("process", "graph", "--format", "mermaid")

        lines = result.stdout.splitlines()
        assert result.exit_code == 0
        assert lines[0] == "flowchart LR"
        assert '    intake["Intake"]' in lines
        assert '    engagement -->|"advance"| intake' in lines
        assert '    evaluation -.->|"re-plan"| planning' in lines
        assert "classDef current" not in result.stdout

    def test_mermaid_highlights_the_case_stage(self, cli: Cli):
        """With --case, the case's stage is in the ``current`` class."""
        case_id = cli.walk("intake")

        result = cli.run("process", "graph", "--case", case_id, lang="id")

        assert "    classDef current fill:#ffd54f,stroke:#333,stroke-width:2px" in (
            result.stdout.splitlines()
        )
        assert result.stdout.splitlines()[-1] == "    class intake current"
        assert '    intake["Intake (penerimaan)"]' in result.stdout

    def test_dot_highlights_the_case_stage(self, cli: Cli):
        """The dot graph fills the case's stage and dashes the loops."""
        case_id = cli.open()

        result = cli.run("process", "graph", "--format", "dot", "--case", case_id)

        lines = result.stdout.splitlines()
        assert lines[0] == "digraph helping_process {"
        assert lines[-1] == "}"
        assert (
            '    engagement [label="Engagement", style=filled, fillcolor="#ffd54f"];'
            in lines
        )
        assert '    intake [label="Intake"];' in lines
        assert '    planning -> assessment [label="reassess", style=dashed];' in lines

    def test_json(self, cli: Cli):
        """The graph in JSON wraps the graph text with its format and highlight."""
        case_id = cli.open()

        data = cli.json("process", "graph", "--format", "dot", "--case", case_id)

        assert data["format"] == "dot"
        assert data["current"] == "engagement"
        assert data["graph"].startswith("digraph helping_process {")

    @pytest.mark.parametrize(
        ("args", "code"),
        [(["--format", "svg"], 2), (["--case", "no-such-case"], 2)],
    )
    def test_bad_input(self, cli: Cli, args: list[str], code: int):
        """An unknown format or case exits 2."""
        result = cli.run("process", "graph", *args, fails=True)

        assert result.exit_code == code
        assert len(result.stderr.splitlines()) == 1


class TestList:
    def test_text_marks_the_default(self, cli: Cli):
        """Listing names every built-in, its digest and the default, per language."""
        english = cli.run("process", "list", db=False)
        indonesian = cli.run("process", "list", db=False, lang="id")

        assert english.exit_code == indonesian.exit_code == 0
        default = builtin(DEFAULT_REF)
        assert f"{default.ref}  {default.digest[:16]} (default for new cases)" in (
            english.stdout.splitlines()
        )
        assert "(bawaan untuk kasus baru)" in indonesian.stdout
        assert "rehsos-pp39@1" in english.stdout

    def test_json(self, cli: Cli):
        """In JSON, each definition is an object with name, version, digest, default."""
        data = cli.json("process", "list", db=False)

        assert data == [
            {
                "name": d.name,
                "version": d.version,
                "digest": d.digest,
                "default": d.ref == "helping-process@2",
            }
            for d in builtins()
        ]


class TestExport:
    def test_prints_the_file_as_shipped(self, cli: Cli, tmp_path: Path):
        """Exporting prints the built-in's file byte for byte; it loads back."""
        result = cli.run("process", "export", "rehsos-pp39@1", db=False)
        path = tmp_path / "pp39.toml"
        path.write_text(result.stdout, encoding="utf-8")

        assert result.exit_code == 0
        assert result.stdout == builtin_text("rehsos-pp39@1")
        assert load_definition(path).digest == builtin("rehsos-pp39@1").digest

    def test_name_alone_is_the_newest(self, cli: Cli):
        """A name without a version exports its newest version."""
        result = cli.run("process", "export", "helping-process", db=False)

        assert "version = 2" in result.stdout

    def test_unknown_reference(self, cli: Cli):
        """An unknown reference is bad input, named in the chosen language."""
        result = cli.run("process", "export", "nope@1", db=False, fails=True, lang="id")

        assert result.exit_code == 2
        assert "Tidak ada definisi proses nope@1" in result.stderr


class TestCheck:
    def test_sound_file(self, cli: Cli, tmp_path: Path):
        """A sound file gives one line with its reference and digest, exit 0."""
        path = tmp_path / "v1.toml"
        path.write_text(builtin_text("helping-process@1"), encoding="utf-8")

        result = cli.run("process", "check", str(path), db=False)

        assert result.exit_code == 0
        (line,) = result.stdout.splitlines()
        assert line.startswith(f"{path}: helping-process@1 is sound (8 stages")
        assert line.endswith(f"digest {builtin('helping-process@1').digest}.")

    def test_every_problem_one_per_line(self, cli: Cli, tmp_path: Path):
        """A broken file gives every problem with its path, one per line, exit 2."""
        text = (
            builtin_text("helping-process@1")
            .replace('to = "planning"', 'to = "penutupan"', 1)
            .replace("version = 1", 'version = "1"', 1)
        )
        path = tmp_path / "broken.toml"
        path.write_text(text, encoding="utf-8")

        result = cli.run("process", "check", str(path), db=False, fails=True)

        lines = result.stderr.splitlines()
        assert result.exit_code == 2
        assert "moves[3].to: unknown stage 'penutupan'" in lines
        assert "version: must be of type integer, not string" in lines
        assert (
            "stages[4]: stage 'planning' is unreachable from the start stage "
            "'engagement'" in lines
        )
        assert len(lines) == 6
        assert lines[-1] == f"Error: {path} has 5 problems; nothing was loaded."

    def test_json_lists_the_problems(self, cli: Cli, tmp_path: Path):
        """With --json, the problems are a list of objects with their paths."""
        path = tmp_path / "broken.toml"
        path.write_text('format = 1\nname = "x"\nversion = 1\n', encoding="utf-8")

        result = cli.run("--json", "process", "check", str(path), db=False, fails=True)

        error = json.loads(result.stdout)["error"]
        assert result.exit_code == 2
        assert error["kind"] == "DefinitionError"
        assert {"path": "stages", "code": "missing_key", "params": {}} in error[
            "problems"
        ]
        assert len(error["problems"]) == 9

    def test_json_of_a_sound_file(self, cli: Cli, tmp_path: Path):
        """With --json, a sound file gives its name, version, digest, no problems."""
        path = tmp_path / "v2.toml"
        path.write_text(builtin_text("helping-process@2"), encoding="utf-8")

        data = cli.json("process", "check", str(path), db=False)

        assert data == {
            "name": "helping-process",
            "version": 2,
            "digest": builtin("helping-process@2").digest,
            "problems": [],
        }


def _reasons_from(stage: Stage) -> set[str]:
    """The termination reason codes the process allows from ``stage``."""
    return {
        rule.reason.value
        for rule in PROCESS.reason_rules.values()
        if stage in rule.stages
    }


class TestGraphTerminations:
    def test_dot_joins_the_termination_edges(self, cli: Cli):
        """The dot graph has one labelled edge per group of stages into termination."""
        result = cli.run("process", "graph", "--format", "dot", "helping-process@1")

        lines = result.stdout.splitlines()
        into = [line for line in lines if "-> termination [" in line]
        assert result.exit_code == 0
        assert len(into) == 3
        assert not any('[label="terminate"]' in line for line in lines)
        for stage in HELPING_STAGES:
            if stage is Stage.TERMINATION:
                continue
            direct = [line for line in into if line.startswith(f"    {stage.value} ->")]
            joined = [
                line.split()[2]
                for line in lines
                if line.startswith(f"    {stage.value} -> join")
            ]
            assert len(direct) + len(joined) == 1, stage
            edge = (
                direct[0]
                if direct
                else next(
                    line for line in into if line.startswith(f"    {joined[0]} ->")
                )
            )
            label = edge.split('label="', 1)[1].rsplit('"', 1)[0]
            names = {name.split(" (")[0] for name in label.split("\\n")[1:]}
            assert names == _reasons_from(stage), stage

    def test_mermaid_joins_the_termination_edges(self, cli: Cli):
        """The Mermaid graph, too, has one labelled edge per group into termination."""
        result = cli.run(
            "process", "graph", "--format", "mermaid", "helping-process@1", lang="id"
        )

        lines = result.stdout.splitlines()
        into = [line for line in lines if line.endswith("| termination")]
        assert len(into) == 3
        assert '    join1((" "))' in lines
        assert "    engagement --- join1" in lines
        assert any(
            "client_absconded (hanya klien yang tinggal di panti)" in line
            for line in into
        )
        assert all(line.split('|"')[1].startswith("terminasi<br/>") for line in into)


class TestShowAnyDefinition:
    def test_the_default_is_version_two(self, cli: Cli):
        """Without REF, show gives the default for new cases, helping-process@2."""
        data = cli.json("process", "show", db=False)

        reasons = {rule["reason"]: rule for rule in data["terminations"]}
        assert (data["name"], data["version"]) == ("helping-process", 2)
        assert "intake" in reasons["client_absconded"]["stages"]
        assert reasons["client_died"]["planned"] is False

    def test_the_residential_profile(self, cli: Cli):
        """The PP 39/2012 profile shows its own stages and its way into closed."""
        shown = cli.run("process", "show", "rehsos-pp39", lang="id", db=False)
        drawn = cli.run("process", "graph", "--format", "dot", "rehsos-pp39", db=False)

        assert "resocialization" in shown.stdout
        assert "Resosialisasi" in shown.stdout
        assert "-> closed [" in drawn.stdout
        assert "termination -> aftercare" in drawn.stdout


def _own_file(cli: Cli, *, label: str = "Proses LKS") -> str:
    """An agency's own definition file: helping-process@2 under another name."""
    source = builtin_text("helping-process@2")
    source = source.replace('name = "helping-process"', 'name = "lks-x"', 1)
    source = source.replace(
        'label = { id = "Proses pertolongan pekerjaan sosial",',
        f'label = {{ id = "{label}",',
        1,
    )
    cli.home.mkdir(parents=True, exist_ok=True)
    path = cli.home / f"{label.replace(' ', '-')}.toml"
    path.write_text(source, "utf-8")
    return str(path)


class TestInstall:
    def test_install_list_open_and_show(self, cli: Cli):
        """An installed definition is listed, and a case opened under it shows it."""
        path = _own_file(cli)

        first = cli.json("process", "install", path)
        again = cli.json("process", "install", path)
        listed = {d["name"]: d for d in cli.json("process", "list")}
        case_id = cli.json("case", "open", "--client", "K-1", "--process", "lks-x")[
            "case_id"
        ]
        shown = cli.json("case", "show", case_id)

        assert (first["installed"], again["installed"]) == (True, False)
        assert listed["lks-x"]["digest"] == first["digest"]
        assert shown["process"] == {
            "name": "lks-x",
            "version": 2,
            "digest": first["digest"],
        }

    def test_a_clash_is_refused(self, cli: Cli):
        """Another file under an installed name and version is refused, exit 1."""
        cli.run("process", "install", _own_file(cli))

        result = cli.run(
            "process", "install", _own_file(cli, label="Proses lain"), fails=True
        )

        assert result.exit_code == 1
        assert "lks-x@2" in result.stderr

    def test_a_broken_file_names_every_problem(self, cli: Cli):
        """A broken file is bad input, exit 2, with every problem."""
        cli.home.mkdir(parents=True, exist_ok=True)
        path = cli.home / "broken.toml"
        path.write_text(
            builtin_text("helping-process@2")
            .replace('to = "intake"', 'to = "penerimaan"', 1)
            .replace("version = 2", 'version = "2"', 1),
            "utf-8",
        )

        result = cli.run("process", "install", str(path), fails=True)

        assert result.exit_code == 2
        assert "unknown stage 'penerimaan'" in result.stderr
        assert "version" in result.stderr


class TestMigrate:
    def test_accepted_then_refused(self, cli: Cli):
        """A case moves to version 2 once; moving it there again is refused."""
        case_id = cli.json(
            "case", "open", "--client", "K-1", "--process", "helping-process@1"
        )["case_id"]

        moved = cli.json(
            "case", "migrate", case_id, "--to", "helping-process@2", "--note", "Baru."
        )
        again = cli.run(
            "case",
            "migrate",
            case_id,
            "--to",
            "helping-process@2",
            "--note",
            "Lagi.",
            fails=True,
        )

        assert moved["process"]["version"] == 2
        assert moved["seq"] == 2
        assert again.exit_code == 1
        assert "migrate.same_definition" in again.stderr

    def test_the_default_for_new_cases_is_a_setting(self, cli: Cli):
        """--default-process chooses the definition of new cases; info shows it."""
        case_id = cli.json(
            "--default-process", "helping-process@1", "case", "open", "--client", "K"
        )["case_id"]

        shown = cli.json("case", "show", case_id)
        info = cli.json("--default-process", "helping-process@1", "info", db=False)

        assert shown["process"]["version"] == 1
        assert info["default_process"] == "helping-process@1"
