"""A remains case needs at least when or where it was recovered: an empty form is refused,
stores nothing and says why at the date field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select


@pytest.mark.parametrize(
    ("values", "accepted"),
    [
        ({}, False),
        ({"condition": "skeletonised", "age_min": 20}, False),
        ({"recovery_date": "2025-09-15"}, True),
        ({"recovery_place": "Altar Valley"}, True),
        ({"recovery_lat": 31.7, "recovery_lon": -111.4}, True),
    ],
)
def test_when_or_where_is_needed(ctx, values, accepted) -> None:
    from casework.errors import ValidationError
    from casework.remains.inputs import RemainsInput

    if accepted:
        RemainsInput.parse(values)
    else:
        with pytest.raises(ValidationError) as raised:
            RemainsInput.parse(values)
        assert raised.value.field == "recovery_date"
        assert "a recovery date or a place" in raised.value.message


def test_an_empty_form_is_refused_and_stores_nothing(app, world, as_user) -> None:
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    client = as_user("forensic_officer")
    form = client.get("/remains/new").get_data(as_text=True)
    assert "needs at least a recovery date or a recovery place" in form
    response = client.post("/remains/new", data={"condition": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="recovery_date-error"' in page and "a recovery date or a place" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnidentifiedRemains)) == 0
