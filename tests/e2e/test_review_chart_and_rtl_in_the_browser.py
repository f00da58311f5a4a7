"""Through real clicks: an identification signed by two people, a recovery point placed on the
map with a dental chart, and the interface in Arabic, right to left."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _user(live_server, role: str):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.scalar(db.select(User).where(User.email == live_server.users[role]))


@pytest.fixture
def candidate(live_server):
    """A missing person and remains that are very likely the same person, seeded through the
    services; the candidate is what saving them proposed."""
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from tests.casework.factories import make_missing, make_remains

    with live_server.app.test_request_context():
        # a name of its own, on the remains' document too: the factory's other cases share the
        # defaults, and under the caseload prior equally good reports share the probability
        person = make_missing(
            _user(live_server, "family_liaison"), given_names="Ixchel Rosa", surnames="Batz Tuyuc"
        )
        remains = make_remains(
            _user(live_server, "forensic_officer"), document_names="IXCHEL ROSA BATZ TUYUC"
        )
        row = db.session.scalar(
            db.select(CandidateMatch).where(
                CandidateMatch.missing_person_id == person.id,
                CandidateMatch.remains_id == remains.id,
            )
        )
        assert row is not None and row.review, "saving the cases proposes them for review"
        seeded = {"id": str(row.id), "remains": remains.reference, "person": person.reference}
        db.session.remove()
    return seeded


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_identification_needs_two_people(sign_in, screenshot, page, live_server, candidate):
    sign_in("forensic_officer")
    page.get_by_role("link", name="Candidate matches").click()
    row = (
        page.get_by_role("row")
        .filter(has_text=candidate["remains"])
        .filter(has_text=candidate["person"])
    )
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(candidate["person"])
    expect(page.locator("table.evidence")).to_contain_text("dental")

    page.get_by_label("Dental comparison").check()
    page.get_by_label("Fingerprints").check()
    page.get_by_role("button", name="Propose identification").click()
    expect(page.get_by_role("status")).to_contain_text("a supervisor must confirm it")
    expect(page.locator("p.status")).to_contain_text("identification proposed")
    expect(page.locator("p.status")).to_contain_text("dental, fingerprints")

    # the officer who proposed is offered no confirmation, and a forged one is refused
    expect(page.get_by_role("button", name="Confirm identification")).to_have_count(0)
    token = page.locator('input[name="csrf_token"]').first.input_value()
    forged = page.request.post(
        live_server(f"/matches/{candidate['id']}/confirm"),
        form={"csrf_token": token, "version": "2"},
    )
    assert forged.status == 403
    page.goto(live_server(f"/remains/{candidate['remains']}"))
    # a pending proposal puts the case under review until the second signature
    expect(page.locator("p.status")).to_have_text("Status: candidate under review")
    _sign_out(page)

    sign_in("supervisor")
    page.goto(live_server(f"/matches/{candidate['id']}"))
    expect(page.locator("p.status")).to_contain_text("identification proposed")
    screenshot("identification-proposed", full_page=False)
    page.get_by_role("button", name="Confirm identification").click()
    expect(page.get_by_role("status")).to_contain_text("Identification confirmed.")
    expect(page.locator("p.status")).to_contain_text("confirmed")

    page.get_by_role("link", name=candidate["remains"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(candidate["remains"])
    expect(page.locator("p.status")).to_have_text("Status: identified")
    page.goto(live_server(f"/missing/{candidate['person']}"))
    expect(page.locator("p.status")).to_contain_text("identified")


def test_officer_places_the_point_on_the_map_and_charts_the_teeth(
    sign_in, screenshot, page, live_server
) -> None:
    failed_tiles = []
    page.on("requestfailed", lambda request: failed_tiles.append(request.url))
    sign_in("forensic_officer")
    page.goto(live_server("/remains/new"))
    page.get_by_label("Recovered on").fill("2025-10-02")
    page.get_by_label("Recovered at (place)").fill("Tohono O'odham Nation")
    page.get_by_label("Condition").select_option("decomposed")

    picker = page.get_by_label("Map: where the remains were recovered")
    expect(picker).to_have_attribute("data-ready", "1")
    latitude, longitude = page.get_by_label("Latitude"), page.get_by_label("Longitude")
    # typing moves the marker: the typed values are what counts
    latitude.fill("31.95")
    longitude.fill("-112.1")
    expect(picker).to_have_attribute("data-point", "31.95 -112.1")
    expect(picker.locator(".picked-point")).to_have_count(1)

    # a click on the map moves the point and writes it into the typed fields
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] / 2 + 60, "y": box["height"] / 2 - 40})
    expect(latitude).not_to_have_value("31.95")
    lat, lon = float(latitude.input_value()), float(longitude.input_value())
    assert 31.95 < lat <= 90 and -112.1 < lon <= 180
    expect(picker).to_have_attribute("data-point", f"{lat} {lon}")
    assert any(":9/" in url for url in failed_tiles), "no tile loaded: the picker works offline"

    # the keyboard way: the controls are buttons with names
    page.get_by_role("button", name="Remove the point").click()
    expect(latitude).to_have_value("")
    expect(picker.locator(".picked-point")).to_have_count(0)
    picker.click(position={"x": box["width"] / 2 + 60, "y": box["height"] / 2 - 40})
    expect(latitude).to_have_value(str(lat))

    page.get_by_label("Tooth 16", exact=True).select_option("F")
    page.get_by_label("Tooth 36", exact=True).select_option("C")
    page.get_by_label("Tooth 48", exact=True).select_option("M")
    page.get_by_label("Tooth 21", exact=True).select_option("V")
    page.get_by_role("group", name="Teeth 18 to 11").scroll_into_view_if_needed()
    screenshot("remains-form-map-and-teeth")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Logged as")
    expect(page.locator("dl.facts")).to_contain_text(f"({lat:.5f}, {lon:.5f})")
    teeth = page.locator("ul.dental-findings")
    for shown in ("16:F filled", "21:V sound", "36:C crown", "48:M missing"):
        expect(teeth).to_contain_text(shown)

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Tooth 36", exact=True)).to_have_value("C")
    expect(page.get_by_label("Tooth 11", exact=True)).to_have_value("")
    expect(page.get_by_label("Map: where the remains were recovered")).to_have_attribute(
        "data-point", f"{lat} {lon}"
    )


def test_liaison_draws_the_intended_route(sign_in, page, live_server) -> None:
    sign_in("family_liaison")
    page.goto(live_server("/missing/new"))
    route = page.get_by_role("textbox", name="Intended route")
    picker = page.get_by_label("Map: the intended route")
    expect(picker).to_have_attribute("data-ready", "1")
    box = picker.bounding_box()
    for dx, dy in ((-80, 40), (0, 0), (90, -30)):
        picker.click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2 + dy})
    expect(picker).to_have_attribute("data-vertices", "3")
    expect(route).to_have_value(re.compile(r"^LINESTRING \([^,]+, [^,]+, [^,]+\)$"))
    page.get_by_role("button", name="Undo the last point").click()
    expect(picker).to_have_attribute("data-vertices", "2")
    drawn = route.input_value()
    assert drawn.count(",") == 1

    route.fill("LINESTRING (-111.54 31.48, -111.2 31.9, -110.97 32.22)")
    expect(picker).to_have_attribute("data-vertices", "3")
    page.get_by_role("button", name="Clear the route").click()
    expect(route).to_have_value("")
    expect(page.get_by_role("button", name="Undo the last point")).to_be_disabled()

    picker.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.get_by_label("Given names").fill("Samira")
    page.get_by_role("button", name="Save").click()
    # one point is not a route: the server says so and keeps what was drawn
    expect(page.locator("#intended_route-error")).to_contain_text("at least two points")
    picker = page.get_by_label("Map: the intended route")
    expect(picker).to_have_attribute("data-vertices", "1")
    page.get_by_role("button", name="Add the centre of the map to the route").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Registered as")


def test_a_user_switches_to_arabic_and_the_page_runs_right_to_left(
    sign_in, screenshot, page, live_server
) -> None:
    from casework.accounts import services

    sign_in("supervisor")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    try:
        page.get_by_role("link", name="Supervisor").click()
        page.get_by_label("Language").select_option(label="العربية")
        page.get_by_role("button", name="Save").click()
        expect(html).to_have_attribute("lang", "ar")
        expect(html).to_have_attribute("dir", "rtl")
        expect(page.get_by_role("heading", level=1)).to_have_text("حسابك")
        nav = page.get_by_role("navigation", name="القائمة الرئيسية")
        expect(nav.get_by_role("link", name="الخريطة")).to_be_visible()

        page.get_by_role("link", name="إدارة الحالات").click()
        expect(page.get_by_role("heading", name="نظرة عامة")).to_be_visible()
        width = page.viewport_size["width"]
        brand = page.get_by_role("link", name="إدارة الحالات").bounding_box()
        assert brand["x"] > width / 2, "the brand starts the header on the right"
        screenshot("overview-in-arabic", full_page=False)

        # the dental chart keeps the dentist's view whatever the script's direction
        page.goto(live_server("/remains/new"))
        first, last = page.locator("#dental-18"), page.locator("#dental-28")
        assert first.bounding_box()["x"] < last.bounding_box()["x"]
    finally:
        with live_server.app.test_request_context():
            services.set_language(_user(live_server, "supervisor"), "en", ["en"])
            from casework.extensions import db

            db.session.remove()


def test_without_javascript_the_typed_fields_and_the_chart_still_work(browser, live_server) -> None:
    from tests.conftest import PASSWORD
    from tests.e2e.conftest import LAPTOP

    context = browser.new_context(viewport=LAPTOP, locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server("/auth/login"))
        page.get_by_label("E-mail").fill(live_server.users["forensic_officer"])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server("/remains/new"))
        expect(page.get_by_label("Map: where the remains were recovered")).to_be_hidden()
        expect(page.get_by_role("button", name="Remove the point")).to_be_hidden()
        page.get_by_label("Latitude").fill("32.01234")
        page.get_by_label("Longitude").fill("-112.5")
        page.get_by_label("Tooth 27", exact=True).select_option("F")
        expect(page.get_by_label("Tooth 19", exact=True)).to_have_count(0)  # no such tooth
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Logged as")
        expect(page.locator("dl.facts")).to_contain_text("(32.01234, -112.50000)")
        expect(page.locator("ul.dental-findings")).to_have_text("27:F filled")
    finally:
        context.close()


def test_the_point_can_be_placed_with_the_keyboard(sign_in, page, live_server) -> None:
    sign_in("forensic_officer")
    page.goto(live_server("/remains/new"))
    latitude, longitude = page.get_by_label("Latitude"), page.get_by_label("Longitude")
    latitude.fill("10")
    longitude.fill("20")
    picker = page.get_by_label("Map: where the remains were recovered")
    expect(picker).to_have_attribute("data-point", "10 20")
    longitude.press("Tab")  # from the typed fields, the map is next in the tab order
    expect(picker).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # pans the map east
    place = page.get_by_role("button", name="Place the point at the centre of the map")
    for _ in range(5):  # past the map's own zoom buttons and credit link
        page.keyboard.press("Tab")
        if place.evaluate("button => button === document.activeElement"):
            break
    expect(place).to_be_focused()
    page.keyboard.press("Enter")
    expect(longitude).not_to_have_value("20")
    assert float(longitude.input_value()) > 20
    expect(page.get_by_role("status").filter(has_text="Point placed")).to_have_count(1)
