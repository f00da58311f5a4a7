"""This installation as an authority: its long-term keys, kept encrypted under the data keys,
and the secrets it derives from the master key."""

from __future__ import annotations

import json

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.audit.services import AuditAction, record
from casework.crypto import derive_key
from casework.db import db, transaction
from casework.errors import SetupError, ValidationError
from casework.exchanges.models import AuthorityIdentity
from exchange import AuthorityKeys, format_fingerprint
from exchange.trust import AUTHORITY_ID_PATTERN, COUNTRY_PATTERN
from exchange.wire import b64url_decode, b64url_encode, canonical_json

IDENTITY_FORMAT = "casework-authority"


def current_identity() -> AuthorityIdentity | None:
    return db.session.scalar(select(AuthorityIdentity).limit(1))


def require_identity() -> AuthorityIdentity:
    identity = current_identity()
    if identity is None:
        raise SetupError(
            _l("This installation has no exchange keys yet: run `casework exchange keys init`.")
        )
    return identity


def create_identity(authority_id: str, country: str, name: str) -> AuthorityIdentity:
    """Generate our long-term keys once; the private seeds are stored encrypted."""
    with transaction():
        authority_id = authority_id.strip()
        country = country.strip().upper()
        name = name.strip()
        if current_identity() is not None:
            raise ValidationError(_l("This installation has its exchange keys already."))
        if not AUTHORITY_ID_PATTERN.match(authority_id):
            raise ValidationError(
                _l("The authority id is 1-64 lowercase letters, digits and inner hyphens."),
                field="authority_id",
            )
        if not COUNTRY_PATTERN.match(country):
            raise ValidationError(_l("The country is three letters, such as ESP."), field="country")
        if not 1 <= len(name) <= 200:
            raise ValidationError(_l("Give the authority's name (200 characters at most)."))
        keys = AuthorityKeys.generate()
        identity = AuthorityIdentity(
            authority_id=authority_id,
            country=country,
            name=name,
            public_keys=json.dumps(keys.public.to_json(), sort_keys=True),
            fingerprint=keys.public.fingerprint.hex(),
        )
        identity.seeds = json.dumps(
            {label: b64url_encode(seed) for label, seed in keys.seeds().items()}
        )
        db.session.add(identity)
        db.session.flush()
        record(AuditAction.KEYS, identity, event="exchange keys created")
        return identity


def own_keys(identity: AuthorityIdentity) -> AuthorityKeys:
    seeds = json.loads(identity.seeds)
    return AuthorityKeys.from_seeds(
        {label: b64url_decode(value, what=label) for label, value in seeds.items()}
    )


def public_identity(identity: AuthorityIdentity) -> bytes:
    """What we give a peer (with the fingerprint read out by telephone) to trust us."""
    return canonical_json(
        {
            "format": IDENTITY_FORMAT,
            "authority_id": identity.authority_id,
            "country": identity.country,
            "name": identity.name,
            "keys": json.loads(identity.public_keys),
            "fingerprint": identity.fingerprint,
        }
    )


def display_fingerprint(hex_fingerprint: str) -> str:
    return format_fingerprint(bytes.fromhex(hex_fingerprint))


def sender_secret() -> bytes:
    """Our pseudonym and Bloom-hardening secret: never shared, derived from the master key."""
    return derive_key(current_app.config["MASTER_KEY"], "exchange sender secret")
