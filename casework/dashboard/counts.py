"""How many cases of each status a user may see, and the remains at risk, for the overview."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from casework.accounts.models import User
from casework.custody.holdings import held_condition
from casework.db import db
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from casework.remains.access import remains_visible_to
from casework.remains.models import RemainsStatus, UnidentifiedRemains


def missing_per_status(user: User) -> list[Any]:
    """(status, count) rows of the missing-person cases `user` may see."""
    return list(
        db.session.execute(
            select(MissingPerson.status, func.count())
            .where(missing_visible_to(user))
            .group_by(MissingPerson.status)
        ).all()
    )


def remains_per_status(user: User) -> list[Any]:
    """(status, count) rows of the remains cases `user` may see."""
    return list(
        db.session.execute(
            select(UnidentifiedRemains.status, func.count())
            .where(remains_visible_to(user))
            .group_by(UnidentifiedRemains.status)
        ).all()
    )


# the remains still here that may yet leave: buried unidentified, or released once identified
_MAY_LEAVE = (
    RemainsStatus.UNIDENTIFIED,
    RemainsStatus.CANDIDATE_UNDER_REVIEW,
    RemainsStatus.IDENTIFIED,
)


def remains_at_risk(user: User, limit: int) -> list[UnidentifiedRemains]:
    """Remains `user` may see, still held, with no DNA sample held: they could be buried or
    released with nothing left to compare. Those with a burial planned first, the soonest
    first; then the oldest recovered."""
    return list(
        db.session.scalars(
            select(UnidentifiedRemains)
            .where(
                remains_visible_to(user),
                UnidentifiedRemains.status.in_(_MAY_LEAVE),
                ~held_condition(UnidentifiedRemains.id),
            )
            .order_by(
                UnidentifiedRemains.burial_planned_on.is_(None),
                UnidentifiedRemains.burial_planned_on,
                UnidentifiedRemains.recovery_date,
                UnidentifiedRemains.reference,
            )
            .limit(limit)
        )
    )


__all__ = ["missing_per_status", "remains_at_risk", "remains_per_status"]
