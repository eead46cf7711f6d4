"""A malformed record is refused with every problem at once, from the definition."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helping_process import Actor
from helping_process import InvalidSubReasonError
from helping_process import RecordInvalidError
from helping_process import RecordProblemsError
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import builtin
from helping_process import builtins
from helping_process import parse_record
from helping_process.definitions import FieldSpec
from helping_process.definitions import check_record
from helping_process.definitions import record_problems
from helping_process.definitions.records_doc import example_record
from helping_process.definitions.records_doc import records_markdown
from helping_process.service import CaseService
from helping_process.states import to_json
from helping_process.testing import InMemoryStore
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import plan_data
from tests.definitions import without_family
from tests.strategies import Malformed
from tests.strategies import complete_records
from tests.strategies import malformed_records

ROOT = Path(__file__).parents[2]
#: Every record kind of every built-in definition.
KINDS = [
    (definition.ref, kind.code)
    for definition in builtins()
    for kind in definition.record_kinds
]
#: The record kinds the record classes read.
READ_KINDS = (
    "engagement",
    "intake",
    "contract",
    "assessment",
    "plan",
    "activity",
    "evaluation",
)


def _required_paths(
    fields: tuple[FieldSpec, ...], prefix: tuple[str | int, ...] = ()
) -> list[tuple[str | int, ...]]:
    """The path of every required field an example record holds."""
    paths: list[tuple[str | int, ...]] = []
    for spec in fields:
        if not spec.required:
            continue
        path = (*prefix, spec.name)
        paths.append(path)
        inner = (*path, 0) if spec.type == "object_list" else path
        paths += _required_paths(spec.fields, inner)
    return paths


def _render(path: tuple[str | int, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else step
    return text


def _codes(error: RecordProblemsError) -> list[tuple[str, str]]:
    return [(problem.path, problem.code) for problem in error.problems]


class TestRoundTrip:
    """Every record kind of every built-in validates and fails as its fields say."""

    @pytest.mark.parametrize(("ref", "kind"), KINDS)
    def test_an_example_record_validates(self, ref, kind):
        """The example of a kind, with its required fields, has no problem."""
        definition = builtin(ref)

        problems = record_problems(definition, kind, example_record(definition, kind))

        assert problems == ()

    @pytest.mark.parametrize(("ref", "kind"), KINDS)
    def test_each_required_field_removed_is_missing(self, ref, kind):
        """Removing any required field is refused as that field missing."""
        definition = builtin(ref)
        example = example_record(definition, kind)
        paths = _required_paths(definition.record_kind(kind).fields)

        for path in paths:
            data: Any = copy.deepcopy(example)
            parent = data
            for step in path[:-1]:
                parent = parent[step]
            del parent[path[-1]]
            problems = record_problems(definition, kind, data)

            assert (_render(path), "missing") in [(p.path, p.code) for p in problems]
        assert paths

    @pytest.mark.parametrize("kind", READ_KINDS)
    def test_an_example_record_is_read_by_its_class(self, kind):
        """What the validator passes, the record class reads."""
        record = parse_record(kind, example_record(builtin(), kind))

        assert record.kind == kind

    @pytest.mark.parametrize(
        "kind", ["case_conference", "resocialization", "aftercare_plan", "follow_up"]
    )
    def test_the_pp39_examples_are_read_by_their_classes(self, kind):
        """The residential profile's own kinds are records the engine reads."""
        example = example_record(builtin("rehsos-pp39@1"), kind)

        record = parse_record(kind, example)

        assert (record.kind, to_json(record)) == (kind, example)

    @given(malformed_records())
    def test_a_single_problem_is_the_one_named(self, malformed: Malformed):
        """A record broken in one place is refused for that place and problem."""
        with pytest.raises(RecordProblemsError) as refused:
            check_record(malformed.kind, malformed.data)

        assert _codes(refused.value)[0] == (malformed.field, malformed.problem)
        assert (refused.value.field, refused.value.problem) == (
            malformed.field,
            malformed.problem,
        )

    @pytest.mark.parametrize("kind", READ_KINDS)
    @given(data=st.data())
    def test_complete_records_pass(self, kind, data):
        """A complete record drawn at random has no problem."""
        record = data.draw(complete_records(kind))

        assert record_problems(builtin(), kind, record) == ()


class TestEveryProblemAtOnce:
    """Every missing field, wrong type, unknown code, bad date and range at once."""

    def test_a_contract_with_many_problems_names_them_all(self):
        """Five problems of five kinds are named together, in field order."""
        data = contract_data(valid_from="2026-13-01")
        data["kind"] = "forever"
        data["consensual"] = "yes"
        del data["tasks"]
        data["parties"] = {"worker": "peksos-17", "agency": "LKS"}
        data["signed"] = True

        with pytest.raises(RecordProblemsError) as refused:
            check_record("contract", data)

        assert _codes(refused.value) == [
            ("kind", "unknown_code"),
            ("consensual", "not_bool"),
            ("tasks", "missing"),
            ("valid_from", "not_date"),
            ("parties.client", "missing"),
            ("signed", "unknown_field"),
        ]

    def test_the_message_says_what_is_expected_in_both_languages(self):
        """Codes allowed and ranges are named, in English and Indonesian."""
        data = evaluation_data(gas_scores={"g1": 3})
        data["achieved_goal_ids"] = 7

        with pytest.raises(RecordProblemsError) as refused:
            check_record("evaluation", data)

        assert refused.value.message("en") == (
            "Evaluation: 2 problems: the field 'achieved_goal_ids' must be a list "
            "(7); the field 'gas_scores.g1' is out of range (3), from -2 to 2."
        )
        assert refused.value.message("id") == (
            "Evaluasi: 2 masalah: isian 'achieved_goal_ids' harus berupa daftar "
            "(7); isian 'gas_scores.g1' di luar rentang yang diizinkan (3), "
            "dari -2 sampai 2."
        )

    def test_an_unknown_code_lists_the_codes_with_labels(self):
        """An unknown contract kind names each allowed kind with its label."""
        with pytest.raises(RecordProblemsError) as refused:
            check_record("contract", contract_data(kind="forever"), builtin())

        assert refused.value.message("id").endswith(
            "pilih salah satu: preliminary (Kontrak awal), primary (Kontrak utama), "
            "secondary (Kontrak tambahan)."
        )
        assert refused.value.problems[0].to_json() == {
            "path": "kind",
            "code": "unknown_code",
            "params": {
                "value": "forever",
                "codes": ["preliminary", "primary", "secondary"],
            },
        }

    def test_nested_problems_carry_their_paths(self):
        """Problems inside goals, objectives and GAS scales name their full path."""
        data = plan_data()
        goal = data["goals"][0]
        goal["objectives"][0]["tasks"] = []
        goal["objectives"][0]["statement"] = " "
        goal["gas"] = {"weight": 0, "levels": {"-2": "a", "9": "b"}}
        data["goals"].append(dict(goal))

        problems = record_problems(builtin(), "plan", data)

        assert [(p.path, p.code) for p in problems][:4] == [
            ("goals[0].objectives[0].statement", "blank"),
            ("goals[0].gas.weight", "out_of_range"),
            ("goals[0].gas.levels.-1", "missing"),
            ("goals[0].gas.levels.0", "missing"),
        ]
        repeated = f"goals[{len(data['goals']) - 1}].id"
        assert (repeated, "duplicate") in [(p.path, p.code) for p in problems]

    def test_the_error_is_a_record_error_of_its_first_problem(self):
        """Callers catching RecordInvalidError still catch it, by its first field."""
        with pytest.raises(RecordInvalidError) as refused:
            check_record("engagement", {"request": "x"})

        assert (refused.value.kind, refused.value.field) == (
            "engagement",
            "first_contact_on",
        )

    def test_the_error_crosses_processes_whole(self):
        """A pickled error keeps every problem."""
        with pytest.raises(RecordProblemsError) as refused:
            check_record("engagement", {})

        copied = pickle.loads(pickle.dumps(refused.value))

        assert copied.problems == refused.value.problems
        assert copied.message("id") == refused.value.message("id")

    def test_not_an_object_is_one_problem(self):
        """A record that is no JSON object is refused as such."""
        problems = record_problems(builtin(), "intake", ["eligible"])

        assert [(p.path, p.code) for p in problems] == [("", "not_object")]

    def test_a_single_text_counts_as_a_list(self):
        """A list of texts may be given as one text, as the record reader takes it."""
        data = contract_data(tasks="Datang tiap Senin")

        assert record_problems(builtin(), "contract", data) == ()


class TestSubReasons:
    """A sub-reason error lists only the sub-reasons of the reason given."""

    def test_only_the_reasons_own_sub_reasons_are_listed(self):
        """A foreign sub-reason names the two of 'client dislikes worker'."""
        error = InvalidSubReasonError(
            TerminationReason.CLIENT_DISLIKES_WORKER,
            "assessment",
            SubReason.MENTAL_DISORDER,
            [SubReason.EMOTIONAL_INVOLVEMENT, SubReason.PERSONAL_FACTORS],
        )

        assert error.message("en") == (
            "The sub-reason 'Mental disorder' does not belong to 'Client dislikes "
            "the worker'; its sub-reasons are: emotional_involvement (Emotional "
            "involvement), personal_factors (Personal factors)."
        )
        assert "permanent_illness" not in error.message("id")

    def test_a_reason_without_sub_reasons_says_so(self):
        """A sub-reason given with a reason that has none is named as such."""
        error = InvalidSubReasonError(
            TerminationReason.CLIENT_REQUEST, "intake", SubReason.MENTAL_DISORDER
        )

        assert error.message("id") == (
            "Alasan terminasi 'Atas kemauan klien' tidak memakai sub-alasan "
            "('Gangguan jiwa' diberikan)."
        )


class TestRecordsPage:
    """docs/records.md is what the definitions say, every kind of every built-in."""

    def test_the_committed_page_is_up_to_date(self):
        """Regenerate with: uv run python -m helping_process.definitions.records_doc."""
        committed = (ROOT / "docs" / "records.md").read_text("utf-8")

        assert committed == records_markdown()

    def test_the_page_names_every_field_and_code(self):
        """Each kind, each field path and each code of a field appears."""
        page = records_markdown()

        for definition in builtins():
            assert f"## `{definition.ref}`" in page
            for kind in definition.record_kinds:
                assert f"### `{kind.code}`" in page
                for spec in kind.fields:
                    assert f"| `{spec.name}` |" in page
                    for coded in definition.codes(spec.codes) if spec.codes else ():
                        assert f"`{coded.code}`: {coded.label.en}" in page


class TestTheCasesDefinitionDecides:
    """A record is checked against the definition of the case it goes to."""

    ENGAGEMENT: Final = engagement_data(referral_source="family")

    @pytest.fixture
    def service_and_case(self) -> tuple[CaseService, str]:
        """A case under a definition whose referral sources leave out family."""
        service = CaseService(InMemoryStore())
        case = service.open(
            "KLIEN-1", actor=Actor("peksos-1"), process=without_family()
        )
        return service, case.case_id

    def test_a_record_as_json_is_refused_for_a_code_it_leaves_out(
        self, service_and_case: tuple[CaseService, str]
    ) -> None:
        """The JSON is well formed for the engine, not for this definition."""
        service, case_id = service_and_case

        with pytest.raises(RecordProblemsError) as refused:
            service.add_record_json(
                case_id, "engagement", self.ENGAGEMENT, actor="peksos-1"
            )

        assert _codes(refused.value) == [("referral_source", "unknown_code")]
        assert service.get(case_id).seq == 1

    def test_a_typed_record_is_refused_too(
        self, service_and_case: tuple[CaseService, str]
    ) -> None:
        """A record built in Python is held to the same definition."""
        service, case_id = service_and_case

        with pytest.raises(RecordProblemsError):
            service.add_record(
                case_id, parse_record("engagement", self.ENGAGEMENT), actor="peksos-1"
            )

        assert service.get(case_id).seq == 1

    def test_a_json_record_names_every_problem(
        self, service_and_case: tuple[CaseService, str]
    ) -> None:
        """The record reader stops at the first problem; the refusal does not."""
        service, case_id = service_and_case

        with pytest.raises(RecordProblemsError) as refused:
            service.add_record_json(
                case_id, "engagement", {"request": 5}, actor="peksos-1"
            )

        assert _codes(refused.value) == [
            ("first_contact_on", "missing"),
            ("request", "not_text"),
            ("referral_source", "missing"),
        ]
