"""Requirement checks of the social-rehabilitation profile (``rehsos-pp39``).

Pure functions over the newest record in force of a kind (None when there
is none): a residential unit under PP 39/2012 closes the problem-disclosure
stage with a case conference (temu bahas kasus), prepares family and
community before the client goes home (resosialisasi), and follows the
client up after closure (bimbingan lanjut) until the aftercare period ends.
"""

from __future__ import annotations

import datetime as dt

from helping_process.states.rehabilitation import AftercarePlanRecord
from helping_process.states.rehabilitation import CaseConferenceRecord
from helping_process.states.rehabilitation import ResocializationRecord


def case_conference_requirements(record: CaseConferenceRecord | None) -> list[str]:
    """Return what leaving assessment lacks: a case conference record."""
    return [] if record is not None else ["case_conference.record"]


def resocialization_requirements(record: ResocializationRecord | None) -> list[str]:
    """Return what a planned termination lacks in resocialization.

    The family and the community must both be prepared to receive the
    client back; a record saying they are not is kept, and the case waits.
    """
    if record is None:
        return ["resocialization.record"]
    missing = []
    if not record.family_prepared:
        missing.append("resocialization.family_prepared")
    if not record.community_prepared:
        missing.append("resocialization.community_prepared")
    return missing


def aftercare_plan_requirements(record: AftercarePlanRecord | None) -> list[str]:
    """Return what entering aftercare lacks: an aftercare plan."""
    return [] if record is not None else ["aftercare_plan.record"]


def aftercare_ended_requirements(
    record: AftercarePlanRecord | None, day: dt.date
) -> list[str]:
    """Return what closing after aftercare lacks: the period has ended.

    Args:
        record: the aftercare plan in force.
        day: the day of the move; the period ends on the plan's ``until``.
    """
    if record is None:
        return ["aftercare_plan.record"]
    return ["aftercare.period_ended"] if record.until > day else []
