"""Run the benchmark groups and print their figures, floors and ratios.

Usage: ``uv run python benchmarks/run.py [--quick] [--json] [--group NAME]``.

Each group is a module ``benchmarks/<group>.py`` with ``measure(quick) ->
dict`` and a ``TARGETS`` mapping (figure -> target or meaning). Its table
goes to stderr; with ``--json`` stdout gets exactly one JSON object, the
groups' figures merged. To add a group, write its module and list it in
:data:`GROUPS`. Benchmarks never fail a run: they measure and report.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sqlite3
import sys
import time
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from importlib.metadata import version
from typing import Final
from typing import Protocol
from typing import cast

from _report import Figures
from _report import print_table

#: The figure groups, in the order they run.
GROUPS: Final = (
    "core",
    "floors",
    "store",
    "scale",
    "startup",
    "http_api",
    "authority",
)


class DuplicateFigureError(ValueError):
    """Raised when two groups report a figure under the same key."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        super().__init__(f"figures reported twice: {sorted(keys)}")


class Group(Protocol):
    """A benchmark group module."""

    TARGETS: Mapping[str, str]
    measure: Callable[[bool], Figures]


def _environment(quick: bool) -> Figures:
    return {
        "quick": int(quick),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "transitions": version("transitions"),
        "helping_process": version("helping-process"),
    }


def run(groups: Sequence[str], *, quick: bool) -> Figures:
    """Run ``groups`` in turn and return their figures merged.

    Raises:
        DuplicateFigureError: two groups report the same figure.
    """
    figures = _environment(quick)
    started = time.perf_counter()
    for name in groups:
        print(f"[{name}] measuring{' (quick)' if quick else ''}", file=sys.stderr)
        group = cast(Group, importlib.import_module(name))
        group_started = time.perf_counter()
        measured = group.measure(quick)
        measured[f"{name}_wall_s"] = round(time.perf_counter() - group_started, 1)
        print_table(f"{name}", measured, group.TARGETS)
        clashes = figures.keys() & measured.keys()
        if clashes:
            raise DuplicateFigureError(clashes)
        figures.update(measured)
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the groups, print the JSON if asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N, well under 60 s")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument(
        "--group",
        action="append",
        choices=GROUPS,
        help="run only this group (repeatable); default: all",
    )
    arguments = parser.parse_args(argv)
    figures = run(arguments.group or GROUPS, quick=arguments.quick)
    if arguments.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
