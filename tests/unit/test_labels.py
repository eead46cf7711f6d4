"""Labels: every code and requirement reads in Indonesian and in English."""

from __future__ import annotations

from enum import StrEnum

import pytest

from helping_process import Action
from helping_process import ActorRole
from helping_process import AuditIntegrityError
from helping_process import ConcurrentUpdateError
from helping_process import ContractKind
from helping_process import DefinitionError
from helping_process import DriverMissingError
from helping_process import HelpingProcessError
from helping_process import InterventionModel
from helping_process import InvalidInputError
from helping_process import InvalidSubReasonError
from helping_process import InvalidTerminationReasonError
from helping_process import InvalidTransitionError
from helping_process import ProcessDefinitionError
from helping_process import RecordInvalidError
from helping_process import RecordKind
from helping_process import RecordNotAllowedError
from helping_process import ReferralSource
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import StorageError
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import UnknownCaseError
from helping_process import UnknownDefinitionError
from helping_process import WorkerRole
from helping_process import label
from helping_process.definitions import DefinitionProblem
from helping_process.labels import codes
from helping_process.labels import with_article

NAMESPACES: list[tuple[str, type[StrEnum]]] = [
    ("stage", Stage),
    ("reason", TerminationReason),
    ("sub_reason", SubReason),
    ("role", WorkerRole),
    ("model", InterventionModel),
    ("referral_source", ReferralSource),
    ("contract_kind", ContractKind),
    ("record_kind", RecordKind),
    ("action", Action),
    ("actor_role", ActorRole),
]

#: Every requirement id the engine can name (docs/domain.md §3-§5 and the commands).
REQUIREMENTS = [
    "approve.note",
    "reject.note",
    "migrate.note",
    "migrate.same_definition",
    "migrate.stage",
    "migrate.record_kind",
    "migrate.definition",
    "engagement.record",
    "intake.record",
    "intake.eligible",
    "intake.resources_informed",
    "contract.record",
    "contract.consensual",
    "contract.mutual_agreement",
    "contract.acceptance",
    "contract.reciprocal",
    "contract.responsibilities",
    "contract.tasks",
    "contract.time_period",
    "contract.primary",
    "contract.in_force",
    "assessment.record",
    "plan.record",
    "plan.goals",
    "plan.objectives",
    "plan.tasks",
    "activity.record",
    "evaluation.record",
    "evaluation.goals_achieved",
    "evaluation.gas_scores",
    "move.note",
    "reopen.note",
    "redact.note",
    "termination.reason",
    "termination.note",
    "termination.sub_reason",
    "termination.referral_to",
    # case work: assignment, referral, transfer, consent
    "assign.note",
    "assign.other_worker",
    "assign.worker_on_roster",
    "refer.note",
    "transfer.note",
    "transfer.other_unit",
    "case.active",
    "consent.referral",
    "consent.data_sharing",
    # the social-rehabilitation profile (rehsos-pp39)
    "case_conference.record",
    "resocialization.record",
    "resocialization.family_prepared",
    "resocialization.community_prepared",
    "aftercare_plan.record",
    "aftercare.period_ended",
]

#: Every problem code a malformed record or command is refused for.
PROBLEMS = [
    "missing",
    "blank",
    "too_long",
    "not_text",
    "not_bool",
    "not_date",
    "not_list",
    "not_object",
    "not_number",
    "not_integer",
    "empty",
    "unknown_code",
    "unknown_field",
    "duplicate",
    "out_of_range",
    "unknown_goal",
    "no_gas_scale",
    "future",
    "before_previous",
    "not_eligible",
    "not_utc",
    "not_utf8",
    "nul_character",
]

ERRORS: list[HelpingProcessError] = [
    HelpingProcessError(),
    ProcessDefinitionError("intake", "dead_end"),
    InvalidTransitionError(Stage.INTAKE, Stage.PLANNING),
    RequirementNotMetError(
        Stage.CONTRACT, ["contract.time_period"], target="assessment"
    ),
    RequirementNotMetError(Stage.ASSESSMENT, ["redact.note"]),
    RecordNotAllowedError(RecordKind.PLAN, Stage.INTAKE),
    InvalidTerminationReasonError(TerminationReason.NOT_ELIGIBLE, Stage.EVALUATION),
    InvalidSubReasonError(
        TerminationReason.CLIENT_REQUEST, Stage.INTAKE, SubReason.MENTAL_DISORDER
    ),
    InvalidInputError("occurred_at", "future", "2030-01-01T00:00:00+00:00"),
    RecordInvalidError("plan", "goals[0].objectives[0].tasks", "missing"),
    UnknownCaseError("c-404"),
    ConcurrentUpdateError("c-1", 7),
    AuditIntegrityError("c-1", 3, "gap"),
    StorageError("disk full"),
    UnknownDefinitionError("nowhere@1", ["helping-process@1"]),
    DefinitionError(
        "mine.toml", [DefinitionProblem("moves[0].to", "unknown_stage", {"code": "x"})]
    ),
    DriverMissingError("psycopg", "helping-process[postgres]"),
]


class TestCodeLabels:
    @pytest.mark.parametrize(("namespace", "enum"), NAMESPACES)
    def test_every_code_has_labels(self, namespace, enum):
        """Every code of every enum has a label, and nothing else has one."""
        labelled = set(codes(namespace))

        assert labelled == {member.value for member in enum}

    @pytest.mark.parametrize(
        ("namespace", "code"),
        [
            (namespace, member.value)
            for namespace, enum in NAMESPACES
            for member in enum
        ],
    )
    def test_labels_in_both_languages(self, namespace, code):
        """Each code reads in English and in Indonesian, not as the bare code."""
        english, indonesian = label(namespace, code, "en"), label(namespace, code, "id")

        assert english.strip()
        assert indonesian.strip()
        assert (english, indonesian) != (code, code)

    @pytest.mark.parametrize(
        ("code", "english", "indonesian"),
        [
            ("engagement", "Engagement", "Engagement (kontak awal)"),
            ("intake", "Intake", "Intake (penerimaan)"),
            ("contract", "Contract", "Kontrak"),
            (
                "assessment",
                "Assessment",
                "Asesmen (pengungkapan dan pemahaman masalah)",
            ),
            ("planning", "Planning", "Perencanaan (rencana intervensi)"),
            ("intervention", "Intervention", "Intervensi"),
            ("evaluation", "Evaluation", "Evaluasi"),
            ("termination", "Termination", "Terminasi"),
        ],
    )
    def test_stage_labels(self, code, english, indonesian):
        """The stage labels are those of docs/domain.md §2."""
        labels = (label("stage", code, "en"), label("stage", code, "id"))

        assert labels == (english, indonesian)

    @pytest.mark.parametrize(
        ("code", "english", "indonesian"),
        [
            (
                "goals_achieved",
                "Agreed goals achieved",
                "Tujuan yang disepakati telah dicapai",
            ),
            (
                "no_meaningful_progress",
                "No further meaningful progress",
                "Tidak ada lagi kemajuan berarti",
            ),
            ("client_request", "Client's own wish", "Atas kemauan klien"),
            (
                "no_suitable_service",
                "No suitable service for the client",
                "Ketiadaan pelayanan yang sesuai",
            ),
            (
                "service_available_elsewhere",
                "Service available elsewhere",
                "Pelayanan di tempat lain telah tersedia",
            ),
            (
                "not_eligible",
                "Candidate not eligible",
                "Calon klien tidak memenuhi persyaratan",
            ),
            (
                "beyond_agency_capacity",
                "Problem beyond the agency's capacity",
                "Masalah di luar kemampuan lembaga",
            ),
            (
                "client_dislikes_worker",
                "Client dislikes the worker",
                "Klien tidak suka kepada pekerja sosial",
            ),
            (
                "client_absconded",
                "Client ran away from the institution",
                "Klien kabur dari panti",
            ),
        ],
    )
    def test_reason_labels(self, code, english, indonesian):
        """The termination reason labels are those of docs/domain.md §5."""
        labels = (label("reason", code, "en"), label("reason", code, "id"))

        assert labels == (english, indonesian)

    def test_unknown_code_reads_as_itself(self):
        """A code without a label is shown as the code."""
        shown = label("stage", "limbo", "id")

        assert shown == "limbo"


class TestRequirementLabels:
    def test_every_requirement_is_labelled(self):
        """Every requirement id the engine can name has a label."""
        labelled = set(codes("requirement"))

        assert labelled == set(REQUIREMENTS)

    @pytest.mark.parametrize("requirement", REQUIREMENTS)
    def test_requirement_in_both_languages(self, requirement):
        """Each requirement reads differently in English and Indonesian."""
        english = label("requirement", requirement, "en")
        indonesian = label("requirement", requirement, "id")

        assert requirement not in {english, indonesian}
        assert english != indonesian

    @pytest.mark.parametrize("problem", PROBLEMS)
    def test_problem_in_both_languages(self, problem):
        """Each problem with a record or command reads in both languages."""
        english, indonesian = (
            label("problem", problem, "en"),
            label("problem", problem, "id"),
        )

        assert problem not in {english, indonesian}
        assert english != indonesian


class TestErrorMessages:
    @pytest.mark.parametrize(
        "error",
        [
            pytest.param(error, id=f"{index}-{type(error).__name__}")
            for index, error in enumerate(ERRORS)
        ],
    )
    def test_message_in_both_languages(self, error):
        """Every error reads differently in Indonesian and in English."""
        indonesian, english = error.message("id"), error.message("en")

        assert indonesian != english
        assert str(error) == english

    def test_requirement_message_names_the_ids(self):
        """A refusal's message names each missing requirement and its stable id."""
        error = RequirementNotMetError(
            Stage.PLANNING,
            ["plan.goals", "contract.in_force"],
            target=Stage.INTERVENTION,
        )

        assert error.message("id") == (
            "Tidak dapat berpindah dari Perencanaan (rencana intervensi) ke "
            "Intervensi; belum ada: setidaknya satu tujuan dalam rencana "
            "[plan.goals]; kontrak yang masih berlaku hari ini [contract.in_force]."
        )

    def test_long_values_are_shortened(self):
        """An offending value is quoted briefly."""
        error = InvalidInputError("note", "too_long", "x" * 500)

        assert len(error.message("en")) < 100


class TestArticles:
    @pytest.mark.parametrize(
        ("text", "phrase"),
        [
            ("Intervention plan", "an intervention plan"),
            ("Engagement record", "an engagement record"),
            ("Assessment", "an assessment"),
            ("Evaluation", "an evaluation"),
            ("Contract", "a contract"),
            ("Intake record", "an intake record"),
            ("GAS score", "a GAS score"),
        ],
    )
    def test_article_follows_the_first_letter(self, text, phrase):
        """An English label takes 'an' before a vowel, 'a' otherwise."""
        assert with_article(text) == phrase

    @pytest.mark.parametrize("kind", list(RecordKind))
    def test_record_not_allowed_reads_well(self, kind):
        """Every record kind reads with the right article where it is refused."""
        error = RecordNotAllowedError(kind, Stage.ENGAGEMENT)

        message = error.message("en")

        assert message.startswith(
            f"Cannot add {with_article(label('record_kind', kind))} "
        )
        assert " A " not in message
        assert error.message("id").startswith(label("record_kind", kind, "id"))
