"""Forms for recording samples and custody transfers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from casework.custody.models import SampleKind


class SampleForm(FlaskForm):
    barcode = StringField(
        _l("Barcode"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9._/-]+$", message=_l("Letters, digits and . _ / - only.")),
        ],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value) for k in SampleKind if k is not SampleKind.REFERENCE],
    )
    lab = StringField(_l("Laboratory"), validators=[Optional(), Length(max=200)])
    collected_at = DateTimeLocalField(
        _l("Collected at"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    submit = SubmitField(_l("Record sample"))


class TransferForm(FlaskForm):
    subject = SelectField(_l("What changes hands"), choices=[])
    from_party = StringField(_l("Handed over by"), validators=[DataRequired(), Length(max=200)])
    to_party = StringField(_l("Received by"), validators=[DataRequired(), Length(max=200)])
    occurred_at = DateTimeLocalField(
        _l("When (UTC)"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M"
    )
    purpose = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record transfer"))
