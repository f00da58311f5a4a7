"""The records the application hands to the exporter: a missing person (ante-mortem) report and
an unidentified remains (post-mortem) case, as plain dataclasses holding personal data.

Nothing here leaves the installation as is; `exchange.anonymise` decides what may.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class Sex(enum.StrEnum):
    """Sex as recorded or estimated."""

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class GeoPoint:
    """A point in WGS 84 (EPSG:4326) degrees."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Mark:
    """A body mark as an officer wrote it down: a kind, where on the body, and a description.

    Attributes:
        kind: e.g. "tattoo", "scar", "birthmark" (free text is mapped to the vocabulary).
        location: e.g. "left forearm".
        description: free text, e.g. "a rose and the name MARIA"; only vocabulary words survive.
    """

    kind: str
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class Effect:
    """A personal effect or a piece of clothing: a category and a description."""

    category: str
    description: str = ""


@dataclass(frozen=True)
class DentalFinding:
    """One tooth in FDI notation (11-18, 21-28, 31-38, 41-48) and its state."""

    tooth: int
    state: str


@dataclass(frozen=True)
class MissingPersonRecord:
    """A missing person report as held by the family liaison service (contains personal data).

    Attributes:
        local_id: the record's identifier in our database; never sent, only pseudonymised.
        given_names, surnames, aliases: names as reported; sent only as Bloom-filter encodings.
        birth_date, birth_year, stated_age: whichever is known; sent as a 5-year age band.
        height_cm: reported height; sent as a 5 cm band.
        nationality: ISO 3166-1 alpha-3.
        last_seen_date, last_seen_point: sent as a month and a 0.1-degree grid cell.
        route: countries of the journey (ISO alpha-3), in order.
        marks, effects, dental: secondary and primary identifiers.
        free_text, contacts, photo_refs: never sent.
    """

    local_id: str
    given_names: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    birth_year: int | None = None
    stated_age: int | None = None
    height_cm: int | None = None
    nationality: str | None = None
    last_seen_date: date | None = None
    last_seen_point: GeoPoint | None = None
    route: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()
    effects: tuple[Effect, ...] = ()
    dental: tuple[DentalFinding, ...] = ()
    free_text: str = ""
    contacts: tuple[str, ...] = field(default=(), repr=False)
    photo_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemainsRecord:
    """An unidentified remains case as held by the forensic service.

    Attributes:
        local_id: the case identifier in our database; never sent, only pseudonymised.
        age_min, age_max: estimated age range in years.
        stature_min_cm, stature_max_cm: estimated stature range.
        found_date, found_point, found_uncertainty_m: where and when recovered.
        pmi_min_days, pmi_max_days: post-mortem interval estimate.
        document_names: names read on documents found with the remains; sent only encoded.
        notes: never sent.
    """

    local_id: str
    sex: Sex = Sex.UNKNOWN
    age_min: int | None = None
    age_max: int | None = None
    stature_min_cm: int | None = None
    stature_max_cm: int | None = None
    found_date: date | None = None
    found_point: GeoPoint | None = None
    found_uncertainty_m: int | None = None
    pmi_min_days: int | None = None
    pmi_max_days: int | None = None
    document_names: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()
    effects: tuple[Effect, ...] = ()
    dental: tuple[DentalFinding, ...] = ()
    notes: str = ""
