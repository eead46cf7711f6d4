"""A bare Litestar app answering one fixed response: the framework's floor.

``http_api`` serves it with uvicorn beside the real API and sends it the same
requests; it answers the bytes the API answers to a record, with the same
headers, and does nothing else.
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar
from litestar import Request
from litestar import Response
from litestar import post

#: The body to answer with, from the environment (set by the benchmark).
BODY = os.environ.get("HP_BARE_BODY", "{}").encode("utf-8")


@post("/cases/{case_id:str}/records", status_code=201)
async def record(request: Request[Any, Any, Any]) -> Response[bytes]:
    await request.body()
    return Response(
        BODY, status_code=201, media_type="application/json", headers={"ETag": '"2"'}
    )


app = Litestar(route_handlers=[record], openapi_config=None, logging_config=None)
