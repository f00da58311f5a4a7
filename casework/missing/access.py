"""Which missing-person cases a user sees: their agency's, those shared with it, and for
consular officials those of their country's nationals."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from casework.access import Permission, allows
from casework.accounts.models import Role, User
from casework.cases.access import shared_with
from casework.cases.models import CaseShare
from casework.missing.models import MissingPerson


def missing_visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition: the missing-person cases `user` may see."""
    if not allows(user, Permission.READ_MISSING):
        return false()
    if user.role is Role.CONSULAR_OFFICIAL:
        return MissingPerson.nationality == user.agency.country
    return (MissingPerson.agency_id == user.agency_id) | shared_with(
        CaseShare.missing_person_id == MissingPerson.id, user.agency_id
    )


__all__ = ["missing_visible_to"]
