"""Rate limits of the public portal, counted per address without keeping the address: the
limiter's key is a keyed hash of it that changes every day, so its counters (in Redis in
production) hold nothing that names a family's connection, and yesterday's keys cannot be
linked to today's."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request

from casework.clock import now


def address_key() -> str:
    """The limiter's key for this request: HMAC(secret, day + address), shortened."""
    secret = current_app.config["SECRET_KEY"].encode()
    day = now().date().isoformat()
    message = f"{day}|{request.remote_addr or ''}".encode()
    return "family:" + hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def submit_limit() -> str:
    return str(current_app.config["FAMILY_SUBMIT_RATE_LIMIT"])


def code_limit() -> str:
    return str(current_app.config["FAMILY_CODE_RATE_LIMIT"])


__all__ = ["address_key", "code_limit", "submit_limit"]
