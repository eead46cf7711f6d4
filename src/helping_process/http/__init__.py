"""An HTTP API over the case service, for agency software in any language.

Installed with the ``http`` extra (``pip install 'helping-process[http]'``)
and never imported by ``import helping_process``. :func:`create_app`
returns an ASGI application (Litestar); ``helping-process serve`` runs it
with uvicorn. ``docs/http.md`` describes the resources, the problem types
and deployment.
"""

from __future__ import annotations

from helping_process.http._app import DATABASE_ENV
from helping_process.http._app import TOKEN_TTL
from helping_process.http._app import TOKEN_TTL_ENV
from helping_process.http._app import create_app
from helping_process.http._app import environment_app
from helping_process.http._openapi import openapi_document
from helping_process.http._problems import PROBLEM_TYPES
from helping_process.http._problems import ProblemType

__all__ = [
    "DATABASE_ENV",
    "PROBLEM_TYPES",
    "TOKEN_TTL",
    "TOKEN_TTL_ENV",
    "ProblemType",
    "create_app",
    "environment_app",
    "openapi_document",
]
