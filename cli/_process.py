"""``helping-process process …``: the process definition, as text or a graph.

``show`` and ``graph`` read a process definition (REF, or the default for
new cases): a built-in one without opening the database, an installed one
from it; ``graph --case`` opens the database, to draw that case's
definition with its stage highlighted. ``list`` reads the installed ones
when there is a database; ``export`` and ``check`` never touch it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import click

from helping_process import DefinitionError
from helping_process import UnknownDefinitionError
from helping_process.labels import Language
from helping_process.labels import codes
from helping_process.labels import label

if TYPE_CHECKING:
    from helping_process.definitions import Definition
    from helping_process.definitions import ReasonSpec

from ._errors import BAD_INPUT
from ._errors import failure
from ._local import CaseIdType
from ._local import CodeType
from ._local import LocalGroup
from ._local import option
from ._messages import say
from ._render import wrap
from ._settings import Settings
from ._settings import pass_settings

#: The fill colour of the highlighted stage.
HIGHLIGHT: Final = "#ffd54f"
#: The message key of each trigger's name.
_TRIGGERS: Final = {
    "advance": "trigger.advance",
    "reassess": "trigger.reassess",
    "replan": "trigger.replan",
    "resume": "trigger.resume",
    "terminate": "trigger.terminate",
    "reopen": "trigger.reopen",
}


class _Move:
    """A move as ``show`` and ``graph`` name it: its trigger and its note."""

    __slots__ = ("dest", "note", "source", "trigger")

    def __init__(self, source: str, dest: str, trigger: str, *, note: bool) -> None:
        self.source = source
        self.dest = dest
        self.trigger = trigger
        self.note = note


#: The trigger of a loop back, by the stage it returns to.
_LOOPS: Final = {"assessment": "reassess", "planning": "replan"}


def _moves(definition: Definition) -> list[_Move]:
    """The definition's moves; one ``terminate`` for each stage's terminations."""
    moves: list[_Move] = []
    ended: set[str] = set()
    for move in definition.moves:
        if move.kind in ("early", "planned"):
            if move.source not in ended:
                ended.add(move.source)
                moves.append(_Move(move.source, move.dest, "terminate", note=True))
            continue
        trigger = {"forward": "advance", "reopen": "reopen"}.get(move.kind)
        trigger = trigger or _LOOPS.get(move.dest, "resume")
        moves.append(_Move(move.source, move.dest, trigger, note=move.note))
    return moves


def trigger_name(move: _Move, lang: Language) -> str:
    """Return the name of a move's trigger in the chosen language."""
    return say(_TRIGGERS[move.trigger], lang)


def stage_label(definition: Definition, code: str, lang: Language) -> str:
    """A stage's label: the package's own, else the definition's."""
    if code in codes("stage"):
        return label("stage", code, lang)
    return definition.stage(code).label.in_(lang)


def _reason_label(reason: ReasonSpec, lang: Language) -> str:
    if reason.code in codes("reason"):
        return label("reason", reason.code, lang)
    return reason.label.in_(lang)


def _in_order(definition: Definition, stages: frozenset[str]) -> list[str]:
    return [stage.code for stage in definition.stages if stage.code in stages]


def process_json(definition: Definition) -> dict[str, Any]:
    """Return a process definition as ``process show --json`` prints it."""
    return {
        "name": definition.name,
        "version": definition.version,
        "digest": definition.digest,
        "stages": [stage.code for stage in definition.stages],
        "moves": [
            {
                "from": move.source,
                "to": move.dest,
                "trigger": move.trigger,
                "note_required": move.note,
            }
            for move in _moves(definition)
        ],
        "terminations": [
            {
                "reason": reason.code,
                "stages": _in_order(definition, reason.stages),
                "sub_reasons": sorted(sub.code for sub in reason.sub_reasons),
                "referral_required": reason.referral,
                "residential_only": reason.residential_only,
                "planned": reason.planned,
            }
            for reason in definition.termination_reasons
        ],
        **_gates_json(definition),
    }


def _gates_json(definition: Definition) -> dict[str, Any]:
    """The gates and the base of a definition that has them (others: nothing)."""
    found: dict[str, Any] = {}
    if definition.extends is not None:
        found["extends"] = definition.extends
    if definition.gates:
        found["gates"] = [
            {
                "command": gate.command,
                "reasons": sorted(gate.reasons),
                "approver": gate.approver,
            }
            for gate in definition.gates
        ]
    return found


def process_lines(definition: Definition, lang: Language) -> list[str]:
    """Return the stages, moves and termination reasons, for people."""
    lines = [say("process.stages", lang)]
    for number, stage in enumerate(definition.stages, start=1):
        text = stage_label(definition, stage.code, lang)
        lines.append(f"  {number}. {stage.code:<13} {text}")
    lines.append(say("process.moves", lang))
    for move in _moves(definition):
        if move.trigger == "terminate":
            continue
        note = " " + say("show.note_required", lang) if move.note else ""
        text = f"{move.source} -> {move.dest} ({trigger_name(move, lang)})"
        lines.append(wrap(text + note, "  "))
    lines.append(wrap(say("process.terminate_any", lang), "  "))
    lines.append(say("process.terminations", lang))
    for reason in definition.termination_reasons:
        lines.append(f"  {reason.code}: {_reason_label(reason, lang)}")
        stages = ", ".join(_in_order(definition, reason.stages))
        lines.append(wrap(say("process.from", lang, stages=stages), "      "))
        needs = []
        if reason.residential_only:
            needs.append(say("process.residential_only", lang))
        if "evaluation.goals_achieved" in reason.checks:
            needs.append(label("requirement", "evaluation.goals_achieved", lang))
        elif reason.checks:
            needs.append(label("requirement", reason.checks[0], lang))
        if reason.sub_reasons:
            subs = ", ".join(sorted(sub.code for sub in reason.sub_reasons))
            needs.append(say("process.sub_reason", lang, codes=subs))
        if reason.referral:
            needs.append(say("process.referral", lang))
        if needs:
            text = say("process.needs", lang, needs="; ".join(needs))
            lines.append(wrap(text, "      "))
    return lines + _gate_lines(definition, lang)


def _gate_lines(definition: Definition, lang: Language) -> list[str]:
    """Return what needs approval and by whom, for people (none: nothing)."""
    if not definition.gates:
        return []
    lines = [say("process.gates", lang)]
    for gate in definition.gates:
        what = label("gate", gate.command, lang)
        if gate.reasons:
            what += f" ({', '.join(sorted(gate.reasons))})"
        approver = label("actor_role", gate.approver, lang)
        text = say("process.gate", lang, what=what, approver=approver)
        lines.append(wrap(text, "  "))
    return lines


def termination_groups(
    definition: Definition, lang: Language
) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """Return the stages that share the same termination reasons, where to, and those.

    The graphs draw one edge into termination per group instead of one per
    stage: seven identical "terminate" arrows say less than three labelled
    ones. A reason for residential clients only says so. In stage order;
    the reasons in the order the process lists them.
    """
    residential = say("process.residential_only", lang)
    ends = {
        (move.source, move.kind): move.dest
        for move in definition.moves
        if move.kind in ("early", "planned")
    }
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for stage in definition.stages:
        by_dest: dict[str, list[str]] = {}
        for reason in definition.termination_reasons:
            dest = ends.get((stage.code, reason.kind))
            if dest is not None and stage.code in reason.stages:
                text = reason.code + (
                    f" ({residential})" if reason.residential_only else ""
                )
                by_dest.setdefault(dest, []).append(text)
        for dest, reasons in by_dest.items():
            groups.setdefault((dest, tuple(reasons)), []).append(stage.code)
    return [
        (tuple(stages), dest, reasons) for (dest, reasons), stages in groups.items()
    ]


def _loops(definition: Definition) -> list[_Move]:
    return [move for move in _moves(definition) if move.trigger != "terminate"]


def mermaid(definition: Definition, lang: Language, current: str | None) -> str:
    """Return the process as a Mermaid flowchart, ``current`` highlighted."""
    lines = ["flowchart LR"]
    for stage in definition.stages:
        text = stage_label(definition, stage.code, lang).replace('"', "#quot;")
        lines.append(f'    {stage.code}["{text}"]')
    for move in _loops(definition):
        arrow = "-->" if move.trigger == "advance" else "-.->"
        name = trigger_name(move, lang).replace('"', "#quot;")
        lines.append(f'    {move.source} {arrow}|"{name}"| {move.dest}')
    terminate = say("trigger.terminate", lang)
    groups = termination_groups(definition, lang)
    for number, (stages, dest, reasons) in enumerate(groups, start=1):
        text = "<br/>".join((terminate, *reasons))
        if len(stages) == 1:
            source = stages[0]
        else:
            source = f"join{number}"
            lines.append(f'    {source}((" "))')
            lines.extend(f"    {stage} --- {source}" for stage in stages)
        lines.append(f'    {source} -->|"{text}"| {dest}')
    if current is not None:
        lines.append(
            f"    classDef current fill:{HIGHLIGHT},stroke:#333,stroke-width:2px"
        )
        lines.append(f"    class {current} current")
    return "\n".join(lines)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(definition: Definition, lang: Language, current: str | None) -> str:
    """Return the process as a Graphviz digraph, ``current`` filled.

    The stages that share their termination reasons join in one point, and
    one edge, labelled with those reasons, leads from it into termination.
    """
    lines = [
        "digraph helping_process {",
        "    rankdir=LR;",
        "    node [shape=box];",
    ]
    for stage in definition.stages:
        text = _dot_text(stage_label(definition, stage.code, lang))
        attributes = f'label="{text}"'
        if stage.code == current:
            attributes += f', style=filled, fillcolor="{HIGHLIGHT}"'
        lines.append(f"    {stage.code} [{attributes}];")
    for move in _loops(definition):
        attributes = f'label="{_dot_text(trigger_name(move, lang))}"'
        if move.trigger != "advance":
            attributes += ", style=dashed"
        lines.append(f"    {move.source} -> {move.dest} [{attributes}];")
    terminate = _dot_text(say("trigger.terminate", lang))
    groups = termination_groups(definition, lang)
    for number, (stages, dest, reasons) in enumerate(groups, start=1):
        text = "\\n".join((terminate, *reasons))
        if len(stages) == 1:
            source = stages[0]
        else:
            source = f"join{number}"
            lines.append(f"    {source} [shape=point];")
            lines.extend(
                f"    {stage} -> {source} [arrowhead=none];" for stage in stages
            )
        lines.append(f'    {source} -> {dest} [label="{text}"];')
    lines.append("}")
    return "\n".join(lines)


def _definition(settings: Settings, ref: str | None) -> Definition:
    """The definition ``ref`` names (the default for new cases when None).

    Built-ins are looked up without a database; an installed definition
    needs one, and is looked up only when the built-ins lack the name.
    """
    from helping_process.definitions import DEFAULT_REF  # noqa: PLC0415 - on use
    from helping_process.definitions import builtin  # noqa: PLC0415 - on use

    wanted = ref or settings.default_process or DEFAULT_REF
    try:
        return builtin(wanted)
    except UnknownDefinitionError:
        if not settings.has_database():
            raise
    return settings.service().definition(wanted)


@click.group("process", cls=LocalGroup, help="help.process")
def process() -> None:
    """Show the helping process itself."""


@process.command("show", help="help.process.show")
@click.argument("ref", required=False)
@pass_settings
def show(settings: Settings, ref: str | None) -> None:
    """Show the stages, the legal moves and the termination reasons."""
    definition = _definition(settings, ref)
    if settings.as_json:
        settings.emit(process_json(definition))
        return
    settings.echo(f"{definition.ref}  {definition.digest[:16]}")
    for line in process_lines(definition, settings.lang):
        settings.echo(line)


@process.command("graph", help="help.process.graph")
@option(
    "--format",
    "graph_format",
    type=CodeType(("mermaid", "dot"), "format"),
    default="mermaid",
    show_default=True,
    help="opt.format",
)
@option("--case", "case_ref", metavar="CASE", type=CaseIdType(), help="opt.graph_case")
@click.argument("ref", required=False)
@pass_settings
def graph(
    settings: Settings, graph_format: str, case_ref: str | None, ref: str | None
) -> None:
    """Print the process as a Mermaid or Graphviz graph.

    With ``--case``, the graph is that case's definition (unless REF names
    another) with its stage highlighted.
    """
    current: str | None = None
    definition = None
    if case_ref:
        case = settings.resolve(case_ref)
        current = case.stage.value
        definition = case.definition if ref is None else None
    if definition is None:
        definition = _definition(settings, ref)
    draw = mermaid if graph_format == "mermaid" else dot
    text = draw(definition, settings.lang, current)
    if settings.as_json:
        settings.emit(
            {
                "format": graph_format,
                "process": definition.ref,
                "current": current,
                "graph": text,
            }
        )
        return
    click.echo(text)


@process.command("list", help="help.process.list")
@pass_settings
def list_definitions(settings: Settings) -> None:
    """List the built-in and installed process definitions, and the default.

    Installed definitions are read from the database when there is one;
    without one, only the built-ins are listed (nothing is created).
    """
    from helping_process.definitions import DEFAULT_REF  # noqa: PLC0415 - on use
    from helping_process.definitions import builtins  # noqa: PLC0415 - on use

    definitions = list(builtins())
    if settings.has_database():
        known = {definition.digest for definition in definitions}
        definitions += [
            definition
            for definition in settings.service().definitions()
            if definition.digest not in known
        ]
    default = settings.default_process or DEFAULT_REF
    if settings.default_process is not None and settings.has_database():
        default = settings.service().default_process.ref
    if settings.as_json:
        settings.emit(
            [
                {
                    "name": definition.name,
                    "version": definition.version,
                    "digest": definition.digest,
                    "default": definition.ref == default,
                }
                for definition in definitions
            ]
        )
        return
    width = max(len(definition.ref) for definition in definitions)
    for definition in definitions:
        mark = (
            " " + settings.say("process.default") if (definition.ref == default) else ""
        )
        settings.echo(f"{definition.ref:<{width}}  {definition.digest[:16]}{mark}")
        settings.echo(wrap(definition.label.in_(settings.lang), "  "))


@process.command("install", help="help.process.install")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_settings
def install(settings: Settings, file: str) -> None:
    """Check a definition file and store it in the database."""
    from pathlib import Path  # noqa: PLC0415 - on use

    from helping_process.definitions import load_definition  # noqa: PLC0415

    definition = load_definition(Path(file), name=file)
    stored = settings.service().install(definition)
    if settings.as_json:
        settings.emit(
            {
                "name": definition.name,
                "version": definition.version,
                "digest": definition.digest,
                "installed": stored,
            }
        )
        return
    key = "process.installed" if stored else "process.already_installed"
    settings.echo(settings.say(key, ref=definition.ref, digest=definition.digest))


@process.command("export", help="help.process.export")
@click.argument("ref")
@pass_settings
def export(settings: Settings, ref: str) -> None:
    """Print a built-in definition's file, exactly as shipped."""
    from helping_process.definitions import builtin_text  # noqa: PLC0415 - on use

    click.echo(builtin_text(ref), nl=False)


@process.command("check", help="help.process.check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_settings
def check(settings: Settings, file: str) -> None:
    """Check a definition file: a summary, or every problem with its path."""
    from pathlib import Path  # noqa: PLC0415 - on use

    from helping_process.definitions import load_definition  # noqa: PLC0415

    try:
        definition = load_definition(Path(file), name=file)
    except DefinitionError as error:
        for problem in error.problems:
            click.echo(problem.message(settings.lang), err=True)
        raise failure(
            settings.say(
                "process.check.broken", source=file, count=len(error.problems)
            ),
            kind=type(error).__name__,
            exit_code=BAD_INPUT,
            lang=settings.lang,
            as_json=settings.as_json,
            details={"problems": [problem.to_json() for problem in error.problems]},
        ) from None
    if settings.as_json:
        settings.emit(
            {
                "name": definition.name,
                "version": definition.version,
                "digest": definition.digest,
                "problems": [],
            }
        )
        return
    settings.echo(
        settings.say(
            "process.check.ok",
            source=file,
            ref=definition.ref,
            stages=len(definition.stages),
            moves=len(definition.moves),
            kinds=len(definition.record_kinds),
            reasons=len(definition.termination_reasons),
            digest=definition.digest,
        )
    )


def _record_kind(settings: Settings, ref: str | None, kind: str) -> Any:
    """Return the definition ``ref`` names, having checked it has ``kind``.

    Raises:
        Failure: the definition has no such record kind (exit 2).
    """
    from helping_process.definitions import DEFAULT_REF  # noqa: PLC0415 - on use
    from helping_process.definitions import builtin  # noqa: PLC0415 - on use

    definition = builtin(ref or DEFAULT_REF)
    kinds = [spec.code for spec in definition.record_kinds]
    if kind not in kinds:
        raise settings.failure(
            "process.unknown_kind",
            exit_code=BAD_INPUT,
            ref=definition.ref,
            name=kind,
            kinds=", ".join(kinds),
        )
    return definition


@process.command("schema", help="help.process.schema")
@click.argument("kind", metavar="KIND")
@option("--process", "ref", metavar="REF", help="opt.process_ref")
@pass_settings
def schema(settings: Settings, kind: str, ref: str | None) -> None:
    """Print a record kind's JSON Schema, in the chosen language."""
    from helping_process.definitions import record_schema  # noqa: PLC0415 - on use

    definition = _record_kind(settings, ref, kind)
    settings.emit_pretty(record_schema(definition, kind, settings.lang))


@process.command("template", help="help.process.template")
@click.argument("kind", metavar="KIND")
@option("--process", "ref", metavar="REF", help="opt.process_ref")
@pass_settings
def template(settings: Settings, kind: str, ref: str | None) -> None:
    """Print a fill-in JSON document of a record kind."""
    from helping_process.definitions import record_template  # noqa: PLC0415 - on use

    definition = _record_kind(settings, ref, kind)
    settings.emit_pretty(record_template(definition, kind))
