"""Importing the domain core loads neither the database nor the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def loaded_after_import(module: str) -> dict[str, bool]:
    """Import ``module`` in a fresh interpreter and report which others it loaded."""
    script = (
        "import json, sys\n"
        f"import {module}\n"
        "print(json.dumps({name: name in sys.modules "
        "for name in ('sqlalchemy', 'click', 'transitions', 'attrs')}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return] # a JSON object of bools


class TestImport:
    @pytest.mark.parametrize("module", ["helping_process", "helping_process.testing"])
    def test_no_database_and_no_command_line(self, module):
        """The pure core leaves SQLAlchemy and click unloaded."""
        loaded = loaded_after_import(module)

        assert (loaded["sqlalchemy"], loaded["click"]) == (False, False)

    def test_core_loads_its_own_dependencies(self):
        """The check is real: the core's own dependencies do show up."""
        loaded = loaded_after_import("helping_process")

        assert (loaded["transitions"], loaded["attrs"]) == (True, True)
