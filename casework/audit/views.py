"""The audit trail, read-only, for auditors and administrators of the agency."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import or_, select

from casework.access import Permission, requires
from casework.accounts.models import User
from casework.audit.models import AuditEntry
from casework.db import db

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


@blueprint.route("/")
@requires(Permission.READ_AUDIT)
def index() -> Any:
    agency_users = select(User.id).where(User.agency_id == current_user.agency_id)
    query = select(AuditEntry).where(
        or_(AuditEntry.agency_id == current_user.agency_id, AuditEntry.actor_id.in_(agency_users))
    )
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditEntry.action == action)
    reference = request.args.get("reference", "").strip().upper()
    if reference:
        query = query.where(AuditEntry.object_ref == reference)
    page = db.paginate(query.order_by(AuditEntry.seq.desc()), per_page=100, max_per_page=100)
    return render_template("audit/list.html", page=page, action=action, reference=reference)
