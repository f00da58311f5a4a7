"""Input no person types is refused in words before a view reads it: NUL characters in forms,
queries and imported files, and JSON nested too deeply to parse."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.casework.factories import MISSING


def _missing_count(app) -> int:
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MissingPerson))


@pytest.mark.parametrize("field", ["given_names", "circumstances", "marks"])
def test_a_form_with_a_nul_character_is_refused_and_nothing_saved(
    app, world, as_user, field
) -> None:
    client = as_user("family_liaison")
    data = {key: str(value) for key, value in MISSING.items()}
    data[field] = "Ana\x00María"
    response = client.post("/missing/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"“{field}” contains a NUL character" in page and "Nothing was saved" in page
    assert _missing_count(app) == 0


def test_a_nul_character_in_the_address_or_the_sign_in_form_is_refused(client, world) -> None:
    assert client.get("/auth/login?next=/\x00x").status_code == 400
    response = client.post("/auth/login", data={"email": "a\x00@x.example", "password": "x"})
    assert response.status_code == 400 and b"NUL character" in response.data


def test_the_api_answers_a_nul_in_its_query_in_its_own_envelope(app, world) -> None:
    from casework.accounts.models import User
    from casework.api.models import Scope
    from casework.api.services import issue_token
    from casework.extensions import db

    with app.test_request_context():
        user = db.session.get(User, world.user("family_liaison"))
        secret = issue_token(user, "t", frozenset({Scope.READ}), None).secret
    response = app.test_client().get(
        "/api/v1/missing?status=open\x00", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 400  # a bad query, as the API documents it
    assert response.json["error"]["code"] == "bad_request"
    assert "NUL character" in response.json["error"]["message"]


def test_an_import_with_a_nul_character_names_row_and_column(app, world, runner, tmp_path):
    from tests.casework.bulk.test_import import GOOD_MISSING, HEADER, run_import, write

    rows = [GOOD_MISSING[0], GOOD_MISSING[1].replace("Yusuf", "Yu\x00suf")]
    result = run_import(runner, "missing", write(tmp_path / "nul.csv", HEADER, rows))
    assert result.exit_code == 1, result.output
    assert "row 3, column given_names: contains a NUL character" in result.output
    assert _missing_count(app) == 0


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_json_nested_too_deeply_is_bad_input_not_a_crash(app, world, depth) -> None:
    from casework.accounts.models import User
    from casework.api.models import Scope
    from casework.api.services import issue_token
    from casework.extensions import db

    with app.test_request_context():
        user = db.session.get(User, world.user("family_liaison"))
        secret = issue_token(user, "t", frozenset(Scope), None).secret
    body = '{"given_names": ' + "[" * depth + "]" * depth + "}"
    response = app.test_client().post(
        "/api/v1/missing",
        data=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert _missing_count(app) == 0
