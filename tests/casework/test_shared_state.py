"""State several application processes share: with CASEWORK_REDIS_URL the rate limits (sign-in,
exchange inbox) are counted in Redis, so a client cannot get round them by landing on another
process; signed-in sessions live in the database, so signing out on one process ends the
session on every other."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from tests.casework.exchanges.test_transport import make_identity
from tests.conftest import REDIS_URL, login


def _process(settings: dict[str, Any], **overrides: Any) -> Any:
    """One more application process of the same installation (its own app, pool, limiter
    storage), as gunicorn would start it."""
    from casework import create_app

    return create_app({**settings, "RATELIMIT_ENABLED": True, **overrides})


def _dispose(*apps: Any) -> None:
    from casework.extensions import db

    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def address() -> Iterator[str]:
    """A client address of this test's own: the counts of other runs sharing the Redis server
    (and of this test on the other database) are not its; its counts are deleted after."""
    from redis import Redis

    chosen = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    yield chosen
    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"LIMITS:*/{chosen}/*"):
        connection.delete(key)


def _client(app: Any, address: str) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_sign_in_limit_holds_across_processes(redis_settings, app, world, address) -> None:
    limits = {"LOGIN_RATE_LIMIT": "3 per minute"}
    first = _process(redis_settings, **limits)
    try:
        assert first.config["RATELIMIT_STORAGE_URI"] == redis_settings["REDIS_URL"]
        tries = [
            login(_client(first, address), f"nobody{i}@x.example").status_code for i in range(3)
        ]
        second = _process(redis_settings, **limits)
        try:
            on_the_other = login(_client(second, address), "nobody@x.example").status_code
        finally:
            _dispose(second)
    finally:
        _dispose(first)
    assert tries == [401, 401, 401]
    assert on_the_other == 429  # counted with the first process's attempts


def test_without_redis_each_process_counts_alone(app, settings, world) -> None:
    """What the test above guards against: in-memory counts are per process."""
    first = _process(settings, LOGIN_RATE_LIMIT="3 per minute")
    try:
        tries = [login(first.test_client(), f"nobody{i}@x.example").status_code for i in range(3)]
        second = _process(settings, LOGIN_RATE_LIMIT="3 per minute")
        try:
            on_the_other = login(second.test_client(), "nobody@x.example").status_code
        finally:
            _dispose(second)
    finally:
        _dispose(first)
    assert first.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert tries == [401, 401, 401] and on_the_other == 401


def test_the_inbox_limit_holds_across_processes(redis_settings, app, address) -> None:
    limits = {"EXCHANGE_INBOX_RATE_LIMIT": "2 per minute"}
    first = _process(redis_settings, **limits)
    try:
        with first.test_request_context():
            make_identity()
        flood = _client(first, address)
        answers = [flood.post("/exchange/inbox", data=b"not a message") for _ in range(2)]
        second = _process(redis_settings, **limits)
        try:
            third = _client(second, address).post("/exchange/inbox", data=b"not a message")
        finally:
            _dispose(second)
    finally:
        _dispose(first)
    assert [answer.status_code for answer in answers] == [400, 400]  # malformed, but counted
    assert third.status_code == 429 and third.get_json()["error"]["code"] == "rate-limited"


def test_signing_out_on_one_process_ends_the_session_on_every_other(app, settings, world) -> None:
    other_process = _process(settings, RATELIMIT_ENABLED=False)
    try:
        here = app.test_client()
        assert login(here, "supervisor@home.example").status_code == 302
        there = other_process.test_client()
        cookie = here.get_cookie("session")
        assert cookie is not None
        there.set_cookie("session", cookie.value)  # the load balancer sends the next request there
        assert there.get("/jobs/").status_code == 200
        assert here.post("/auth/logout").status_code in (302, 303)
        after = there.get("/jobs/")
    finally:
        _dispose(other_process)
    assert after.status_code == 302 and "/auth/login" in after.headers["Location"]
