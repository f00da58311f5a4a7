"""Identifications over time: counts per month and the bars of the small chart that shows them.

The chart is drawn on the server as inline SVG: no script, readable when printed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from casework.accounts.models import User
from casework.db import db
from casework.remains.access import remains_visible_to
from casework.remains.models import RemainsStatus, UnidentifiedRemains

CHART_WIDTH = 600
CHART_HEIGHT = 160
AXIS_SPACE = 22  # below the bars, for the month names
HEAD_SPACE = 16  # above the tallest bar, for its count


@dataclass(frozen=True)
class Bar:
    month: date  # the first day of the month
    count: int
    x: float
    y: float
    width: float
    height: float


def months_ending(last: date, count: int) -> list[date]:
    """The first days of `count` months, oldest first, ending with the month of `last`.

    Example:
        >>> months_ending(date(2026, 2, 17), 3)
        [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]
    """
    index = last.year * 12 + last.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def counts_per_month(moments: Iterable[datetime], months: list[date]) -> list[int]:
    tally = Counter(date(moment.year, moment.month, 1) for moment in moments)
    return [tally[month] for month in months]


def bars(months: list[date], counts: list[int]) -> list[Bar]:
    """Bars scaled to the tallest; a month without identifications gets no height."""
    slot = CHART_WIDTH / max(len(months), 1)
    room = CHART_HEIGHT - AXIS_SPACE - HEAD_SPACE
    peak = max(counts, default=0) or 1
    result = []
    for position, (month, count) in enumerate(zip(months, counts, strict=True)):
        height = room * count / peak
        result.append(
            Bar(
                month=month,
                count=count,
                x=round(position * slot + slot * 0.15, 1),
                y=round(CHART_HEIGHT - AXIS_SPACE - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
            )
        )
    return result


def identifications_per_month(user: User, today: date, months: int = 12) -> list[Bar]:
    """Remains the user may see that are identified, by the month of their last change."""
    span = months_ending(today, months)
    moments = db.session.scalars(
        select(UnidentifiedRemains.updated_at).where(
            remains_visible_to(user),
            UnidentifiedRemains.status == RemainsStatus.IDENTIFIED,
            UnidentifiedRemains.updated_at >= datetime(span[0].year, span[0].month, 1, tzinfo=UTC),
        )
    ).all()
    return bars(span, counts_per_month(moments, span))


__all__ = [
    "AXIS_SPACE",
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "Bar",
    "bars",
    "counts_per_month",
    "identifications_per_month",
    "months_ending",
]
