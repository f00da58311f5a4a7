"""The trust list: peer authorities added by an administrator after comparing fingerprints out
of band, their validity and revocation, and the linkage secret agreed with each."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.clock import now
from casework.db import db, transaction
from casework.errors import NotFound, ValidationError
from casework.exchanges.errors import refusal
from casework.exchanges.identity import IDENTITY_FORMAT, current_identity
from casework.exchanges.models import PeerAuthority
from exchange import AuthorityPublicKeys, ExchangeError, TrustedAuthority, TrustList
from exchange.trust import AUTHORITY_ID_PATTERN, COUNTRY_PATTERN
from exchange.wire import parse_json

_IDENTITY_FIELDS = {"format", "authority_id", "country", "name", "keys", "fingerprint"}


def _identity_document(raw: bytes) -> dict[str, object]:
    try:
        document = parse_json(raw, max_bytes=64 * 1024)
    except ExchangeError:
        document = None
    if (
        not isinstance(document, dict)
        or set(document) != _IDENTITY_FIELDS
        or document["format"] != IDENTITY_FORMAT
    ):
        raise ValidationError(
            _l("This is not an authority's public key file (from `casework exchange keys show`)."),
            field="identity",
        )
    return document


def parse_linkage_secret(text: str | None) -> str:
    """The linkage secret as agreed with the peer: hexadecimal, 32 bytes or more."""
    compact = re.sub(r"\s+", "", text or "").lower()
    if not re.fullmatch(r"(?:[0-9a-f]{2}){32,128}", compact):
        raise ValidationError(
            _l("The linkage secret is 64 to 256 hexadecimal digits, as agreed with the peer."),
            field="linkage_secret",
        )
    return compact


def _inbox_url(text: str | None) -> str | None:
    url = (text or "").strip()
    if not url:
        return None
    if not re.fullmatch(r"https?://[^\s]{1,490}", url):
        raise ValidationError(
            _l("The inbox address starts with https:// (or http:// on a closed network)."),
            field="inbox_url",
        )
    return url


def _same_fingerprint(stated: str, confirmed: str) -> bool:
    return re.sub(r"\s+", "", confirmed).lower() == stated


def _checked_identity(
    raw_identity: bytes, confirmed_fingerprint: str | None
) -> tuple[dict[str, object], AuthorityPublicKeys]:
    """The identity file's document and keys, once its fingerprint matches its keys and what
    the administrator compared with the peer."""
    document = _identity_document(raw_identity)
    try:
        keys = AuthorityPublicKeys.from_json(document["keys"])
    except ExchangeError as error:
        raise ValidationError(refusal(error), field="identity") from None
    fingerprint = keys.fingerprint.hex()
    if document["fingerprint"] != fingerprint:
        raise ValidationError(
            _l("The fingerprint in the file does not match its keys: the file was altered."),
            field="identity",
        )
    if confirmed_fingerprint is not None and not _same_fingerprint(
        fingerprint, confirmed_fingerprint
    ):
        raise ValidationError(
            _l(
                "The fingerprint you compared with the peer does not match these keys. "
                "Do not trust them; ask the peer for its file again."
            ),
            field="fingerprint",
        )
    return document, keys


def add_peer(
    raw_identity: bytes,
    *,
    valid_until: datetime,
    confirmed_fingerprint: str | None,
    linkage_secret: str | None = None,
    valid_from: datetime | None = None,
    inbox_url: str | None = None,
    user: User | None = None,
) -> PeerAuthority:
    """Trust a peer's keys from the file it gave us.

    `confirmed_fingerprint` is what the administrator heard from the peer by telephone; None
    only when the operator confirmed it another way (the command asks). `linkage_secret` is
    needed only to read the peer's version 1 bundles during the transition (names as Bloom
    filters); version 2 needs none.
    """
    with transaction():
        document, keys = _checked_identity(raw_identity, confirmed_fingerprint)
        fingerprint = keys.fingerprint.hex()
        authority_id, country, name = (
            document["authority_id"],
            document["country"],
            document["name"],
        )
        if not isinstance(authority_id, str) or not AUTHORITY_ID_PATTERN.match(authority_id):
            raise ValidationError(_l("The file names an invalid authority id."), field="identity")
        if not isinstance(country, str) or not COUNTRY_PATTERN.match(country):
            raise ValidationError(_l("The file names an invalid country."), field="identity")
        if not isinstance(name, str) or not 1 <= len(name) <= 200:
            raise ValidationError(_l("The file names no valid authority name."), field="identity")
        own = current_identity()
        if own is not None and own.authority_id == authority_id:
            raise ValidationError(_l("That is this installation's own identity."), field="identity")
        if db.session.scalar(
            select(PeerAuthority.id).where(PeerAuthority.authority_id == authority_id)
        ):
            raise ValidationError(
                _l(
                    "%(authority)s is in the trust list already; revoke it before adding new keys.",
                    authority=authority_id,
                ),
                field="identity",
            )
        start = valid_from or now()
        if valid_until.tzinfo is None or start.tzinfo is None:
            raise ValidationError(
                _l("Give the validity dates with a time zone."), field="valid_until"
            )
        if valid_until <= start:
            raise ValidationError(
                _l("The end of validity must be later than its start."), field="valid_until"
            )
        peer = PeerAuthority(
            authority_id=authority_id,
            country=country,
            name=name,
            public_keys=json.dumps(keys.to_json(), sort_keys=True),
            fingerprint=fingerprint,
            valid_from=start,
            valid_until=valid_until,
            inbox_url=_inbox_url(inbox_url),
            added_by_id=user.id if user else None,
        )
        if linkage_secret:
            peer.linkage_secret = parse_linkage_secret(linkage_secret)
        db.session.add(peer)
        db.session.flush()
        record(AuditAction.KEYS, peer, event="peer trusted", authority=authority_id)
        return peer


def revoke_peer(peer: PeerAuthority) -> None:
    with transaction():
        if peer.revoked_at is not None:
            raise ValidationError(
                _l("%(authority)s was revoked already.", authority=peer.authority_id)
            )
        peer.revoked_at = now()
        record(AuditAction.KEYS, peer, event="peer revoked", authority=peer.authority_id)


def rotate_peer_keys(
    peer: PeerAuthority, raw_identity: bytes, *, confirmed_fingerprint: str | None
) -> None:
    """Replace a peer's keys with the new ones in its identity file (spec §4 key rotation),
    compared out of band like the first ones. Messages signed with the old keys are refused
    from now on; a sequence reset under the new keys becomes acceptable (spec §5.6)."""
    with transaction():
        document, keys = _checked_identity(raw_identity, confirmed_fingerprint)
        if document["authority_id"] != peer.authority_id:
            raise ValidationError(
                _l("This file is the identity of another authority."), field="identity"
            )
        fingerprint = keys.fingerprint.hex()
        if fingerprint == peer.fingerprint:
            raise ValidationError(_l("These are the keys we trust already."), field="identity")
        old = peer.fingerprint
        peer.public_keys = json.dumps(keys.to_json(), sort_keys=True)
        peer.fingerprint = fingerprint
        peer.revoked_at = None
        record(
            AuditAction.KEYS,
            peer,
            event="peer keys rotated",
            authority=peer.authority_id,
            old_fingerprint=old,
            new_fingerprint=fingerprint,
        )


def update_peer(peer: PeerAuthority, *, linkage_secret: str | None, inbox_url: str | None) -> None:
    """Change the agreed linkage secret (if given) and the inbox address."""
    with transaction():
        if linkage_secret:
            peer.linkage_secret = parse_linkage_secret(linkage_secret)
        peer.inbox_url = _inbox_url(inbox_url)
        record(AuditAction.KEYS, peer, event="peer settings changed")


def peers() -> list[PeerAuthority]:
    return list(db.session.scalars(select(PeerAuthority).order_by(PeerAuthority.authority_id)))


def get_peer(peer_id: uuid.UUID | str) -> PeerAuthority:
    try:
        key = peer_id if isinstance(peer_id, uuid.UUID) else uuid.UUID(str(peer_id))
    except ValueError:
        key = None
    peer = db.session.get(PeerAuthority, key) if key else None
    if peer is None:
        peer = db.session.scalar(
            select(PeerAuthority).where(PeerAuthority.authority_id == str(peer_id))
        )
    if peer is None:
        raise NotFound(_l("No authority %(authority)s is in the trust list.", authority=peer_id))
    return peer


def trusted(peer: PeerAuthority) -> TrustedAuthority:
    return TrustedAuthority(
        authority_id=peer.authority_id,
        country=peer.country,
        name=peer.name,
        keys=AuthorityPublicKeys.from_json(json.loads(peer.public_keys)),
        valid_from=peer.valid_from,
        valid_until=peer.valid_until,
        revoked_at=peer.revoked_at,
    )


def trust_list() -> TrustList:
    return TrustList(trusted(peer) for peer in peers())


def linkage_secret(peer: PeerAuthority) -> bytes | None:
    """The secret for the peer's version 1 name filters; None when none was agreed."""
    return bytes.fromhex(peer.linkage_secret) if peer.linkage_secret else None


def usable(peer: PeerAuthority, moment: datetime) -> bool:
    return peer.revoked_at is None and peer.valid_from <= moment < peer.valid_until
