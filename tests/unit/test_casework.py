"""Case work in the engine and the chain: decided, sealed, replayed, forged."""

from __future__ import annotations

import datetime as dt

import attrs
import orjson
import pytest

from helping_process import Actor
from helping_process import OpenCase
from helping_process import Stage
from helping_process import audit
from helping_process import engine
from helping_process.audit import FindingKind
from helping_process.audit import replay_case
from helping_process.model import Action
from helping_process.model import AssignCase
from helping_process.model import AssignReason
from helping_process.model import Case
from helping_process.model import Consent
from helping_process.model import ConsentPurpose
from helping_process.model import RecordConsent
from helping_process.model import ReferCase
from helping_process.model import TerminateCase
from helping_process.model import TransferCase
from helping_process.model import first_rules
from helping_process.staff import Member
from helping_process.staff import Operation
from helping_process.staff import Roster
from helping_process.staff import StaffRole
from helping_process.states import TerminationReason
from helping_process.testing import FixedClock

WORKER = Actor("wati")
CLOCK = FixedClock()


def _trail(*commands: object) -> tuple[Case, list[audit.Sealed]]:
    """Open a case and decide ``commands`` on it; return the case and its rows."""
    opened = engine.open_case(
        OpenCase(client="KLIEN-1"), case_id="case-1", actor=WORKER, at=CLOCK()
    )
    case = opened.case
    rows = [audit.seal(opened.event, audit.GENESIS)]
    for command in commands:
        decision = engine.execute(case, command, actor=WORKER, at=CLOCK())  # type: ignore[arg-type]
        case = decision.case
        rows.append(audit.seal(decision.event, rows[-1].hash))
    return case, rows


def _consent(purpose: ConsentPurpose, *, given: bool = True) -> RecordConsent:
    return RecordConsent(consent=Consent(purpose, given, CLOCK().date()))


class TestDecisions:
    def test_the_opener_is_the_worker_of_record(self):
        """Until an assignment, who opened the case holds it."""
        case, _ = _trail()

        assert (case.worker, case.assigned) == ("wati", None)

    def test_case_work_replays_to_the_same_case(self):
        """Every kind of case work decides again to exactly the same events."""
        case, rows = _trail(
            _consent(ConsentPurpose.REFERRAL),
            ReferCase(to="Dinsos Kota", note="Shelter."),
            TransferCase(unit="UNIT-B", note="Moved."),
            AssignCase(
                worker="budi",
                reason=AssignReason.CLIENT_DISLIKES_WORKER,
                note="Asked.",
            ),
            TerminateCase(
                reason=TerminationReason.SERVICE_AVAILABLE_ELSEWHERE, note="Done."
            ),
        )

        replayed, findings = replay_case(rows)

        assert findings == []
        assert replayed == case
        ended = audit.unseal(rows[-1])
        assert (ended.referral_seq, ended.referral_to) == (3, "Dinsos Kota")

    def test_other_events_keep_their_bytes(self):
        """An event of no case work has none of case work's keys in its body."""
        _, rows = _trail(
            TerminateCase(reason=TerminationReason.CLIENT_REQUEST, note="Wish.")
        )

        for row in rows:
            body = orjson.loads(row.body)
            assert not {"worker", "unit", "consent", "referral_seq"} & set(body)

    def test_first_rules_take_consent_as_an_event(self):
        """Under helping-process@1 consent is an engine event, not a record kind."""
        opened = engine.open_case(
            OpenCase(client="KLIEN-1", process=first_rules()),
            case_id="case-1",
            actor=WORKER,
            at=CLOCK(),
        )

        decision = engine.execute(
            opened.case, _consent(ConsentPurpose.SERVICES), actor=WORKER, at=CLOCK()
        )

        assert decision.event.action is Action.CONSENT
        assert decision.case.definition == first_rules()
        assert "consent" not in {kind.code for kind in first_rules().record_kinds}


class TestForgery:
    def test_a_forged_referral_without_consent_is_a_finding(self):
        """A well-chained referral the rules refuse is an illegal move."""
        opened = engine.open_case(
            OpenCase(client="KLIEN-1"), case_id="case-1", actor=WORKER, at=CLOCK()
        )
        forged = attrs.evolve(
            opened.event,
            seq=2,
            action=Action.REFER,
            from_stage=Stage.ENGAGEMENT,
            client=None,
            referral_to="Dinsos Kota",
            note="Shelter.",
            process=None,
            residential=None,
        )
        first = audit.seal(opened.event, audit.GENESIS)
        rows = [first, audit.seal(forged, first.hash)]

        _, (finding,) = replay_case(rows)

        assert (finding.kind, finding.seq) == (FindingKind.ILLEGAL_MOVE, 2)

    @pytest.mark.parametrize(
        "forgery",
        [
            {"worker": "wati"},  # an assignment to the worker of record
            {"assign_reason": None, "note": None},  # without a note
        ],
    )
    def test_a_forged_assignment_is_a_finding(self, forgery):
        """An assignment the rules refuse, chained as if decided, is found."""
        _, rows = _trail(AssignCase(worker="budi", note="Caseload."))
        event = attrs.evolve(audit.unseal(rows[1]), **forgery)
        rows[1] = audit.seal(event, rows[0].hash)

        _, findings = replay_case(rows)

        assert [(f.kind, f.seq) for f in findings] == [(FindingKind.ILLEGAL_MOVE, 2)]

    def test_a_termination_linked_to_no_referral_is_a_finding(self):
        """A referral_seq the case's referrals do not give differs on replay."""
        _, rows = _trail(
            TerminateCase(
                reason=TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
                referral_to="LKS Mawar",
                note="Done.",
            )
        )
        event = attrs.evolve(audit.unseal(rows[1]), referral_seq=1)
        rows[1] = audit.seal(event, rows[0].hash)

        _, findings = replay_case(rows)

        assert [(f.kind, f.seq) for f in findings] == [(FindingKind.ILLEGAL_MOVE, 2)]


def _roster(**members: tuple[StaffRole, ...]) -> Roster:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return Roster(
        {
            member: Member(id=member, name=member, roles=roles, since=at)
            for member, roles in members.items()
        },
        seq=len(members),
    )


class TestVerdict:
    def test_a_member_with_both_roles_acts_as_supervisor_on_anothers_case(self):
        """The least role that may act on the case is chosen."""
        roster = _roster(sri=(StaffRole.SUPERVISOR, StaffRole.WORKER))

        verdict = roster.verdict("sri", Operation.MOVE, "wati")
        own = roster.verdict("sri", Operation.MOVE, "sri")

        assert (verdict.allowed, verdict.role) == (True, "supervisor")
        assert (own.allowed, own.role) == (True, "worker")

    def test_a_declared_worker_role_is_held_to_the_assignment(self):
        """Declaring the worker role on another's case is refused, naming them."""
        roster = _roster(sri=(StaffRole.SUPERVISOR, StaffRole.WORKER))

        verdict = roster.verdict(Actor("sri", "worker"), Operation.MOVE, "wati")

        assert (verdict.refusal, verdict.assigned) == ("not_assigned", "wati")

    def test_reads_are_not_held_to_the_assignment(self):
        """Anyone who may read reads a case assigned to another."""
        roster = _roster(budi=(StaffRole.WORKER,))

        assert roster.verdict("budi", Operation.SHOW, "wati").allowed
