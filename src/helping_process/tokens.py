"""API tokens: who a bearer token speaks for, kept only as a hash.

A token is 32 random bytes shown once to the staff member it is issued to;
the store keeps its SHA-256 and the member's id, never the token itself, so
a copy of the database gives nobody a working token. A token is revoked by
marking its row, never by deleting it, so the list of tokens ever issued
stays auditable.

:class:`TokenStore` is a port: :mod:`helping_process.persistence` provides
the SQL one, :class:`MemoryTokenStore` serves tests. The staff roster
replaces it with one that also checks the member is active.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
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
