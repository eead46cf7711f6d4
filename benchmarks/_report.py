"""Shared helpers of the benchmark groups: figures, timing and the stderr table.

Progress and tables go to stderr, so ``run.py --json`` keeps stdout for the
one JSON object.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from collections.abc import Mapping

Figure = float | int | str
Figures = dict[str, Figure]

_UNITS: Mapping[str, str] = {
    "_bytes": "B",
    "_per_case": "B",
    "_us": "µs",
    "_per_s": "/s",
    "_ratio": "x",
    "_s": "s",
}


def progress(message: str) -> None:
    """Tell the reader what is being measured (stderr)."""
    print(f"  … {message}", file=sys.stderr, flush=True)


def median_us(run_batch: Callable[[], int], repeats: int) -> float:
    """Return the median over ``repeats`` batches of µs per operation.

    ``run_batch`` does one batch and returns how many operations it did.
    """
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        operations = run_batch()
        samples.append((time.perf_counter_ns() - start) / 1_000 / operations)
    return statistics.median(samples)


def interleaved_us(
    runs: Mapping[str, Callable[[], int]], repeats: int
) -> dict[str, float]:
    """Return the median µs per operation of each run, sampled in turn.

    Taking one batch of each in turn, ``repeats`` times, spreads the
    machine's drift over all of them, so their ratios hold even when the
    absolute figures move.
    """
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run_batch in runs.items():
            start = time.perf_counter_ns()
            operations = run_batch()
            samples[name].append((time.perf_counter_ns() - start) / 1_000 / operations)
    return {name: statistics.median(values) for name, values in samples.items()}


def _unit(key: str) -> str:
    return next((unit for end, unit in _UNITS.items() if key.endswith(end)), "")


def _shown(value: Figure) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def print_table(title: str, figures: Figures, targets: Mapping[str, str]) -> None:
    """Print one group's figures with their targets as a table (stderr)."""
    rows = [
        (key, _shown(value), _unit(key), targets.get(key, ""))
        for key, value in figures.items()
    ]
    key_width = max((len(row[0]) for row in rows), default=0)
    value_width = max((len(row[1]) for row in rows), default=0)
    print(f"\n{title}", file=sys.stderr)
    print("-" * len(title), file=sys.stderr)
    for key, shown, unit, target in rows:
        line = f"{key:<{key_width}}  {shown:>{value_width}} {unit:<2}  {target}"
        print(line.rstrip(), file=sys.stderr)
    print(file=sys.stderr, flush=True)
