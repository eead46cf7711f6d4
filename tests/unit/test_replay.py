"""Replay: the case is a fold over its trail, and a tampered trail is caught (§7)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from helping_process import Action
from helping_process import AuditIntegrityError
from helping_process import Command
from helping_process import Event
from helping_process import InvalidTerminationReasonError
from helping_process import InvalidTransitionError
from helping_process import MoveCase
from helping_process import RecordNotAllowedError
from helping_process import RedactCase
from helping_process import ReopenCase
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process import apply
from helping_process import replay
from helping_process.states import REDACTED
from helping_process.states import redact
from helping_process.states.vocabulary import HELPING_STAGES
from helping_process.testing import Walk
from helping_process.testing import activity_data
from helping_process.testing import add
from helping_process.testing import assessment_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import plan_data
from helping_process.testing import walk

S = Stage
NOTE = "Plan revision after the school refused."


def eventful_commands() -> list[Command]:
    """Return commands that loop, terminate, reopen and redact an evaluated case."""
    return [
        add("evaluation", evaluation_data(("g1",), {"g1": 1, "g2": -1})),
        MoveCase(target=S.PLANNING, note=NOTE),
        add("plan", plan_data(("g3",))),
        MoveCase(target=S.ASSESSMENT, note="The family moved."),
        add("assessment", assessment_data()),
        MoveCase(target=S.PLANNING),
        add("plan", plan_data(("g3",))),
        MoveCase(target=S.INTERVENTION),
        add("activity", activity_data(("g3",))),
        TerminateCase(
            reason=TerminationReason.CLIENT_ABSCONDED,
            sub_reason=SubReason.UNFRIENDLY_STAFF,
            note="Ran away at night.",
        ),
        ReopenCase(note="Found and returned."),
        RedactCase(note="Request under UU 27/2022."),
        add("engagement", engagement_data()),
    ]


def eventful() -> Walk:
    """Return a case that has looped, terminated, been reopened and redacted."""
    return walk(S.EVALUATION, gas=True, residential=True).then(*eventful_commands())


def tampered(events: tuple[Event, ...], index: int, **changes: Any) -> list[Event]:
    """Return the events with one of them changed."""
    changed = list(events)
    changed[index] = attrs.evolve(changed[index], **changes)
    return changed


class TestReplay:
    @pytest.mark.parametrize("stage", list(HELPING_STAGES))
    def test_replay_gives_the_same_case(self, stage):
        """Replaying the events of a walk gives the case the walk built."""
        walked = walk(stage, gas=True)

        replayed = replay(walked.events)

        assert replayed == walked.case

    def test_replay_of_loops_reopening_and_redaction(self):
        """Loops, termination, reopening and redaction replay to the same case."""
        walked = eventful()

        replayed = replay(walked.events)

        assert replayed == walked.case
        assert (replayed.episode, replayed.stage) == (2, S.ENGAGEMENT)

    def test_replay_of_every_prefix(self):
        """Every prefix of a trail replays to the case as it stood then."""
        walked = walk(S.EVALUATION, gas=True, residential=True)
        cases = [walked.case]
        for command in eventful_commands():
            walked = walked.then(command)
            cases.append(walked.case)

        replayed = [
            replay(walked.events[:n])
            for n in range(len(walked.events) - len(cases) + 1, len(walked.events) + 1)
        ]

        assert replayed == cases

    def test_apply_folds_without_checking(self):
        """Folding the events with apply gives the same case as replaying them."""
        walked = eventful()
        case = None

        for event in walked.events:
            case = apply(case, event)

        assert case == walked.case


class TestTampering:
    def test_changed_destination(self):
        """A move whose destination was changed is an illegal move on replay."""
        walked = walk(S.ASSESSMENT)
        index = next(
            i
            for i, event in enumerate(walked.events)
            if event.action == Action.MOVE and event.to_stage == S.CONTRACT
        )

        with pytest.raises(InvalidTransitionError):
            replay(tampered(walked.events, index, to_stage=S.ASSESSMENT))

    def test_changed_stage_of_a_record_event(self):
        """A record event claiming to move the case differs from its replay."""
        walked = walk(S.INTAKE)

        with pytest.raises(AuditIntegrityError) as caught:
            replay(tampered(walked.events, 1, to_stage=S.INTAKE))

        assert (caught.value.seq, caught.value.finding) == (2, "differs")

    def test_changed_source(self):
        """An event whose recorded source stage was changed is caught."""
        walked = walk(S.CONTRACT)

        with pytest.raises(AuditIntegrityError) as caught:
            replay(tampered(walked.events, 2, from_stage=S.CONTRACT))

        assert caught.value.finding == "differs"

    def test_changed_episode(self):
        """An event moved into another episode is caught."""
        walked = walk(S.CONTRACT)

        with pytest.raises(AuditIntegrityError) as caught:
            replay(tampered(walked.events, 2, episode=2))

        assert caught.value.finding == "differs"

    def test_changed_reason(self):
        """A termination reason changed to one not allowed in the stage is caught."""
        walked = walk(S.TERMINATION)

        with pytest.raises(InvalidTerminationReasonError):
            replay(tampered(walked.events, -1, reason=TerminationReason.NOT_ELIGIBLE))

    def test_record_moved_to_another_stage(self):
        """A plan slipped into engagement is refused on replay."""
        walked = walk(S.INTERVENTION)
        plan = next(
            e.record for e in walked.events if e.record and e.record.kind == "plan"
        )

        with pytest.raises(RecordNotAllowedError):
            replay(tampered(walked.events, 1, record=plan))

    def test_gap(self):
        """A deleted event leaves a gap in the sequence."""
        events = list(walk(S.CONTRACT).events)
        del events[2]

        with pytest.raises(AuditIntegrityError) as caught:
            replay(events)

        assert (caught.value.seq, caught.value.finding) == (4, "gap")

    def test_duplicate(self):
        """A repeated event is a duplicate sequence number."""
        events = list(walk(S.CONTRACT).events)
        events.insert(3, events[2])

        with pytest.raises(AuditIntegrityError) as caught:
            replay(events)

        assert (caught.value.seq, caught.value.finding) == (3, "duplicate")

    def test_reordered(self):
        """Swapping two events breaks the sequence."""
        events = list(walk(S.CONTRACT).events)
        events[1], events[2] = events[2], events[1]

        with pytest.raises(AuditIntegrityError):
            replay(events)

    def test_foreign_event(self):
        """An event of another case does not belong in the trail."""
        events = list(walk(S.CONTRACT).events)
        foreign = walk(S.CONTRACT, case_id="case-2").events[3]

        with pytest.raises(AuditIntegrityError) as caught:
            replay([*events[:3], foreign])

        assert caught.value.finding == "foreign_event"

    def test_opened_twice(self):
        """A trail opens its case once."""
        events = list(walk(S.ENGAGEMENT).events)
        second = attrs.evolve(events[0], seq=2)

        with pytest.raises(AuditIntegrityError) as caught:
            replay([events[0], second])

        assert caught.value.finding == "opened_twice"

    def test_not_opened(self):
        """A trail starts by opening its case."""
        events = walk(S.INTAKE).events
        first = attrs.evolve(events[1], seq=1)

        with pytest.raises(AuditIntegrityError) as caught:
            replay([first])

        assert caught.value.finding == "not_opened"

    def test_record_event_without_its_record(self):
        """A record event that lost its record is incomplete."""
        walked = walk(S.INTAKE)

        with pytest.raises(AuditIntegrityError) as caught:
            replay(tampered(walked.events, 1, record=None))

        assert caught.value.finding == "incomplete"

    def test_empty_trail(self):
        """An empty trail is no case."""
        with pytest.raises(AuditIntegrityError) as caught:
            replay([])

        assert caught.value.finding == "empty"


class TestRedactedReplay:
    def test_redacted_trail_replays(self):
        """A redacted trail replays to the redacted case: same stage and records."""
        walked = eventful()

        replayed = replay([redact(event) for event in walked.events])

        assert replayed == redact(walked.case)
        assert (replayed.stage, replayed.episode, replayed.seq) == (
            walked.case.stage,
            walked.case.episode,
            walked.case.seq,
        )

    @pytest.mark.parametrize("stage", list(HELPING_STAGES))
    def test_redacted_walk_keeps_its_structure(self, stage):
        """Redaction keeps every record's structure, so the rules read it alike."""
        walked = walk(stage, gas=True)

        replayed = replay([redact(event) for event in walked.events])

        assert replayed.stage == walked.case.stage
        assert replayed.records.latest().keys() == walked.case.records.latest().keys()
        plan, original = replayed.records.plan, walked.case.records.plan
        assert (plan and plan.goal_ids, plan and plan.scaled_goal_ids) == (
            original and original.goal_ids,
            original and original.scaled_goal_ids,
        )

    def test_personal_fields_of_events_are_redacted(self):
        """The client, notes, referral and record texts of an event are redacted."""
        walked = walk(S.INTAKE).then(
            TerminateCase(
                reason=TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
                referral_to="LKS Melati",
                note="Closer to home.",
            )
        )

        redacted = [redact(event) for event in walked.events]

        assert redacted[0].client == REDACTED
        assert (redacted[-1].referral_to, redacted[-1].note) == (REDACTED, REDACTED)
        assert redacted[-1].reason == TerminationReason.SERVICE_AVAILABLE_ELSEWHERE
        assert redacted[1].record is not None
        assert redacted[1].record.kind == "engagement"
        assert (redacted[0].actor, redacted[0].occurred_at) == (
            walked.events[0].actor,
            walked.events[0].occurred_at,
        )
