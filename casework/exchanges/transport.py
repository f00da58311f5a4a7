"""Sending a sealed message to a peer's inbox over HTTP, and the inbox's answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from casework.audit.services import AuditAction, record
from casework.clock import now
from casework.db import transaction
from casework.errors import ValidationError
from casework.exchanges.errors import ExchangeRefused
from casework.exchanges.models import OutgoingMessage

TIMEOUT_SECONDS = 30


def push(message: OutgoingMessage) -> str:
    """POST the envelope to the peer's inbox; return its status (`new`, `already-imported`)."""
    url = message.peer.inbox_url
    if not url:
        raise ValidationError(
            f"No inbox address is set for {message.peer.authority_id}: send the file instead."
        )
    request = urllib.request.Request(
        url,
        data=message.envelope,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            body = json.loads(answer.read(65536) or b"{}")
    except urllib.error.HTTPError as error:
        try:
            body = json.loads(error.read(65536) or b"{}")
            refusal = body["error"]
            code, text = str(refusal["code"]), str(refusal["message"])
        except (ValueError, KeyError, TypeError):
            code, text = "http-error", f"The peer's inbox answered {error.code}."
        raise ExchangeRefused(
            f"{message.peer.authority_id} refused it: {text}", code=code
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ValidationError(
            f"The inbox of {message.peer.authority_id} could not be reached ({error}). "
            "Try again later or send the file."
        ) from None
    status = str(body.get("status", "")) if isinstance(body, dict) else ""
    with transaction():
        message.pushed_at = now()
        record(
            AuditAction.EXPORT,
            message,
            event="pushed",
            recipient=message.peer.authority_id,
            message_id=message.message_id,
            status=status,
        )
    return status
