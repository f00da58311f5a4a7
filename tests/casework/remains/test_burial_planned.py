"""The day a burial is planned: on the remains form (bad dates refused, nothing stored), in the
API's answers, and first on the dashboard's remains at risk, the soonest first, saying so."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select


def _officer(world):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user("forensic_officer"))


def test_remains_at_risk_put_planned_burials_first_the_soonest_first(app, world, as_user):
    from casework.custody.services import record_sample
    from casework.dashboard.counts import remains_at_risk
    from casework.extensions import db
    from casework.remains.models import RemainsStatus
    from tests.casework.factories import make_remains

    with app.test_request_context():
        officer = _officer(world)
        old = make_remains(officer, recovery_date="2024-01-10").reference
        later = make_remains(officer, burial_planned_on="2099-03-01").reference
        sooner = make_remains(officer, burial_planned_on="2099-02-01").reference
        kept = make_remains(officer, burial_planned_on="2099-01-01")
        record_sample(kept, {"barcode": "PM-KEPT-1", "kind": "tooth"})
        identified = make_remains(officer, recovery_date="2025-01-10")
        identified.status = RemainsStatus.IDENTIFIED  # released next: at risk as well
        gone = make_remains(officer, recovery_date="2023-01-10")
        gone.status = RemainsStatus.REPATRIATED  # left already: nothing to do
        db.session.commit()
        listed = [case.reference for case in remains_at_risk(officer, 50)]
        assert listed == [sooner, later, old, identified.reference]
        db.session.remove()

    page = as_user("forensic_officer").get("/").get_data(as_text=True)
    at_risk = page.split("Remains at risk", 1)[1]
    assert at_risk.index(sooner) < at_risk.index(later) < at_risk.index(old)
    sooner_item = at_risk.split(sooner, 1)[1].split("</li>", 1)[0]
    assert "burial planned on Feb 1, 2099" in sooner_item
    assert "burial planned" not in at_risk.split(old, 1)[1].split("</li>", 1)[0]


def test_the_form_refuses_a_burial_before_the_recovery_and_stores_nothing(app, as_user):
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    client = as_user("forensic_officer")

    def token() -> str:
        page = client.get("/remains/new").get_data(as_text=True)
        assert "Burial planned on" in page
        return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]

    for planned, message in (
        ("2025-01-01", "The burial is planned before the remains were recovered."),
        ("1 May", "Not a valid date value."),
    ):
        response = client.post(
            "/remains/new",
            data={
                "recovery_date": "2025-03-01",
                "estimated_sex": "U",
                "condition": "",
                "burial_planned_on": planned,
                "form_token": token(),
            },
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnidentifiedRemains)) == 0
    done = client.post(
        "/remains/new",
        data={
            "recovery_date": "2025-03-01",
            "estimated_sex": "U",
            "condition": "",
            "burial_planned_on": "2099-01-05",
            "form_token": token(),
        },
    )
    assert done.status_code in (302, 303)
    with app.app_context():
        case = db.session.scalar(select(UnidentifiedRemains))
        assert case.burial_planned_on == date(2099, 1, 5)
        reference = case.reference
    assert "Jan 5, 2099" in client.get(f"/remains/{reference}").get_data(as_text=True)
