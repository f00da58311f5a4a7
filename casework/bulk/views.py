"""Pages for supervisors: import a legacy case file (check, then confirm, then watch it run),
and export the cases of a list as interchange CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, url_for
from flask_login import current_user

from casework.access import Permission, allows, requires
from casework.bulk import jobs
from casework.bulk.forms import ConfirmImportForm, ImportUploadForm
from casework.bulk.services import export_to_text
from casework.cases.models import CaseKind
from casework.cases.pages import filtered_cases, show_error
from casework.clock import now
from casework.errors import CaseworkError
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains.access import remains_visible_to
from casework.remains.models import RemainsStatus, UnidentifiedRemains

blueprint = Blueprint("bulk", __name__, url_prefix="/bulk")

_EXPORTS: dict[str, tuple[Any, Any, Any, Permission]] = {
    CaseKind.MISSING: (
        MissingPerson,
        missing_visible_to,
        MissingPersonStatus,
        Permission.EXPORT_MISSING,
    ),
    CaseKind.REMAINS: (
        UnidentifiedRemains,
        remains_visible_to,
        RemainsStatus,
        Permission.EXPORT_REMAINS,
    ),
}


@blueprint.route("/import", methods=["GET", "POST"])
@requires(Permission.IMPORT_CASES)
def import_upload() -> Any:
    form = ImportUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            token = jobs.check_upload(form.kind.data, upload.filename, upload.stream, current_user)
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            return redirect(url_for("bulk.import_job", token=token), 303)
    elif form.errors:
        status = 400
    return render_template("bulk/import.html", form=form), status


@blueprint.route("/import/<token>")
@requires(Permission.IMPORT_CASES)
def import_job(token: str) -> Any:
    job = jobs.load_job(token, current_user.id)
    return render_template("bulk/job.html", job=job, form=ConfirmImportForm())


@blueprint.route("/import/<token>/confirm", methods=["POST"])
@requires(Permission.IMPORT_CASES)
def confirm_import(token: str) -> Any:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    jobs.start_import(token, current_user)
    return redirect(url_for("bulk.import_job", token=token), 303)


@blueprint.route("/import/<token>/progress")
@requires(Permission.IMPORT_CASES)
def import_progress(token: str) -> Any:
    job = jobs.load_job(token, current_user.id)
    return jsonify({"ok": True, "state": job["state"], "progress": job["progress"]})


@blueprint.route("/export/<kind>.csv")
@requires(Permission.READ_MISSING)
def export(kind: str) -> Any:
    if kind not in _EXPORTS:
        abort(404)
    model, visible, statuses, permission = _EXPORTS[kind]
    if not allows(current_user, permission):
        abort(403)
    query, filters = filtered_cases(model, visible, statuses)
    # the agency's own cases only: another agency's case shared with it may be read here, not
    # taken away as a file
    condition = model.id.in_(query.with_only_columns(model.id).scalar_subquery()) & (
        model.agency_id == current_user.agency_id
    )
    text, count = export_to_text(
        kind,
        condition,
        {
            "status": filters.status or None,
            "name": "given" if filters.name else None,  # the name itself is personal data
            "similar": filters.similar,
            "reference": filters.reference or None,
            "agency_view": current_user.agency.code,
        },
    )
    name = f"{kind}-{now().strftime('%Y%m%d-%H%M')}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Case-Count": str(count),
            "Cache-Control": "no-store",
        },
    )


@blueprint.app_template_global()
def can_export(kind: str) -> bool:
    return bool(current_user.is_authenticated and allows(current_user, _EXPORTS[kind][3]))
