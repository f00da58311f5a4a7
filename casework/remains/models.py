"""The unidentified remains (post-mortem) case."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import CaseKind, CaseNote, DentalFinding, DistinguishingMark, Effect, Sex
from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.personal_data import Encrypted


class RemainsStatus(enum.StrEnum):
    UNIDENTIFIED = "unidentified"
    CANDIDATE_UNDER_REVIEW = "candidate_under_review"
    IDENTIFIED = "identified"
    REPATRIATED = "repatriated"
    BURIED_UNIDENTIFIED = "buried_unidentified"


class RemainsCondition(enum.StrEnum):
    FRESH = "fresh"
    DECOMPOSED = "decomposed"
    SKELETONISED = "skeletonised"
    PARTIAL = "partial"
    BURNT = "burnt"
    OTHER = "other"


class UnidentifiedRemains(RowId, Base):
    __tablename__ = "unidentified_remains"
    __case_kind__ = CaseKind.REMAINS
    __name_fields__ = ("document_names",)
    __table_args__ = (
        Index(
            "ix_unidentified_remains_agency_external_reference",
            "agency_id",
            "external_reference",
            unique=True,
        ),
        CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="age"),
        CheckConstraint(
            "stature_min_cm IS NULL OR stature_max_cm IS NULL OR stature_min_cm <= stature_max_cm",
            name="stature",
        ),
        CheckConstraint(
            "pmi_min_days IS NULL OR pmi_max_days IS NULL OR pmi_min_days <= pmi_max_days",
            name="pmi",
        ),
    )

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # the ref the case carried in a legacy system it was imported from
    external_reference: Mapped[str | None] = mapped_column(String(64))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    status: Mapped[RemainsStatus] = mapped_column(
        str_enum(RemainsStatus), default=RemainsStatus.UNIDENTIFIED, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    recovery_date: Mapped[date | None] = mapped_column(Date, index=True)
    recovery_place_ct: Mapped[bytes | None] = mapped_column(LargeBinary)  # free text: encrypted
    recovery_point: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True)
    )
    recovery_uncertainty_m: Mapped[int | None] = mapped_column(Integer)
    recovered_by: Mapped[str | None] = mapped_column(String(200))
    condition: Mapped[RemainsCondition | None] = mapped_column(str_enum(RemainsCondition))

    estimated_sex: Mapped[Sex] = mapped_column(str_enum(Sex, 1), default=Sex.UNKNOWN)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    stature_min_cm: Mapped[int | None] = mapped_column(Integer)
    stature_max_cm: Mapped[int | None] = mapped_column(Integer)
    pmi_min_days: Mapped[int | None] = mapped_column(Integer)
    pmi_max_days: Mapped[int | None] = mapped_column(Integer)

    document_names_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    notes_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    storage_location: Mapped[str | None] = mapped_column(String(200))
    # a burial (or cremation) planned for this day: the remains at risk list puts them first
    burial_planned_on: Mapped[date | None] = mapped_column(Date, index=True)
    identified_as_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="SET NULL"), index=True
    )

    # a supervisor lets the remains leave with no DNA sample held (casework.cases.status);
    # who did is in the audit trail
    dna_hold_waived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dna_hold_waiver_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    document_names = Encrypted("document_names_ct", kind="list")
    notes_text = Encrypted("notes_ct")
    recovery_place = Encrypted("recovery_place_ct")
    dna_hold_waiver_reason = Encrypted("dna_hold_waiver_reason_ct")

    marks: Mapped[list[DistinguishingMark]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    effects: Mapped[list[Effect]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    dental: Mapped[list[DentalFinding]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=DentalFinding.tooth
    )
    notes: Mapped[list[CaseNote]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=CaseNote.created_at
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    def __str__(self) -> str:
        return self.reference
