"""Which jobs a supervisor sees: those started in their agency, and the installation's own
(started by a console command or by no one)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from casework.access import Permission, allows
from casework.accounts.models import User
from casework.jobs.models import Job


def jobs_visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition: the jobs `user` may see and retry."""
    if not allows(user, Permission.MANAGE_JOBS):
        return false()
    return (Job.agency_id == user.agency_id) | Job.agency_id.is_(None)


__all__ = ["jobs_visible_to"]
