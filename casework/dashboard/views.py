"""The dashboard: cases per status among those the user may see, and identifications by month."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from casework.access import Permission, allows
from casework.clock import now
from casework.dashboard import charts
from casework.db import db
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains
from casework.repatriation.services import counts_for as repatriation_counts

blueprint = Blueprint("dashboard", __name__)


@blueprint.route("/")
def index() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    missing = db.session.execute(
        select(MissingPerson.status, func.count())
        .where(missing_visible_to(current_user))
        .group_by(MissingPerson.status)
    ).all()
    remains = db.session.execute(
        select(UnidentifiedRemains.status, func.count())
        .where(remains_visible_to(current_user))
        .group_by(UnidentifiedRemains.status)
    ).all()
    identifications = (
        charts.identifications_per_month(current_user, now().date())
        if allows(current_user, Permission.READ_REMAINS)
        else []
    )
    repatriations = (
        repatriation_counts(current_user)
        if allows(current_user, Permission.READ_REPATRIATION)
        else None
    )
    return render_template(
        "dashboard/index.html",
        repatriations=repatriations,
        missing=missing,
        remains=remains,
        identifications=identifications,
        chart=charts,
    )
