"""Sending a sealed message to a peer's inbox over HTTP, and the inbox's answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.audit.services import AuditAction, record
from casework.clock import now
from casework.db import transaction
from casework.errors import ValidationError
from casework.exchanges.errors import ExchangeRefused
from casework.exchanges.models import OutgoingMessage
from casework.exchanges.outbox import get_message
from casework.jobs.models import Job
from casework.jobs.services import JobFailed, Progress, params_of

TIMEOUT_SECONDS = 30


def push(message: OutgoingMessage) -> str:
    """POST the envelope to the peer's inbox; return its status (`new`, `already-imported`)."""
    url = message.peer.inbox_url
    if not url:
        raise ValidationError(
            _l(
                "No inbox address is set for %(authority)s: send the file instead.",
                authority=message.peer.authority_id,
            )
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
            code = "http-error"
            text = _l("The peer's inbox answered %(status)s.", status=error.code)
        raise ExchangeRefused(
            _l(
                "%(authority)s refused it: %(reason)s",
                authority=message.peer.authority_id,
                reason=text,
            ),
            code=code,
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ValidationError(
            _l(
                "The inbox of %(authority)s could not be reached (%(error)s). Try again later "
                "or send the file.",
                authority=message.peer.authority_id,
                error=error,
            )
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


# refusals that say the peer lacks a message we sent before this one: a disclosure response
# pushed by one worker can reach the peer ahead of its decision, pushed by another
AWAITING_EARLIER = frozenset({"decision-missing"})


def run_push_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The work of a push job (registered by the factory): a peer that cannot be reached, or
    that still awaits the message this one follows, is tried again later; one that refuses the
    message is not."""
    message = get_message(uuid.UUID(params_of(job)["message_id"]))
    if message.pushed_at is not None:
        return {"status": "pushed before"}
    try:
        return {"status": push(message)}
    except ExchangeRefused as error:
        raise JobFailed("refused", retry=error.code in AWAITING_EARLIER) from error
    except ValidationError as error:
        raise JobFailed("peer-unreachable") from error
