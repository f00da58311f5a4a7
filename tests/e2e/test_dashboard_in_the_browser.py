"""The dashboard's identifications chart, drawn by the server, on a laptop and a tablet."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from tests.e2e.conftest import TABLET

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def identified(live_server) -> int:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.remains.models import RemainsStatus, UnidentifiedRemains
    from tests.casework.factories import make_remains

    months = [1, 2, 2, 3, 5, 5, 5, 6]
    with live_server.app.test_request_context():
        officer = db.session.scalar(
            db.select(User).where(User.email == live_server.users["forensic_officer"])
        )
        for month in months:
            case = make_remains(officer)
            db.session.execute(
                update(UnidentifiedRemains)
                .where(UnidentifiedRemains.id == case.id)
                .values(
                    status=RemainsStatus.IDENTIFIED,
                    updated_at=datetime(2026, month, 10, tzinfo=UTC),
                )
            )
        db.session.commit()
        db.session.remove()
    return len(months)


def test_dashboard_draws_identifications_per_month(sign_in, screenshot, identified, page) -> None:
    sign_in("forensic_officer")
    chart = page.locator("svg.bars")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(12)
    expect(chart.locator("title").filter(has_text="May 2026")).to_have_text("May 2026: 3")
    heights = [
        float(h)
        for h in chart.locator("rect").evaluate_all("r => r.map(x => x.getAttribute('height'))")
    ]
    assert max(heights) == heights[-2] and heights[0] == 0
    screenshot("dashboard")
    page.set_viewport_size(TABLET)
    box = chart.bounding_box()
    assert box and box["width"] <= TABLET["width"]
    screenshot("dashboard-tablet")
