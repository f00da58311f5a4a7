"""Map pickers in the case forms: shown only with JavaScript, tiles from the settings."""

from __future__ import annotations

import re


def test_the_remains_form_carries_a_hidden_point_picker(app, as_user) -> None:
    page = as_user("forensic_officer").get("/remains/new").get_data(as_text=True)
    picker = re.search(r"<div class=\"point-picker\" data-point-picker[^>]*>", page)
    assert picker is not None
    assert 'data-lat="recovery_lat"' in picker.group(0) and " hidden" in picker.group(0)
    assert f'data-tiles="{app.config["MAP_TILE_URL"]}"' in page
    assert "vendor/world-atlas/countries-110m.json" in page  # outlines when no tile loads
    assert page.index('id="recovery_lon"') < page.index("data-point-picker")
    for control in ("Place the point at the centre of the map", "Remove the point"):
        assert control in page
    assert "picker.js" in page and "//unpkg" not in page and "cdn" not in page.lower()


def test_the_missing_form_carries_point_and_route_pickers(as_user) -> None:
    page = as_user("family_liaison").get("/missing/new").get_data(as_text=True)
    assert 'data-lat="last_seen_lat"' in page and 'data-lon="last_seen_lon"' in page
    assert 'data-route="intended_route"' in page
    for control in (
        "Add the centre of the map to the route",
        "Undo the last point",
        "Clear the route",
    ):
        assert control in page
    assert page.index('id="intended_route"') < page.index("data-route-picker")
