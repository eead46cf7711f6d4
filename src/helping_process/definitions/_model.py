"""A process definition as values: stages, moves, records, reasons.

Built by :func:`helping_process.definitions.load_definition` from a file that
has passed every check, so nothing here validates again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any
from typing import Final

import attrs

from helping_process.labels import Language

#: Stage kinds: a case works in an active stage; a terminal one ends an
#: episode; an after-closure stage follows the client up after services end.
ACTIVE: Final = "active"
TERMINAL: Final = "terminal"
AFTER_CLOSURE: Final = "after_closure"
#: The kinds of move a termination (with a reason) fires.
TERMINATIONS: Final = frozenset({"early", "planned"})
#: The commands a gate can hold for approval: a termination, an activity of
#: the ``coerce`` intervention model, a reopen, a migration, a redaction.
GATED_COMMANDS: Final = ("terminate", "coerce", "reopen", "migrate", "redact")


@attrs.frozen
class Text:
    """A text in Indonesian and English."""

    id: str
    en: str

    def in_(self, lang: Language) -> str:
        """Return the text in ``lang``."""
        return self.id if lang == "id" else self.en


def _text(data: Mapping[str, Any] | None) -> Text | None:
    return None if data is None else Text(id=data["id"], en=data["en"])


@attrs.frozen(kw_only=True)
class Coded:
    """A code with its label (a role, a model, a sub-reason, a code of a list)."""

    code: str
    label: Text
    help: Text | None = None


@attrs.frozen(kw_only=True)
class StageSpec:
    """A stage: its code, its label and its kind."""

    code: str
    label: Text
    kind: str
    help: Text | None = None


@attrs.frozen(kw_only=True)
class MoveSpec:
    """A legal move and what it requires.

    Attributes:
        source: the stage it leaves.
        dest: the stage it enters.
        kind: ``forward``, ``loop``, ``early``, ``planned`` or ``reopen``.
        checks: the ids of the checks it applies, in order.
        note: whether the command must carry a note saying why.
    """

    source: str
    dest: str
    kind: str
    checks: tuple[str, ...] = ()
    note: bool = False


@attrs.frozen(kw_only=True)
class FieldSpec:
    """A field of a record (or of an object inside one)."""

    name: str
    type: str
    label: Text
    required: bool = True
    personal: bool = False
    help: Text | None = None
    codes: str | None = None
    min: float | None = None
    max: float | None = None
    exclusive_min: float | None = None
    min_items: int = 0
    fields: tuple[FieldSpec, ...] = ()
    keys: tuple[str, ...] = ()
    values: str | None = None


@attrs.frozen(kw_only=True)
class RecordKindSpec:
    """A kind of record: its fields and the stages it may be added in."""

    code: str
    label: Text
    stages: frozenset[str]
    fields: tuple[FieldSpec, ...]
    rules: tuple[str, ...] = ()
    help: Text | None = None


@attrs.frozen(kw_only=True)
class ReasonSpec:
    """A termination reason and when it may be used."""

    code: str
    label: Text
    kind: str
    stages: frozenset[str]
    residential_only: bool = False
    referral: bool = False
    checks: tuple[str, ...] = ()
    sub_reasons: tuple[Coded, ...] = ()
    help: Text | None = None

    @property
    def planned(self) -> bool:
        """Whether this is a planned (not an early) termination."""
        return self.kind == "planned"

    def allows(self, stage: str, *, residential: bool) -> bool:
        """Whether the reason may be used from ``stage`` for such a case."""
        return stage in self.stages and (residential or not self.residential_only)


@attrs.frozen(kw_only=True)
class GateSpec:
    """A command that takes effect only once someone else approves it.

    Attributes:
        command: what is gated: ``terminate``, ``coerce`` (an activity whose
            intervention model is coerce), ``reopen``, ``migrate``, ``redact``.
        approver: the role that approves (``worker``, ``supervisor`` or
            ``administrator``): someone other than the requester, acting in it.
        reasons: for ``terminate``, the reasons gated; empty: every reason.
    """

    command: str
    approver: str
    reasons: frozenset[str] = frozenset()

    def covers(self, command: str, reason: str | None = None) -> bool:
        """Whether this gate holds ``command`` (for ``reason``, a termination's)."""
        return self.command == command and (not self.reasons or reason in self.reasons)


@attrs.frozen(kw_only=True, eq=False)
class Definition:
    """A process definition: everything the engine enforces, as data.

    Two definitions are the same exactly when their digests are.

    Attributes:
        name: the definition's name, shared by its versions.
        version: its version under that name.
        digest: SHA-256 (hex) of its canonical form.
        text: the file it was loaded from, as given.
        gates: the commands that need another person's approval.
        extends: the built-in this definition extends (None: it is whole).
    """

    name: str
    version: int
    label: Text
    description: Text | None
    client_word: Text
    residential: str
    start: str
    stages: tuple[StageSpec, ...]
    moves: tuple[MoveSpec, ...]
    record_kinds: tuple[RecordKindSpec, ...]
    code_lists: Mapping[str, tuple[Coded, ...]]
    termination_reasons: tuple[ReasonSpec, ...]
    worker_roles: tuple[Coded, ...]
    intervention_models: tuple[Coded, ...]
    digest: str
    text: str = attrs.field(repr=False)
    gates: tuple[GateSpec, ...] = ()
    extends: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Definition) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def ref(self) -> str:
        """Return ``NAME@VERSION``."""
        return f"{self.name}@{self.version}"

    @functools.cached_property
    def _stages(self) -> Mapping[str, StageSpec]:
        return {stage.code: stage for stage in self.stages}

    @functools.cached_property
    def _targets(self) -> Mapping[str, frozenset[str]]:
        targets: dict[str, set[str]] = {stage.code: set() for stage in self.stages}
        for move in self.moves:
            targets[move.source].add(move.dest)
        return {code: frozenset(dests) for code, dests in targets.items()}

    def stage(self, code: str) -> StageSpec:
        """Return the stage with ``code``.

        Raises:
            KeyError: no such stage.
        """
        return self._stages[code]

    def targets(self, stage: str) -> frozenset[str]:
        """Return every stage a legal move can reach from ``stage``."""
        return self._targets[stage]

    def moves_between(self, source: str, dest: str) -> tuple[MoveSpec, ...]:
        """Return the legal moves from ``source`` to ``dest`` (one per kind)."""
        return tuple(m for m in self.moves if (m.source, m.dest) == (source, dest))

    def reasons(self, stage: str, *, residential: bool) -> frozenset[str]:
        """Return the termination reasons allowed in ``stage`` for such a case."""
        return frozenset(
            reason.code
            for reason in self.termination_reasons
            if reason.allows(stage, residential=residential)
        )

    def reason(self, code: str) -> ReasonSpec:
        """Return the termination reason with ``code``.

        Raises:
            KeyError: no such reason.
        """
        return {reason.code: reason for reason in self.termination_reasons}[code]

    def record_kind(self, code: str) -> RecordKindSpec:
        """Return the record kind with ``code``.

        Raises:
            KeyError: no such record kind.
        """
        return {kind.code: kind for kind in self.record_kinds}[code]

    def gate(self, command: str, reason: str | None = None) -> GateSpec | None:
        """Return the gate that holds ``command`` for approval, if any."""
        for gate in self.gates:
            if gate.covers(command, reason):
                return gate
        return None

    def codes(self, name: str) -> tuple[Coded, ...]:
        """Return the codes of a code list, or the roles and models.

        Raises:
            KeyError: no such code list.
        """
        if name == "worker_roles":
            return self.worker_roles
        if name == "intervention_models":
            return self.intervention_models
        return self.code_lists[name]


def _coded(data: Mapping[str, Any]) -> Coded:
    return Coded(
        code=data["code"], label=Text(**data["label"]), help=_text(data.get("help"))
    )


def _field(data: Mapping[str, Any]) -> FieldSpec:
    return FieldSpec(
        name=data["name"],
        type=data["type"],
        label=Text(**data["label"]),
        required=data.get("required", True),
        personal=data.get("personal", False),
        help=_text(data.get("help")),
        codes=data.get("codes"),
        min=data.get("min"),
        max=data.get("max"),
        exclusive_min=data.get("exclusive_min"),
        min_items=data.get("min_items", 0),
        fields=tuple(_field(item) for item in data.get("fields", ())),
        keys=tuple(data.get("keys", ())),
        values=data.get("values"),
    )


def build(document: Mapping[str, Any], *, digest: str, text: str) -> Definition:
    """Return the definition a checked document describes."""
    return Definition(
        name=document["name"],
        version=document["version"],
        label=Text(**document["label"]),
        description=_text(document.get("description")),
        client_word=Text(**document["client_word"]),
        residential=document.get("residential", "optional"),
        start=document["start"],
        stages=tuple(
            StageSpec(
                code=item["code"],
                label=Text(**item["label"]),
                kind=item["kind"],
                help=_text(item.get("help")),
            )
            for item in document["stages"]
        ),
        moves=tuple(
            MoveSpec(
                source=item["from"],
                dest=item["to"],
                kind=item["kind"],
                checks=tuple(item.get("checks", ())),
                note=item.get("note", False),
            )
            for item in document["moves"]
        ),
        record_kinds=tuple(
            RecordKindSpec(
                code=item["code"],
                label=Text(**item["label"]),
                stages=frozenset(item["stages"]),
                fields=tuple(_field(field) for field in item["fields"]),
                rules=tuple(item.get("rules", ())),
                help=_text(item.get("help")),
            )
            for item in document["record_kinds"]
        ),
        code_lists={
            item["name"]: tuple(_coded(code) for code in item["codes"])
            for item in document.get("code_lists", ())
        },
        termination_reasons=tuple(
            ReasonSpec(
                code=item["code"],
                label=Text(**item["label"]),
                kind=item["kind"],
                stages=frozenset(item["stages"]),
                residential_only=item.get("residential_only", False),
                referral=item.get("referral", False),
                checks=tuple(item.get("checks", ())),
                sub_reasons=tuple(_coded(sub) for sub in item.get("sub_reasons", ())),
                help=_text(item.get("help")),
            )
            for item in document["termination_reasons"]
        ),
        worker_roles=tuple(_coded(item) for item in document["worker_roles"]),
        intervention_models=tuple(
            _coded(item) for item in document["intervention_models"]
        ),
        digest=digest,
        text=text,
        gates=tuple(
            GateSpec(
                command=item["command"],
                approver=item["approver"],
                reasons=frozenset(item.get("reasons", ())),
            )
            for item in document.get("gates", ())
        ),
        extends=document.get("extends"),
    )
