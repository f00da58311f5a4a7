"""What the audit pages read: the entries of an agency, narrowed by action and reference; the
last verifications of the trail."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from casework.accounts.models import User
from casework.audit.models import AuditEntry
from casework.db import db
from casework.jobs.models import Job, JobKind


def agency_trail(user: User, action: str = "", reference: str = "") -> Select[tuple[AuditEntry]]:
    """Entries about `user`'s agency or made by its people, newest first (a query: the page
    goes through it a hundred at a time)."""
    agency_users = select(User.id).where(User.agency_id == user.agency_id)
    query = select(AuditEntry).where(
        or_(AuditEntry.agency_id == user.agency_id, AuditEntry.actor_id.in_(agency_users))
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if reference:
        query = query.where(AuditEntry.object_ref == reference)
    return query.order_by(AuditEntry.seq.desc())


def last_verifications(limit: int = 20) -> list[Job]:
    """The newest verifications of the audit trail, whoever started them (the chain is the
    whole installation's)."""
    query = (
        select(Job)
        .where(Job.kind == JobKind.AUDIT_VERIFY)
        .order_by(Job.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


__all__ = ["agency_trail", "last_verifications"]
