"""Pages for missing-person cases: list and look-up, register, view, edit, relatives, notes,
status, the family contact log and the family's printable summary."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from casework.access import (
    Permission,
    allows,
    can_add_to_case,
    can_edit_case,
    missing_visible_to,
    requires,
)
from casework.accounts.models import Agency
from casework.cases.creation_keys import checked_key, create_once
from casework.cases.fields import point_coordinates, route_wkt
from casework.cases.forms import VIA_LABELS, NoteForm, submitted_version
from casework.cases.pages import (
    case_details_data,
    filtered_cases,
    post_note,
    post_status,
    search_from_form,
    show_error,
    status_form,
    visible_case_or_404,
)
from casework.cases.services import record_view
from casework.cases.status import history
from casework.clock import now
from casework.db import db
from casework.errors import CaseworkError
from casework.matches.views import candidates_of
from casework.missing import family, services
from casework.missing.forms import (
    CHANNEL_LABELS,
    FamilyContactForm,
    MissingPersonForm,
    RelativeForm,
)
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.vocabulary import LANGUAGE_NAMES, label

blueprint = Blueprint("missing", __name__, url_prefix="/missing")
PAGE_SIZE = 50


def _visible_case(reference: str) -> MissingPerson:
    return visible_case_or_404(MissingPerson, missing_visible_to, reference)  # type: ignore[no-any-return]


@blueprint.route("/", methods=["GET", "POST"])
@requires(Permission.READ_MISSING)
def index() -> Any:
    if request.method == "POST":  # the search form: the name goes in the body, never the address
        return search_from_form("missing.index", MissingPerson.__case_kind__)
    query, filters = filtered_cases(MissingPerson, missing_visible_to, MissingPersonStatus)
    page = db.paginate(
        query.order_by(MissingPerson.created_at.desc()), per_page=PAGE_SIZE, max_per_page=PAGE_SIZE
    )
    return render_template(
        "missing/list.html",
        page=page,
        status=filters.status,
        name=filters.name,
        reference=filters.reference,
        similar=filters.similar,
        search=filters.search,
        statuses=list(MissingPersonStatus),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT_MISSING)
def new() -> Any:
    form = MissingPersonForm()
    status = 200
    if form.validate_on_submit():
        try:
            created = create_once(
                current_user,
                MissingPerson,
                checked_key(form.form_token.data, "form_token"),
                None,
                lambda: services.register_missing_person(current_user, form.data),
            )
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            case = created.case  # sent again (created.replayed): the case the first one made
            flash(_("Registered as %(reference)s.", reference=case.reference), "success")
            return redirect(url_for("missing.detail", reference=case.reference))
    elif form.errors:
        status = 400
    return render_template("missing/form.html", form=form, case=None), status


@blueprint.route("/<reference>")
@requires(Permission.READ_MISSING)
def detail(reference: str) -> Any:
    return _detail_page(_visible_case(reference))


def _contact_form(case: MissingPerson, form: FamilyContactForm | None = None) -> Any:
    form = form or FamilyContactForm(formdata=None)
    form.relative_id.choices = [("", _("The family (nobody in particular)"))] + [
        (str(relative.id), f"{relative.name} ({label(relative.relationship_to_missing)})")
        for relative in case.relatives
    ]
    return form


def _detail_page(
    case: MissingPerson,
    code: int = 200,
    status_form_: Any = None,
    contact_form: FamilyContactForm | None = None,
) -> Any:
    record_view(case)
    can_edit = can_edit_case(current_user, case)
    informs = allows(current_user, Permission.INFORM_FAMILIES)
    contacts = family.contacts_of(case) if informs else []
    return render_template(
        "missing/detail.html",
        case=case,
        printed_at=now(),
        point=point_coordinates(case.last_seen_point),
        route=route_wkt(case.intended_route),
        can_edit=can_edit,
        can_note=can_add_to_case(current_user, case, Permission.WRITE_NOTES),
        case_candidates=candidates_of(case),
        note_form=NoteForm(),
        status_form=status_form(case, status_form_),
        status_action=url_for("missing.change_case_status", reference=case.reference),
        status_history=history(case),
        via_labels=VIA_LABELS,
        informs=informs,
        contacts=contacts,
        channel_labels=CHANNEL_LABELS,
        plain=family.plain_status(case, contacts) if informs else None,
        contact_form=_contact_form(case, contact_form) if informs and can_edit else None,
    ), code


@blueprint.route("/<reference>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_MISSING)
def edit(reference: str) -> Any:
    case = _visible_case(reference)
    if not can_edit_case(current_user, case):
        abort(403)
    if request.method == "GET":
        point = point_coordinates(case.last_seen_point)
        fields = {
            name: getattr(case, name)
            for name in (
                "given_names",
                "surnames",
                "birth_date",
                "age_at_disappearance",
                "height_cm",
                "nationality",
                "languages",
                "last_seen_date",
                "last_seen_place",
                "sea_crossing",
                "circumstances",
                "medical_notes",
            )
        }
        form = MissingPersonForm(
            data={
                **fields,
                **case_details_data(case),
                "sex": case.sex.value,
                "aliases": "; ".join(case.aliases),
                "intended_route": route_wkt(case.intended_route),
                "last_seen_lat": point[0] if point else None,
                "last_seen_lon": point[1] if point else None,
            }
        )
        record_view(case)
        return render_template("missing/form.html", form=form, case=case)
    form = MissingPersonForm()
    status = 400
    if form.validate_on_submit():
        try:
            services.update_missing_person(case, form.data, submitted_version(form.version.data))
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("missing.detail", reference=case.reference))
    return render_template("missing/form.html", form=form, case=case), status


@blueprint.route("/<reference>/relatives/new", methods=["GET", "POST"])
@requires(Permission.EDIT_MISSING)
def new_relative(reference: str) -> Any:
    case = _visible_case(reference)
    if not can_edit_case(current_user, case):
        abort(403)
    form = RelativeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_relative(case, form.data)
        except CaseworkError as error:
            status = show_error(form, error)
        else:
            flash(_("Relative added."), "success")
            return redirect(url_for("missing.detail", reference=case.reference))
    elif form.errors:
        status = 400
    return render_template("missing/relative_form.html", form=form, case=case), status


@blueprint.route("/<reference>/notes", methods=["POST"])
@requires(Permission.WRITE_NOTES)
def add_case_note(reference: str) -> Any:
    return post_note(_visible_case(reference), "missing.detail")


@blueprint.route("/<reference>/status", methods=["POST"])
@requires(Permission.EDIT_MISSING)
def change_case_status(reference: str) -> Any:
    return post_status(
        _visible_case(reference),
        "missing.detail",
        lambda case, code, status_form: _detail_page(case, code, status_form_=status_form),
    )


@blueprint.route("/<reference>/contacts", methods=["POST"])
@requires(Permission.EDIT_MISSING)
def add_family_contact(reference: str) -> Any:
    case = _visible_case(reference)
    if not (can_edit_case(current_user, case) and allows(current_user, Permission.INFORM_FAMILIES)):
        abort(403)
    form = _contact_form(case, FamilyContactForm())
    if form.validate_on_submit():
        try:
            family.add_family_contact(case, current_user, form.data)
        except CaseworkError as error:
            return _detail_page(case, show_error(form, error), contact_form=form)
        flash(_("Contact logged."), "success")
        return redirect(url_for("missing.detail", reference=case.reference), 303)
    return _detail_page(case, 400, contact_form=form)


@blueprint.route("/<reference>/family-summary")
@requires(Permission.INFORM_FAMILIES)
def family_summary(reference: str) -> Any:
    """The page a family takes home, in their language: no remains, scores or notes."""
    case = _visible_case(reference)
    languages = list(current_app.config["LANGUAGES"])
    interface = str(get_locale())
    lang = request.args.get("lang") or family.family_language(case, languages, interface)
    if lang not in languages:
        abort(
            400,
            _(
                "This summary can be printed in %(languages)s only.",
                languages=", ".join(LANGUAGE_NAMES.get(code, code) for code in languages),
            ),
        )
    contacts = family.contacts_of(case)
    contact = family.agency_contact(case, contacts)
    family.record_summary_printed(case, lang)
    toolbar = {  # for the staff member printing it: in their own language
        "lang": interface,
        "options": _("Print options"),
        "language": _("Language of the family"),
        "show": _("Show"),
        "print": _("Print"),
        "back": _("Back to the case"),
    }
    with force_locale(lang):
        plain = family.plain_status(case, contacts)
        return render_template(
            "missing/family_summary.html",
            case=case,
            lang=lang,
            languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
            plain=plain,
            contact=contact,
            agency=db.session.get(Agency, case.agency_id),
            today=now().date(),
            toolbar=toolbar,
        )
