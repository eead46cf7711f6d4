"""Every problem of a record's JSON object, from the definition's field specs.

A record is read by its class, which stops at the first problem it meets.
A worker who typed a contract by hand then learns of one mistake per
attempt. This walk checks the whole object against the field specs of the
record kind (type, codes, range, required, keys, number of items) and
names every problem at once, each with its JSON path and what the field
expects. It accepts exactly what the record classes accept (a single text
counts as a list of one; ``null`` counts as absent), so a record it passes
is then read by its class as before; the rules across fields that a
definition names (``intake.criteria_failed``, ``activity.justification``,
``plan.goal_ids_distinct``) are checked here too.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Final

import attrs

from helping_process import labels
from helping_process.definitions._model import Coded
from helping_process.definitions._model import Definition
from helping_process.definitions._model import FieldSpec
from helping_process.definitions._model import RecordKindSpec
from helping_process.definitions._problems import join
from helping_process.exceptions import RecordProblemsError
from helping_process.exceptions import UnknownDefinitionError
from helping_process.labels import Language
from helping_process.states._fields import MAX_ITEMS
from helping_process.states._fields import check_text

#: The definition whose records the engine reads until cases are pinned to
#: a definition of their own: every stored case follows the first version.
ENGINE_REF: Final = "helping-process@1"


@attrs.frozen
class RecordProblem:
    """One problem of a record, at its JSON path, with what is expected.

    Attributes:
        path: where it is, e.g. ``goals[0].objectives`` (empty for the
            record itself).
        code: what is wrong, a problem code (``missing``, ``not_date``,
            ``unknown_code``, ``out_of_range``, ...).
        params: the facts the message names: ``value`` (the value given),
            ``codes`` (the codes allowed), ``min``, ``max``,
            ``exclusive_min`` (the range), ``min_items``.
    """

    path: str
    code: str
    params: Mapping[str, object] = attrs.field(factory=dict)

    def message(self, lang: Language = "en", codes: Sequence[Coded] = ()) -> str:
        """Return ``'path' what is wrong (value), what is expected``.

        Args:
            lang: the language of the message.
            codes: the allowed codes with their labels, shown with each code
                (the codes of ``params`` alone when empty).
        """
        params = {
            "field": self.path,
            "problem": self.code,
            "value": self.params.get("value"),
        }
        text = labels.render("error.record_field", lang, params)
        expected = _expected(self.params, lang, codes)
        return f"{text}{expected}"

    def to_json(self) -> dict[str, object]:
        """Return the problem as a JSON object (``--json`` error objects)."""
        return {
            "path": self.path,
            "code": self.code,
            "params": {key: _plain(value) for key, value in self.params.items()},
        }


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _expected(  # noqa: PLR0911 - one return per kind of expectation
    params: Mapping[str, object], lang: Language, labelled: Sequence[Coded]
) -> str:
    """Say what the field expects: the codes allowed, the range, the count."""
    codes = params.get("codes")
    if isinstance(codes, tuple):
        by_code = {coded.code: coded.label.in_(lang) for coded in labelled}
        shown = ", ".join(
            f"{code} ({by_code[code]})" if code in by_code else str(code)
            for code in codes
        )
        return labels.render("expect.codes", lang, {"codes": shown})
    low, high = params.get("min"), params.get("max")
    if "exclusive_min" in params:
        bound = _number(params["exclusive_min"])
        return labels.render("expect.above", lang, {"min": bound})
    if low is not None and high is not None:
        return labels.render(
            "expect.range", lang, {"min": _number(low), "max": _number(high)}
        )
    if low is not None:
        return labels.render("expect.at_least", lang, {"min": _number(low)})
    if high is not None:
        return labels.render("expect.at_most", lang, {"max": _number(high)})
    if "min_items" in params:
        count = params["min_items"]
        template = "expect.one_item" if count == 1 else "expect.items"
        return labels.render(template, lang, {"count": count})
    keys = params.get("keys")
    if isinstance(keys, tuple):
        return labels.render("expect.keys", lang, {"keys": ", ".join(keys)})
    return ""


class _Walk:
    """Collects the problems of one record against its definition."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.problems: list[RecordProblem] = []

    def add(self, path: str, code: str, **params: object) -> None:
        self.problems.append(RecordProblem(path, code, params))

    def fields(
        self, specs: Sequence[FieldSpec], data: Mapping[str, object], path: str
    ) -> None:
        """Check an object's fields, then name every field it should not have."""
        known = set()
        for spec in specs:
            known.add(spec.name)
            value = data.get(spec.name)
            where = join(path, spec.name)
            if value is None:
                if spec.required:
                    self.add(where, "missing")
                continue
            self.value(spec, value, where)
        for name in sorted(set(data) - known, key=str):
            self.add(join(path, str(name)), "unknown_field")

    def value(self, spec: FieldSpec, value: object, path: str) -> None:
        """Check one present value against its spec."""
        _CHECKS[spec.type](self, spec, value, path)

    def text(self, spec: FieldSpec, value: object, path: str) -> None:
        problem = check_text(value)
        if problem is not None:
            self.add(path, problem, **({} if problem != "not_text" else _shown(value)))

    def date(self, spec: FieldSpec, value: object, path: str) -> None:
        if not isinstance(value, str):
            self.add(path, "not_date", value=value)
            return
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            self.add(path, "not_date", value=value)

    def boolean(self, spec: FieldSpec, value: object, path: str) -> None:
        if not isinstance(value, bool):
            self.add(path, "not_bool", value=value)

    def integer(self, spec: FieldSpec, value: object, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "not_integer", value=value, **_range(spec))
            return
        self.range(spec, value, path)

    def number(self, spec: FieldSpec, value: object, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, "not_number", value=value, **_range(spec))
            return
        if not math.isfinite(value):
            self.add(path, "out_of_range", value=value, **_range(spec))
            return
        self.range(spec, value, path)

    def range(self, spec: FieldSpec, value: float, path: str) -> None:
        low, high, above = spec.min, spec.max, spec.exclusive_min
        if (
            (low is not None and value < low)
            or (high is not None and value > high)
            or (above is not None and value <= above)
        ):
            self.add(path, "out_of_range", value=value, **_range(spec))

    def code(self, spec: FieldSpec, value: object, path: str) -> None:
        allowed = self.codes(spec)
        if not isinstance(value, str) or value not in allowed:
            self.add(path, "unknown_code", value=value, codes=allowed)

    def codes(self, spec: FieldSpec) -> tuple[str, ...]:
        assert spec.codes is not None  # noqa: S101 - a checked definition names them
        return tuple(coded.code for coded in self.definition.codes(spec.codes))

    def items(self, spec: FieldSpec, value: object, path: str) -> list[object] | None:
        """Return a list field's items, or None after naming why it is none."""
        if isinstance(value, str) and spec.type == "text_list":
            return [value]  # a single text counts as a list of one
        if not isinstance(value, list):
            self.add(path, "not_list", value=value)
            return None
        if len(value) > MAX_ITEMS:
            self.add(path, "too_long", max=MAX_ITEMS)
        if len(value) < spec.min_items:
            self.add(path, "empty", min_items=spec.min_items)
        return value

    def text_list(self, spec: FieldSpec, value: object, path: str) -> None:
        items = self.items(spec, value, path)
        for index, item in enumerate(items or ()):
            self.text(spec, item, join(path, index))

    def code_list(self, spec: FieldSpec, value: object, path: str) -> None:
        items = self.items(spec, value, path)
        for index, item in enumerate(items or ()):
            self.code(spec, item, join(path, index))

    def an_object(self, spec: FieldSpec, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            self.add(path, "not_object", value=value)
            return
        self.fields(spec.fields, value, path)

    def object_list(self, spec: FieldSpec, value: object, path: str) -> None:
        items = self.items(spec, value, path)
        for index, item in enumerate(items or ()):
            self.an_object(spec, item, join(path, index))

    def mapping(self, spec: FieldSpec, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            self.add(path, "not_object", value=value)
            return
        if spec.keys:
            for key in spec.keys:
                if value.get(key) is None:
                    self.add(join(path, key), "missing")
            for key in sorted(set(value) - set(spec.keys), key=str):
                self.add(join(path, str(key)), "unknown_field", keys=spec.keys)
        item = attrs.evolve(spec, type=spec.values or "text", fields=())
        for key, each in value.items():
            if each is not None and (not spec.keys or key in spec.keys):
                self.value(item, each, join(path, str(key)))


def _shown(value: object) -> dict[str, object]:
    return {"value": value}


def _range(spec: FieldSpec) -> dict[str, object]:
    bounds = {"min": spec.min, "max": spec.max, "exclusive_min": spec.exclusive_min}
    return {key: bound for key, bound in bounds.items() if bound is not None}


_Check = Callable[[_Walk, FieldSpec, object, str], None]

#: How a value of each field type is checked.
_CHECKS: Final[Mapping[str, _Check]] = {
    "text": _Walk.text,
    "date": _Walk.date,
    "bool": _Walk.boolean,
    "int": _Walk.integer,
    "number": _Walk.number,
    "code": _Walk.code,
    "text_list": _Walk.text_list,
    "code_list": _Walk.code_list,
    "object": _Walk.an_object,
    "object_list": _Walk.object_list,
    "map": _Walk.mapping,
}


def _criteria_failed(walk: _Walk, data: Mapping[str, object]) -> None:
    eligible, criteria = data.get("eligible"), data.get("criteria_failed")
    if eligible is False and not criteria:
        walk.add("criteria_failed", "missing")
    elif eligible is True and criteria:
        walk.add("criteria_failed", "not_eligible")


def _justification(walk: _Walk, data: Mapping[str, object]) -> None:
    if data.get("model") == "coerce" and data.get("justification") is None:
        walk.add("justification", "missing")


def _goal_ids_distinct(walk: _Walk, data: Mapping[str, object]) -> None:
    goals = data.get("goals")
    if not isinstance(goals, list):
        return
    seen: set[object] = set()
    for index, goal in enumerate(goals):
        goal_id = goal.get("id") if isinstance(goal, Mapping) else None
        if isinstance(goal_id, str) and goal_id in seen:
            walk.add(f"goals[{index}].id", "duplicate", value=goal_id)
        seen.add(goal_id)


#: The record rules a definition may name, checked on the JSON object.
_RULES: Final[Mapping[str, Callable[[_Walk, Mapping[str, object]], None]]] = {
    "intake.criteria_failed": _criteria_failed,
    "activity.justification": _justification,
    "plan.goal_ids_distinct": _goal_ids_distinct,
}


def record_problems(
    definition: Definition, kind: str | RecordKindSpec, data: object
) -> tuple[RecordProblem, ...]:
    """Return every problem of a record's JSON object, in field order.

    Args:
        definition: the process definition the case follows.
        kind: the record kind (its code, or its spec in ``definition``).
        data: the JSON object given for the record.

    Returns:
        Each missing field, wrong type, unknown code, bad date, value out of
        range, unknown field and broken record rule; empty when the object
        is well formed.

    Raises:
        KeyError: the definition has no such record kind.
    """
    spec = definition.record_kind(kind) if isinstance(kind, str) else kind
    walk = _Walk(definition)
    if not isinstance(data, Mapping):
        walk.add("", "not_object")
        return tuple(walk.problems)
    walk.fields(spec.fields, data, "")
    for rule in spec.rules:
        if rule in _RULES:
            _RULES[rule](walk, data)
    return tuple(walk.problems)


def labelled_codes(definition: Definition, kind: str) -> tuple[Coded, ...]:
    """Return the codes, with their labels, that the fields of a record kind draw on.

    A problem names the codes a field allows; with these it shows their
    labels too.
    """
    found: list[Coded] = []

    def visit(specs: Sequence[FieldSpec]) -> None:
        for spec in specs:
            if spec.codes is not None:
                found.extend(definition.codes(spec.codes))
            visit(spec.fields)

    visit(definition.record_kind(kind).fields)
    return tuple(found)


def check_record(kind: str, data: object, definition: Definition | None = None) -> None:
    """Refuse a malformed record's JSON object, naming every problem at once.

    Args:
        kind: the record kind's code.
        data: the JSON object given for the record.
        definition: the process definition the case follows; when None,
            :data:`ENGINE_REF`, the rules the record classes read today.

    Raises:
        RecordProblemsError: the object has one problem or more.
    """
    from helping_process.definitions._load import builtin  # noqa: PLC0415 - on first use

    definition = definition or builtin(ENGINE_REF)
    spec = {each.code: each for each in definition.record_kinds}.get(str(kind))
    if spec is None:
        return  # not a kind of this definition: the record reader says so
    problems = record_problems(definition, spec, data)
    if problems:
        raise RecordProblemsError(
            spec.code, problems, labelled_codes(definition, spec.code)
        )


def reshaped_kinds(definition: Definition) -> frozenset[str]:
    """Return the record kinds whose checks differ from every built-in's.

    The record classes read the fields of the built-in definitions (a field
    a definition lacks is refused as unknown), so a kind shaped as in some
    built-in needs nothing more. A kind an agency reshaped (a code left out
    of a list, a field made required, a range narrowed) must be checked
    against its own definition as well, when recorded and when replayed.
    """
    from helping_process.definitions._load import builtin  # noqa: PLC0415 - on first use

    try:
        if builtin(definition.ref).digest == definition.digest:
            return frozenset()  # without loading the other built-ins
    except UnknownDefinitionError:
        pass
    known = _builtin_shapes()
    return frozenset(
        spec.code
        for spec in definition.record_kinds
        if (spec.code, _shape(definition, spec)) not in known
    )


@functools.cache
def _builtin_shapes() -> frozenset[tuple[str, tuple[object, ...]]]:
    from helping_process.definitions._load import builtins  # noqa: PLC0415 - on first use

    return frozenset(
        (spec.code, _shape(definition, spec))
        for definition in builtins()
        for spec in definition.record_kinds
    )


def _shape(definition: Definition, spec: RecordKindSpec) -> tuple[object, ...]:
    """What a kind's checks depend on: its fields and rules, without labels."""
    return (spec.rules, tuple(_field_shape(definition, field) for field in spec.fields))


def _field_shape(definition: Definition, spec: FieldSpec) -> tuple[object, ...]:
    codes = (
        None
        if spec.codes is None
        else frozenset(each.code for each in definition.codes(spec.codes))
    )
    return (
        spec.name,
        spec.type,
        spec.required,
        codes,
        spec.min,
        spec.max,
        spec.exclusive_min,
        spec.min_items,
        spec.keys,
        spec.values,
        tuple(_field_shape(definition, field) for field in spec.fields),
    )
