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


# --- managing existing accounts without SQL ---------------------------------------------------


def _user(app, key_or_id, world=None):
    from casework.accounts.models import User
    from casework.extensions import db

    with app.app_context():
        user = db.session.get(User, world.user(key_or_id) if world else key_or_id)
        db.session.expunge(user)
        return user


def _security_events(app, user_id) -> list[dict]:
    import json

    from casework.audit.models import AuditEntry
    from casework.extensions import db

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "security", AuditEntry.object_id == str(user_id)
            )
        ).all()
        return [json.loads(entry.details) for entry in entries]


def test_disabling_an_account_ends_its_sessions_and_is_audited(app, as_user, world) -> None:
    from tests.conftest import login

    liaison = app.test_client()
    assert login(liaison, "family_liaison@home.example").status_code == 302
    admin = as_user("administrator")
    account = world.user("family_liaison")
    response = admin.post(f"/admin/users/{account}/enabled", data={"enabled": "0"})
    assert response.status_code == 302
    assert liaison.get("/missing/").status_code == 302  # its open session ended
    assert login(app.test_client(), "family_liaison@home.example").status_code == 401
    assert not _user(app, "family_liaison", world).is_enabled
    events = _security_events(app, account)
    assert events[-1]["event"] == "account disabled" and events[-1]["sessions"] == 1

    assert admin.post(f"/admin/users/{account}/enabled", data={"enabled": "1"}).status_code == 302
    assert login(app.test_client(), "family_liaison@home.example").status_code == 302


def test_an_administrator_unlocks_an_address_held_back(app, as_user, world) -> None:
    from tests.conftest import login

    browser = app.test_client()
    for _ in range(5):
        login(browser, "family_liaison@home.example", "wrong password 123")
    assert login(browser, "family_liaison@home.example").status_code == 401
    admin = as_user("administrator")
    account = world.user("family_liaison")
    assert b"held back after too many" in admin.get(f"/admin/users/{account}").data
    assert admin.post(f"/admin/users/{account}/unlock").status_code == 302
    assert login(browser, "family_liaison@home.example").status_code == 302
    assert _security_events(app, account)[-1]["addresses"] == 1


def test_an_administrator_resets_a_password(app, as_user, world) -> None:
    from tests.conftest import login

    admin = as_user("administrator")
    account = world.user("family_liaison")
    new_password = "a brand new passphrase 77"
    weak = admin.post(f"/admin/users/{account}/password", data={"password": "short"})
    assert weak.status_code == 400 and b"between 12 and" in weak.data
    response = admin.post(f"/admin/users/{account}/password", data={"password": new_password})
    assert response.status_code == 302
    assert login(app.test_client(), "family_liaison@home.example").status_code == 401
    assert login(app.test_client(), "family_liaison@home.example", new_password).status_code == 302
    assert _security_events(app, account)[-1]["event"] == "password reset"


def test_an_administrator_changes_a_role(app, as_user, world) -> None:
    from casework.accounts.models import Role

    admin = as_user("administrator")
    account = world.user("family_liaison")
    response = admin.post(f"/admin/users/{account}/role", data={"role": "supervisor"})
    assert response.status_code == 302
    assert _user(app, "family_liaison", world).role is Role.SUPERVISOR
    event = _security_events(app, account)[-1]
    assert event == {
        "event": "role changed",
        "account": "family_liaison@home.example",
        "role": ["family_liaison", "supervisor"],
    }


@pytest.mark.parametrize(
    ("target", "path", "data", "status", "message"),
    [
        ("system_administrator", "role", {"role": "auditor"}, 403, b"Only a system administrator"),
        ("system_administrator", "enabled", {"enabled": "0"}, 403, b"Only a system administrator"),
        ("family_liaison", "role", {"role": "system_administrator"}, 403, b"Only a system"),
        ("family_liaison", "role", {"role": "emperor"}, 400, b"Choose one of the roles"),
        ("family_liaison", "enabled", {"enabled": "maybe"}, 400, b"Not a valid choice"),
        ("family_liaison", "password", {"password": "password1234"}, 400, b"too common"),
        ("administrator", "enabled", {"enabled": "0"}, 400, b"your own account"),
        ("administrator", "role", {"role": "auditor"}, 400, b"your own role"),
    ],
)
def test_account_changes_refused_in_words(
    app, as_user, world, target, path, data, status, message
) -> None:
    before = _user(app, target, world)
    response = as_user("administrator").post(f"/admin/users/{world.user(target)}/{path}", data=data)
    assert response.status_code == status
    assert message in response.data
    after = _user(app, target, world)
    assert (after.role, after.is_enabled, after.password_hash) == (
        before.role,
        before.is_enabled,
        before.password_hash,
    )


def test_another_agencys_accounts_are_not_revealed_to_an_agency_administrator(
    app, as_user, world
) -> None:
    abroad = world.user("officer_abroad")
    admin = as_user("administrator")
    assert admin.get(f"/admin/users/{abroad}").status_code == 404
    assert admin.post(f"/admin/users/{abroad}/enabled", data={"enabled": "0"}).status_code == 404
    assert _user(app, abroad).is_enabled
    system = as_user("system_administrator")
    assert system.post(f"/admin/users/{abroad}/enabled", data={"enabled": "0"}).status_code == 302
    assert not _user(app, abroad).is_enabled
