"""What the API accepts: one table of fields per body, read both by the checks that turn JSON
into the services' input and by the OpenAPI document, so the two cannot drift apart. The tables
of the two case kinds are made from their inputs (`remains/inputs.py`, `missing/inputs.py`)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _

from casework.api.fields import (
    EARLIEST_YEAR,
    NO_NUL,
    ONE_LINE,
    ONE_LINE_NO_COLON,
    ONE_LINE_NO_SEPARATOR,
    Body,
    Field,
)
from casework.api.fields import enum_field as _enum
from casework.api.fields import text_field as _text
from casework.api.responses import ApiError
from casework.custody.models import SampleKind
from casework.matches.models import Identifier
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPersonStatus
from casework.remains.inputs import RemainsInput
from casework.remains.models import RemainsStatus

MISSING_FIELDS = MissingPersonInput.json_body()
REMAINS_FIELDS = RemainsInput.json_body()

VERSION = Field(
    "integer",
    "The version the change was made from (or send it as If-Match).",
    nullable=False,
    minimum=1,
    maximum=2**31 - 1,
)

SAMPLE_FIELDS = Body(
    "SampleInput",
    {
        "barcode": _text(
            "Unique barcode: letters, digits and . _ / - only.",
            64,
            "^[A-Za-z0-9._/-]+$",
            nullable=False,
            required=True,
            min_length=1,
        ),
        "kind": _enum(
            "Kind of sample.",
            tuple(k.value for k in SampleKind if k is not SampleKind.REFERENCE),
            nullable=False,
            required=True,
        ),
        "lab": _text("Laboratory.", 200),
        "collected_at": Field("date-time", "When it was collected (not in the future)."),
    },
    "A sample taken from the remains.",
)

TRANSFER_FIELDS = Body(
    "CustodyTransferInput",
    {
        "sample": _text(
            "Barcode of one of the case's samples; absent or null: the remains themselves.",
            64,
            "^[A-Za-z0-9._/-]+$",
        ),
        "from_party": _text("Handed over by.", 200, nullable=False, required=True, min_length=1),
        "to_party": _text("Received by.", 200, nullable=False, required=True, min_length=1),
        "occurred_at": Field(
            "date-time", "When it changed hands (not in the future).", nullable=False, required=True
        ),
        "purpose": _text(
            "Why it changed hands.", 2000, nullable=False, required=True, min_length=1
        ),
    },
    "One link in the chain of custody of the remains or of one of their samples.",
)


UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_REASON = "Why, in a few words (at least 5 characters)."


def _status_change(name: str, statuses: Any, label: str) -> Body:
    return Body(
        name,
        {
            "status": _enum(
                f"The new status of the {label} case.",
                tuple(s.value for s in statuses),
                nullable=False,
                required=True,
            ),
            "reason": _text(
                "Why; needed to close, to reopen, for found alive and for burial "
                "(at least 5 characters).",
                5000,
            ),
        },
        "A status change, made as on the case page: only the transitions the role may make "
        "there, with a reason where one is needed.",
        extra={"version": VERSION},
    )


MISSING_STATUS_FIELDS = _status_change("MissingStatusChangeInput", MissingPersonStatus, "missing")
REMAINS_STATUS_FIELDS = _status_change("RemainsStatusChangeInput", RemainsStatus, "remains")

EXCLUDE_FIELDS = Body(
    "CandidateExclusionInput",
    {"reason": _text(_REASON, 5000, nullable=False, required=True)},
    "Rule the pair out. It comes back only if its evidence changes.",
    extra={"version": VERSION},
)
PROPOSE_FIELDS = Body(
    "IdentificationProposalInput",
    {
        "identifiers": Field(
            "array",
            "What confirms the identification: a primary identifier (dna, dental, "
            "fingerprints), or secondary identifiers with a reason.",
            nullable=False,
            required=True,
            items=_enum("An identifier.", tuple(item.value for item in Identifier), nullable=False),
            max_items=len(Identifier),
        ),
        "reason": _text(_REASON + " Required when only secondary identifiers are cited.", 5000),
    },
    "The first signature of an identification.",
    extra={"version": VERSION},
)
CONFIRM_FIELDS = Body(
    "IdentificationConfirmationInput",
    {},
    "The second signature, by a supervisor other than the proposer: the remains and the "
    "missing person become identified.",
    extra={"version": VERSION},
)
REJECT_FIELDS = Body(
    "IdentificationRejectionInput",
    {"reason": _text(_REASON, 5000, nullable=False, required=True)},
    "Turn a proposed identification down: the candidate is back in review.",
    extra={"version": VERSION},
)

REPATRIATION_START_FIELDS = Body(
    "RepatriationStartInput",
    {},
    "Nothing to fill in: send an empty object. The steps and their first due dates are made "
    "by the service.",
)
STEP_FIELDS = Body(
    "RepatriationStepInput",
    {
        "due_date": Field("date", "Due on (not before the identification)."),
        "completed_on": Field(
            "date",
            "Completed on: not in the future, not before the identification, and after the "
            "steps it needs.",
        ),
        "responsible_user": _text(
            "Id of the colleague (of your agency) responsible for the step.",
            36,
            UUID_PATTERN,
        ),
        "responsible_name": _text(
            "Who is responsible, if not a colleague (a funeral director, a relative).",
            200,
            ONE_LINE,
        ),
        "notes": _text("Notes.", 5000),
    },
    "One step of a repatriation. Fields sent change, the others stay; null empties a field.",
    extra={"version": VERSION},
)


def _number_ok(value: Any, spec: Field) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _("must be a number") if spec.kind == "number" else _("must be a whole number")
    if spec.kind == "integer" and not isinstance(value, int):
        return _("must be a whole number")
    if isinstance(value, float) and not math.isfinite(value):
        return _("must be a finite number")
    if spec.choices is not None and value not in spec.choices:
        return _("is not one of the allowed values")
    if spec.minimum is not None and value < spec.minimum:
        return _("must be at least %(n)s", n=f"{spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        return _("must be at most %(n)s", n=f"{spec.maximum:g}")
    return None


def _check_text(value: Any, spec: Field) -> str | None:
    if not isinstance(value, str):
        return _("must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("must be valid Unicode text")
    if spec.choices is not None:
        if value not in spec.choices:
            return _("must be one of: %(values)s", values=", ".join(str(c) for c in spec.choices))
        return None
    if spec.max_length is not None and len(value) > spec.max_length:
        return _("must be at most %(n)d characters", n=spec.max_length)
    if spec.min_length is not None and len(value) < spec.min_length:
        return _("must not be empty")
    if any(char in spec.forbidden for char in value):
        return _("contains a character not allowed here (line breaks, NUL or a separator)")
    if spec.pattern is not None and spec.pattern not in (
        NO_NUL,
        ONE_LINE,
        ONE_LINE_NO_SEPARATOR,
        ONE_LINE_NO_COLON,
    ):
        if not re.fullmatch(spec.pattern.strip("^$"), value):
            return _("does not have the expected form")
    return None


def _parse_date(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, _("must be a date as YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        return None, _("must be a date as YYYY-MM-DD")
    if parsed.year < EARLIEST_YEAR:
        return None, _("must be in %(year)d or later", year=EARLIEST_YEAR)
    return parsed, None


def _parse_datetime(value: Any) -> tuple[Any, str | None]:
    message = _("must be a date and time as in 2025-07-02T14:30:00Z")
    if not isinstance(value, str) or len(value) > 40:
        return None, message
    try:
        parsed = datetime.fromisoformat(value.upper())
    except ValueError:
        return None, message
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < EARLIEST_YEAR or parsed.year > 9998:
        return None, _("must be in %(year)d or later", year=EARLIEST_YEAR)
    return parsed.astimezone(UTC), None


def _value(value: Any, spec: Field, name: str, errors: dict[str, str]) -> Any:
    if value is None:
        if not spec.nullable:
            errors[name] = _("must not be null")
        return None
    problem: str | None
    result: Any = value
    if spec.kind == "string":
        problem = _check_text(value, spec)
    elif spec.kind in ("integer", "number"):
        problem = _number_ok(value, spec)
    elif spec.kind == "boolean":
        problem = None if isinstance(value, bool) else _("must be true or false")
    elif spec.kind == "date":
        result, problem = _parse_date(value)
    elif spec.kind == "date-time":
        result, problem = _parse_datetime(value)
    elif spec.kind == "array":
        if not isinstance(value, list):
            problem = _("must be a list")
        elif spec.max_items is not None and len(value) > spec.max_items:
            problem = _("must have at most %(n)d items", n=spec.max_items)
        else:
            problem, result = None, []
            for index, item in enumerate(value):
                label = f"{name}[{index}]"
                if isinstance(spec.items, Body):
                    result.append(check_object(item, spec.items, errors, prefix=label + "."))
                elif spec.items is not None:
                    result.append(_value(item, spec.items, label, errors))
    else:  # pragma: no cover - a table entry of an unknown kind is a programming error
        raise AssertionError(spec.kind)
    if problem:
        errors[name] = problem
    return result


def check_object(
    body: Any, schema: Body, errors: dict[str, str], prefix: str = ""
) -> dict[str, Any]:
    """The checked values of `body`; problems are added to `errors` by field name."""
    if not isinstance(body, dict):
        errors[prefix.rstrip(".") or "body"] = _("must be a JSON object")
        return {}
    fields = schema.all_fields()
    values: dict[str, Any] = {}
    for name in body:
        if name not in fields:
            errors[prefix + name] = _("is not a field of this object")
    for name, spec in fields.items():
        if name in body:
            values[name] = _value(body[name], spec, prefix + name, errors)
        elif spec.required:
            errors[prefix + name] = _("is required")
    return values


def checked(body: Any, schema: Body) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values = check_object(body, schema, errors)
    if errors:
        raise ApiError(422, _("Some fields are wrong. Nothing was stored."), fields=errors)
    return values
