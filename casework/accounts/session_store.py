"""The server-side record of signed-in sessions: started at sign-in, checked on every page,
ended by signing out, by inactivity, or by an administrator's change to the account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import g, session
from sqlalchemy import select, update

from casework.accounts.models import SignInSession, User
from casework.clock import now
from casework.db import db, transaction

TOKEN_KEY = "sign_in"  # the cookie session's key holding this browser's token
# the last-seen stamp is written at most this often: the idle time-out is counted in minutes,
# and a write per page would make every read a write
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def start(user: User) -> None:
    """Record a new signed-in session for `user` and give this browser its token (after the
    cookie session was cleared, so no earlier token survives)."""
    token = secrets.token_urlsafe(32)
    moment = now()
    with transaction():
        db.session.add(
            SignInSession(
                user_id=user.id,
                token_digest=_digest(token),
                started_at=moment,
                last_seen_at=moment,
            )
        )
    session[TOKEN_KEY] = token


def current(user_id: object) -> SignInSession | None:
    """The live session this browser's token names for `user_id`, or None (no token, another
    user's, or ended)."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    row = db.session.scalar(
        select(SignInSession).where(
            SignInSession.token_digest == _digest(token),
            SignInSession.user_id == user_id,
            SignInSession.ended_at.is_(None),
        )
    )
    if row is not None:
        g.sign_in_session = row
    return row


def idle_for(row: SignInSession, moment: datetime) -> timedelta:
    return moment - row.last_seen_at


def touch(row: SignInSession, moment: datetime) -> None:
    if moment - row.last_seen_at >= TOUCH_EVERY:
        with transaction():
            row.last_seen_at = moment


def end_current() -> None:
    """End this browser's session (signing out, or idle too long)."""
    token = session.get(TOKEN_KEY)
    if isinstance(token, str):
        with transaction():
            db.session.execute(
                update(SignInSession)
                .where(
                    SignInSession.token_digest == _digest(token), SignInSession.ended_at.is_(None)
                )
                .values(ended_at=now())
            )


def end_all(user: User) -> int:
    """End every session of `user` (disabled, password reset, role changed), in the caller's
    transaction. Returns how many were live."""
    result = db.session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.ended_at.is_(None))
        .values(ended_at=now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
