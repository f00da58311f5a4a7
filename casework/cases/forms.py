"""Form pieces both kinds of case share: the dental chart, notes, status changes, and how a
refusal is shown on a form (at its field, or flashed)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Optional

from casework.cases.fields import CHART_ROWS, format_dental
from casework.cases.models import ToothState
from casework.errors import CaseworkError
from casework.vocabulary import TOOTH_STATE_WORDS


class DentalChartField(Field):
    """A dental chart: one choice a tooth, posted as `dental-NN` and read back as the
    `tooth:state` text that `parse_dental` checks, so one parser validates every way in.

    A typed chart posted under the field's own name (`dental=16:F; 36:M`) is read too and joined
    to the per-tooth choices; a tooth given both ways is reported as given twice.
    """

    rows = CHART_ROWS
    states = tuple((state, TOOTH_STATE_WORDS[state.value]) for state in ToothState)

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        if isinstance(data, list | tuple):  # the findings of a case: (tooth, state) pairs
            data = format_dental(list(data))
        self.data = data or ""
        if formdata is None:
            return
        prefix = self.name + "-"
        teeth = [key for key in formdata if key.startswith(prefix)]
        if self.name not in formdata and not teeth:
            return
        parts = [text for text in formdata.getlist(self.name) if text.strip()]
        for key in teeth:
            parts.extend(
                f"{key[len(prefix) :]}:{state.strip()}"
                for state in formdata.getlist(key)
                if state.strip()
            )
        self.data = "; ".join(parts)

    def chosen(self) -> dict[int, str]:
        """The state shown for each tooth: what was posted or stored, even when it is wrong."""
        shown: dict[int, str] = {}
        for item in re.split(r"[;\n,]+", self.data or ""):
            tooth, _, state = item.partition(":")
            if tooth.strip().isdigit():
                shown.setdefault(int(tooth), state.strip().upper())
        return shown


def one_time_token() -> str:
    """A new case's form carries a one-time token: sent twice (a double click, a retry after a
    timeout) it still makes one case (see casework.cases.creation_keys)."""
    return secrets.token_urlsafe(24)


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=20000)])
    submit = SubmitField(_l("Add note"))


class StatusForm(FlaskForm):
    # the choices are the next statuses this user may choose; the service checks what is sent
    status = SelectField(_l("New status"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason (needed to close, to reopen, for found alive and for burial)"),
        validators=[Optional(), Length(max=5000)],
    )
    # supervisors only: bury remains of which no DNA sample is held (the reason says why)
    override_dna_hold = BooleanField(_l("Override the DNA sample hold (supervisor, with a reason)"))
    version = HiddenField()
    submit = SubmitField(_l("Change status"))


# how a status change was made, as the history shows it
VIA_LABELS = {
    "form": _l("on the case page"),
    "matching": _l("candidate review"),
    "identification": _l("identification confirmed"),
    "workflow": _l("repatriation"),
}


def show_error(form: Any, error: CaseworkError) -> int:
    """Attach the error to its field (or flash it) and return the status to answer with."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "error")
    return error.status_code


def submitted_version(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


__all__ = [
    "VIA_LABELS",
    "DentalChartField",
    "NoteForm",
    "StatusForm",
    "one_time_token",
    "show_error",
    "submitted_version",
]
