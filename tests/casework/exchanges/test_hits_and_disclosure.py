"""Layers 3 and 4: a peer's records compared with our open cases (names only as Bloom filters
under the pair's linkage secret), and disclosure requests on both sides, checked step by step
against a peer played by the exchange library itself."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text

from tests.casework.exchanges.builders import (
    START,
    counts,
    make_identity,
    make_peer,
    peer_bundle,
    peer_remains,
    share_with_peer,
)
from tests.casework.factories import make_missing

FOUND = {
    "sex": None,
    "age_min": 25,
    "age_max": 40,
    "stature_min_cm": 160,
    "stature_max_cm": 175,
    "found_date": date(2025, 9, 15),
}


@pytest.fixture
def peer(app, world):
    with app.test_request_context():
        make_identity()
        return make_peer(country="GTM")


def _user(role, world):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user(role))


def _remains(local_id, names):
    from exchange import GeoPoint, Sex

    fields = {
        **FOUND,
        "sex": Sex.MALE,
        "document_names": names,
        "found_point": GeoPoint(31.7, -111.4),
    }
    return peer_remains(local_id, **fields)


def test_foreign_remains_hit_our_missing_person_by_encoded_name(app, world, peer, as_user):
    from casework.exchanges.hits import refresh_for_peer
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import CrossBorderHit, ForeignRecord, PeerAuthority
    from casework.extensions import db

    with app.test_request_context():
        person = make_missing(_user("family_liaison", world))
        receive(
            peer_bundle(
                peer,
                [
                    _remains("PM-1", ("José Luis Pérez",)),
                    _remains("PM-2", ("Amanuel Tesfay",)),
                    _remains("PM-3", ("Amanuel Tesfay", "José Luis Pérez")),
                ],
            )
        )
        by_record = {}
        for hit in db.session.scalars(
            select(CrossBorderHit).where(CrossBorderHit.missing_person_id == person.id)
        ):
            by_record[hit.foreign_record_id] = hit
        rows = {row.pseudonym: row.id for row in db.session.scalars(select(ForeignRecord))}
        same = by_record[rows[_remains("PM-1", ()).pseudonym]]
        other = by_record[rows[_remains("PM-2", ()).pseudonym]]
        assert same.score > other.score
        # a second name on the documents counts as much as the first
        either = by_record[rows[_remains("PM-3", ()).pseudonym]]
        assert either.score > other.score
        texts = " ".join(item["text"] for item in json.loads(same.evidence))
        assert "Pérez" not in texts and "José" not in texts
        assert "encoded_names" in {item["criterion"] for item in json.loads(same.evidence)}
        for raw in db.session.execute(text("SELECT evidence_ct FROM cross_border_hit")).scalars():
            assert b"criterion" not in raw  # encrypted at rest, like candidate evidence
        # recomputing changes nothing but the scores' timestamps
        before = counts()["CrossBorderHit"]
        refresh_for_peer(db.session.get(PeerAuthority, peer.row_id))
        assert counts()["CrossBorderHit"] == before
        hit_id, reference = same.id, person.reference
    client = as_user("forensic_officer")
    listing = client.get("/exchange/hits")
    assert listing.status_code == 200 and str(hit_id) in listing.get_data(as_text=True)
    page = client.get(f"/exchange/hits/{hit_id}").get_data(as_text=True)
    assert reference in page and "25–44" in page
    assert client.get("/exchange/hits/00000000-0000-4000-8000-000000000000").status_code == 404


def test_hits_command_recomputes(app, world, peer, runner):
    from casework.exchanges.inbox import receive

    with app.test_request_context():
        make_missing(_user("family_liaison", world))
        receive(peer_bundle(peer, [_remains("PM-1", ("José Luis Pérez",))]))
    result = runner.invoke(args=["exchange", "hits"])
    assert result.exit_code == 0 and "hits stored" in result.output
    assert runner.invoke(args=["exchange", "hits", "--peer", "nobody"]).exit_code == 2


# The owner's side: a peer asks us --------------------------------------------------------


def _shared_with_peer(app, world, peer):
    """Our consented report sent to the peer; returns its pseudonym there."""
    with app.test_request_context():
        return share_with_peer(make_missing(_user("family_liaison", world)), peer)


def _approve_surnames(item, supervisor):
    from casework.exchanges import disclosures

    disclosures.decide(
        item,
        supervisor,
        approve=True,
        reason="Identification confirmed by dental.",
        fields=["surnames"],
    )


def _request_from_peer(peer, pseudonym, sequence=1, fields=("family_contact", "surnames")):
    from exchange import (
        DisclosureRequest,
        Officer,
        Purpose,
        RecordType,
        new_request_id,
        seal_disclosure_request,
    )

    request = DisclosureRequest(
        new_request_id(),
        pseudonym,
        RecordType.MISSING_PERSON,
        Purpose.IDENTIFICATION,
        "Remains found with a document naming him; dental chart agrees.",
        frozenset(fields),
        Officer("Dr. Ana Morales", "forensic odontologist"),
    )
    raw = seal_disclosure_request(
        request,
        sender_id=peer.authority_id,
        sender_keys=peer.keys,
        recipient=peer.us,
        sequence=sequence,
        now=START,
    )
    return request, raw


def _peer_opens(peer, opener, raw):
    from exchange import InMemoryReplayGuard, TrustList

    return opener(
        raw,
        own_id=peer.authority_id,
        own_keys=peer.keys,
        trust=TrustList([peer.us]),
        guard=InMemoryReplayGuard(),
        now=START,
    ).content


def test_a_request_is_decided_by_a_supervisor_and_answered(app, world, peer):
    from casework.errors import NotAllowed, ValidationError
    from casework.exchanges import disclosures
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import Disclosure, DisclosureStatus, MessageKind, OutgoingMessage
    from casework.extensions import db
    from exchange import check_response, open_disclosure_decision, open_disclosure_response

    pseudonym = _shared_with_peer(app, world, peer)
    request, raw = _request_from_peer(peer, pseudonym)
    with app.test_request_context():
        receipt = receive(raw)
        item = db.session.get(Disclosure, receipt.disclosure_id)
        assert item.status is DisclosureStatus.AWAITING_DECISION and item.missing_person_id
        supervisor, officer = _user("supervisor", world), _user("forensic_officer", world)
        attempts = [
            (officer, True, "Identification confirmed by dental.", ["surnames"], NotAllowed),
            (supervisor, True, "ok", ["surnames"], ValidationError),
            (supervisor, True, "Identification confirmed by dental.", [], ValidationError),
            (
                supervisor,
                True,
                "Identification confirmed by dental.",
                ["birth_date"],
                ValidationError,
            ),
        ]
        for user, approve, reason, fields, error in attempts:
            with pytest.raises(error):
                disclosures.decide(item, user, approve=approve, reason=reason, fields=fields)
        assert counts()["OutgoingMessage"] == 1  # only the bundle
        _approve_surnames(item, supervisor)
        with pytest.raises(ValidationError, match="decided already"):
            disclosures.decide(
                item, supervisor, approve=False, reason="Changed my mind about it.", fields=[]
            )
        messages = {m.kind: m.envelope for m in db.session.scalars(select(OutgoingMessage))}
        assert item.status is DisclosureStatus.ANSWERED
    decision = _peer_opens(
        peer, open_disclosure_decision, messages[MessageKind.DISCLOSURE_DECISION]
    )
    response = _peer_opens(
        peer, open_disclosure_response, messages[MessageKind.DISCLOSURE_RESPONSE]
    )
    check_response(response, decision)
    assert dict(response.fields) == {"surnames": "Pérez Xitumul"}
    assert decision.request_id == request.request_id


def test_a_refusal_sends_no_data(app, world, peer, as_user):
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import Disclosure, DisclosureStatus, MessageKind, OutgoingMessage
    from casework.extensions import db

    pseudonym = _shared_with_peer(app, world, peer)
    _request, raw = _request_from_peer(peer, pseudonym)
    with app.test_request_context():
        disclosure_id = receive(raw).disclosure_id
    client = as_user("supervisor")
    assert client.get(f"/exchange/disclosures/{disclosure_id}").status_code == 200
    bad = client.post(
        f"/exchange/disclosures/{disclosure_id}/decide", data={"decision": "refuse", "reason": "no"}
    )
    assert bad.status_code == 400
    good = client.post(
        f"/exchange/disclosures/{disclosure_id}/decide",
        data={"decision": "refuse", "reason": "The family withdrew its consent."},
    )
    assert good.status_code == 302
    with app.app_context():
        assert db.session.get(Disclosure, disclosure_id).status is DisclosureStatus.REFUSED
        kinds = set(db.session.scalars(select(OutgoingMessage.kind)))
        assert kinds == {MessageKind.BUNDLE, MessageKind.DISCLOSURE_DECISION}


def test_a_decision_that_cannot_be_sealed_leaves_everything_as_it_was(app, world, peer):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import Disclosure, DisclosureStatus, PeerAuthority
    from casework.exchanges.trust import revoke_peer
    from casework.extensions import db

    pseudonym = _shared_with_peer(app, world, peer)
    _request, raw = _request_from_peer(peer, pseudonym)
    with app.test_request_context():
        item = db.session.get(Disclosure, receive(raw).disclosure_id)
        revoke_peer(db.session.get(PeerAuthority, peer.row_id))
        before = counts()
        with pytest.raises(ExchangeRefused) as caught:
            _approve_surnames(item, _user("supervisor", world))
        assert caught.value.code == "recipient-revoked"
        assert counts() == before
        assert db.session.get(Disclosure, item.id).status is DisclosureStatus.AWAITING_DECISION


def test_a_request_about_a_record_we_never_sent_is_refused(app, world, peer):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive

    _request, raw = _request_from_peer(peer, "B" * 43)
    with app.test_request_context():
        before = counts()
        with pytest.raises(ExchangeRefused) as caught:
            receive(raw)
        assert caught.value.code == "unknown-record" and counts() == before


# The requester's side: we ask a peer ---------------------------------------------------------


def test_our_request_then_the_peers_decision_and_response(app, world, peer, as_user):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import (
        CrossBorderHit,
        Disclosure,
        DisclosureStatus,
        MessageKind,
        OutgoingMessage,
    )
    from casework.extensions import db
    from exchange import (
        Decision,
        DisclosureDecision,
        DisclosureResponse,
        Officer,
        open_disclosure_request,
        seal_disclosure_decision,
        seal_disclosure_response,
    )

    with app.test_request_context():
        make_missing(_user("family_liaison", world))
        receive(peer_bundle(peer, [_remains("PM-1", ("José Luis Pérez",))]))
        hit_id = db.session.scalar(select(CrossBorderHit.id).order_by(CrossBorderHit.score.desc()))
    client = as_user("family_liaison")
    for data, message in [
        (
            {"purpose": "identification", "justification": "short", "fields": ["surnames"]},
            "sentence",
        ),
        (
            {"purpose": "identification", "justification": "A long enough reason here."},
            "at least one field",
        ),
        (
            {
                "purpose": "shopping",
                "justification": "A long enough reason here.",
                "fields": ["surnames"],
            },
            "Not a valid choice",
        ),
    ]:
        response = client.post(f"/exchange/hits/{hit_id}/request", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    asked = client.post(
        f"/exchange/hits/{hit_id}/request",
        data={
            "purpose": "identification",
            "fields": ["given_names", "surnames"],
            "justification": "Document name and dental chart agree with our report.",
        },
    )
    assert asked.status_code == 302
    with app.app_context():
        envelope = db.session.scalar(
            select(OutgoingMessage.envelope).where(
                OutgoingMessage.kind == MessageKind.DISCLOSURE_REQUEST
            )
        )
    request = _peer_opens(peer, open_disclosure_request, envelope)
    assert request.requested_fields == {"given_names", "surnames"}
    decision = DisclosureDecision(
        request.request_id,
        Decision.APPROVED,
        "Agreed.",
        frozenset({"surnames"}),
        Officer("Lic. Paz", "supervisor"),
    )
    seal = {
        "sender_id": peer.authority_id,
        "sender_keys": peer.keys,
        "recipient": peer.us,
        "sequence": 1,
        "now": START,
    }
    response = seal_disclosure_response(
        DisclosureResponse(request.request_id, request.pseudonym, {"surnames": "Pérez"}),
        decision=decision,
        **seal,
    )
    with app.test_request_context():
        with pytest.raises(ExchangeRefused) as early:
            receive(response)  # before the decision: refused, and can be imported later
        assert early.value.code == "decision-missing"
        receive(seal_disclosure_decision(decision, **seal))
        receive(response)
        item = db.session.scalar(select(Disclosure))
        assert item.status is DisclosureStatus.ANSWERED
        assert json.loads(item.disclosed) == {"surnames": "Pérez"}
        disclosure_id = item.id
    page = client.get(f"/exchange/disclosures/{disclosure_id}")
    assert "Pérez" in page.get_data(as_text=True)
    assert client.get("/exchange/disclosures").status_code == 200


def test_a_peer_trusted_without_linkage_secret_is_compared_without_names(app, world):
    """Version 2 needs no linkage secret: a peer trusted without one still has its version 1
    records compared (the transition), on everything but the names, which we cannot read."""
    from datetime import timedelta

    from casework.clock import now
    from casework.exchanges.hits import refresh_for_peer
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import CrossBorderHit, PeerAuthority
    from casework.exchanges.trust import add_peer
    from casework.extensions import db
    from tests.casework.exchanges.builders import PEER_ID, Peer, identity_file, peer_keys

    with app.test_request_context():
        make_identity()
        keys = peer_keys()
        row = add_peer(
            identity_file(PEER_ID, "GTM", "INACIF Guatemala", keys),
            valid_until=now() + timedelta(days=365),
            valid_from=now() - timedelta(days=1),
            confirmed_fingerprint=keys.public.fingerprint.hex(),
        )
        assert row.linkage_secret is None
        from casework.exchanges.identity import current_identity, own_keys
        from exchange import TrustedAuthority

        ours = current_identity()
        us = TrustedAuthority(
            ours.authority_id,
            ours.country,
            ours.name,
            own_keys(ours).public,
            START.replace(year=2026, month=1, day=1),
            START.replace(year=2030, month=1, day=1),
        )
        peer = Peer(row.id, PEER_ID, keys, us)
        person = make_missing(_user("family_liaison", world))
        receive(peer_bundle(peer, [_remains("PM-1", ("José Luis Pérez",))]))
        hits = list(
            db.session.scalars(
                select(CrossBorderHit).where(CrossBorderHit.missing_person_id == person.id)
            )
        )
        assert hits  # compared on sex, age, stature, place and date
        criteria = {item["criterion"] for hit in hits for item in json.loads(hit.evidence)}
        assert "encoded_names" not in criteria  # the names weigh neither for nor against
        refresh_for_peer(db.session.get(PeerAuthority, row.id))  # and again, the same way
        assert len(list(db.session.scalars(select(CrossBorderHit)))) == len(hits)


def test_every_message_we_send_is_kept_audited_and_pushed_alike(app, world, peer):
    """A bundle, a decision with its response and a sequence reset go out as a name query or a
    DNA search does: each kept under its own counter, audited under its row with its id and
    sequence, and given a push job (the peer has an inbox; nobody listens on it here)."""
    from casework.audit.models import AuditEntry
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import Disclosure, MessageKind, OutgoingMessage
    from casework.exchanges.resets import send_reset
    from casework.exchanges.trust import get_peer, update_peer
    from casework.extensions import db
    from casework.jobs.models import Job, JobKind
    from casework.jobs.services import params_of, stop_embedded_jobs

    with app.test_request_context():
        update_peer(get_peer(peer.row_id), linkage_secret=None, inbox_url="http://127.0.0.1:9/")
    pseudonym = _shared_with_peer(app, world, peer)
    _request, raw = _request_from_peer(peer, pseudonym)
    with app.test_request_context():
        item = db.session.get(Disclosure, receive(raw).disclosure_id)
        _approve_surnames(item, _user("supervisor", world))
        send_reset(get_peer(peer.row_id), MessageKind.BUNDLE, "our keys were rotated")
        stop_embedded_jobs(app)
        messages = db.session.scalars(select(OutgoingMessage)).all()
        assert {m.kind for m in messages} == {
            MessageKind.BUNDLE,
            MessageKind.DISCLOSURE_DECISION,
            MessageKind.DISCLOSURE_RESPONSE,
            MessageKind.SEQUENCE_RESET,
        }
        pushes = db.session.scalars(select(Job).where(Job.kind == JobKind.EXCHANGE_PUSH)).all()
        assert sorted(params_of(job)["message_id"] for job in pushes) == sorted(
            str(m.id) for m in messages
        )
        exports = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "export", AuditEntry.object_type == "OutgoingMessage"
            )
        ).all()
        trail = {entry.object_id: json.loads(entry.details) for entry in exports}
        events = {}
        for message in messages:
            details = trail[str(message.id)]
            assert details["message_id"] == message.message_id
            assert details["sequence"] == message.sequence == 1
            assert details["recipient"] == peer.authority_id
            events[message.kind] = details["event"]
        assert events == {
            MessageKind.BUNDLE: "bundle sent",
            MessageKind.DISCLOSURE_DECISION: "disclosure approved",
            MessageKind.DISCLOSURE_RESPONSE: "disclosure response sent",
            MessageKind.SEQUENCE_RESET: "sequence reset sent",
        }


@pytest.fixture
def listening_inbox():
    """An inbox on loopback that takes every message, as a peer's does: its address."""
    import threading

    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    taken = []

    @Request.application
    def inbox(request):
        taken.append(request.get_data())
        return Response('{"ok": true, "status": "new"}', mimetype="application/json")

    server = make_server("127.0.0.1", 0, inbox, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/exchange/inbox", taken
    server.shutdown()
    thread.join(5)


@pytest.mark.parametrize(
    ("inbox", "told"),
    [
        (None, "signed: download it from the exchange page and send it to {authority}."),
        ("unreachable", "goes to the inbox of {authority} as soon as that inbox can be reached"),
        ("listening", "The decision is signed and was delivered to {authority}."),
    ],
)
def test_the_decision_page_says_where_the_decision_went(
    app, world, peer, as_user, listening_inbox, inbox, told
):
    """Every message goes out through the outbox, pushed when the peer has an inbox: the
    supervisor is told whether it was delivered, waits for the inbox, or must be sent by hand."""
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import MessageKind, OutgoingMessage
    from casework.exchanges.trust import get_peer, update_peer
    from casework.extensions import db
    from casework.jobs.services import stop_embedded_jobs

    address, taken = listening_inbox
    urls = {None: "", "unreachable": "http://127.0.0.1:9/", "listening": address}
    pseudonym = _shared_with_peer(app, world, peer)
    _request, raw = _request_from_peer(peer, pseudonym)
    with app.test_request_context():
        disclosure_id = receive(raw).disclosure_id
        update_peer(get_peer(peer.row_id), linkage_secret=None, inbox_url=urls[inbox])
    page = as_user("supervisor").post(
        f"/exchange/disclosures/{disclosure_id}/decide",
        data={"decision": "refuse", "reason": "The family withdrew its consent."},
        follow_redirects=True,
    )
    stop_embedded_jobs(app)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert told.format(authority=peer.authority_id) in text
    assert "send it to the requester" not in text
    with app.app_context():
        decision = db.session.scalar(
            select(OutgoingMessage).where(OutgoingMessage.kind == MessageKind.DISCLOSURE_DECISION)
        )
        assert (decision.pushed_at is not None) is (inbox == "listening")
        assert (decision.envelope in taken) is (inbox == "listening")


def test_our_request_without_an_inbox_asks_for_the_file_in_spanish(app, world, peer, as_user):
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import CrossBorderHit
    from casework.extensions import db

    with app.test_request_context():
        make_missing(_user("family_liaison", world))
        receive(peer_bundle(peer, [_remains("PM-1", ("José Luis Pérez",))]))
        hit_id = db.session.scalar(select(CrossBorderHit.id).order_by(CrossBorderHit.score.desc()))
        _user("family_liaison", world).language = "es"
        db.session.commit()
    client = as_user("family_liaison")
    page = client.post(
        f"/exchange/hits/{hit_id}/request",
        data={
            "purpose": "identification",
            "fields": ["surnames"],
            "justification": "Document name and dental chart agree with our report.",
        },
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert f"envíela a {peer.authority_id}" in page.get_data(as_text=True)
