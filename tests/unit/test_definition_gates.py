"""Approval gates in a process definition, and definitions that extend a built-in."""

from __future__ import annotations

import datetime as dt

import pytest

from helping_process.definitions import builtin
from helping_process.definitions import load_definition
from helping_process.engine import gate_of
from helping_process.exceptions import DefinitionError
from helping_process.model import Action
from helping_process.model import Actor
from helping_process.model import Event
from helping_process.states import Stage
from helping_process.states import parse_record

HEAD = """
format = 1
extends = "helping-process@2"
name = "lks-mawar"
version = 1
"""


def problems(text: str) -> list[str]:
    """Return the problems loading ``text`` names, in English."""
    with pytest.raises(DefinitionError) as broken:
        load_definition(text)
    return [problem.message("en") for problem in broken.value.problems]


class TestBuiltins:
    def test_rehsos_gates_every_termination_and_coercion(self):
        """rehsos-pp39@1 holds every termination and coercion for a supervisor."""
        gates = builtin("rehsos-pp39@1").gates

        assert [(g.command, g.approver, g.reasons) for g in gates] == [
            ("terminate", "supervisor", frozenset()),
            ("coerce", "supervisor", frozenset()),
        ]

    @pytest.mark.parametrize("ref", ["helping-process@1", "helping-process@2"])
    def test_the_helping_process_has_no_gates(self, ref):
        """The helping process's versions gate nothing (their digests stay)."""
        assert builtin(ref).gates == ()


class TestExtends:
    def test_the_loaded_definition_is_the_merged_one(self):
        """An extension is its base with its own name, version and gates."""
        text = HEAD + '[[gates]]\ncommand = "redact"\napprover = "administrator"\n'

        loaded = load_definition(text)
        base = builtin("helping-process@2")

        assert loaded.ref == "lks-mawar@1"
        assert loaded.extends == "helping-process@2"
        assert loaded.stages == base.stages
        assert loaded.label == base.label
        assert [g.command for g in loaded.gates] == ["redact"]
        assert loaded.digest not in {base.digest, load_definition(HEAD).digest}

    def test_an_extension_adds_to_the_gates_of_its_base(self):
        """The base's gates come first, then the extension's."""
        text = HEAD.replace("helping-process@2", "rehsos-pp39@1")
        text += '[[gates]]\ncommand = "reopen"\napprover = "supervisor"\n'

        loaded = load_definition(text)

        assert [g.command for g in loaded.gates] == ["terminate", "coerce", "reopen"]

    def test_an_unknown_base_is_named(self):
        """Extending what is not a built-in names the built-ins."""
        text = HEAD.replace("helping-process@2", "helping-process@9")

        assert problems(text) == [
            "extends: 'helping-process@9' is not a built-in definition to extend"
            " (built in: helping-process@1, helping-process@2, rehsos-pp39@1)"
        ]

    def test_an_extension_sets_only_its_own_keys(self):
        """An extension may not change its base's stages, moves or rules."""
        assert problems(HEAD + 'start = "intake"\n') == [
            "start: a definition that extends a built-in sets only name, version,"
            " label, description and gates"
        ]


class TestBadGates:
    def test_each_problem_is_named_at_its_path_in_the_file(self):
        """Every bad gate is named at its path in the extending file."""
        text = (
            HEAD.replace("helping-process@2", "rehsos-pp39@1")
            + """
[[gates]]
command = "reopen"
reasons = ["client_request"]
approver = "boss"

[[gates]]
command = "terminate"
reasons = ["nonsense"]
approver = "supervisor"

[[gates]]
command = "sign"
approver = "supervisor"
"""
        )
        assert problems(text) == [
            'gates[0].approver: "boss" is not allowed (allowed: "worker",'
            ' "supervisor", "administrator")',
            "gates[0].reasons: only a gate on terminate names reasons",
            "gates[1]: 'terminate' is gated twice (first at gates[0])",
            "gates[1].reasons[0]: unknown termination reason 'nonsense'",
            'gates[2].command: "sign" is not allowed (allowed: "terminate",'
            ' "coerce", "reopen", "migrate", "redact")',
        ]

    def test_a_reason_gated_twice_is_found(self):
        """Two gates on the same termination reason are a problem."""
        text = (
            HEAD
            + """
[[gates]]
command = "terminate"
reasons = ["client_request", "client_died"]
approver = "supervisor"

[[gates]]
command = "terminate"
reasons = ["client_died"]
approver = "administrator"
"""
        )
        assert problems(text) == [
            "gates[1]: 'terminate' is gated twice (first at gates[0])"
        ]

    def test_a_coerce_gate_needs_the_coerce_model(self):
        """Gating coercion needs a coerce intervention model."""
        coerce = (
            '{ code = "coerce", label = { id = "Paksaan (coerce)", en = "Coerce" } }'
        )
        text = builtin("helping-process@2").text.replace(f"  {coerce},\n", "")
        text = text.replace('"coerce"', '"persuade"')
        text += '\n[[gates]]\ncommand = "coerce"\napprover = "supervisor"\n'

        found = problems(text)

        assert (
            "gates[0].command: the definition has no intervention model" in (found[-1])
        )
        assert "Indonesian" not in found[-1]


class TestGateOf:
    def _event(self, action: Action, **fields: object) -> Event:
        at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        return Event(
            case_id="c",
            seq=2,
            episode=1,
            occurred_at=at,
            recorded_at=at,
            actor=Actor("wati"),
            action=action,
            from_stage=Stage.INTERVENTION,
            to_stage=Stage.INTERVENTION,
            **fields,  # type: ignore[arg-type]
        )

    def test_a_coercive_activity_is_gated_and_another_is_not(self):
        """Only an activity of the coerce model is held for approval."""
        definition = builtin("rehsos-pp39@1")
        activity = {
            "on": "2026-12-01",
            "role": "protector",
            "model": "coerce",
            "description": "Removed to a safe place.",
            "goal_ids": ["g1"],
            "justification": "Immediate danger.",
        }
        coerced = parse_record("activity", activity)
        persuaded = parse_record(
            "activity", {**activity, "model": "persuade", "justification": None}
        )

        gate = gate_of(definition, self._event(Action.RECORD, record=coerced))

        assert gate is not None
        assert gate.approver == "supervisor"
        assert gate_of(definition, self._event(Action.RECORD, record=persuaded)) is None
