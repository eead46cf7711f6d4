"""Reading, validating, serialising and redacting record fields.

Two layers keep bad input out. :class:`Reader` turns one JSON object into
typed values (dates, codes, tuples) and names the JSON path of any problem;
the attrs validators here check values however a record is built, so a
record constructed in Python obeys the same rules as one read from JSON.
Free-text fields carry :data:`PERSONAL` metadata: :func:`redact` replaces
their text and keeps the structure, so rules still apply after a lawful
redaction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from collections.abc import Mapping
from enum import Enum
from operator import attrgetter
from typing import Any
from typing import Final
from typing import TypeVar

import attrs

from helping_process.exceptions import RecordInvalidError

#: Longest free text accepted in one field, in characters.
MAX_TEXT: Final = 10_000
#: Most items accepted in one list.
MAX_ITEMS: Final = 200
#: What replaces personal text after redaction.
REDACTED: Final = "[redacted]"
#: Field metadata marking personal data (free text, names).
PERSONAL: Final[Mapping[str, object]] = {"personal": True}

JSON = Any
E = TypeVar("E", bound=Enum)
T = TypeVar("T")
A = TypeVar("A", bound=attrs.AttrsInstance)


def kind_of(instance: object) -> str:
    """Return the record kind a (possibly nested) record value belongs to."""
    return str(getattr(type(instance), "kind", type(instance).__name__))


def _fail(instance: object, name: str, problem: str, value: object = None) -> None:
    raise RecordInvalidError(kind_of(instance), name, problem, value)


def check_text(value: object) -> str | None:
    """Return the problem code of a free-text value, or None when it is fine."""
    if not isinstance(value, str):
        return "not_text"
    if not value or value.isspace():  # what strip() removes, without a copy
        return "blank"
    if len(value) > MAX_TEXT:
        return "too_long"
    if "\x00" in value:
        return "nul_character"
    if not value.isascii():  # ASCII, the common case, has nothing to encode
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "not_utf8"
    return None


def text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate non-blank free text of bounded length."""
    problem = check_text(value)
    if problem is not None:
        _fail(instance, attribute.name, problem)


def optional_text(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate free text that may be absent (None)."""
    if value is not None:
        text(instance, attribute, value)


def texts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a tuple of non-blank free texts (it may be empty)."""
    if not isinstance(value, tuple):
        _fail(instance, attribute.name, "not_list")
        return
    if len(value) > MAX_ITEMS:
        _fail(instance, attribute.name, "too_long")
    for index, item in enumerate(value):
        problem = check_text(item)
        if problem is not None:
            _fail(instance, f"{attribute.name}[{index}]", problem)


def optional_texts(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate a tuple of non-blank free texts that may be absent (None)."""
    if value is not None:
        texts(instance, attribute, value)


def code_list(
    allowed: frozenset[str],
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """Return a validator of an optional tuple of distinct codes of ``allowed``."""

    def validate(
        instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if value is None:
            return
        ids(instance, attribute, value)
        assert isinstance(value, tuple)  # noqa: S101 - ids() has just checked it
        for index, item in enumerate(value):
            if item not in allowed:
                _fail(instance, f"{attribute.name}[{index}]", "unknown_code", item)

    return validate


def ids(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a tuple of distinct identifiers."""
    texts(instance, attribute, value)
    assert isinstance(value, tuple)  # noqa: S101 - texts() has just checked it
    if len(set(value)) != len(value):
        _fail(instance, attribute.name, "duplicate")


def boolean(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a real bool (not 0, 1 or a string)."""
    if not isinstance(value, bool):
        _fail(instance, attribute.name, "not_bool", value)


def date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a calendar date (not a datetime)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        _fail(instance, attribute.name, "not_date", value)


def member(
    enum: type[E],
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """Return a validator accepting only members of ``enum``."""

    def validate(
        instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if not isinstance(value, enum):
            _fail(instance, attribute.name, "unknown_code", value)

    return validate


def each(
    cls: type[T],
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """Return a validator accepting a tuple of ``cls`` instances."""

    def validate(
        instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if not isinstance(value, tuple):
            _fail(instance, attribute.name, "not_list")
            return
        if len(value) > MAX_ITEMS:
            _fail(instance, attribute.name, "too_long")
        for index, item in enumerate(value):
            if not isinstance(item, cls):
                _fail(instance, f"{attribute.name}[{index}]", "not_object")

    return validate


class Reader:
    """Reads one JSON object into typed values, naming the path of any problem.

    Unknown fields are refused by :meth:`finish`, so a misspelt field name
    is reported instead of silently ignored.
    """

    def __init__(self, kind: str, data: object, path: str = "") -> None:
        self.kind = kind
        self.path = path
        if not isinstance(data, Mapping):
            raise RecordInvalidError(kind, path, "not_object")
        self._data: Mapping[str, JSON] = data
        self._read: set[str] = set()

    def _where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def _fail(
        self, name: str, problem: str, value: object = None
    ) -> RecordInvalidError:
        return RecordInvalidError(self.kind, self._where(name), problem, value)

    def raw(self, name: str, *, required: bool = True) -> JSON:
        """Return a field's JSON value; None when absent and not required."""
        self._read.add(name)
        value = self._data.get(name)
        if value is None and required:
            raise self._fail(name, "missing")
        return value

    def text(self, name: str) -> str:
        """Read a required text field."""
        value = self.raw(name)
        if not isinstance(value, str):
            raise self._fail(name, "not_text", value)
        return value

    def optional_text(self, name: str) -> str | None:
        """Read a text field that may be absent."""
        value = self.raw(name, required=False)
        if value is not None and not isinstance(value, str):
            raise self._fail(name, "not_text", value)
        return value

    def texts(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        """Read a list of texts; a single text counts as a list of one."""
        value = self.raw(name, required=required)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            raise self._fail(name, "not_list", value)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self._fail(f"{name}[{index}]", "not_text", item)
        return tuple(value)

    def optional_texts(self, name: str) -> tuple[str, ...] | None:
        """Read a list of texts that may be absent (None)."""
        if self._data.get(name) is None:
            self._read.add(name)
            return None
        return self.texts(name)

    def boolean(self, name: str) -> bool:
        """Read a required true/false field."""
        value = self.raw(name)
        if not isinstance(value, bool):
            raise self._fail(name, "not_bool", value)
        return value

    def date(self, name: str) -> dt.date:
        """Read a required ISO 8601 date (``YYYY-MM-DD``)."""
        value = self.raw(name)
        if not isinstance(value, str):
            raise self._fail(name, "not_date", value)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self._fail(name, "not_date", value) from None

    def code(self, name: str, enum: type[E]) -> E:
        """Read a required code of ``enum``."""
        value = self.raw(name)
        try:
            # The value map, not the enum's call: a fifth of the cost, and
            # replay reads every stored record's codes.
            return enum._value2member_map_[value]  # type: ignore[return-value] # holds only members
        except (KeyError, TypeError):
            raise self._fail(name, "unknown_code", value) from None

    def integer(self, name: str, *, least: int) -> int:
        """Read a required whole number of at least ``least``."""
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(name, "not_integer", value)
        if value < least:
            raise self._fail(name, "out_of_range", value)
        return value

    def number(self, name: str, default: float) -> float:
        """Read an optional finite number."""
        value = self.raw(name, required=False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(name, "not_number", value)
        if not math.isfinite(value):
            raise self._fail(name, "out_of_range", value)
        return float(value)

    def objects(
        self, name: str, build: Callable[[Reader], T], *, required: bool = True
    ) -> tuple[T, ...]:
        """Read a list of JSON objects, building each with ``build``."""
        value = self.raw(name, required=required)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self._fail(name, "not_list", value)
        return tuple(
            self.nested(f"{name}[{index}]", item, build)
            for index, item in enumerate(value)
        )

    def nested(self, name: str, data: JSON, build: Callable[[Reader], T]) -> T:
        """Build a value from a nested JSON object, naming paths inside it."""
        path = self._where(name)
        try:
            return build(Reader(self.kind, data, path))
        except RecordInvalidError as error:
            if error.field.startswith(path):
                raise
            raise error.within(path) from None

    def mapping(self, name: str) -> Mapping[str, JSON]:
        """Read an optional JSON object field (empty when absent)."""
        value = self.raw(name, required=False)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self._fail(name, "not_object", value)
        return value

    def finish(self) -> None:
        """Refuse any field this reader was not asked for."""
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            raise self._fail(unknown[0], "unknown_field")


def to_json(value: object) -> JSON:
    """Return the JSON form of a record value (None fields left out)."""
    return split_json(value)[1]


def split_json(value: object) -> tuple[JSON, JSON]:
    """Return the JSON form of a record value twice: redacted, and in full.

    One pass gives both, because sealing an event needs the redacted form
    for the chain and the full form for the personal data kept apart.
    """
    return _split(value, False)


#: How to split a value of each type; filled on first sight of the type.
_SPLITTERS: dict[type, Callable[[Any, bool], tuple[JSON, JSON]]] = {}


def _split(value: object, personal: bool) -> tuple[JSON, JSON]:
    """Split by the value's exact type: sealing does this for every event."""
    kind = type(value)
    splitter = _SPLITTERS.get(kind) or _learn(kind)
    return splitter(value, personal)


def _learn(kind: type) -> Callable[[Any, bool], tuple[JSON, JSON]]:
    """Find how to split values of a type first seen, and keep it."""
    splitter = _SPLITTERS[kind] = _splitter(kind)
    return splitter


def _splitter(kind: type) -> Callable[[Any, bool], tuple[JSON, JSON]]:  # noqa: PLR0911 - one return per JSON type
    """Return the function that splits values of ``kind``."""
    if issubclass(kind, Enum):
        return _code_splitter
    if issubclass(kind, str):
        return lambda value, personal: (REDACTED if personal else value, value)
    if issubclass(kind, bool | int | float) or kind is type(None):
        return lambda value, personal: (value, value)
    if attrs.has(kind):
        return _fields_splitter(kind)
    if issubclass(kind, dt.date):
        return _date_splitter
    if issubclass(kind, tuple | list):
        return _items_splitter
    if issubclass(kind, Mapping):
        return _mapping_splitter
    return lambda value, personal: (value, value)


def _code_splitter(value: Enum, personal: bool) -> tuple[JSON, JSON]:
    # A code is never personal; attrs values split theirs without this call.
    return value._value_, value._value_


def _date_splitter(value: dt.date, personal: bool) -> tuple[JSON, JSON]:
    # A named function: isoformat once, not once per form.
    text = value.isoformat()
    return text, text


def _fields_splitter(kind: type) -> Callable[[Any, bool], tuple[JSON, JSON]]:
    """Split an attrs value field by field (None fields left out)."""
    fields = attrs.fields(kind)
    plan = tuple(
        (field.metadata.get("json", field.name), "personal" in field.metadata)
        for field in fields
    )
    values = attrgetter(*(field.name for field in fields))
    splitters = _SPLITTERS

    def split(value: object, personal: bool) -> tuple[JSON, JSON]:
        public: dict[str, JSON] = {}
        full: dict[str, JSON] = {}
        for (key, is_personal), item in zip(plan, values(value), strict=True):
            if item is None:
                continue
            kind = type(item)
            if kind is str:  # the commonest field, split here
                public[key] = REDACTED if personal or is_personal else item
                full[key] = item
            else:
                splitter = splitters.get(kind) or _learn(kind)
                if splitter is _code_splitter:  # the next commonest: a code
                    public[key] = full[key] = item._value_
                else:
                    public[key], full[key] = splitter(item, personal or is_personal)
        return public, full

    return split


#: The item types of a list that splits without a call per item.
_TEXTS: Final = frozenset({str})


def _items_splitter(
    value: tuple[Any, ...] | list[Any], personal: bool
) -> tuple[JSON, JSON]:
    if set(map(type, value)) <= _TEXTS:  # ids, lists of texts (no generator)
        return [REDACTED] * len(value) if personal else list(value), list(value)
    public: list[JSON] = []
    full: list[JSON] = []
    for item in value:
        redacted, whole = _split(item, personal)
        public.append(redacted)
        full.append(whole)
    return public, full


def _mapping_splitter(value: Mapping[Any, Any], personal: bool) -> tuple[JSON, JSON]:
    public: dict[str, JSON] = {}
    full: dict[str, JSON] = {}
    for key, item in value.items():
        public[str(key)], full[str(key)] = _split(item, personal)
    return public, full


#: Per attrs class: its field names, and whether a copy may skip __init__.
_FIELDS: dict[type, tuple[frozenset[str], bool]] = {}


def evolve(instance: A, changes: Mapping[str, Any]) -> A:
    """Return a copy of the attrs value ``instance`` with ``changes`` made.

    What :func:`attrs.evolve` does, with the class inspected once rather
    than on every call: folding a trail evolves the case and its records
    for every event, and :func:`attrs.evolve` is most of that cost. A
    class without slots that checks nothing when created (no validator,
    converter or post-init hook), as the case and its records in force,
    is copied as its ``__dict__``, three times faster than through its
    ``__init__``; any other is made again through ``__init__``. The
    changes come as a mapping, not as keywords, which would pack them into
    a new dict on the way in and unpack them again on the way out. Fields
    must be initialised under their own names (no private aliases).

    Raises:
        TypeError: a change names no field of the class.
    """
    kind = type(instance)
    names, plain = _FIELDS.get(kind) or _learn_fields(kind)
    if plain:
        copied = object.__new__(kind)
        fields = copied.__dict__
        fields.update(instance.__dict__)
        fields.update(changes)
        if len(fields) == len(names):  # a name that is no field adds a key
            return copied
    if not changes.keys() <= names:
        raise TypeError(sorted(changes.keys() - names))
    given = {name: getattr(instance, name) for name in names}
    given.update(changes)
    return kind(**given)


def _learn_fields(kind: type) -> tuple[frozenset[str], bool]:
    """Inspect an attrs class for :func:`evolve`, once."""
    fields = attrs.fields(kind)
    plain = not (
        "__slots__" in vars(kind)
        or hasattr(kind, "__attrs_post_init__")
        or any(field.validator or field.converter for field in fields)
    )
    plan = _FIELDS[kind] = (frozenset(field.name for field in fields), plain)
    return plan


def redact(value: T) -> T:
    """Return ``value`` with every personal text replaced by :data:`REDACTED`.

    Structure survives: list lengths, ids, codes, dates and flags stay, so
    the process rules read a redacted record exactly as the original.
    """
    return _redact(value, personal=False)  # type: ignore[no-any-return] # same shape in, same shape out


def _redact(value: Any, *, personal: bool) -> Any:
    if attrs.has(type(value)):
        changes = {
            field.name: _redact(
                getattr(value, field.name),
                personal=personal or bool(field.metadata.get("personal")),
            )
            for field in attrs.fields(type(value))
        }
        return attrs.evolve(value, **changes)
    if isinstance(value, str) and personal:
        return REDACTED
    if isinstance(value, tuple):
        return tuple(_redact(item, personal=personal) for item in value)
    if isinstance(value, Mapping):
        return {key: _redact(item, personal=personal) for key, item in value.items()}
    return value
