"""A self-hosted proof-of-work challenge (the ALTCHA scheme) that holds off scripted requests
without a third-party service, and its no-JavaScript path.

The server issues `salt` (random, with the time it was issued) and `challenge = SHA-256(salt +
number)` for a secret random `number` up to `maximum`, both signed with an HMAC so they cannot
be made up (nor the time of issue moved back). The portal's script
(`static/family_challenge.js`) finds `number` by trying them all (about a second on a cheap
phone at the default maximum) and puts it in the form. A browser without
JavaScript cannot: its request is accepted instead once the form has been open for
`FAMILY_NO_SCRIPT_WAIT_SECONDS` (a person writing a request takes far longer; a script must wait
that long per request). Either way a challenge lets one request through, once (`SpentChallenge`),
and expires after `LIFETIME`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from casework.clock import now
from casework.db import db
from casework.errors import ValidationError
from casework.family_portal.models import SpentChallenge

LIFETIME = timedelta(hours=3)  # long enough to write a request slowly


class KeepWaiting(ValidationError):
    """A form sent without JavaScript too soon: its challenge stays good, shown again."""


@dataclass(frozen=True)
class Challenge:
    salt: str
    challenge: str
    signature: str
    maximum: int


def _key() -> bytes:
    return hashlib.sha256(b"family-challenge:" + current_app.config["SECRET_KEY"].encode()).digest()


def _sign(salt: str, challenge: str) -> str:
    # the salt too: it carries the time of issue, which the no-JavaScript path relies on
    return hmac.new(_key(), f"{salt}|{challenge}".encode(), hashlib.sha256).hexdigest()


def digest(salt: str, number: int) -> str:
    """SHA-256 of the salt followed by the number in decimal, as hexadecimal.

    Example:
        >>> digest("abc?issued=1", 7)[:12]
        'bc613eb3aa84'
    """
    return hashlib.sha256(f"{salt}{number}".encode()).hexdigest()


def issue(moment: datetime | None = None) -> Challenge:
    """A fresh signed challenge, issued now."""
    issued = int((moment or now()).timestamp())
    maximum = int(current_app.config["FAMILY_CHALLENGE_MAX_NUMBER"])
    salt = f"{secrets.token_hex(12)}?issued={issued}"
    challenge = digest(salt, secrets.randbelow(maximum + 1))
    return Challenge(salt, challenge, _sign(salt, challenge), maximum)


def _issued_at(salt: str) -> datetime | None:
    _, _, issued = salt.partition("?issued=")
    try:
        return datetime.fromtimestamp(int(issued), tz=now().tzinfo)
    except (ValueError, OverflowError, OSError):
        return None


def spend(salt: str, challenge: str, signature: str, number: str) -> None:
    """Check the challenge a form brought back and mark it spent, in the caller's transaction;
    a ValidationError (field "challenge") says what is wrong."""
    if not (salt and challenge and signature):
        raise ValidationError(
            _l("The security check of this form is missing. Open the form again and send it."),
            field="challenge",
        )
    issued = _issued_at(salt)
    if (
        issued is None
        or len(signature) != 64
        or not hmac.compare_digest(_sign(salt, challenge), signature)
    ):
        raise ValidationError(
            _l("The security check of this form is not valid. Open the form again and send it."),
            field="challenge",
        )
    moment = now()
    if moment - issued > LIFETIME:
        raise ValidationError(
            _l(
                "This form was open for too long and its security check has expired. Your "
                "words are still below: send the form again."
            ),
            field="challenge",
        )
    number = number.strip()
    solved = number.isdigit() and len(number) <= 12 and digest(salt, int(number)) == challenge
    if not solved:
        wait = int(current_app.config["FAMILY_NO_SCRIPT_WAIT_SECONDS"])
        ready = issued + timedelta(seconds=wait)
        if moment < ready:
            raise KeepWaiting(
                _l(
                    "To keep automated messages out, a form sent without JavaScript must stay "
                    "open for %(seconds)d seconds. Wait a moment and send it again: your words "
                    "are still below.",
                    seconds=wait,
                ),
                field="challenge",
            )
    db.session.execute(delete(SpentChallenge).where(SpentChallenge.expires_at < moment))
    spent = hashlib.sha256(challenge.encode()).hexdigest()
    try:
        with db.session.begin_nested():  # two requests with one challenge: one goes through
            db.session.add(SpentChallenge(digest=spent, expires_at=issued + LIFETIME))
    except IntegrityError:
        raise ValidationError(
            _l("This form has already been sent. Open the form again to send another request."),
            field="challenge",
        ) from None


__all__ = ["LIFETIME", "Challenge", "KeepWaiting", "digest", "issue", "spend"]
