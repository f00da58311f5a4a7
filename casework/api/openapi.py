"""The OpenAPI 3 document of /api/v1, built from the same field tables the checks use."""

from __future__ import annotations

from typing import Any

from casework.api.schemas import (
    EFFECT,
    MARK,
    MISSING_FIELDS,
    REMAINS_FIELDS,
    SAMPLE_FIELDS,
    TOOTH,
    TRANSFER_FIELDS,
    VERSION,
    Body,
    Field,
)
from casework.cases.models import Sex
from casework.custody.models import CustodySubject, SampleKind, SampleStatus
from casework.matches.models import CandidateStatus, Identifier
from casework.missing.models import MissingPersonStatus
from casework.remains.models import RemainsStatus

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


def _schemas() -> dict[str, Any]:
    missing_full = {**MISSING_SUMMARY, **_output_fields(MISSING_FIELDS)}
    remains_full = {
        **REMAINS_SUMMARY,
        **_output_fields(REMAINS_FIELDS),
        "identified_as": _string(
            "Reference of the missing person the remains were identified as.", nullable=True
        ),
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
    }
    for body in (MISSING_FIELDS, REMAINS_FIELDS, SAMPLE_FIELDS, TRANSFER_FIELDS):
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


def _case_paths(kind: str, label: str, summary: str, full: str, statuses: Any) -> dict[str, Any]:
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
                "responses": _responses(
                    "200",
                    _envelope(_ref(full)),
                    "400",
                    "404",
                    "409",
                    "415",
                    "422",
                    "428",
                    etag=True,
                ),
            },
        },
    }


def _paths() -> dict[str, Any]:
    nested = {"parameters": [REFERENCE]}
    return {
        **_case_paths(
            "missing",
            "missing-person",
            "MissingPersonSummary",
            "MissingPerson",
            MissingPersonStatus,
        ),
        **_case_paths("remains", "remains", "RemainsSummary", "Remains", RemainsStatus),
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
            "parameters": [_path("candidate_id", "Candidate id.", "uuid")],
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
                "Cases of missing persons and unidentified remains, samples, custody and "
                'candidate matches. Every answer is {"data", "meta"}; every refusal is '
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
