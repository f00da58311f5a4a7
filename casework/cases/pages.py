"""What the case pages of both kinds share: finding a visible case, showing form errors, notes."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from casework.access import Permission, can_add_to_case
from casework.cases.fields import format_dental
from casework.cases.forms import NoteForm
from casework.cases.services import add_note
from casework.db import db
from casework.errors import CaseworkError


def visible_case_or_404(model: Any, visible: Any, reference: str) -> Any:
    """The case with this reference if the user may see it; 404 otherwise (existence hidden)."""
    case = db.session.scalar(
        select(model).where(model.reference == reference, visible(current_user))
    )
    if case is None:
        abort(404)
    return case


def show_error(form: Any, error: CaseworkError) -> int:
    """Attach the error to its field (or flash it) and return the status to answer with."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [_(error.message)]
    else:
        flash(_(error.message), "error")
    return error.status_code


def case_details_data(case: Any) -> dict[str, Any]:
    """The marks, effects, dental chart and version of a case as the edit form shows them."""
    return {
        "version": str(case.version),
        "marks": "\n".join(
            f"{mark.kind.value}: {mark.body_location or ''}: {mark.description or ''}"
            for mark in case.marks
        ),
        "effects": "\n".join(f"{item.category.value}: {item.description}" for item in case.effects),
        "dental": format_dental([(finding.tooth, finding.state) for finding in case.dental]),
    }


def post_note(case: Any, endpoint: str) -> Any:
    if not can_add_to_case(current_user, case, Permission.WRITE_NOTES):
        abort(403)
    form = NoteForm()
    if form.validate_on_submit():
        add_note(case, current_user, form.body.data)
        flash(_("Note added."), "success")
    else:
        flash(_("A note cannot be empty."), "error")
    return redirect(url_for(endpoint, reference=case.reference), 303)
