"""The account page where users create, list and revoke their personal API tokens."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casework.api import services
from casework.api.forms import RevokeForm, TokenForm
from casework.clock import now
from casework.errors import ValidationError

blueprint = Blueprint("api_tokens", __name__, url_prefix="/auth/account/tokens")


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> Any:
    return render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=services.tokens_of(current_user),
        secret=secret,
        moment=now(),
    ), status


@blueprint.route("/", methods=["GET", "POST"])
@login_required
def index() -> Any:
    form = TokenForm()
    if form.validate_on_submit():
        try:
            issued = services.issue_token(
                current_user,
                form.name.data,
                services.parse_scopes(form.scopes.data.split(";")),
                form.expires_in_days.data,
            )
        except ValidationError as error:
            field = getattr(form, error.field or "name")
            field.errors = [*field.errors, error.message]
            return _page(form, status=400)
        # the secret is in this one answer only: it is not stored, and never shown again
        return _page(TokenForm(formdata=None), secret=issued.secret)
    return _page(form, status=400 if form.errors else 200)


@blueprint.route("/<uuid:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: uuid.UUID) -> Any:
    form = RevokeForm()
    if form.validate_on_submit():
        services.revoke_token(current_user, token_id)
        flash(_("Token revoked: it no longer opens the API."), "success")
    return redirect(url_for("api_tokens.index"), 303)
