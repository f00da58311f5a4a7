"""Human-readable, unique case references such as MP-GTM-2026-000123."""

from __future__ import annotations

from sqlalchemy import select

from casework.cases.models import CaseSequence
from casework.db import db


def next_references(prefix: str, country: str, year: int, count: int) -> list[str]:
    """Take the next `count` numbers at once (a bulk import: one look-up, not one a case).

    Example:
        >>> next_references("MP", "USA", 2026, 2)  # doctest: +SKIP
        ['MP-USA-2026-000001', 'MP-USA-2026-000002']
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
    first = sequence.last_number + 1
    sequence.last_number += count
    return [f"{prefix}-{country}-{year}-{number:06d}" for number in range(first, first + count)]


def next_reference(prefix: str, country: str, year: int) -> str:
    """Take the next number for (prefix, country, year) in the current transaction.

    The row is locked on PostgreSQL (SELECT ... FOR UPDATE); SQLite serialises writers.

    Example:
        >>> next_reference("UR", "USA", 2026)  # doctest: +SKIP
        'UR-USA-2026-000001'
    """
    return next_references(prefix, country, year, 1)[0]
