"""Disclosure of the personal data behind a hit: our officer's signed request to the owning
authority; a peer's request to us, decided by a supervisor, and the approved fields sent back
encrypted to the requester. Both sides audit every step."""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from casework.accounts.models import Role, User
from casework.audit.services import AuditAction, append, record
from casework.cases.events import disclosure_requested
from casework.clock import now
from casework.db import db, transaction
from casework.errors import Message, NotAllowed, NotFound, ValidationError
from casework.exchanges.errors import ExchangeRefused
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.models import (
    CrossBorderHit,
    Disclosure,
    DisclosureDirection,
    DisclosureStatus,
    DnaSearchResult,
    DnaSearchStatus,
    ExportedRecord,
    MessageKind,
    OutgoingMessage,
    PeerAuthority,
    RecordKind,
)
from casework.exchanges.outbox import post
from casework.exchanges.trust import get_peer
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains
from exchange import (
    DISCLOSABLE_FIELDS,
    Decision,
    DisclosureDecision,
    DisclosureRequest,
    DisclosureResponse,
    EnvelopeHeader,
    ExchangeError,
    Officer,
    Purpose,
    RecordType,
    check_response,
    commit_import,
    new_request_id,
    open_disclosure_decision,
    open_disclosure_request,
    open_disclosure_response,
    seal_disclosure_decision,
    seal_disclosure_request,
    seal_disclosure_response,
)

MAX_TEXT = 2000
MAX_VALUE = 4000


def _officer(user: User) -> Officer:
    return Officer(user.display_name[:200], user.role.value.replace("_", " "))


def _label(officer: Officer) -> str:
    return f"{officer.name} ({officer.role})"


def _text(value: str | None, field: str, too_short: Message, too_long: Message) -> str:
    text = (value or "").strip()
    if len(text) < 10:
        raise ValidationError(too_short, field=field)
    if len(text) > MAX_TEXT:
        raise ValidationError(too_long, field=field)
    return text


def _fields(names: list[str] | None, field: str = "fields") -> frozenset[str]:
    chosen = frozenset(names or ())
    if not chosen:
        raise ValidationError(_l("Choose at least one field."), field=field)
    if not chosen <= DISCLOSABLE_FIELDS:
        raise ValidationError(_l("Choose fields from the list."), field=field)
    return chosen


# Requester side ----------------------------------------------------------------------------


def request_disclosure(
    hit: CrossBorderHit,
    user: User,
    *,
    purpose: str | None,
    justification: str | None,
    fields: list[str] | None,
) -> tuple[Disclosure, OutgoingMessage]:
    """Ask the authority that sent the record of a hit for personal data behind it."""
    foreign = hit.foreign_record
    return _request(
        foreign.peer,
        foreign.pseudonym,
        foreign.record_kind,
        user,
        purpose=purpose,
        justification=justification,
        fields=fields,
        hit_id=hit.id,
        missing_person_id=hit.missing_person_id,
        remains_id=hit.remains_id,
    )


def request_dna_disclosure(
    result: DnaSearchResult,
    user: User,
    *,
    purpose: str | None,
    justification: str | None,
    fields: list[str] | None,
) -> tuple[Disclosure, OutgoingMessage]:
    """Ask the authority whose remains a cross-border DNA search hit for the data behind them
    (the remains' pseudonym came with the hit)."""
    if result.status is not DnaSearchStatus.HIT or result.remains_pseudonym is None:
        raise ValidationError(_l("Only a DNA hit can lead to a disclosure request."))
    return _request(
        result.peer,
        result.remains_pseudonym,
        RecordKind.REMAINS,
        user,
        purpose=purpose,
        justification=justification,
        fields=fields,
        hit_id=None,
        missing_person_id=result.missing_person_id,
        remains_id=None,
    )


def _request(
    peer: PeerAuthority,
    pseudonym: str,
    record_kind: RecordKind,
    user: User,
    *,
    purpose: str | None,
    justification: str | None,
    fields: list[str] | None,
    hit_id: uuid.UUID | None,
    missing_person_id: uuid.UUID | None,
    remains_id: uuid.UUID | None,
) -> tuple[Disclosure, OutgoingMessage]:
    with transaction():
        try:
            why = Purpose(purpose or "")
        except ValueError:
            raise ValidationError(
                _l("Choose the purpose from the list."), field="purpose"
            ) from None
        request = DisclosureRequest(
            request_id=new_request_id(),
            pseudonym=pseudonym,
            record_type=RecordType(record_kind.value),
            purpose=why,
            justification=_text(
                justification,
                "justification",
                _l("Give the justification in a sentence or two."),
                _l("Keep the justification under 2,000 characters."),
            ),
            requested_fields=_fields(fields),
            requested_by=_officer(user),
        )
        message = post(
            peer,
            MessageKind.DISCLOSURE_REQUEST,
            seal_disclosure_request,
            request,
            user=user,
            event="disclosure requested",
            audit={
                "request_id": request.request_id,
                "fields": sorted(request.requested_fields),
            },
        )
        disclosure = Disclosure(
            direction=DisclosureDirection.OUTGOING,
            request_id=request.request_id,
            peer_id=peer.id,
            pseudonym=pseudonym,
            record_kind=record_kind,
            purpose=why.value,
            justification=request.justification,
            requested_fields=";".join(sorted(request.requested_fields)),
            requested_by=_label(request.requested_by),
            hit_id=hit_id,
            missing_person_id=missing_person_id,
            remains_id=remains_id,
            created_by_id=user.id,
        )
        db.session.add(disclosure)
        db.session.flush()
        return disclosure, message


# Owner side ----------------------------------------------------------------------------------


def _value(case: MissingPerson | UnidentifiedRemains, name: str) -> str | None:
    creator = None
    if case.created_by_id is not None:
        creator = db.session.get(User, case.created_by_id)
    common = {
        "case_reference": case.reference,
        "case_officer": creator.display_name if creator else None,
    }
    if isinstance(case, MissingPerson):
        reporters = [r for r in case.relatives if r.is_reporter]
        values: dict[str, str | None] = {
            **common,
            "given_names": case.given_names,
            "surnames": case.surnames,
            "aliases": "; ".join(case.aliases) or None,
            "birth_date": case.birth_date,
            "nationality": case.nationality,
            "last_seen_date": case.last_seen_date.isoformat() if case.last_seen_date else None,
            "last_seen_place": case.last_seen_place,
            "description": case.circumstances,
            "family_contact": "; ".join(
                " ".join(part for part in (r.name, r.contact) if part) for r in reporters
            )
            or None,
        }
    else:
        place = ", ".join(
            part
            for part in (
                case.recovery_date.isoformat() if case.recovery_date else None,
                case.recovery_place,
            )
            if part
        )
        values = {
            **common,
            "aliases": "; ".join(case.document_names) or None,
            "last_seen_place": place or None,
            "description": case.notes_text,
        }
    value = values.get(name)
    return value[:MAX_VALUE] if value else None


def decide(
    disclosure: Disclosure,
    user: User,
    *,
    approve: bool,
    reason: str | None,
    fields: list[str] | None,
) -> list[OutgoingMessage]:
    """A supervisor's decision on a peer's request; on approval the fields go out encrypted.
    Returns the messages posted to the peer (the decision, then the response if any)."""
    with transaction():
        if user.role is not Role.SUPERVISOR:
            raise NotAllowed(_l("Only a supervisor can decide on a disclosure request."))
        if disclosure.direction is not DisclosureDirection.INCOMING:
            raise ValidationError(_l("Only the owner of a record decides on a request for it."))
        if disclosure.status is not DisclosureStatus.AWAITING_DECISION:
            raise ValidationError(_l("This request was decided already."))
        peer = disclosure.peer
        why = _text(
            reason,
            "reason",
            _l("Give the reason for the decision in a sentence or two."),
            _l("Keep the reason for the decision under 2,000 characters."),
        )
        approved: frozenset[str] = frozenset()
        if approve:
            approved = _fields(fields)
            if not approved <= set(disclosure.requested_field_list):
                raise ValidationError(
                    _l("Approve only fields that were asked for."), field="fields"
                )
        decision = DisclosureDecision(
            request_id=disclosure.request_id,
            decision=Decision.APPROVED if approve else Decision.REFUSED,
            reason=why,
            approved_fields=approved,
            decided_by=_officer(user),
        )
        sent = [
            post(
                peer,
                MessageKind.DISCLOSURE_DECISION,
                seal_disclosure_decision,
                decision,
                user=user,
                event="disclosure approved" if approve else "disclosure refused",
                audit={"request_id": disclosure.request_id, "approved_fields": sorted(approved)},
            )
        ]
        released: list[str] = []
        if approve:
            case = _case(disclosure)
            values = {name: _value(case, name) for name in sorted(approved)}
            present = {name: value for name, value in values.items() if value}
            if present:
                # pushed after the decision: the requester refuses it before (a push that
                # overtakes the decision is tried again, see transport.AWAITING_EARLIER)
                response = post(
                    peer,
                    MessageKind.DISCLOSURE_RESPONSE,
                    partial(seal_disclosure_response, decision=decision),
                    DisclosureResponse(disclosure.request_id, disclosure.pseudonym, present),
                    user=user,
                    event="disclosure response sent",
                    audit={"request_id": disclosure.request_id, "released_fields": sorted(present)},
                )
                sent.append(response)
                released = sorted(present)
        disclosure.status = (
            DisclosureStatus.REFUSED
            if not approve
            else DisclosureStatus.ANSWERED
            if released
            else DisclosureStatus.APPROVED
        )
        disclosure.decision_reason = why
        disclosure.approved_fields = ";".join(sorted(approved)) or None
        disclosure.decided_by = _label(decision.decided_by)
        disclosure.decided_at = now()
        return sent


def _case(disclosure: Disclosure) -> MissingPerson | UnidentifiedRemains:
    if disclosure.missing_person_id is not None:
        case = db.session.get(MissingPerson, disclosure.missing_person_id)
    else:
        case = db.session.get(UnidentifiedRemains, disclosure.remains_id)
    if case is None:
        raise ValidationError(_l("The case this request is about no longer exists."))
    return case


# Receiving ---------------------------------------------------------------------------------


def _ours(peer: PeerAuthority, request_id: str) -> Disclosure:
    disclosure = db.session.scalar(
        select(Disclosure).where(
            Disclosure.direction == DisclosureDirection.OUTGOING,
            Disclosure.request_id == request_id,
            Disclosure.peer_id == peer.id,
        )
    )
    if disclosure is None:
        raise ExchangeRefused(
            _l(
                "%(authority)s answers a request we did not send it.",
                authority=peer.authority_id,
            ),
            code="unknown-request",
        )
    return disclosure


def _store_request(header: EnvelopeHeader, request: DisclosureRequest) -> Disclosure:
    peer = get_peer(header.sender_id)
    exported = db.session.scalar(
        select(ExportedRecord).where(
            ExportedRecord.peer_id == peer.id, ExportedRecord.pseudonym == request.pseudonym
        )
    )
    if exported is None or exported.record_kind.value != request.record_type.value:
        raise ExchangeRefused(
            _l("The request names a record we never sent to this authority."), code="unknown-record"
        )
    if db.session.scalar(
        select(Disclosure.id).where(
            Disclosure.direction == DisclosureDirection.INCOMING,
            Disclosure.request_id == request.request_id,
        )
    ):
        raise ExchangeRefused(_l("A request with this id was received already."), code="id-reused")
    disclosure = Disclosure(
        direction=DisclosureDirection.INCOMING,
        request_id=request.request_id,
        peer_id=peer.id,
        pseudonym=request.pseudonym,
        record_kind=RecordKind(request.record_type.value),
        purpose=request.purpose.value,
        justification=request.justification,
        requested_fields=";".join(sorted(request.requested_fields)),
        requested_by=_label(request.requested_by),
        missing_person_id=exported.missing_person_id,
        remains_id=exported.remains_id,
    )
    db.session.add(disclosure)
    disclosure_requested.send(disclosure)
    return disclosure


def _store_decision(header: EnvelopeHeader, decision: DisclosureDecision) -> Disclosure:
    disclosure = _ours(get_peer(header.sender_id), decision.request_id)
    if disclosure.status is not DisclosureStatus.AWAITING_DECISION:
        raise ExchangeRefused(_l("This request was decided already."), code="already-decided")
    disclosure.status = (
        DisclosureStatus.APPROVED
        if decision.decision is Decision.APPROVED
        else DisclosureStatus.REFUSED
    )
    disclosure.decision_reason = decision.reason
    disclosure.approved_fields = ";".join(sorted(decision.approved_fields)) or None
    disclosure.decided_by = _label(decision.decided_by)
    disclosure.decided_at = now()
    return disclosure


def _store_response(header: EnvelopeHeader, response: DisclosureResponse) -> Disclosure:
    disclosure = _ours(get_peer(header.sender_id), response.request_id)
    if disclosure.status is not DisclosureStatus.APPROVED:
        raise ExchangeRefused(
            _l("No approval of this request has been received: import the decision first."),
            code="decision-missing",
        )
    decision = DisclosureDecision(
        request_id=disclosure.request_id,
        decision=Decision.APPROVED,
        reason=disclosure.decision_reason or "-",
        approved_fields=frozenset(disclosure.approved_field_list),
        decided_by=Officer("-", "-"),
    )
    try:
        check_response(response, decision)
    except ExchangeError as error:
        raise ExchangeRefused.of(error) from None
    if response.pseudonym != disclosure.pseudonym:
        raise ExchangeRefused(
            _l("The response is about another record than the request."), code="wrong-record"
        )
    disclosure.disclosed = json.dumps(dict(response.fields), ensure_ascii=False, sort_keys=True)
    disclosure.status = DisclosureStatus.ANSWERED
    disclosure.answered_at = now()
    return disclosure


_OPENERS: dict[MessageKind, Any] = {
    MessageKind.DISCLOSURE_REQUEST: (open_disclosure_request, _store_request),
    MessageKind.DISCLOSURE_DECISION: (open_disclosure_decision, _store_decision),
    MessageKind.DISCLOSURE_RESPONSE: (open_disclosure_response, _store_response),
}


def receive(
    kind: MessageKind, raw: bytes, arguments: dict[str, Any], guard: DatabaseReplayGuard
) -> tuple[EnvelopeHeader, bool, uuid.UUID | None]:
    """Open a disclosure message and store it in the caller's transaction (which commits)."""
    opener, store = _OPENERS[kind]
    received = opener(raw, **arguments)
    disclosure_id = None
    if received.is_new:
        disclosure = store(received.header, received.content)
        db.session.flush()
        disclosure_id = disclosure.id
        commit_import(received, guard)
        append(
            db.session,
            "import",
            object_type="Disclosure",
            object_id=disclosure.id,
            details={
                "event": f"{kind.value} received",
                "sender": received.header.sender_id,
                "request_id": disclosure.request_id,
                "fields": disclosure.approved_field_list or disclosure.requested_field_list,
            },
        )
    return received.header, received.is_new, disclosure_id


def visible_disclosures(user: User) -> Any:
    """Requests about cases the user may see, ours and peers'."""
    return (
        select(Disclosure)
        .outerjoin(MissingPerson, Disclosure.missing_person_id == MissingPerson.id)
        .outerjoin(UnidentifiedRemains, Disclosure.remains_id == UnidentifiedRemains.id)
        .where(
            or_(
                and_(Disclosure.missing_person_id.is_not(None), missing_visible_to(user)),
                and_(Disclosure.remains_id.is_not(None), remains_visible_to(user)),
            )
        )
    )


def record_released_view(item: Disclosure, fields: list[str]) -> None:
    """Released personal data is about to be shown: which fields, by whom."""
    with transaction():
        record(AuditAction.VIEW, item, fields=fields)


def disclosures_for(user: User, limit: int = 200) -> list[Disclosure]:
    query = visible_disclosures(user).order_by(Disclosure.created_at.desc()).limit(limit)
    return list(db.session.scalars(query))


def get_disclosure(user: User, disclosure_id: uuid.UUID) -> Disclosure:
    disclosure = db.session.scalar(visible_disclosures(user).where(Disclosure.id == disclosure_id))
    if disclosure is None:
        raise NotFound(_l("No such disclosure request."))
    return disclosure


def case_of(disclosure: Disclosure) -> MissingPerson | UnidentifiedRemains | None:
    if disclosure.missing_person_id is None and disclosure.remains_id is None:
        return None
    return _case(disclosure)
