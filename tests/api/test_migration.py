"""``POST /cases/{id}/migration`` and remembered tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar.testing import TestClient

from helping_process import Actor
from helping_process.cli._serve import TOKEN_TTL as SERVE_TTL
from helping_process.http import TOKEN_TTL
from helping_process.http import create_app
from helping_process.persistence import SqlStore
from helping_process.persistence import SqlTokenStore
from helping_process.service import CaseService
from helping_process.tokens import MemoryTokenStore
from helping_process.tokens import RememberingTokenStore
from tests.api.conftest import MEMBER
from tests.api.test_api import problem_of


def _old_case(store: SqlStore) -> str:
    """A case opened under the first release's rules."""
    service = CaseService(store)
    return service.open("K-1", actor=Actor(MEMBER), process="helping-process@1").case_id


class TestMigration:
    def test_a_case_moves_to_newer_rules_once(self, client, store):
        """A migration answers 200 with the case under its new definition and ETag."""
        case_id = _old_case(store)
        body = {"to": "helping-process@2", "note": "Aturan baru."}

        moved = client.post(
            f"/cases/{case_id}/migration", json=body, headers={"If-Match": '"1"'}
        )
        again = client.post(f"/cases/{case_id}/migration", json=body)

        assert moved.status_code == 200, moved.text
        assert moved.headers["etag"] == '"2"'
        assert moved.json()["process"]["version"] == 2
        refused = problem_of(again, "refused", 409)
        assert refused["code"] == "MigrationRefusedError"
        assert refused["missing"] == ["migrate.same_definition"]
        events = client.get(f"/cases/{case_id}/history").json()["events"]
        assert [(event["action"], event["actor"]["id"]) for event in events][-1] == (
            "migrate",
            MEMBER,
        )

    def test_a_name_alone_moves_to_its_newest_version(self, client, store):
        """``to`` without a version names the newest definition of that name."""
        case_id = _old_case(store)

        moved = client.post(
            f"/cases/{case_id}/migration",
            json={"to": "helping-process", "note": "Terbaru."},
        )

        assert moved.json()["process"]["version"] == 2

    @pytest.mark.parametrize(
        ("body", "fields"),
        [
            ({"to": "no-such-process@9", "note": "?"}, ["to"]),
            ({"to": "helping-process@2"}, ["note"]),
            ({"note": "?"}, ["to"]),
            ({"to": 2, "note": None}, ["to", "note"]),
        ],
    )
    def test_a_bad_body_is_422_naming_each_field(self, client, store, body, fields):
        """An unknown definition or a missing note is refused before anything runs."""
        case_id = _old_case(store)

        problem = problem_of(
            client.post(f"/cases/{case_id}/migration", json=body),
            "invalid-input",
            422,
        )

        assert [error["field"] for error in problem["errors"]] == fields
        assert client.get(f"/cases/{case_id}").json()["seq"] == 1

    def test_a_stale_if_match_is_412(self, client, store):
        """The migration is guarded like every write."""
        case_id = _old_case(store)
        client.post(f"/cases/{case_id}/reopen", json={})  # refused: not terminated

        response = client.post(
            f"/cases/{case_id}/migration",
            json={"to": "helping-process@2", "note": "Baru."},
            headers={"If-Match": '"7"'},
        )

        assert problem_of(response, "precondition-failed", 412)["seq"] == 1

    def test_an_unknown_case_is_404(self, client):
        """Migrating a case that does not exist is 404."""
        response = client.post(
            "/cases/no-such-case/migration",
            json={"to": "helping-process@2", "note": "Baru."},
        )

        problem_of(response, "not-found", 404)

    def test_the_document_describes_it(self, client):
        """The OpenAPI document has the operation, its body and a link to it."""
        document = client.get("/openapi.json").json()

        operation = document["paths"]["/cases/{case_id}/migration"]["post"]
        assert operation["operationId"] == "migrateCase"
        schema = document["components"]["schemas"]["Migration"]
        assert schema["required"] == ["to", "note"]
        shown = document["paths"]["/cases/{case_id}"]["get"]["responses"]["200"]
        assert shown["links"]["Migrate"]["operationId"] == "migrateCase"


class _Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Counted(MemoryTokenStore):
    """Tokens in memory that count the lookups."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def actor_of(self, token: str) -> str | None:
        """Count, then look up."""
        self.asked += 1
        return super().actor_of(token)


class TestRememberedTokens:
    def test_a_live_token_is_asked_once_per_ttl(self):
        """Within the TTL the store is not asked again; after it, it is."""
        tokens = _Counted()
        token = tokens.issue(MEMBER, at=dt.datetime.now(dt.UTC))
        clock = _Clock()
        remembering = RememberingTokenStore(tokens, 1.0, clock)

        first = [remembering.actor_of(token) for _ in range(3)]
        clock.now += 1.5
        later = remembering.actor_of(token)

        assert (first, later) == ([MEMBER] * 3, MEMBER)
        assert tokens.asked == 2

    def test_a_revocation_elsewhere_holds_after_the_ttl(self):
        """Revoked behind its back, a remembered token is refused once the TTL ends."""
        tokens = MemoryTokenStore()
        token = tokens.issue(MEMBER, at=dt.datetime.now(dt.UTC))
        clock = _Clock()
        remembering = RememberingTokenStore(tokens, 1.0, clock)
        remembering.actor_of(token)

        tokens.revoke(MEMBER, at=dt.datetime.now(dt.UTC))
        within = remembering.actor_of(token)
        clock.now += 1.01
        after = remembering.actor_of(token)

        assert (within, after) == (MEMBER, None)

    def test_a_revocation_through_it_holds_at_once(self):
        """Revoking through the remembering store forgets the member's tokens."""
        tokens = MemoryTokenStore()
        token = tokens.issue(MEMBER, at=dt.datetime.now(dt.UTC))
        remembering = RememberingTokenStore(tokens, 60.0)
        remembering.actor_of(token)

        revoked = remembering.revoke(MEMBER, at=dt.datetime.now(dt.UTC))

        assert (revoked, remembering.actor_of(token)) == (1, None)

    def test_unknown_tokens_are_never_remembered(self):
        """A token issued after a failed lookup works at once."""
        tokens = MemoryTokenStore()
        remembering = RememberingTokenStore(tokens, 60.0)

        assert remembering.actor_of("hpt_unknown") is None
        token = remembering.issue(MEMBER, at=dt.datetime.now(dt.UTC))
        assert remembering.actor_of(token) == MEMBER

    def test_with_ttl_0_the_app_sees_a_revocation_at_once(self, store: SqlStore):
        """``token_ttl=0`` asks the token table on every request."""
        token = SqlTokenStore(store.bind).issue(MEMBER, at=dt.datetime.now(dt.UTC))
        app = create_app(store, token_ttl=0)
        with TestClient(app) as client:
            client.headers["Authorization"] = f"Bearer {token}"
            before = client.get("/cases").status_code
            SqlTokenStore(store.bind).revoke(MEMBER, at=dt.datetime.now(dt.UTC))
            after: Any = client.get("/cases")

        assert before == 200
        problem_of(after, "unauthorized", 401)

    def test_serve_defaults_to_the_apps_ttl(self):
        """``serve --token-ttl`` defaults to what ``create_app`` does."""
        assert SERVE_TTL == TOKEN_TTL == 1.0
