"""The API answers a refusal in the language of the token's user: {error: {code, message,
fields}} carries the service's message translated, and nothing is stored."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.casework.api.conftest import bearer


def test_a_spanish_api_error_body_is_in_spanish(app, world, token_for, make_case, client) -> None:
    from casework.accounts.models import User
    from casework.custody.models import Sample
    from casework.extensions import db

    reference = make_case("remains", "forensic_officer")
    secret = token_for("forensic_officer")
    url = f"/api/v1/remains/{reference}/samples"
    first = client.post(
        url, json={"barcode": "PCOME-S-0001", "kind": "bone"}, headers=bearer(secret)
    )
    assert first.status_code == 201, first.get_json()
    with app.app_context():  # the token's user now reads the interface in Spanish
        db.session.get(User, world.user("forensic_officer")).language = "es"
        db.session.commit()
    again = client.post(
        url, json={"barcode": "PCOME-S-0001", "kind": "bone"}, headers=bearer(secret)
    )
    assert again.status_code == 422
    error = again.get_json()["error"]
    wanted = "Ya hay registrada una muestra con el código de barras PCOME-S-0001."
    assert error["code"] == "invalid_fields"
    assert error["message"] == wanted and error["fields"] == {"barcode": wanted}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sample)) == 1
