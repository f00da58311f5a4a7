"""Biological profile, time and space evidence: levels, exclusions, and neutral missing values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import LineString

from matching import (
    MatchingError,
    MatchSettings,
    MissingRecord,
    RemainsRecord,
    Sex,
    default_weights,
    distance_km,
    distance_to_route_km,
    pair_levels,
    score_pair,
)
from matching.weights import CRITERIA

AS_OF = date(2025, 1, 1)


@dataclass(frozen=True)
class LevelCase:
    why: str
    criterion: str
    missing: dict[str, Any]
    remains: dict[str, Any]
    expected: str  # a level name, "not compared" or "excluded"
    as_of: date | None = field(default=AS_OF)


LEVEL_CASES = [
    # sex
    LevelCase("sex agrees", "sex", {"sex": Sex.MALE}, {"sex": Sex.MALE}, "agree"),
    LevelCase("sex differs", "sex", {"sex": Sex.MALE}, {"sex": Sex.FEMALE}, "disagree"),
    LevelCase(
        "unknown sex is neutral", "sex", {"sex": Sex.UNKNOWN}, {"sex": Sex.FEMALE}, "not compared"
    ),
    LevelCase(
        "undetermined remains", "sex", {"sex": Sex.MALE}, {"sex": Sex.UNKNOWN}, "not compared"
    ),
    # stature vs reported height
    LevelCase(
        "height in the middle of the range",
        "stature",
        {"height_cm": 170},
        {"stature_min_cm": 165, "stature_max_cm": 175},
        "central",
    ),
    LevelCase(
        "height inside the range, off its middle",
        "stature",
        {"height_cm": 174},
        {"stature_min_cm": 165, "stature_max_cm": 175},
        "within",
    ),
    LevelCase(
        "height at the edge of the central half",
        "stature",
        {"height_cm": 172.5},
        {"stature_min_cm": 165, "stature_max_cm": 175},
        "central",
    ),
    LevelCase(
        "one end of the range unknown: no middle",
        "stature",
        {"height_cm": 170},
        {"stature_min_cm": 165},
        "within",
    ),
    LevelCase(
        "height within tolerance",
        "stature",
        {"height_cm": 178},
        {"stature_min_cm": 165, "stature_max_cm": 175},
        "within",
    ),
    LevelCase(
        "height near",
        "stature",
        {"height_cm": 182},
        {"stature_min_cm": 165, "stature_max_cm": 175},
        "near",
    ),
    LevelCase(
        "height far",
        "stature",
        {"height_cm": 190},
        {"stature_min_cm": 165, "stature_max_cm": 175},
        "far",
    ),
    LevelCase("open-ended range", "stature", {"height_cm": 190}, {"stature_min_cm": 180}, "within"),
    LevelCase(
        "no height", "stature", {}, {"stature_min_cm": 165, "stature_max_cm": 175}, "not compared"
    ),
    LevelCase("no stature", "stature", {"height_cm": 170}, {}, "not compared"),
    # age: age at disappearance plus the time elapsed until death
    LevelCase(
        "age in the middle of the range",
        "age",
        {"age": 25},
        {"age_min": 20, "age_max": 30},
        "central",
    ),
    LevelCase(
        "age inside the range, off its middle",
        "age",
        {"age": 21},
        {"age_min": 20, "age_max": 30},
        "within",
    ),
    LevelCase(
        "elapsed years count",
        "age",
        {"age": 25, "last_seen_date": date(2015, 1, 1)},
        {"age_min": 33, "age_max": 40, "found_date": date(2024, 1, 1)},
        "within",
    ),
    LevelCase(
        "elapsed time up to as_of when found date unknown",
        "age",
        {"age": 25, "last_seen_date": date(2015, 1, 1)},
        {"age_min": 33, "age_max": 40},
        "within",
    ),
    LevelCase(
        "no as_of, no found date: age at disappearance only",
        "age",
        {"age": 25, "last_seen_date": date(2015, 1, 1)},
        {"age_min": 33, "age_max": 40},
        "far",
        None,
    ),
    LevelCase(
        "birth date gives the age",
        "age",
        {"birth_date": date(1990, 6, 1)},
        {"age_min": 30, "age_max": 35, "found_date": date(2023, 1, 1)},
        "central",
    ),
    LevelCase(
        "birth year only",
        "age",
        {"birth_year": 2000, "last_seen_date": date(2020, 3, 1)},
        {"age_min": 10, "age_max": 14, "found_date": date(2020, 4, 1)},
        "near",
    ),
    LevelCase("age far", "age", {"age": 60}, {"age_min": 18, "age_max": 25}, "far"),
    LevelCase("no age at all", "age", {}, {"age_min": 18, "age_max": 25}, "not compared"),
    # time
    LevelCase(
        "found days after last seen",
        "interval",
        {"last_seen_date": date(2024, 5, 1)},
        {"found_date": date(2024, 5, 9)},
        "week",
    ),
    LevelCase(
        "found years later (bounds x 8 over land)",
        "interval",
        {"last_seen_date": date(2004, 5, 1)},
        {"found_date": date(2024, 5, 9)},
        "later",
    ),
    LevelCase(
        "found a day before the reported last sighting: within tolerance",
        "interval",
        {"last_seen_date": date(2024, 5, 2)},
        {"found_date": date(2024, 5, 1)},
        "week",
    ),
    LevelCase(
        "found well before last seen",
        "interval",
        {"last_seen_date": date(2024, 5, 20)},
        {"found_date": date(2024, 5, 1)},
        "excluded",
    ),
    LevelCase(
        "no last-seen date", "interval", {}, {"found_date": date(2024, 5, 1)}, "not compared"
    ),
    LevelCase(
        "last seen 3 days before the estimated death (PMI 10-25 days: about 16)",
        "pmi",
        {"last_seen_date": date(2024, 5, 1)},
        {"found_date": date(2024, 5, 20), "pmi_min_days": 10, "pmi_max_days": 25},
        "at_estimate",
    ),
    LevelCase(
        "last seen 20 days before the estimated death (PMI 30-120 days: about 60)",
        "pmi",
        {"last_seen_date": date(2024, 3, 1)},
        {"found_date": date(2024, 5, 20), "pmi_min_days": 30, "pmi_max_days": 120},
        "within_month",
    ),
    LevelCase(
        "last seen after the estimated death, before the least PMI",
        "pmi",
        {"last_seen_date": date(2024, 11, 20)},
        {"found_date": date(2025, 1, 20), "pmi_min_days": 30, "pmi_max_days": 400},
        "after_estimate",
    ),
    LevelCase(
        "last seen five months before the estimated death (PMI 30-400 days: about 110)",
        "pmi",
        {"last_seen_date": date(2024, 5, 1)},
        {"found_date": date(2025, 1, 20), "pmi_min_days": 30, "pmi_max_days": 400},
        "later",
    ),
    LevelCase(
        "death estimated well after last seen",
        "pmi",
        {"last_seen_date": date(2024, 1, 1)},
        {"found_date": date(2024, 5, 20), "pmi_min_days": 10, "pmi_max_days": 25},
        "later",
    ),
    LevelCase(
        "PMI puts death a little before last seen",
        "pmi",
        {"last_seen_date": date(2024, 5, 15)},
        {"found_date": date(2024, 5, 20), "pmi_min_days": 10, "pmi_max_days": 25},
        "borderline",
    ),
    LevelCase(
        "PMI puts death long before last seen",
        "pmi",
        {"last_seen_date": date(2024, 5, 15)},
        {"found_date": date(2024, 5, 20), "pmi_min_days": 100, "pmi_max_days": 200},
        "inconsistent",
    ),
    LevelCase(
        "no PMI",
        "pmi",
        {"last_seen_date": date(2024, 5, 15)},
        {"found_date": date(2024, 5, 20)},
        "not compared",
    ),
    # space
    LevelCase(
        "found near the last-seen point",
        "distance",
        {"last_seen_lat": 31.5, "last_seen_lon": -111.5},
        {"found_lat": 31.55, "found_lon": -111.5},
        "km2",
    ),
    LevelCase(
        "found far from the last-seen point, no route reported (bounds x 4)",
        "distance",
        {"last_seen_lat": 31.5, "last_seen_lon": -111.5},
        {"found_lat": 33.5, "found_lon": -111.5},
        "km60",
    ),
    LevelCase(
        "found near the route, far from the last-seen point",
        "distance",
        {
            "last_seen_lat": 30.0,
            "last_seen_lon": -111.8,
            "route": LineString([(-111.8, 30.0), (-111.0, 32.2)]),
        },
        {"found_lat": 31.1, "found_lon": -111.4},
        "km2",
    ),
    LevelCase(
        "route only",
        "distance",
        {"route": LineString([(12.1, 32.9), (12.6, 35.5)])},
        {"found_lat": 34.0, "found_lon": 13.0},
        "km100",
    ),
    LevelCase(
        "sea crossing allows drift",
        "distance",
        {"route": LineString([(12.1, 32.9), (12.6, 35.5)]), "sea_crossing": True},
        {"found_lat": 34.0, "found_lon": 13.0},
        "km15",
    ),
    LevelCase(
        "recovered on a beach allows drift",
        "distance",
        {"route": LineString([(12.1, 32.9), (12.6, 35.5)])},
        {"found_lat": 34.0, "found_lon": 13.0, "found_place": "Playa de Lampedusa"},
        "km15",
    ),
    LevelCase(
        "no position", "distance", {}, {"found_lat": 34.0, "found_lon": 13.0}, "not compared"
    ),
]


@pytest.mark.parametrize("case", LEVEL_CASES, ids=lambda c: c.why)
def test_levels(case: LevelCase) -> None:
    missing = MissingRecord("M1", **case.missing)
    remains = RemainsRecord("R1", **case.remains)
    candidate = score_pair(missing, remains, as_of=case.as_of)
    if case.expected == "excluded":
        assert candidate.score == 0.0 and not candidate.review
        assert candidate.evidence[0].criterion == "exclusion"
        assert "before the person was last seen" in candidate.evidence[0].text
        return
    assert candidate.score > 0.0
    level = int(pair_levels([missing], [remains], as_of=case.as_of)[case.criterion][0])
    named = [e for e in candidate.evidence if e.criterion == case.criterion]
    if case.expected == "not compared":
        assert level == 0 and not named
    else:
        assert CRITERIA[case.criterion][level - 1] == case.expected
        assert len(named) == 1 and named[0].text


def test_tolerances_come_from_settings() -> None:
    missing = MissingRecord("M1", last_seen_date=date(2024, 5, 20))
    remains = RemainsRecord("R1", found_date=date(2024, 5, 1))
    lenient = MatchSettings(last_seen_tolerance_days=30)
    assert score_pair(missing, remains).score == 0.0
    assert score_pair(missing, remains, settings=lenient).score > 0.0


def test_time_and_place_rules_come_from_settings() -> None:
    seen = MissingRecord("M1", last_seen_date=date(2024, 5, 1))
    with_pmi = RemainsRecord("R1", found_date=date(2024, 6, 1), pmi_min_days=10, pmi_max_days=40)
    old_rules = MatchSettings(pmi_replaces_interval=False, land_interval_factor=1.0)
    # the PMI and the interval measure the same time: only the PMI counts by default
    assert pair_levels([seen], [with_pmi])["interval"].tolist() == [0]
    assert pair_levels([seen], [with_pmi], settings=old_rules)["interval"].tolist() == [4]
    # over land a month's interval is as good as days; at sea it is not
    land = RemainsRecord("R2", found_date=date(2024, 6, 1))
    sea = RemainsRecord("R3", found_date=date(2024, 6, 1), found_place="Lampedusa coast")
    assert pair_levels([seen, seen], [land, sea])["interval"].tolist() == [1, 4]
    # a point-only report is judged leniently on distance
    point = MissingRecord("M2", last_seen_lat=31.5, last_seen_lon=-111.5)
    found = RemainsRecord("R4", found_lat=33.5, found_lon=-111.5)
    strict = MatchSettings(point_only_factor=1.0)
    assert pair_levels([point], [found], settings=strict)["distance"].tolist() == [10]
    assert pair_levels([point], [found])["distance"].tolist() == [7]


def test_empty_records_are_neutral() -> None:
    candidate = score_pair(MissingRecord("M1"), RemainsRecord("R1"))
    assert candidate.evidence == ()
    assert candidate.score == pytest.approx(default_weights().prior)


def test_stature_explanation_reads_like_a_note() -> None:
    candidate = score_pair(
        MissingRecord("M1", height_cm=170),
        RemainsRecord("R1", stature_min_cm=165, stature_max_cm=175),
    )
    assert str(candidate.evidence[0]) == (
        "Stature 165–175 cm consistent with reported height 170 cm, near the middle of the "
        "range (+1.6)"
    )


def test_contradicting_evidence_lowers_the_score() -> None:
    base = score_pair(MissingRecord("M1", sex=Sex.MALE), RemainsRecord("R1", sex=Sex.MALE)).score
    lowered = score_pair(MissingRecord("M1", sex=Sex.MALE), RemainsRecord("R1", sex=Sex.FEMALE))
    assert lowered.score < base
    assert lowered.evidence[0].weight < 0


GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize(
    ("lat1", "lon1", "lat2", "lon2"),
    [
        (31.5, -111.5, 32.2, -110.9),
        (32.9, 12.1, 35.5, 12.6),
        (8.4, -76.8, 8.36, -77.8),
        (0, 0, 0, 90),
    ],
)
def test_distances_are_geodesic_within_half_a_percent(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    assert float(distance_km(lat1, lon1, lat2, lon2)) == pytest.approx(metres / 1000, rel=0.005)


def test_route_distance_uses_the_perpendicular_inside_a_segment() -> None:
    route = LineString([(0, 0), (2, 0), (2, 2)])
    assert distance_to_route_km(1.0, 1.0, route) == pytest.approx(111.2, abs=0.5)
    # beyond the end, the end point is nearest
    assert distance_to_route_km(0.0, -1.0, route) == pytest.approx(111.2, abs=0.5)
    assert distance_to_route_km(3.0, 2.0, route) == pytest.approx(111.2, abs=0.5)
    assert distance_to_route_km(1.0, 0.0, LineString([(0, 1), (0, 1)])) == pytest.approx(0.0)


def test_no_central_fraction_leaves_within_the_strongest_range_level() -> None:
    missing = [MissingRecord("M1", height_cm=170, age=25)]
    remains = [RemainsRecord("R1", stature_min_cm=165, stature_max_cm=175, age_min=20, age_max=30)]
    plain = pair_levels(missing, remains, settings=MatchSettings(range_central_fraction=0.0))
    assert CRITERIA["stature"][int(plain["stature"][0]) - 1] == "within"
    assert CRITERIA["age"][int(plain["age"][0]) - 1] == "within"
    wider = pair_levels(
        [MissingRecord("M1", height_cm=174)],
        remains,
        settings=MatchSettings(range_central_fraction=0.9),
    )
    assert CRITERIA["stature"][int(wider["stature"][0]) - 1] == "central"


def test_the_middle_of_a_range_weighs_more_than_its_edge() -> None:
    body = RemainsRecord("R1", stature_min_cm=165, stature_max_cm=175)
    middle = score_pair(MissingRecord("M1", height_cm=170), body)
    edge = score_pair(MissingRecord("M2", height_cm=175), body)
    assert middle.score > edge.score
    assert "near the middle of the range" in middle.evidence[0].text
    assert "middle" not in edge.evidence[0].text


def test_pmi_explanation_names_the_estimated_death() -> None:
    seen = MissingRecord("M1", last_seen_date=date(2024, 3, 1))
    # PMI 30-120 days: estimated 60 days (the geometric middle), death about 2024-03-21
    body = RemainsRecord("R1", found_date=date(2024, 5, 20), pmi_min_days=30, pmi_max_days=120)
    (evidence,) = [e for e in score_pair(seen, body).evidence if e.criterion == "pmi"]
    assert evidence.text == (
        "PMI 30–120 days puts death about 2024-03-21, 20 days after last seen (2024-03-01)"
    )
    assert evidence.weight > 0
    too_late = MissingRecord("M2", last_seen_date=date(2024, 5, 15))
    (evidence,) = [e for e in score_pair(too_late, body).evidence if e.criterion == "pmi"]
    assert evidence.text == "PMI 30–120 days puts death by 2024-04-20, 25 days before last seen"
    assert evidence.weight < 0


@pytest.mark.parametrize(
    "bad",
    [
        {"interval_days": (7.0, 15.0)},
        {"pmi_gap_days": (4.0, -3.0, 8.0, 15.0, 30.0, 60.0, 120.0)},
        {"distance_thresholds_km": ()},
    ],
)
def test_level_bounds_must_fit_the_levels(bad: dict[str, tuple[float, ...]]) -> None:
    with pytest.raises(MatchingError, match="ascending bounds"):
        MatchSettings(**bad)  # type: ignore[arg-type]


def test_an_age_at_death_known_to_the_year_reads_as_one_age() -> None:
    person = MissingRecord("M1", birth_date=date(1990, 1, 1), last_seen_date=date(2022, 6, 1))
    body = RemainsRecord("R1", age_min=26, age_max=38, found_date=date(2022, 6, 20))
    (evidence,) = [e for e in score_pair(person, body).evidence if e.criterion == "age"]
    assert "age at death about 32, near the middle" in evidence.text
