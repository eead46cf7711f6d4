"""Fixtures of the command-line tests: a database of the test's own.

Creating a database runs the migrations (half a second), so one migrated
SQLite file is made per session and copied for each test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helping_process.persistence import SqlStore
from tests.cli._support import Cli


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema, to be copied, never written."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    SqlStore.from_url(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_db: Path) -> str:
    """The URL of a fresh, migrated SQLite database of the test's own."""
    path = tmp_path / "cases.db"
    shutil.copyfile(migrated_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    """The command line on the test's database, acting as ``worker-1``."""
    return Cli(db_url, tmp_path / "home")
