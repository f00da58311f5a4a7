"""Small random populations of cases for the matching tests (the big ones live in bench/)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from shapely.geometry import LineString

from matching import DentalEntry, Mark, MissingRecord, RemainsRecord, Sex, ToothState

GIVEN = ["Ana", "José", "Mohamed", "Youssef", "Yonas", "Aminata", "Moussa", "Fatima", "Kevin"]
SURNAMES = ["López", "García", "Traoré", "Diallo", "Tesfay", "Haile", "Benali", "Cruz", "Sow"]
EFFECTS = ["black hoodie", "rosary", "blue jeans", "red cap", "watch", "sandals"]
MARKS = [Mark("tattoo", "arm", "left", "rose"), Mark("scar", "leg", "right"), Mark("mole", "face")]
STATES = list(ToothState)


def _maybe(rng: np.random.Generator, value: object, share: float = 0.6) -> object:
    return value if rng.random() < share else None


def random_population(
    seed: int, missing_count: int, remains_count: int
) -> tuple[list[MissingRecord], list[RemainsRecord]]:
    """Varied records with many empty fields, on three overlapping routes."""
    rng = np.random.default_rng(seed)
    routes = [
        LineString([(-111.8, 30.7), (-111.5, 31.5), (-111.0, 32.2)]),
        LineString([(12.1, 32.9), (12.6, 35.5)]),
        LineString([(-17.0, 20.9), (-17.9, 27.7)]),
    ]
    missing = []
    for i in range(missing_count):
        route = routes[int(rng.integers(3))]
        start = route.coords[0]
        missing.append(
            MissingRecord(
                ref=f"M{i}",
                given_names=(GIVEN[int(rng.integers(len(GIVEN)))],) if rng.random() < 0.8 else (),
                surnames=(SURNAMES[int(rng.integers(len(SURNAMES)))],)
                if rng.random() < 0.8
                else (),
                sex=[Sex.MALE, Sex.FEMALE, Sex.UNKNOWN][int(rng.integers(3))],
                age=_maybe(rng, float(rng.integers(15, 50))),  # type: ignore[arg-type]
                height_cm=_maybe(rng, float(rng.integers(150, 190))),  # type: ignore[arg-type]
                last_seen_date=_maybe(  # type: ignore[arg-type]
                    rng, date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 900))), 0.8
                ),
                last_seen_lat=start[1] if rng.random() < 0.5 else None,
                last_seen_lon=start[0],
                route=route if rng.random() < 0.6 else None,
                sea_crossing=True if route.coords[0][0] > -20 and rng.random() < 0.3 else None,
                marks=(MARKS[int(rng.integers(3))],) if rng.random() < 0.3 else (),
                effects=tuple(rng.choice(EFFECTS, int(rng.integers(0, 3)), replace=False)),
                dental=tuple(
                    DentalEntry(int(t), STATES[int(rng.integers(4))])
                    for t in rng.choice(
                        [11, 16, 21, 26, 36, 46], int(rng.integers(0, 4)), replace=False
                    )
                ),
            )
        )
    remains = []
    for i in range(remains_count):
        route = routes[int(rng.integers(3))]
        point = route.interpolate(float(rng.random()), normalized=True)
        found = date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 1000)))
        pmi = float(rng.integers(2, 200))
        names = (f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",) if rng.random() < 0.3 else ()
        remains.append(
            RemainsRecord(
                ref=f"R{i}",
                sex=[Sex.MALE, Sex.FEMALE, Sex.UNKNOWN][int(rng.integers(3))],
                age_min=_maybe(rng, 20.0),  # type: ignore[arg-type]
                age_max=_maybe(rng, 35.0),  # type: ignore[arg-type]
                stature_min_cm=_maybe(rng, 160.0),  # type: ignore[arg-type]
                stature_max_cm=_maybe(rng, 175.0),  # type: ignore[arg-type]
                found_date=_maybe(rng, found, 0.9),  # type: ignore[arg-type]
                found_lat=point.y + float(rng.normal(0, 0.3)),
                found_lon=point.x + float(rng.normal(0, 0.3)),
                pmi_min_days=_maybe(rng, pmi / 2),  # type: ignore[arg-type]
                pmi_max_days=pmi * 2,
                document_names=names,
                marks=(MARKS[int(rng.integers(3))],) if rng.random() < 0.3 else (),
                effects=tuple(rng.choice(EFFECTS, int(rng.integers(0, 3)), replace=False)),
                dental=tuple(
                    DentalEntry(int(t), STATES[int(rng.integers(4))])
                    for t in rng.choice(
                        [11, 16, 21, 26, 36, 46], int(rng.integers(0, 5)), replace=False
                    )
                ),
            )
        )
    return missing, remains


@pytest.fixture(scope="module")
def population() -> tuple[list[MissingRecord], list[RemainsRecord]]:
    return random_population(seed=11, missing_count=250, remains_count=40)
