"""Check a parsed definition against the format's JSON Schema.

The published schema (``definition.schema.json``) is the one source of the
format's shape: this module reads it and checks a document with the small
part of JSON Schema draft 2020-12 the schema uses (``type``, ``properties``,
``required``, ``additionalProperties: false``, ``items``, ``enum``,
``pattern``, ``minimum``, ``minItems``, ``$ref`` into ``$defs``), so the
schema and the loader cannot disagree, and no validator library is needed.
Every problem is collected with its path; nothing stops at the first.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any
from typing import Final

from helping_process.definitions._problems import DefinitionProblem
from helping_process.definitions._problems import join

#: The file name of the format's JSON Schema, shipped in this package.
SCHEMA_FILE: Final = "definition.schema.json"
_TEXT_REF: Final = "#/$defs/text"
_LANGUAGE_NAMES: Final = {"id": "Indonesian", "en": "English"}
_BLANK: Final = "\\S"


@functools.cache
def schema() -> Mapping[str, Any]:
    """Return the format's JSON Schema (read once)."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8")
    loaded: Mapping[str, Any] = json.loads(text)
    return loaded


def schema_text() -> str:
    """Return the JSON Schema file as shipped."""
    return resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8")


def check(document: object) -> list[DefinitionProblem]:
    """Return every way ``document`` breaks the schema, each with its path."""
    problems: list[DefinitionProblem] = []
    _check(document, schema(), "", problems, ref="")
    return problems


def _resolve(node: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    ref = node.get("$ref")
    if ref is None:
        return node, ""
    resolved: Mapping[str, Any] = schema()["$defs"][ref.rsplit("/", 1)[1]]
    return resolved, str(ref)


_JSON_TYPES: Final = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (Mapping, "object"),
)


def _type_of(value: object) -> str:
    for python, name in _JSON_TYPES:
        if isinstance(value, python):
            return name
    return type(value).__name__


def _is_type(value: object, expected: str) -> bool:
    actual = _type_of(value)
    return actual == expected or (expected == "number" and actual == "integer")


def _check(  # noqa: PLR0912 - one branch per keyword of the schema
    value: object,
    node: Mapping[str, Any],
    path: str,
    problems: list[DefinitionProblem],
    *,
    ref: str,
) -> None:
    node, own_ref = _resolve(node)
    ref = own_ref or ref
    expected = node.get("type")
    if expected is not None and not _is_type(value, expected):
        problems.append(
            DefinitionProblem(
                path, "wrong_type", {"expected": expected, "actual": _type_of(value)}
            )
        )
        return
    if "enum" in node and value not in node["enum"]:
        allowed = ", ".join(json.dumps(item) for item in node["enum"])
        problems.append(
            DefinitionProblem(
                path, "not_allowed", {"given": json.dumps(value), "allowed": allowed}
            )
        )
        return
    if isinstance(value, str) and "pattern" in node:
        if node["pattern"] == _BLANK:
            if not re.search(_BLANK, value):
                problems.append(DefinitionProblem(path, "blank"))
        elif not re.search(node["pattern"], value):
            problems.append(DefinitionProblem(path, "bad_format", {"given": value}))
    if isinstance(value, int | float) and "minimum" in node and value < node["minimum"]:
        problems.append(
            DefinitionProblem(path, "too_small", {"minimum": node["minimum"]})
        )
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            problems.append(
                DefinitionProblem(path, "too_few", {"count": node["minItems"]})
            )
        items = node.get("items")
        if items is not None:
            for index, item in enumerate(value):
                _check(item, items, join(path, index), problems, ref="")
    if isinstance(value, Mapping):
        properties: Mapping[str, Any] = node.get("properties", {})
        for key in node.get("required", ()):
            if key not in value:
                if ref == _TEXT_REF:
                    problems.append(
                        DefinitionProblem(
                            join(path, key),
                            "missing_language",
                            {"language": _LANGUAGE_NAMES[key]},
                        )
                    )
                else:
                    problems.append(DefinitionProblem(join(path, key), "missing_key"))
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], join(path, key), problems, ref="")
            elif node.get("additionalProperties") is False:
                problems.append(DefinitionProblem(join(path, str(key)), "unknown_key"))
