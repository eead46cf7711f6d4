"""Process definitions as versioned data: load, check, look up built-ins.

A process definition is a TOML file that holds everything the engine
enforces: stages, legal moves and the checks each applies, record kinds and
their fields, termination reasons, worker roles, intervention models and the
word the profile uses for the client, each labelled in Indonesian and
English. Rules that are code are named by id (:mod:`.checks`). Three
definitions are built in: ``helping-process@1`` (the rules of the first
release), ``helping-process@2`` (the default for new cases) and
``rehsos-pp39@1`` (social rehabilitation in a residential unit).

Nothing is parsed at import: a definition is read on first use and cached
by its digest. Every name here is imported on first use (PEP 562).
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING
from typing import Final

if TYPE_CHECKING:
    from helping_process.definitions._load import BUILTIN_FILES
    from helping_process.definitions._load import DEFAULT_REF
    from helping_process.definitions._load import builtin
    from helping_process.definitions._load import builtin_text
    from helping_process.definitions._load import builtins
    from helping_process.definitions._load import by_digest
    from helping_process.definitions._load import canonical_bytes
    from helping_process.definitions._load import load_definition
    from helping_process.definitions._model import Coded
    from helping_process.definitions._model import Definition
    from helping_process.definitions._model import FieldSpec
    from helping_process.definitions._model import GateSpec
    from helping_process.definitions._model import MoveSpec
    from helping_process.definitions._model import ReasonSpec
    from helping_process.definitions._model import RecordKindSpec
    from helping_process.definitions._model import StageSpec
    from helping_process.definitions._model import Text
    from helping_process.definitions._problems import DefinitionProblem
    from helping_process.definitions._record_schema import record_schema
    from helping_process.definitions._record_schema import record_template
    from helping_process.definitions._schema import schema
    from helping_process.definitions._schema import schema_text
    from helping_process.definitions._validate import RecordProblem
    from helping_process.definitions._validate import check_record
    from helping_process.definitions._validate import labelled_codes
    from helping_process.definitions._validate import record_problems
    from helping_process.definitions._validate import reshaped_kinds

_EXPORTS: Final[dict[str, str]] = {
    "BUILTIN_FILES": "helping_process.definitions._load",
    "DEFAULT_REF": "helping_process.definitions._load",
    "Coded": "helping_process.definitions._model",
    "Definition": "helping_process.definitions._model",
    "DefinitionProblem": "helping_process.definitions._problems",
    "FieldSpec": "helping_process.definitions._model",
    "GateSpec": "helping_process.definitions._model",
    "MoveSpec": "helping_process.definitions._model",
    "ReasonSpec": "helping_process.definitions._model",
    "RecordKindSpec": "helping_process.definitions._model",
    "RecordProblem": "helping_process.definitions._validate",
    "StageSpec": "helping_process.definitions._model",
    "Text": "helping_process.definitions._model",
    "builtin": "helping_process.definitions._load",
    "builtin_text": "helping_process.definitions._load",
    "builtins": "helping_process.definitions._load",
    "check_record": "helping_process.definitions._validate",
    "by_digest": "helping_process.definitions._load",
    "canonical_bytes": "helping_process.definitions._load",
    "labelled_codes": "helping_process.definitions._validate",
    "load_definition": "helping_process.definitions._load",
    "record_schema": "helping_process.definitions._record_schema",
    "record_template": "helping_process.definitions._record_schema",
    "record_problems": "helping_process.definitions._validate",
    "reshaped_kinds": "helping_process.definitions._validate",
    "schema": "helping_process.definitions._schema",
    "schema_text": "helping_process.definitions._schema",
}

__all__ = [
    "BUILTIN_FILES",
    "DEFAULT_REF",
    "Coded",
    "Definition",
    "DefinitionProblem",
    "FieldSpec",
    "GateSpec",
    "MoveSpec",
    "ReasonSpec",
    "RecordKindSpec",
    "RecordProblem",
    "StageSpec",
    "Text",
    "builtin",
    "builtin_text",
    "builtins",
    "by_digest",
    "canonical_bytes",
    "check_record",
    "labelled_codes",
    "load_definition",
    "record_problems",
    "record_schema",
    "record_template",
    "reshaped_kinds",
    "schema",
    "schema_text",
]


if not TYPE_CHECKING:
    # Hidden from mypy so that a misspelt import is still an error, not Any.

    def __getattr__(name: str) -> object:
        """Import a public name on first use and keep it in the package."""
        if name not in _EXPORTS:
            message = f"module {__name__!r} has no attribute {name!r}"
            raise AttributeError(message, name=name, obj=sys.modules[__name__])
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """List the public names too, imported or not."""
    return sorted({*globals(), *__all__})
