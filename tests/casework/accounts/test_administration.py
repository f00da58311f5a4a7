"""Account administration: an agency's administrator manages that agency's accounts only; the
system administrator, a role of its own, manages every agency."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

NEW_ACCOUNT = {
    "email": "new.person@home.example",
    "display_name": "New Person",
    "role": "forensic_officer",
    "password": "a long enough passphrase 42",
}


def _accounts(app, email: str) -> int:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_agency_administrator_is_offered_only_their_agency_and_roles(as_user, world) -> None:
    page = as_user("administrator").get("/admin/users/new").get_data(as_text=True)
    assert "Pima County Medical Examiner" in page
    assert "Guatemala Foreign Ministry" not in page
    assert 'value="system_administrator"' not in page
    assert 'value="administrator"' in page


def test_agency_administrator_cannot_create_an_account_in_another_agency(
    app, as_user, world
) -> None:
    response = as_user("administrator").post(
        "/admin/users/new", data={**NEW_ACCOUNT, "agency_id": world.abroad}
    )
    assert response.status_code == 403
    assert b"your own agency only" in response.data
    assert _accounts(app, NEW_ACCOUNT["email"]) == 0


def test_agency_administrator_cannot_make_a_system_administrator(app, as_user, world) -> None:
    response = as_user("administrator").post(
        "/admin/users/new",
        data={**NEW_ACCOUNT, "agency_id": world.home, "role": "system_administrator"},
    )
    assert response.status_code == 403
    assert b"Only a system administrator" in response.data
    assert _accounts(app, NEW_ACCOUNT["email"]) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agency_id", "999999", b"Choose one of the agencies offered."),
        ("agency_id", "not a number", b"could not coerce"),
        ("role", "emperor", b"Choose one of the roles offered."),
    ],
)
def test_new_account_form_refuses_made_up_choices(
    app, as_user, world, field, value, message
) -> None:
    response = as_user("system_administrator").post(
        "/admin/users/new", data={**NEW_ACCOUNT, "agency_id": world.home, field: value}
    )
    assert response.status_code == 400
    assert message in response.data
    assert _accounts(app, NEW_ACCOUNT["email"]) == 0


def test_agency_administrator_creates_accounts_in_their_own_agency(app, as_user, world) -> None:
    response = as_user("administrator").post(
        "/admin/users/new", data={**NEW_ACCOUNT, "agency_id": world.home}
    )
    assert response.status_code == 302
    assert _accounts(app, NEW_ACCOUNT["email"]) == 1


def test_system_administrator_creates_accounts_in_any_agency(app, as_user, world) -> None:
    from casework.accounts.models import Role, User
    from casework.extensions import db

    client = as_user("system_administrator")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "Guatemala Foreign Ministry" in page and 'value="system_administrator"' in page
    response = client.post(
        "/admin/users/new",
        data={**NEW_ACCOUNT, "agency_id": world.abroad, "role": "system_administrator"},
    )
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(User).where(User.email == NEW_ACCOUNT["email"]))
        assert created.agency_id == world.abroad and created.role is Role.SYSTEM_ADMINISTRATOR


def test_account_lists_follow_what_each_administrator_manages(as_user, world) -> None:
    own = as_user("administrator").get("/admin/users").get_data(as_text=True)
    assert "consul@gtm.example" not in own and "auditor@home.example" in own
    every = as_user("system_administrator").get("/admin/users").get_data(as_text=True)
    assert "consul@gtm.example" in every and "auditor@home.example" in every


def test_the_service_refuses_another_agency_without_the_pages(ctx, world) -> None:
    from casework.accounts.models import Agency, Role, User
    from casework.accounts.services import create_user
    from casework.errors import NotAllowed
    from casework.extensions import db

    admin = db.session.get(User, world.user("administrator"))
    abroad = db.session.get(Agency, world.abroad)
    with pytest.raises(NotAllowed, match="own agency only"):
        create_user(
            agency=abroad,
            email="x@gtm.example",
            display_name="X",
            role=Role.FORENSIC_OFFICER,
            password=NEW_ACCOUNT["password"],
            by=admin,
        )
