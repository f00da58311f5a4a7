"""The case pages of both kinds, written once: list and look-up, new, detail, edit, notes and
status as the generic `CasePages`, which a kind subclasses with its model, input, form,
permissions and what only its detail page shows (NetBox's generic object views); and the pieces
the API shares with them (finding a visible case, a filtered list, form errors)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from casework.access import Permission, requires
from casework.cases import searches
from casework.cases.access import can_add_to_case, can_edit_case
from casework.cases.creation_keys import checked_key, create_once
from casework.cases.forms import VIA_LABELS, NoteForm, StatusForm, show_error, submitted_version
from casework.cases.inputs import CaseInput
from casework.cases.queries import visible_case
from casework.cases.services import (
    add_note,
    case_ids_by_name,
    case_ids_by_similar_name,
    record_view,
)
from casework.cases.status import change_status, history, next_statuses
from casework.clock import now
from casework.db import db
from casework.errors import CaseworkError, ValidationError
from casework.matches.queries import candidates_of
from casework.vocabulary import label

PAGE_SIZE = 50


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
    case = visible_case(model, visible(current_user), reference)
    if case is None:
        abort(404)
    return case


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


class CasePages:
    """The pages of one case kind, under the kind's blueprint (whose name is also the folder of
    its templates: list.html, form.html, detail.html). A kind says what differs in a subclass;
    the endpoints (`index`, `new`, `detail`, `edit`, `add_case_note`, `change_case_status`)
    are the same for every kind."""

    model: ClassVar[Any]
    input: ClassVar[type[CaseInput]]
    form: ClassVar[type[FlaskForm]]
    statuses: ClassVar[type[enum.Enum]]
    read: ClassVar[Permission]  # to see the list and the cases
    write: ClassVar[Permission]  # to create and edit them

    def __init__(self, blueprint: Blueprint) -> None:
        self.name = blueprint.name
        read, write = requires(self.read), requires(self.write)
        both = ["GET", "POST"]
        blueprint.add_url_rule("/", "index", read(self.index), methods=both)
        blueprint.add_url_rule("/new", "new", write(self.new), methods=both)
        blueprint.add_url_rule("/<reference>", "detail", read(self.detail))
        blueprint.add_url_rule("/<reference>/edit", "edit", write(self.edit), methods=both)
        blueprint.add_url_rule(
            "/<reference>/notes",
            "add_case_note",
            requires(Permission.WRITE_NOTES)(self.add_case_note),
            methods=["POST"],
        )
        blueprint.add_url_rule(
            "/<reference>/status",
            "change_case_status",
            write(self.change_case_status),
            methods=["POST"],
        )

    # -- what a kind says ---------------------------------------------------------------------

    def visible(self, user: Any) -> Any:
        """The condition on `model` that keeps the cases `user` may see."""
        raise NotImplementedError

    def ordered(self, query: Any) -> Any:
        return query.order_by(self.model.created_at.desc())

    def created(self, case: Any) -> str:
        """The message after a new case is stored."""
        raise NotImplementedError

    def detail_context(self, case: Any, **forms: Any) -> dict[str, Any]:
        """What only this kind's detail page shows (forms re-shown after an error included)."""
        return {}

    def store_new(self, given: Any) -> Any:
        raise NotImplementedError

    def store_edit(self, case: Any, given: Any, version: int | None) -> None:
        raise NotImplementedError

    # -- the pages ----------------------------------------------------------------------------

    def case(self, reference: str) -> Any:
        """The visible case with this reference, else 404."""
        return visible_case_or_404(self.model, self.visible, reference)

    def index(self) -> Any:
        if (
            request.method == "POST"
        ):  # the search form: the name goes in the body, never the address
            return search_from_form(f"{self.name}.index", self.model.__case_kind__)
        query, filters = filtered_cases(self.model, self.visible, self.statuses)
        page = db.paginate(self.ordered(query), per_page=PAGE_SIZE, max_per_page=PAGE_SIZE)
        return render_template(
            f"{self.name}/list.html",
            page=page,
            status=filters.status,
            name=filters.name,
            reference=filters.reference,
            similar=filters.similar,
            search=filters.search,
            statuses=list(self.statuses),
        )

    def new(self) -> Any:
        form = self.form()
        status = 200
        if form.validate_on_submit():
            try:
                created = create_once(
                    current_user,
                    self.model,
                    checked_key(form.form_token.data, "form_token"),
                    None,
                    lambda: self.store_new(self.input.parse(form.data)),
                )
            except CaseworkError as error:
                status = show_error(form, error)
            else:
                case = created.case  # sent again (created.replayed): the case the first one made
                flash(self.created(case), "success")
                return redirect(url_for(f"{self.name}.detail", reference=case.reference))
        elif form.errors:
            status = 400
        return render_template(f"{self.name}/form.html", form=form, case=None), status

    def detail(self, reference: str) -> Any:
        return self.detail_page(self.case(reference))

    def detail_page(
        self, case: Any, code: int = 200, status_form_: Any = None, **forms: Any
    ) -> Any:
        record_view(case)
        return render_template(
            f"{self.name}/detail.html",
            case=case,
            printed_at=now(),
            can_edit=can_edit_case(current_user, case),
            can_note=can_add_to_case(current_user, case, Permission.WRITE_NOTES),
            case_candidates=candidates_of(case, current_user),
            note_form=NoteForm(),
            status_form=status_form(case, status_form_),
            status_action=url_for(f"{self.name}.change_case_status", reference=case.reference),
            status_history=history(case),
            via_labels=VIA_LABELS,
            **self.detail_context(case, **forms),
        ), code

    def edit(self, reference: str) -> Any:
        case = self.case(reference)
        if not can_edit_case(current_user, case):
            abort(403)
        if request.method == "GET":
            form = self.form(obj=self.input.of_case(case), version=case.version)
            record_view(case)
            return render_template(f"{self.name}/form.html", form=form, case=case)
        form = self.form()
        status = 400
        if form.validate_on_submit():
            try:
                given = self.input.parse(form.data)
                self.store_edit(case, given, submitted_version(form.version.data))
            except CaseworkError as error:
                status = show_error(form, error)
            else:
                flash(_("Saved."), "success")
                return redirect(url_for(f"{self.name}.detail", reference=case.reference))
        return render_template(f"{self.name}/form.html", form=form, case=case), status

    def add_case_note(self, reference: str) -> Any:
        return post_note(self.case(reference), f"{self.name}.detail")

    def change_case_status(self, reference: str) -> Any:
        return post_status(
            self.case(reference),
            f"{self.name}.detail",
            lambda case, code, status_form: self.detail_page(case, code, status_form_=status_form),
        )
