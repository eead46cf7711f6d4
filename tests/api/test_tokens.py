"""The token stores: SQL (on a store, an engine or a caller's connection) and memory."""

from __future__ import annotations

import datetime as dt

import pytest

from helping_process.persistence import SqlStore
from helping_process.persistence import SqlTokenStore
from helping_process.persistence import make_engine
from helping_process.tokens import PREFIX
from helping_process.tokens import MemoryTokenStore
from helping_process.tokens import token_hash

NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


class TestSqlTokenStore:
    """Tokens in the case database, however the store is reached."""

    @pytest.mark.parametrize("via", ["store", "engine"])
    def test_issue_look_up_revoke(self, store_url, open_store, via):
        """A token names its member until it is revoked, through either path."""
        store: SqlStore = open_store(store_url)
        tokens = SqlTokenStore(store if via == "store" else store.bind)

        first = tokens.issue("peksos-1", at=NOW)
        second = tokens.issue("peksos-1", at=NOW)
        found = (tokens.actor_of(first), tokens.actor_of(second))
        revoked_one = tokens.revoke("peksos-1", at=NOW, token=first)

        assert first.startswith(PREFIX)
        assert found == ("peksos-1", "peksos-1")
        assert revoked_one == 1
        assert (tokens.actor_of(first), tokens.actor_of(second)) == (None, "peksos-1")
        assert tokens.revoke("peksos-1", at=NOW) == 1
        assert tokens.actor_of(second) is None

    def test_in_a_callers_transaction(self, tmp_path):
        """On a connection the caller holds, tokens join its transaction."""
        engine = make_engine(f"sqlite:///{tmp_path / 'joined.db'}")
        with engine.connect() as connection:
            transaction = connection.begin()
            store = SqlStore(connection)
            tokens = SqlTokenStore(store)
            token = tokens.issue("peksos-2", at=NOW)
            found = tokens.actor_of(token)
            transaction.rollback()

            with connection.begin():
                assert found == "peksos-2"
                assert SqlTokenStore(SqlStore(connection)).actor_of(token) is None
        engine.dispose()


class TestMemoryTokenStore:
    """The in-memory token store of tests and examples."""

    def test_keeps_only_hashes(self):
        """A token names its member until revoked; only its hash is kept."""
        tokens = MemoryTokenStore()

        token = tokens.issue("peksos-3", at=NOW)

        assert tokens.actor_of(token) == "peksos-3"
        assert token not in repr(vars(tokens))
        assert token_hash(token) in tokens._rows
        assert tokens.revoke("peksos-3", at=NOW) == 1
        assert tokens.actor_of(token) is None
