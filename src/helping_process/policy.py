"""Agency policy checks over a case's audit trail.

The engine enforces the process: what it refuses never reaches the trail.
An agency also has policies the process leaves open (how long a stage may
take, how soon an event must be recorded, when an open case counts as idle)
and auditors want to know whether a trail that came from an import or a
repair still meets the rules the engine would have enforced. A
:class:`Policy` holds the agency's limits, read from a TOML file by
:func:`load_policy`; :func:`check_case` folds one case's decoded events with
:func:`helping_process.engine.apply` and returns a :class:`PolicyFinding`
for every breach, and :func:`check_all` does the same over every case of a
store, one case at a time.

The rules and their stable codes (:class:`Rule`):

- ``contract_expired``: the primary contract's ``valid_until`` passed while
  the case was in intervention;
- ``stage_overdue``: a stage held longer than the policy's maximum days;
- ``planned_termination_without_evaluation``: a planned termination with no
  evaluation in that visit to evaluation (the engine refuses it, so this
  catches imported or tampered data);
- ``late_entry``: an event recorded more than the allowed hours after it
  took place;
- ``coercion_without_justification``: a coercive activity whose
  justification is missing, blank or only ``[redacted]``;
- ``incomplete_termination``: a termination without the sub-reason, the
  referral or the note its reason needs;
- ``idle_case``: an open case with no event for longer than allowed.

Pure: no I/O except the one explicit file read of :func:`load_policy`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from enum import StrEnum
from enum import unique
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import attrs

from helping_process._catalog import M
from helping_process._catalog import Messages
from helping_process.engine import apply
from helping_process.engine import rules_of
from helping_process.exceptions import InvalidInputError
from helping_process.labels import LANGUAGES
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.model import Action
from helping_process.model import Case
from helping_process.model import Event
from helping_process.states import PROCESS
from helping_process.states import REDACTED
from helping_process.states import ActivityRecord
from helping_process.states import InterventionModel
from helping_process.states import ReasonRule
from helping_process.states import Stage

if TYPE_CHECKING:
    from helping_process.definitions import ReasonSpec

__all__ = [
    "DEFAULT_MAX_DAYS",
    "DEFAULT_SEVERITY",
    "EventsByCase",
    "Policy",
    "PolicyFinding",
    "Rule",
    "Severity",
    "check_all",
    "check_case",
    "load_policy",
    "parse_policy",
    "rule_label",
    "severity_label",
]


@unique
class Rule(StrEnum):
    """A policy rule; the value is the stable code findings carry."""

    CONTRACT_EXPIRED = "contract_expired"
    STAGE_OVERDUE = "stage_overdue"
    PLANNED_TERMINATION_WITHOUT_EVALUATION = "planned_termination_without_evaluation"
    LATE_ENTRY = "late_entry"
    COERCION_WITHOUT_JUSTIFICATION = "coercion_without_justification"
    INCOMPLETE_TERMINATION = "incomplete_termination"
    IDLE_CASE = "idle_case"


@unique
class Severity(StrEnum):
    """How serious a finding is: a breach, something to look at, or a note."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: The longest each stage may be held, in days, unless the agency says
#: otherwise (termination ends an episode and has no limit).
DEFAULT_MAX_DAYS: Final[Mapping[Stage, float]] = MappingProxyType(
    {
        Stage.ENGAGEMENT: 14.0,
        Stage.INTAKE: 14.0,
        Stage.CONTRACT: 14.0,
        Stage.ASSESSMENT: 30.0,
        Stage.PLANNING: 30.0,
        Stage.INTERVENTION: 180.0,
        Stage.EVALUATION: 30.0,
    }
)

#: How serious each rule's findings are unless the agency says otherwise.
DEFAULT_SEVERITY: Final[Mapping[Rule, Severity]] = MappingProxyType(
    {
        Rule.CONTRACT_EXPIRED: Severity.ERROR,
        Rule.STAGE_OVERDUE: Severity.WARNING,
        Rule.PLANNED_TERMINATION_WITHOUT_EVALUATION: Severity.ERROR,
        Rule.LATE_ENTRY: Severity.WARNING,
        Rule.COERCION_WITHOUT_JUSTIFICATION: Severity.ERROR,
        Rule.INCOMPLETE_TERMINATION: Severity.ERROR,
        Rule.IDLE_CASE: Severity.WARNING,
    }
)

_DEFAULT_LATE_ENTRY_HOURS: Final = 48.0
_DEFAULT_IDLE_DAYS: Final = 60.0
_SECONDS_PER_DAY: Final = 86_400
_SECONDS_PER_HOUR: Final = 3_600

# Labels: English here, Indonesian in the gettext catalog (helping_process._catalog).
_RULE_LABELS: Final = Messages(
    M("policy.rule.contract_expired", "Contract expired during intervention"),
    M("policy.rule.stage_overdue", "Stage overdue"),
    M(
        "policy.rule.planned_termination_without_evaluation",
        "Planned termination without evaluation",
    ),
    M("policy.rule.late_entry", "Late entry"),
    M("policy.rule.coercion_without_justification", "Coercion without justification"),
    M("policy.rule.incomplete_termination", "Incomplete termination"),
    M("policy.rule.idle_case", "Idle case"),
)

_SEVERITY_LABELS: Final = Messages(
    M("policy.severity.error", "Breach"),
    M("policy.severity.warning", "Warning"),
    M("policy.severity.info", "Notice"),
)

_DETAILS: Final = Messages(
    M(
        "policy.detail.contract_expired",
        "The primary contract ended on {valid_until}; the case was still in "
        "intervention on {on}.",
    ),
    M(
        "policy.detail.stage_overdue",
        "{stage}: {days} days in the stage by {on}, over the limit of {max_days}.",
    ),
    M(
        "policy.detail.planned_termination_without_evaluation",
        "Terminated as '{reason}' from {stage} without {missing}.",
    ),
    M(
        "policy.detail.late_entry",
        "Recorded {hours} hours after it took place (limit {limit}).",
    ),
    M(
        "policy.detail.coercion_without_justification",
        "A coercive activity on {on} has no justification: it is {problem}.",
    ),
    M(
        "policy.detail.incomplete_termination",
        "The termination as '{reason}' lacks {missing}.",
    ),
    M(
        "policy.detail.idle_case",
        "No event for {days} days (limit {max_days}); the last was on {last}.",
    ),
)

_JUSTIFICATION_PROBLEMS: Final = Messages(
    M("policy.justification.missing", "missing"),
    M("policy.justification.blank", "blank"),
    M("policy.justification.redacted", "redacted"),
)

#: Finding parameters that hold numbers, shown with the language's decimal mark.
_NUMBERS: Final = frozenset({"days", "max_days", "hours", "limit"})


def rule_label(rule: Rule | str, lang: Language = "en") -> str:
    """Return the label of a rule code in Indonesian or English.

    Raises:
        InvalidInputError: ``rule`` is not a rule code.
    """
    return _RULE_LABELS[f"policy.rule.{_rule(rule, 'rule')}"][_language(lang)]


def severity_label(severity: Severity | str, lang: Language = "en") -> str:
    """Return the label of a severity in Indonesian or English.

    Raises:
        InvalidInputError: ``severity`` is not a severity code.
    """
    return _SEVERITY_LABELS[f"policy.severity.{_severity(severity, 'severity')}"][
        _language(lang)
    ]


def _language(lang: str) -> int:
    if lang not in LANGUAGES:
        raise InvalidInputError("lang", "unknown_code", lang)
    return LANGUAGES.index(lang)


def _rule(value: object, where: str) -> Rule:
    try:
        return Rule(str(value))
    except ValueError:
        raise InvalidInputError(where, "unknown_code", value) from None


def _severity(value: object, where: str) -> Severity:
    try:
        return Severity(str(value))
    except ValueError:
        raise InvalidInputError(where, "unknown_code", value) from None


def _positive(where: str, value: object) -> float:
    """Return ``value`` as a positive, finite number, or name ``where``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(where, "not_number", value)
    if not math.isfinite(value) or value <= 0:
        raise InvalidInputError(where, "out_of_range", value)
    return float(value)


def _late_entry_hours(value: object) -> float:
    return _positive("records.late_entry_hours", value)


def _idle_days(value: object) -> float:
    return _positive("cases.idle_days", value)


def _max_days(value: object) -> Mapping[Stage, float]:
    """Merge the agency's stage limits over the defaults, checking each."""
    if not isinstance(value, Mapping):
        raise InvalidInputError("stages.max_days", "not_object")
    merged = dict(DEFAULT_MAX_DAYS)
    for key, days in value.items():
        where = f"stages.max_days.{key}"
        try:
            stage = Stage(str(key))
        except ValueError:
            raise InvalidInputError(where, "unknown_field") from None
        if stage not in DEFAULT_MAX_DAYS:
            raise InvalidInputError(where, "unknown_field")
        merged[stage] = _positive(where, days)
    return MappingProxyType(merged)


def _disabled(value: object) -> frozenset[Rule]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError("rules.disabled", "not_list", value)
    return frozenset(
        _rule(item, f"rules.disabled[{index}]") for index, item in enumerate(value)
    )


def _severities(value: object) -> Mapping[Rule, Severity]:
    """Merge the agency's severities over the defaults, checking each."""
    if not isinstance(value, Mapping):
        raise InvalidInputError("rules.severity", "not_object")
    merged = dict(DEFAULT_SEVERITY)
    for key, severity in value.items():
        where = f"rules.severity.{key}"
        try:
            rule = Rule(str(key))
        except ValueError:
            raise InvalidInputError(where, "unknown_field") from None
        merged[rule] = _severity(severity, where)
    return MappingProxyType(merged)


@attrs.frozen(kw_only=True)
class Policy:
    """An agency's policy: the limits its cases are checked against.

    Every field has a default, so ``Policy()`` is a sensible starting point;
    the stage limits and severities given are merged over the defaults.
    Bad values raise :class:`~helping_process.InvalidInputError` naming the
    TOML key they would have in a policy file.

    Attributes:
        max_days: the longest each non-terminal stage may be held, in days.
        late_entry_hours: the longest an event may be recorded after it took
            place, in hours.
        idle_days: the longest an open case may go without an event, in days.
        disabled: the rules this agency does not check.
        severity: how serious each rule's findings are.
    """

    max_days: Mapping[Stage, float] = attrs.field(
        default=DEFAULT_MAX_DAYS, converter=_max_days
    )
    late_entry_hours: float = attrs.field(
        default=_DEFAULT_LATE_ENTRY_HOURS,
        converter=_late_entry_hours,
    )
    idle_days: float = attrs.field(default=_DEFAULT_IDLE_DAYS, converter=_idle_days)
    disabled: frozenset[Rule] = attrs.field(default=frozenset(), converter=_disabled)
    severity: Mapping[Rule, Severity] = attrs.field(
        default=DEFAULT_SEVERITY, converter=_severities
    )

    def is_enabled(self, rule: Rule) -> bool:
        """Whether the agency checks ``rule``."""
        return rule not in self.disabled

    def to_json(self) -> dict[str, Any]:
        """Return the policy as a JSON object, in the TOML file's layout."""
        return {
            "stages": {
                "max_days": {str(s): _plain(d) for s, d in self.max_days.items()}
            },
            "records": {"late_entry_hours": _plain(self.late_entry_hours)},
            "cases": {"idle_days": _plain(self.idle_days)},
            "rules": {
                "disabled": [str(rule) for rule in Rule if rule in self.disabled],
                "severity": {str(r): str(s) for r, s in self.severity.items()},
            },
        }

    def to_toml(self) -> str:
        """Return the policy as a TOML file that :func:`parse_policy` reads back."""
        data = self.to_json()
        disabled = ", ".join(f'"{rule}"' for rule in data["rules"]["disabled"])
        lines = [
            "# helping_process agency policy (docs/policy.md)",
            "",
            "[stages.max_days]",
            *(
                f"{stage} = {days}"
                for stage, days in data["stages"]["max_days"].items()
            ),
            "",
            "[records]",
            f"late_entry_hours = {data['records']['late_entry_hours']}",
            "",
            "[cases]",
            f"idle_days = {data['cases']['idle_days']}",
            "",
            "[rules]",
            f"disabled = [{disabled}]",
            "",
            "[rules.severity]",
            *(f'{rule} = "{sev}"' for rule, sev in data["rules"]["severity"].items()),
        ]
        return "\n".join(lines) + "\n"


def _plain(number: float) -> int | float:
    """Return a whole number as an int, so files and JSON read naturally."""
    return int(number) if number.is_integer() else number


#: The keys a policy file may hold, table by table.
_SCHEMA: Final[Mapping[str, frozenset[str]]] = {
    "stages": frozenset({"max_days"}),
    "records": frozenset({"late_entry_hours"}),
    "cases": frozenset({"idle_days"}),
    "rules": frozenset({"disabled", "severity"}),
}


def _table(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(where, "not_object", value)
    return value


def _only(table: Mapping[str, Any], allowed: Iterable[str], prefix: str) -> None:
    """Refuse a key the policy file does not define, naming it in full."""
    for key in table:
        if key not in allowed:
            raise InvalidInputError(f"{prefix}{key}", "unknown_field")


def parse_policy(text: str) -> Policy:
    """Build a policy from the text of a TOML policy file.

    Missing tables and keys keep their defaults, for example::

        [stages.max_days]
        assessment = 45

        [records]
        late_entry_hours = 72

        [cases]
        idle_days = 90

        [rules]
        disabled = ["idle_case"]

    Raises:
        InvalidInputError: the text is not TOML, or holds an unknown key or a
            bad value; the error's ``field`` names the key.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError("policy", "not_toml", str(error)) from None
    _only(data, _SCHEMA, "")
    options: dict[str, Any] = {}
    for name, keys in _SCHEMA.items():
        table = _table(data.get(name, {}), name)
        _only(table, keys, f"{name}.")
        options.update(table)
    return Policy(**options)


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read an agency's policy from a TOML file.

    Args:
        path: the file (see :func:`parse_policy` for its layout).

    Raises:
        OSError: the file cannot be read.
        InvalidInputError: the file is not UTF-8 TOML, or holds an unknown key
            or a bad value; the error's ``field`` names the key.
    """
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError("policy", "not_utf8") from None
    return parse_policy(text)


def _describe(rule: Rule, params: Mapping[str, str], lang: Language) -> str:
    index = _language(lang)
    words: dict[str, str] = {}
    for key, value in params.items():
        if key in {"stage", "reason"}:
            words[key] = label(key, value, lang)
        elif key == "missing":
            words[key] = "; ".join(
                label("requirement", item, lang) for item in value.split(",")
            )
        elif key == "problem":
            words[key] = _JUSTIFICATION_PROBLEMS[f"policy.justification.{value}"][index]
        elif key in _NUMBERS and lang == "id":
            words[key] = value.replace(".", ",")
        else:
            words[key] = value
    return _DETAILS[f"policy.detail.{rule}"][index].format(**words)


def _params(params: Mapping[str, object]) -> Mapping[str, str]:
    return MappingProxyType({str(key): str(value) for key, value in params.items()})


@attrs.frozen(kw_only=True)
class PolicyFinding:
    """One breach of the agency's policy, found in a case's trail.

    Attributes:
        case_id: the case.
        seq: the event the finding is about; for a condition judged at the
            end (an idle case, a stage still overdue), the case's last event.
        rule: the rule breached.
        detail: what was found, in English (see :meth:`describe`).
        severity: how serious the agency considers it.
        at: when the breach was observed: the event's ``occurred_at``, or the
            moment the case was judged at.
        params: the facts behind the detail, as codes, ISO dates and numbers,
            so it can be told in another language.
    """

    case_id: str
    seq: int
    rule: Rule
    detail: str
    severity: Severity
    at: dt.datetime
    params: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_params
    )

    def describe(self, lang: Language = "en") -> str:
        """Return what was found, in Indonesian or English."""
        return _describe(self.rule, self.params, lang)

    def to_json(self) -> dict[str, Any]:
        """Return the finding as a JSON object (codes, not labels)."""
        return {
            "case_id": self.case_id,
            "seq": self.seq,
            "rule": str(self.rule),
            "severity": str(self.severity),
            "at": self.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "detail": self.detail,
            "params": dict(self.params),
        }


def _number(value: float) -> str:
    """Show a number of days or hours to one decimal, without a trailing .0."""
    return f"{round(value, 1):g}"


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / _SECONDS_PER_DAY


def _justification_problem(record: ActivityRecord) -> str | None:
    text = record.justification
    if not isinstance(text, str):
        return "missing"
    if not text.strip():
        return "blank"
    if not text.replace(REDACTED, "").strip():
        return "redacted"
    return None


class _Checker:
    """Applies the policy's rules to one case, one event at a time.

    Holds only what the rules need to remember about the case (which
    contract expiry was already reported), so checking a store costs memory
    per case, not per event.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.findings: list[PolicyFinding] = []
        self._expiry_reported: tuple[int, dt.date] | None = None

    def _add(
        self,
        rule: Rule,
        case_id: str,
        seq: int,
        at: dt.datetime,
        **params: str,
    ) -> None:
        if not self.policy.is_enabled(rule):
            return
        self.findings.append(
            PolicyFinding(
                case_id=case_id,
                seq=seq,
                rule=rule,
                detail=_describe(rule, params, "en"),
                severity=self.policy.severity[rule],
                at=at,
                params=params,
            )
        )

    def event(self, before: Case | None, event: Event, after: Case) -> None:
        """Check one event, given the case before and after it."""
        self._late_entry(event)
        if before is None:
            return
        if event.action in {Action.MOVE, Action.TERMINATE, Action.REOPEN}:
            self._overdue(before, event.seq, event.occurred_at)
        if isinstance(event.record, ActivityRecord):
            self._coercion(event, event.record)
        if event.action is Action.TERMINATE:
            self._termination(before, event)
        if Stage.INTERVENTION in {before.stage, after.stage}:
            self._expiry(after, event.seq, event.occurred_at)

    def finish(self, case: Case, at: dt.datetime) -> None:
        """Judge the conditions of the case as it stands at ``at``."""
        if case.definition.stage(case.stage).kind == "terminal":
            return
        self._overdue(case, case.seq, at)
        if case.stage is Stage.INTERVENTION:
            self._expiry(case, case.seq, at)
        idle = _days(at - case.last_occurred_at)
        if idle > self.policy.idle_days:
            self._add(
                Rule.IDLE_CASE,
                case.case_id,
                case.seq,
                at,
                days=_number(idle),
                max_days=_number(self.policy.idle_days),
                last=case.last_occurred_at.date().isoformat(),
            )

    def sorted(self) -> list[PolicyFinding]:
        """Return the findings in trail order, rules in their listed order."""
        order = list(Rule)
        return sorted(self.findings, key=lambda f: (f.seq, order.index(f.rule)))

    def _late_entry(self, event: Event) -> None:
        hours = (event.recorded_at - event.occurred_at).total_seconds()
        hours /= _SECONDS_PER_HOUR
        if hours > self.policy.late_entry_hours:
            self._add(
                Rule.LATE_ENTRY,
                event.case_id,
                event.seq,
                event.occurred_at,
                hours=_number(hours),
                limit=_number(self.policy.late_entry_hours),
            )

    def _overdue(self, case: Case, seq: int, at: dt.datetime) -> None:
        """Report the visit to the case's stage if it lasted too long by ``at``."""
        limit = self.policy.max_days.get(case.stage)
        days = _days(at - case.stage_entered_at)
        if limit is not None and days > limit:
            self._add(
                Rule.STAGE_OVERDUE,
                case.case_id,
                seq,
                at,
                stage=str(case.stage),
                days=_number(days),
                max_days=_number(limit),
                on=at.date().isoformat(),
            )

    def _expiry(self, case: Case, seq: int, at: dt.datetime) -> None:
        """Report once per contract that it ran out while in intervention."""
        contract = case.records.primary_contract
        if contract is None or at.date() <= contract.valid_until:
            return
        key = (case.episode, contract.valid_until)
        if self._expiry_reported == key:
            return
        self._expiry_reported = key
        self._add(
            Rule.CONTRACT_EXPIRED,
            case.case_id,
            seq,
            at,
            valid_until=contract.valid_until.isoformat(),
            on=at.date().isoformat(),
        )

    def _coercion(self, event: Event, record: ActivityRecord) -> None:
        if record.model is not InterventionModel.COERCE:
            return
        problem = _justification_problem(record)
        if problem is not None:
            self._add(
                Rule.COERCION_WITHOUT_JUSTIFICATION,
                event.case_id,
                event.seq,
                event.occurred_at,
                on=record.on.isoformat(),
                problem=problem,
            )

    def _termination(self, before: Case, event: Event) -> None:
        if event.reason is None:
            self._add(
                Rule.INCOMPLETE_TERMINATION,
                event.case_id,
                event.seq,
                event.occurred_at,
                reason="",
                missing="termination.reason",
            )
            return
        # A reason of a later definition (client_died) is early, plain.
        rule = PROCESS.reason_rules.get(event.reason) or ReasonRule(
            reason=event.reason, stages=frozenset()
        )
        if rule.planned:
            spec = _reason_spec(before, event.reason)
            if before.stage is Stage.EVALUATION:
                missing = PROCESS.termination_requirements(rule, before.records)
            elif spec is not None and spec.planned:
                # A definition that ends planned work elsewhere (rehsos-pp39:
                # in resocialization) judges the termination by its own checks.
                missing = rules_of(before.definition).termination_requirements(
                    spec, before.records
                )
            else:
                missing = ["evaluation.record"]
            if missing:
                self._add(
                    Rule.PLANNED_TERMINATION_WITHOUT_EVALUATION,
                    event.case_id,
                    event.seq,
                    event.occurred_at,
                    reason=str(event.reason),
                    stage=str(before.stage),
                    missing=",".join(missing),
                )
        sub_reason = event.sub_reason
        if sub_reason is not None and sub_reason not in rule.sub_reasons:
            sub_reason = None
        lacking = PROCESS.termination_command_requirements(
            rule,
            sub_reason=sub_reason,
            referral_to=_text_or_none(event.referral_to),
            note=_text_or_none(event.note),
        )
        if lacking:
            self._add(
                Rule.INCOMPLETE_TERMINATION,
                event.case_id,
                event.seq,
                event.occurred_at,
                reason=str(event.reason),
                missing=",".join(lacking),
            )


def _reason_spec(case: Case, reason: str) -> ReasonSpec | None:
    """The case's definition's termination reason, if it allows it here."""
    for spec in case.definition.termination_reasons:
        if spec.code == reason:
            return (
                spec if spec.allows(case.stage, residential=case.residential) else None
            )
    return None


def _text_or_none(text: str | None) -> str | None:
    return text if text is not None and text.strip() else None


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.utcoffset() is None:
        raise InvalidInputError(name, "not_utc", moment)
    return moment.astimezone(dt.UTC)


def _follows(case: Case, event: Event) -> None:
    """Refuse an event that does not continue the case being folded."""
    if event.case_id != case.case_id:
        raise InvalidInputError("events", "not_grouped", event.case_id)
    if event.seq <= case.seq:
        raise InvalidInputError("events", "not_in_order", f"{case.case_id}#{event.seq}")


#: Every event of a store, either as one stream in which each case's events
#: come together in ``seq`` order (what ``events_of(uow.scan())`` gives), or
#: as a mapping of case id to that case's events in ``seq`` order.
EventsByCase = Iterable[Event] | Mapping[str, Iterable[Event]]


def _by_case(events: EventsByCase) -> Iterator[tuple[str, Iterable[Event]]]:
    """Yield each case's events, refusing a stream that splits a case."""
    if isinstance(events, Mapping):
        yield from events.items()
        return
    seen: set[str] = set()
    for case_id, group in groupby(events, key=attrgetter("case_id")):
        if case_id in seen:
            raise InvalidInputError("events", "not_grouped", case_id)
        seen.add(case_id)
        yield case_id, group


def check_case(
    events: Iterable[Event], policy: Policy, as_of: dt.datetime
) -> list[PolicyFinding]:
    """Check one case's trail against the agency's policy.

    The events are folded with :func:`helping_process.engine.apply` (which
    trusts them: run :func:`helping_process.audit.verify_case` for tamper
    evidence). Events that took place after ``as_of`` are left out, as not
    yet happened; what depends on time passing (an idle case, a stage still
    open, a contract running out in intervention) is judged at ``as_of``.

    Args:
        events: the case's decoded events, in ``seq`` order.
        policy: the agency's policy.
        as_of: the moment to judge at (aware).

    Returns:
        The findings in trail order (empty for a case without events).

    Raises:
        InvalidInputError: ``as_of`` is naive, or the events belong to more
            than one case or are out of order.
    """
    as_of = _aware(as_of, "as_of")
    checker = _Checker(policy)
    case: Case | None = None
    for event in events:
        if event.occurred_at > as_of:
            break
        if case is not None:
            _follows(case, event)
        after = apply(case, event)
        checker.event(case, event, after)
        case = after
    if case is not None:
        checker.finish(case, as_of)
    return checker.sorted()


def check_all(
    events: EventsByCase, policy: Policy, as_of: dt.datetime
) -> list[PolicyFinding]:
    """Check every case of a store against the agency's policy.

    Cases are checked one after another, so memory grows with the number of
    cases and findings, not with the number of events.

    Args:
        events: every event, grouped by case (see :data:`EventsByCase`),
            e.g. ``audit.events_of(uow.scan())``.
        policy: the agency's policy.
        as_of: the moment to judge at (aware).

    Returns:
        The findings, case by case, each case's in trail order.

    Raises:
        InvalidInputError: ``as_of`` is naive, or a case's events are split
            up or out of order.
    """
    findings: list[PolicyFinding] = []
    for _, case_events in _by_case(events):
        findings.extend(check_case(case_events, policy, as_of))
    return findings
