"""Refused messages leave an audit entry (stated sender, reason code, digest; no content), and a
peer whose stolen key sent sequence 2^53 - 1 recovers by rotating keys and sending a reset."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from tests.casework.exchanges.builders import (
    PEER_ID,
    counts,
    identity_file,
    make_identity,
    make_peer,
    peer_bundle,
    peer_remains,
)

MAX_SEQUENCE = 2**53 - 1


@pytest.fixture
def peer(app, world):
    with app.test_request_context():
        make_identity()
        return make_peer(country="GTM")


def _refusals():
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_refused"))
    return [json.loads(row.details) for row in rows]


@pytest.mark.parametrize(
    ("make", "code", "sender"),
    [
        (lambda peer: b"not json at all", "malformed", None),
        (lambda peer: peer_bundle(peer, [peer_remains()], sequence=1), "out-of-order", PEER_ID),
    ],
)
def test_a_refused_import_is_audited_without_its_content(app, peer, make, code, sender):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive

    with app.test_request_context():
        receive(peer_bundle(peer, [peer_remains("PM-0")], sequence=5))
        raw = make(peer)
        before = counts()
        with pytest.raises(ExchangeRefused):
            receive(raw)
        assert counts() == before
        [entry] = _refusals()
        assert entry["code"] == code
        assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
        assert entry["stated_sender"] == sender
        assert set(entry) == {"stated_sender", "stated_kind", "code", "sha256", "bytes"}


def test_reset_under_fresh_keys_unblocks_a_peer(app, peer, runner, tmp_path):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import SequenceReset
    from casework.exchanges.trust import get_peer, rotate_peer_keys
    from casework.extensions import db
    from exchange import AuthorityKeys
    from exchange import MessageKind as WireKind
    from exchange.reset import SequenceReset as Reset
    from exchange.reset import seal_sequence_reset
    from tests.casework.exchanges.builders import START

    with app.test_request_context():
        receive(peer_bundle(peer, [peer_remains("PM-1")], sequence=1))
        receive(peer_bundle(peer, [peer_remains("PM-2")], sequence=MAX_SEQUENCE))  # the thief
        with pytest.raises(ExchangeRefused) as blocked:
            receive(peer_bundle(peer, [peer_remains("PM-3")], sequence=2))
        assert blocked.value.code == "out-of-order"

        def reset(keys, after=1):
            return seal_sequence_reset(
                Reset(WireKind.BUNDLE, after, "key stolen, rotated"),
                sender_id=PEER_ID,
                sender_keys=keys,
                recipient=peer.us,
                now=START,
            )

        with pytest.raises(ExchangeRefused) as stale:
            receive(reset(peer.keys))  # under the keys that already sent bundles
        assert stale.value.code == "reset-refused"

        fresh = AuthorityKeys.generate()
        new_file = identity_file(PEER_ID, "GTM", "INACIF Guatemala", fresh)
        rotate_peer_keys(
            get_peer(PEER_ID), new_file, confirmed_fingerprint=fresh.public.fingerprint.hex()
        )
        accepted = receive(reset(fresh))
        assert accepted.new
        with pytest.raises(ExchangeRefused) as twice:
            receive(reset(fresh, after=0))  # one reset per kind and set of keys
        assert twice.value.code == "reset-refused"
        stored = db.session.scalars(select(SequenceReset)).all()
        assert len(stored) == 1 and stored[0].continue_after == 1
        later = receive(
            peer_bundle(
                type(peer)(peer.row_id, peer.authority_id, fresh, peer.us),
                [peer_remains("PM-3")],
                sequence=2,
            )
        )
        assert later.new and later.records == 1
        with pytest.raises(ExchangeRefused) as thief:
            receive(peer_bundle(peer, [peer_remains("PM-4")], sequence=3))
        assert thief.value.code == "bad-signature"


def test_send_reset_continues_after_our_own_counter(app, peer, world):
    from casework.errors import ValidationError
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.models import MessageKind
    from casework.exchanges.resets import send_reset
    from casework.exchanges.trust import get_peer
    from exchange import InMemoryReplayGuard, TrustList
    from exchange.reset import open_sequence_reset
    from tests.casework.exchanges.builders import START

    with app.test_request_context():
        row = get_peer(PEER_ID)
        export_records(row, Selection(None, None, True))
        for kind, reason in ((MessageKind.SEQUENCE_RESET, "x"), (MessageKind.BUNDLE, "  ")):
            with pytest.raises(ValidationError):
                send_reset(row, kind, reason)
        message = send_reset(row, MessageKind.BUNDLE, "our keys were rotated")
        received = open_sequence_reset(
            message.envelope,
            own_id=PEER_ID,
            own_keys=peer.keys,
            trust=TrustList([peer.us]),
            guard=InMemoryReplayGuard(),
            now=START,
        )
        assert received.content is not None and received.content.continue_after == 1


@pytest.mark.parametrize(
    ("inbox", "said"),
    [
        ("", "the peer has no inbox: send it with `exchange outbox`."),
        ("http://127.0.0.1:9/", "goes to the inbox of gtm-inacif as soon as that inbox can be"),
    ],
)
def test_the_reset_command_says_where_the_reset_went(app, peer, runner, inbox, said):
    from casework.exchanges.trust import get_peer, update_peer
    from casework.jobs.services import stop_embedded_jobs

    with app.test_request_context():
        update_peer(get_peer(peer.row_id), linkage_secret=None, inbox_url=inbox)
    result = runner.invoke(
        args=[
            "exchange",
            "reset-sequence",
            "--recipient",
            peer.authority_id,
            "--kind",
            "bundle",
            "--reason",
            "our keys were rotated",
        ]
    )
    stop_embedded_jobs(app)
    assert result.exit_code == 0, result.output
    assert said in result.output
