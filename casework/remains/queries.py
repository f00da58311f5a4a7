"""What pages and the API read of remains cases beyond the case itself."""

from __future__ import annotations

from sqlalchemy import select

from casework.db import db
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains


def identified_reference(case: UnidentifiedRemains) -> str | None:
    """The reference of the missing person the remains were identified as, if any."""
    if case.identified_as_id is None:
        return None
    return db.session.scalar(
        select(MissingPerson.reference).where(MissingPerson.id == case.identified_as_id)
    )


__all__ = ["identified_reference"]
