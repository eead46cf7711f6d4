"""The HTTP API: commands per second over keep-alive HTTP, against its floors.

Three things do the same commands (an engagement record added to one of 50
cases, round-robin) in the same run, each on a fresh SQLite file:

- the service in process (``CaseService.add_record_json``): what the API
  wraps;
- the API served by uvicorn (one worker, as ``helping-process serve`` runs
  it, access log on), sent requests over keep-alive connections by one
  client and by eight;
- a bare Litestar app of one route answering the same bytes, served the
  same way: what the framework and the server cost with no work at all.

The clients are load generators, one keep-alive connection each (eight
threads for eight clients): a request is written in one send and its answer
read by its ``Content-Length``, as wrk or h2load do. The standard library's
``http.client`` parses every answer's headers with the ``email`` package,
about 250 µs of the client's CPU a request here, half of the bare app's
round trip: it would measure itself more than the server, so it is timed
once beside the rest (``http_one_client_stdlib_ratio``) and no more.
Latencies are per request, as the client sees them. The module is not named
``http``: run.py puts this folder on ``sys.path``, where that name would hide
the standard library's.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Final

from _report import Figures
from _report import progress

from helping_process import Actor
from helping_process.persistence import SqlStore
from helping_process.persistence import SqlTokenStore
from helping_process.service import CaseService

TARGETS: Final = {
    "http_inprocess_per_s": "the service alone",
    "http_one_client_per_s": "one keep-alive client",
    "http_one_client_ratio": ">= 0.5 (HTTP one client / in process)",
    "http_eight_clients_per_s": "eight keep-alive clients",
    "http_bare_one_client_per_s": "framework floor, one client",
    "http_bare_ratio": "HTTP / bare app, one client",
    "http_ratio_ceiling": "the ratio with an API that cost nothing",
    "http_api_own_us": "request - command - bare round trip",
    "http_one_client_stdlib_ratio": "the ratio with http.client as the client",
}

ENGAGEMENT: Final = {
    "first_contact_on": "2026-11-20",
    "request": "A safe place to stay",
    "referral_source": "family",
}
CASES: Final = 50
_HERE: Final = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(
    arguments: list[str], env: dict[str, str], port: int
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *arguments,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.1)
        else:
            return process
    process.kill()
    message = "server did not start"
    raise RuntimeError(message)


class _Connection:
    """One keep-alive HTTP/1.1 connection that POSTs and reads the answers."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self._socket = socket.create_connection(("127.0.0.1", port))
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._answers = self._socket.makefile("rb")
        self._head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())

    def request(self, path: str, body: bytes) -> tuple[int, bytes]:
        """Send one POST; return the answer's status and body."""
        self._socket.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self._head}"
            f"Content-Length: {len(body)}\r\n\r\n".encode("latin-1")
            + body
        )
        status = int(self._answers.readline().split(b" ", 2)[1])
        length = None
        while (line := self._answers.readline()) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        if length is None:
            message = "an answer without Content-Length"
            raise RuntimeError(message)
        return status, self._answers.read(length)

    def close(self) -> None:
        self._answers.close()
        self._socket.close()


class _StdlibConnection:
    """The same, with the standard library's ``http.client``."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port)
        self._headers = headers

    def request(self, path: str, body: bytes) -> tuple[int, bytes]:
        """Send one POST; return the answer's status and body."""
        self._connection.request("POST", path, body, self._headers)
        response = self._connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self._connection.close()


def _clients(  # noqa: PLR0913 - the server, the requests and the client kind
    port: int,
    paths: list[str],
    headers: dict[str, str],
    clients: int,
    per_client: int,
    *,
    connection_type: type[_Connection | _StdlibConnection] = _Connection,
) -> tuple[float, list[float]]:
    """Send ``per_client`` requests from each client; return rate and latencies."""
    body = json.dumps({"kind": "engagement", "data": ENGAGEMENT}).encode()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def run(index: int) -> None:
        connection = connection_type(port, headers)
        own = latencies[index]
        barrier.wait()
        for number in range(per_client):
            path = paths[(index * per_client + number) % len(paths)]
            started = time.perf_counter()
            status, _ = connection.request(path, body)
            own.append((time.perf_counter() - started) * 1e6)
            if status != 201:
                message = f"{status} from {path}"
                raise RuntimeError(message)
        connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    flat = [value for own in latencies for value in own]
    if len(flat) != clients * per_client:
        message = "a client failed"
        raise RuntimeError(message)
    return len(flat) / took, flat


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


class _InProcess:
    """The service on its own database, with cases to add records to."""

    def __init__(self, folder: Path) -> None:
        self.store = SqlStore.from_url(f"sqlite:///{folder / 'inprocess.db'}")
        self.service = CaseService(self.store)
        self.actor = Actor("peksos-1")
        self.ids = [
            self.service.open(f"K-{i}", actor=self.actor).case_id for i in range(CASES)
        ]

    def rate(self, n: int) -> float:
        """Add ``n`` records; return how many per second."""
        started = time.perf_counter()
        for number in range(n):
            self.service.add_record_json(
                self.ids[number % CASES], "engagement", ENGAGEMENT, actor=self.actor
            )
        return n / (time.perf_counter() - started)


def _served(folder: Path, name: str) -> tuple[str, str, list[str]]:
    """Make a database with cases and a token; return its URL, the token, paths."""
    url = f"sqlite:///{folder / (name + '.db')}"
    store = SqlStore.from_url(url)
    service = CaseService(store)
    actor = Actor("peksos-1")
    ids = [service.open(f"K-{i}", actor=actor).case_id for i in range(CASES)]
    token = SqlTokenStore(store.bind).issue("peksos-1", at=dt.datetime.now(dt.UTC))
    store.dispose()
    return url, token, [f"/cases/{case_id}/records" for case_id in ids]


def measure(quick: bool) -> Figures:  # noqa: PLR0915 - three servers in one run, in turns
    n = 800 if quick else 4000
    rounds = 3 if quick else 5
    figures: Figures = {}
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        local = _InProcess(folder)
        url, token, paths = _served(folder, "api")
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        }
        port = _free_port()
        api = _start(
            ["--factory", "helping_process.http:environment_app"],
            {"HELPING_PROCESS_DB": url},
            port,
        )
        try:
            local.rate(100)
            _clients(port, paths, headers, 1, 100)
            # In turns, round by round, so the machine's load hits both alike.
            inprocess_rates, one_rates, ratios = [], [], []
            one_latencies: list[float] = []
            for number in range(rounds):
                progress(f"http: in process and one client, round {number + 1}")
                inprocess = local.rate(n // rounds)
                one, latencies = _clients(port, paths, headers, 1, n // rounds)
                inprocess_rates.append(inprocess)
                one_rates.append(one)
                ratios.append(one / inprocess)
                one_latencies += latencies
            progress("http: in process and one http.client client")
            stdlib_ratio = _stdlib_ratio(local, port, paths, headers, n // rounds)
            progress("http: eight clients")
            eight, eight_latencies = _clients(port, paths, headers, 8, n // 8)
            sample = http.client.HTTPConnection("127.0.0.1", port)
            sample.request(
                "POST",
                paths[0],
                json.dumps({"kind": "engagement", "data": ENGAGEMENT}),
                headers,
            )
            answer = sample.getresponse().read().decode()
            sample.close()
        finally:
            api.terminate()
            api.wait()
            local.store.dispose()
        bare_port = _free_port()
        bare = _start(
            ["--app-dir", str(_HERE), "_bare_app:app"],
            {"HP_BARE_BODY": answer},
            bare_port,
        )
        try:
            _clients(bare_port, paths, headers, 1, 100)
            progress("http: bare app")
            bare_one, bare_latencies = _clients(bare_port, paths, headers, 1, n)
            bare_eight, _ = _clients(bare_port, paths, headers, 8, n // 8)
        finally:
            bare.terminate()
            bare.wait()
    one = statistics.median(one_rates)
    figures["http_inprocess_per_s"] = round(statistics.median(inprocess_rates))
    figures["http_one_client_per_s"] = round(one)
    figures["http_one_client_p50_us"] = round(_percentile(one_latencies, 0.5))
    figures["http_one_client_p99_us"] = round(_percentile(one_latencies, 0.99))
    figures["http_eight_clients_per_s"] = round(eight)
    figures["http_eight_clients_p50_us"] = round(_percentile(eight_latencies, 0.5))
    figures["http_eight_clients_p99_us"] = round(_percentile(eight_latencies, 0.99))
    figures["http_bare_one_client_per_s"] = round(bare_one)
    figures["http_bare_one_client_p50_us"] = round(_percentile(bare_latencies, 0.5))
    figures["http_bare_eight_clients_per_s"] = round(bare_eight)
    figures["http_one_client_ratio"] = round(statistics.median(ratios), 3)
    figures["http_bare_ratio"] = round(one / bare_one, 3)
    # What the ratio would be if the API's own work cost nothing: the
    # command, plus the round trip of the bare app.
    command_s = 1 / statistics.median(inprocess_rates)
    figures["http_ratio_ceiling"] = round(command_s / (command_s + 1 / bare_one), 3)
    # The API's own work per request: a request less the command and less
    # the bare app's round trip (the part neither the store nor the
    # framework and server explain).
    figures["http_api_own_us"] = round((1 / one - command_s - 1 / bare_one) * 1e6)
    figures["http_one_client_stdlib_ratio"] = round(stdlib_ratio, 3)
    return figures


def _stdlib_ratio(
    local: _InProcess, port: int, paths: list[str], headers: dict[str, str], n: int
) -> float:
    """One round of the one-client ratio with ``http.client`` as the client."""
    _clients(port, paths, headers, 1, 50, connection_type=_StdlibConnection)
    inprocess = local.rate(n)
    one, _ = _clients(port, paths, headers, 1, n, connection_type=_StdlibConnection)
    return one / inprocess
