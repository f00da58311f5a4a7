"""`casework users clean-up`: ended and idle-expired sign-in sessions and spent throttle rows
go; a live session and a hold still running stay (and keep working)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tests.conftest import PASSWORD, login

EMAIL = "family_liaison@home.example"


def _count(app: Any, model: Any) -> int:
    from casework.extensions import db

    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)))


def test_clean_up_keeps_what_still_counts(app: Any, world: Any, clock: Any, runner: Any) -> None:
    from casework.accounts.models import SignInSession, SignInThrottle

    signed_out, idle, live = app.test_client(), app.test_client(), app.test_client()
    login(signed_out, EMAIL)
    signed_out.post("/auth/logout")
    login(idle, EMAIL)
    clock.advance(minutes=31)  # past the 30-minute idle time-out for `idle`
    login(live, EMAIL)
    # an outsider's guesses: one address held back now, another's failures long forgotten
    for _ in range(5):
        app.test_client().post(
            "/auth/login",
            data={"email": EMAIL, "password": "wrong " + PASSWORD},
            environ_base={"REMOTE_ADDR": "203.0.113.7"},
        )
    clock.advance(minutes=5)
    app.test_client().post(
        "/auth/login",
        data={"email": EMAIL, "password": "wrong " + PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.2"},
    )
    clock.advance(minutes=16)  # the single failure is forgotten; the hold (15 min) is over too
    held = app.test_client()
    for _ in range(5):
        held.post(
            "/auth/login",
            data={"email": EMAIL, "password": "wrong " + PASSWORD},
            environ_base={"REMOTE_ADDR": "192.0.2.55"},
        )
    assert _count(app, SignInSession) == 3
    assert _count(app, SignInThrottle) == 3

    result = runner.invoke(args=["users", "clean-up"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 ended sign-in session(s) and 2 spent sign-in throttle row(s)." in (
        result.output
    )
    assert _count(app, SignInSession) == 1
    assert _count(app, SignInThrottle) == 1
    assert live.get("/missing/").status_code == 200  # the live session still works
    still_held = held.post(
        "/auth/login",
        data={"email": EMAIL, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.55"},
    )
    assert still_held.status_code == 401  # the running hold was kept
    again = runner.invoke(args=["users", "clean-up"])
    assert "Deleted 0 ended sign-in session(s) and 0 spent" in again.output
