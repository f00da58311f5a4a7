"""Pages of notifications: the user's list, marking them read, and the choices."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casework.errors import CaseworkError
from casework.notifications import services
from casework.notifications.forms import (
    DELIVERY_WORDS,
    ChoicesForm,
    MarkAllReadForm,
    MarkReadForm,
)
from casework.notifications.models import Delivery
from casework.notifications.wording import KIND_NAMES, sentence

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")


def _expired() -> None:
    abort(400, _("The form expired: reload the page and try again."))


@blueprint.route("/")
@login_required
def index() -> Any:
    return render_template(
        "notifications/list.html",
        notifications=services.notifications_of(current_user),
        sentence=sentence,
        read_form=MarkReadForm(),
        all_form=MarkAllReadForm(),
    )


@blueprint.route("/<uuid:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: uuid.UUID) -> Any:
    if not MarkReadForm().validate_on_submit():
        _expired()
    services.mark_read(current_user, notification_id)  # another user's: NotFound, 404
    return redirect(url_for("notifications.index"), 303)


@blueprint.route("/<uuid:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: uuid.UUID) -> Any:
    if not MarkReadForm().validate_on_submit():
        _expired()
    return redirect(services.open_notification(current_user, notification_id), 303)


@blueprint.route("/read-all", methods=["POST"])
@login_required
def mark_all_read() -> Any:
    if not MarkAllReadForm().validate_on_submit():
        _expired()
    services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"), 303)


@blueprint.route("/choices", methods=["GET", "POST"])
@login_required
def choices() -> Any:
    form = ChoicesForm()
    current = services.choices_of(current_user)
    status, errors = 200, {}
    if request.method == "POST":
        if not form.validate_on_submit():
            _expired()
        wanted = {key: value for key, value in request.form.items() if key.startswith("kind-")}
        try:
            services.save_choices(
                current_user, {key.removeprefix("kind-"): value for key, value in wanted.items()}
            )
        except CaseworkError as error:
            if error.field in {kind.value for kind in current}:
                errors[error.field] = error.message  # shown at its choice
            else:
                flash(error.message, "error")
            status = error.status_code
        else:
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("notifications.choices"), 303)
    return (
        render_template(
            "notifications/choices.html",
            form=form,
            current=current,
            kind_names=KIND_NAMES,
            deliveries=list(Delivery),
            delivery_words=DELIVERY_WORDS,
            errors=errors,
        ),
        status,
    )
