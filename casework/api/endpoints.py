"""The JSON API under /api/v1: token authentication, then the same access rules and services as
the pages. Views stay thin: authorise, check the body, call a service, answer in the envelope.

A new route joins with the same helpers (`_require`, `_json_body`, `checked`,
`_submitted_version`, `_paginated`), a Body in schemas.py and its path in openapi.py;
test_openapi.py fails until the document and the routes agree.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.orm import selectinload

from casework.access import Permission, allows
from casework.api import representations as show
from casework.api.models import Scope
from casework.api.openapi import document
from casework.api.responses import ApiError, answer
from casework.api.schemas import (
    CONFIRM_FIELDS,
    EXCLUDE_FIELDS,
    MISSING_FIELDS,
    MISSING_STATUS_FIELDS,
    PROPOSE_FIELDS,
    REJECT_FIELDS,
    REMAINS_FIELDS,
    REMAINS_STATUS_FIELDS,
    REPATRIATION_START_FIELDS,
    SAMPLE_FIELDS,
    STEP_FIELDS,
    TRANSFER_FIELDS,
    VERSION,
    Body,
    checked,
)
from casework.api.services import user_for_token
from casework.attachments.services import attachments_of
from casework.cases.access import can_add_to_case, can_edit_case
from casework.cases.creation_keys import Created, checked_key, create_once, request_digest
from casework.cases.pages import filtered_cases, visible_case_or_404
from casework.cases.services import record_view, save_then_record_view
from casework.cases.status import change_status, history, next_statuses
from casework.custody import services as custody
from casework.custody.queries import barcodes_of, sample_of, samples_query, whole_chain_query
from casework.db import db
from casework.extensions import csrf, limiter
from casework.matches import services as matches
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.matches.queries import visible_candidate, visible_candidates
from casework.missing import services as missing
from casework.missing.access import missing_visible_to
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains import services as remains
from casework.remains.access import remains_visible_to
from casework.remains.inputs import RemainsInput
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.remains.queries import identified_reference
from casework.repatriation import services as repatriations
from casework.repatriation.access import can_manage_repatriation
from casework.repatriation.models import Repatriation, StepKind
from casework.repatriation.queries import visible_repatriation, visible_repatriations

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)  # a bearer token is not sent by browsers on their own: no CSRF to forge

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
_READING = {"GET", "HEAD", "OPTIONS"}
_PUBLIC = {"api.openapi"}


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _rate_key() -> str:
    """One budget per token (hashed: the key may be logged), else per address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "address:" + (get_remote_address() or "")


limiter.limit(_rate_limit, key_func=_rate_key)(blueprint)


@blueprint.before_request
def _authenticate() -> None:
    """Only a bearer token authenticates here; a browser's session cookie never does."""
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    if request.endpoint in _PUBLIC:
        return
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, _("Send a personal API token: Authorization: Bearer <token>."))
    found = user_for_token(secret.strip())
    if found is None:
        raise ApiError(401, _("This token is unknown, revoked or expired."))
    user, token = found
    g._login_user = user
    needed = Scope.READ if request.method in _READING else Scope.WRITE
    if needed not in token.scope_set:
        raise ApiError(
            403,
            _("This token lacks the %(scope)s scope.", scope=needed.value),
            code="insufficient_scope",
        )


def _require(permission: Permission) -> None:
    if not allows(current_user, permission):
        raise ApiError(403, _("Your role does not allow this."))


def _int_arg(name: str, default: int, low: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low:
        raise ApiError(
            400,
            _("Bad query parameter."),
            fields={name: _("must be a whole number of at least %(low)d", low=low)},
        )
    return value


def _paginated(query: Any, serialise: Callable[[Any], dict[str, Any]]) -> Response:
    page_number = _int_arg("page", 1, 1)
    per_page = min(_int_arg("per_page", DEFAULT_PER_PAGE, 1), MAX_PER_PAGE)
    page_number = min(page_number, 10**6)
    page = db.paginate(
        query, page=page_number, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False
    )
    return answer(
        [serialise(item) for item in page.items],
        meta={
            "page": page_number,
            "per_page": per_page,
            "total": page.total or 0,
            "pages": page.pages,
        },
    )


def _json_body() -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise ApiError(415, _("Send the body as JSON with Content-Type: application/json."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    return body


def _with_version(schema: Body) -> Body:
    return Body(schema.name, schema.fields, schema.description, extra={"version": VERSION})


def _submitted_version(values: dict[str, Any]) -> int:
    version = values.pop("version", None)
    if version is not None:
        return int(version)
    header = request.headers.get("If-Match")
    if header is None:
        raise ApiError(
            428,
            _("Say which version you changed: a version field, or an If-Match header."),
            fields={"version": _("is required")},
        )
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 10:
        raise ApiError(400, _('If-Match must hold the version, such as "3".'))
    return int(tag)


def _etag(version: int) -> str:
    return f'"{version}"'


# -- case status -------------------------------------------------------------------------------


def _status_part(case: MissingPerson | UnidentifiedRemains) -> dict[str, Any]:
    """The status history (newest first) and the statuses the caller may choose next."""
    choices = next_statuses(case, current_user) if can_edit_case(current_user, case) else []
    return {
        "status_history": [show.status_change(row) for row in history(case)],
        "next_statuses": [status.value for status in choices],
    }


def _change_status(case: MissingPerson | UnidentifiedRemains, schema: Body) -> None:
    """As the case page's "Change status": the holding agency only, the service's rules."""
    if not can_edit_case(current_user, case):
        raise ApiError(403, _("Only the agency that holds a case changes it."))
    values = checked(_json_body(), schema)
    version = _submitted_version(values)
    change_status(case, values["status"], current_user, values.get("reason"), version)


# -- missing persons ---------------------------------------------------------------------------


def _missing(reference: str) -> MissingPerson:
    return visible_case_or_404(MissingPerson, missing_visible_to, reference)  # type: ignore[no-any-return]


def _saved(save: Callable[[], Any], case: Any) -> None:
    """Save and audit the look at the saved case in one transaction: the answer shows the case,
    and nothing left to do after the commit can turn the stored save into an error."""
    save_then_record_view(save, case)


def _created(model: Any, values: dict[str, Any], create: Callable[[], Any]) -> Created:
    """A create under the client's `Idempotency-Key`, if it sent one: a retry of the same
    request answers with the case the first one made (201 again) instead of a second case."""
    key = checked_key(request.headers.get("Idempotency-Key"), "Idempotency-Key")
    digest = request_digest(model.__case_kind__, values)
    return create_once(current_user, model, key, digest, create, record_look=True)


def _missing_answer(
    case: MissingPerson, status: int = 200, *, looked: bool = False, replayed: bool = False
) -> Response:
    if not looked:
        record_view(case)
    headers = {"ETag": _etag(case.version)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if status == 201:
        headers["Location"] = url_for("api.missing_person", reference=case.reference)
    return answer({**show.missing_full(case), **_status_part(case)}, status, **headers)


@blueprint.get("/missing")
def missing_list() -> Response:
    _require(Permission.READ_MISSING)
    query, _filters = filtered_cases(
        MissingPerson, missing_visible_to, MissingPersonStatus, names_in_query=True
    )
    return _paginated(
        query.order_by(MissingPerson.created_at.desc(), MissingPerson.id), show.missing_summary
    )


@blueprint.post("/missing")
def missing_create() -> Response:
    _require(Permission.EDIT_MISSING)
    values = checked(_json_body(), MISSING_FIELDS)
    created = _created(
        MissingPerson,
        values,
        lambda: missing.register_missing_person(current_user, MissingPersonInput.from_json(values)),
    )
    return _missing_answer(created.case, 201, looked=True, replayed=created.replayed)


@blueprint.get("/missing/<reference>")
def missing_person(reference: str) -> Response:
    _require(Permission.READ_MISSING)
    return _missing_answer(_missing(reference))


@blueprint.patch("/missing/<reference>")
def missing_update(reference: str) -> Response:
    _require(Permission.EDIT_MISSING)
    case = _missing(reference)
    if not can_edit_case(current_user, case):
        raise ApiError(403, _("Only the agency that holds a case changes it."))
    values = checked(_json_body(), _with_version(MISSING_FIELDS))
    version = _submitted_version(values)
    merged = {**checked(MissingPersonInput.of_case(case).to_json(), MISSING_FIELDS), **values}
    _saved(
        lambda: missing.update_missing_person(case, MissingPersonInput.from_json(merged), version),
        case,
    )
    return _missing_answer(case, looked=True)


@blueprint.post("/missing/<reference>/status")
def missing_status(reference: str) -> Response:
    _require(Permission.EDIT_MISSING)
    case = _missing(reference)
    _change_status(case, MISSING_STATUS_FIELDS)
    return _missing_answer(case)


# -- unidentified remains ----------------------------------------------------------------------


def _remains(reference: str) -> UnidentifiedRemains:
    return visible_case_or_404(UnidentifiedRemains, remains_visible_to, reference)  # type: ignore[no-any-return]


def _remains_answer(
    case: UnidentifiedRemains, status: int = 200, *, looked: bool = False, replayed: bool = False
) -> Response:
    if not looked:
        record_view(case)
    identified = identified_reference(case)
    headers = {"ETag": _etag(case.version)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if status == 201:
        headers["Location"] = url_for("api.remains_case", reference=case.reference)
    return answer({**show.remains_full(case, identified), **_status_part(case)}, status, **headers)


@blueprint.get("/remains")
def remains_list() -> Response:
    _require(Permission.READ_REMAINS)
    query, _filters = filtered_cases(
        UnidentifiedRemains, remains_visible_to, RemainsStatus, names_in_query=True
    )
    return _paginated(
        query.order_by(UnidentifiedRemains.created_at.desc(), UnidentifiedRemains.id),
        show.remains_summary,
    )


@blueprint.post("/remains")
def remains_create() -> Response:
    _require(Permission.EDIT_REMAINS)
    values = checked(_json_body(), REMAINS_FIELDS)
    created = _created(
        UnidentifiedRemains,
        values,
        lambda: remains.log_remains(current_user, RemainsInput.from_json(values)),
    )
    return _remains_answer(created.case, 201, looked=True, replayed=created.replayed)


@blueprint.get("/remains/<reference>")
def remains_case(reference: str) -> Response:
    _require(Permission.READ_REMAINS)
    return _remains_answer(_remains(reference))


@blueprint.patch("/remains/<reference>")
def remains_update(reference: str) -> Response:
    _require(Permission.EDIT_REMAINS)
    case = _remains(reference)
    if not can_edit_case(current_user, case):
        raise ApiError(403, _("Only the agency that holds a case changes it."))
    values = checked(_json_body(), _with_version(REMAINS_FIELDS))
    version = _submitted_version(values)
    merged = {**checked(RemainsInput.of_case(case).to_json(), REMAINS_FIELDS), **values}
    _saved(
        lambda: remains.update_remains(case, RemainsInput.from_json(merged), version),
        case,
    )
    return _remains_answer(case, looked=True)


@blueprint.post("/remains/<reference>/status")
def remains_status(reference: str) -> Response:
    _require(Permission.EDIT_REMAINS)
    case = _remains(reference)
    _change_status(case, REMAINS_STATUS_FIELDS)
    return _remains_answer(case)


# -- samples and custody -----------------------------------------------------------------------


def _remains_for(reference: str, permission: Permission) -> UnidentifiedRemains:
    _require(permission)
    case = _remains(reference)
    if not can_add_to_case(current_user, case, permission):
        raise ApiError(403, _("Only the agency that holds a case adds to it."))
    return case


@blueprint.get("/remains/<reference>/samples")
def samples(reference: str) -> Response:
    _require(Permission.READ_REMAINS)
    case = _remains(reference)
    return _paginated(samples_query(case), lambda row: show.sample(row, case.reference))


@blueprint.post("/remains/<reference>/samples")
def sample_create(reference: str) -> Response:
    case = _remains_for(reference, Permission.RECORD_SAMPLES)
    values = checked(_json_body(), SAMPLE_FIELDS)
    row = custody.record_sample(case, values)
    return answer(show.sample(row, case.reference), 201)


@blueprint.get("/remains/<reference>/custody")
def custody_chain(reference: str) -> Response:
    _require(Permission.READ_REMAINS)
    case = _remains(reference)
    barcodes = barcodes_of(case)
    return _paginated(
        whole_chain_query(case, barcodes),
        lambda row: show.custody_event(row, barcodes.get(row.sample_id)),
    )


@blueprint.post("/remains/<reference>/custody")
def custody_transfer(reference: str) -> Response:
    case = _remains_for(reference, Permission.RECORD_CUSTODY)
    values = checked(_json_body(), TRANSFER_FIELDS)
    barcode = values.pop("sample", None)
    sample = None
    if barcode is not None:
        sample = sample_of(case, barcode)
        if sample is None:
            raise ApiError(
                422,
                _("Bad input."),
                fields={"sample": _("No sample of this case has that barcode.")},
            )
    event = custody.record_transfer(
        current_user, remains=None if sample else case, sample=sample, data=values
    )
    return answer(show.custody_event(event, barcode), 201)


# -- candidate matches -------------------------------------------------------------------------


@blueprint.get("/candidates")
def candidates() -> Response:
    _require(Permission.READ_MATCHES)
    query = visible_candidates(current_user)
    status = request.args.get("status")
    if status is not None:
        if status not in {item.value for item in CandidateStatus}:
            raise ApiError(400, _("Unknown status."), fields={"status": _("Unknown status.")})
        query = query.where(CandidateMatch.status == status)
    for name, column in (
        ("missing_person", MissingPerson.reference),
        ("remains", UnidentifiedRemains.reference),
    ):
        value = request.args.get(name)
        if value is not None:
            query = query.where(column == value.strip().upper())
    return _paginated(
        query.order_by(CandidateMatch.score.desc(), CandidateMatch.id), show.candidate_summary
    )


def _candidate(candidate_id: uuid.UUID) -> CandidateMatch:
    row = visible_candidate(current_user, candidate_id)
    if row is None:
        raise ApiError(404, _("No such candidate, or it is outside your sight."))
    return row  # type: ignore[no-any-return]


def _candidate_answer(row: CandidateMatch) -> Response:
    record_view(row)  # the evidence quotes names: a look at personal data
    return answer(show.candidate_full(row), ETag=_etag(row.version))


@blueprint.get("/candidates/<uuid:candidate_id>")
def candidate(candidate_id: uuid.UUID) -> Response:
    _require(Permission.READ_MATCHES)
    return _candidate_answer(_candidate(candidate_id))


def _decide(
    candidate_id: uuid.UUID,
    permission: Permission,
    schema: Body,
    act: Callable[[CandidateMatch, dict[str, Any], int], None],
) -> Response:
    """A decision on a candidate, by the review services (two signatures, reasons, versions)."""
    _require(permission)
    row = _candidate(candidate_id)
    values = checked(_json_body(), schema)
    version = _submitted_version(values)
    act(row, values, version)
    return _candidate_answer(row)


@blueprint.post("/candidates/<uuid:candidate_id>/exclude")
def candidate_exclude(candidate_id: uuid.UUID) -> Response:
    return _decide(
        candidate_id,
        Permission.REVIEW_MATCHES,
        EXCLUDE_FIELDS,
        lambda row, values, version: matches.exclude(row, current_user, values["reason"], version),
    )


@blueprint.post("/candidates/<uuid:candidate_id>/propose")
def candidate_propose(candidate_id: uuid.UUID) -> Response:
    return _decide(
        candidate_id,
        Permission.REVIEW_MATCHES,
        PROPOSE_FIELDS,
        lambda row, values, version: matches.propose_identification(
            row, current_user, values["identifiers"], values.get("reason"), version
        ),
    )


@blueprint.post("/candidates/<uuid:candidate_id>/confirm")
def candidate_confirm(candidate_id: uuid.UUID) -> Response:
    return _decide(
        candidate_id,
        Permission.CONFIRM_IDENTIFICATION,
        CONFIRM_FIELDS,
        lambda row, _values, version: matches.confirm_identification(row, current_user, version),
    )


@blueprint.post("/candidates/<uuid:candidate_id>/reject")
def candidate_reject(candidate_id: uuid.UUID) -> Response:
    return _decide(
        candidate_id,
        Permission.CONFIRM_IDENTIFICATION,
        REJECT_FIELDS,
        lambda row, values, version: matches.reject_identification(
            row, current_user, values["reason"], version
        ),
    )


# -- repatriations -----------------------------------------------------------------------------


def _repatriation(repatriation_id: uuid.UUID) -> Repatriation:
    row = visible_repatriation(current_user, repatriation_id)
    if row is None:
        raise ApiError(404, _("No such repatriation, or it is outside your sight."))
    return row  # type: ignore[no-any-return]


def _repatriation_answer(row: Repatriation, status: int = 200) -> Response:
    """The repatriation with its steps; names and notes are shown, so the look is audited as a
    view of the remains case, as on the page."""
    record_view(row.remains)
    steps = row.ordered_steps()
    documents = attachments_of(row.remains, [step.id for step in steps])
    headers = {"ETag": _etag(row.version)}
    if status == 201:
        headers["Location"] = url_for("api.repatriation_detail", repatriation_id=row.id)
    return answer(show.repatriation_full(row, repatriations.today(), documents), status, **headers)


@blueprint.get("/repatriations")
def repatriation_list() -> Response:
    _require(Permission.READ_REPATRIATION)
    query = visible_repatriations(current_user).options(
        selectinload(Repatriation.steps),
        selectinload(Repatriation.remains),
        selectinload(Repatriation.missing_person),
    )
    state = request.args.get("state")
    if state is not None:
        if state not in ("open", "closed"):
            raise ApiError(
                400, _("Bad query parameter."), fields={"state": _("must be open or closed")}
            )
        closed = Repatriation.closed_on
        query = query.where(closed.is_(None) if state == "open" else closed.is_not(None))
    today = repatriations.today()
    return _paginated(
        query.order_by(Repatriation.started_at.desc(), Repatriation.id),
        lambda row: show.repatriation_summary(row, today),
    )


@blueprint.post("/remains/<reference>/repatriation")
def repatriation_start(reference: str) -> Response:
    _require(Permission.MANAGE_REPATRIATION)
    case = _remains(reference)
    checked(_json_body(), REPATRIATION_START_FIELDS)
    row = repatriations.start_repatriation(current_user, case)
    return _repatriation_answer(row, 201)


@blueprint.get("/repatriations/<uuid:repatriation_id>")
def repatriation_detail(repatriation_id: uuid.UUID) -> Response:
    _require(Permission.READ_REPATRIATION)
    return _repatriation_answer(_repatriation(repatriation_id))


@blueprint.patch("/repatriations/<uuid:repatriation_id>/steps/<kind>")
def repatriation_step_update(repatriation_id: uuid.UUID, kind: str) -> Response:
    _require(Permission.MANAGE_REPATRIATION)
    row = _repatriation(repatriation_id)
    if not can_manage_repatriation(current_user, row.missing_person):
        raise ApiError(403, _("Only a consular official of the person's country changes this."))
    if kind not in {item.value for item in StepKind}:
        raise ApiError(404, _("No such step."))
    step = row.step(kind)
    values = checked(_json_body(), STEP_FIELDS)
    version = _submitted_version(values)
    current = {
        "due_date": step.due_date,
        "completed_on": step.completed_on,
        "responsible_user": step.responsible_user_id,
        "responsible_name": step.responsible_name,
        "notes": step.notes,
    }
    repatriations.update_step(current_user, step, {**current, **values}, version=version)
    return _repatriation_answer(row)


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API, as is (the one answer outside the envelope: tools
    read it directly). No token needed: it holds no data."""
    return jsonify(document())
