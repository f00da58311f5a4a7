"""Pages for samples and custody transfers of a remains case."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from casework.access import Permission, requires
from casework.cases.access import can_add_to_case
from casework.cases.pages import show_error, visible_case_or_404
from casework.custody import services
from casework.custody.forms import SampleForm, TransferForm
from casework.custody.queries import chain_of, samples_of, visible_sample
from casework.errors import CaseworkError
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains

blueprint = Blueprint("custody", __name__, url_prefix="/custody")


def _case_for(reference: str, permission: Permission) -> UnidentifiedRemains:
    case: UnidentifiedRemains = visible_case_or_404(
        UnidentifiedRemains, remains_visible_to, reference
    )
    if not can_add_to_case(current_user, case, permission):
        abort(403)
    return case


@blueprint.route("/remains/<reference>/samples/new", methods=["GET", "POST"])
@requires(Permission.RECORD_SAMPLES)
def new_sample(reference: str) -> Any:
    case = _case_for(reference, Permission.RECORD_SAMPLES)
    form = SampleForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.record_sample(case, form.data)
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Sample recorded."), "success")
            return redirect(url_for("remains.detail", reference=case.reference))
    elif form.errors:
        status = 400
    return render_template("custody/sample_form.html", form=form, case=case), status


@blueprint.route("/remains/<reference>/transfers/new", methods=["GET", "POST"])
@requires(Permission.RECORD_CUSTODY)
def new_transfer(reference: str) -> Any:
    case = _case_for(reference, Permission.RECORD_CUSTODY)
    samples = samples_of(case)
    form = TransferForm()
    form.subject.choices = [
        SelectChoice("remains", _("The remains (%(ref)s)", ref=case.reference))
    ] + [
        SelectChoice(str(sample.id), _("Sample %(barcode)s", barcode=sample.barcode))
        for sample in samples
    ]
    status = 200
    if form.validate_on_submit():
        sample = next((s for s in samples if str(s.id) == form.subject.data), None)
        try:
            services.record_transfer(
                current_user, remains=None if sample else case, sample=sample, data=form.data
            )
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Transfer recorded."), "success")
            return redirect(url_for("remains.detail", reference=case.reference))
    elif form.errors:
        status = 400
    return render_template("custody/transfer_form.html", form=form, case=case), status


@blueprint.route("/samples/<barcode>")
@requires(Permission.READ_REMAINS)
def sample(barcode: str) -> Any:
    found = visible_sample(current_user, barcode)
    if found is None:
        abort(404)
    sample, case = found
    return render_template("custody/sample.html", sample=sample, case=case, chain=chain_of(sample))
