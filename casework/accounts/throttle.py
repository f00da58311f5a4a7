"""Sign-in throttling per account and address: wrong passwords and wrong second-factor codes
count against the pair, and too many hold back that address for that account a while. The
owner signing in from elsewhere is never locked out by someone else's guesses; guessing from
many addresses is bounded by each address's sign-in rate limit and the slow password hash."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from casework.accounts.models import SignInThrottle, User
from casework.db import db

MAX_FAILURES = 5
HOLD = timedelta(minutes=15)  # also how long failures are remembered between attempts
UNKNOWN_ADDRESS = "unknown"


def _address(remote_addr: str | None) -> str:
    return (remote_addr or UNKNOWN_ADDRESS)[:64]


def _row(user: User, address: str) -> SignInThrottle | None:
    return db.session.scalar(
        select(SignInThrottle).where(
            SignInThrottle.user_id == user.id, SignInThrottle.address == address
        )
    )


def held_until(user: User, remote_addr: str | None, moment: datetime) -> datetime | None:
    """When this address may try this account again, or None if it may now."""
    row = _row(user, _address(remote_addr))
    if row is not None and row.held_until is not None and row.held_until > moment:
        return row.held_until
    return None


def record_failure(user: User, remote_addr: str | None, moment: datetime) -> bool:
    """Count one failure in the caller's transaction; True when it holds the address back."""
    address = _address(remote_addr)
    row = _row(user, address)
    if row is None:
        row = SignInThrottle(user_id=user.id, address=address, failures=0, last_failure_at=moment)
        try:
            with db.session.begin_nested():  # two first failures at once: one row wins
                db.session.add(row)
        except IntegrityError:
            row = _row(user, address)
            assert row is not None
    elif moment - row.last_failure_at > HOLD:
        row.failures = 0  # old failures are forgotten
    row.failures += 1
    row.last_failure_at = moment
    if row.failures >= MAX_FAILURES:
        row.failures = 0
        row.held_until = moment + HOLD
        return True
    return False


def forget(user: User, remote_addr: str | None = None) -> int:
    """Clear the failures of `user` from one address (after signing in there) or from every
    address (an administrator unlocking the account). Returns how many rows went."""
    statement = delete(SignInThrottle).where(SignInThrottle.user_id == user.id)
    if remote_addr is not None:
        statement = statement.where(SignInThrottle.address == _address(remote_addr))
    result = db.session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def is_held_anywhere(user: User, moment: datetime) -> bool:
    """Whether some address is held back for `user` (shown to administrators)."""
    return (
        db.session.scalar(
            select(SignInThrottle.id).where(
                SignInThrottle.user_id == user.id, SignInThrottle.held_until > moment
            )
        )
        is not None
    )
