"""A family liaison in the browser: closes a search with a reason, logs a call with the family,
and prints the family's summary in Spanish."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.casework.factories import make_missing

pytestmark = pytest.mark.e2e


@pytest.fixture
def reference(live_server) -> str:
    from sqlalchemy import select

    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.services import add_relative

    with live_server.app.test_request_context():
        liaison = db.session.scalar(
            select(User).where(User.email == live_server.users["family_liaison"])
        )
        case = make_missing(  # no point on the map: the map tests count their own markers
            liaison,
            given_names="Yohannes",
            surnames="Berhane Tesfamariam",
            last_seen_lat=None,
            last_seen_lon=None,
            intended_route="",
        )
        add_relative(case, {"name": "Saba Berhane", "relationship_to_missing": "sibling"})
        reference = case.reference
        db.session.remove()
    return reference


def test_liaison_changes_status_logs_a_contact_and_prints_the_summary(
    sign_in, live_server, reference, screenshot
) -> None:
    page = sign_in("family_liaison")
    page.goto(live_server(f"/missing/{reference}"))
    expect(page.locator("p.status")).to_contain_text("open")

    change = page.locator("form.status-change")
    expect(change.get_by_label("New status").locator("option")).to_have_text(
        ["found alive", "closed"]
    )
    change.get_by_label("New status").select_option("closed")
    change.get_by_role("button", name="Change status").click()
    expect(page.locator("form.status-change .error")).to_contain_text("Give the reason")
    expect(page.locator("p.status")).to_contain_text("open")  # nothing changed

    change = page.locator("form.status-change")
    change.get_by_label("New status").select_option("closed")
    change.get_by_label("Reason").fill("The family asked to pause the search for now.")
    change.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("status")).to_contain_text("Status changed to closed.")
    expect(page.locator("p.status")).to_contain_text("closed")
    history = page.locator("table.status-history")
    expect(history).to_contain_text("The family asked to pause the search for now.")
    expect(history).to_contain_text("Family Liaison")
    expect(page.locator("form.status-change").get_by_label("New status")).to_have_value("open")

    contact = page.locator("form.family-contact")
    contact.get_by_label("When (UTC)").fill("2026-05-30T10:15")
    contact.get_by_label("How").select_option("phone")
    contact.get_by_label("With whom").select_option(label="Saba Berhane (sibling)")
    contact.get_by_label("What was said").fill("Saba agreed to the pause; she will call if news.")
    contact.get_by_label("Next contact due by").fill("2026-07-01")
    contact.get_by_role("button", name="Log contact").click()
    expect(page.get_by_role("status")).to_contain_text("Contact logged.")
    log = page.locator("table.contact-log")
    expect(log).to_contain_text("Saba agreed to the pause")
    expect(log).to_contain_text("Phone call")
    expect(page.locator(".plain-status")).to_contain_text("The search has been closed.")
    screenshot("missing-status-and-family-contacts")

    page.get_by_role("link", name="Printable summary for the family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your search request")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("dd.reference")).to_have_text(reference)
    expect(page.locator("dd.name")).to_have_text("Yohannes Berhane Tesfamariam")
    expect(page.locator(".plain-status")).to_contain_text("We last spoke with you on May 30, 2026.")
    expect(page.locator(".next-steps")).to_contain_text("July 1, 2026")
    expect(page.locator("body")).not_to_contain_text("Saba agreed")  # the log's words stay in

    page.get_by_label("Language of the family").select_option("es")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("dl.facts")).to_contain_text("Referencia")
    expect(page.locator("dl.facts")).to_contain_text("1 de junio de 2026")
    page.emulate_media(media="print")
    expect(page.locator("nav.toolbar")).to_be_hidden()  # printed without navigation
    screenshot("family-summary-print")
