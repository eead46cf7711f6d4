"""The gettext catalogs: complete, in step with the sources, compiled as shipped.

English is the message id in the source; the Indonesian is in the ``.po``
file a translator edits. These tests fail when a message lacks its
Indonesian, when a translation's placeholders differ from the English,
when the catalog misses a message of the source, and when the committed
``.mo`` is not the compiled ``.po``.
"""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from helping_process import _catalog
from helping_process.cli import _click_words
from helping_process.cli import _messages
from helping_process.labels import label
from helping_process.labels import render

ROOT = Path(__file__).parents[2]
LOCALE = ROOT / "src" / "helping_process" / "locale"
PO = LOCALE / "id" / "LC_MESSAGES" / "helping_process.po"
MO = LOCALE / "id" / "LC_MESSAGES" / "helping_process.mo"
#: The keywords docs/translating.md gives pybabel extract.
KEYWORDS = {
    "M": ((1, "c"), 2),
    "L": ((1, "c"), 2),
    "P": ((1, "c"), 2, 3),
    "C": None,
    "CP": (1, 2),
}


def _catalog_file() -> Any:
    with PO.open("rb") as file:
        return read_po(file)


CATALOG = _catalog_file()
MESSAGES = [message for message in CATALOG if message.id]


def _fields(text: str) -> set[str]:
    """The names a str.format template fills (and %-style placeholders).

    ``a_kind`` is ``kind`` with its English article: a language without
    articles fills ``kind`` instead.
    """
    names = {"kind" if name == "a_kind" else name for name in _names(text)}
    return names | set(re.findall(r"%\(\w+\)s", text))


def _names(text: str) -> set[str]:
    return {
        name
        for _, name, _, _ in string.Formatter().parse(text)
        if name is not None and name != ""
    }


def _extracted() -> set[tuple[str | None, str]]:
    """Every (context, msgid) the sources mark, as pybabel extract finds them."""
    found = set()
    for folder in (ROOT / "src", ROOT / "cli"):
        for _, _, message, _, context in extract_from_dir(
            str(folder),
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
        ):
            singular = message[0] if isinstance(message, tuple) else message
            found.add((context, singular))
    return found


def _id(message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple) else message.id)


class TestCompleteness:
    """Every message has its Indonesian, with the English placeholders."""

    @pytest.mark.parametrize(
        "message", MESSAGES, ids=lambda m: f"{m.context}|{_id(m)[:40]}"
    )
    def test_each_message_is_translated(self, message):
        """A message without Indonesian (or a fuzzy one) fails here."""
        strings = message.string if isinstance(message.string, tuple) else (
            message.string,
        )  # fmt: skip

        assert all(strings), f"{message.context}: {_id(message)!r} has no Indonesian"
        assert not message.fuzzy

    @pytest.mark.parametrize(
        "message", MESSAGES, ids=lambda m: f"{m.context}|{_id(m)[:40]}"
    )
    def test_placeholders_are_the_same(self, message):
        """The Indonesian fills the same placeholders as the English."""
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (
            message.string,
        )  # fmt: skip
        allowed = set().union(*(_fields(text) for text in english))

        for text in strings:
            assert _fields(text) <= allowed, (message.context, text)
        if not isinstance(message.id, tuple):
            assert _fields(strings[0]) == _fields(english[0]), message.context

    def test_indonesian_has_one_plural_form(self):
        """Indonesian marks no plural: one form for every number."""
        assert CATALOG.plural_forms == "nplurals=1; plural=0;"
        plurals = [message for message in MESSAGES if message.pluralizable]
        assert plurals
        assert all(len(message.string) == 1 for message in plurals)

    def test_the_catalog_holds_every_message_of_the_source(self):
        """Each marked message is in the .po, and the .po holds no stale one."""
        in_catalog = {(message.context, _id(message)) for message in MESSAGES}

        assert _extracted() == in_catalog

    def test_every_word_of_click_is_in_the_catalog(self):
        """The message ids of click are all marked, with their Indonesian."""
        marked = {
            message if isinstance(message, str) else message[0]
            for message in _click_words.CLICK_MESSAGES
        }
        in_catalog = {_id(m) for m in MESSAGES if m.context is None}

        assert {"Usage:", "Options", "Show this message and exit."} <= marked
        assert marked == in_catalog


class TestCompiled:
    """The shipped .mo is the compiled .po."""

    def test_the_mo_is_not_older_than_the_po(self):
        """Editing the .po without compiling it fails here."""
        assert MO.stat().st_mtime >= PO.stat().st_mtime - 1

    def test_the_mo_holds_exactly_the_po(self):
        """Every translation of the .po, and nothing else, is in the .mo."""
        with MO.open("rb") as file:
            compiled = gettext.GNUTranslations(file)
        expected: dict[object, str] = {}
        for message in MESSAGES:
            key = _id(message)
            if message.context:
                key = f"{message.context}\x04{key}"
            if message.pluralizable:
                expected[(key, 0)] = message.string[0]
            else:
                expected[key] = message.string

        parsed: dict[object, str] = compiled._catalog  # type: ignore[attr-defined] # what the .mo holds
        assert parsed == {"": parsed[""], **expected}

    def test_the_mo_ships_in_the_package(self):
        """The catalog is read from the package's own locale folder."""
        shipped = Path(_catalog.LOCALE_DIR) / "id" / "LC_MESSAGES" / MO.name

        assert shipped.resolve() == MO.resolve()
        assert _catalog.translations("id").pgettext("stage.intake", "Intake") == (
            "Intake (penerimaan)"
        )


class TestVocabulary:
    """The Indonesian words a worker at a panti uses."""

    def test_the_one_who_acts_is_petugas(self):
        """The acting worker is 'petugas', never 'pelaku' (a perpetrator)."""
        texts = " ".join(
            string for message in MESSAGES for string in _strings(message)
        ).lower()

        assert "pelaku" not in texts
        assert _messages.say("history.actor", "id") == "petugas"

    def test_the_trail_is_tamper_evident_not_tamper_proof(self):
        """No message claims the trail cannot be tampered with."""
        texts = " ".join(s for m in MESSAGES for s in _strings(m)).lower()

        assert "tahan rekayasa" not in texts
        assert "dapat dideteksi" in _messages.say("help.main", "id")

    def test_labels_of_the_second_version(self):
        """Induce and a secondary contract read as the second version has them."""
        assert label("model", "induce", "id") == "Perubahan perlahan-lahan (induce)"
        assert label("contract_kind", "secondary", "id") == "Kontrak tambahan"

    def test_a_record_and_a_note_are_different_words(self):
        """A record is a 'catatan'; a note is a 'keterangan'."""
        record = label("record_kind", "engagement", "id")
        note = label("requirement", "termination.note", "id")

        assert record.startswith("Catatan")
        assert note.startswith("keterangan")
        assert "catatan" not in _messages.say("step.termination_note", "id").lower()

    def test_plurals_follow_the_number(self):
        """English chooses its form by the number; Indonesian has one."""
        one = _messages.say("verify.faults", "en", count=1)
        many = _messages.say("verify.faults", "en", count=3)

        assert one == "The audit trail has 1 finding; see above."
        assert many == "The audit trail has 3 findings; see above."
        assert _messages.say("verify.faults", "id", count=1) == (
            "Jejak audit memiliki 1 temuan; lihat di atas."
        )

    def test_a_message_renders_from_the_catalog(self):
        """A library message reads its Indonesian from the catalog."""
        text = render("error.unknown_case", "id", {"case_id": "c-1"})

        assert text == "Tidak ada kasus dengan id c-1."


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)
