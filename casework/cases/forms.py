"""Form fields both kinds of case share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
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


def submitted_version(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


__all__ = ["CaseDetailsMixin", "NoteForm", "submitted_version"]
