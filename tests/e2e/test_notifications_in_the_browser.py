"""Through the browser on a phone-sized screen: a liaison sees the unread count in the header,
opens the notification of a new candidate on their case and lands on the candidate."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_liaison_opens_the_notification_of_a_new_candidate(sign_in, page, live_server) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_missing, make_remains

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("family_liaison")
    page.get_by_role("link", name="Notifications").click()
    mark_all = page.get_by_role("button", name="Mark all read")
    if mark_all.count():  # what earlier tests on this server left
        mark_all.click()
    with live_server.app.test_request_context():
        users = {
            key: db.session.scalar(db.select(User).where(User.email == email))
            for key, email in live_server.users.items()
        }
        # a name of its own, on the remains' document too: the factory's other cases share the
        # defaults, and under the caseload prior equally good reports share the probability
        person = make_missing(users["family_liaison"], given_names="Itzel", surnames="Tzul Chiyal")
        make_remains(users["forensic_officer"], document_names="ITZEL TZUL CHIYAL")
        reference = person.reference
        db.session.remove()

    page.goto(live_server("/"))
    link = page.locator("header").get_by_role("link", name="Notifications")
    expect(link.locator(".badge")).to_be_visible()
    link.click()
    item = page.locator("li.notification.unread").filter(has_text=reference).first
    expect(item).to_contain_text("New candidate above the review threshold")
    item.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    assert "/matches/" in page.url
