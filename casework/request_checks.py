"""Checks every request passes before a view reads it: no NUL character in a form field or the
query (PostgreSQL text cannot hold one, and no person types one), and JSON nested too deeply to
parse answered as bad input rather than a crash."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from casework.errors import CaseworkError, ValidationError

NUL = "\x00"


class CaseworkJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a document nested past the parser's recursion limit is a
    ValueError like any other malformed body, which the request turns into a 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _with_nul(source: MultiDict[str, str]) -> str | None:
    """The name of the first field of `source` holding a NUL character, if any."""
    for name, values in source.lists():
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "")
    return None


def _refusal(field: str) -> LazyString:
    return _l(
        "The field “%(field)s” contains a NUL character (an invisible control character, often "
        "pasted from another program), which cannot be stored. Remove it and send again. "
        "Nothing was saved.",
        field=field,
    )


def install_request_checks(app: Flask) -> None:
    app.json = CaseworkJSONProvider(app)

    @app.before_request
    def _refuse_nul_characters() -> None:
        # a bad query is a bad request (400, also in the API); a bad form field is shown on the
        # form. Only a form body is read: reading `request.form` of anything else would consume
        # a raw body (the exchange inbox reads its stream itself).
        field = _with_nul(request.args)
        if field is not None:
            raise CaseworkError(_refusal(field))
        field = _with_nul(request.form) if request.mimetype in _FORMS else None
        if field is not None:
            raise ValidationError(_refusal(field), field=field)
