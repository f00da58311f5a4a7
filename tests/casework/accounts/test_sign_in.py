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


def _browser_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_repeated_failures_hold_back_that_address_only(app, world, clock) -> None:
    attacker = _browser_at(app, "203.0.113.9")
    owner = _browser_at(app, "198.51.100.4")
    for _ in range(5):
        assert login(attacker, EMAIL, "wrong password 123").status_code == 401
    held = login(attacker, EMAIL)  # even the right password is refused from there
    assert held.status_code == 401 and b"Too many failed attempts from this address" in held.data
    # the owner, elsewhere, is not locked out by someone else's guesses
    assert login(owner, EMAIL).status_code == 302
    clock.advance(minutes=16)
    assert login(attacker, EMAIL).status_code == 302


def test_failures_are_forgotten_after_a_quiet_while(app, world, clock) -> None:
    client = _browser_at(app, "203.0.113.9")
    for _ in range(4):
        login(client, EMAIL, "wrong password 123")
    clock.advance(minutes=20)
    assert login(client, EMAIL, "wrong password 123").status_code == 401
    assert login(client, EMAIL).status_code == 302  # one failure counted, not five


def test_wrong_second_factor_codes_count_towards_holding_back(app, client, world, clock) -> None:
    from casework.accounts.models import User
    from casework.accounts.services import begin_totp_enrolment, confirm_totp_enrolment
    from casework.extensions import db

    with app.test_request_context():
        user = db.session.get(User, world.user("family_liaison"))
        secret = begin_totp_enrolment(user)
        confirm_totp_enrolment(user, pyotp.TOTP(secret).at(clock()))
    clock.advance(seconds=60)
    login(client, EMAIL)
    for _ in range(5):
        assert client.post("/auth/totp", data={"code": "000000"}).status_code == 401
    held = client.post("/auth/totp", data={"code": pyotp.TOTP(secret).at(clock())})
    assert held.status_code == 401 and b"Too many failed attempts" in held.data
    assert client.get("/missing/").status_code == 302  # not signed in
    assert login(client, EMAIL).status_code == 401  # the password page holds back too


def _limited_app(settings, **overrides):
    from casework import create_app

    return create_app({**settings, "RATELIMIT_ENABLED": True, **overrides})


def _dispose(app) -> None:
    from casework.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_is_rate_limited(settings, world) -> None:
    limited = _limited_app(settings)
    try:
        client = limited.test_client()
        statuses = [login(client, f"nobody{i}@x.example").status_code for i in range(12)]
    finally:
        _dispose(limited)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def _attempts_through_proxy(app, client_address: str, count: int) -> list[int]:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # every request comes from the proxy
    return [
        client.post(
            "/auth/login",
            data={"email": f"nobody{i}@x.example", "password": "x" * 12},
            headers={"X-Forwarded-For": client_address},
        ).status_code
        for i in range(count)
    ]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(settings, world) -> None:
    limited = _limited_app(settings, TRUSTED_PROXIES=1)
    try:
        first = _attempts_through_proxy(limited, "203.0.113.7", 11)
        second = _attempts_through_proxy(limited, "198.51.100.23", 1)
    finally:
        _dispose(limited)
    assert first[-1] == 429 and second == [401]


def test_without_trusted_proxies_forwarded_addresses_are_not_believed(settings, world) -> None:
    limited = _limited_app(settings)
    try:
        _attempts_through_proxy(limited, "203.0.113.7", 10)
        forged = _attempts_through_proxy(limited, "198.51.100.23", 1)
    finally:
        _dispose(limited)
    assert forged == [429]  # a forged X-Forwarded-For does not buy a fresh limit


def test_the_audit_trail_records_the_client_behind_the_proxy(settings, world) -> None:
    from sqlalchemy import select

    from casework.audit.models import AuditEntry
    from casework.extensions import db

    proxied = _limited_app(settings, TRUSTED_PROXIES=1, RATELIMIT_ENABLED=False)
    try:
        _attempts_through_proxy(proxied, "203.0.113.7", 1)
        with proxied.app_context():
            entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()))
            assert entry.action == "login_failed" and entry.remote_addr == "203.0.113.7"
    finally:
        _dispose(proxied)


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
