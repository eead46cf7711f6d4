"""Approval gates over HTTP: 202 for a gated command, then approval or rejection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helping_process.definitions import load_definition
from helping_process.persistence import SqlTokenStore
from helping_process.service import CaseService
from tests.api.conftest import MEMBER
from tests.api.test_authority import _add

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
GATED = """
format = 1
extends = "helping-process@2"
name = "lks-mawar"
version = 1

[[gates]]
command = "terminate"
approver = "supervisor"
"""
TERMINATION = {"reason": "client_request", "note": "Moved away."}


def _requested(
    store: Any, client: Any, roles: tuple[str, ...] = ("worker",)
) -> tuple[str, int, dict[str, str]]:
    """A case of the member's whose termination awaits a supervisor's approval."""
    _add(store, "boss", ["admin"])
    _add(store, MEMBER, list(roles))
    _add(store, "penyelia-2", ["supervisor"])
    case_id = (
        CaseService(store)
        .open("KLIEN-1", actor=MEMBER, process=load_definition(GATED))
        .case_id
    )
    response = client.post(f"/cases/{case_id}/termination", json=TERMINATION)
    assert response.status_code == 202
    body = response.json()
    assert body["pending"] is True
    assert (body["stage"], body["requested"], body["approver"]) == (
        "engagement",
        "terminate",
        "supervisor",
    )
    assert response.headers["ETag"] == f'"{body["seq"]}"'
    token = SqlTokenStore(store.bind).issue("penyelia-2", at=AT)
    return case_id, body["request"], {"Authorization": f"Bearer {token}"}


class TestApprovals:
    def test_a_supervisor_approves_and_the_case_ends(self, store, client):
        """The request is listed for the supervisor, who approves it: 200."""
        case_id, number, supervisor = _requested(store, client)

        waiting = client.get("/requests", headers=supervisor).json()["requests"]
        listed = client.get(f"/cases/{case_id}/requests").json()["requests"]
        approved = client.post(
            f"/cases/{case_id}/requests/{number}/approval",
            json={"note": "Agreed."},
            headers=supervisor,
        )

        assert [(r["case_id"], r["request"]) for r in waiting] == [(case_id, number)]
        assert listed == waiting
        assert client.get("/requests").json() == {"requests": []}
        assert approved.status_code == 200
        assert approved.json()["stage"] == "termination"
        assert client.get(f"/cases/{case_id}/requests").json() == {"requests": []}

    def test_self_approval_is_an_approval_refused_problem(self, store, client):
        """A requester who is a supervisor too: 409 approval-refused, nothing stored."""
        case_id, number, _ = _requested(store, client, ("worker", "supervisor"))

        response = client.post(
            f"/cases/{case_id}/requests/{number}/approval", json={"note": "Mine."}
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("approval-refused")
        assert response.json()["reason"] == "self_approval"
        assert client.get(f"/cases/{case_id}").json()["stage"] == "engagement"

    def test_a_worker_is_forbidden_to_approve(self, store, client):
        """The roster does not give the member the approving role: 403."""
        case_id, number, _ = _requested(store, client)
        _add(store, "budi", ["worker"])
        token = SqlTokenStore(store.bind).issue("budi", at=AT)

        response = client.post(
            f"/cases/{case_id}/requests/{number}/approval",
            json={"note": "OK."},
            headers={"Authorization": f"Bearer {token}"},
        )

        assert response.status_code == 403
        assert response.json()["type"].endswith("forbidden")

    def test_rejected_by_the_supervisor(self, store, client):
        """A rejected request is gone and cannot be approved after."""
        case_id, number, supervisor = _requested(store, client)
        path = f"/cases/{case_id}/requests/{number}"

        rejected = client.post(
            f"{path}/rejection", json={"note": "Talk first."}, headers=supervisor
        )
        late = client.post(f"{path}/approval", json={"note": "OK"}, headers=supervisor)

        assert rejected.status_code == 200
        assert rejected.json()["stage"] == "engagement"
        assert late.status_code == 409
        assert late.json()["reason"] == "not_pending"

    def test_history_names_the_request_and_its_decision(self, store, client):
        """The request event names what it asks; the approval names the request."""
        case_id, number, supervisor = _requested(store, client)
        client.post(
            f"/cases/{case_id}/requests/{number}/approval",
            json={"note": "Agreed."},
            headers=supervisor,
        )

        events = client.get(f"/cases/{case_id}/history").json()["events"]

        assert [e["action"] for e in events] == [
            "open",
            "request",
            "approve",
            "terminate",
        ]
        assert (events[1]["requested"], events[1]["approver"]) == (
            "terminate",
            "supervisor",
        )
        assert events[2]["request"] == number
