"""Bundles of anonymised records: export (sign and encrypt for one peer) and import (verify,
decrypt, validate strictly, return read-only records without storing anything).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from exchange.coarsening import Coarsening
from exchange.envelope import DEFAULT_LIMITS, Limits, open_envelope, seal
from exchange.errors import ErrorCode, ExchangeError, MalformedMessageError
from exchange.keys import AuthorityKeys
from exchange.received import Received
from exchange.replay import MessageKind, ReplayGuard
from exchange.shared import SharedRecord, SharedWithdrawal, record_from_json, record_to_json
from exchange.trust import TrustedAuthority, TrustList
from exchange.wire import JsonValue, canonical_json

BUNDLE_FORMAT = "mmx-bundle"
DEFAULT_BUNDLE_LIFETIME = timedelta(days=14)
#: Version 1 bundles (names as Bloom filters, readable by every recipient) are still read, and
#: flagged, until this moment (spec §12); version 2 is what we write.
V1_READ_UNTIL = datetime(2027, 7, 1, tzinfo=UTC)

ImportedBundle = Received[tuple[SharedRecord, ...]]


def bundle_version(records: Sequence[SharedRecord]) -> int:
    """The version of a bundle of these records: theirs (all alike), 2 for an empty bundle.

    Raises:
        ExchangeError: ``invalid-argument`` if version 1 and 2 records are mixed.
    """
    versions = {record.version for record in records} or {2}
    if len(versions) > 1:
        raise ExchangeError(
            ErrorCode.INVALID_ARGUMENT, "A bundle cannot mix version 1 and version 2 records."
        )
    return versions.pop()


def bundle_payload(records: Sequence[SharedRecord]) -> dict[str, JsonValue]:
    """The plaintext JSON object of a bundle (spec §7.1).

    Example:
        >>> bundle_payload([])["version"], bundle_payload([])["records"]
        (2, [])
    """
    version = bundle_version(records)
    payload: dict[str, JsonValue] = {
        "format": BUNDLE_FORMAT,
        "version": version,
        "records": [record_to_json(record) for record in records],
    }
    if version == 2:
        shifts = {
            record.coarsening for record in records if not isinstance(record, SharedWithdrawal)
        } or {Coarsening()}
        if len(shifts) != 1 or None in shifts:
            raise ExchangeError(
                ErrorCode.INVALID_ARGUMENT, "The records were coarsened for different recipients."
            )
        payload["coarsening"] = Coarsening.to_json(shifts.pop())  # type: ignore[arg-type]
    return payload


def export_bundle(
    records: Sequence[SharedRecord],
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_BUNDLE_LIFETIME,
    bundle_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """Sign and encrypt anonymised records for one recipient.

    Args:
        records: from `share_missing_person` / `share_remains` for this same recipient.
        sender_id: our authority id.
        sender_keys: our private keys.
        recipient: the recipient's trust list entry.
        sequence: the next number of our bundle counter for this recipient (from 1).
        now: creation time.
        lifetime: how long the bundle stays importable (14 days by default, 30 at most).
        bundle_id: a lowercase UUID4; random if None.
        limits: the record count and size limits the recipient will apply.

    Returns:
        The envelope bytes to transfer.

    Raises:
        ExchangeError: ``invalid-argument`` (too many records, repeated pseudonym, too large),
            ``schema-violation`` (a record breaks the format), or a `TrustError`.

    Example:
        >>> from datetime import UTC, datetime
        >>> from exchange import AuthorityKeys, TrustedAuthority
        >>> italy_keys = AuthorityKeys.generate()
        >>> italy = TrustedAuthority("ita-labanof", "ITA", "LABANOF", italy_keys.public,
        ...     datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
        >>> raw = export_bundle([], sender_id="esp-cnp", sender_keys=AuthorityKeys.generate(),
        ...     recipient=italy, sequence=1, now=datetime(2026, 6, 1, tzinfo=UTC))
        >>> raw.startswith(b'{"ciphertext":')
        True
    """
    if len(records) > limits.max_records:
        raise ExchangeError(
            ErrorCode.INVALID_ARGUMENT, f"A bundle holds at most {limits.max_records} records."
        )
    if len({record.pseudonym for record in records}) != len(records):
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "A record appears twice in the bundle.")
    payload = bundle_payload(records)
    if len(canonical_json(payload)) > limits.max_payload_bytes:
        raise ExchangeError(
            ErrorCode.INVALID_ARGUMENT, "The bundle is too large; split it into several."
        )
    return seal(
        MessageKind.BUNDLE,
        payload,
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=bundle_id,
    )


def _records(
    payload: dict[str, object] | object, limits: Limits, now: datetime
) -> tuple[SharedRecord, ...]:
    if not isinstance(payload, dict) or payload.get("format") != BUNDLE_FORMAT:
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION, "The payload is not an mmx-bundle object."
        )
    version = payload.get("version")
    if isinstance(version, bool) or version not in (1, 2):
        raise MalformedMessageError(ErrorCode.UNSUPPORTED_VERSION, "Unknown bundle version.")
    members = {"format", "version", "records"} | ({"coarsening"} if version == 2 else set())
    if set(payload) != members:
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION, f"A version {version} bundle has exactly {sorted(members)}."
        )
    shift = Coarsening.from_json(payload["coarsening"]) if version == 2 else None
    if version == 1 and now >= V1_READ_UNTIL:
        raise MalformedMessageError(
            ErrorCode.UNSUPPORTED_VERSION,
            "Version 1 bundles were read only until 2027-06-30; ask the sender for version 2.",
        )
    entries = payload["records"]
    if not isinstance(entries, list):
        raise MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, "records must be a list.")
    if len(entries) > limits.max_records:
        raise MalformedMessageError(
            ErrorCode.TOO_LARGE, f"The bundle has more than {limits.max_records} records."
        )
    records = tuple(record_from_json(entry, version=version, coarsening=shift) for entry in entries)
    if len({record.pseudonym for record in records}) != len(records):
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION, "A pseudonym appears twice in the bundle."
        )
    return records


def import_bundle(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportedBundle:
    """Verify, decrypt and validate a bundle; store nothing.

    All-or-nothing: either every record is valid and returned, or an `ExchangeError` is raised.
    The application then stores the records and calls `commit_import` in one transaction. A
    bundle imported before (same id, same bytes signed) comes back with status
    ``already-imported`` and no records, so a second import changes nothing.

    Args:
        raw: the envelope bytes.
        own_id: our authority id.
        own_keys: our private keys.
        trust: our trust list.
        guard: the replay and sequence state (only read here).
        now: the current time.
        limits: size and count limits.

    Returns:
        The header, status, read-only records and the receipt to commit.

    Raises:
        ExchangeError: see the error codes in docs/exchange-format.md §9.

    Example:
        >>> from datetime import UTC, datetime, timedelta
        >>> from exchange import (AuthorityKeys, InMemoryReplayGuard, MissingPersonRecord,
        ...     TrustedAuthority, TrustList, commit_import, share_missing_person)
        >>> now = datetime(2026, 6, 1, tzinfo=UTC)
        >>> spain_keys, italy_keys = AuthorityKeys.generate(), AuthorityKeys.generate()
        >>> def entry(authority_id, country, keys):
        ...     return TrustedAuthority(authority_id, country, authority_id, keys.public,
        ...         now - timedelta(days=1), now + timedelta(days=365))
        >>> shared = share_missing_person(MissingPersonRecord("MP-1", surnames=("Tesfay",)),
        ...     recipient_id="ita-labanof", sender_secret=bytes(32), linkage_secret=bytes(32))
        >>> raw = export_bundle([shared], sender_id="esp-cnp", sender_keys=spain_keys,
        ...     recipient=entry("ita-labanof", "ITA", italy_keys), sequence=1, now=now)
        >>> guard = InMemoryReplayGuard()
        >>> received = import_bundle(raw, own_id="ita-labanof", own_keys=italy_keys,
        ...     trust=TrustList([entry("esp-cnp", "ESP", spain_keys)]), guard=guard, now=now)
        >>> received.status, received.content == (shared,)
        (<ImportStatus.NEW: 'new'>, True)
        >>> commit_import(received, guard)  # in the transaction that stores the records
        >>> import_bundle(raw, own_id="ita-labanof", own_keys=italy_keys,
        ...     trust=TrustList([entry("esp-cnp", "ESP", spain_keys)]), guard=guard,
        ...     now=now).status
        <ImportStatus.ALREADY_IMPORTED: 'already-imported'>
    """
    opened = open_envelope(
        raw,
        expected_kind=MessageKind.BUNDLE,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
    records = None if opened.payload is None else _records(opened.payload, limits, now)
    return Received(opened.header, opened.status, records, opened.receipt)
