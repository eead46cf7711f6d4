"""Bad input at the store's boundary: a clear library error, and nothing stored.

Malformed records, unknown codes, oversized or invalid text and unusable
database URLs each raise a :class:`HelpingProcessError` that names the
problem; text that is merely unusual (SQL-looking, non-ASCII) is valid and
stored byte for byte.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from helping_process import Actor
from helping_process import DriverMissingError
from helping_process import HelpingProcessError
from helping_process import InvalidInputError
from helping_process import RecordInvalidError
from helping_process import Stage
from helping_process import StorageError
from helping_process import TerminationReason
from helping_process import UnknownCaseError
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import plan_data
from tests.integration._support import WORKER
from tests.integration._support import count_rows
from tests.integration._support import request_of
from tests.integration._support import snapshot

LONG = "x" * 10_001
SURROGATE = "before \ud800 after"
NUL = "before \x00 after"
SQL = "'); DROP TABLE events; --"
#: Valid text that has broken naive code before.
ODD_TEXTS = [
    SQL,
    "Robert'); DELETE FROM personal WHERE ('1'='1",
    '" OR 1=1 --',
    "%s %(case_id)s ? :seq $1",
    "Ibu Sri Rahayu — ꦱꦿꦶ (Jawa), 日本語, emoji 🙂",
    "right-to-left \u202e override",
    "tab\tnewline\nreturn\r end",
    "\\x00 is only a backslash",
]


def _engagement_case(service: CaseService) -> str:
    return service.open("KLIEN-001", actor=WORKER, note="First contact.").case_id


#: Malformed records: kind, data, and the (field, problem) the error names.
MALFORMED: list[tuple[str, Any, tuple[str, str]]] = [
    (
        "engagement",
        {"request": "x", "referral_source": "s"},
        ("first_contact_on", "missing"),
    ),
    (
        "engagement",
        engagement_data(referral_source="martian"),
        ("referral_source", "unknown_code"),
    ),
    (
        "engagement",
        engagement_data(first_contact_on="2025-13-01"),
        ("first_contact_on", "not_date"),
    ),
    ("engagement", engagement_data(request=42), ("request", "not_text")),
    ("engagement", engagement_data(request="   "), ("request", "blank")),
    ("engagement", engagement_data(shoe_size=44), ("shoe_size", "unknown_field")),
    ("engagement", ["not", "an", "object"], ("", "not_object")),
    ("engagement", None, ("", "not_object")),
    ("contract", contract_data(consensual="yes"), ("consensual", "not_bool")),
    ("contract", contract_data("tertiary"), ("kind", "unknown_code")),
    ("contract", contract_data(valid_until="31/12/2025"), ("valid_until", "not_date")),
    ("plan", plan_data(goals=[{"id": "g1"}]), ("goals[0].statement", "missing")),
]


class TestMalformedRecords:
    @pytest.mark.parametrize(
        ("kind", "data", "expected"),
        MALFORMED,
        ids=[
            f"{kind}-{type(data).__name__}-{'-'.join(expected)}"
            for kind, data, expected in MALFORMED
        ],
    )
    def test_a_malformed_record_is_rejected_and_nothing_stored(
        self, service, store_url, kind, data, expected
    ):
        """A malformed record raises an error naming its field; nothing stored."""
        case_id = _engagement_case(service)
        before = snapshot(store_url)

        with pytest.raises(RecordInvalidError) as raised:
            service.add_record_json(case_id, kind, data, actor=WORKER)

        error = raised.value
        assert (error.kind, error.field, error.problem) == (kind, *expected)
        assert snapshot(store_url) == before


#: Commands with an unknown code, and the field the error names. The codes
#: are plain strings on purpose, which the typed API rejects (hence the ignores).
UNKNOWN_CODES: dict[str, tuple[Callable[[CaseService, str], object], str]] = {
    "record_kind": (
        lambda s, c: s.add_record_json(c, "diary", {}, actor=WORKER),
        "kind",
    ),
    "sql_record_kind": (
        lambda s, c: s.add_record_json(c, SQL, {}, actor=WORKER),
        "kind",
    ),
    "stage": (
        lambda s, c: s.move(c, "nowhere", actor=WORKER),  # type: ignore[arg-type]
        "stage",
    ),
    "reason": (
        lambda s, c: s.terminate(c, "bored", actor=WORKER, note="x"),  # type: ignore[arg-type]
        "reason",
    ),
    "sub_reason": (
        lambda s, c: s.terminate(
            c,
            TerminationReason.CLIENT_DISLIKES_WORKER,
            sub_reason="tired",  # type: ignore[arg-type]
            actor=WORKER,
            note="x",
        ),
        "sub_reason",
    ),
    "actor_role": (
        lambda s, c: s.move(c, Stage.INTAKE, actor=Actor("w", "king")),
        "role",
    ),
}


class TestUnknownCodes:
    @pytest.mark.parametrize("code", sorted(UNKNOWN_CODES))
    def test_an_unknown_code_is_rejected_and_nothing_stored(
        self, service, store_url, code
    ):
        """An unknown code raises InvalidInputError naming the field; nothing stored."""
        case_id = _engagement_case(service)
        command, field = UNKNOWN_CODES[code]
        before = snapshot(store_url)

        with pytest.raises(InvalidInputError) as raised:
            command(service, case_id)

        assert (raised.value.field, raised.value.problem) == (field, "unknown_code")
        assert snapshot(store_url) == before


#: Where free text enters: how to write it (returning the case written to),
#: how to read it back, and the field an error names.
TEXT_ENTRIES: dict[
    str,
    tuple[
        Callable[[CaseService, str, str], str],
        Callable[[CaseService, str], object],
        str,
    ],
] = {
    "client": (
        lambda s, c, t: s.open(t, actor=WORKER).case_id,
        lambda s, c: s.history(c)[0].client,
        "client",
    ),
    "note": (
        lambda s, c, t: s.open("KLIEN-002", actor=WORKER, note=t).case_id,
        lambda s, c: s.history(c)[0].note,
        "note",
    ),
    "record": (
        lambda s, c, t: (
            s.add_record_json(
                c, "engagement", engagement_data(request=t), actor=WORKER
            ).case_id
        ),
        lambda s, c: request_of(s.history(c)[-1]),
        "request",
    ),
    "actor": (
        lambda s, c, t: (
            s.add_record_json(
                c, "engagement", engagement_data(), actor=Actor(t)
            ).case_id
        ),
        lambda s, c: s.history(c)[-1].actor.id,
        "actor",
    ),
    "referral": (
        lambda s, c, t: (
            s.terminate(
                c,
                TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
                referral_to=t,
                actor=WORKER,
                note="Referred.",
            ).case_id
        ),
        lambda s, c: s.history(c)[-1].referral_to,
        "referral_to",
    ),
}
BAD_TEXTS = {"too_long": LONG, "not_utf8": SURROGATE, "nul_character": NUL}


class TestBadText:
    @pytest.mark.parametrize("entry", sorted(TEXT_ENTRIES))
    @pytest.mark.parametrize("problem", sorted(BAD_TEXTS))
    def test_bad_text_is_rejected_and_nothing_stored(
        self, service, store_url, entry, problem
    ):
        """Oversized, non-UTF-8 or NUL-bearing text is refused; nothing is stored."""
        case_id = _engagement_case(service)
        write, _, field = TEXT_ENTRIES[entry]
        before = snapshot(store_url)

        with pytest.raises(InvalidInputError) as raised:
            write(service, case_id, BAD_TEXTS[problem])

        assert (raised.value.field, raised.value.problem) == (field, problem)
        assert snapshot(store_url) == before
        assert service.verify() == []

    @pytest.mark.parametrize("entry", sorted(TEXT_ENTRIES))
    def test_unusual_valid_text_is_stored_verbatim(
        self, service, store_url, open_store, clock, entry
    ):
        """SQL-looking and non-ASCII text is stored and read back exactly as given."""
        write, read, _ = TEXT_ENTRIES[entry]
        fresh = CaseService(open_store(store_url), clock=clock)
        written = []

        for text in ODD_TEXTS:
            written.append(write(service, _engagement_case(service), text))

        assert [read(fresh, case_id) for case_id in written] == ODD_TEXTS
        assert service.verify() == []


class TestLongestText:
    @pytest.mark.parametrize("entry", sorted(TEXT_ENTRIES))
    def test_the_longest_valid_text_is_stored_on_every_database(
        self, service, store_url, open_store, clock, entry
    ):
        """Text of exactly the 10,000-character limit is accepted and read back."""
        write, read, _ = TEXT_ENTRIES[entry]
        longest = "y" * 10_000

        case_id = write(service, _engagement_case(service), longest)

        fresh = CaseService(open_store(store_url), clock=clock)
        assert read(fresh, case_id) == longest


class TestSqlLookingIds:
    def test_an_sql_looking_case_id_is_an_unknown_case(self, service, store_url):
        """A case id made of SQL finds no case, and changes nothing."""
        _engagement_case(service)
        before = snapshot(store_url)

        with pytest.raises(UnknownCaseError) as raised:
            service.move(SQL, Stage.INTAKE, actor=WORKER)

        assert raised.value.case_id == SQL
        assert snapshot(store_url) == before
        assert count_rows(store_url)["events"] == 1


class TestBadDatabases:
    @pytest.mark.parametrize(
        "url", ["postgresql://u@127.0.0.1/x", "postgresql+psycopg://u@127.0.0.1/x"]
    )
    def test_a_missing_driver_names_the_extra(self, monkeypatch, url):
        """Without psycopg a PostgreSQL URL is a DriverMissingError naming the extra."""
        monkeypatch.setitem(sys.modules, "psycopg", None)

        with pytest.raises(DriverMissingError) as raised:
            SqlStore.from_url(url)

        _assert_plain_library_error(raised.value)
        assert isinstance(raised.value, StorageError)
        assert (raised.value.module, raised.value.extra) == (
            "psycopg",
            "helping-process[postgres]",
        )
        assert "pip install 'helping-process[postgres]'" in raised.value.message("id")

    def test_an_unreachable_server_is_a_storage_error(self):
        """A server that does not answer raises StorageError naming the connection."""
        with pytest.raises(StorageError) as raised:
            SqlStore.from_url("postgresql+psycopg://postgres@127.0.0.1:1/none")

        _assert_plain_library_error(raised.value)
        assert "127.0.0.1" in str(raised.value)
        assert "refused" in str(raised.value).lower()

    @pytest.mark.postgres
    def test_a_missing_postgres_database_is_a_storage_error(self, postgres_url):
        """A database the server does not have raises StorageError naming it."""
        url = make_url(postgres_url).set(database="helping_process_no_such_db")

        with pytest.raises(StorageError) as raised:
            SqlStore.from_url(url.render_as_string(hide_password=False))

        _assert_plain_library_error(raised.value)
        assert "helping_process_no_such_db" in str(raised.value)

    @pytest.mark.parametrize(
        "url",
        [
            "",
            "not a url",
            "sqlite//cases.db",
            "://cases",
            "postgresql://postgres@127.0.0.1:notaport/test",
        ],
    )
    def test_a_malformed_url_is_invalid_input(self, url):
        """A URL that does not parse raises InvalidInputError about database_url."""
        with pytest.raises(InvalidInputError) as raised:
            SqlStore.from_url(url)

        assert raised.value.field == "database_url"
        _assert_plain_library_error(raised.value)

    def test_an_unsupported_database_is_invalid_input(self):
        """A database the library does not support is named in the error."""
        with pytest.raises(InvalidInputError) as raised:
            SqlStore.from_url("mysql://root@127.0.0.1/cases")

        assert (raised.value.field, raised.value.problem, raised.value.value) == (
            "database_url",
            "unsupported_database",
            "mysql",
        )

    def test_a_sqlite_file_in_a_missing_directory_is_a_storage_error(self, tmp_path):
        """A path whose directory does not exist raises StorageError naming the path."""
        path = tmp_path / "missing" / "cases.db"

        with pytest.raises(StorageError) as raised:
            SqlStore.from_url(f"sqlite:///{path}")

        _assert_plain_library_error(raised.value)
        assert str(path) in str(raised.value)
        assert not path.parent.exists()

    def test_a_file_that_is_not_a_database_is_a_storage_error(self, tmp_path):
        """A file of other bytes raises StorageError and is left as it was."""
        path = tmp_path / "notes.db"
        path.write_bytes(b"These are my notes, not a database.\n" * 100)

        with pytest.raises(StorageError) as raised:
            SqlStore.from_url(f"sqlite:///{path}")

        _assert_plain_library_error(raised.value)
        assert "not a database" in str(raised.value)
        assert path.read_bytes() == b"These are my notes, not a database.\n" * 100

    def test_a_directory_is_a_storage_error(self, tmp_path):
        """A path naming a directory raises StorageError."""
        with pytest.raises(StorageError) as raised:
            SqlStore.from_url(f"sqlite:///{tmp_path}")

        _assert_plain_library_error(raised.value)

    def test_a_database_without_the_schema_is_a_storage_error(
        self, store_url, open_store, clock
    ):
        """Commands on a database never migrated raise StorageError."""
        service = CaseService(open_store(store_url, upgrade=False), clock=clock)

        with pytest.raises(StorageError) as raised:
            service.open("KLIEN-001", actor=WORKER)

        _assert_plain_library_error(raised.value)


def _assert_plain_library_error(error: HelpingProcessError) -> None:
    """The error is the library's own, and its message shows no driver internals."""
    assert isinstance(error, HelpingProcessError)
    assert type(error).__module__ == "helping_process.exceptions"
    message = str(error)
    assert "sqlalchemy" not in message.lower()
    assert "Background on this error" not in message
    assert "\n" not in message
    assert message
