"""The map draws the visible cases as markers, with the tile server unreachable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TABLET

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cases_on_the_map(live_server):
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_missing, make_remains

    with live_server.app.test_request_context():
        officer = db.session.scalar(
            db.select(User).where(User.email == live_server.users["forensic_officer"])
        )
        liaison = db.session.scalar(
            db.select(User).where(User.email == live_server.users["family_liaison"])
        )
        references = [
            make_remains(officer, recovery_lat=31.7 + i / 100, recovery_lon=-111.4 - i / 100)
            for i in range(30)
        ]
        # a place of its own: other tests of the session put missing persons at the factory's
        # default point, where they would cluster with this one
        references.append(make_missing(liaison, last_seen_lat=20.97, last_seen_lon=-89.62))
        result = [case.reference for case in references]
        db.session.remove()
    return result


def _points(page, live_server, query: str = "") -> tuple[int, set[str]]:
    """Points the signed-in user's GeoJSON holds (other tests of the session add cases too)."""
    body = page.request.get(live_server(f"/map/cases.geojson{query}")).json()
    points = [f for f in body["features"] if f["geometry"]["type"] == "Point"]
    return len(points), {f["properties"]["reference"] for f in points}


def test_map_shows_markers_without_tiles(
    sign_in, screenshot, cases_on_the_map, page, live_server
) -> None:
    failed_tiles = []
    page.on("requestfailed", lambda request: failed_tiles.append(request.url))
    sign_in("supervisor")
    page.get_by_role("link", name="Map").click()
    expect(page.get_by_role("heading", name="Map of cases")).to_be_visible()
    count, references = _points(page, live_server)
    assert set(cases_on_the_map) <= references
    case_map = page.locator("#case-map")
    expect(case_map).to_have_attribute("data-ready", str(count))
    # clustered: fewer icons than points, each cluster counting its points
    assert page.locator(".marker-cluster").count() >= 1
    expect(page.get_by_role("status")).to_contain_text("places shown")
    assert page.locator("path.case-route").count() >= 1
    assert any(":9/" in url for url in failed_tiles), "the tiles were asked for and failed"
    expect(page.locator(".leaflet-cluster-anim")).to_have_count(0)
    screenshot("map", full_page=False)

    page.get_by_label("Kind").select_option("missing")
    page.get_by_role("button", name="Show").click()
    count, _references = _points(page, live_server, "?kind=missing")
    expect(case_map).to_have_attribute("data-ready", str(count))
    expect(page.locator(".case-marker.remains")).to_have_count(0)
    marker = page.locator(f'.case-marker[title="{cases_on_the_map[-1]}"]')
    marker.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(cases_on_the_map[-1])
    expect(page.locator(".leaflet-popup-content")).to_contain_text("missing person · open")


def test_map_works_on_a_tablet(sign_in, screenshot, cases_on_the_map, page, live_server) -> None:
    page.set_viewport_size(TABLET)
    sign_in("forensic_officer")
    page.goto(live_server("/map/?kind=remains"))
    count, _references = _points(page, live_server, "?kind=remains")
    assert count >= 30
    expect(page.locator("#case-map")).to_have_attribute("data-ready", str(count))
    box = page.locator("#case-map").bounding_box()
    assert box and box["width"] > 700 and box["height"] >= 300
    expect(page.locator(".leaflet-cluster-anim")).to_have_count(0)
    screenshot("map-tablet", full_page=False)


def test_thousands_of_points_are_clustered(sign_in, page, live_server) -> None:
    import json
    import random

    spread = random.Random(7)
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [spread.uniform(-115, -105), spread.uniform(28, 34)],
            },
            "properties": {
                "reference": f"UR-USA-2025-{number:06d}",
                "kind": "remains",
                "layer": "recovery",
                "status": "unidentified",
                "date": "2025-09-15",
            },
        }
        for number in range(5000)
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features})
    page.route(
        "**/map/cases.geojson*",
        lambda route: route.fulfill(body=body, content_type="application/geo+json"),
    )
    sign_in("supervisor")
    page.goto(live_server("/map/"))
    expect(page.locator("#case-map")).to_have_attribute("data-ready", "5000", timeout=30_000)
    expect(page.locator(".leaflet-cluster-anim")).to_have_count(0)
    drawn = page.locator(".marker-cluster, .case-marker").count()
    assert 0 < drawn < 200, drawn
