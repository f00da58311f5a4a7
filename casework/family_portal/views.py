"""The portal's pages: the public ones under /family/<language>/ (no account, no JavaScript
needed, nothing about the visitor kept) and the liaison's under /family-requests/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests
from wtforms.fields.choices import SelectChoice

from casework import FORM_OVERHEAD_BYTES
from casework.access import Permission, requires
from casework.attachments.uploads import uploaded_bytes
from casework.cases.forms import show_error, submitted_version
from casework.cases.services import parse_uuid
from casework.clock import now
from casework.errors import CaseworkError, readable_size
from casework.extensions import limiter
from casework.family_portal import challenge, services
from casework.family_portal.forms import (
    CONSENT_LABELS,
    FIELD_LABELS,
    RELATIONSHIP_LABELS,
    AcceptForm,
    AdditionForm,
    DeclineForm,
    FollowForm,
    MergeForm,
    RequestForm,
    WithdrawForm,
)
from casework.family_portal.limits import address_key, code_limit, submit_limit
from casework.family_portal.models import FamilyRequest, PhotoSubject, RequestStatus
from casework.vocabulary import LANGUAGE_NAMES

blueprint = Blueprint("family", __name__, url_prefix="/family")
staff = Blueprint("family_requests", __name__, url_prefix="/family-requests")

OPEN_FOR = timedelta(minutes=30)  # how long reference and code keep the family's page open
_OPENED = "family_request"


def _languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


@blueprint.url_value_preprocessor
def _page_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
    services.as_family()  # nothing a visitor does here is audited with their address
    if values is None or "lang" not in values:
        return
    language = values.pop("lang")
    if language not in _languages():
        abort(404)
    g.page_language = language
    limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
    g.file_size_limit = limit
    # at most two photos and the words around them, refused before anything reads the body
    request.max_content_length = 2 * limit + FORM_OVERHEAD_BYTES


@blueprint.context_processor
def _portal_languages() -> dict[str, Any]:
    return {"page_languages": {code: LANGUAGE_NAMES.get(code, code) for code in _languages()}}


@blueprint.url_defaults
def _keep_language(endpoint: str, values: dict[str, Any]) -> None:
    if "lang" not in values and g.get("page_language"):
        values["lang"] = g.page_language


@blueprint.after_request
def _private(response: Response) -> Response:
    # a shared phone's back button or a proxy must not bring back a reference and a code
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> Any:
    # refused before the view ran: nothing was written to roll back
    message = _("Too many attempts from your connection. Wait a while and try again.")
    return render_template("family_portal/error.html", message=message), 429


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Any:
    # refused while reading the body, before the service: nothing was written
    message = _(
        "The photos are too large: each may be up to %(size)s. Nothing was saved.",
        size=readable_size(int(current_app.config["ATTACHMENT_MAX_BYTES"])),
    )
    return render_template("family_portal/error.html", message=message), 413


@blueprint.get("/")
def choose_language() -> Any:
    best = (
        request.accept_languages.best_match(_languages()) or current_app.config["DEFAULT_LANGUAGE"]
    )
    return redirect(url_for("family.start", lang=best))


@blueprint.get("/<lang>/")
def start() -> Any:
    return render_template("family_portal/start.html")


@blueprint.get("/<lang>/your-data")
def your_data() -> Any:
    return render_template(
        "family_portal/your_data.html",
        wait=current_app.config["FAMILY_NO_SCRIPT_WAIT_SECONDS"],
    )


def _request_form(form: RequestForm | None = None, keep_challenge: bool = True) -> RequestForm:
    form = form or RequestForm(formdata=None)
    agencies = services.receiving_agencies()
    default = str(current_app.config.get("FAMILY_DEFAULT_AGENCY") or "")
    choices = [SelectChoice(agency.code, str(agency)) for agency in agencies]
    if default:
        choices.insert(0, SelectChoice("", _("I do not know: the national office")))
    form.agency.choices = choices
    if not form.contact_language.data:
        form.contact_language.data = g.page_language
    issued = challenge.issue()
    # a form shown again keeps its challenge (the wait of the no-JavaScript path goes on),
    # unless that challenge is what was wrong (missing, forged, expired, spent)
    if not (keep_challenge and form.challenge.data):
        form.challenge_salt.data = issued.salt
        form.challenge.data = issued.challenge
        form.challenge_signature.data = issued.signature
    return form


def _render_request(form: RequestForm, status: int = 200) -> Any:
    return (
        render_template(
            "family_portal/request.html",
            form=form,
            maximum=current_app.config["FAMILY_CHALLENGE_MAX_NUMBER"],
            wait=current_app.config["FAMILY_NO_SCRIPT_WAIT_SECONDS"],
        ),
        status,
    )


@blueprint.route("/<lang>/request", methods=["GET", "POST"])
@limiter.limit(submit_limit, key_func=address_key, methods=["POST"])
def send_request() -> Any:
    if request.method == "GET":
        return _render_request(_request_form())
    form = RequestForm()
    photos = [
        (PhotoSubject.PERSON, uploaded_bytes(form.photo_person)),
        (PhotoSubject.BELONGING, uploaded_bytes(form.photo_belonging)),
    ]
    values = {name: field.data for name, field in form._fields.items()}
    try:
        sent = services.submit_request(values, photos, g.page_language)
    except CaseworkError as error:
        form.website.data = ""
        status = show_error(form, error)
        spoilt = error.field == "challenge" and not isinstance(error, challenge.KeepWaiting)
        return _render_request(_request_form(form, keep_challenge=not spoilt), status)
    return render_template(
        "family_portal/sent.html", reference=sent.request.reference, code=sent.access_code
    )


@blueprint.route("/<lang>/follow", methods=["GET", "POST"])
@limiter.limit(code_limit, key_func=address_key, methods=["POST"])
def follow() -> Any:
    form = FollowForm() if request.method == "POST" else FollowForm(formdata=None)
    if request.method == "POST":
        try:
            opened = services.open_request(form.reference.data or "", form.code.data or "")
        except CaseworkError as error:
            status = show_error(form, error)
            return render_template("family_portal/follow.html", form=form), status
        session[_OPENED] = {"id": str(opened.id), "at": now().isoformat()}
        return redirect(url_for("family.mine"))
    return render_template("family_portal/follow.html", form=form)


def _opened() -> FamilyRequest:
    """The request the family opened with its code in this browser, lately; else to the form."""
    opened = session.get(_OPENED) or {}
    try:
        at = datetime.fromisoformat(opened.get("at", ""))
    except ValueError:
        at = None
    found = services.request_by_id(parse_uuid(str(opened.get("id", ""))))
    if at is None or found is None or now() - at > OPEN_FOR:
        session.pop(_OPENED, None)
        abort(redirect(url_for("family.follow")))
    return found


def _render_mine(
    opened: FamilyRequest,
    addition: AdditionForm | None = None,
    withdraw: WithdrawForm | None = None,
    status: int = 200,
) -> Any:
    withdraw = withdraw or WithdrawForm(formdata=None)
    withdraw.consents.choices = [
        SelectChoice(name, label) for name, label in CONSENT_LABELS.items() if getattr(opened, name)
    ]
    return (
        render_template(
            "family_portal/mine.html",
            opened=opened,
            view=services.family_view(opened),
            addition=addition or AdditionForm(formdata=None),
            withdraw=withdraw,
        ),
        status,
    )


@blueprint.get("/<lang>/mine")
def mine() -> Any:
    return _render_mine(_opened())


@blueprint.post("/<lang>/mine/add")
def add() -> Any:
    opened = _opened()
    form = AdditionForm()
    try:
        services.add_information(
            opened, form.kind.data or "", form.words.data, uploaded_bytes(form.photo)
        )
    except CaseworkError as error:
        return _render_mine(opened, addition=form, status=show_error(form, error))
    flash(_("Thank you. We have added this to your request."), "success")
    return redirect(url_for("family.mine"))


@blueprint.post("/<lang>/mine/withdraw")
def withdraw() -> Any:
    opened = _opened()
    form = WithdrawForm()
    try:
        services.withdraw_consent(opened, form.consents.data or [])
    except CaseworkError as error:
        return _render_mine(opened, withdraw=form, status=show_error(form, error))
    flash(_("Your choice has been recorded."), "success")
    return redirect(url_for("family.mine"))


@blueprint.post("/<lang>/leave")
def leave() -> Any:
    session.pop(_OPENED, None)
    return redirect(url_for("family.start"))


# ---- liaison staff ------------------------------------------------------------------------


@staff.get("/")
@requires(Permission.REVIEW_FAMILY_REQUESTS)
def index() -> Any:
    pending = services.requests_for(current_user)
    decided = [
        found
        for found in services.requests_for(current_user, status=None)
        if found.status is not RequestStatus.PENDING
    ]
    return render_template(
        "family_portal/staff_list.html",
        pending=pending,
        decided=decided[-20:],
        duplicates={found.id: services.likely_duplicates(current_user, found) for found in pending},
        person_of=services.person_of,
    )


def _render_detail(found: FamilyRequest, status: int = 200, **forms: Any) -> Any:
    duplicates = services.likely_duplicates(current_user, found)
    merge = forms.get("merge") or MergeForm(formdata=None)
    if not merge.case.data and duplicates:
        merge.case.data = duplicates[0].reference
    services.record_request_view(found)
    return (
        render_template(
            "family_portal/staff_detail.html",
            found=found,
            person=services.person_of(found),
            reporter=services.reporter_of(found),
            duplicates=duplicates,
            relationships=RELATIONSHIP_LABELS,
            labels=FIELD_LABELS,
            languages=LANGUAGE_NAMES,
            accept=forms.get("accept") or AcceptForm(formdata=None, version=found.version),
            merge=merge,
            decline=forms.get("decline") or DeclineForm(formdata=None, version=found.version),
        ),
        status,
    )


@staff.get("/<reference>")
@requires(Permission.REVIEW_FAMILY_REQUESTS)
def detail(reference: str) -> Any:
    return _render_detail(services.request_for(current_user, reference))


def _accept(found: FamilyRequest, form: Any) -> tuple[str, str]:
    case = services.accept_request(
        found, current_user, submitted_version(form.version.data), form.nationality.data
    )
    message = _("Accepted as %(reference)s.", reference=case.reference)
    return message, url_for("missing.detail", reference=case.reference)


def _merge(found: FamilyRequest, form: Any) -> tuple[str, str]:
    case = services.merge_request(
        found, current_user, submitted_version(form.version.data), form.case.data or ""
    )
    message = _("Merged with %(reference)s.", reference=case.reference)
    return message, url_for("missing.detail", reference=case.reference)


def _decline(found: FamilyRequest, form: Any) -> tuple[str, str]:
    services.decline_request(
        found, current_user, submitted_version(form.version.data), form.reason.data or ""
    )
    message = _("Request %(reference)s declined.", reference=found.reference)
    return message, url_for("family_requests.index")


# each decision on a pending request: its form (named so on the request's page) and what it
# does, returning the message to show and where to go next
DECISIONS: dict[str, tuple[type[Any], Callable[[FamilyRequest, Any], tuple[str, str]]]] = {
    "accept": (AcceptForm, _accept),
    "merge": (MergeForm, _merge),
    "decline": (DeclineForm, _decline),
}


def _decide(reference: str, decision: str) -> Any:
    """One shape for every decision: the request of the liaison's own agency, the form, the
    service; a refusal shows the request's page again with the message at its field."""
    form_class, decide = DECISIONS[decision]
    found = services.request_for(current_user, reference)
    form = form_class()
    try:
        message, target = decide(found, form)
    except CaseworkError as error:
        return _render_detail(found, show_error(form, error), **{decision: form})
    flash(message, "success")
    return redirect(target)


@staff.post("/<reference>/accept")
@requires(Permission.REVIEW_FAMILY_REQUESTS)
def accept(reference: str) -> Any:
    return _decide(reference, "accept")


@staff.post("/<reference>/merge")
@requires(Permission.REVIEW_FAMILY_REQUESTS)
def merge(reference: str) -> Any:
    return _decide(reference, "merge")


@staff.post("/<reference>/decline")
@requires(Permission.REVIEW_FAMILY_REQUESTS)
def decline(reference: str) -> Any:
    return _decide(reference, "decline")


@staff.get("/<reference>/photos/<photo_id>")
@requires(Permission.REVIEW_FAMILY_REQUESTS)
def photo(reference: str, photo_id: str) -> Any:
    found = services.request_for(current_user, reference)
    shown = services.open_photo(found, photo_id)
    response = Response(shown.content, mimetype=shown.media_type.value)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
