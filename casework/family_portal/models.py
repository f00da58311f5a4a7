"""A family's search request as the portal received it, the photos and additions that came with
it, and the proof-of-work challenges already spent.

Nothing here records who sent a request: no address, no user agent, no account. What the family
wrote is kept encrypted as they wrote it (JSON of the form's words) until a liaison accepts it as
a case or merges it with one.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.attachments.models import EncryptedBytes, MediaType
from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.personal_data import Encrypted


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # a new missing-person case was made from it
    MERGED = "merged"  # it joined a case that already existed
    DECLINED = "declined"


class PhotoSubject(enum.StrEnum):
    PERSON = "person"
    BELONGING = "belonging"


class AdditionKind(enum.StrEnum):
    CONTACT = "contact"
    CORRECTION = "correction"
    PHOTO = "photo"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class FamilyRequest(RowId, Base):
    """A search request sent through the portal; seen only by the liaison staff of its agency."""

    __tablename__ = "family_request"

    reference: Mapped[str] = mapped_column(String(16), unique=True)
    access_code_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, 16), default=RequestStatus.PENDING, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    language: Mapped[str] = mapped_column(String(8))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    person_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    reporter_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    person = Encrypted("person_ct")  # JSON: the form's words about the missing person
    reporter = Encrypted("reporter_ct")  # JSON: who reports, how to reach them

    consent_search: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_share: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_countries: Mapped[str | None] = mapped_column(String(400))  # alpha-3 list, or "*"
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_keep: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # wrong access codes in a row, and until when the reference refuses every code
    failed_codes: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())

    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="SET NULL"), index=True
    )
    # the reporter as a relative of that case: withdrawn consent reaches it
    relative_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("relative.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decline_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    decline_reason = Encrypted("decline_reason_ct")  # the family reads it

    photos: Mapped[list[FamilyRequestPhoto]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="FamilyRequestPhoto.added_at"
    )
    additions: Mapped[list[FamilyRequestAddition]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="FamilyRequestAddition.added_at",
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    def __str__(self) -> str:
        return self.reference


class FamilyRequestPhoto(RowId, Base):
    """A photo the family sent: checked, stripped of metadata and encrypted as attachments are."""

    __tablename__ = "family_request_photo"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("family_request.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[PhotoSubject] = mapped_column(str_enum(PhotoSubject, 16))
    media_type: Mapped[MediaType] = mapped_column(str_enum(MediaType, 40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content_ct: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    content = EncryptedBytes("content_ct")


class FamilyRequestAddition(RowId, Base):
    """Something the family added later on their page: a new contact, a correction, a photo, or
    the withdrawal of their consent."""

    __tablename__ = "family_request_addition"
    __append_only__ = True

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("family_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AdditionKind] = mapped_column(str_enum(AdditionKind, 24))
    words_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    words = Encrypted("words_ct")


class SpentChallenge(Base):
    """A proof-of-work challenge already used: each one lets one request through, once."""

    __tablename__ = "spent_challenge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
