"""Start-up of the command line: ``helping-process --help`` against bare Python.

A social worker types commands one at a time, so the wall time of a
process that starts, answers and exits is what they feel. The floor is
``python -c pass`` in the same environment; click alone costs about 2.9
times that, and importing SQLAlchemy eagerly about 19.
Runs alternate, and each figure is the median.

The program is measured as installed: its modules and click's compiled to
bytecode first, as pip does on install (``uv sync`` does not unless asked,
and with ``PYTHONDONTWRITEBYTECODE`` set every start would compile them).
"""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

import click
from _report import Figures
from _report import progress

import helping_process

TARGETS: Final = {
    "help_ratio": "≤ 5 (click alone 2.9, SQLAlchemy imported eagerly 19)",
    "help_imports_sqlalchemy": "0: --help must not import SQLAlchemy",
}

_HELP: Final = (
    "import sys; sys.argv = ['helping-process', '--help']\n"
    "from helping_process.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write(str(int('sqlalchemy' in sys.modules)))\n"
)


def _wall_s(code: str) -> tuple[float, str]:
    """Run ``code`` in a fresh interpreter; return its wall time and stderr."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, done.stderr


def measure(quick: bool) -> Figures:
    """Median wall time of ``--help`` and of ``python -c pass``, alternating."""
    runs = 5 if quick else 15
    for package in (helping_process, click):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    progress(f"helping-process --help and python -c pass, {runs} runs each")
    helps, floors = [], []
    imported = "0"
    for _ in range(runs):
        floors.append(_wall_s("pass")[0])
        wall, imported = _wall_s(_HELP)
        helps.append(wall)
    help_s, floor_s = statistics.median(helps), statistics.median(floors)
    return {
        "help_ms": round(help_s * 1000, 1),
        "python_floor_ms": round(floor_s * 1000, 1),
        "help_ratio": round(help_s / floor_s, 2),
        "help_imports_sqlalchemy": int(imported[-1:] or 0),
    }
