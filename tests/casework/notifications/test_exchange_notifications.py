"""A cross-border hit and a peer's disclosure request, received through the real inbox, notify
the staff of the agency that holds the case, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.casework.exchanges.builders import make_identity, make_peer, peer_bundle
from tests.casework.exchanges.test_hits_and_disclosure import (
    _request_from_peer,
    _shared_with_peer,
    _user,
)
from tests.casework.factories import make_missing


@pytest.fixture
def peer(app, world):
    with app.test_request_context():
        make_identity()
        return make_peer(country="GTM")


def _rich_remains():
    """Remains the peer found that agree with our report on names, dental work and PMI."""
    from datetime import date

    from exchange import DentalFinding, GeoPoint, Sex
    from tests.casework.exchanges.builders import peer_remains

    return peer_remains(
        "PM-1",
        sex=Sex.MALE,
        age_min=25,
        age_max=40,
        stature_min_cm=160,
        stature_max_cm=175,
        found_date=date(2025, 9, 15),
        found_point=GeoPoint(31.7, -111.4),
        found_uncertainty_m=50,
        pmi_min_days=30,
        pmi_max_days=90,
        document_names=("José Luis Pérez Xitumul",),
        dental=(
            DentalFinding(16, "filled"),
            DentalFinding(36, "crown"),
            DentalFinding(48, "missing-antemortem"),
        ),
    )


def _kinds(user_id):
    from casework.extensions import db
    from casework.notifications.models import Notification

    return sorted(
        (item.kind.value, item.link)
        for item in db.session.scalars(select(Notification).where(Notification.user_id == user_id))
    )


def test_a_cross_border_hit_is_told_to_the_agency_of_our_case(app, world, peer) -> None:
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import CrossBorderHit
    from casework.extensions import db

    with app.test_request_context():
        person = make_missing(_user("family_liaison", world))
        receive(peer_bundle(peer, [_rich_remains()]))
        hit = db.session.scalar(
            select(CrossBorderHit).where(CrossBorderHit.missing_person_id == person.id)
        )
        assert hit is not None and hit.review
        told = _kinds(world.user("forensic_officer"))
        assert ("exchange_hit", f"/exchange/hits/{hit.id}") in told
        assert _kinds(world.user("officer_abroad")) == []
        # the same bundle's hits recomputed: nobody is told twice
        from casework.exchanges.hits import refresh_for_peer
        from casework.exchanges.models import PeerAuthority

        refresh_for_peer(db.session.get(PeerAuthority, peer.row_id))
        assert _kinds(world.user("forensic_officer")) == told


def test_a_disclosure_request_is_told_to_the_supervisors_who_decide(app, world, peer) -> None:
    from casework.exchanges.inbox import receive

    pseudonym = _shared_with_peer(app, world, peer)
    _, raw = _request_from_peer(peer, pseudonym)
    with app.test_request_context():
        receipt = receive(raw)
        assert ("disclosure_request", f"/exchange/disclosures/{receipt.disclosure_id}") in _kinds(
            world.user("supervisor")
        )
        assert not [
            kind for kind, _ in _kinds(world.user("family_liaison")) if kind == "disclosure_request"
        ]
