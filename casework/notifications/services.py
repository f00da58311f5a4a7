"""Delivering notifications to the users who should and want to receive them, reading them,
marking them read, and each user's choices.

Who may receive a kind follows the role table (`RECEIVES`): a kind goes only to users whose
role carries the permissions to act on it, so a choice never widens what a user sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from casework.access import GRANTS, Permission
from casework.accounts.models import Role, User
from casework.clock import now
from casework.db import db, transaction
from casework.errors import NotFound, ValidationError
from casework.notifications.models import (
    Delivery,
    Notification,
    NotificationChoice,
    NotificationKind,
)

K = NotificationKind
P = Permission
# the permissions a role needs to receive each kind: to act on it, and to work cases (auditors
# read everything and act on nothing, so are told nothing)
RECEIVES: dict[NotificationKind, frozenset[Permission]] = {
    K.FAMILY_REQUEST: frozenset({P.EDIT_MISSING}),
    K.CANDIDATE_FOR_REVIEW: frozenset({P.READ_MATCHES, P.WRITE_NOTES}),
    K.IDENTIFICATION_WAITING: frozenset({P.CONFIRM_IDENTIFICATION}),
    K.REPATRIATION_STEP: frozenset({P.MANAGE_REPATRIATION}),
    K.EXCHANGE_HIT: frozenset({P.READ_EXCHANGE, P.WRITE_NOTES}),
    K.DISCLOSURE_REQUEST: frozenset({P.DECIDE_DISCLOSURE}),
    K.DNA_HIT: frozenset({P.READ_MATCHES, P.WRITE_NOTES}),
}
DEFAULT_DELIVERY = Delivery.APP_AND_EMAIL
PAGE_SIZE = 50


@dataclass(frozen=True)
class Event:
    """One thing that happened: its kind, the reference shown, the page it links to, a code
    for the detail (a step kind, "overdue") and the key that makes it happen only once."""

    kind: NotificationKind
    reference: str
    link: str
    dedupe_key: str
    detail: str | None = None


def kinds_for(role: Role) -> list[NotificationKind]:
    """The kinds a role can receive, in the order of the list."""
    granted = GRANTS.get(role, frozenset())
    return [kind for kind in NotificationKind if RECEIVES[kind] <= granted]


def roles_receiving(kind: NotificationKind) -> list[Role]:
    return [role for role, granted in GRANTS.items() if RECEIVES[kind] <= granted]


def path(endpoint: str, **values: object) -> str:
    """The path of a page, also outside a request (a console command)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def deliver(event: Event, recipients: Iterable[uuid.UUID]) -> int:
    """Write the event to each recipient who may receive it and has not turned it off, once per
    recipient; returns how many were written. Call inside a transaction."""
    wanted = set(recipients)
    if not wanted:
        return 0
    roles = roles_receiving(event.kind)
    users = db.session.scalars(
        select(User.id).where(User.id.in_(wanted), User.role.in_(roles), User.is_enabled)
    ).all()
    declined = set(
        db.session.scalars(
            select(NotificationChoice.user_id).where(
                NotificationChoice.kind == event.kind,
                NotificationChoice.delivery == Delivery.NONE,
                NotificationChoice.user_id.in_(users),
            )
        )
    )
    already = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.dedupe_key == event.dedupe_key, Notification.user_id.in_(users)
            )
        )
    )
    written = 0
    for user_id in users:
        if user_id in declined or user_id in already:
            continue
        db.session.add(
            Notification(
                user_id=user_id,
                kind=event.kind,
                reference=event.reference[:120],
                detail=event.detail,
                link=event.link,
                dedupe_key=event.dedupe_key,
                created_at=now(),
            )
        )
        written += 1
    return written


def agency_staff(agency_ids: Iterable[int], kind: NotificationKind) -> list[uuid.UUID]:
    """The enabled users of these agencies whose role receives `kind`."""
    ids = {agency_id for agency_id in agency_ids if agency_id is not None}
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User.id).where(
                User.agency_id.in_(ids), User.role.in_(roles_receiving(kind)), User.is_enabled
            )
        )
    )


def notifications_of(user: User, limit: int = PAGE_SIZE) -> list[Notification]:
    """The user's notifications, unread first, newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def _own(user: User, notification_id: uuid.UUID) -> Notification:
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notification is None:  # another user's looks the same as none: 404
        raise NotFound(_l("No such notification."))
    return notification


def open_notification(user: User, notification_id: uuid.UUID) -> str:
    """Mark one of the user's notifications read and return where it links to."""
    with transaction():
        notification = _own(user, notification_id)
        if notification.read_at is None:
            notification.read_at = now()
        return notification.link


def mark_read(user: User, notification_id: uuid.UUID) -> None:
    with transaction():
        notification = _own(user, notification_id)
        if notification.read_at is None:
            notification.read_at = now()


def mark_all_read(user: User) -> int:
    with transaction():
        result = db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=now())
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def choices_of(user: User) -> dict[NotificationKind, Delivery]:
    """How the user receives each kind their role can receive."""
    stored = {
        choice.kind: choice.delivery
        for choice in db.session.scalars(
            select(NotificationChoice).where(NotificationChoice.user_id == user.id)
        )
    }
    return {kind: stored.get(kind, DEFAULT_DELIVERY) for kind in kinds_for(user.role)}


def save_choices(user: User, wanted: Mapping[str, str]) -> None:
    """Store how the user receives each kind (kind -> delivery, as the form sends them). A kind
    the role cannot receive or an unknown delivery is refused and nothing is stored."""
    allowed = set(kinds_for(user.role))
    parsed: dict[NotificationKind, Delivery] = {}
    for raw_kind, raw_delivery in wanted.items():
        try:
            kind = NotificationKind(raw_kind)
        except ValueError:
            kind = None
        if kind is None or kind not in allowed:
            raise ValidationError(_l("Choose among the notifications listed."), field=raw_kind)
        try:
            parsed[kind] = Delivery(raw_delivery)
        except ValueError:
            raise ValidationError(
                _l("Choose how to receive it: in the app and by e-mail, in the app, or not."),
                field=raw_kind,
            ) from None
    for attempt in (1, 2):
        try:
            _store_choices(user, parsed)
            return
        except IntegrityError:
            # the same user saved twice at once and the other save added the row first: the
            # second try finds it and updates it
            if attempt == 2:
                raise


def _store_choices(user: User, parsed: Mapping[NotificationKind, Delivery]) -> None:
    with transaction():
        stored = {
            choice.kind: choice
            for choice in db.session.scalars(
                select(NotificationChoice).where(NotificationChoice.user_id == user.id)
            )
        }
        for kind, delivery in parsed.items():
            if kind in stored:
                stored[kind].delivery = delivery
            else:
                db.session.add(NotificationChoice(user_id=user.id, kind=kind, delivery=delivery))
