"""Whose accounts an administrator manages: their own agency's; the system administrator every
agency's, and only the system administrator makes system-wide administrators."""

from __future__ import annotations

from casework.access import SYSTEM_WIDE_ROLES, Permission, allows
from casework.accounts.models import Role, User


def administers(user: User, agency_id: int) -> bool:
    """Whether `user` manages the accounts of the agency `agency_id`: administrators their own
    agency only, the system administrator every agency."""
    if not allows(user, Permission.MANAGE_USERS):
        return False
    return user.role in SYSTEM_WIDE_ROLES or agency_id == user.agency_id


def assignable_roles(user: User) -> list[Role]:
    """The roles `user` may give an account: an agency administrator never makes anyone a
    system-wide administrator (that would reach beyond their agency)."""
    if not allows(user, Permission.MANAGE_USERS):
        return []
    if user.role in SYSTEM_WIDE_ROLES:
        return list(Role)
    return [role for role in Role if role not in SYSTEM_WIDE_ROLES]


__all__ = ["administers", "assignable_roles"]
