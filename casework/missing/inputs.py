"""What is recorded about a missing person, field by field: the one place a field of the
family's search request is declared (the form, the API, the importer and the demo all make a
`MissingPersonInput`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from casework.cases.inputs import (
    DENTAL,
    EFFECTS,
    MARKS,
    SEX_CHOICES,
    BirthDate,
    CaseInput,
    Choice,
    Coordinate,
    Country,
    Day,
    Flag,
    Item,
    Mark,
    Names,
    Route,
    Text,
    Tooth,
    Whole,
    entry,
)
from casework.cases.models import Sex
from casework.errors import ValidationError
from casework.missing.models import LastSeenKind

LAST_SEEN_KIND_CHOICES = [
    SelectChoice(LastSeenKind.UNKNOWN.value, _l("Not known")),
    SelectChoice(LastSeenKind.HOME.value, _l("At home, before the journey")),
    SelectChoice(LastSeenKind.DEPARTURE.value, _l("Where the journey or the crossing set out")),
    SelectChoice(LastSeenKind.ROUTE.value, _l("On the way (a call, a message, a sighting)")),
]


@dataclass(frozen=True)
class MissingPersonInput(CaseInput):
    json_name: ClassVar[str] = "MissingPersonInput"
    json_description: ClassVar[str] = (
        "A missing person's case as a client writes it. Absent fields are empty on creation and "
        "unchanged on update."
    )

    given_names: str | None = entry(Text(_l("Given names"), "Given names.", 200))
    surnames: str | None = entry(Text(_l("Surnames"), "Surnames.", 200))
    aliases: tuple[str, ...] = entry(
        Names(_l("Other names and spellings (separated by ;)"), "Other names and spellings.", 500)
    )
    sex: Sex = entry(
        Choice(
            _l("Sex"),
            "F, M or U (unknown).",
            Sex,
            choices=SEX_CHOICES,
            default=Sex.UNKNOWN,
            message=_l("Sex must be F, M or U (unknown)."),
        )
    )
    birth_date: str | None = entry(
        BirthDate(_l("Birth date (YYYY-MM-DD or year)"), "YYYY-MM-DD, or only the year YYYY.")
    )
    age_at_disappearance: int | None = entry(
        Whole(_l("Age when last seen"), "Age when last seen.", 0, 120)
    )
    height_cm: int | None = entry(Whole(_l("Height (cm)"), "Height in centimetres.", 40, 260))
    nationality: str | None = entry(
        Country(_l("Nationality (ISO code, e.g. GTM)"), "ISO 3166 alpha-3 code.")
    )
    languages: str | None = entry(Text(_l("Languages spoken"), "Languages spoken.", 200))
    last_seen_date: date | None = entry(
        Day(
            _l("Last seen on"),
            "Last seen on (not in the future).",
            future=_l("The last-seen date is in the future."),
        )
    )
    last_seen_place: str | None = entry(
        Text(_l("Last seen at (place)"), "Last seen at (place).", 300)
    )
    last_seen_kind: LastSeenKind = entry(
        Choice(
            _l("Kind of last-seen place"),
            "unknown, home (where the family last saw them, before the journey), departure "
            "(where the journey or the crossing set out) or route (on the way).",
            LastSeenKind,
            choices=LAST_SEEN_KIND_CHOICES,
            default=LastSeenKind.UNKNOWN,
            message=_l("The kind of last-seen place must be unknown, home, departure or route."),
        )
    )
    last_seen_lat: float | None = entry(
        Coordinate(
            _l("Latitude"),
            "Latitude of the last-seen point.",
            point="last_seen_point",
            latitude=None,
        )
    )
    last_seen_lon: float | None = entry(
        Coordinate(
            _l("Longitude"),
            "Longitude of the last-seen point.",
            point="last_seen_point",
            latitude="last_seen_lat",
        )
    )
    intended_route: Any = entry(
        Route(
            _l("Intended route (LINESTRING (lon lat, lon lat, ...))"),
            "WKT LINESTRING (lon lat, lon lat, ...).",
        )
    )
    sea_crossing: bool = entry(
        Flag(_l("The journey included a sea crossing"), "The journey included a sea crossing.")
    )
    circumstances: str | None = entry(
        Text(
            _l("Circumstances of the disappearance"),
            "Circumstances of the disappearance.",
            20000,
            lines=True,
        )
    )
    medical_notes: str | None = entry(
        Text(_l("Medical notes"), "Medical notes.", 20000, lines=True)
    )
    marks: tuple[Mark, ...] = entry(MARKS)
    effects: tuple[Item, ...] = entry(EFFECTS)
    dental: tuple[Tooth, ...] = entry(DENTAL)

    def check(self) -> None:
        if not (self.given_names or self.surnames or self.aliases):
            raise ValidationError(
                _l("Give at least one name: a given name, a surname or an alias."),
                field="given_names",
            )
