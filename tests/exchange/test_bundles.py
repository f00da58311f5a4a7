"""Bundle export and import: every refusal reason, idempotence and the two-phase commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from exchange_testkit import NOW, Authority, sample_missing_person, sample_remains

from exchange import (
    ErrorCode,
    ExchangeError,
    FreshnessError,
    ImportedBundle,
    ImportStatus,
    InMemoryReplayGuard,
    Limits,
    MessageKind,
    SharedRecord,
    TrustList,
    commit_import,
    export_bundle,
    import_bundle,
    share_missing_person,
    share_remains,
)
from exchange.envelope import seal, signed_bytes
from exchange.keys import ED25519, ML_DSA_65
from exchange.wire import b64url_decode, b64url_encode, canonical_json


def shared_records(spain: Authority, linkage: bytes, count: int = 2) -> list[SharedRecord]:
    records: list[SharedRecord] = [
        share_missing_person(
            sample_missing_person(f"MP-{i}"),
            recipient_id="ita-labanof",
            sender_secret=spain.sender_secret,
            linkage_secret=linkage,
        )
        for i in range(count - 1)
    ]
    records.append(
        share_remains(
            sample_remains(),
            recipient_id="ita-labanof",
            sender_secret=spain.sender_secret,
            linkage_secret=linkage,
        )
    )
    return records


@pytest.fixture
def records(spain: Authority, linkage_secret: bytes) -> list[SharedRecord]:
    return shared_records(spain, linkage_secret)


def export(
    spain: Authority, italy: Authority, records: list[SharedRecord], **options: Any
) -> bytes:
    arguments: dict[str, Any] = {
        "sender_id": spain.authority_id,
        "sender_keys": spain.keys,
        "recipient": italy.entry,
        "sequence": 1,
        "now": NOW,
    }
    arguments.update(options)
    return export_bundle(records, **arguments)


def do_import(
    raw: bytes, italy: Authority, trust: TrustList, guard: InMemoryReplayGuard, **options: Any
) -> ImportedBundle:
    arguments: dict[str, Any] = {
        "own_id": italy.authority_id,
        "own_keys": italy.keys,
        "trust": trust,
        "guard": guard,
        "now": NOW + timedelta(hours=1),
    }
    arguments.update(options)
    return import_bundle(raw, **arguments)


def refused(
    raw: bytes, italy: Authority, trust: TrustList, guard: InMemoryReplayGuard, **options: Any
) -> ExchangeError:
    before = guard.snapshot()
    with pytest.raises(ExchangeError) as caught:
        do_import(raw, italy, trust, guard, **options)
    assert guard.snapshot() == before
    return caught.value


def resign(raw: bytes, signer: Authority, change: Callable[[Any], object]) -> bytes:
    """Apply ``change`` to the envelope document and sign it again with ``signer``'s keys."""
    document = json.loads(raw)
    change(document)
    document.pop("signatures")
    signature = signer.keys.sign(signed_bytes(document))
    document["signatures"] = {
        ED25519: b64url_encode(signature.ed25519),
        ML_DSA_65: b64url_encode(signature.ml_dsa_65),
    }
    return canonical_json(document)


def test_roundtrip(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records)
    received = import_bundle(
        raw, own_id="ita-labanof", own_keys=italy.keys, trust=italy_trust, guard=guard, now=NOW
    )
    assert received.is_new
    assert received.content == tuple(records)
    assert received.header.sender_id == "esp-cnp"
    assert received.header.recipient_id == "ita-labanof"
    assert received.header.sequence == 1
    assert received.header.created == NOW
    assert received.header.expires == NOW + timedelta(days=14)
    assert guard.snapshot() == ({}, {})  # nothing recorded before the commit
    commit_import(received, guard)
    assert guard.last_sequence("esp-cnp", MessageKind.BUNDLE) == 1


def test_envelope_hides_the_records(
    spain: Authority, italy: Authority, records: list[SharedRecord]
) -> None:
    raw = export(spain, italy, records)
    document = json.loads(raw)
    assert document["kind"] == "bundle"
    assert records[0].pseudonym.encode() not in raw
    assert b"tattoo" not in raw
    assert set(document["signatures"]) == {"ed25519", "ml-dsa-65"}


def test_records_are_read_only(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    received = do_import(export(spain, italy, records), italy, italy_trust, guard)
    assert received.content is not None
    record = received.content[0]
    with pytest.raises(AttributeError):
        record.sex = "female"  # type: ignore[misc,assignment]
    assert isinstance(received.content, tuple)


def test_second_import_is_idempotent(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records)
    commit_import(do_import(raw, italy, italy_trust, guard), guard)
    state = guard.snapshot()
    again = do_import(raw, italy, italy_trust, guard)
    assert again.status is ImportStatus.ALREADY_IMPORTED
    assert again.content is None
    commit_import(again, guard)
    assert guard.snapshot() == state


def test_already_imported_wins_over_expiry(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records)
    commit_import(do_import(raw, italy, italy_trust, guard), guard)
    later = do_import(raw, italy, italy_trust, guard, now=NOW + timedelta(days=60))
    assert later.status is ImportStatus.ALREADY_IMPORTED


def test_reused_id_with_other_content(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    bundle_id = "0b8e7c1e-1e6f-4d8b-9a53-3f5cf0c3c2a1"
    first = export(spain, italy, records, bundle_id=bundle_id)
    commit_import(do_import(first, italy, italy_trust, guard), guard)
    second = export(spain, italy, records[:1], bundle_id=bundle_id, sequence=2)
    assert refused(second, italy, italy_trust, guard).code is ErrorCode.ID_REUSED


def test_sequence_must_increase(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    commit_import(
        do_import(export(spain, italy, records, sequence=5), italy, italy_trust, guard), guard
    )
    for sequence in (5, 4):
        raw = export(spain, italy, records, sequence=sequence)
        assert refused(raw, italy, italy_trust, guard).code is ErrorCode.OUT_OF_ORDER
    assert do_import(export(spain, italy, records, sequence=9), italy, italy_trust, guard).is_new


def test_sequences_are_per_sender(
    spain: Authority,
    italy: Authority,
    greece: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    commit_import(
        do_import(export(spain, italy, records, sequence=5), italy, italy_trust, guard), guard
    )
    from_greece = export(greece, italy, records, sequence=1)
    assert do_import(from_greece, italy, italy_trust, guard).is_new


def test_concurrent_commit_is_refused(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records)
    first = do_import(raw, italy, italy_trust, guard)
    second = do_import(raw, italy, italy_trust, guard)  # opened before the first committed
    commit_import(first, guard)
    with pytest.raises(FreshnessError) as caught:
        commit_import(second, guard)
    assert caught.value.code is ErrorCode.ALREADY_IMPORTED


@pytest.mark.parametrize(
    ("now_offset", "code"),
    [
        (timedelta(days=14), ErrorCode.EXPIRED),
        (timedelta(days=30), ErrorCode.EXPIRED),
        (-timedelta(minutes=6), ErrorCode.NOT_YET_VALID),
    ],
)
def test_time_window(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
    now_offset: timedelta,
    code: ErrorCode,
) -> None:
    raw = export(spain, italy, records)
    assert refused(raw, italy, italy_trust, guard, now=NOW + now_offset).code is code


def test_small_clock_skew_is_tolerated(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records)
    assert do_import(raw, italy, italy_trust, guard, now=NOW - timedelta(minutes=4)).is_new


def test_lifetime_limit(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records, lifetime=timedelta(days=20))
    tight = Limits(max_lifetime=timedelta(days=10))
    assert refused(raw, italy, italy_trust, guard, limits=tight).code is ErrorCode.LIFETIME_TOO_LONG
    with pytest.raises(ExchangeError) as caught:
        export(spain, italy, records, lifetime=timedelta(days=31))
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT


def test_wrong_recipient(
    spain: Authority,
    italy: Authority,
    greece: Authority,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records)
    greek_trust = TrustList([spain.entry, italy.entry])
    error = refused(raw, greece, greek_trust, guard, own_id="grc-hp")
    assert error.code is ErrorCode.WRONG_RECIPIENT
    assert "ita-labanof" in error.message


def test_unknown_sender(
    spain: Authority, italy: Authority, guard: InMemoryReplayGuard, records: list[SharedRecord]
) -> None:
    raw = export(spain, italy, records)
    assert refused(raw, italy, TrustList([]), guard).code is ErrorCode.UNKNOWN_SENDER


def test_revoked_sender(
    spain: Authority, italy: Authority, guard: InMemoryReplayGuard, records: list[SharedRecord]
) -> None:
    raw = export(spain, italy, records)
    trust = TrustList([replace(spain.entry, revoked_at=NOW + timedelta(days=1))])
    assert refused(raw, italy, trust, guard).code is ErrorCode.SENDER_REVOKED


def test_sender_out_of_validity(
    spain: Authority, italy: Authority, guard: InMemoryReplayGuard, records: list[SharedRecord]
) -> None:
    raw = export(spain, italy, records)
    trust = TrustList([replace(spain.entry, valid_until=NOW)])
    assert refused(raw, italy, trust, guard).code is ErrorCode.SENDER_NOT_VALID


def test_export_to_revoked_recipient_refused(
    spain: Authority, italy: Authority, records: list[SharedRecord]
) -> None:
    with pytest.raises(ExchangeError) as caught:
        export(spain, italy, records, recipient=replace(italy.entry, revoked_at=NOW))
    assert caught.value.code is ErrorCode.RECIPIENT_REVOKED


def test_signature_by_another_trusted_authority(
    spain: Authority,
    italy: Authority,
    greece: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    forged = resign(export(spain, italy, records), greece, lambda d: None)
    assert refused(forged, italy, italy_trust, guard).code is ErrorCode.BAD_SIGNATURE


@pytest.mark.parametrize("which", [ED25519, ML_DSA_65])
def test_each_signature_checked(
    spain: Authority,
    italy: Authority,
    greece: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
    which: str,
) -> None:
    raw = export(spain, italy, records)
    forged = json.loads(resign(raw, greece, lambda d: None))
    document = json.loads(raw)
    document["signatures"][which] = forged["signatures"][which]
    error = refused(json.dumps(document).encode(), italy, italy_trust, guard)
    assert error.code is ErrorCode.BAD_SIGNATURE


@pytest.mark.parametrize("field", ["sender", "sequence", "created", "expires", "id", "ciphertext"])
def test_signed_header_fields_cannot_change(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
    field: str,
) -> None:
    document = json.loads(export(spain, italy, records))
    document[field] = {
        "sender": "grc-hp",
        "sequence": 2,
        "created": "2026-06-01T12:00:01Z",
        "expires": "2026-06-02T12:00:00Z",
        "id": "0b8e7c1e-1e6f-4d8b-9a53-3f5cf0c3c2a1",
        "ciphertext": document["ciphertext"][:-4] + "AAAA",
    }[field]
    error = refused(json.dumps(document).encode(), italy, italy_trust, guard)
    assert error.code is ErrorCode.BAD_SIGNATURE


def test_header_bound_to_ciphertext(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    # The sender itself re-signs a changed header over the old ciphertext: HPKE info differs.
    raw = resign(export(spain, italy, records), spain, lambda d: d.update(sequence=7))
    assert refused(raw, italy, italy_trust, guard).code is ErrorCode.DECRYPTION_FAILED


def test_ciphertext_for_someone_else(
    spain: Authority,
    italy: Authority,
    greece: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    to_greece = json.loads(export(spain, greece, records))
    raw = resign(
        export(spain, italy, records), spain, lambda d: d.update(ciphertext=to_greece["ciphertext"])
    )
    assert refused(raw, italy, italy_trust, guard).code is ErrorCode.DECRYPTION_FAILED


def test_wrong_kind(
    spain: Authority, italy: Authority, italy_trust: TrustList, guard: InMemoryReplayGuard
) -> None:
    raw = seal(
        MessageKind.DISCLOSURE_REQUEST,
        {"format": "x"},
        sender_id="esp-cnp",
        sender_keys=spain.keys,
        recipient=italy.entry,
        sequence=1,
        now=NOW,
        lifetime=timedelta(days=1),
    )
    assert refused(raw, italy, italy_trust, guard).code is ErrorCode.WRONG_KIND


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"format": "mmx-bundle", "version": 3, "records": []}, ErrorCode.UNSUPPORTED_VERSION),
        ({"format": "other", "version": 1, "records": []}, ErrorCode.SCHEMA_VIOLATION),
        ({"format": "mmx-bundle", "version": 1, "records": {}}, ErrorCode.SCHEMA_VIOLATION),
        (
            {"format": "mmx-bundle", "version": 1, "records": [{"type": "x"}]},
            ErrorCode.SCHEMA_VIOLATION,
        ),
    ],
)
def test_bad_payload_signed_by_trusted_sender(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    payload: dict[str, Any],
    code: ErrorCode,
) -> None:
    raw = seal(
        MessageKind.BUNDLE,
        payload,
        sender_id="esp-cnp",
        sender_keys=spain.keys,
        recipient=italy.entry,
        sequence=1,
        now=NOW,
        lifetime=timedelta(days=1),
    )
    assert refused(raw, italy, italy_trust, guard).code is code


def test_duplicate_pseudonym_in_bundle(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    from exchange.bundle import bundle_payload

    payload = bundle_payload([records[0], records[0]])
    raw = seal(
        MessageKind.BUNDLE,
        payload,
        sender_id="esp-cnp",
        sender_keys=spain.keys,
        recipient=italy.entry,
        sequence=1,
        now=NOW,
        lifetime=timedelta(days=1),
    )
    assert refused(raw, italy, italy_trust, guard).code is ErrorCode.SCHEMA_VIOLATION
    with pytest.raises(ExchangeError) as caught:
        export(spain, italy, [records[0], records[0]])
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT


def test_record_limit(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    linkage_secret: bytes,
) -> None:
    many = shared_records(spain, linkage_secret, count=4)
    raw = export(spain, italy, many)
    assert refused(raw, italy, italy_trust, guard, limits=Limits(max_records=3)).code is (
        ErrorCode.TOO_LARGE
    )
    with pytest.raises(ExchangeError):
        export(spain, italy, many, limits=Limits(max_records=3))


def test_size_limit(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    raw = export(spain, italy, records)
    small = Limits(max_envelope_bytes=len(raw) - 1)
    assert refused(raw, italy, italy_trust, guard, limits=small).code is ErrorCode.TOO_LARGE


def test_empty_bundle_is_allowed(
    spain: Authority, italy: Authority, italy_trust: TrustList, guard: InMemoryReplayGuard
) -> None:
    assert do_import(export(spain, italy, []), italy, italy_trust, guard).content == ()


def test_ciphertext_too_short(
    spain: Authority,
    italy: Authority,
    italy_trust: TrustList,
    guard: InMemoryReplayGuard,
    records: list[SharedRecord],
) -> None:
    short = b64url_encode(
        b64url_decode(json.loads(export(spain, italy, records))["ciphertext"], what="c")[:100]
    )
    raw = resign(export(spain, italy, records), spain, lambda d: d.update(ciphertext=short))
    assert refused(raw, italy, italy_trust, guard).code is ErrorCode.SCHEMA_VIOLATION


@pytest.mark.parametrize("sequence", [0, -1, True, 2**53])
def test_export_refuses_bad_sequence(
    spain: Authority, italy: Authority, records: list[SharedRecord], sequence: int
) -> None:
    with pytest.raises(ExchangeError) as caught:
        export(spain, italy, records, sequence=sequence)
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT
