"""The signed and encrypted envelope every message travels in: sealing (encrypt to the recipient
with HPKE, then sign with both keys) and opening (all checks before anything is returned).
"""

from __future__ import annotations

import enum
import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hpke

from exchange.errors import (
    DecryptionError,
    ErrorCode,
    ExchangeError,
    FreshnessError,
    MalformedMessageError,
    TrustError,
)
from exchange.keys import (
    ED25519,
    ML_DSA_65,
    AuthorityKeys,
    HybridSignature,
)
from exchange.replay import ImportReceipt, MessageKind, ReplayGuard
from exchange.trust import TrustedAuthority, TrustList, check_authority_id
from exchange.wire import (
    JsonValue,
    b64url_decode,
    b64url_encode,
    canonical_json,
    format_timestamp,
    parse_json,
    parse_timestamp,
    require_aware,
)

ENVELOPE_FORMAT = "mmx-exchange"
ENVELOPE_VERSION = 1
SUITE_NAME = "MLKEM768-X25519/HKDF-SHA256/AES-256-GCM"
SIGNATURE_LABEL = b"mmx-exchange/v1 signature\x00"
HPKE_INFO_LABEL = b"mmx-exchange/v1 hpke\x00"
HPKE_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
ENC_LENGTH = 1120
TAG_LENGTH = 16
ED25519_SIGNATURE_LENGTH = 64
ML_DSA_65_SIGNATURE_LENGTH = 3309
MESSAGE_ID_PATTERN = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
MAX_SEQUENCE = 2**53 - 1
_HEADER_FIELDS = (
    "format",
    "version",
    "kind",
    "id",
    "sender",
    "recipient",
    "sequence",
    "created",
    "expires",
    "suite",
)
_ENVELOPE_FIELDS = {*_HEADER_FIELDS, "ciphertext", "signatures"}


@dataclass(frozen=True)
class Limits:
    """Limits enforced when opening a message (spec §8). Pass a tighter one if you like.

    Attributes:
        max_envelope_bytes: the whole envelope as received.
        max_payload_bytes: the decrypted payload.
        max_records: records in one bundle.
        max_lifetime: the longest allowed span from creation to expiry.
        clock_skew: how far in the future a creation time may be.
    """

    max_envelope_bytes: int = 24 * 1024 * 1024
    max_payload_bytes: int = 16 * 1024 * 1024
    max_records: int = 5000
    max_lifetime: timedelta = timedelta(days=30)
    clock_skew: timedelta = timedelta(minutes=5)


DEFAULT_LIMITS = Limits()


class ImportStatus(enum.StrEnum):
    """Whether an opened message is new or a replay of one already imported (idempotent)."""

    NEW = "new"
    ALREADY_IMPORTED = "already-imported"


@dataclass(frozen=True)
class EnvelopeHeader:
    """The signed, unencrypted header of a message: who, to whom, what, when, which sequence."""

    kind: MessageKind
    message_id: str
    sender_id: str
    recipient_id: str
    sequence: int
    created: datetime
    expires: datetime

    def to_json(self) -> dict[str, JsonValue]:
        """Return the header fields as they appear in the envelope (spec §5.1).

        Example:
            >>> from datetime import UTC, datetime
            >>> moment = datetime(2026, 6, 1, tzinfo=UTC)
            >>> EnvelopeHeader(MessageKind.BUNDLE, "6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48",
            ...     "esp-cnp", "ita-labanof", 1, moment, moment).to_json()["created"]
            '2026-06-01T00:00:00Z'
        """
        return {
            "format": ENVELOPE_FORMAT,
            "version": ENVELOPE_VERSION,
            "kind": self.kind.value,
            "id": self.message_id,
            "sender": self.sender_id,
            "recipient": self.recipient_id,
            "sequence": self.sequence,
            "created": format_timestamp(self.created),
            "expires": format_timestamp(self.expires),
            "suite": SUITE_NAME,
        }

    def hpke_info(self) -> bytes:
        """The HPKE ``info``: a label and the canonical header, binding it to the ciphertext.

        Example:
            >>> from datetime import UTC, datetime
            >>> moment = datetime(2026, 6, 1, tzinfo=UTC)
            >>> header = EnvelopeHeader(MessageKind.BUNDLE, "6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48",
            ...     "esp-cnp", "ita-labanof", 1, moment, moment)
            >>> header.hpke_info()[:31]
            b'mmx-exchange/v1 hpke\\x00{"created"'
        """
        return HPKE_INFO_LABEL + canonical_json(self.to_json())


@dataclass(frozen=True)
class OpenedEnvelope:
    """A message that passed every check: authentic, for us, fresh, in order, decrypted.

    Attributes:
        header: the envelope header.
        status: ``new``, or ``already-imported`` when the very same message was imported before
            (then ``payload`` is None and nothing needs to be stored again).
        payload: the decrypted, strictly parsed JSON payload (None when already imported).
        receipt: what to hand to `ReplayGuard.record_import` after storing the content.
    """

    header: EnvelopeHeader
    status: ImportStatus
    payload: Mapping[str, object] | None
    receipt: ImportReceipt


def signed_bytes(envelope_without_signatures: Mapping[str, JsonValue]) -> bytes:
    """The bytes both signatures cover: a label, then the canonical envelope without signatures.

    Example:
        >>> signed_bytes({"a": 1})
        b'mmx-exchange/v1 signature\\x00{"a":1}'
    """
    return SIGNATURE_LABEL + canonical_json(envelope_without_signatures)


def seal(
    kind: MessageKind,
    payload: Mapping[str, JsonValue],
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta,
    message_id: str | None = None,
) -> bytes:
    """Encrypt a payload to the recipient with HPKE, sign the envelope with both keys.

    Args:
        kind: what the payload is.
        payload: a JSON object (no floats), the plaintext.
        sender_id: our authority id.
        sender_keys: our private keys.
        recipient: the recipient's trust list entry (must be usable at ``now``).
        sequence: 1 or more, strictly increasing per (sender, recipient, kind); the application
            keeps the counter.
        now: the creation time.
        lifetime: how long the message stays importable (at most 30 days by default limits).
        message_id: a lowercase UUID4; a fresh random one if None.

    Returns:
        The envelope as canonical JSON bytes.

    Raises:
        TrustError: if the recipient is revoked or out of validity.
        ExchangeError: ``invalid-argument`` for a bad sequence, lifetime or id.

    Example:
        See `exchange.bundle.export_bundle`, which calls this.
    """
    now = require_aware(now, what="now").replace(microsecond=0)
    recipient.check_usable(now, as_recipient=True)
    check_authority_id(sender_id, what="sender id")
    if isinstance(sequence, bool) or not 1 <= sequence <= MAX_SEQUENCE:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "The sequence must be 1 to 2^53 - 1.")
    if not timedelta(seconds=1) <= lifetime <= DEFAULT_LIMITS.max_lifetime:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "The lifetime must be 1 s to 30 days.")
    message_id = str(uuid.uuid4()) if message_id is None else message_id
    if not MESSAGE_ID_PATTERN.match(message_id):
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "The message id must be a UUID4.")
    header = EnvelopeHeader(
        kind=kind,
        message_id=message_id,
        sender_id=sender_id,
        recipient_id=recipient.authority_id,
        sequence=sequence,
        created=now,
        expires=now + lifetime,
    )
    ciphertext = HPKE_SUITE.encrypt(
        canonical_json(payload), recipient.keys.hpke_public_key(), info=header.hpke_info()
    )
    unsigned: dict[str, JsonValue] = {**header.to_json(), "ciphertext": b64url_encode(ciphertext)}
    signature = sender_keys.sign(signed_bytes(unsigned))
    return canonical_json(
        {
            **unsigned,
            "signatures": {
                ED25519: b64url_encode(signature.ed25519),
                ML_DSA_65: b64url_encode(signature.ml_dsa_65),
            },
        }
    )


def _schema(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def _read_header(document: Mapping[str, object]) -> EnvelopeHeader:
    if document["format"] != ENVELOPE_FORMAT:
        raise _schema("This is not an mmx-exchange envelope.")
    if document["version"] != ENVELOPE_VERSION or isinstance(document["version"], bool):
        raise MalformedMessageError(
            ErrorCode.UNSUPPORTED_VERSION, f"Envelope version {document['version']!r} is unknown."
        )
    if document["suite"] != SUITE_NAME:
        raise MalformedMessageError(
            ErrorCode.UNSUPPORTED_VERSION, "The envelope uses an unsupported HPKE suite."
        )
    kind = document["kind"]
    if not isinstance(kind, str) or kind not in {k.value for k in MessageKind}:
        raise _schema("The envelope kind is unknown.")
    message_id = document["id"]
    if not isinstance(message_id, str) or not MESSAGE_ID_PATTERN.match(message_id):
        raise _schema("The envelope id is not a lowercase UUID4.")
    sequence = document["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 1 <= sequence:
        raise _schema("The sequence must be a whole number from 1.")
    created = parse_timestamp(document["created"], what="created")
    expires = parse_timestamp(document["expires"], what="expires")
    if expires <= created:
        raise _schema("The expiry must be later than the creation time.")
    return EnvelopeHeader(
        kind=MessageKind(kind),
        message_id=message_id,
        sender_id=check_authority_id(document["sender"], what="sender id"),
        recipient_id=check_authority_id(document["recipient"], what="recipient id"),
        sequence=sequence,
        created=created,
        expires=expires,
    )


def _read_signature(value: object) -> HybridSignature:
    if not isinstance(value, dict) or set(value) != {ED25519, ML_DSA_65}:
        raise _schema("The signatures must be an object with ed25519 and ml-dsa-65.")
    return HybridSignature(
        ed25519=b64url_decode(
            value[ED25519], what="ed25519 signature", length=ED25519_SIGNATURE_LENGTH
        ),
        ml_dsa_65=b64url_decode(
            value[ML_DSA_65], what="ml-dsa-65 signature", length=ML_DSA_65_SIGNATURE_LENGTH
        ),
    )


def open_envelope(
    raw: bytes,
    *,
    expected_kind: MessageKind,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> OpenedEnvelope:
    """Check and open an envelope; nothing is recorded (see `ReplayGuard.record_import`).

    Checks, in this order: size and JSON form; format, version, kind; that we are the recipient;
    that the sender is trusted, not revoked and within validity; both signatures; whether the
    id was imported before (same bytes: status ``already-imported``; other bytes: ``id-reused``);
    creation, expiry and lifetime; sequence above the last accepted; decryption; payload JSON.

    Args:
        raw: the envelope bytes as received.
        expected_kind: the kind the caller is ready to handle.
        own_id: our authority id.
        own_keys: our private keys.
        trust: our trust list.
        guard: earlier imports (read only here).
        now: the current time.
        limits: size, count and time limits.

    Returns:
        The opened envelope.

    Raises:
        ExchangeError: a subclass with a stable code for every refusal; never anything else.

    Example:
        See `exchange.bundle.import_bundle`, which calls this.
    """
    now = require_aware(now, what="now")
    document = parse_json(raw, max_bytes=limits.max_envelope_bytes)
    if not isinstance(document, dict) or set(document) != _ENVELOPE_FIELDS:
        raise _schema(f"An envelope must be an object with exactly {sorted(_ENVELOPE_FIELDS)}.")
    header = _read_header(document)
    if header.kind is not expected_kind:
        raise MalformedMessageError(
            ErrorCode.WRONG_KIND, f"Expected a {expected_kind} message, got a {header.kind}."
        )
    if header.recipient_id != own_id:
        raise TrustError(
            ErrorCode.WRONG_RECIPIENT,
            f"The message is addressed to {header.recipient_id}, not to us ({own_id}).",
        )
    sender = trust.require(header.sender_id, now)
    signature = _read_signature(document["signatures"])
    ciphertext = b64url_decode(document["ciphertext"], what="ciphertext")
    if len(ciphertext) < ENC_LENGTH + TAG_LENGTH:
        raise _schema("The ciphertext is too short to be an HPKE ciphertext.")
    unsigned: dict[str, JsonValue] = {
        **header.to_json(),
        "ciphertext": b64url_encode(ciphertext),
    }
    message = signed_bytes(unsigned)
    sender.keys.verify(message, signature)
    digest = hashlib.sha256(message).digest()
    receipt = ImportReceipt(
        sender_id=header.sender_id,
        kind=header.kind,
        message_id=header.message_id,
        sequence=header.sequence,
        digest=digest,
        signer_fingerprint=sender.keys.fingerprint,
    )
    earlier = guard.imported_digest(header.sender_id, header.message_id)
    if earlier is not None:
        if earlier == digest:
            return OpenedEnvelope(header, ImportStatus.ALREADY_IMPORTED, None, receipt)
        raise FreshnessError(
            ErrorCode.ID_REUSED,
            f"Message id {header.message_id} was already imported with different content.",
        )
    if header.created > now + limits.clock_skew:
        raise FreshnessError(
            ErrorCode.NOT_YET_VALID,
            f"The message claims to be created at {format_timestamp(header.created)}, "
            "in the future; check both clocks.",
        )
    if header.expires <= now:
        raise FreshnessError(
            ErrorCode.EXPIRED, f"The message expired at {format_timestamp(header.expires)}."
        )
    if header.expires - header.created > limits.max_lifetime:
        raise FreshnessError(
            ErrorCode.LIFETIME_TOO_LONG,
            f"The message lives longer than the allowed {limits.max_lifetime.days} days.",
        )
    # a reset is ordered by the freshness of its key (§5.6), not by a sequence of its own
    last = (
        None
        if header.kind is MessageKind.SEQUENCE_RESET
        else guard.last_sequence(header.sender_id, header.kind)
    )
    if last is not None and header.sequence <= last:
        raise FreshnessError(
            ErrorCode.OUT_OF_ORDER,
            f"Sequence {header.sequence} is not above the last accepted from "
            f"{header.sender_id}, {last}: a replay or a message sent out of order.",
        )
    try:
        plaintext = HPKE_SUITE.decrypt(
            ciphertext, own_keys.hpke_private_key(), info=header.hpke_info()
        )
    except Exception:  # the binding raises InvalidTag or ValueError; both mean the same here
        raise DecryptionError(
            ErrorCode.DECRYPTION_FAILED, "The message cannot be decrypted with our key."
        ) from None
    payload = parse_json(plaintext, max_bytes=limits.max_payload_bytes)
    if not isinstance(payload, dict):
        raise _schema("The payload must be a JSON object.")
    return OpenedEnvelope(header, ImportStatus.NEW, payload, receipt)
