"""Forms for registering and editing a missing person (made from the fields of
`MissingPersonInput`), and for their reporting relatives and contacts with the family."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casework.missing.inputs import MissingPersonInput

MissingPersonForm = MissingPersonInput.form_class("MissingPersonForm")


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
