"""What a user of the package gets: type information, and a complete sdist."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


class TestTypeInformation:
    def test_mypy_finds_the_package_from_another_folder(self, tmp_path: Path):
        """mypy, run on a script outside the project, reads the installed package."""
        script = tmp_path / "agency.py"
        script.write_text(
            textwrap.dedent(
                """\
                from helping_process import Stage
                from helping_process.cli import main
                from helping_process.testing import FixedClock

                stage: int = Stage.INTAKE
                entry = main
                clock = FixedClock()
                """
            ),
            encoding="utf-8",
        )

        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--cache-dir",
                str(tmp_path / "cache"),
                str(script),
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )

        assert "import-not-found" not in result.stdout
        assert "import-untyped" not in result.stdout
        assert result.stdout.splitlines()[0] == (
            f"{script.name}:5: error: Incompatible types in assignment (expression "
            'has type "Stage", variable has type "int")  [assignment]'
        )
        assert "Found 1 error in 1 file" in result.stdout

    def test_every_package_folder_rebuilds_the_editable_install(self):
        """Every folder of code is a cache key of uv's linked editable install."""
        import tomllib  # noqa: PLC0415 - only this test reads the project file

        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        keys = {key["file"] for key in project["tool"]["uv"]["cache-keys"]}
        folders = set(project["tool"]["setuptools"]["package-dir"].values())

        assert project["tool"]["uv"]["config-settings"] == {"editable_mode": "strict"}
        assert folders == {"src", "cli"}
        assert keys == {
            "pyproject.toml",
            "cli/*.py",
            "src/**/*.py",
            "src/helping_process/locale/**/*.mo",
        }


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The member names of a freshly built source distribution, without its root."""
    uv = shutil.which("uv")
    assert uv is not None, "uv builds the sdist (CI installs it)"
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv, "build", "--sdist", "--out-dir", str(out), str(ROOT)],
        capture_output=True,
        check=True,
    )
    (archive,) = out.glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        return [name.partition("/")[2] for name in tar.getnames()]


class TestSourceDistribution:
    @pytest.mark.parametrize(
        "member",
        [
            "LICENSE",
            "README.md",
            "docs/cli.md",
            "docs/domain.md",
            "docs/audit-format.md",
            "examples/verify_export.py",
            "src/helping_process/py.typed",
            "cli/_app.py",
            "uv.lock",
            "babel.cfg",
            "src/helping_process/locale/helping_process.pot",
            "src/helping_process/locale/id/LC_MESSAGES/helping_process.po",
            "src/helping_process/locale/id/LC_MESSAGES/helping_process.mo",
        ],
    )
    def test_holds(self, sdist: list[str], member: str):
        """The sdist holds the licence, the docs, the examples and the code."""
        assert member in sdist

    def test_every_doc_is_in_it(self, sdist: list[str]):
        """Every file of docs/ is in the sdist."""
        docs = {f"docs/{path.name}" for path in (ROOT / "docs").iterdir()}

        assert docs <= set(sdist)

    def test_no_local_files(self, sdist: list[str]):
        """No database or compiled file of a working copy slips in."""
        assert not [
            name
            for name in sdist
            if name.endswith((".db", ".pyc")) or "__pycache__" in name
        ]

    def test_licence_is_mit(self):
        """The licence file is the MIT licence of the helping_process authors."""
        text = (ROOT / "LICENSE").read_text("utf-8")

        assert text.startswith("MIT License\n\nCopyright (c) 2026 the helping_process")


class TestPackageList:
    def test_every_subpackage_is_shipped(self):
        """Every source folder with an __init__.py is a package the wheel lists."""
        import tomllib  # noqa: PLC0415 - only this test reads the project file

        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        listed = set(project["tool"]["setuptools"]["packages"])
        source = ROOT / "src"
        found = {
            ".".join(init.parent.relative_to(source).parts)
            for init in source.rglob("__init__.py")
        }

        assert found - listed == set()
