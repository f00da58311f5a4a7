"""Messages we seal for peers: the per-peer, per-kind sequence counter, and keeping each
envelope for download and push."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.db import db, transaction
from casework.errors import NotFound
from casework.exchanges.models import MessageKind, OutgoingMessage, PeerAuthority
from casework.jobs.models import JobKind
from casework.jobs.services import create as create_job


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
