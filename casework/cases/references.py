"""Human-readable, unique case references such as MP-GTM-2026-000123."""

from __future__ import annotations

from sqlalchemy import select

from casework.cases.models import CaseSequence
from casework.db import db


def next_reference(prefix: str, country: str, year: int) -> str:
    """Take the next number for (prefix, country, year) in the current transaction.

    The row is locked on PostgreSQL (SELECT ... FOR UPDATE); SQLite serialises writers.

    Example:
        >>> next_reference("UR", "USA", 2026)  # doctest: +SKIP
        'UR-USA-2026-000001'
    """
    country = country.upper()
    with db.session.no_autoflush:
        sequence = db.session.scalar(
            select(CaseSequence)
            .where(
                CaseSequence.prefix == prefix,
                CaseSequence.country == country,
                CaseSequence.year == year,
            )
            .with_for_update()
        )
    if sequence is None:
        sequence = CaseSequence(prefix=prefix, country=country, year=year, last_number=0)
        db.session.add(sequence)
    sequence.last_number += 1
    return f"{prefix}-{country}-{year}-{sequence.last_number:06d}"
