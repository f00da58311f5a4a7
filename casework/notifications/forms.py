"""The buttons of the notification list (a form each, for its CSRF token) and the choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from casework.notifications.models import Delivery

DELIVERY_WORDS = {
    Delivery.APP_AND_EMAIL: _l("In the app and in the e-mail digest"),
    Delivery.APP: _l("In the app only"),
    Delivery.NONE: _l("Not at all"),
}


class MarkReadForm(FlaskForm):
    submit = SubmitField(_l("Mark read"))


class MarkAllReadForm(FlaskForm):
    submit = SubmitField(_l("Mark all read"))


class ChoicesForm(FlaskForm):
    """Only the CSRF token: one choice per kind the role receives is read from the request
    and checked by `services.save_choices`."""

    submit = SubmitField(_l("Save choices"))
