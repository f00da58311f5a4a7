"""Records that belong to either a missing person or unidentified remains."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.personal_data import Encrypted

if TYPE_CHECKING:
    from casework.accounts.models import User

FDI_TEETH = frozenset(q * 10 + n for q in (1, 2, 3, 4) for n in range(1, 9))


class CaseKind(enum.StrEnum):
    """The two kinds of case; the value names them in URLs, imports, exports and the history."""

    MISSING = "missing"  # a missing person: what the family reports (ante-mortem)
    REMAINS = "remains"  # unidentified remains: what the examination finds (post-mortem)


class Sex(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


class MarkKind(enum.StrEnum):
    TATTOO = "tattoo"
    SCAR = "scar"
    BIRTHMARK = "birthmark"
    PIERCING = "piercing"
    AMPUTATION = "amputation"
    DEFORMITY = "deformity"
    IMPLANT = "implant"
    OTHER = "other"


class EffectCategory(enum.StrEnum):
    CLOTHING = "clothing"
    FOOTWEAR = "footwear"
    JEWELLERY = "jewellery"
    DOCUMENT = "document"
    PHONE = "phone"
    RELIGIOUS = "religious"
    OTHER = "other"


class ToothState(enum.StrEnum):
    SOUND = "V"
    MISSING = "M"
    FILLED = "F"
    CROWN = "C"


_ONE_CASE = "(missing_person_id IS NULL) <> (remains_id IS NULL)"


class CaseChild(RowId):
    """A row owned by exactly one case of either kind."""

    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), index=True
    )


class DistinguishingMark(CaseChild, Base):
    __tablename__ = "distinguishing_mark"
    __table_args__ = (CheckConstraint(_ONE_CASE, name="one_case"),)

    # the kind and the body region stay in clear for matching and statistics; the description
    # is free text (a tattoo often spells a name or a date) and is encrypted
    kind: Mapped[MarkKind] = mapped_column(str_enum(MarkKind))
    body_location: Mapped[str | None] = mapped_column(String(120))
    description_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    description = Encrypted("description_ct")


class Effect(CaseChild, Base):
    """Clothing or a personal effect, as reported or as found."""

    __tablename__ = "effect"
    __table_args__ = (CheckConstraint(_ONE_CASE, name="one_case"),)

    category: Mapped[EffectCategory] = mapped_column(str_enum(EffectCategory))
    # free text: letters, engraved names, documents carried; encrypted (the category is not)
    description_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    description = Encrypted("description_ct")


class DentalFinding(CaseChild, Base):
    """The state of one tooth in FDI notation, ante- or post-mortem."""

    __tablename__ = "dental_finding"
    __table_args__ = (
        CheckConstraint(_ONE_CASE, name="one_case"),
        CheckConstraint("tooth BETWEEN 11 AND 48 AND tooth % 10 BETWEEN 1 AND 8", name="fdi_tooth"),
    )

    tooth: Mapped[int] = mapped_column(Integer)
    state: Mapped[ToothState] = mapped_column(str_enum(ToothState, 1))
    note_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    note = Encrypted("note_ct")


class CaseNote(CaseChild, Base):
    __tablename__ = "case_note"
    __table_args__ = (CheckConstraint(_ONE_CASE, name="one_case"),)

    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    body_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    body = Encrypted("body_ct")


class CaseShare(CaseChild, Base):
    """A case made visible to another agency of this installation."""

    __tablename__ = "case_share"
    __table_args__ = (CheckConstraint(_ONE_CASE, name="one_case"),)

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    shared_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CaseSequence(Base):
    """The last number handed out per case prefix, country and year."""

    __tablename__ = "case_sequence"

    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class CreationKey(RowId, Base):
    """The key a client sent with a create (an API `Idempotency-Key`, a form's one-time token)
    and the case it created, stored with the case: a retry of the same request finds it and
    answers with that case instead of creating a second one."""

    __tablename__ = "creation_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    # what was asked (a digest of the request), so a key reused for another request is refused
    request_digest: Mapped[str | None] = mapped_column(String(64))
    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE")
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StatusChange(RowId, Base):
    """One step in a case's status history: from what, to what, who, when, why, and by which
    route (the case page, candidate review, identification, a workflow). Never changed."""

    __tablename__ = "case_status_change"
    __append_only__ = True
    __table_args__ = (CheckConstraint(_ONE_CASE, name="one_case"),)

    # RESTRICT, not CASCADE: the history is append-only, the database refuses to delete it
    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="RESTRICT"), index=True
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="RESTRICT"), index=True
    )
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    via: Mapped[str] = mapped_column(String(16))
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    reason = Encrypted("reason_ct")

    changed_by: Mapped[User | None] = relationship()

    @property
    def case_kind(self) -> CaseKind:
        return CaseKind.MISSING if self.missing_person_id is not None else CaseKind.REMAINS


__all__ = [
    "CaseChild",
    "CaseKind",
    "CaseNote",
    "CaseSequence",
    "CaseShare",
    "DentalFinding",
    "DistinguishingMark",
    "Effect",
    "EffectCategory",
    "FDI_TEETH",
    "MarkKind",
    "Sex",
    "StatusChange",
    "ToothState",
]
