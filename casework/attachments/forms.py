"""The upload form: what the file shows, the file, a caption."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from casework.attachments.models import AttachmentKind


class AttachmentForm(FlaskForm):
    kind = SelectField(
        _l("What it shows"), choices=[SelectChoice(kind.value) for kind in AttachmentKind]
    )
    file = FileField(
        _l("File (JPEG, PNG or WebP photo; PDF for documents)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Upload"))
