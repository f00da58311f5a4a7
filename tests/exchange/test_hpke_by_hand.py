"""An independent HPKE opener written from RFC 9180 and the X-Wing draft, as the specification
describes them, decrypts our envelopes: the spec's suite ids, info and layout are the real ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from exchange_testkit import ITALY, NOW, SPAIN

from exchange import AuthorityKeys, export_bundle
from exchange.wire import b64url_decode, canonical_json

KEM_ID, KDF_ID, AEAD_ID = 0x647A, 0x0001, 0x0002
SUITE_ID = b"HPKE" + b"".join(i.to_bytes(2, "big") for i in (KEM_ID, KDF_ID, AEAD_ID))
XWING_LABEL = b"\\.//^\\"


def _extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def _labeled_extract(salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, b"HPKE-v1" + SUITE_ID + label + ikm)


def _labeled_expand(prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return _expand(prk, length.to_bytes(2, "big") + b"HPKE-v1" + SUITE_ID + label + info, length)


def open_by_hand(ciphertext: bytes, keys: AuthorityKeys, info: bytes) -> bytes:
    enc, sealed = ciphertext[:1120], ciphertext[1120:]
    ct_m, ct_x = enc[:1088], enc[1088:]
    ss_m = keys.ml_kem_768.decapsulate(ct_m)
    ss_x = keys.x25519.exchange(x25519.X25519PublicKey.from_public_bytes(ct_x))
    pk_x = keys.x25519.public_key().public_bytes_raw()
    shared = hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + XWING_LABEL).digest()
    context = (
        b"\x00"
        + _labeled_extract(b"", b"psk_id_hash", b"")
        + _labeled_extract(b"", b"info_hash", info)
    )
    secret = _labeled_extract(shared, b"secret", b"")
    key = _labeled_expand(secret, b"key", context, 32)
    nonce = _labeled_expand(secret, b"base_nonce", context, 12)
    return AESGCM(key).decrypt(nonce, sealed, b"")


def test_envelope_opens_by_hand() -> None:
    raw = export_bundle(
        [],
        sender_id="esp-cnp",
        sender_keys=SPAIN.keys,
        recipient=ITALY.entry,
        sequence=1,
        now=NOW,
    )
    document = json.loads(raw)
    header = {k: v for k, v in document.items() if k not in {"ciphertext", "signatures"}}
    info = b"mmx-exchange/v1 hpke\x00" + canonical_json(header)
    plaintext = open_by_hand(b64url_decode(document["ciphertext"], what="c"), ITALY.keys, info)
    assert json.loads(plaintext) == {
        "format": "mmx-bundle",
        "version": 2,
        "coarsening": {"age": 0, "height": 0, "lat100": 0, "lon100": 0, "pmi": 0},
        "records": [],
    }
