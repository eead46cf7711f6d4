"""Who may do what: the roster, its permission matrix, and the access log.

Every test runs on SQLite and, when its URL is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from helping_process import Actor
from helping_process import Stage
from helping_process import TerminationReason
from helping_process.audit import FindingKind
from helping_process.model import ActorRole
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.staff import ACCESS_TRAIL
from helping_process.staff import ROSTER_TRAIL
from helping_process.staff import ChangeKind
from helping_process.staff import MemoryStaffStore
from helping_process.staff import NotPermittedError
from helping_process.staff import RosterChange
from helping_process.staff import RosterRefusedError
from helping_process.staff import StaffStore
from helping_process.staff import chained
from helping_process.staff import roles_of
from helping_process.testing import FixedClock
from helping_process.testing import engagement_data

AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
ADMIN = "boss"
WORKER = "wati"

#: The whole matrix: which role may do which operation (True: allowed).
MATRIX: dict[str, dict[str, bool]] = {
    "worker": {
        "open": True,
        "record": True,
        "move": True,
        "terminate": True,
        "reopen": True,
        "redact": False,
        "show": True,
        "history": True,
        "export": True,
        "report": True,
        "verify": True,
        "list": True,
        "staff": False,
    },
    "supervisor": {
        "open": True,
        "record": True,
        "move": True,
        "terminate": True,
        "reopen": True,
        "redact": True,
        "show": True,
        "history": True,
        "export": True,
        "report": True,
        "verify": True,
        "list": True,
        "staff": False,
    },
    "auditor": {
        "open": False,
        "record": False,
        "move": False,
        "terminate": False,
        "reopen": False,
        "redact": False,
        "show": True,
        "history": True,
        "export": True,
        "report": True,
        "verify": True,
        "list": True,
        "staff": False,
    },
    "admin": {
        "open": False,
        "record": False,
        "move": False,
        "terminate": False,
        "reopen": False,
        "redact": True,
        "show": True,
        "history": True,
        "export": True,
        "report": True,
        "verify": True,
        "list": True,
        "staff": True,
    },
}


def change(
    kind: str,
    member: str,
    actor: str,
    *,
    roles: tuple[str, ...] = (),
    note: str | None = None,
) -> RosterChange:
    """A roster change as a caller asks for it (the store chains it)."""
    return RosterChange(
        seq=0,
        kind=ChangeKind(kind),
        member=member,
        name=member.title() if kind == "add" else None,
        roles=roles_of(roles) if roles else (),
        note=note,
        actor=actor,
        recorded_at=AT,
    )


def staffed(service: CaseService, **members: tuple[str, ...]) -> StaffStore:
    """Put an admin and ``members`` (id: roles) on the service's roster."""
    staff = service.staff
    assert staff is not None
    staff.change_roster(change("add", ADMIN, ADMIN, roles=("admin",)))
    for member, roles in members.items():
        staff.change_roster(change("add", member, ADMIN, roles=roles))
    return staff


@pytest.fixture
def service(store_url: str, open_store: Callable[..., SqlStore]) -> CaseService:
    """A case service on the test's database, its roster still empty."""
    return CaseService(open_store(store_url), clock=FixedClock())


def _engaged(service: CaseService) -> str:
    case_id = service.open("KLIEN-1", actor=WORKER).case_id
    service.add_record_json(case_id, "engagement", engagement_data(), actor=WORKER)
    return case_id


def _terminated(service: CaseService) -> str:
    case_id = service.open("KLIEN-2", actor=WORKER).case_id
    service.terminate(
        case_id, TerminationReason.CLIENT_REQUEST, actor=WORKER, note="Moved away."
    )
    return case_id


def _operations(service: CaseService, who: str) -> dict[str, Callable[[], Any]]:
    """Each operation, done by ``who`` on a case prepared by the worker."""
    engaged = _engaged(service)
    ended = _terminated(service)
    staff = service.staff
    assert staff is not None
    return {
        "open": lambda: service.open("KLIEN-9", actor=who),
        "record": lambda: service.add_record_json(
            engaged, "engagement", engagement_data(), actor=who
        ),
        "move": lambda: service.move(engaged, Stage.INTAKE, actor=who),
        "terminate": lambda: service.terminate(
            engaged, TerminationReason.CLIENT_REQUEST, actor=who, note="Wish."
        ),
        "reopen": lambda: service.reopen(ended, actor=who, note="Came back."),
        "redact": lambda: service.redact(ended, actor=who, note="UU 27/2022"),
        "show": lambda: service.get(engaged, reader=who),
        "history": lambda: service.history(engaged, reader=who),
        "export": lambda: list(service.export(engaged, reader=who)),
        "report": lambda: service.report(reader=who),
        "verify": lambda: service.verification(reader=who),
        "list": lambda: service.cases(reader=who),
        "staff": lambda: staff.change_roster(
            change("add", "new-member", who, roles=("worker",))
        ),
    }


class TestPermissionMatrix:
    @pytest.mark.parametrize("role", sorted(MATRIX))
    def test_each_role_may_do_exactly_its_operations(self, service, role):
        """A member of one role may do exactly what the table says, and no more."""
        staffed(service, **{WORKER: ("worker",), "member": (role,)})
        outcomes: dict[str, object] = {}

        for operation, run in _operations(service, "member").items():
            try:
                run()
            except NotPermittedError as refused:
                outcomes[operation] = refused.reason
            else:
                outcomes[operation] = True

        expected: dict[str, object] = {
            operation: True if allowed else "not_permitted"
            for operation, allowed in MATRIX[role].items()
        }
        if role == "worker":
            # The cases are the other worker's: see test_casework's matrix.
            expected.update(
                dict.fromkeys(("record", "move", "terminate", "reopen"), "not_assigned")
            )
        assert outcomes == expected

    @pytest.mark.parametrize(
        ("roles", "recorded"),
        [
            (("worker",), ActorRole.WORKER),
            (("supervisor",), ActorRole.SUPERVISOR),
            (("supervisor", "worker"), ActorRole.WORKER),
        ],
    )
    def test_the_recorded_role_is_the_members(self, service, roles, recorded):
        """An actor given by id acts in the least of their roles that may act."""
        staffed(service, member=roles)

        case = service.open("KLIEN-1", actor="member")

        assert service.history(case.case_id)[0].actor == Actor("member", recorded)

    def test_an_admin_redacts_as_administrator(self, service):
        """The admin's redaction records the administrator role."""
        staffed(service, **{WORKER: ("worker",)})
        case_id = _terminated(service)

        service.redact(case_id, actor=ADMIN, note="UU 27/2022")

        assert service.history(case_id)[-1].actor == Actor(ADMIN, "administrator")

    def test_a_declared_role_the_member_holds_is_recorded(self, service):
        """A member with both roles may declare the supervisor's."""
        staffed(service, member=("supervisor", "worker"))

        case = service.open("KLIEN-1", actor=Actor("member", "supervisor"))

        assert service.history(case.case_id)[0].actor.role == ActorRole.SUPERVISOR

    def test_a_declared_role_not_held_is_refused(self, service):
        """A worker who declares the supervisor's role is refused."""
        staffed(service, member=("worker",))

        with pytest.raises(NotPermittedError) as refused:
            service.open("KLIEN-1", actor=Actor("member", "supervisor"))

        assert (refused.value.reason, refused.value.roles) == (
            "role_not_held",
            "worker",
        )
        assert service.cases() == []


class TestUnknownAndInactiveActors:
    def test_an_unknown_actor_is_refused_and_nothing_is_stored(self, service):
        """Once the roster has a member, an actor not on it changes nothing."""
        staffed(service, **{WORKER: ("worker",)})
        case_id = _engaged(service)

        with pytest.raises(NotPermittedError) as refused:
            service.move(case_id, Stage.INTAKE, actor="stranger")

        assert refused.value.reason == "unknown_actor"
        assert service.get(case_id).seq == 2
        assert "stranger" in refused.value.message("en")
        assert "daftar petugas" in refused.value.message("id")

    def test_a_deactivated_member_is_refused(self, service):
        """A deactivated member may neither change nor read a case."""
        staff = staffed(service, **{WORKER: ("worker",)})
        case_id = _engaged(service)

        staff.change_roster(change("deactivate", WORKER, ADMIN, note="Left."))

        with pytest.raises(NotPermittedError) as refused:
            service.move(case_id, Stage.INTAKE, actor=WORKER)
        assert refused.value.reason == "inactive_actor"
        with pytest.raises(NotPermittedError):
            service.get(case_id, reader=WORKER)
        assert staff.roster().members[WORKER].active is False


class TestEmptyRoster:
    def test_actors_are_not_checked_while_the_roster_is_empty(self, service):
        """Anyone acts in any declared role, as before rosters."""
        case = service.open("KLIEN-1", actor=Actor("anyone", "supervisor"))

        assert service.actors_checked is False
        assert service.history(case.case_id)[0].actor == Actor("anyone", "supervisor")

    def test_the_first_member_must_be_an_admin(self, service):
        """A worker cannot be the first member; an admin can, and is then checked."""
        staff = service.staff

        with pytest.raises(RosterRefusedError) as refused:
            staff.change_roster(change("add", WORKER, WORKER, roles=("worker",)))
        assert refused.value.reason == "first_not_admin"
        assert staff.changes() == []

        staff.change_roster(change("add", ADMIN, ADMIN, roles=("admin",)))
        assert service.actors_checked is True

    def test_only_an_active_admin_changes_the_roster(self, service):
        """A worker may not add members; the admin may."""
        staff = staffed(service, **{WORKER: ("worker", "supervisor")})

        with pytest.raises(NotPermittedError):
            staff.change_roster(change("add", "x", WORKER, roles=("worker",)))
        staff.change_roster(change("set_role", WORKER, ADMIN, roles=("auditor",)))

        assert staff.roster().members[WORKER].roles == roles_of(["auditor"])
        assert [c.actor for c in staff.changes()] == [ADMIN, ADMIN, ADMIN]

    def test_the_last_admin_stays(self, service):
        """The roster's last active admin cannot be deactivated nor lose the role."""
        staff = staffed(service)

        for kind, extra in (
            ("deactivate", {"note": "x"}),
            ("set_role", {"roles": ("worker",)}),
        ):
            with pytest.raises(RosterRefusedError) as refused:
                staff.change_roster(change(kind, ADMIN, ADMIN, **extra))
            assert refused.value.reason == "last_admin"

    def test_a_member_is_added_once(self, service):
        """Adding an id already on the roster is refused."""
        staff = staffed(service, **{WORKER: ("worker",)})

        with pytest.raises(RosterRefusedError) as refused:
            staff.change_roster(change("add", WORKER, ADMIN, roles=("worker",)))

        assert refused.value.reason == "member_exists"


class TestAccessLog:
    def test_every_kind_of_read_is_logged(self, service):
        """show, history, export and report each append who, what and which case."""
        staff = staffed(service, **{WORKER: ("worker",), "auditor": ("auditor",)})
        case_id = _engaged(service)

        service.get(case_id, reader="auditor")
        service.next_moves(case_id, reader=WORKER)
        service.history(case_id, reader="auditor")
        service.events_page(case_id, reader="auditor")
        list(service.export(case_id, reader="auditor"))
        list(service.export(reader="auditor"))
        service.report(reader=ADMIN)
        service.get(case_id)  # the service's own read: not logged

        entries = [
            (e.seq, e.actor, e.operation.value, e.case_id) for e in staff.accesses()
        ]
        assert entries == [
            (1, "auditor", "show", case_id),
            (2, WORKER, "show", case_id),
            (3, "auditor", "history", case_id),
            (4, "auditor", "history", case_id),
            (5, "auditor", "export", case_id),
            (6, "auditor", "export", None),
            (7, ADMIN, "report", None),
        ]
        assert all(entry.at == FixedClock()() for entry in staff.accesses())

    def test_the_log_of_one_case_has_its_reads_and_reads_of_all(self, service):
        """accesses(case) leaves out the reads of other cases."""
        staff = staffed(service, **{WORKER: ("worker",)})
        first, second = _engaged(service), _engaged(service)
        service.get(first, reader=WORKER)
        service.get(second, reader=WORKER)
        list(service.export(reader=WORKER))

        assert [e.case_id for e in staff.accesses(first)] == [first, None]

    def test_reads_are_logged_while_the_roster_is_empty(self, service):
        """Without a roster actors are not checked, but reads are still logged."""
        case_id = _engaged(service)

        service.get(case_id, reader="anyone")

        assert [e.actor for e in service.staff.accesses()] == ["anyone"]

    def test_a_refused_read_is_not_logged_and_shows_nothing(self, service):
        """An unknown reader is refused and the log is unchanged."""
        staff = staffed(service, **{WORKER: ("worker",)})
        case_id = _engaged(service)

        with pytest.raises(NotPermittedError):
            service.history(case_id, reader="stranger")

        assert staff.accesses() == []

    def test_a_sound_roster_and_log_verify(self, service):
        """With members and reads, verification has no finding."""
        staffed(service, **{WORKER: ("worker",)})
        service.get(_engaged(service), reader=WORKER)

        assert service.verify() == []


def _attacker(path: Any) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    names = connection.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
    for (name,) in names.fetchall():
        connection.execute(f'DROP TRIGGER "{name}"')
    return connection


class TestTampering:
    @pytest.fixture
    def trail(self, sqlite_path, open_store):
        """A roster of three changes and a log of two reads in a SQLite file."""
        service = CaseService(
            open_store(f"sqlite:///{sqlite_path}"), clock=FixedClock()
        )
        staff = staffed(service, **{WORKER: ("worker",)})
        staff.change_roster(change("set_role", WORKER, ADMIN, roles=("supervisor",)))
        case_id = service.open("KLIEN-1", actor=WORKER).case_id
        service.get(case_id, reader=WORKER)
        service.history(case_id, reader=ADMIN)
        return sqlite_path

    def _findings(self, path, open_store) -> list[tuple[str, int, FindingKind]]:
        service = CaseService(open_store(f"sqlite:///{path}", upgrade=False))
        return [(f.case_id, f.seq, f.kind) for f in service.verify()]

    def test_an_edited_roster_change_is_found(self, trail, open_store):
        """Giving the worker the admin role in the stored body breaks its hash."""
        with _attacker(trail) as db:
            db.execute(
                "UPDATE staff_events SET body ="
                " CAST(replace(body, 'supervisor', 'admin') AS BLOB)"
                " WHERE seq = 3"
            )

        assert self._findings(trail, open_store) == [
            (ROSTER_TRAIL, 3, FindingKind.EDITED)
        ]

    def test_a_deleted_roster_change_is_found(self, trail, open_store):
        """Deleting the worker's addition leaves a gap and a broken link."""
        with _attacker(trail) as db:
            db.execute("DELETE FROM staff_events WHERE seq = 2")

        assert self._findings(trail, open_store) == [
            (ROSTER_TRAIL, 2, FindingKind.DELETED)
        ]

    def test_a_forged_column_is_found(self, trail, open_store):
        """The member column must say what the chained body says."""
        with _attacker(trail) as db:
            db.execute("UPDATE staff_events SET member_id = 'mallory' WHERE seq = 2")

        assert self._findings(trail, open_store) == [
            (ROSTER_TRAIL, 2, FindingKind.EDITED)
        ]

    def test_a_rechained_roster_is_replayed(self, trail, open_store):
        """A roster rewritten with a sound chain still breaks the roster's rules."""
        with _attacker(trail) as db:
            db.execute("DELETE FROM staff_events")
        forged = CaseService(open_store(f"sqlite:///{trail}", upgrade=False))
        memory = MemoryStaffStore()
        memory.change_roster(change("add", ADMIN, ADMIN, roles=("admin",)))
        good = memory.changes()[0]
        bad = change("add", "mallory", "mallory", roles=("admin",))
        bad = chained(bad, memory.roster())
        with _attacker(trail) as db:
            for row in (good, bad):
                db.execute(
                    "INSERT INTO staff_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        row.seq,
                        row.kind.value,
                        row.member,
                        row.actor,
                        row.recorded_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                        row.body(),
                        row.prev_hash,
                        row.hash,
                    ),
                )
            db.execute(
                "UPDATE trail_heads SET seq = ?, hash = ? WHERE trail = ?",
                (bad.seq, bad.hash, ROSTER_TRAIL),
            )

        assert [(f.case_id, f.seq, f.kind, f.cause) for f in forged.verify()] == [
            (
                ROSTER_TRAIL,
                2,
                FindingKind.ILLEGAL_MOVE,
                "error.not_permitted.unknown_actor",
            )
        ]

    def test_a_deleted_read_is_found(self, trail, open_store):
        """Deleting who read a case breaks the access log's chain."""
        with _attacker(trail) as db:
            db.execute("DELETE FROM access_log WHERE seq = 1")

        assert self._findings(trail, open_store) == [
            (ACCESS_TRAIL, 1, FindingKind.DELETED)
        ]

    def test_the_triggers_refuse_rewriting(self, trail):
        """Without an attacker's help, the database refuses updates and deletes."""
        with sqlite3.connect(trail) as db:
            for statement in (
                "DELETE FROM staff_events WHERE seq = 3",
                "UPDATE access_log SET actor_id = 'x'",
            ):
                with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                    db.execute(statement)
