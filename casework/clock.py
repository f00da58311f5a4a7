"""The time as the application sees it: a clock set in the config, so tests can pass their own."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context

from casework.db import utcnow


def now() -> datetime:
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()  # type: ignore[no-any-return]
    return utcnow()
