"""Load a process definition: parse, check everything, build, cache.

A definition is a TOML file, read with the standard library. Loading checks
it against the format's JSON Schema, then checks what the schema cannot say
(codes that must exist, duplicates, a stage graph that strands no case), and
refuses a broken definition with every problem at once, each at its path in
the file. A sound one is built once and cached by its digest.

The digest is the SHA-256 of the definition's canonical form: the parsed
document as JSON with sorted keys, no insignificant whitespace and UTF-8
text (``json.dumps(doc, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)``). Comments, key order, layout and TOML's choice of
table syntax do not change it; any change to what the definition says does.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tomllib
from collections import deque
from collections.abc import Iterator
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from typing import Final

from helping_process.definitions import _schema
from helping_process.definitions._model import ACTIVE
from helping_process.definitions._model import TERMINAL
from helping_process.definitions._model import TERMINATIONS
from helping_process.definitions._model import Definition
from helping_process.definitions._model import build
from helping_process.definitions._problems import DefinitionProblem
from helping_process.definitions._problems import join
from helping_process.exceptions import DefinitionError
from helping_process.exceptions import UnknownDefinitionError

#: The definition new cases follow unless the agency chooses another.
DEFAULT_REF: Final = "helping-process@2"

#: The built-in definitions, by reference, and the file each is shipped in.
BUILTIN_FILES: Final[Mapping[str, str]] = {
    "helping-process@1": "helping-process.1.toml",
    "helping-process@2": "helping-process.2.toml",
    "rehsos-pp39@1": "rehsos-pp39.1.toml",
}

_CACHE: dict[str, Definition] = {}
_FIELD_NEEDS: Final[Mapping[str, str]] = {
    "code": "codes",
    "code_list": "codes",
    "object": "fields",
    "object_list": "fields",
    "map": "values",
}
_ROLE_LISTS: Final = ("worker_roles", "intervention_models")
#: The keys a definition that extends a built-in may set.
_EXTENDING_KEYS: Final = frozenset(
    {"format", "extends", "name", "version", "label", "description", "gates"}
)


def canonical_bytes(document: Mapping[str, Any]) -> bytes:
    """Return the canonical form of a parsed definition (what its digest hashes)."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def digest_of(document: Mapping[str, Any]) -> str:
    """Return the SHA-256 (hex) of a parsed definition's canonical form."""
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


def load_definition(
    source: str | os.PathLike[str], *, name: str | None = None
) -> Definition:
    """Load and check a process definition.

    Args:
        source: the TOML text itself (a ``str``), or the path of a file
            (a :class:`pathlib.Path` or other path-like).
        name: what to call the source in messages (default: the file's path,
            or ``<text>``).

    Returns:
        The definition; the same object again for the same digest.

    Raises:
        DefinitionError: the definition is broken; ``problems`` holds every
            problem, each with its path in the file.
    """
    if isinstance(source, str):
        known = _BY_TEXT.get(source)
        if known is not None:
            return known
        text, shown = source, name or "<text>"
    else:
        shown = name or os.fspath(source)
        try:
            text = Path(source).read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise DefinitionError(shown, [DefinitionProblem("", "not_utf8")]) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError(
            shown, [DefinitionProblem("", "not_toml", {"detail": str(error)})]
        ) from None
    problems: list[DefinitionProblem] = []
    offset = 0
    if "extends" in document:
        document, problems, offset = _extend(document)
        if problems:
            raise DefinitionError(shown, _by_path(problems))
    digest = digest_of(document)
    definition = _CACHE.get(digest)
    if definition is None:
        problems = _by_path(
            _own_gates(_schema.check(document) + check_document(document), offset)
        )
        if problems:
            raise DefinitionError(shown, problems)
        definition = _CACHE.setdefault(
            digest, build(document, digest=digest, text=text)
        )
    if isinstance(source, str):
        if len(_BY_TEXT) >= _TEXTS_KEPT:
            _BY_TEXT.clear()
        _BY_TEXT[source] = definition
    return definition


#: The definitions loaded from text, by the text: a verification loads every
#: stored definition, and parsing its TOML again was most of what that cost.
_BY_TEXT: dict[str, Definition] = {}
#: How many texts :data:`_BY_TEXT` keeps before it starts again.
_TEXTS_KEPT: Final = 64


def _extend(
    document: dict[str, Any],
) -> tuple[dict[str, Any], list[DefinitionProblem], int]:
    """Merge a definition that extends a built-in into the whole definition.

    The file sets only name, version, label, description and gates; the
    result is the built-in with those set and its gates followed by the
    file's. Returns the merged document, the problems of the extending
    file itself, and how many gates the built-in has (to give the file's
    own gates their paths in the file).
    """
    problems = [
        DefinitionProblem(str(key), "not_extendable")
        for key in document
        if key not in _EXTENDING_KEYS
    ]
    ref = document["extends"]
    if not isinstance(ref, str) or ref not in BUILTIN_FILES:
        problems.append(
            DefinitionProblem(
                "extends",
                "unknown_base",
                {"given": str(ref), "known": ", ".join(_sorted_refs())},
            )
        )
        return document, problems, 0
    base = tomllib.loads(_read(ref))
    merged = {**base, **{k: v for k, v in document.items() if k != "gates"}}
    base_gates = base.get("gates", [])
    own = document.get("gates", [])
    merged["gates"] = [*base_gates, *own] if isinstance(own, list) else own
    if merged["gates"] == []:
        del merged["gates"]
    return merged, problems, len(base_gates)


def _own_gates(
    problems: list[DefinitionProblem], offset: int
) -> list[DefinitionProblem]:
    """Give the problems of an extending file's gates their paths in that file."""
    if not offset:
        return problems
    found = []
    for problem in problems:
        path = problem.path
        if path.startswith("gates["):
            index, rest = path[len("gates[") :].split("]", 1)
            path = f"gates[{int(index) - offset}]{rest}"
        found.append(DefinitionProblem(path, problem.code, problem.params))
    return found


def builtin(ref: str = DEFAULT_REF) -> Definition:
    """Return a built-in definition by reference.

    Args:
        ref: ``NAME@VERSION``, or ``NAME`` for its newest version.

    Raises:
        UnknownDefinitionError: no built-in definition has that reference.
    """
    return _builtin(_resolve(ref))


def by_digest(digest: str) -> Definition | None:
    """Return the definition with ``digest``, if it is known in this process.

    Known are the built-ins and every definition loaded since the process
    started (a store loads the definitions it holds before replaying a case
    pinned to one). A lookup is one dictionary read once the built-ins are in.
    """
    found = _CACHE.get(digest)
    if found is None:
        builtins()
        found = _CACHE.get(digest)
    return found


def builtins() -> tuple[Definition, ...]:
    """Return every built-in definition, by name and then version."""
    return tuple(_builtin(ref) for ref in _sorted_refs())


def builtin_text(ref: str) -> str:
    """Return a built-in definition's file as shipped.

    Raises:
        UnknownDefinitionError: no built-in definition has that reference.
    """
    return _read(_resolve(ref))


def _sorted_refs() -> list[str]:
    def key(ref: str) -> tuple[str, int]:
        name, version = ref.split("@")
        return name, int(version)

    return sorted(BUILTIN_FILES, key=key)


def _resolve(ref: str) -> str:
    if ref in BUILTIN_FILES:
        return ref
    versions = [known for known in _sorted_refs() if known.split("@")[0] == ref]
    if not versions:
        raise UnknownDefinitionError(ref, _sorted_refs())
    return versions[-1]


def _read(ref: str) -> str:
    package = resources.files(__package__).joinpath("builtin")
    return package.joinpath(BUILTIN_FILES[ref]).read_text("utf-8")


@functools.cache
def _builtin(ref: str) -> Definition:
    return load_definition(_read(ref), name=ref)


# The checks below read a document that may also break the schema: each
# looks only at the parts that have the right shape and leaves the rest to
# the schema's own problems.


def _items(
    document: Mapping[str, Any], key: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    value = document.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield join(key, index), item


def _strings(item: Mapping[str, Any], key: str, path: str) -> Iterator[tuple[str, str]]:
    value = item.get(key)
    if isinstance(value, list):
        for index, entry in enumerate(value):
            if isinstance(entry, str):
                yield join(join(path, key), index), entry


def _duplicates(
    entries: Iterator[tuple[str, dict[str, Any]]], key: str = "code"
) -> list[DefinitionProblem]:
    seen: dict[str, str] = {}
    problems = []
    for path, item in entries:
        code = item.get(key)
        if not isinstance(code, str):
            continue
        if code in seen:
            problems.append(
                DefinitionProblem(
                    join(path, key),
                    "duplicate_code",
                    {"code": code, "first": seen[code]},
                )
            )
        else:
            seen[code] = path
    return problems


def check_document(document: Mapping[str, Any]) -> list[DefinitionProblem]:
    """Return every problem the schema cannot see, each at its path."""
    from helping_process.definitions import checks  # noqa: PLC0415 - loads states/

    stages = {
        item["code"]: item.get("kind")
        for _, item in _items(document, "stages")
        if isinstance(item.get("code"), str)
    }
    problems = _duplicates(_items(document, "stages"))
    problems += _duplicates(_items(document, "record_kinds"))
    problems += _duplicates(_items(document, "termination_reasons"))
    problems += _duplicates(_items(document, "code_lists"), key="name")
    for key in _ROLE_LISTS:
        problems += _duplicates(_items(document, key))
    for path, item in _items(document, "code_lists"):
        problems += _duplicates((join(path, p), c) for p, c in _items(item, "codes"))

    def stage_known(path: str, code: object) -> None:
        if isinstance(code, str) and code not in stages:
            problems.append(DefinitionProblem(path, "unknown_stage", {"code": code}))

    def checks_known(path: str, item: Mapping[str, Any]) -> None:
        for where, check_id in _strings(item, "checks", path):
            if check_id not in checks.CHECKS:
                problems.append(
                    DefinitionProblem(where, "unknown_check", {"code": check_id})
                )

    start = document.get("start")
    stage_known("start", start)
    if isinstance(start, str) and stages.get(start, ACTIVE) != ACTIVE:
        problems.append(DefinitionProblem("start", "start_not_active", {"code": start}))

    problems += _check_moves(document, stages, stage_known, checks_known)
    problems += _check_records(document, stage_known)
    problems += _check_reasons(document, stages, stage_known, checks_known)
    problems += _check_gates(document)
    return problems


def _check_gates(document: Mapping[str, Any]) -> list[DefinitionProblem]:
    """Each gate names reasons and models that exist, and gates nothing twice."""
    reasons = {item["code"] for _, item in _items(document, "termination_reasons")}
    models = {item.get("code") for _, item in _items(document, "intervention_models")}
    problems: list[DefinitionProblem] = []
    whole: dict[str, str] = {}
    by_reason: dict[tuple[str, str], str] = {}
    for path, gate in _items(document, "gates"):
        command = gate.get("command")
        listed = list(_strings(gate, "reasons", path))
        if "reasons" in gate and command != "terminate":
            problems.append(
                DefinitionProblem(join(path, "reasons"), "gate_reasons_not_termination")
            )
        for where, code in listed:
            if code not in reasons:
                problems.append(
                    DefinitionProblem(where, "unknown_reason", {"code": code})
                )
        if command == "coerce" and "coerce" not in models:
            problems.append(DefinitionProblem(join(path, "command"), "gate_no_coerce"))
        if not isinstance(command, str):
            continue
        codes = [code for _, code in listed]
        first = whole.get(command) or next(
            (
                where
                for (gated, code), where in by_reason.items()
                if gated == command and (not codes or code in codes)
            ),
            None,
        )
        if first is not None:
            problems.append(
                DefinitionProblem(
                    path, "duplicate_gate", {"command": command, "first": first}
                )
            )
        elif codes:
            for code in codes:
                by_reason.setdefault((command, code), path)
        else:
            whole[command] = path
    return problems


def _by_path(problems: list[DefinitionProblem]) -> list[DefinitionProblem]:
    """Return the problems sorted by path (keys by name, list items by index)."""
    return sorted(problems, key=lambda problem: _path_key(problem.path))


def _path_key(path: str) -> list[tuple[str, int]]:
    parts: list[tuple[str, int]] = []
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            parts.append(("", int(part[1:-1])))
        elif part:
            parts.append((part, -1))
    return parts


def _check_moves(  # noqa: PLR0912 - one branch per rule of the graph
    document: Mapping[str, Any],
    stages: Mapping[str, object],
    stage_known: Any,
    checks_known: Any,
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    seen: dict[tuple[str, str, str], str] = {}
    targets: dict[str, set[str]] = {code: set() for code in stages}
    for path, move in _items(document, "moves"):
        source, dest, kind = move.get("from"), move.get("to"), move.get("kind")
        stage_known(join(path, "from"), source)
        stage_known(join(path, "to"), dest)
        checks_known(path, move)
        if not (isinstance(source, str) and isinstance(dest, str)):
            continue
        if source in stages and dest in stages:
            targets[source].add(dest)
        group = kind if kind in TERMINATIONS else "move"
        if isinstance(kind, str):
            key = (source, dest, group)
            if key in seen:
                problems.append(
                    DefinitionProblem(
                        path,
                        "duplicate_move",
                        {"source": source, "dest": dest, "first": seen[key]},
                    )
                )
            seen.setdefault(key, path)
        if kind in TERMINATIONS and stages.get(dest, TERMINAL) != TERMINAL:
            problems.append(
                DefinitionProblem(
                    join(path, "to"), "termination_not_terminal", {"code": dest}
                )
            )
        if kind == "reopen" and stages.get(source, TERMINAL) != TERMINAL:
            problems.append(
                DefinitionProblem(
                    join(path, "from"), "reopen_not_terminal", {"code": source}
                )
            )
    start = document.get("start")
    if not isinstance(start, str) or start not in stages:
        return problems
    reached = _reach(start, targets)
    terminal = {code for code, kind in stages.items() if kind == TERMINAL}
    for path, item in _items(document, "stages"):
        code = item.get("code")
        if not isinstance(code, str) or code not in stages:
            continue
        if code not in reached:
            problems.append(
                DefinitionProblem(path, "unreachable", {"code": code, "start": start})
            )
        if stages[code] == TERMINAL:
            continue
        if not targets[code]:
            problems.append(DefinitionProblem(path, "no_way_out", {"code": code}))
        elif not _reach(code, targets) & terminal:
            problems.append(DefinitionProblem(path, "cannot_end", {"code": code}))
    return problems


def _reach(start: str, targets: Mapping[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in targets[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _check_fields(
    fields_path: str, item: Mapping[str, Any], lists: set[str]
) -> list[DefinitionProblem]:
    from helping_process.definitions import checks  # noqa: PLC0415 - loads states/

    problems = _duplicates(_items(item, "fields"), key="name")
    problems = [
        DefinitionProblem(join(fields_path, p.path), p.code, p.params) for p in problems
    ]
    for path, field in _items(item, "fields"):
        where = join(fields_path, path)
        kind = field.get("type")
        needed = _FIELD_NEEDS.get(kind) if isinstance(kind, str) else None
        if needed is not None and needed not in field:
            problems.append(
                DefinitionProblem(
                    where, "field_needs", {"field_type": kind, "key": needed}
                )
            )
        codes = field.get("codes")
        if isinstance(codes, str) and codes not in lists:
            problems.append(
                DefinitionProblem(
                    join(where, "codes"), "unknown_code_list", {"code": codes}
                )
            )
        problems += _check_fields(where, field, lists)
    for where, rule in _strings(item, "rules", fields_path.rsplit(".", 1)[0]):
        if rule not in checks.RECORD_RULES:
            problems.append(DefinitionProblem(where, "unknown_rule", {"code": rule}))
    return problems


def _check_records(
    document: Mapping[str, Any], stage_known: Any
) -> list[DefinitionProblem]:
    lists = {
        item["name"]
        for _, item in _items(document, "code_lists")
        if isinstance(item.get("name"), str)
    } | set(_ROLE_LISTS)
    problems: list[DefinitionProblem] = []
    for path, kind in _items(document, "record_kinds"):
        for where, code in _strings(kind, "stages", path):
            stage_known(where, code)
        problems += _check_fields(path, kind, lists)
    return problems


def _check_reasons(
    document: Mapping[str, Any],
    stages: Mapping[str, object],
    stage_known: Any,
    checks_known: Any,
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    ends: dict[str, set[str]] = {"early": set(), "planned": set()}
    for _, move in _items(document, "moves"):
        kind, source = move.get("kind"), move.get("from")
        if kind in ends and isinstance(source, str):
            ends[kind].add(source)
    allowed: dict[str, set[str]] = {"early": set(), "planned": set()}
    for path, reason in _items(document, "termination_reasons"):
        checks_known(path, reason)
        problems += _duplicates(
            (join(path, p), s) for p, s in _items(reason, "sub_reasons")
        )
        kind = reason.get("kind")
        listed = list(_strings(reason, "stages", path))
        if isinstance(reason.get("stages"), list) and not listed:
            problems.append(
                DefinitionProblem(
                    join(path, "stages"), "reason_nowhere", {"code": reason.get("code")}
                )
            )
        for where, code in listed:
            stage_known(where, code)
            if kind in ends and code in stages:
                allowed[kind].add(code)
                if code not in ends[kind]:
                    problems.append(
                        DefinitionProblem(
                            where,
                            "no_termination_move",
                            {"move_kind": kind, "code": code},
                        )
                    )
    for path, move in _items(document, "moves"):
        kind, source = move.get("kind"), move.get("from")
        if (
            kind in allowed
            and isinstance(source, str)
            and source in stages
            and source not in allowed[kind]
        ):
            problems.append(
                DefinitionProblem(
                    path,
                    "termination_without_reason",
                    {"move_kind": kind, "code": source},
                )
            )
    return problems
