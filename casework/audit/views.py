"""The audit trail, read-only, for auditors and administrators of the agency; its verification
(the chain and the rows it vouches for, checked in the background) for the system
administrator, who answers for the whole installation's trail."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import Permission, requires
from casework.audit.forms import VerificationForm
from casework.audit.queries import agency_trail, last_verifications
from casework.audit.verification import first_problem, start_verification
from casework.db import db
from casework.jobs.models import JobState
from casework.jobs.services import error_message, is_stale, params_of, result_of

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


@blueprint.route("/")
@requires(Permission.READ_AUDIT)
def index() -> Any:
    action = request.args.get("action", "").strip()
    reference = request.args.get("reference", "").strip().upper()
    query = agency_trail(current_user, action, reference)
    page = db.paginate(query, per_page=100, max_per_page=100)
    return render_template("audit/list.html", page=page, action=action, reference=reference)


@blueprint.route("/verification", methods=["GET", "POST"])
@requires(Permission.VERIFY_AUDIT)
def verification() -> Any:
    form = VerificationForm()
    if form.validate_on_submit():
        job, started = start_verification(current_user, form.anchor.data)
        if started:
            flash(_("The verification was started: its result appears below when done."), "success")
        else:
            flash(
                _(
                    "The same verification is already waiting or running (started at "
                    "%(started)s): its result appears below when done.",
                    started=format_datetime(job.created_at, "medium"),
                ),
                "info",
            )
        return redirect(url_for("audit.verification"), 303)
    verifications = last_verifications()
    return render_template(
        "audit/verification.html",
        form=form,
        verifications=verifications,
        # the page refreshes its list while a verification may still change it
        under_way=any(
            job.state in (JobState.QUEUED, JobState.RUNNING) and not is_stale(job)
            for job in verifications
        ),
        result_of=result_of,
        params_of=params_of,
        first_problem=first_problem,
        error_message=error_message,
        is_stale=is_stale,
    ), 400 if form.errors else 200
