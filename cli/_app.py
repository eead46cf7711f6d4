"""The ``helping-process`` command group, its global options and ``info``.

:class:`App` is where every error is turned into one clear line and an exit
code (see :mod:`._errors`); the commands themselves just raise.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import Any
from typing import Final

import click

from helping_process.labels import LANGUAGES
from helping_process.labels import Language

from ._click_words import install as install_click_words
from ._errors import translate
from ._local import LANG_META
from ._local import CodeType
from ._local import LazyGroup
from ._local import LocalGroup
from ._local import lang_of
from ._local import option
from ._messages import detect_language
from ._settings import Settings
from ._settings import data_dir
from ._settings import pass_settings

# click's own words (Usage, Options, Error, ...) in the run's language.
install_click_words()


def _guess(args: Sequence[str]) -> tuple[Language, bool]:
    """Read ``--lang`` and ``--json`` from raw arguments, before parsing works."""
    lang: Language = detect_language(os.environ)
    for index, arg in enumerate(args):
        value = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        for code in LANGUAGES:
            if value == code:
                lang = code
    return lang, "--json" in args


#: The commands imported only when used: module, attribute, short help.
COMMANDS: Final = {
    "audit": ("._audit", "audit", "help.audit.short"),
    "case": ("._case", "case", "help.case"),
    "demo": ("._demo", "demo", "help.demo.short"),
    "process": ("._process", "process", "help.process"),
    "serve": ("._serve", "serve", "help.serve.short"),
    "staff": ("._staff", "staff", "help.staff"),
}

#: Commands kept for older scripts: imported when used, never listed.
HIDDEN: Final = {
    "verify": ("._audit", "verify_alias"),
}


class App(LazyGroup):
    """The root group: turns every error into one line and an exit code."""

    group_class = LocalGroup

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return a command, importing a hidden one the first time it is used."""
        if cmd_name in HIDDEN and cmd_name not in self.commands:
            module_name, attribute = HIDDEN[cmd_name]
            command = getattr(
                importlib.import_module(module_name, __package__), attribute
            )
            assert isinstance(command, click.Command)  # noqa: S101 - by construction
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the global options; a bad one is reported like any error."""
        given = list(args)  # parsing consumes the list
        try:
            return super().make_context(info_name, args, parent, **extra)
        except Exception as error:
            lang, as_json = _guess(given)
            raise translate(error, lang, as_json=as_json, debug=False) from error

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report its error in the chosen language."""
        try:
            return super().invoke(ctx)
        except (Exception, KeyboardInterrupt) as error:
            settings = ctx.obj if isinstance(ctx.obj, Settings) else None
            lang = settings.lang if settings else lang_of(ctx)
            as_json = settings.as_json if settings else False
            debug = settings.debug if settings else False
            raised = translate(error, lang, as_json=as_json, debug=debug)
            if raised is error:
                raise
            raise raised from error


#: The label of each line ``info`` prints.
_INFO_LABELS: Final = {
    "version": "info.version",
    "database": "info.database",
    "data_dir": "info.data_dir",
    "language": "info.language",
    "actor": "info.actor",
    "role": "info.role",
    "default_process": "info.default_process",
    "actors": "info.actors",
}


def _remember_lang(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep the language as soon as it is parsed, for help screens."""
    if isinstance(value, str):
        ctx.meta[LANG_META] = value
    return value


@click.group(
    name="helping-process",
    cls=App,
    lazy=COMMANDS,
    help="help.main",
    epilog="help.main.epilog",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80},
)
# Resolved when asked for: importlib.metadata is too slow for every start-up.
@click.version_option(
    None, "--version", package_name="helping-process", prog_name="helping-process"
)
@option("--db", metavar="URL", envvar=["HELPING_PROCESS_DB"], help="opt.db")
@option("--actor", metavar="ID", envvar="HELPING_PROCESS_ACTOR", help="opt.actor")
@option(
    "--role",
    type=CodeType(("worker", "supervisor"), "role", "actor_role"),
    default=None,
    help="opt.role",
)
@option(
    "--lang",
    type=CodeType(LANGUAGES, "lang"),
    envvar="HELPING_PROCESS_LANG",
    is_eager=True,
    callback=_remember_lang,
    help="opt.lang",
)
@option(
    "--default-process",
    metavar="REF",
    envvar="HELPING_PROCESS_DEFAULT_PROCESS",
    help="opt.default_process",
)
@option("--json", "as_json", is_flag=True, help="opt.json")
@option("--debug", is_flag=True, help="opt.debug")
@click.pass_context
def main(  # noqa: PLR0913 - one parameter per global option
    ctx: click.Context,
    *,
    db: str | None,
    actor: str | None,
    role: str | None,
    lang: str | None,
    default_process: str | None,
    as_json: bool,
    debug: bool,
) -> None:
    """Run social-work cases through the helping process, with an audit trail."""
    chosen = lang_of(ctx)
    ctx.meta[LANG_META] = chosen
    settings = Settings(
        db=db,
        actor_id=actor,
        role=role,
        lang=chosen,
        as_json=as_json,
        debug=debug,
        default_process=default_process,
    )
    ctx.obj = settings
    ctx.call_on_close(settings.close)


def _default_ref() -> str:
    from helping_process.definitions import DEFAULT_REF  # noqa: PLC0415 - on use

    return DEFAULT_REF


def _roster_state(settings: Settings) -> tuple[bool, int]:
    """Whether actors are checked, and how many members are active.

    A SQLite file that does not exist yet has no roster: ``info`` creates
    no database to say so.
    """
    url = settings.database_url
    if url.startswith("sqlite:///") and not os.path.exists(
        url.removeprefix("sqlite:///")
    ):
        return False, 0
    staff_store = settings.service().staff
    if staff_store is None:
        return False, 0
    roster = staff_store.roster()
    active = sum(member.active for member in roster.members.values())
    return not roster.is_empty, active


@main.command("info", help="help.info", short_help="help.info.short")
@pass_settings
def info(settings: Settings) -> None:
    """Show the version, the database, the data directory and who acts."""
    from helping_process import __version__  # noqa: PLC0415 - importlib.metadata

    data = {
        "version": __version__,
        "database": settings.database_url,
        "data_dir": str(data_dir()),
        "language": settings.lang,
        "actor": settings.actor_name,
        "role": settings.role or "worker",
        "default_process": settings.default_process or _default_ref(),
    }
    checked, active = _roster_state(settings)
    if settings.as_json:
        settings.emit({**data, "actors_checked": checked, "active_staff": active})
        return
    for key, value in data.items():
        settings.echo(f"{settings.say(_INFO_LABELS[key]):<14} {value}")
    actors = (
        settings.say("info.actors.checked", count=active)
        if checked
        else settings.say("info.actors.unchecked")
    )
    settings.echo(f"{settings.say(_INFO_LABELS['actors']):<14} {actors}")
