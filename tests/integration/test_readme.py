"""The README's Python examples run as they are written."""

from __future__ import annotations

import re
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
