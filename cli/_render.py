"""Turning cases, events and next moves into JSON and into text for people.

The JSON shapes are part of the command line's contract (scripts read them);
the text is for an 80-column terminal: tables cut long cells with ``…``.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

from helping_process import Case
from helping_process import NextMoves
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.states import TerminationReason
from helping_process.states import to_json

from ._messages import say

if TYPE_CHECKING:
    pass

#: The width text output is laid out for.
WIDTH: Final = 80
#: Characters a short case id shows in tables.
SHORT_ID: Final = 8
_GAP: Final = "  "


def short_label(namespace: str, code: str, lang: Language) -> str:
    """Return a code's label without its parenthesised gloss."""
    return label(namespace, code, lang).split(" (")[0]


def when(moment: dt.datetime) -> str:
    """Return a UTC time as ``YYYY-MM-DD HH:MM`` for a table."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


def cut(text: str, width: int) -> str:
    """Return ``text`` on one line, cut to ``width`` characters with ``…``."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    return flat[: max(width - 1, 0)] + "…"


def wrap(text: str, indent: str = "", width: int = WIDTH) -> str:
    """Return ``text`` wrapped to ``width`` columns.

    Continuation lines hang two spaces under a plain indent, and align with
    the text under a bullet (an indent such as ``"  - "``).
    """
    hang = "  " if indent.isspace() or not indent else ""
    return textwrap.fill(
        " ".join(text.split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=" " * len(indent) + hang,
        break_on_hyphens=False,
    )


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], limits: Sequence[int]
) -> list[str]:
    """Lay out rows in columns that fit :data:`WIDTH`.

    Args:
        headers: the column titles.
        rows: the cells, one sequence per row.
        limits: the widest each column may grow; the last column takes what
            is left of the line.

    Returns:
        The lines of the table, header first.
    """
    widths = [
        min(limit, max(len(cell) for cell in [header, *(row[i] for row in rows)]))
        for i, (header, limit) in enumerate(zip(headers, limits, strict=True))
    ]
    used = sum(widths[:-1]) + len(_GAP) * (len(widths) - 1)
    widths[-1] = max(min(widths[-1], WIDTH - used), 8)
    lines = []
    for row in [headers, *rows]:
        cells = [
            cut(cell, width).ljust(width)
            for cell, width in zip(row, widths, strict=True)
        ]
        lines.append(_GAP.join(cells).rstrip())
    return lines


def pretty(data: Any, indent: str) -> list[str]:
    """Return indented, readable JSON lines."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return [indent + line for line in text.splitlines()]


def missing_text(missing: Sequence[str], lang: Language) -> list[str]:
    """Return each missing requirement as ``label [id]``."""
    return [f"{label('requirement', item, lang)} [{item}]" for item in missing]


def next_lines(moves: NextMoves, lang: Language) -> list[str]:
    """Return the next moves and termination reasons of a case, for people."""
    lines = [say("show.moves", lang)]
    if not moves.moves:
        lines.append("  " + say("show.none", lang))
    for move in moves.moves:
        mark = "ok" if move.allowed else "--"
        target = label("stage", move.target, lang)
        note = " " + say("show.note_required", lang) if move.note_required else ""
        lines.append(wrap(f"[{mark}] {move.target.value}: {target}{note}", "  "))
        lines.extend(
            wrap(item, "         - ") for item in missing_text(move.missing, lang)
        )
    lines.append(say("show.terminations", lang))
    if not moves.terminations:
        lines.append("  " + say("show.none", lang))
    for option in moves.terminations:
        mark = "ok" if option.allowed else "--"
        reason = label("reason", option.reason, lang)
        lines.append(wrap(f"[{mark}] {option.reason.value}: {reason}", "  "))
        needs = []
        if option.sub_reasons:
            subs = ", ".join(sub.value for sub in option.sub_reasons)
            needs.append(say("show.sub_reason_needed", lang, codes=subs))
        if option.referral_required:
            needs.append(say("show.referral_needed", lang))
        needs.extend(missing_text(option.missing, lang))
        lines.extend(wrap(item, "         - ") for item in needs)
    return lines


def case_lines(case: Case, moves: NextMoves, lang: Language) -> list[str]:
    """Return ``case show`` for people: where the case stands, what is next."""
    yes_no = say("yes" if case.residential else "no", lang)
    lines = [
        say("show.case", lang, case_id=case.case_id),
        say("show.stage", lang, stage=label("stage", case.stage, lang)),
        say(
            "show.episode",
            lang,
            episode=case.episode,
            seq=case.seq,
            residential=yes_no,
        ),
    ]
    if case.termination_reason is not None:
        reason = label("reason", case.termination_reason, lang)
        lines.append(say("show.ended", lang, reason=reason))
    lines.extend(casework_lines(case, lang))
    latest = case.records.latest()
    lines.append(say("show.records", lang))
    if not latest:
        lines.append("  " + say("show.none", lang))
    for kind, record in latest.items():
        lines.append(f"  {label('record_kind', kind, lang)} ({kind.value})")
        lines.extend(pretty(to_json(record), "    "))
    hint = [
        line
        for option in moves.terminations
        if option.reason is TerminationReason.CLIENT_DISLIKES_WORKER
        for line in textwrap.wrap(say("show.reassign_hint", lang), 78)
    ]
    return [*lines, *next_lines(moves, lang), *hint]


def casework_lines(case: Case, lang: Language) -> list[str]:
    """Return who holds the case, its unit, latest referral and consents."""
    lines = [say("show.worker", lang, worker=case.worker or "-")]
    if case.unit is not None:
        lines.append(say("show.unit", lang, unit=case.unit))
    if case.referral is not None:
        lines.append(
            say("show.referral", lang, to=case.referral.to, seq=case.referral.seq)
        )
    if case.consents:
        consents = ", ".join(
            f"{label('consent_purpose', purpose, lang)}: "
            f"{say('show.given' if given else 'show.withdrawn', lang)}"
            for purpose, given in case.consents
        )
        lines.append(say("show.consents", lang, consents=consents))
    return lines
