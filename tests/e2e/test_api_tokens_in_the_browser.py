"""A person creates an API token on their account page, uses it, and revokes it; the browser's
own session cookie never opens the API."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _visible_missing(live_server, role: str) -> int:
    from sqlalchemy import func, select

    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.access import missing_visible_to
    from casework.missing.models import MissingPerson

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == live_server.users[role]))
        count = db.session.scalar(
            select(func.count()).select_from(MissingPerson).where(missing_visible_to(user))
        )
        db.session.remove()
    return int(count or 0)


def test_create_use_and_revoke_a_token(sign_in, live_server, screenshot, page) -> None:
    sign_in("supervisor")
    page.goto(live_server("/auth/account"))
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name (what the token is for)").fill("lab sync")
    page.get_by_label("Access").select_option("read;write")
    page.get_by_label("Expires after (days; empty: never)").fill("30")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("cwk_")
    expect(page.get_by_role("cell", name="lab sync")).to_be_visible()
    screenshot("api-token-created")

    api = live_server("/api/v1/missing")
    # the page's cookies go along with these requests: they alone open nothing
    assert page.request.get(api).status == 401
    answer = page.request.get(api, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    # the token sees what its owner sees (other tests of the session add cases too)
    assert answer.json()["meta"]["total"] == _visible_missing(live_server, "supervisor")

    page.goto(live_server("/auth/account/tokens/"))
    expect(page.locator("#new-token")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("cell", name="revoked")).to_be_visible()
    assert page.request.get(api, headers={"Authorization": f"Bearer {secret}"}).status == 401
