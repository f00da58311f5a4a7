"""What pages and the API read of samples and custody: a case's samples and transfers, a
sample a user may see and its chain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from casework.accounts.models import User
from casework.custody.models import CustodyEvent, Sample
from casework.db import db
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains


def samples_query(remains: UnidentifiedRemains) -> Select[tuple[Sample]]:
    """The samples of a remains case, oldest first (a query: the API pages through it)."""
    return (
        select(Sample).where(Sample.remains_id == remains.id).order_by(Sample.created_at, Sample.id)
    )


def samples_of(remains: UnidentifiedRemains) -> list[Sample]:
    return list(db.session.scalars(samples_query(remains)))


def sample_of(remains: UnidentifiedRemains, barcode: str) -> Sample | None:
    """The sample of this case with this barcode, if any."""
    return db.session.scalar(
        select(Sample).where(Sample.remains_id == remains.id, Sample.barcode == barcode)
    )


def barcodes_of(remains: UnidentifiedRemains) -> dict[Any, str]:
    """Sample id -> barcode, for the samples of a case."""
    rows = db.session.execute(
        select(Sample.id, Sample.barcode).where(Sample.remains_id == remains.id)
    )
    return {row.id: row.barcode for row in rows}


def custody_of(remains: UnidentifiedRemains) -> list[CustodyEvent]:
    """The transfers of the remains themselves, in the order they happened."""
    return list(
        db.session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.remains_id == remains.id)
            .order_by(CustodyEvent.occurred_at)
        )
    )


def whole_chain_query(
    remains: UnidentifiedRemains, barcodes: dict[Any, str]
) -> Select[tuple[CustodyEvent]]:
    """Every transfer of the remains and of their samples (a query: the API pages through it)."""
    return (
        select(CustodyEvent)
        .where(
            or_(
                CustodyEvent.remains_id == remains.id,
                CustodyEvent.sample_id.in_(list(barcodes)) if barcodes else false(),
            )
        )
        .order_by(CustodyEvent.occurred_at, CustodyEvent.recorded_at, CustodyEvent.id)
    )


def visible_sample(user: User, barcode: str) -> tuple[Sample, UnidentifiedRemains] | None:
    """The sample with this barcode and its case, if `user` may see the case."""
    found = db.session.execute(
        select(Sample, UnidentifiedRemains)
        .join(UnidentifiedRemains, Sample.remains_id == UnidentifiedRemains.id)
        .where(Sample.barcode == barcode, remains_visible_to(user))
    ).first()
    return (found[0], found[1]) if found else None


def chain_of(sample: Sample) -> list[CustodyEvent]:
    """The transfers of one sample, in the order they happened."""
    return list(
        db.session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.sample_id == sample.id)
            .order_by(CustodyEvent.occurred_at)
        )
    )


__all__ = [
    "barcodes_of",
    "chain_of",
    "custody_of",
    "sample_of",
    "samples_of",
    "samples_query",
    "visible_sample",
    "whole_chain_query",
]
