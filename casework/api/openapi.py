"""The OpenAPI 3 document of /api/v1, built from the same field tables the checks use."""

from __future__ import annotations

from typing import Any

from casework.api.fields import EFFECT, MARK, TOOTH, Body, Field
from casework.api.schemas import (
    CONFIRM_FIELDS,
    EXCLUDE_FIELDS,
    MISSING_FIELDS,
    MISSING_STATUS_FIELDS,
    PROPOSE_FIELDS,
    REJECT_FIELDS,
    REMAINS_FIELDS,
    REMAINS_STATUS_FIELDS,
    REPATRIATION_START_FIELDS,
    SAMPLE_FIELDS,
    STEP_FIELDS,
    TRANSFER_FIELDS,
    VERSION,
)
from casework.cases.models import Sex
from casework.custody.models import CustodySubject, SampleKind, SampleStatus
from casework.matches.models import CandidateStatus, Identifier
from casework.missing.models import MissingPersonStatus
from casework.remains.models import RemainsStatus
from casework.repatriation.models import StepKind

_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "array": {"type": "array"},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def field_schema(spec: Field, *, writing: bool) -> dict[str, Any]:
    """One property. Answers are described by type only: stored values may predate a limit."""
    schema: dict[str, Any] = {**_TYPES[spec.kind], "description": spec.description}
    if spec.choices is not None:
        schema["enum"] = list(spec.choices) + ([None] if spec.nullable else [])
    if writing:
        for key, value in (
            ("maxLength", spec.max_length),
            ("minLength", spec.min_length),
            ("pattern", spec.pattern if spec.choices is None else None),
            ("minimum", spec.minimum),
            ("maximum", spec.maximum),
            ("maxItems", spec.max_items),
        ):
            if value is not None:
                schema[key] = (
                    int(value) if isinstance(value, float) and value.is_integer() else value
                )
    if spec.kind == "array" and spec.items is not None:
        schema["items"] = (
            _ref(spec.items.name + ("Input" if writing else ""))
            if isinstance(spec.items, Body)
            else field_schema(spec.items, writing=writing)
        )
    if spec.nullable:
        schema["nullable"] = True
    return schema


def body_schema(body: Body, *, writing: bool) -> dict[str, Any]:
    """An object of the table's fields; in answers every field is always present."""
    fields = body.all_fields()
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: field_schema(spec, writing=writing) for name, spec in fields.items()},
        "additionalProperties": False,
    }
    if body.description:
        schema["description"] = body.description
    names = [name for name, spec in fields.items() if spec.required or not writing]
    if names:
        schema["required"] = names
    return schema


def _string(description: str, fmt: str | None = None, nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": description}
    if fmt:
        schema["format"] = fmt
    if nullable:
        schema["nullable"] = True
    return schema


def _enum(values: Any, description: str) -> dict[str, Any]:
    return {"type": "string", "enum": [item.value for item in values], "description": description}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _output_fields(body: Body) -> dict[str, Any]:
    return {name: field_schema(spec, writing=False) for name, spec in body.fields.items()}


_VERSION_OUT = {"type": "integer", "description": "Send it back to change the record."}
_CREATED = _string("When the record was created.", "date-time")
_UPDATED = _string("When the record last changed.", "date-time")

MISSING_SUMMARY = {
    "reference": _string("Case reference, such as MP-USA-2026-000001."),
    "status": _enum(MissingPersonStatus, "Case status."),
    "version": _VERSION_OUT,
    "sex": _enum(Sex, "F, M or U (unknown)."),
    "nationality": _string("ISO 3166 alpha-3 code.", nullable=True),
    "last_seen_date": _string("Last seen on.", "date", nullable=True),
    "created_at": _CREATED,
    "updated_at": _UPDATED,
}
REMAINS_SUMMARY = {
    "reference": _string("Case reference, such as UR-USA-2025-000001."),
    "status": _enum(RemainsStatus, "Case status."),
    "version": _VERSION_OUT,
    "estimated_sex": MISSING_SUMMARY["sex"],
    "recovery_date": _string("Recovered on.", "date", nullable=True),
    "condition": field_schema(REMAINS_FIELDS.fields["condition"], writing=False),
    "created_at": _CREATED,
    "updated_at": _UPDATED,
}


def _status_part(statuses: Any) -> dict[str, Any]:
    return {
        "status_history": {
            "type": "array",
            "items": _ref("StatusChange"),
            "description": "Every status change, newest first.",
        },
        "next_statuses": {
            "type": "array",
            "items": _enum(statuses, "A status."),
            "description": "The statuses the caller may move the case to (POST …/status).",
        },
    }


def _repatriation_schemas() -> dict[str, Any]:
    summary = {
        "id": _string("Repatriation id.", "uuid"),
        "remains": _string("Reference of the remains."),
        "missing_person": _string("Reference of the missing person they were identified as."),
        "nationality": _string("The person's nationality (ISO 3166 alpha-3).", nullable=True),
        "identified_on": _string("Day the identification was confirmed.", "date"),
        "started_at": _string("When the repatriation started.", "date-time"),
        "closed_on": _string(
            "Day the remains were handed over or buried; null while open.", "date", nullable=True
        ),
        "overdue_steps": {"type": "integer", "minimum": 0, "description": "Steps overdue."},
        "version": _VERSION_OUT,
    }
    step = {
        "kind": _enum(StepKind, "The step, in the order of the workflow."),
        **_output_fields(STEP_FIELDS),
        "responsible_user_name": _string("Name of the responsible colleague.", nullable=True),
        "overdue": {"type": "boolean", "description": "Past its due date and not completed."},
        "final": {"type": "boolean", "description": "Completing it closes the repatriation."},
        "not_applicable": {
            "type": "boolean",
            "description": "The final step not taken, once the other one closed it.",
        },
        "updated_at": _UPDATED,
        "documents": {
            "type": "array",
            "items": _ref("RepatriationDocument"),
            "description": "Documents attached to the step (their contents only on the page).",
        },
    }
    return {
        "RepatriationSummary": _object(summary, "A repatriation without personal data."),
        "Repatriation": _object(
            {
                **summary,
                "steps": {"type": "array", "items": _ref("RepatriationStep")},
            },
            "A repatriation with its steps (audited as a view of the remains case).",
        ),
        "RepatriationStep": _object(step, "One step of a repatriation."),
        "RepatriationDocument": _object(
            {
                "id": _string("Attachment id.", "uuid"),
                "media_type": {"type": "string", "description": "PDF, JPEG, PNG or WebP."},
                "size_bytes": {"type": "integer", "minimum": 0},
                "caption": _string("Caption.", nullable=True),
                "uploaded_at": _string("When it was attached.", "date-time"),
            },
            "A document of a step, described (never its bytes).",
        ),
        "StatusChange": _object(
            {
                "from_status": {"type": "string", "description": "Status before."},
                "to_status": {"type": "string", "description": "Status after."},
                "via": {
                    "type": "string",
                    "description": "form, matching, identification or workflow.",
                },
                "changed_by": _string("Who changed it.", nullable=True),
                "changed_at": _string("When.", "date-time"),
                "reason": _string("Why.", nullable=True),
            },
            "One step in a case's status history.",
        ),
    }


def _schemas() -> dict[str, Any]:
    missing_full = {
        **MISSING_SUMMARY,
        **_output_fields(MISSING_FIELDS),
        **_status_part(MissingPersonStatus),
    }
    remains_full = {
        **REMAINS_SUMMARY,
        **_output_fields(REMAINS_FIELDS),
        "identified_as": _string(
            "Reference of the missing person the remains were identified as.", nullable=True
        ),
        **_status_part(RemainsStatus),
    }
    candidate = {
        "id": _string("Candidate id.", "uuid"),
        "missing_person": _string("Reference of the missing person."),
        "remains": _string("Reference of the remains."),
        "score": {"type": "number", "description": "Engine score; higher is likelier."},
        "review": {"type": "boolean", "description": "Above the review threshold."},
        "status": _enum(CandidateStatus, "Review status."),
        "version": _VERSION_OUT,
        "computed_at": _string("When the engine computed it.", "date-time"),
    }
    error = _object(
        {
            "code": {"type": "string", "description": "Stable code, such as not_found."},
            "message": {"type": "string", "description": "What went wrong, for a person."},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "A message for each wrong field (empty when none).",
            },
        }
    )
    schemas: dict[str, Any] = {
        "Error": _object({"error": error}, "Every refusal has this shape."),
        "PageMeta": _object(
            {
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                "total": {"type": "integer", "minimum": 0, "description": "Matching records."},
                "pages": {"type": "integer", "minimum": 0},
            }
        ),
        "Mark": body_schema(MARK, writing=False),
        "Effect": body_schema(EFFECT, writing=False),
        "DentalFinding": body_schema(TOOTH, writing=False),
        "MissingPersonSummary": _object(MISSING_SUMMARY, "A case without personal data."),
        "MissingPerson": _object(missing_full, "A case with its personal data (audited)."),
        "RemainsSummary": _object(REMAINS_SUMMARY, "A case without personal data."),
        "Remains": _object(remains_full, "A case with its personal data (audited)."),
        "Sample": _object(
            {
                "barcode": _string("Unique barcode."),
                "kind": _enum(SampleKind, "Kind of sample."),
                "status": _enum(SampleStatus, "Where the sample is."),
                "lab": _string("Laboratory.", nullable=True),
                "collected_at": _string("When it was collected.", "date-time", nullable=True),
                "created_at": _CREATED,
                "remains": _string("Reference of the remains it was taken from."),
            }
        ),
        "CustodyEvent": _object(
            {
                "id": _string("Event id.", "uuid"),
                "subject": _enum(CustodySubject, "What changed hands."),
                "sample": _string("Barcode when a sample changed hands.", nullable=True),
                "from_party": _string("Handed over by."),
                "to_party": _string("Received by."),
                "occurred_at": _string("When.", "date-time"),
                "purpose": _string("Why."),
                "recorded_at": _string("When it was recorded.", "date-time"),
            }
        ),
        "CandidateSummary": _object(candidate, "A proposed pair, without its evidence."),
        "Candidate": _object(
            {
                **candidate,
                "evidence": {
                    "type": "array",
                    "items": _object(
                        {
                            "criterion": {"type": "string"},
                            "weight": {"type": "number"},
                            "text": {"type": "string"},
                        }
                    ),
                    "description": "The evidence for and against, in words (audited).",
                },
                "identifiers": {
                    "type": "array",
                    "items": _enum(Identifier, "An identifier cited."),
                },
                "decision_reason": _string("Why it was excluded or proposed.", nullable=True),
                "proposed_at": _string("Identification proposed at.", "date-time", nullable=True),
                "decided_at": _string("Decided at.", "date-time", nullable=True),
            },
            "A proposed pair with its evidence.",
        ),
        "MarkInput": body_schema(MARK, writing=True),
        "EffectInput": body_schema(EFFECT, writing=True),
        "DentalFindingInput": body_schema(TOOTH, writing=True),
        **_repatriation_schemas(),
    }
    for body in (
        MISSING_FIELDS,
        REMAINS_FIELDS,
        SAMPLE_FIELDS,
        TRANSFER_FIELDS,
        MISSING_STATUS_FIELDS,
        REMAINS_STATUS_FIELDS,
        EXCLUDE_FIELDS,
        PROPOSE_FIELDS,
        CONFIRM_FIELDS,
        REJECT_FIELDS,
        REPATRIATION_START_FIELDS,
        STEP_FIELDS,
    ):
        schemas[body.name] = body_schema(body, writing=True)
    for body, name in ((MISSING_FIELDS, "MissingPersonPatch"), (REMAINS_FIELDS, "RemainsPatch")):
        patch = Body(name, body.fields, body.description, extra={"version": VERSION})
        schemas[name] = body_schema(patch, writing=True)
    return schemas


def _envelope(data: dict[str, Any], page: bool = False) -> dict[str, Any]:
    meta = _ref("PageMeta") if page else {"type": "object", "additionalProperties": False}
    return _object({"data": data, "meta": meta})


_ERROR_TEXT = {
    "400": "Malformed request: a query parameter, If-Match or the JSON itself.",
    "401": "No token, or the token is unknown, revoked or expired.",
    "403": "The role or the token's scope does not allow this.",
    "404": "No such record, or it is outside the caller's sight.",
    "409": "Stale version: someone changed the record since it was read.",
    "415": "The body is not application/json.",
    "422": "Some fields are wrong; `fields` says which and why. Nothing was stored.",
    "428": "No version given (neither a version field nor If-Match).",
    "429": "Too many requests; try again later.",
}


def _responses(success: str, schema: dict[str, Any], *errors: str, etag: bool = False) -> Any:
    ok: dict[str, Any] = {
        "description": "Done.",
        "content": {"application/json": {"schema": schema}},
    }
    if etag:
        ok["headers"] = {
            "ETag": {"description": "The record's version, quoted.", "schema": {"type": "string"}}
        }
    responses: dict[str, Any] = {success: ok}
    for code in ("401", "403", "429", *errors):
        responses[code] = {
            "description": _ERROR_TEXT[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return responses


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number, from 1."),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "default": 25},
        "Records a page; more than 100 is capped at 100.",
    ),
]


def _case_filters(statuses: Any) -> list[dict[str, Any]]:
    return [
        _query("status", {"type": "string", "enum": [s.value for s in statuses]}, "Status."),
        _query("name", {"type": "string"}, "Every name token must match (blind index)."),
        _query(
            "similar", {"type": "string", "enum": ["0", "1"]}, "1: similar spellings (audited)."
        ),
        _query("reference", {"type": "string"}, "Exact case reference."),
    ]


def _path(name: str, description: str, fmt: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if fmt:
        schema["format"] = fmt
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


REFERENCE = _path("reference", "Case reference.")
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": 'The version changed, quoted as in ETag ("3"); or a version field.',
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
    "description": (
        "A key of the client's choosing (a UUID): the same request sent again with it answers "
        "with the case the first one made (201, Idempotent-Replayed: true) instead of creating "
        "another; the same key with another body is refused (422)."
    ),
}


def _case_paths(
    kind: str, label: str, summary: str, full: str, statuses: Any, status_input: str
) -> dict[str, Any]:
    single = {"parameters": [REFERENCE]}
    return {
        f"/{kind}": {
            "get": {
                "operationId": f"list_{kind}",
                "summary": f"List the {label} cases the caller may see (no personal data).",
                "parameters": PAGING + _case_filters(statuses),
                "responses": _responses(
                    "200", _envelope({"type": "array", "items": _ref(summary)}, True), "400"
                ),
            },
            "post": {
                "operationId": f"create_{kind}",
                "summary": f"Register a {label} case (write scope).",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": _body(f"{full}Input"),
                "responses": _responses(
                    "201", _envelope(_ref(full)), "400", "415", "422", etag=True
                ),
            },
        },
        f"/{kind}/{{reference}}": {
            **single,
            "get": {
                "operationId": f"get_{kind}",
                "summary": f"One {label} case with its personal data (audited).",
                "responses": _responses("200", _envelope(_ref(full)), "404", etag=True),
            },
            "patch": {
                "operationId": f"update_{kind}",
                "summary": "Change the fields sent; the others stay (write scope).",
                "parameters": [IF_MATCH],
                "requestBody": _body(f"{full}Patch"),
                "responses": _versioned_write(full),
            },
        },
        f"/{kind}/{{reference}}/status": {
            **single,
            "post": {
                "operationId": f"change_{kind}_status",
                "summary": "Change the status as on the case page: allowed transitions, a reason "
                "where needed, the version (write scope).",
                "parameters": [IF_MATCH],
                "requestBody": _body(f"{status_input}"),
                "responses": _versioned_write(full),
            },
        },
    }


def _versioned_write(schema: str, success: str = "200") -> Any:
    return _responses(
        success,
        _envelope(_ref(schema)),
        "400",
        "404",
        "409",
        "415",
        "422",
        "428",
        etag=True,
    )


def _decision(name: str, summary: str, body: Body) -> dict[str, Any]:
    return {
        "post": {
            "operationId": f"{name}_candidate",
            "summary": summary,
            "parameters": [IF_MATCH],
            "requestBody": _body(body.name),
            "responses": _versioned_write("Candidate"),
        }
    }


CANDIDATE_ID = _path("candidate_id", "Candidate id.", "uuid")
REPATRIATION_ID = _path("repatriation_id", "Repatriation id.", "uuid")


def _workflow_paths() -> dict[str, Any]:
    decisions = {
        "exclude": (
            "Rule the pair out, with a reason (review matches; write scope).",
            EXCLUDE_FIELDS,
        ),
        "propose": (
            "Propose the identification: the first signature (review matches; write scope).",
            PROPOSE_FIELDS,
        ),
        "confirm": (
            "Confirm a proposed identification: the second signature, by a supervisor other "
            "than the proposer (write scope).",
            CONFIRM_FIELDS,
        ),
        "reject": (
            "Turn a proposed identification down, with a reason (write scope).",
            REJECT_FIELDS,
        ),
    }
    paths: dict[str, Any] = {
        f"/candidates/{{candidate_id}}/{name}": {
            "parameters": [CANDIDATE_ID],
            **_decision(name, summary, body),
        }
        for name, (summary, body) in decisions.items()
    }
    paths["/repatriations"] = {
        "get": {
            "operationId": "list_repatriations",
            "summary": "Repatriations the caller may follow, newest first (no personal data).",
            "parameters": PAGING
            + [
                _query(
                    "state",
                    {"type": "string", "enum": ["open", "closed"]},
                    "open: not yet handed over or buried; closed: done.",
                )
            ],
            "responses": _responses(
                "200",
                _envelope({"type": "array", "items": _ref("RepatriationSummary")}, True),
                "400",
            ),
        }
    }
    paths["/repatriations/{repatriation_id}"] = {
        "parameters": [REPATRIATION_ID],
        "get": {
            "operationId": "get_repatriation",
            "summary": "One repatriation with its steps and their documents (audited).",
            "responses": _responses("200", _envelope(_ref("Repatriation")), "404", etag=True),
        },
    }
    paths["/repatriations/{repatriation_id}/steps/{kind}"] = {
        "parameters": [
            REPATRIATION_ID,
            {
                "name": "kind",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": [kind.value for kind in StepKind]},
                "description": "The step.",
            },
        ],
        "patch": {
            "operationId": "update_repatriation_step",
            "summary": "Record a step's dates, responsible and notes; the steps' order and date "
            "rules apply (a consul of the person's country; write scope). The version is the "
            "repatriation's.",
            "parameters": [IF_MATCH],
            "requestBody": _body(STEP_FIELDS.name),
            "responses": _versioned_write("Repatriation"),
        },
    }
    paths["/remains/{reference}/repatriation"] = {
        "parameters": [REFERENCE],
        "post": {
            "operationId": "start_repatriation",
            "summary": "Start the repatriation of identified remains (a consul of the person's "
            "country; write scope).",
            "requestBody": _body(REPATRIATION_START_FIELDS.name),
            "responses": _responses(
                "201", _envelope(_ref("Repatriation")), "400", "404", "415", "422", etag=True
            ),
        },
    }
    return paths


def _paths() -> dict[str, Any]:
    nested = {"parameters": [REFERENCE]}
    return {
        **_case_paths(
            "missing",
            "missing-person",
            "MissingPersonSummary",
            "MissingPerson",
            MissingPersonStatus,
            MISSING_STATUS_FIELDS.name,
        ),
        **_case_paths(
            "remains",
            "remains",
            "RemainsSummary",
            "Remains",
            RemainsStatus,
            REMAINS_STATUS_FIELDS.name,
        ),
        **_workflow_paths(),
        "/remains/{reference}/samples": {
            **nested,
            "get": {
                "operationId": "list_samples",
                "summary": "The samples taken from the remains.",
                "parameters": PAGING,
                "responses": _responses(
                    "200", _envelope({"type": "array", "items": _ref("Sample")}, True), "400", "404"
                ),
            },
            "post": {
                "operationId": "record_sample",
                "summary": "Record a sample taken from the remains (write scope).",
                "requestBody": _body("SampleInput"),
                "responses": _responses(
                    "201", _envelope(_ref("Sample")), "400", "404", "415", "422"
                ),
            },
        },
        "/remains/{reference}/custody": {
            **nested,
            "get": {
                "operationId": "list_custody",
                "summary": "The chain of custody of the remains and their samples, oldest first.",
                "parameters": PAGING,
                "responses": _responses(
                    "200",
                    _envelope({"type": "array", "items": _ref("CustodyEvent")}, True),
                    "400",
                    "404",
                ),
            },
            "post": {
                "operationId": "record_custody_transfer",
                "summary": "Append a custody transfer (write scope). Events are never changed.",
                "requestBody": _body("CustodyTransferInput"),
                "responses": _responses(
                    "201", _envelope(_ref("CustodyEvent")), "400", "404", "415", "422"
                ),
            },
        },
        "/candidates": {
            "get": {
                "operationId": "list_candidates",
                "summary": "Candidate matches whose two cases the caller may see, best first.",
                "parameters": PAGING
                + [
                    _query(
                        "status",
                        {"type": "string", "enum": [s.value for s in CandidateStatus]},
                        "Review status.",
                    ),
                    _query(
                        "missing_person", {"type": "string"}, "Reference of the missing person."
                    ),
                    _query("remains", {"type": "string"}, "Reference of the remains."),
                ],
                "responses": _responses(
                    "200",
                    _envelope({"type": "array", "items": _ref("CandidateSummary")}, True),
                    "400",
                ),
            }
        },
        "/candidates/{candidate_id}": {
            "parameters": [CANDIDATE_ID],
            "get": {
                "operationId": "get_candidate",
                "summary": "One candidate with its evidence (audited).",
                "responses": _responses("200", _envelope(_ref("Candidate")), "404", etag=True),
            },
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document (no token needed).",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Casework API",
            "version": "1",
            "description": (
                "Cases of missing persons and unidentified remains, their status, samples, "
                "custody, candidate matches and their review, and repatriations. Every answer "
                'is {"data", "meta"}; every refusal is '
                '{"error": {"code", "message", "fields"}}. Authenticate with a personal '
                "token from your account page: Authorization: Bearer <token>."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (cwk_...), scoped read and/or write.",
                }
            },
            "schemas": _schemas(),
        },
        "paths": _paths(),
    }
