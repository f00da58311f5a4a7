"""The notification pages: the unread count in the header, opening and marking read (another
user's answers 404), and the choices with good and bad input."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select


@pytest.fixture
def notified(app, world):
    from casework.extensions import db
    from casework.notifications.models import Notification
    from casework.notifications.producers import notify_family_request

    with app.test_request_context():
        notify_family_request(world.home, "FR-2026-0009", "/missing/")
        ids = {item.user_id: item.id for item in db.session.scalars(select(Notification)).all()}
        db.session.remove()
    return ids


def test_the_header_counts_unread_and_opening_marks_read(app, world, as_user, notified) -> None:
    client = as_user("family_liaison")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "New family request FR-2026-0009 for your agency." in page
    assert 'class="badge">1<' in page
    mine = notified[world.user("family_liaison")]
    opened = client.post(f"/notifications/{mine}/open")
    assert opened.status_code == 303 and opened.headers["Location"] == "/missing/"
    assert 'class="badge"' not in client.get("/notifications/").get_data(as_text=True)


def test_another_users_notification_is_not_found(app, world, as_user, notified) -> None:
    client = as_user("family_liaison")
    theirs = notified[world.user("supervisor")]
    assert client.post(f"/notifications/{theirs}/read").status_code == 404
    assert client.post(f"/notifications/{theirs}/open").status_code == 404
    assert client.post(f"/notifications/{uuid.uuid4()}/read").status_code == 404
    supervisor = as_user("supervisor")
    assert 'class="badge">1<' in supervisor.get("/notifications/").get_data(as_text=True)
    assert supervisor.post(f"/notifications/{theirs}/read").status_code == 303
    assert supervisor.post("/notifications/read-all").status_code == 303


def test_pages_need_a_sign_in(client, notified) -> None:
    assert client.get("/notifications/").status_code == 302
    assert client.post("/notifications/read-all").status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind-family_request": "sms"}, "Choose how to receive it"),
        ({"kind-no_such_kind": "app"}, "Choose among the notifications listed."),
        ({"kind-identification_waiting": "app"}, "Choose among the notifications listed."),
    ],
)
def test_bad_choices_are_refused_and_store_nothing(app, world, as_user, form, message) -> None:
    from casework.extensions import db
    from casework.notifications.models import NotificationChoice

    client = as_user("family_liaison")
    response = client.post("/notifications/choices", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(NotificationChoice)).all() == []


def test_choices_are_saved_and_shown(app, world, as_user) -> None:
    client = as_user("family_liaison")
    page = client.get("/notifications/choices").get_data(as_text=True)
    assert "A family request for my agency: a new one, or news from the family" in page
    assert "An identification waiting for a second person" not in page  # not a liaison's
    saved = client.post(
        "/notifications/choices",
        data={"kind-family_request": "app", "kind-candidate_for_review": "none"},
    )
    assert saved.status_code == 303
    page = client.get("/notifications/choices").get_data(as_text=True)
    assert 'name="kind-family_request" value="app" checked' in page
    assert 'name="kind-candidate_for_review" value="none" checked' in page
    auditor = as_user("auditor").get("/notifications/choices").get_data(as_text=True)
    assert "Your role receives no notifications." in auditor


def test_the_same_choices_saved_twice_at_once_never_fail(app, world) -> None:
    from casework.extensions import db
    from casework.notifications.models import NotificationChoice
    from tests.casework.test_concurrency import _clients, _together

    clients = _clients(app, "family_liaison@home.example", 2)
    results = _together(
        [
            lambda client=client: (
                client.post(
                    "/notifications/choices", data={"kind-family_request": "app"}
                ).status_code
            )
            for client in clients
        ]
    )
    assert all(status in (303, 503) for status in results), results
    assert 303 in results
    with app.app_context():
        rows = db.session.scalars(select(NotificationChoice)).all()
        assert [(row.kind.value, row.delivery.value) for row in rows] == [("family_request", "app")]
