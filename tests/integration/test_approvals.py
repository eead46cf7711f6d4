"""Approval gates: a gated command waits for someone else's approval.

Every test runs on SQLite and, when its URL is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from helping_process import Actor
from helping_process import Stage
from helping_process import TerminationReason
from helping_process import engine
from helping_process.audit import GENESIS
from helping_process.audit import FindingKind
from helping_process.audit import Sealed
from helping_process.audit import replay_case
from helping_process.audit import seal
from helping_process.definitions import Definition
from helping_process.definitions import load_definition
from helping_process.exceptions import ApprovalRefusedError
from helping_process.exceptions import InvalidTransitionError
from helping_process.model import Action
from helping_process.model import ActorRole
from helping_process.model import ApproveRequest
from helping_process.model import Event
from helping_process.model import OpenCase
from helping_process.model import TerminateCase
from helping_process.service import CaseService
from helping_process.staff import NotPermittedError
from tests.integration.test_staff import staffed

GATED = """
format = 1
extends = "helping-process@2"
name = "lks-mawar"
version = 1
label = { id = "Proses LKS Mawar", en = "LKS Mawar process" }

[[gates]]
command = "terminate"
reasons = ["client_request"]
approver = "supervisor"

[[gates]]
command = "reopen"
approver = "supervisor"

[[gates]]
command = "redact"
approver = "supervisor"
"""
WORKER = Actor("wati")
SUPERVISOR = Actor("andi", ActorRole.SUPERVISOR)
OTHER_SUPERVISOR = Actor("sari", ActorRole.SUPERVISOR)


@pytest.fixture
def definition() -> Definition:
    """An agency's definition that gates a termination, reopening and redaction."""
    return load_definition(GATED)


def _requested(service: CaseService, definition) -> tuple[str, int]:
    """A case whose termination for the client's wish awaits approval."""
    case_id = service.open("KLIEN-1", actor=WORKER, process=definition).case_id
    after = service.terminate(
        case_id, TerminationReason.CLIENT_REQUEST, actor=WORKER, note="Moved away."
    )
    return case_id, after.seq


class TestRequest:
    def test_a_gated_command_becomes_a_pending_request(self, service, definition):
        """The case stays where it was; the request names its command and role."""
        case_id, number = _requested(service, definition)

        case = service.get(case_id)
        (request,) = case.requests

        assert case.stage is Stage.ENGAGEMENT
        assert request.seq == number == 2
        assert request.action is Action.REQUEST
        assert request.requested is Action.TERMINATE
        assert request.approver is ActorRole.SUPERVISOR
        assert service.verify() == []

    def test_an_ungated_reason_takes_effect_at_once(self, service, definition):
        """Only the gated reasons wait: another ends the episode now."""
        case_id = service.open("KLIEN-1", actor=WORKER, process=definition).case_id

        after = service.terminate(
            case_id,
            TerminationReason.NO_SUITABLE_SERVICE,
            actor=WORKER,
            note="Nothing fits.",
        )

        assert after.stage is Stage.TERMINATION
        assert after.requests == ()

    def test_pending_lists_what_awaits_the_actor(self, service, definition):
        """A supervisor sees the request; its requester and a worker do not."""
        case_id, number = _requested(service, definition)

        found = service.pending(SUPERVISOR)

        assert [(p.case_id, p.request.seq) for p in found] == [(case_id, number)]
        assert service.pending(WORKER) == []
        assert service.pending(Actor("wati", ActorRole.SUPERVISOR)) == []


class TestApproval:
    def test_approved_by_another_it_takes_effect(self, service, definition):
        """The approval and the command are chained; verification replays both."""
        case_id, number = _requested(service, definition)

        after = service.approve(case_id, number, actor=SUPERVISOR, note="Agreed.")
        events = service.history(case_id)

        assert after.stage is Stage.TERMINATION
        assert after.requests == ()
        assert [e.action for e in events] == [
            Action.OPEN,
            Action.REQUEST,
            Action.APPROVE,
            Action.TERMINATE,
        ]
        assert events[2].actor == SUPERVISOR
        assert events[2].request == number
        assert events[3].actor == WORKER
        assert service.verify() == []
        assert service.pending(SUPERVISOR) == []

    def test_self_approval_is_refused(self, service, definition):
        """The requester cannot approve their own request, whatever role."""
        case_id, number = _requested(service, definition)

        with pytest.raises(ApprovalRefusedError) as refused:
            service.approve(
                case_id,
                number,
                actor=Actor("wati", ActorRole.SUPERVISOR),
                note="Mine.",
            )

        assert refused.value.reason == "self_approval"
        assert service.get(case_id).seq == number

    def test_the_wrong_role_is_refused(self, service, definition):
        """Another worker is not a supervisor."""
        case_id, number = _requested(service, definition)

        with pytest.raises(ApprovalRefusedError) as refused:
            service.approve(case_id, number, actor=Actor("budi"), note="OK.")

        assert refused.value.reason == "role_not_held"
        assert "supervisor" in refused.value.message("en")
        assert service.get(case_id).stage is Stage.ENGAGEMENT

    def test_an_approval_is_decided_again_on_the_case_as_it_stands(
        self, service, definition
    ):
        """Of two termination requests only the first approved can end it."""
        case_id, first = _requested(service, definition)
        second = service.terminate(
            case_id, TerminationReason.CLIENT_REQUEST, actor=WORKER, note="Again."
        ).seq
        service.approve(case_id, first, actor=SUPERVISOR, note="Agreed.")

        with pytest.raises(InvalidTransitionError):
            service.approve(case_id, second, actor=OTHER_SUPERVISOR, note="Late.")

        assert [r.seq for r in service.get(case_id).requests] == [second]
        assert service.verify() == []

    def test_an_unknown_request_is_not_pending(self, service, definition):
        """An event that is no pending request cannot be approved."""
        case_id, _ = _requested(service, definition)

        with pytest.raises(ApprovalRefusedError) as refused:
            service.approve(case_id, 1, actor=SUPERVISOR, note="?")

        assert refused.value.reason == "not_pending"

    def test_a_redaction_waits_then_removes_the_personal_data(
        self, service, definition
    ):
        """An approved redaction covers the request and the approval too."""
        case_id = service.open("KLIEN-1", actor=WORKER, process=definition).case_id
        number = service.redact(case_id, actor=SUPERVISOR, note="UU 27/2022.").seq

        service.approve(case_id, number, actor=OTHER_SUPERVISOR, note="Lawful.")
        events = service.history(case_id)

        assert events[-1].action is Action.REDACT
        assert events[-1].redacted == (1, 2, 3)
        assert service.get(case_id).requests == ()
        assert [f.kind for f in service.verify()] == [FindingKind.REDACTED] * 3


class TestRejection:
    def test_a_rejected_request_never_takes_effect(self, service, definition):
        """A rejected request is gone: it can no longer be approved."""
        case_id, number = _requested(service, definition)

        after = service.reject(case_id, number, actor=SUPERVISOR, note="Talk first.")

        assert after.stage is Stage.ENGAGEMENT
        assert after.requests == ()
        with pytest.raises(ApprovalRefusedError):
            service.approve(case_id, number, actor=OTHER_SUPERVISOR, note="Late.")
        assert service.verify() == []

    def test_the_requester_may_withdraw_their_own(self, service, definition):
        """The requester rejects their own request: a withdrawal."""
        case_id, number = _requested(service, definition)

        after = service.reject(case_id, number, actor="wati", note="Withdrawn.")

        assert after.requests == ()

    def test_another_worker_may_not_reject(self, service, definition):
        """Someone neither the requester nor in the approving role cannot reject."""
        case_id, number = _requested(service, definition)

        with pytest.raises(ApprovalRefusedError):
            service.reject(case_id, number, actor=Actor("budi"), note="No.")


class TestRoster:
    def test_the_approver_must_hold_the_role_on_the_roster(self, service, definition):
        """Given by id, an approver acts in the gate's role, which they must hold."""
        staffed(service, wati=("worker",), budi=("worker",), andi=("supervisor",))
        case_id, number = _requested(service, definition)

        with pytest.raises(NotPermittedError) as refused:
            service.approve(case_id, number, actor="budi", note="OK.")
        after = service.approve(case_id, number, actor="andi", note="Agreed.")

        assert refused.value.reason == "role_not_held"
        assert after.stage is Stage.TERMINATION
        assert service.history(case_id)[2].actor == SUPERVISOR
        assert [p.request.seq for p in service.pending("andi")] == []


class TestReplay:
    def _sealed(self, events: list[Event]) -> list[Sealed]:
        rows, previous = [], GENESIS
        for event in events:
            row = seal(event, previous)
            rows.append(row)
            previous = row.hash
        return rows

    def _trail(self, definition: Definition, approver: Actor) -> list[Event]:
        at = OpenCase(client="K", process=definition)
        now = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
        opened = engine.open_case(at, case_id="c-1", actor=WORKER, at=now)
        asked = engine.execute(
            opened.case,
            TerminateCase(reason=TerminationReason.CLIENT_REQUEST, note="Wish."),
            actor=WORKER,
            at=now,
        )
        approved = engine.execute(
            asked.case, ApproveRequest(request=2, note="OK."), actor=approver, at=now
        )
        applied = engine.execute(
            approved.case,
            engine.requested_command(asked.event),
            actor=WORKER,
            at=now,
        )
        return [opened.event, asked.event, approved.event, applied.event]

    def test_a_sound_trail_replays(self, definition):
        """Request, approval and effect replay without a finding."""
        _, findings = replay_case(self._sealed(self._trail(definition, SUPERVISOR)))

        assert findings == []

    def test_an_effect_without_its_approval_is_an_illegal_move(self, definition):
        """A termination written straight after the open, re-chained: found."""
        events = self._trail(definition, SUPERVISOR)
        forged = [events[0], attrs.evolve(events[3], seq=2)]

        _, findings = replay_case(self._sealed(forged))

        assert [(f.seq, f.kind, f.params) for f in findings] == [
            (2, FindingKind.ILLEGAL_MOVE, {"finding": "unapproved"})
        ]

    def test_a_forged_self_approval_is_an_illegal_move(self, definition):
        """The requester's own approval, written into a re-chained trail: found."""
        events = self._trail(definition, SUPERVISOR)
        forged = [
            *events[:2],
            attrs.evolve(events[2], actor=Actor("wati", ActorRole.SUPERVISOR)),
            events[3],
        ]

        _, findings = replay_case(self._sealed(forged))

        assert [(f.seq, f.kind) for f in findings] == [(3, FindingKind.ILLEGAL_MOVE)]
        assert findings[0].params["reason"] == "self_approval"

    def test_a_forged_approval_in_the_wrong_role_is_an_illegal_move(self, definition):
        """An approval by a worker, re-chained into the trail: found."""
        events = self._trail(definition, SUPERVISOR)
        forged = [*events[:2], attrs.evolve(events[2], actor=Actor("budi")), events[3]]

        _, findings = replay_case(self._sealed(forged))

        assert [(f.seq, f.kind) for f in findings] == [(3, FindingKind.ILLEGAL_MOVE)]
        assert findings[0].params["reason"] == "role_not_held"

    def test_a_swapped_effect_is_an_illegal_move(self, definition):
        """The approved command must be the one requested."""
        events = self._trail(definition, SUPERVISOR)
        forged = [
            *events[:3],
            attrs.evolve(events[3], reason=TerminationReason.NO_SUITABLE_SERVICE),
        ]

        _, findings = replay_case(self._sealed(forged))

        assert [(f.seq, f.kind) for f in findings] == [(4, FindingKind.ILLEGAL_MOVE)]
