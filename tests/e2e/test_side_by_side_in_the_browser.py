"""The candidate page in a browser: both cases side by side, the map drawn by its script under
the strict content security policy, the dental chart in colours and words, and a decision."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.casework.attachments.test_attachments import png_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def candidate(live_server):
    from casework.accounts.models import User
    from casework.attachments.services import attach
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from tests.casework.factories import make_missing, make_remains

    def user(role: str) -> User:
        email = live_server.users[role]
        return db.session.scalar(db.select(User).where(User.email == email))

    with live_server.app.test_request_context():
        person = make_missing(
            user("family_liaison"),
            given_names="Eladio",
            surnames="Quintanilla Hernández",
            aliases="Lalo",
            dental="16:F; 36:C; 48:M; 21:V; 22:F; 11:V",
        )
        remains = make_remains(
            user("forensic_officer"),
            document_names="JOSE ELADIO QUINTANILLA HERNANDEZ",
            dental="16:F; 36:C; 48:M; 21:F; 22:V; 11:V",
            marks="tattoo: left forearm: letters MA",
            effects="clothing: hooded sweatshirt, black\nreligious: rosary beads",
        )
        attach(user("forensic_officer"), remains, "tattoo_photo", png_bytes((160, 120)), "Tattoo")
        row = db.session.scalar(
            db.select(CandidateMatch).where(
                CandidateMatch.missing_person_id == person.id,
                CandidateMatch.remains_id == remains.id,
            )
        )
        seeded = {"id": str(row.id), "person": person.reference, "remains": remains.reference}
        db.session.remove()
    return seeded


def test_the_candidate_side_by_side(sign_in, screenshot, page, live_server, candidate) -> None:
    sign_in("forensic_officer")
    page.goto(live_server(f"/matches/{candidate['id']}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(candidate["person"])

    names = page.locator('tr[data-criterion="names"]')
    expect(names).to_contain_text("Eladio Quintanilla Hernández")
    expect(names).to_contain_text("JOSE ELADIO QUINTANILLA HERNANDEZ")
    expect(page.locator('tr[data-criterion="stature"]')).to_contain_text("160–175 cm")

    # the map: drawn by its own script (no inline one), with both points and the route
    map_box = page.locator("#candidate-map")
    expect(map_box).to_have_attribute("data-ready", "1")
    expect(map_box.locator(".leaflet-marker-icon.last-seen")).to_have_count(1)
    expect(map_box.locator(".leaflet-marker-icon.recovery")).to_have_count(1)
    expect(map_box.locator("path.candidate-route")).to_have_count(1)
    expect(map_box.locator(".leaflet-marker-icon.recovery")).to_have_attribute("title", "Recovered")

    # the dental chart: a colour and a sign per tooth, and the words beside
    tooth = page.locator('.tooth-compare[data-tooth="22"]')
    expect(tooth).to_have_class("tooth-compare inconsistent")
    expect(tooth.locator(".sign")).to_have_text("≠")
    colour = tooth.evaluate("cell => getComputedStyle(cell).backgroundColor")
    concordant = page.locator('.tooth-compare[data-tooth="16"]').evaluate(
        "cell => getComputedStyle(cell).backgroundColor"
    )
    assert colour != concordant
    expect(page.locator("ul.dental-compared")).to_contain_text(
        "21: in life sound, after death filled — explainable"
    )
    expect(page.locator("ul.tooth-legend")).to_contain_text("inconsistent")

    # the remains' photo loads (from the attachments area, under the same policy)
    photo = page.get_by_role("img", name="Tattoo")
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    page.wait_for_function("() => document.querySelector('figure.photo img').naturalWidth > 0")
    assert photo.evaluate("image => image.naturalWidth") == 160
    page.evaluate("() => window.scrollTo(0, 0)")

    # the evidence and the decisions sit beside the comparison on a laptop screen
    aside = page.locator("aside.review-aside").bounding_box()
    compared = page.locator("section.side-by-side").bounding_box()
    assert aside["x"] > compared["x"] + compared["width"] - 1

    # docs/screenshots/side-by-side.png (the README's) is this one, saved in 256 colours
    screenshot("side-by-side")

    # and the decision works from there
    page.get_by_label("Reason").first.fill("Different person: DNA excluded")
    page.get_by_role("button", name="Exclude this candidate").click()
    expect(page.get_by_role("status")).to_contain_text("Candidate excluded.")
    expect(page.locator("p.status")).to_contain_text("excluded")
