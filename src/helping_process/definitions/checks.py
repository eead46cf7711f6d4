"""The rules that are code, named by id for process definitions.

A definition names what a move or a termination requires (``checks =
["plan.record", "contract.primary"]``); this registry maps each id to a small
pure function that returns the requirement ids the case's records leave
unmet (``contract.time_period``, ``plan.goals``, …). The functions are the
ones the process already enforces, imported from
:mod:`helping_process.states` and never copied, so a definition that names
them decides exactly as the code does. A definition that names an id not
here is refused when it is loaded.

Record rules (a rule across a record's fields, such as "a coercive activity
is justified") are named the same way; the record readers of
:mod:`helping_process.states` enforce them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from helping_process.definitions import rehsos
from helping_process.states import assessment
from helping_process.states import contract
from helping_process.states import engagement
from helping_process.states import evaluation
from helping_process.states import intake
from helping_process.states import intervention
from helping_process.states import planning
from helping_process.states.process import PROCESS
from helping_process.states.records import RecordsInForce
from helping_process.states.termination import REASON_RULES
from helping_process.states.vocabulary import TerminationReason


@attrs.frozen(kw_only=True)
class Facts:
    """What a check looks at: the case's records in force, and the day.

    Attributes:
        records: the records in force.
        day: the day the move takes place (contracts are in force by day,
            aftercare ends by day).
    """

    records: RecordsInForce
    day: dt.date


#: A check: the requirement ids the facts leave unmet (empty when met).
Check = Callable[[Facts], list[str]]


def _evaluation(facts: Facts) -> list[str]:
    plan = facts.records.plan
    scaled = plan.scaled_goal_ids if plan is not None else frozenset()
    return evaluation.exit_requirements(facts.records.evaluation, scaled)


def _goals_achieved(facts: Facts) -> list[str]:
    # Only the goals part: the evaluation itself is the check above.
    rule = REASON_RULES[TerminationReason.GOALS_ACHIEVED]
    return [
        missing
        for missing in PROCESS.termination_requirements(rule, facts.records)
        if missing == "evaluation.goals_achieved"
    ]


#: Every check a definition may name, by id.
CHECKS: Final[Mapping[str, Check]] = MappingProxyType(
    {
        "engagement.record": lambda f: engagement.exit_requirements(
            f.records.engagement
        ),
        "intake.record": lambda f: intake.exit_requirements(f.records.intake),
        "contract.record": lambda f: contract.exit_requirements(f.records.contract),
        "contract.primary": lambda f: contract.primary_requirements(
            f.records.primary_contract, f.day
        ),
        "assessment.record": lambda f: assessment.exit_requirements(
            f.records.assessment
        ),
        "plan.record": lambda f: planning.exit_requirements(f.records.plan),
        "activity.record": lambda f: intervention.exit_requirements(f.records.activity),
        "evaluation.record": _evaluation,
        "evaluation.goals_achieved": _goals_achieved,
        "case_conference.record": lambda f: rehsos.case_conference_requirements(
            f.records.case_conference
        ),
        "resocialization.record": lambda f: rehsos.resocialization_requirements(
            f.records.resocialization
        ),
        "aftercare_plan.record": lambda f: rehsos.aftercare_plan_requirements(
            f.records.aftercare_plan
        ),
        "aftercare.period_ended": lambda f: rehsos.aftercare_ended_requirements(
            f.records.aftercare_plan, f.day
        ),
    }
)

#: Every record rule a definition may name, by id.
RECORD_RULES: Final = frozenset(
    {
        # criteria_failed is given exactly when the candidate is not eligible
        "intake.criteria_failed",
        # a coercive activity carries a justification
        "activity.justification",
        # the goals of a plan have distinct ids
        "plan.goal_ids_distinct",
    }
)


def run(check_ids: tuple[str, ...], facts: Facts) -> list[str]:
    """Return the requirement ids the named checks leave unmet, in order."""
    missing: list[str] = []
    for check_id in check_ids:
        missing += CHECKS[check_id](facts)
    return missing
