"""Process definitions the tests share."""

from __future__ import annotations

from helping_process.definitions import Definition
from helping_process.definitions import builtin_text
from helping_process.definitions import load_definition


def without_family() -> Definition:
    """helping-process@2 as an agency might narrow it: no referral by family."""
    text = builtin_text("helping-process@2").replace(
        'name = "helping-process"', 'name = "lks-tanpa-keluarga"', 1
    )
    family = next(
        line
        for line in text.splitlines()
        if line.strip().startswith('{ code = "family"')
    )
    return load_definition(text.replace(family + "\n", "", 1))
