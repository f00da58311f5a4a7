"""The dashboard: counts per status and identifications per month as an inline SVG bar chart."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update

from casework.dashboard.charts import (
    AXIS_SPACE,
    CHART_HEIGHT,
    bars,
    counts_per_month,
    months_ending,
)
from tests.casework.factories import make_remains


def test_months_run_across_the_new_year() -> None:
    assert months_ending(date(2026, 2, 28), 4) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_counts_fall_in_their_month() -> None:
    months = months_ending(date(2026, 3, 1), 3)
    moments = [
        datetime(2026, 1, 31, 23, 59, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 9, tzinfo=UTC),
        datetime(2025, 6, 1, tzinfo=UTC),  # outside the window: not counted
    ]
    assert counts_per_month(moments, months) == [1, 0, 2]


def test_bars_scale_to_the_tallest_and_sit_on_the_axis() -> None:
    months = months_ending(date(2026, 3, 1), 3)
    drawn = bars(months, [2, 0, 4])
    base = CHART_HEIGHT - AXIS_SPACE
    assert [bar.y + bar.height for bar in drawn] == [base, base, base]
    assert drawn[1].height == 0 and drawn[2].height == 2 * drawn[0].height
    assert drawn[0].x < drawn[1].x < drawn[2].x


def test_no_identifications_draws_flat_bars() -> None:
    assert {bar.height for bar in bars(months_ending(date(2026, 3, 1), 12), [0] * 12)} == {0}


def test_dashboard_charts_identified_remains_per_month(app, world, as_user, clock) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.remains.models import RemainsStatus, UnidentifiedRemains

    with app.test_request_context():
        officer = db.session.get(User, world.user("forensic_officer"))
        abroad = db.session.get(User, world.user("officer_abroad"))
        cases = [make_remains(officer) for _ in range(3)] + [make_remains(abroad)]
        moments = [
            datetime(2026, 5, 3, tzinfo=UTC),
            datetime(2026, 5, 20, tzinfo=UTC),
            datetime(2026, 2, 1, tzinfo=UTC),
            datetime(2026, 5, 4, tzinfo=UTC),  # another agency's: not counted for the officer
        ]
        for case, moment in zip(cases, moments, strict=True):
            db.session.execute(
                update(UnidentifiedRemains)
                .where(UnidentifiedRemains.id == case.id)
                .values(status=RemainsStatus.IDENTIFIED, updated_at=moment)
            )
        db.session.commit()
    page = as_user("forensic_officer").get("/").get_data(as_text=True)
    assert "<svg" in page and "Identifications per month" in page
    assert "May 2026: 2</title>" in page
    assert "February 2026: 1</title>" in page
    assert "June 2026: 0</title>" in page  # the clock's month closes the chart
    assert "identified: <strong>3</strong>" in page


def test_roles_reading_no_remains_get_no_chart(as_user, world) -> None:
    page = as_user("administrator").get("/").get_data(as_text=True)
    assert "<svg" not in page
