"""Signing in: passwords, lock-out, rate limit, second factor, idle time-out, CSRF, redirects."""

from __future__ import annotations

import pyotp
import pytest

from tests.conftest import PASSWORD, login

EMAIL = "family_liaison@home.example"


def test_good_and_bad_passwords(client, world) -> None:
    assert login(client, EMAIL, "not the password").status_code == 401
    assert b"wrong" in login(client, EMAIL, "not the password").data
    assert login(client, "nobody@home.example").status_code == 401
    response = login(client, EMAIL.upper())
    assert response.status_code == 302
    assert client.get("/missing/").status_code == 200


def test_passwords_are_hashed_with_argon2id(app, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.app_context():
        user = db.session.get(User, world.user("family_liaison"))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_account_locks_after_repeated_failures(client, world, clock) -> None:
    for _ in range(5):
        assert login(client, EMAIL, "wrong password 123").status_code == 401
    locked = login(client, EMAIL)  # even the right password is refused while locked
    assert locked.status_code == 401 and b"locked" in locked.data
    clock.advance(minutes=16)
    assert login(client, EMAIL).status_code == 302


def test_login_is_rate_limited(settings, world) -> None:
    from casework import create_app
    from casework.extensions import db

    limited = create_app({**settings, "RATELIMIT_ENABLED": True})
    try:
        client = limited.test_client()
        statuses = [login(client, f"nobody{i}@x.example").status_code for i in range(12)]
    finally:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_totp_enrolment_then_sign_in_with_code(app, client, world, clock) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    login(client, EMAIL)
    page = client.get("/auth/totp/setup")
    assert page.status_code == 200
    with app.app_context():
        secret = db.session.get(User, world.user("family_liaison")).totp_secret
    assert secret and secret.encode() in page.data
    assert client.post("/auth/totp/setup", data={"code": "000000"}).status_code == 400
    code = pyotp.TOTP(secret).at(clock())
    assert client.post("/auth/totp/setup", data={"code": code}).status_code == 302
    client.post("/auth/logout")

    clock.advance(seconds=60)
    first = login(client, EMAIL)
    assert first.headers["Location"].endswith("/auth/totp")
    assert client.get("/missing/").status_code == 302  # not signed in before the second factor
    code = pyotp.TOTP(secret).at(clock())
    assert client.post("/auth/totp", data={"code": "123 456"}).status_code == 401
    assert client.post("/auth/totp", data={"code": code}).status_code == 302
    assert client.get("/missing/").status_code == 200
    client.post("/auth/logout")

    login(client, EMAIL)
    replay = client.post("/auth/totp", data={"code": code})
    assert replay.status_code == 401  # a code works once


def test_second_factor_required_outside_the_demo(app, client, world) -> None:
    app.config["REQUIRE_TOTP"] = True
    login(client, EMAIL)
    response = client.get("/missing/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/totp/setup")


def test_idle_session_times_out(client, world, clock) -> None:
    login(client, EMAIL)
    assert client.get("/missing/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/missing/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/missing/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/missing/").status_code == 302


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/remains/", "/remains/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_redirects_inside_the_site(client, world, target, landing) -> None:
    response = client.post(
        f"/auth/login?next={target}", data={"email": EMAIL, "password": PASSWORD}
    )
    assert response.headers["Location"] == landing


def test_forms_refuse_posts_without_csrf_token(app, client, world) -> None:
    from sqlalchemy import func, select

    from casework.extensions import db
    from casework.missing.models import MissingPerson

    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/auth/login")
    assert b'name="csrf_token"' in page.data
    assert login(client, EMAIL).status_code == 400  # no token: refused
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, EMAIL)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/missing/new", data={"surnames": "Tesfay"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MissingPerson)) == 0


def test_language_is_chosen_per_user(client, world) -> None:
    login(client, EMAIL)
    assert client.post("/auth/account", data={"language": "xx"}).status_code == 400
    assert client.post("/auth/account", data={"language": "es"}).status_code == 302
    assert b'lang="es"' in client.get("/").data
