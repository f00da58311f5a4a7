"""The dashboard: cases per status among those the user may see, and identifications by month."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from casework.access import Permission, allows
from casework.clock import now
from casework.custody.holdings import held_condition
from casework.dashboard import charts
from casework.db import db
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from casework.remains.access import remains_visible_to
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.repatriation.services import counts_for as repatriation_counts

blueprint = Blueprint("dashboard", __name__)
# remains at risk of leaving without a DNA sample held: the oldest recovered first
AT_RISK_SHOWN = 50


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
    at_risk = (
        db.session.scalars(
            select(UnidentifiedRemains)
            .where(
                remains_visible_to(current_user),
                UnidentifiedRemains.status == RemainsStatus.UNIDENTIFIED,
                ~held_condition(UnidentifiedRemains.id),
            )
            .order_by(UnidentifiedRemains.recovery_date)
            .limit(AT_RISK_SHOWN)
        ).all()
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
