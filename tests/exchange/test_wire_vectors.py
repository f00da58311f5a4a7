"""The published test vectors (tests/exchange/vectors/*.json) hold for this implementation.

Deterministic outputs are compared byte for byte; signatures and HPKE ciphertexts, which are
randomised, are checked by verifying and decrypting the stored ones.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from exchange import (
    AuthorityKeys,
    AuthorityPublicKeys,
    DentalFinding,
    Effect,
    GeoPoint,
    HybridSignature,
    InMemoryReplayGuard,
    Mark,
    MissingPersonRecord,
    RemainsRecord,
    Sex,
    TrustedAuthority,
    TrustList,
    dice,
    encode_name,
    format_fingerprint,
    import_bundle,
    load_private_keys,
    open_disclosure_request,
    record_pseudonym,
    share_missing_person,
    share_remains,
)
from exchange.envelope import HPKE_SUITE, EnvelopeHeader, signed_bytes
from exchange.linkage import blip_seed, harden, name_bigrams, name_tokens
from exchange.replay import MessageKind
from exchange.shared import record_from_json, record_to_json
from exchange.wire import b64url_decode, b64url_encode, canonical_json, parse_json, parse_timestamp

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


KEYS = load("keys.json")


def private_keys(authority_id: str) -> AuthorityKeys:
    seeds = KEYS["authorities"][authority_id]["seeds_hex"]
    return AuthorityKeys.from_seeds({name: bytes.fromhex(raw) for name, raw in seeds.items()})


def public_keys(authority_id: str) -> AuthorityPublicKeys:
    return AuthorityPublicKeys.from_json(KEYS["authorities"][authority_id]["public"])


@pytest.mark.parametrize(
    "case", load("canonical-json.json")["cases"], ids=lambda c: c["description"]
)
def test_canonical_json_vectors(case: dict[str, str]) -> None:
    produced = canonical_json(parse_json(case["input"].encode(), max_bytes=10_000))  # type: ignore[arg-type]
    assert produced == case["canonical"].encode("utf-8")
    assert produced.hex() == case["canonical_hex"]


@pytest.mark.parametrize("authority_id", sorted(KEYS["authorities"]))
def test_key_vectors(authority_id: str) -> None:
    expected = KEYS["authorities"][authority_id]
    keys = private_keys(authority_id)
    assert keys.public.to_json() == expected["public"]
    assert keys.public.fingerprint.hex() == expected["fingerprint_hex"]
    assert format_fingerprint(keys.public.fingerprint) == expected["fingerprint_display"]


def test_key_file_vector() -> None:
    vector = KEYS["key_file"]
    keys = load_private_keys(vector["file"].encode(), vector["passphrase"].encode())
    expected = KEYS["authorities"][vector["authority_id"]]["fingerprint_hex"]
    assert keys.public.fingerprint.hex() == expected


def test_trust_list_vector() -> None:
    trust = TrustList.from_json(KEYS["trust_list"].encode())
    assert [entry.authority_id for entry in trust] == ["esp-cnp", "grc-hp"]
    assert trust.to_json().decode() == KEYS["trust_list"]


@pytest.mark.parametrize("case", load("pseudonym.json")["cases"], ids=lambda c: c["local_id"])
def test_pseudonym_vectors(case: dict[str, str]) -> None:
    secret = bytes.fromhex(case["sender_secret_hex"])
    assert record_pseudonym(secret, case["recipient_id"], case["local_id"]) == case["pseudonym"]


BLOOM = load("bloom.json")


@pytest.mark.parametrize("case", BLOOM["cases"], ids=lambda c: " ".join(c["name_parts"]))
def test_bloom_vectors(case: dict[str, Any]) -> None:
    linkage = bytes.fromhex(BLOOM["linkage_secret_hex"])
    sender = bytes.fromhex(BLOOM["sender_secret_hex"])
    assert name_tokens(case["name_parts"]) == case["tokens"]
    assert sorted(name_bigrams(case["name_parts"])) == case["bigrams"]
    plain = encode_name(case["name_parts"], linkage)
    assert b64url_encode(plain) == case["filter"]
    seed = blip_seed(**case["blip_seed"])
    assert seed.hex() == case["blip_seed_hex"]
    assert b64url_encode(harden(plain, sender, seed)) == case["hardened"]


def test_dice_vector() -> None:
    for case in BLOOM["dice"]:
        a = b64url_decode(case["a"], what="a")
        b = b64url_decode(case["b"], what="b")
        assert round(dice(a, b), 12) == case["dice"]


def _local_record(value: dict[str, Any]) -> MissingPersonRecord | RemainsRecord:
    fields: dict[str, Any] = {}
    for name, item in value.items():
        if name.endswith("_date") and item is not None:
            fields[name] = date.fromisoformat(item)
        elif name.endswith("_point") and item is not None:
            fields[name] = GeoPoint(*item)
        elif name == "marks":
            fields[name] = tuple(Mark(**mark) for mark in item)
        elif name == "effects":
            fields[name] = tuple(Effect(**effect) for effect in item)
        elif name == "dental":
            fields[name] = tuple(DentalFinding(**finding) for finding in item)
        elif name == "sex":
            fields[name] = Sex(item)
        elif isinstance(item, list):
            fields[name] = tuple(item)
        else:
            fields[name] = item
    if "given_names" in fields:
        return MissingPersonRecord(**fields)
    return RemainsRecord(**fields)


ANONYMISE = load("anonymise.json")


@pytest.mark.parametrize("case", ANONYMISE["cases"], ids=lambda c: c["local"]["local_id"])
def test_anonymise_vectors(case: dict[str, Any]) -> None:
    record = _local_record(case["local"])
    secrets = {
        "recipient_id": ANONYMISE["recipient_id"],
        "sender_secret": bytes.fromhex(ANONYMISE["sender_secret_hex"]),
        "linkage_secret": bytes.fromhex(ANONYMISE["linkage_secret_hex"]),
    }
    if isinstance(record, MissingPersonRecord):
        shared = record_to_json(share_missing_person(record, **secrets))
    else:
        shared = record_to_json(share_remains(record, **secrets))
    assert shared == case["shared"]


ENVELOPES = load("envelopes.json")


def _trust_for_vectors() -> TrustList:
    start, end = (parse_timestamp(t, what="t") for t in ENVELOPES["trust_valid"])
    return TrustList(
        TrustedAuthority(authority_id, "XXX", authority_id, public_keys(authority_id), start, end)
        for authority_id in KEYS["authorities"]
    )


def test_bundle_vector_signature_and_decryption() -> None:
    case = ENVELOPES["cases"][0]
    document = json.loads(case["envelope"])
    header = EnvelopeHeader(
        kind=MessageKind(document["kind"]),
        message_id=document["id"],
        sender_id=document["sender"],
        recipient_id=document["recipient"],
        sequence=document["sequence"],
        created=parse_timestamp(document["created"], what="created"),
        expires=parse_timestamp(document["expires"], what="expires"),
    )
    assert header.hpke_info().hex() == case["hpke_info_hex"]
    unsigned = {key: value for key, value in document.items() if key != "signatures"}
    message = signed_bytes(unsigned)
    assert hashlib.sha256(message).hexdigest() == case["signed_bytes_sha256"]
    signature = HybridSignature(
        ed25519=b64url_decode(document["signatures"]["ed25519"], what="s"),
        ml_dsa_65=b64url_decode(document["signatures"]["ml-dsa-65"], what="s"),
    )
    public_keys(case["sender"]).verify(message, signature)
    plaintext = HPKE_SUITE.decrypt(
        b64url_decode(document["ciphertext"], what="c"),
        private_keys(case["recipient"]).hpke_private_key(),
        info=header.hpke_info(),
    )
    assert plaintext == case["payload"].encode("utf-8")


def test_bundle_vector_imports() -> None:
    case = ENVELOPES["cases"][0]
    received = import_bundle(
        case["envelope"].encode(),
        own_id=case["recipient"],
        own_keys=private_keys(case["recipient"]),
        trust=_trust_for_vectors(),
        guard=InMemoryReplayGuard(),
        now=parse_timestamp(ENVELOPES["check_at"], what="now"),
    )
    payload = json.loads(case["payload"])
    assert received.content == tuple(record_from_json(r) for r in payload["records"])


def test_disclosure_request_vector_opens() -> None:
    case = ENVELOPES["cases"][1]
    received = open_disclosure_request(
        case["envelope"].encode(),
        own_id=case["recipient"],
        own_keys=private_keys(case["recipient"]),
        trust=_trust_for_vectors(),
        guard=InMemoryReplayGuard(),
        now=parse_timestamp(ENVELOPES["check_at"], what="now"),
    )
    assert received.content is not None
    assert received.content.request_id == json.loads(case["payload"])["request_id"]


DNA = load("dna.json")


@pytest.mark.parametrize("case", DNA["searches"], ids=lambda case: case["description"])
def test_dna_search_vectors(case: dict[str, Any]) -> None:
    from exchange.dna import search_from_json, search_payload

    read = search_from_json(case["payload"])
    assert canonical_json(search_payload(read)).decode() == case["canonical"]
    (family,) = read.families
    given = case["payload"]["families"][0]
    assert {k: [[m, v] for m, v in sorted(y.items())] for k, y in family.ystr.items()} == given.get(
        "ystr", {}
    )
    assert {k: list(v) for k, v in family.mtdna.items()} == given.get("mtdna", {})


@pytest.mark.parametrize("case", DNA["answers"], ids=lambda case: case["description"])
def test_dna_answer_vectors(case: dict[str, Any]) -> None:
    from exchange.dna import answer_from_json, answer_payload

    read = answer_from_json(case["payload"])
    assert canonical_json(answer_payload(read)).decode() == case["canonical"]
    assert canonical_json(case["payload"]).decode() == case["canonical"]
    (result,) = read.results
    assert list(result.lineage_exclusion) == case["payload"]["results"][0].get(
        "lineage_exclusion", []
    )


@pytest.mark.parametrize("case", DNA["refused"], ids=lambda case: case["description"])
def test_dna_refused_vectors(case: dict[str, Any]) -> None:
    from exchange import ErrorCode, MalformedMessageError
    from exchange.dna import answer_from_json, search_from_json

    read = search_from_json if case["payload"]["format"] == "mmx-dna-search" else answer_from_json
    with pytest.raises(MalformedMessageError) as refused:
        read(case["payload"])
    assert refused.value.code is ErrorCode.SCHEMA_VIOLATION
