"""Forms for registering and editing a missing person, and their reporting relatives."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casework.cases.forms import CaseDetailsMixin
from casework.cases.models import Sex

SEX_CHOICES = [
    SelectChoice("U", _l("Unknown")),
    SelectChoice("F", _l("Female")),
    SelectChoice("M", _l("Male")),
]


class MissingPersonForm(CaseDetailsMixin, FlaskForm):
    given_names = StringField(_l("Given names"), validators=[Optional(), Length(max=200)])
    surnames = StringField(_l("Surnames"), validators=[Optional(), Length(max=200)])
    aliases = StringField(
        _l("Other names and spellings (separated by ;)"), validators=[Optional(), Length(max=500)]
    )
    sex = SelectField(_l("Sex"), choices=SEX_CHOICES, default=Sex.UNKNOWN.value)
    birth_date = StringField(
        _l("Birth date (YYYY-MM-DD or year)"), validators=[Optional(), Length(max=10)]
    )
    age_at_disappearance = IntegerField(
        _l("Age when last seen"), validators=[Optional(), NumberRange(min=0, max=120)]
    )
    height_cm = IntegerField(
        _l("Height (cm)"), validators=[Optional(), NumberRange(min=40, max=260)]
    )
    nationality = StringField(
        _l("Nationality (ISO code, e.g. GTM)"), validators=[Optional(), Length(max=3)]
    )
    languages = StringField(_l("Languages spoken"), validators=[Optional(), Length(max=200)])
    last_seen_date = DateField(_l("Last seen on"), validators=[Optional()])
    last_seen_place = StringField(
        _l("Last seen at (place)"), validators=[Optional(), Length(max=300)]
    )
    last_seen_lat = FloatField(
        _l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)]
    )
    last_seen_lon = FloatField(
        _l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)]
    )
    intended_route = TextAreaField(
        _l("Intended route (LINESTRING (lon lat, lon lat, ...))"),
        validators=[Optional(), Length(max=20000)],
    )
    sea_crossing = BooleanField(_l("The journey included a sea crossing"))
    circumstances = TextAreaField(
        _l("Circumstances of the disappearance"), validators=[Optional(), Length(max=20000)]
    )
    medical_notes = TextAreaField(_l("Medical notes"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Save"))


class RelativeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    relationship_to_missing = SelectField(
        _l("Relationship to the missing person"),
        choices=[
            SelectChoice(value)
            for value in (
                "mother",
                "father",
                "sibling",
                "child",
                "spouse",
                "grandparent",
                "uncle or aunt",
                "cousin",
                "other relative",
                "friend",
            )
        ],
    )
    contact = TextAreaField(
        _l("Contact details (phone, address, e-mail)"), validators=[Optional(), Length(max=2000)]
    )
    language = StringField(_l("Language for contact"), validators=[Optional(), Length(max=8)])
    consent_to_share = BooleanField(_l("Consents to sharing the case with other authorities"))
    consent_countries = StringField(
        _l("With which countries (ISO codes separated by ;, or * for all)"),
        validators=[Optional(), Length(max=400)],
    )
    submit = SubmitField(_l("Add relative"))


CHANNEL_LABELS = {
    "phone": _l("Phone call"),
    "visit": _l("Visit"),
    "message": _l("Message"),
    "letter": _l("Letter"),
    "other": _l("Other"),
}


class FamilyContactForm(FlaskForm):
    contacted_at = DateTimeLocalField(
        _l("When (UTC)"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M"
    )
    channel = SelectField(
        _l("How"), choices=[SelectChoice(code, text) for code, text in CHANNEL_LABELS.items()]
    )
    # the relatives of the case are filled in by the view; the service checks what is sent
    relative_id = SelectField(_l("With whom"), choices=[], validate_choice=False)
    summary = TextAreaField(_l("What was said"), validators=[DataRequired(), Length(max=5000)])
    next_contact_due = DateField(_l("Next contact due by"), validators=[Optional()])
    submit = SubmitField(_l("Log contact"))
