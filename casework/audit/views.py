"""The audit trail, read-only, for auditors and administrators of the agency."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user

from casework.access import Permission, requires
from casework.audit.queries import agency_trail
from casework.db import db

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


@blueprint.route("/")
@requires(Permission.READ_AUDIT)
def index() -> Any:
    action = request.args.get("action", "").strip()
    reference = request.args.get("reference", "").strip().upper()
    query = agency_trail(current_user, action, reference)
    page = db.paginate(query, per_page=100, max_per_page=100)
    return render_template("audit/list.html", page=page, action=action, reference=reference)
