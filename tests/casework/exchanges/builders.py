"""Exchange test rows built through the services: our identity, a trusted peer with its own
keys, and bundles or messages that peer sends us."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

LINKAGE_SECRET = "ab" * 32
PEER_ID = "gtm-inacif"


@cache
def peer_keys() -> Any:
    from exchange import AuthorityKeys

    return AuthorityKeys.generate()


def identity_file(authority_id: str, country: str, name: str, keys: Any) -> bytes:
    from exchange.wire import canonical_json

    return canonical_json(
        {
            "format": "casework-authority",
            "authority_id": authority_id,
            "country": country,
            "name": name,
            "keys": keys.public.to_json(),
            "fingerprint": keys.public.fingerprint.hex(),
        }
    )


@dataclass
class Peer:
    """The peer as it sees itself: its id, keys, and our entry in its trust list."""

    row_id: Any
    authority_id: str
    keys: Any
    us: Any  # exchange.TrustedAuthority for our installation


def make_identity() -> Any:
    from casework.exchanges.identity import create_identity

    return create_identity("usa-pcome", "USA", "Pima County Medical Examiner")


def make_peer(
    valid_until: datetime | None = None, inbox_url: str | None = None, country: str = "GTM"
) -> Peer:
    """Trust a peer (the identity must exist); returns what the peer needs to talk to us."""
    from casework.clock import now
    from casework.exchanges.identity import current_identity, own_keys
    from casework.exchanges.trust import add_peer
    from exchange import TrustedAuthority

    keys = peer_keys()
    row = add_peer(
        identity_file(PEER_ID, country, "INACIF Guatemala", keys),
        valid_until=valid_until or now() + timedelta(days=365),
        valid_from=now() - timedelta(days=1),
        linkage_secret=LINKAGE_SECRET,
        confirmed_fingerprint=keys.public.fingerprint.hex(),
        inbox_url=inbox_url,
    )
    ours = current_identity()
    us = TrustedAuthority(
        ours.authority_id,
        ours.country,
        ours.name,
        own_keys(ours).public,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2030, 1, 1, tzinfo=UTC),
    )
    return Peer(row.id, PEER_ID, keys, us)


def peer_remains(local_id: str = "PM-1", **fields: Any) -> Any:
    """A remains record as the peer shares it with us."""
    from exchange import RemainsRecord, Sex, share_remains

    values = {"sex": Sex.MALE, "age_min": 25, "age_max": 40, **fields}
    return share_remains(
        RemainsRecord(local_id, **values),
        recipient_id="usa-pcome",
        sender_secret=b"s" * 32,
        linkage_secret=bytes.fromhex(LINKAGE_SECRET),
    )


START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # where the tests' clock starts


def peer_bundle(peer: Peer, records: list[Any], sequence: int = 1, **options: Any) -> bytes:
    from exchange import export_bundle

    return export_bundle(
        records,
        sender_id=peer.authority_id,
        sender_keys=peer.keys,
        recipient=peer.us,
        sequence=sequence,
        now=options.pop("now", None) or START,
        **options,
    )


def share_with_peer(person: Any, peer: Peer) -> str:
    """Our report, its family consenting, shared with the peer (inside a request context);
    returns the pseudonym the peer knows it by."""
    from sqlalchemy import select

    from casework.db import db
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.models import ExportedRecord, PeerAuthority
    from casework.missing.services import add_relative

    add_relative(
        person,
        {
            "name": "Rosa Xitumul",
            "relationship_to_missing": "mother",
            "contact": "+502 5555 0101",
            "consent_to_share": "y",
            "consent_countries": "*",
        },
    )
    export_records(db.session.get(PeerAuthority, peer.row_id), Selection(None, None, True))
    return str(
        db.session.scalar(
            select(ExportedRecord.pseudonym).where(ExportedRecord.missing_person_id == person.id)
        )
    )


def record_json(record: Any) -> str:
    from exchange.shared import record_to_json
    from exchange.wire import canonical_json

    return canonical_json(record_to_json(record)).decode()


def counts() -> dict[str, int]:
    from sqlalchemy import func, select

    from casework.db import db
    from casework.exchanges import models

    names = ("ForeignRecord", "ImportedMessage", "OutgoingMessage", "Disclosure", "CrossBorderHit")
    return {
        name: db.session.scalar(select(func.count()).select_from(getattr(models, name)))
        for name in names
    }


def evidence(hit: Any) -> list[dict[str, Any]]:
    return json.loads(hit.evidence)
