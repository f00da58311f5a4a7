"""What each role may do: the permissions, the table that grants them, and the view guard.

Pages a role never uses answer 403. Which objects a user sees is each area's rule, next to the
models it filters (`casework/missing/access.py`, `remains/access.py`, `repatriation/access.py`,
`cases/access.py` for who edits a case, `accounts/access.py` for whose accounts an
administrator manages): users see the cases of their own agency and cases shared with it;
consular officials see only cases of their country's nationals; auditors read and change
nothing; administrators manage the accounts of their own agency, not cases; the system
administrator alone manages agencies, the accounts of every agency and the exchange trust list.
Cases outside a user's sight answer 404.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from casework.accounts.models import Role, User


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
    REVIEW_FAMILY_REQUESTS = "review_family_requests"  # requests from the family portal
    READ_REPATRIATION = "read_repatriation"
    MANAGE_REPATRIATION = "manage_repatriation"
    IMPORT_CASES = "import_cases"
    EXPORT_MISSING = "export_missing"
    EXPORT_REMAINS = "export_remains"
    READ_GENOTYPES = "read_genotypes"  # alleles of a profile; every look is audited
    RECORD_PROFILES = "record_profiles"  # enter, import and confirm DNA profiles
    OVERRIDE_LINEAGE = "override_lineage"  # a lineage exclusion set aside, with a reason
    READ_DNA_RESULTS = "read_dna_results"  # LR, posterior and relatives in words
    RECORD_CONSENT = "record_consent"  # a family's choices on its reference samples
    OVERRIDE_BURIAL_HOLD = "override_burial_hold"  # bury without a DNA sample kept
    MANAGE_JOBS = "manage_jobs"  # the background job list: see, retry, start a re-match
    VERIFY_AUDIT = "verify_audit"  # check the whole installation's audit chain, see the results


R = Role
P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    R.FORENSIC_OFFICER: frozenset(
        {
            P.READ_DNA_RESULTS,
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
            P.READ_DNA_RESULTS,
            P.RECORD_CONSENT,
            P.READ_MISSING,
            P.EDIT_MISSING,
            P.READ_REMAINS,
            P.RECORD_SAMPLES,
            P.WRITE_NOTES,
            P.READ_MATCHES,
            P.READ_EXCHANGE,
            P.SHARE_RECORDS,
            P.INFORM_FAMILIES,
            P.REVIEW_FAMILY_REQUESTS,
        }
    ),
    R.SUPERVISOR: frozenset(
        {
            P.READ_DNA_RESULTS,
            P.RECORD_CONSENT,
            P.OVERRIDE_BURIAL_HOLD,
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
            P.REVIEW_FAMILY_REQUESTS,
            P.READ_REPATRIATION,
            P.IMPORT_CASES,
            P.EXPORT_MISSING,
            P.EXPORT_REMAINS,
            P.MANAGE_JOBS,
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
            P.READ_DNA_RESULTS,
            P.READ_MISSING,
            P.READ_REMAINS,
            P.READ_AUDIT,
            P.READ_MATCHES,
            P.READ_EXCHANGE,
            P.READ_REPATRIATION,
        }
    ),
    # the laboratory works behind sample barcodes: no case pages, no names
    R.DNA_ANALYST: frozenset(
        {P.READ_GENOTYPES, P.RECORD_PROFILES, P.OVERRIDE_LINEAGE, P.READ_DNA_RESULTS}
    ),
    R.ADMINISTRATOR: frozenset({P.MANAGE_USERS, P.READ_AUDIT}),
    R.SYSTEM_ADMINISTRATOR: frozenset(
        {P.MANAGE_USERS, P.MANAGE_AGENCIES, P.READ_AUDIT, P.MANAGE_TRUST, P.VERIFY_AUDIT}
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


__all__ = ["GRANTS", "SYSTEM_WIDE_ROLES", "Permission", "allows", "requires"]
