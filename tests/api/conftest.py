"""Fixtures of the HTTP suite: the app on a real database, a token, a client.

The databases are the integration suite's: a SQLite file in ``tmp_path``,
and PostgreSQL (a schema of its own) when its URL is set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from helping_process.http import create_app
from helping_process.persistence import SqlStore
from helping_process.persistence import SqlTokenStore
from tests.integration.conftest import open_store
from tests.integration.conftest import postgres_url
from tests.integration.conftest import sqlite_path
from tests.integration.conftest import sqlite_url
from tests.integration.conftest import store_url

__all__ = ["open_store", "postgres_url", "sqlite_path", "sqlite_url", "store_url"]

#: The staff member the tests' token speaks for.
MEMBER = "peksos-17"

ENGAGEMENT = {
    "first_contact_on": "2026-11-20",
    "request": "A safe place to stay",
    "referral_source": "family",
}


@pytest.fixture
def store(store_url: str, open_store: Any) -> SqlStore:
    """The store of the test's database."""
    result: SqlStore = open_store(store_url)
    return result


@pytest.fixture
def token(store: SqlStore) -> str:
    """A live API token of :data:`MEMBER`."""
    return SqlTokenStore(store.bind).issue(MEMBER, at=dt.datetime.now(dt.UTC))


@pytest.fixture
def app(store: SqlStore) -> Litestar:
    """The application on the test's database."""
    return create_app(store)


@pytest.fixture
def client(app: Litestar, token: str) -> Iterator[TestClient[Litestar]]:
    """A client of the application that sends the token with every request."""
    with TestClient(app) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client
