"""Inline SVG bar charts for the HTML report, drawn without any library.

A chart is a string of SVG markup that sits inside the HTML page: no
scripts, fonts or images are fetched, so the page reads the same offline, in
an archive and on paper. Text is measured roughly (an average glyph width),
which is enough to lay out labels beside horizontal bars.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from html import escape
from typing import Final

__all__ = ["bar_chart"]

#: The chart's width in SVG user units; it scales to the page width.
WIDTH: Final = 720
_ROW: Final = 28
_BAR: Final = 18
_PAD: Final = 8
_FONT_SIZE: Final = 13
#: A rough average glyph width at the chart's font size.
_GLYPH: Final = 8.0
_MAX_LABEL: Final = 380
_VALUE_ROOM: Final = 56


def _fit(text: str, width: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``width`` units."""
    most = int(width / _GLYPH)
    return text if len(text) <= most else text[: max(most - 1, 1)] + "…"


def bar_chart(
    bars: Sequence[tuple[str, int]],
    *,
    title: str,
    show: Callable[[int], str] = str,
) -> str:
    """Return an SVG chart of horizontal bars, one per ``(label, value)``.

    Args:
        bars: the bars in the order to draw them; values are not negative.
        title: the chart's accessible title (also a tooltip).
        show: how to write a value beside its bar.

    Returns:
        The ``<svg>`` element, sized by a ``viewBox`` so it scales.
    """
    longest = max((len(name) for name, _ in bars), default=0)
    label_width = min(longest * _GLYPH + 2 * _PAD, _MAX_LABEL)
    span = WIDTH - label_width - _VALUE_ROOM
    top = max((value for _, value in bars), default=0) or 1
    height = len(bars) * _ROW + 2 * _PAD
    parts = [
        f'<svg class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{label_width:.1f}" y1="{_PAD / 2:.1f}" '
        f'x2="{label_width:.1f}" y2="{height - _PAD / 2:.1f}"/>',
    ]
    for index, (name, value) in enumerate(bars):
        y = _PAD + index * _ROW
        middle = y + _ROW / 2
        length = span * value / top
        parts.append(
            f'<g class="bar"><title>{escape(name)}: {escape(show(value))}</title>'
            f'<text class="label" x="{label_width - _PAD:.1f}" y="{middle:.1f}" '
            f'text-anchor="end" dominant-baseline="central" '
            f'font-size="{_FONT_SIZE}">{escape(_fit(name, label_width - _PAD))}'
            "</text>"
            f'<rect x="{label_width:.1f}" y="{middle - _BAR / 2:.1f}" '
            f'width="{length:.1f}" height="{_BAR}" rx="2"/>'
            f'<text class="value" x="{label_width + length + _PAD / 2:.1f}" '
            f'y="{middle:.1f}" dominant-baseline="central" '
            f'font-size="{_FONT_SIZE}">{escape(show(value))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
