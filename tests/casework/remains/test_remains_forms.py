"""Logging remains, samples and custody transfers: bad input refused, nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.casework.factories import REMAINS, make_remains


def _form(**overrides):
    data = {**REMAINS, "recovery_date": "2025-09-15", **overrides}
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age_min", "50", "runs backwards"),
        ("stature_max_cm", "150", "runs backwards"),
        ("pmi_min_days", "-1", "between 0 and 36500"),
        ("recovery_date", "2027-01-01", "in the future"),
        ("recovery_lon", "200", "between -180 and 180"),
        ("recovery_lat", None, "both latitude and longitude"),
        ("condition", "liquefied", "Not a valid choice"),
        ("estimated_sex", "X", "Not a valid choice"),
        ("dental", "11:F; 59:M", "not a tooth in FDI"),
        ("recovery_uncertainty_m", "lots", "Not a valid integer"),
    ],
)
def test_bad_remains_input(app, as_user, client, field, value, message) -> None:
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    as_user("forensic_officer")
    response = client.post("/remains/new", data=_form(**{field: value}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnidentifiedRemains)) == 0


def test_log_remains_sample_and_custody(app, as_user, client) -> None:
    as_user("forensic_officer")
    created = client.post("/remains/new", data=_form())
    assert created.status_code == 302
    reference = created.headers["Location"].rsplit("/", 1)[-1]
    assert reference == "UR-USA-2025-000001"
    sample = client.post(
        f"/custody/remains/{reference}/samples/new",
        data={
            "barcode": "PCOME-B-77",
            "kind": "bone",
            "lab": "UNT Center for Human Identification",
        },
    )
    assert sample.status_code == 302
    transfer = client.post(
        f"/custody/remains/{reference}/transfers/new",
        data={
            "subject": "remains",
            "from_party": "Border Patrol",
            "to_party": "PCOME intake",
            "occurred_at": "2025-09-15T14:30",
            "purpose": "Examination",
        },
    )
    assert transfer.status_code == 302
    page = client.get(f"/remains/{reference}").get_data(as_text=True)
    assert "PCOME-B-77" in page and "PCOME intake" in page and "JOSE L PEREZ" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"from_party": "A", "to_party": "A", "occurred_at": "2025-09-15T14:30", "purpose": "x"},
            "the same",
        ),
        (
            {"from_party": "A", "to_party": "B", "occurred_at": "2030-01-01T00:00", "purpose": "x"},
            "in the future",
        ),
        (
            {"from_party": "A", "to_party": "B", "occurred_at": "yesterday", "purpose": "x"},
            "Not a valid datetime",
        ),
        (
            {"from_party": "A", "to_party": "B", "occurred_at": "2025-09-15T14:30", "purpose": ""},
            "This field is required",
        ),
        (
            {
                "from_party": "A",
                "to_party": "B",
                "occurred_at": "2025-09-15T14:30",
                "purpose": "x",
                "subject": "someone else's sample",
            },
            "Not a valid choice",
        ),
    ],
)
def test_bad_custody_transfer(app, world, as_user, client, data, message) -> None:
    from casework.accounts.models import User
    from casework.custody.models import CustodyEvent
    from casework.extensions import db

    with app.test_request_context():
        reference = make_remains(db.session.get(User, world.user("forensic_officer"))).reference
    as_user("forensic_officer")
    response = client.post(
        f"/custody/remains/{reference}/transfers/new", data={"subject": "remains", **data}
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CustodyEvent)) == 0


def test_duplicate_sample_barcode_is_refused(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        reference = make_remains(db.session.get(User, world.user("forensic_officer"))).reference
    as_user("forensic_officer")
    url = f"/custody/remains/{reference}/samples/new"
    assert client.post(url, data={"barcode": "S-1", "kind": "dna"}).status_code == 302
    again = client.post(url, data={"barcode": "S-1", "kind": "tissue"})
    assert again.status_code == 400 and "already recorded" in again.get_data(as_text=True)
    bad = client.post(url, data={"barcode": "S 2 <script>", "kind": "dna"})
    assert bad.status_code == 400 and "Letters, digits" in bad.get_data(as_text=True)
