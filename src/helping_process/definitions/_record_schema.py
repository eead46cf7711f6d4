"""JSON Schemas (draft 2020-12) of record kinds, from the definition's fields.

A record kind is declared once, in its process definition; its schema is
derived from those field specs: types, the codes of a code list as an
``enum``, ranges, required fields, and titles and descriptions in the
language asked for. Agency software validates a record with it before
sending one (the engine still checks every rule), and form builders lay
out fields from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Final

from helping_process.definitions._model import Definition
from helping_process.definitions._model import FieldSpec
from helping_process.labels import Language

#: The JSON Schema dialect of every generated schema.
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
#: Longest free text and most list items a record accepts (the readers' limits).
MAX_TEXT: Final = 10_000
MAX_ITEMS: Final = 200

_TEXT: Final[dict[str, Any]] = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_TEXT,
    "pattern": r"\S",
}


def record_schema(
    definition: Definition, kind: str, lang: Language = "en"
) -> dict[str, Any]:
    """Return the JSON Schema of a record kind's ``data`` object.

    Args:
        definition: the process definition that declares the kind.
        kind: the record kind's code.
        lang: the language of titles and descriptions.

    Returns:
        A draft 2020-12 object schema with ``properties`` and ``required``.

    Raises:
        KeyError: the definition has no such record kind.
    """
    spec = definition.record_kind(kind)
    schema = {
        "$schema": DIALECT,
        "$id": f"urn:helping-process:record:{definition.ref}:{kind}",
        "title": spec.label.in_(lang),
        **_object(definition, spec.fields, lang),
    }
    if spec.help is not None:
        schema["description"] = spec.help.in_(lang)
    return schema


def record_template(definition: Definition, kind: str) -> dict[str, Any]:
    """Return a fill-in JSON document of a record kind with every field.

    Texts are empty, dates are ``YYYY-MM-DD``, codes are the first code of
    their list, numbers and booleans are zero and false, lists hold one
    item, so every nested field is shown once.
    """
    return _template_object(definition, definition.record_kind(kind).fields)


def _object(
    definition: Definition, fields: Sequence[FieldSpec], lang: Language
) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {field.name: _field(definition, field, lang) for field in fields},
        "required": [field.name for field in fields if field.required],
        "additionalProperties": False,
    }


def _field(definition: Definition, field: FieldSpec, lang: Language) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": field.label.in_(lang)}
    if field.help is not None:
        schema["description"] = field.help.in_(lang)
    schema.update(_type(definition, field, lang))
    return schema


def _type(  # noqa: PLR0911 - one return per field type
    definition: Definition, field: FieldSpec, lang: Language
) -> dict[str, Any]:
    match field.type:
        case "text":
            return dict(_TEXT)
        case "date":
            return {"type": "string", "format": "date"}
        case "bool":
            return {"type": "boolean"}
        case "int" | "number":
            return _number(field)
        case "code":
            return _code(definition, field)
        case "text_list":
            return _list(field, dict(_TEXT))
        case "code_list":
            return {**_list(field, _code(definition, field)), "uniqueItems": True}
        case "object":
            return _object(definition, field.fields, lang)
        case "object_list":
            return _list(field, _object(definition, field.fields, lang))
        case _:  # map
            return _map(field)


def _map(field: FieldSpec) -> dict[str, Any]:
    """A map: exactly its keys when the definition names them, else any key."""
    values = dict(_TEXT)
    if field.values == "int":
        values = {**_number(field), "type": "integer"}
    if not field.keys:
        return {"type": "object", "additionalProperties": values}
    return {
        "type": "object",
        "properties": dict.fromkeys(field.keys, values),
        "required": list(field.keys),
        "additionalProperties": False,
    }


def _number(field: FieldSpec) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer" if field.type == "int" else "number"}
    for name, value in (
        ("minimum", field.min),
        ("maximum", field.max),
        ("exclusiveMinimum", field.exclusive_min),
    ):
        if value is not None:
            schema[name] = value
    return schema


def _code(definition: Definition, field: FieldSpec) -> dict[str, Any]:
    assert field.codes is not None  # noqa: S101 - the definition's checks ensure it
    return {
        "type": "string",
        "enum": [coded.code for coded in definition.codes(field.codes)],
    }


def _list(field: FieldSpec, items: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": items,
        "minItems": field.min_items,
        "maxItems": MAX_ITEMS,
    }


def _template_object(
    definition: Definition, fields: Sequence[FieldSpec]
) -> dict[str, Any]:
    return {field.name: _template(definition, field) for field in fields}


def _template(definition: Definition, field: FieldSpec) -> Any:  # noqa: PLR0911 - one return per field type
    match field.type:
        case "text":
            return ""
        case "date":
            return "YYYY-MM-DD"
        case "bool":
            return False
        case "int" | "number":
            if field.min is not None:
                return field.min
            return 0 if field.exclusive_min is None else field.exclusive_min + 1
        case "code":
            assert field.codes is not None  # noqa: S101 - checked definitions
            return definition.codes(field.codes)[0].code
        case "text_list":
            return [""]
        case "code_list":
            assert field.codes is not None  # noqa: S101 - checked definitions
            return [definition.codes(field.codes)[0].code]
        case "object":
            return _template_object(definition, field.fields)
        case "object_list":
            return [_template_object(definition, field.fields)]
        case _:  # map
            empty: object = 0 if field.values == "int" else ""
            return dict.fromkeys(field.keys, empty)
