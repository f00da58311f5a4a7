"""Forms of the repatriation pages: start one, record a step."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional


class StartForm(FlaskForm):
    submit = SubmitField(_l("Start repatriation"))


class StepForm(FlaskForm):
    due_date = DateField(_l("Due date"), validators=[Optional()])
    completed_on = DateField(_l("Completed on"), validators=[Optional()])
    # checked by the service (a colleague of the same agency), so an empty choice is no error
    responsible_user = SelectField(
        _l("Responsible (a colleague)"), choices=[], validate_choice=False
    )
    responsible_name = StringField(
        _l("Responsible (name, if not a colleague)"), validators=[Optional(), Length(max=200)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    document = FileField(_l("Attach a document (PDF, or a JPEG, PNG or WebP scan)"))
    document_caption = StringField(
        _l("Caption of the document"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Save step"))
