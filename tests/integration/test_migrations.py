"""Migrations: old databases upgrade intact, and the schema is what the code expects.

Also the durable-file settings of SQLite: a private file, WAL, synchronous
FULL and foreign keys on every store connection.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from typing import Final

import pytest
from alembic import command
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError

from helping_process import Case
from helping_process import OpenCase
from helping_process import Stage
from helping_process import open_case
from helping_process.audit import GENESIS
from helping_process.audit import seal
from helping_process.persistence import HEAD
from helping_process.persistence import SqlStore
from helping_process.persistence import current_revision
from helping_process.persistence import make_engine
from helping_process.persistence import upgrade
from helping_process.persistence._schema import metadata
from helping_process.persistence.migrate import _alembic_config
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import engagement_data
from tests.integration._support import SUPERVISOR
from tests.integration._support import WORKER
from tests.integration._support import plain_connection
from tests.integration._support import scripted_command
from tests.integration._support import snapshot

#: The append-only triggers each backend has at the head revision.
TRIGGERS: Final = {
    "sqlite": {
        "events_no_update",
        "events_no_delete",
        "personal_redact_only",
        "personal_no_delete",
        "cases_forward_only",
        "cases_no_delete",
        "seals_no_update",
        "seals_no_delete",
        "seal_leaves_no_update",
        "seal_leaves_no_delete",
        "snapshots_no_update",
        "snapshots_no_delete",
        "staff_events_no_update",
        "staff_events_no_delete",
        "access_log_no_update",
        "access_log_no_delete",
        "trail_heads_forward_only",
        "trail_heads_no_delete",
    },
    "postgresql": {
        "events_append_only",
        "events_no_truncate",
        "personal_no_delete",
        "personal_no_truncate",
        "personal_redact_only",
        "cases_no_delete",
        "cases_no_truncate",
        "cases_forward_only",
        "seals_append_only",
        "seals_no_truncate",
        "seal_leaves_append_only",
        "seal_leaves_no_truncate",
        "snapshots_append_only",
        "snapshots_no_truncate",
        "staff_events_append_only",
        "staff_events_no_truncate",
        "access_log_append_only",
        "access_log_no_truncate",
        "trail_heads_forward_only",
        "trail_heads_no_delete",
        "trail_heads_no_truncate",
    },
}


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A library engine on the test's database, disposed afterwards."""
    made = make_engine(store_url)
    yield made
    made.dispose()


def _triggers(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = (
            "SELECT t.tgname FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND NOT t.tgisinternal"
        )
    return set(connection.execute(text(query)).scalars())


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision(connection)


def _open_unpinned(service: CaseService, client: str) -> Case:
    """Open a case as releases before pinning did: no definition named."""
    decision = open_case(
        OpenCase(client=client, note="Referred by the village.", process=None),
        case_id=str(uuid.uuid4()),
        actor=WORKER,
        at=FixedClock()(),
    )
    sealed = seal(decision.event, GENESIS, salt=b"s" * 16)
    service.store.append(decision, sealed)
    # Held, as an opened case is: the old schema has no snapshots to load from.
    service._remember(decision.case, sealed.hash)
    return decision.case


def _fill(service: CaseService) -> list[str]:
    """Three cases in different stages, one of them redacted.

    They are opened unpinned, as the code of the old revisions opened them.
    """
    ids = []
    for client, steps in (("KLIEN-1", 0), ("KLIEN-2", 4), ("KLIEN-3", 9)):
        case = _open_unpinned(service, client)
        while case.seq <= steps:
            case = service.execute(
                case.case_id, scripted_command(case.seq), actor=WORKER
            )
        ids.append(case.case_id)
    service.redact(ids[1], actor=SUPERVISOR, note="UU 27/2022 Pasal 8 request")
    return ids


def _describe(connection: Connection, schema: str | None = None) -> dict[str, Any]:
    """Tables, columns, keys and indexes of a schema, as plain comparable data."""
    inspector = inspect(connection)
    return {
        table: {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(table, schema=schema)
            ],
            "primary_key": inspector.get_pk_constraint(table, schema=schema),
            "foreign_keys": sorted(
                (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(table, schema=schema)
            ),
            "indexes": sorted(
                (index["name"], tuple(index["column_names"]))
                for index in inspector.get_indexes(table, schema=schema)
            ),
        }
        for table in inspector.get_table_names(schema=schema)
        if table != "alembic_version"
    }


def _schema_of_metadata(url: str, tmp_path: Path) -> dict[str, Any]:
    """The schema ``metadata.create_all`` makes on the same kind of database."""
    if url.startswith("sqlite"):
        with plain_connection(f"sqlite:///{tmp_path / 'metadata.db'}") as connection:
            metadata.create_all(connection)
            return _describe(connection)
    schema = f"m_{uuid.uuid4().hex[:12]}"
    with plain_connection(url) as connection, connection.begin() as transaction:
        # Created and described inside a transaction that is rolled back.
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
        metadata.create_all(connection)
        described = _describe(connection, schema)
        transaction.rollback()
        return described


class TestUpgrade:
    def test_an_old_database_upgrades_with_its_data_intact(self, engine, store_url):
        """Cases stored at revision 0001 are unchanged by the upgrade and verify."""
        upgrade(engine, "0001")
        old = CaseService(SqlStore(engine, upgrade=False), clock=FixedClock())
        ids = _fill(old)
        before = snapshot(store_url)

        previous = upgrade(engine)

        assert (previous, _revision(engine)) == ("0001", HEAD)
        assert snapshot(store_url) == before
        service = CaseService(SqlStore(engine), clock=FixedClock())
        assert not any(finding.is_tampering for finding in service.verify())
        assert [service.get(case_id).seq for case_id in ids] == [1, 6, 10]

    def test_an_old_database_gains_the_triggers(self, engine):
        """Revision 0001 has no triggers; after the upgrade they guard old rows too."""
        upgrade(engine, "0001")
        with engine.connect() as connection:
            at_0001 = _triggers(connection)
        _fill(CaseService(SqlStore(engine, upgrade=False), clock=FixedClock()))

        upgrade(engine)

        with engine.connect() as connection:
            at_head = _triggers(connection)
        assert at_0001 == set()
        assert TRIGGERS[engine.dialect.name] <= at_head

    def test_old_rows_are_append_only_after_the_upgrade(self, engine, store_url):
        """An UPDATE of an event stored before the upgrade is refused afterwards."""
        upgrade(engine, "0001")
        _fill(CaseService(SqlStore(engine, upgrade=False), clock=FixedClock()))
        upgrade(engine)
        before = snapshot(store_url)

        with (
            plain_connection(store_url) as connection,
            pytest.raises(DBAPIError, match="helping_process"),
        ):
            connection.execute(text("UPDATE events SET actor_id = 'mallory'"))

        assert snapshot(store_url) == before

    def test_new_commands_work_after_the_upgrade(self, engine):
        """An upgraded database takes new commands on old and new cases."""
        upgrade(engine, "0001")
        ids = _fill(CaseService(SqlStore(engine, upgrade=False), clock=FixedClock()))
        service = CaseService(SqlStore(engine), clock=FixedClock())

        moved = service.add_record_json(
            ids[0], "engagement", engagement_data(), actor=WORKER
        )
        moved = service.move(ids[0], Stage.INTAKE, actor=WORKER)
        fresh = service.open("KLIEN-4", actor=WORKER)

        assert (moved.seq, moved.stage) == (3, Stage.INTAKE)
        assert service.get(fresh.case_id).seq == 1
        assert not any(finding.is_tampering for finding in service.verify())

    def test_revisions_apply_one_by_one(self, engine):
        """Each revision can be reached in turn, ending at the head."""
        reached = []

        for revision in ("0001", "0002", "head"):
            upgrade(engine, revision)
            reached.append(_revision(engine))

        assert reached == ["0001", "0002", HEAD]

    def test_upgrading_an_up_to_date_database_changes_nothing(self, engine, store_url):
        """Upgrading at the head again is a no-op: same revision, schema and rows."""
        service = CaseService(SqlStore(engine), clock=FixedClock())
        _fill(service)
        with engine.connect() as connection:
            schema_before = _describe(connection)
            triggers_before = _triggers(connection)
        before = snapshot(store_url)

        previous = upgrade(engine)
        SqlStore(engine)

        with engine.connect() as connection:
            assert _describe(connection) == schema_before
            assert _triggers(connection) == triggers_before
        assert (previous, _revision(engine)) == (HEAD, HEAD)
        assert snapshot(store_url) == before

    def test_opening_an_up_to_date_database_does_not_load_alembic(
        self, engine, store_url
    ):
        """A store opened on a database at the head never imports Alembic."""
        SqlStore(engine)
        script = (
            "import sys\n"
            "from helping_process.persistence import SqlStore\n"
            f"SqlStore.from_url({store_url!r}).dispose()\n"
            "print('alembic' in sys.modules)\n"
        )

        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

        assert (result.returncode, result.stdout, result.stderr) == (0, "False\n", "")

    def test_stores_opened_at_once_migrate_once(self, store_url, open_store):
        """Eight stores opening a new database together all end at the head."""
        with ThreadPoolExecutor(max_workers=8) as executor:
            stores = list(executor.map(lambda _: open_store(store_url), range(8)))

        service = CaseService(stores[0], clock=FixedClock())
        case = service.open("KLIEN-1", actor=WORKER)

        assert CaseService(stores[-1]).get(case.case_id).seq == 1
        with plain_connection(store_url) as connection:
            assert current_revision(connection) == HEAD
            versions = connection.execute(text("SELECT * FROM alembic_version")).all()
        assert versions == [(HEAD,)]

    def test_new_files_opened_at_once_switch_to_wal_every_time(
        self, tmp_path: Path, open_store
    ):
        """Eight stores creating one new file together never find it locked.

        SQLite refuses a switch to WAL at once, without waiting, when another
        connection is switching too; that happened in about one round in
        twenty before the switch was retried. Twenty rounds, a new file each.
        """
        for round_ in range(20):
            url = f"sqlite:///{tmp_path / f'new-{round_}.db'}"
            with ThreadPoolExecutor(max_workers=8) as executor:
                stores = list(
                    executor.map(lambda _, url=url: open_store(url), range(8))
                )

            assert len(stores) == 8
            with plain_connection(url) as connection:
                mode = connection.execute(text("PRAGMA journal_mode")).scalar()
            assert mode == "wal"


class TestPersonalClustered:
    """Revision 0013: SQLite keeps personal data clustered by its event's key."""

    @pytest.fixture
    def sqlite_engine(self, sqlite_url: str) -> Iterator[Engine]:
        """A library engine on the test's SQLite file, disposed afterwards."""
        made = make_engine(sqlite_url)
        yield made
        made.dispose()

    @staticmethod
    def _without_rowid(engine: Engine) -> bool:
        with engine.connect() as connection:
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'personal'")
            ).scalar_one()
        return "WITHOUT ROWID" in sql.upper()

    def test_a_new_database_has_it(self, sqlite_engine):
        """A database made at the head has a personal table without rowid."""
        SqlStore(sqlite_engine)

        assert self._without_rowid(sqlite_engine)

    def test_an_old_database_is_rebuilt_with_its_rows_and_guards(
        self, sqlite_engine, sqlite_url
    ):
        """Revision 0012's rowid table becomes clustered, same rows, same triggers."""
        upgrade(sqlite_engine, "0012")
        _fill(CaseService(SqlStore(sqlite_engine, upgrade=False), clock=FixedClock()))
        before = snapshot(sqlite_url)
        clustered_before = self._without_rowid(sqlite_engine)

        assert upgrade(sqlite_engine) == "0012"

        assert (clustered_before, self._without_rowid(sqlite_engine)) == (False, True)
        assert snapshot(sqlite_url) == before
        with sqlite_engine.connect() as connection:
            assert TRIGGERS["sqlite"] <= _triggers(connection)
        for statement in (
            "UPDATE personal SET data = x'00' WHERE data IS NULL",
            "DELETE FROM personal",
        ):
            with (
                plain_connection(sqlite_url) as connection,
                pytest.raises(DBAPIError, match="can only be redacted"),
            ):
                connection.execute(text(statement))
        assert snapshot(sqlite_url) == before
        service = CaseService(SqlStore(sqlite_engine), clock=FixedClock())
        assert not any(finding.is_tampering for finding in service.verify())

    def test_personal_data_of_no_event_is_kept_where_it_is(
        self, sqlite_engine, sqlite_path, sqlite_url
    ):
        """A forged row no event owns fails no upgrade: the table stays as it was."""
        upgrade(sqlite_engine, "0012")
        _fill(CaseService(SqlStore(sqlite_engine, upgrade=False), clock=FixedClock()))
        forger = sqlite3.connect(sqlite_path)  # foreign keys off, as sqlite3 opens
        forger.execute("INSERT INTO personal VALUES ('no-such-case', 1, x'7b7d', NULL)")
        forger.commit()
        forger.close()
        before = snapshot(sqlite_url)

        assert upgrade(sqlite_engine) == "0012"

        assert (_revision(sqlite_engine), self._without_rowid(sqlite_engine)) == (
            HEAD,
            False,
        )
        assert snapshot(sqlite_url) == before
        service = CaseService(SqlStore(sqlite_engine), clock=FixedClock())
        assert [
            (finding.case_id, finding.seq, finding.cause)
            for finding in service.verify()
            if finding.is_tampering
        ] == [("no-such-case", 1, "finding.personal_without_event")]

    def test_the_downgrade_makes_a_rowid_table_again(self, sqlite_engine, sqlite_url):
        """Down to 0012 and up again: the rows stay, the layout follows."""
        SqlStore(sqlite_engine)
        _fill(CaseService(SqlStore(sqlite_engine), clock=FixedClock()))
        before = snapshot(sqlite_url)
        with sqlite_engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0012")
        down = self._without_rowid(sqlite_engine)
        upgrade(sqlite_engine)

        assert (down, self._without_rowid(sqlite_engine)) == (False, True)
        assert snapshot(sqlite_url) == before


class TestSchema:
    def test_the_migrated_schema_matches_the_metadata(
        self, engine, store_url, tmp_path
    ):
        """Migrations make exactly the tables, columns, keys and indexes of _schema."""
        upgrade(engine)

        with engine.connect() as connection:
            migrated = _describe(connection)
        expected = _schema_of_metadata(store_url, tmp_path)

        assert sorted(migrated) == sorted(metadata.tables)
        assert migrated == expected


class TestSqliteFile:
    def _store(self, sqlite_url: str, open_store: Callable[..., SqlStore]) -> SqlStore:
        store = open_store(sqlite_url)
        CaseService(store, clock=FixedClock()).open("KLIEN-1", actor=WORKER)
        return store

    def test_the_files_are_private(self, sqlite_path, sqlite_url, open_store):
        """The database file and its WAL companions are readable by the owner only."""
        self._store(sqlite_url, open_store)

        modes = {
            path.name: stat.S_IMODE(os.stat(path).st_mode)
            for path in sqlite_path.parent.iterdir()
            if path.name.startswith(sqlite_path.name)
        }

        assert modes == {
            "cases.db": 0o600,
            "cases.db-wal": 0o600,
            "cases.db-shm": 0o600,
        }

    def test_store_connections_are_durable(self, sqlite_url, open_store):
        """Every store connection runs WAL, synchronous FULL and foreign keys."""
        store = self._store(sqlite_url, open_store)
        assert isinstance(store.bind, Engine)

        with store.bind.connect() as connection:
            pragmas = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys")
            }

        assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}

    def test_foreign_keys_are_enforced(self, sqlite_url, open_store):
        """An event for a case that does not exist is refused by the database."""
        store = self._store(sqlite_url, open_store)
        assert isinstance(store.bind, Engine)

        with store.bind.connect() as connection:
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            with pytest.raises(IntegrityError, match="FOREIGN KEY"):
                connection.exec_driver_sql(
                    "INSERT INTO personal (case_id, seq, data)"
                    " VALUES ('no-such-case', 1, x'00')"
                )

        assert violations == []
