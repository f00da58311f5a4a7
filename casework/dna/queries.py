"""What the DNA pages read: profiled samples, hits a user may open, relatives and their
reference samples. The per-object rules stay with each area's models."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from casework.accounts.models import User
from casework.custody.models import Sample
from casework.db import db
from casework.dna.models import DnaHit, DnaProfile
from casework.missing.models import MissingPerson, Relative
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains


def profiled_samples() -> list[Any]:
    """(sample, number of profiles) for every sample with a profile, by barcode."""
    return list(
        db.session.execute(
            select(Sample, func.count(DnaProfile.id))
            .join(DnaProfile, DnaProfile.sample_id == Sample.id)
            .group_by(Sample.id)
            .order_by(Sample.barcode)
        ).all()
    )


def hit_seen_by(hit_id: uuid.UUID, user: User, *, sees_genotypes: bool) -> DnaHit | None:
    """The hit, when `user` may open it: the laboratory sees every hit, others only hits on
    remains they may see."""
    hit = db.session.get(DnaHit, hit_id)
    if hit is None or sees_genotypes:
        return hit
    seen = db.session.scalar(
        select(UnidentifiedRemains.id).where(
            UnidentifiedRemains.id == hit.remains_id, remains_visible_to(user)
        )
    )
    return hit if seen is not None else None


def cases_of(hit: DnaHit) -> tuple[MissingPerson | None, UnidentifiedRemains | None]:
    return (
        db.session.get(MissingPerson, hit.missing_person_id),
        db.session.get(UnidentifiedRemains, hit.remains_id),
    )


def relative_by_id(relative_id: uuid.UUID) -> Relative | None:
    return db.session.get(Relative, relative_id)


def reference_samples(relative: Relative) -> list[Sample]:
    return list(db.session.scalars(select(Sample).where(Sample.relative_id == relative.id)))


__all__ = ["cases_of", "hit_seen_by", "profiled_samples", "reference_samples", "relative_by_id"]
