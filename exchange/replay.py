"""Replay and ordering state of imports: the protocol the application implements with its
database, the receipt it records after a successful import, and an in-memory implementation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from exchange.errors import ErrorCode, FreshnessError


class MessageKind(enum.StrEnum):
    """What an envelope carries; sequence numbers run separately for each kind."""

    BUNDLE = "bundle"
    DISCLOSURE_REQUEST = "disclosure-request"
    DISCLOSURE_DECISION = "disclosure-decision"
    DISCLOSURE_RESPONSE = "disclosure-response"
    SEQUENCE_RESET = "sequence-reset"
    NAME_QUERY = "name-query"
    NAME_ANSWER = "name-answer"
    DNA_SEARCH = "dna-search"
    DNA_ANSWER = "dna-answer"


@dataclass(frozen=True)
class ImportReceipt:
    """What to remember once a message has been accepted and its content stored.

    Attributes:
        sender_id: the sending authority.
        kind: the message kind.
        message_id: the envelope id (a UUID).
        sequence: the envelope sequence number.
        digest: SHA-256 of the signed bytes, to tell a replay from a re-used id.
        signer_fingerprint: the fingerprint (§3.2) of the sender keys that signed it, so a
            sequence reset can be refused under a key that already sent messages (§5.6).
    """

    sender_id: str
    kind: MessageKind
    message_id: str
    sequence: int
    digest: bytes
    signer_fingerprint: bytes = b""


class ReplayGuard(Protocol):
    """What the importer needs to know about earlier imports; the application implements it
    over its database and calls `record_import` in the same transaction that stores the content.
    """

    def imported_digest(self, sender_id: str, message_id: str) -> bytes | None:
        """Return the digest recorded for this sender's message id, or None if never imported."""
        ...

    def last_sequence(self, sender_id: str, kind: MessageKind) -> int | None:
        """Return the highest sequence accepted from this sender for this kind, or None."""
        ...

    def record_import(self, receipt: ImportReceipt) -> None:
        """Remember an accepted message. Must refuse (raise `FreshnessError`) if the id is already
        recorded (``already-imported``) or the sequence is not above the last one
        (``out-of-order``), so two concurrent imports cannot both succeed.
        """
        ...

    def key_used(self, sender_id: str, kind: MessageKind, fingerprint: bytes) -> bool:
        """True if a message of `kind`, or a reset of its sequence, was accepted from this sender
        under the keys with this fingerprint: such keys are not fresh enough to reset (§5.6)."""
        ...

    def record_reset(self, receipt: ImportReceipt, kind: MessageKind, continue_after: int) -> None:
        """Remember an accepted sequence reset: from now on, `last_sequence(sender, kind)` is
        `continue_after` (or higher, once later messages arrive). Must refuse (raise
        `FreshnessError`, ``reset-refused``) if `key_used` is true for the receipt's signer, and
        ``already-imported`` if the reset's id is recorded, so concurrent resets cannot both win.
        """
        ...


class InMemoryReplayGuard:
    """A `ReplayGuard` in a dictionary, for tests and one-off tools.

    Example:
        >>> guard = InMemoryReplayGuard()
        >>> guard.record_import(ImportReceipt("esp-cnp", MessageKind.BUNDLE, "id-1", 1, b"d"))
        >>> guard.last_sequence("esp-cnp", MessageKind.BUNDLE)
        1
    """

    def __init__(self) -> None:
        self.digests: dict[tuple[str, str], bytes] = {}
        self.sequences: dict[tuple[str, MessageKind], int] = {}
        self.signers: set[tuple[str, MessageKind, bytes]] = set()

    def imported_digest(self, sender_id: str, message_id: str) -> bytes | None:
        return self.digests.get((sender_id, message_id))

    def last_sequence(self, sender_id: str, kind: MessageKind) -> int | None:
        return self.sequences.get((sender_id, kind))

    def record_import(self, receipt: ImportReceipt) -> None:
        if (receipt.sender_id, receipt.message_id) in self.digests:
            raise FreshnessError(
                ErrorCode.ALREADY_IMPORTED, f"Message {receipt.message_id} was already imported."
            )
        last = self.sequences.get((receipt.sender_id, receipt.kind))
        if last is not None and receipt.sequence <= last:
            raise FreshnessError(
                ErrorCode.OUT_OF_ORDER,
                f"Sequence {receipt.sequence} is not above the last accepted, {last}.",
            )
        self.digests[(receipt.sender_id, receipt.message_id)] = receipt.digest
        self.sequences[(receipt.sender_id, receipt.kind)] = receipt.sequence
        self.signers.add((receipt.sender_id, receipt.kind, receipt.signer_fingerprint))

    def key_used(self, sender_id: str, kind: MessageKind, fingerprint: bytes) -> bool:
        return (sender_id, kind, fingerprint) in self.signers

    def record_reset(self, receipt: ImportReceipt, kind: MessageKind, continue_after: int) -> None:
        if (receipt.sender_id, receipt.message_id) in self.digests:
            raise FreshnessError(
                ErrorCode.ALREADY_IMPORTED, f"Message {receipt.message_id} was already imported."
            )
        if self.key_used(receipt.sender_id, kind, receipt.signer_fingerprint):
            raise FreshnessError(
                ErrorCode.RESET_REFUSED,
                "A sequence reset is accepted only under keys that have not yet sent this kind.",
            )
        self.digests[(receipt.sender_id, receipt.message_id)] = receipt.digest
        self.sequences[(receipt.sender_id, kind)] = continue_after
        self.signers.add((receipt.sender_id, kind, receipt.signer_fingerprint))

    def snapshot(self) -> tuple[dict[tuple[str, str], bytes], dict[tuple[str, MessageKind], int]]:
        """Return copies of the state, so tests can check that a refusal changed nothing."""
        return dict(self.digests), dict(self.sequences)
