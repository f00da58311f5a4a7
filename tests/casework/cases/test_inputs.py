"""A case kind's input is the one place its fields are declared: the form, the API table and
the API answer all have exactly its fields, its rules refuse bad values with the field named,
and a stored case reads back as the input it was made from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from casework.cases.models import EffectCategory, MarkKind, Sex, ToothState
from casework.errors import ValidationError
from casework.missing.inputs import MissingPersonInput
from casework.remains.inputs import RemainsInput
from casework.remains.models import RemainsCondition
from tests.casework.factories import MISSING, REMAINS

TODAY = date(2026, 1, 10)
KINDS = [MissingPersonInput, RemainsInput]


@pytest.mark.parametrize("kind", KINDS)
def test_form_api_table_and_answer_have_the_fields_of_the_input(app, kind) -> None:
    fields = list(kind.specs())
    with app.test_request_context():
        form = kind.form_class("Form")(meta={"csrf": False})
        shown = [
            field.name for field in form if field.name not in ("version", "form_token", "submit")
        ]
    assert sorted(shown) == sorted(fields)
    assert list(kind.json_body().fields) == fields
    assert list(kind().to_json()) == fields


def test_remains_parse_types_every_field() -> None:
    given = RemainsInput.parse(REMAINS, TODAY)
    assert given.recovery_date == date(2025, 9, 15)
    assert given.condition is RemainsCondition.SKELETONISED
    assert given.estimated_sex is Sex.MALE
    assert given.document_names == ("JOSE L PEREZ",)
    assert given.effects == ((EffectCategory.CLOTHING, "hooded sweatshirt, black"),)
    assert given.dental == ((16, ToothState.FILLED), (36, ToothState.CROWN))
    # a remains case needs at least when or where it was recovered
    with pytest.raises(ValidationError, match="recovery date or a place") as empty:
        RemainsInput.parse({}, TODAY)
    assert empty.value.field == "recovery_date"
    assert RemainsInput.parse({"recovery_place": "Altar Valley"}, TODAY).recovery_date is None


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    [
        (RemainsInput, {"stature_min_cm": 300}, "stature_min_cm", "between 40 and 260"),
        (RemainsInput, {"age_min": 50, "age_max": 20}, "age_min", "runs backwards"),
        (RemainsInput, {"pmi_min_days": 9, "pmi_max_days": 2}, "pmi_min_days", "interval range"),
        (RemainsInput, {"recovery_date": date(2026, 1, 11)}, "recovery_date", "in the future"),
        (RemainsInput, {"recovery_date": "15/09/2025"}, "recovery_date", "YYYY-MM-DD"),
        (RemainsInput, {"recovery_lon": None}, "recovery_lat", "or neither"),
        (RemainsInput, {"estimated_sex": "X"}, "condition", "from the lists"),
        (RemainsInput, {"age_min": "twelve"}, "age_min", "whole number"),
        (RemainsInput, {"recovered_by": "x" * 201}, "recovered_by", "under 200"),
        (
            MissingPersonInput,
            {"given_names": "", "surnames": "", "aliases": ""},
            "given_names",
            "at least one name",
        ),
        (MissingPersonInput, {"sex": "X"}, "sex", "F, M or U"),
        (MissingPersonInput, {"nationality": "GT"}, "nationality", "three-letter"),
        (MissingPersonInput, {"birth_date": "1850"}, "birth_date", "out of range"),
        (MissingPersonInput, {"intended_route": "LINESTRING (1 2)"}, "intended_route", "two"),
        (MissingPersonInput, {"marks": "wing: back:"}, "marks", "not a kind of mark"),
        (MissingPersonInput, {"dental": "11:F; 11:M"}, "dental", "given twice"),
        (MissingPersonInput, {"height_cm": 20}, "height_cm", "between 40 and 260"),
    ],
)
def test_bad_values_are_refused_at_their_field(kind, changes, field, message) -> None:
    base = MISSING if kind is MissingPersonInput else REMAINS
    with pytest.raises(ValidationError) as refused:
        kind.parse({**base, **changes}, TODAY)
    assert refused.value.field == field
    assert message in refused.value.message


def test_a_stored_case_reads_back_as_its_input(app, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.services import register_missing_person, update_missing_person
    from casework.remains.services import log_remains

    with app.test_request_context():
        user = db.session.get(User, world.user("forensic_officer"))
        remains = RemainsInput.parse(REMAINS)
        assert RemainsInput.of_case(log_remains(user, remains)) == remains
        person = MissingPersonInput.parse(MISSING)
        case = register_missing_person(user, person)
        read = MissingPersonInput.of_case(case)
        assert read.marks == (
            (MarkKind.TATTOO, "left forearm", "name Maria in script"),
            (MarkKind.SCAR, "right knee", None),
        )
        assert replace(read, intended_route=None) == replace(person, intended_route=None)
        # an unchanged save changes nothing, not even the version
        version = case.version
        update_missing_person(case, read, version)
        assert case.version == version
        db.session.remove()
