"""The job list for supervisors: what runs in the background, how far it got, who started it,
why it failed; a failed job can be retried, and a full re-match started."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from casework.access import Permission, requires
from casework.db import db
from casework.errors import CaseworkError
from casework.jobs.access import jobs_visible_to
from casework.jobs.forms import RematchForm, RetryForm
from casework.jobs.models import Job, JobKind, JobState
from casework.jobs.services import create, error_message, is_stale, retry, visible_job

blueprint = Blueprint("jobs", __name__, url_prefix="/jobs")
PAGE_SIZE = 50


@blueprint.route("/")
@requires(Permission.MANAGE_JOBS)
def index() -> Any:
    query = select(Job).where(jobs_visible_to(current_user)).order_by(Job.created_at.desc())
    state = request.args.get("state", "")
    if state in {item.value for item in JobState}:
        query = query.where(Job.state == state)
    else:
        state = ""
    page = db.paginate(query, per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "jobs/index.html",
        page=page,
        state=state,
        states=list(JobState),
        retry_form=RetryForm(),
        rematch_form=RematchForm(),
        error_message=error_message,
        is_stale=is_stale,
    )


@blueprint.route("/<job_id>/retry", methods=["POST"])
@requires(Permission.MANAGE_JOBS)
def retry_job(job_id: str) -> Any:
    job = visible_job(job_id, current_user)
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        retry(job, current_user)
    except CaseworkError as error:
        flash(error.message, "error")
        return redirect(url_for("jobs.index")), 303
    flash(_("The job was queued again."), "success")
    return redirect(url_for("jobs.index"), 303)


@blueprint.route("/rematch", methods=["POST"])
@requires(Permission.MANAGE_JOBS)
def rematch() -> Any:
    form = RematchForm()
    if not form.validate_on_submit():
        abort(400)
    create(JobKind.REMATCH, {}, current_user)
    flash(_("A full re-match was queued."), "success")
    return redirect(url_for("jobs.index"), 303)
