"""The import path under malformed, truncated, oversized, bit-flipped and tampered input: every
refusal is an ExchangeError and leaves the replay guard untouched."""

from __future__ import annotations

import base64
import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from exchange_testkit import ITALY, NOW, SPAIN, sample_missing_person, sample_remains
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange import (
    ExchangeError,
    ImportReceipt,
    InMemoryReplayGuard,
    KeyFileError,
    Limits,
    MalformedMessageError,
    MessageKind,
    SharedRecord,
    TrustList,
    TrustListError,
    export_bundle,
    import_bundle,
    load_private_keys,
    open_disclosure_request,
    share_missing_person,
    share_remains,
)
from exchange.envelope import seal
from exchange.shared import record_from_json, record_to_json

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINKAGE = bytes(range(32))
TRUST = TrustList([SPAIN.entry])
RECORDS: list[SharedRecord] = [
    share_missing_person(
        sample_missing_person(),
        recipient_id="ita-labanof",
        sender_secret=SPAIN.sender_secret,
        linkage_secret=LINKAGE,
    ),
    share_remains(
        sample_remains(),
        recipient_id="ita-labanof",
        sender_secret=SPAIN.sender_secret,
        linkage_secret=LINKAGE,
    ),
]
VALID = export_bundle(
    RECORDS,
    sender_id="esp-cnp",
    sender_keys=SPAIN.keys,
    recipient=ITALY.entry,
    sequence=1,
    now=NOW,
)
SMALL_LIMITS = Limits(max_envelope_bytes=len(VALID) + 1000)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def earlier_imports() -> InMemoryReplayGuard:
    """A guard that already holds one import, so "unchanged" is not trivially true."""
    guard = InMemoryReplayGuard()
    guard.record_import(
        ImportReceipt(
            "esp-cnp", MessageKind.BUNDLE, "0b8e7c1e-1e6f-4d8b-9a53-3f5cf0c3c2a1", 0, bytes(32)
        )
    )
    return guard


def assert_refused(raw: bytes) -> ExchangeError:
    guard = earlier_imports()
    before = guard.snapshot()
    try:
        import_bundle(
            raw,
            own_id="ita-labanof",
            own_keys=ITALY.keys,
            trust=TRUST,
            guard=guard,
            now=NOW,
            limits=SMALL_LIMITS,
        )
    except ExchangeError as error:
        assert guard.snapshot() == before
        assert error.code and error.message
        return error
    raise AssertionError("the tampered bundle was accepted")


def test_the_valid_bundle_is_accepted() -> None:
    received = import_bundle(
        VALID,
        own_id="ita-labanof",
        own_keys=ITALY.keys,
        trust=TRUST,
        guard=InMemoryReplayGuard(),
        now=NOW,
    )
    assert received.content == tuple(RECORDS)


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(raw: bytes) -> None:
    assert_refused(raw)


@FUZZ
@given(json_values)
def test_random_json(value: object) -> None:
    assert_refused(json.dumps(value).encode())


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID) - 1))
def test_truncated(length: int) -> None:
    assert_refused(VALID[:length])


@FUZZ
@given(st.lists(st.integers(min_value=0, max_value=len(VALID) * 8 - 1), min_size=1, max_size=8))
def test_bit_flips(positions: list[int]) -> None:
    flipped = bytearray(VALID)
    for position in positions:
        flipped[position // 8] ^= 0x80 >> (position % 8)
    if bytes(flipped) == VALID:  # an even number of flips of one bit
        return
    assert_refused(bytes(flipped))


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=3 * 1024 * 1024))
def test_oversized(extra: int) -> None:
    error = assert_refused(VALID + b" " * (1000 + extra))
    assert error.code == "too-large"


@FUZZ
@given(
    st.sampled_from(sorted(json.loads(VALID))),
    json_values,
)
def test_tampered_field(field: str, value: object) -> None:
    document = json.loads(VALID)
    if document[field] == value:
        return
    document[field] = value
    assert_refused(json.dumps(document).encode())


@FUZZ
@given(st.sampled_from(sorted(json.loads(VALID))), st.text(max_size=12), json_values)
def test_removed_or_added_member(removed: str, added: str, value: object) -> None:
    document = json.loads(VALID)
    del document[removed]
    if added and added not in document:
        document[added] = value
    assert_refused(json.dumps(document).encode())


@FUZZ
@given(st.sampled_from(["ed25519", "ml-dsa-65"]), st.binary(min_size=0, max_size=4000))
def test_tampered_signature(which: str, signature: bytes) -> None:
    document = json.loads(VALID)
    document["signatures"][which] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assert_refused(json.dumps(document).encode())


def test_replayed_after_commit_changes_nothing() -> None:
    guard = InMemoryReplayGuard()
    received = import_bundle(
        VALID, own_id="ita-labanof", own_keys=ITALY.keys, trust=TRUST, guard=guard, now=NOW
    )
    guard.record_import(received.receipt)
    before = guard.snapshot()
    again = import_bundle(
        VALID, own_id="ita-labanof", own_keys=ITALY.keys, trust=TRUST, guard=guard, now=NOW
    )
    assert not again.is_new
    assert guard.snapshot() == before


RECORD_JSON = [record_to_json(record) for record in RECORDS]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=1), st.data())
def test_signed_payload_with_tampered_record(index: int, data: st.DataObject) -> None:
    """A trusted sender (or a bug) sends a broken record: refused whole, never a crash."""
    record: dict[str, Any] = copy.deepcopy(RECORD_JSON[index])
    field = data.draw(st.sampled_from(sorted(record)))
    value = data.draw(json_values.filter(lambda v: not isinstance(v, float)))
    if record[field] == value:
        return
    record[field] = value
    payload: dict[str, Any] = {"format": "mmx-bundle", "version": 1, "records": [record]}
    try:
        raw = seal(
            MessageKind.BUNDLE,
            payload,
            sender_id="esp-cnp",
            sender_keys=SPAIN.keys,
            recipient=ITALY.entry,
            sequence=1,
            now=NOW,
            lifetime=timedelta(days=1),
        )
    except ExchangeError:
        return  # not even writable as canonical JSON (e.g. an upper-case key)
    try:
        received = import_bundle(
            raw,
            own_id="ita-labanof",
            own_keys=ITALY.keys,
            trust=TRUST,
            guard=InMemoryReplayGuard(),
            now=NOW,
        )
    except ExchangeError:
        return
    # Accepted only if the value happens to be valid; then it must read back the same.
    assert received.content is not None
    assert record_to_json(received.content[0]) == record


@FUZZ
@given(json_values)
def test_record_reader_only_raises_its_error(value: object) -> None:
    with pytest.raises(MalformedMessageError):
        record_from_json(value)


@FUZZ
@given(st.binary(max_size=2000))
def test_disclosure_request_random_bytes(raw: bytes) -> None:
    with pytest.raises(ExchangeError):
        open_disclosure_request(
            raw,
            own_id="ita-labanof",
            own_keys=ITALY.keys,
            trust=TRUST,
            guard=InMemoryReplayGuard(),
            now=NOW,
        )


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_trust_list_reader(value: object) -> None:
    with pytest.raises(TrustListError):
        TrustList.from_json(
            json.dumps({"format": "mmx-trust-list", "version": 1, "authorities": [value]}).encode()
        )


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=500))
def test_key_file_reader(raw: bytes) -> None:
    with pytest.raises(KeyFileError):
        load_private_keys(raw, b"a long enough passphrase")
