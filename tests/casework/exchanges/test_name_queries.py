"""Name queries in the application (spec §7.6): we answer a peer's query within its budget, keep
and audit the answer; over the budget or the cap the query is refused, audited, nothing stored;
an answer to no query of ours is refused; a v2 bundle makes us ask about our own names."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.casework.exchanges.builders import (
    START,
    counts,
    make_identity,
    make_peer,
    peer_bundle,
)
from tests.casework.factories import make_missing

QUERY_ID = "6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48"


@pytest.fixture
def peer(app, world):
    with app.test_request_context():
        make_identity()
        return make_peer(country="GTM")


def _query(peer, names, sequence=1, query_id=QUERY_ID):
    from exchange import NameQuery, prepare_query, seal_name_query

    pending = prepare_query(names)
    raw = seal_name_query(
        NameQuery(query_id, tuple(map(tuple, pending.elements()))),
        sender_id=peer.authority_id,
        sender_keys=peer.keys,
        recipient=peer.us,
        sequence=sequence,
        now=START,
    )
    return pending, raw


def _audit(action):
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
    return [json.loads(row.details) for row in rows]


def test_a_query_is_answered_within_the_budget_and_audited(app, peer):
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import MessageKind, NameQueryRecord, OutgoingMessage
    from casework.extensions import db
    from exchange import InMemoryReplayGuard, TrustList, open_name_answer, unblind_answer

    with app.test_request_context():
        pending, raw = _query(peer, [["Amanuel", "Tesfay"], ["Ali"]])
        receipt = receive(raw)
        assert receipt.new
        answer = db.session.scalars(
            select(OutgoingMessage).where(OutgoingMessage.kind == MessageKind.NAME_ANSWER)
        ).one()
        opened = open_name_answer(
            answer.envelope,
            own_id=peer.authority_id,
            own_keys=peer.keys,
            trust=TrustList([peer.us]),
            guard=InMemoryReplayGuard(),
            now=START,
        )
        rows = unblind_answer(pending, opened.content.entries)
        assert [len(row) for row in rows] == [6, 3]
        stored = db.session.scalars(select(NameQueryRecord)).one()
        assert stored.elements == 9 and stored.pending is None
        [entry] = [e for e in _audit("import") if e.get("event") == "name query answered"]
        assert entry["elements"] == 9 and entry["sender"] == peer.authority_id
        assert "Amanuel" not in json.dumps(entry)
        assert receive(raw).new is False  # the same message again changes nothing


def test_over_the_budget_a_query_is_refused_whole_and_audited(app, peer):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive

    app.config["EXCHANGE_NAME_QUERY_BUDGET"] = 10
    with app.test_request_context():
        receive(_query(peer, [["Amanuel", "Tesfay"]], sequence=1)[1])  # 6 of 10
        before = counts()
        _, raw = _query(
            peer, [["Mohamed", "Ali"]], sequence=2, query_id="0f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48"
        )
        with pytest.raises(ExchangeRefused) as caught:
            receive(raw)
        assert caught.value.code == "query-limit"
        assert counts() == before
        assert [e["code"] for e in _audit("import_refused")] == ["query-limit"]


def test_a_query_over_the_cap_is_refused(app, peer):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from exchange import NameQuery
    from exchange.envelope import seal
    from exchange.namequery import query_payload
    from exchange.psi import hash_to_group
    from exchange.replay import MessageKind as WireKind

    element = hash_to_group("f:ali")
    payload = query_payload(NameQuery(QUERY_ID, ((element,) * 3,) * 501))
    raw = seal(
        WireKind.NAME_QUERY,
        payload,
        sender_id=peer.authority_id,
        sender_keys=peer.keys,
        recipient=peer.us,
        sequence=1,
        now=START,
        lifetime=timedelta(days=1),
    )
    with app.test_request_context():
        before = counts()
        with pytest.raises(ExchangeRefused) as caught:
            receive(raw)
        assert caught.value.code == "query-limit"
        assert counts() == before


def test_an_answer_to_no_query_of_ours_is_refused(app, peer):
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from exchange import NameAnswer, seal_name_answer
    from exchange.psi import hash_to_group

    raw = seal_name_answer(
        NameAnswer(QUERY_ID, ((hash_to_group("f:ali"),) * 3,)),
        sender_id=peer.authority_id,
        sender_keys=peer.keys,
        recipient=peer.us,
        sequence=1,
        now=START,
    )
    with app.test_request_context():
        with pytest.raises(ExchangeRefused) as caught:
            receive(raw)
        assert caught.value.code == "schema-violation"


def test_a_v2_bundle_makes_us_ask_about_our_names_once(app, world, peer):
    from casework.accounts.models import User
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import MessageKind, NameQueryRecord, OutgoingMessage
    from casework.exchanges.names import ask_names
    from casework.exchanges.trust import get_peer
    from casework.extensions import db
    from exchange import RemainsRecord, Sex, share_remains

    with app.test_request_context():
        make_missing(db.session.get(User, world.user("family_liaison")))
        record = share_remains(
            RemainsRecord("PM-1", sex=Sex.MALE, document_names=("Jose Perez",)),
            recipient_id="usa-pcome",
            sender_secret=b"s" * 32,
        )
        receive(peer_bundle(peer, [record]))
        queries = db.session.scalars(
            select(OutgoingMessage).where(OutgoingMessage.kind == MessageKind.NAME_QUERY)
        ).all()
        assert len(queries) == 1
        pending = json.loads(db.session.scalars(select(NameQueryRecord)).one().pending)
        assert len(pending["cases"]) == queries[0].record_count >= 1
        assert ask_names(get_peer(peer.authority_id)) == []  # nothing new to ask
