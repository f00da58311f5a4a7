"""The job list's buttons (a form each, for its CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class RetryForm(FlaskForm):
    submit = SubmitField(_l("Retry"))


class RematchForm(FlaskForm):
    submit = SubmitField(_l("Re-match every open case"))
