"""Problem types the API reaches only on the server's side, and record schemas."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema_rs
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from helping_process import AuditIntegrityError
from helping_process import ConcurrentUpdateError
from helping_process import InvalidTransitionError
from helping_process import StorageError
from helping_process.definitions import builtin
from helping_process.definitions import builtins
from helping_process.definitions import record_schema
from helping_process.definitions import record_template
from helping_process.http import PROBLEM_TYPES
from helping_process.http import create_app
from helping_process.http._problems import Problem
from helping_process.http._problems import from_error
from helping_process.persistence import SqlStore
from helping_process.persistence import SqlTokenStore
from tests.api.conftest import ENGAGEMENT
from tests.cli._support import main


class TestProblemTypes:
    """The problems no client request can cause, rendered as documented."""

    @pytest.mark.parametrize(
        ("error", "name", "status"),
        [
            (ConcurrentUpdateError("c-1", 3), "conflict", 409),
            (AuditIntegrityError("c-1", 3, "head_mismatch"), "audit-integrity", 500),
            (StorageError("disk full"), "storage-unavailable", 503),
            (InvalidTransitionError("intake", "evaluation"), "refused", 409),
        ],
    )
    def test_library_errors_map_to_their_type(self, error, name, status):
        """Each library error becomes its problem type and status."""
        problem = from_error(error, "en")

        document = json.loads(problem.body("/cases/c-1"))
        assert (document["type"], document["status"]) == (
            f"urn:helping-process:problem:{name}",
            status,
        )
        assert document["detail"] == error.message("en")
        assert document["instance"] == "/cases/c-1"

    def test_forbidden_is_403(self):
        """The forbidden problem, kept for the staff roster, is 403."""
        problem = Problem("forbidden", "no")

        assert (problem.kind.status, problem.kind.uri) == (
            403,
            "urn:helping-process:problem:forbidden",
        )

    def test_types_are_unique(self):
        """Every problem type has its own URI."""
        uris = [kind.uri for kind in PROBLEM_TYPES.values()]

        assert len(set(uris)) == len(uris) == 12


class TestRecordSchemas:
    """The JSON Schemas generated from the process definitions."""

    @pytest.mark.parametrize("definition", builtins(), ids=lambda item: item.ref)
    def test_every_schema_is_valid_draft_2020_12(self, definition):
        """Every record kind's schema is itself a valid JSON Schema."""
        for kind in definition.record_kinds:
            schema = record_schema(definition, kind.code, "id")
            assert jsonschema_rs.meta.is_valid(schema), kind.code

    def test_a_record_the_engine_accepts_validates(self):
        """An engagement record the engine accepts is valid by its schema."""
        validator = jsonschema_rs.Draft202012Validator(
            record_schema(builtin("helping-process@1"), "engagement")
        )

        assert validator.is_valid(ENGAGEMENT)
        assert not validator.is_valid({**ENGAGEMENT, "referral_source": "nobody"})
        assert len(list(validator.iter_errors({}))) == 3

    def test_codes_titles_and_ranges_come_from_the_definition(self):
        """Codes are an enum, titles are labels, ranges are kept."""
        definition = builtin("helping-process@2")
        schema = record_schema(definition, "engagement", "id")
        plan = record_schema(definition, "plan")

        source = schema["properties"]["referral_source"]
        gas = plan["properties"]["goals"]["items"]["properties"]["gas"]
        assert source["enum"] == [
            code.code for code in definition.codes("referral_source")
        ]
        assert source["title"] == "Siapa yang merujuk klien?"
        assert gas["properties"]["weight"]["exclusiveMinimum"] == 0
        assert schema["required"] == ["first_contact_on", "request", "referral_source"]

    def test_a_map_without_keys_takes_any_key_in_range(self):
        """A map of scores takes any goal id, each score within the range."""
        schema = record_schema(builtin("helping-process@2"), "evaluation")
        validator = jsonschema_rs.Draft202012Validator(
            schema["properties"]["gas_scores"]
        )

        assert validator.is_valid({"g1": 2, "g2": -1})
        assert not validator.is_valid({"g1": 3})

    def test_template_names_every_field(self):
        """The template has every field of the kind, nested ones included."""
        definition = builtin("helping-process@2")
        template = record_template(definition, "plan")

        assert set(template) == {
            field.name for field in definition.record_kind("plan").fields
        }
        assert set(template["goals"][0]["gas"]["levels"]) == {"-2", "-1", "0", "1", "2"}


class TestProcessCommands:
    """``process schema`` and ``process template`` on the command line."""

    def test_schema_prints_the_generated_schema(self):
        """Process schema KIND prints the record kind's JSON Schema."""
        result = CliRunner().invoke(
            main,
            [
                "--lang",
                "id",
                "process",
                "schema",
                "intake",
                "--process",
                "helping-process@1",
            ],
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == record_schema(
            builtin("helping-process@1"), "intake", "id"
        )

    def test_template_prints_a_fill_in_document(self):
        """Process template KIND prints every field to fill in."""
        result = CliRunner().invoke(main, ["process", "template", "engagement"])

        assert json.loads(result.stdout) == {
            "first_contact_on": "YYYY-MM-DD",
            "request": "",
            "referral_source": "self",
        }

    def test_unknown_kind_is_bad_input(self):
        """An unknown kind exits 2 and lists the kinds there are."""
        result = CliRunner().invoke(main, ["process", "schema", "nope"])

        assert result.exit_code == 2
        assert "engagement, intake" in result.stderr


class TestStaffCommands:
    """``staff token`` and ``staff revoke-token``."""

    def test_token_is_shown_once_and_revoked(self, tmp_path):
        """A token is printed as JSON, works, and is revoked by the member's id."""
        url = f"sqlite:///{tmp_path / 'staff.db'}"
        issued = CliRunner().invoke(
            main, ["--db", url, "staff", "token", "peksos-3", "--json"]
        )
        token = json.loads(issued.stdout)["token"]
        store = SqlStore.from_url(url)
        tokens = SqlTokenStore(store.bind)
        before = tokens.actor_of(token)

        revoked = CliRunner().invoke(
            main, ["--db", url, "--json", "staff", "revoke-token", "peksos-3"]
        )

        assert before == "peksos-3"
        assert json.loads(revoked.stdout) == {"revoked": 1}
        assert tokens.actor_of(token) is None
        with store.bind.connect() as connection:  # type: ignore[union-attr] # an engine
            stored = connection.exec_driver_sql(
                "SELECT token_hash FROM api_tokens"
            ).scalar()
        assert stored != token
        assert len(str(stored)) == 64
        store.dispose()


class TestInternalError:
    """A bug answers a problem, never a traceback."""

    def test_a_bug_is_500_internal_and_logged(self, tmp_path, caplog):
        """An unexpected exception is a 500 internal problem, logged with its cause."""
        store = SqlStore.from_url(f"sqlite:///{tmp_path / 'bug.db'}")
        token = SqlTokenStore(store.bind).issue("p", at=dt.datetime.now(dt.UTC))

        def broken_clock() -> dt.datetime:
            message = "clock broke"
            raise RuntimeError(message)

        app = create_app(store, clock=broken_clock)
        with TestClient(app) as client:
            response = client.post(
                "/cases",
                json={"client": "K-1"},
                headers={"Authorization": f"Bearer {token}"},
            )
        store.dispose()

        assert response.status_code == 500
        assert response.json()["type"] == "urn:helping-process:problem:internal"
        assert "clock broke" not in response.text
        assert "clock broke" in caplog.text
