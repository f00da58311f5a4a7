"""Who may change a case, of either kind: the holding agency edits it; shares are read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, exists, select

from casework.access import Permission, allows
from casework.accounts.models import User
from casework.cases.models import CaseKind, CaseShare

if TYPE_CHECKING:
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains

EDIT_PERMISSION = {
    CaseKind.MISSING: Permission.EDIT_MISSING,
    CaseKind.REMAINS: Permission.EDIT_REMAINS,
}


def shared_with(same_case: ColumnElement[bool], agency_id: int) -> ColumnElement[bool]:
    """SQL condition: the case was shared with `agency_id`; `same_case` ties a `CaseShare`
    column to the case, e.g. `CaseShare.remains_id == UnidentifiedRemains.id`."""
    return exists(select(CaseShare.id).where(same_case, CaseShare.agency_id == agency_id))


def can_edit_case(user: User, case: MissingPerson | UnidentifiedRemains) -> bool:
    """Only the owning agency edits its cases; shares and consular access are read-only."""
    return allows(user, EDIT_PERMISSION[case.__case_kind__]) and case.agency_id == user.agency_id


def can_add_to_case(
    user: User, case: MissingPerson | UnidentifiedRemains, permission: Permission
) -> bool:
    return allows(user, permission) and (
        case.agency_id == user.agency_id or permission is Permission.WRITE_NOTES
    )


__all__ = ["EDIT_PERMISSION", "can_add_to_case", "can_edit_case", "shared_with"]
