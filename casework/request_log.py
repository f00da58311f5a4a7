"""Per request: an id (also returned as X-Request-Id), one JSON log line and the latency
metric, naming the route by its template and the user by id: never the path asked for, its
query string or anything posted."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

from casework.metrics import observe_request

log = logging.getLogger("casework.requests")
HEADER = "X-Request-Id"
# an id a trusted proxy or load balancer already gave the request is kept; anything else
# (a client's free text) is replaced, so nothing a person typed reaches the logs this way
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNMATCHED = "<unmatched>"


def route_template() -> str:
    """The rule that answered (`/missing/<reference>`), or a fixed word for no rule (a 404
    on an unknown address, whose path is whatever the client typed)."""
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED


def _user_id() -> str | None:
    try:
        if current_user and current_user.is_authenticated:
            return str(current_user.get_id())
    except Exception:  # the user could not be loaded (the database is down): no id
        return None
    return None


def install_request_log(app: Flask) -> None:
    trusted_proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    enabled = bool(app.config.get("REQUEST_LOG", True))

    @app.before_request
    def _start() -> None:
        given = request.headers.get(HEADER, "") if trusted_proxies else ""
        g.request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        if not g.get("request_id"):
            g.request_id = uuid.uuid4().hex
        response.headers[HEADER] = g.request_id
        started = g.get("request_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        route = route_template()
        observe_request(route, request.method, response.status_code, seconds)
        if enabled:
            log.info(
                "request",
                extra={  # the request id is stamped on every record (casework/log_format.py)
                    "user_id": _user_id(),
                    "route": route,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
        return response
