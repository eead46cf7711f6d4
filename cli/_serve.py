"""``helping-process serve``: the HTTP API.

``serve`` runs :mod:`helping_process.http` with uvicorn on the database this
run uses; ``staff token`` (:mod:`._staff`) issues the bearer tokens it accepts.
"""

from __future__ import annotations

import os

import click

from ._local import option
from ._settings import Settings
from ._settings import pass_settings

#: ``serve --token-ttl``'s default: the HTTP layer's own (its value is kept
#: here so the option's help needs no import of the http extra).
TOKEN_TTL = 1.0


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
@option(
    "--token-ttl",
    type=click.FloatRange(0, 60),
    default=TOKEN_TTL,
    show_default=True,
    help="opt.token_ttl",
)
@pass_settings
def serve(
    settings: Settings, host: str, port: int, workers: int, token_ttl: float
) -> None:
    """Run the HTTP API with uvicorn until interrupted."""
    try:
        import uvicorn  # noqa: PLC0415 - only with the http extra

        from helping_process.http import DATABASE_ENV  # noqa: PLC0415
        from helping_process.http import TOKEN_TTL_ENV  # noqa: PLC0415
    except ImportError as error:
        raise settings.failure(
            "serve.needs_extra", exit_code=2, detail=error
        ) from error
    settings.service()  # creates and migrates the database once, before the workers
    settings.close()
    os.environ[DATABASE_ENV] = settings.database_url
    os.environ[TOKEN_TTL_ENV] = repr(token_ttl)
    uvicorn.run(
        "helping_process.http:environment_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="info",
    )
