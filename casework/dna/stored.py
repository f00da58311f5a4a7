"""The stored profiles the search reads: a sample's confirmed consensus and its newest
lineage result (nothing here is shown to a person, so nothing here is audited as a view)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from casework.db import db
from casework.dna.models import DnaProfile, MarkerSystem


def consensus_of(sample_id: Any) -> DnaProfile | None:
    """The sample's confirmed, current, not destroyed consensus STR profile."""
    return db.session.scalar(
        select(DnaProfile).where(
            DnaProfile.sample_id == sample_id,
            DnaProfile.consensus.is_(True),
            DnaProfile.superseded.is_(False),
            DnaProfile.destroyed_at.is_(None),
        )
    )


def lineage_of(sample_id: Any, system: MarkerSystem) -> dict[str, Any] | None:
    """The newest Y-STR or mtDNA result of a sample, for the search (not shown to anyone)."""
    profile = db.session.scalar(
        select(DnaProfile)
        .where(
            DnaProfile.sample_id == sample_id,
            DnaProfile.system == system,
            DnaProfile.destroyed_at.is_(None),
        )
        .order_by(DnaProfile.created_at.desc())
        .limit(1)
    )
    if profile is None or profile.genotypes is None:
        return None
    return dict(json.loads(profile.genotypes))
