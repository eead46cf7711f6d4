"""The words of click, marked so that Babel puts them in our catalog.

click marks its strings with the standard library's ``gettext`` and
``ngettext`` (domain-less, no context). These are its message ids, as in
its source (click 8.2 and later); the Indonesian of each is in the
package's catalog, where a translator edits it. :func:`install` makes
click look its words up there, in the language of the run, so that an
Indonesian help screen or error has no English of click's left in it.
"""

from __future__ import annotations

import sys
from typing import Final

import click

from helping_process._catalog import translations

from ._local import lang_of


def C(message: str) -> str:  # noqa: N802 - a marker Babel extracts
    """Mark one of click's message ids."""
    return message


def CP(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - a marker Babel extracts
    """Mark one of click's plural message ids."""
    return singular, plural


#: Every message id click marks, for the catalog and its completeness test.
CLICK_MESSAGES: Final = (
    C("%(prog)s, version %(version)s"),
    CP("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    CP(
        "Got unexpected extra argument ({args})",
        "Got unexpected extra arguments ({args})",
    ),
    CP(
        "Option {name!r} requires an argument.",
        "Option {name!r} requires {nargs} arguments.",
    ),
    CP(
        "Takes {nargs} values but 1 was given.",
        "Takes {nargs} values but {len} were given.",
    ),
    CP(
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ),
    CP(
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ),
    CP("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    C("(dynamic)"),
    C("Aborted!"),
    C("Argument {name!r} takes {nargs} values."),
    C("Arguments take exactly one parameter declaration, got {length}: {decls}."),
    C("Boolean option {decl!r} cannot use the same flag for true/false."),
    C("Choice({choices})"),
    C("Choose from:\n\t{choices}"),
    C("Commands"),
    C("Confirm the action without prompting."),
    C("Could not determine name for option with declarations {decls!r}"),
    C("Could not open file {filename!r}: {message}"),
    C("Couldn't detect Bash version, shell completion is not supported."),
    C("DeprecationWarning: The command {name!r} is deprecated.{extra_message}"),
    C("DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}"),
    C("Do you want to continue?"),
    C("Error: The two entered values do not match."),
    C("Error: invalid input"),
    C("Error: {message}"),
    C("Invalid start character for option ({option})"),
    C("Invalid value for {param_hint}: {message}"),
    C("Invalid value: {message}"),
    C("Missing argument"),
    C("Missing command."),
    C("Missing option"),
    C("Missing parameter"),
    C("Missing parameter: {param_name}"),
    C("Missing {param_type}"),
    C("Name '{name}' defined twice"),
    C(
        "No options defined but a name was passed ({name}). Did you mean to "
        "declare an argument instead? Did you mean to pass '--{name}'?"
    ),
    C("No such command {name!r}."),
    C("No such option {name!r}."),
    C("Option {name!r} does not take a value."),
    C("Options"),
    C("Positional arguments"),
    C("Press any key to continue..."),
    C("Repeat for confirmation"),
    C("Shell completion is not supported for Bash versions older than 4.4."),
    C("Show the version and exit."),
    C("Show this message and exit."),
    C("Try '{command} {option}' for help."),
    C("Unknown color {colour!r}"),
    C("Unknown standard stream '{name}'"),
    C("Usage:"),
    C("Value must be an iterable."),
    C("Windows error: {error}"),
    C("d"),
    C("default: {default}"),
    C("deprecated"),
    C("directory"),
    C("env var: {var}"),
    C("file"),
    C("path"),
    C("unknown error"),
    C("{editor}: Editing failed"),
    C("{editor}: Editing failed: {e}"),
    C("{name} {filename!r} does not exist."),
    C("{name} {filename!r} is a directory."),
    C("{name} {filename!r} is a file."),
    C("{name} {filename!r} is not executable."),
    C("{name} {filename!r} is not readable."),
    C("{name} {filename!r} is not writable."),
    C("{value!r} is not a valid UUID."),
    C("{value!r} is not a valid boolean. Recognized values: {states}"),
    C("{value!r} is not a valid {number_type}."),
    C("{value} is not in the range {range}."),
)


def _gettext(message: str) -> str:
    """Return a word of click in the run's language (its ``gettext``)."""
    lang = lang_of(click.get_current_context(silent=True))
    return translations(lang).gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    """Return the form of a word of click for ``count`` (its ``ngettext``)."""
    lang = lang_of(click.get_current_context(silent=True))
    return translations(lang).ngettext(singular, plural, count)


def install() -> None:
    """Make click's modules look their words up in our catalog.

    click imported ``gettext`` and ``ngettext`` under its own names when it
    was loaded; each of its modules loaded by now (all but shell
    completion's) gets ours instead.
    """
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        if callable(getattr(module, "_", None)):
            setattr(module, "_", _gettext)  # noqa: B010 - a name click imported
        if callable(getattr(module, "ngettext", None)):
            setattr(module, "ngettext", _ngettext)  # noqa: B010
