"""Case work: the worker of record, referral, transfer and consent.

Every test runs on SQLite and, when its URL is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from helping_process import Stage
from helping_process import TerminationReason
from helping_process.exceptions import InvalidInputError
from helping_process.exceptions import RequirementNotMetError
from helping_process.model import Action
from helping_process.model import AssignReason
from helping_process.model import ConsentPurpose
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.staff import NotPermittedError
from helping_process.testing import EPOCH
from helping_process.testing import FixedClock
from helping_process.testing import engagement_data
from tests.integration.test_staff import ADMIN
from tests.integration.test_staff import staffed

WORKER = "wati"
OTHER = "budi"
SUPERVISOR = "sri"
TODAY = EPOCH.date()

#: role x operation x whether the member is the case's worker of record:
#: True when allowed, else the refusal's reason.
OPERATIONS = (
    "record",
    "move",
    "terminate",
    "reopen",
    "refer",
    "consent",
    "assign",
    "transfer",
)
_PRACTICE = ("record", "move", "terminate", "reopen", "refer", "consent")
MATRIX: dict[tuple[str, bool], dict[str, bool | str]] = {
    ("worker", True): {
        **dict.fromkeys(_PRACTICE, True),
        "assign": "not_permitted",
        "transfer": "not_permitted",
    },
    ("worker", False): {
        **dict.fromkeys(_PRACTICE, "not_assigned"),
        "assign": "not_permitted",
        "transfer": "not_permitted",
    },
    ("supervisor", True): dict.fromkeys(OPERATIONS, True),
    ("supervisor", False): dict.fromkeys(OPERATIONS, True),
    ("auditor", False): dict.fromkeys(OPERATIONS, "not_permitted"),
    ("admin", False): {
        **dict.fromkeys(_PRACTICE, "not_permitted"),
        "assign": True,
        "transfer": True,
    },
}


@pytest.fixture
def service(store_url: str, open_store: Callable[..., SqlStore]) -> CaseService:
    """A case service on the test's database, its roster still empty."""
    return CaseService(open_store(store_url), clock=FixedClock())


def _staffed(service: CaseService, **members: tuple[str, ...]) -> None:
    staffed(
        service,
        **{WORKER: ("worker",), OTHER: ("worker",), SUPERVISOR: ("supervisor",)},
        **members,
    )


def _prepared(service: CaseService, operation: str, member: str, assigned: bool) -> str:
    """A case opened by the worker, ready for ``operation``, maybe assigned."""
    case_id = service.open("KLIEN-1", actor=WORKER).case_id
    if operation == "move":
        service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
    if operation == "reopen":
        service.terminate(
            case_id, TerminationReason.CLIENT_REQUEST, actor=WORKER, note="Wish."
        )
    if operation == "refer":
        service.consent(
            case_id, ConsentPurpose.REFERRAL, given=True, on=TODAY, actor=WORKER
        )
    if assigned:
        service.assign(case_id, member, actor=SUPERVISOR, note="Caseload.")
    return case_id


def _run(service: CaseService, operation: str, case_id: str, who: str) -> Any:  # noqa: PLR0911 - one return per operation
    """Do ``operation`` on the case as ``who``."""
    match operation:
        case "record":
            return service.add_record_json(
                case_id, "engagement", engagement_data(), actor=who
            )
        case "move":
            return service.move(case_id, Stage.INTAKE, actor=who)
        case "terminate":
            return service.terminate(
                case_id, TerminationReason.CLIENT_REQUEST, actor=who, note="Wish."
            )
        case "reopen":
            return service.reopen(case_id, actor=who, note="Came back.")
        case "refer":
            return service.refer(case_id, "Dinsos Kota", actor=who, note="Shelter.")
        case "consent":
            return service.consent(
                case_id, ConsentPurpose.SERVICES, given=True, on=TODAY, actor=who
            )
        case "assign":
            return service.assign(case_id, OTHER, actor=who, note="Caseload.")
        case _:
            return service.transfer(case_id, "UNIT-B", actor=who, note="Moved.")


class TestPermissionMatrix:
    @pytest.mark.parametrize(("role", "assigned"), sorted(MATRIX))
    def test_each_role_does_exactly_its_operations_on_a_case(
        self, service, role, assigned
    ):
        """Role x command x assigned or not: allowed, or refused for the reason."""
        _staffed(service, member=(role,))
        outcomes: dict[str, bool | str] = {}

        for operation in OPERATIONS:
            case_id = _prepared(service, operation, "member", assigned)
            before = service.get(case_id).seq
            try:
                _run(service, operation, case_id, "member")
            except NotPermittedError as refused:
                outcomes[operation] = refused.reason
                assert service.get(case_id).seq == before
            else:
                outcomes[operation] = True

        assert outcomes == MATRIX[role, assigned]

    def test_a_refusal_names_who_is_assigned(self, service):
        """Someone else's case is refused naming its worker of record, in both."""
        _staffed(service)
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        with pytest.raises(NotPermittedError) as refused:
            service.add_record_json(
                case_id, "engagement", engagement_data(), actor=OTHER
            )

        assert refused.value.assigned == WORKER
        assert WORKER in refused.value.message("en")
        assert "pekerja penanggung jawab" in refused.value.message("id")

    def test_the_new_worker_of_record_takes_over(self, service):
        """After an assignment the new worker acts and the old one is refused."""
        _staffed(service)
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        service.assign(case_id, OTHER, actor=SUPERVISOR, note="Caseload.")
        service.add_record_json(case_id, "engagement", engagement_data(), actor=OTHER)

        with pytest.raises(NotPermittedError) as refused:
            service.move(case_id, Stage.INTAKE, actor=WORKER)
        assert refused.value.reason == "not_assigned"
        assert service.get(case_id).worker == OTHER

    def test_while_the_roster_is_empty_anyone_acts(self, service):
        """Without a roster, the worker of record is kept but not enforced."""
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        service.add_record_json(case_id, "engagement", engagement_data(), actor=OTHER)

        assert service.get(case_id).worker == WORKER


class TestAssignment:
    def test_an_assignment_is_a_chained_event(self, service):
        """The event names the new worker and the reason; the case follows."""
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        after = service.assign(
            case_id,
            OTHER,
            actor=SUPERVISOR,
            note="The client asked for another worker.",
            reason=AssignReason.CLIENT_DISLIKES_WORKER,
        )

        event = service.history(case_id)[-1]
        assert (event.action, event.worker, event.assign_reason) == (
            Action.ASSIGN,
            OTHER,
            AssignReason.CLIENT_DISLIKES_WORKER,
        )
        assert (after.worker, after.stage, after.seq) == (OTHER, Stage.ENGAGEMENT, 2)
        assert service.verification().ok
        figures = service.report().to_json()["casework"]
        assert (
            figures["assignments"],
            figures["reassignments_client_dislikes_worker"],
        ) == (1, 1)

    @pytest.mark.parametrize(
        ("worker", "note", "missing"),
        [
            (WORKER, "Again.", ["assign.other_worker"]),
            (OTHER, None, ["assign.note"]),
            ("stranger", "Who?", ["assign.worker_on_roster"]),
            (ADMIN, "An admin holds no cases.", ["assign.worker_on_roster"]),
        ],
    )
    def test_a_wrong_assignment_is_refused(self, service, worker, note, missing):
        """The same worker, no note, or someone who may not hold cases is refused."""
        _staffed(service)
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        with pytest.raises(RequirementNotMetError) as refused:
            service.assign(case_id, worker, actor=SUPERVISOR, note=note)

        assert list(refused.value.missing) == missing
        assert service.get(case_id).seq == 1

    def test_the_worker_filter_lists_the_worker_of_record(self, service):
        """``worker`` filters on the worker of record, not on who opened it."""
        kept = service.open("KLIEN-1", actor=WORKER).case_id
        moved = service.open("KLIEN-2", actor=WORKER).case_id
        service.assign(moved, OTHER, actor=SUPERVISOR, note="Caseload.")

        mine = service.case_page(limit=10, worker=WORKER)
        theirs = service.case_page(limit=10, worker=OTHER)

        assert [s.case_id for s in mine] == [kept]
        assert [s.case_id for s in theirs] == [moved]


def _consented(service: CaseService, purpose: ConsentPurpose) -> str:
    case_id = service.open("KLIEN-1", actor=WORKER).case_id
    service.consent(case_id, purpose, given=True, on=TODAY, actor=WORKER)
    return case_id


class TestReferral:
    def test_a_referral_needs_the_clients_consent(self, service):
        """Without consent for referral it is refused; nothing is stored."""
        case_id = _consented(service, ConsentPurpose.SERVICES)

        with pytest.raises(RequirementNotMetError) as refused:
            service.refer(case_id, "Dinsos Kota", actor=WORKER, note="Shelter.")

        assert list(refused.value.missing) == ["consent.referral"]
        assert service.get(case_id).seq == 2

    def test_a_withdrawn_consent_refuses_again(self, service):
        """Consent withdrawn later counts: the referral is refused."""
        case_id = _consented(service, ConsentPurpose.REFERRAL)
        service.consent(
            case_id, ConsentPurpose.REFERRAL, given=False, on=TODAY, actor=WORKER
        )

        with pytest.raises(RequirementNotMetError):
            service.refer(case_id, "Dinsos Kota", actor=WORKER, note="Shelter.")
        assert service.get(case_id).consents == ((ConsentPurpose.REFERRAL, False),)

    def test_a_referral_leaves_the_case_open(self, service):
        """The case stays in its stage; the referral is its latest."""
        case_id = _consented(service, ConsentPurpose.REFERRAL)

        after = service.refer(case_id, "Dinsos Kota", actor=WORKER, note="Shelter.")

        assert after.stage is Stage.ENGAGEMENT
        assert (after.referral.seq, after.referral.to) == (3, "Dinsos Kota")

    def test_the_termination_links_to_the_latest_referral(self, service):
        """service_available_elsewhere names the referral and takes its place."""
        case_id = _consented(service, ConsentPurpose.REFERRAL)
        service.refer(case_id, "LKS Mawar", actor=WORKER, note="First try.")
        service.refer(case_id, "Dinsos Kota", actor=WORKER, note="Shelter.")

        service.terminate(
            case_id,
            TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
            actor=WORKER,
            note="Referred.",
        )

        ended = service.history(case_id)[-1]
        assert (ended.referral_seq, ended.referral_to) == (4, "Dinsos Kota")
        assert service.verification().ok
        assert service.report().to_json()["casework"] == {
            "assignments": 0,
            "reassignments_client_dislikes_worker": 0,
            "referrals": 2,
            "transfers": 0,
            "terminations_after_referral": 1,
        }

    def test_a_referral_after_termination_is_refused(self, service):
        """A terminated episode takes no referral."""
        case_id = _consented(service, ConsentPurpose.REFERRAL)
        service.terminate(
            case_id, TerminationReason.CLIENT_REQUEST, actor=WORKER, note="Wish."
        )

        with pytest.raises(RequirementNotMetError) as refused:
            service.refer(case_id, "Dinsos Kota", actor=WORKER, note="Shelter.")

        assert list(refused.value.missing) == ["case.active"]


class TestTransfer:
    def test_a_transfer_names_the_unit_and_keeps_the_history(self, service):
        """The unit is the case's; its events and worker stay."""
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        after = service.transfer(case_id, "UNIT-B", actor=SUPERVISOR, note="Moved.")

        assert (after.unit, after.worker, after.seq) == ("UNIT-B", WORKER, 2)
        assert service.history(case_id)[-1].unit == "UNIT-B"

    def test_a_transfer_to_its_own_unit_is_refused(self, service):
        """The same unit again is refused."""
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        service.transfer(case_id, "UNIT-B", actor=SUPERVISOR, note="Moved.")

        with pytest.raises(RequirementNotMetError) as refused:
            service.transfer(case_id, "UNIT-B", actor=SUPERVISOR, note="Again.")

        assert list(refused.value.missing) == ["transfer.other_unit"]


class TestConsent:
    def test_consent_in_force_is_the_latest_per_purpose(self, service):
        """Each purpose keeps its latest word, in the order of the purposes."""
        case_id = _consented(service, ConsentPurpose.REFERRAL)
        service.consent(
            case_id, ConsentPurpose.SERVICES, given=True, on=TODAY, actor=WORKER
        )

        case = service.get(case_id)

        assert case.consents == (
            (ConsentPurpose.SERVICES, True),
            (ConsentPurpose.REFERRAL, True),
        )
        event = service.history(case_id)[-1]
        assert (event.consent.purpose, event.consent.given, event.consent.on) == (
            ConsentPurpose.SERVICES,
            True,
            TODAY,
        )

    def test_a_consent_in_the_future_is_bad_input(self, service):
        """A day after the event's own is refused as bad input."""
        case_id = service.open("KLIEN-1", actor=WORKER).case_id

        with pytest.raises(InvalidInputError):
            service.consent(
                case_id,
                ConsentPurpose.SERVICES,
                given=True,
                on=TODAY + dt.timedelta(days=400),
                actor=WORKER,
            )

    def test_the_first_rules_take_consent_without_changing(self, service):
        """A case under helping-process@1 records consent; its pin stays."""
        case = service.open("KLIEN-1", actor=WORKER, process="helping-process@1")

        after = service.consent(
            case.case_id, ConsentPurpose.REFERRAL, given=True, on=TODAY, actor=WORKER
        )

        assert after.definition == case.definition
        assert after.consented(ConsentPurpose.REFERRAL)
        assert service.verification().ok

    def test_an_export_for_sharing_needs_consent_for_data_sharing(self, service):
        """Refused without consent for data sharing; given, the lines come."""
        case_id = _consented(service, ConsentPurpose.SERVICES)

        with pytest.raises(RequirementNotMetError) as refused:
            list(service.export(case_id, reader=WORKER, for_sharing=True))
        assert list(refused.value.missing) == ["consent.data_sharing"]

        service.consent(
            case_id, ConsentPurpose.DATA_SHARING, given=True, on=TODAY, actor=WORKER
        )
        lines = list(service.export(case_id, reader=WORKER, for_sharing=True))
        assert sum('"type":"event"' in line for line in lines) == 3


class TestSnapshots:
    def test_a_cold_load_from_a_snapshot_keeps_the_case_work(
        self, store_url, open_store
    ):
        """A snapshot restores the worker, unit, referral and consents exactly."""
        service = CaseService(
            open_store(store_url), clock=FixedClock(), snapshot_every=2
        )
        case_id = _consented(service, ConsentPurpose.REFERRAL)
        service.refer(case_id, "Dinsos Kota", actor=WORKER, note="Shelter.")
        service.transfer(case_id, "UNIT-B", actor=SUPERVISOR, note="Moved.")
        service.assign(case_id, OTHER, actor=SUPERVISOR, note="Caseload.")
        expected = service.get(case_id)

        cold = CaseService(open_store(store_url), clock=FixedClock(), snapshot_every=2)
        loaded = cold.get(case_id)
        again = CaseService(open_store(store_url), clock=FixedClock()).get(case_id)

        assert loaded == expected == again
        assert cold.verification().ok
