"""A notification to one user (a kind, a case reference, a link: never personal data) and the
user's choice of how to receive each kind."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow


class NotificationKind(enum.StrEnum):
    FAMILY_REQUEST = "family_request"
    CANDIDATE_FOR_REVIEW = "candidate_for_review"
    IDENTIFICATION_WAITING = "identification_waiting"
    REPATRIATION_STEP = "repatriation_step"
    EXCHANGE_HIT = "exchange_hit"
    DISCLOSURE_REQUEST = "disclosure_request"
    DNA_HIT = "dna_hit"


class Delivery(enum.StrEnum):
    APP_AND_EMAIL = "app_and_email"
    APP = "app"
    NONE = "none"


class Notification(RowId, Base):
    """What happened, as a kind and the references it concerns, so the text is written in the
    reader's language when it is read and an e-mail carries no name."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    reference: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(String(60))  # a code: a step kind, "overdue"
    link: Mapped[str] = mapped_column(String(300))
    # the same event never notifies a user twice (a daily command run again, a recomputation)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class NotificationChoice(Base):
    """How a user receives one kind; without a row, in the app and by e-mail."""

    __tablename__ = "notification_choice"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery, 16))
