import json
import subprocess
import sys
from pathlib import Path

import pytest

from helping_process import Actor
from helping_process import Stage
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import engagement_data

SCRIPT = Path(__file__).parents[2] / "examples" / "verify_export.py"
WORKER = Actor("worker-1")


def _export(tmp_path: Path) -> tuple[CaseService, Path]:
    service = CaseService(
        SqlStore.from_url(f"sqlite:///{tmp_path / 'cases.db'}"), clock=FixedClock()
    )
    for client in ("KLIEN-1", "KLIEN-2"):
        case = service.open(client, actor=WORKER, note="Rujukan keluarga")
        service.add_record_json(
            case.case_id, "engagement", engagement_data(), actor=WORKER
        )
        service.move(case.case_id, Stage.INTAKE, actor=WORKER)
    service.redact(case.case_id, actor=WORKER, note="UU 27/2022 Pasal 8")
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(service.export()) + "\n", encoding="utf-8")
    return service, path


def _verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


class TestExport:
    def test_an_independent_script_verifies_the_export(self, tmp_path):
        """The stdlib-only example verifier accepts an export, redactions included."""
        _, path = _export(tmp_path)

        result = _verify(path)

        assert (result.returncode, result.stdout.strip()) == (
            0,
            "verified: 2 cases, 7 events",
        )

    def test_the_export_holds_the_stored_bytes(self, tmp_path):
        """Each exported body is the stored body, byte for byte."""
        service, path = _export(tmp_path)
        lines = [json.loads(line) for line in path.read_text().splitlines()]

        with service.store.unit_of_work() as uow:
            stored = {(row.case_id, row.seq): row.body for row in uow.scan()}
        exported = {
            (line["case_id"], line["seq"]): line["body"].encode()
            for line in lines
            if line["type"] == "event"
        }

        assert exported == stored

    def test_an_edited_export_is_refused_at_the_event(self, tmp_path):
        """Changing one body in the export is reported at that case and event."""
        _, path = _export(tmp_path)
        lines = path.read_text().splitlines()
        index = next(
            i
            for i, line in enumerate(lines)
            if '"type":"event"' in line and '"seq":3' in line
        )
        event = json.loads(lines[index])
        event["body"] = event["body"].replace('"intake"', '"planning"')
        lines[index] = json.dumps(event)
        path.write_text("\n".join(lines) + "\n")

        result = _verify(path)

        assert result.returncode == 1
        assert result.stdout.strip() == (
            f"case {event['case_id']} event 3: hash mismatch"
        )


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
    )


class TestVerifierCommandLine:
    def test_help(self):
        """--help explains the script and exits 0, with no traceback."""
        result = _script("--help")

        assert result.returncode == 0
        assert result.stdout.startswith("usage: verify_export.py [-h] EXPORT.jsonl")
        assert "docs/audit-format.md" in result.stdout
        assert result.stderr == ""

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "cannot read"),
            ("", "is not a helping_process export"),
            ("{not json\n", "is not a helping_process export"),
        ],
    )
    def test_unreadable_input_is_a_usage_error(self, tmp_path, content, message):
        """A missing or malformed file exits 2 with one line saying what is wrong."""
        path = tmp_path / "export.jsonl"
        if content is not None:
            path.write_text(content, encoding="utf-8")

        result = _script(str(path))

        assert result.returncode == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr

    def test_no_argument(self):
        """Without a file the script prints its usage and exits 2."""
        result = _script()

        assert result.returncode == 2
        assert "usage: verify_export.py" in result.stderr
