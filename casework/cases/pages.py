"""What the case pages of both kinds share: finding a visible case, showing form errors, notes."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from casework.access import Permission, can_add_to_case, can_edit_case
from casework.cases import searches
from casework.cases.fields import format_dental
from casework.cases.forms import NoteForm, StatusForm, submitted_version
from casework.cases.services import add_note, case_ids_by_name, case_ids_by_similar_name
from casework.cases.status import change_status, next_statuses
from casework.db import db
from casework.errors import CaseworkError, ValidationError
from casework.vocabulary import label


@dataclass(frozen=True)
class CaseFilters:
    """What a case list was asked for: status and reference from the query string, the name
    from a search kept in the session (`search` is its id) or, for the token API, the query."""

    status: str
    name: str
    similar: bool
    reference: str
    search: str = ""


def _page_filters(kind: str) -> CaseFilters:
    args = request.args
    if "name" in args:
        abort(400, _("Search for names with the search form: names are never put in addresses."))
    search_id = args.get("search", "")
    kept = searches.recall(kind, search_id) if search_id else None
    if search_id and kept is None:
        flash(_("That name search has expired: search again."), "info")
    return CaseFilters(
        status=args.get("status", ""),
        name=kept.name if kept else "",
        similar=kept.similar if kept else False,
        reference=args.get("reference", "").strip().upper(),
        search=search_id if kept else "",
    )


def _api_filters() -> CaseFilters:
    args = request.args
    return CaseFilters(
        status=args.get("status", ""),
        name=args.get("name", "").strip(),
        similar=args.get("similar") == "1",
        reference=args.get("reference", "").strip().upper(),
    )


def search_from_form(endpoint: str, kind: str) -> Any:
    """A case list's search form, posted: keep the name in the session and send the browser
    to the list's address with the search's id, the status and the reference (never the
    name)."""
    form = request.form
    name = form.get("name", "").strip()
    target: dict[str, str] = {
        key: value for key in ("status", "reference") if (value := form.get(key, "").strip())
    }
    if name:
        similar = form.get("similar") == "1"
        target["search"] = searches.remember(kind, searches.NameSearch(name, similar))
    return redirect(url_for(endpoint, **target), 303)


def filtered_cases(
    model: Any, visible: Any, statuses: type[enum.Enum], *, names_in_query: bool = False
) -> tuple[Any, CaseFilters]:
    """The visible cases of `model` narrowed by status, name (exact tokens through the blind
    index, or similar spellings) and reference; 400 for a filter that makes no sense. Pages
    take the name from a kept search; the token API (`names_in_query`) from its query."""
    filters = _api_filters() if names_in_query else _page_filters(model.__case_kind__)
    condition = visible(current_user)
    query = select(model).where(condition)
    if filters.status:
        if filters.status not in {item.value for item in statuses}:
            abort(400, _("Unknown status."))
        query = query.where(model.status == filters.status)
    if filters.name:
        try:
            if filters.similar:
                ids = case_ids_by_similar_name(model, condition, filters.name)
            else:
                ids = case_ids_by_name(model.__case_kind__, filters.name)
        except ValidationError as error:
            abort(400, error.message)
        query = query.where(model.id.in_(ids))
    if filters.reference:
        query = query.where(model.reference == filters.reference)
    return query, filters


def visible_case_or_404(model: Any, visible: Any, reference: str) -> Any:
    """The case with this reference if the user may see it; 404 otherwise (existence hidden)."""
    case = db.session.scalar(
        select(model).where(model.reference == reference, visible(current_user))
    )
    if case is None:
        abort(404)
    return case


def show_error(form: Any, error: CaseworkError) -> int:
    """Attach the error to its field (or flash it) and return the status to answer with."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "error")
    return error.status_code


def case_details_data(case: Any) -> dict[str, Any]:
    """The marks, effects, dental chart and version of a case as the edit form shows them."""
    return {
        "version": str(case.version),
        "marks": "\n".join(
            f"{mark.kind.value}: {mark.body_location or ''}: {mark.description or ''}"
            for mark in case.marks
        ),
        "effects": "\n".join(f"{item.category.value}: {item.description}" for item in case.effects),
        "dental": format_dental([(finding.tooth, finding.state) for finding in case.dental]),
    }


def post_note(case: Any, endpoint: str) -> Any:
    if not can_add_to_case(current_user, case, Permission.WRITE_NOTES):
        abort(403)
    form = NoteForm()
    if form.validate_on_submit():
        add_note(case, current_user, form.body.data)
        flash(_("Note added."), "success")
    else:
        flash(_("A note cannot be empty."), "error")
    return redirect(url_for(endpoint, reference=case.reference), 303)


def status_form(case: Any, form: StatusForm | None = None) -> StatusForm | None:
    """The "Change status" form offering the statuses this user may choose next (None when the
    user may not change this case or nothing is open to them from here)."""
    if not can_edit_case(current_user, case):
        return None
    form = form or StatusForm(formdata=None)
    form.status.choices = [(item.value, label(item)) for item in next_statuses(case, current_user)]
    form.version.data = str(case.version)  # re-shown after an error: the version now stored
    return form if form.status.choices or any(field.errors for field in form) else None


def post_status(case: Any, endpoint: str, render_detail: Callable[..., Any]) -> Any:
    """Change the status from the case page; on a refusal the page comes back with the reason
    and the status code (400, 403, 409) and nothing changed."""
    if not can_edit_case(current_user, case):
        abort(403)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            change_status(
                case,
                form.status.data,
                current_user,
                form.reason.data,
                submitted_version(form.version.data),
            )
        except CaseworkError as error:
            code = show_error(form, error)
            return render_detail(case, code, status_form=form)
        flash(_("Status changed to %(status)s.", status=label(case.status)), "success")
        return redirect(url_for(endpoint, reference=case.reference), 303)
    return render_detail(case, 400, status_form=form)
