"""The missing person (ante-mortem) case and the relatives who report it."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.cases.models import CaseKind, CaseNote, DentalFinding, DistinguishingMark, Effect, Sex
from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.personal_data import Encrypted

if TYPE_CHECKING:
    from casework.accounts.models import User


class MissingPersonStatus(enum.StrEnum):
    OPEN = "open"
    CANDIDATE_UNDER_REVIEW = "candidate_under_review"
    IDENTIFIED = "identified"
    FOUND_ALIVE = "found_alive"
    CLOSED = "closed"


class LastSeenKind(enum.StrEnum):
    """What the last-seen place is; the matching engine's ``LastSeenKind`` by value (from home
    the intended route, not the point, says where to look)."""

    UNKNOWN = "unknown"
    HOME = "home"
    DEPARTURE = "departure"
    ROUTE = "route"


class FamilyPosition(enum.StrEnum):
    """Where a relative stands in the missing person's pedigree (the relative is the missing
    person's ...): what the PED structure behind the DNA search is built from."""

    MOTHER = "mother"
    FATHER = "father"
    FULL_SIBLING = "full_sibling"
    MATERNAL_HALF_SIBLING = "maternal_half_sibling"
    PATERNAL_HALF_SIBLING = "paternal_half_sibling"
    CHILD = "child"
    CHILD_OTHER_PARENT = "child_other_parent"
    PATERNAL_GRANDPARENT = "paternal_grandparent"
    MATERNAL_GRANDPARENT = "maternal_grandparent"
    PATERNAL_AUNT_UNCLE = "paternal_aunt_uncle"
    MATERNAL_AUNT_UNCLE = "maternal_aunt_uncle"
    SPOUSE = "spouse"


class MissingPerson(RowId, Base):
    __tablename__ = "missing_person"
    __case_kind__ = CaseKind.MISSING
    __name_fields__ = ("given_names", "surnames", "aliases")
    __table_args__ = (
        Index(
            "ix_missing_person_agency_external_reference",
            "agency_id",
            "external_reference",
            unique=True,
        ),
        CheckConstraint("height_cm IS NULL OR height_cm BETWEEN 40 AND 260", name="height"),
        CheckConstraint(
            "age_at_disappearance IS NULL OR age_at_disappearance BETWEEN 0 AND 120", name="age"
        ),
    )

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # the ref the case carried in a legacy system it was imported from
    external_reference: Mapped[str | None] = mapped_column(String(64))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    status: Mapped[MissingPersonStatus] = mapped_column(
        str_enum(MissingPersonStatus), default=MissingPersonStatus.OPEN, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    given_names_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    surnames_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    aliases_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    birth_date_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, 1), default=Sex.UNKNOWN)
    age_at_disappearance: Mapped[int | None] = mapped_column(Integer)
    height_cm: Mapped[int | None] = mapped_column(Integer)
    nationality: Mapped[str | None] = mapped_column(String(3), index=True)
    languages: Mapped[str | None] = mapped_column(String(200))

    last_seen_date: Mapped[date | None] = mapped_column(Date, index=True)
    # free text ("the bus station in Tapachula, with her cousin Rosa"): encrypted, like a note
    last_seen_place_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_seen_point: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True)
    )
    last_seen_kind: Mapped[LastSeenKind] = mapped_column(
        str_enum(LastSeenKind, 16), default=LastSeenKind.UNKNOWN, server_default="unknown"
    )
    intended_route: Mapped[WKBElement | None] = mapped_column(
        Geometry("LINESTRING", srid=4326, spatial_index=True)
    )
    sea_crossing: Mapped[bool] = mapped_column(Boolean, default=False)
    circumstances_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    medical_notes_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    # allele frequencies of the DNA search for this family; None: the agency's, else the setting
    dna_population: Mapped[str | None] = mapped_column(String(64))

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    given_names = Encrypted("given_names_ct")
    surnames = Encrypted("surnames_ct")
    aliases = Encrypted("aliases_ct", kind="list")
    birth_date = Encrypted("birth_date_ct")  # "YYYY-MM-DD" or "YYYY"
    circumstances = Encrypted("circumstances_ct")
    medical_notes = Encrypted("medical_notes_ct")
    last_seen_place = Encrypted("last_seen_place_ct")

    relatives: Mapped[list[Relative]] = relationship(
        back_populates="missing_person", cascade="all, delete-orphan", passive_deletes=True
    )
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

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.surnames) if part) or "—"

    def __str__(self) -> str:
        return self.reference


class Relative(RowId, Base):
    """A relative who reported the disappearance or gave a reference sample."""

    __tablename__ = "relative"

    missing_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    relationship_to_missing: Mapped[str] = mapped_column(String(40))
    name_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    language: Mapped[str | None] = mapped_column(String(8))
    is_reporter: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_countries: Mapped[str | None] = mapped_column(String(400))  # alpha-3 list, or "*"
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # place in the pedigree and sex, for the DNA search (None: not part of the pedigree)
    position: Mapped[FamilyPosition | None] = mapped_column(str_enum(FamilyPosition))
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, 1), default=Sex.UNKNOWN)

    name = Encrypted("name_ct")
    contact = Encrypted("contact_ct")

    missing_person: Mapped[MissingPerson] = relationship(back_populates="relatives")


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    MESSAGE = "message"
    LETTER = "letter"
    OTHER = "other"


class FamilyContact(RowId, Base):
    """One conversation with the family of a missing person, as the liaison logged it."""

    __tablename__ = "family_contact"

    missing_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    relative_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("relative.id", ondelete="SET NULL"), index=True
    )
    contacted_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    channel: Mapped[ContactChannel] = mapped_column(str_enum(ContactChannel, 16))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    summary_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    next_contact_due: Mapped[date | None] = mapped_column(Date)

    summary = Encrypted("summary_ct")

    relative: Mapped[Relative | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
