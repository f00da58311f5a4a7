"""The review queue and the candidate page: evidence for and against, and the decisions."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import Permission, requires
from casework.cases.forms import show_error, submitted_version
from casework.cases.services import record_view
from casework.db import db
from casework.errors import CaseworkError
from casework.matches import services
from casework.matches.forms import ConfirmForm, ExcludeForm, ProposeForm, RejectForm
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.matches.probabilities import review_rule
from casework.matches.queries import visible_candidate
from casework.matches.queue import BANDS, CORRIDORS, QueueFilter, agencies, queue
from casework.matches.side_by_side import TOOTH_VERDICTS, side_by_side

blueprint = Blueprint("matches", __name__, url_prefix="/matches")
PAGE_SIZE = 50


def _candidate(candidate_id: uuid.UUID) -> CandidateMatch:
    candidate = visible_candidate(current_user, candidate_id)
    if candidate is None:
        abort(404)
    return candidate


@blueprint.route("/")
@requires(Permission.READ_MATCHES)
def index() -> Any:
    chosen = QueueFilter.parse(request.args)  # a value not in its list: a 400 page saying so
    page = db.paginate(queue(current_user, chosen), per_page=PAGE_SIZE, max_per_page=PAGE_SIZE)
    return render_template(
        "matches/list.html",
        page=page,
        chosen=chosen,
        statuses=list(CandidateStatus),
        corridors=CORRIDORS,
        agencies=agencies(),
        bands=BANDS,
        rule=review_rule(),
    )


@blueprint.route("/<uuid:candidate_id>")
@requires(Permission.READ_MATCHES)
def detail(candidate_id: uuid.UUID) -> Any:
    candidate = _candidate(candidate_id)
    record_view(candidate)
    return _page(candidate)


def _page(candidate: CandidateMatch, status: int = 200, **forms: Any) -> Any:
    version = str(candidate.version)
    evidence = json.loads(candidate.evidence)
    return render_template(
        "matches/detail.html",
        candidate=candidate,
        evidence=evidence,
        comparison=side_by_side(candidate, evidence),
        tooth_verdicts=TOOTH_VERDICTS,
        exclude_form=forms.get("exclude") or ExcludeForm(version=version, formdata=None),
        propose_form=forms.get("propose") or ProposeForm(version=version, formdata=None),
        confirm_form=forms.get("confirm") or ConfirmForm(version=version, formdata=None),
        reject_form=forms.get("reject") or RejectForm(version=version, formdata=None),
    ), status


def _decide(candidate_id: uuid.UUID, form_class: type, key: str, act: Any, done: str) -> Any:
    candidate = _candidate(candidate_id)
    form = form_class()
    if not form.validate_on_submit():
        return _page(candidate, 400, **{key: form})
    try:
        act(candidate, form, submitted_version(form.version.data))
    except CaseworkError as error:
        candidate = _candidate(candidate_id)  # as stored: the refused change was rolled back
        return _page(candidate, show_error(form, error), **{key: form})
    flash(done, "success")
    return redirect(url_for("matches.detail", candidate_id=candidate_id))


@blueprint.route("/<uuid:candidate_id>/exclude", methods=["POST"])
@requires(Permission.REVIEW_MATCHES)
def exclude(candidate_id: uuid.UUID) -> Any:
    return _decide(
        candidate_id,
        ExcludeForm,
        "exclude",
        lambda c, f, v: services.exclude(c, current_user, f.reason.data, v),
        _("Candidate excluded."),
    )


@blueprint.route("/<uuid:candidate_id>/propose", methods=["POST"])
@requires(Permission.REVIEW_MATCHES)
def propose(candidate_id: uuid.UUID) -> Any:
    return _decide(
        candidate_id,
        ProposeForm,
        "propose",
        lambda c, f, v: services.propose_identification(
            c, current_user, f.identifiers.data, f.reason.data, v
        ),
        _("Identification proposed: a supervisor must confirm it."),
    )


@blueprint.route("/<uuid:candidate_id>/confirm", methods=["POST"])
@requires(Permission.CONFIRM_IDENTIFICATION)
def confirm(candidate_id: uuid.UUID) -> Any:
    return _decide(
        candidate_id,
        ConfirmForm,
        "confirm",
        lambda c, f, v: services.confirm_identification(c, current_user, v),
        _("Identification confirmed."),
    )


@blueprint.route("/<uuid:candidate_id>/reject", methods=["POST"])
@requires(Permission.CONFIRM_IDENTIFICATION)
def reject(candidate_id: uuid.UUID) -> Any:
    return _decide(
        candidate_id,
        RejectForm,
        "reject",
        lambda c, f, v: services.reject_identification(c, current_user, f.reason.data, v),
        _("Proposal turned down; the candidate is back in review."),
    )
