"""The e-mail digest: each user's unread notifications not yet mailed, in one message through
the installation's SMTP server. The body carries the sentences (kinds and references) and
links, never a name or any other personal data; the pages behind the links ask for a sign-in.
Off unless `NOTIFICATION_EMAIL` is set."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.clock import now
from casework.db import db, transaction
from casework.errors import CaseworkError
from casework.notifications.models import (
    Delivery,
    Notification,
    NotificationChoice,
)
from casework.notifications.wording import sentence


class DigestError(CaseworkError):
    """The digest cannot be sent (off, or the SMTP server refused or could not be reached)."""


@dataclass(frozen=True)
class DigestReport:
    messages: int
    notifications: int


def _pending() -> dict[uuid.UUID, list[Notification]]:
    declined = {
        (choice.user_id, choice.kind)
        for choice in db.session.scalars(
            select(NotificationChoice).where(NotificationChoice.delivery != Delivery.APP_AND_EMAIL)
        )
    }
    pending: dict[uuid.UUID, list[Notification]] = defaultdict(list)
    for notification in db.session.scalars(
        select(Notification)
        .where(Notification.read_at.is_(None), Notification.emailed_at.is_(None))
        .order_by(Notification.created_at)
    ):
        if (notification.user_id, notification.kind) not in declined:
            pending[notification.user_id].append(notification)
    return pending


def compose(user: User, notifications: list[Notification], settings: Any) -> EmailMessage:
    """One user's digest in their language: sentences and links, no personal data."""
    base = str(settings["PUBLIC_URL"]).rstrip("/")
    with force_locale(user.language or settings["DEFAULT_LANGUAGE"]):
        lines = [
            _("New notifications in casework: %(count)d", count=len(notifications)),
            "",
        ]
        for notification in notifications:
            lines.append(f"- {sentence(notification)}")
            lines.append(f"  {base}{notification.link}")
        choices = base + "/notifications/choices"
        lines += ["", _("Choose what you receive: %(link)s", link=choices)]
        subject = _("casework: new notifications (%(count)d)", count=len(notifications))
    message = EmailMessage()
    message["From"] = settings["MAIL_FROM"]
    message["To"] = user.email
    message["Subject"] = subject
    message.set_content("\n".join(lines))
    return message


def _connect(settings: Any) -> smtplib.SMTP:
    host, port = settings["SMTP_HOST"], int(settings["SMTP_PORT"])
    timeout = float(settings["SMTP_TIMEOUT_SECONDS"])
    if settings["SMTP_SECURITY"] == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if settings["SMTP_SECURITY"] == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings["SMTP_USERNAME"]:
        smtp.login(settings["SMTP_USERNAME"], settings["SMTP_PASSWORD"] or "")
    return smtp


def send_digest() -> DigestReport:
    """Mail every user their pending notifications, one message each, and mark them mailed.
    A message the server refuses leaves that user's notifications for the next run."""
    settings = current_app.config
    if not settings["NOTIFICATION_EMAIL"]:
        raise DigestError(
            _l("E-mail digests are off: set CASEWORK_NOTIFICATION_EMAIL and the SMTP settings.")
        )
    pending = _pending()
    if not pending:
        return DigestReport(0, 0)
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_(list(pending)), User.is_enabled)
        )
    }
    messages = count = 0
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        raise DigestError(
            _l("The SMTP server could not be reached: %(error)s", error=type(error).__name__)
        ) from error
    try:
        for user_id, notifications in pending.items():
            user = users.get(user_id)
            if user is None:
                continue
            try:
                smtp.send_message(compose(user, notifications, settings))
            except smtplib.SMTPRecipientsRefused:
                continue  # this address is refused; the others still go
            with transaction():
                moment = now()
                for notification in notifications:
                    notification.emailed_at = moment
            messages += 1
            count += len(notifications)
    finally:
        try:
            smtp.quit()
        except smtplib.SMTPException:
            pass
    return DigestReport(messages, count)
