"""The e-mail digest through a real SMTP server on loopback (aiosmtpd, started here): one
message per user in their language, references and links only, sent once; off by default."""

from __future__ import annotations

import email
from email import policy

import pytest


class Inbox:
    """Messages the SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    inbox.port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def mailing(app, smtp_server):
    app.config.update(
        NOTIFICATION_EMAIL=True,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        MAIL_FROM="casework@pcome.example",
        PUBLIC_URL="https://casework.pcome.example",
    )
    return smtp_server


def _notify(app, world):
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.notifications.producers import notify_family_request
    from tests.casework.factories import make_missing, make_remains

    with app.test_request_context():
        users = {key: db.session.get(User, world.user(key)) for key in world.users}
        users["supervisor"].language = "es"
        db.session.commit()
        person = make_missing(users["family_liaison"])
        remains = make_remains(users["forensic_officer"])
        notify_family_request(world.home, "FR-2026-0001", "/family/requests/FR-2026-0001")
        references = person.reference, remains.reference
        db.session.remove()
    return references


def test_each_user_gets_one_digest_without_personal_data_and_only_once(
    app, world, runner, mailing
) -> None:
    person_ref, remains_ref = _notify(app, world)
    result = runner.invoke(args=["notifications", "send-digest"])
    assert result.exit_code == 0, result.output
    by_rcpt = {rcpt[0]: message for rcpt, message in mailing.messages}
    assert set(by_rcpt) == {
        "forensic_officer@home.example",
        "family_liaison@home.example",
        "supervisor@home.example",
    }
    liaison = by_rcpt["family_liaison@home.example"]
    body = liaison.get_content()
    assert liaison["From"] == "casework@pcome.example"
    assert "FR-2026-0001" in body and person_ref in body and remains_ref in body
    assert "https://casework.pcome.example/family/requests/FR-2026-0001" in body
    assert "https://casework.pcome.example/matches/" in body
    for personal in ("José", "Pérez", "Xitumul", "Sasabe", "Chepe", "rosary"):
        assert personal not in body and personal not in str(liaison["Subject"])
    # in the reader's language
    spanish = by_rcpt["supervisor@home.example"].get_content()
    assert "Nueva solicitud familiar" in spanish, spanish
    assert result.output.startswith("3 digests sent")

    # run again: nothing new to send
    again = runner.invoke(args=["notifications", "send-digest"])
    assert again.exit_code == 0 and again.output.startswith("0 digests sent")
    assert len(mailing.messages) == 3


def test_a_user_who_chose_app_only_gets_no_mail_and_read_ones_are_not_mailed(
    app, world, runner, mailing
) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.notifications.services import mark_all_read, save_choices

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        save_choices(liaison, {"family_request": "app", "candidate_for_review": "app"})
        officer = db.session.get(User, world.user("forensic_officer"))
        db.session.remove()
    _notify(app, world)
    with app.test_request_context():
        mark_all_read(db.session.get(User, world.user("forensic_officer")))
        db.session.remove()
    assert officer is not None
    result = runner.invoke(args=["notifications", "send-digest"])
    assert result.exit_code == 0, result.output
    assert [rcpt for rcpt, _ in mailing.messages] == [["supervisor@home.example"]]


def test_the_digest_is_off_by_default_and_an_unreachable_server_is_said(
    app, world, runner, smtp_server
) -> None:
    _notify(app, world)
    off = runner.invoke(args=["notifications", "send-digest"])
    assert off.exit_code == 2 and "E-mail digests are off" in off.output
    assert smtp_server.messages == []

    closed = _free_port()  # nobody listens there
    app.config.update(NOTIFICATION_EMAIL=True, SMTP_HOST="127.0.0.1", SMTP_PORT=closed)
    down = runner.invoke(args=["notifications", "send-digest"])
    assert down.exit_code == 2 and "could not be reached" in down.output
    # nothing was marked mailed: a later run with the server up sends them
    app.config.update(SMTP_PORT=smtp_server.port)
    assert runner.invoke(args=["notifications", "send-digest"]).output.startswith("3 digests")
