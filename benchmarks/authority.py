"""Who may do what: the cost of checking the actor and of logging a read.

On SQLite files (WAL, ``synchronous=FULL``, as the store opens them):

- a command with a staff roster (the actor checked) against the same
  command with an empty roster (nobody checked), interleaved;
- a read of a warm case that names its reader (authorized, then a durable,
  chained append to the access log) against the same read unnamed, and
  against the floor of that append: raw ``sqlite3`` reading the log's last
  row and inserting the next one, one commit each, on the same schema.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import tempfile
from pathlib import Path
from typing import Final

from _report import Figures
from _report import interleaved_us
from _report import progress

from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.staff import ChangeKind
from helping_process.staff import RosterChange
from helping_process.staff import roles_of
from helping_process.testing import engagement_data

TARGETS: Final = {
    "unchecked_command_us": "µs per recorded command, empty roster (not checked)",
    "checked_command_us": "µs per recorded command, actor checked on a roster of 3",
    "roster_check_ratio": "checked ÷ unchecked (≈ 1: one indexed read more)",
    "read_us": "µs per read of a warm case, reader not named (not logged)",
    "logged_read_us": "µs per read that names its reader: checked, logged durably",
    "access_append_floor_us": "floor: raw sqlite3 last row + insert + commit",
    "logged_read_floor_ratio": "floor ÷ logged read (1 = as fast as the floor)",
}

AT: Final = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _staffed(service: CaseService) -> None:
    staff = service.staff
    assert staff is not None
    for member, roles in (("boss", ["admin"]), ("w", ["worker"]), ("a", ["auditor"])):
        staff.change_roster(
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


def _floor(path: Path, reads: int) -> int:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    for _ in range(reads):
        connection.execute("BEGIN IMMEDIATE")
        row = connection.execute(
            "SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, last = (0, "0" * 64) if row is None else row
        body = b'{"actor":"a","at":"2026-12-01T00:00:00+00:00","case_id":"c",'
        body += b'"operation":"show","seq":%d}' % (seq + 1)
        connection.execute(
            "INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq + 1,
                "a",
                "show",
                "c",
                "2026-12-01 00:00:00.000000",
                body,
                last,
                hashlib.sha256(last.encode() + body).hexdigest(),
            ),
        )
        connection.execute("COMMIT")
    connection.close()
    return reads


def measure(quick: bool) -> Figures:
    """Measure checked commands and logged reads against their floors."""
    batch = 50 if quick else 200
    repeats = 5 if quick else 9
    with tempfile.TemporaryDirectory(prefix="hp-authority-") as directory:
        folder = Path(directory)
        stores = {
            name: SqlStore.from_url(f"sqlite:///{folder / name}.db")
            for name in ("open", "staffed", "floor")
        }
        services = {name: CaseService(store) for name, store in stores.items()}
        _staffed(services["staffed"])
        cases = {
            name: services[name].open("KLIEN-1", actor="w").case_id
            for name in ("open", "staffed")
        }
        stores["floor"].dispose()

        def command(name: str) -> int:
            service, case_id = services[name], cases[name]
            for _ in range(batch):
                service.add_record_json(
                    case_id, "engagement", engagement_data(), actor="w"
                )
            return batch

        def read(reader: str | None) -> int:
            service, case_id = services["staffed"], cases["staffed"]
            for _ in range(batch):
                service.get(case_id, reader=reader)
            return batch

        progress("authority: commands, checked and not")
        commands = interleaved_us(
            {"open": lambda: command("open"), "staffed": lambda: command("staffed")},
            repeats,
        )
        progress("authority: reads, logged and not, and the floor")
        reads = interleaved_us(
            {
                "plain": lambda: read(None),
                "logged": lambda: read("a"),
                "floor": lambda: _floor(folder / "floor.db", batch),
            },
            repeats,
        )
        for store in stores.values():
            store.dispose()
    return {
        "unchecked_command_us": commands["open"],
        "checked_command_us": commands["staffed"],
        "roster_check_ratio": commands["staffed"] / commands["open"],
        "read_us": reads["plain"],
        "logged_read_us": reads["logged"],
        "access_append_floor_us": reads["floor"],
        "logged_read_floor_ratio": reads["floor"] / reads["logged"],
    }
