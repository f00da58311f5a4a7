"""Which remains cases a user sees: their agency's, those shared with it, and for consular
officials those identified as their country's nationals."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select

from casework.access import Permission, allows
from casework.accounts.models import Role, User
from casework.cases.access import shared_with
from casework.cases.models import CaseShare
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains


def remains_visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition: the remains cases `user` may see."""
    if not allows(user, Permission.READ_REMAINS):
        return false()
    if user.role is Role.CONSULAR_OFFICIAL:
        return UnidentifiedRemains.identified_as_id.in_(
            select(MissingPerson.id).where(MissingPerson.nationality == user.agency.country)
        )
    return (UnidentifiedRemains.agency_id == user.agency_id) | shared_with(
        CaseShare.remains_id == UnidentifiedRemains.id, user.agency_id
    )


__all__ = ["remains_visible_to"]
