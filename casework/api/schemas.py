"""What the API accepts: one table of fields per body, read both by the checks that turn JSON
into the services' input and by the OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _

from casework.api.responses import ApiError
from casework.cases.models import FDI_TEETH, EffectCategory, MarkKind, Sex, ToothState
from casework.custody.models import SampleKind
from casework.matches.models import Identifier
from casework.missing.models import MissingPersonStatus
from casework.remains.models import RemainsCondition, RemainsStatus

# characters that would end a line in the services' one-line-per-item text formats
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
NO_NUL = "^[^\\x00]*$"
ONE_LINE = "^[^\\x00\\n\\r\\x0b\\x0c\\x1c\\x1d\\x1e\\x85\\u2028\\u2029]*$"
ONE_LINE_NO_SEPARATOR = "^[^\\x00\\n\\r\\x0b\\x0c\\x1c\\x1d\\x1e\\x85\\u2028\\u2029;]*$"
ONE_LINE_NO_COLON = "^[^\\x00\\n\\r\\x0b\\x0c\\x1c\\x1d\\x1e\\x85\\u2028\\u2029:]*$"
EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class Field:
    """One property of a JSON body: its type, limits and how it becomes a service value."""

    kind: str  # string, integer, number, boolean, date, date-time, array
    description: str
    nullable: bool = True
    required: bool = False
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    forbidden: str = "\x00"  # characters refused in strings (the pattern says the same)
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    items: Field | Body | None = None
    max_items: int | None = None


@dataclass(frozen=True)
class Body:
    """A JSON object of known fields; anything else is refused."""

    name: str
    fields: dict[str, Field]
    description: str = ""
    extra: dict[str, Field] = field(default_factory=dict)

    def all_fields(self) -> dict[str, Field]:
        return {**self.fields, **self.extra}


def _text(description: str, max_length: int, pattern: str = NO_NUL, **kwargs: Any) -> Field:
    forbidden = "\x00"
    if pattern in (ONE_LINE, ONE_LINE_NO_SEPARATOR, ONE_LINE_NO_COLON):
        forbidden += _LINE_BREAKS
    if pattern == ONE_LINE_NO_SEPARATOR:
        forbidden += ";"
    if pattern == ONE_LINE_NO_COLON:
        forbidden += ":"
    return Field(
        "string",
        description,
        max_length=max_length,
        pattern=pattern,
        forbidden=forbidden,
        **kwargs,
    )


def _enum(description: str, values: tuple[str, ...], **kwargs: Any) -> Field:
    return Field("string", description, choices=values, **kwargs)


def _int(description: str, minimum: int, maximum: int, **kwargs: Any) -> Field:
    return Field("integer", description, minimum=minimum, maximum=maximum, **kwargs)


MARK = Body(
    "Mark",
    {
        "kind": _enum(
            "Kind of mark.", tuple(k.value for k in MarkKind), nullable=False, required=True
        ),
        "body_location": _text("Where on the body.", 120, ONE_LINE_NO_COLON),
        "description": _text("What it looks like.", 500, ONE_LINE),
    },
    "A distinguishing mark.",
)
EFFECT = Body(
    "Effect",
    {
        "category": _enum(
            "Category.", tuple(c.value for c in EffectCategory), nullable=False, required=True
        ),
        "description": _text(
            "What it is.", 500, ONE_LINE, nullable=False, required=True, min_length=1
        ),
    },
    "Clothing or a personal effect.",
)
TOOTH = Body(
    "DentalFinding",
    {
        "tooth": Field(
            "integer",
            "FDI tooth number.",
            nullable=False,
            required=True,
            choices=tuple(sorted(FDI_TEETH)),
        ),
        "state": _enum(
            "V sound, M missing, F filled, C crown.",
            tuple(s.value for s in ToothState),
            nullable=False,
            required=True,
        ),
    },
    "The state of one tooth.",
)


def _details() -> dict[str, Field]:
    return {
        "marks": Field("array", "Distinguishing marks.", nullable=False, items=MARK, max_items=50),
        "effects": Field(
            "array", "Clothing and effects.", nullable=False, items=EFFECT, max_items=100
        ),
        "dental": Field("array", "Dental chart.", nullable=False, items=TOOTH, max_items=32),
    }


_SEXES = tuple(s.value for s in Sex)
_NAME = _text("A name.", 200, ONE_LINE_NO_SEPARATOR, nullable=False, min_length=1)

MISSING_FIELDS = Body(
    "MissingPersonInput",
    {
        "given_names": _text("Given names.", 200),
        "surnames": _text("Surnames.", 200),
        "aliases": Field(
            "array", "Other names and spellings.", nullable=False, items=_NAME, max_items=20
        ),
        "sex": _enum("F, M or U (unknown).", _SEXES, nullable=False),
        "birth_date": _text(
            "YYYY-MM-DD, or only the year YYYY.", 10, "^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"
        ),
        "age_at_disappearance": _int("Age when last seen.", 0, 120),
        "height_cm": _int("Height in centimetres.", 40, 260),
        "nationality": _text("ISO 3166 alpha-3 code.", 3, "^[A-Za-z]{3}$"),
        "languages": _text("Languages spoken.", 200),
        "last_seen_date": Field("date", "Last seen on (not in the future)."),
        "last_seen_place": _text("Last seen at (place).", 300),
        "last_seen_lat": Field(
            "number", "Latitude of the last-seen point.", minimum=-90, maximum=90
        ),
        "last_seen_lon": Field(
            "number", "Longitude of the last-seen point.", minimum=-180, maximum=180
        ),
        "intended_route": _text("WKT LINESTRING (lon lat, lon lat, ...).", 20000),
        "sea_crossing": Field("boolean", "The journey included a sea crossing.", nullable=False),
        "circumstances": _text("Circumstances of the disappearance.", 20000),
        "medical_notes": _text("Medical notes.", 20000),
        **_details(),
    },
    "A missing person's case as a client writes it. Absent fields are empty on creation and "
    "unchanged on update.",
)

REMAINS_FIELDS = Body(
    "RemainsInput",
    {
        "recovery_date": Field("date", "Recovered on (not in the future)."),
        "recovery_place": _text("Recovered at (place).", 300),
        "recovery_lat": Field("number", "Latitude of the recovery point.", minimum=-90, maximum=90),
        "recovery_lon": Field(
            "number", "Longitude of the recovery point.", minimum=-180, maximum=180
        ),
        "recovery_uncertainty_m": _int("Uncertainty of the point in metres.", 0, 500000),
        "recovered_by": _text("Recovered by.", 200),
        "condition": _enum("Condition.", tuple(c.value for c in RemainsCondition)),
        "estimated_sex": _enum("F, M or U (unknown).", _SEXES, nullable=False),
        "age_min": _int("Estimated age from.", 0, 120),
        "age_max": _int("Estimated age to.", 0, 120),
        "stature_min_cm": _int("Stature from (cm).", 40, 260),
        "stature_max_cm": _int("Stature to (cm).", 40, 260),
        "pmi_min_days": _int("Post-mortem interval from (days).", 0, 36500),
        "pmi_max_days": _int("Post-mortem interval to (days).", 0, 36500),
        "document_names": Field(
            "array", "Names read on documents found.", nullable=False, items=_NAME, max_items=20
        ),
        "storage_location": _text("Storage location.", 200),
        "notes_text": _text("Examination notes.", 20000),
        **_details(),
    },
    "A remains case as a client writes it. Absent fields are empty on creation and unchanged "
    "on update.",
)

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


# The services read the same text formats as the forms: marks, effects and dental charts as
# lines, name lists separated by ";". The checks above keep separators out of each piece.


def marks_text(marks: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{m['kind']}: {m.get('body_location') or ''}: {m.get('description') or ''}" for m in marks
    )


def effects_text(effects: list[dict[str, Any]]) -> str:
    return "\n".join(f"{e['category']}: {e['description']}" for e in effects)


def dental_text(dental: list[dict[str, Any]]) -> str:
    return "; ".join(f"{d['tooth']}:{d['state']}" for d in dental)


def service_input(values: dict[str, Any], lists: tuple[str, ...]) -> dict[str, Any]:
    """Checked API values in the form the case services take."""
    data = dict(values)
    for name in lists:
        if name in data:
            data[name] = "; ".join(data[name] or [])
    converters: dict[str, Callable[[list[dict[str, Any]]], str]] = {
        "marks": marks_text,
        "effects": effects_text,
        "dental": dental_text,
    }
    for name, convert in converters.items():
        if name in data:
            data[name] = convert(data[name] or [])
    return data
