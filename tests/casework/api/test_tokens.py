"""Personal API tokens: shown once, hashed at rest, scoped, revocable, expiring; only a bearer
token opens the API (never a session cookie), and CSRF still guards the forms."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select, text

from tests.casework.api.conftest import bearer


def _tokens(app):
    from casework.api.models import ApiToken
    from casework.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(ApiToken)).all()
        db.session.expunge_all()
        db.session.remove()
    return rows


def _secret_in(html: str) -> str:
    match = re.search(r'<code id="new-token">([^<]+)</code>', html)
    assert match, "the new token is shown once on the page"
    return match.group(1)


def test_created_on_the_account_page_shown_once_and_hashed(app, as_user) -> None:
    client = as_user("family_liaison")
    response = client.post(
        "/auth/account/tokens/", data={"name": "case sync", "scopes": "read;write"}
    )
    assert response.status_code == 200
    secret = _secret_in(response.get_data(as_text=True))
    assert secret.startswith("cwk_") and len(secret) > 40

    [token] = _tokens(app)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scopes == "read;write"
    with app.app_context():  # the secret is in no cell of the table
        from casework.extensions import db

        cells = db.session.execute(text("SELECT * FROM api_token")).all()
        db.session.remove()
    assert not any(secret in str(cell) for row in cells for cell in row)

    listing = client.get("/auth/account/tokens/").get_data(as_text=True)
    assert secret not in listing and "case sync" in listing and token.prefix in listing
    assert client.get("/api/v1/missing", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("form", "field_message"),
    [
        ({"name": "", "scopes": "read"}, "This field is required."),
        ({"name": "x" * 101, "scopes": "read"}, "Field cannot be longer than 100 characters."),
        ({"name": "ok", "scopes": "admin"}, "Not a valid choice."),
        ({"name": "ok", "scopes": "read", "expires_in_days": "0"}, "Number must be between"),
        ({"name": "ok", "scopes": "read", "expires_in_days": "soon"}, "Not a valid integer value."),
    ],
)
def test_bad_token_form_stores_nothing(app, as_user, form, field_message) -> None:
    response = as_user("supervisor").post("/auth/account/tokens/", data=form)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert _tokens(app) == []


def test_revoked_token_is_refused(app, as_user) -> None:
    client = as_user("forensic_officer")
    secret = _secret_in(
        client.post("/auth/account/tokens/", data={"name": "lab", "scopes": "read"}).get_data(
            as_text=True
        )
    )
    [token] = _tokens(app)
    assert client.post(f"/auth/account/tokens/{token.id}/revoke").status_code == 303
    response = client.get("/api/v1/remains", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in client.get("/auth/account/tokens/").get_data(as_text=True)


def test_nobody_revokes_another_users_token(app, as_user, token_for) -> None:
    secret = token_for("forensic_officer")
    [token] = _tokens(app)
    response = as_user("supervisor").post(f"/auth/account/tokens/{token.id}/revoke")
    assert response.status_code == 404
    assert app.test_client().get("/api/v1/remains", headers=bearer(secret)).status_code == 200


def test_expired_token_is_refused(client, clock, token_for) -> None:
    secret = token_for("supervisor", days=1)
    assert client.get("/api/v1/missing", headers=bearer(secret)).status_code == 200
    clock.advance(days=1, seconds=1)
    response = client.get("/api/v1/missing", headers=bearer(secret))
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer cwk_not-a-real-token",
        "Bearer not-even-the-prefix",
    ],
)
def test_missing_or_unknown_token_is_401(client, world, header) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/missing", headers=headers)
    assert response.status_code == 401
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}


def test_disabled_account_token_is_refused(app, client, world, token_for) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    secret = token_for("supervisor")
    with app.app_context():
        db.session.get(User, world.user("supervisor")).is_enabled = False
        db.session.commit()
        db.session.remove()
    assert client.get("/api/v1/missing", headers=bearer(secret)).status_code == 401


def test_read_token_cannot_write(app, client, token_for) -> None:
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    secret = token_for("family_liaison", scopes=("read",))
    response = client.post("/api/v1/missing", headers=bearer(secret), json={"given_names": "Ana"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "insufficient_scope"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MissingPerson)) == 0
        db.session.remove()


def test_write_only_token_cannot_read(client, token_for) -> None:
    secret = token_for("family_liaison", scopes=("write",))
    assert client.get("/api/v1/missing", headers=bearer(secret)).status_code == 403


def test_session_cookie_alone_does_not_open_the_api(as_user) -> None:
    client = as_user("supervisor")
    assert client.get("/missing/").status_code == 200  # the cookie works for pages
    for method, url in (("GET", "/api/v1/missing"), ("POST", "/api/v1/remains")):
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, url
        assert "Set-Cookie" not in response.headers


def test_token_acts_as_its_user_in_the_audit_trail(
    app, client, world, token_for, make_case
) -> None:
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    reference = make_case("missing", "family_liaison")
    secret = token_for("supervisor")
    assert client.get(f"/api/v1/missing/{reference}", headers=bearer(secret)).status_code == 200
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "view", AuditEntry.object_ref == reference)
            .order_by(AuditEntry.seq.desc())
        )
        assert entry is not None and entry.actor_label == "supervisor@home.example"
        db.session.remove()


def test_csrf_guards_forms_but_not_the_token_api(settings) -> None:
    from casework import create_app
    from casework.accounts import services
    from casework.accounts.models import AgencyKind, Role
    from casework.api.services import issue_token, parse_scopes
    from casework.commands import ensure_data_key
    from casework.extensions import db
    from tests.conftest import PASSWORD

    app = create_app({**settings, "WTF_CSRF_ENABLED": True})
    with app.test_request_context():
        ensure_data_key()
        agency = services.create_agency("PCOME", "USA", "Pima", AgencyKind.MEDICAL_EXAMINER)
        user = services.create_user(
            agency=agency,
            email="liaison@home.example",
            display_name="Liaison",
            role=Role.FAMILY_LIAISON,
            password=PASSWORD,
        )
        secret = issue_token(user, "sync", parse_scopes(["read", "write"]), None).secret
        db.session.remove()
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        client.post(
            "/auth/login",
            data={"email": "liaison@home.example", "password": PASSWORD, "csrf_token": csrf},
        ).status_code
        == 302
    )
    # a form without its CSRF token is refused, even signed in
    assert (
        client.post("/auth/account/tokens/", data={"name": "x", "scopes": "read"}).status_code
        == 400
    )
    # the API takes no CSRF token: the bearer token is the proof
    response = app.test_client().post(
        "/api/v1/missing", headers=bearer(secret), json={"given_names": "Ana"}
    )
    assert response.status_code == 201
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_cli_creates_a_token_shown_once(app, runner, world) -> None:
    result = runner.invoke(
        args=[
            "tokens",
            "create",
            "--email",
            "supervisor@home.example",
            "--name",
            "nightly export",
            "--scope",
            "read",
            "--days",
            "30",
        ]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    [token] = _tokens(app)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at is not None and token.scopes == "read"
    assert app.test_client().get("/api/v1/missing", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nobody@home.example", "--name", "x"], "no active account"),
        (["--email", "supervisor@home.example", "--name", " "], "Name the token"),
        (["--email", "supervisor@home.example", "--name", "x", "--days", "0"], "between 1 and"),
    ],
)
def test_cli_refuses_bad_input(app, runner, world, args, message) -> None:
    result = runner.invoke(args=["tokens", "create", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert _tokens(app) == []


def test_api_is_rate_limited(settings) -> None:
    from casework import create_app

    app = create_app({**settings, "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "2 per minute"})
    client = app.test_client()
    statuses = [client.get("/api/v1/missing").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    body = client.get("/api/v1/missing").get_json()
    assert body["error"]["code"] == "rate_limited"
    with app.app_context():
        from casework.extensions import db

        db.session.remove()
        db.engine.dispose()
