"""The SQL :class:`~helping_process.tokens.TokenStore`: token hashes in a table.

Every lookup reads the table, so a token revoked through one server process
(or the command line) is refused at once by every other: nothing about
tokens is held in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from helping_process.exceptions import StorageError
from helping_process.persistence._schema import api_tokens
from helping_process.persistence.store import SqlStore
from helping_process.tokens import new_token
from helping_process.tokens import token_hash

#: The lookup of a live token's actor by the token's hash.
_LOOKUP = select(api_tokens.c.actor_id).where(
    api_tokens.c.token_hash == bindparam("digest"),
    api_tokens.c.revoked_at.is_(None),
)


class SqlTokenStore:
    """API tokens in the ``api_tokens`` table of the case database.

    Args:
        target: the case store (lookups then share its connections), or an
            engine, or a connection whose transaction the caller holds.
    """

    def __init__(self, target: SqlStore | Engine | Connection) -> None:
        self._store = target if isinstance(target, SqlStore) else None
        bind = target.bind if isinstance(target, SqlStore) else target
        self.bind = bind
        engine = bind if isinstance(bind, Engine) else bind.engine
        self._lookup = str(_LOOKUP.compile(dialect=engine.dialect))
        self._positional = engine.dialect.positional
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            if isinstance(self.bind, Connection):
                with self.bind.begin_nested():
                    yield self.bind
                return
            with self.bind.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            raise StorageError(str(error).splitlines()[0]) from error

    def issue(self, actor_id: str, *, at: dt.datetime) -> str:
        """Create a token for ``actor_id``; return it (the only time it is seen)."""
        token = new_token()
        with self._transaction() as connection:
            connection.execute(
                insert(api_tokens).values(
                    token_hash=token_hash(token), actor_id=actor_id, issued_at=at
                )
            )
        return token

    def actor_of(self, token: str) -> str | None:
        """Return the actor id a live token speaks for, or None.

        Every request of the API asks this, so it is one prepared query on a
        pooled driver connection, outside any transaction of the store's:
        on SQLite a store transaction takes the write lock at once, which a
        lookup must not wait for.
        """
        digest = token_hash(token)
        parameters = (digest,) if self._positional else {"digest": digest}
        if self._store is not None:
            with self._store.lend() as lent:
                lent.execute(self._lookup, parameters)
                row = lent.fetchone()
            return None if row is None else str(row[0])
        if isinstance(self.bind, Connection):
            with self._transaction() as joined:
                found = joined.execute(_LOOKUP, {"digest": digest}).scalar()
            return None if found is None else str(found)
        connection = self.bind.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self._lookup, parameters)
            row = cursor.fetchone()
            cursor.close()
            connection.rollback()  # ends PostgreSQL's implicit transaction
        except self._dbapi_error as error:
            raise StorageError(str(error).splitlines()[0]) from error
        finally:
            connection.close()
        return None if row is None else str(row[0])

    def revoke(
        self, actor_id: str, *, at: dt.datetime, token: str | None = None
    ) -> int:
        """Revoke the actor's live tokens (or only ``token``); return how many."""
        statement = (
            update(api_tokens)
            .where(api_tokens.c.actor_id == actor_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if token is not None:
            statement = statement.where(api_tokens.c.token_hash == token_hash(token))
        with self._transaction() as connection:
            return int(connection.execute(statement).rowcount)
