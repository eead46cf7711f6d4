"""Click classes and parameter types that speak the chosen language.

Help texts, option descriptions and epilogs are message keys (see
:mod:`._messages`), rendered when the help is shown, so ``--lang id --help``
reads in Indonesian. Codes typed on the command line (stages, reasons, record
kinds) are checked by :class:`CodeType`, which completes them in the shell
and refuses an unknown one with the domain's own
:class:`~helping_process.InvalidInputError`.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import TypeVar

import click

from helping_process import InvalidInputError
from helping_process.labels import LANGUAGES
from helping_process.labels import Language
from helping_process.labels import label

from ._messages import MESSAGES
from ._messages import detect_language
from ._messages import say

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

#: Where the chosen language is kept in the (shared) ``Context.meta``.
LANG_META: Final = "helping_process.lang"

F = TypeVar("F", bound=Callable[..., Any])


def lang_of(ctx: click.Context | None) -> Language:
    """Return the language chosen for this run.

    ``--lang`` is eager, so it is known before any help is shown; without it
    the environment decides (``HELPING_PROCESS_LANG``, then the locale).
    """
    if ctx is not None:
        chosen = ctx.meta.get(LANG_META)
        for lang in LANGUAGES:
            if chosen == lang:
                return lang
    return detect_language(os.environ)


def localize(text: str | None, ctx: click.Context | None) -> str | None:
    """Return the message a help key names, or the text itself."""
    if text is None or text not in MESSAGES:
        return text
    return say(text, lang_of(ctx))


def _short(text: str, limit: int) -> str:
    """The first sentence of a help text, cut to ``limit`` characters."""
    first = text.strip().split("\n\n")[0].replace("\n", " ")
    sentence = first.split(". ")[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rstrip() + "…"


class LocalOption(click.Option):
    """An option whose help text is a message key."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """Return the option's names and its help in the chosen language."""
        original = self.help
        self.help = localize(original, ctx)
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = original


class LocalCommand(click.Command):
    """A command whose help, usage and headings follow the chosen language."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the usage line with a translated prefix."""
        pieces = self.collect_usage_pieces(ctx)
        prefix = say("help.usage", lang_of(ctx)) + " "
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=prefix)

    def format_help_text(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        """Write the command's help text in the chosen language."""
        text = localize(self.help, ctx)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(inspect.cleandoc(text))

    def format_options(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        """Write the options (and, for groups, the commands) section."""
        lang = lang_of(ctx)
        rows = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or isinstance(param, click.Argument):
                continue
            if param is self.get_help_option(ctx):
                record = (record[0], say("help.option.help", lang))
            elif param.name == "version":
                record = (record[0], say("help.option.version", lang))
            rows.append(record)
        if rows:
            with formatter.section(say("help.options", lang)):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the epilog in the chosen language."""
        text = localize(self.epilog, ctx)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(inspect.cleandoc(text))

    def get_short_help_str(self, limit: int = 45) -> str:
        """Return the first sentence of the help, in the chosen language."""
        ctx = click.get_current_context(silent=True)
        text = localize(self.short_help or self.help, ctx)
        return _short(text, limit) if text else ""


class LocalGroup(LocalCommand, click.Group):
    """A group of commands whose help follows the chosen language."""

    command_class: type[click.Command] | None = LocalCommand
    group_class: type[click.Group | type] | None = type

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        """Write the list of commands under a translated heading."""
        names = [
            name
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) and not command.hidden
        ]
        if not names:
            return
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            command = self.get_command(ctx, name)
            assert command is not None  # noqa: S101 - listed just above
            rows.append((name, command.get_short_help_str(limit)))
        with formatter.section(say("help.commands", lang_of(ctx))):
            formatter.write_dl(rows)


class LazyGroup(LocalGroup):
    """A group whose commands are imported only when one of them is used.

    ``helping-process --help`` lists them from their short-help keys alone,
    so the help screen loads none of their modules.

    Args:
        lazy: for each command name, the module (relative to this package)
            that defines it, the attribute holding it, and its short-help key.
    """

    def __init__(
        self, *args: Any, lazy: Mapping[str, tuple[str, str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the names of every command, loaded or not."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return a command, importing its module the first time."""
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module_name, attribute, _ = self.lazy[cmd_name]
            module = importlib.import_module(module_name, __package__)
            command = getattr(module, attribute)
            assert isinstance(command, click.Command)  # noqa: S101 - by construction
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        """List the commands; those not loaded yet by their short-help key."""
        lang = lang_of(ctx)
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy and name not in self.commands:
                text = say(self.lazy[name][2], lang)
                rows.append((name, _short(text, formatter.width - 16)))
            elif (command := self.get_command(ctx, name)) and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 16)))
        with formatter.section(say("help.commands", lang)):
            formatter.write_dl(rows)


def case_argument() -> Callable[[F], F]:
    """Declare the CASE argument: a case id or a unique prefix of one."""
    return click.argument("case_ref", metavar="CASE", type=CaseIdType())


def option(*names: str, **attributes: Any) -> Callable[[F], F]:
    """Declare an option whose ``help`` is a message key."""
    attributes.setdefault("cls", LocalOption)
    return click.option(*names, **attributes)


class CodeType(click.ParamType[str, Any]):
    """A code from a closed list, completed in the shell with its label.

    An unknown code is refused with :class:`InvalidInputError` (bad input,
    exit 2) naming the field, in the chosen language.

    Args:
        codes: the accepted codes, in the order completion offers them.
        field: the name errors give the value (``stage``, ``reason``).
        namespace: the label namespace of the codes, for completion help.
    """

    def __init__(
        self, codes: Sequence[str], field: str, namespace: str | None = None
    ) -> None:
        self.codes = tuple(codes)
        self.field = field
        self.namespace = namespace
        self.name = field

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """Return the code, or refuse a value that is not one."""
        if value in self.codes:
            return str(value)
        raise InvalidInputError(self.field, "unknown_code", value)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        """Offer the codes starting with what was typed, with their labels."""
        from click.shell_completion import CompletionItem  # noqa: PLC0415

        lang = lang_of(ctx)
        return [
            CompletionItem(
                code,
                help=label(self.namespace, code, lang) if self.namespace else None,
            )
            for code in self.codes
            if code.startswith(incomplete)
        ]


class CaseIdType(click.ParamType[str, Any]):
    """A case id or a unique prefix of one, completed from the database."""

    name = "case"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        """Offer the ids of the cases in the database that start as typed."""
        from click.shell_completion import CompletionItem  # noqa: PLC0415

        from helping_process import HelpingProcessError  # noqa: PLC0415

        from ._settings import open_service  # noqa: PLC0415 - only when completing

        url = ctx.find_root().params.get("db")
        try:
            service, close = open_service(url if isinstance(url, str) else None)
        except HelpingProcessError:
            return []
        try:
            return [
                CompletionItem(summary.case_id, help=summary.stage.value)
                for summary in service.cases()
                if summary.case_id.startswith(incomplete)
            ]
        except HelpingProcessError:
            return []
        finally:
            close()
