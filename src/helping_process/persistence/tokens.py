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
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from helping_process.exceptions import StorageError
from helping_process.persistence._schema import api_tokens
from helping_process.tokens import new_token
from helping_process.tokens import token_hash


class SqlTokenStore:
    """API tokens in the ``api_tokens`` table of the case database.

    Args:
        bind: the engine of the store (or a connection whose transaction
            the caller holds).
    """

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind

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
        """Return the actor id a live token speaks for, or None."""
        statement = select(api_tokens.c.actor_id).where(
            api_tokens.c.token_hash == token_hash(token),
            api_tokens.c.revoked_at.is_(None),
        )
        with self._transaction() as connection:
            found: str | None = connection.execute(statement).scalar()
        return found

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
