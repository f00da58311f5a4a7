"""The dental chart of case forms: one parser for typed and charted teeth, a message a tooth."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.casework.factories import REMAINS, charted_teeth, make_remains


def _remains_form(**overrides):
    data = {**REMAINS, "recovery_date": "2025-09-15", **overrides}
    return {key: value for key, value in data.items() if value is not None}


def test_typed_findings_are_read_in_tooth_order() -> None:
    from casework.cases.fields import parse_dental
    from casework.cases.models import ToothState

    assert parse_dental("36:c, 11=F\n48 : M;") == [
        (11, ToothState.FILLED),
        (36, ToothState.CROWN),
        (48, ToothState.MISSING),
    ]
    assert parse_dental("") == [] and parse_dental(None) == []


@pytest.mark.parametrize(
    ("typed", "messages"),
    [
        ("19:F", ["Tooth 19: 19 is not a tooth in FDI notation"]),
        ("10:V", ["Tooth 10: 10 is not a tooth in FDI notation"]),
        ("16:X", ["Tooth 16: “X” is not a tooth state: use V (sound)"]),
        ("16:FF", ["Tooth 16: “FF” is not a tooth state"]),
        ("16:F; 16:M", ["Tooth 16 is given twice"]),
        ("16:F; 16:F", ["Tooth 16 is given twice"]),
        ("sixteen filled", ["“sixteen filled” is not a dental finding: write tooth:state"]),
        (
            "19:F; 16:X; 36:C; 36:M",
            [
                "Tooth 19: 19 is not",
                "Tooth 16: “X” is not a tooth state",
                "Tooth 36 is given twice",
            ],
        ),
    ],
)
def test_every_bad_tooth_is_named(typed, messages) -> None:
    from casework.cases.fields import parse_dental
    from casework.errors import ValidationError

    with pytest.raises(ValidationError) as raised:
        parse_dental(typed)
    assert raised.value.field == "dental"
    for message in messages:
        assert message in raised.value.message


def test_the_chart_shows_all_32_teeth_facing_the_patient(as_user) -> None:
    import re

    page = as_user("forensic_officer").get("/remains/new").get_data(as_text=True)
    teeth = [int(tooth) for tooth in re.findall(r'<select id="dental-(\d+)"', page)]
    assert teeth == [*range(18, 10, -1), *range(21, 29), *range(48, 40, -1), *range(31, 39)]
    assert '<label for="dental-36"><span class="visually-hidden">Tooth </span>36</label>' in page
    assert '<option value="C">C crown</option>' in page
    assert charted_teeth(page) == {}


def test_charted_teeth_are_stored_and_shown(app, as_user) -> None:
    client = as_user("forensic_officer")
    created = client.post(
        "/remains/new",
        data=_remains_form(dental=None, **{"dental-16": "F", "dental-36": "C", "dental-11": ""}),
    )
    assert created.status_code == 302
    reference = created.headers["Location"].rsplit("/", 1)[-1]
    detail = client.get(f"/remains/{reference}").get_data(as_text=True)
    assert "16:F</span> filled" in detail and "36:C</span> crown" in detail
    edit = client.get(f"/remains/{reference}/edit").get_data(as_text=True)
    assert charted_teeth(edit) == {16: "F", 36: "C"}

    changed = client.post(
        f"/remains/{reference}/edit",
        data=_remains_form(dental=None, version="1", **{"dental-16": "F", "dental-48": "M"}),
    )
    assert changed.status_code == 302
    edit = client.get(f"/remains/{reference}/edit").get_data(as_text=True)
    assert charted_teeth(edit) == {16: "F", 48: "M"}


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"dental-19": "F"}, "Tooth 19: 19 is not a tooth in FDI notation"),
        ({"dental-16": "X"}, "Tooth 16: “X” is not a tooth state"),
        ({"dental-16": "F", "dental": "16:M"}, "Tooth 16 is given twice"),
        ({"dental-1x": "F"}, "“1x:F” is not a dental finding"),
    ],
)
def test_a_bad_chart_is_refused_and_nothing_is_stored(app, as_user, posted, message) -> None:
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    client = as_user("forensic_officer")
    response = client.post(
        "/remains/new", data=_remains_form(**{"dental": None, "dental-36": "C", **posted})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'aria-describedby="dental-help dental-error"' in page
    assert charted_teeth(page).get(36) == "C"  # the good choices are kept for the correction
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnidentifiedRemains)) == 0


def test_a_bad_chart_leaves_the_stored_chart_untouched(app, world, as_user) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        case = make_remains(db.session.get(User, world.user("forensic_officer")))
        reference, version = case.reference, case.version
    client = as_user("forensic_officer")
    response = client.post(
        f"/remains/{reference}/edit",
        data=_remains_form(
            dental=None, version=str(version), **{"dental-16": "M", "dental-29": "F"}
        ),
    )
    assert response.status_code == 400 and "Tooth 29" in response.get_data(as_text=True)
    edit = client.get(f"/remains/{reference}/edit").get_data(as_text=True)
    assert charted_teeth(edit) == {16: "F", 36: "C"}  # as made, not 16:M


def test_the_missing_person_form_has_the_chart_too(app, as_user) -> None:
    from tests.casework.factories import MISSING

    client = as_user("family_liaison")
    data = {**MISSING, "last_seen_date": "2025-07-02", "dental": None}
    data = {key: value for key, value in data.items() if value is not None}
    bad = client.post("/missing/new", data={**data, "dental-55": "F"})
    assert bad.status_code == 400 and "Tooth 55" in bad.get_data(as_text=True)
    created = client.post("/missing/new", data={**data, "dental-21": "V", "dental-46": "F"})
    assert created.status_code == 302
    edit = client.get(created.headers["Location"] + "/edit").get_data(as_text=True)
    assert charted_teeth(edit) == {21: "V", 46: "F"}
