"""Stream scripted commands into a SQLite file until killed (see test_crash.py).

Usage: ``python -m tests.integration._crash_writer PATH SEED``. It imports
what it needs, waits for ``go`` on its standard input (so the parent can
start the next writer while this one still runs), then picks up
the cases it finds in the file, keeps a handful of them going through the
script (two episodes each) and opens new ones as they finish. It prints
``ready`` once the store is open, then ``ack CASE_ID SEQ`` after every
command the service has accepted, so the parent knows what must survive.
"""

from __future__ import annotations

import random
import sys

from helping_process import Actor
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from tests.integration._support import SCRIPT_END
from tests.integration._support import scripted_command

#: How many unfinished cases the writer keeps going at once.
ACTIVE = 4


def main(path: str, seed: int) -> None:
    """Write until killed."""
    rng = random.Random(seed)
    actor = Actor(f"writer-{seed}")
    if sys.stdin.readline() != "go\n":
        return
    service = CaseService(SqlStore.from_url(f"sqlite:///{path}"), clock=FixedClock())
    active = {s.case_id: s.seq for s in service.cases() if s.seq < SCRIPT_END}
    print("ready", flush=True)
    while True:
        if len(active) < ACTIVE:
            case = service.open(f"client {seed}-{rng.random()}", actor=actor)
        else:
            case_id = rng.choice(sorted(active))
            command = scripted_command(active[case_id])
            case = service.execute(case_id, command, actor=actor)
        active[case.case_id] = case.seq
        if case.seq >= SCRIPT_END:
            del active[case.case_id]
        print("ack", case.case_id, case.seq, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
