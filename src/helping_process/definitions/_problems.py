"""What is wrong with a process definition, where, in both languages."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from helping_process import labels
from helping_process.labels import Language


@attrs.frozen
class DefinitionProblem:
    """One problem of a process definition, at its path in the file.

    Attributes:
        path: where it is, e.g. ``moves[12].to`` (empty for the whole file).
        code: what is wrong, the id of a message ``definition.<code>`` in
            :mod:`helping_process.labels`.
        params: the facts the message names (codes, names, numbers).
    """

    path: str
    code: str
    params: Mapping[str, object] = attrs.field(factory=dict)

    def message(self, lang: Language = "en") -> str:
        """Return ``path: what is wrong`` in the given language."""
        text = labels.render(f"definition.{self.code}", lang, self.params)
        return f"{self.path}: {text}" if self.path else text

    def to_json(self) -> dict[str, object]:
        """Return the problem as a JSON object (``process check --json``)."""
        return {
            "path": self.path,
            "code": self.code,
            "params": {key: _plain(value) for key, value in self.params.items()},
        }


def _plain(value: object) -> object:
    return value if isinstance(value, str | int | float | bool) else str(value)


def join(path: str, key: str | int) -> str:
    """Return the path of ``key`` (a name or a list index) under ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
