"""The figures an agency reports, computed from the audit trail.

:func:`build_report` reads every event once, case by case, and keeps only
counters and a small state per case, so memory grows with the number of
cases (and findings), not with the number of events. Durations are kept as
counts per whole hour, which gives exact medians and percentiles to the hour
whatever the number of stage visits.

The window ``[since, until]`` applies to ``occurred_at``:

- flows (cases opened and reopened, terminations, loops, activities,
  evaluations, time in stage for visits that ended) count events inside it;
- stocks (cases per current stage) are the cases as they stand at its end;
- a case is in the report when it had an event in the window or was open
  at its end (an open case with no event in the window was open throughout);
- policy findings are those observed inside it, and whatever depends on
  time passing (an idle case, a stage still open) is judged at its end.

The end of the window is ``until``, or ``as_of`` when no ``until`` is given
(or ``until`` is later); events after it are left out, as not yet happened.

Renderers turn a :class:`Report` into text, JSON, CSV (a tidy long format)
or one self-contained HTML page, in Indonesian or English. JSON and the CSV
``value`` column use codes and ``.`` decimals for machines; text, HTML and
the CSV ``label`` column are for people, with the language's decimal mark.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections import Counter
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from html import escape
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from types import MappingProxyType
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import TypeVar

import attrs

from helping_process._catalog import M
from helping_process._catalog import Messages
from helping_process._charts import bar_chart
from helping_process.audit import Finding
from helping_process.audit import FindingKind
from helping_process.audit import Verification
from helping_process.engine import apply
from helping_process.engine import rules_of
from helping_process.exceptions import InvalidInputError
from helping_process.labels import LANGUAGES
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.model import Action
from helping_process.model import AssignReason
from helping_process.model import Case
from helping_process.model import Event
from helping_process.policy import EventsByCase
from helping_process.policy import Policy
from helping_process.policy import PolicyFinding
from helping_process.policy import Rule
from helping_process.policy import _aware
from helping_process.policy import _by_case
from helping_process.policy import _Checker
from helping_process.policy import _follows
from helping_process.policy import rule_label
from helping_process.policy import severity_label
from helping_process.states import REASON_RULES
from helping_process.states import ActivityRecord
from helping_process.states import EvaluationRecord
from helping_process.states import InterventionModel
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason
from helping_process.states import WorkerRole
from helping_process.states import attainment
from helping_process.states import gas_t_score
from helping_process.states.vocabulary import HELPING_REASONS
from helping_process.states.vocabulary import HELPING_STAGES

if TYPE_CHECKING:
    from helping_process.definitions import Definition

__all__ = [
    "Durations",
    "GasSummary",
    "GoalAttainment",
    "Report",
    "build_report",
    "render_csv",
    "render_html",
    "render_json",
    "render_text",
]

_C = TypeVar("_C", Stage, TerminationReason)

_HOURS_PER_DAY: Final = 24
_SECONDS_PER_HOUR: Final = 3_600
#: The GAS T-score of a goal met exactly as expected.
_GAS_EXPECTED: Final = 50.0
#: The figures of case work a report counts, in the order it shows them.
CASEWORK_FIGURES: Final = (
    "assignments",
    "reassignments_client_dislikes_worker",
    "referrals",
    "transfers",
    "terminations_after_referral",
)
#: Decimal places kept for fractions in JSON and CSV (hides float noise only).
_PLACES: Final = 6

_ACTIVE: Final = tuple(
    stage for stage in HELPING_STAGES if stage is not Stage.TERMINATION
)
_REPLAN_FROM: Final = (Stage.INTERVENTION, Stage.EVALUATION)
_REASSESS_FROM: Final = (Stage.PLANNING, Stage.INTERVENTION, Stage.EVALUATION)
#: The planned reasons (every later one, such as client_died, is early).
_PLANNED: Final = frozenset(
    reason for reason, rule in REASON_RULES.items() if rule.planned
)
_SUB_REASONS: Final = tuple(
    (reason, sub)
    for reason, rule in REASON_RULES.items()
    for sub in SubReason
    if sub in rule.sub_reasons
)


@attrs.frozen(kw_only=True)
class Durations:
    """How long something took, over the cases that finished it.

    Attributes:
        count: how many durations were measured.
        median_days: their median, in days (None when there are none).
        p90_days: their 90th percentile, in days (None when there are none).
    """

    count: int = 0
    median_days: float | None = None
    p90_days: float | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the durations as a JSON object."""
        return {
            "count": self.count,
            "median_days": _round(self.median_days),
            "p90_days": _round(self.p90_days),
        }


@attrs.frozen(kw_only=True)
class GoalAttainment:
    """Planned goals against achieved ones, over episodes.

    Attributes:
        episodes: the episodes whose last evaluation in the window counted.
        mean_ratio: the mean share of planned goals achieved (None without
            episodes).
    """

    episodes: int = 0
    mean_ratio: float | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the attainment as a JSON object."""
        return {"episodes": self.episodes, "mean_ratio": _round(self.mean_ratio)}


@attrs.frozen(kw_only=True)
class GasSummary:
    """Goal Attainment Scaling T-scores, one per evaluation with GAS scores.

    Attributes:
        evaluations: the evaluations scored.
        mean_t: the mean T-score (None without evaluations).
        min_t: the lowest T-score.
        max_t: the highest T-score.
        at_or_above_expected: the evaluations with T >= 50 (goals met as
            expected or better).
    """

    evaluations: int = 0
    mean_t: float | None = None
    min_t: float | None = None
    max_t: float | None = None
    at_or_above_expected: int = 0

    def to_json(self) -> dict[str, Any]:
        """Return the summary as a JSON object."""
        return {
            "evaluations": self.evaluations,
            "mean_t": _round(self.mean_t),
            "min_t": _round(self.min_t),
            "max_t": _round(self.max_t),
            "at_or_above_expected": self.at_or_above_expected,
        }


def _frozen_counts(value: Mapping[Any, int]) -> Mapping[Any, int]:
    return MappingProxyType(dict(value))


def _frozen_durations(value: Mapping[Stage, Durations]) -> Mapping[Stage, Durations]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Report:
    """An agency's figures for one window, with the policy findings.

    Every count mapping holds every code (zeros included) in the order the
    codes are defined, so reports line up period after period.

    Attributes:
        as_of: when the report was made.
        since: the start of the window (None: the start of the trail).
        until: the end of the window (None: ``as_of``).
        agency: the agency's name, if given.
        policy: the policy the findings were checked against.
        cases: the cases in the report.
        opened: cases opened in the window.
        reopened: cases reopened in the window.
        open_cases: the cases not in a terminal stage of their definition
            at the end of the window.
        cases_by_stage: the cases per stage at the end of the window: every
            stage of the helping process, then every other stage of the
            definitions the report's cases run under.
        time_in_stage: per non-terminal stage, how long the visits that
            ended in the window lasted.
        episode_length: how long the episodes that ended in the window ran,
            from opening (or reopening) to termination.
        terminations_by_reason: terminations in the window per reason (the
            helping process's, then the others of the cases' definitions).
        terminations_by_sub_reason: the same per ``(reason, sub_reason)``
            pair, for the reasons that have sub-reasons.
        replans: moves back to planning, per stage they came from.
        reassessments: moves back to assessment, per stage they came from.
        resumes: moves from evaluation back to intervention.
        casework: assignments, reassignments for a client who dislikes the
            worker, referrals, transfers and terminations that follow a
            referral, in the window (see :data:`CASEWORK_FIGURES`).
        attainment: mean goal attainment of the last evaluation per episode.
        gas: the GAS T-scores of the evaluations with GAS scores.
        activities_by_role: intervention activities per worker role.
        activities_by_model: intervention activities per intervention model.
        findings: the policy findings observed in the window.
        trail: the verification of the trail the figures were computed from
            (None: the trail was not verified, and the report says so).
        actors_checked: whether the actors of commands were checked against
            a staff roster (False while it is empty, and the report says so;
            None: not known).
        excluded: the cases left out of the figures because verification
            found a fault in them.
    """

    as_of: dt.datetime
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    agency: str | None = None
    policy: Policy = attrs.field(factory=Policy)
    cases: int = 0
    opened: int = 0
    reopened: int = 0
    open_cases: int = 0
    cases_by_stage: Mapping[Stage, int] = attrs.field(converter=_frozen_counts)
    time_in_stage: Mapping[Stage, Durations] = attrs.field(converter=_frozen_durations)
    episode_length: Durations = Durations()
    terminations_by_reason: Mapping[TerminationReason, int] = attrs.field(
        converter=_frozen_counts
    )
    terminations_by_sub_reason: Mapping[tuple[TerminationReason, SubReason], int] = (
        attrs.field(converter=_frozen_counts)
    )
    replans: Mapping[Stage, int] = attrs.field(converter=_frozen_counts)
    reassessments: Mapping[Stage, int] = attrs.field(converter=_frozen_counts)
    resumes: int = 0
    casework: Mapping[str, int] = attrs.field(factory=dict)
    attainment: GoalAttainment = GoalAttainment()
    gas: GasSummary = GasSummary()
    activities_by_role: Mapping[WorkerRole, int] = attrs.field(converter=_frozen_counts)
    activities_by_model: Mapping[InterventionModel, int] = attrs.field(
        converter=_frozen_counts
    )
    findings: tuple[PolicyFinding, ...] = ()
    trail: Verification | None = None
    excluded: tuple[str, ...] = ()
    actors_checked: bool | None = None

    @property
    def planned_terminations(self) -> int:
        """Terminations in the window for a planned reason."""
        return sum(
            count
            for reason, count in self.terminations_by_reason.items()
            if reason in _PLANNED
        )

    @property
    def early_terminations(self) -> int:
        """Terminations in the window for an early reason."""
        return self.terminated - self.planned_terminations

    @property
    def terminated(self) -> int:
        """Terminations in the window."""
        return sum(self.terminations_by_reason.values())

    @property
    def findings_by_rule(self) -> Mapping[Rule, int]:
        """The findings per rule, every rule listed."""
        counts = Counter(finding.rule for finding in self.findings)
        return {rule: counts[rule] for rule in Rule}

    @property
    def end(self) -> dt.datetime:
        """The end of the window: ``until`` if given, else ``as_of``."""
        return self.until or self.as_of

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON object: codes as keys, no labels."""
        return {
            "as_of": _iso(self.as_of),
            "since": _iso(self.since),
            "until": _iso(self.until),
            "agency": self.agency,
            "policy": self.policy.to_json(),
            "cases": self.cases,
            "open_cases": self.open_cases,
            "opened": self.opened,
            "reopened": self.reopened,
            "cases_by_stage": _codes(self.cases_by_stage),
            "time_in_stage": {
                str(stage): durations.to_json()
                for stage, durations in self.time_in_stage.items()
            },
            "episode_length": self.episode_length.to_json(),
            "terminations": {
                "total": self.terminated,
                "planned": self.planned_terminations,
                "early": self.early_terminations,
                "by_reason": _codes(self.terminations_by_reason),
                "by_sub_reason": _nested(self.terminations_by_sub_reason),
            },
            "loops": {
                "replans": _codes(self.replans),
                "reassessments": _codes(self.reassessments),
                "resumes": self.resumes,
            },
            "casework": {key: self.casework.get(key, 0) for key in CASEWORK_FIGURES},
            "goal_attainment": self.attainment.to_json(),
            "gas": self.gas.to_json(),
            "activities": {
                "by_role": _codes(self.activities_by_role),
                "by_model": _codes(self.activities_by_model),
            },
            "findings": {
                "by_rule": _codes(self.findings_by_rule),
                "items": [finding.to_json() for finding in self.findings],
            },
            "trail": _trail_json(self.trail, self.excluded),
            "actors_checked": self.actors_checked,
        }


def _trail_json(trail: Verification | None, excluded: Sequence[str]) -> dict[str, Any]:
    """What the report says of the trail it was computed from, as JSON."""
    if trail is None:
        return {"verified": False}
    sealing = trail.sealing
    return {
        "verified": True,
        "sound": trail.ok,
        "cases": trail.cases,
        "events": trail.events,
        "faults": trail.fault_count,
        "redactions": _redactions(trail),
        "findings": [
            {
                "case_id": finding.case_id,
                "seq": finding.seq,
                "kind": finding.kind.value,
                "detail": finding.detail,
            }
            for finding in trail.faults
        ],
        "seal": None if sealing is None else attrs.asdict(sealing),
        "excluded_cases": list(excluded),
    }


def _redactions(trail: Verification) -> int:
    return sum(finding.kind is FindingKind.REDACTED for finding in trail.findings)


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _round(number: float | None) -> float | None:
    return None if number is None else round(number, _PLACES)


def _codes(counts: Mapping[Any, int]) -> dict[str, int]:
    return {str(code): count for code, count in counts.items()}


def _nested(
    counts: Mapping[tuple[TerminationReason, SubReason], int],
) -> dict[str, dict[str, int]]:
    nested: dict[str, dict[str, int]] = {}
    for (reason, sub), count in counts.items():
        nested.setdefault(str(reason), {})[str(sub)] = count
    return nested


class _Hours:
    """Durations counted per whole hour: exact quantiles, bounded memory."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.total = 0

    def add(self, delta: dt.timedelta) -> None:
        self.counts[round(delta.total_seconds() / _SECONDS_PER_HOUR)] += 1
        self.total += 1

    def durations(self) -> Durations:
        if not self.total:
            return Durations()
        ordered = sorted(self.counts.items())
        return Durations(
            count=self.total,
            median_days=self._quantile(ordered, 0.5) / _HOURS_PER_DAY,
            p90_days=self._quantile(ordered, 0.9) / _HOURS_PER_DAY,
        )

    def _quantile(self, ordered: Sequence[tuple[int, int]], q: float) -> float:
        """Interpolate between order statistics (``statistics`` "inclusive")."""
        position = q * (self.total - 1)
        low = math.floor(position)
        first = _nth(ordered, low)
        second = _nth(ordered, min(low + 1, self.total - 1))
        return first + (second - first) * (position - low)


def _nth(ordered: Sequence[tuple[int, int]], index: int) -> int:
    """Return the ``index``-th smallest value of a sorted value→count list."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)  # pragma: no cover - callers stay below the total


class _Running:
    """A running count, mean, minimum and maximum, in constant memory."""

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.low: float | None = None
        self.high: float | None = None

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@attrs.define
class _Tally:
    """The running figures of a report, built one event at a time."""

    cases: int = 0
    opened: int = 0
    reopened: int = 0
    open_cases: int = 0
    #: The definitions the cases run under, by digest.
    definitions: dict[str, Definition] = attrs.Factory(dict)
    by_stage: Counter[Stage] = attrs.Factory(Counter)
    stage_hours: dict[Stage, _Hours] = attrs.Factory(
        lambda: {stage: _Hours() for stage in _ACTIVE}
    )
    episode_hours: _Hours = attrs.Factory(_Hours)
    by_reason: Counter[TerminationReason] = attrs.Factory(Counter)
    by_sub_reason: Counter[tuple[TerminationReason, SubReason]] = attrs.Factory(Counter)
    replans: Counter[Stage] = attrs.Factory(Counter)
    reassessments: Counter[Stage] = attrs.Factory(Counter)
    resumes: int = 0
    casework: Counter[str] = attrs.Factory(Counter)
    ratios: _Running = attrs.Factory(_Running)
    t_scores: _Running = attrs.Factory(_Running)
    gas_expected: int = 0
    by_role: Counter[WorkerRole] = attrs.Factory(Counter)
    by_model: Counter[InterventionModel] = attrs.Factory(Counter)
    findings: list[PolicyFinding] = attrs.Factory(list)

    def count(self, before: Case | None, event: Event, after: Case) -> None:
        """Count one event of the window."""
        if before is None or event.action is Action.OPEN:
            self.opened += 1
            return
        if event.action in {Action.MOVE, Action.TERMINATE, Action.REOPEN} and (
            not _ended(before)
        ):
            hours = self.stage_hours.get(before.stage)
            if hours is None:
                hours = self.stage_hours[before.stage] = _Hours()
            hours.add(event.occurred_at - before.stage_entered_at)
        match event.action:
            case Action.REOPEN:
                self.reopened += 1
            case Action.TERMINATE if event.reason is not None:
                self.by_reason[event.reason] += 1
                if event.referral_seq is not None:
                    self.casework["terminations_after_referral"] += 1
                if event.sub_reason is not None:
                    self.by_sub_reason[event.reason, event.sub_reason] += 1
            case Action.MOVE:
                self._loop(before, after.stage)
            case Action.ASSIGN | Action.REFER | Action.TRANSFER:
                self._casework(event)
            case Action.RECORD if isinstance(event.record, ActivityRecord):
                self.by_role[event.record.role] += 1
                self.by_model[event.record.model] += 1
            case Action.RECORD if isinstance(event.record, EvaluationRecord):
                self._gas(after, event.record)
            case _:
                pass

    def _casework(self, event: Event) -> None:
        """Count an assignment, a referral or a transfer."""
        if event.action is Action.ASSIGN:
            self.casework["assignments"] += 1
            if event.assign_reason is AssignReason.CLIENT_DISLIKES_WORKER:
                self.casework["reassignments_client_dislikes_worker"] += 1
        elif event.action is Action.REFER:
            self.casework["referrals"] += 1
        else:
            self.casework["transfers"] += 1

    def _loop(self, before: Case, dest: Stage) -> None:
        """Count a loop back by the rules of the case's definition."""
        source = before.stage
        move = rules_of(before.definition).move(source, dest)
        if move is None or move.kind != "loop":
            return
        if dest is Stage.PLANNING:
            self.replans[source] += 1
        elif dest is Stage.ASSESSMENT:
            self.reassessments[source] += 1
        else:
            self.resumes += 1

    def _gas(self, case: Case, evaluation: EvaluationRecord) -> None:
        """Score an evaluation's GAS goals with the weights of the plan in force."""
        plan = case.records.plan
        if plan is None or not evaluation.gas_scores:
            return
        goals = {goal.id: goal for goal in plan.goals}
        scored = [
            (score, goal.gas.weight)
            for goal_id, score in sorted(evaluation.gas_scores.items())
            if (goal := goals.get(goal_id)) is not None and goal.gas is not None
        ]
        if scored:
            scores, weights = zip(*scored, strict=True)
            t_score = gas_t_score(scores, weights)
            self.t_scores.add(t_score)
            self.gas_expected += t_score >= _GAS_EXPECTED

    def report(
        self,
        *,
        as_of: dt.datetime,
        since: dt.datetime | None,
        until: dt.datetime | None,
        agency: str | None,
        policy: Policy,
    ) -> Report:
        ratios, t_scores = self.ratios, self.t_scores
        definitions = self.definitions.values()
        stages = _listed(
            HELPING_STAGES, (s.code for d in definitions for s in d.stages)
        )
        timed = _listed(
            _ACTIVE,
            (s.code for d in definitions for s in d.stages if s.kind != "terminal"),
        )
        reasons = _listed(
            HELPING_REASONS,
            (r.code for d in definitions for r in d.termination_reasons),
        )
        return Report(
            as_of=as_of,
            since=since,
            until=until,
            agency=agency,
            policy=policy,
            cases=self.cases,
            opened=self.opened,
            reopened=self.reopened,
            open_cases=self.open_cases,
            cases_by_stage={stage: self.by_stage[stage] for stage in stages},
            time_in_stage={
                stage: self.stage_hours.get(stage, _Hours()).durations()
                for stage in timed
            },
            episode_length=self.episode_hours.durations(),
            terminations_by_reason={
                reason: self.by_reason[reason] for reason in reasons
            },
            terminations_by_sub_reason={
                pair: self.by_sub_reason[pair] for pair in _SUB_REASONS
            },
            replans={stage: self.replans[stage] for stage in _REPLAN_FROM},
            reassessments={
                stage: self.reassessments[stage] for stage in _REASSESS_FROM
            },
            resumes=self.resumes,
            casework={key: self.casework[key] for key in CASEWORK_FIGURES},
            attainment=GoalAttainment(episodes=ratios.count, mean_ratio=ratios.mean),
            gas=GasSummary(
                evaluations=t_scores.count,
                mean_t=t_scores.mean,
                min_t=t_scores.low,
                max_t=t_scores.high,
                at_or_above_expected=self.gas_expected,
            ),
            activities_by_role={role: self.by_role[role] for role in WorkerRole},
            activities_by_model={
                model: self.by_model[model] for model in InterventionModel
            },
            findings=tuple(self.findings),
        )


def _ended(case: Case) -> bool:
    """Whether the case stands in a terminal stage of its definition.

    Its episode has ended and no work follows (after-closure work such as
    aftercare is not terminal: it is timed, and the case is still open).
    """
    return case.definition.stage(case.stage).kind == "terminal"


def _listed(base: Iterable[_C], more: Iterable[str]) -> tuple[_C, ...]:
    """``base``, then the codes of ``more`` not in it, in their first order.

    The figures list every code of the helping process, as they always
    have, then those of the other definitions the report's cases run under.
    """
    listed = dict.fromkeys(base)
    kind = type(next(iter(listed)))
    for code in more:
        member = kind(code)
        if member not in listed:
            listed[member] = None
    return tuple(listed)


def _tally_case(
    tally: _Tally,
    events: Iterable[Event],
    *,
    policy: Policy,
    since: dt.datetime | None,
    end: dt.datetime,
) -> None:
    """Fold one case's events into the tally, keeping only this case's state."""
    checker = _Checker(policy)
    case: Case | None = None
    in_window = False
    episode_start: dt.datetime | None = None
    last_ratio: float | None = None
    for event in events:
        if event.occurred_at > end:
            break
        if case is not None:
            _follows(case, event)
        after = apply(case, event)
        checker.event(case, event, after)
        if event.action in {Action.OPEN, Action.REOPEN}:
            if last_ratio is not None:
                tally.ratios.add(last_ratio)
            episode_start, last_ratio = event.occurred_at, None
        if since is None or event.occurred_at >= since:
            in_window = True
            tally.count(case, event, after)
            if event.action is Action.TERMINATE and episode_start is not None:
                tally.episode_hours.add(event.occurred_at - episode_start)
            if isinstance(event.record, EvaluationRecord):
                plan = after.records.plan
                planned = sorted(plan.goal_ids) if plan else []
                if planned:
                    achieved = event.record.achieved_goal_ids
                    last_ratio = attainment(planned, achieved).ratio
        case = after
    # An open case belongs in the report even without events in the window.
    if case is None or not (in_window or not _ended(case)):
        return
    if last_ratio is not None:
        tally.ratios.add(last_ratio)
    checker.finish(case, end)
    tally.cases += 1
    tally.open_cases += not _ended(case)
    tally.definitions.setdefault(case.definition.digest, case.definition)
    tally.by_stage[case.stage] += 1
    tally.findings.extend(
        finding for finding in checker.sorted() if since is None or finding.at >= since
    )


def build_report(  # noqa: PLR0913 - the window and the judging moment are named
    events_by_case: EventsByCase,
    *,
    policy: Policy,
    as_of: dt.datetime,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    agency: str | None = None,
) -> Report:
    """Compute an agency's figures and policy findings from its trail.

    Args:
        events_by_case: every event, grouped by case (one stream in which
            each case's events come together in ``seq`` order, such as
            ``audit.events_of(uow.scan())``, or a mapping of case id to its
            events).
        policy: the agency's policy, for the findings.
        as_of: when the report is made (aware); the end of the window when
            ``until`` is not given.
        since: the start of the window on ``occurred_at`` (aware), if any.
        until: the end of the window on ``occurred_at`` (aware), if any.
        agency: the agency's name, for the title.

    Returns:
        The report; see the module docstring for what the window means.

    Raises:
        InvalidInputError: a moment is naive, ``since`` is after the end of
            the window, or a case's events are split up or out of order.
    """
    as_of = _aware(as_of, "as_of")
    since = None if since is None else _aware(since, "since")
    until = None if until is None else min(_aware(until, "until"), as_of)
    end = until or as_of
    if since is not None and since > end:
        raise InvalidInputError("since", "out_of_range", _iso(since))
    tally = _Tally()
    for _, events in _by_case(events_by_case):
        _tally_case(tally, events, policy=policy, since=since, end=end)
    return tally.report(
        as_of=as_of, since=since, until=until, agency=agency, policy=policy
    )


# Rendering ------------------------------------------------------------------

#: The report's own words: (English, Indonesian).
_TEXT: Final = Messages(
    M("report.title", "Helping process report"),
    M("report.agency", "Agency"),
    M("report.as_of", "As of"),
    M("report.window", "Window"),
    M("report.trail_start", "start of the trail"),
    M("report.summary", "Summary"),
    M("report.figure", "Figure"),
    M("report.value", "Value"),
    M("report.cases", "Cases in the report"),
    M("report.open_cases", "Open cases at the end of the window"),
    M("report.opened", "Cases opened"),
    M("report.reopened", "Cases reopened"),
    M("report.terminated", "Terminations"),
    M("report.planned", "Planned terminations"),
    M("report.early", "Early terminations"),
    M("report.findings_total", "Policy findings"),
    M("report.cases_by_stage", "Cases per current stage"),
    M("report.stage", "Stage"),
    M("report.count", "Number"),
    M("report.time_in_stage", "Time in each stage (days)"),
    M("report.visits", "Visits ended"),
    M("report.median", "Median"),
    M("report.p90", "90th percentile"),
    M("report.limit", "Policy limit"),
    M("report.episode_length", "Episodes ended: opening to termination"),
    M("report.terminations", "Terminations"),
    M("report.by_reason", "Terminations by reason"),
    M("report.by_sub_reason", "Terminations by sub-reason"),
    M("report.reason", "Reason"),
    M("report.sub_reason", "Sub-reason"),
    M("report.loops", "Re-planning and reassessment"),
    M("report.replan", "Re-planned from {stage}"),
    M("report.reassess", "Reassessed from {stage}"),
    M("report.resume", "Intervention resumed after evaluation"),
    M("report.casework", "Assignment, referral and transfer"),
    M("report.casework.assignments", "Cases assigned to another worker"),
    M(
        "report.casework.reassignments_client_dislikes_worker",
        "of which because the client disliked the worker",
    ),
    M("report.casework.referrals", "Referrals to other organisations"),
    M("report.casework.transfers", "Transfers to another unit"),
    M(
        "report.casework.terminations_after_referral",
        "Terminations that follow a referral",
    ),
    M("report.outcomes", "Outcomes"),
    M("report.attainment_episodes", "Episodes with an evaluation"),
    M(
        "report.attainment_mean",
        "Mean goal attainment (last evaluation of each episode)",
    ),
    M("report.gas_evaluations", "Evaluations with GAS scores"),
    M("report.gas_mean", "Mean GAS T-score"),
    M("report.gas_min", "Lowest GAS T-score"),
    M("report.gas_max", "Highest GAS T-score"),
    M("report.gas_expected", "Evaluations at or above the expected level (T ≥ 50)"),
    M("report.activities", "Intervention activities"),
    M("report.by_role", "Activities by worker role"),
    M("report.role", "Worker role"),
    M("report.by_model", "Activities by intervention model"),
    M("report.model", "Intervention model"),
    M("report.findings", "Policy findings"),
    M("report.findings_by_rule", "Findings by rule"),
    M("report.rule", "Rule"),
    M("report.severity", "Severity"),
    M("report.case", "Case"),
    M("report.event", "Event"),
    M("report.date", "Date"),
    M("report.detail", "Detail"),
    M("report.no_findings", "No findings."),
    M("report.trail", "Audit trail"),
    M("report.actors", "Actors"),
    M("report.actors_checked", "checked against the staff roster"),
    M("report.actors_unchecked", "not checked (the staff roster is empty)"),
    M(
        "report.trail_unverified",
        "NOT VERIFIED: run 'helping-process audit verify' before relying on these "
        "figures",
    ),
    M(
        "report.trail_sound",
        "verified, no fault found (cases: {cases}; events: {events})",
    ),
    M(
        "report.trail_faults",
        "NOT SOUND: faults found: {faults} (cases: {cases}; events: {events})",
    ),
    M("report.trail_excluded", "The figures leave out the cases with faults: {cases}"),
    M(
        "report.trail_redactions",
        "Events whose personal data was redacted on request (information only): "
        "{count}",
    ),
    M("report.seals", "Seals"),
    M("report.seals_unchecked", "not checked (no public key given)"),
    M("report.seal_where", "seal {number}"),
    M("report.trail_more", "… and {count} more"),
    M("report.no_data", "Nothing in this window."),
    M("report.policy", "Policy applied"),
    M("report.max_days", "Longest stay in {stage} (days)"),
    M("report.late_entry_hours", "Late entry after (hours)"),
    M("report.idle_days", "Idle after (days)"),
    M("report.disabled", "Rules switched off"),
    M("report.severity_of", "Severity of: {rule}"),
    M("report.none", "none"),
    M("report.generated", "Made by helping_process {version}."),
    M("report.since", "Window start"),
    M("report.until", "Window end"),
)

_DASH: Final = "—"
_NUMERIC: Final = ' class="n"'


def _words(key: str, lang: Language, **params: str) -> str:
    return _TEXT[f"report.{key}"][_index(lang)].format(**params)


def _index(lang: str) -> int:
    if lang not in LANGUAGES:
        raise InvalidInputError("lang", "unknown_code", lang)
    return LANGUAGES.index(lang)


def _decimal(number: float | None, lang: Language, places: int = 1) -> str:
    """Write a number for people: fixed places, the language's decimal mark."""
    if number is None:
        return _DASH
    shown = f"{number:.{places}f}"
    return shown.replace(".", ",") if lang == "id" else shown


def _percent(ratio: float | None, lang: Language) -> str:
    if ratio is None:
        return _DASH
    return f"{_decimal(ratio, lang, 3)} ({_decimal(ratio * 100, lang, 0)}%)"


def _moment(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _window(report: Report, lang: Language) -> str:
    start = (
        _words("trail_start", lang) if report.since is None else _moment(report.since)
    )
    return f"{start} — {_moment(report.end)}"


def _version() -> str:
    try:
        return version("helping-process")
    except PackageNotFoundError:  # pragma: no cover - always installed in use
        return "?"


@attrs.frozen
class _Table:
    """One section of the report for people: a heading, columns and rows."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: The columns holding numbers (right-aligned).
    numeric: frozenset[int] = frozenset({1})


def _tables(report: Report, lang: Language) -> list[_Table]:
    """Return the report's sections for people, in reading order."""
    w = _words
    figure, value, count = w("figure", lang), w("value", lang), w("count", lang)
    attainment_mean = _percent(report.attainment.mean_ratio, lang)
    gas = report.gas
    return [
        _Table(
            "summary",
            w("summary", lang),
            (figure, value),
            (
                (w("cases", lang), str(report.cases)),
                (w("open_cases", lang), str(report.open_cases)),
                (w("opened", lang), str(report.opened)),
                (w("reopened", lang), str(report.reopened)),
                (w("terminated", lang), str(report.terminated)),
                (w("planned", lang), str(report.planned_terminations)),
                (w("early", lang), str(report.early_terminations)),
                (w("findings_total", lang), str(len(report.findings))),
            ),
        ),
        _Table(
            "cases_by_stage",
            w("cases_by_stage", lang),
            (w("stage", lang), count),
            tuple(
                (label("stage", stage, lang), str(n))
                for stage, n in report.cases_by_stage.items()
            ),
        ),
        _Table(
            "time_in_stage",
            w("time_in_stage", lang),
            (
                w("stage", lang),
                w("visits", lang),
                w("median", lang),
                w("p90", lang),
                w("limit", lang),
            ),
            (
                *(
                    (
                        label("stage", stage, lang),
                        str(durations.count),
                        _decimal(durations.median_days, lang),
                        _decimal(durations.p90_days, lang),
                        _decimal(report.policy.max_days.get(stage), lang, 0),
                    )
                    for stage, durations in report.time_in_stage.items()
                ),
                (
                    w("episode_length", lang),
                    str(report.episode_length.count),
                    _decimal(report.episode_length.median_days, lang),
                    _decimal(report.episode_length.p90_days, lang),
                    _DASH,
                ),
            ),
            frozenset({1, 2, 3, 4}),
        ),
        _Table(
            "terminations_by_reason",
            w("by_reason", lang),
            (w("reason", lang), count),
            tuple(
                (label("reason", reason, lang), str(n))
                for reason, n in report.terminations_by_reason.items()
            ),
        ),
        _Table(
            "terminations_by_sub_reason",
            w("by_sub_reason", lang),
            (w("reason", lang), w("sub_reason", lang), count),
            tuple(
                (label("reason", reason, lang), label("sub_reason", sub, lang), str(n))
                for (reason, sub), n in report.terminations_by_sub_reason.items()
                if n
            ),
            frozenset({2}),
        ),
        _Table(
            "loops",
            w("loops", lang),
            (figure, count),
            (
                *(
                    (w("replan", lang, stage=label("stage", s, lang)), str(n))
                    for s, n in report.replans.items()
                ),
                *(
                    (w("reassess", lang, stage=label("stage", s, lang)), str(n))
                    for s, n in report.reassessments.items()
                ),
                (w("resume", lang), str(report.resumes)),
            ),
        ),
        _Table(
            "casework",
            w("casework", lang),
            (figure, count),
            tuple(
                (w(f"casework.{key}", lang), str(report.casework.get(key, 0)))
                for key in CASEWORK_FIGURES
            ),
        ),
        _Table(
            "outcomes",
            w("outcomes", lang),
            (figure, value),
            (
                (w("attainment_episodes", lang), str(report.attainment.episodes)),
                (w("attainment_mean", lang), attainment_mean),
                (w("gas_evaluations", lang), str(gas.evaluations)),
                (w("gas_mean", lang), _decimal(gas.mean_t, lang, 3)),
                (w("gas_min", lang), _decimal(gas.min_t, lang, 3)),
                (w("gas_max", lang), _decimal(gas.max_t, lang, 3)),
                (w("gas_expected", lang), str(gas.at_or_above_expected)),
            ),
        ),
        _Table(
            "activities_by_role",
            w("by_role", lang),
            (w("role", lang), count),
            tuple(
                (label("role", role, lang), str(n))
                for role, n in report.activities_by_role.items()
            ),
        ),
        _Table(
            "activities_by_model",
            w("by_model", lang),
            (w("model", lang), count),
            tuple(
                (label("model", model, lang), str(n))
                for model, n in report.activities_by_model.items()
            ),
        ),
        _Table(
            "findings_by_rule",
            w("findings_by_rule", lang),
            (w("rule", lang), count),
            tuple(
                (rule_label(rule, lang), str(n))
                for rule, n in report.findings_by_rule.items()
            ),
        ),
        _Table(
            "findings",
            w("findings", lang),
            (
                w("case", lang),
                w("event", lang),
                w("date", lang),
                w("rule", lang),
                w("severity", lang),
                w("detail", lang),
            ),
            tuple(
                (
                    finding.case_id,
                    str(finding.seq),
                    finding.at.astimezone(dt.UTC).date().isoformat(),
                    rule_label(finding.rule, lang),
                    severity_label(finding.severity, lang),
                    finding.describe(lang),
                )
                for finding in report.findings
            ),
            frozenset({1}),
        ),
        _policy_table(report.policy, lang),
    ]


def _policy_table(policy: Policy, lang: Language) -> _Table:
    w = _words
    disabled = ", ".join(
        rule_label(rule, lang) for rule in Rule if rule in policy.disabled
    )
    return _Table(
        "policy",
        w("policy", lang),
        (w("figure", lang), w("value", lang)),
        (
            *(
                (
                    w("max_days", lang, stage=label("stage", stage, lang)),
                    _decimal(days, lang, 0 if days.is_integer() else 1),
                )
                for stage, days in policy.max_days.items()
            ),
            (
                w("late_entry_hours", lang),
                _decimal(policy.late_entry_hours, lang, 0),
            ),
            (w("idle_days", lang), _decimal(policy.idle_days, lang, 0)),
            (w("disabled", lang), disabled or w("none", lang)),
            *(
                (
                    w("severity_of", lang, rule=rule_label(rule, lang)),
                    severity_label(severity, lang),
                )
                for rule, severity in policy.severity.items()
            ),
        ),
    )


def _title(report: Report, lang: Language) -> str:
    title = _words("title", lang)
    return f"{title} — {report.agency}" if report.agency else title


def render_text(report: Report, lang: Language = "en") -> str:
    """Return the report as plain text, in Indonesian or English.

    Raises:
        InvalidInputError: ``lang`` is not a language of the labels.
    """
    _index(lang)
    title = _title(report, lang)
    lines = [
        title,
        "=" * len(title),
        *_trail_lines(report, lang),
        f"{_words('as_of', lang)}: {_moment(report.as_of)}",
        f"{_words('window', lang)}: {_window(report, lang)}",
    ]
    for table in _tables(report, lang):
        lines += ["", table.title, "-" * len(table.title)]
        if not table.rows:
            empty = "no_findings" if table.key == "findings" else "no_data"
            lines.append(_words(empty, lang))
            continue
        lines += _aligned(table)
    return "\n".join(lines) + "\n"


#: How many faults the top of a report lists; the rest are counted.
_LISTED_FAULTS: Final = 20


def _trail_status(report: Report, lang: Language) -> tuple[str, list[str]]:
    """Whether the trail was verified and what was found, said first.

    Returns:
        The state (``sound``, ``faults`` or ``unverified``) and the lines
        that say it: the verdict, the seals, the faults (up to a bound), the
        cases left out of the figures and the redactions noted.
    """
    w = _words
    trail = report.trail
    if trail is None:
        return "unverified", [f"{w('trail', lang)}: {w('trail_unverified', lang)}"]
    counts = {"cases": str(trail.cases), "events": str(trail.events)}
    if trail.ok:
        state, verdict = "sound", w("trail_sound", lang, **counts)
    else:
        state = "faults"
        verdict = w("trail_faults", lang, faults=str(trail.fault_count), **counts)
    sealing = trail.sealing
    seals = sealing.describe(lang) if sealing else w("seals_unchecked", lang)
    lines = [f"{w('trail', lang)}: {verdict}", f"{w('seals', lang)}: {seals}"]
    faults = trail.faults
    lines += [f"  {_fault_line(finding, lang)}" for finding in faults[:_LISTED_FAULTS]]
    rest = trail.fault_count - min(len(faults), _LISTED_FAULTS)
    if rest:
        lines.append(f"  {w('trail_more', lang, count=str(rest))}")
    if report.excluded:
        lines.append(w("trail_excluded", lang, cases=", ".join(report.excluded)))
    redactions = _redactions(trail)
    if redactions:
        lines.append(w("trail_redactions", lang, count=str(redactions)))
    if report.actors_checked is not None:
        checked = "actors_checked" if report.actors_checked else "actors_unchecked"
        lines.append(f"{w('actors', lang)}: {w(checked, lang)}")
    return state, lines


def _trail_lines(report: Report, lang: Language) -> list[str]:
    return _trail_status(report, lang)[1]


def _fault_line(finding: Finding, lang: Language) -> str:
    """One fault: where (a case's event, or a seal), its kind, what it means."""
    where = (
        f"{finding.case_id} #{finding.seq}"
        if finding.case_id
        else _words("seal_where", lang, number=str(finding.seq))
    )
    described = finding.describe(lang)
    return f"{where} {finding.kind.value}" + (f": {described}" if described else "")


def _aligned(table: _Table) -> list[str]:
    """Lay a table out in columns; the last column runs free."""
    rows = [table.headers, *table.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if i in table.numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def render_json(report: Report) -> str:
    """Return the report as JSON: codes, ISO 8601 times, no labels."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def _value(number: float | int | str | None) -> str:
    """Write a value for machines: ``.`` decimals, empty for none."""
    if number is None:
        return ""
    if isinstance(number, float):
        return repr(round(number, _PLACES))
    return str(number)


def _csv_rows(report: Report, lang: Language) -> Iterator[tuple[str, str, str, str]]:  # noqa: PLR0912 - one block per section
    """Yield ``(section, key, value, label)`` for every figure of the report."""
    w = _words
    yield "report", "as_of", _iso(report.as_of) or "", w("as_of", lang)
    yield "report", "since", _iso(report.since) or "", w("since", lang)
    yield "report", "until", _iso(report.until) or "", w("until", lang)
    yield "report", "agency", report.agency or "", w("agency", lang)
    trail = _trail_json(report.trail, report.excluded)
    state, said = _trail_status(report, lang)
    yield "trail", "state", state, said[0]
    if report.trail is not None:
        for key in ("cases", "events", "faults", "redactions"):
            yield "trail", key, str(trail[key]), ""
        seal = trail["seal"]
        yield "trail", "seal", "" if seal is None else str(seal["newest"]), said[1]
        for fault in report.trail.faults:
            yield (
                "trail_fault",
                f"{fault.case_id}/{fault.seq}/{fault.kind.value}",
                fault.kind.value,
                fault.describe(lang),
            )
    summary = {
        "cases": report.cases,
        "open_cases": report.open_cases,
        "opened": report.opened,
        "reopened": report.reopened,
        "terminated": report.terminated,
        "planned_terminations": report.planned_terminations,
        "early_terminations": report.early_terminations,
        "findings": len(report.findings),
    }
    words = (
        "cases",
        "open_cases",
        "opened",
        "reopened",
        "terminated",
        "planned",
        "early",
        "findings_total",
    )
    for (key, number), word in zip(summary.items(), words, strict=True):
        yield "report", key, _value(number), w(word, lang)
    for stage, n in report.cases_by_stage.items():
        yield "cases_by_stage", str(stage), _value(n), label("stage", stage, lang)
    for stage, durations in report.time_in_stage.items():
        name = label("stage", stage, lang)
        yield from _duration_rows("time_in_stage", f"{stage}.", name, durations, lang)
    yield from _duration_rows(
        "episode_length", "", w("episode_length", lang), report.episode_length, lang
    )
    for reason, n in report.terminations_by_reason.items():
        yield (
            "terminations_by_reason",
            str(reason),
            _value(n),
            label("reason", reason, lang),
        )
    for (reason, sub), n in report.terminations_by_sub_reason.items():
        yield (
            "terminations_by_sub_reason",
            f"{reason}.{sub}",
            _value(n),
            f"{label('reason', reason, lang)}: {label('sub_reason', sub, lang)}",
        )
    for stage, n in report.replans.items():
        yield (
            "loops",
            f"replan.{stage}",
            _value(n),
            w("replan", lang, stage=label("stage", stage, lang)),
        )
    for stage, n in report.reassessments.items():
        yield (
            "loops",
            f"reassess.{stage}",
            _value(n),
            w("reassess", lang, stage=label("stage", stage, lang)),
        )
    yield "loops", "resume", _value(report.resumes), w("resume", lang)
    for key in CASEWORK_FIGURES:
        yield (
            "casework",
            key,
            _value(report.casework.get(key, 0)),
            w(f"casework.{key}", lang),
        )
    yield (
        "goal_attainment",
        "episodes",
        _value(report.attainment.episodes),
        w("attainment_episodes", lang),
    )
    yield (
        "goal_attainment",
        "mean_ratio",
        _value(report.attainment.mean_ratio),
        w("attainment_mean", lang),
    )
    gas = report.gas
    gas_rows: tuple[tuple[str, float | None, str], ...] = (
        ("evaluations", gas.evaluations, "gas_evaluations"),
        ("mean_t", gas.mean_t, "gas_mean"),
        ("min_t", gas.min_t, "gas_min"),
        ("max_t", gas.max_t, "gas_max"),
        ("at_or_above_expected", gas.at_or_above_expected, "gas_expected"),
    )
    for key, figure, word in gas_rows:
        yield "gas", key, _value(figure), w(word, lang)
    for role, n in report.activities_by_role.items():
        yield "activities_by_role", str(role), _value(n), label("role", role, lang)
    for model, n in report.activities_by_model.items():
        yield "activities_by_model", str(model), _value(n), label("model", model, lang)
    for rule, n in report.findings_by_rule.items():
        yield "findings_by_rule", str(rule), _value(n), rule_label(rule, lang)
    for finding in report.findings:
        yield (
            "findings",
            f"{finding.case_id}/{finding.seq}/{finding.rule}",
            str(finding.severity),
            f"{rule_label(finding.rule, lang)}: {finding.describe(lang)}",
        )
    policy = report.policy
    for stage, days in policy.max_days.items():
        yield (
            "policy",
            f"max_days.{stage}",
            _value(days),
            w("max_days", lang, stage=label("stage", stage, lang)),
        )
    yield (
        "policy",
        "late_entry_hours",
        _value(policy.late_entry_hours),
        w("late_entry_hours", lang),
    )
    yield "policy", "idle_days", _value(policy.idle_days), w("idle_days", lang)
    yield (
        "policy",
        "disabled",
        " ".join(str(rule) for rule in Rule if rule in policy.disabled),
        w("disabled", lang),
    )
    for rule, severity in policy.severity.items():
        yield (
            "policy",
            f"severity.{rule}",
            str(severity),
            w("severity_of", lang, rule=rule_label(rule, lang)),
        )


def _duration_rows(
    section: str, prefix: str, name: str, durations: Durations, lang: Language
) -> Iterator[tuple[str, str, str, str]]:
    counted = "visits" if prefix else "count"
    yield (
        section,
        f"{prefix}count",
        _value(durations.count),
        f"{name}: {_words(counted, lang)}",
    )
    yield (
        section,
        f"{prefix}median_days",
        _value(durations.median_days),
        f"{name}: {_words('median', lang)}",
    )
    yield (
        section,
        f"{prefix}p90_days",
        _value(durations.p90_days),
        f"{name}: {_words('p90', lang)}",
    )


def render_csv(report: Report, lang: Language = "en") -> str:
    """Return the report as CSV in a tidy long format.

    The columns are ``section,key,value,label``: one row per figure, keyed by
    codes, the value written for machines (``.`` decimals, ISO 8601 times,
    empty for none) and a label for people in ``lang``. A finding's key is
    ``case_id/seq/rule`` and its value its severity.

    Raises:
        InvalidInputError: ``lang`` is not a language of the labels.
    """
    _index(lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("section", "key", "value", "label"))
    writer.writerows(_csv_rows(report, lang))
    return out.getvalue()


_CSS: Final = """
:root { --ink: #1f2933; --muted: #52606d; --line: #cbd2d9; --accent: #2b6cb0;
  --soft: #f0f4f8; --bad: #b42318; --warn: #b54708; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
    "DejaVu Sans", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 32px 28px 48px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 8px; }
h1 { font-size: 28px; margin: 0 0 6px; }
h2 { font-size: 20px; margin: 28px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 8px; color: var(--muted); }
.meta { color: var(--muted); margin: 0 0 14px; }
.meta span + span::before { content: " · "; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px;
  margin: 16px 0; }
.tile { background: var(--soft); border-radius: 6px; padding: 10px 12px; }
.tile b { display: block; font-size: 26px; line-height: 1.2; }
.tile span { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.k { white-space: nowrap; }
figure { margin: 8px 0 16px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
svg.chart { width: 100%; height: auto; max-width: 720px; display: block; }
svg.chart rect { fill: var(--accent); }
svg.chart .label { fill: var(--ink); }
svg.chart .value { fill: var(--muted); }
svg.chart .axis { stroke: var(--line); }
.sev-error { color: var(--bad); font-weight: 600; }
.sev-warning { color: var(--warn); font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
.trail { border-left: 6px solid var(--muted); padding: 4px 14px; margin-top: 12px; }
.trail.sound { border-color: #2f855a; }
.trail.faults { border-color: var(--bad); }
.trail.unverified { border-color: var(--warn); }
.trail h2 { margin-top: 8px; }
.trail p { margin: 4px 0; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media (max-width: 720px) { .tiles { grid-template-columns: repeat(2, 1fr); }
  .cols { grid-template-columns: 1fr; } }
@page { size: A4; margin: 14mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section { break-inside: avoid; }
  #findings { break-inside: auto; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _html_table(table: _Table, lang: Language, *, title: bool = False) -> str:
    parts = [f"<h3>{escape(table.title)}</h3>"] if title else []
    if not table.rows:
        empty = escape(_words("no_data", lang))
        return "".join(parts) + f'<p class="empty">{empty}</p>'

    def cell(tag: str, index: int, text: str) -> str:
        numeric = ' class="n"' if index in table.numeric else ""
        return f"<{tag}{numeric}>{escape(text)}</{tag}>"

    head = "".join(cell("th", i, text) for i, text in enumerate(table.headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, text) for i, text in enumerate(row)) + "</tr>"
        for row in table.rows
    )
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "".join(parts)


def _chart(title: str, bars: Sequence[tuple[str, int]], lang: Language) -> str:
    if not any(value for _, value in bars):
        return f'<p class="empty">{escape(_words("no_data", lang))}</p>'
    return (
        f"<figure>{bar_chart(bars, title=title)}"
        f"<figcaption>{escape(title)}</figcaption></figure>"
    )


def _findings_html(report: Report, table: _Table, lang: Language) -> str:
    if not report.findings:
        return f'<p class="empty">{escape(_words("no_findings", lang))}</p>'
    head = "".join(
        f"<th{_NUMERIC if i == 1 else ''}>{escape(text)}</th>"
        for i, text in enumerate(table.headers)
    )
    rows = []
    for finding, row in zip(report.findings, table.rows, strict=True):
        cells = [
            f'<td class="k">{escape(row[0])}</td>',
            f'<td class="n">{escape(row[1])}</td>',
            f'<td class="k">{escape(row[2])}</td>',
            f"<td>{escape(row[3])}</td>",
            f'<td class="sev-{finding.severity}">{escape(row[4])}</td>',
            f"<td>{escape(row[5])}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _section(key: str, heading: str, *parts: str) -> str:
    return f'<section id="{key}"><h2>{escape(heading)}</h2>{"".join(parts)}</section>'


def _columns(left: str, right: str) -> str:
    return f'<div class="cols"><div>{left}</div><div>{right}</div></div>'


def render_html(report: Report, lang: Language = "en") -> str:
    """Return the report as one self-contained HTML page.

    Styles and bar charts (inline SVG) are part of the page; it loads no
    script, font or image, so it reads the same offline, archived or
    printed.

    Raises:
        InvalidInputError: ``lang`` is not a language of the labels.
    """
    _index(lang)
    tables = {table.key: table for table in _tables(report, lang)}
    w = _words
    title = _title(report, lang)
    meta = [
        f"<span>{escape(w('window', lang))}: {escape(_window(report, lang))}</span>",
        f"<span>{escape(w('as_of', lang))}: {escape(_moment(report.as_of))}</span>",
    ]
    tiles = "".join(
        f'<div class="tile"><b>{escape(value)}</b><span>{escape(name)}</span></div>'
        for name, value in tables["summary"].rows
    )
    stage_bars = [
        (label("stage", s, lang), n) for s, n in report.cases_by_stage.items()
    ]
    reason_bars = [
        (label("reason", r, lang), n)
        for r, n in report.terminations_by_reason.items()
        if n
    ]
    role_bars = [
        (label("role", r, lang), n) for r, n in report.activities_by_role.items() if n
    ]
    state, said = _trail_status(report, lang)
    trail = (
        f'<section id="trail" class="trail {state}"><h2>{escape(w("trail", lang))}</h2>'
        f"<p><b>{escape(said[0].split(': ', 1)[1])}</b></p>"
        + "".join(f"<p>{escape(line.strip())}</p>" for line in said[1:])
        + "</section>"
    )
    sections = [
        trail,
        _section("summary", w("summary", lang), f'<div class="tiles">{tiles}</div>'),
        _section(
            "stages",
            w("cases_by_stage", lang),
            _chart(w("cases_by_stage", lang), stage_bars, lang),
            _html_table(tables["cases_by_stage"], lang),
        ),
        _section(
            "time", w("time_in_stage", lang), _html_table(tables["time_in_stage"], lang)
        ),
        _section(
            "terminations",
            w("terminations", lang),
            _chart(w("by_reason", lang), reason_bars, lang),
            _columns(
                _html_table(tables["terminations_by_reason"], lang, title=True),
                _html_table(tables["terminations_by_sub_reason"], lang, title=True),
            ),
        ),
        _section("loops", w("loops", lang), _html_table(tables["loops"], lang)),
        _section(
            "outcomes", w("outcomes", lang), _html_table(tables["outcomes"], lang)
        ),
        _section(
            "activities",
            w("activities", lang),
            _chart(w("by_role", lang), role_bars, lang),
            _columns(
                _html_table(tables["activities_by_role"], lang, title=True),
                _html_table(tables["activities_by_model"], lang, title=True),
            ),
        ),
        _section(
            "findings",
            w("findings", lang),
            _html_table(tables["findings_by_rule"], lang, title=True),
            _findings_html(report, tables["findings"], lang),
        ),
        _section("policy", w("policy", lang), _html_table(tables["policy"], lang)),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<main>\n<header><h1>{escape(title)}</h1>"
        f'<p class="meta">{"".join(meta)}</p></header>\n'
        + "\n".join(sections)
        + f"\n<footer>{escape(w('generated', lang, version=_version()))}</footer>\n"
        "</main>\n</body>\n</html>\n"
    )
