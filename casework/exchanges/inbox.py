"""Receiving a message from a peer, whatever its kind, by file upload, command or HTTP: the
library verifies it, we store its content and the receipt in one transaction."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from casework.audit.services import append
from casework.clock import now
from casework.db import db, transaction
from casework.exchanges.errors import ExchangeRefused
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.identity import own_keys, require_identity
from casework.exchanges.models import MessageKind
from casework.exchanges.trust import trust_list
from exchange import (
    DEFAULT_LIMITS,
    ExchangeError,
    import_bundle,
    open_dna_answer,
    open_dna_search,
    open_name_answer,
    open_name_query,
)
from exchange.wire import parse_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """What happened to a message we received."""

    kind: MessageKind
    sender: str
    message_id: str
    new: bool
    records: int = 0
    disclosure_id: Any = None


RECEIVED_HERE = frozenset(
    {
        MessageKind.BUNDLE,
        MessageKind.DISCLOSURE_REQUEST,
        MessageKind.DISCLOSURE_DECISION,
        MessageKind.DISCLOSURE_RESPONSE,
        MessageKind.SEQUENCE_RESET,
        MessageKind.NAME_QUERY,
        MessageKind.NAME_ANSWER,
        MessageKind.DNA_SEARCH,
        MessageKind.DNA_ANSWER,
    }
)


def _stated(raw: bytes) -> dict[str, object]:
    try:
        document = parse_json(raw, max_bytes=DEFAULT_LIMITS.max_envelope_bytes)
    except ExchangeError:
        return {}
    return document if isinstance(document, dict) else {}


def stated_kind(raw: bytes) -> MessageKind:
    """The kind the envelope claims, to choose the reader; the reader checks everything."""
    try:
        kind = MessageKind(_stated(raw).get("kind"))
    except ValueError:
        kind = MessageKind.BUNDLE
    # a kind we do not receive here goes to the bundle reader, which says what is wrong with it
    return kind if kind in RECEIVED_HERE else MessageKind.BUNDLE


def audit_refusal(raw: bytes, kind: MessageKind, error: ExchangeError) -> None:
    """Record a refused message in the audit trail: who it claims to be from (unverified when
    the refusal came before the signatures), the reason code and the SHA-256 of the bytes, so an
    operator can match it with the sender's copy. Never its content."""
    sender = _stated(raw).get("sender")
    with transaction():
        append(
            db.session,
            "import_refused",
            object_type="Message",
            object_id=None,
            details={
                "stated_sender": sender if isinstance(sender, str) else None,
                "stated_kind": kind.value,
                "code": str(error.code),
                "sha256": hashlib.sha256(raw).hexdigest(),
                "bytes": len(raw),
            },
        )


def receive(raw: bytes) -> Receipt:
    """Verify and store one message; a refusal raises `ExchangeRefused` and stores nothing."""
    from casework.exchanges import disclosures, dna_search, hits, names, resets
    from casework.exchanges.bundles import store_bundle

    identity = require_identity()
    guard = DatabaseReplayGuard()
    arguments: dict[str, Any] = {
        "own_id": identity.authority_id,
        "own_keys": own_keys(identity),
        "trust": trust_list(),
        "guard": guard,
        "now": now(),
    }
    kind = stated_kind(raw)
    try:
        with transaction():
            if kind is MessageKind.BUNDLE:
                received = import_bundle(raw, **arguments)
                stored = store_bundle(received, guard) if received.is_new else []
                receipt = Receipt(
                    kind,
                    received.header.sender_id,
                    received.header.message_id,
                    received.is_new,
                    len(stored),
                )
                if receipt.new:
                    hits.refresh_after_import(receipt.sender)
                    if any(record.version == 2 for record in received.content or ()):
                        names.ask_names_later(receipt.sender)
            elif kind is MessageKind.NAME_QUERY:
                header, is_new = names.answer_query(
                    open_name_query(raw, **arguments, query_limits=names.query_limits()), guard
                )
                receipt = Receipt(kind, header.sender_id, header.message_id, is_new)
            elif kind is MessageKind.NAME_ANSWER:
                header, is_new = names.receive_answer(open_name_answer(raw, **arguments), guard)
                receipt = Receipt(kind, header.sender_id, header.message_id, is_new)
                if is_new:
                    hits.refresh_after_import(header.sender_id)
            elif kind is MessageKind.DNA_SEARCH:
                header, is_new = dna_search.answer_search(open_dna_search(raw, **arguments), guard)
                receipt = Receipt(kind, header.sender_id, header.message_id, is_new)
            elif kind is MessageKind.DNA_ANSWER:
                header, is_new = dna_search.receive_answer(open_dna_answer(raw, **arguments), guard)
                receipt = Receipt(kind, header.sender_id, header.message_id, is_new)
            elif kind is MessageKind.SEQUENCE_RESET:
                header, is_new = resets.receive_reset(raw, arguments, guard)
                receipt = Receipt(kind, header.sender_id, header.message_id, is_new)
            else:
                header, is_new, disclosure_id = disclosures.receive(kind, raw, arguments, guard)
                receipt = Receipt(
                    kind, header.sender_id, header.message_id, is_new, 0, disclosure_id
                )
    except ExchangeError as error:
        log.info("Refused a %s message: %s", kind, error)
        audit_refusal(raw, kind, error)
        raise ExchangeRefused.of(error) from None
    return receipt
