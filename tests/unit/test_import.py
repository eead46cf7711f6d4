"""Importing the domain core loads neither the database nor the command line.

The package and :mod:`helping_process.states` import their names on first use,
so that ``helping-process --help`` starts without attrs, transitions or
importlib.metadata (benchmarks/ measures the cost). These tests run a fresh
interpreter and look at ``sys.modules``; they never time anything.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

import helping_process
import helping_process.states

#: The libraries whose loading the tests watch.
WATCHED = (
    "sqlalchemy",
    "alembic",
    "click",
    "transitions",
    "attrs",
    "attr",
    "cryptography",
    "orjson",
    "platformdirs",
    "importlib.metadata",
    "helping_process.engine",
    "helping_process.model",
    "helping_process.persistence",
    "helping_process.http",
    "litestar",
    "uvicorn",
)


def loaded_after(code: str) -> dict[str, bool]:
    """Run ``code`` in a fresh interpreter; report which watched modules it loaded."""
    script = (
        "import json, sys\n"
        f"{code}\n"
        f"print(json.dumps({{name: name in sys.modules for name in {WATCHED!r}}}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPING_PROCESS_")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return] # a JSON object of bools


def loaded_after_import(module: str) -> dict[str, bool]:
    """Import ``module`` in a fresh interpreter and report which others it loaded."""
    return loaded_after(f"import {module}")


#: Runs the console script's group as ``helping-process --help`` does, and
#: checks that the help was really printed.
HELP = (
    "from helping_process.cli import main\n"
    "try:\n"
    "    main(['--help'], prog_name='helping-process')\n"
    "except SystemExit as done:\n"
    "    assert done.code == 0, done.code\n"
)


class TestImport:
    @pytest.mark.parametrize("module", ["helping_process", "helping_process.testing"])
    def test_no_database_and_no_command_line(self, module):
        """The pure core leaves SQLAlchemy and click unloaded."""
        loaded = loaded_after_import(module)

        assert (loaded["sqlalchemy"], loaded["click"]) == (False, False)

    def test_package_imports_nothing_until_used(self):
        """Importing the package alone loads neither attrs, transitions nor metadata."""
        loaded = loaded_after_import("helping_process")

        assert [name for name, is_loaded in loaded.items() if is_loaded] == []

    def test_codes_need_no_records(self):
        """The stage and reason codes load without attrs and the process."""
        loaded = loaded_after("from helping_process.states.vocabulary import Stage")

        assert [name for name, is_loaded in loaded.items() if is_loaded] == []

    def test_core_loads_its_own_dependencies(self):
        """The check is real: using the core does load its own dependencies."""
        loaded = loaded_after("from helping_process import apply")

        assert (loaded["transitions"], loaded["attrs"]) == (True, True)

    def test_core_and_service_leave_the_http_api_unloaded(self):
        """Neither the core nor the service loads the HTTP API."""
        loaded = loaded_after(
            "import helping_process\n"
            "from helping_process import apply\n"
            "from helping_process.service import CaseService\n"
        )

        assert (
            loaded["helping_process.http"],
            loaded["litestar"],
            loaded["uvicorn"],
        ) == (False, False, False)

    def test_http_api_loads_its_framework(self):
        """The check is real: importing helping_process.http loads Litestar."""
        loaded = loaded_after_import("helping_process.http")

        assert (loaded["helping_process.http"], loaded["litestar"]) == (True, True)


class TestStartUp:
    def test_help_loads_only_the_command_line(self):
        """``helping-process --help`` loads click, but no core library or database."""
        loaded = loaded_after(HELP)

        assert [name for name, is_loaded in loaded.items() if is_loaded] == ["click"]


class TestLazyNames:
    @pytest.mark.parametrize(
        "package", [helping_process, helping_process.states], ids=lambda p: p.__name__
    )
    def test_every_public_name_resolves_to_its_definition(self, package):
        """Each name in ``__all__`` is the object of the module that defines it."""
        exports = package._EXPORTS

        resolved = {name: getattr(package, name) for name in exports}

        # PROCESS is the default definition, not a name of a module.
        assert set(exports) - {"PROCESS"} == set(package.__all__) - {
            "__version__",
            "PROCESS",
        }
        assert resolved == {
            name: getattr(importlib.import_module(module), name)
            for name, module in exports.items()
        }

    @pytest.mark.parametrize(
        "package", [helping_process, helping_process.states], ids=lambda p: p.__name__
    )
    def test_dir_lists_every_public_name(self, package):
        """``dir()`` shows the public names, imported yet or not."""
        assert set(package.__all__) <= set(dir(package))

    @pytest.mark.parametrize(
        "package", [helping_process, helping_process.states], ids=lambda p: p.__name__
    )
    def test_unknown_name_is_an_attribute_error(self, package):
        """An unknown name raises AttributeError with Python's usual message."""
        expected = f"module '{package.__name__}' has no attribute 'Nonexistent'"

        with pytest.raises(AttributeError, match=expected) as raised:
            package.Nonexistent  # noqa: B018 - the access is the test

        assert raised.value.name == "Nonexistent"

    def test_from_import_of_every_public_name(self):
        """Every name in ``__all__`` can be from-imported, all without the database."""
        names = ", ".join(helping_process.__all__)

        loaded = loaded_after(f"from helping_process import {names}")

        assert loaded["sqlalchemy"] is False

    def test_version_comes_from_the_installed_metadata(self):
        """``__version__`` is the installed distribution's version."""
        from importlib.metadata import version  # noqa: PLC0415

        assert helping_process.__version__ == version("helping-process")
