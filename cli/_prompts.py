"""Prompts that validate as they go, and the record of each kind asked for.

Each answer is checked when it is given: a date is asked again until it is
ISO 8601 (and not in the future where the process forbids it), a code is
chosen from a numbered list with its label, a yes/no question takes only an
answer of that kind, and a list is entered one item per line, ending with
an empty line. Ctrl-C at any prompt raises :class:`click.Abort`, before
anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from typing import Final

import click

from helping_process import Case
from helping_process import ContractKind
from helping_process import InterventionModel
from helping_process import RecordKind
from helping_process import ReferralSource
from helping_process import WorkerRole
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.states import PlanRecord
from helping_process.states.vocabulary import FollowUpMode

from ._messages import say

#: Accepted answers to a yes/no question, in both languages.
_YES: Final = frozenset({"y", "yes", "ya"})
_NO: Final = frozenset({"n", "no", "t", "tidak"})
#: The levels of a Goal Attainment Scale, lowest first.
GAS_LEVELS: Final = ("-2", "-1", "0", "1", "2")
#: How long a new contract runs unless told otherwise.
CONTRACT_DAYS: Final = 180


def number_prompt(last: int, lang: Language) -> str:
    """Return the prompt for a number from 1 to ``last``.

    One option is chosen with 1, not from a range of 1-1.
    """
    if last == 1:
        return say("prompt.number_one", lang)
    return say("prompt.number", lang, last=last)


class Asker:
    """Asks questions on the terminal in one language.

    Args:
        lang: the language of every question and complaint.
        err: write to standard error (``--json`` keeps standard output clean).
    """

    def __init__(self, lang: Language, *, err: bool) -> None:
        self.lang = lang
        self.err = err

    def tell(self, key: str, /, **params: object) -> None:
        """Print a message of the command line."""
        self.echo(say(key, self.lang, **params))

    def echo(self, text: str = "") -> None:
        """Print a line where the questions go."""
        click.echo(text, err=self.err)

    def _ask(self, text: str, default: str | None = None, *, show: bool = True) -> str:
        shown = show and default is not None and default != ""
        answer = click.prompt(
            text, default=default, show_default=shown, err=self.err, type=str
        )
        return str(answer).strip()

    def complain(self, problem: str) -> None:
        """Say why an answer is refused, before the question is asked again."""
        self.echo("  " + say("prompt.invalid", self.lang, problem=problem))

    def text(self, key: str, *, optional: bool = False) -> str | None:
        """Ask for free text; blank is refused unless ``optional``."""
        if not optional:
            return self.required_text(key)
        return self._ask(say(key, self.lang), "") or None

    def required_text(self, key: str, *, default: str | None = None) -> str:
        """Ask for free text until it is not blank (Enter takes ``default``)."""
        while True:
            answer = self._ask(say(key, self.lang), default or "", show=bool(default))
            if answer:
                return answer
            self.complain(label("problem", "blank", self.lang))

    def date(
        self,
        key: str,
        *,
        default: dt.date | None = None,
        not_after: dt.date | None = None,
        after: dt.date | None = None,
    ) -> dt.date:
        """Ask for an ISO 8601 date until one is given that fits the limits."""
        while True:
            answer = self._ask(
                say(key, self.lang), default.isoformat() if default else None
            )
            try:
                day = dt.date.fromisoformat(answer)
            except ValueError:
                self.complain(label("problem", "not_date", self.lang))
                continue
            if not_after is not None and day > not_after:
                self.complain(label("problem", "future", self.lang))
            elif after is not None and day <= after:
                self.complain(say("prompt.not_after", self.lang, day=after))
            else:
                return day

    def yes_no(
        self, key: str, /, *, default: bool | None = None, **params: object
    ) -> bool:
        """Ask a yes/no question until it is answered with one of the two.

        With a default, its letter is shown in capitals and Enter chooses it.
        """
        yes, no = say("prompt.yes_no", self.lang).split("/")
        fallback = None
        if default is True:
            yes, fallback = yes.upper(), yes
        elif default is False:
            no, fallback = no.upper(), no
        while True:
            question = f"{say(key, self.lang, **params)} [{yes}/{no}]"
            answer = self._ask(question, fallback, show=False).lower()
            if answer in _YES:
                return True
            if answer in _NO:
                return False
            self.complain(say("prompt.not_yes_no", self.lang))

    def choice(self, key: str, options: Sequence[tuple[str, str]]) -> str:
        """Offer numbered choices (code and label); return the code chosen.

        The answer may be the number or the code itself.
        """
        self.echo(say(key, self.lang))
        for number, (code, text) in enumerate(options, start=1):
            self.echo(f"  {number}) {code}: {text}")
        while True:
            answer = self._ask(number_prompt(len(options), self.lang))
            for number, (code, _) in enumerate(options, start=1):
                if answer in (str(number), code):
                    return code
            self.complain(say("prompt.not_a_choice", self.lang))

    def codes(self, key: str, namespace: str, codes: Sequence[str]) -> str:
        """Offer codes with their labels in ``namespace``; return the code."""
        return self.choice(
            key, [(code, label(namespace, code, self.lang)) for code in codes]
        )

    def lines(self, key: str, *, minimum: int = 0) -> list[str]:
        """Ask for a list, one item per line, ending with an empty line."""
        self.echo(say(key, self.lang) + " " + say("prompt.lines", self.lang))
        items: list[str] = []
        while True:
            answer = self._ask(f"  {len(items) + 1}", "")
            if answer:
                items.append(answer)
            elif len(items) >= minimum:
                return items
            else:
                self.complain(say("prompt.at_least", self.lang, count=minimum))

    def integer(self, key: str, /, *, low: int, high: int, **params: object) -> int:
        """Ask for a whole number between ``low`` and ``high``."""
        while True:
            answer = self._ask(f"{say(key, self.lang, **params)} [{low}..{high}]")
            try:
                value = int(answer)
            except ValueError:
                self.complain(label("problem", "not_integer", self.lang))
                continue
            if low <= value <= high:
                return value
            self.complain(label("problem", "out_of_range", self.lang))

    def positive(self, key: str, *, default: float) -> float:
        """Ask for a number above zero."""
        while True:
            answer = self._ask(say(key, self.lang), f"{default:g}")
            try:
                value = float(answer)
            except ValueError:
                self.complain(label("problem", "not_number", self.lang))
                continue
            if 0 < value < float("inf"):
                return value
            self.complain(label("problem", "out_of_range", self.lang))


def ask_record(  # noqa: PLR0911 - one return per record kind
    asker: Asker, kind: RecordKind, case: Case, *, today: dt.date, worker: str
) -> dict[str, Any]:
    """Ask for every field of a record of ``kind``; return its JSON object.

    Args:
        asker: who asks.
        kind: the record kind.
        case: the case, for the goals of its plan.
        today: the day it is; dates of what happened may not be later.
        worker: the acting worker, offered as the contract's worker.
    """
    plan = case.records.plan
    match kind:
        case RecordKind.ENGAGEMENT:
            return _engagement(asker, today)
        case RecordKind.INTAKE:
            return _intake(asker)
        case RecordKind.CONTRACT:
            return _contract(asker, today, worker)
        case RecordKind.ASSESSMENT:
            return {
                field: asker.required_text(f"field.assessment.{field}")
                for field in (
                    "problem_statement",
                    "personality_assessment",
                    "situational_analysis",
                    "integrative_formulation",
                    "evaluation",
                )
            }
        case RecordKind.PLAN:
            return _plan(asker)
        case RecordKind.ACTIVITY:
            return _activity(asker, plan, today)
        case RecordKind.EVALUATION:
            return _evaluation(asker, plan)
        case _:
            return _rehabilitation(asker, kind, today)


#: The longest aftercare contact interval offered, in days (a year).
_MAX_CONTACT_DAYS = 366
#: The aftercare period offered, in days from today.
_AFTERCARE_DAYS = 90


def _rehabilitation(asker: Asker, kind: RecordKind, today: dt.date) -> dict[str, Any]:
    """Ask for a record of residential rehabilitation (``rehsos-pp39``)."""
    match kind:
        case RecordKind.CASE_CONFERENCE:
            return {
                "held_on": asker.date(
                    "field.case_conference.held_on", default=today, not_after=today
                ).isoformat(),
                "participants": asker.lines(
                    "field.case_conference.participants", minimum=1
                ),
                "conclusion": asker.required_text("field.case_conference.conclusion"),
            }
        case RecordKind.RESOCIALIZATION:
            return {
                "family_prepared": asker.yes_no(
                    "field.resocialization.family_prepared"
                ),
                "community_prepared": asker.yes_no(
                    "field.resocialization.community_prepared"
                ),
                "plan": asker.required_text("field.resocialization.plan"),
            }
        case RecordKind.AFTERCARE_PLAN:
            return {
                "until": asker.date(
                    "field.aftercare_plan.until",
                    default=today + dt.timedelta(days=_AFTERCARE_DAYS),
                ).isoformat(),
                "contact_every_days": asker.integer(
                    "field.aftercare_plan.contact_every_days",
                    low=1,
                    high=_MAX_CONTACT_DAYS,
                ),
            }
        case _:
            return {
                "on": asker.date(
                    "field.follow_up.on", default=today, not_after=today
                ).isoformat(),
                "mode": asker.codes(
                    "field.follow_up.mode", "follow_up_mode", tuple(FollowUpMode)
                ),
                "situation": asker.required_text("field.follow_up.situation"),
                "independent": asker.yes_no("field.follow_up.independent"),
            }


def _engagement(asker: Asker, today: dt.date) -> dict[str, Any]:
    return {
        "first_contact_on": asker.date(
            "field.engagement.first_contact_on", default=today, not_after=today
        ).isoformat(),
        "request": asker.required_text("field.engagement.request"),
        "referral_source": asker.codes(
            "field.engagement.referral_source",
            "referral_source",
            tuple(ReferralSource),
        ),
    }


def _intake(asker: Asker) -> dict[str, Any]:
    data: dict[str, Any] = {"eligible": asker.yes_no("field.intake.eligible")}
    data["service_formulation"] = asker.required_text(
        "field.intake.service_formulation"
    )
    data["resources_informed"] = asker.yes_no("field.intake.resources_informed")
    if not data["eligible"]:
        data["criteria_failed"] = asker.lines("field.intake.criteria_failed", minimum=1)
    return data


def _contract(asker: Asker, today: dt.date, worker: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": asker.codes("field.contract.kind", "contract_kind", tuple(ContractKind))
    }
    for element in ("consensual", "mutual_agreement", "acceptance", "reciprocal"):
        data[element] = asker.yes_no(f"field.contract.{element}")
    data["responsibilities"] = asker.lines("field.contract.responsibilities", minimum=1)
    data["tasks"] = asker.lines("field.contract.tasks", minimum=1)
    valid_from = asker.date("field.contract.valid_from", default=today)
    valid_until = asker.date(
        "field.contract.valid_until",
        default=valid_from + dt.timedelta(days=CONTRACT_DAYS),
        after=valid_from,
    )
    data["valid_from"] = valid_from.isoformat()
    data["valid_until"] = valid_until.isoformat()
    data["parties"] = {
        "worker": asker.required_text("field.contract.worker", default=worker),
        "agency": asker.required_text("field.contract.agency"),
        "client": asker.required_text("field.contract.client"),
    }
    return data


def _plan(asker: Asker) -> dict[str, Any]:
    data: dict[str, Any] = {
        "focus": asker.required_text("field.plan.focus"),
        "methods": asker.lines("field.plan.methods"),
    }
    goals: list[dict[str, Any]] = []
    while True:
        asker.tell("field.plan.goal_heading", number=len(goals) + 1)
        goals.append(_goal(asker, {goal["id"] for goal in goals}, len(goals) + 1))
        if not asker.yes_no("field.plan.another_goal", default=False):
            break
    data["goals"] = goals
    return data


def _goal(asker: Asker, taken: set[str], number: int) -> dict[str, Any]:
    while True:
        goal_id = asker.required_text("field.goal.id", default=f"g{number}")
        if goal_id not in taken:
            break
        asker.complain(label("problem", "duplicate", asker.lang))
    goal: dict[str, Any] = {
        "id": goal_id,
        "statement": asker.required_text("field.goal.statement"),
        "success_indicator": asker.required_text("field.goal.success_indicator"),
    }
    objectives = []
    while True:
        objectives.append(
            {
                "statement": asker.required_text("field.objective.statement"),
                "tasks": asker.lines("field.objective.tasks", minimum=1),
            }
        )
        if not asker.yes_no("field.goal.another_objective", default=False):
            break
    goal["objectives"] = objectives
    if asker.yes_no("field.goal.use_gas", default=False):
        goal["gas"] = {
            "weight": asker.positive("field.gas.weight", default=1.0),
            "levels": {
                level: asker.required_text(f"field.gas.level{level}")
                for level in GAS_LEVELS
            },
        }
    return goal


def _activity(asker: Asker, plan: PlanRecord | None, today: dt.date) -> dict[str, Any]:
    data: dict[str, Any] = {
        "on": asker.date(
            "field.activity.on", default=today, not_after=today
        ).isoformat(),
        "role": asker.codes("field.activity.role", "role", tuple(WorkerRole)),
        "model": asker.codes("field.activity.model", "model", tuple(InterventionModel)),
        "description": asker.required_text("field.activity.description"),
    }
    if plan is None or not plan.goals:  # pragma: no cover - intervention has goals
        data["goal_ids"] = asker.lines("field.activity.goal_ids", minimum=1)
    else:
        while True:
            chosen = [
                goal.id
                for goal in plan.goals
                if asker.yes_no(
                    "field.activity.serves_goal", goal=goal.id, text=goal.statement
                )
            ]
            if chosen:
                break
            asker.complain(say("prompt.at_least", asker.lang, count=1))
        data["goal_ids"] = chosen
    if data["model"] == InterventionModel.COERCE:
        data["justification"] = asker.required_text("field.activity.justification")
    return data


def _evaluation(asker: Asker, plan: PlanRecord | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if plan is None:  # pragma: no cover - evaluation always follows a plan
        data["achieved_goal_ids"] = asker.lines("field.evaluation.achieved_goal_ids")
    else:
        data["achieved_goal_ids"] = [
            goal.id
            for goal in plan.goals
            if asker.yes_no(
                "field.evaluation.goal_achieved", goal=goal.id, text=goal.statement
            )
        ]
        scores = {
            goal.id: asker.integer(
                "field.evaluation.gas_score", low=-2, high=2, goal=goal.id
            )
            for goal in plan.goals
            if goal.gas is not None
        }
        if scores:
            data["gas_scores"] = scores
    data["process_note"] = asker.required_text("field.evaluation.process_note")
    data["outcome_note"] = asker.required_text("field.evaluation.outcome_note")
    return data
