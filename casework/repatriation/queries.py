"""What pages and the API read of repatriations: those a user may see, a case's, and the
colleagues a step can be given to."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from casework.accounts.models import User
from casework.db import db
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains
from casework.repatriation.access import repatriation_visible_to
from casework.repatriation.models import Repatriation


def visible_repatriations(user: User) -> Select[tuple[Repatriation]]:
    """Repatriations `user` may see (the query joins both cases, for filters and sorting)."""
    return (
        select(Repatriation)
        .join(UnidentifiedRemains, Repatriation.remains_id == UnidentifiedRemains.id)
        .join(MissingPerson, Repatriation.missing_person_id == MissingPerson.id)
        .where(repatriation_visible_to(user))
    )


def visible_repatriation(user: User, repatriation_id: uuid.UUID) -> Repatriation | None:
    return db.session.scalar(visible_repatriations(user).where(Repatriation.id == repatriation_id))


def repatriation_of(remains: UnidentifiedRemains, user: User) -> Repatriation | None:
    """The repatriation of a remains case, if there is one and `user` may see it."""
    return db.session.scalar(
        visible_repatriations(user).where(Repatriation.remains_id == remains.id)
    )


def colleagues_of(user: User) -> list[User]:
    """The enabled users of `user`'s agency, by name: who a step can be given to."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.agency_id == user.agency_id, User.is_enabled.is_(True))
            .order_by(User.display_name)
        )
    )


__all__ = ["colleagues_of", "repatriation_of", "visible_repatriation", "visible_repatriations"]
