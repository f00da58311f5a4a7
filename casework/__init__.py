"""The casework application: a Flask app factory and nothing else at import time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application from settings (see `config`), optionally overridden for tests."""
    from config import load_settings

    settings = load_settings(overrides=overrides)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "casework" / "static"),
        instance_path=str(Path(settings["INSTANCE_DIR"]).resolve()),
    )
    configure(app, settings)
    register_logging(app)
    register_extensions(app)
    register_request_checks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_listeners()
    register_job_work()
    register_template_context(app)
    register_response_headers(app)
    return app


def configure(app: Flask, settings: dict[str, Any]) -> None:
    from datetime import timedelta

    from casework.db import is_sqlite, sqlite_engine_options

    app.config.update(settings)
    url = settings["DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = (
        sqlite_engine_options() if is_sqlite(url) else {"pool_pre_ping": True}
    )
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=settings["IDLE_TIMEOUT_MINUTES"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["RATELIMIT_STORAGE_URI"] = settings["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    app.config["BABEL_DEFAULT_LOCALE"] = settings["DEFAULT_LANGUAGE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "casework" / "translations")
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # bounded by the session's idle timeout instead
    app.config["MAX_CONTENT_LENGTH"] = request_size_limit(settings)
    trust_proxies(app, int(settings.get("TRUSTED_PROXIES") or 0))


def trust_proxies(app: Flask, count: int) -> None:
    """Behind `count` reverse proxies, take the client's address, scheme and host from their
    X-Forwarded-* headers, so the sign-in limits and the audit trail see each client rather than
    the proxy. Without proxies nothing is believed: a client could forge the headers."""
    if count < 0:
        from config import ConfigurationError

        raise ConfigurationError("CASEWORK_TRUSTED_PROXIES must be 0 or more.")
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


FORM_OVERHEAD_BYTES = 1024 * 1024  # the other fields and the multipart framing around a file


def request_size_limit(settings: dict[str, Any]) -> int:
    """The largest request body accepted anywhere: an attachment or an exchange envelope, plus
    room for the form around it. Upload pages narrow it to their own limit per request."""
    from exchange import DEFAULT_LIMITS

    largest = max(int(settings["ATTACHMENT_MAX_BYTES"]), DEFAULT_LIMITS.max_envelope_bytes)
    return largest + FORM_OVERHEAD_BYTES


def register_extensions(app: Flask) -> None:
    from casework.accounts.sessions import install_session_rules, select_locale
    from casework.db import install_spatialite, is_sqlite
    from casework.extensions import babel, csrf, db, limiter, login_manager, migrate
    from casework.session_hooks import install_session_hooks

    db.init_app(app)
    with app.app_context():
        if is_sqlite(app.config["SQLALCHEMY_DATABASE_URI"]):
            install_spatialite(
                db.engine, app.config["SPATIALITE_LIBRARY"], app.config["SQLITE_BUSY_TIMEOUT_MS"]
            )
    migrate.init_app(app, db, directory=str(ROOT / "casework" / "migrations"), compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    install_session_rules(app)
    install_session_hooks()


def register_blueprints(app: Flask) -> None:
    from casework.accounts.views import admin, auth
    from casework.api.endpoints import blueprint as api
    from casework.api.views import blueprint as api_tokens
    from casework.attachments.views import blueprint as attachments
    from casework.audit.views import blueprint as audit
    from casework.bulk.views import blueprint as bulk
    from casework.custody.views import blueprint as custody
    from casework.dashboard.views import blueprint as dashboard
    from casework.dna.views import blueprint as dna
    from casework.exchanges.views import blueprint as exchanges
    from casework.family_portal.views import blueprint as family
    from casework.family_portal.views import staff as family_requests
    from casework.health.views import blueprint as health
    from casework.jobs.views import blueprint as jobs
    from casework.maps.views import blueprint as maps
    from casework.matches.views import blueprint as matches
    from casework.missing.views import blueprint as missing
    from casework.notifications.views import blueprint as notifications
    from casework.remains.views import blueprint as remains
    from casework.repatriation.views import blueprint as repatriation

    for blueprint in (
        auth,
        admin,
        dashboard,
        missing,
        remains,
        custody,
        matches,
        audit,
        maps,
        exchanges,
        api_tokens,
        api,  # repatriations add their API routes to this blueprint
        attachments,
        repatriation,
        bulk,
        dna,
        notifications,
        family,
        family_requests,
        jobs,
        health,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from casework.error_handlers import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    """Each area's console commands, as its blueprint is registered above."""
    from casework.accounts.commands import users
    from casework.api.commands import tokens
    from casework.audit.commands import audit
    from casework.backup import backup_command, restore_command
    from casework.bulk.commands import export_command, import_command
    from casework.commands import demo, keys, setup
    from casework.exchanges.commands import exchange
    from casework.jobs.worker import worker_command
    from casework.matches.commands import candidates, match
    from casework.notifications.commands import notifications

    for command in (
        keys,
        audit,
        users,
        setup,
        demo,
        match,
        candidates,
        exchange,
        import_command,
        export_command,
        backup_command,
        restore_command,
        tokens,
        notifications,
        worker_command,
    ):
        app.cli.add_command(command)


def register_listeners() -> None:
    """Areas that act on what happens in other areas (connected once: signals are global)."""
    from casework.cases.events import status_changed
    from casework.dna.consent import destroy_after_close
    from casework.matches.services import refresh_after_status_change
    from casework.notifications.producers import connect_listeners

    status_changed.connect(refresh_after_status_change)
    status_changed.connect(destroy_after_close)
    connect_listeners()


def register_job_work() -> None:
    """What each kind of background job does: the jobs package knows no area, areas enqueue."""
    from casework.audit.verification import run_verification_job
    from casework.bulk.jobs import run_import_job
    from casework.dna.search import run_search_job
    from casework.exchanges.transport import run_push_job
    from casework.jobs.models import JobKind
    from casework.jobs.redis_queue import MATCHING
    from casework.jobs.services import register_warm_up, register_work
    from casework.matches.open_cases import build_now
    from casework.matches.services import run_refresh_job, run_rematch_job

    register_work(JobKind.IMPORT, run_import_job)
    # what needs the open-case index runs on the matching queue: one worker holds the index
    register_work(JobKind.REFRESH, run_refresh_job, MATCHING)
    register_work(JobKind.REMATCH, run_rematch_job, MATCHING)
    register_work(JobKind.EXCHANGE_PUSH, run_push_job)
    register_work(JobKind.DNA_SEARCH, run_search_job, MATCHING)  # refreshes the candidates
    register_work(JobKind.AUDIT_VERIFY, run_verification_job)  # reads the trail, no index
    register_warm_up(MATCHING, build_now)  # its worker builds the open-case index at start


def register_logging(app: Flask) -> None:
    """JSON log lines, and per request an id, a log line and the latency metric (first of the
    request hooks, so the id exists for everything after it)."""
    from casework.log_format import install_json_logs
    from casework.request_log import install_request_log

    install_json_logs()
    install_request_log(app)


def register_request_checks(app: Flask) -> None:
    from casework.request_checks import install_request_checks

    install_request_checks(app)


def register_response_headers(app: Flask) -> None:
    from casework.security_headers import install_security_headers

    install_security_headers(app)


def register_template_context(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_login import current_user

    from casework.access import GRANTS
    from casework.vocabulary import label, tooth_state

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.filters["label"] = label  # stored codes in the reader's language
    app.jinja_env.filters["tooth_state"] = tooth_state

    @app.context_processor
    def _text_direction() -> dict[str, Any]:
        # Babel knows each language's script direction: Arabic is written right to left.
        locale = get_locale()
        return {"text_direction": locale.text_direction if locale is not None else "ltr"}

    @app.context_processor
    def _unread_notifications() -> dict[str, Any]:
        from casework.notifications.services import unread_count

        if current_user and current_user.is_authenticated:
            return {"unread_notifications": unread_count(current_user)}
        return {"unread_notifications": 0}

    @app.context_processor
    def _permissions() -> dict[str, Any]:
        if current_user and current_user.is_authenticated:
            return {"permissions": {p.value for p in GRANTS.get(current_user.role, frozenset())}}
        return {"permissions": set()}
