"""``helping-process process …``: the process definition, as text or a graph.

``show`` and ``graph`` read the first release's table
(:data:`helping_process.states.PROCESS`); only ``graph --case`` opens the
database, to highlight where that case stands. ``list``, ``export`` and
``check`` read process definitions (the built-ins, or a file) and never
touch the database.
"""

from __future__ import annotations

from typing import Any
from typing import Final

import click

from helping_process import DefinitionError
from helping_process import Stage
from helping_process.labels import Language
from helping_process.labels import label
from helping_process.states import PROCESS
from helping_process.states import Move

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


def trigger_name(move: Move, lang: Language) -> str:
    """Return the name of a move's trigger in the chosen language."""
    return say(_TRIGGERS[move.trigger], lang)


def _note_required(move: Move) -> bool:
    return bool(PROCESS.command_requirements(move, note=None))


def process_json() -> dict[str, Any]:
    """Return the process definition as ``process show --json`` prints it."""
    return {
        "stages": [stage.value for stage in Stage],
        "moves": [
            {
                "from": move.source.value,
                "to": move.dest.value,
                "trigger": move.trigger,
                "note_required": _note_required(move),
            }
            for move in PROCESS.moves
        ],
        "terminations": [
            {
                "reason": rule.reason.value,
                "stages": [stage.value for stage in Stage if stage in rule.stages],
                "sub_reasons": sorted(sub.value for sub in rule.sub_reasons),
                "referral_required": rule.needs_referral,
                "residential_only": rule.residential_only,
                "planned": rule.planned,
            }
            for rule in PROCESS.reason_rules.values()
        ],
    }


def process_lines(lang: Language) -> list[str]:
    """Return the stages, moves and termination reasons, for people."""
    lines = [say("process.stages", lang)]
    for number, stage in enumerate(Stage, start=1):
        lines.append(f"  {number}. {stage.value:<13} {label('stage', stage, lang)}")
    lines.append(say("process.moves", lang))
    for move in PROCESS.moves:
        if move.trigger == "terminate":
            continue
        note = " " + say("show.note_required", lang) if _note_required(move) else ""
        text = f"{move.source.value} -> {move.dest.value} ({trigger_name(move, lang)})"
        lines.append(wrap(text + note, "  "))
    lines.append(wrap(say("process.terminate_any", lang), "  "))
    lines.append(say("process.terminations", lang))
    for rule in PROCESS.reason_rules.values():
        lines.append(f"  {rule.reason.value}: {label('reason', rule.reason, lang)}")
        stages = ", ".join(stage.value for stage in Stage if stage in rule.stages)
        lines.append(wrap(say("process.from", lang, stages=stages), "      "))
        needs = []
        if rule.residential_only:
            needs.append(say("process.residential_only", lang))
        if rule.needs_all_goals:
            needs.append(label("requirement", "evaluation.goals_achieved", lang))
        elif rule.needs_evaluation:
            needs.append(label("requirement", "evaluation.record", lang))
        if rule.sub_reasons:
            subs = ", ".join(sorted(sub.value for sub in rule.sub_reasons))
            needs.append(say("process.sub_reason", lang, codes=subs))
        if rule.needs_referral:
            needs.append(say("process.referral", lang))
        if needs:
            text = say("process.needs", lang, needs="; ".join(needs))
            lines.append(wrap(text, "      "))
    return lines


def termination_groups(
    lang: Language,
) -> list[tuple[tuple[Stage, ...], tuple[str, ...]]]:
    """Return the stages that share the same termination reasons, and those.

    The graphs draw one edge into termination per group instead of one per
    stage: seven identical "terminate" arrows say less than three labelled
    ones. A reason for residential clients only says so. In stage order;
    the reasons in the order the process lists them.
    """
    residential = say("process.residential_only", lang)
    groups: dict[tuple[str, ...], list[Stage]] = {}
    for stage in Stage:
        reasons = tuple(
            rule.reason.value + (f" ({residential})" if rule.residential_only else "")
            for rule in PROCESS.reason_rules.values()
            if stage in rule.stages
        )
        if reasons:
            groups.setdefault(reasons, []).append(stage)
    return [(tuple(stages), reasons) for reasons, stages in groups.items()]


def _loops() -> list[Move]:
    return [move for move in PROCESS.moves if move.trigger != "terminate"]


def mermaid(lang: Language, current: Stage | None) -> str:
    """Return the process as a Mermaid flowchart, ``current`` highlighted."""
    lines = ["flowchart LR"]
    for stage in Stage:
        text = label("stage", stage, lang).replace('"', "#quot;")
        lines.append(f'    {stage.value}["{text}"]')
    for move in _loops():
        arrow = "-->" if move.trigger == "advance" else "-.->"
        name = trigger_name(move, lang).replace('"', "#quot;")
        lines.append(f'    {move.source.value} {arrow}|"{name}"| {move.dest.value}')
    terminate = say("trigger.terminate", lang)
    for number, (stages, reasons) in enumerate(termination_groups(lang), start=1):
        text = "<br/>".join((terminate, *reasons))
        if len(stages) == 1:
            source = stages[0].value
        else:
            source = f"join{number}"
            lines.append(f'    {source}((" "))')
            lines.extend(f"    {stage.value} --- {source}" for stage in stages)
        lines.append(f'    {source} -->|"{text}"| termination')
    if current is not None:
        lines.append(
            f"    classDef current fill:{HIGHLIGHT},stroke:#333,stroke-width:2px"
        )
        lines.append(f"    class {current.value} current")
    return "\n".join(lines)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(lang: Language, current: Stage | None) -> str:
    """Return the process as a Graphviz digraph, ``current`` filled.

    The stages that share their termination reasons join in one point, and
    one edge, labelled with those reasons, leads from it into termination.
    """
    lines = [
        "digraph helping_process {",
        "    rankdir=LR;",
        "    node [shape=box];",
    ]
    for stage in Stage:
        attributes = f'label="{_dot_text(label("stage", stage, lang))}"'
        if stage is current:
            attributes += f', style=filled, fillcolor="{HIGHLIGHT}"'
        lines.append(f"    {stage.value} [{attributes}];")
    for move in _loops():
        attributes = f'label="{_dot_text(trigger_name(move, lang))}"'
        if move.trigger != "advance":
            attributes += ", style=dashed"
        lines.append(f"    {move.source.value} -> {move.dest.value} [{attributes}];")
    terminate = _dot_text(say("trigger.terminate", lang))
    for number, (stages, reasons) in enumerate(termination_groups(lang), start=1):
        text = "\\n".join((terminate, *reasons))
        if len(stages) == 1:
            source = stages[0].value
        else:
            source = f"join{number}"
            lines.append(f"    {source} [shape=point];")
            lines.extend(
                f"    {stage.value} -> {source} [arrowhead=none];" for stage in stages
            )
        lines.append(f'    {source} -> termination [label="{text}"];')
    lines.append("}")
    return "\n".join(lines)


@click.group("process", cls=LocalGroup, help="help.process")
def process() -> None:
    """Show the helping process itself."""


@process.command("show", help="help.process.show")
@pass_settings
def show(settings: Settings) -> None:
    """Show the stages, the legal moves and the termination reasons."""
    if settings.as_json:
        settings.emit(process_json())
        return
    for line in process_lines(settings.lang):
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
@pass_settings
def graph(settings: Settings, graph_format: str, case_ref: str | None) -> None:
    """Print the process as a Mermaid or Graphviz graph."""
    current = settings.resolve(case_ref).stage if case_ref else None
    draw = mermaid if graph_format == "mermaid" else dot
    text = draw(settings.lang, current)
    if settings.as_json:
        settings.emit(
            {
                "format": graph_format,
                "current": current.value if current else None,
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
