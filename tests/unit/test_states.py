"""The process definition: stages, legal moves and termination reasons (§1, §2, §4)."""

from __future__ import annotations

import pytest

from helping_process import ContractKind
from helping_process import InterventionModel
from helping_process import RecordKind
from helping_process import ReferralSource
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import WorkerRole
from helping_process.states import PROCESS
from helping_process.states import REASON_RULES
from helping_process.states import TRANSITIONS
from helping_process.states.vocabulary import HELPING_REASONS
from helping_process.states.vocabulary import HELPING_STAGES

S = Stage
R = TerminationReason

#: docs/domain.md §3, written out by hand.
LEGAL_TARGETS = {
    S.ENGAGEMENT: {S.INTAKE, S.TERMINATION},
    S.INTAKE: {S.CONTRACT, S.TERMINATION},
    S.CONTRACT: {S.ASSESSMENT, S.TERMINATION},
    S.ASSESSMENT: {S.PLANNING, S.TERMINATION},
    S.PLANNING: {S.INTERVENTION, S.ASSESSMENT, S.TERMINATION},
    S.INTERVENTION: {S.EVALUATION, S.PLANNING, S.ASSESSMENT, S.TERMINATION},
    S.EVALUATION: {S.PLANNING, S.ASSESSMENT, S.INTERVENTION, S.TERMINATION},
    S.TERMINATION: {S.ENGAGEMENT},
}

LOOPS = {
    (S.PLANNING, S.ASSESSMENT),
    (S.INTERVENTION, S.PLANNING),
    (S.INTERVENTION, S.ASSESSMENT),
    (S.EVALUATION, S.PLANNING),
    (S.EVALUATION, S.ASSESSMENT),
    (S.EVALUATION, S.INTERVENTION),
}

EARLY_EVERYWHERE = {
    R.CLIENT_REQUEST,
    R.NO_SUITABLE_SERVICE,
    R.SERVICE_AVAILABLE_ELSEWHERE,
    R.BEYOND_AGENCY_CAPACITY,
    R.CLIENT_DISLIKES_WORKER,
}

#: docs/domain.md §5: the reasons allowed in each stage, for a non-residential case.
REASONS = {
    S.ENGAGEMENT: EARLY_EVERYWHERE | {R.NOT_ELIGIBLE},
    S.INTAKE: EARLY_EVERYWHERE | {R.NOT_ELIGIBLE},
    S.CONTRACT: EARLY_EVERYWHERE | {R.NOT_ELIGIBLE},
    S.ASSESSMENT: EARLY_EVERYWHERE,
    S.PLANNING: EARLY_EVERYWHERE,
    S.INTERVENTION: EARLY_EVERYWHERE,
    S.EVALUATION: EARLY_EVERYWHERE | {R.GOALS_ACHIEVED, R.NO_MEANINGFUL_PROGRESS},
    S.TERMINATION: set(),
}
ABSCONDING_STAGES = {S.ASSESSMENT, S.PLANNING, S.INTERVENTION, S.EVALUATION}

SUB_REASONS = {
    R.BEYOND_AGENCY_CAPACITY: {
        "permanent_illness",
        "mental_disorder",
        "needs_other_discipline",
    },
    R.CLIENT_DISLIKES_WORKER: {"emotional_involvement", "personal_factors"},
    R.CLIENT_ABSCONDED: {
        "dislikes_institutional_life",
        "dissatisfied_with_services",
        "inadequate_facilities",
        "unfriendly_staff",
    },
}


#: The record kinds of residential rehabilitation (rehsos-pp39), not of §4.
PP39_KINDS = {"case_conference", "resocialization", "aftercare_plan", "follow_up"}


class TestCodes:
    def test_stages_in_forward_order(self):
        """The stage codes are those of docs/domain.md §2, in the forward order."""
        codes = [stage.value for stage in HELPING_STAGES]

        assert codes == [
            "engagement",
            "intake",
            "contract",
            "assessment",
            "planning",
            "intervention",
            "evaluation",
            "termination",
        ]

    def test_termination_reasons(self):
        """The reason codes are those of docs/domain.md §5, and client_died."""
        codes = {reason.value for reason in HELPING_REASONS}

        assert codes == {
            "goals_achieved",
            "no_meaningful_progress",
            "client_request",
            "no_suitable_service",
            "service_available_elsewhere",
            "not_eligible",
            "client_died",
            "beyond_agency_capacity",
            "client_dislikes_worker",
            "client_absconded",
        }

    def test_sub_reasons(self):
        """The sub-reason codes are the union of those docs/domain.md §5 names."""
        codes = {sub.value for sub in SubReason}

        assert codes == set().union(*SUB_REASONS.values())

    def test_worker_roles(self):
        """The worker roles are the eight of docs/domain.md §6."""
        codes = {role.value for role in WorkerRole}

        assert codes == {
            "enabler",
            "broker",
            "mediator",
            "advocate",
            "protector",
            "educator",
            "evaluator",
            "case_manager",
        }

    def test_referral_sources(self):
        """The referral sources are those of the engagement record."""
        codes = {source.value for source in ReferralSource}

        assert codes == {
            "self",
            "family",
            "community",
            "agency",
            "court",
            "police",
            "outreach",
            "other",
        }

    def test_intervention_models(self):
        """The intervention models are induce, persuade, direct obedience, coerce."""
        codes = {model.value for model in InterventionModel}

        assert codes == {"induce", "persuade", "direct_obedience", "coerce"}

    def test_contract_kinds(self):
        """A contract is preliminary, primary or secondary."""
        codes = {kind.value for kind in ContractKind}

        assert codes == {"preliminary", "primary", "secondary"}

    def test_record_kinds(self):
        """The record kinds are the seven of docs/domain.md §4."""
        codes = {kind.value for kind in RecordKind} - PP39_KINDS

        assert codes == {
            "engagement",
            "intake",
            "contract",
            "assessment",
            "plan",
            "activity",
            "evaluation",
        }


class TestTargets:
    @pytest.mark.parametrize("stage", list(HELPING_STAGES))
    def test_targets_are_the_legal_moves(self, stage):
        """Each stage reaches exactly the stages docs/domain.md §3 allows."""
        targets = PROCESS.targets(stage)

        assert targets == LEGAL_TARGETS[stage]

    def test_every_move_is_in_the_table(self):
        """The transition table holds each legal move once."""
        pairs = [(move.source, move.dest) for move in TRANSITIONS]

        assert sorted(pairs) == sorted(
            (source, dest) for source, dests in LEGAL_TARGETS.items() for dest in dests
        )

    @pytest.mark.parametrize(
        ("source", "dest"),
        [(s, d) for s, targets in LEGAL_TARGETS.items() for d in sorted(targets)],
    )
    def test_loops_are_marked(self, source, dest):
        """Exactly the loops of docs/domain.md §3 count as loops (they need a note)."""
        move = PROCESS.move(source, dest)

        assert move is not None
        assert move.is_loop == ((source, dest) in LOOPS)

    def test_no_move_skips_a_stage(self):
        """No move goes forward past the next stage, except to terminate."""
        order = list(HELPING_STAGES)

        skips = [
            (move.source, move.dest)
            for move in TRANSITIONS
            if move.dest is not Stage.TERMINATION
            and order.index(move.dest) > order.index(move.source) + 1
        ]

        assert skips == []

    @pytest.mark.parametrize(
        ("stage", "sources"),
        [
            (S.ENGAGEMENT, {S.TERMINATION}),
            (S.INTAKE, {S.ENGAGEMENT}),
            (S.CONTRACT, {S.INTAKE}),
        ],
    )
    def test_nothing_goes_back_into_the_eic_stages(self, stage, sources):
        """The EIC stages are entered only forward, or engagement by reopening."""
        found = {move.source for move in TRANSITIONS if move.dest is stage}

        assert found == sources

    def test_move_lookup_of_an_illegal_pair(self):
        """Asking for a move that does not exist gives None."""
        move = PROCESS.move(S.ENGAGEMENT, S.PLANNING)

        assert move is None


class TestReasons:
    @pytest.mark.parametrize("stage", list(HELPING_STAGES))
    def test_reasons_of_a_non_residential_case(self, stage):
        """A non-residential case may end for just the reasons of docs/domain.md §5."""
        reasons = PROCESS.reasons(stage, residential=False)

        assert reasons == REASONS[stage]

    @pytest.mark.parametrize("stage", list(HELPING_STAGES))
    def test_reasons_of_a_residential_case(self, stage):
        """A residential case may also abscond, from assessment to evaluation."""
        reasons = PROCESS.reasons(stage, residential=True)

        extra = {R.CLIENT_ABSCONDED} if stage in ABSCONDING_STAGES else set()
        assert reasons == REASONS[stage] | extra

    @pytest.mark.parametrize("reason", list(REASON_RULES))
    def test_sub_reasons_per_reason(self, reason):
        """Each reason offers exactly the sub-reasons docs/domain.md §5 gives it."""
        sub_reasons = {sub.value for sub in REASON_RULES[reason].sub_reasons}

        assert sub_reasons == SUB_REASONS.get(reason, set())

    @pytest.mark.parametrize("reason", list(REASON_RULES))
    def test_referral_needed(self, reason):
        """Referring elsewhere and exceeding the agency's capacity need a referral."""
        needs_referral = REASON_RULES[reason].needs_referral

        assert needs_referral == (
            reason in {R.SERVICE_AVAILABLE_ELSEWHERE, R.BEYOND_AGENCY_CAPACITY}
        )

    @pytest.mark.parametrize("reason", list(REASON_RULES))
    def test_planned_reasons(self, reason):
        """Only achieving the goals and no further progress are planned endings."""
        planned = REASON_RULES[reason].planned

        assert planned == (reason in {R.GOALS_ACHIEVED, R.NO_MEANINGFUL_PROGRESS})
