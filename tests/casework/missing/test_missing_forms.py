"""Registering and editing missing persons: bad input is refused with a message, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.casework.factories import MISSING, charted_teeth, make_missing


def _form(**overrides):
    data = {**MISSING, "last_seen_date": "2025-07-02", **overrides}
    return {key: value for key, value in data.items() if value is not None}


@dataclass(frozen=True)
class Bad:
    field: str
    value: object
    message: str


BAD_INPUT = [
    Bad("birth_date", "07/03/1994", "YYYY-MM-DD"),
    Bad("birth_date", "2031", "out of range"),
    Bad("age_at_disappearance", "-3", "between 0 and 120"),
    Bad("age_at_disappearance", "thirty", "Not a valid integer"),
    Bad("height_cm", "1680", "between 40 and 260"),
    Bad("nationality", "GT", "three-letter"),
    Bad("nationality", "G1M", "three-letter"),
    Bad("last_seen_date", "2025-13-40", "Not a valid date"),
    Bad("last_seen_date", "2030-01-01", "in the future"),
    Bad("last_seen_lat", "91", "between -90 and 90"),
    Bad("last_seen_kind", "school", "Not a valid choice"),
    Bad("last_seen_lon", None, "both latitude and longitude"),
    Bad("intended_route", "POINT (1 2)", "LINESTRING"),
    Bad("intended_route", "LINESTRING (31.4 -111.5, 95 10)", "outside the globe"),
    Bad("intended_route", "not wkt at all", "LINESTRING"),
    Bad("intended_route", "LINESTRING (-111.5 31.4)", "at least two points"),
    Bad("intended_route", "LINESTRING (-111.5 31.4, -200 31)", "outside the globe"),
    Bad("dental", "19:F", "not a tooth in FDI"),
    Bad("dental", "16:X", "not a tooth state"),
    Bad("dental", "sixteen filled", "tooth:state"),
    Bad("marks", "wart: left hand: big", "not a kind of mark"),
    Bad("given_names", "x" * 201, "Field cannot be longer than 200"),
]


@pytest.mark.parametrize("bad", BAD_INPUT, ids=lambda bad: f"{bad.field}={str(bad.value)[:20]}")
def test_bad_input_is_refused_and_nothing_is_stored(app, as_user, client, bad) -> None:
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    as_user("family_liaison")
    response = client.post("/missing/new", data=_form(**{bad.field: bad.value}))
    assert response.status_code == 400
    assert bad.message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MissingPerson)) == 0


def test_a_case_needs_at_least_one_name(app, as_user, client) -> None:
    as_user("family_liaison")
    response = client.post("/missing/new", data=_form(given_names="", surnames="", aliases=""))
    assert response.status_code == 400 and "at least one name" in response.get_data(as_text=True)


def test_register_then_edit_keeps_everything(app, as_user, client) -> None:
    as_user("family_liaison")
    created = client.post("/missing/new", data=_form())
    assert created.status_code == 302
    reference = created.headers["Location"].rsplit("/", 1)[-1]
    assert reference.startswith("MP-USA-2026-")
    edit_page = client.get(f"/missing/{reference}/edit").get_data(as_text=True)
    for shown in ("Pérez Xitumul", "LINESTRING (-111.54 31.48", "tattoo: left forearm"):
        assert shown in edit_page
    assert charted_teeth(edit_page) == {16: "F", 36: "C", 48: "M"}
    detail = client.get(f"/missing/{reference}").get_data(as_text=True)
    assert "wooden rosary" in detail and "Chepe" in detail


def test_second_concurrent_edit_is_told_not_overwritten(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        case = make_missing(db.session.get(User, world.user("family_liaison")))
        reference, version = case.reference, case.version
    as_user("family_liaison")
    first = client.post(f"/missing/{reference}/edit", data=_form(height_cm=171, version=version))
    assert first.status_code == 302
    second = client.post(f"/missing/{reference}/edit", data=_form(height_cm=150, version=version))
    assert second.status_code == 409
    assert "changed by someone else" in second.get_data(as_text=True)
    with app.test_request_context():
        from casework.missing.models import MissingPerson

        assert (
            db.session.scalar(
                select(MissingPerson.height_cm).where(MissingPerson.reference == reference)
            )
            == 171
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "relationship_to_missing": "mother"}, "This field is required"),
        ({"name": "Rosa", "relationship_to_missing": "landlord"}, "Not a valid choice"),
        (
            {"name": "Rosa", "relationship_to_missing": "mother", "consent_to_share": "y"},
            "which countries",
        ),
        (
            {
                "name": "Rosa",
                "relationship_to_missing": "mother",
                "consent_to_share": "y",
                "consent_countries": "USA; Mexico",
            },
            "three-letter",
        ),
    ],
)
def test_relative_bad_input(app, world, as_user, client, data, message) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.models import Relative

    with app.test_request_context():
        reference = make_missing(db.session.get(User, world.user("family_liaison"))).reference
    as_user("family_liaison")
    response = client.post(f"/missing/{reference}/relatives/new", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Relative)) == 0


def test_case_references_count_up_per_country_and_year(app, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        abroad = db.session.get(User, world.user("officer_abroad"))
        refs = [
            make_missing(liaison).reference,
            make_missing(liaison).reference,
            make_missing(abroad).reference,
        ]
    assert refs == ["MP-USA-2026-000001", "MP-USA-2026-000002", "MP-GTM-2026-000001"]
