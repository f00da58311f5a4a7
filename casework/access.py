"""Who may see and change what: roles per action, and per-object visibility of cases.

Users see the cases of their own agency and cases shared with it; consular officials see only
cases of their country's nationals; auditors read and change nothing; administrators manage
the accounts of their own agency, not cases; the system administrator alone manages agencies, the
accounts of every agency and the exchange trust list. Pages a role never uses answer 403; cases
outside a user's sight answer 404.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, exists, false, select

from casework.accounts.models import Role, User
from casework.cases.models import CaseShare
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains


class Permission(enum.StrEnum):
    READ_MISSING = "read_missing"
    EDIT_MISSING = "edit_missing"
    READ_REMAINS = "read_remains"
    EDIT_REMAINS = "edit_remains"
    RECORD_CUSTODY = "record_custody"
    RECORD_SAMPLES = "record_samples"
    WRITE_NOTES = "write_notes"
    MANAGE_USERS = "manage_users"  # own agency, every agency for the system administrator
    MANAGE_AGENCIES = "manage_agencies"
    READ_AUDIT = "read_audit"
    READ_MATCHES = "read_matches"
    REVIEW_MATCHES = "review_matches"
    CONFIRM_IDENTIFICATION = "confirm_identification"
    READ_EXCHANGE = "read_exchange"
    SHARE_RECORDS = "share_records"
    DECIDE_DISCLOSURE = "decide_disclosure"
    MANAGE_TRUST = "manage_trust"
    INFORM_FAMILIES = "inform_families"  # the family's contact log and their printed summary
    READ_REPATRIATION = "read_repatriation"
    MANAGE_REPATRIATION = "manage_repatriation"
    IMPORT_CASES = "import_cases"
    EXPORT_MISSING = "export_missing"
    EXPORT_REMAINS = "export_remains"


R = Role
P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    R.FORENSIC_OFFICER: frozenset(
        {
            P.READ_MISSING,
            P.READ_REMAINS,
            P.EDIT_REMAINS,
            P.RECORD_CUSTODY,
            P.RECORD_SAMPLES,
            P.WRITE_NOTES,
            P.READ_MATCHES,
            P.REVIEW_MATCHES,
            P.READ_EXCHANGE,
            P.SHARE_RECORDS,
            P.READ_REPATRIATION,
            P.EXPORT_REMAINS,
        }
    ),
    R.FAMILY_LIAISON: frozenset(
        {
            P.READ_MISSING,
            P.EDIT_MISSING,
            P.READ_REMAINS,
            P.RECORD_SAMPLES,
            P.WRITE_NOTES,
            P.READ_MATCHES,
            P.READ_EXCHANGE,
            P.SHARE_RECORDS,
            P.INFORM_FAMILIES,
        }
    ),
    R.SUPERVISOR: frozenset(
        {
            P.READ_MISSING,
            P.EDIT_MISSING,
            P.READ_REMAINS,
            P.EDIT_REMAINS,
            P.RECORD_CUSTODY,
            P.RECORD_SAMPLES,
            P.WRITE_NOTES,
            P.READ_MATCHES,
            P.REVIEW_MATCHES,
            P.CONFIRM_IDENTIFICATION,
            P.READ_EXCHANGE,
            P.SHARE_RECORDS,
            P.DECIDE_DISCLOSURE,
            P.INFORM_FAMILIES,
            P.READ_REPATRIATION,
            P.IMPORT_CASES,
            P.EXPORT_MISSING,
            P.EXPORT_REMAINS,
        }
    ),
    R.CONSULAR_OFFICIAL: frozenset(
        {
            P.READ_MISSING,
            P.READ_REMAINS,
            P.WRITE_NOTES,
            P.INFORM_FAMILIES,
            P.READ_REPATRIATION,
            P.MANAGE_REPATRIATION,
        }
    ),
    R.AUDITOR: frozenset(
        {
            P.READ_MISSING,
            P.READ_REMAINS,
            P.READ_AUDIT,
            P.READ_MATCHES,
            P.READ_EXCHANGE,
            P.READ_REPATRIATION,
        }
    ),
    R.ADMINISTRATOR: frozenset({P.MANAGE_USERS, P.READ_AUDIT}),
    R.SYSTEM_ADMINISTRATOR: frozenset(
        {P.MANAGE_USERS, P.MANAGE_AGENCIES, P.READ_AUDIT, P.MANAGE_TRUST}
    ),
}
# Accounts whose reach is the whole installation rather than one agency.
SYSTEM_WIDE_ROLES = frozenset({R.SYSTEM_ADMINISTRATOR})


def allows(user: User, permission: Permission) -> bool:
    return permission in GRANTS.get(user.role, frozenset())


F = TypeVar("F", bound=Callable[..., Any])


def requires(permission: Permission) -> Callable[[F], F]:
    """View decorator: logged in, and the role carries `permission` (else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not allows(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _shared_with(column: Any, agency_id: int) -> ColumnElement[bool]:
    return exists(
        select(CaseShare.id).where(
            column == CaseShare.missing_person_id, CaseShare.agency_id == agency_id
        )
        if column is MissingPerson.id
        else select(CaseShare.id).where(
            column == CaseShare.remains_id, CaseShare.agency_id == agency_id
        )
    )


def missing_visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition: the missing-person cases `user` may see."""
    if not allows(user, Permission.READ_MISSING):
        return false()
    if user.role is Role.CONSULAR_OFFICIAL:
        return MissingPerson.nationality == user.agency.country
    return (MissingPerson.agency_id == user.agency_id) | _shared_with(
        MissingPerson.id, user.agency_id
    )


def remains_visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition: the remains cases `user` may see."""
    if not allows(user, Permission.READ_REMAINS):
        return false()
    if user.role is Role.CONSULAR_OFFICIAL:
        return UnidentifiedRemains.identified_as_id.in_(
            select(MissingPerson.id).where(MissingPerson.nationality == user.agency.country)
        )
    return (UnidentifiedRemains.agency_id == user.agency_id) | _shared_with(
        UnidentifiedRemains.id, user.agency_id
    )


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


def can_edit_case(user: User, case: MissingPerson | UnidentifiedRemains) -> bool:
    """Only the owning agency edits its cases; shares and consular access are read-only."""
    needed = Permission.EDIT_MISSING if isinstance(case, MissingPerson) else Permission.EDIT_REMAINS
    return allows(user, needed) and case.agency_id == user.agency_id


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


def can_add_to_case(
    user: User, case: MissingPerson | UnidentifiedRemains, permission: Permission
) -> bool:
    return allows(user, permission) and (
        case.agency_id == user.agency_id or permission is Permission.WRITE_NOTES
    )


__all__ = [
    "GRANTS",
    "SYSTEM_WIDE_ROLES",
    "Permission",
    "administers",
    "allows",
    "assignable_roles",
    "can_add_to_case",
    "can_edit_case",
    "can_manage_repatriation",
    "missing_visible_to",
    "remains_visible_to",
    "repatriation_visible_to",
    "requires",
]
