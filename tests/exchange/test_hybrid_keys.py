"""Hybrid signatures, key encodings, fingerprints and the passphrase key file."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from exchange_testkit import Authority, seeded_keys

from exchange import (
    AuthorityKeys,
    AuthorityPublicKeys,
    ErrorCode,
    ExchangeError,
    HybridSignature,
    KeyFileError,
    MalformedMessageError,
    SignatureError,
    export_private_keys,
    format_fingerprint,
    load_private_keys,
)
from exchange.keys import PUBLIC_KEY_LENGTHS
from exchange.wire import b64url_encode

PASSPHRASE = b"a long enough passphrase"


def test_both_signatures_verify(spain: Authority) -> None:
    signature = spain.keys.sign(b"message")
    spain.keys.public.verify(b"message", signature)
    assert len(signature.ed25519) == 64
    assert len(signature.ml_dsa_65) == 3309


def test_signature_over_other_message_fails(spain: Authority) -> None:
    with pytest.raises(SignatureError) as caught:
        spain.keys.public.verify(b"other", spain.keys.sign(b"message"))
    assert caught.value.code is ErrorCode.BAD_SIGNATURE


@pytest.mark.parametrize("broken", ["ed25519", "ml_dsa_65"])
def test_each_signature_is_required(spain: Authority, italy: Authority, broken: str) -> None:
    good = spain.keys.sign(b"message")
    foreign = italy.keys.sign(b"message")
    mixed = HybridSignature(
        ed25519=foreign.ed25519 if broken == "ed25519" else good.ed25519,
        ml_dsa_65=foreign.ml_dsa_65 if broken == "ml_dsa_65" else good.ml_dsa_65,
    )
    name = "Ed25519" if broken == "ed25519" else "ML-DSA-65"
    with pytest.raises(SignatureError, match=name):
        spain.keys.public.verify(b"message", mixed)


def test_seeds_rebuild_the_same_keys() -> None:
    keys = AuthorityKeys.generate()
    again = AuthorityKeys.from_seeds(keys.seeds())
    assert again.public == keys.public
    assert {name: len(raw) for name, raw in keys.seeds().items()} == {
        "ed25519": 32,
        "ml-dsa-65": 32,
        "ml-kem-768": 64,
        "x25519": 32,
    }


def test_from_seeds_refuses_wrong_sizes() -> None:
    seeds = seeded_keys("x").seeds()
    seeds["ml-kem-768"] = seeds["ml-kem-768"][:32]
    with pytest.raises(KeyFileError) as caught:
        AuthorityKeys.from_seeds(seeds)
    assert caught.value.code is ErrorCode.BAD_KEY_FILE


def test_public_keys_json_roundtrip(spain: Authority) -> None:
    document = spain.keys.public.to_json()
    assert AuthorityPublicKeys.from_json(document) == spain.keys.public
    assert AuthorityPublicKeys.from_json(document) != seeded_keys("other").public


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("x25519"),
        lambda d: d.update(extra="AAAA"),
        lambda d: d.update({"ed25519": b64url_encode(bytes(31))}),
        lambda d: d.update({"ml-kem-768": b64url_encode(bytes(PUBLIC_KEY_LENGTHS["ml-kem-768"]))}),
        lambda d: d.update({"ml-dsa-65": 5}),
    ],
)
def test_public_keys_json_refuses(spain: Authority, change: Callable[[Any], object]) -> None:
    document = dict(spain.keys.public.to_json())
    change(document)
    try:
        AuthorityPublicKeys.from_json(document)
    except MalformedMessageError as error:
        assert error.code is ErrorCode.SCHEMA_VIOLATION
    else:  # an all-zero ML-KEM key may be accepted by the library; then it must differ
        assert AuthorityPublicKeys.from_json(document) != spain.keys.public


def test_fingerprint_depends_on_every_key(spain: Authority, italy: Authority) -> None:
    base = spain.keys.public
    assert len(base.fingerprint) == 32
    for name in ("ed25519", "ml_dsa_65", "ml_kem_768", "x25519"):
        swapped = AuthorityPublicKeys(
            **{
                field: getattr(italy.keys.public if field == name else base, field)
                for field in ("ed25519", "ml_dsa_65", "ml_kem_768", "x25519")
            }
        )
        assert swapped.fingerprint != base.fingerprint


def test_format_fingerprint_groups() -> None:
    text = format_fingerprint(bytes.fromhex("ab" * 32))
    assert text.split() == ["ABAB"] * 16


def test_key_file_roundtrip(spain: Authority) -> None:
    blob = export_private_keys(spain.keys, PASSPHRASE, scrypt_log2_n=17)
    assert b"ml-kem-768" not in blob  # the seeds are encrypted, even their names
    loaded = load_private_keys(blob, PASSPHRASE)
    assert loaded.seeds() == spain.keys.seeds()


def test_key_file_wrong_passphrase(spain: Authority) -> None:
    blob = export_private_keys(spain.keys, PASSPHRASE, scrypt_log2_n=17)
    with pytest.raises(KeyFileError) as caught:
        load_private_keys(blob, b"not the passphrase")
    assert caught.value.code is ErrorCode.WRONG_PASSPHRASE


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["kdf"].update(log2_n=10),  # a downgraded cost is refused outright
        lambda d: d["kdf"].update(log2_n=14),  # v1 accepted 14; now below the minimum of 17
        lambda d: d["kdf"].update(log2_n=18),  # header is authenticated: tag fails
        lambda d: d.update(version=2),
        lambda d: d.update(ciphertext="!!"),
        lambda d: d.pop("nonce"),
    ],
)
def test_key_file_tampering(spain: Authority, change: Callable[[Any], object]) -> None:
    document = json.loads(export_private_keys(spain.keys, PASSPHRASE, scrypt_log2_n=17))
    change(document)
    with pytest.raises(KeyFileError):
        load_private_keys(json.dumps(document).encode(), PASSPHRASE)


def test_weak_key_file_refused_before_any_work(spain: Authority) -> None:
    """A file declaring log2_n = 14 is refused as bad-key-file, not opened cheaply."""
    document = json.loads(export_private_keys(spain.keys, PASSPHRASE, scrypt_log2_n=17))
    document["kdf"]["log2_n"] = 14
    with pytest.raises(KeyFileError) as caught:
        load_private_keys(json.dumps(document).encode(), PASSPHRASE)
    assert caught.value.code is ErrorCode.BAD_KEY_FILE
    with pytest.raises(ExchangeError):
        export_private_keys(spain.keys, PASSPHRASE, scrypt_log2_n=16)


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b"{}"])
def test_key_file_garbage(raw: bytes) -> None:
    with pytest.raises(KeyFileError) as caught:
        load_private_keys(raw, PASSPHRASE)
    assert caught.value.code is ErrorCode.BAD_KEY_FILE


def test_export_refuses_short_passphrase(spain: Authority) -> None:
    with pytest.raises(ExchangeError) as caught:
        export_private_keys(spain.keys, b"short")
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT


def test_private_keys_do_not_show_in_repr(spain: Authority) -> None:
    assert "Private" not in repr(spain.keys)
