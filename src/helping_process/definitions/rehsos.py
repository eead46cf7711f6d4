"""Requirement checks of the social-rehabilitation profile (``rehsos-pp39``).

Pure functions over the newest record of a kind, given as its JSON object
(or None when there is none): a residential unit under PP 39/2012 closes the
problem-disclosure stage with a case conference (temu bahas kasus), prepares
family and community before the client goes home (resosialisasi), and
follows the client up after closure (bimbingan lanjut) until the aftercare
period ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

Record = Mapping[str, object] | None


def case_conference_requirements(record: Record) -> list[str]:
    """Return what leaving assessment lacks: a case conference record."""
    return [] if record is not None else ["case_conference.record"]


def resocialization_requirements(record: Record) -> list[str]:
    """Return what a planned termination lacks in resocialization.

    The family and the community must both be prepared to receive the
    client back; a record saying they are not is kept, and the case waits.
    """
    if record is None:
        return ["resocialization.record"]
    return [
        f"resocialization.{name}"
        for name in ("family_prepared", "community_prepared")
        if record.get(name) is not True
    ]


def aftercare_plan_requirements(record: Record) -> list[str]:
    """Return what entering aftercare lacks: an aftercare plan."""
    return [] if record is not None else ["aftercare_plan.record"]


def aftercare_ended_requirements(record: Record, day: dt.date) -> list[str]:
    """Return what closing after aftercare lacks: the period has ended.

    Args:
        record: the aftercare plan (its ``until`` is an ISO date).
        day: the day of the move.
    """
    if record is None:
        return ["aftercare_plan.record"]
    until = record.get("until")
    if not isinstance(until, str) or dt.date.fromisoformat(until) > day:
        return ["aftercare.period_ended"]
    return []
