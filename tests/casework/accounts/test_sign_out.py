"""Signing out ends the session on the server: a copied cookie stops working, in every
application process, and idle sessions end there too."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import login

EMAIL = "family_liaison@home.example"


def _copy_of(client, app):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(app, client, world) -> None:
    login(client, EMAIL)
    thief = _copy_of(client, app)
    assert thief.get("/missing/").status_code == 200  # a copy works while the session lives
    client.post("/auth/logout")
    response = thief.get("/missing/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_sign_out_reaches_every_application_process(settings, client, app, world) -> None:
    from casework import create_app
    from casework.extensions import db

    other_process = create_app(settings)  # a second worker: shares nothing but the database
    try:
        login(client, EMAIL)
        elsewhere = other_process.test_client()
        elsewhere.set_cookie("session", client.get_cookie("session").value)
        assert elsewhere.get("/missing/").status_code == 200
        client.post("/auth/logout")
        assert elsewhere.get("/missing/").status_code == 302
    finally:
        with other_process.app_context():
            db.session.remove()
            db.engine.dispose()


def test_each_sign_in_is_its_own_session(app, client, world) -> None:
    from casework.accounts.models import SignInSession
    from casework.extensions import db

    other = app.test_client()
    login(client, EMAIL)
    login(other, EMAIL)
    client.post("/auth/logout")
    assert other.get("/missing/").status_code == 200  # the other browser stays signed in
    with app.app_context():
        rows = db.session.scalars(select(SignInSession)).all()
        assert len(rows) == 2 and sum(row.ended_at is not None for row in rows) == 1


def test_an_idle_session_ends_on_the_server(app, client, world, clock) -> None:
    login(client, EMAIL)
    thief = _copy_of(client, app)
    clock.advance(minutes=31)
    assert client.get("/missing/").status_code == 302  # signed out for inactivity
    clock.advance(minutes=-30)  # a replayed cookie cannot bring the session back
    assert thief.get("/missing/").status_code == 302


def test_a_cookie_without_a_server_session_is_not_signed_in(app, client, world) -> None:
    from casework.accounts.models import SignInSession
    from casework.extensions import db

    login(client, EMAIL)
    with app.app_context():
        db.session.execute(SignInSession.__table__.delete())
        db.session.commit()
    assert client.get("/missing/").status_code == 302
