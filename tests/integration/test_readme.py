"""The README's examples, Python and console, run as they are written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.DOTALL)


class TestReadme:
    def test_the_examples_run_in_order(self, tmp_path, monkeypatch, capsys):
        """Each Python block runs after the one before, with the results it claims."""
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, object] = {}

        for block in _python_blocks():
            exec(compile(block, str(README), "exec"), namespace)

        printed = capsys.readouterr().out.splitlines()
        assert printed[0] == "('engagement.record',)"
        assert "belum ada" in printed[1]
        assert namespace["findings"] == []
        assert (tmp_path / "cases.db").exists()

    def test_there_are_examples(self):
        """The README shows the core and the service API."""
        assert len(_python_blocks()) == 2

    @pytest.mark.parametrize(
        "command", ["uv run helping-process demo", "uv run pytest"]
    )
    def test_the_set_up_commands_come_first(self, command):
        """The first code block holds the two commands that set everything up."""
        first = README.read_text("utf-8").split("```")[1]

        assert command in first


def _session() -> list[tuple[str, list[str]]]:
    """The README's console commands, each with the lines it shows it printing."""
    steps: list[tuple[str, list[str]]] = []
    text = README.read_text("utf-8")
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif line.startswith("    ") and steps and not steps[-1][1]:
                steps[-1] = (steps[-1][0] + "\n" + line, [])
            else:
                steps[-1][1].append(line)
    return steps


_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class TestReadmeSession:
    def test_the_console_session_runs_as_written(self, tmp_path):
        """Each console command of the README runs in order and prints what it shows."""
        shutil.copytree(README.parent / "examples", tmp_path / "examples")
        script = ["set -e"]
        steps = _session()
        for number, (command, _) in enumerate(steps):
            run = command.replace(
                "uv run helping-process", f"{sys.executable} -m helping_process.cli"
            )
            script.append(f"echo '=== {number}'")
            script.append(f"{run} 2>&1 || true")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("HELPING_PROCESS_") and key not in ("LC_ALL", "LANG")
        }
        env.update(LANG="C.UTF-8", XDG_DATA_HOME=str(tmp_path / "home"))

        result = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )

        outputs = [
            _ID.sub("ID", chunk.partition("\n")[2])
            for chunk in result.stdout.split("=== ")[1:]
        ]
        assert len(outputs) == len(steps)
        assert not (tmp_path / "home").exists()
        for (command, shown), output in zip(steps, outputs, strict=True):
            for line in shown:
                assert _ID.sub("ID", line) in output, command
