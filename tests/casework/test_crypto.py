"""Field ciphertext format: binding to the cell, versioned keys, wrapping, blind digests."""

import os

import pytest

from casework.crypto import (
    CryptoError,
    KeyRing,
    blind_digest,
    field_context,
    key_version,
    unwrap_key,
    wrap_key,
)


def ring(*versions: int) -> KeyRing:
    return KeyRing(
        keys={v: bytes([v]) * 32 for v in versions},
        active_version=max(versions),
        index_key=b"i" * 32,
    )


def test_round_trip_and_header_carries_key_version() -> None:
    blob = ring(1, 2).encrypt(
        b"Amanuel Tesfay", field_context("missing_person", "surnames_ct", "a")
    )
    assert blob[0] == 1 and key_version(blob) == 2
    assert (
        ring(1, 2).decrypt(blob, field_context("missing_person", "surnames_ct", "a"))
        == b"Amanuel Tesfay"
    )
    assert b"Amanuel" not in blob


@pytest.mark.parametrize(
    "context",
    [
        field_context("missing_person", "surnames_ct", "b"),  # another row
        field_context("missing_person", "given_names_ct", "a"),  # another column
        field_context("relative", "surnames_ct", "a"),  # another table
    ],
)
def test_ciphertext_moved_to_another_cell_fails(context: bytes) -> None:
    blob = ring(1).encrypt(b"secret", field_context("missing_person", "surnames_ct", "a"))
    with pytest.raises(CryptoError):
        ring(1).decrypt(blob, context)


def test_flipped_bit_or_version_fails() -> None:
    context = field_context("t", "c", 1)
    blob = bytearray(ring(1, 2).encrypt(b"secret", context))
    blob[-1] ^= 1
    with pytest.raises(CryptoError):
        ring(1, 2).decrypt(bytes(blob), context)
    relabelled = bytearray(ring(1, 2).encrypt(b"secret", context))
    relabelled[4] = 1  # claim version 1: the header is authenticated
    with pytest.raises(CryptoError):
        ring(1, 2).decrypt(bytes(relabelled), context)


def test_unknown_version_and_garbage_are_refused() -> None:
    blob = ring(1, 2).encrypt(b"x", b"ctx")
    with pytest.raises(CryptoError, match="version 2"):
        ring(1).decrypt(blob, b"ctx")
    with pytest.raises(CryptoError):
        key_version(b"\x01\x00")
    with pytest.raises(CryptoError, match="format"):
        key_version(b"\x07" + b"\x00" * 40)


def test_wrapped_key_needs_the_same_master_key_and_label() -> None:
    master, key = os.urandom(32), os.urandom(32)
    wrapped = wrap_key(master, key, "data v1")
    assert unwrap_key(master, wrapped, "data v1") == key
    with pytest.raises(CryptoError):
        unwrap_key(os.urandom(32), wrapped, "data v1")
    with pytest.raises(CryptoError):
        unwrap_key(master, wrapped, "data v2")


def test_blind_digest_is_keyed_and_deterministic() -> None:
    assert blind_digest(b"a" * 32, "perez") == blind_digest(b"a" * 32, "perez")
    assert blind_digest(b"a" * 32, "perez") != blind_digest(b"b" * 32, "perez")
    assert len(blind_digest(b"a" * 32, "perez")) == 16
