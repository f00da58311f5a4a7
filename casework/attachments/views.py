"""Pages for attachments: upload to a remains case, and view or download one (audited)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import Permission, requires
from casework.attachments import services
from casework.attachments.forms import AttachmentForm
from casework.attachments.queries import visible_attachment
from casework.attachments.uploads import accepts_upload, limit_upload_size, uploaded_bytes
from casework.cases.access import can_edit_case
from casework.cases.pages import show_error, visible_case_or_404
from casework.errors import CaseworkError, readable_size
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains

blueprint = Blueprint("attachments", __name__, url_prefix="/attachments")


@blueprint.app_template_filter("filesize")
def filesize(size: int) -> str:
    return readable_size(size)


# upload pages anywhere in the app (repatriation documents too) get their body limit
blueprint.app_url_value_preprocessor(limit_upload_size)


@blueprint.route("/remains/<reference>/new", methods=["GET", "POST"])
@requires(Permission.EDIT_REMAINS)
@accepts_upload
def new(reference: str) -> Any:
    case: UnidentifiedRemains = visible_case_or_404(
        UnidentifiedRemains, remains_visible_to, reference
    )
    if not can_edit_case(current_user, case):
        abort(403)
    form = AttachmentForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.attach(
                current_user, case, form.kind.data, uploaded_bytes(form.file), form.caption.data
            )
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("File attached to %(reference)s.", reference=case.reference), "success")
            return redirect(url_for("remains.detail", reference=case.reference), 303)
    elif form.errors:
        status = 400
    return render_template(
        "attachments/new.html",
        form=form,
        case=case,
        max_size=readable_size(int(current_app.config["ATTACHMENT_MAX_BYTES"])),
    ), status


@blueprint.route("/<uuid:attachment_id>")
@requires(Permission.READ_REMAINS)
def show(attachment_id: uuid.UUID) -> Any:
    """The file itself, for users who may read its case; never cached, every look audited."""
    found = visible_attachment(current_user, attachment_id)
    if found is None:
        abort(404)
    attachment, case = found
    download = request.args.get("download") == "1" or not attachment.is_image
    content = services.open_attachment(attachment, case, download)
    name = (
        f"{case.reference}-{attachment.kind.value}-{str(attachment.id)[:8]}.{attachment.extension}"
    )
    response = Response(content, mimetype=attachment.media_type.value)
    response.headers["Content-Disposition"] = (
        f'{"attachment" if download else "inline"}; filename="{name}"'
    )
    response.headers["Cache-Control"] = "no-store, private, max-age=0"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
