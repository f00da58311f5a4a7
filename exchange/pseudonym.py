"""Pseudonymous record ids: stable for one recipient, unlinkable between recipients (spec §6.1)."""

from __future__ import annotations

import hashlib
import hmac

from exchange.errors import ErrorCode, ExchangeError
from exchange.wire import b64url_encode

PSEUDONYM_LABEL = b"mmx-exchange/v1 pseudonym\x00"
MIN_SECRET_BYTES = 32


def check_secret(secret: bytes, *, what: str) -> bytes:
    """Return ``secret`` if it is bytes of at least 32 bytes, else raise ``invalid-argument``.

    Example:
        >>> len(check_secret(bytes(32), what="sender secret"))
        32
    """
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, f"The {what} must be 32 bytes or more.")
    return secret


def record_pseudonym(sender_secret: bytes, recipient_id: str, local_id: str) -> str:
    """Return the pseudonym of a local record as sent to one recipient.

    ``HMAC-SHA256(sender_secret, "mmx-exchange/v1 pseudonym" 0x00 recipient_id 0x00 local_id)``,
    base64url without padding (43 characters). The same record gets the same pseudonym in every
    bundle to that recipient, and a different, unrelated one for any other recipient. Keep the
    mapping (or recompute it) to answer disclosure requests.

    Args:
        sender_secret: our installation's pseudonym secret, 32 bytes or more, never shared.
        recipient_id: the recipient authority id.
        local_id: the record's identifier in our database.

    Example:
        >>> record_pseudonym(bytes(32), "ita-labanof", "MP-1") == record_pseudonym(
        ...     bytes(32), "ita-labanof", "MP-1")
        True
        >>> record_pseudonym(bytes(32), "ita-labanof", "MP-1") == record_pseudonym(
        ...     bytes(32), "grc-hp", "MP-1")
        False
    """
    check_secret(sender_secret, what="sender secret")
    if "\x00" in recipient_id or "\x00" in local_id or not local_id:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "Ids must be non-empty and without NUL.")
    message = PSEUDONYM_LABEL + recipient_id.encode() + b"\x00" + local_id.encode()
    return b64url_encode(hmac.new(sender_secret, message, hashlib.sha256).digest())
