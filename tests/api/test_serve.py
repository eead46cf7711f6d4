"""A real ``helping-process serve`` process, spoken to with plain HTTP.

The server runs as its own process on a free port of 127.0.0.1, on SQLite
and PostgreSQL; requests go through httpx like any agency system's would.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import ENGAGEMENT

#: How long a server may take to start.
START_TIMEOUT_S = 60


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cli(url: str, *args: str) -> str:
    """Run the command line on the database; return its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "helping_process.cli", "--db", url, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


@pytest.fixture
def server(store_url: str, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """A served API on the test's database, its base URL and a token."""
    workers = getattr(request, "param", 1)
    token = json.loads(cli(store_url, "staff", "token", "peksos-17", "--json"))["token"]
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helping_process.cli",
            "--db",
            store_url,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{base}/openapi.json").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (
                process.stderr.read() if process.stderr else ""
            )
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield {"base": base, "token": token, "url": store_url}
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


class TestServe:
    """A case from opening to termination over real HTTP."""

    def test_open_to_termination(self, server):
        """Open, record, move, refuse, terminate: each answer as documented."""
        headers = {"Authorization": f"Bearer {server['token']}"}
        with httpx.Client(base_url=server["base"], headers=headers) as client:
            case = client.post("/cases", json={"client": "KLIEN-0042"})
            case_id = case.json()["case_id"]
            refused = client.post(f"/cases/{case_id}/moves", json={"to": "intake"})
            record = client.post(
                f"/cases/{case_id}/records",
                json={"kind": "engagement", "data": ENGAGEMENT},
                headers={"If-Match": case.headers["etag"]},
            )
            moved = client.post(
                f"/cases/{case_id}/moves",
                json={"to": "intake"},
                headers={"If-Match": record.headers["etag"]},
            )
            ended = client.post(
                f"/cases/{case_id}/termination",
                json={"reason": "not_eligible", "note": "Outside the catchment"},
            )
            history = client.get(f"/cases/{case_id}/history").json()["events"]

        assert case.status_code == 201
        assert refused.status_code == 409
        assert refused.json()["missing"] == ["engagement.record"]
        assert (record.status_code, moved.status_code, ended.status_code) == (
            201,
            200,
            200,
        )
        assert ended.json()["stage"] == "termination"
        assert ended.headers["etag"] == '"4"'
        assert [event["actor"]["id"] for event in history] == ["peksos-17"] * 4
        shown = json.loads(cli(server["url"], "--json", "case", "show", case_id))
        assert shown["stage"] == "termination"


class TestConcurrency:
    """Sixteen clients writing one case through two server processes."""

    @pytest.mark.parametrize("server", [2], indirect=True)
    def test_one_success_per_seq(self, server):
        """Each round one If-Match write wins, the rest get 412, and none is lost."""
        headers = {"Authorization": f"Bearer {server['token']}"}
        clients = [
            httpx.Client(base_url=server["base"], headers=headers, timeout=60)
            for _ in range(16)
        ]
        case_id = clients[0].post("/cases", json={"client": "K-1"}).json()["case_id"]
        outcomes: list[list[int]] = []
        try:
            for seq in range(1, 6):
                outcomes.append(_round(clients, case_id, f'"{seq}"'))
            history = clients[0].get(f"/cases/{case_id}/history").json()["events"]
        finally:
            for client in clients:
                client.close()

        assert outcomes == [[201] + [412] * 15] * 5
        assert [event["seq"] for event in history] == [1, 2, 3, 4, 5, 6]


def _round(clients: list[httpx.Client], case_id: str, etag: str) -> list[int]:
    """Send one If-Match record from every client at once; return the statuses."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def write(client: httpx.Client) -> None:
        barrier.wait()
        response = client.post(
            f"/cases/{case_id}/records",
            json={"kind": "engagement", "data": ENGAGEMENT},
            headers={"If-Match": etag},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)
