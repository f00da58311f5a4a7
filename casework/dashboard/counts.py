"""How many cases of each status a user may see, for the overview."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from casework.accounts.models import User
from casework.db import db
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains


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


__all__ = ["missing_per_status", "remains_per_status"]
