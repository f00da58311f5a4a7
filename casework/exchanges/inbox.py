"""Receiving a message from a peer, whatever its kind, by file upload, command or HTTP: the
library verifies it, we store its content and the receipt in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from casework.clock import now
from casework.db import transaction
from casework.exchanges.errors import ExchangeRefused
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.identity import own_keys, require_identity
from casework.exchanges.models import MessageKind
from casework.exchanges.trust import trust_list
from exchange import DEFAULT_LIMITS, ExchangeError, import_bundle
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


def stated_kind(raw: bytes) -> MessageKind:
    """The kind the envelope claims, to choose the reader; the reader checks everything."""
    try:
        document = parse_json(raw, max_bytes=DEFAULT_LIMITS.max_envelope_bytes)
    except ExchangeError:
        return MessageKind.BUNDLE  # the bundle reader reports what is wrong with it
    kind = document.get("kind") if isinstance(document, dict) else None
    try:
        return MessageKind(kind)
    except ValueError:
        return MessageKind.BUNDLE


def receive(raw: bytes) -> Receipt:
    """Verify and store one message; a refusal raises `ExchangeRefused` and stores nothing."""
    from casework.exchanges import disclosures, hits
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
            else:
                header, is_new, disclosure_id = disclosures.receive(kind, raw, arguments, guard)
                receipt = Receipt(
                    kind, header.sender_id, header.message_id, is_new, 0, disclosure_id
                )
    except ExchangeError as error:
        log.info("Refused a %s message: %s", kind, error)
        raise ExchangeRefused.of(error) from None
    return receipt
