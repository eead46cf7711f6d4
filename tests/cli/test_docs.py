"""The documentation and the docstrings name the commands that exist, all of them."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tests.cli._support import main

ROOT = Path(__file__).parents[2]
#: Global options that take a value, skipped when reading a command line.
_VALUED = {"--db", "--actor", "--role", "--lang"}
#: Where a command may be named.
_SOURCES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "src").rglob("*.py")),
    *sorted((ROOT / "cli").glob("*.py")),
    *sorted((ROOT / "examples").glob("*.py")),
]
_MENTION = re.compile(r"helping-process((?: +[-a-z][-\w]*)+)")


def _commands() -> dict[str, click.Command]:
    """Every listed command, by its path under ``helping-process``."""
    found: dict[str, click.Command] = {}

    def walk(group: click.Group, ctx: click.Context, prefix: str) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            path = f"{prefix}{name}"
            found[path] = command
            if isinstance(command, click.Group):
                walk(command, click.Context(command, parent=ctx), f"{path} ")

    assert isinstance(main, click.Group)
    walk(main, click.Context(main), "")
    return found


COMMANDS = _commands()


def _named(words: list[str]) -> str | None:
    """The command a ``helping-process`` line names, or None for none."""
    index = 0
    while index < len(words) and words[index].startswith("-"):
        if words[index] in ("--help", "--version", "-h"):
            return None
        index += 2 if words[index] in _VALUED else 1
    if index >= len(words):
        return None
    first = words[index]
    grouped = first in COMMANDS and isinstance(COMMANDS[first], click.Group)
    if grouped and index + 1 < len(words) and not words[index + 1].startswith("-"):
        return f"{first} {words[index + 1]}"
    return first


def _mentions() -> list[tuple[str, str]]:
    mentions = []
    for path in _SOURCES:
        for match in _MENTION.finditer(path.read_text("utf-8")):
            named = _named(match.group(1).split())
            if named is not None:
                mentions.append((str(path.relative_to(ROOT)), named))
    return mentions


class TestDocs:
    @pytest.mark.parametrize("command", sorted(COMMANDS))
    def test_cli_doc_covers_every_command(self, command: str):
        """docs/cli.md names every command of the command line."""
        text = (ROOT / "docs" / "cli.md").read_text("utf-8")

        assert f"`{command}" in text

    def test_every_named_command_exists(self):
        """Every 'helping-process …' in the docs and the code names a real command."""
        mentions = _mentions()
        hidden = {"verify"}  # kept for older scripts, documented as such

        assert len(mentions) > 20
        assert [
            (where, named)
            for where, named in mentions
            if named not in COMMANDS and named not in hidden
        ] == []
