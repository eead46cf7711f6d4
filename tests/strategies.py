"""Hypothesis strategies for records (complete, failing, malformed) and commands.

Records are drawn as JSON objects, the form people and software hand to
:func:`helping_process.parse_record`. What a well-formed but failing record
lacks, and where a malformed one is wrong, is worked out here from docs/domain.md,
not read from the package, so the tests compare two independent accounts.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Collection
from collections.abc import Iterator
from typing import Any
from typing import Final

import attrs
from hypothesis import strategies as st

from helping_process import MoveCase
from helping_process import ReopenCase
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process.testing import EPOCH

JSONObject = dict[str, Any]
Path = tuple[str | int, ...]

REFERRAL_SOURCES: Final = (
    "self",
    "family",
    "community",
    "agency",
    "court",
    "police",
    "outreach",
    "other",
)
WORKER_ROLES: Final = (
    "enabler",
    "broker",
    "mediator",
    "advocate",
    "protector",
    "educator",
    "evaluator",
    "case_manager",
)
MODELS: Final = ("induce", "persuade", "direct_obedience", "coerce")
GOAL_IDS: Final = ("g1", "g2", "g3", "g4")
GAS_LEVELS: Final = ("-2", "-1", "0", "1", "2")
MAX_TEXT: Final = 10_000
#: The day records are drawn for unless told otherwise.
TODAY: Final = EPOCH.date()

_ALPHABET = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Draw non-blank free text without NUL characters."""
    return st.text(_ALPHABET, min_size=1, max_size=max_size).filter(str.strip)


def _lists(minimum: int = 1) -> st.SearchStrategy[list[str]]:
    return st.lists(texts(), min_size=minimum, max_size=3)


def _day(earliest: dt.date, latest: dt.date) -> st.SearchStrategy[str]:
    return st.dates(earliest, latest).map(dt.date.isoformat)


def engagement_records(
    today: dt.date = TODAY,
) -> st.SearchStrategy[JSONObject]:
    """Draw a complete engagement record whose first contact is not after today."""
    return st.fixed_dictionaries(
        {
            "first_contact_on": _day(today - dt.timedelta(days=365), today),
            "request": texts(),
            "referral_source": st.sampled_from(REFERRAL_SOURCES),
        }
    )


def intake_records() -> st.SearchStrategy[JSONObject]:
    """Draw an intake record of an eligible client told of the resources."""
    return st.fixed_dictionaries(
        {
            "eligible": st.just(True),
            "service_formulation": texts(),
            "resources_informed": st.just(True),
        }
    )


def _parties() -> st.SearchStrategy[JSONObject]:
    return st.fixed_dictionaries(
        {"worker": texts(), "agency": texts(), "client": texts()}
    )


@st.composite
def contract_records(
    draw: st.DrawFn,
    today: dt.date = TODAY,
    kinds: Collection[str] = ("preliminary", "primary"),
) -> JSONObject:
    """Draw a contract with its seven elements, in force on ``today``."""
    valid_from = draw(st.dates(today - dt.timedelta(days=30), today))
    length = draw(st.integers(min_value=(today - valid_from).days + 1, max_value=400))
    return {
        "kind": draw(st.sampled_from(sorted(kinds))),
        "consensual": True,
        "mutual_agreement": True,
        "acceptance": True,
        "reciprocal": True,
        "responsibilities": draw(_lists()),
        "tasks": draw(_lists()),
        "valid_from": valid_from.isoformat(),
        "valid_until": (valid_from + dt.timedelta(days=length)).isoformat(),
        "parties": draw(_parties()),
    }


def assessment_records() -> st.SearchStrategy[JSONObject]:
    """Draw an assessment with its five parts."""
    return st.fixed_dictionaries(
        {
            "problem_statement": texts(),
            "personality_assessment": texts(),
            "situational_analysis": texts(),
            "integrative_formulation": texts(),
            "evaluation": texts(),
        }
    )


def _objective(*, tasks: int = 1) -> st.SearchStrategy[JSONObject]:
    return st.fixed_dictionaries(
        {"statement": texts(), "tasks": st.lists(texts(), min_size=tasks, max_size=2)}
    )


def _gas() -> st.SearchStrategy[JSONObject]:
    return st.fixed_dictionaries(
        {
            "weight": st.integers(min_value=1, max_value=9),
            "levels": st.fixed_dictionaries({level: texts() for level in GAS_LEVELS}),
        }
    )


@st.composite
def _goal(draw: st.DrawFn, goal_id: str, *, gas: bool, least: int = 1) -> JSONObject:
    goal: JSONObject = {
        "id": goal_id,
        "statement": draw(texts()),
        "success_indicator": draw(texts()),
        "objectives": draw(
            st.lists(_objective(tasks=least), min_size=least, max_size=2)
        ),
    }
    if gas and draw(st.booleans()):
        goal["gas"] = draw(_gas())
    return goal


@st.composite
def plan_records(draw: st.DrawFn, *, gas: bool = True) -> JSONObject:
    """Draw a complete plan: goals with objectives with tasks, some with GAS."""
    ids = draw(st.lists(st.sampled_from(GOAL_IDS), min_size=1, max_size=3, unique=True))
    return {
        "focus": draw(texts()),
        "methods": draw(_lists(minimum=0)),
        "goals": [draw(_goal(goal_id, gas=gas)) for goal_id in ids],
    }


@st.composite
def activity_records(
    draw: st.DrawFn,
    goal_ids: Collection[str],
    today: dt.date = TODAY,
) -> JSONObject:
    """Draw an activity serving some of ``goal_ids``, on or before ``today``."""
    model = draw(st.sampled_from(MODELS))
    activity: JSONObject = {
        "on": draw(_day(today - dt.timedelta(days=60), today)),
        "role": draw(st.sampled_from(WORKER_ROLES)),
        "model": model,
        "description": draw(texts()),
        "goal_ids": draw(
            st.lists(st.sampled_from(sorted(goal_ids)), min_size=1, unique=True)
        ),
    }
    if model == "coerce" or draw(st.booleans()):
        activity["justification"] = draw(texts())
    return activity


@st.composite
def evaluation_records(
    draw: st.DrawFn,
    goal_ids: Collection[str],
    scaled_goal_ids: Collection[str] = (),
    *,
    all_achieved: bool | None = None,
) -> JSONObject:
    """Draw an evaluation of a plan, scoring every scaled goal.

    Args:
        draw: hypothesis's draw.
        goal_ids: the plan's goal ids.
        scaled_goal_ids: the plan's goals with a GAS scale.
        all_achieved: force every goal achieved (True) or not (False).
    """
    ordered = sorted(goal_ids)
    if all_achieved is True:
        achieved = ordered
    else:
        achieved = draw(st.lists(st.sampled_from(ordered), unique=True))
        if all_achieved is False and set(achieved) == set(ordered):
            achieved = achieved[1:]
    record: JSONObject = {
        "achieved_goal_ids": achieved,
        "process_note": draw(texts()),
        "outcome_note": draw(texts()),
    }
    if scaled_goal_ids:
        record["gas_scores"] = {
            goal_id: draw(st.integers(min_value=-2, max_value=2))
            for goal_id in sorted(scaled_goal_ids)
        }
    return record


@attrs.frozen
class Failing:
    """A well-formed record that fails requirements, and which ones."""

    kind: str
    data: JSONObject
    missing: frozenset[str]


@st.composite
def failing_intake_records(draw: st.DrawFn) -> Failing:
    """Draw an intake record that keeps the case in intake."""
    eligible, informed = draw(
        st.sampled_from([(False, True), (True, False), (False, False)])
    )
    data: JSONObject = {
        "eligible": eligible,
        "service_formulation": draw(texts()),
        "resources_informed": informed,
    }
    if not eligible:
        data["criteria_failed"] = draw(_lists())
    missing = {"intake.eligible"} if not eligible else set()
    if not informed:
        missing.add("intake.resources_informed")
    return Failing("intake", data, frozenset(missing))


@st.composite
def failing_contract_records(
    draw: st.DrawFn,
    today: dt.date = TODAY,
    kinds: Collection[str] = ("preliminary", "primary"),
) -> Failing:
    """Draw a contract lacking at least one of its seven elements."""
    valid_from = draw(st.dates(today - dt.timedelta(days=30), today))
    length = draw(st.integers(min_value=-30, max_value=400))
    flags = {
        name: draw(st.booleans())
        for name in ("consensual", "mutual_agreement", "acceptance", "reciprocal")
    }
    lists = {name: draw(_lists(minimum=0)) for name in ("responsibilities", "tasks")}
    missing = {
        f"contract.{name}" for name, value in {**flags, **lists}.items() if not value
    }
    if length <= 0:
        missing.add("contract.time_period")
    if not missing:
        flags["acceptance"] = False
        missing.add("contract.acceptance")
    data = {
        "kind": draw(st.sampled_from(sorted(kinds))),
        **flags,
        **lists,
        "valid_from": valid_from.isoformat(),
        "valid_until": (valid_from + dt.timedelta(days=length)).isoformat(),
        "parties": draw(_parties()),
    }
    return Failing("contract", data, frozenset(missing))


@st.composite
def failing_plan_records(draw: st.DrawFn) -> Failing:
    """Draw a plan lacking goals, objectives or tasks."""
    ids = draw(st.lists(st.sampled_from(GOAL_IDS), max_size=3, unique=True))
    goals = [draw(_goal(goal_id, gas=False, least=0)) for goal_id in ids]
    missing = set()
    if not goals:
        missing.add("plan.goals")
    if any(not goal["objectives"] for goal in goals):
        missing.add("plan.objectives")
    if any(not obj["tasks"] for goal in goals for obj in goal["objectives"]):
        missing.add("plan.tasks")
    if not missing:
        goals[0]["objectives"] = []
        missing.add("plan.objectives")
    data = {"focus": draw(texts()), "methods": draw(_lists(0)), "goals": goals}
    return Failing("plan", data, frozenset(missing))


def case_conference_records(today: dt.date = TODAY) -> st.SearchStrategy[JSONObject]:
    """Draw a case conference (rehsos-pp39) held on or before today."""
    return st.fixed_dictionaries(
        {
            "held_on": _day(today - dt.timedelta(days=30), today),
            "participants": _lists(),
            "conclusion": texts(),
        }
    )


def resocialization_records(
    *, family: bool = True, community: bool = True
) -> st.SearchStrategy[JSONObject]:
    """Draw a resocialization record (rehsos-pp39) saying who is prepared."""
    return st.fixed_dictionaries(
        {
            "family_prepared": st.just(family),
            "community_prepared": st.just(community),
            "plan": texts(),
        }
    )


def aftercare_plan_records(today: dt.date = TODAY) -> st.SearchStrategy[JSONObject]:
    """Draw an aftercare plan (rehsos-pp39) ending within 60 days of today."""
    return st.fixed_dictionaries(
        {
            "until": _day(today - dt.timedelta(days=60), today + dt.timedelta(days=60)),
            "contact_every_days": st.integers(min_value=1, max_value=90),
        }
    )


def follow_up_records(today: dt.date = TODAY) -> st.SearchStrategy[JSONObject]:
    """Draw an aftercare follow-up (rehsos-pp39) on or before today."""
    return st.fixed_dictionaries(
        {
            "on": _day(today - dt.timedelta(days=30), today),
            "mode": st.sampled_from(["visit", "phone", "message"]),
            "situation": texts(),
            "independent": st.booleans(),
        }
    )


def complete_records(  # noqa: PLR0911 - one strategy per record kind
    kind: str,
    *,
    today: dt.date = TODAY,
    goal_ids: Collection[str] = ("g1",),
    scaled_goal_ids: Collection[str] = (),
) -> st.SearchStrategy[JSONObject]:
    """Draw a complete record of ``kind`` that fits the given plan and day."""
    match kind:
        case "engagement":
            return engagement_records(today)
        case "intake":
            return intake_records()
        case "contract":
            return contract_records(today, kinds=("primary",))
        case "assessment":
            return assessment_records()
        case "plan":
            return plan_records()
        case "activity":
            return activity_records(goal_ids, today)
        case "case_conference":
            return case_conference_records(today)
        case "resocialization":
            return resocialization_records()
        case "aftercare_plan":
            return aftercare_plan_records(today)
        case "follow_up":
            return follow_up_records(today)
        case _:
            return evaluation_records(goal_ids, scaled_goal_ids)


# --- malformed records -------------------------------------------------------

#: Keys whose text is a code or a date rather than free text.
_CODE_KEYS: Final = frozenset({"referral_source", "kind", "role", "model"})
_DATE_KEYS: Final = frozenset({"first_contact_on", "valid_from", "valid_until", "on"})
#: Keys a record may leave out.
_OPTIONAL_KEYS: Final = frozenset({"criteria_failed", "justification"})


@attrs.frozen
class Malformed:
    """A malformed record and the field path and problem it must be refused for."""

    kind: str
    data: object
    field: str
    problem: str


def field_path(path: Path) -> str:
    """Render a JSON path as the package names it: ``goals[0].objectives``."""
    rendered = ""
    for step in path:
        if isinstance(step, int):
            rendered += f"[{step}]"
        else:
            rendered += f".{step}" if rendered else step
    return rendered


def _slots(value: object, path: Path) -> Iterator[tuple[Path, object]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _slots(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _slots(item, (*path, index))


def _mutations(path: Path, value: object) -> list[tuple[str, object, str]]:
    """Return (how, new value, problem) for each way to break ``value``."""
    key = path[-1] if path else None
    item_of_list = isinstance(key, int)
    removable = not item_of_list and key is not None and key not in _OPTIONAL_KEYS
    found: list[tuple[str, object, str]] = []
    if removable:
        found.append(("delete", None, "missing"))
    if isinstance(value, bool):
        found += [("set", "yes", "not_bool"), ("set", 1, "not_bool")]
    elif isinstance(value, str) and key in _CODE_KEYS:
        found += [("set", "not-a-code", "unknown_code")]
    elif isinstance(value, str) and key in _DATE_KEYS:
        found += [
            ("set", "2025-02-30", "not_date"),
            ("set", "06/01/2025", "not_date"),
            ("set", 20250106, "not_date"),
        ]
    elif isinstance(value, str):
        found += [
            ("set", 42, "not_text"),
            ("set", "   ", "blank"),
            ("set", "", "blank"),
            ("set", "x" * (MAX_TEXT + 1), "too_long"),
            ("set", "a\x00b", "nul_character"),
        ]
    elif isinstance(value, list) and key is not None:
        found += [("set", 42, "not_list")]
    elif isinstance(value, dict):
        found += [("add", None, "unknown_field")]
        if key is not None:
            found += [("set", "x", "not_object")]
    return found


def _apply(data: Any, path: Path, how: str, new: object) -> Any:
    if how == "add":
        target = data
        for step in path:
            target = target[step]
        target["surprise"] = 1
        return data
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if how == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return data


@st.composite
def malformed_records(draw: st.DrawFn) -> Malformed:
    """Draw a record with exactly one malformed field (or none at all)."""
    kind = draw(st.sampled_from(sorted(_BASES)))
    data = copy.deepcopy(draw(_BASES[kind]))
    if draw(st.integers(min_value=0, max_value=49)) == 0:
        return Malformed(
            kind, draw(st.sampled_from([[], "x", 1, None])), "", "not_object"
        )
    candidates = [
        (path, mutation)
        for path, value in _slots(data, ())
        for mutation in _mutations(path, value)
    ]
    path, (how, new, problem) = draw(st.sampled_from(candidates))
    broken = _apply(data, path, how, new)
    where = field_path((*path, "surprise") if how == "add" else path)
    return Malformed(kind, broken, where, problem)


_BASES: Final[dict[str, st.SearchStrategy[JSONObject]]] = {
    "engagement": engagement_records(),
    "intake": intake_records(),
    "contract": contract_records(),
    "assessment": assessment_records(),
    "plan": plan_records(gas=False),
    "activity": activity_records(GOAL_IDS),
    "evaluation": evaluation_records(GOAL_IDS),
}


# --- commands ----------------------------------------------------------------


def notes() -> st.SearchStrategy[str | None]:
    """Draw a note: present, absent, or blank (which counts as absent)."""
    return st.one_of(st.none(), texts(), st.just("  "))


def move_commands() -> st.SearchStrategy[MoveCase]:
    """Draw a move to any stage, with or without a note."""
    return st.builds(MoveCase, target=st.sampled_from(Stage), note=notes())


def termination_commands() -> st.SearchStrategy[TerminateCase]:
    """Draw a termination with any reason, sub-reason, referral and note."""
    return st.builds(
        TerminateCase,
        reason=st.sampled_from(TerminationReason),
        sub_reason=st.one_of(st.none(), st.sampled_from(SubReason)),
        referral_to=st.one_of(st.none(), texts()),
        note=notes(),
    )


def reopen_commands() -> st.SearchStrategy[ReopenCase]:
    """Draw a reopening, with or without a note."""
    return st.builds(ReopenCase, note=notes())


def commands() -> st.SearchStrategy[MoveCase | TerminateCase | ReopenCase]:
    """Draw any command that does not carry a record."""
    return st.one_of(move_commands(), termination_commands(), reopen_commands())
