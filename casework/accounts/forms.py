"""Forms for signing in, the second factor, and managing accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Regexp

from casework.accounts.models import AgencyKind


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Sign in"))


class TotpForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Six digits."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Confirm"))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[])
    submit = SubmitField(_l("Save"))


class UserForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    # the choices are what the administrator may give; the service refuses anything else in
    # words rather than the form's bare "not a valid choice"
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    agency_id = SelectField(_l("Agency"), coerce=int, choices=[], validate_choice=False)
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=12, max=1024)]
    )
    submit = SubmitField(_l("Create account"))


class AccountRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Change role"))


class AccountEnabledForm(FlaskForm):
    enabled = SelectField(
        _l("Account"),
        choices=[SelectChoice("1", _l("enabled")), SelectChoice("0", _l("disabled"))],
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Save"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=12, max=1024)]
    )
    submit = SubmitField(_l("Set the new password"))


class AccountUnlockForm(FlaskForm):
    submit = SubmitField(_l("Clear failed sign-ins"))


class AgencyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    country = StringField(
        _l("Country (ISO 3166 alpha-3)"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters, such as GTM.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, kind.value.replace("_", " ")) for kind in AgencyKind],
    )
    submit = SubmitField(_l("Add agency"))
