"""What an import hands back to the application, and the separate commit step that records it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from exchange.envelope import EnvelopeHeader, ImportStatus
from exchange.replay import ImportReceipt, ReplayGuard

T = TypeVar("T")


@dataclass(frozen=True)
class Received(Generic[T]):
    """A validated incoming message.

    Attributes:
        header: who sent it, to whom, its id, sequence, creation and expiry.
        status: ``new``; or ``already-imported`` if exactly this message was imported before,
            in which case ``content`` is None and the application stores nothing.
        content: the typed, read-only content (records, a request, a decision, a response).
        receipt: pass to `commit_import` in the transaction that stores the content.
    """

    header: EnvelopeHeader
    status: ImportStatus
    content: T | None
    receipt: ImportReceipt

    @property
    def is_new(self) -> bool:
        """True unless this is a repeat of a message already imported."""
        return self.status is ImportStatus.NEW


def commit_import(received: Received[T], guard: ReplayGuard) -> None:
    """Record a validated message as imported: the second phase of every import.

    Call it in the same database transaction that stores the content, after storing it. It does
    nothing for a message that was already imported, so importing twice changes nothing.

    Raises:
        FreshnessError: ``already-imported`` or ``out-of-order`` if a concurrent import got
            there first (from the guard); roll the transaction back.

    Example:
        >>> from exchange.replay import InMemoryReplayGuard
        >>> guard = InMemoryReplayGuard()
        >>> # received = import_bundle(raw, ..., guard=guard, now=now)
        >>> # store(received.content); commit_import(received, guard)
    """
    if received.status is ImportStatus.NEW:
        guard.record_import(received.receipt)
