"""A repatriation of identified remains and its steps, each with a due and a completed date."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.accounts.models import User
from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.missing.models import MissingPerson
from casework.personal_data import Encrypted
from casework.remains.models import UnidentifiedRemains


class StepKind(enum.StrEnum):
    FAMILY_NOTIFIED = "family_notified"
    DEATH_CERTIFICATE = "death_certificate"
    TRANSIT_PERMIT = "transit_permit"
    FAMILY_CONSENT = "family_consent"
    TRANSPORT = "transport"
    HANDED_OVER = "handed_over"
    BURIED = "buried"


STEP_ORDER = tuple(StepKind)
# The steps each step needs completed first. A burial where the remains lie needs no transport.
PREREQUISITES: dict[StepKind, tuple[StepKind, ...]] = {
    StepKind.TRANSPORT: (
        StepKind.DEATH_CERTIFICATE,
        StepKind.TRANSIT_PERMIT,
        StepKind.FAMILY_CONSENT,
    ),
    StepKind.HANDED_OVER: (StepKind.TRANSPORT,),
    StepKind.BURIED: (StepKind.DEATH_CERTIFICATE, StepKind.FAMILY_CONSENT),
}
FINAL_STEPS = frozenset({StepKind.HANDED_OVER, StepKind.BURIED})


class Repatriation(RowId, Base):
    """Bringing one identified person home, coordinated by a consul of their country."""

    __tablename__ = "repatriation"

    remains_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), unique=True
    )
    missing_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    identified_on: Mapped[date] = mapped_column(Date)
    started_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    remains: Mapped[UnidentifiedRemains] = relationship()
    missing_person: Mapped[MissingPerson] = relationship()
    steps: Mapped[list[RepatriationStep]] = relationship(
        back_populates="repatriation", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def reference(self) -> str:
        return self.remains.reference

    def step(self, kind: StepKind | str) -> RepatriationStep:
        wanted = StepKind(kind)
        return next(step for step in self.steps if step.kind is wanted)

    def ordered_steps(self) -> list[RepatriationStep]:
        return sorted(self.steps, key=lambda step: STEP_ORDER.index(step.kind))

    def overdue_steps(self, today: date) -> list[RepatriationStep]:
        return [step for step in self.ordered_steps() if step.is_overdue(today)]


class RepatriationStep(RowId, Base):
    __tablename__ = "repatriation_step"
    __table_args__ = (UniqueConstraint("repatriation_id", "kind"),)

    repatriation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("repatriation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[StepKind] = mapped_column(str_enum(StepKind))
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)
    responsible_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # a funeral director, a relative, a registrar: a person's name, so encrypted
    responsible_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    notes_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    responsible_name = Encrypted("responsible_name_ct")
    notes = Encrypted("notes_ct")

    repatriation: Mapped[Repatriation] = relationship(back_populates="steps")
    responsible_user: Mapped[User | None] = relationship()

    @property
    def is_final(self) -> bool:
        return self.kind in FINAL_STEPS

    @property
    def not_applicable(self) -> bool:
        """The final step not taken, once the other one closed the repatriation."""
        return self.completed_on is None and self.repatriation.closed_on is not None

    def is_overdue(self, today: date) -> bool:
        return (
            self.due_date is not None
            and self.completed_on is None
            and self.repatriation.closed_on is None
            and self.due_date < today
        )
