"""Fixtures of the integration suite: real databases, each test its own.

SQLite runs always, on a file in the test's ``tmp_path``. PostgreSQL runs
only when ``HELPING_PROCESS_TEST_POSTGRES_URL`` is set; each test then gets
a schema of its own (through ``search_path`` in the URL), dropped afterwards,
so nothing assumes an empty database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from tests.conftest import unavailable
from tests.integration._support import plain_engine

POSTGRES_ENV = "HELPING_PROCESS_TEST_POSTGRES_URL"


def postgres_base_url() -> str:
    """Return the PostgreSQL URL from the environment, or skip the test."""
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        unavailable(f"PostgreSQL tests need {POSTGRES_ENV}")
    return url


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """The path of the test's SQLite file (not created yet)."""
    return tmp_path / "cases.db"


@pytest.fixture
def sqlite_url(sqlite_path: Path) -> str:
    """A URL of a SQLite file of the test's own."""
    return f"sqlite:///{sqlite_path}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = plain_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The URL of every kind of database the store supports, one per run."""
    url = request.getfixturevalue(f"{request.param}_url")
    assert isinstance(url, str)
    return url


@pytest.fixture
def open_store() -> Iterator[Callable[..., SqlStore]]:
    """Open stores by URL; every one is disposed of when the test ends."""
    opened: list[SqlStore] = []

    def open_(url: str, *, upgrade: bool = True) -> SqlStore:
        store = SqlStore.from_url(url, upgrade=upgrade)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.dispose()


@pytest.fixture
def service(
    store_url: str, open_store: Callable[..., SqlStore], clock: FixedClock
) -> CaseService:
    """A service on the test's database, with a clock standing still."""
    return CaseService(open_store(store_url), clock=clock)
