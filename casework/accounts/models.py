"""Agencies (national authorities and offices) and the people who work for them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.personal_data import Encrypted


class AgencyKind(enum.StrEnum):
    MEDICAL_EXAMINER = "medical_examiner"
    FORENSIC_INSTITUTE = "forensic_institute"
    SEARCH_MECHANISM = "search_mechanism"
    FOREIGN_MINISTRY = "foreign_ministry"
    CONSULATE = "consulate"
    OTHER = "other"


class Role(enum.StrEnum):
    FORENSIC_OFFICER = "forensic_officer"
    FAMILY_LIAISON = "family_liaison"
    CONSULAR_OFFICIAL = "consular_official"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"  # the accounts of their own agency
    AUDITOR = "auditor"
    DNA_ANALYST = "dna_analyst"  # the laboratory: the only role that sees genotypes
    SYSTEM_ADMINISTRATOR = "system_administrator"  # agencies, every agency's accounts, trust


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    country: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgencyKind] = mapped_column(str_enum(AgencyKind))
    # the population whose allele frequencies the agency's DNA searches use by default
    dna_population: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="agency")

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class User(RowId, UserMixin, Base):
    __tablename__ = "user_account"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="en")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="users")

    totp_secret = Encrypted("totp_secret_ct")

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return bool(self.is_enabled)

    def get_id(self) -> str:
        return str(self.id)

    @property
    def country(self) -> str:
        return self.agency.country

    def __str__(self) -> str:
        return self.display_name


class SignInSession(Base):
    """One signed-in browser, recorded on the server: the cookie carries a random token whose
    digest is kept here, so signing out (or an administrator's action) ends it for every
    application process, and a copied cookie stops working."""

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the cookie's token (256 random bits, so no slow hash is needed)
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SignInThrottle(Base):
    """Failed sign-ins to one account from one address. Too many hold back that address only,
    so an outsider guessing at a known account cannot lock its owner out."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (UniqueConstraint("user_id", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime())
    held_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
