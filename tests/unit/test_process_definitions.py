"""Process definitions as data: built-ins, version 1 and every kind of problem.

Version 1 is checked against today's states/ code, and each kind of problem
a broken definition is refused for is shown with its path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from helping_process import DEFAULT_REF
from helping_process import Actor
from helping_process import DefinitionError
from helping_process import DefinitionNotRunnableError
from helping_process import OpenCase
from helping_process import Stage
from helping_process import UnknownDefinitionError
from helping_process import builtin
from helping_process import builtins
from helping_process import load_definition
from helping_process import next_moves
from helping_process import open_case
from helping_process.definitions import BUILTIN_FILES
from helping_process.definitions import Definition
from helping_process.definitions import FieldSpec
from helping_process.definitions import _schema
from helping_process.definitions import builtin_text
from helping_process.definitions import canonical_bytes
from helping_process.definitions import checks
from helping_process.definitions import rehsos
from helping_process.definitions import schema
from helping_process.definitions import schema_text
from helping_process.engine import unsupported
from helping_process.labels import label
from helping_process.states import PROCESS
from helping_process.states import REASON_RULES
from helping_process.states import InterventionModel
from helping_process.states import RecordsInForce
from helping_process.states import WorkerRole
from helping_process.states import contract
from helping_process.states import planning
from helping_process.states import vocabulary
from helping_process.states._fields import evolve
from helping_process.states.records import RECORD_STAGES
from helping_process.states.records import RECORD_TYPES
from helping_process.states.rehabilitation import AftercarePlanRecord
from helping_process.states.rehabilitation import ResocializationRecord
from helping_process.states.vocabulary import HELPING_STAGES
from helping_process.testing import FixedClock
from helping_process.testing import add
from helping_process.testing import evaluation_data
from helping_process.testing import walk

V1 = builtin_text("helping-process@1")


def problems_of(text: str) -> list[str]:
    """Return the English problem lines loading ``text`` is refused with."""
    with pytest.raises(DefinitionError) as refused:
        load_definition(text)
    return [problem.message("en") for problem in refused.value.problems]


def v1_with(old: str, new: str) -> str:
    """Return helping-process@1's file with the first ``old`` replaced by ``new``."""
    assert old in V1
    return V1.replace(old, new, 1)


class TestBuiltins:
    """The built-in definitions load, and are found by reference."""

    @pytest.mark.parametrize("ref", sorted(BUILTIN_FILES))
    def test_loads_clean(self, ref):
        """Each built-in passes every check and carries its reference."""
        definition = builtin(ref)

        assert definition.ref == ref
        assert re.fullmatch(r"[0-9a-f]{64}", definition.digest)
        assert _schema.check(tomllib.loads(builtin_text(ref))) == []

    def test_name_alone_is_the_newest(self):
        """A reference without a version gives the newest version."""
        assert builtin("helping-process").ref == "helping-process@2"
        assert builtin().ref == DEFAULT_REF == "helping-process@2"

    def test_list_is_sorted(self):
        """Every built-in is listed, by name and then version."""
        assert [d.ref for d in builtins()] == [
            "helping-process@1",
            "helping-process@2",
            "rehsos-pp39@1",
        ]

    def test_unknown_reference(self):
        """An unknown reference is refused, naming the ones there are."""
        with pytest.raises(UnknownDefinitionError) as refused:
            builtin("helping-process@9")

        assert "helping-process@1" in refused.value.message("id")
        assert isinstance(refused.value, LookupError)

    def test_digest_ignores_comments_and_key_order(self):
        """Comments, layout and key order do not change the digest."""
        reordered = v1_with(
            'format = 1\nname = "helping-process"\nversion = 1\n',
            '# a comment\nversion = 1   # another\nname = "helping-process"\n'
            "format = 1\n",
        )

        assert load_definition(reordered).digest == builtin("helping-process@1").digest

    def test_digest_is_sha256_of_canonical_json(self):
        """The digest is SHA-256 of the sorted, compact JSON of the document."""
        document = tomllib.loads(V1)
        expected = hashlib.sha256(
            json.dumps(
                document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
        ).hexdigest()

        assert canonical_bytes(document).startswith(b'{"client_word":')
        assert builtin("helping-process@1").digest == expected

    def test_changing_a_rule_changes_the_digest(self):
        """Any change to what the definition says gives another digest."""
        changed = v1_with('code = "client_request"', 'code = "client_wish"')

        assert load_definition(changed).digest != builtin("helping-process@1").digest

    def test_loaded_once_per_digest(self, tmp_path: Path):
        """The same definition, from text or file, is the same cached object."""
        path = tmp_path / "mine.toml"
        path.write_text(V1, encoding="utf-8")

        assert load_definition(path) is builtin("helping-process@1")

    def test_import_parses_nothing(self):
        """Importing the package and its definitions module reads no TOML."""
        code = (
            "import sys, helping_process, helping_process.definitions\n"
            "print('tomllib' in sys.modules, 'attrs' in sys.modules)"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert result.stdout.split() == ["False", "False"]


class TestSchema:
    """The format's JSON Schema is published, well formed and enforced."""

    def test_is_draft_2020_12(self):
        """The schema is JSON declaring draft 2020-12, with every $ref resolvable."""
        document = json.loads(schema_text())
        refs = set(re.findall(r'"\$ref": "#/\$defs/(\w+)"', schema_text()))

        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert refs <= set(document["$defs"])
        assert document == schema()

    def test_schema_keys_match_the_builtins(self):
        """Every top-level key a built-in uses is a property of the schema."""
        for ref in BUILTIN_FILES:
            assert set(tomllib.loads(builtin_text(ref))) <= set(schema()["properties"])


def _sample_records() -> Iterator[tuple[RecordsInForce, dt.date]]:
    """Yield records in force of many kinds of case, each with a day to judge on."""
    clock = FixedClock()
    today = clock().date()
    later = dt.date(2099, 1, 1)
    for stage in HELPING_STAGES:
        for gas in (False, True):
            records = walk(stage, gas=gas, clock=clock).case.records
            yield records, today
            yield records, later
    partial = walk("evaluation", clock=clock).then(
        add("evaluation", evaluation_data(["g1"]))
    )
    yield partial.case.records, today
    unscored = walk("evaluation", gas=True, clock=clock).then(
        add("evaluation", evaluation_data(["g1", "g2"]))
    )
    yield unscored.case.records, today


SAMPLES = list(_sample_records())


class TestVersionOneIsTodaysCode:
    """helping-process@1 holds exactly what states/ enforces today."""

    v1 = builtin("helping-process@1")

    def test_stages(self):
        """Same stages, in order, with the same labels; only termination ends."""
        assert [s.code for s in self.v1.stages] == [s.value for s in HELPING_STAGES]
        assert [s.code for s in self.v1.stages if s.kind == "terminal"] == [
            "termination"
        ]
        for stage in self.v1.stages:
            assert stage.label.en == label("stage", stage.code, "en")
            assert stage.label.id == label("stage", stage.code, "id")
        assert self.v1.start == "engagement"

    def test_targets(self):
        """Every stage reaches the same stages as PROCESS."""
        for stage in HELPING_STAGES:
            assert self.v1.targets(stage.value) == {
                t.value for t in PROCESS.targets(stage)
            }

    def test_moves_decide_as_process(self):
        """Each move asks for what PROCESS asks for, on every sample of records."""
        for move in PROCESS.moves:
            found = self.v1.moves_between(move.source.value, move.dest.value)
            if move.trigger == "terminate":
                kinds = (
                    {"early", "planned"}
                    if move.source is Stage.EVALUATION
                    else {"early"}
                )
                assert {m.kind for m in found} == kinds
                assert all(m.note and not m.checks for m in found)
                continue
            (spec,) = found
            assert spec.note == bool(PROCESS.command_requirements(move, note=None))
            for records, day in SAMPLES:
                facts = checks.Facts(records=records, day=day)
                assert checks.run(spec.checks, facts) == PROCESS.move_requirements(
                    move, records, day=day
                ), (move, records)

    def test_no_other_moves(self):
        """The definition has no move PROCESS lacks."""
        pairs = {(m.source.value, m.dest.value) for m in PROCESS.moves}

        assert {(m.source, m.dest) for m in self.v1.moves} == pairs

    def test_reasons(self):
        """Same reasons, stages, residential flag, sub-reasons, referral and checks."""
        assert {r.code for r in self.v1.termination_reasons} == {
            r.value for r in REASON_RULES
        }
        for reason, rule in REASON_RULES.items():
            spec = self.v1.reason(reason.value)
            assert spec.stages == {s.value for s in rule.stages}
            assert spec.residential_only == rule.residential_only
            assert {s.code for s in spec.sub_reasons} == {
                s.value for s in rule.sub_reasons
            }
            assert spec.referral == rule.needs_referral
            assert spec.planned == rule.planned
            assert spec.label.id == label("reason", reason.value, "id")
            for sub in spec.sub_reasons:
                assert sub.label.en == label("sub_reason", sub.code, "en")
            for records, day in SAMPLES:
                facts = checks.Facts(records=records, day=day)
                assert checks.run(spec.checks, facts) == (
                    PROCESS.termination_requirements(rule, records)
                )
        for stage in HELPING_STAGES:
            for residential in (False, True):
                assert self.v1.reasons(stage.value, residential=residential) == {
                    r.value for r in PROCESS.reasons(stage, residential=residential)
                }

    def test_record_kinds(self):
        """Same kinds, fields, types, codes, personal data and where each is added."""
        assert [k.code for k in self.v1.record_kinds] == [
            k.value for k in RECORD_STAGES
        ]
        for kind in RECORD_STAGES:
            cls = RECORD_TYPES[kind]
            spec = self.v1.record_kind(kind.value)
            assert spec.stages == {s.value for s in RECORD_STAGES[kind]}
            assert spec.label.en == label("record_kind", kind.value, "en")
            _same_fields(self.v1, cls, spec.fields, later=LATER_FIELDS[kind.value])

    def test_roles_and_models(self):
        """Same worker roles and intervention models, with the same labels."""
        roles = [(c.code, c.label.id) for c in self.v1.worker_roles]
        models = [(c.code, c.label.en) for c in self.v1.intervention_models]

        assert roles == [(r.value, label("role", r.value, "id")) for r in WorkerRole]
        assert models == [
            (m.value, label("model", m.value, "en")) for m in InterventionModel
        ]


#: How the attrs field types of states/ read as definition field types.
_TYPES = {
    "dt.date": "date",
    "str": "text",
    "str | None": "text",
    "bool": "bool",
    "tuple[str, ...]": "text_list",
    "float": "number",
    "int": "int",
    "Mapping[str, int]": "map",
    "Mapping[str, str]": "map",
}
_ENUMS = {
    "ReferralSource": "referral_source",
    "ContractKind": "contract_kind",
    "WorkerRole": "worker_roles",
    "InterventionModel": "intervention_models",
    "FollowUpMode": "follow_up_mode",
}
_NESTED = {
    "Parties": "object",
    "GasScale | None": "object",
    "tuple[Goal, ...]": "object_list",
    "tuple[Objective, ...]": "object_list",
}


#: The optional fields later versions add to the record classes.
LATER_FIELDS = {
    "engagement": (),
    "intake": (),
    "contract": (),
    "assessment": (),
    "plan": ("practice_systems", "programme", "strategy"),
    "activity": ("techniques",),
    "evaluation": ("obstacles",),
}


def _same_fields(
    definition: Definition,
    cls: type,
    fields: tuple[FieldSpec, ...],
    *,
    later: tuple[str, ...] = (),
) -> None:
    """Assert that ``fields`` describe the attrs class ``cls`` field by field.

    The fields named in ``later`` belong to later versions and are left out.
    """
    specs = {f.name: f for f in fields}
    own = [field for field in attrs.fields(cls) if field.name not in later]
    assert [f.metadata.get("json", f.name) for f in own] == list(specs)
    for field in own:
        spec = specs[field.metadata.get("json", field.name)]
        assert spec.required == (field.default is attrs.NOTHING), spec.name
        assert spec.personal == bool(field.metadata.get("personal")), spec.name
        kind = field.type
        if kind in _ENUMS:
            enum = getattr(vocabulary, kind)
            assert (spec.type, spec.codes) == ("code", _ENUMS[kind])
            assert [c.code for c in definition.codes(_ENUMS[kind])] == [
                m.value for m in enum
            ]
        elif kind in _NESTED:
            assert spec.type == _NESTED[kind], spec.name
            nested = field.type.split("[")[-1].split(",")[0].split(" ")[0]
            _same_fields(definition, _nested_class(nested), spec.fields)
        else:
            assert spec.type == _TYPES[kind], spec.name


def _nested_class(name: str) -> type:
    found: type = getattr(contract, name, None) or getattr(planning, name)
    return found


class TestLaterVersions:
    """helping-process@2 and rehsos-pp39@1 hold their own rules."""

    @pytest.mark.parametrize(
        "kind", ["case_conference", "resocialization", "aftercare_plan", "follow_up"]
    )
    def test_pp39_records_are_the_engines(self, kind):
        """The profile's own record kinds are the engine's classes, field by field."""
        pp39 = builtin("rehsos-pp39@1")
        spec = pp39.record_kind(kind)

        _same_fields(pp39, RECORD_TYPES[vocabulary.RecordKind(kind)], spec.fields)

    def test_v2_only_adds(self):
        """Version 2 keeps every stage, move, reason and field of version 1."""
        v1, v2 = builtin("helping-process@1"), builtin("helping-process@2")

        assert v2.moves == v1.moves
        assert {r.code for r in v2.termination_reasons} == {
            r.code for r in v1.termination_reasons
        } | {"client_died"}
        for kind in v1.record_kinds:
            old = {f.name for f in kind.fields}
            assert old <= {f.name for f in v2.record_kind(kind.code).fields}

    def test_v2_corrections(self):
        """Absconding from intake, evaluation in intervention, the new fields."""
        v2 = builtin("helping-process@2")

        assert "client_absconded" in v2.reasons("intake", residential=True)
        assert "client_absconded" not in v2.reasons("intake", residential=False)
        assert v2.record_kind("evaluation").stages == {"intervention", "evaluation"}
        plan = {f.name: f for f in v2.record_kind("plan").fields}
        assert plan["programme"].codes == "programme_tasks"
        assert not plan["practice_systems"].required
        assert v2.codes("intervention_models")[0].label.id.startswith(
            "Perubahan perlahan-lahan"
        )

    def test_pp39_stages(self):
        """The PP 39/2012 profile ends with aftercare after closure."""
        pp39 = builtin("rehsos-pp39")

        assert [s.code for s in pp39.stages] == [
            "engagement",
            "assessment",
            "planning",
            "intervention",
            "resocialization",
            "termination",
            "aftercare",
            "closed",
        ]
        assert pp39.stage("aftercare").kind == "after_closure"
        assert pp39.targets("termination") == {"aftercare"}
        assert pp39.targets("resocialization") == {"termination", "closed"}
        assert pp39.residential == "always"
        assert pp39.client_word.id == "Penerima Manfaat"
        assert "client_absconded" in pp39.reasons("engagement", residential=True)

    def test_pp39_checks(self):
        """The profile's own checks name what is missing."""
        plan = AftercarePlanRecord(until=dt.date(2026, 6, 30), contact_every_days=14)

        assert rehsos.case_conference_requirements(None) == ["case_conference.record"]
        assert rehsos.resocialization_requirements(
            ResocializationRecord(
                family_prepared=True, community_prepared=False, plan="x"
            )
        ) == ["resocialization.community_prepared"]
        assert rehsos.aftercare_plan_requirements(plan) == []
        assert rehsos.aftercare_ended_requirements(plan, dt.date(2026, 6, 29)) == [
            "aftercare.period_ended"
        ]
        assert rehsos.aftercare_ended_requirements(plan, dt.date(2026, 6, 30)) == []
        assert rehsos.aftercare_ended_requirements(None, dt.date(2026, 6, 30)) == [
            "aftercare_plan.record"
        ]


def _move_index(source: str, dest: str) -> int:
    moves = builtin("helping-process@1").moves
    return next(i for i, m in enumerate(moves) if (m.source, m.dest) == (source, dest))


class TestProblems:
    """A broken definition is refused with every problem, each at its path."""

    def test_unknown_stage(self):
        """A move to a stage that does not exist names the move and the stage."""
        index = _move_index("evaluation", "planning")
        text = v1_with(
            'from = "evaluation"\nto = "planning"',
            'from = "evaluation"\nto = "penutupan"',
        )

        assert f"moves[{index}].to: unknown stage 'penutupan'" in problems_of(text)

    def test_unknown_check(self):
        """A check no code provides is refused."""
        index = _move_index("intervention", "evaluation")
        text = v1_with('checks = ["activity.record"]', 'checks = ["activity.records"]')

        assert problems_of(text) == [
            f"moves[{index}].checks[0]: unknown check 'activity.records'"
        ]

    def test_unknown_code_list(self):
        """A field drawing from a code list that does not exist is refused."""
        text = v1_with('codes = "referral_source"', 'codes = "referrers"')

        assert problems_of(text) == [
            "record_kinds[0].fields[2].codes: unknown code list 'referrers'"
        ]

    def test_unknown_rule(self):
        """A record rule no code provides is refused."""
        text = v1_with('rules = ["intake.criteria_failed"]', 'rules = ["intake.x"]')

        assert problems_of(text) == [
            "record_kinds[1].rules[0]: unknown record rule 'intake.x'"
        ]

    def test_unreachable_stage(self):
        """A stage no move leads to is refused."""
        text = v1_with(
            'from = "intake"\nto = "contract"', 'from = "intake"\nto = "assessment"'
        )

        assert problems_of(text) == [
            "stages[2]: stage 'contract' is unreachable"
            " from the start stage 'engagement'"
        ]

    def test_no_way_out(self):
        """A stage that is not terminal and has no move out is refused."""
        text = v1_with(
            'from = "termination"\nto = "engagement"\nkind = "reopen"',
            'from = "termination"\nto = "limbo"\nkind = "reopen"',
        ).replace(
            "# Legal moves.",
            '[[stages]]\ncode = "limbo"\nkind = "active"\n'
            'label = { id = "Limbo", en = "Limbo" }\n\n# Legal moves.',
        )

        problems = problems_of(text)

        assert "stages[8]: stage 'limbo' is not terminal but has no way out" in problems

    def test_reason_allowed_nowhere(self):
        """A termination reason allowed in no stage is refused."""
        text = v1_with('stages = ["engagement", "intake", "contract"]', "stages = []")

        assert problems_of(text) == [
            "termination_reasons[5].stages:"
            " reason 'not_eligible' is allowed in no stage"
        ]

    def test_duplicate_code(self):
        """Two codes alike in one list are refused, naming the first."""
        text = v1_with('{ code = "broker"', '{ code = "enabler"')

        assert problems_of(text) == [
            "worker_roles[1].code:"
            " 'enabler' is defined twice (first at worker_roles[0])"
        ]

    def test_label_missing_in_a_language(self):
        """A label without its English text is refused."""
        text = v1_with(
            'label = { id = "Kontrak", en = "Contract" }', 'label = { id = "Kontrak" }'
        )

        assert problems_of(text) == [
            "stages[2].label.en: the label in English is missing"
        ]

    def test_wrong_type(self):
        """A value of the wrong type is refused at its path."""
        text = v1_with("version = 1", 'version = "one"')

        assert problems_of(text) == ["version: must be of type integer, not string"]

    def test_unknown_key(self):
        """A key the format does not know is refused."""
        text = v1_with('kind = "forward"', 'kind = "forward"\ncolour = "red"')

        assert problems_of(text) == ["moves[0].colour: is not a key of the format"]

    def test_not_allowed_value(self):
        """A value outside its list is refused, naming the allowed ones."""
        text = v1_with('kind = "forward"', 'kind = "sideways"')

        assert problems_of(text) == [
            'moves[0].kind: "sideways" is not allowed (allowed: "forward", "loop", '
            '"early", "planned", "reopen")'
        ]

    def test_termination_without_reason(self):
        """A termination move from a stage where no reason is allowed is refused."""
        text = v1_with(
            'from = "evaluation"\nto = "termination"\nkind = "planned"',
            'from = "intake"\nto = "termination"\nkind = "planned"',
        )

        problems = problems_of(text)

        assert any(
            p.endswith(
                "the planned termination from 'intake' has no reason allowed there"
            )
            for p in problems
        )
        assert any(
            "stage 'evaluation' has no planned termination move" in p for p in problems
        )

    def test_not_toml(self):
        """A file that is not TOML is refused as such."""
        problems = problems_of("name = ")

        assert len(problems) == 1
        assert problems[0].startswith("the file is not valid TOML")

    def test_every_problem_at_once(self):
        """Several problems are all reported, sorted by path."""
        text = (
            v1_with("version = 1", "version = 0")
            .replace('{ code = "broker"', '{ code = "enabler"', 1)
            .replace('checks = ["activity.record"]', 'checks = ["nope.nope"]', 1)
        )

        with pytest.raises(DefinitionError) as refused:
            load_definition(text, name="mine.toml")

        paths = [p.path for p in refused.value.problems]
        assert paths == ["moves[5].checks[0]", "version", "worker_roles[1].code"]
        assert refused.value.message("en").startswith(
            "The process definition mine.toml has 3 problem(s): moves[5]"
        )
        assert "pemeriksaan 'nope.nope' tidak dikenal" in refused.value.message("id")
        assert isinstance(refused.value, ValueError)

    def test_problems_read_in_indonesian(self):
        """Each problem reads in Indonesian too."""
        with pytest.raises(DefinitionError) as refused:
            load_definition(v1_with("version = 1", 'version = "one"'))

        (problem,) = refused.value.problems
        assert problem.message("id") == "version: harus bertipe integer, bukan string"
        assert problem.to_json() == {
            "path": "version",
            "code": "wrong_type",
            "params": {"expected": "integer", "actual": "string"},
        }


class TestMoreProblems:
    """The rarer problems are named at their paths too."""

    def test_not_utf8(self, tmp_path: Path):
        """A file that is not UTF-8 is refused as such."""
        path = tmp_path / "latin1.toml"
        path.write_bytes('name = "café"'.encode("latin-1"))

        with pytest.raises(DefinitionError) as refused:
            load_definition(path)

        assert [p.code for p in refused.value.problems] == ["not_utf8"]
        assert refused.value.source == str(path)

    def test_blank_label_and_bad_code(self):
        """A blank label and a code that is not a code are refused."""
        text = v1_with('en = "Intake" }', 'en = "  " }').replace(
            'code = "self"', 'code = "Self"', 1
        )

        assert problems_of(text) == [
            "code_lists[0].codes[0].code: 'Self' is not in the required form",
            "stages[1].label.en: must not be blank",
        ]

    def test_too_few_and_too_small(self):
        """A list shorter than its minimum and a number below it are refused."""
        roles = V1[V1.index("worker_roles = [") : V1.index("intervention_models")]
        text = V1.replace(roles, "worker_roles = []\n").replace(
            "version = 1", "version = 0", 1
        )

        assert problems_of(text) == [
            "version: must be at least 1",
            "worker_roles: needs at least 1 item(s)",
        ]

    def test_move_shapes(self):
        """Terminations end in terminal stages; reopens leave them; no doubles."""
        text = (
            v1_with(
                'from = "engagement"\nto = "termination"\nkind = "early"',
                'from = "engagement"\nto = "intake"\nkind = "early"',
            )
            .replace(
                'from = "termination"\nto = "engagement"\nkind = "reopen"',
                'from = "intake"\nto = "engagement"\nkind = "reopen"',
            )
            .replace(
                'to = "assessment"\nkind = "loop"',
                'to = "assessment"\nkind = "loop"\n\n[[moves]]\nfrom = "planning"\n'
                'to = "assessment"\nkind = "forward"',
                1,
            )
        )

        problems = problems_of(text)

        assert (
            "moves[13].to: a termination must end in a terminal stage, not 'intake'"
            in problems
        )
        assert (
            "moves[21].from: a reopen must leave a terminal stage, not 'intake'"
            in problems
        )
        assert (
            "moves[7]: a second move of this kind from 'planning' to 'assessment'"
            " (first at moves[6])" in problems
        )

    def test_start_and_ending(self):
        """The start must be active, and every active stage must reach an end."""
        text = v1_with('start = "engagement"', 'start = "termination"').replace(
            'from = "termination"\nto = "engagement"',
            'from = "evaluation"\nto = "engagement"',
        )

        problems = problems_of(text)

        assert "start: the start stage 'termination' is not an active stage" in problems
        assert (
            "stages[0]: stage 'engagement' is unreachable"
            " from the start stage 'termination'" in problems
        )

    def test_cannot_end(self):
        """Active stages that only lead to each other are refused."""
        text = v1_with(
            "# Legal moves.",
            '[[stages]]\ncode = "limbo"\nkind = "active"\n'
            'label = { id = "Limbo", en = "Limbo" }\n\n'
            '[[moves]]\nfrom = "engagement"\nto = "limbo"\nkind = "loop"\n\n'
            '[[moves]]\nfrom = "limbo"\nto = "limbo"\nkind = "loop"\n\n# Legal moves.',
        )

        assert problems_of(text) == [
            "stages[8]: from stage 'limbo' no terminal stage can be reached"
        ]

    def test_field_needs_its_parts(self):
        """A code field without its code list is refused."""
        text = v1_with('codes = "referral_source"\n', "")

        assert problems_of(text) == [
            "record_kinds[0].fields[2]: a field of type code needs 'codes'"
        ]

    def test_equality_is_by_digest(self):
        """Two definitions are equal exactly when their digests are."""
        v1, v2 = builtin("helping-process@1"), builtin("helping-process@2")

        assert v1 == builtin("helping-process@1")
        assert v1 != v2
        assert len({v1, v2, builtin("helping-process@1")}) == 2
        assert "builtin" in dir(__import__("helping_process.definitions").definitions)


class TestRunnable:
    """Which definitions the engine runs cases under."""

    @pytest.mark.parametrize("ref", [d.ref for d in builtins()])
    def test_every_builtin_runs(self, ref):
        """The engine knows every code of every built-in definition."""
        assert unsupported(builtin(ref)) == []

    def test_an_agency_code_the_engine_lacks_is_named(self):
        """A sound definition naming a stage the engine lacks loads, but cannot run."""
        text = builtin_text("rehsos-pp39@1").replace('"closed"', '"penutupan"')
        text = text.replace('name = "rehsos-pp39"', 'name = "lks-mawar"')
        ours = load_definition(text)

        with pytest.raises(DefinitionNotRunnableError) as refused:
            open_case(
                OpenCase(client="PM-1", residential=True, process=ours),
                case_id="case-1",
                actor=Actor("worker-1"),
                at=FixedClock()(),
            )

        assert unsupported(ours) == ["stages: penutupan"]
        assert (refused.value.ref, refused.value.unknown) == (
            "lks-mawar@1",
            "stages: penutupan",
        )

    def test_the_same_codes_in_another_arrangement_run(self):
        """An agency's own arrangement of the engine's codes runs as it says."""
        text = builtin_text("rehsos-pp39@1").replace(
            'name = "rehsos-pp39"', 'name = "lks-mawar"'
        )
        # No case conference before planning in this agency.
        text = text.replace(
            'checks = ["assessment.record", "case_conference.record"]',
            'checks = ["assessment.record"]',
        )
        ours = load_definition(text)
        walked = open_case(
            OpenCase(client="PM-1", residential=True, process=ours),
            case_id="case-1",
            actor=Actor("worker-1"),
            at=FixedClock()(),
        ).case
        walked = evolve(walked, {"stage": Stage.ASSESSMENT})

        options = {o.target: o for o in next_moves(walked).moves}

        assert options[Stage.PLANNING].missing == ("assessment.record",)
