"""Pages for unidentified remains: list and look-up, log, view, edit, notes, status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from casework.access import (
    Permission,
    can_add_to_case,
    can_edit_case,
    remains_visible_to,
    repatriation_visible_to,
    requires,
)
from casework.attachments.services import attachments_of
from casework.cases.creation_keys import checked_key, create_once
from casework.cases.fields import point_coordinates
from casework.cases.forms import VIA_LABELS, NoteForm, submitted_version
from casework.cases.pages import (
    case_details_data,
    filtered_cases,
    post_note,
    post_status,
    search_from_form,
    show_error,
    status_form,
    visible_case_or_404,
)
from casework.cases.services import record_view
from casework.cases.status import history
from casework.clock import now
from casework.custody.models import CustodyEvent, Sample
from casework.db import db
from casework.errors import CaseworkError
from casework.matches.views import candidates_of
from casework.missing.models import MissingPerson
from casework.remains import services
from casework.remains.forms import RemainsForm
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.repatriation.models import Repatriation

blueprint = Blueprint("remains", __name__, url_prefix="/remains")
PAGE_SIZE = 50


def _visible_case(reference: str) -> UnidentifiedRemains:
    return visible_case_or_404(UnidentifiedRemains, remains_visible_to, reference)  # type: ignore[no-any-return]


@blueprint.route("/", methods=["GET", "POST"])
@requires(Permission.READ_REMAINS)
def index() -> Any:
    if request.method == "POST":  # the search form: the name goes in the body, never the address
        return search_from_form("remains.index", UnidentifiedRemains.__case_kind__)
    query, filters = filtered_cases(UnidentifiedRemains, remains_visible_to, RemainsStatus)
    query = query.order_by(
        UnidentifiedRemains.recovery_date.desc(), UnidentifiedRemains.created_at.desc()
    )
    page = db.paginate(query, per_page=PAGE_SIZE, max_per_page=PAGE_SIZE)
    return render_template(
        "remains/list.html",
        page=page,
        status=filters.status,
        name=filters.name,
        reference=filters.reference,
        similar=filters.similar,
        search=filters.search,
        statuses=list(RemainsStatus),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT_REMAINS)
def new() -> Any:
    form = RemainsForm()
    status = 200
    if form.validate_on_submit():
        try:
            created = create_once(
                current_user,
                UnidentifiedRemains,
                checked_key(form.form_token.data, "form_token"),
                None,
                lambda: services.log_remains(current_user, form.data),
            )
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            case = created.case  # sent again (created.replayed): the case the first one made
            flash(_("Logged as %(reference)s.", reference=case.reference), "success")
            return redirect(url_for("remains.detail", reference=case.reference))
    elif form.errors:
        status = 400
    return render_template("remains/form.html", form=form, case=None), status


@blueprint.route("/<reference>")
@requires(Permission.READ_REMAINS)
def detail(reference: str) -> Any:
    return _detail_page(_visible_case(reference))


def _detail_page(case: UnidentifiedRemains, code: int = 200, status_form_: Any = None) -> Any:
    record_view(case)
    samples = db.session.scalars(
        select(Sample).where(Sample.remains_id == case.id).order_by(Sample.created_at)
    ).all()
    custody = db.session.scalars(
        select(CustodyEvent)
        .where(CustodyEvent.remains_id == case.id)
        .order_by(CustodyEvent.occurred_at)
    ).all()
    repatriation = db.session.scalar(
        select(Repatriation)
        .join(UnidentifiedRemains, Repatriation.remains_id == UnidentifiedRemains.id)
        .join(MissingPerson, Repatriation.missing_person_id == MissingPerson.id)
        .where(Repatriation.remains_id == case.id, repatriation_visible_to(current_user))
    )
    return render_template(
        "remains/detail.html",
        case=case,
        attachments=attachments_of(case),
        repatriation=repatriation,
        today=now().date(),
        printed_at=now(),
        point=point_coordinates(case.recovery_point),
        samples=samples,
        custody=custody,
        can_edit=can_edit_case(current_user, case),
        can_custody=can_add_to_case(current_user, case, Permission.RECORD_CUSTODY),
        can_note=can_add_to_case(current_user, case, Permission.WRITE_NOTES),
        case_candidates=candidates_of(case),
        note_form=NoteForm(),
        status_form=status_form(case, status_form_),
        status_action=url_for("remains.change_case_status", reference=case.reference),
        status_history=history(case),
        via_labels=VIA_LABELS,
    ), code


@blueprint.route("/<reference>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_REMAINS)
def edit(reference: str) -> Any:
    case = _visible_case(reference)
    if not can_edit_case(current_user, case):
        abort(403)
    if request.method == "GET":
        point = point_coordinates(case.recovery_point)
        fields = {
            name: getattr(case, name)
            for name in (
                "recovery_date",
                "recovery_place",
                "recovery_uncertainty_m",
                "recovered_by",
                "age_min",
                "age_max",
                "stature_min_cm",
                "stature_max_cm",
                "pmi_min_days",
                "pmi_max_days",
                "storage_location",
                "notes_text",
            )
        }
        form = RemainsForm(
            data={
                **fields,
                **case_details_data(case),
                "condition": case.condition.value if case.condition else "",
                "estimated_sex": case.estimated_sex.value,
                "document_names": "; ".join(case.document_names),
                "recovery_lat": point[0] if point else None,
                "recovery_lon": point[1] if point else None,
            }
        )
        record_view(case)
        return render_template("remains/form.html", form=form, case=case)
    form = RemainsForm()
    status = 400
    if form.validate_on_submit():
        try:
            services.update_remains(case, form.data, submitted_version(form.version.data))
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("remains.detail", reference=case.reference))
    return render_template("remains/form.html", form=form, case=case), status


@blueprint.route("/<reference>/notes", methods=["POST"])
@requires(Permission.WRITE_NOTES)
def add_case_note(reference: str) -> Any:
    return post_note(_visible_case(reference), "remains.detail")


@blueprint.route("/<reference>/status", methods=["POST"])
@requires(Permission.EDIT_REMAINS)
def change_case_status(reference: str) -> Any:
    return post_status(
        _visible_case(reference),
        "remains.detail",
        lambda case, code, status_form: _detail_page(case, code, status_form_=status_form),
    )
