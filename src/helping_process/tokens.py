"""API tokens: who a bearer token speaks for, kept only as a hash.

A token is 32 random bytes shown once to the staff member it is issued to;
the store keeps its SHA-256 and the member's id, never the token itself, so
a copy of the database gives nobody a working token. A token is revoked by
marking its row, never by deleting it, so the list of tokens ever issued
stays auditable.

:class:`TokenStore` is a port: :mod:`helping_process.persistence` provides
the SQL one, :class:`MemoryTokenStore` serves tests. The staff roster
replaces it with one that also checks the member is active.
:class:`RememberingTokenStore` remembers answers for a moment, for the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Final
from typing import Protocol

#: Every token starts with this, so secret scanners can recognise one.
PREFIX: Final = "hpt_"


def new_token() -> str:
    """Return a fresh token: the prefix and 32 random bytes, URL-safe."""
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore(Protocol):
    """Where the hashes of API tokens are kept, each naming its actor."""

    def issue(self, actor_id: str, *, at: dt.datetime) -> str:
        """Create a token for ``actor_id``; return it (the only time it is seen)."""

    def actor_of(self, token: str) -> str | None:
        """Return the actor id a live token speaks for, or None."""

    def revoke(
        self, actor_id: str, *, at: dt.datetime, token: str | None = None
    ) -> int:
        """Revoke the actor's tokens (or only ``token``); return how many."""


class MemoryTokenStore:
    """A :class:`TokenStore` in memory, for tests and examples."""

    def __init__(self) -> None:
        #: actor id and revocation time, by token hash.
        self._rows: dict[str, tuple[str, dt.datetime | None]] = {}

    def issue(self, actor_id: str, *, at: dt.datetime) -> str:
        """Create a token for ``actor_id``; return it."""
        token = new_token()
        self._rows[token_hash(token)] = (actor_id, None)
        return token

    def actor_of(self, token: str) -> str | None:
        """Return the actor id a live token speaks for, or None."""
        row = self._rows.get(token_hash(token))
        return row[0] if row is not None and row[1] is None else None

    def revoke(
        self, actor_id: str, *, at: dt.datetime, token: str | None = None
    ) -> int:
        """Revoke the actor's live tokens (or only ``token``); return how many."""
        wanted = None if token is None else token_hash(token)
        hits = [
            digest
            for digest, (actor, revoked) in self._rows.items()
            if actor == actor_id and revoked is None and wanted in (None, digest)
        ]
        for digest in hits:
            self._rows[digest] = (actor_id, at)
        return len(hits)


class RememberingTokenStore:
    """A :class:`TokenStore` that remembers each live token for ``ttl`` seconds.

    Every API request asks who its token speaks for; on a SQL store that
    is a query per request. Remembering the answer for a moment saves it,
    at a bounded price: a token revoked by another process (another
    ``serve`` worker, another host, the command line) may still be
    accepted for up to ``ttl`` seconds by a process that checked it just
    before. A revocation through this object forgets the actor's tokens
    at once, unknown and revoked tokens are never remembered (a new token
    works at once), and the roster is not cached at all: a member
    deactivated on the roster is refused by every process at its next
    request. ``ttl`` 0 asks the store every time.

    Args:
        tokens: the store to ask.
        ttl: how many seconds an answer is trusted (0: never).
        clock: a monotonic clock in seconds.
    """

    #: How many tokens are remembered at most (then all are forgotten).
    LIMIT: Final = 4096

    def __init__(
        self,
        tokens: TokenStore,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tokens = tokens
        self.ttl = ttl
        self._clock = clock
        #: actor id and when the answer expires, by token hash.
        self._seen: dict[str, tuple[str, float]] = {}

    def issue(self, actor_id: str, *, at: dt.datetime) -> str:
        """Create a token for ``actor_id``; return it."""
        return self.tokens.issue(actor_id, at=at)

    def actor_of(self, token: str) -> str | None:
        """Return the actor id a live token speaks for, or None."""
        if self.ttl <= 0:
            return self.tokens.actor_of(token)
        digest = token_hash(token)
        now = self._clock()
        seen = self._seen.get(digest)
        if seen is not None and seen[1] > now:
            return seen[0]
        actor = self.tokens.actor_of(token)
        if actor is None:
            self._seen.pop(digest, None)
            return None
        if len(self._seen) >= self.LIMIT:
            self._seen.clear()
        self._seen[digest] = (actor, now + self.ttl)
        return actor

    def revoke(
        self, actor_id: str, *, at: dt.datetime, token: str | None = None
    ) -> int:
        """Revoke the actor's tokens (or only ``token``) and forget them here."""
        self._seen = {
            digest: seen for digest, seen in self._seen.items() if seen[0] != actor_id
        }
        return self.tokens.revoke(actor_id, at=at, token=token)
