"""Per-request account rules: loading the user, idle time-out, enforced second factor, locale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from casework.accounts import session_store
from casework.accounts.models import User
from casework.accounts.services import load_user
from casework.clock import now
from casework.extensions import login_manager

API_PREFIX = "/api/"
_OPEN_ENDPOINTS = {"auth.login", "auth.totp", "auth.logout", "auth.totp_setup", "static"}


class CookieSessionsOutsideApi(SecureCookieSessionInterface):
    """Pages keep their signed-cookie session; the token API neither reads nor sets one, so a
    browser's cookie can never stand in for a token there."""

    def open_session(self, app: Flask, request: Any) -> SessionMixin | None:
        if request.path.startswith(API_PREFIX):
            return self.make_null_session(app)
        return super().open_session(app, request)


def select_locale() -> str | None:
    if not has_request_context():  # the CLI and background jobs speak the default language
        return current_app.config["DEFAULT_LANGUAGE"]  # type: ignore[no-any-return]
    languages = current_app.config["LANGUAGES"]
    if g.get("page_language") in languages:  # a public page in the language its address names
        return g.page_language  # type: ignore[no-any-return]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language  # type: ignore[no-any-return]
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LANGUAGE"]


def load_signed_in_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user the cookie names, only while the server still holds the
    session its token names (signing out ends it for a copied cookie too)."""
    user = load_user(user_id)
    if user is None or session_store.current(user.id) is None:
        return None
    return user


def install_session_rules(app: Flask) -> None:
    app.session_interface = CookieSessionsOutsideApi()
    login_manager.user_loader(load_signed_in_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @app.before_request
    def _idle_timeout() -> Any:
        if request.path.startswith(API_PREFIX):  # the API never reads the session (tokens only)
            return None
        if not current_user.is_authenticated:
            return None
        row = g.get("sign_in_session")
        if row is None:
            return None
        moment = now()
        limit = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
        if session_store.idle_for(row, moment) > limit:
            session_store.end_current()
            logout_user()
            session.clear()
            flash(_("You were signed out after a period of inactivity."), "info")
            return redirect(url_for("auth.login"))
        session_store.touch(row, moment)
        session.permanent = True
        return None

    @app.before_request
    def _second_factor_required() -> Any:
        if (
            not request.path.startswith(API_PREFIX)
            and current_user.is_authenticated
            and current_app.config["REQUIRE_TOTP"]
            and not current_user.totp_enabled
            and request.endpoint not in _OPEN_ENDPOINTS
        ):
            return redirect(url_for("auth.totp_setup"))
        return None
