"""The shape of one JSON property and of one JSON object: the tables the API checks bodies
against and documents, written next to the case fields that produce them (`cases/inputs.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casework.cases.fields import DESCRIPTION_LENGTH, MARK_LOCATION_LENGTH
from casework.cases.models import FDI_TEETH, EffectCategory, MarkKind, ToothState

# characters that would end a line in the services' one-line-per-item text formats
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
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


def text_field(description: str, max_length: int, pattern: str = NO_NUL, **kwargs: Any) -> Field:
    forbidden = "\x00"
    if pattern in (ONE_LINE, ONE_LINE_NO_SEPARATOR, ONE_LINE_NO_COLON):
        forbidden += LINE_BREAKS
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


def enum_field(description: str, values: tuple[str, ...], **kwargs: Any) -> Field:
    return Field("string", description, choices=values, **kwargs)


def whole_field(description: str, minimum: int, maximum: int, **kwargs: Any) -> Field:
    return Field("integer", description, minimum=minimum, maximum=maximum, **kwargs)


MARK = Body(
    "Mark",
    {
        "kind": enum_field(
            "Kind of mark.", tuple(k.value for k in MarkKind), nullable=False, required=True
        ),
        "body_location": text_field("Where on the body.", MARK_LOCATION_LENGTH, ONE_LINE_NO_COLON),
        "description": text_field("What it looks like.", DESCRIPTION_LENGTH, ONE_LINE),
    },
    "A distinguishing mark.",
)
EFFECT = Body(
    "Effect",
    {
        "category": enum_field(
            "Category.", tuple(c.value for c in EffectCategory), nullable=False, required=True
        ),
        "description": text_field(
            "What it is.",
            DESCRIPTION_LENGTH,
            ONE_LINE,
            nullable=False,
            required=True,
            min_length=1,
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
        "state": enum_field(
            "V sound, M missing, F filled, C crown.",
            tuple(s.value for s in ToothState),
            nullable=False,
            required=True,
        ),
    },
    "The state of one tooth.",
)


NAME = text_field("A name.", 200, ONE_LINE_NO_SEPARATOR, nullable=False, min_length=1)
