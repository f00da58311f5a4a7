"""Sharing our cases with a peer as an anonymised bundle, and storing the records of a peer's
bundle: all-or-nothing, idempotent, audited."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from casework.accounts.models import User
from casework.audit.services import append
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.exchanges.errors import ExchangeRefused
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.identity import require_identity, sender_secret
from casework.exchanges.models import (
    ExportedRecord,
    ForeignRecord,
    MessageKind,
    OutgoingMessage,
    PeerAuthority,
    RecordKind,
)
from casework.exchanges.outbox import post
from casework.exchanges.records import missing_for_sharing, remains_for_sharing
from casework.exchanges.trust import get_peer
from casework.matches.services import OPEN_MISSING, OPEN_REMAINS
from casework.missing.models import MissingPerson, Relative
from casework.remains.models import UnidentifiedRemains
from exchange import (
    ExchangeError,
    ImportedBundle,
    SharedMissingPerson,
    SharedRecord,
    SharedWithdrawal,
    commit_import,
    export_bundle,
    share_missing_person,
    share_remains,
)
from exchange.coarsening import Coarsening
from exchange.shared import record_from_json, record_to_json
from exchange.wire import canonical_json

_CHILDREN = ("marks", "effects", "dental")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selection:
    """What an officer chose to share."""

    remains_from: date | None
    remains_to: date | None
    include_missing: bool


def _remains(selection: Selection, user: User | None) -> list[UnidentifiedRemains]:
    if selection.remains_from is None or selection.remains_to is None:
        return []
    query = select(UnidentifiedRemains).where(
        UnidentifiedRemains.status.in_(OPEN_REMAINS),
        UnidentifiedRemains.recovery_date.between(selection.remains_from, selection.remains_to),
    )
    if user is not None:
        query = query.where(UnidentifiedRemains.agency_id == user.agency_id)
    options = [selectinload(getattr(UnidentifiedRemains, name)) for name in _CHILDREN]
    return list(db.session.scalars(query.options(*options).order_by(UnidentifiedRemains.reference)))


def _consented_missing(country: str, user: User | None) -> list[MissingPerson]:
    """Open reports whose reporting relatives agreed to share them with `country`."""
    candidates = select(MissingPerson).where(
        MissingPerson.status.in_(OPEN_MISSING),
        exists(
            select(Relative.id).where(
                Relative.missing_person_id == MissingPerson.id,
                Relative.is_reporter.is_(True),
                Relative.consent_to_share.is_(True),
            )
        ),
    )
    if user is not None:
        candidates = candidates.where(MissingPerson.agency_id == user.agency_id)
    options = [selectinload(getattr(MissingPerson, name)) for name in (*_CHILDREN, "relatives")]
    found = []
    for case in db.session.scalars(candidates.options(*options).order_by(MissingPerson.reference)):
        reporters = [r for r in case.relatives if r.is_reporter]
        # every reporting relative must agree: one family member's consent is not another's
        if all(r.consent_to_share and _consents(r.consent_countries, country) for r in reporters):
            found.append(case)
    return found


def _consents(countries: str | None, country: str) -> bool:
    codes = {code for code in (countries or "").split(";") if code}
    return "*" in codes or country in codes


def _check(selection: Selection) -> None:
    start, end = selection.remains_from, selection.remains_to
    if (start is None) != (end is None):
        raise ValidationError(
            _l("Give both ends of the recovery period, or neither."), field="remains_to"
        )
    if start is not None and end is not None and end < start:
        raise ValidationError(_l("The period ends before it starts."), field="remains_to")
    if start is None and not selection.include_missing:
        raise ValidationError(
            _l("Choose something to share: remains recovered in a period, or missing persons."),
            field="remains_from",
        )


def export_records(
    peer: PeerAuthority, selection: Selection, user: User | None = None
) -> OutgoingMessage:
    """Anonymise the chosen cases for `peer` and post them as the next bundle (sealed, kept,
    audited, pushed when the peer has an inbox), with the withdrawals of what may no longer be
    shared."""
    with transaction():
        _check(selection)
        require_identity()  # refused before any work when we have no identity yet
        moment = now()
        secret = sender_secret()  # names leave as blinded keys (v2); no linkage secret
        shared = []
        mapping: list[tuple[str, RecordKind, MissingPerson | UnidentifiedRemains]] = []
        remains = _remains(selection, user)
        missing = _consented_missing(peer.country, user) if selection.include_missing else []
        for case in [*remains, *missing]:
            try:
                if isinstance(case, MissingPerson):
                    item = share_missing_person(
                        missing_for_sharing(case),
                        recipient_id=peer.authority_id,
                        sender_secret=secret,
                    )
                else:
                    item = share_remains(
                        remains_for_sharing(case),
                        recipient_id=peer.authority_id,
                        sender_secret=secret,
                    )
            except ExchangeError as error:
                reason = error.message.split(": ", 1)[-1]
                raise ExchangeRefused(
                    _l(
                        "%(reference)s cannot be shared: %(reason)s Correct it or leave it out.",
                        reference=case.reference,
                        reason=reason,
                    ),
                    code=str(error.code),
                ) from None
            shared.append(item)
            kind = (
                RecordKind.MISSING_PERSON
                if isinstance(item, SharedMissingPerson)
                else RecordKind.REMAINS
            )
            mapping.append((item.pseudonym, kind, case))
        withdrawn = _withdrawals(peer, {p for p, _, _ in mapping}, user)
        shared.extend(SharedWithdrawal(row.pseudonym) for row in withdrawn)
        message = post(
            peer,
            MessageKind.BUNDLE,
            _seal_bundle,
            shared,
            record_count=len(mapping),
            user=user,
            event="bundle sent",
            audit={
                "remains": [case.reference for case in remains],
                "missing": [case.reference for case in missing],
                "withdrawn": len(withdrawn),
            },
        )
        known = {
            row.pseudonym: row
            for row in db.session.scalars(
                select(ExportedRecord).where(ExportedRecord.peer_id == peer.id)
            )
        }
        for row in withdrawn:
            row.withdrawn_at = moment
        for pseudonym, kind, case in mapping:
            if pseudonym in known:
                known[pseudonym].withdrawn_at = None  # shared again (a case reopened)
            else:
                db.session.add(
                    ExportedRecord(
                        peer_id=peer.id,
                        pseudonym=pseudonym,
                        record_kind=kind,
                        missing_person_id=case.id if isinstance(case, MissingPerson) else None,
                        remains_id=case.id if isinstance(case, UnidentifiedRemains) else None,
                    )
                )
        return message


def _seal_bundle(records: Sequence[SharedRecord], *, message_id: str, **sealing: Any) -> bytes:
    """`export_bundle` as `post` calls a seal: the message id is the bundle's id."""
    return export_bundle(records, bundle_id=message_id, **sealing)


def _still_shareable(row: ExportedRecord, country: str) -> bool:
    if row.missing_person_id is not None:
        case = db.session.get(MissingPerson, row.missing_person_id)
        if case is None or case.status not in OPEN_MISSING:
            return False
        reporters = [r for r in case.relatives if r.is_reporter]
        return bool(reporters) and all(
            r.consent_to_share and _consents(r.consent_countries, country) for r in reporters
        )
    body = db.session.get(UnidentifiedRemains, row.remains_id) if row.remains_id else None
    return body is not None and body.status in OPEN_REMAINS


def _withdrawals(peer: PeerAuthority, sharing: set[str], user: User | None) -> list[ExportedRecord]:
    """Records we sent this peer that may no longer be shared (the case closed, or the family
    withdrew its consent for this country): the next bundle tells the peer to delete them."""
    rows = db.session.scalars(
        select(ExportedRecord).where(
            ExportedRecord.peer_id == peer.id, ExportedRecord.withdrawn_at.is_(None)
        )
    )
    found = []
    for row in rows:
        if row.pseudonym in sharing or _still_shareable(row, peer.country):
            continue
        case = (
            db.session.get(MissingPerson, row.missing_person_id)
            if row.missing_person_id
            else (db.session.get(UnidentifiedRemains, row.remains_id) if row.remains_id else None)
        )
        if user is not None and case is not None and case.agency_id != user.agency_id:
            continue  # another agency's case: its own staff withdraw it
        found.append(row)
    return found


def store_bundle(received: ImportedBundle, guard: DatabaseReplayGuard) -> list[ForeignRecord]:
    """Second phase of a bundle import, in the caller's transaction: store, then commit_import."""
    header = received.header
    peer = get_peer(header.sender_id)
    stored = []
    withdrawn = 0
    for item in received.content or ():
        if isinstance(item, SharedWithdrawal):
            gone = db.session.scalar(
                select(ForeignRecord).where(
                    ForeignRecord.peer_id == peer.id, ForeignRecord.pseudonym == item.pseudonym
                )
            )
            if gone is not None:
                db.session.delete(gone)  # its hits go with it (ON DELETE CASCADE)
                withdrawn += 1
            continue
        kind = (
            RecordKind.MISSING_PERSON
            if isinstance(item, SharedMissingPerson)
            else RecordKind.REMAINS
        )
        row = db.session.scalar(
            select(ForeignRecord).where(
                ForeignRecord.peer_id == peer.id, ForeignRecord.pseudonym == item.pseudonym
            )
        )
        if row is None:
            row = ForeignRecord(peer_id=peer.id, pseudonym=item.pseudonym, record_kind=kind)
            db.session.add(row)
        row.record_kind = kind
        row.bundle_id = header.message_id
        row.content = canonical_json(record_to_json(item)).decode()
        row.format_version = item.version
        row.coarsening = (
            None if item.coarsening is None else canonical_json(item.coarsening.to_json()).decode()
        )
        row.received_at = now()
        stored.append(row)
    commit_import(received, guard)
    versions = sorted({item.version for item in received.content or ()})
    details: dict[str, object] = {
        "sender": header.sender_id,
        "sequence": header.sequence,
        "records": len(stored),
        "withdrawn": withdrawn,
        "format_version": versions[0] if versions else 2,
    }
    if 1 in versions:
        # read during the transition only (spec §12): its names are readable by a recipient
        details["flag"] = "version 1 bundle: names as Bloom filters, read until 2027-06-30"
        log.warning("%s sent a version 1 bundle; ask it to move to version 2", header.sender_id)
    append(db.session, "import", object_type="Bundle", object_id=header.message_id, details=details)
    return stored


def shared_record(row: ForeignRecord) -> SharedRecord:
    shift = None if row.coarsening is None else Coarsening.from_json(json.loads(row.coarsening))
    return record_from_json(json.loads(row.content), version=row.format_version, coarsening=shift)
