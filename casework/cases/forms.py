"""Form fields both kinds of case share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class CaseDetailsMixin:
    marks = TextAreaField(
        _l("Distinguishing marks (one a line: kind: body location: description)"),
        validators=[Optional(), Length(max=5000)],
    )
    effects = TextAreaField(
        _l("Clothing and effects (one a line: category: description)"),
        validators=[Optional(), Length(max=5000)],
    )
    dental = TextAreaField(
        _l("Dental record (FDI tooth:state, such as 16:F; 36:M)"),
        validators=[Optional(), Length(max=2000)],
    )
    version = HiddenField()


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=20000)])
    submit = SubmitField(_l("Add note"))


class StatusForm(FlaskForm):
    # the choices are the next statuses this user may choose; the service checks what is sent
    status = SelectField(_l("New status"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason (needed to close, to reopen, for found alive and for burial)"),
        validators=[Optional(), Length(max=5000)],
    )
    version = HiddenField()
    submit = SubmitField(_l("Change status"))


# how a status change was made, as the history shows it
VIA_LABELS = {
    "form": _l("on the case page"),
    "matching": _l("candidate review"),
    "identification": _l("identification confirmed"),
    "workflow": _l("repatriation"),
}


def submitted_version(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


__all__ = ["VIA_LABELS", "CaseDetailsMixin", "NoteForm", "StatusForm", "submitted_version"]
