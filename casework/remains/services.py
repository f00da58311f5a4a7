"""Logging and updating unidentified remains."""

from __future__ import annotations

from casework.accounts.models import User
from casework.cases.references import next_reference
from casework.cases.services import check_version
from casework.clock import now
from casework.db import db, transaction
from casework.matches.services import refresh_after_save
from casework.remains.inputs import RemainsInput
from casework.remains.models import UnidentifiedRemains


def log_remains(user: User, given: RemainsInput) -> UnidentifiedRemains:
    """Create a remains case; nothing is stored if anything goes wrong."""
    with transaction():
        case = UnidentifiedRemains(agency_id=user.agency_id, created_by_id=user.id)
        given.store(case)
        year = (case.recovery_date or now().date()).year
        case.reference = next_reference("UR", user.agency.country, year)
        db.session.add(case)
        refresh_after_save(case)
    return case


def update_remains(case: UnidentifiedRemains, given: RemainsInput, version: int | None) -> None:
    with transaction():
        check_version(case, version)
        given.store(case)
        refresh_after_save(case)
