"""Every problem and finding code the library raises reads in both languages.

The codes are collected from the source itself (the calls that raise
InvalidInputError, RecordInvalidError and AuditIntegrityError, and the
record validators' ``_fail``), so a new code without labels fails here
rather than reaching a user as a bare code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helping_process import AuditIntegrityError
from helping_process import InvalidInputError
from helping_process.labels import label

SOURCE = Path(__file__).parents[2] / "src" / "helping_process"
#: Where the code is among the positional arguments, and its label namespace.
RAISERS = {
    "InvalidInputError": (1, "problem"),
    "RecordInvalidError": (2, "problem"),
    "_fail": (2, "problem"),
    "AuditIntegrityError": (2, "integrity"),
}


def _raised() -> set[tuple[str, str]]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in RAISERS:
                continue
            index, namespace = RAISERS[name]
            if name == "_fail" and isinstance(node.func, ast.Attribute):
                index = 1  # Reader._fail(field, problem)
            code = node.args[index] if len(node.args) > index else None
            if isinstance(code, ast.Constant):
                found.add((namespace, str(code.value)))
    return found


RAISED = sorted(_raised())


class TestRaisedCodes:
    def test_the_source_raises_codes_of_both_kinds(self):
        """The scan finds problem and integrity codes (it reads the source)."""
        namespaces = {namespace for namespace, _ in RAISED}

        assert namespaces == {"problem", "integrity"}
        assert ("problem", "not_toml") in RAISED
        assert ("integrity", "head_mismatch") in RAISED

    @pytest.mark.parametrize(("namespace", "code"), RAISED)
    def test_each_code_has_both_labels(self, namespace, code):
        """A raised code has an English and an Indonesian label of its own."""
        english = label(namespace, code, "en")
        indonesian = label(namespace, code, "id")

        assert code not in {english, indonesian}
        assert english != indonesian

    def test_an_integrity_error_speaks_indonesian(self):
        """An audit-integrity error is worded, not coded, in Indonesian."""
        error = AuditIntegrityError("case-1", 3, "differs")

        assert error.message("id") == (
            "Jejak audit kasus case-1 rusak pada peristiwa 3: "
            "peristiwa tidak sesuai dengan hasil perintahnya."
        )

    def test_a_bad_url_is_worded(self):
        """A malformed database URL is explained, not coded."""
        error = InvalidInputError("database_url", "not_url", "x")

        assert "not a database URL" in error.message("en")
