"""Sequence resets (spec §5.6): sending one to a peer after we rotated our keys, and accepting a
peer's under its fresh keys, both audited."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from casework.accounts.models import User
from casework.audit.services import append
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.models import MessageKind, OutgoingMessage, PeerAuthority
from casework.exchanges.outbox import last_sequence, post
from exchange import EnvelopeHeader
from exchange import MessageKind as WireKind
from exchange.reset import (
    RESETTABLE,
    SequenceReset,
    commit_reset,
    open_sequence_reset,
    seal_sequence_reset,
)


def send_reset(
    peer: PeerAuthority, kind: MessageKind, reason: str, user: User | None = None
) -> OutgoingMessage:
    """Post a reset of our `kind` counter to `peer`: it continues after our own last sequence.

    Send it only after the peer has our new keys: it refuses a reset under keys it has already
    seen messages of that kind from (a push it refused can be made again once it has them)."""
    with transaction():
        if kind.value not in {k.value for k in RESETTABLE}:
            raise ValidationError(
                _l("That kind of message has no sequence to reset."), field="kind"
            )
        reason = reason.strip()
        if not 1 <= len(reason) <= 2000:
            raise ValidationError(_l("Give the reason for the reset (at most 2000 characters)."))
        continue_after = last_sequence(peer, kind)
        return post(
            peer,
            MessageKind.SEQUENCE_RESET,
            seal_sequence_reset,
            SequenceReset(WireKind(kind.value), continue_after, reason),
            user=user,
            event="sequence reset sent",
            audit={"kind": kind.value, "continue_after": continue_after, "reason": reason},
        )


def receive_reset(
    raw: bytes, arguments: dict[str, Any], guard: DatabaseReplayGuard
) -> tuple[EnvelopeHeader, bool]:
    """Open a peer's reset and record it in the caller's transaction (which commits)."""
    received = open_sequence_reset(raw, **arguments)
    if received.is_new and received.content is not None:
        reset = received.content
        commit_reset(received, guard)
        append(
            db.session,
            "import",
            object_type="SequenceReset",
            object_id=received.header.message_id,
            details={
                "event": "sequence reset accepted",
                "sender": received.header.sender_id,
                "kind": reset.kind.value,
                "continue_after": reset.continue_after,
                "fingerprint": received.receipt.signer_fingerprint.hex(),
                "reason": reset.reason,
            },
        )
    return received.header, received.is_new
