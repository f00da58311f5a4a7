"""The case interchange columns (those of `casework match`) to and from our case rows.

A row is read by the matching library's own row parser (`parse_missing_row`,
`parse_remains_row`), then through the kind's input (`MissingPersonInput`, `RemainsInput`), so
the importer applies the rules of the case forms with their messages, every problem of a row
listed at once (`CaseInput.parse_all`); export writes the same columns back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from geoalchemy2.shape import to_shape

from casework.cases.models import (
    DistinguishingMark,
    Effect,
    EffectCategory,
    MarkKind,
    Sex,
    ToothState,
)
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson
from casework.remains.inputs import RemainsInput
from casework.remains.models import UnidentifiedRemains
from matching import (
    MISSING_FIELDS,
    REMAINS_FIELDS,
    MissingRecord,
    RemainsRecord,
    RowError,
    parse_mark,
    parse_missing_row,
    parse_remains_row,
)

KINDS = ("missing", "remains")
COLUMNS: dict[str, tuple[str, ...]] = {"missing": MISSING_FIELDS, "remains": REMAINS_FIELDS}
# read by the matching parser when present; accepted so a file from `casework match` imports
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "missing": frozenset({"sea_crossing", "last_seen_kind", "name_bloom"}),
    "remains": frozenset({"at_sea", "name_bloom", "burial_planned"}),
}
# written on export after the engine's columns (and read back on import)
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "missing": ("sea_crossing", "last_seen_kind"),
    "remains": ("burial_planned",),
}
# the column the ref is kept in (the external reference, the same length on both kinds)
_MAX_REF = MissingPerson.__table__.c.external_reference.type.length


@dataclass(frozen=True)
class CheckedRow:
    """One valid row: what the matching engine reads, plus the few things only we keep."""

    record: MissingRecord | RemainsRecord
    route_wkt: str
    sea_crossing: bool


def header_problems(kind: str, header: list[str]) -> list[RowError]:
    """Everything wrong with a header row: no ref, unknown or repeated columns."""
    known = set(COLUMNS[kind]) | OPTIONAL_COLUMNS[kind]
    problems = []
    seen: set[str] = set()
    for name in header:
        column = name.strip().lower()
        if not column:
            problems.append(RowError(1, "", "a column has no name in the header row"))
        elif column in seen:
            problems.append(RowError(1, column, "this column appears twice in the header row"))
        elif column not in known:
            problems.append(
                RowError(1, column, f"not a {kind} interchange column ({', '.join(COLUMNS[kind])})")
            )
        seen.add(column)
    if "ref" not in seen:
        problems.insert(0, RowError(1, "ref", "no header row with a ref column"))
    return problems


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


# an input's field -> the interchange column it comes from, where the two names differ
_COLUMN_OF: dict[str, dict[str, str]] = {
    "missing": {"age_at_disappearance": "age", "intended_route": "route"},
    "remains": {
        "recovery_date": "found_date",
        "recovery_place": "found_place",
        "recovery_lat": "found_lat",
        "recovery_lon": "found_lon",
        "estimated_sex": "sex",
        "burial_planned_on": "burial_planned",
    },
}
_INPUTS: dict[str, type[MissingPersonInput] | type[RemainsInput]] = {
    "missing": MissingPersonInput,
    "remains": RemainsInput,
}


def _cleaned(cells: Mapping[str, str | None]) -> dict[str, str]:
    return {(key or "").strip().lower(): (value or "").strip() for key, value in cells.items()}


def check_row(
    kind: str, cells: Mapping[str, str | None], row: int, today: date
) -> CheckedRow | list[RowError]:
    """Parse one row with the matching library's parser, then through the kind's input (the
    rules the case form applies: names, dates not in the future, countries, routes, bounds,
    lengths), every problem of the row collected."""
    parse = parse_missing_row if kind == "missing" else parse_remains_row
    parsed = parse(cells, row)
    problems = [] if not isinstance(parsed, list) else list(parsed)
    clean = _cleaned(cells)
    problems += [
        RowError(row, column, "contains a NUL character (an invisible control character)")
        for column, value in clean.items()
        if "\x00" in value
    ]
    ref = clean.get("ref", "")
    if len(ref) > _MAX_REF:
        problems.append(RowError(row, "ref", f"longer than {_MAX_REF} characters"))
    record = None if isinstance(parsed, list) else parsed
    sea = bool(getattr(record, "sea_crossing", None))
    checked = _INPUTS[kind].parse_all(_input_values(kind, clean, record, sea), today)
    if isinstance(checked, list):
        columns = _COLUMN_OF[kind]
        for error in checked:
            column = columns.get(error.field or "", error.field or "")
            if not any(problem.column == column for problem in problems):
                problems.append(RowError(row, column, error.message))
    if problems or record is None:
        order = {column: i for i, column in enumerate(COLUMNS[kind])}
        return sorted(problems, key=lambda p: order.get(p.column, len(order)))
    return CheckedRow(record=record, route_wkt=clean.get("route", ""), sea_crossing=sea)


def parse_checked_row(
    kind: str, cells: Mapping[str, str | None], row: int
) -> CheckedRow | list[RowError]:
    """A row `check_row` passed already (the same cells), only parsed again: the case rules
    are not applied a second time."""
    parse = parse_missing_row if kind == "missing" else parse_remains_row
    parsed = parse(cells, row)
    if isinstance(parsed, list):
        return parsed
    route = ""
    if kind == "missing":
        route = next((v for k, v in cells.items() if (k or "").strip().lower() == "route"), "")
    sea = bool(getattr(parsed, "sea_crossing", None))
    return CheckedRow(record=parsed, route_wkt=(route or "").strip(), sea_crossing=sea)


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _point(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    return (None, None) if lat is None or lon is None else (lat, lon)


def _details(record: MissingRecord | RemainsRecord, mark_texts: list[str]) -> dict[str, Any]:
    """The marks, effects and dental chart of a parsed row as an input holds them."""
    marks = []
    kinds = {kind.value for kind in MarkKind}
    for mark, text in zip(record.marks, mark_texts, strict=True):
        kind = MarkKind(mark.kind) if mark.kind in kinds else MarkKind.OTHER
        location = " ".join(part for part in (mark.side, mark.region) if part) or None
        # the parsed description is folded (lower case, no accents): keep the words as written
        marks.append((kind, location, text))
    effects = []
    for text in record.effects:
        head, _, tail = text.partition(":")
        try:
            category, description = EffectCategory(head.strip().lower()), tail.strip()
        except ValueError:
            category, description = EffectCategory.OTHER, text
        effects.append((category, description or text))
    teeth = {entry.tooth: ToothState(entry.state.value) for entry in record.dental}
    return {
        "marks": tuple(marks),
        "effects": tuple(effects),
        "dental": tuple(sorted(teeth.items())),
    }


def _input_values(
    kind: str,
    clean: Mapping[str, str],
    record: MissingRecord | RemainsRecord | None,
    sea_crossing: bool,
) -> dict[str, Any]:
    """What a person would have typed into the case form for this row, as the input's parser
    reads it: from the engine's parse of the row, or, when that failed, from the cells' text
    where it is text (the case rules still see those columns; the rest the engine refused)."""
    if record is None:
        if kind == "remains":
            return {
                "recovery_date": clean.get("found_date"),
                "recovery_place": clean.get("found_place"),
                "burial_planned_on": clean.get("burial_planned"),
            }
        return {
            "given_names": " ".join(_items(clean.get("given_names", ""))),
            "surnames": " ".join(_items(clean.get("surnames", ""))),
            "aliases": tuple(_items(clean.get("aliases", ""))),
            "birth_date": clean.get("birth_date"),
            "nationality": clean.get("nationality"),
            "last_seen_place": clean.get("last_seen_place"),
            "last_seen_date": clean.get("last_seen_date"),
            "intended_route": clean.get("route"),
        }
    details = _details(record, _items(clean.get("marks", "")))
    if isinstance(record, MissingRecord):
        lat, lon = _point(record.last_seen_lat, record.last_seen_lon)
        return {
            "given_names": " ".join(record.given_names),
            "surnames": " ".join(record.surnames),
            "aliases": tuple(record.aliases),
            "sex": Sex(record.sex.value),
            "birth_date": clean.get("birth_date"),
            "age_at_disappearance": _whole(record.age),
            "height_cm": _whole(record.height_cm),
            "nationality": record.nationality,
            "last_seen_date": record.last_seen_date,
            "last_seen_place": record.last_seen_place,
            "last_seen_kind": record.last_seen_kind.value,
            "last_seen_lat": lat,
            "last_seen_lon": lon,
            "intended_route": clean.get("route"),
            "sea_crossing": sea_crossing,
            **details,
        }
    lat, lon = _point(record.found_lat, record.found_lon)
    return {
        "recovery_date": record.found_date,
        "recovery_place": record.found_place,
        "recovery_lat": lat,
        "recovery_lon": lon,
        "estimated_sex": Sex(record.sex.value),
        "age_min": _whole(record.age_min),
        "age_max": _whole(record.age_max),
        "stature_min_cm": _whole(record.stature_min_cm),
        "stature_max_cm": _whole(record.stature_max_cm),
        "pmi_min_days": _whole(record.pmi_min_days),
        "pmi_max_days": _whole(record.pmi_max_days),
        "document_names": tuple(record.document_names),
        "burial_planned_on": clean.get("burial_planned"),
        **details,
    }


def row_input(
    checked: CheckedRow, cells: Mapping[str, str | None]
) -> MissingPersonInput | RemainsInput:
    """The input a checked row gives: what a person would have typed into the case form, read
    by the same parser as the form's."""
    kind = "missing" if isinstance(checked.record, MissingRecord) else "remains"
    clean = {**_cleaned(cells), "route": checked.route_wkt}
    made = _INPUTS[kind].parse_all(_input_values(kind, clean, checked.record, checked.sea_crossing))
    if isinstance(made, list):  # checked rows pass: only a row changed since could land here
        raise made[0]
    return made


def build_case(
    kind: str, checked: CheckedRow, cells: Mapping[str, str | None], agency_id: int
) -> MissingPerson | UnidentifiedRemains:
    """A new case (not yet in a session) from a checked row; the caller gives it a reference."""
    case: MissingPerson | UnidentifiedRemains = (
        MissingPerson(agency_id=agency_id)
        if kind == "missing"
        else UnidentifiedRemains(agency_id=agency_id)
    )
    case.external_reference = checked.record.ref
    row_input(checked, cells).store(case)
    return case


def _mark_cell(mark: DistinguishingMark) -> str:
    """A mark as one item of the marks column: its words as written when they already name its
    kind (an imported mark), else kind, location and description."""
    text = mark.description or ""
    parsed = parse_mark(text) if text else None
    if parsed is not None and parsed.kind == mark.kind.value:
        return text
    if not text and mark.kind is MarkKind.OTHER and not mark.body_location:
        return ""
    return " ".join(part for part in (mark.kind.value, mark.body_location, text) if part)


def _effect_cell(effect: Effect) -> str:
    if effect.category is EffectCategory.OTHER:
        return effect.description
    return f"{effect.category.value}: {effect.description}"


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _coordinates(element: Any) -> tuple[str, str]:
    if element is None:
        return "", ""
    point = to_shape(element)
    return repr(round(point.y, 7)), repr(round(point.x, 7))


def case_row(case: MissingPerson | UnidentifiedRemains) -> dict[str, str]:
    """The interchange row of a case (decrypts its personal data: the caller audits)."""
    common = {
        "ref": case.external_reference or case.reference,
        "marks": "; ".join(text for text in map(_mark_cell, case.marks) if text),
        "effects": "; ".join(_effect_cell(effect) for effect in case.effects),
        "dental": "; ".join(f"{f.tooth}:{f.state.value}" for f in case.dental),
    }
    if isinstance(case, MissingPerson):
        lat, lon = _coordinates(case.last_seen_point)
        return {
            **common,
            "given_names": case.given_names or "",
            "surnames": case.surnames or "",
            "aliases": "; ".join(case.aliases),
            "sex": case.sex.value,
            "birth_date": case.birth_date or "",
            "age": _number(case.age_at_disappearance),
            "height_cm": _number(case.height_cm),
            "nationality": case.nationality or "",
            "last_seen_date": case.last_seen_date.isoformat() if case.last_seen_date else "",
            "last_seen_lat": lat,
            "last_seen_lon": lon,
            "last_seen_place": case.last_seen_place or "",
            "route": to_shape(case.intended_route).wkt if case.intended_route is not None else "",
            "sea_crossing": "1" if case.sea_crossing else "",
            "last_seen_kind": case.last_seen_kind.value,
        }
    lat, lon = _coordinates(case.recovery_point)
    return {
        **common,
        "sex": case.estimated_sex.value,
        "age_min": _number(case.age_min),
        "age_max": _number(case.age_max),
        "stature_min_cm": _number(case.stature_min_cm),
        "stature_max_cm": _number(case.stature_max_cm),
        "found_date": case.recovery_date.isoformat() if case.recovery_date else "",
        "found_lat": lat,
        "found_lon": lon,
        "found_place": case.recovery_place or "",
        "pmi_min_days": _number(case.pmi_min_days),
        "pmi_max_days": _number(case.pmi_max_days),
        "document_names": "; ".join(case.document_names),
        "burial_planned": case.burial_planned_on.isoformat() if case.burial_planned_on else "",
    }


def export_columns(kind: str) -> list[str]:
    return [*COLUMNS[kind], *EXTRA_COLUMNS[kind]]
