"""The seam between our rows and the matching library: cases in, `matching` records out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from casework.cases.fields import point_coordinates
from casework.cases.models import DentalFinding, DistinguishingMark
from casework.db import db
from casework.dna.models import DnaHit
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains
from matching import (
    DentalEntry,
    DnaEvidence,
    LastSeenKind,
    Mark,
    MissingRecord,
    RemainsRecord,
    Sex,
    ToothState,
    parse_mark,
)


def engine_mark(kind: str, words: Iterable[str | None], description: str) -> Mark:
    """A mark as the engine reads it: its kind and words parsed into kind, region and side
    when the vocabulary knows them, else kept as the kind with the description (for our marks
    and for those a peer shares alike)."""
    text = " ".join(part for part in (kind, *words) if part)
    return parse_mark(text) or Mark(kind=kind, description=description)


def engine_dental(findings: Iterable[tuple[int, str]]) -> tuple[DentalEntry, ...]:
    """(tooth, state letter) pairs as the engine's dental chart."""
    return tuple(DentalEntry(tooth, ToothState(state)) for tooth, state in findings)


def _marks(marks: list[DistinguishingMark]) -> tuple[Mark, ...]:
    return tuple(
        engine_mark(mark.kind.value, (mark.body_location, mark.description), mark.description or "")
        for mark in marks
    )


def _dental(findings: list[DentalFinding]) -> tuple[DentalEntry, ...]:
    return engine_dental((f.tooth, f.state.value) for f in findings)


def dna_evidence(hit: DnaHit, missing_ref: str, remains_ref: str) -> DnaEvidence:
    """A stored DNA hit as the engine's evidence; a lineage exclusion an analyst set aside
    does not exclude, and says so."""
    note = hit.lineage_note or ""
    if hit.lineage_excluded and hit.overridden_at is not None:
        note = f"{note} An analyst set the lineage exclusion aside: {hit.override_reason}".strip()
    return DnaEvidence(
        missing_ref,
        remains_ref,
        None if hit.log10_lr <= -999.0 else hit.log10_lr,
        hit.loci,
        hit.relations,
        lineage_excluded=hit.excludes,
        lineage_note=note,
    )


def _dna(kind: type, case: MissingPerson | UnidentifiedRemains) -> tuple[DnaEvidence, ...]:
    """The DNA hits of a case as evidence (none for a case not yet stored)."""
    if case.id is None:
        return ()
    column = DnaHit.remains_id if kind is UnidentifiedRemains else DnaHit.missing_person_id
    rows = db.session.execute(
        select(DnaHit, MissingPerson.reference, UnidentifiedRemains.reference)
        .join(MissingPerson, MissingPerson.id == DnaHit.missing_person_id)
        .join(UnidentifiedRemains, UnidentifiedRemains.id == DnaHit.remains_id)
        .where(column == case.id)
    ).all()
    return tuple(
        dna_evidence(hit, missing_ref, remains_ref) for hit, missing_ref, remains_ref in rows
    )


def birth_parts(value: str | None) -> tuple[date | None, int | None]:
    """A stored birth date ("YYYY-MM-DD" or "YYYY") as (full date, year only)."""
    if not value:
        return None, None
    if len(value) == 4:
        return None, int(value)
    return date.fromisoformat(value), None


def missing_record(case: MissingPerson) -> MissingRecord:
    birth_date, birth_year = birth_parts(case.birth_date)
    lat, lon = point_coordinates(case.last_seen_point) or (None, None)
    return MissingRecord(
        ref=case.reference,
        given_names=(case.given_names,) if case.given_names else (),
        surnames=(case.surnames,) if case.surnames else (),
        aliases=tuple(case.aliases),
        sex=Sex(case.sex.value),
        birth_date=birth_date,
        birth_year=birth_year,
        age=case.age_at_disappearance,
        height_cm=case.height_cm,
        nationality=case.nationality,
        last_seen_date=case.last_seen_date,
        last_seen_lat=lat,
        last_seen_lon=lon,
        last_seen_place=case.last_seen_place or "",
        last_seen_kind=LastSeenKind(case.last_seen_kind.value),
        route=to_shape(case.intended_route) if case.intended_route is not None else None,
        sea_crossing=True if case.sea_crossing else None,
        marks=_marks(case.marks),
        effects=tuple(item.description for item in case.effects),
        dental=_dental(case.dental),
        dna=_dna(UnidentifiedRemains, case),
    )


def remains_record(case: UnidentifiedRemains) -> RemainsRecord:
    lat, lon = point_coordinates(case.recovery_point) or (None, None)
    return RemainsRecord(
        ref=case.reference,
        sex=Sex(case.estimated_sex.value),
        age_min=case.age_min,
        age_max=case.age_max,
        stature_min_cm=case.stature_min_cm,
        stature_max_cm=case.stature_max_cm,
        found_date=case.recovery_date,
        found_lat=lat,
        found_lon=lon,
        found_place=case.recovery_place or "",
        pmi_min_days=case.pmi_min_days,
        pmi_max_days=case.pmi_max_days,
        document_names=tuple(case.document_names),
        marks=_marks(case.marks),
        effects=tuple(item.description for item in case.effects),
        dental=_dental(case.dental),
        dna=_dna(UnidentifiedRemains, case),
    )
