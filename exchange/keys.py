"""Long-term keys of an authority: hybrid signing (Ed25519 + ML-DSA-65), hybrid HPKE decryption
(ML-KEM-768 + X25519), their encodings, the public-key fingerprint and the passphrase key file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa, mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from exchange.errors import (
    ErrorCode,
    ExchangeError,
    KeyFileError,
    MalformedMessageError,
    SignatureError,
)
from exchange.wire import JsonValue, b64url_decode, b64url_encode, canonical_json, parse_json

#: Names of the four public keys, as they appear in trust lists (spec §3).
ED25519 = "ed25519"
ML_DSA_65 = "ml-dsa-65"
ML_KEM_768 = "ml-kem-768"
X25519 = "x25519"

PUBLIC_KEY_LENGTHS: Mapping[str, int] = {ED25519: 32, ML_DSA_65: 1952, ML_KEM_768: 1184, X25519: 32}
PRIVATE_SEED_LENGTHS: Mapping[str, int] = {ED25519: 32, ML_DSA_65: 32, ML_KEM_768: 64, X25519: 32}

#: ML-DSA-65 context string (FIPS 204 ctx) used for every signature of this format.
ML_DSA_CONTEXT = b"mmx-exchange/v1"
FINGERPRINT_PREFIX = b"mmx-exchange/v1 fingerprint\x00"
KEY_FILE_FORMAT = "mmx-private-keys"
#: The weakest scrypt cost a key file may declare (spec §3.3): 2^17 is about 128 MiB of memory per
#: guess; 14 (16 MiB) made an offline guess of the passphrase of a stolen file eight times cheaper.
MIN_SCRYPT_LOG2_N = 17
MAX_SCRYPT_LOG2_N = 22
MAX_KEY_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class HybridSignature:
    """The pair of signatures over one message; both must verify.

    Attributes:
        ed25519: the 64-byte Ed25519 signature.
        ml_dsa_65: the 3309-byte ML-DSA-65 signature (context ``mmx-exchange/v1``).
    """

    ed25519: bytes
    ml_dsa_65: bytes


@dataclass(frozen=True, eq=False)
class AuthorityPublicKeys:
    """The public half of an authority's keys: what goes into a peer's trust list.

    Example:
        >>> keys = AuthorityKeys.generate()
        >>> copy = AuthorityPublicKeys.from_json(keys.public.to_json())
        >>> copy.fingerprint == keys.public.fingerprint
        True
    """

    ed25519: ed25519.Ed25519PublicKey
    ml_dsa_65: mldsa.MLDSA65PublicKey
    ml_kem_768: mlkem.MLKEM768PublicKey
    x25519: x25519.X25519PublicKey

    def raw(self) -> dict[str, bytes]:
        """Return the raw encodings of the four keys, keyed by their spec names.

        Example:
            >>> sorted(AuthorityKeys.generate().public.raw())
            ['ed25519', 'ml-dsa-65', 'ml-kem-768', 'x25519']
        """
        return {
            ED25519: self.ed25519.public_bytes_raw(),
            ML_DSA_65: self.ml_dsa_65.public_bytes_raw(),
            ML_KEM_768: self.ml_kem_768.public_bytes_raw(),
            X25519: self.x25519.public_bytes_raw(),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AuthorityPublicKeys) and self.raw() == other.raw()

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    @property
    def fingerprint(self) -> bytes:
        """SHA-256 over a prefix and the four raw public keys in spec order (spec §3.2).

        Example:
            >>> len(AuthorityKeys.generate().public.fingerprint)
            32
        """
        raw = self.raw()
        digest = hashlib.sha256(FINGERPRINT_PREFIX)
        for name in (ED25519, ML_DSA_65, ML_KEM_768, X25519):
            digest.update(raw[name])
        return digest.digest()

    def to_json(self) -> dict[str, JsonValue]:
        """Return the JSON object form: each key as unpadded base64url of its raw bytes.

        Example:
            >>> sorted(AuthorityKeys.generate().public.to_json())
            ['ed25519', 'ml-dsa-65', 'ml-kem-768', 'x25519']
        """
        return {name: b64url_encode(raw) for name, raw in self.raw().items()}

    @classmethod
    def from_json(cls, value: object) -> AuthorityPublicKeys:
        """Read the JSON object form strictly (exactly the four keys, exact lengths).

        Raises:
            MalformedMessageError: code ``schema-violation``.

        Example:
            >>> keys = AuthorityKeys.generate().public
            >>> AuthorityPublicKeys.from_json(keys.to_json()) == keys
            True
        """
        if not isinstance(value, dict) or set(value) != set(PUBLIC_KEY_LENGTHS):
            raise MalformedMessageError(
                ErrorCode.SCHEMA_VIOLATION,
                "Public keys must be an object of exactly ed25519, ml-dsa-65, ml-kem-768, x25519.",
            )
        raw = {
            name: b64url_decode(value[name], what=f"the {name} public key", length=length)
            for name, length in PUBLIC_KEY_LENGTHS.items()
        }
        try:
            return cls(
                ed25519=ed25519.Ed25519PublicKey.from_public_bytes(raw[ED25519]),
                ml_dsa_65=mldsa.MLDSA65PublicKey.from_public_bytes(raw[ML_DSA_65]),
                ml_kem_768=mlkem.MLKEM768PublicKey.from_public_bytes(raw[ML_KEM_768]),
                x25519=x25519.X25519PublicKey.from_public_bytes(raw[X25519]),
            )
        except ValueError:
            raise MalformedMessageError(
                ErrorCode.SCHEMA_VIOLATION, "A public key is not a valid key of its type."
            ) from None

    def hpke_public_key(self) -> hpke.MLKEM768X25519PublicKey:
        """Return the composite HPKE public key (ML-KEM-768 + X25519) used to encrypt to us.

        Example:
            >>> type(AuthorityKeys.generate().public.hpke_public_key()).__name__
            'MLKEM768X25519PublicKey'
        """
        return hpke.MLKEM768X25519PublicKey(self.ml_kem_768, self.x25519)

    def verify(self, message: bytes, signature: HybridSignature) -> None:
        """Check both signatures over ``message``; both must verify.

        Raises:
            SignatureError: code ``bad-signature``, naming which signature failed.

        Example:
            >>> keys = AuthorityKeys.generate()
            >>> keys.public.verify(b"hello", keys.sign(b"hello"))
        """
        try:
            self.ed25519.verify(signature.ed25519, message)
        except InvalidSignature:
            raise SignatureError(
                ErrorCode.BAD_SIGNATURE, "The Ed25519 signature is invalid."
            ) from None
        try:
            self.ml_dsa_65.verify(signature.ml_dsa_65, message, ML_DSA_CONTEXT)
        except InvalidSignature:
            raise SignatureError(
                ErrorCode.BAD_SIGNATURE, "The ML-DSA-65 signature is invalid."
            ) from None


def format_fingerprint(fingerprint: bytes) -> str:
    """Show a fingerprint for comparison by telephone or on paper: 16 groups of 4 hex digits.

    Example:
        >>> format_fingerprint(bytes(range(32)))[:19]
        '0001 0203 0405 0607'
    """
    text = fingerprint.hex().upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@dataclass(frozen=True)
class AuthorityKeys:
    """An authority's private keys (all four), able to sign and to open messages sent to it.

    Build with `generate`, `from_seeds` (test vectors) or `load_private_keys` (key file).

    Example:
        >>> keys = AuthorityKeys.generate()
        >>> keys.public.verify(b"m", keys.sign(b"m"))
    """

    ed25519: ed25519.Ed25519PrivateKey = field(repr=False)
    ml_dsa_65: mldsa.MLDSA65PrivateKey = field(repr=False)
    ml_kem_768: mlkem.MLKEM768PrivateKey = field(repr=False)
    x25519: x25519.X25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> AuthorityKeys:
        """Generate a fresh set of four keys from the operating system's random source.

        Example:
            >>> len(AuthorityKeys.generate().seeds()["ml-kem-768"])
            64
        """
        return cls(
            ed25519=ed25519.Ed25519PrivateKey.generate(),
            ml_dsa_65=mldsa.MLDSA65PrivateKey.generate(),
            ml_kem_768=mlkem.MLKEM768PrivateKey.generate(),
            x25519=x25519.X25519PrivateKey.generate(),
        )

    @classmethod
    def from_seeds(cls, seeds: Mapping[str, bytes]) -> AuthorityKeys:
        """Rebuild keys from their raw seeds (32, 32, 64, 32 bytes; spec §3.1).

        Raises:
            KeyFileError: code ``bad-key-file`` if a seed is missing or has the wrong length.

        Example:
            >>> keys = AuthorityKeys.generate()
            >>> AuthorityKeys.from_seeds(keys.seeds()).public == keys.public
            True
        """
        if set(seeds) != set(PRIVATE_SEED_LENGTHS) or any(
            not isinstance(seeds[name], bytes) or len(seeds[name]) != length
            for name, length in PRIVATE_SEED_LENGTHS.items()
        ):
            raise KeyFileError(
                ErrorCode.BAD_KEY_FILE, "The private key seeds are incomplete or of the wrong size."
            )
        return cls(
            ed25519=ed25519.Ed25519PrivateKey.from_private_bytes(seeds[ED25519]),
            ml_dsa_65=mldsa.MLDSA65PrivateKey.from_seed_bytes(seeds[ML_DSA_65]),
            ml_kem_768=mlkem.MLKEM768PrivateKey.from_seed_bytes(seeds[ML_KEM_768]),
            x25519=x25519.X25519PrivateKey.from_private_bytes(seeds[X25519]),
        )

    def seeds(self) -> dict[str, bytes]:
        """Return the raw private seeds. Handle with care: this is the whole identity.

        Example:
            >>> sorted(AuthorityKeys.generate().seeds())
            ['ed25519', 'ml-dsa-65', 'ml-kem-768', 'x25519']
        """
        return {
            ED25519: self.ed25519.private_bytes_raw(),
            ML_DSA_65: self.ml_dsa_65.private_bytes_raw(),
            ML_KEM_768: self.ml_kem_768.private_bytes_raw(),
            X25519: self.x25519.private_bytes_raw(),
        }

    @property
    def public(self) -> AuthorityPublicKeys:
        """The matching public keys.

        Example:
            >>> keys = AuthorityKeys.generate()
            >>> keys.public == keys.public
            True
        """
        return AuthorityPublicKeys(
            ed25519=self.ed25519.public_key(),
            ml_dsa_65=self.ml_dsa_65.public_key(),
            ml_kem_768=self.ml_kem_768.public_key(),
            x25519=self.x25519.public_key(),
        )

    def sign(self, message: bytes) -> HybridSignature:
        """Sign ``message`` with both keys (ML-DSA-65 with context ``mmx-exchange/v1``).

        Example:
            >>> len(AuthorityKeys.generate().sign(b"m").ed25519)
            64
        """
        return HybridSignature(
            ed25519=self.ed25519.sign(message),
            ml_dsa_65=self.ml_dsa_65.sign(message, ML_DSA_CONTEXT),
        )

    def hpke_private_key(self) -> hpke.MLKEM768X25519PrivateKey:
        """Return the composite HPKE private key (ML-KEM-768 + X25519).

        Example:
            >>> type(AuthorityKeys.generate().hpke_private_key()).__name__
            'MLKEM768X25519PrivateKey'
        """
        return hpke.MLKEM768X25519PrivateKey(self.ml_kem_768, self.x25519)


def _key_file_header(salt: bytes, log2_n: int, nonce: bytes) -> dict[str, JsonValue]:
    return {
        "format": KEY_FILE_FORMAT,
        "version": 1,
        "kdf": {"name": "scrypt", "log2_n": log2_n, "r": 8, "p": 1, "salt": b64url_encode(salt)},
        "aead": "AES-256-GCM",
        "nonce": b64url_encode(nonce),
    }


def _derive_file_key(passphrase: bytes, salt: bytes, log2_n: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=8, p=1).derive(passphrase)


def export_private_keys(
    keys: AuthorityKeys, passphrase: bytes, *, scrypt_log2_n: int = 17
) -> bytes:
    """Write the private keys to a passphrase-protected key file (spec §3.3).

    The seeds are encrypted with AES-256-GCM under a key derived by scrypt (N = 2^log2_n, r = 8,
    p = 1, 16-byte random salt); the file header is the associated data, so it cannot be altered.

    Args:
        keys: the authority's private keys.
        passphrase: at least 12 bytes; the application asks an operator for it.
        scrypt_log2_n: scrypt cost, 17 to 22; 17 (about 128 MiB, a third of a second) by default.

    Returns:
        The key file as canonical JSON bytes.

    Example:
        >>> keys = AuthorityKeys.generate()
        >>> blob = export_private_keys(keys, b"correct horse battery", scrypt_log2_n=17)
        >>> load_private_keys(blob, b"correct horse battery").public == keys.public
        True
    """
    if len(passphrase) < 12:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "The passphrase must be 12 bytes or more.")
    if not MIN_SCRYPT_LOG2_N <= scrypt_log2_n <= MAX_SCRYPT_LOG2_N:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "scrypt_log2_n must be between 17 and 22.")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = _key_file_header(salt, scrypt_log2_n, nonce)
    seeds: dict[str, JsonValue] = {name: b64url_encode(raw) for name, raw in keys.seeds().items()}
    ciphertext = AESGCM(_derive_file_key(passphrase, salt, scrypt_log2_n)).encrypt(
        nonce, canonical_json(seeds), canonical_json(header)
    )
    return canonical_json({**header, "ciphertext": b64url_encode(ciphertext)})


def load_private_keys(raw: bytes, passphrase: bytes) -> AuthorityKeys:
    """Read a key file written by `export_private_keys`.

    Raises:
        KeyFileError: ``bad-key-file`` if damaged or unsupported, ``wrong-passphrase`` if the
            passphrase does not open it.

    Example:
        >>> keys = AuthorityKeys.generate()
        >>> blob = export_private_keys(keys, b"correct horse battery", scrypt_log2_n=17)
        >>> load_private_keys(blob, b"wrong passphrase!")
        Traceback (most recent call last):
        ...
        exchange.errors.KeyFileError: wrong-passphrase: The passphrase does not open this key file.
    """
    bad = KeyFileError(ErrorCode.BAD_KEY_FILE, "The key file is damaged or not a key file.")
    try:
        document = parse_json(raw, max_bytes=MAX_KEY_FILE_BYTES)
    except MalformedMessageError:
        raise bad from None
    if not isinstance(document, dict) or set(document) != {
        "format",
        "version",
        "kdf",
        "aead",
        "nonce",
        "ciphertext",
    }:
        raise bad
    kdf = document["kdf"]
    if (
        document["format"] != KEY_FILE_FORMAT
        or document["version"] != 1
        or document["aead"] != "AES-256-GCM"
        or not isinstance(kdf, dict)
        or set(kdf) != {"name", "log2_n", "r", "p", "salt"}
        or kdf["name"] != "scrypt"
        or kdf["r"] != 8
        or kdf["p"] != 1
        or not isinstance(kdf["log2_n"], int)
        or isinstance(kdf["log2_n"], bool)
        or not MIN_SCRYPT_LOG2_N <= kdf["log2_n"] <= MAX_SCRYPT_LOG2_N
    ):
        raise bad
    try:
        salt = b64url_decode(kdf["salt"], what="salt", length=16)
        nonce = b64url_decode(document["nonce"], what="nonce", length=12)
        ciphertext = b64url_decode(document["ciphertext"], what="ciphertext")
    except MalformedMessageError:
        raise bad from None
    header = _key_file_header(salt, kdf["log2_n"], nonce)
    try:
        plaintext = AESGCM(_derive_file_key(passphrase, salt, kdf["log2_n"])).decrypt(
            nonce, ciphertext, canonical_json(header)
        )
    except InvalidTag:
        raise KeyFileError(
            ErrorCode.WRONG_PASSPHRASE, "The passphrase does not open this key file."
        ) from None
    try:
        seeds_json = parse_json(plaintext, max_bytes=MAX_KEY_FILE_BYTES)
        if not isinstance(seeds_json, dict):
            raise bad
        seeds = {name: b64url_decode(value, what=name) for name, value in seeds_json.items()}
    except MalformedMessageError:
        raise bad from None
    return AuthorityKeys.from_seeds(seeds)
