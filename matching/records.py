"""The case records the engine compares: a missing person (AM) and unidentified remains (PM).

Every field but ``ref`` may be empty; an empty field is neutral evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from shapely.geometry import LineString

from matching.errors import RecordError

if TYPE_CHECKING:  # matching.dna reads Sex from here
    from matching.dna import DnaEvidence


class Sex(StrEnum):
    """Reported or estimated sex; ``UNKNOWN`` is neutral evidence."""

    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


class LastSeenKind(StrEnum):
    """What kind of place the last-seen point is: families often give the last place they saw
    the person (home), not the last place the person was."""

    HOME = "home"  # where the family last saw them, before the journey
    DEPARTURE = "departure"  # where the journey or the crossing set out
    ROUTE = "route"  # on the way: a call, a sighting, a message from the route
    UNKNOWN = "unknown"


class ToothState(StrEnum):
    """State of one tooth in a dental chart."""

    SOUND = "V"
    MISSING = "M"
    FILLED = "F"
    CROWN = "C"


def is_fdi_tooth(tooth: int) -> bool:
    """Tell whether ``tooth`` is a permanent tooth in FDI notation (11–18, 21–28, 31–38, 41–48).

    Example:
        >>> is_fdi_tooth(36), is_fdi_tooth(19)
        (True, False)
    """
    return 1 <= tooth // 10 <= 4 and 1 <= tooth % 10 <= 8


@dataclass(frozen=True, slots=True)
class DentalEntry:
    """The state of one tooth, FDI numbered."""

    tooth: int
    state: ToothState

    def __post_init__(self) -> None:
        if not is_fdi_tooth(self.tooth):
            raise RecordError(f"{self.tooth} is not a tooth number in FDI notation (11–48)")


@dataclass(frozen=True, slots=True)
class Mark:
    """A distinguishing mark: a tattoo, scar, birthmark, piercing, amputation...

    ``kind`` and ``region`` are vocabulary terms (see ``matching.vocabulary``); ``side`` is
    "left", "right" or ""; ``description`` is the free text that remains.
    """

    kind: str
    region: str = ""
    side: str = ""
    description: str = ""

    def __str__(self) -> str:
        where = " ".join(part for part in (self.side, self.region) if part)
        text = self.kind + (f" on {where}" if where else "")
        return text + (f" ({self.description})" if self.description else "")


@dataclass(frozen=True, slots=True)
class MissingRecord:
    """What the family reported about a missing person (ante-mortem).

    ``route`` is a shapely LineString in lon/lat order. ``sea_crossing`` says the journey
    crossed the sea (bodies may drift far); ``None`` lets the engine infer it from
    ``last_seen_place`` (see docs/matching.md). ``last_seen_kind`` says what the last-seen
    point is (home, departure, on the route): from home, the route and not the point says where
    to look (see ``matching.last_seen``). ``dna`` holds DNA results of the family's
    references against remains profiles, each naming this record's ref.
    """

    ref: str
    given_names: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    birth_year: int | None = None
    age: float | None = None
    height_cm: float | None = None
    nationality: str | None = None
    last_seen_date: date | None = None
    last_seen_lat: float | None = None
    last_seen_lon: float | None = None
    last_seen_place: str = ""
    last_seen_kind: LastSeenKind = LastSeenKind.UNKNOWN
    route: LineString | None = None
    sea_crossing: bool | None = None
    marks: tuple[Mark, ...] = ()
    effects: tuple[str, ...] = ()
    dental: tuple[DentalEntry, ...] = ()
    name_bloom: bytes | None = None
    dna: tuple[DnaEvidence, ...] = ()

    def __post_init__(self) -> None:
        if not self.ref:
            raise RecordError("a missing-person record needs a ref")
        for evidence in self.dna:
            if evidence.missing_ref != self.ref:
                raise RecordError(
                    f"DNA evidence for {evidence.missing_ref} given with missing person {self.ref}"
                )


@dataclass(frozen=True, slots=True)
class RemainsRecord:
    """What the examination of unidentified remains found (post-mortem).

    ``document_names`` are names read on documents found with the remains; ``at_sea`` says
    the remains were recovered at sea or on a shore (``None``: inferred from ``found_place``).
    ``dna`` holds DNA results of the remains' profile against families, each naming this
    record's ref; when both records of a pair carry one, the remains' is used.
    """

    ref: str
    sex: Sex = Sex.UNKNOWN
    age_min: float | None = None
    age_max: float | None = None
    stature_min_cm: float | None = None
    stature_max_cm: float | None = None
    found_date: date | None = None
    found_lat: float | None = None
    found_lon: float | None = None
    found_place: str = ""
    pmi_min_days: float | None = None
    pmi_max_days: float | None = None
    document_names: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()
    effects: tuple[str, ...] = ()
    dental: tuple[DentalEntry, ...] = ()
    name_bloom: bytes | None = None
    at_sea: bool | None = None
    dna: tuple[DnaEvidence, ...] = ()

    def __post_init__(self) -> None:
        if not self.ref:
            raise RecordError("a remains record needs a ref")
        for evidence in self.dna:
            if evidence.remains_ref != self.ref:
                raise RecordError(
                    f"DNA evidence for {evidence.remains_ref} given with remains {self.ref}"
                )
