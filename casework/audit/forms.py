"""The verification page's form: an anchor kept apart, optional, read as the console reads it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from casework.audit.verification import parse_anchor


class VerificationForm(FlaskForm):
    anchor = StringField(
        _l("Anchor kept apart (optional)"),
        validators=[Optional()],
        description=_l(
            "As `casework audit anchor` printed it: the entry number, a colon and 64 "
            "hexadecimal digits."
        ),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    submit = SubmitField(_l("Verify the audit trail"))

    def validate_anchor(self, field: Any) -> None:
        try:
            parse_anchor(field.data)
        except ValueError:
            raise ValidationError(
                _l(
                    "This is not an anchor: give it as `casework audit anchor` printed it, "
                    "the entry number, a colon and 64 hexadecimal digits."
                )
            ) from None
