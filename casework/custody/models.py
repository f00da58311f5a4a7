"""Samples taken from remains or relatives, and the chain of custody (append-only)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow


class SampleKind(enum.StrEnum):
    DNA = "dna"
    TISSUE = "tissue"
    BONE = "bone"
    TOOTH = "tooth"
    HAIR = "hair"
    REFERENCE = "reference"  # a reference sample given by a relative


class SampleStatus(enum.StrEnum):
    COLLECTED = "collected"
    SENT_TO_LAB = "sent_to_lab"
    RECEIVED_BY_LAB = "received_by_lab"
    PROFILED = "profiled"
    FAILED = "failed"
    CONSUMED = "consumed"


class Sample(RowId, Base):
    __tablename__ = "sample"
    __table_args__ = (
        CheckConstraint("(remains_id IS NULL) <> (relative_id IS NULL)", name="one_source"),
    )

    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SampleKind] = mapped_column(str_enum(SampleKind))
    status: Mapped[SampleStatus] = mapped_column(
        str_enum(SampleStatus), default=SampleStatus.COLLECTED
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="RESTRICT"), index=True
    )
    relative_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("relative.id", ondelete="RESTRICT"), index=True
    )
    lab: Mapped[str | None] = mapped_column(String(200))
    collected_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CustodySubject(enum.StrEnum):
    REMAINS = "remains"
    SAMPLE = "sample"
    EFFECT = "effect"


class CustodyEvent(RowId, Base):
    """Who handed what to whom, when and why. Rows are never changed or removed."""

    __tablename__ = "custody_event"
    __append_only__ = True
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN remains_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN sample_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN effect_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
    )

    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="RESTRICT"), index=True
    )
    sample_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sample.id", ondelete="RESTRICT"), index=True
    )
    effect_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("effect.id", ondelete="RESTRICT"), index=True
    )
    from_party: Mapped[str] = mapped_column(String(200))
    to_party: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    purpose: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @property
    def subject(self) -> CustodySubject:
        if self.remains_id is not None:
            return CustodySubject.REMAINS
        if self.sample_id is not None:
            return CustodySubject.SAMPLE
        return CustodySubject.EFFECT
