"""What load balancers and monitoring read: `/healthz` (the process answers), `/readyz` (it can
serve: 503 with the reasons if not) and `/metrics` (Prometheus, for trusted scrapers only)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request
from redis.exceptions import RedisError

from casework.extensions import csrf, limiter
from casework.health.checks import readiness
from casework.jobs import redis_queue
from casework.metrics import CONTENT_TYPE, exposition, set_queue_depth

log = logging.getLogger(__name__)

blueprint = Blueprint("health", __name__)
csrf.exempt(blueprint)
limiter.exempt(blueprint)


@blueprint.route("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@blueprint.route("/readyz")
def readyz() -> Any:
    problems = readiness()
    if problems:
        response = jsonify(status="unavailable", problems=problems)
        response.status_code = 503
        response.headers["Retry-After"] = "10"
        return response
    return jsonify(status="ready")


def _trusted_scraper() -> bool:
    """From an address of CASEWORK_METRICS_ALLOWED_ADDRESSES (addresses or networks), or with
    `Authorization: Bearer <CASEWORK_METRICS_TOKEN>`."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for allowed in str(current_app.config.get("METRICS_ALLOWED_ADDRESSES") or "").split(","):
        if allowed.strip() and address in ipaddress.ip_network(allowed.strip(), strict=False):
            return True
    return False


@blueprint.route("/metrics")
def metrics() -> Any:
    if not _trusted_scraper():
        abort(403)
    if redis_queue.redis_url(current_app.config):
        config = current_app.config
        try:
            depths = {
                redis_queue.queue_name(config, queue): redis_queue.depth(config, [queue])
                for queue in redis_queue.QUEUES
            }
        except RedisError:
            log.warning("The job queue's depth could not be read from Redis")
        else:
            for name, depth in depths.items():
                set_queue_depth(name, depth)
    return Response(exposition(), mimetype=CONTENT_TYPE)
