"""Pages for missing-person cases: the generic case pages (list and look-up, register, view,
edit, notes, status), and the relatives, the family contact log and the family's printable
summary."""

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

from casework.access import Permission, allows, requires
from casework.accounts.queries import agency
from casework.cases.access import can_edit_case
from casework.cases.fields import point_coordinates, route_wkt
from casework.cases.forms import show_error
from casework.cases.pages import CasePages
from casework.clock import now
from casework.errors import CaseworkError
from casework.family_portal.services import sent_to_case
from casework.missing import family, services
from casework.missing.access import missing_visible_to
from casework.missing.forms import (
    CHANNEL_LABELS,
    FamilyContactForm,
    MissingPersonForm,
    RelativeForm,
)
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.vocabulary import LANGUAGE_NAMES, label

blueprint = Blueprint("missing", __name__, url_prefix="/missing")


def _contact_form(case: MissingPerson, form: FamilyContactForm | None = None) -> Any:
    form = form or FamilyContactForm(formdata=None)
    form.relative_id.choices = [("", _("The family (nobody in particular)"))] + [
        (str(relative.id), f"{relative.name} ({label(relative.relationship_to_missing)})")
        for relative in case.relatives
    ]
    return form


class MissingPages(CasePages):
    model = MissingPerson
    input = MissingPersonInput
    form = MissingPersonForm
    statuses = MissingPersonStatus
    read = Permission.READ_MISSING
    write = Permission.EDIT_MISSING

    def visible(self, user: Any) -> Any:
        return missing_visible_to(user)

    def created(self, case: MissingPerson) -> str:
        return _("Registered as %(reference)s.", reference=case.reference)

    def store_new(self, given: MissingPersonInput) -> MissingPerson:
        return services.register_missing_person(current_user, given)

    def store_edit(self, case: Any, given: MissingPersonInput, version: int | None) -> None:
        services.update_missing_person(case, given, version)

    def detail_context(
        self, case: MissingPerson, contact_form: FamilyContactForm | None = None, **forms: Any
    ) -> dict[str, Any]:
        informs = allows(current_user, Permission.INFORM_FAMILIES)
        contacts = family.contacts_of(case) if informs else []
        can_edit = can_edit_case(current_user, case)
        return {
            "point": point_coordinates(case.last_seen_point),
            "route": route_wkt(case.intended_route),
            "informs": informs,
            "contacts": contacts,
            "channel_labels": CHANNEL_LABELS,
            "plain": family.plain_status(case, contacts) if informs else None,
            "contact_form": _contact_form(case, contact_form) if informs and can_edit else None,
            "from_families": sent_to_case(current_user, case),
        }


pages = MissingPages(blueprint)


@blueprint.route("/<reference>/relatives/new", methods=["GET", "POST"])
@requires(Permission.EDIT_MISSING)
def new_relative(reference: str) -> Any:
    case = pages.case(reference)
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


@blueprint.route("/<reference>/contacts", methods=["POST"])
@requires(Permission.EDIT_MISSING)
def add_family_contact(reference: str) -> Any:
    case = pages.case(reference)
    if not (can_edit_case(current_user, case) and allows(current_user, Permission.INFORM_FAMILIES)):
        abort(403)
    form = _contact_form(case, FamilyContactForm())
    if form.validate_on_submit():
        try:
            family.add_family_contact(case, current_user, form.data)
        except CaseworkError as error:
            return pages.detail_page(case, show_error(form, error), contact_form=form)
        flash(_("Contact logged."), "success")
        return redirect(url_for("missing.detail", reference=case.reference), 303)
    return pages.detail_page(case, 400, contact_form=form)


@blueprint.route("/<reference>/family-summary")
@requires(Permission.INFORM_FAMILIES)
def family_summary(reference: str) -> Any:
    """The page a family takes home, in their language: no remains, scores or notes."""
    case = pages.case(reference)
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
            agency=agency(case.agency_id),
            today=now().date(),
            toolbar=toolbar,
        )
