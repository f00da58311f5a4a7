"""Errors users can cause, each with a message meant for them, and the one handler for all.

A message is translated when it is read, not when it is raised. Services raise with a lazy
string (`flask_babel.lazy_gettext`, imported as `_l`) that carries its parameters:

    raise ValidationError(
        _l("Keep this under %(limit)s characters.", limit=max_length), field="notes"
    )

`make translations` extracts the `_l(...)` texts into the es/fr/ar catalogues. `error.message`
renders the text in the language of the request that reads it: the page or the API body
(`{error: {code, message, fields}}`) is in the user's language; outside a request (the CLI,
background jobs, bulk import reports, tests) it is English. So:

- never an f-string, `%` or `.format` on the message, nor a bare string: the catalogues would
  not know it (`tests/casework/test_error_messages.py` fails);
- parameters are values that read the same in every language (references, barcodes, numbers,
  ISO dates); a stored code (status, step, kind) goes in as `casework.vocabulary.word(code)`,
  the word the pages show, itself rendered when read;
- a message made elsewhere passes through as it is (`ValidationError(error.message)`): the
  exchange library's messages are English and carry their stable code;
- views show `error.message` as it is: it is translated already.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

Message = str | LazyString


class CaseworkError(Exception):
    """Base of the errors a user or operator can cause; `message` is shown to them."""

    status_code = 400
    title: Message = _l("Not done")

    def __init__(self, message: Message, *, field: str | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.field = field

    @property
    def message(self) -> str:
        """The message in the reader's language: the request's, or English outside one."""
        return str(self._message)


def sentences(parts: list[Message]) -> LazyString:
    """Several messages shown as one, each rendered when read (every problem of a field at once).

    Example:
        >>> str(sentences(["Tooth 19 is not a tooth.", "Tooth 11 is given twice."]))
        'Tooth 19 is not a tooth. Tooth 11 is given twice.'
    """
    return LazyString(lambda: " ".join(str(part) for part in parts))


class ValidationError(CaseworkError):
    status_code = 400
    title = _l("Not accepted")


class NotAllowed(CaseworkError):
    status_code = 403
    title = _l("Not allowed")


class NotFound(CaseworkError):
    status_code = 404
    title = _l("Not found")


class ConflictError(CaseworkError):
    """Somebody else changed the record since it was loaded."""

    status_code = 409
    title = _l("Changed meanwhile")


class Unavailable(CaseworkError):
    """The database is busy or unreachable for a moment; the request can simply be retried."""

    status_code = 503
    title = _l("Try again in a moment")
    retry_after_seconds = 5


class SetupError(CaseworkError):
    """The installation is not ready (no keys, no schema); the operator must act."""

    status_code = 503
    title = _l("Not ready")


def _is_api() -> bool:
    return request.path.startswith("/api/")


def readable_size(size: int) -> str:
    """A byte count as people say it.

    Example:
        >>> readable_size(10 * 1024 * 1024), readable_size(4000)
        ('10 MB', '4 KB')
    """
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _render(status: int, title: str, message: str) -> Any:
    if _is_api():
        from casework.api.responses import error_response

        return error_response(status, message)
    if _wants_json():
        return jsonify({"ok": False, "error": {"status": status, "message": message}}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_errorhandlers(app: Flask) -> None:
    from casework.db import db, is_unreachable, unavailable

    @app.errorhandler(CaseworkError)
    def _casework_error(error: CaseworkError) -> Any:
        db.session.rollback()
        if _is_api():
            from casework.api.responses import casework_error_response

            return casework_error_response(error)
        return _render(error.status_code, str(error.title), error.message)

    @app.after_request
    def _retry_later(response: Response) -> Response:
        # every 503 (an error page, or a form shown again with "try again") says when to come
        # back, for clients and proxies that retry by themselves
        if response.status_code == 503 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(Unavailable.retry_after_seconds)
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> Any:
        from flask_babel import gettext as _

        db.session.rollback()
        # an upload page names its file limit; elsewhere the request limit is what counts
        limit = g.get("file_size_limit") or request.max_content_length or 0
        return _render(
            413,
            _("Too large"),
            _(
                "The file is too large: files up to %(size)s are accepted. Nothing was saved.",
                size=readable_size(limit),
            ),
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        db.session.rollback()
        if error.response is not None:  # an answer already built for it (the inbox's 429)
            return error.response
        return _render(error.code or 500, error.name, error.description or error.name)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        db.session.rollback()
        if is_unreachable(error):
            # a dropped connection or a database that is down: the client may try again
            app.logger.warning(  # the class only: the statement may carry personal data
                "Database unavailable on %s %s: %s",
                request.method,
                request.path,
                type(getattr(error, "orig", error)).__name__,
            )
            return _casework_error(unavailable())
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if app.config.get("PROPAGATE_UNEXPECTED"):
            raise error
        from flask_babel import gettext as _

        return _render(
            500,
            _("Internal error"),
            _("Something went wrong on our side. Nothing was saved. The error has been logged."),
        )
