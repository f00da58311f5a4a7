"""`/healthz` (the process answers) and `/readyz` (it can serve: 503 with the reasons if not)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from casework.extensions import csrf, limiter
from casework.health.checks import readiness

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
