"""The resources of the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient

from helping_process.definitions import builtin
from helping_process.definitions import record_schema
from helping_process.http import PROBLEM_TYPES
from helping_process.http import create_app
from helping_process.http._body import MAX_BODY
from helping_process.persistence import SqlStore
from helping_process.persistence import SqlTokenStore
from helping_process.service import CaseService
from tests.api.conftest import ENGAGEMENT
from tests.api.conftest import MEMBER
from tests.cli._support import main
from tests.definitions import without_family

PROBLEM = "application/problem+json"


def problem_of(response: Any, name: str, status: int) -> dict[str, Any]:
    """Assert the response is the problem ``name`` with ``status``; return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:helping-process:problem:{name}"
    assert body["status"] == status
    assert body["title"] == PROBLEM_TYPES[name].title
    assert body["detail"]
    return body


def opened(client: TestClient[Litestar], **extra: Any) -> dict[str, Any]:
    """Open a case through the API; return it."""
    response = client.post("/cases", json={"client": "KLIEN-0042", **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestCases:
    """Opening, reading and listing cases."""

    def test_open_answers_201_with_location_and_etag(self, client):
        """A new case answers 201, its URL in Location and its seq as ETag."""
        response = client.post("/cases", json={"client": "K-1", "residential": True})

        body = response.json()
        assert response.status_code == 201
        assert response.headers["location"] == f"/cases/{body['case_id']}"
        assert response.headers["etag"] == '"1"'
        assert body["stage"] == "engagement"
        assert body["residential"] is True
        assert body["next"]["moves"][0]["missing"] == ["engagement.record"]

    def test_open_under_another_definition(self, client):
        """A case opens under the process named: rehsos-pp39 is always residential."""
        body = opened(client, process="rehsos-pp39")
        refused = client.post(
            "/cases",
            json={"client": "K-2", "process": "rehsos-pp39", "residential": False},
        )
        unknown = client.post("/cases", json={"client": "K-3", "process": "lks-x@9"})

        assert body["process"]["name"] == "rehsos-pp39"
        assert body["residential"] is True
        assert body["next"]["moves"][0]["target"] == "assessment"
        assert refused.status_code == 422, refused.text
        # A body naming no definition is malformed, as a migration's "to" is.
        assert unknown.status_code == 422, unknown.text
        assert "process" in unknown.text

    def test_show_is_case_show_json(self, client, store_url, token):
        """GET /cases/{id} answers what `case show --json` prints."""
        case_id = opened(client)["case_id"]

        response = client.get(f"/cases/{case_id}")
        shown = CliRunner().invoke(
            main, ["--db", store_url, "--json", "case", "show", case_id]
        )

        assert response.status_code == 200
        assert response.headers["etag"] == '"1"'
        assert response.json() == json.loads(shown.stdout)

    def test_list_pages_newest_first(self, client):
        """GET /cases pages newest first with an opaque cursor, nothing twice."""
        ids = [opened(client)["case_id"] for _ in range(5)]

        first = client.get("/cases", params={"limit": 2}).json()
        second = client.get(
            "/cases", params={"limit": 2, "cursor": first["next_cursor"]}
        ).json()
        third = client.get(
            "/cases", params={"limit": 2, "cursor": second["next_cursor"]}
        ).json()

        listed = [
            item["case_id"] for page in (first, second, third) for item in page["cases"]
        ]
        assert listed == ids[::-1]
        assert third["next_cursor"] is None

    def test_list_filters_by_stage_and_opening(self, client):
        """Stage and opened_since filter the list."""
        case_id = opened(client)["case_id"]
        client.post(
            f"/cases/{case_id}/records", json={"kind": "engagement", "data": ENGAGEMENT}
        )
        client.post(f"/cases/{case_id}/moves", json={"to": "intake"})
        opened(client)

        intake = client.get("/cases", params={"stage": "intake"}).json()["cases"]
        future = client.get("/cases", params={"opened_since": "2999-01-01"}).json()[
            "cases"
        ]

        assert [item["case_id"] for item in intake] == [case_id]
        assert future == []

    def test_history_pages(self, client):
        """GET /cases/{id}/history pages the events after a seq."""
        case_id = opened(client)["case_id"]
        client.post(
            f"/cases/{case_id}/records", json={"kind": "engagement", "data": ENGAGEMENT}
        )
        client.post(f"/cases/{case_id}/moves", json={"to": "intake"})

        first = client.get(f"/cases/{case_id}/history", params={"limit": 2}).json()
        rest = client.get(
            f"/cases/{case_id}/history", params={"after": first["next_after"]}
        ).json()

        assert [event["seq"] for event in first["events"]] == [1, 2]
        assert [event["action"] for event in rest["events"]] == ["move"]
        assert rest["next_after"] is None
        assert first["events"][0]["actor"]["id"] == MEMBER


class TestCommands:
    """Records, moves, termination, reopening and redaction."""

    def test_whole_case_to_termination_and_back(self, client):
        """A case goes from open to terminated and is reopened, each with its ETag."""
        case_id = opened(client)["case_id"]

        record = client.post(
            f"/cases/{case_id}/records", json={"kind": "engagement", "data": ENGAGEMENT}
        )
        moved = client.post(
            f"/cases/{case_id}/moves",
            json={"to": "intake"},
            headers={"If-Match": '"2"'},
        )
        ended = client.post(
            f"/cases/{case_id}/termination",
            json={"reason": "client_request", "note": "Moved away"},
        )
        reopened = client.post(f"/cases/{case_id}/reopen", json={"note": "Came back"})

        assert (record.status_code, record.headers["etag"]) == (201, '"2"')
        assert (moved.status_code, moved.json()["stage"]) == (200, "intake")
        assert (ended.status_code, ended.json()["stage"]) == (200, "termination")
        assert (reopened.status_code, reopened.json()["episode"]) == (200, 2)
        assert reopened.headers["etag"] == '"5"'

    def test_redaction_removes_personal_data(self, client):
        """POST /cases/{id}/redaction removes the client reference from history."""
        case_id = opened(client)["case_id"]

        response = client.post(
            f"/cases/{case_id}/redaction", json={"note": "UU 27/2022 request"}
        )
        events = client.get(f"/cases/{case_id}/history").json()["events"]
        listed = client.get("/cases").json()["cases"]

        assert response.status_code == 200
        assert events[-1]["action"] == "redact"
        assert listed[0]["client"] is None

    def test_commands_are_the_token_members(self, client):
        """Every event a request stores names the token's staff member."""
        case_id = opened(client)["case_id"]
        client.post(
            f"/cases/{case_id}/records", json={"kind": "engagement", "data": ENGAGEMENT}
        )

        events = client.get(f"/cases/{case_id}/history").json()["events"]

        assert {event["actor"]["id"] for event in events} == {MEMBER}


class TestAccessLog:
    """One line per request, naming the staff member."""

    def test_each_request_is_logged_with_its_member(self, client, caplog):
        """The access log names the token's member and the status."""
        caplog.set_level(logging.INFO, logger="helping_process.http.access")

        client.post("/cases", json={"client": "K-1"})

        assert [record.getMessage().split()[1:5] for record in caplog.records] == [
            ["POST", "/cases", "201", f"actor={MEMBER}"]
        ]


class TestProblems:
    """Every problem type, with its status and members."""

    def test_no_token_is_401(self, app):
        """A request without a token is 401 with a Bearer challenge."""
        with TestClient(app) as anonymous:
            response = anonymous.get("/cases")

        problem_of(response, "unauthorized", 401)
        assert response.headers["www-authenticate"].startswith("Bearer")

    def test_revoked_token_is_401(self, client, store: SqlStore, token):
        """A revoked token is refused at once."""
        SqlTokenStore(store.bind).revoke(MEMBER, at=dt.datetime.now(dt.UTC))

        problem_of(client.get("/cases"), "unauthorized", 401)

    def test_unknown_case_is_404(self, client):
        """An unknown case is 404."""
        problem_of(client.get("/cases/no-such-case"), "not-found", 404)
        problem_of(
            client.post("/cases/x" * 40 + "/moves", json={"to": "intake"}),
            "not-found",
            404,
        )

    def test_unknown_route_is_404_and_wrong_method_405(self, client):
        """Unknown paths and methods answer as problems too."""
        problem_of(client.get("/nowhere"), "not-found", 404)
        problem_of(client.delete("/cases"), "method-not-allowed", 405)

    def test_refusal_is_409_with_missing_ids(self, client):
        """A move the process refuses is 409 naming what it lacks."""
        case_id = opened(client)["case_id"]

        body = problem_of(
            client.post(f"/cases/{case_id}/moves", json={"to": "intake"}),
            "refused",
            409,
        )

        assert body["missing"] == ["engagement.record"]
        assert body["code"] == "RequirementNotMetError"

    def test_refusal_speaks_indonesian(self, client):
        """Accept-Language: id gives the detail in Indonesian."""
        case_id = opened(client)["case_id"]

        response = client.post(
            f"/cases/{case_id}/moves",
            json={"to": "intake"},
            headers={"Accept-Language": "id-ID"},
        )

        assert "Tidak dapat berpindah" in problem_of(response, "refused", 409)["detail"]
        assert response.headers["content-language"] == "id"

    def test_stale_if_match_is_412(self, client):
        """If-Match with an older seq is 412 and stores nothing."""
        case_id = opened(client)["case_id"]
        client.post(
            f"/cases/{case_id}/records", json={"kind": "engagement", "data": ENGAGEMENT}
        )

        response = client.post(
            f"/cases/{case_id}/moves",
            json={"to": "intake"},
            headers={"If-Match": '"1"'},
        )

        assert problem_of(response, "precondition-failed", 412)["seq"] == 2
        assert response.headers["etag"] == '"2"'
        assert client.get(f"/cases/{case_id}").json()["stage"] == "engagement"

    def test_malformed_body_is_422_naming_every_problem(self, client):
        """Every field problem of a body is named at once."""
        case_id = opened(client)["case_id"]

        body = problem_of(
            client.post(
                f"/cases/{case_id}/termination", json={"sub_reason": 3, "extra": True}
            ),
            "invalid-input",
            422,
        )

        assert {(item["field"], item["problem"]) for item in body["errors"]} == {
            ("extra", "unknown_field"),
            ("reason", "missing"),
            ("sub_reason", "not_text"),
        }

    @pytest.mark.parametrize(
        ("raw", "problem"),
        [(b"{not json", "not_json"), (b"[1, 2]", "not_object")],
    )
    def test_unreadable_body_is_422(self, client, raw, problem):
        """A body that is not a JSON object is 422."""
        response = client.post("/cases", content=raw)

        assert (
            problem_of(response, "invalid-input", 422)["errors"][0]["problem"]
            == problem
        )

    def test_a_body_over_the_limit_is_422_and_nothing_is_written(self, client):
        """A body over MAX_BODY bytes is refused before it is read as JSON."""
        case_id = opened(client)["case_id"]
        huge = (
            b'{"kind": "engagement", "data": {"request": "' + b"x" * MAX_BODY + b'"}}'
        )

        body = problem_of(
            client.post(f"/cases/{case_id}/records", content=huge),
            "invalid-input",
            422,
        )

        assert [(item["field"], item["problem"]) for item in body["errors"]] == [
            ("body", "too_large")
        ]
        assert client.get(f"/cases/{case_id}").json()["seq"] == 1

    def test_bad_record_is_422_with_its_field(self, client):
        """A record's bad field is named with its path under data."""
        case_id = opened(client)["case_id"]

        body = problem_of(
            client.post(
                f"/cases/{case_id}/records",
                json={
                    "kind": "engagement",
                    "data": {**ENGAGEMENT, "first_contact_on": "soon"},
                },
            ),
            "invalid-input",
            422,
        )

        assert body["errors"][0]["field"] == "data.first_contact_on"
        assert body["errors"][0]["problem"] == "not_date"

    def test_bad_record_is_422_naming_every_problem(self, client):
        """Every problem of a record is named, not only the first one read."""
        case_id = opened(client)["case_id"]

        body = problem_of(
            client.post(
                f"/cases/{case_id}/records",
                json={
                    "kind": "engagement",
                    "data": {"first_contact_on": "soon", "request": 5},
                },
            ),
            "invalid-input",
            422,
        )

        assert {(item["field"], item["problem"]) for item in body["errors"]} == {
            ("data.first_contact_on", "not_date"),
            ("data.request", "not_text"),
            ("data.referral_source", "missing"),
        }
        assert client.get(f"/cases/{case_id}").json()["seq"] == 1

    def test_record_is_checked_against_the_cases_definition(self, store, client):
        """A code the case's own definition leaves out is refused over HTTP too."""
        case_id = (
            CaseService(store)
            .open("KLIEN-9", actor=MEMBER, process=without_family())
            .case_id
        )

        body = problem_of(
            client.post(
                f"/cases/{case_id}/records",
                json={"kind": "engagement", "data": ENGAGEMENT},
            ),
            "invalid-input",
            422,
        )

        assert [(item["field"], item["problem"]) for item in body["errors"]] == [
            ("data.referral_source", "unknown_code")
        ]
        assert client.get(f"/cases/{case_id}").json()["seq"] == 1

    @pytest.mark.parametrize(
        "query",
        [
            {"limit": "0"},
            {"limit": "x"},
            {"cursor": "!!"},
            {"stage": "nowhere"},
            {"opened_since": "soon"},
        ],
    )
    def test_bad_query_is_422(self, client, query):
        """A bad query parameter is 422, naming it."""
        body = problem_of(client.get("/cases", params=query), "invalid-input", 422)

        assert body["errors"][0]["field"] in {
            "limit",
            "cursor",
            "stage",
            "opened_since",
        }


class TestProcessAndAudit:
    """Process definitions, record schemas, verification and the report."""

    def test_process_lists_definitions(self, client):
        """GET /process lists each definition with its digest and the default."""
        definitions = client.get("/process").json()["definitions"]

        assert [item["ref"] for item in definitions if item["default"]] == [
            "helping-process@2"
        ]
        assert all(len(item["digest"]) == 64 for item in definitions)

    def test_record_schema_is_generated(self, client):
        """GET /process/{ref}/schemas/{kind} is the generated JSON Schema."""
        response = client.get(
            "/process/helping-process@2/schemas/plan", headers={"Accept-Language": "id"}
        )

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/schema+json"
        assert response.json() == record_schema(
            builtin("helping-process@2"), "plan", "id"
        )

    def test_unknown_definition_or_kind_is_404(self, client):
        """An unknown definition or record kind is 404."""
        problem_of(client.get("/process/nope@9/schemas/plan"), "not-found", 404)
        problem_of(
            client.get("/process/helping-process@2/schemas/nope"), "not-found", 404
        )

    def test_verify_finds_nothing_on_a_sound_trail(self, client):
        """POST /audit/verify checks one case or all."""
        case_id = opened(client)["case_id"]

        one = client.post("/audit/verify", json={"case_id": case_id}).json()
        every = client.post("/audit/verify", json={}).json()

        assert (one["ok"], one["cases"], one["findings"]) == (True, 1, [])
        assert (every["ok"], every["events"]) == (True, 1)

    def test_report_is_json(self, client):
        """GET /audit/report is the JSON report."""
        opened(client)

        response = client.get("/audit/report", params={"since": "2000-01-01"})

        assert response.status_code == 200
        assert "as_of" in response.json()

    def test_openapi_is_3_1_without_a_token(self, app):
        """/openapi.json is OpenAPI 3.1 with every record kind and problem type."""
        with TestClient(app) as anonymous:
            document = anonymous.get("/openapi.json").json()

        schemas = document["components"]["schemas"]
        assert document["openapi"] == "3.1.0"
        assert "Record.plan" in schemas
        assert set(schemas["Problem"]["properties"]["type"]["enum"]) == {
            kind.uri for kind in PROBLEM_TYPES.values()
        }


class TestScaleOut:
    """Two applications on one database, as two server processes would be."""

    def test_a_second_app_never_serves_a_stale_case(self, store_url, open_store, token):
        """What one app writes, the other reads and decides on at once."""
        first = create_app(open_store(store_url))
        second = create_app(open_store(store_url))
        auth = {"Authorization": f"Bearer {token}"}
        with TestClient(first) as one, TestClient(second) as two:
            case_id = one.post("/cases", json={"client": "K-1"}, headers=auth).json()[
                "case_id"
            ]
            two.get(f"/cases/{case_id}", headers=auth)  # now held by the second
            one.post(
                f"/cases/{case_id}/records",
                json={"kind": "engagement", "data": ENGAGEMENT},
                headers=auth,
            )

            shown = two.get(f"/cases/{case_id}", headers=auth)
            moved = two.post(
                f"/cases/{case_id}/moves",
                json={"to": "intake"},
                headers={**auth, "If-Match": shown.headers["etag"]},
            )

        assert shown.headers["etag"] == '"2"'
        assert (moved.status_code, moved.headers["etag"]) == (200, '"3"')
