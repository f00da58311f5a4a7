"""Personal API tokens: only a hash of the secret is kept; scoped, revocable, may expire."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.accounts.models import User
from casework.db import Base, RowId, UtcDateTime, utcnow


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


class ApiToken(RowId, Base):
    __tablename__ = "api_token"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the whole secret: the secret has 256 random bits, so no slow hash is needed
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    scopes: Mapped[str] = mapped_column(String(40))  # ";"-joined Scope values
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(item) for item in self.scopes.split(";") if item)

    def is_usable(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)
