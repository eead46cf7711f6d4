"""Rules of docs/domain.md §2-§7 the engine keeps that no other test asserted."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from helping_process import PROCESS
from helping_process import Action
from helping_process import AssessmentRecord
from helping_process import EngagementRecord
from helping_process import MoveCase
from helping_process import RecordKind
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process import label
from helping_process.labels import codes
from helping_process.testing import Walk
from helping_process.testing import add
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import walk
from tests.property import test_machine

S = Stage
R = TerminationReason
NOTE = "Goals partly unmet."


def missing(walked: Walk, command) -> tuple[str, ...]:
    """Return the requirement ids the engine names when it refuses ``command``."""
    with pytest.raises(RequirementNotMetError) as refused:
        walked.then(command)
    return refused.value.missing


def ended(reason: TerminationReason) -> TerminateCase:
    """Return a termination command with a note."""
    return TerminateCase(reason=reason, note="Ending the episode.")


class TestWorkerRoleLabels:
    @pytest.mark.parametrize(
        ("code", "english", "indonesian_terms"),
        [
            ("enabler", "Enabler", ("fasilitator", "pemungkin")),
            ("broker", "Broker", ("penghubung",)),
            ("mediator", "Mediator", ("perantara",)),
            ("advocate", "Advocate", ("pembela",)),
            ("protector", "Protector", ("pelindung",)),
            ("educator", "Educator", ("penyalur informasi",)),
            ("evaluator", "Evaluator", ()),
            ("case_manager", "Case manager", ("manajer kasus", "koordinator")),
        ],
    )
    def test_role_labels_use_the_domain_words(self, code, english, indonesian_terms):
        """Each worker role reads with the words docs/domain.md §6 gives it."""
        indonesian = label("role", code, "id").lower()

        assert label("role", code, "en") == english
        assert all(term in indonesian for term in indonesian_terms)


class TestDefinitionLabels:
    def test_every_definition_problem_reads_in_both_languages(self):
        """Each way the definition can break is labelled in English and Indonesian."""
        problems = set(codes("definition"))

        assert problems == {
            "duplicate_move",
            "ambiguous_trigger",
            "dead_end",
            "unreachable",
            "cannot_terminate",
            "never_allowed",
            "allowed_without_termination",
            "termination_without_reason",
            "no_exit_rule",
            "planned_outside_evaluation",
        }
        for problem in problems:
            english = label("definition", problem, "en")
            indonesian = label("definition", problem, "id")
            assert problem not in {english, indonesian}
            assert english != indonesian


class TestRecordVersions:
    def test_newer_intake_supersedes_an_ineligible_one(self):
        """An eligible intake recorded after an ineligible one is what counts."""
        walked = walk(S.INTAKE).then(
            add("intake", intake_data(eligible=False, criteria_failed=["Age"])),
            add("intake", intake_data()),
        )

        moved = walked.then(MoveCase(target=S.CONTRACT))

        kinds = [event.record.kind for event in moved.events if event.record]
        assert moved.case.stage == S.CONTRACT
        assert kinds.count(RecordKind.INTAKE) == 2

    def test_newer_ineligible_intake_supersedes_an_eligible_one(self):
        """An ineligible intake recorded last keeps the case in intake."""
        walked = walk(S.INTAKE).then(
            add("intake", intake_data()),
            add("intake", intake_data(eligible=False, criteria_failed=["Age"])),
        )

        found = missing(walked, MoveCase(target=S.CONTRACT))

        assert found == ("intake.eligible",)

    def test_newer_evaluation_supersedes_the_older_in_the_same_visit(self):
        """A second evaluation of the same plan is the one a planned ending reads."""
        walked = walk(S.EVALUATION).then(
            add("evaluation", evaluation_data(("g1",))),
            add("evaluation", evaluation_data(("g1", "g2"))),
        )

        ended_case = walked.then(ended(R.GOALS_ACHIEVED)).case

        assert ended_case.termination_reason == R.GOALS_ACHIEVED

    def test_newer_partial_evaluation_supersedes_a_full_one(self):
        """An evaluation recorded last with a goal unmet blocks goals_achieved."""
        walked = walk(S.EVALUATION).then(
            add("evaluation", evaluation_data(("g1", "g2"))),
            add("evaluation", evaluation_data(("g1",))),
        )

        found = missing(walked, ended(R.GOALS_ACHIEVED))

        assert found == ("evaluation.goals_achieved",)

    def test_every_version_stays_in_the_trail(self):
        """Superseded engagement and assessment records stay in the trail."""
        walked = (
            walk(S.ENGAGEMENT)
            .then(
                add("engagement", engagement_data(request="First words.")),
                add("engagement", engagement_data(request="Second words.")),
            )
            .then(
                MoveCase(target=S.INTAKE),
                add("intake", intake_data()),
                MoveCase(target=S.CONTRACT),
                add("contract", contract_data()),
                MoveCase(target=S.ASSESSMENT),
                add("assessment", assessment_data(problem_statement="First.")),
                add("assessment", assessment_data(problem_statement="Second.")),
            )
        )

        requests = [
            event.record.request
            for event in walked.events
            if isinstance(event.record, EngagementRecord)
        ]
        problems = [
            event.record.problem_statement
            for event in walked.events
            if isinstance(event.record, AssessmentRecord)
        ]

        assert (requests, problems) == (
            ["First words.", "Second words."],
            ["First.", "Second."],
        )
        assert walked.case.records.engagement is not None
        assert walked.case.records.engagement.request == "Second words."
        assert walked.case.records.assessment is not None
        assert walked.case.records.assessment.problem_statement == "Second."


class TestSecondaryContract:
    def test_a_secondary_contract_does_not_keep_the_plan_going(self, clock):
        """Continuing the plan needs the primary in force; a secondary does not do."""
        walked = walk(S.EVALUATION, clock=clock).then(
            add("evaluation", evaluation_data(("g1",)))
        )
        clock.advance(days=400)
        today = clock.today()
        with_secondary = walked.then(
            add(
                "contract",
                contract_data(
                    "secondary",
                    valid_from=today.replace(day=1),
                    valid_until=today.replace(year=today.year + 1),
                ),
            )
        )

        found = missing(with_secondary, MoveCase(target=S.INTERVENTION, note=NOTE))

        assert found == ("contract.in_force",)

    def test_a_renewed_primary_keeps_the_plan_going(self, clock):
        """A new primary contract in force lets the same plan continue."""
        walked = walk(S.EVALUATION, clock=clock).then(
            add("evaluation", evaluation_data(("g1",)))
        )
        clock.advance(days=400)
        today = clock.today()

        moved = walked.then(
            add(
                "contract",
                contract_data(
                    valid_from=today.replace(day=1),
                    valid_until=today.replace(year=today.year + 1),
                ),
            ),
            MoveCase(target=S.INTERVENTION, note=NOTE),
        )

        assert moved.case.stage == S.INTERVENTION


class TestReopenByMove:
    def test_moving_a_terminated_case_to_engagement_reopens_it(self):
        """A move from termination to engagement is a reopening, in a new episode."""
        walked = walk(S.TERMINATION)

        moved = walked.then(MoveCase(target=S.ENGAGEMENT, note="The client is back."))

        assert (moved.events[-1].action, moved.case.episode) == (Action.REOPEN, 2)

    def test_the_move_needs_the_reopening_note(self):
        """Reopening by a move needs a note saying why, like reopen itself."""
        walked = walk(S.TERMINATION)

        found = missing(walked, MoveCase(target=S.ENGAGEMENT))

        assert found == ("reopen.note",)


class TestPublicDefinition:
    def test_targets_and_reasons_from_the_package(self):
        """PROCESS from the package is the default definition, helping-process@2."""
        targets = PROCESS.targets(S.EVALUATION)
        reasons = PROCESS.reasons(S.EVALUATION, residential=True)

        assert PROCESS.ref == "helping-process@2"
        assert targets == {S.PLANNING, S.ASSESSMENT, S.INTERVENTION, S.TERMINATION}
        assert {R.GOALS_ACHIEVED, R.CLIENT_ABSCONDED, R.CLIENT_DIED} <= reasons
        assert R.CLIENT_ABSCONDED in PROCESS.reasons(S.INTAKE, residential=True)


class TestHypothesisProfile:
    def test_ci_runs_the_stateful_test_at_least_500_times(self, monkeypatch):
        """Under the ci profile the state-machine test asks for 500 examples or more."""
        captured = []
        monkeypatch.setattr(
            test_machine,
            "run_state_machine_as_test",
            lambda machine, settings: captured.append(settings),
        )
        settings.load_profile("ci")
        try:
            case = test_machine.TestHelpingProcess()
            case.test_random_command_sequences()  # type: ignore[no-untyped-call] # an unannotated test method
        finally:
            settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

        (used,) = captured
        assert used.max_examples >= 500
        assert used.deadline is None
