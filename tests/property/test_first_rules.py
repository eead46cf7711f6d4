"""helping-process@1 decides every command exactly as the first release did.

``tests/reference/engine_v1.py`` is the engine of the release before process
definitions, kept unchanged as the recorded behaviour: it decides with the
transition table of :mod:`helping_process.states`. The engine of today
decides with the definition a case is pinned to. For generated command
sequences, a case unpinned (as every stored case is) and a case pinned to
``helping-process@1`` must meet exactly the same refusals, with the same
facts, and produce exactly the same events and cases (the pinned one's open
event differs only by its pin).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helping_process import Actor
from helping_process import AddRecord
from helping_process import Case
from helping_process import Command
from helping_process import HelpingProcessError
from helping_process import InvalidTerminationReasonError
from helping_process import OpenCase
from helping_process import RedactCase
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process import builtin
from helping_process import engine
from helping_process import parse_record
from helping_process.testing import FixedClock
from tests.reference import engine_v1
from tests.strategies import commands
from tests.strategies import complete_records
from tests.strategies import notes

KINDS = ["engagement", "intake", "contract", "assessment", "plan", "activity"]
FIRST = "helping-process@1"
DIED = TerminationReason.CLIENT_DIED
#: The reasons later definitions brought: the first release had no such codes.
LATER_REASONS = frozenset({DIED, TerminationReason.LOST_CONTACT})


def _outcome(decide: Callable[[], Any]) -> tuple[str, object]:
    """Run a decision: ("ok", (case, event)) or ("refused", (type, facts))."""
    try:
        decision = decide()
    except HelpingProcessError as error:
        # The sub-reasons a refusal lists came later, for its message only:
        # the decision and the facts it names are what must not change.
        facts = {k: v for k, v in vars(error).items() if k != "allowed"}
        return "refused", (type(error), facts)
    return "ok", (decision.case, decision.event)


def _record_command(data: st.DataObject, case: Case, today: dt.date) -> Command:
    plan = case.records.plan
    goals = sorted(plan.goal_ids) if plan and plan.goals else ["g1"]
    scaled = sorted(plan.scaled_goal_ids) if plan else []
    kind = data.draw(st.sampled_from([*KINDS, "evaluation"]))
    record = data.draw(
        complete_records(kind, today=today, goal_ids=goals, scaled_goal_ids=scaled)
    )
    return AddRecord(record=parse_record(kind, record))


class TestFirstRulesDifferential:
    """The engine on helping-process@1 against the first release's engine."""

    @given(
        residential=st.booleans(),
        pinned=st.booleans(),
        steps=st.integers(min_value=1, max_value=60),
        data=st.data(),
    )
    def test_every_command_is_decided_as_before(
        self, residential: bool, pinned: bool, steps: int, data: st.DataObject
    ) -> None:
        """Same refusals with the same facts, same events, same cases."""
        clock = FixedClock()
        actor = Actor("worker-1")
        old_open = engine_v1.open_case(
            OpenCase(client="c", residential=residential),
            case_id="case-1",
            actor=actor,
            at=clock(),
        )
        new_open = engine.open_case(
            OpenCase(
                client="c",
                residential=residential,
                process=builtin(FIRST) if pinned else None,
            ),
            case_id="case-1",
            actor=actor,
            at=clock(),
        )
        # The worker of record (who opened the case) came after the kept
        # engine; it is state beside the rules, never in the event.
        opened = attrs.evolve(old_open.case, opened_by=actor.id)
        assert new_open.case == opened
        assert new_open.case.definition.ref == FIRST
        assert attrs.evolve(new_open.event, process=None) == old_open.event
        assert (new_open.event.process is not None) == pinned
        old_case, new_case = opened, new_open.case
        for _ in range(steps):
            clock.advance(hours=data.draw(st.integers(min_value=0, max_value=24 * 40)))
            drawn = data.draw(
                st.one_of(
                    st.just("record"),
                    # client_died came with version 2, lost_contact with
                    # rehsos-pp39; the first release had no such codes (see
                    # the test below).
                    commands().filter(
                        lambda c: getattr(c, "reason", None) not in LATER_REASONS
                    ),
                    st.builds(RedactCase, note=notes()),
                )
            )
            command: Command = (
                _record_command(data, old_case, clock.today())
                if isinstance(drawn, str)
                else drawn
            )
            at = clock()
            old = _outcome(
                functools.partial(
                    engine_v1.execute, old_case, command, actor=actor, at=at
                )
            )
            new = _outcome(
                functools.partial(engine.execute, new_case, command, actor=actor, at=at)
            )
            assert new == old, command
            if old[0] == "ok":
                old_case, _ = old[1]  # type: ignore[misc] # a decision
                new_case, _ = new[1]  # type: ignore[misc] # likewise
        assert new_case.definition.ref == FIRST

    @pytest.mark.parametrize("reason", sorted(LATER_REASONS))
    @pytest.mark.parametrize("pinned", [False, True])
    def test_death_is_no_reason_under_the_first_rules(
        self, pinned: bool, reason: TerminationReason
    ) -> None:
        """client_died and lost_contact, later codes, are refused under version 1."""
        case = engine.open_case(
            OpenCase(client="c", process=builtin(FIRST) if pinned else None),
            case_id="case-1",
            actor=Actor("worker-1"),
            at=FixedClock()(),
        ).case

        with pytest.raises(InvalidTerminationReasonError) as refused:
            engine.execute(
                case,
                TerminateCase(reason=reason, note="Died."),
                actor=Actor("worker-1"),
                at=FixedClock()(),
            )

        assert (refused.value.reason, refused.value.stage) == (reason, "engagement")
