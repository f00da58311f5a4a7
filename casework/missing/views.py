"""Pages for missing-person cases: list and look-up, register, view, edit, relatives, notes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import Permission, can_add_to_case, can_edit_case, missing_visible_to, requires
from casework.cases.fields import point_coordinates, route_wkt
from casework.cases.forms import NoteForm, submitted_version
from casework.cases.pages import (
    case_details_data,
    filtered_cases,
    post_note,
    show_error,
    visible_case_or_404,
)
from casework.cases.services import record_view
from casework.clock import now
from casework.db import db
from casework.errors import CaseworkError
from casework.matches.views import candidates_of
from casework.missing import services
from casework.missing.forms import MissingPersonForm, RelativeForm
from casework.missing.models import MissingPerson, MissingPersonStatus

blueprint = Blueprint("missing", __name__, url_prefix="/missing")
PAGE_SIZE = 50


def _visible_case(reference: str) -> MissingPerson:
    return visible_case_or_404(MissingPerson, missing_visible_to, reference)  # type: ignore[no-any-return]


@blueprint.route("/")
@requires(Permission.READ_MISSING)
def index() -> Any:
    query, filters = filtered_cases(MissingPerson, missing_visible_to, MissingPersonStatus)
    page = db.paginate(
        query.order_by(MissingPerson.created_at.desc()), per_page=PAGE_SIZE, max_per_page=PAGE_SIZE
    )
    return render_template(
        "missing/list.html",
        page=page,
        status=filters.status,
        name=filters.name,
        reference=filters.reference,
        similar=filters.similar,
        statuses=list(MissingPersonStatus),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT_MISSING)
def new() -> Any:
    form = MissingPersonForm()
    status = 200
    if form.validate_on_submit():
        try:
            case = services.register_missing_person(current_user, form.data)
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Registered as %(reference)s.", reference=case.reference), "success")
            return redirect(url_for("missing.detail", reference=case.reference))
    elif form.errors:
        status = 400
    return render_template("missing/form.html", form=form, case=None), status


@blueprint.route("/<reference>")
@requires(Permission.READ_MISSING)
def detail(reference: str) -> Any:
    case = _visible_case(reference)
    record_view(case)
    return render_template(
        "missing/detail.html",
        case=case,
        printed_at=now(),
        point=point_coordinates(case.last_seen_point),
        route=route_wkt(case.intended_route),
        can_edit=can_edit_case(current_user, case),
        can_note=can_add_to_case(current_user, case, Permission.WRITE_NOTES),
        case_candidates=candidates_of(case),
        note_form=NoteForm(),
    )


@blueprint.route("/<reference>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_MISSING)
def edit(reference: str) -> Any:
    case = _visible_case(reference)
    if not can_edit_case(current_user, case):
        abort(403)
    if request.method == "GET":
        point = point_coordinates(case.last_seen_point)
        fields = {
            name: getattr(case, name)
            for name in (
                "given_names",
                "surnames",
                "birth_date",
                "age_at_disappearance",
                "height_cm",
                "nationality",
                "languages",
                "last_seen_date",
                "last_seen_place",
                "sea_crossing",
                "circumstances",
                "medical_notes",
            )
        }
        form = MissingPersonForm(
            data={
                **fields,
                **case_details_data(case),
                "sex": case.sex.value,
                "aliases": "; ".join(case.aliases),
                "intended_route": route_wkt(case.intended_route),
                "last_seen_lat": point[0] if point else None,
                "last_seen_lon": point[1] if point else None,
            }
        )
        record_view(case)
        return render_template("missing/form.html", form=form, case=case)
    form = MissingPersonForm()
    status = 400
    if form.validate_on_submit():
        try:
            services.update_missing_person(case, form.data, submitted_version(form.version.data))
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("missing.detail", reference=case.reference))
    return render_template("missing/form.html", form=form, case=case), status


@blueprint.route("/<reference>/relatives/new", methods=["GET", "POST"])
@requires(Permission.EDIT_MISSING)
def new_relative(reference: str) -> Any:
    case = _visible_case(reference)
    if not can_edit_case(current_user, case):
        abort(403)
    form = RelativeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_relative(case, form.data)
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Relative added."), "success")
            return redirect(url_for("missing.detail", reference=case.reference))
    elif form.errors:
        status = 400
    return render_template("missing/relative_form.html", form=form, case=case), status


@blueprint.route("/<reference>/notes", methods=["POST"])
@requires(Permission.WRITE_NOTES)
def add_case_note(reference: str) -> Any:
    return post_note(_visible_case(reference), "missing.detail")
