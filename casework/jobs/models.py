"""A job as the database records it: what it does, how far it got, how often it was tried, and
why it failed (a code, translated when shown); and the uploaded file an import job reads."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.accounts.models import User
from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow


class JobKind(enum.StrEnum):
    IMPORT = "import"  # a file uploaded on the import page: checked, then imported
    REFRESH = "refresh"  # the candidates of one saved case
    REMATCH = "rematch"  # every open case against every other
    EXCHANGE_PUSH = "exchange_push"  # a message sent to a peer installation
    DNA_SEARCH = "dna_search"  # a family's references or a remains profile against the others
    AUDIT_VERIFY = "audit_verify"  # the audit chain and the rows it vouches for, checked


class JobState(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker (or for its next attempt)
    RUNNING = "running"  # a worker holds it and beats its heart
    WAITING = "waiting"  # checked import: waiting for a person to confirm it
    DONE = "done"
    FAILED = "failed"  # every attempt failed; a supervisor may retry it


class Job(RowId, Base):
    __tablename__ = "job"

    kind: Mapped[JobKind] = mapped_column(str_enum(JobKind), index=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState), index=True)
    # what the job works on, as JSON: ids and codes, never personal data
    params: Mapped[str] = mapped_column(Text, default="{}")
    # what it found, as JSON (an import's report, counts); personal data never
    result: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[str | None] = mapped_column(String(32))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    # a code from casework.jobs.services.ERRORS; the log holds the rest
    error: Mapped[str | None] = mapped_column(String(40))
    started_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # written while it runs: a running job whose heart stopped lost its worker (kill -9)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime())  # backoff of a retry

    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])


class JobFileChunk(Base):
    """An uploaded file, encrypted in pieces, so the worker on any machine reads it; deleted
    when the job has read it for the last time (it holds personal data)."""

    __tablename__ = "job_file_chunk"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
