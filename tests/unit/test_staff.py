"""The roster's rules, its verdicts, and the chain check, without a database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helping_process import Actor
from helping_process.audit import FindingKind
from helping_process.exceptions import InvalidInputError
from helping_process.service import CaseService
from helping_process.staff import PERMISSIONS
from helping_process.staff import ROSTER_TRAIL
from helping_process.staff import ChangeKind
from helping_process.staff import MemoryStaffStore
from helping_process.staff import NotPermittedError
from helping_process.staff import Operation
from helping_process.staff import RosterChange
from helping_process.staff import StaffRole
from helping_process.staff import StoredEntry
from helping_process.staff import check_chain
from helping_process.staff import roles_of
from helping_process.testing import FixedClock
from helping_process.testing import InMemoryStore

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _add(member: str, roles: tuple[str, ...], actor: str = "boss") -> RosterChange:
    return RosterChange(
        seq=0,
        kind=ChangeKind.ADD,
        member=member,
        name=member,
        roles=roles_of(roles),
        actor=actor,
        recorded_at=AT,
    )


def _chain(count: int) -> list[StoredEntry]:
    staff = MemoryStaffStore()
    staff.change_roster(_add("boss", ("admin",)))
    for index in range(count - 1):
        staff.change_roster(_add(f"m{index}", ("worker",)))
    return [StoredEntry(c.seq, c.body(), c.prev_hash, c.hash) for c in staff.changes()]


class TestRoles:
    def test_roles_are_parsed_sorted_and_unique(self):
        """Codes become roles, each once."""
        assert roles_of(["worker", "admin", "worker"]) == (
            StaffRole.ADMIN,
            StaffRole.WORKER,
        )

    @pytest.mark.parametrize("codes", [[], ["chief"]])
    def test_no_role_or_an_unknown_one_is_bad_input(self, codes):
        """An empty list or an unknown code is refused as input."""
        with pytest.raises(InvalidInputError):
            roles_of(codes)

    def test_the_auditor_changes_nothing(self):
        """The auditor's operations are all reads."""
        assert PERMISSIONS[StaffRole.AUDITOR] == {
            Operation.SHOW,
            Operation.HISTORY,
            Operation.EXPORT,
            Operation.REPORT,
            Operation.VERIFY,
            Operation.LIST,
        }


class TestMemoryRoster:
    def test_a_service_on_a_memory_roster_checks_actors(self):
        """A service given a memory roster refuses an unknown actor."""
        staff = MemoryStaffStore()
        staff.change_roster(_add("boss", ("admin",)))
        staff.change_roster(_add("w", ("worker",)))
        service = CaseService(InMemoryStore(), clock=FixedClock(), staff=staff)

        case = service.open("K", actor="w")
        with pytest.raises(NotPermittedError):
            service.open("K", actor=Actor("x"))

        assert service.history(case.case_id)[0].actor == Actor("w")

    def test_a_service_without_a_roster_checks_nobody(self):
        """A memory store has no roster: actors are not checked, reads not logged."""
        service = CaseService(InMemoryStore(), clock=FixedClock())

        case = service.open("K", actor="anyone")

        assert service.actors_checked is False
        assert service.get(case.case_id, reader="someone") == case


class TestChainCheck:
    @given(st.integers(min_value=1, max_value=6))
    def test_a_sound_chain_has_no_finding(self, count):
        """Entries chained by the store verify."""
        assert check_chain(ROSTER_TRAIL, "staff_events", _chain(count)) == []

    @given(st.integers(min_value=2, max_value=6), st.data())
    def test_a_deleted_entry_is_found_where_it_was(self, count, data):
        """Removing any entry but the last is one deletion at its seq."""
        rows = _chain(count)
        gone = data.draw(st.integers(min_value=0, max_value=count - 2))

        found = check_chain(
            ROSTER_TRAIL, "staff_events", rows[:gone] + rows[gone + 1 :]
        )

        assert [(f.seq, f.kind) for f in found] == [(gone + 1, FindingKind.DELETED)]

    def test_a_cell_of_the_wrong_type_is_a_finding(self):
        """A body stored as text is an edited cell, not a crash."""
        rows = _chain(2)
        body = rows[1].body
        assert isinstance(body, bytes)
        rows[1] = StoredEntry(2, body.decode(), rows[1].prev_hash, rows[1].hash)

        found = check_chain(ROSTER_TRAIL, "staff_events", rows)

        assert [(f.seq, f.kind, f.cause) for f in found] == [
            (2, FindingKind.EDITED, "finding.cell")
        ]
