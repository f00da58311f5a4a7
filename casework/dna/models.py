"""DNA profiles of samples, the families' consent on reference samples, and the DNA hits the
kinship search found. Genotypes are personal data of the most sensitive kind: encrypted, keyed
by sample, never by name."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.custody.models import Sample
from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.personal_data import Encrypted


class MarkerSystem(enum.StrEnum):
    STR = "str"  # autosomal short tandem repeats: the kinship LR
    Y_STR = "y_str"  # the father's line
    MTDNA = "mtdna"  # the mother's line


class ProfileSource(enum.StrEnum):
    FORM = "form"
    IMPORT = "import"
    CONSENSUS = "consensus"  # made from the sample's profiles and confirmed by an analyst


class DnaProfile(RowId, Base):
    """One laboratory result for one sample (re-tests are kept side by side), or the consensus
    an analyst confirmed; only a confirmed consensus takes part in the search."""

    __tablename__ = "dna_profile"
    __table_args__ = (UniqueConstraint("sample_id", "content_digest"),)

    sample_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sample.id", ondelete="RESTRICT"), index=True
    )
    system: Mapped[MarkerSystem] = mapped_column(str_enum(MarkerSystem, 8))
    source: Mapped[ProfileSource] = mapped_column(str_enum(ProfileSource, 16))
    lab: Mapped[str | None] = mapped_column(String(200))
    kit: Mapped[str | None] = mapped_column(String(100))
    typed_on: Mapped[date | None] = mapped_column(Date)
    loci: Mapped[int] = mapped_column(Integer, default=0)  # how many typed: says nothing of them
    # JSON: STR {locus: [a1, a2]}, Y-STR {locus: value}, mtDNA {"variants": "...", "range": "..."}
    genotypes_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    # keyed digest of what the laboratory reported: the same file imported twice adds nothing
    content_digest: Mapped[str] = mapped_column(String(64))
    consensus: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    confirmed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)  # an older consensus
    destroyed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    genotypes = Encrypted("genotypes_ct")

    sample: Mapped[Sample] = relationship()


class ReferenceConsent(RowId, Base):
    """What the family agreed to for one reference sample: search here, search with which
    other countries, keep or destroy the profile after the identification; and a withdrawal."""

    __tablename__ = "reference_consent"

    sample_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sample.id", ondelete="RESTRICT"), unique=True
    )
    search_here: Mapped[bool] = mapped_column(Boolean, default=False)
    search_abroad: Mapped[bool] = mapped_column(Boolean, default=False)
    countries: Mapped[str | None] = mapped_column(String(400))  # alpha-3 list, or "*"
    keep_after_identification: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    withdrawal_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    withdrawal_reason = Encrypted("withdrawal_reason_ct")

    @property
    def allows_search_here(self) -> bool:
        return self.search_here and self.withdrawn_at is None


class DnaHit(RowId, Base):
    """What the kinship search found for one (missing person, remains) pair above the setting:
    the LR, the posterior with its prior, the relatives used; per locus for the analysts."""

    __tablename__ = "dna_hit"
    __table_args__ = (UniqueConstraint("missing_person_id", "remains_id"),)

    missing_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    remains_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), index=True
    )
    remains_barcode: Mapped[str] = mapped_column(String(64))
    reference_barcodes: Mapped[str] = mapped_column(String(400))  # ";"-joined
    log10_lr: Mapped[float] = mapped_column(Float)
    loci: Mapped[int] = mapped_column(Integer)
    relatives: Mapped[str] = mapped_column(String(400))  # ";"-joined reading relations
    population: Mapped[str] = mapped_column(String(64))
    prior: Mapped[float] = mapped_column(Float)
    open_missing: Mapped[int] = mapped_column(Integer)
    posterior: Mapped[float] = mapped_column(Float)
    lineage_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    lineage_note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    per_locus_ct: Mapped[bytes | None] = mapped_column(LargeBinary)  # JSON [{locus, lr, used}]
    override_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    overridden_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    overridden_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    lineage_note = Encrypted("lineage_note_ct")
    per_locus = Encrypted("per_locus_ct")
    override_reason = Encrypted("override_reason_ct")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def relations(self) -> tuple[str, ...]:
        return tuple(item for item in self.relatives.split(";") if item)

    @property
    def excludes(self) -> bool:
        """A lineage exclusion no analyst has set aside."""
        return self.lineage_excluded and self.overridden_at is None
