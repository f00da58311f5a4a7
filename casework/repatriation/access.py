"""Who reads and who runs a repatriation: consuls of the person's nationality run it; the
agency holding the remains follows it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from casework.access import Permission, allows
from casework.accounts.models import Role, User
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains


def repatriation_visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition on a query joining remains and missing person: the repatriations `user` may
    read. Consuls see those of their country's nationals; staff those of remains their agency
    holds (shares do not extend to repatriations)."""
    if not allows(user, Permission.READ_REPATRIATION):
        return false()
    if user.role is Role.CONSULAR_OFFICIAL:
        return MissingPerson.nationality == user.agency.country
    return UnidentifiedRemains.agency_id == user.agency_id


def can_manage_repatriation(user: User, person: MissingPerson) -> bool:
    """Consuls of the person's nationality run the repatriation; nobody else changes it."""
    return (
        allows(user, Permission.MANAGE_REPATRIATION)
        and user.role is Role.CONSULAR_OFFICIAL
        and person.nationality == user.agency.country
    )


__all__ = ["can_manage_repatriation", "repatriation_visible_to"]
