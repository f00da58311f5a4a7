"""One audit entry; each carries the keyed hash of its predecessor and of itself. A single
checkpoint row records where the chain ends, so cutting entries off the end is detected."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import Base, UtcDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __append_only__ = True

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    agency_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    object_ref: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditHead(Base):
    """The chain's end as last written: its length and its last entry's hash. Moved forward in
    the same transaction as every append; the database refuses to move it back or delete it.
    Deleting the last entries (or all of them) then no longer verifies as an intact chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
