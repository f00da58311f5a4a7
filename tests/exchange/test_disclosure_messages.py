"""Disclosure request, decision and response between the requester and the owning authority."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from exchange_testkit import NOW, Authority

from exchange import (
    Decision,
    DisclosureDecision,
    DisclosureRequest,
    DisclosureResponse,
    ErrorCode,
    ExchangeError,
    InMemoryReplayGuard,
    MessageKind,
    Officer,
    Purpose,
    RecordType,
    TrustList,
    check_response,
    commit_import,
    new_request_id,
    open_disclosure_decision,
    open_disclosure_request,
    open_disclosure_response,
    record_pseudonym,
    seal_disclosure_decision,
    seal_disclosure_request,
    seal_disclosure_response,
)

LATER = NOW + timedelta(hours=2)


def make_request(spain: Authority) -> DisclosureRequest:
    return DisclosureRequest(
        request_id=new_request_id(),
        pseudonym=record_pseudonym(spain.sender_secret, "ita-labanof", "MP-2026-0042"),
        record_type=RecordType.MISSING_PERSON,
        purpose=Purpose.IDENTIFICATION,
        justification="Candidate for case PM-17: dental 36 filled, tattoo left forearm, Dice 0.91.",
        requested_fields=frozenset({"given_names", "surnames", "family_contact"}),
        requested_by=Officer("Dr A. Rossi", "forensic odontologist"),
    )


def approve(request: DisclosureRequest, fields: frozenset[str]) -> DisclosureDecision:
    return DisclosureDecision(
        request_id=request.request_id,
        decision=Decision.APPROVED,
        reason="Family consent on file; purpose is identification.",
        approved_fields=fields,
        decided_by=Officer("M. García", "head of search unit"),
    )


def test_full_disclosure_flow(
    spain: Authority, italy: Authority, spain_trust: TrustList, italy_trust: TrustList
) -> None:
    spain_guard, italy_guard = InMemoryReplayGuard(), InMemoryReplayGuard()
    request = make_request(spain)

    # Italy asks Spain.
    raw_request = seal_disclosure_request(
        request,
        sender_id="ita-labanof",
        sender_keys=italy.keys,
        recipient=spain.entry,
        sequence=1,
        now=NOW,
    )
    got_request = open_disclosure_request(
        raw_request,
        own_id="esp-cnp",
        own_keys=spain.keys,
        trust=spain_trust,
        guard=spain_guard,
        now=LATER,
    )
    assert got_request.content == request
    assert got_request.header.kind is MessageKind.DISCLOSURE_REQUEST
    commit_import(got_request, spain_guard)

    # Spain approves two of the three fields and answers.
    decision = approve(request, frozenset({"given_names", "surnames"}))
    raw_decision = seal_disclosure_decision(
        decision,
        sender_id="esp-cnp",
        sender_keys=spain.keys,
        recipient=italy.entry,
        sequence=1,
        now=LATER,
    )
    response = DisclosureResponse(
        request.request_id,
        request.pseudonym,
        {"given_names": "Amanuel", "surnames": "Tesfay Gebremariam"},
    )
    raw_response = seal_disclosure_response(
        response,
        decision=decision,
        sender_id="esp-cnp",
        sender_keys=spain.keys,
        recipient=italy.entry,
        sequence=1,
        now=LATER,
    )
    assert b"Amanuel" not in raw_response

    got_decision = open_disclosure_decision(
        raw_decision,
        own_id="ita-labanof",
        own_keys=italy.keys,
        trust=italy_trust,
        guard=italy_guard,
        now=LATER,
    )
    got_response = open_disclosure_response(
        raw_response,
        own_id="ita-labanof",
        own_keys=italy.keys,
        trust=italy_trust,
        guard=italy_guard,
        now=LATER,
    )
    assert got_decision.content == decision
    assert got_response.content is not None
    assert dict(got_response.content.fields) == {
        "given_names": "Amanuel",
        "surnames": "Tesfay Gebremariam",
    }
    check_response(got_response.content, got_decision.content)
    with pytest.raises(TypeError):
        got_response.content.fields["surnames"] = "x"  # type: ignore[index]


def test_refusal(spain: Authority, italy: Authority, italy_trust: TrustList) -> None:
    request = make_request(spain)
    refusal = DisclosureDecision(
        request.request_id,
        Decision.REFUSED,
        "No legal basis stated.",
        frozenset(),
        Officer("M. García", "head of search unit"),
    )
    raw = seal_disclosure_decision(
        refusal,
        sender_id="esp-cnp",
        sender_keys=spain.keys,
        recipient=italy.entry,
        sequence=1,
        now=NOW,
    )
    got = open_disclosure_decision(
        raw,
        own_id="ita-labanof",
        own_keys=italy.keys,
        trust=italy_trust,
        guard=InMemoryReplayGuard(),
        now=NOW,
    )
    assert got.content is not None and got.content.decision is Decision.REFUSED
    response = DisclosureResponse(request.request_id, request.pseudonym, {"surnames": "X"})
    with pytest.raises(ExchangeError, match="not approved"):
        seal_disclosure_response(
            response,
            decision=refusal,
            sender_id="esp-cnp",
            sender_keys=spain.keys,
            recipient=italy.entry,
            sequence=1,
            now=NOW,
        )


def test_response_limited_to_approved_fields(spain: Authority, italy: Authority) -> None:
    request = make_request(spain)
    decision = approve(request, frozenset({"surnames"}))
    response = DisclosureResponse(
        request.request_id, request.pseudonym, {"surnames": "Tesfay", "birth_date": "2001-09-14"}
    )
    with pytest.raises(ExchangeError) as caught:
        seal_disclosure_response(
            response,
            decision=decision,
            sender_id="esp-cnp",
            sender_keys=spain.keys,
            recipient=italy.entry,
            sequence=1,
            now=NOW,
        )
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT
    assert "birth_date" in caught.value.message


def test_response_must_answer_the_request(spain: Authority) -> None:
    request = make_request(spain)
    decision = approve(request, frozenset({"surnames"}))
    other = DisclosureResponse(new_request_id(), request.pseudonym, {"surnames": "Tesfay"})
    with pytest.raises(ExchangeError, match="does not answer"):
        check_response(other, decision)


@pytest.mark.parametrize(
    "change",
    [
        {"requested_fields": frozenset()},
        {"requested_fields": frozenset({"blood_type"})},
        {"justification": ""},
        {"justification": "x" * 2001},
        {"request_id": "not-a-uuid"},
        {"pseudonym": "short"},
        {"requested_by": Officer("", "role")},
    ],
)
def test_invalid_request_not_sealed(
    spain: Authority, italy: Authority, change: dict[str, Any]
) -> None:
    from dataclasses import replace

    request = replace(make_request(spain), **change)
    with pytest.raises(ExchangeError) as caught:
        seal_disclosure_request(
            request,
            sender_id="ita-labanof",
            sender_keys=italy.keys,
            recipient=spain.entry,
            sequence=1,
            now=NOW,
        )
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT


def test_approval_without_fields_is_invalid(spain: Authority, italy: Authority) -> None:
    decision = approve(make_request(spain), frozenset())
    with pytest.raises(ExchangeError, match="approved fields"):
        seal_disclosure_decision(
            decision,
            sender_id="esp-cnp",
            sender_keys=spain.keys,
            recipient=italy.entry,
            sequence=1,
            now=NOW,
        )


def test_request_cannot_be_opened_as_response(
    spain: Authority, italy: Authority, spain_trust: TrustList
) -> None:
    raw = seal_disclosure_request(
        make_request(spain),
        sender_id="ita-labanof",
        sender_keys=italy.keys,
        recipient=spain.entry,
        sequence=1,
        now=NOW,
    )
    with pytest.raises(ExchangeError) as caught:
        open_disclosure_response(
            raw,
            own_id="esp-cnp",
            own_keys=spain.keys,
            trust=spain_trust,
            guard=InMemoryReplayGuard(),
            now=NOW,
        )
    assert caught.value.code is ErrorCode.WRONG_KIND


def test_request_replay_is_idempotent(
    spain: Authority, italy: Authority, spain_trust: TrustList
) -> None:
    guard = InMemoryReplayGuard()
    raw = seal_disclosure_request(
        make_request(spain),
        sender_id="ita-labanof",
        sender_keys=italy.keys,
        recipient=spain.entry,
        sequence=3,
        now=NOW,
    )
    options = {
        "own_id": "esp-cnp",
        "own_keys": spain.keys,
        "trust": spain_trust,
        "guard": guard,
        "now": NOW,
    }
    commit_import(open_disclosure_request(raw, **options), guard)
    again = open_disclosure_request(raw, **options)
    assert not again.is_new and again.content is None
    assert json.loads(raw)["sequence"] == 3
    assert guard.last_sequence("ita-labanof", MessageKind.DISCLOSURE_REQUEST) == 3
