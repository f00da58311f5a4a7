"""Form for logging and editing unidentified remains."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from casework.cases.forms import CaseDetailsMixin
from casework.missing.forms import SEX_CHOICES
from casework.remains.models import RemainsCondition


class RemainsForm(CaseDetailsMixin, FlaskForm):
    recovery_date = DateField(_l("Recovered on"), validators=[Optional()])
    recovery_place = StringField(
        _l("Recovered at (place)"), validators=[Optional(), Length(max=300)]
    )
    recovery_lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    recovery_lon = FloatField(
        _l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)]
    )
    recovery_uncertainty_m = IntegerField(
        _l("Uncertainty of the point (metres)"),
        validators=[Optional(), NumberRange(min=0, max=500000)],
    )
    recovered_by = StringField(_l("Recovered by"), validators=[Optional(), Length(max=200)])
    condition = SelectField(
        _l("Condition"),
        choices=[SelectChoice("", "—")] + [SelectChoice(c.value) for c in RemainsCondition],
    )
    estimated_sex = SelectField(_l("Estimated sex"), choices=SEX_CHOICES, default="U")
    age_min = IntegerField(_l("Age from"), validators=[Optional(), NumberRange(min=0, max=120)])
    age_max = IntegerField(_l("Age to"), validators=[Optional(), NumberRange(min=0, max=120)])
    stature_min_cm = IntegerField(
        _l("Stature from (cm)"), validators=[Optional(), NumberRange(min=40, max=260)]
    )
    stature_max_cm = IntegerField(
        _l("Stature to (cm)"), validators=[Optional(), NumberRange(min=40, max=260)]
    )
    pmi_min_days = IntegerField(
        _l("Post-mortem interval from (days)"),
        validators=[Optional(), NumberRange(min=0, max=36500)],
    )
    pmi_max_days = IntegerField(
        _l("Post-mortem interval to (days)"), validators=[Optional(), NumberRange(min=0, max=36500)]
    )
    document_names = StringField(
        _l("Names read on documents found with the remains (separated by ;)"),
        validators=[Optional(), Length(max=1000)],
    )
    storage_location = StringField(_l("Storage location"), validators=[Optional(), Length(max=200)])
    notes_text = TextAreaField(_l("Examination notes"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Save"))
