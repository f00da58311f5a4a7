"""Field-level encryption primitives: AES-256-GCM envelopes, wrapped data keys, blind indexes.

A field ciphertext is `format (1 byte) | key version (4 bytes, big-endian) | nonce (12) | AES-GCM
ciphertext and tag`, with `table.column.row-id` as associated data so that a ciphertext copied
into another row or column fails to decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FIELD_FORMAT = 1
_HEADER = struct.Struct(">BI")
_NONCE_BYTES = 12
KEY_BYTES = 32


class CryptoError(Exception):
    """A ciphertext or key cannot be used: wrong key, wrong row, or damaged bytes."""


def field_context(table: str, column: str, row_id: object) -> bytes:
    """The associated data that binds a ciphertext to one cell."""
    return f"{table}.{column}.{row_id}".encode()


def derive_key(master_key: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose (audit chain, ...) derived from the master key by HKDF."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=f"casework {purpose}".encode()
    ).derive(master_key)


def wrap_key(master_key: bytes, key: bytes, label: str) -> bytes:
    """Encrypt a data key under the master key; `label` (purpose and version) is bound."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(master_key).encrypt(nonce, key, f"casework key {label}".encode())


def unwrap_key(master_key: bytes, wrapped: bytes, label: str) -> bytes:
    try:
        return AESGCM(master_key).decrypt(
            wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], f"casework key {label}".encode()
        )
    except InvalidTag:
        raise CryptoError(
            f"The data key {label} cannot be unwrapped: the master key is not the one it was "
            "wrapped with."
        ) from None


def blind_digest(index_key: bytes, normalised: str) -> bytes:
    """Keyed digest of a normalised value, for exact look-ups without storing plaintext."""
    return hmac.new(index_key, normalised.encode(), hashlib.sha256).digest()[:16]


@dataclass
class KeyRing:
    """The unwrapped data keys by version; new ciphertexts use the active version."""

    keys: dict[int, bytes]
    active_version: int
    index_key: bytes
    loaded_at: float = 0.0
    _ciphers: dict[int, AESGCM] = field(default_factory=dict, repr=False)

    def _cipher(self, version: int) -> AESGCM:
        cipher = self._ciphers.get(version)
        if cipher is None:
            try:
                key = self.keys[version]
            except KeyError:
                raise CryptoError(f"No data key of version {version} is known.") from None
            cipher = self._ciphers[version] = AESGCM(key)
        return cipher

    def encrypt(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        header = _HEADER.pack(FIELD_FORMAT, self.active_version)
        body = self._cipher(self.active_version).encrypt(nonce, plaintext, header + context)
        return header + nonce + body

    def decrypt(self, blob: bytes, context: bytes) -> bytes:
        version = key_version(blob)
        header = blob[: _HEADER.size]
        nonce = blob[_HEADER.size : _HEADER.size + _NONCE_BYTES]
        body = blob[_HEADER.size + _NONCE_BYTES :]
        try:
            return self._cipher(version).decrypt(nonce, body, header + context)
        except InvalidTag:
            raise CryptoError(
                "A ciphertext failed to decrypt: it was damaged or does not belong to this cell."
            ) from None


def key_version(blob: bytes) -> int:
    """The data-key version a field ciphertext was made with."""
    if len(blob) < _HEADER.size + _NONCE_BYTES + 16:
        raise CryptoError("A ciphertext is too short to be one of ours.")
    fmt, version = _HEADER.unpack_from(blob)
    if fmt != FIELD_FORMAT:
        raise CryptoError(f"Unknown ciphertext format {fmt}.")
    return int(version)
