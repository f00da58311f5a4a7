"""Clearing away sign-in bookkeeping that no longer holds anything back: sessions that ended
(signed out, ended by an administrator, or idle past the time-out, after which they can never
be used again) and throttle rows whose failures are forgotten and whose hold is over. Signing
in and out stays in the audit trail; these rows only grow otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_

from casework.accounts.models import SignInSession, SignInThrottle
from casework.accounts.throttle import HOLD
from casework.db import transaction


@dataclass(frozen=True)
class Cleared:
    sessions: int
    throttles: int


def clear_sign_in_leftovers(moment: datetime, idle_timeout: timedelta) -> Cleared:
    """Delete ended or idle-expired sessions and spent throttle rows, as of `moment`."""
    with transaction() as session:
        sessions = session.execute(
            delete(SignInSession).where(
                or_(
                    SignInSession.ended_at.is_not(None),
                    SignInSession.last_seen_at < moment - idle_timeout,
                )
            )
        )
        throttles = session.execute(
            delete(SignInThrottle).where(
                SignInThrottle.last_failure_at < moment - HOLD,
                or_(SignInThrottle.held_until.is_(None), SignInThrottle.held_until <= moment),
            )
        )
    return Cleared(
        sessions=int(getattr(sessions, "rowcount", 0) or 0),
        throttles=int(getattr(throttles, "rowcount", 0) or 0),
    )
