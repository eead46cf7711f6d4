"""The API against its own OpenAPI document, by schemathesis, in process.

Every operation is called with data generated from the document, and the
stateful run follows its links (a case opened, then read, recorded on,
moved, ended); no response may be a server error or fall outside the
document (status, content type, headers, body).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import content_type_conformance
from schemathesis.checks import not_a_server_error
from schemathesis.checks import response_headers_conformance
from schemathesis.checks import response_schema_conformance
from schemathesis.checks import status_code_conformance

from helping_process.http import create_app
from helping_process.persistence import SqlStore
from helping_process.persistence import SqlTokenStore

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_setup(tmp_path: Path) -> Any:
    """The app on a fresh SQLite file, its schema and a token."""
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'api.db'}")
    token = SqlTokenStore(store.bind).issue("peksos-1", at=dt.datetime.now(dt.UTC))
    app = create_app(store)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    yield schema, {"Authorization": f"Bearer {token}"}
    store.dispose()


class TestOperations:
    """Each operation on its own, with generated data."""

    def test_every_operation_conforms(self, api_setup: Any) -> None:
        """Every operation answers within its document, and never with a 5xx."""
        api, headers = api_setup
        operations = [result.ok() for result in api.get_all_operations()]

        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=25,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def conforms(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            conforms()

        assert len(operations) == 22


class TestStateful:
    """Sequences of calls along the document's links."""

    def test_linked_calls_conform(self, api_setup: Any) -> None:
        """Cases opened and then worked on through the links stay in the document."""
        api, headers = api_setup

        class Machine(api.as_state_machine()):  # type: ignore[misc] # built at run time
            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"headers": headers}

            def validate_response(
                self, response: Any, case: Any, **kwargs: Any
            ) -> None:
                case.validate_response(response, checks=CHECKS)

        Machine.run(
            settings=settings(
                max_examples=20,
                stateful_step_count=8,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
        )
