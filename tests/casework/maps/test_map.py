"""The map's GeoJSON: only cases the user may see, no personal data, filters checked."""

from __future__ import annotations

import pytest

from tests.casework.factories import make_missing, make_remains

PROPERTIES = {"reference", "kind", "layer", "status", "date"}


@pytest.fixture
def cases(app, world):
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        abroad = db.session.get(User, world.user("officer_abroad"))
        references = {
            "mp_home": make_missing(liaison).reference,
            "mp_home_hnd": make_missing(liaison, nationality="HND", surnames="Lopez").reference,
            "mp_abroad": make_missing(abroad, nationality="GTM").reference,
            "ur_home": make_remains(officer).reference,
            "ur_abroad": make_remains(abroad).reference,
        }
        db.session.remove()
    return references


def _features(client, query: str = "") -> list[dict]:
    response = client.get(f"/map/cases.geojson{query}")
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def _seen(features) -> set[tuple[str, str]]:
    return {(f["properties"]["reference"], f["properties"]["layer"]) for f in features}


def test_officer_sees_own_agency_points_and_routes(as_user, cases) -> None:
    features = _features(as_user("forensic_officer"))
    assert _seen(features) == {
        (cases["ur_home"], "recovery"),
        (cases["mp_home"], "last_seen"),
        (cases["mp_home"], "route"),
        (cases["mp_home_hnd"], "last_seen"),
        (cases["mp_home_hnd"], "route"),
    }
    recovery = next(f for f in features if f["properties"]["layer"] == "recovery")
    assert recovery["geometry"] == {"type": "Point", "coordinates": [-111.4, 31.7]}
    assert recovery["properties"] == {
        "reference": cases["ur_home"],
        "kind": "remains",
        "layer": "recovery",
        "status": "unidentified",
        "date": "2025-09-15",
    }
    route = next(f for f in features if f["properties"]["layer"] == "route")
    assert route["geometry"]["type"] == "LineString"
    assert route["geometry"]["coordinates"][0] == [-111.54, 31.48]


def test_another_agency_sees_only_its_own_cases(as_user, cases) -> None:
    assert _seen(_features(as_user("officer_abroad"))) == {
        (cases["ur_abroad"], "recovery"),
        (cases["mp_abroad"], "last_seen"),
        (cases["mp_abroad"], "route"),
    }


def test_consular_official_sees_only_their_nationals(as_user, cases) -> None:
    # the Guatemalan consul: Guatemalan missing persons of any agency, no unidentified remains
    seen = _seen(_features(as_user("consular_gtm")))
    assert {reference for reference, _layer in seen} == {cases["mp_home"], cases["mp_abroad"]}
    # the home agency's consul (USA): no US nationals among the cases
    assert _features(as_user("consular_official")) == []


def test_no_personal_data_leaves_in_the_geojson(as_user, cases) -> None:
    client = as_user("supervisor")
    response = client.get("/map/cases.geojson")
    text = response.get_data(as_text=True)
    for personal in ("Pérez", "Perez", "José", "Chepe", "1994", "GTM", "Sasabe", "Maria", "PEREZ"):
        assert personal not in text
    for feature in response.get_json()["features"]:
        assert set(feature["properties"]) == PROPERTIES


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=remains", {"recovery"}),
        ("?kind=missing", {"last_seen", "route"}),
        ("?kind=missing&status=open", {"last_seen", "route"}),
        ("?status=unidentified", {"recovery"}),
        ("?kind=remains&status=identified", set()),
        ("?kind=&status=", {"recovery", "last_seen", "route"}),
    ],
)
def test_filters_by_kind_and_status(as_user, cases, query, expected) -> None:
    features = _features(as_user("forensic_officer"), query)
    assert {f["properties"]["layer"] for f in features} == expected


@pytest.mark.parametrize(
    "query",
    [
        "?kind=bodies",
        "?status=lost",
        "?kind=remains&status=open",
        "?kind=missing&status=repatriated",
    ],
)
def test_bad_filter_values_answer_400(as_user, cases, query) -> None:
    client = as_user("forensic_officer")
    assert client.get(f"/map/cases.geojson{query}").status_code == 400
    assert client.get(f"/map/{query}").status_code == 400


def test_roles_reading_no_case_are_refused(as_user, cases) -> None:
    client = as_user("administrator")
    assert client.get("/map/").status_code == 403
    assert client.get("/map/cases.geojson").status_code == 403


def test_map_page_uses_local_leaflet_and_the_tile_setting(as_user, cases, app) -> None:
    app.config["MAP_TILE_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = as_user("family_liaison").get("/map/?kind=missing").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in page
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page
    assert "unpkg" not in page and "cdn" not in page.lower()
    assert "/map/cases.geojson?kind=missing" in page
