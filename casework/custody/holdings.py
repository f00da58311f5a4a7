"""Whether a DNA sample of some remains is still held: collected and not consumed or failed,
or profiled (its profile kept). Remains are not buried without one (`casework.cases.status`)."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select

from casework.custody.models import Sample, SampleKind, SampleStatus
from casework.db import db
from casework.dna.models import DnaProfile

HELD = (
    SampleStatus.COLLECTED,
    SampleStatus.SENT_TO_LAB,
    SampleStatus.RECEIVED_BY_LAB,
    SampleStatus.PROFILED,
)


def held_condition(remains_id: object) -> object:
    """SQL: the remains `remains_id` (a column or a value) have a DNA sample held."""
    physical = exists().where(
        Sample.remains_id == remains_id,
        Sample.kind != SampleKind.REFERENCE,
        Sample.status.in_(HELD),
    )
    profiled = exists().where(
        Sample.remains_id == remains_id,
        DnaProfile.sample_id == Sample.id,
        DnaProfile.destroyed_at.is_(None),
    )
    return physical | profiled


def dna_sample_held(remains_id: uuid.UUID) -> bool:
    return bool(db.session.scalar(select(held_condition(remains_id))))
