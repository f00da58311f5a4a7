"""Messages we seal for peers: the per-peer, per-kind sequence counter, keeping each envelope
for download and push, and `post`, the one way a query, a search or an answer goes out (seal,
keep in the outbox, commit the import it answers, audit, push)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.audit.services import AuditAction, append, record
from casework.clock import now
from casework.db import db, transaction
from casework.errors import NotFound
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.identity import own_keys, require_identity
from casework.exchanges.models import MessageKind, OutgoingMessage, PeerAuthority
from casework.exchanges.trust import trusted
from casework.jobs.models import JobKind
from casework.jobs.services import create as create_job
from exchange import Received, commit_import


def next_sequence(peer: PeerAuthority, kind: MessageKind) -> int:
    """One above the last we sent this peer for this kind; the unique key settles races."""
    last = db.session.scalar(
        select(func.max(OutgoingMessage.sequence)).where(
            OutgoingMessage.peer_id == peer.id, OutgoingMessage.kind == kind
        )
    )
    return (last or 0) + 1


def keep(
    peer: PeerAuthority,
    kind: MessageKind,
    *,
    message_id: str,
    sequence: int,
    envelope: bytes,
    record_count: int = 0,
    user: User | None = None,
) -> OutgoingMessage:
    message = OutgoingMessage(
        peer_id=peer.id,
        kind=kind,
        message_id=message_id,
        sequence=sequence,
        envelope=envelope,
        record_count=record_count,
        created_by_id=user.id if user else None,
    )
    db.session.add(message)
    return message


def push_later(message: OutgoingMessage, peer: PeerAuthority) -> None:
    """Push once committed, as a job (retried while the peer cannot be reached), when the peer
    has an inbox; otherwise it waits in the outbox."""
    if not peer.inbox_url:
        return
    db.session.flush()
    create_job(JobKind.EXCHANGE_PUSH, {"message_id": str(message.id)})


def new_message_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Answering:
    """The peer's message an answer answers: its import is committed with the answer, and the
    trail records the answer under the question's type and id."""

    received: Received[Any]
    guard: DatabaseReplayGuard
    object_type: str
    object_id: str


def post(
    peer: PeerAuthority,
    kind: MessageKind,
    seal: Callable[..., bytes],
    content: Any,
    *,
    record_count: int,
    event: str,
    audit: Mapping[str, Any],
    user: User | None = None,
    answering: Answering | None = None,
) -> OutgoingMessage:
    """In the caller's transaction: seal `content` for `peer` with `seal` (the exchange
    library's `seal_*` of that kind), keep it in the outbox, commit the import of the message
    it answers (if any), audit it (`event` and the `audit` details) and push it once committed.

        >>> post(peer, MessageKind.DNA_SEARCH, seal_dna_search, search, record_count=2,
        ...      event="dna search sent", audit={"families": 2})
    """
    identity = require_identity()
    sequence = next_sequence(peer, kind)
    message_id = new_message_id()
    raw = seal(
        content,
        sender_id=identity.authority_id,
        sender_keys=own_keys(identity),
        recipient=trusted(peer),
        sequence=sequence,
        now=now(),
        message_id=message_id,
    )
    message = keep(
        peer,
        kind,
        message_id=message_id,
        sequence=sequence,
        envelope=raw,
        record_count=record_count,
        user=user,
    )
    if answering is None:
        record(AuditAction.EXPORT, message, event=event, recipient=peer.authority_id, **audit)
    else:
        commit_import(answering.received, answering.guard)
        append(
            db.session,
            "import",
            object_type=answering.object_type,
            object_id=answering.object_id,
            details={"event": event, "sender": peer.authority_id, **audit},
        )
    push_later(message, peer)
    return message


def get_message(message_id: uuid.UUID) -> OutgoingMessage:
    message = db.session.get(OutgoingMessage, message_id)
    if message is None:
        raise NotFound(_l("No such outgoing message."))
    return message


def record_download(message: OutgoingMessage) -> None:
    """A bundle leaves by download: the trail says who took it."""
    with transaction():
        record(AuditAction.EXPORT, message, event="downloaded", message_id=message.message_id)


def recent_messages(limit: int = 50) -> list[OutgoingMessage]:
    return list(
        db.session.scalars(
            select(OutgoingMessage).order_by(OutgoingMessage.created_at.desc()).limit(limit)
        )
    )


def file_name(message: OutgoingMessage) -> str:
    return f"{message.kind.value}-{message.peer.authority_id}-{message.sequence}.json"
