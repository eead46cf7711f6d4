"""``helping-process serve`` and ``helping-process staff …``: the HTTP API.

``serve`` runs :mod:`helping_process.http` with uvicorn on the database this
run uses; ``staff token`` issues the bearer tokens it accepts and ``staff
revoke-token`` revokes them. The roster of staff members will take over
checking that a token's member is still active.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from ._audit import json_flag
from ._local import LocalGroup
from ._local import option
from ._settings import Settings
from ._settings import now
from ._settings import pass_settings

if TYPE_CHECKING:
    from helping_process.persistence import SqlTokenStore


@click.command("serve", help="help.serve", short_help="help.serve.short")
@option("--host", default="127.0.0.1", show_default=True, help="opt.host")
@option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="opt.port",
)
@option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="opt.workers",
)
@pass_settings
def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run the HTTP API with uvicorn until interrupted."""
    try:
        import uvicorn  # noqa: PLC0415 - only with the http extra

        from helping_process.http import DATABASE_ENV  # noqa: PLC0415
    except ImportError as error:
        raise settings.failure(
            "serve.needs_extra", exit_code=2, detail=error
        ) from error
    settings.service()  # creates and migrates the database once, before the workers
    settings.close()
    os.environ[DATABASE_ENV] = settings.database_url
    uvicorn.run(
        "helping_process.http:environment_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="info",
    )


@click.group("staff", cls=LocalGroup, help="help.staff")
def staff() -> None:
    """Manage the API tokens of staff members."""


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


@staff.command("token", help="help.staff.token")
@click.argument("member", metavar="ID")
@json_flag()
@pass_settings
def token(settings: Settings, member: str) -> None:
    """Issue an API token for a staff member; show it once."""
    issued = _tokens(settings).issue(_member(settings, member), at=now())
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
