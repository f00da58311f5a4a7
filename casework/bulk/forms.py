"""Forms of the import page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from casework.cases.models import CaseKind


class ImportUploadForm(FlaskForm):
    kind = SelectField(
        _l("The file holds"),
        choices=[
            SelectChoice(CaseKind.MISSING.value, _l("Missing persons")),
            SelectChoice(CaseKind.REMAINS.value, _l("Unidentified remains")),
        ],
        validators=[DataRequired()],
    )
    file = FileField(_l("Case file (.csv in UTF-8, or .xlsx with one sheet)"), [FileRequired()])
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(FlaskForm):
    submit = SubmitField(_l("Import these cases"))
