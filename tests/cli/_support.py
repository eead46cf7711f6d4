"""What the command-line tests share: the group, a runner, a reader of the trail."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
from click.testing import CliRunner
from click.testing import Result

from helping_process.cli import _case as case_module
from helping_process.cli import _errors as errors_module
from helping_process.cli import _messages as messages_module
from helping_process.cli import main
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data

__all__ = [
    "COMPLETE",
    "Cli",
    "case_module",
    "errors_module",
    "main",
    "messages_module",
    "python_env",
]

#: A complete record of each kind, as the forward walk needs it.
COMPLETE: dict[str, dict[str, Any]] = {
    "engagement": engagement_data(first_contact_on="2025-01-02"),
    "intake": intake_data(),
    "contract": contract_data(valid_from="2025-01-01", valid_until="2099-12-31"),
    "assessment": assessment_data(),
    "plan": plan_data(),
    "activity": activity_data(on="2025-01-03"),
    "evaluation": evaluation_data(),
}
#: The record each forward stage needs, and the stage after it.
FORWARD: tuple[tuple[str, str], ...] = (
    ("engagement", "intake"),
    ("intake", "contract"),
    ("contract", "assessment"),
    ("assessment", "planning"),
    ("plan", "intervention"),
    ("activity", "evaluation"),
)

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def python_env(**extra: str) -> dict[str, str]:
    """Return an environment for a child process: no helping-process settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HELPING_PROCESS_")
        and key not in ("LC_ALL", "LC_MESSAGES", "LANG")
    }
    env.update(extra)
    return env


def plain(text: str) -> str:
    """Return terminal output without colour codes or carriage returns."""
    return _ANSI.sub("", text).replace("\r", "")


@attrs.define
class Cli:
    """Runs the command line on one database, as one worker.

    Attributes:
        url: the database URL every run uses.
        home: a directory standing in for the user's data directory.
    """

    url: str
    home: Path

    def env(self, **extra: str | None) -> dict[str, str | None]:
        """The environment of a run: no inherited settings, a private home."""
        env: dict[str, str | None] = {
            "HELPING_PROCESS_DB": None,
            "HELPING_PROCESS_ACTOR": None,
            "HELPING_PROCESS_LANG": None,
            "LC_ALL": None,
            "LC_MESSAGES": None,
            "LANG": "C.UTF-8",
            "XDG_DATA_HOME": str(self.home),
        }
        env.update(extra)
        return env

    def run(
        self,
        *args: str,
        lang: str = "en",
        input: str | bytes | None = None,  # noqa: A002 - CliRunner's name
        fails: bool = False,
        db: bool = True,
        env: dict[str, str | None] | None = None,
    ) -> Result:
        """Run ``helping-process`` with the global options and ``args``.

        Args:
            args: the command line after the global options.
            lang: the ``--lang`` to pass (empty: none).
            input: what standard input holds.
            fails: an error exit is expected (exceptions are then caught).
            db: pass ``--db`` with the test's database.
            env: more environment variables (None removes one).
        """
        options = ["--actor", "worker-1"]
        if db:
            options += ["--db", self.url]
        if lang:
            options += ["--lang", lang]
        runner = CliRunner(catch_exceptions=fails)
        result = runner.invoke(
            main,
            [*options, *args],
            input=input,
            env=self.env(**(env or {})),
            prog_name="helping-process",
        )
        if fails:
            assert result.exception is None or isinstance(
                result.exception, SystemExit
            ), result.exception
        return result

    def json(self, *args: str, **options: Any) -> Any:
        """Run with ``--json`` and return the parsed standard output."""
        result = self.run("--json", *args, **options)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def open(self, client: str = "KLIEN-1", *, residential: bool = False) -> str:
        """Open a case and return its id."""
        flags = ["--residential"] if residential else []
        return str(self.json("case", "open", "--client", client, *flags)["case_id"])

    def record(self, case_id: str, kind: str, data: Any | None = None) -> None:
        """Add a record (a complete one of ``kind`` unless given)."""
        payload = json.dumps(COMPLETE[kind] if data is None else data)
        result = self.run("case", "record", case_id, kind, "--data", payload)
        assert result.exit_code == 0, result.stderr

    def move(self, case_id: str, stage: str, note: str | None = None) -> None:
        """Move the case to ``stage``."""
        extra = ["--note", note] if note else []
        result = self.run("case", "move", case_id, stage, *extra)
        assert result.exit_code == 0, result.stderr

    def walk(self, stage: str, **open_options: Any) -> str:
        """Open a case and take it forward, with complete records, to ``stage``."""
        case_id = self.open(**open_options)
        current = "engagement"
        for kind, target in FORWARD:
            if current == stage:
                break
            self.record(case_id, kind)
            self.move(case_id, target)
            current = target
        assert current == stage
        return case_id

    def events(self, case_id: str) -> int:
        """Return how many events the case's trail holds, read directly."""
        store = SqlStore.from_url(self.url)
        try:
            return len(CaseService(store).history(case_id))
        finally:
            store.dispose()

    def verify(self) -> list[Any]:
        """Return the findings of verifying the whole trail, read directly."""
        store = SqlStore.from_url(self.url)
        try:
            return CaseService(store).verify()
        finally:
            store.dispose()


def spawn_args(url: str, *args: str, lang: str = "en") -> list[str]:
    """The arguments of ``python -m helping_process.cli`` for a child process."""
    return [
        "-m",
        "helping_process.cli",
        "--db",
        url,
        "--actor",
        "worker-1",
        "--lang",
        lang,
        *args,
    ]


def stdout_lines(result: Result) -> Sequence[str]:
    """The lines of a run's standard output."""
    return result.stdout.splitlines()


PYTHON = sys.executable
