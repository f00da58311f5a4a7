"""The people behind the demo cases: the shared synthetic world (`matching.synthetic`) with
what an installation knows beyond the engine's records: nationalities, languages, phone
numbers, and which office works each corridor."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from shapely import LineString

from casework.cases.models import Sex, ToothState
from matching.synthetic import Corridor, Era, SyntheticPerson, synthetic_people, synthetic_person


@dataclass(frozen=True)
class CorridorOffice:
    """Who recovers and examines the dead of a corridor, and which laboratory profiles them."""

    forensic_agency: str  # an agency code of `casework.demo.agencies.AGENCIES`
    recovered_by: tuple[str, ...]
    lab: str


OFFICES = {
    "sonoran": CorridorOffice(
        "USA-PIMA-ME",
        ("Border Patrol search and rescue", "Pima County Sheriff", "Humanitarian volunteers"),
        "Human identification laboratory (DNA), Texas",
    ),
    "darien": CorridorOffice(
        "PAN-IMELCF",
        ("SENAFRONT patrol", "Emberá community guides", "Red Cross volunteers"),
        "IMELCF genetics laboratory, Panama City",
    ),
    "central_med": CorridorOffice(
        "ITA-IML-PA",
        ("Coast Guard", "Guardia di Finanza", "Fishing boat crew"),
        "Forensic genetics laboratory, Palermo",
    ),
    "atlantic": CorridorOffice(
        "ESP-IML-LP",
        ("Salvamento Marítimo", "Guardia Civil", "Fishing boat crew"),
        "National Institute of Toxicology and Forensic Sciences, Madrid",
    ),
}
NATIONALITIES = {
    "central_american": (("GTM", 0.45), ("HND", 0.35), ("SLV", 0.1), ("MEX", 0.1)),
    "maghreb": (("MAR", 0.5), ("TUN", 0.3), ("DZA", 0.2)),
    "horn": (("ERI", 0.5), ("SOM", 0.3), ("ETH", 0.2)),
    "west_african": (("SEN", 0.45), ("GIN", 0.2), ("MLI", 0.15), ("GMB", 0.1), ("CIV", 0.1)),
}
LANGUAGES = {
    "GTM": ("Spanish", "Spanish, K'iche'", "Spanish, Q'eqchi'", "Spanish, Mam"),
    "HND": ("Spanish", "Spanish, Garifuna"),
    "SLV": ("Spanish",),
    "MEX": ("Spanish", "Spanish, Nahuatl"),
    "MAR": ("Arabic, French", "Tamazight, Arabic"),
    "TUN": ("Arabic, French",),
    "DZA": ("Arabic, French", "Kabyle, French"),
    "ERI": ("Tigrinya", "Tigrinya, Arabic"),
    "SOM": ("Somali", "Somali, Arabic"),
    "ETH": ("Amharic", "Oromo, Amharic"),
    "SEN": ("Wolof, French", "Pulaar, French", "Serer, Wolof"),
    "GIN": ("Pulaar, French", "Susu, French"),
    "MLI": ("Bambara, French",),
    "GMB": ("Mandinka, English", "Wolof, English"),
    "CIV": ("French, Dioula",),
}
PHONE_PREFIX = {
    "GTM": "+502",
    "HND": "+504",
    "SLV": "+503",
    "MEX": "+52",
    "MAR": "+212",
    "TUN": "+216",
    "DZA": "+213",
    "ERI": "+291",
    "SOM": "+252",
    "ETH": "+251",
    "SEN": "+221",
    "GIN": "+224",
    "MLI": "+223",
    "GMB": "+220",
    "CIV": "+225",
}
LANGUAGE_CODE = {
    "GTM": "es",
    "HND": "es",
    "SLV": "es",
    "MEX": "es",
    "MAR": "ar",
    "TUN": "ar",
    "DZA": "ar",
    "ERI": "ti",
    "SOM": "so",
    "ETH": "am",
    "SEN": "wo",
    "GMB": "en",
}
# demo people went missing between six years and four months ago
YEARS_BACK, LEAST_DAYS_AGO = 6, 120


@dataclass(frozen=True)
class DemoPerson:
    """Who someone really was, in the app's terms: each case shows only part of it, with noise.
    `marks` and `effects` index `matching.synthetic.MARKS` and `EFFECTS`."""

    culture: str
    nationality: str
    sex: Sex
    given: str
    surnames: str
    birth: date
    height: float
    corridor: Corridor
    office: CorridorOffice
    route: LineString
    last_seen: date
    last_seen_point: tuple[float, float]  # lon, lat
    marks: tuple[int, ...]
    effects: tuple[int, ...]
    dental: dict[int, ToothState]


def demo_era(today: date) -> Era:
    days = YEARS_BACK * 365
    return Era(today - timedelta(days=days), days - LEAST_DAYS_AGO)


class DemoPeople:
    """Draws demo people: the shared world's people, each given a nationality of their culture
    (relatives travelling together share it). The same seed gives the same people."""

    def __init__(self, seed: int, today: date) -> None:
        self.era = demo_era(today)
        self._world = np.random.default_rng(seed)
        self._rng = random.Random(f"{seed}:nationalities")
        self._nationality: dict[int, str] = {}

    def group(self, count: int) -> list[DemoPerson]:
        """`count` people, some of them relatives travelling together."""
        return [
            self._in_app_terms(truth) for truth in synthetic_people(self._world, count, self.era)
        ]

    def one(self) -> DemoPerson:
        """One more person, travelling alone."""
        return self._in_app_terms(synthetic_person(self._world, self.era))

    def _in_app_terms(self, truth: SyntheticPerson) -> DemoPerson:
        if truth.family is not None:
            nationality = self._nationality[id(truth.family)]
        else:
            options = NATIONALITIES[truth.culture]
            nationality = self._rng.choices([o for o, _ in options], [w for _, w in options])[0]
        self._nationality[id(truth)] = nationality
        return DemoPerson(
            culture=truth.culture,
            nationality=nationality,
            sex=Sex(truth.sex),
            given=" ".join(truth.given),
            surnames=" ".join(truth.surnames),
            birth=truth.birth,
            height=truth.height,
            corridor=truth.corridor,
            office=OFFICES[truth.corridor.name],
            route=truth.route,
            last_seen=truth.last_seen,
            last_seen_point=truth.last_seen_point,
            marks=truth.marks,
            effects=truth.effects,
            dental={tooth: ToothState(state.value) for tooth, state in truth.dental.items()},
        )


def demo_people(count: int, seed: int, today: date) -> list[DemoPerson]:
    """The people behind the demo cases, some travelling with relatives; the same for a seed.

    Example:
        >>> people = demo_people(3, seed=1, today=date(2026, 6, 1))
        >>> len(people)
        3
    """
    return DemoPeople(seed, today).group(count)


__all__ = [
    "LANGUAGES",
    "LANGUAGE_CODE",
    "NATIONALITIES",
    "OFFICES",
    "PHONE_PREFIX",
    "CorridorOffice",
    "DemoPeople",
    "DemoPerson",
    "demo_era",
    "demo_people",
]
