"""Pages for attachments: upload to a remains case, and view or download one (audited)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from casework import FORM_OVERHEAD_BYTES
from casework.access import Permission, can_edit_case, remains_visible_to, requires
from casework.attachments import services
from casework.attachments.forms import AttachmentForm
from casework.attachments.models import Attachment
from casework.cases.pages import show_error, visible_case_or_404
from casework.db import db
from casework.errors import CaseworkError, readable_size
from casework.remains.models import UnidentifiedRemains

blueprint = Blueprint("attachments", __name__, url_prefix="/attachments")


@blueprint.app_template_filter("filesize")
def filesize(size: int) -> str:
    return readable_size(size)


F = TypeVar("F", bound=Callable[..., Any])


def accepts_upload(view: F) -> F:
    """Mark a view whose requests carry one attachment: their body is limited to it."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


@blueprint.app_url_value_preprocessor
def limit_upload_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Refuse (413) a body larger than one attachment and its form on upload pages, before
    anything reads it: URL preprocessors run ahead of the CSRF check, which parses the form."""
    view = current_app.view_functions.get(endpoint or "")
    if getattr(view, "accepts_upload", False):
        limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
        g.file_size_limit = limit
        request.max_content_length = limit + FORM_OVERHEAD_BYTES


def uploaded_bytes(field: Any) -> bytes:
    """The bytes of an uploaded file field; empty when no file was chosen."""
    storage = field.data
    return storage.read() if storage is not None and hasattr(storage, "read") else b""


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
    found = db.session.execute(
        select(Attachment, UnidentifiedRemains)
        .join(UnidentifiedRemains, Attachment.remains_id == UnidentifiedRemains.id)
        .where(Attachment.id == attachment_id, remains_visible_to(current_user))
    ).first()
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
