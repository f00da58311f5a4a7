"""The forms of unidentified remains: logging and editing (made from the fields of
`RemainsInput`), and a supervisor's override of the DNA sample hold before a release."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Optional

from casework.remains.inputs import RemainsInput

RemainsForm = RemainsInput.form_class("RemainsForm")


class DnaHoldOverrideForm(FlaskForm):
    # the service checks the reason (its words, its length): the form only carries it
    reason = TextAreaField(_l("Why the remains may leave with no DNA sample"), [Optional()])
    version = HiddenField()
    submit = SubmitField(_l("Override the DNA sample hold"))
