"""What pages read of agencies and accounts: the lists an administrator manages, one agency,
one account."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from casework.access import SYSTEM_WIDE_ROLES
from casework.accounts.models import Agency, User
from casework.db import db


def accounts_managed_by(user: User) -> list[User]:
    """The accounts `user` administers (their agency's, or all for a system-wide role)."""
    query = select(User).order_by(User.display_name)
    if user.role not in SYSTEM_WIDE_ROLES:
        query = query.where(User.agency_id == user.agency_id)
    return list(db.session.scalars(query))


def agencies_administered_by(user: User) -> list[Agency]:
    """The agencies `user` may create accounts in, by name."""
    query = select(Agency).order_by(Agency.name)
    if user.role not in SYSTEM_WIDE_ROLES:
        query = query.where(Agency.id == user.agency_id)
    return list(db.session.scalars(query))


def every_agency() -> list[Agency]:
    """Every agency of the installation, by country and name."""
    return list(db.session.scalars(select(Agency).order_by(Agency.country, Agency.name)))


def agency(agency_id: int | None) -> Agency | None:
    return db.session.get(Agency, agency_id) if agency_id is not None else None


def account(user_id: uuid.UUID) -> User | None:
    return db.session.get(User, user_id)


__all__ = [
    "account",
    "accounts_managed_by",
    "agencies_administered_by",
    "agency",
    "every_agency",
]
