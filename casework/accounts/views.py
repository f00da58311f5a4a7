"""Signing in and out, the second factor, the user's own settings, and account administration."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from casework.access import SYSTEM_WIDE_ROLES, Permission, requires
from casework.accounts import queries, services, session_store, throttle
from casework.accounts.access import administers, assignable_roles
from casework.accounts.forms import (
    AccountEnabledForm,
    AccountRoleForm,
    AccountUnlockForm,
    AgencyForm,
    LanguageForm,
    LoginForm,
    PasswordResetForm,
    TotpForm,
    UserForm,
)
from casework.accounts.models import AgencyKind, Role, User
from casework.accounts.queries import accounts_managed_by, agencies_administered_by
from casework.clock import now
from casework.errors import CaseworkError, ValidationError
from casework.extensions import limiter

auth = Blueprint("auth", __name__, url_prefix="/auth")
admin = Blueprint("admin", __name__, url_prefix="/admin")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("dashboard.index")


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            outcome = services.check_password_login(
                form.email.data, form.password.data, request.remote_addr
            )
        except ValidationError as error:
            form.password.errors = [error.message]
            return render_template("accounts/login.html", form=form), 401
        if outcome.needs_totp:
            session.clear()
            session["pending_user"] = str(outcome.user.id)
            session["pending_next"] = _safe_next(request.args.get("next"))
            return redirect(url_for("auth.totp"))
        services.complete_login(outcome.user, request.remote_addr, second_factor=False)
        session.clear()
        session_store.start(outcome.user)
        login_user(outcome.user)
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@auth.route("/totp", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def totp() -> Any:
    pending = session.get("pending_user")
    user = services.load_user(pending) if pending else None
    if user is None:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if services.second_factor_held(user, request.remote_addr):
            form.code.errors = [str(services.HELD_BACK)]
            return render_template("accounts/totp.html", form=form), 401
        if services.check_totp(user, form.code.data):
            target = session.get("pending_next") or url_for("dashboard.index")
            services.complete_login(user, request.remote_addr, second_factor=True)
            session.clear()
            session_store.start(user)
            login_user(user)
            return redirect(_safe_next(target))
        services.second_factor_failed(user, request.remote_addr)
        form.code.errors = [_("That code is not right, or was already used.")]
        return render_template("accounts/totp.html", form=form), 401
    return render_template("accounts/totp.html", form=form), 400 if form.errors else 200


@auth.route("/totp/setup", methods=["GET", "POST"])
@login_required
def totp_setup() -> Any:
    form = TotpForm()
    if request.method == "GET" or not current_user.totp_secret:
        if not current_user.totp_enabled:
            services.begin_totp_enrolment(current_user)
    if form.validate_on_submit():
        try:
            services.confirm_totp_enrolment(current_user, form.code.data)
        except ValidationError as error:
            form.code.errors = [error.message]
        else:
            flash(_("Two-step sign-in is on."), "success")
            return redirect(url_for("dashboard.index"))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/totp_setup.html",
        form=form,
        enabled=current_user.totp_enabled,
        secret=None if current_user.totp_enabled else current_user.totp_secret,
        uri=None if current_user.totp_enabled else services.provisioning_uri(current_user),
    ), status


@auth.route("/logout", methods=["POST"])
def logout() -> Any:
    if current_user.is_authenticated:
        services.record_logout(current_user._get_current_object())
    session_store.end_current()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@auth.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    form = LanguageForm(language=current_user.language)
    form.language.choices = [SelectChoice(code) for code in current_app.config["LANGUAGES"]]
    if form.validate_on_submit():
        services.set_language(current_user, form.language.data, current_app.config["LANGUAGES"])
        flash(_("Saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("accounts/account.html", form=form), 400 if form.errors else 200


@admin.route("/users")
@requires(Permission.MANAGE_USERS)
def users() -> Any:
    rows = accounts_managed_by(current_user)
    return render_template(
        "accounts/users.html", users=rows, system_wide=current_user.role in SYSTEM_WIDE_ROLES
    )


@admin.route("/users/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def new_user() -> Any:
    form = UserForm(agency_id=current_user.agency_id)
    form.agency_id.choices = [
        SelectChoice(str(agency.id), str(agency))
        for agency in agencies_administered_by(current_user)
    ]
    form.role.choices = [
        SelectChoice(role.value, role.value) for role in assignable_roles(current_user)
    ]
    status = 200
    if form.validate_on_submit():
        agency = queries.agency(form.agency_id.data)
        try:
            if agency is None:
                raise ValidationError(_l("Choose one of the agencies offered."), field="agency_id")
            if form.role.data not in {role.value for role in Role}:
                raise ValidationError(_l("Choose one of the roles offered."), field="role")
            services.create_user(
                agency=agency,
                email=form.email.data,
                display_name=form.display_name.data,
                role=Role(form.role.data),
                password=form.password.data,
                by=current_user,
            )
        except CaseworkError as error:
            getattr(form, error.field or "email").errors.append(error.message)
            status = error.status_code
        else:
            flash(_("Account created."), "success")
            return redirect(url_for("admin.users"))
    elif form.errors:
        status = 400
    return render_template("accounts/user_form.html", form=form), status


def _managed_account(user_id: uuid.UUID) -> User:
    """An account the signed-in administrator manages; others are not revealed (404)."""
    user = queries.account(user_id)
    if user is None or not administers(current_user, user.agency_id):
        abort(404)
    return user


def _account_page(user: User, status: int = 200, **forms: Any) -> Any:
    role_form = forms.get("role_form") or AccountRoleForm(role=user.role.value)
    role_form.role.choices = [
        SelectChoice(role.value, role.value) for role in assignable_roles(current_user)
    ]
    return render_template(
        "accounts/user_detail.html",
        account=user,
        held=throttle.is_held_anywhere(user, now()),
        role_form=role_form,
        enabled_form=forms.get("enabled_form")
        or AccountEnabledForm(enabled="1" if user.is_enabled else "0"),
        password_form=forms.get("password_form") or PasswordResetForm(),
        unlock_form=AccountUnlockForm(),
    ), status


def _account_action(user: User, form: Any, field: str, action: Callable[[], Any]) -> Any:
    """Run an administrator's change to `user` from a valid `form`; on a refusal show the
    account page again with the message on `field`."""
    if not form.validate_on_submit():
        return _account_page(user, 400, **{f"{field}_form": form})
    try:
        action()
    except CaseworkError as error:
        getattr(form, error.field if error.field in form else field).errors.append(error.message)
        return _account_page(user, error.status_code, **{f"{field}_form": form})
    flash(_("Saved."), "success")
    return redirect(url_for("admin.user_account", user_id=user.id))


@admin.route("/users/<uuid:user_id>")
@requires(Permission.MANAGE_USERS)
def user_account(user_id: uuid.UUID) -> Any:
    return _account_page(_managed_account(user_id))


@admin.route("/users/<uuid:user_id>/role", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def account_role(user_id: uuid.UUID) -> Any:
    user = _managed_account(user_id)
    form = AccountRoleForm()

    def change() -> None:
        if form.role.data not in {role.value for role in Role}:
            raise ValidationError(_l("Choose one of the roles offered."), field="role")
        services.change_role(current_user, user, Role(form.role.data))

    return _account_action(user, form, "role", change)


@admin.route("/users/<uuid:user_id>/enabled", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def account_enabled(user_id: uuid.UUID) -> Any:
    user = _managed_account(user_id)
    form = AccountEnabledForm()
    return _account_action(
        user,
        form,
        "enabled",
        lambda: services.set_enabled(current_user, user, form.enabled.data == "1"),
    )


@admin.route("/users/<uuid:user_id>/unlock", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def account_unlock(user_id: uuid.UUID) -> Any:
    user = _managed_account(user_id)
    return _account_action(
        user, AccountUnlockForm(), "unlock", lambda: services.unlock(current_user, user)
    )


@admin.route("/users/<uuid:user_id>/password", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def account_password(user_id: uuid.UUID) -> Any:
    user = _managed_account(user_id)
    form = PasswordResetForm()
    return _account_action(
        user,
        form,
        "password",
        lambda: services.reset_password(current_user, user, form.password.data),
    )


@admin.route("/agencies", methods=["GET", "POST"])
@requires(Permission.MANAGE_AGENCIES)
def agencies() -> Any:
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            services.create_agency(
                form.code.data, form.country.data, form.name.data, AgencyKind(form.kind.data)
            )
        except ValidationError as error:
            getattr(form, error.field or "code").errors.append(error.message)
        else:
            flash(_("Agency added."), "success")
            return redirect(url_for("admin.agencies"))
    rows = queries.every_agency()
    return render_template(
        "accounts/agencies.html", form=form, agencies=rows
    ), 400 if form.errors else 200
