"""Messages we seal for peers: the per-peer, per-kind sequence counter, and `post`, the one
way any message goes out (seal, keep in the outbox, commit the import it answers, audit, push),
then the outbox's downloads and list."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.accounts.models import User
from casework.audit.services import AuditAction, append, record
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ConflictError, NotFound
from casework.exchanges.errors import ExchangeRefused
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.identity import own_keys, require_identity
from casework.exchanges.models import MessageKind, OutgoingMessage, PeerAuthority
from casework.exchanges.trust import trusted
from casework.jobs.models import JobKind
from casework.jobs.services import create as create_job
from exchange import ExchangeError, Received, commit_import


def last_sequence(peer: PeerAuthority, kind: MessageKind) -> int:
    """The sequence of the last message of `kind` we sealed for `peer` (0 before the first)."""
    last = db.session.scalar(
        select(func.max(OutgoingMessage.sequence)).where(
            OutgoingMessage.peer_id == peer.id, OutgoingMessage.kind == kind
        )
    )
    return last or 0


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
    event: str,
    audit: Mapping[str, Any],
    record_count: int = 0,
    user: User | None = None,
    answering: Answering | None = None,
) -> OutgoingMessage:
    """In the caller's transaction: seal `content` for `peer` with `seal` (the exchange
    library's `seal_*` of that kind, called with the sender, recipient, sequence, time and
    message id as keywords), keep it in the outbox under the next sequence of `kind`, commit
    the import of the message it answers (if any), audit it (`event` and the `audit` details)
    and push it once committed when the peer has an inbox; otherwise it waits in the outbox
    for download. A seal the library refuses raises `ExchangeRefused` (the library's error as
    is when answering: the inbox refuses, and audits, the message we could not answer).

        >>> post(peer, MessageKind.DNA_SEARCH, seal_dna_search, search, record_count=2,
        ...      event="dna search sent", audit={"families": 2})
    """
    identity = require_identity()
    sequence = last_sequence(peer, kind) + 1
    message_id = new_message_id()
    try:
        raw = seal(
            content,
            sender_id=identity.authority_id,
            sender_keys=own_keys(identity),
            recipient=trusted(peer),
            sequence=sequence,
            now=now(),
            message_id=message_id,
        )
    except ExchangeError as error:
        if answering is not None:
            raise
        raise ExchangeRefused.of(error) from None
    message = OutgoingMessage(
        peer_id=peer.id,
        kind=kind,
        message_id=message_id,
        sequence=sequence,
        envelope=raw,
        record_count=record_count,
        created_by_id=user.id if user else None,
    )
    db.session.add(message)
    try:
        db.session.flush()  # the unique sequence settles races; the trail names the row
    except IntegrityError:
        raise ConflictError(
            _l(
                "Another message for %(authority)s was sealed at the same moment; try again.",
                authority=peer.authority_id,
            )
        ) from None
    if answering is None:
        record(
            AuditAction.EXPORT,
            message,
            event=event,
            recipient=peer.authority_id,
            message_id=message_id,
            sequence=sequence,
            **audit,
        )
    else:
        commit_import(answering.received, answering.guard)
        append(
            db.session,
            "import",
            object_type=answering.object_type,
            object_id=answering.object_id,
            details={"event": event, "sender": peer.authority_id, **audit},
        )
    if peer.inbox_url:  # pushed by a job once committed, tried again while unreachable
        create_job(JobKind.EXCHANGE_PUSH, {"message_id": str(message.id)})
    return message


class Delivery(enum.StrEnum):
    """Where messages just posted to one peer stand, once their transaction committed."""

    DELIVERED = "delivered"  # the peer's inbox took every one of them
    QUEUED = "queued"  # a push job will send them (again, while the inbox cannot be reached)
    DOWNLOAD = "download"  # the peer has no inbox: they wait in the outbox for someone to send


def delivery(peer: PeerAuthority, messages: Sequence[OutgoingMessage]) -> Delivery:
    """What became of `messages` posted to `peer`: what the person who sent them is told.

    >>> delivery(peer, [message])  # pushed in the request (the embedded mode)
    <Delivery.DELIVERED: 'delivered'>
    """
    if not peer.inbox_url:
        return Delivery.DOWNLOAD
    if messages and all(message.pushed_at is not None for message in messages):
        return Delivery.DELIVERED
    return Delivery.QUEUED


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
