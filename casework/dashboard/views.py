"""The dashboard: cases per status among those the user may see, and identifications by month."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from casework.access import Permission, allows
from casework.clock import now
from casework.dashboard import charts
from casework.dashboard.counts import missing_per_status, remains_at_risk, remains_per_status
from casework.repatriation.services import counts_for as repatriation_counts

blueprint = Blueprint("dashboard", __name__)
# remains at risk of leaving without a DNA sample held: burials planned first, the soonest first
AT_RISK_SHOWN = 50


@blueprint.route("/")
def index() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    missing = missing_per_status(current_user)
    remains = remains_per_status(current_user)
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
    at_risk = (
        remains_at_risk(current_user, AT_RISK_SHOWN)
        if allows(current_user, Permission.READ_REMAINS)
        else []
    )
    return render_template(
        "dashboard/index.html",
        at_risk=at_risk,
        repatriations=repatriations,
        missing=missing,
        remains=remains,
        identifications=identifications,
        chart=charts,
    )
