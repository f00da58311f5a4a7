"""Sequence resets (spec §5.6): a signed message that lowers a receiver's high-water mark for one
message kind, accepted only under keys that have not sent that kind yet, so a stolen key's
last message (say sequence 2^53 - 1) cannot block its owner for good once the keys are rotated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from exchange.envelope import DEFAULT_LIMITS, MAX_SEQUENCE, Limits, open_envelope, seal
from exchange.errors import ErrorCode, ExchangeError, FreshnessError, MalformedMessageError
from exchange.keys import AuthorityKeys
from exchange.received import Received
from exchange.replay import MessageKind, ReplayGuard
from exchange.trust import TrustedAuthority, TrustList
from exchange.wire import JsonValue

RESET_FORMAT = "mmx-sequence-reset"
MAX_REASON = 2000
#: Kinds whose counter a reset may lower; a reset never resets resets.
RESETTABLE = frozenset(MessageKind) - {MessageKind.SEQUENCE_RESET}


@dataclass(frozen=True)
class SequenceReset:
    """The content of a reset: after it, the receiver accepts `kind` from `continue_after + 1`.

    Attributes:
        kind: the message kind whose counter is reset.
        continue_after: the sender's own last sequence for that kind (0 if none); the sender
            simply keeps counting from its own counter.
        reason: why, for the receiver's audit trail (1-2000 characters, no personal data).
    """

    kind: MessageKind
    continue_after: int
    reason: str

    def to_json(self) -> dict[str, JsonValue]:
        """The payload (spec §7.5).

        Example:
            >>> SequenceReset(MessageKind.BUNDLE, 12, "keys rotated").to_json()["continue_after"]
            12
        """
        return {
            "format": RESET_FORMAT,
            "version": 1,
            "kind": self.kind.value,
            "continue_after": self.continue_after,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, payload: object) -> SequenceReset:
        """Read a reset payload strictly.

        Example:
            >>> SequenceReset.from_json({"format": "mmx-sequence-reset", "version": 1,
            ...     "kind": "bundle", "continue_after": 0, "reason": "r"}).kind
            <MessageKind.BUNDLE: 'bundle'>
        """
        members = {"format", "version", "kind", "continue_after", "reason"}
        if not isinstance(payload, dict) or set(payload) != members:
            raise _schema("A sequence reset has exactly the members " + ", ".join(sorted(members)))
        if payload["format"] != RESET_FORMAT:
            raise _schema("The payload is not an mmx-sequence-reset object.")
        if payload["version"] != 1 or isinstance(payload["version"], bool):
            raise MalformedMessageError(ErrorCode.UNSUPPORTED_VERSION, "Unknown reset version.")
        kind = payload["kind"]
        if not isinstance(kind, str) or kind not in {k.value for k in RESETTABLE}:
            raise _schema("A reset names a message kind other than sequence-reset.")
        after = payload["continue_after"]
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < MAX_SEQUENCE:
            raise _schema("continue_after must be 0 to 2^53 - 2.")
        reason = payload["reason"]
        if not isinstance(reason, str) or not 1 <= len(reason) <= MAX_REASON:
            raise _schema("The reason must be 1 to 2000 characters.")
        return cls(MessageKind(kind), after, reason)


def _schema(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def seal_sequence_reset(
    reset: SequenceReset,
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    now: datetime,
    sequence: int = 1,
    lifetime: timedelta = timedelta(days=14),
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt a reset for one recipient, after rotating our keys.

    Args:
        reset: which counter and where to continue.
        sender_id, sender_keys, recipient, now, lifetime, message_id: as for `seal`.
        sequence: the envelope sequence; readers ignore it for resets (§5.6), 1 is fine.

    Raises:
        ExchangeError: ``invalid-argument`` if the reset is not a valid one.

    Example:
        See tests/exchange/test_sequence_reset.py.
    """
    try:
        SequenceReset.from_json(reset.to_json())
    except MalformedMessageError as error:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, error.message) from None
    return seal(
        MessageKind.SEQUENCE_RESET,
        reset.to_json(),
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def open_sequence_reset(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> Received[SequenceReset]:
    """Verify and read a reset; refuse it (``reset-refused``) if its signing keys already sent
    a message of that kind. Nothing is recorded: call `commit_reset` in the transaction that
    audits it.
    """
    opened = open_envelope(
        raw,
        expected_kind=MessageKind.SEQUENCE_RESET,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
    if opened.payload is None:
        return Received(opened.header, opened.status, None, opened.receipt)
    reset = SequenceReset.from_json(opened.payload)
    receipt = opened.receipt
    if guard.key_used(receipt.sender_id, reset.kind, receipt.signer_fingerprint):
        raise FreshnessError(
            ErrorCode.RESET_REFUSED,
            f"{receipt.sender_id} already sent {reset.kind} messages under these keys; a reset "
            "is accepted only under fresh keys (rotate them first).",
        )
    return Received(opened.header, opened.status, reset, receipt)


def commit_reset(received: Received[SequenceReset], guard: ReplayGuard) -> None:
    """Record an accepted reset (second phase); nothing for a reset already imported.

    Raises:
        FreshnessError: ``reset-refused`` or ``already-imported`` if a concurrent import won.
    """
    if received.is_new and received.content is not None:
        guard.record_reset(received.receipt, received.content.kind, received.content.continue_after)
