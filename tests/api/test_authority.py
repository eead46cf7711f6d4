"""The HTTP API with a staff roster: 403 for a refused actor, reads logged."""

from __future__ import annotations

import datetime as dt

from helping_process.persistence import SqlTokenStore
from helping_process.staff import ChangeKind
from helping_process.staff import RosterChange
from helping_process.staff import roles_of
from tests.api.conftest import ENGAGEMENT
from tests.api.conftest import MEMBER

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _add(store, member: str, roles: list[str], actor: str = "boss") -> None:
    store.staff().change_roster(
        RosterChange(
            seq=0,
            kind=ChangeKind.ADD,
            member=member,
            name=member,
            roles=roles_of(roles),
            actor=actor,
            recorded_at=AT,
        )
    )


class TestForbidden:
    def test_a_member_not_on_the_roster_is_forbidden(self, store, client):
        """Once the roster has a member, a token of someone else gets 403."""
        _add(store, "boss", ["admin"])

        response = client.post("/cases", json={"client": "KLIEN-1"})

        assert response.status_code == 403
        assert response.json()["type"].endswith("forbidden")
        assert response.json()["code"] == "NotPermittedError"
        assert MEMBER in response.json()["detail"]

    def test_an_auditor_reads_but_may_not_open(self, store, client):
        """The auditor's token reads a case and is refused a change."""
        _add(store, "boss", ["admin"])
        _add(store, "w", ["worker"])
        _add(store, MEMBER, ["auditor"])
        token = SqlTokenStore(store).issue("w", at=AT)
        opened = client.post(
            "/cases",
            json={"client": "KLIEN-1"},
            headers={"Authorization": f"Bearer {token}"},
        )
        case_id = opened.json()["case_id"]

        shown = client.get(f"/cases/{case_id}")
        refused = client.post(
            f"/cases/{case_id}/records",
            json={"kind": "engagement", "data": ENGAGEMENT},
        )

        assert opened.status_code == 201
        assert shown.status_code == 200
        assert refused.status_code == 403

    def test_reads_through_the_api_are_logged(self, store, client):
        """Showing a case and paging its history leave entries by the token's member."""
        case_id = client.post("/cases", json={"client": "KLIEN-1"}).json()["case_id"]

        client.get(f"/cases/{case_id}")
        client.get(f"/cases/{case_id}/history")
        client.get("/audit/report")

        entries = [
            (e.actor, e.operation.value, e.case_id) for e in store.staff().accesses()
        ]
        assert entries == [
            (MEMBER, "show", case_id),
            (MEMBER, "history", case_id),
            (MEMBER, "report", None),
        ]
