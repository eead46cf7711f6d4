"""Words in Indonesian, read from the gettext catalogs shipped with the package.

English is written in the source and is the message id (``msgid``); every
entry carries a context (``msgctxt``: its message id or ``namespace.code``),
so the same English words can be translated apart where Indonesian needs
it. The translations live in ``locale/id/LC_MESSAGES/helping_process.po``,
compiled to ``helping_process.mo``: a translator edits the ``.po`` file (with
Poedit, Weblate or a text editor), never Python. ``docs/translating.md``
gives the Babel commands that extract, update and compile the catalogs.

Plurals go through ``npgettext``: the English singular and plural are both
msgids, and a language gives as many forms as its ``Plural-Forms`` header
says (Indonesian: one).

Nothing is read at import: a catalog is opened on first use and kept.
"""

from __future__ import annotations

import functools
import gettext
import os.path
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Final
from typing import NamedTuple

#: The gettext domain of the package's messages.
DOMAIN: Final = "helping_process"
#: Where the compiled catalogs are: ``<lang>/LC_MESSAGES/<domain>.mo``.
LOCALE_DIR: Final = os.path.join(os.path.dirname(__file__), "locale")


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """Return the translations into ``lang`` (English: the message ids as they are).

    A language without a catalog falls back to English rather than failing.
    """
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


class Plural(NamedTuple):
    """A message with an English singular and plural, chosen by a number.

    Attributes:
        singular: the English for exactly one.
        plural: the English for any other number.
        number: the name of the parameter holding the number.
    """

    singular: str
    plural: str
    number: str


def M(context: str, english: str) -> tuple[str, str]:  # noqa: N802 - a marker Babel extracts
    """Mark a message: its id (the gettext context) and its English text."""
    return context, english


def L(context: str, english: str) -> tuple[str, str]:  # noqa: N802 - a marker Babel extracts
    """Mark a label: ``namespace.code`` (the gettext context) and its English."""
    return context, english


def P(  # noqa: N802 - a marker Babel extracts
    context: str, singular: str, plural: str, count: str
) -> tuple[str, Plural]:
    """Mark a message with plural forms, chosen by the parameter ``count``."""
    return context, Plural(singular, plural, count)


class Messages(Mapping[str, tuple[str, str]]):
    """Message templates by id: English from the source, Indonesian from the catalog.

    As a mapping, each id gives its ``(english, indonesian)`` pair (for a
    plural message, the forms for a number other than one).
    """

    def __init__(self, *entries: tuple[str, str | Plural]) -> None:
        self._entries: dict[str, str | Plural] = dict(entries)

    def __getitem__(self, key: str) -> tuple[str, str]:
        entry = self._entries[key]
        if isinstance(entry, Plural):
            indonesian = translations("id").npgettext(
                key, entry.singular, entry.plural, 2
            )
            return entry.plural, indonesian
        return entry, translations("id").pgettext(key, entry)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, key: str) -> str | Plural:
        """Return a message's English: its text, or its plural forms."""
        return self._entries[key]

    def template(self, key: str, lang: str, params: Mapping[str, object]) -> str:
        """Return the template of ``key`` in ``lang``, in the form its count needs.

        Raises:
            KeyError: no message has that id.
        """
        entry = self._entries[key]
        if isinstance(entry, Plural):
            count = params.get(entry.number)
            number = count if isinstance(count, int) else 2
            return translations(lang).npgettext(
                key, entry.singular, entry.plural, number
            )
        return translations(lang).pgettext(key, entry)


class Labels:
    """Every code's label by namespace: English here, Indonesian in the catalog."""

    def __init__(self, *entries: tuple[str, str]) -> None:
        self._english: dict[str, dict[str, str]] = {}
        for context, english in entries:
            namespace, _, code = context.partition(".")
            self._english.setdefault(namespace, {})[code] = english

    def __getitem__(self, namespace: str) -> Mapping[str, tuple[str, str]]:
        """Return the ``(english, indonesian)`` label of each code of a namespace."""
        return {
            code: (english, self.label(namespace, code, "id") or english)
            for code, english in self._english[namespace].items()
        }

    def __iter__(self) -> Iterator[str]:
        return iter(self._english)

    def label(self, namespace: str, code: str, lang: str) -> str | None:
        """Return the label of a code in ``lang``, or None when it has none.

        Raises:
            KeyError: no such namespace.
        """
        english = self._english[namespace].get(code)
        if english is None:
            return None
        return translations(lang).pgettext(f"{namespace}.{code}", english)

    def codes(self, namespace: str) -> tuple[str, ...]:
        """Return every code that has a label in ``namespace``."""
        return tuple(self._english[namespace])
