"""In Indonesian, the command line says nothing in English, click's words included."""

from __future__ import annotations

import click
import pytest

from tests.cli._support import Cli
from tests.cli._support import main

#: click's English words that an Indonesian screen must not show.
ENGLISH = (
    "Usage:",
    "Options:",
    "Commands:",
    "Show this message and exit.",
    "Show the version and exit.",
    "default:",
    "Error:",
    "Try '",
    "No such option",
    "No such command",
    "Missing argument",
    "Missing option",
    "Invalid value",
    "is not a valid",
    "is not in the range",
    "Aborted!",
)


def _paths() -> list[list[str]]:
    """Every command of the command line, as the words that name it."""
    found: list[list[str]] = [[]]

    def walk(group: click.Group, ctx: click.Context, prefix: list[str]) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            found.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, click.Context(command, parent=ctx), [*prefix, name])

    assert isinstance(main, click.Group)
    walk(main, click.Context(main), [])
    return found


class TestIndonesianScreens:
    @pytest.mark.parametrize("path", _paths(), ids=lambda path: " ".join(path) or "-")
    def test_help_screens_hold_no_english_of_click(self, cli: Cli, path):
        """Every help screen in Indonesian is free of click's English words."""
        result = cli.run(*path, "--help", lang="id")

        assert result.exit_code == 0
        assert result.stdout.startswith("Penggunaan:")
        assert [word for word in ENGLISH if word in result.stdout] == []

    @pytest.mark.parametrize(
        "args",
        [
            ["case", "show"],
            ["case", "list", "--bogus"],
            ["case", "list", "--limit", "0"],
            ["case", "lst"],
            ["process", "graph", "--format", "png"],
        ],
        ids=" ".join,
    )
    def test_errors_hold_no_english_of_click(self, cli: Cli, args):
        """A usage error in Indonesian is worded in Indonesian, exit 2."""
        result = cli.run(*args, lang="id", fails=True)

        assert result.exit_code == 2
        assert result.stderr.startswith("Kesalahan:")
        assert [word for word in ENGLISH if word in result.stderr] == []

    def test_click_words_follow_the_language(self, cli: Cli):
        """The same screen in English keeps click's English words."""
        english = cli.run("case", "list", "--help")
        indonesian = cli.run("case", "list", "--help", lang="id")

        assert "[default: 50; x>=1]" in " ".join(english.stdout.split())
        assert "[bawaan: 50; x>=1]" in " ".join(indonesian.stdout.split())
