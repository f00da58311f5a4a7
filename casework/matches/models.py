"""A candidate pair as the engine proposed it, and what people decided about it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.missing.models import MissingPerson
from casework.personal_data import Encrypted
from casework.remains.models import UnidentifiedRemains


class CandidateStatus(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for review (if above the threshold)
    EXCLUDED = "excluded"  # an officer ruled it out; not proposed again without new evidence
    IDENTIFICATION_PROPOSED = "identification_proposed"  # first signature
    CONFIRMED = "confirmed"  # second signature: the remains are identified


class Identifier(enum.StrEnum):
    """What confirms an identification: a primary identifier alone, secondary ones with a reason."""

    DNA = "dna"
    DENTAL = "dental"
    FINGERPRINTS = "fingerprints"
    SECONDARY = "secondary"


PRIMARY_IDENTIFIERS = frozenset({Identifier.DNA, Identifier.DENTAL, Identifier.FINGERPRINTS})


class CandidateMatch(RowId, Base):
    __tablename__ = "candidate_match"
    __table_args__ = (UniqueConstraint("missing_person_id", "remains_id"),)

    missing_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    remains_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # the explanation quotes names read on documents: personal data, so encrypted
    evidence_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    evidence_digest: Mapped[str] = mapped_column(String(64))  # keyed: reveals nothing
    status: Mapped[CandidateStatus] = mapped_column(
        str_enum(CandidateStatus, 32), default=CandidateStatus.PROPOSED, index=True
    )
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    excluded_digest: Mapped[str | None] = mapped_column(String(64))
    decision_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    identifiers: Mapped[str | None] = mapped_column(String(100))  # ";"-joined Identifier values
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    evidence = Encrypted("evidence_ct")  # JSON list of {criterion, weight, text}
    decision_reason = Encrypted("decision_reason_ct")

    missing_person: Mapped[MissingPerson] = relationship()
    remains: Mapped[UnidentifiedRemains] = relationship()

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class MatchWeights(Base):
    """A set of engine weights re-estimated from reviewed pairs; the newest is used."""

    __tablename__ = "match_weights"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    weights_json: Mapped[str] = mapped_column(Text)
    confirmed_pairs: Mapped[int] = mapped_column(Integer)
    excluded_pairs: Mapped[int] = mapped_column(Integer)
    # Platt scaling of the probabilities (matching.Calibration as JSON), learned from decided
    # candidates with these weights; None: too few decided yet, probabilities as they come
    calibration_json: Mapped[str | None] = mapped_column(Text)


class PendingRefresh(RowId, Base):
    """A saved case whose candidates are still to be recomputed. Written in the save's own
    transaction and deleted in the one that stores the new candidates, so a recomputation
    that failed (or a process that died after the commit) leaves this trace behind, and
    `casework candidates refresh-pending` (or a full re-match) finishes the work."""

    __tablename__ = "pending_refresh"

    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # the kind of error only (its message may quote a record): the log has the rest
    last_failure: Mapped[str | None] = mapped_column(String(100))
