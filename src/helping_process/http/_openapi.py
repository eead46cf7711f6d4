"""The OpenAPI 3.1 document of the HTTP API, written from the same tables.

The document is built from data rather than from handler signatures: the
record kinds' schemas come from the process definition (the fields each
kind has are data, not Python types), the problem types from
:data:`~helping_process.http._problems.PROBLEM_TYPES`, and the codes from
the engine's enums, so it cannot drift from what the handlers accept.
Links between operations (a case opened, then read, recorded on, moved)
let generic clients and stateful test tools follow a case.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Final

from helping_process.definitions import DEFAULT_REF
from helping_process.definitions import Definition
from helping_process.definitions import record_schema
from helping_process.http._body import DEFAULT_LIMIT
from helping_process.http._body import MAX_LIMIT
from helping_process.http._problems import MEDIA_TYPE
from helping_process.http._problems import PROBLEM_TYPES
from helping_process.model import AssignReason
from helping_process.model import ConsentPurpose
from helping_process.states import Stage
from helping_process.states import SubReason
from helping_process.states import TerminationReason

#: The definition new cases follow: its record schemas are the ones the API
#: document shows; every case's own (it is pinned to one) is given by
#: ``GET /process/{ref}/schemas/{kind}``.
ENFORCED_REF: Final = DEFAULT_REF

_REF: Final = "#/components/schemas/"
#: The keys every event of the history has; the keys of case work (worker,
#: assign_reason, unit, consent, referral_seq) only where they are set.
_EVENT_REQUIRED: Final = (
    "seq",
    "episode",
    "occurred_at",
    "recorded_at",
    "actor",
    "action",
    "from_stage",
    "to_stage",
    "reason",
    "sub_reason",
    "referral_to",
    "note",
    "record_kind",
    "record",
)
#: The problems of assignment, referral, transfer and consent: a staff
#: member who is not the worker of record (or may not allocate) is 403.
_CASEWORK_PROBLEMS: Final = ("401", "403", "404", "409", "412", "422")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_TEXT: Final = {"type": "string"}
_INT: Final = {"type": "integer", "minimum": 0}
_MOMENT: Final = {"type": "string", "format": "date-time"}
_CODES: Final = {"type": "array", "items": {"type": "string"}}


def _enum(codes: Sequence[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(codes)}


def _object(
    properties: dict[str, Any],
    required: Sequence[str] | None = None,
    *,
    closed: bool = False,
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


def _schemas(definition: Definition) -> dict[str, Any]:
    stages = _enum(tuple(Stage))
    # The record kinds of the definition documented (the agency's default);
    # GET /process/{ref}/schemas/{kind} serves every other definition's.
    kinds = [spec.code for spec in definition.record_kinds]
    records = {}
    for kind in kinds:
        schema = record_schema(definition, kind)
        schema.pop("$schema")
        schema.pop("$id")
        records[f"Record.{kind}"] = schema
    return {
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details.",
            "properties": {
                "type": _enum([kind.uri for kind in PROBLEM_TYPES.values()]),
                "title": _TEXT,
                "status": {"type": "integer"},
                "detail": _TEXT,
                "instance": _TEXT,
                "code": {
                    "type": "string",
                    "description": "The library's error class.",
                },
                "missing": {
                    **_CODES,
                    "description": "refused: the ids of every unmet requirement.",
                },
                "errors": {
                    "type": "array",
                    "description": "invalid-input: every problem of the request.",
                    "items": _object(
                        {"field": _TEXT, "problem": _TEXT, "detail": _TEXT}
                    ),
                },
                "seq": {**_INT, "description": "precondition-failed: the case's seq."},
            },
            "required": ["type", "title", "status", "detail"],
        },
        "NextMoves": _object(
            {
                "moves": {
                    "type": "array",
                    "items": _object(
                        {
                            "target": stages,
                            "allowed": {"type": "boolean"},
                            "missing": _CODES,
                            "note_required": {"type": "boolean"},
                        }
                    ),
                },
                "terminations": {
                    "type": "array",
                    "items": _object(
                        {
                            "reason": _enum(tuple(TerminationReason)),
                            "allowed": {"type": "boolean"},
                            "missing": _CODES,
                            "sub_reasons": {
                                "type": "array",
                                "items": _enum(tuple(SubReason)),
                            },
                            "referral_required": {"type": "boolean"},
                            "planned": {"type": "boolean"},
                        }
                    ),
                },
            }
        ),
        "Case": _object(
            {
                "case_id": _TEXT,
                "stage": stages,
                "episode": {"type": "integer", "minimum": 1},
                "residential": {"type": "boolean"},
                "seq": {"type": "integer", "minimum": 1},
                "worker": {
                    **_nullable(_TEXT),
                    "description": "The worker of record: who opened the case, or"
                    " whom its last assignment named.",
                },
                "unit": {
                    **_nullable(_TEXT),
                    "description": "The unit the case was last transferred to.",
                },
                "referral": _nullable(_object({"seq": _INT, "to": _nullable(_TEXT)})),
                "consents": {
                    "type": "object",
                    "description": "Each consent purpose recorded: true while"
                    " given, false once withdrawn.",
                    "additionalProperties": {"type": "boolean"},
                },
                "records": {
                    "type": "object",
                    "description": "The record in force of each kind, by kind.",
                    "additionalProperties": {"type": "object"},
                },
                "next": _ref("NextMoves"),
            }
        ),
        "CaseSummary": _object(
            {
                "case_id": _TEXT,
                "client": _nullable(_TEXT),
                "residential": {"type": "boolean"},
                "stage": stages,
                "episode": {"type": "integer", "minimum": 1},
                "events": {"type": "integer", "minimum": 1},
                "opened_at": _MOMENT,
                "updated_at": _MOMENT,
            }
        ),
        "CaseList": _object(
            {
                "cases": {"type": "array", "items": _ref("CaseSummary")},
                "next_cursor": _nullable(_TEXT),
            }
        ),
        "Event": _object(
            {
                "seq": {"type": "integer", "minimum": 1},
                "episode": {"type": "integer", "minimum": 1},
                "occurred_at": _MOMENT,
                "recorded_at": _MOMENT,
                "actor": _object({"id": _TEXT, "role": _TEXT}),
                "action": _TEXT,
                "from_stage": _nullable(stages),
                "to_stage": stages,
                "reason": _nullable(_TEXT),
                "sub_reason": _nullable(_TEXT),
                "referral_to": _nullable(_TEXT),
                "note": _nullable(_TEXT),
                "record_kind": _nullable(_TEXT),
                "record": _nullable({"type": "object"}),
                "requested": {
                    **_TEXT,
                    "description": "A request's gated action (request events only).",
                },
                "approver": {
                    **_TEXT,
                    "description": "The role that approves (request events only).",
                },
                "request": {
                    "type": "integer",
                    "description": "The request decided (approve and reject only).",
                },
                "worker": {**_TEXT, "description": "assign: the new worker."},
                "assign_reason": _enum(tuple(AssignReason)),
                "unit": {**_TEXT, "description": "transfer: the receiving unit."},
                "consent": _object(
                    {
                        "purpose": _enum(tuple(ConsentPurpose)),
                        "given": {"type": "boolean"},
                        "on": {"type": "string", "format": "date"},
                    }
                ),
                "referral_seq": {
                    "type": "integer",
                    "description": "terminate: the referral it follows from.",
                },
            },
            _EVENT_REQUIRED,
        ),
        "Pending": _object(
            {
                "case_id": _TEXT,
                "stage": stages,
                "episode": {"type": "integer", "minimum": 1},
                "seq": {"type": "integer", "minimum": 1},
                "pending": {"const": True},
                "request": {"type": "integer", "minimum": 1},
                "requested": _TEXT,
                "approver": _TEXT,
            }
        ),
        "Request": _object(
            {
                "case_id": _TEXT,
                "request": {"type": "integer", "minimum": 1},
                "requested": _TEXT,
                "approver": _TEXT,
                "requested_by": _object({"id": _TEXT, "role": _TEXT}),
                "requested_at": _MOMENT,
                "stage": stages,
                "reason": _nullable(_TEXT),
                "sub_reason": _nullable(_TEXT),
                "record_kind": _nullable(_TEXT),
                "process": _nullable(_TEXT),
            }
        ),
        "RequestList": _object(
            {"requests": {"type": "array", "items": _ref("Request")}}
        ),
        "History": _object(
            {
                "events": {"type": "array", "items": _ref("Event")},
                "next_after": _nullable({"type": "integer"}),
            }
        ),
        "Definition": _object(
            {
                "ref": _TEXT,
                "name": _TEXT,
                "version": {"type": "integer"},
                "digest": _TEXT,
                "default": {"type": "boolean"},
                "enforced": {"type": "boolean"},
                "label": _object({"en": _TEXT, "id": _TEXT}),
                "record_kinds": _CODES,
            }
        ),
        "DefinitionList": _object(
            {"definitions": {"type": "array", "items": _ref("Definition")}}
        ),
        "Finding": _object(
            {
                "case_id": _TEXT,
                "seq": {"type": "integer"},
                "kind": _TEXT,
                "detail": _TEXT,
                "cause": _nullable(_TEXT),
                "params": {"type": "object"},
                "tampering": {"type": "boolean"},
            }
        ),
        "Verification": _object(
            {
                "ok": {"type": "boolean"},
                "cases": _INT,
                "events": _INT,
                "findings": {"type": "array", "items": _ref("Finding")},
            }
        ),
        "Report": {
            "type": "object",
            "description": "What `audit report --format json` writes.",
        },
        "JsonSchema": {
            "type": "object",
            "description": "A JSON Schema (draft 2020-12).",
        },
        "OpenCase": _object(
            {
                "client": {**_TEXT, "description": "The agency's client reference."},
                "residential": {
                    "type": "boolean",
                    "description": "Whether the client lives in the institution; "
                    "when not given, true for a definition whose every case is "
                    "residential, else false.",
                },
                "note": _nullable(_TEXT),
                "process": {
                    **_TEXT,
                    "description": "The process definition, NAME@VERSION or NAME "
                    "for its newest version; the agency's default when not given.",
                },
            },
            ["client"],
            closed=True,
        ),
        "AddRecord": {
            "oneOf": [
                _object(
                    {
                        "kind": {"const": kind},
                        "data": _ref(f"Record.{kind}"),
                    },
                    closed=True,
                )
                for kind in kinds
            ]
        },
        "Move": _object({"to": stages, "note": _nullable(_TEXT)}, ["to"], closed=True),
        "Termination": _object(
            {
                "reason": _enum(tuple(TerminationReason)),
                "sub_reason": _nullable(_enum(tuple(SubReason))),
                "referral_to": _nullable(_TEXT),
                "note": _nullable(_TEXT),
            },
            ["reason"],
            closed=True,
        ),
        "Note": _object({"note": _nullable(_TEXT)}, [], closed=True),
        "Assignment": _object(
            {
                "worker": {**_TEXT, "description": "The new worker of record."},
                "reason": _nullable(_enum(tuple(AssignReason))),
                "note": _nullable(_TEXT),
            },
            ["worker"],
            closed=True,
        ),
        "Referral": _object(
            {
                "to": {**_TEXT, "description": "The organisation referred to."},
                "note": _nullable(_TEXT),
            },
            ["to"],
            closed=True,
        ),
        "Transfer": _object(
            {
                "unit": {**_TEXT, "description": "The receiving unit's code."},
                "note": _nullable(_TEXT),
            },
            ["unit"],
            closed=True,
        ),
        "Consent": _object(
            {
                "purpose": _enum(tuple(ConsentPurpose)),
                "given": {"type": "boolean"},
                "on": {
                    **_nullable({"type": "string", "format": "date"}),
                    "description": "The day given or withdrawn; today when absent.",
                },
                "note": _nullable(_TEXT),
            },
            ["purpose", "given"],
            closed=True,
        ),
        "Migration": _object(
            {
                "to": {
                    **_TEXT,
                    "description": "The target definition: NAME@VERSION, or NAME"
                    " for its newest (see GET /process).",
                },
                "note": {**_TEXT, "description": "Why the case moves."},
            },
            ["to", "note"],
            closed=True,
        ),
        "Verify": _object(
            {
                "case_id": {
                    **_nullable(_TEXT),
                    "description": "One case; all when absent.",
                }
            },
            [],
            closed=True,
        ),
        **records,
    }


_PROBLEMS: Final = {
    "401": "No token, or an unknown or revoked one (unauthorized).",
    "403": "Not allowed for this staff member (forbidden).",
    "404": "No such case, process definition or record kind (not-found).",
    "409": "Refused by the process, naming what is missing (refused); refused by"
    " the approval rules (approval-refused); or lost a race three times (conflict).",
    "412": "If-Match names an older version of the case (precondition-failed).",
    "422": "A malformed body or query, naming every problem (invalid-input).",
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": _ref("Problem")}},
    }


def _ok(
    schema: str,
    description: str,
    *,
    etag: bool = False,
    media: str = "application/json",
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {media: {"schema": _ref(schema)}},
    }
    if etag:
        response["headers"] = {"ETag": {"$ref": "#/components/headers/ETag"}}
    return response


_CASE_ID: Final = {
    "name": "case_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
}
_IF_MATCH: Final = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The case's ETag (its seq, quoted); a changed case is 412.",
    "schema": {"type": "string"},
}
_LIMIT: Final = {
    "name": "limit",
    "in": "query",
    "schema": {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_LIMIT,
        "default": DEFAULT_LIMIT,
    },
}


def _links() -> dict[str, Any]:
    by_id = {"case_id": "$response.body#/case_id"}
    return {
        name: {"operationId": operation, "parameters": by_id}
        for name, operation in (
            ("ShowCase", "showCase"),
            ("AddRecord", "addRecord"),
            ("Move", "moveCase"),
            ("Terminate", "terminateCase"),
            ("Reopen", "reopenCase"),
            ("Redact", "redactCase"),
            ("Migrate", "migrateCase"),
            ("History", "caseHistory"),
        )
    }


def _operation(  # noqa: PLR0913 - every part of an operation is named
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    problems: Sequence[str],
    *,
    parameters: Sequence[dict[str, Any]] = (),
    body: str | None = None,
    tag: str = "cases",
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "parameters": list(parameters),
        "responses": {
            **responses,
            **{
                status: {"$ref": f"#/components/responses/{status}"}
                for status in problems
            },
            **{
                status: {"$ref": f"#/components/responses/{status}"}
                for status in ("500", "503")
            },
        },
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return operation


def _write(  # noqa: PLR0913 - an operation's parts are named
    operation_id: str,
    summary: str,
    body: str,
    status: str,
    problems: Sequence[str] = ("401", "404", "409", "412", "422"),
    *,
    gated: bool = False,
) -> dict[str, Any]:
    response = _ok("Case", "The case after the command, with its new ETag.", etag=True)
    response["links"] = _links()
    responses = {status: response}
    if gated:
        responses["202"] = _ok(
            "Pending",
            "The process definition gates this command: it became a request that"
            " takes effect once approved (POST …/requests/{request}/approval).",
            etag=True,
        )
    return _operation(
        operation_id,
        summary,
        responses,
        problems,
        parameters=[_CASE_ID, _IF_MATCH],
        body=body,
    )


_REQUEST: Final = {
    "name": "request",
    "in": "path",
    "required": True,
    "description": "The request's number (the seq of its event).",
    "schema": {"type": "integer", "minimum": 1},
}


def _decision(operation_id: str, summary: str) -> dict[str, Any]:
    response = _ok("Case", "The case after the decision, with its new ETag.", etag=True)
    response["links"] = _links()
    return _operation(
        operation_id,
        summary,
        {"200": response},
        ["401", "403", "404", "409", "422"],
        parameters=[_CASE_ID, _REQUEST],
        body="Note",
    )


def openapi_document(definition: Definition) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document, with ``definition``'s record schemas."""
    opened = _ok("Case", "The case opened, in engagement.", etag=True)
    opened["headers"]["Location"] = {
        "description": "The case's URL.",
        "required": True,
        "schema": {"type": "string"},
    }
    opened["links"] = _links()
    shown = _ok("Case", "The case, its records in force and its next moves.", etag=True)
    shown["links"] = _links()
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "helping-process",
            "version": "1",
            "description": "Run social-work cases through the helping process, with a"
            " tamper-evident audit trail. Errors are RFC 9457 problem details;"
            " every problem type is urn:helping-process:problem:NAME.",
        },
        "security": [{"bearer": []}],
        "paths": {
            "/cases": {
                "post": _operation(
                    "openCase",
                    "Open a case in its definition's start stage",
                    {"201": opened},
                    # 404: no such process definition; 409: one the engine
                    # cannot run cases under.
                    ["401", "404", "409", "422"],
                    body="OpenCase",
                ),
                "get": _operation(
                    "listCases",
                    "List cases, newest first, a page at a time",
                    {"200": _ok("CaseList", "A page of cases.")},
                    ["401", "422"],
                    parameters=[
                        {"name": "stage", "in": "query", "schema": _enum(tuple(Stage))},
                        {"name": "opened_since", "in": "query", "schema": _MOMENT},
                        _LIMIT,
                        {
                            "name": "cursor",
                            "in": "query",
                            "description": "next_cursor of the previous page.",
                            "schema": {"type": "string"},
                        },
                    ],
                ),
            },
            "/cases/{case_id}": {
                "get": _operation(
                    "showCase",
                    "Show a case, its records in force and every legal next move",
                    {"200": shown},
                    ["401", "404"],
                    parameters=[_CASE_ID],
                ),
            },
            "/cases/{case_id}/records": {
                "post": _write(
                    "addRecord", "Add a record", "AddRecord", "201", gated=True
                ),
            },
            "/cases/{case_id}/moves": {
                "post": _write("moveCase", "Move the case to a stage", "Move", "200"),
            },
            "/cases/{case_id}/termination": {
                "post": _write(
                    "terminateCase",
                    "End the case's episode",
                    "Termination",
                    "200",
                    gated=True,
                ),
            },
            "/cases/{case_id}/reopen": {
                "post": _write(
                    "reopenCase", "Start a new episode", "Note", "200", gated=True
                ),
            },
            "/cases/{case_id}/redaction": {
                "post": _write(
                    "redactCase",
                    "Remove the personal data of the case's earlier events",
                    "Note",
                    "200",
                    gated=True,
                ),
            },
            "/cases/{case_id}/requests": {
                "get": _operation(
                    "caseRequests",
                    "The case's requests awaiting approval, oldest first",
                    {"200": _ok("RequestList", "The pending requests.")},
                    ["401", "403", "404"],
                    parameters=[_CASE_ID],
                ),
            },
            "/cases/{case_id}/requests/{request}/approval": {
                "post": _decision("approveRequest", "Approve a pending request"),
            },
            "/cases/{case_id}/requests/{request}/rejection": {
                "post": _decision(
                    "rejectRequest", "Reject (or withdraw one's own) pending request"
                ),
            },
            "/requests": {
                "get": _operation(
                    "pendingRequests",
                    "The requests awaiting the caller's approval",
                    {"200": _ok("RequestList", "The requests, oldest first.")},
                    ["401", "403"],
                ),
            },
            "/cases/{case_id}/assignment": {
                "post": _write(
                    "assignCase",
                    "Make another worker the case's worker of record",
                    "Assignment",
                    "200",
                    _CASEWORK_PROBLEMS,
                ),
            },
            "/cases/{case_id}/referrals": {
                "post": _write(
                    "referCase",
                    "Record an outgoing referral (the client's consent needed)",
                    "Referral",
                    "201",
                    _CASEWORK_PROBLEMS,
                ),
            },
            "/cases/{case_id}/transfer": {
                "post": _write(
                    "transferCase",
                    "Hand the case to another unit of the agency",
                    "Transfer",
                    "200",
                    _CASEWORK_PROBLEMS,
                ),
            },
            "/cases/{case_id}/consents": {
                "post": _write(
                    "recordConsent",
                    "Record the client's consent, given or withdrawn",
                    "Consent",
                    "201",
                    _CASEWORK_PROBLEMS,
                ),
            },
            "/cases/{case_id}/migration": {
                "post": _write(
                    "migrateCase",
                    "Move the case to another process definition's rules",
                    "Migration",
                    "200",
                    gated=True,
                ),
            },
            "/cases/{case_id}/history": {
                "get": _operation(
                    "caseHistory",
                    "The case's audit events, oldest first, a page at a time",
                    {"200": _ok("History", "A page of events.")},
                    ["401", "404", "422"],
                    parameters=[
                        _CASE_ID,
                        {"name": "after", "in": "query", "schema": _INT},
                        _LIMIT,
                    ],
                ),
            },
            "/process": {
                "get": _operation(
                    "listProcesses",
                    "The process definitions",
                    {"200": _ok("DefinitionList", "Every definition.")},
                    ["401"],
                    tag="process",
                ),
            },
            "/process/{ref}/schemas/{kind}": {
                "get": _operation(
                    "recordSchema",
                    "The JSON Schema of a record kind",
                    {
                        "200": _ok(
                            "JsonSchema",
                            "The record kind's JSON Schema (draft 2020-12).",
                            media="application/schema+json",
                        )
                    },
                    ["401", "404"],
                    parameters=[
                        {
                            "name": "ref",
                            "in": "path",
                            "required": True,
                            "description": "NAME@VERSION, or NAME for its newest.",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "kind",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    tag="process",
                ),
            },
            "/audit/verify": {
                "post": _operation(
                    "verify",
                    "Recompute the chains and replay the cases",
                    {"200": _ok("Verification", "The findings.")},
                    ["401", "422"],
                    body="Verify",
                    tag="audit",
                ),
            },
            "/audit/report": {
                "get": _operation(
                    "report",
                    "The agency's figures and policy findings",
                    {"200": _ok("Report", "The report.")},
                    ["401", "422"],
                    parameters=[
                        {"name": "since", "in": "query", "schema": _MOMENT},
                        {"name": "until", "in": "query", "schema": _MOMENT},
                    ],
                    tag="audit",
                ),
            },
        },
        "components": {
            "schemas": _schemas(definition),
            "responses": {
                **{status: _problem(text) for status, text in _PROBLEMS.items()},
                "500": _problem(
                    "The trail contradicts itself (audit-integrity), or a bug"
                    " (internal)."
                ),
                "503": _problem("The database is unavailable (storage-unavailable)."),
            },
            "headers": {
                "ETag": {
                    "description": "The case's seq, quoted: send it back in If-Match.",
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `helping-process staff token ID`.",
                }
            },
        },
    }
