"""The seam between our rows and the two libraries: cases in, `exchange` records out for
sharing; shared records in, `matching` records out for cross-border comparison."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from casework.cases.fields import point_coordinates
from casework.cases.models import DentalFinding as LocalDental
from casework.cases.models import DistinguishingMark
from casework.cases.models import Effect as LocalEffect
from casework.cases.models import ToothState as LocalTooth
from casework.matches.records import (
    birth_parts,
    engine_dental,
    engine_mark,
    missing_record,
    remains_record,
)
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains
from exchange import (
    DentalFinding,
    Effect,
    GeoPoint,
    Mark,
    MissingPersonRecord,
    RemainsRecord,
    Sex,
    SharedMark,
    SharedMissingPerson,
    SharedRemains,
    encode_name,
)
from exchange.coarsening import Coarsening, cell_centre
from exchange.shared import GridCell, Range
from matching import DentalEntry, MissingRecord, ToothState
from matching import Mark as MatchingMark
from matching import RemainsRecord as MatchingRemains
from matching import Sex as MatchingSex

_SEX_OUT = {"M": Sex.MALE, "F": Sex.FEMALE, "U": Sex.UNKNOWN}
_SEX_IN = {Sex.MALE: MatchingSex.MALE, Sex.FEMALE: MatchingSex.FEMALE}
_TOOTH_OUT = {
    LocalTooth.SOUND: "present",
    LocalTooth.MISSING: "missing",
    LocalTooth.FILLED: "filled",
    LocalTooth.CROWN: "crown",
}
_TOOTH_IN = {
    "present": ToothState.SOUND,
    "missing": ToothState.MISSING,
    "missing-antemortem": ToothState.MISSING,
    "missing-postmortem": ToothState.MISSING,
    "filled": ToothState.FILLED,
    "root-canal": ToothState.FILLED,
    "crown": ToothState.CROWN,
    "bridge": ToothState.CROWN,
}
_EFFECT_CATEGORY = {"religious": "religious-item"}


def _point(geometry: Any) -> GeoPoint | None:
    coordinates = point_coordinates(geometry)
    return None if coordinates is None else GeoPoint(lat=coordinates[0], lon=coordinates[1])


def _marks(marks: list[DistinguishingMark]) -> tuple[Mark, ...]:
    return tuple(
        Mark(kind=m.kind.value, location=m.body_location or "", description=m.description or "")
        for m in marks
    )


def _effects(effects: list[LocalEffect]) -> tuple[Effect, ...]:
    return tuple(
        Effect(
            category=_EFFECT_CATEGORY.get(e.category.value, e.category.value),
            description=e.description,
        )
        for e in effects
    )


def _dental(findings: list[LocalDental]) -> tuple[DentalFinding, ...]:
    return tuple(DentalFinding(f.tooth, _TOOTH_OUT[f.state]) for f in findings)


def local_id(case: MissingPerson | UnidentifiedRemains) -> str:
    """The id a pseudonym is computed from: the row id, which never changes."""
    return str(case.id)


def missing_for_sharing(case: MissingPerson) -> MissingPersonRecord:
    birth_date, birth_year = birth_parts(case.birth_date)
    return MissingPersonRecord(
        local_id=local_id(case),
        given_names=(case.given_names,) if case.given_names else (),
        surnames=(case.surnames,) if case.surnames else (),
        aliases=tuple(case.aliases),
        sex=_SEX_OUT[case.sex.value],
        birth_date=birth_date,
        birth_year=birth_year,
        stated_age=case.age_at_disappearance,
        height_cm=case.height_cm,
        nationality=case.nationality,
        last_seen_date=case.last_seen_date,
        last_seen_point=_point(case.last_seen_point),
        marks=_marks(case.marks),
        effects=_effects(case.effects),
        dental=_dental(case.dental),
    )


def remains_for_sharing(case: UnidentifiedRemains) -> RemainsRecord:
    return RemainsRecord(
        local_id=local_id(case),
        sex=_SEX_OUT[case.estimated_sex.value],
        age_min=case.age_min,
        age_max=case.age_max,
        stature_min_cm=case.stature_min_cm,
        stature_max_cm=case.stature_max_cm,
        found_date=case.recovery_date,
        found_point=_point(case.recovery_point),
        found_uncertainty_m=case.recovery_uncertainty_m,
        pmi_min_days=case.pmi_min_days,
        pmi_max_days=case.pmi_max_days,
        document_names=tuple(case.document_names),
        marks=_marks(case.marks),
        effects=_effects(case.effects),
        dental=_dental(case.dental),
    )


# Foreign records for the matching engine ---------------------------------------------------

ELEMENT_FILTER_BITS = 1024


def element_filter(elements: Iterable[bytes]) -> bytes | None:
    """Version 2 names for the engine's name criterion: the set of a name's blinded keys (3 per
    token: folded, phonetic, short form) as a local 1024-bit filter, so its Dice coefficient is
    that of the two key sets, i.e. the per-token agreement of the name query. The elements are
    already uniformly random (ristretto255 points), so their own bytes give the 4 positions."""
    bits = bytearray(ELEMENT_FILTER_BITS // 8)
    empty = True
    for element in elements:
        empty = False
        for i in range(4):
            position = int.from_bytes(element[2 * i : 2 * i + 2], "big") % ELEMENT_FILTER_BITS
            bits[position // 8] |= 0x80 >> (position % 8)
    return None if empty else bytes(bits)


def shared_name_filters(shared: SharedMissingPerson | SharedRemains) -> list[bytes | None]:
    """One filter per name the peer sent (v1: its Bloom filters; v2: its blinded keys)."""
    if shared.name_keys is None:
        filters = shared.names if isinstance(shared, SharedMissingPerson) else shared.document_names
        return list(filters) or [None]
    return [
        element_filter(element for token in name for element in token) for name in shared.name_keys
    ] or [None]


def _mid(value: Range | None) -> float | None:
    return None if value is None else (value.low + value.high) / 2


def _month(text: str | None) -> date | None:
    if text is None:
        return None
    year, month = text.split("-")
    return date(int(year), int(month), 15)


def _centre(
    cell: GridCell | None, coarsening: Coarsening | None
) -> tuple[float | None, float | None]:
    if cell is None:
        return None, None
    return cell_centre(cell.lat10, cell.lon10, coarsening or Coarsening())


def _shared_marks(marks: tuple[SharedMark, ...]) -> tuple[MatchingMark, ...]:
    found = []
    for mark in marks:
        where = "" if mark.location == "unspecified" else mark.location.replace("-", " ")
        found.append(engine_mark(mark.kind, (where, *mark.terms), " ".join(mark.terms)))
    return tuple(found)


def _shared_dental(findings: tuple[DentalFinding, ...]) -> tuple[DentalEntry, ...]:
    return engine_dental(
        (f.tooth, _TOOTH_IN[f.state].value) for f in findings if f.state in _TOOTH_IN
    )


def foreign_missing(ref: str, shared: SharedMissingPerson) -> MissingRecord:
    """A peer's missing person as the engine sees it: only what the peer sent, names as a
    Bloom filter (the main name, encoded with the linkage secret of that peer and us)."""
    lat, lon = _centre(shared.last_seen_cell, shared.coarsening)
    return MissingRecord(
        ref=ref,
        sex=_SEX_IN.get(shared.sex, MatchingSex.UNKNOWN),
        age=_mid(shared.age),
        height_cm=_mid(shared.height_cm),
        nationality=shared.nationality,
        last_seen_date=_month(shared.last_seen_month),
        last_seen_lat=lat,
        last_seen_lon=lon,
        marks=_shared_marks(shared.marks),
        effects=tuple(" ".join((e.category, *e.terms)) for e in shared.effects),
        dental=_shared_dental(shared.dental),
        name_bloom=shared_name_filters(shared)[0],
    )


def foreign_remains(ref: str, shared: SharedRemains) -> MatchingRemains:
    lat, lon = _centre(shared.found_cell, shared.coarsening)
    age, stature, pmi = shared.age, shared.stature_cm, shared.pmi_days
    return MatchingRemains(
        ref=ref,
        sex=_SEX_IN.get(shared.sex, MatchingSex.UNKNOWN),
        age_min=None if age is None else age.low,
        age_max=None if age is None else age.high,
        stature_min_cm=None if stature is None else stature.low,
        stature_max_cm=None if stature is None else stature.high,
        found_date=_month(shared.found_month),
        found_lat=lat,
        found_lon=lon,
        pmi_min_days=None if pmi is None else pmi.low,
        pmi_max_days=None if pmi is None else pmi.high,
        marks=_shared_marks(shared.marks),
        effects=tuple(" ".join((e.category, *e.terms)) for e in shared.effects),
        dental=_shared_dental(shared.dental),
        name_bloom=shared_name_filters(shared)[0],
    )


def local_missing(case: MissingPerson, names: bytes | list[bytes] | None) -> MissingRecord:
    """Our missing person with the name as the peer's records carry names: a linkage secret
    (v1, encoded as a Bloom filter), or our name as that peer blinded it (v2 elements)."""
    if isinstance(names, bytes):
        parts = [part for part in (case.given_names, case.surnames) if part]
        return replace(
            missing_record(case), name_bloom=encode_name(parts, names) if parts else None
        )
    return replace(missing_record(case), name_bloom=element_filter(names or ()))


def local_remains(case: UnidentifiedRemains, names: bytes | list[bytes] | None) -> MatchingRemains:
    if isinstance(names, bytes):
        documents = case.document_names
        return replace(
            remains_record(case),
            name_bloom=encode_name([documents[0]], names) if documents else None,
        )
    return replace(remains_record(case), name_bloom=element_filter(names or ()))
