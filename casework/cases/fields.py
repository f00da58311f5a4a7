"""Parsing what people type into case forms: dates, points, routes, dental charts, mark lists.

Each parser returns a clean value or raises ValidationError naming the field and the fix.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely import LineString, Point
from shapely import wkt as shapely_wkt
from shapely.errors import ShapelyError

from casework.cases.models import FDI_TEETH, EffectCategory, MarkKind, ToothState
from casework.errors import Message, ValidationError, sentences


def optional_text(value: str | None, field: str, max_length: int) -> str | None:
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationError(
            _l("Keep this under %(limit)s characters.", limit=max_length), field=field
        )
    return text or None


def parse_birth_date(value: str | None) -> str | None:
    """A full date (YYYY-MM-DD) or a year (YYYY); kept as text, encrypted."""
    text = (value or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}", text):
        if not 1900 <= int(text) <= date.today().year:
            raise ValidationError(_l("The birth year is out of range."), field="birth_date")
        return text
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _l("Give the birth date as YYYY-MM-DD, or only the year as YYYY."), field="birth_date"
        ) from None
    if parsed.year < 1900 or parsed > date.today():
        raise ValidationError(_l("The birth date is out of range."), field="birth_date")
    return parsed.isoformat()


def parse_country(value: str | None, field: str) -> str | None:
    text = (value or "").strip().upper()
    if not text:
        return None
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValidationError(
            _l("Use a three-letter ISO 3166 country code such as GTM, ERI or SEN."), field=field
        )
    return text


def parse_point(lat: float | None, lon: float | None, field: str) -> WKBElement | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise ValidationError(_l("Give both latitude and longitude, or neither."), field=field)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(
            _l("Latitude must be between -90 and 90 and longitude between -180 and 180."),
            field=field,
        )
    return from_shape(Point(lon, lat), srid=4326)


def point_coordinates(element: WKBElement | None) -> tuple[float, float] | None:
    """(lat, lon) of a stored point, or None."""
    if element is None:
        return None
    point = to_shape(element)
    return (point.y, point.x)


def parse_route(value: str | None, field: str = "intended_route") -> WKBElement | None:
    """A route as WKT `LINESTRING (lon lat, lon lat, ...)`."""
    text = (value or "").strip()
    if not text:
        return None
    if re.fullmatch(r"(?i)LINESTRING\s*\(\s*[^,()]+\)", text):
        # one vertex: what a single click on the route map writes
        raise ValidationError(
            _l("The route must be a LINESTRING of at least two points."), field=field
        )
    try:
        shape = shapely_wkt.loads(text)
    except (ShapelyError, ValueError):
        raise ValidationError(
            _l("Give the route as LINESTRING (lon lat, lon lat, ...), longitude first."),
            field=field,
        ) from None
    if not isinstance(shape, LineString) or shape.is_empty or len(shape.coords) < 2:
        raise ValidationError(
            _l("The route must be a LINESTRING of at least two points."), field=field
        )
    for lon, lat, *_ in shape.coords:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(
                _l("A route point is outside the globe: longitude comes first, then latitude."),
                field=field,
            )
    return from_shape(shape, srid=4326)


def assign_geometry(case: object, attribute: str, value: WKBElement | None) -> None:
    """Set a geometry only when it really changed, so an unchanged save records no change."""
    current = getattr(case, attribute)
    if current is not None and value is not None:
        if to_shape(current).equals_exact(to_shape(value), 1e-9):
            return
    elif current is None and value is None:
        return
    setattr(case, attribute, value)


def route_wkt(element: WKBElement | None) -> str:
    return "" if element is None else to_shape(element).wkt


# The chart as a dentist reads it, facing the patient: upper right, upper left / lower right,
# lower left; each row runs from the back teeth of one side to those of the other.
CHART_ROWS: tuple[tuple[int, ...], ...] = (
    tuple(range(18, 10, -1)) + tuple(range(21, 29)),
    tuple(range(48, 40, -1)) + tuple(range(31, 39)),
)


def parse_dental(value: str | None) -> list[tuple[int, ToothState]]:
    """`11:F; 12:M; 36:C` — FDI tooth number and state (V sound, M missing, F filled, C crown).

    Every problem is reported, one sentence a tooth, so the chart can be fixed in one go.
    """
    findings: dict[int, ToothState] = {}
    problems: list[Message] = []
    for item in re.split(r"[;\n,]+", value or ""):
        item = item.strip()
        if not item:
            continue
        match = re.fullmatch(r"(\d{1,3})\s*[:=]\s*([A-Za-z]+)", item)
        if not match:
            problems.append(
                _l(
                    "“%(item)s” is not a dental finding: write tooth:state, such as 36:F.",
                    item=item,
                )
            )
            continue
        tooth, state = int(match.group(1)), match.group(2).upper()
        if tooth not in FDI_TEETH:
            problems.append(
                _l(
                    "Tooth %(tooth)s: %(tooth)s is not a tooth in FDI notation "
                    "(11–18, 21–28, 31–38, 41–48).",
                    tooth=tooth,
                )
            )
            continue
        try:
            parsed = ToothState(state)
        except ValueError:
            problems.append(
                _l(
                    "Tooth %(tooth)s: “%(state)s” is not a tooth state: use V (sound), "
                    "M (missing), F (filled) or C (crown).",
                    tooth=tooth,
                    state=state,
                )
            )
            continue
        if tooth in findings:
            problems.append(
                _l("Tooth %(tooth)s is given twice: give each tooth one state.", tooth=tooth)
            )
            continue
        findings[tooth] = parsed
    if problems:
        raise ValidationError(sentences(problems), field="dental")
    return sorted(findings.items())


def format_dental(findings: list[tuple[int, ToothState]]) -> str:
    return "; ".join(f"{tooth}:{state.value}" for tooth, state in findings)


# the longest body location of a mark, and description of a mark or an effect, a case keeps
MARK_LOCATION_LENGTH = 120
DESCRIPTION_LENGTH = 500


def checked_mark(
    kind: MarkKind, location: str | None, description: str | None
) -> tuple[MarkKind, str | None, str | None]:
    """A mark's location and description within their lengths, stripped (empty is None)."""
    return (
        kind,
        optional_text(location, "marks", MARK_LOCATION_LENGTH),
        optional_text(description, "marks", DESCRIPTION_LENGTH),
    )


def checked_effect(category: EffectCategory, description: str | None) -> tuple[EffectCategory, str]:
    """An effect described (its description is required) within the length, stripped."""
    text = optional_text(description, "effects", DESCRIPTION_LENGTH)
    if not text:
        raise ValidationError(_l("Describe each item after its category."), field="effects")
    return category, text


def parse_marks(value: str | None) -> list[tuple[MarkKind, str | None, str | None]]:
    """One mark a line: `kind: body location: description` (location and description optional)."""
    marks = []
    for number, line in enumerate((value or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(":", 2)]
        try:
            kind = MarkKind(parts[0].lower())
        except ValueError:
            kinds = ", ".join(kind.value for kind in MarkKind)
            raise ValidationError(
                _l(
                    "Line %(line)s: “%(kind)s” is not a kind of mark (%(kinds)s).",
                    line=number,
                    kind=parts[0],
                    kinds=kinds,
                ),
                field="marks",
            ) from None
        marks.append(
            checked_mark(
                kind, parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None
            )
        )
    return marks


def parse_effects(value: str | None) -> list[tuple[EffectCategory, str]]:
    """One item a line: `category: description`, or just a description (category other)."""
    effects = []
    for line in (value or "").splitlines():
        if not line.strip():
            continue
        head, _, tail = line.partition(":")
        try:
            category = EffectCategory(head.strip().lower())
            description = tail.strip()
        except ValueError:
            category, description = EffectCategory.OTHER, line.strip()
        effects.append(checked_effect(category, description))
    return effects


def split_list(value: str | None) -> list[str]:
    return [item.strip() for item in re.split(r"[;\n]+", value or "") if item.strip()]
