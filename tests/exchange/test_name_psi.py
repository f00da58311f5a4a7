"""Names in version 2 (spec §6.2, §7.6): the recipient of a bundle learns how its own names agree
with the shared ones through a name query, and nothing else: the bigram attack that reads names
out of a version 1 bundle finds nothing in a version 2 bundle, and a dictionary pushed through
the query protocol is stopped by the cap and the budget."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import string
import struct
from datetime import timedelta

import pytest
from exchange_testkit import ITALY, NOW, SPAIN

from exchange import (
    ErrorCode,
    ExchangeError,
    InMemoryReplayGuard,
    MissingPersonRecord,
    RemainsRecord,
    TrustList,
    commit_import,
    export_bundle,
    import_bundle,
    share_missing_person,
    share_remains,
)
from exchange.envelope import seal
from exchange.linkage import name_bigrams
from exchange.namequery import (
    NameAnswer,
    NameQuery,
    open_name_answer,
    open_name_query,
    query_payload,
    seal_name_answer,
    seal_name_query,
)
from exchange.psi import (
    DEFAULT_QUERY_LIMITS,
    QueryLimits,
    agreement,
    answer_elements,
    hash_to_group,
    prepare_query,
    unblind_answer,
)
from exchange.replay import MessageKind
from exchange.wire import b64url_encode

LINKAGE = hashlib.sha256(b"esp-cnp/ita-labanof linkage").digest()
PEOPLE = [
    ("MP-1", ("Amanuel",), ("Tesfay", "Gebremariam")),
    ("MP-2", ("Mohamed",), ("Ali",)),
    ("MP-3", ("Fatima",), ("Abdirahman",)),
    ("MP-4", ("Youssef",), ("Benali",)),
]


def _records(version: int):
    secret = LINKAGE if version == 1 else None
    return [
        share_missing_person(
            MissingPersonRecord(local_id, given_names=given, surnames=surnames),
            recipient_id=ITALY.authority_id,
            sender_secret=SPAIN.sender_secret,
            linkage_secret=secret,
        )
        for local_id, given, surnames in PEOPLE
    ]


def _italy_receives(records):
    raw = export_bundle(
        records,
        sender_id=SPAIN.authority_id,
        sender_keys=SPAIN.keys,
        recipient=ITALY.entry,
        sequence=1,
        now=NOW,
    )
    guard = InMemoryReplayGuard()
    received = import_bundle(
        raw,
        own_id=ITALY.authority_id,
        own_keys=ITALY.keys,
        trust=TrustList([SPAIN.entry]),
        guard=guard,
        now=NOW,
    )
    commit_import(received, guard)
    assert received.content is not None
    return received.content


def _round_trip(own_names, spent=0, limits=DEFAULT_QUERY_LIMITS):
    """Italy asks Spain to blind its names, through both envelopes; returns the unblinded rows."""
    pending = prepare_query(own_names)
    query = NameQuery("6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48", tuple(map(tuple, pending.elements())))
    # sealed without the writer's own checks: a querier bent on a dictionary would skip them
    raw_query = seal(
        MessageKind.NAME_QUERY,
        query_payload(query),
        sender_id=ITALY.authority_id,
        sender_keys=ITALY.keys,
        recipient=SPAIN.entry,
        sequence=1,
        now=NOW,
        lifetime=timedelta(days=1),
    )
    opened = open_name_query(
        raw_query,
        own_id=SPAIN.authority_id,
        own_keys=SPAIN.keys,
        trust=TrustList([ITALY.entry]),
        guard=InMemoryReplayGuard(),
        now=NOW,
        query_limits=limits,
    )
    assert opened.content is not None
    rows = answer_elements(
        opened.content.entries,
        sender_secret=SPAIN.sender_secret,
        querier_id=opened.header.sender_id,
        spent=spent,
        limits=limits,
    )
    raw_answer = seal_name_answer(
        NameAnswer(opened.content.query_id, tuple(map(tuple, rows))),
        sender_id=SPAIN.authority_id,
        sender_keys=SPAIN.keys,
        recipient=ITALY.entry,
        sequence=1,
        now=NOW,
    )
    answer = open_name_answer(
        raw_answer,
        own_id=ITALY.authority_id,
        own_keys=ITALY.keys,
        trust=TrustList([SPAIN.entry]),
        guard=InMemoryReplayGuard(),
        now=NOW,
    )
    assert answer.content is not None and answer.content.query_id == query.query_id
    return unblind_answer(pending, answer.content.entries)


def test_agreement_through_the_query_survives_spelling_variants() -> None:
    shared = _italy_receives(_records(2))
    assert all(record.version == 2 and not record.names for record in shared)
    own = [
        ["Emmanuel", "Tesfaye", "Gebremariam"],  # the same man, spelt as in Italy
        ["Mohammed", "Aly"],
        ["Fatimah", "Abdulrahman"],
        ["Giovanni", "Rossi"],
    ]
    rows = _round_trip(own)
    scores = [[agreement(row, r.name_keys[0]).score for r in shared] for row in rows]
    for index in range(3):  # each variant agrees best with its own record, and strongly
        assert max(scores[index]) == scores[index][index] >= 0.6
    assert scores[0][0] > 0.9 and scores[1][1] == 1.0
    assert max(scores[3]) == 0.0  # a name Spain does not hold agrees with nothing
    detail = agreement(rows[0], shared[0].name_keys[0])
    # Emmanuel ~ Amanuel by sound; Tesfaye = Tesfay and Gebremariam by folded spelling
    assert sorted(t.level for t in detail.tokens) == ["f", "f", "p"]
    assert agreement(rows[2], shared[2].name_keys[0]).score == 1.0  # Abdul-/Abdi-, Fatimah


def _v1_bigram_attack(filters: tuple[bytes, ...]) -> set[str]:
    """The attack of issue 16: with the linkage secret every recipient holds, test each pair of
    letters against the 16 positions it sets (14 of 16 tolerates the hardening's flips)."""
    key = hmac.new(LINKAGE, b"mmx-exchange/v1 bloom-positions", hashlib.sha256).digest()
    alphabet = string.ascii_lowercase + "_"
    found: set[str] = set()
    for bigram in map("".join, itertools.product(alphabet, repeat=2)):
        digest = hmac.new(key, bigram.encode(), hashlib.sha256).digest()
        positions = [word % 1024 for (word,) in struct.iter_unpack(">H", digest)]
        for bloom in filters:
            bits = sum(bool(bloom[p // 8] & (0x80 >> (p % 8))) for p in positions)
            if bits >= 14:
                found.add(bigram)
    return found


def _v2_attack(record, dictionary: list[str]) -> set[str]:
    """Everything a recipient can try alone on a version 2 record: hash every key of every
    candidate token and look for it among the elements (it lacks the owner's scalar)."""
    from exchange.namekeys import token_keys

    elements = {element for name in record.name_keys for token in name for element in token}
    return {
        word
        for word in dictionary
        if any(hash_to_group(key) in elements for key in token_keys(word).keys())
    }


def test_the_bigram_attack_reads_v1_names_but_nothing_in_v2() -> None:
    truth = [name_bigrams([*given, *surnames]) for _, given, surnames in PEOPLE]
    v1 = _italy_receives(_records(1))
    recovered = [_v1_bigram_attack(record.names) for record in v1]
    recall = sum(len(r & t) for r, t in zip(recovered, truth, strict=True)) / sum(map(len, truth))
    assert recall > 0.9  # the weakness is real in version 1
    # the attacker even holds the right answers in its dictionary
    dictionary = ["amanuel", "tesfay", "mohamed", "ali", "fatima", "youssef", "benali", "rossi"]
    v2 = _italy_receives(_records(2))
    assert all(_v2_attack(record, dictionary) == set() for record in v2)
    # nor does a version 2 record carry anything a Bloom attack could start from
    assert all(record.names == () for record in v2)


def test_a_dictionary_through_the_query_is_stopped_by_cap_and_budget() -> None:
    shared = _italy_receives(_records(2))
    limits = QueryLimits(max_entries=500, budget=3000)
    filler = [[f"{a}{b}{c}ra"] for a, b, c in itertools.product("bdfgklmnprst", repeat=3)]
    dictionary = filler[:1200] + [["benali"], ["youssef"]]  # the real names come late
    # one message over the cap is refused whole
    with pytest.raises(ExchangeError) as too_many:
        _round_trip(dictionary[:600], limits=limits)
    assert too_many.value.code is ErrorCode.QUERY_LIMIT
    # and the honest writer does not even seal one
    with pytest.raises(ExchangeError) as writer:
        seal_name_query(
            NameQuery("6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48", ((b"x" * 32,) * 3,) * 501),
            sender_id=ITALY.authority_id,
            sender_keys=ITALY.keys,
            recipient=SPAIN.entry,
            sequence=1,
            now=NOW,
        )
    assert writer.value.code is ErrorCode.INVALID_ARGUMENT
    # within the cap, message after message, until the budget of elements is spent
    spent, learned = 0, []
    for start in range(0, len(dictionary), 500):
        chunk = dictionary[start : start + 500]
        try:
            rows = _round_trip(chunk, spent=spent, limits=limits)
        except ExchangeError as error:
            assert error.code is ErrorCode.QUERY_LIMIT
            break
        spent += 3 * len(chunk)
        learned.extend(
            word
            for word, row in zip(chunk, rows, strict=True)
            if any(agreement(row, name).tokens for r in shared for name in r.name_keys)
        )
    assert spent == 3000  # two messages of 500 one-token names; the third is refused
    assert ["benali"] not in learned and ["youssef"] not in learned


def test_query_payloads_are_read_strictly() -> None:
    from exchange import MalformedMessageError
    from exchange.namequery import query_from_json

    good = b64url_encode(hash_to_group("f:ali"))
    base = {
        "format": "mmx-name-query",
        "version": 2,
        "query_id": "6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48",
    }
    assert len(query_from_json({**base, "entries": [[good] * 3]}).entries) == 1
    bad_entries = [
        [[]],  # an empty entry
        [[good, good]],  # not 3 per token
        [["A" * 43] * 3],  # not a ristretto255 element
        [["A" * 42 + "A"] * 3],
        [[good] * 3 + [None] * 3],
        {},
    ]
    for entries in bad_entries:
        with pytest.raises(MalformedMessageError) as caught:
            query_from_json({**base, "entries": entries})
        assert caught.value.code is ErrorCode.SCHEMA_VIOLATION
    with pytest.raises(MalformedMessageError) as over:
        query_from_json({**base, "entries": [[good] * 3] * 501})
    assert over.value.code is ErrorCode.QUERY_LIMIT
    with pytest.raises(MalformedMessageError):
        query_from_json({**base, "version": 1, "entries": []})


def test_remains_document_names_are_blinded_too() -> None:
    shared = share_remains(
        RemainsRecord("PM-1", document_names=("Amanuel Tesfay", "12345")),
        recipient_id=ITALY.authority_id,
        sender_secret=SPAIN.sender_secret,
    )
    assert shared.version == 2 and len(shared.name_keys) == 1  # the number has no letters
    assert shared.document_names == ()
