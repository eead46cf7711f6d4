"""A redaction erases: no readable copy of the redacted text is left behind.

SQLite keeps deleted content in free pages, in the free space inside pages
and in the write-ahead log until it is overwritten; these tests search the
bytes of every file in the database's directory, on a database that goes on
being used after the redaction. PostgreSQL keeps old row versions in its
pages until a vacuum: there the raw pages of the tables are searched
(``pageinspect``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helping_process import Actor
from helping_process import NothingToRedactError
from helping_process import Stage
from helping_process import TerminationReason
from helping_process.persistence import SqlStore
from helping_process.persistence import make_engine
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from tests.conftest import unavailable
from tests.integration._support import plain_connection
from tests.integration._support import plain_engine

WORKER = Actor("worker-1")
SUPERVISOR = Actor("supervisor-1", "supervisor")
#: The personal texts of the case that is redacted, one per place they live.
SECRETS = {
    "client": b"KLIEN-RAHASIA-7731",
    "open note": b"Ibu Siti tinggal di Jl. Mawar 3",
    "record": b"Anaknya Budi perlu sekolah",
    "referral": b"LKS Melati, Pak Joko",
    "termination note": b"Pindah ke rumah kakaknya",
    "reopen note": b"Kembali pada bulan Maret",
}
#: A text of another case, which stays.
KEPT = b"KLIEN-TETAP-0042"


def _secret_case(service: CaseService) -> str:
    """Open a case holding every kind of personal text, end and reopen it."""
    case_id = service.open(
        SECRETS["client"].decode(),
        actor=WORKER,
        note=SECRETS["open note"].decode(),
    ).case_id
    service.add_record_json(
        case_id,
        "engagement",
        engagement_data(request=SECRETS["record"].decode()),
        actor=WORKER,
    )
    service.terminate(
        case_id,
        TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
        actor=WORKER,
        referral_to=SECRETS["referral"].decode(),
        note=SECRETS["termination note"].decode(),
    )
    service.reopen(case_id, actor=WORKER, note=SECRETS["reopen note"].decode())
    return case_id


def _busy_case(service: CaseService, client: str = KEPT.decode()) -> str:
    """Open another case and take it a few steps, with notes."""
    case_id = service.open(client, actor=WORKER, note=f"Catatan {client}").case_id
    service.add_record_json(
        case_id, "engagement", engagement_data(request=f"Minta {client}"), actor=WORKER
    )
    service.move(case_id, Stage.INTAKE, actor=WORKER)
    service.add_record_json(case_id, "intake", intake_data(), actor=WORKER)
    return case_id


def _found(folder: Path) -> dict[str, list[str]]:
    """Which secret texts each file of ``folder`` holds, by file name."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.iterdir()):
        content = path.read_bytes()
        names = [name for name, secret in SECRETS.items() if secret in content]
        if KEPT in content:
            names.append("kept")
        found[path.name] = names
    return found


def _anywhere(found: dict[str, list[str]]) -> set[str]:
    return {name for names in found.values() for name in names}


class TestSqliteErasure:
    def test_no_file_holds_the_redacted_text_while_the_database_goes_on(
        self, tmp_path, clock
    ):
        """Before, the texts are in the files; after, in none, with more work done."""
        folder = tmp_path / "data"
        folder.mkdir()
        url = f"sqlite:///{folder / 'cases.db'}"
        store = SqlStore.from_url(url)
        service = CaseService(store, clock=clock)
        case_id = _secret_case(service)
        for number in range(30):
            _busy_case(service, f"KLIEN-LAIN-{number:04d}")
        _busy_case(service)
        before = _anywhere(_found(folder))

        service.redact(case_id, actor=SUPERVISOR, note="UU 27/2022 Pasal 8")
        for number in range(30, 60):
            _busy_case(service, f"KLIEN-LAIN-{number:04d}")
        service.add_record_json(
            case_id, "engagement", engagement_data(request="Baru"), actor=WORKER
        )
        store.dispose()
        reopened = CaseService(SqlStore.from_url(url), clock=clock)
        _busy_case(reopened, "KLIEN-SETELAH-0001")
        reopened.move(case_id, Stage.INTAKE, actor=WORKER)
        after = _found(folder)
        findings = reopened.verify()
        reopened.store.dispose()  # type: ignore[attr-defined]

        assert before == {*SECRETS, "kept"}
        assert _anywhere(after) == {"kept"}
        assert {"cases.db", "cases.db-wal", "cases.db-shm"} <= set(after)
        assert [(f.case_id, f.seq, f.kind.value) for f in findings] == [
            (case_id, seq, "redacted") for seq in (1, 2, 3, 4)
        ]

    def test_a_database_written_without_secure_delete_is_vacuumed(
        self, tmp_path, clock
    ):
        """Copies an older version left in free space are gone after a redaction."""
        folder = tmp_path / "data"
        folder.mkdir()
        url = f"sqlite:///{folder / 'cases.db'}"
        old = plain_engine(url)
        event.listen(old, "connect", _wal_without_secure_delete)
        old_store = SqlStore(old)
        service = CaseService(old_store, clock=clock)
        case_id = _secret_case(service)
        for number in range(20):
            _busy_case(service, f"KLIEN-LAIN-{number:04d}")
        old_store.dispose()
        with sqlite3.connect(folder / "cases.db") as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        unvacuumed = _anywhere(_found(folder))

        store = SqlStore.from_url(url)
        CaseService(store, clock=clock).redact(case_id, actor=SUPERVISOR, note="UU")
        after = _found(folder)
        with sqlite3.connect(folder / "cases.db") as raw:
            (version,) = raw.execute("PRAGMA user_version").fetchone()
        store.dispose()

        assert unvacuumed == set(SECRETS)
        assert _anywhere(after) == set()
        assert version == 1

    def test_a_reader_is_waited_for(self, tmp_path, clock):
        """The erasure waits for a reader to end its snapshot, then truncates."""
        folder = tmp_path / "data"
        folder.mkdir()
        store = SqlStore.from_url(f"sqlite:///{folder / 'cases.db'}")
        service = CaseService(store, clock=clock)
        case_id = _secret_case(service)
        _busy_case(service)
        reader = _reader(folder / "cases.db")
        threading.Timer(0.3, reader.close).start()

        service.redact(case_id, actor=SUPERVISOR, note="UU 27/2022 Pasal 8")
        pending = store.erase_pending()
        found = _found(folder)
        store.dispose()

        assert pending is False
        assert _anywhere(found) == {"kept"}

    def test_an_erasure_held_up_is_finished_by_the_next_store_to_open(
        self, tmp_path, clock
    ):
        """Redacted in a caller's transaction, the log is truncated at the next open."""
        folder = tmp_path / "data"
        folder.mkdir()
        url = f"sqlite:///{folder / 'cases.db'}"
        store = SqlStore.from_url(url)
        service = CaseService(store, clock=clock)
        case_id = _secret_case(service)
        _busy_case(service)
        store.erase()
        engine = make_engine(url)
        with engine.connect() as connection:
            transaction = connection.begin()
            held = SqlStore(connection, upgrade=False)
            CaseService(held, clock=clock).redact(case_id, actor=SUPERVISOR, note="UU")
            transaction.commit()
        engine.dispose()
        logged = _anywhere(_found(folder))
        pending = store.erase_pending()
        reader = _reader(folder / "cases.db")

        SqlStore.from_url(url).dispose()
        still_pending = store.erase_pending()
        reader.close()
        SqlStore.from_url(url).dispose()
        done = not store.erase_pending()
        found = _found(folder)
        store.dispose()

        assert logged > {"kept"}
        assert (pending, still_pending, done) == (True, True, True)
        assert _anywhere(found) == {"kept"}

    def test_a_caller_who_commits_a_redaction_erases_with_the_store(
        self, tmp_path, clock
    ):
        """In a caller's transaction the redaction waits for erase() after commit."""
        folder = tmp_path / "data"
        folder.mkdir()
        url = f"sqlite:///{folder / 'cases.db'}"
        engine = make_engine(url)
        with engine.connect() as connection:
            transaction = connection.begin()
            held = SqlStore(connection)
            service = CaseService(held, clock=clock)
            case_id = _secret_case(service)
            _busy_case(service)
            service.redact(case_id, actor=SUPERVISOR, note="UU")
            transaction.commit()
            pending = _user_version(folder / "cases.db")
            erased = held.erase()
        found = _found(folder)
        engine.dispose()

        assert (pending, erased, _user_version(folder / "cases.db")) == (2, True, 1)
        assert _anywhere(found) == {"kept"}

    def test_nothing_left_to_redact_is_refused_and_changes_nothing(
        self, sqlite_url, open_store, clock
    ):
        """A second redaction finds nothing to remove and stores nothing."""
        service = CaseService(open_store(sqlite_url), clock=clock)
        case_id = _secret_case(service)
        redacted = service.redact(case_id, actor=SUPERVISOR, note="UU")

        with pytest.raises(NothingToRedactError) as refused:
            service.redact(case_id, actor=SUPERVISOR, note="UU again")

        assert service.get(case_id).seq == redacted.seq
        assert refused.value.case_id == case_id
        assert service.history(case_id)[-1].redacted == (1, 2, 3, 4)


def _user_version(path: Path) -> int:
    """The file's erasure marks: 1 vacuumed, 2 a log truncation pending."""
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
    connection.close()
    return int(version)


def _reader(path: Path) -> sqlite3.Connection:
    """A connection in the middle of a read transaction on ``path``."""
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()
    return reader


def _wal_without_secure_delete(dbapi_connection, record) -> None:
    """Connect as versions before secure_delete did: WAL, nothing else."""
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA secure_delete=OFF")


@pytest.mark.postgres
class TestPostgresErasure:
    def test_the_tables_pages_hold_no_old_version_after_a_redaction(
        self, postgres_url, open_store, clock: FixedClock
    ):
        """The raw pages of personal and cases lose the redacted text."""
        store = open_store(postgres_url)
        service = CaseService(store, clock=clock)
        case_id = _secret_case(service)
        _busy_case(service)
        before = _postgres_pages(postgres_url)

        service.redact(case_id, actor=SUPERVISOR, note="UU 27/2022 Pasal 8")
        _busy_case(service, "KLIEN-SETELAH-0001")
        after = _postgres_pages(postgres_url)
        # Other tests share the server: a transaction of theirs that began
        # before the redaction keeps its old rows until it ends.
        deadline = time.monotonic() + 60
        while any(secret in after for secret in SECRETS.values()):
            assert time.monotonic() < deadline
            time.sleep(0.5)
            assert store.erase()
            after = _postgres_pages(postgres_url)

        assert {name for name, secret in SECRETS.items() if secret in before} == set(
            SECRETS
        )
        assert [name for name, secret in SECRETS.items() if secret in after] == []
        assert KEPT in after


def _postgres_pages(url: str) -> bytes:
    """The raw bytes of every page of the personal and cases tables."""
    with plain_connection(url) as connection:
        try:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
            connection.commit()
        except DBAPIError:
            unavailable("the pageinspect extension is not available")
        schema = connection.execute(
            text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
                " ON n.oid = e.extnamespace WHERE e.extname = 'pageinspect'"
            )
        ).scalar_one()
        pages = []
        for table in ("personal", "cases"):
            count = connection.execute(
                text(f"SELECT pg_relation_size('{table}') / 8192")
            ).scalar_one()
            pages += [
                bytes(
                    connection.execute(
                        text(f'SELECT "{schema}".get_raw_page(:table, {number})'),
                        {"table": table},
                    ).scalar_one()
                )
                for number in range(count)
            ]
    return b"".join(pages)
