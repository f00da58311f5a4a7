"""Forms of the exchange screens: trusting a peer, sharing, importing, disclosure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from exchange import DISCLOSABLE_FIELDS, Purpose


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PeerForm(FlaskForm):
    identity = TextAreaField(
        _l("The peer's public key file (from `casework exchange keys show`)"),
        validators=[DataRequired(), Length(max=65536)],
    )
    fingerprint = StringField(
        _l("Fingerprint as read out by the peer by telephone"),
        validators=[DataRequired(), Length(max=100)],
    )
    valid_until = DateField(_l("Trusted until"), validators=[DataRequired()])
    linkage_secret = StringField(
        _l(
            "Linkage secret agreed with the peer (64 hexadecimal digits or more; only to read"
            " its version 1 bundles until 2027-06-30)"
        ),
        validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "off"},
    )
    inbox_url = StringField(
        _l("Inbox address (optional)"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Trust this authority"))


class PeerSettingsForm(FlaskForm):
    linkage_secret = StringField(
        _l("New linkage secret (leave empty to keep it)"),
        validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "off"},
    )
    inbox_url = StringField(_l("Inbox address"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))


class ExportForm(FlaskForm):
    recipient = SelectField(_l("Recipient"), choices=[], validators=[DataRequired()])
    remains_from = DateField(_l("Remains recovered from"), validators=[Optional()])
    remains_to = DateField(_l("to"), validators=[Optional()])
    include_missing = BooleanField(
        _l("Missing persons whose families agreed to share with the recipient's country")
    )
    submit = SubmitField(_l("Build the bundle"))


class ImportForm(FlaskForm):
    message = FileField(_l("Message file from a peer"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class PushForm(FlaskForm):
    submit = SubmitField(_l("Send to the peer's inbox"))


FIELD_CHOICES = [SelectChoice(name, name.replace("_", " ")) for name in sorted(DISCLOSABLE_FIELDS)]


class DisclosureRequestForm(FlaskForm):
    purpose = SelectField(
        _l("Purpose"), choices=[SelectChoice(p.value, p.value.replace("-", " ")) for p in Purpose]
    )
    fields = MultiCheckboxField(_l("Fields requested"), choices=FIELD_CHOICES)
    justification = TextAreaField(
        _l("Justification (the evidence for the match)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    submit = SubmitField(_l("Sign and send the request"))


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("refuse", _l("Refuse"))],
        validators=[DataRequired()],
    )
    fields = MultiCheckboxField(_l("Fields released"), choices=FIELD_CHOICES)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Sign the decision"))
