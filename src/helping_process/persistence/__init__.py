"""Persistence on SQLAlchemy: the audit store, its engines and migrations.

The only package that imports SQLAlchemy (and Alembic). SQLite is the
default; PostgreSQL is used through ``postgresql+psycopg://`` URLs with the
``postgres`` extra installed.

>>> from helping_process.persistence import SqlStore
>>> from helping_process.service import CaseService
>>> service = CaseService(SqlStore.from_url("sqlite:///cases.db"))  # doctest: +SKIP
"""

from __future__ import annotations

from helping_process.persistence._engine import make_engine
from helping_process.persistence.migrate import HEAD
from helping_process.persistence.migrate import current_revision
from helping_process.persistence.migrate import upgrade
from helping_process.persistence.staff import SqlStaffStore
from helping_process.persistence.store import SqlStore
from helping_process.persistence.store import SqlUnitOfWork
from helping_process.persistence.tokens import SqlTokenStore

__all__ = [
    "HEAD",
    "SqlStaffStore",
    "SqlStore",
    "SqlTokenStore",
    "SqlUnitOfWork",
    "current_revision",
    "make_engine",
    "upgrade",
]
