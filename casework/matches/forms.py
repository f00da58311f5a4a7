"""Forms for deciding on a candidate."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from casework.matches.models import Identifier

IDENTIFIER_LABELS = {
    Identifier.DNA: _l("DNA"),
    Identifier.DENTAL: _l("Dental comparison"),
    Identifier.FINGERPRINTS: _l("Fingerprints"),
    Identifier.SECONDARY: _l("Secondary identifiers (marks, effects, documents)"),
}


class DecisionForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])


class ExcludeForm(DecisionForm):
    submit = SubmitField(_l("Exclude this candidate"))


class ProposeForm(DecisionForm):
    identifiers = SelectMultipleField(
        _l("What confirms the identification"),
        choices=[SelectChoice(item.value, IDENTIFIER_LABELS[item]) for item in Identifier],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    submit = SubmitField(_l("Propose identification"))


class ConfirmForm(DecisionForm):
    submit = SubmitField(_l("Confirm identification"))


class RejectForm(DecisionForm):
    submit = SubmitField(_l("Turn down the proposal"))
