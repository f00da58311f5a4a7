"""Exchange screens: trust list, sharing and importing bundles, cross-border hits, disclosure
requests; and the inbox other installations post messages to."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from casework.access import Permission, allows, requires
from casework.audit.services import Actor
from casework.errors import CaseworkError
from casework.exchanges import disclosures, dna_search, hits, trust
from casework.exchanges.bundles import Selection, export_records, shared_record
from casework.exchanges.forms import (
    DecisionForm,
    DisclosureRequestForm,
    ExportForm,
    ImportForm,
    PeerForm,
    PeerSettingsForm,
    PushForm,
    RevokeForm,
)
from casework.exchanges.identity import current_identity, display_fingerprint
from casework.exchanges.inbox import receive
from casework.exchanges.models import DisclosureDirection, DisclosureStatus
from casework.exchanges.outbox import (
    Delivery,
    delivery,
    file_name,
    get_message,
    recent_messages,
    record_download,
)
from casework.exchanges.transport import push as push_message
from casework.extensions import csrf, limiter
from exchange import DEFAULT_LIMITS

blueprint = Blueprint("exchanges", __name__, url_prefix="/exchange")


def _form_error(form: Any, error: CaseworkError, default: str) -> None:
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message]


def _request_sent(peer: Any, message: Any) -> str:
    authority = peer.authority_id
    sent = delivery(peer, [message])
    if sent is Delivery.DELIVERED:
        return _("The request is signed and was delivered to %(authority)s.", authority=authority)
    if sent is Delivery.QUEUED:
        return _(
            "The request is signed; it goes to the inbox of %(authority)s as soon as that "
            "inbox can be reached.",
            authority=authority,
        )
    return _(
        "The request is signed: download it from the exchange page and send it to %(authority)s.",
        authority=authority,
    )


def _decision_sent(peer: Any, messages: list[Any]) -> str:
    authority = peer.authority_id
    sent = delivery(peer, messages)
    if sent is Delivery.DELIVERED:
        return _("The decision is signed and was delivered to %(authority)s.", authority=authority)
    if sent is Delivery.QUEUED:
        return _(
            "The decision is signed; it goes to the inbox of %(authority)s as soon as that "
            "inbox can be reached.",
            authority=authority,
        )
    return _(
        "The decision is signed: download it from the exchange page and send it to %(authority)s.",
        authority=authority,
    )


def _midnight(day: Any) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


@blueprint.route("/")
@requires(Permission.READ_EXCHANGE)
def index() -> Any:
    identity = current_identity()
    return render_template(
        "exchanges/index.html",
        identity=identity,
        fingerprint=display_fingerprint(identity.fingerprint) if identity else None,
        peers=trust.peers(),
        messages=recent_messages() if allows(current_user, Permission.SHARE_RECORDS) else [],
        push_form=PushForm(formdata=None),
    )


# Trust list --------------------------------------------------------------------------------


@blueprint.route("/trust", methods=["GET", "POST"])
@requires(Permission.MANAGE_TRUST)
def trust_list() -> Any:
    form = PeerForm()
    if form.validate_on_submit():
        try:
            trust.add_peer(
                form.identity.data.encode(),
                valid_until=_midnight(form.valid_until.data),
                linkage_secret=form.linkage_secret.data,
                confirmed_fingerprint=form.fingerprint.data,
                inbox_url=form.inbox_url.data,
                user=current_user,
            )
        except CaseworkError as error:
            _form_error(form, error, "identity")
        else:
            flash(_("The authority is now trusted."), "success")
            return redirect(url_for("exchanges.trust_list"))
    identity = current_identity()
    return render_template(
        "exchanges/trust.html",
        form=form,
        peers=trust.peers(),
        identity=identity,
        fingerprint=display_fingerprint(identity.fingerprint) if identity else None,
        display_fingerprint=display_fingerprint,
        revoke_form=RevokeForm(formdata=None),
    ), 400 if form.errors else 200


@blueprint.route("/trust/<uuid:peer_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_TRUST)
def peer_settings(peer_id: uuid.UUID) -> Any:
    peer = trust.get_peer(peer_id)
    form = PeerSettingsForm(data={"inbox_url": peer.inbox_url})
    if form.validate_on_submit():
        try:
            trust.update_peer(
                peer, linkage_secret=form.linkage_secret.data, inbox_url=form.inbox_url.data
            )
        except CaseworkError as error:
            _form_error(form, error, "inbox_url")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("exchanges.trust_list"))
    return render_template(
        "exchanges/peer.html",
        form=form,
        peer=peer,
        fingerprint=display_fingerprint(peer.fingerprint),
    ), 400 if form.errors else 200


@blueprint.route("/trust/<uuid:peer_id>/revoke", methods=["POST"])
@requires(Permission.MANAGE_TRUST)
def revoke(peer_id: uuid.UUID) -> Any:
    peer = trust.get_peer(peer_id)
    if not RevokeForm().validate_on_submit():
        abort(400)
    trust.revoke_peer(peer)
    flash(_("The authority's keys are revoked: nothing from it is accepted any more."), "success")
    return redirect(url_for("exchanges.trust_list"))


# Bundles -------------------------------------------------------------------------------------


@blueprint.route("/export", methods=["GET", "POST"])
@requires(Permission.SHARE_RECORDS)
def export() -> Any:
    form = ExportForm()
    form.recipient.choices = [SelectChoice(str(peer.id), str(peer)) for peer in trust.peers()]
    if form.validate_on_submit():
        try:
            peer = trust.get_peer(form.recipient.data)
            message = export_records(
                peer,
                Selection(form.remains_from.data, form.remains_to.data, form.include_missing.data),
                current_user,
            )
        except CaseworkError as error:
            _form_error(form, error, "recipient")
        else:
            return _download(message)
    return render_template("exchanges/export.html", form=form), 400 if form.errors else 200


def _download(message: Any) -> Response:
    return Response(
        message.envelope,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{file_name(message)}"'},
    )


@blueprint.route("/outbox/<uuid:message_id>")
@requires(Permission.SHARE_RECORDS)
def download(message_id: uuid.UUID) -> Any:
    message = get_message(message_id)
    record_download(message)
    return _download(message)


@blueprint.route("/outbox/<uuid:message_id>/push", methods=["POST"])
@requires(Permission.SHARE_RECORDS)
def push(message_id: uuid.UUID) -> Any:
    message = get_message(message_id)
    if not PushForm().validate_on_submit():
        abort(400)
    try:
        status = push_message(message)
    except CaseworkError as error:
        flash(error.message, "error")
        return redirect(url_for("exchanges.index")), 303
    flash(_("Delivered.") if status == "new" else _("The peer had received it already."), "success")
    return redirect(url_for("exchanges.index"))


@blueprint.route("/import", methods=["GET", "POST"])
@requires(Permission.SHARE_RECORDS)
def upload() -> Any:
    form = ImportForm()
    if form.validate_on_submit():
        raw = form.message.data.read(DEFAULT_LIMITS.max_envelope_bytes + 1)
        try:
            receipt = receive(raw)
        except CaseworkError as error:
            form.message.errors = [*form.message.errors, error.message]
        else:
            if not receipt.new:
                flash(_("This message was imported before; nothing changed."), "success")
            else:
                flash(
                    _(
                        "Imported %(kind)s from %(sender)s (%(count)d records).",
                        kind=receipt.kind.value,
                        sender=receipt.sender,
                        count=receipt.records,
                    ),
                    "success",
                )
            if receipt.disclosure_id is not None:
                return redirect(
                    url_for("exchanges.disclosure", disclosure_id=receipt.disclosure_id)
                )
            return redirect(url_for("exchanges.hits_index"))
    return render_template("exchanges/import.html", form=form), 400 if form.errors else 200


def _inbox_limit() -> str:
    return str(current_app.config["EXCHANGE_INBOX_RATE_LIMIT"])


def _inbox_flooded(limit: Any) -> Any:
    """The refusal a peer's installation reads, in the inbox's own format."""
    response, status = _refusal(
        "rate-limited", "Too many messages from this address: send again a little later.", 429
    )
    response.status_code = status  # the limiter adds Retry-After: the seconds until it resets
    return response


@csrf.exempt
@blueprint.route("/inbox", methods=["POST"])
# per sending address: each message costs a signature check and a decryption, and the inbox
# answers anyone before it knows who they are
@limiter.limit(_inbox_limit, on_breach=_inbox_flooded)
def inbox() -> Any:
    """Messages posted by peers' installations; the library checks who sent them."""
    limit = DEFAULT_LIMITS.max_envelope_bytes
    raw = b"" if (request.content_length or 0) > limit else request.stream.read(limit + 1)
    if (request.content_length or 0) > limit or len(raw) > limit:
        return _refusal("too-large", "The message exceeds the envelope limit.", 413)
    g.audit_actor = Actor(None, "exchange inbox", None, request.remote_addr)
    try:
        receipt = receive(raw)
    except CaseworkError as error:
        # a peer's installation reads the library's words (English, like the codes), not ours
        text = getattr(error, "detail", None) or error.message
        return _refusal(getattr(error, "code", "refused"), text, error.status_code)
    return jsonify(
        {
            "ok": True,
            "kind": receipt.kind.value,
            "id": receipt.message_id,
            "status": "new" if receipt.new else "already-imported",
        }
    )


def _refusal(code: str, message: str, status: int) -> Any:
    return jsonify({"ok": False, "error": {"code": code, "message": message}}), status


# Hits and disclosure -------------------------------------------------------------------------


@blueprint.route("/hits")
@requires(Permission.READ_EXCHANGE)
def hits_index() -> Any:
    return render_template("exchanges/hits.html", hits=hits.hits_for(current_user))


def _hit_page(hit: Any, form: DisclosureRequestForm | None = None, status: int = 200) -> Any:
    return render_template(
        "exchanges/hit.html",
        hit=hit,
        case=hits.local_case(hit),
        shared=shared_record(hit.foreign_record),
        evidence=json.loads(hit.evidence),
        form=form or DisclosureRequestForm(formdata=None),
    ), status


@blueprint.route("/hits/<uuid:hit_id>")
@requires(Permission.READ_EXCHANGE)
def hit(hit_id: uuid.UUID) -> Any:
    return _hit_page(hits.get_hit(current_user, hit_id))


@blueprint.route("/hits/<uuid:hit_id>/request", methods=["POST"])
@requires(Permission.SHARE_RECORDS)
def request_disclosure(hit_id: uuid.UUID) -> Any:
    found = hits.get_hit(current_user, hit_id)
    form = DisclosureRequestForm()
    if not form.validate_on_submit():
        return _hit_page(found, form, 400)
    try:
        disclosure, message = disclosures.request_disclosure(
            found,
            current_user,
            purpose=form.purpose.data,
            justification=form.justification.data,
            fields=form.fields.data,
        )
    except CaseworkError as error:
        _form_error(form, error, "justification")
        return _hit_page(hits.get_hit(current_user, hit_id), form, 400)
    flash(_request_sent(disclosure.peer, message), "success")
    return redirect(url_for("exchanges.disclosure", disclosure_id=disclosure.id))


def _dna_page(form: DisclosureRequestForm | None = None, status: int = 200) -> Any:
    return render_template(
        "exchanges/dna_results.html",
        results=dna_search.visible_results(current_user),
        form=form or DisclosureRequestForm(formdata=None),
    ), status


@blueprint.route("/dna")
@requires(Permission.READ_EXCHANGE)
def dna_results() -> Any:
    return _dna_page()


@blueprint.route("/dna/<uuid:result_id>/request", methods=["POST"])
@requires(Permission.SHARE_RECORDS)
def request_dna_disclosure(result_id: uuid.UUID) -> Any:
    found = dna_search.get_result(current_user, result_id)
    form = DisclosureRequestForm()
    if not form.validate_on_submit():
        return _dna_page(form, 400)
    try:
        disclosure, message = disclosures.request_dna_disclosure(
            found,
            current_user,
            purpose=form.purpose.data,
            justification=form.justification.data,
            fields=form.fields.data,
        )
    except CaseworkError as error:
        _form_error(form, error, "justification")
        return _dna_page(form, 400)
    flash(_request_sent(disclosure.peer, message), "success")
    return redirect(url_for("exchanges.disclosure", disclosure_id=disclosure.id))


@blueprint.route("/disclosures")
@requires(Permission.READ_EXCHANGE)
def disclosures_index() -> Any:
    return render_template(
        "exchanges/disclosures.html", disclosures=disclosures.disclosures_for(current_user)
    )


def _disclosure_page(item: Any, form: DecisionForm | None = None, status: int = 200) -> Any:
    released = json.loads(item.disclosed) if item.disclosed else None
    if released:
        disclosures.record_released_view(item, sorted(released))
    return render_template(
        "exchanges/disclosure.html",
        item=item,
        case=disclosures.case_of(item),
        released=released,
        form=form or DecisionForm(formdata=None),
        can_decide=(
            item.direction is DisclosureDirection.INCOMING
            and item.status is DisclosureStatus.AWAITING_DECISION
            and allows(current_user, Permission.DECIDE_DISCLOSURE)
        ),
    ), status


@blueprint.route("/disclosures/<uuid:disclosure_id>")
@requires(Permission.READ_EXCHANGE)
def disclosure(disclosure_id: uuid.UUID) -> Any:
    return _disclosure_page(disclosures.get_disclosure(current_user, disclosure_id))


@blueprint.route("/disclosures/<uuid:disclosure_id>/decide", methods=["POST"])
@requires(Permission.DECIDE_DISCLOSURE)
def decide(disclosure_id: uuid.UUID) -> Any:
    item = disclosures.get_disclosure(current_user, disclosure_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _disclosure_page(item, form, 400)
    try:
        sent = disclosures.decide(
            item,
            current_user,
            approve=form.decision.data == "approve",
            reason=form.reason.data,
            fields=form.fields.data,
        )
    except CaseworkError as error:
        _form_error(form, error, "reason")
        return _disclosure_page(disclosures.get_disclosure(current_user, disclosure_id), form, 400)
    flash(_decision_sent(item.peer, sent), "success")
    return redirect(url_for("exchanges.index"))
