"""The candidate page's comparison: the missing person and the remains criterion by criterion,
one timeline, one map, marks and effects paired, the dental chart tooth by tooth."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape

from casework.attachments.models import AttachmentKind
from casework.attachments.services import attachments_of
from casework.cases.fields import point_coordinates
from casework.matches.models import CandidateMatch
from casework.matches.records import engine_dental
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains
from casework.vocabulary import label, tooth_state
from matching import compare_teeth

NONE = "—"

# The engine's verdict on a tooth, its word and the sign that says it without colour.
TOOTH_VERDICTS: dict[str, tuple[LazyString, str, LazyString]] = {
    "concordant": (_l("concordant"), "=", _l("the same in life and after death")),
    "explainable": (
        _l("explainable"),
        "≈",
        _l("dental work or loss after the record in life explains the difference"),
    ),
    "inconsistent": (
        _l("inconsistent"),
        "≠",
        _l("no later treatment explains it (a filling gone, a crown gone)"),
    ),
    "excluding": (
        _l("excludes"),
        "✕",
        _l("missing in life but present after death: not the same person"),
    ),
}
UPPER = (*range(18, 10, -1), *range(21, 29))
LOWER = (*range(48, 40, -1), *range(31, 39))


@dataclass(frozen=True)
class Line:
    """One criterion: what the family reported, what was found, and the engine's words on it."""

    criterion: str  # the engine's name of it, which its evidence carries
    title: LazyString
    reported: str
    found: str
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Moment:
    """A point or a span on the timeline, placed in per cent of its width."""

    title: LazyString
    text: str
    start: float
    end: float
    kind: str  # last_seen, death, found


@dataclass(frozen=True)
class Pair:
    """A mark or an effect as reported beside the one found of the same kind (either may lack)."""

    kind: str
    reported: str
    found: str


@dataclass(frozen=True)
class Tooth:
    number: int
    reported: str  # state word in life, or ""
    found: str  # state word after death, or ""
    verdict: str  # concordant, explainable, inconsistent, excluding, or "" when not both


@dataclass(frozen=True)
class SideBySide:
    lines: list[Line]
    timeline: list[Moment]
    map_points: str  # JSON for the map's script: {last_seen, route, recovery}
    has_map: bool
    marks: list[Pair]
    effects: list[Pair]
    mark_photos: list[Any]  # the remains' attachments (none are held of the missing person)
    effect_photos: list[Any]
    upper: list[Tooth]
    lower: list[Tooth]
    compared_teeth: list[Tooth]


def _range(low: int | None, high: int | None, unit: str = "") -> str:
    if low is None and high is None:
        return NONE
    if high is None:
        return f"≥ {low}{unit}"
    if low is None:
        return f"≤ {high}{unit}"
    return f"{low}{unit}" if low == high else f"{low}–{high}{unit}"


def _ages(person: MissingPerson, remains: UnidentifiedRemains) -> str:
    """The age the person would have had when the remains were found, from what was reported."""
    if person.birth_date and remains.recovery_date:
        born = int(person.birth_date[:4])
        return str(
            _l(
                "about %(age)s when the remains were found (born %(born)s)",
                age=remains.recovery_date.year - born,
                born=person.birth_date,
            )
        )
    if person.age_at_disappearance is not None:
        return str(_l("%(age)s when last seen", age=person.age_at_disappearance))
    return NONE


def _lines(
    person: MissingPerson, remains: UnidentifiedRemains, evidence: list[dict[str, Any]]
) -> list[Line]:
    def said(*criteria: str) -> list[dict[str, Any]]:
        return [item for item in evidence if item["criterion"] in criteria]

    names = " ".join(part for part in (person.given_names, person.surnames) if part) or NONE
    if person.aliases:
        names += " (" + str(_l("also known as")) + " " + "; ".join(person.aliases) + ")"
    documents = "; ".join(remains.document_names) or str(_l("no document with a name"))
    last_seen = ", ".join(
        part for part in (str(person.last_seen_date or ""), person.last_seen_place) if part
    )
    found = ", ".join(
        part for part in (str(remains.recovery_date or ""), remains.recovery_place) if part
    )
    return [
        Line("names", _l("Name, as reported and as read on documents"), names, documents,
             said("names", "name_near")),
        Line("sex", _l("Sex"), label(person.sex), label(remains.estimated_sex), said("sex")),
        Line("age", _l("Age at death and the estimate"), _ages(person, remains),
             _range(remains.age_min, remains.age_max), said("age")),
        Line("stature", _l("Height and stature"), _range(person.height_cm, person.height_cm, " cm"),
             _range(remains.stature_min_cm, remains.stature_max_cm, " cm"), said("stature")),
        Line("place", _l("Last seen and recovered"), last_seen or NONE, found or NONE,
             said("distance", "interval", "pmi")),
    ]  # fmt: skip


def _timeline(person: MissingPerson, remains: UnidentifiedRemains) -> list[Moment]:
    """Last seen, the death the PMI estimates (a span), found: placed on one scale."""
    found = remains.recovery_date
    seen = person.last_seen_date
    death: tuple[date, date] | None = None
    if found and (remains.pmi_min_days is not None or remains.pmi_max_days is not None):
        longest = remains.pmi_max_days if remains.pmi_max_days is not None else remains.pmi_min_days
        shortest = remains.pmi_min_days or 0
        death = (found - timedelta(days=longest or 0), found - timedelta(days=shortest))
    days = [d for d in (seen, found, *(death or ())) if d is not None]
    if not days:
        return []
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def at(day: date) -> float:
        return round(4 + 92 * (day - first).days / span, 2)

    moments = []
    if seen:
        moments.append(Moment(_l("Last seen"), seen.isoformat(), at(seen), at(seen), "last_seen"))
    if death:
        moments.append(
            Moment(
                _l("Estimated death"),
                f"{death[0].isoformat()} – {death[1].isoformat()}",
                at(death[0]),
                at(death[1]),
                "death",
            )
        )
    if found:
        moments.append(Moment(_l("Found"), found.isoformat(), at(found), at(found), "found"))
    return moments


def _map_points(person: MissingPerson, remains: UnidentifiedRemains) -> dict[str, Any]:
    route = None
    if person.intended_route is not None:
        route = [[round(y, 5), round(x, 5)] for x, y in to_shape(person.intended_route).coords]
    return {
        "last_seen": point_coordinates(person.last_seen_point),
        "route": route,
        "recovery": point_coordinates(remains.recovery_point),
    }


def _mark_text(mark: Any) -> str:
    return ", ".join(part for part in (mark.body_location, mark.description) if part)


def _paired(reported: list[tuple[str, str]], found: list[tuple[str, str]]) -> list[Pair]:
    """Items of the same kind side by side, in the order given; the rest alone on their side."""
    left = list(reported)
    pairs = []
    for kind, text in found:
        match = next((item for item in left if item[0] == kind), None)
        if match is not None:
            left.remove(match)
        pairs.append(Pair(kind, match[1] if match else "", text))
    pairs.extend(Pair(kind, text, "") for kind, text in left)
    return pairs


def _teeth(person: MissingPerson, remains: UnidentifiedRemains) -> dict[int, Tooth]:
    am = {f.tooth: f.state.value for f in person.dental}
    pm = {f.tooth: f.state.value for f in remains.dental}
    verdicts = {
        finding.tooth: finding.verdict
        for finding in compare_teeth(engine_dental(am.items()), engine_dental(pm.items()))
    }
    return {
        tooth: Tooth(
            tooth,
            tooth_state(am[tooth]) if tooth in am else "",
            tooth_state(pm[tooth]) if tooth in pm else "",
            verdicts.get(tooth, ""),
        )
        for tooth in (*UPPER, *LOWER)
    }


def side_by_side(candidate: CandidateMatch, evidence: list[dict[str, Any]]) -> SideBySide:
    """What the candidate page sets side by side (reads the cases' rows and the remains'
    photos; what it decrypts the page shows, and the page's look is audited by its view)."""
    person, remains = candidate.missing_person, candidate.remains
    photos = [a for a in attachments_of(remains) if a.is_image]
    marks = _paired(
        [(m.kind.value, _mark_text(m)) for m in person.marks],
        [(m.kind.value, _mark_text(m)) for m in remains.marks],
    )
    effects = _paired(
        [(e.category.value, e.description) for e in person.effects],
        [(e.category.value, e.description) for e in remains.effects],
    )
    points = _map_points(person, remains)
    teeth = _teeth(person, remains)
    return SideBySide(
        lines=_lines(person, remains, evidence),
        timeline=_timeline(person, remains),
        map_points=json.dumps(points),
        has_map=any(value for value in points.values()),
        marks=marks,
        effects=effects,
        mark_photos=[a for a in photos if a.kind is AttachmentKind.TATTOO_PHOTO],
        effect_photos=[a for a in photos if a.kind is AttachmentKind.EFFECT_PHOTO],
        upper=[teeth[n] for n in UPPER],
        lower=[teeth[n] for n in LOWER],
        compared_teeth=[t for t in teeth.values() if t.verdict],
    )


__all__ = ["TOOTH_VERDICTS", "SideBySide", "side_by_side"]
