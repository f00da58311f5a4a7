"""Last seen at home, at a departure point or on the route: how much the distance and the time
from that point count (matching/last_seen.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from shapely.geometry import LineString

from matching import (
    CandidateIndex,
    LastSeenKind,
    MissingRecord,
    RemainsRecord,
    Sex,
    parse_missing_row,
    score_pair,
)
from matching.geodesy import distance_to_route_km

AS_OF = date(2024, 1, 1)
# Guatemala City to the Sonoran desert through Mexico, lon/lat
ROUTE = LineString([(-90.51, 14.63), (-92.26, 14.90), (-99.13, 19.43), (-110.97, 31.33)])
FOUND = (31.95, -111.90)  # west of Sasabe, Arizona

BODY = RemainsRecord(
    "R1",
    sex=Sex.MALE,
    age_min=25,
    age_max=40,
    found_date=date(2023, 7, 1),
    found_lat=FOUND[0],
    found_lon=FOUND[1],
    pmi_min_days=14,
    pmi_max_days=60,
    document_names=("ELADIO QUINTANILLA HERNANDEZ",),
)
# the family last saw him at home in Guatemala City, four months before the recovery
ELADIO = MissingRecord(
    "M-ELADIO",
    given_names=("Eladio",),
    surnames=("Quintanilla Hernández",),
    sex=Sex.MALE,
    age=31,
    last_seen_date=date(2023, 3, 1),
    last_seen_lat=14.63,
    last_seen_lon=-90.51,
    last_seen_place="home, zona 18, Guatemala City",
    route=ROUTE,
)
# another man, seen near the recovery point a few weeks before, whose name is not on the document
NEAR = MissingRecord(
    "M-NEAR",
    given_names=("José",),
    surnames=("López",),
    sex=Sex.MALE,
    age=33,
    last_seen_date=date(2023, 6, 1),
    last_seen_lat=31.60,
    last_seen_lon=-111.40,
    last_seen_kind=LastSeenKind.ROUTE,
)


def _distance(kind: LastSeenKind, route: LineString | None = ROUTE) -> tuple[float, str]:
    found = score_pair(replace(ELADIO, last_seen_kind=kind, route=route), BODY, as_of=AS_OF)
    evidence = {e.criterion: e for e in found.evidence}
    if "distance" not in evidence:
        return 0.0, ""
    return evidence["distance"].weight, evidence["distance"].text


def test_from_home_the_distance_is_measured_to_the_route_not_to_the_home() -> None:
    weight, text = _distance(LastSeenKind.HOME)
    route_km = distance_to_route_km(FOUND[0], FOUND[1], ROUTE)
    assert route_km < 150
    assert "intended route" in text and f"{route_km:.0f} km" in text
    assert weight > 0


def test_from_a_departure_point_the_nearer_of_point_and_route_counts_as_before() -> None:
    assert _distance(LastSeenKind.DEPARTURE) == _distance(LastSeenKind.UNKNOWN)
    assert _distance(LastSeenKind.ROUTE) == _distance(LastSeenKind.UNKNOWN)


def test_from_home_with_no_route_the_distance_is_neutral_not_a_penalty() -> None:
    weight, text = _distance(LastSeenKind.HOME, route=None)
    assert (weight, text) == (0.0, "")
    weight_unknown, text_unknown = _distance(LastSeenKind.UNKNOWN, route=None)
    assert weight_unknown < 0 and "last-seen point" in text_unknown


def test_from_home_the_months_of_the_journey_weigh_less() -> None:
    home = score_pair(replace(ELADIO, last_seen_kind=LastSeenKind.HOME), BODY, as_of=AS_OF)
    unknown = score_pair(ELADIO, BODY, as_of=AS_OF)
    time_home = {e.criterion: e.weight for e in home.evidence}["pmi"]
    time_unknown = {e.criterion: e.weight for e in unknown.evidence}["pmi"]
    assert time_home > time_unknown


def test_last_seen_after_the_recovery_still_excludes_from_home() -> None:
    late = replace(ELADIO, last_seen_kind=LastSeenKind.HOME, last_seen_date=date(2023, 8, 1))
    found = score_pair(late, BODY, as_of=AS_OF)
    assert found.score == 0.0
    assert any(e.criterion == "exclusion" for e in found.evidence)


def test_the_document_name_outweighs_the_distance_from_home() -> None:
    index = CandidateIndex()
    index.add_many([replace(ELADIO, last_seen_kind=LastSeenKind.HOME), NEAR])
    found = index.candidates_for_remains(BODY, as_of=AS_OF)
    assert found[0].missing_ref == "M-ELADIO"
    as_before = CandidateIndex()
    as_before.add_many([ELADIO, NEAR])
    before = {c.missing_ref: c.score for c in as_before.candidates_for_remains(BODY, as_of=AS_OF)}
    after = {c.missing_ref: c.score for c in found}
    assert after["M-ELADIO"] > before["M-ELADIO"]
    assert after["M-NEAR"] == pytest.approx(before["M-NEAR"])


def test_the_index_and_the_explanation_agree_from_home() -> None:
    home = replace(ELADIO, last_seen_kind=LastSeenKind.HOME)
    index = CandidateIndex()
    index.add(home)
    ranked = index.candidates_for_remains(BODY, as_of=AS_OF)[0]
    alone = score_pair(home, BODY, as_of=AS_OF)
    assert sum(e.weight for e in ranked.evidence) == pytest.approx(
        sum(e.weight for e in alone.evidence)
    )
    from_missing = CandidateIndex()
    from_missing.add(BODY)
    assert from_missing.candidates_for_missing(home, as_of=AS_OF)[0].evidence == ranked.evidence


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("home", LastSeenKind.HOME),
        ("Departure", LastSeenKind.DEPARTURE),
        ("", LastSeenKind.UNKNOWN),
    ],
)
def test_the_case_file_reads_the_kind(cell: str, kind: LastSeenKind) -> None:
    record = parse_missing_row({"ref": "M1", "last_seen_kind": cell})
    assert isinstance(record, MissingRecord) and record.last_seen_kind == kind


def test_the_case_file_refuses_an_unknown_kind() -> None:
    errors = parse_missing_row({"ref": "M1", "last_seen_kind": "school"})
    assert isinstance(errors, list)
    assert errors[0].column == "last_seen_kind" and "home, departure" in errors[0].reason
