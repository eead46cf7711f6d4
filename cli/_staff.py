"""``helping-process staff …``: the staff roster and the API tokens.

The roster says who may do what (``docs/authority.md``): ``staff add``,
``set-role`` and ``deactivate`` append chained roster changes, and ``staff
list`` shows the roster folded from them. ``staff token`` issues the bearer
tokens of the HTTP API (only to active members once the roster has one) and
``staff revoke-token`` revokes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

import click

from ._audit import json_flag
from ._local import LocalGroup
from ._local import option
from ._settings import Settings
from ._settings import now
from ._settings import pass_settings

if TYPE_CHECKING:
    from helping_process.persistence import SqlTokenStore
    from helping_process.staff import Member
    from helping_process.staff import StaffStore

#: The roles a member may hold, as typed on the command line.
ROLES = ("worker", "supervisor", "auditor", "admin")


@click.group("staff", cls=LocalGroup, help="help.staff")
def staff() -> None:
    """Manage the staff roster and the API tokens of staff members."""


def _staff_store(settings: Settings) -> StaffStore:
    staff_store = settings.service().staff
    assert staff_store is not None  # noqa: S101 - the command line upgrades the database
    return staff_store


def _tokens(settings: Settings) -> SqlTokenStore:
    from helping_process.persistence import SqlStore  # noqa: PLC0415 - lazy
    from helping_process.persistence import SqlTokenStore  # noqa: PLC0415 - lazy

    store = settings.service().store
    assert isinstance(store, SqlStore)  # noqa: S101 - the command line opens SQL stores
    return SqlTokenStore(store.bind)


def _member(settings: Settings, member: str) -> str:
    if not member.strip():
        raise settings.failure("staff.blank_id", exit_code=2)
    return member


def member_json(member: Member) -> dict[str, Any]:
    """Return a roster member as JSON."""
    return {
        "id": member.id,
        "name": member.name,
        "roles": [role.value for role in member.roles],
        "active": member.active,
        "since": member.since.isoformat(),
    }


def _change(  # noqa: PLR0913 - the parts of a roster change are named
    settings: Settings,
    kind: str,
    member: str,
    *,
    name: str | None = None,
    roles: tuple[str, ...] = (),
    note: str | None = None,
) -> None:
    """Append one roster change by this run's actor, and say what it did."""
    from helping_process.staff import ChangeKind  # noqa: PLC0415 - lazy
    from helping_process.staff import RosterChange  # noqa: PLC0415 - lazy
    from helping_process.staff import roles_of  # noqa: PLC0415 - lazy

    change = RosterChange(
        seq=0,
        kind=ChangeKind(kind),
        member=_member(settings, member),
        name=name,
        roles=roles_of(roles) if roles else (),
        note=note,
        actor=settings.actor_name,
        recorded_at=now(),
    )
    staff_store = _staff_store(settings)
    stored = staff_store.change_roster(change)
    current = staff_store.roster().members[member]
    if settings.as_json:
        settings.emit({**member_json(current), "seq": stored.seq, "hash": stored.hash})
        return
    settings.echo(
        settings.say(
            f"staff.{kind}",
            member=member,
            roles=", ".join(role.value for role in current.roles),
            seq=stored.seq,
        )
    )


def _blank_note(settings: Settings, note: str) -> str:
    if not note.strip():
        raise settings.failure("staff.blank_note", exit_code=2)
    return note


@staff.command("add", help="help.staff.add")
@click.argument("member", metavar="ID")
@option("--name", required=True, metavar="NAME", help="opt.staff_name")
@option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(ROLES),
    help="opt.staff_role",
)
@json_flag()
@pass_settings
def add(settings: Settings, member: str, name: str, roles: tuple[str, ...]) -> None:
    """Add a member to the roster; the first one must be an admin."""
    if not name.strip():
        raise settings.failure("staff.blank_name", exit_code=2)
    _change(settings, "add", member, name=name, roles=roles)


@staff.command("set-role", help="help.staff.set_role")
@click.argument("member", metavar="ID")
@option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(ROLES),
    help="opt.staff_role",
)
@json_flag()
@pass_settings
def set_role(settings: Settings, member: str, roles: tuple[str, ...]) -> None:
    """Replace a member's roles."""
    _change(settings, "set_role", member, roles=roles)


@staff.command("deactivate", help="help.staff.deactivate")
@click.argument("member", metavar="ID")
@option("--note", required=True, metavar="TEXT", help="opt.staff_note")
@json_flag()
@pass_settings
def deactivate(settings: Settings, member: str, note: str) -> None:
    """Deactivate a member: they may do nothing more, and stay on record."""
    _change(settings, "deactivate", member, note=_blank_note(settings, note))


@staff.command("list", help="help.staff.list")
@json_flag()
@pass_settings
def list_staff(settings: Settings) -> None:
    """List the roster: every member, their roles, and whether active."""
    roster = _staff_store(settings).roster()
    members = sorted(roster.members.values(), key=lambda member: member.id)
    if settings.as_json:
        settings.emit(
            {
                "members": [member_json(member) for member in members],
                "checked": not roster.is_empty,
            }
        )
        return
    if not members:
        settings.echo(settings.say("staff.empty"))
        return
    for member in members:
        state = settings.say("staff.active" if member.active else "staff.inactive")
        roles = ", ".join(role.value for role in member.roles)
        settings.echo(f"{member.id:<16} {member.name:<24} {roles:<28} {state}")


def _may_issue(settings: Settings, member: str) -> None:
    """Once the roster has a member, only an admin issues, and only to the active."""
    from helping_process.staff import Operation  # noqa: PLC0415 - lazy

    service = settings.service()
    roster = _staff_store(settings).roster()
    if roster.is_empty:
        return
    service.authorize(settings.actor_name, Operation.STAFF, None)
    found = roster.members.get(member)
    if found is None or not found.active:
        raise settings.failure(
            "staff.token_not_member",
            exit_code=1,
            kind="NotPermittedError",
            member=member,
        )


@staff.command("token", help="help.staff.token")
@click.argument("member", metavar="ID")
@json_flag()
@pass_settings
def token(settings: Settings, member: str) -> None:
    """Issue an API token for a staff member; show it once."""
    _may_issue(settings, _member(settings, member))
    issued = _tokens(settings).issue(member, at=now())
    if settings.as_json:
        settings.emit({"token": issued})
        return
    settings.echo(settings.say("staff.token_issued", actor=member))
    settings.echo(issued)


@staff.command("revoke-token", help="help.staff.revoke")
@click.argument("member", metavar="ID")
@option("--token", "given", metavar="TOKEN", help="opt.token")
@json_flag()
@pass_settings
def revoke_token(settings: Settings, member: str, given: str | None) -> None:
    """Revoke a staff member's API tokens, or one of them."""
    count = _tokens(settings).revoke(_member(settings, member), at=now(), token=given)
    if settings.as_json:
        settings.emit({"revoked": count})
        return
    settings.echo(settings.say("staff.revoked", count=count, actor=member))
