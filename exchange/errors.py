"""Errors raised by the exchange library: one base class, each error with a stable code.

The codes are part of the wire specification (docs/exchange-format.md, "Error codes"): an
application may show them, log them or return them to a peer, and they never change meaning.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    """Stable machine-readable reasons for refusing a message, a key file or a record."""

    TOO_LARGE = "too-large"
    MALFORMED = "malformed"
    SCHEMA_VIOLATION = "schema-violation"
    UNSUPPORTED_VERSION = "unsupported-version"
    WRONG_KIND = "wrong-kind"
    WRONG_RECIPIENT = "wrong-recipient"
    UNKNOWN_SENDER = "unknown-sender"
    SENDER_REVOKED = "sender-revoked"
    SENDER_NOT_VALID = "sender-not-valid"
    RECIPIENT_REVOKED = "recipient-revoked"
    RECIPIENT_NOT_VALID = "recipient-not-valid"
    BAD_SIGNATURE = "bad-signature"
    DECRYPTION_FAILED = "decryption-failed"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    LIFETIME_TOO_LONG = "lifetime-too-long"
    OUT_OF_ORDER = "out-of-order"
    ID_REUSED = "id-reused"
    ALREADY_IMPORTED = "already-imported"
    RESET_REFUSED = "reset-refused"
    QUERY_LIMIT = "query-limit"
    BAD_KEY_FILE = "bad-key-file"
    WRONG_PASSPHRASE = "wrong-passphrase"
    BAD_TRUST_LIST = "bad-trust-list"
    FINGERPRINT_MISMATCH = "fingerprint-mismatch"
    INVALID_LOCAL_RECORD = "invalid-local-record"
    INVALID_ARGUMENT = "invalid-argument"


class ExchangeError(Exception):
    """Base class of every error the exchange library raises on purpose.

    Attributes:
        code: the stable reason, one of `ErrorCode`.
        message: a sentence for an officer or an operator, in plain English.

    Example:
        >>> try:
        ...     raise SignatureError(ErrorCode.BAD_SIGNATURE, "The ML-DSA-65 signature is invalid.")
        ... except ExchangeError as error:
        ...     print(error.code)
        bad-signature
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class MalformedMessageError(ExchangeError):
    """The bytes are not a well-formed message of this format (size, JSON, schema, version)."""


class TrustError(ExchangeError):
    """The sender or recipient is not acceptable: unknown, revoked, out of validity, not us."""


class SignatureError(ExchangeError):
    """One of the two signatures (Ed25519, ML-DSA-65) does not verify."""


class DecryptionError(ExchangeError):
    """The HPKE ciphertext does not open with our key and the signed header."""


class FreshnessError(ExchangeError):
    """The message is expired, from the future, out of sequence or replayed."""


class KeyFileError(ExchangeError):
    """A private key file cannot be read: damaged, unsupported or a wrong passphrase."""


class TrustListError(ExchangeError):
    """A trust list document is damaged or inconsistent (e.g. a fingerprint does not match)."""


class RecordError(ExchangeError):
    """A record handed in by the application cannot be exported (e.g. an invalid tooth number)."""
