"""Withdrawing a shared record (spec §7.1): when a family withdraws its consent, our next bundle
tells the peer to delete its copy; a peer's withdrawal deletes our copy and its hits."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.casework.exchanges.builders import (
    make_identity,
    make_peer,
    peer_bundle,
    peer_remains,
)
from tests.casework.exchanges.test_bundles import _open_as_peer, _user
from tests.casework.factories import make_missing


@pytest.fixture
def peer(app, world):
    with app.test_request_context():
        make_identity()
        return make_peer(country="GTM")


def test_withdrawn_consent_withdraws_the_record_from_the_peer(app, world, peer):
    from casework.db import transaction
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.models import ExportedRecord, PeerAuthority
    from casework.extensions import db
    from casework.missing.services import add_relative
    from exchange import SharedMissingPerson, SharedWithdrawal

    with app.test_request_context():
        liaison = _user("family_liaison", world)
        person = make_missing(liaison)
        relative = add_relative(
            person,
            {
                "name": "Rosa",
                "relationship_to_missing": "mother",
                "consent_to_share": "y",
                "consent_countries": "GTM",
            },
        )
        recipient = db.session.get(PeerAuthority, peer.row_id)
        first = export_records(recipient, Selection(None, None, True), liaison)
        with transaction():
            relative.consent_to_share = False  # the mother withdraws her consent
        second = export_records(recipient, Selection(None, None, True), liaison)
        third = export_records(recipient, Selection(None, None, True), liaison)
        row = db.session.scalars(select(ExportedRecord)).one()
        assert row.withdrawn_at is not None
        envelopes = [first.envelope, second.envelope, third.envelope]
    contents = [_open_as_peer(peer, raw).content for raw in envelopes]
    assert [type(r) for r in contents[0]] == [SharedMissingPerson]
    assert contents[1] == (SharedWithdrawal(contents[0][0].pseudonym),)
    assert contents[2] == ()  # withdrawn once, not again


def test_a_peer_withdrawal_deletes_our_copy_and_its_hits(app, world, peer):
    from casework.audit.models import AuditEntry
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import CrossBorderHit, ForeignRecord
    from casework.extensions import db
    from exchange import SharedWithdrawal
    from tests.casework.factories import make_remains

    with app.test_request_context():
        make_remains(_user("forensic_officer", world))
        record = peer_remains("PM-1", document_names=("JOSE L PEREZ",))
        receive(peer_bundle(peer, [record], sequence=1))
        assert db.session.scalars(select(ForeignRecord)).all()
        receive(peer_bundle(peer, [SharedWithdrawal(record.pseudonym)], sequence=2))
        assert db.session.scalars(select(ForeignRecord)).all() == []
        assert db.session.scalars(select(CrossBorderHit)).all() == []
        details = [
            json.loads(entry.details)
            for entry in db.session.scalars(
                select(AuditEntry).where(AuditEntry.object_type == "Bundle")
            )
        ]
        assert [d["withdrawn"] for d in details] == [0, 1]


def test_a_version_1_bundle_cannot_carry_a_withdrawal() -> None:
    from exchange import MalformedMessageError
    from exchange.shared import record_from_json

    with pytest.raises(MalformedMessageError):
        record_from_json({"type": "withdrawn", "pseudonym": "A" * 43}, version=1)
