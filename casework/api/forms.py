"""Forms for creating and revoking personal API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from casework.api.services import MAX_LIFETIME_DAYS

SCOPE_CHOICES = [
    SelectChoice("read", _l("Read only")),
    SelectChoice("read;write", _l("Read and write")),
]


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name (what the token is for)"), validators=[DataRequired(), Length(max=100)]
    )
    scopes = SelectField(_l("Access"), choices=SCOPE_CHOICES, default="read")
    expires_in_days = IntegerField(
        _l("Expires after (days; empty: never)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_LIFETIME_DAYS)],
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
