"""The HTTP API's case work: assignment, referrals, transfer and consents."""

from __future__ import annotations

import datetime as dt

from helping_process.persistence import SqlTokenStore
from helping_process.staff import ChangeKind
from helping_process.staff import RosterChange
from helping_process.staff import roles_of
from tests.api.conftest import ENGAGEMENT
from tests.api.conftest import MEMBER

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _add(store, member: str, roles: list[str]) -> None:
    store.staff().change_roster(
        RosterChange(
            seq=0,
            kind=ChangeKind.ADD,
            member=member,
            name=member,
            roles=roles_of(roles),
            actor="boss",
            recorded_at=AT,
        )
    )


def _open(client) -> str:
    response = client.post("/cases", json={"client": "KLIEN-1"})
    assert response.status_code == 201, response.text
    case_id: str = response.json()["case_id"]
    return case_id


class TestCaseWork:
    def test_consent_referral_transfer_and_assignment(self, client):
        """Each answers with the case, which names its worker, unit and consents."""
        case_id = _open(client)

        consent = client.post(
            f"/cases/{case_id}/consents",
            json={"purpose": "referral", "given": True, "note": "Signed."},
        )
        referral = client.post(
            f"/cases/{case_id}/referrals", json={"to": "Dinsos Kota", "note": "x"}
        )
        transfer = client.post(
            f"/cases/{case_id}/transfer", json={"unit": "UNIT-B", "note": "Moved."}
        )
        assignment = client.post(
            f"/cases/{case_id}/assignment",
            json={
                "worker": "budi",
                "reason": "client_dislikes_worker",
                "note": "Asked.",
            },
        )
        history = client.get(f"/cases/{case_id}/history").json()["events"]

        assert [consent.status_code, referral.status_code] == [201, 201]
        assert [transfer.status_code, assignment.status_code] == [200, 200]
        case = assignment.json()
        assert (case["worker"], case["unit"], case["consents"]) == (
            "budi",
            "UNIT-B",
            {"referral": True},
        )
        assert case["referral"] == {"seq": 3, "to": "Dinsos Kota"}
        assert assignment.headers["ETag"] == '"5"'
        assert [event["action"] for event in history] == [
            "open",
            "consent",
            "refer",
            "transfer",
            "assign",
        ]
        assert history[4]["assign_reason"] == "client_dislikes_worker"

    def test_a_referral_without_consent_is_refused(self, client):
        """409, naming the missing consent."""
        case_id = _open(client)

        response = client.post(
            f"/cases/{case_id}/referrals", json={"to": "Dinsos Kota", "note": "x"}
        )

        assert response.status_code == 409
        assert response.json()["missing"] == ["consent.referral"]

    def test_malformed_bodies_name_every_problem(self, client):
        """422 for an unknown purpose, a missing flag and a bad day."""
        case_id = _open(client)

        body = client.post(f"/cases/{case_id}/consents", json={"purpose": "marriage"})
        day = client.post(
            f"/cases/{case_id}/consents",
            json={"purpose": "services", "given": True, "on": "soon"},
        )

        assert body.status_code == 422
        assert {error["field"] for error in body.json()["errors"]} == {
            "purpose",
            "given",
        }
        assert day.status_code == 422

    def test_someone_elses_case_is_forbidden(self, store, client):
        """403 naming the worker of record for a worker who does not hold it."""
        _add(store, "boss", ["admin"])
        _add(store, "w", ["worker"])
        _add(store, MEMBER, ["worker"])
        token = SqlTokenStore(store).issue("w", at=AT)
        opened = client.post(
            "/cases",
            json={"client": "KLIEN-1"},
            headers={"Authorization": f"Bearer {token}"},
        )
        case_id = opened.json()["case_id"]

        refused = client.post(
            f"/cases/{case_id}/records",
            json={"kind": "engagement", "data": ENGAGEMENT},
        )

        assert refused.status_code == 403
        assert "worker of record is w" in refused.json()["detail"]
