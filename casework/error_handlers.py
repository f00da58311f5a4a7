"""The one handler for every error a request meets: an error page, a JSON body for a page's
scripts, or under /api/ the API's envelope; the session is rolled back first."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from casework.api.responses import casework_error_response, error_response
from casework.db import db, is_unreachable, unavailable
from casework.errors import CaseworkError, Unavailable, readable_size
from casework.extensions import login_manager
from casework.request_log import route_template


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _render(status: int, title: str, message: str) -> Any:
    if _is_api():
        return error_response(status, message)
    if _wants_json():
        return jsonify({"ok": False, "error": {"status": status, "message": message}}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_errorhandlers(app: Flask) -> None:
    """Map the errors to answers; the app factory calls this once."""

    @app.errorhandler(CaseworkError)
    def _casework_error(error: CaseworkError) -> Any:
        db.session.rollback()
        if _is_api():
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
                route_template(),
                type(getattr(error, "orig", error)).__name__,
            )
            # the page is drawn without the signed-in user: loading them (what failed, when
            # the database went down under the sign-in check) would fail again here
            g._login_user = login_manager.anonymous_user()
            return _casework_error(unavailable())
        app.logger.exception("Unhandled error on %s %s", request.method, route_template())
        if app.config.get("PROPAGATE_UNEXPECTED"):
            raise error
        return _render(
            500,
            _("Internal error"),
            _("Something went wrong on our side. Nothing was saved. The error has been logged."),
        )
