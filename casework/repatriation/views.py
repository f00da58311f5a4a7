"""Pages for repatriations: identified nationals, one repatriation, one step."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from casework.access import Permission, allows, requires
from casework.attachments.services import attachments_of
from casework.attachments.uploads import accepts_upload, uploaded_bytes
from casework.cases.pages import show_error, visible_case_or_404
from casework.cases.services import record_view
from casework.errors import CaseworkError
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains
from casework.repatriation import services
from casework.repatriation.access import can_manage_repatriation
from casework.repatriation.forms import StartForm, StepForm
from casework.repatriation.models import Repatriation, StepKind
from casework.repatriation.queries import colleagues_of, visible_repatriation

blueprint = Blueprint("repatriation", __name__, url_prefix="/repatriation")


def _visible(repatriation_id: uuid.UUID) -> Repatriation:
    found = visible_repatriation(current_user, repatriation_id)
    if found is None:
        abort(404)
    return found


def _managed(repatriation_id: uuid.UUID) -> Repatriation:
    repatriation = _visible(repatriation_id)
    if not can_manage_repatriation(current_user, repatriation.missing_person):
        abort(403)
    return repatriation


@blueprint.route("/")
@requires(Permission.READ_REPATRIATION)
def index() -> Any:
    rows = services.identified_nationals(current_user)
    return render_template(
        "repatriation/index.html",
        rows=rows,
        today=services.today(),
        can_start=allows(current_user, Permission.MANAGE_REPATRIATION),
        start_form=StartForm(),
    )


@blueprint.route("/remains/<reference>/start", methods=["POST"])
@requires(Permission.MANAGE_REPATRIATION)
def start(reference: str) -> Any:
    case: UnidentifiedRemains = visible_case_or_404(
        UnidentifiedRemains, remains_visible_to, reference
    )
    form = StartForm()
    if not form.validate_on_submit():
        abort(400, _("The form expired: reload the page and try again."))
    repatriation = services.start_repatriation(current_user, case)
    flash(_("Repatriation of %(reference)s started.", reference=case.reference), "success")
    return redirect(url_for("repatriation.detail", repatriation_id=repatriation.id), 303)


@blueprint.route("/<uuid:repatriation_id>")
@requires(Permission.READ_REPATRIATION)
def detail(repatriation_id: uuid.UUID) -> Any:
    repatriation = _visible(repatriation_id)
    record_view(repatriation.remains)
    steps = repatriation.ordered_steps()
    documents = attachments_of(repatriation.remains, [step.id for step in steps])
    return render_template(
        "repatriation/detail.html",
        repatriation=repatriation,
        steps=steps,
        documents={
            step.id: [doc for doc in documents if doc.repatriation_step_id == step.id]
            for step in steps
        },
        today=services.today(),
        can_manage=can_manage_repatriation(current_user, repatriation.missing_person),
    )


def _step_form(data: dict[str, Any] | None = None) -> StepForm:
    form = StepForm(data=data)
    colleagues = colleagues_of(current_user)
    form.responsible_user.choices = [SelectChoice("", _("—"))] + [
        SelectChoice(str(user.id), user.display_name) for user in colleagues
    ]
    return form


@blueprint.route("/<uuid:repatriation_id>/steps/<kind>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REPATRIATION)
@accepts_upload
def step(repatriation_id: uuid.UUID, kind: str) -> Any:
    repatriation = _managed(repatriation_id)
    try:
        chosen = repatriation.step(StepKind(kind))
    except (ValueError, StopIteration):
        abort(404)
    status = 200
    form = _step_form(
        None
        if request.method == "POST"
        else {
            "due_date": chosen.due_date,
            "completed_on": chosen.completed_on,
            "responsible_user": str(chosen.responsible_user_id or ""),
            "responsible_name": chosen.responsible_name,
            "notes": chosen.notes,
        }
    )
    if form.is_submitted():
        if form.validate():
            try:
                services.update_step(
                    current_user, chosen, form.data, document=uploaded_bytes(form.document)
                )
            except CaseworkError as error:
                status = show_error(form, error)
            else:
                flash(_("Step saved."), "success")
                return redirect(
                    url_for("repatriation.detail", repatriation_id=repatriation.id), 303
                )
        else:
            status = 400
    else:
        record_view(repatriation.remains)
    return render_template(
        "repatriation/step.html", form=form, repatriation=repatriation, step=chosen
    ), status
