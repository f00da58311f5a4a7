"""The trust list: the peer authorities we accept messages from and encrypt to, with their keys,
validity period and revocation, and its JSON form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from exchange.errors import (
    ErrorCode,
    ExchangeError,
    MalformedMessageError,
    TrustError,
    TrustListError,
)
from exchange.keys import AuthorityPublicKeys, format_fingerprint
from exchange.wire import (
    JsonValue,
    canonical_json,
    format_timestamp,
    parse_json,
    parse_timestamp,
    require_aware,
)

AUTHORITY_ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{3}$")
TRUST_LIST_FORMAT = "mmx-trust-list"
MAX_TRUST_LIST_BYTES = 8 * 1024 * 1024
MAX_AUTHORITY_NAME = 200


def check_authority_id(value: object, *, what: str = "authority id") -> str:
    """Return ``value`` if it is a valid authority id (lowercase letters, digits, inner hyphens).

    Raises:
        MalformedMessageError: code ``schema-violation``.

    Example:
        >>> check_authority_id("esp-cnp")
        'esp-cnp'
    """
    if not isinstance(value, str) or not AUTHORITY_ID_PATTERN.match(value):
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION,
            f"The {what} must be 1-64 lowercase letters, digits and inner hyphens.",
        )
    return value


@dataclass(frozen=True)
class TrustedAuthority:
    """A peer authority as entered, after out-of-band fingerprint comparison, in our trust list.

    Attributes:
        authority_id: the peer's identifier, e.g. ``"ita-labanof"``.
        country: ISO 3166-1 alpha-3 code, e.g. ``"ITA"``.
        name: the authority's name, for people.
        keys: the peer's four public keys.
        valid_from: first moment messages are accepted from it (inclusive).
        valid_until: moment from which they are no longer accepted (exclusive).
        revoked_at: when the keys were revoked, or None. A revoked authority is refused for every
            message whatever its creation time, since a stolen key can back-date.
    """

    authority_id: str
    country: str
    name: str
    keys: AuthorityPublicKeys
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None = None

    def __post_init__(self) -> None:
        check_authority_id(self.authority_id)
        if not COUNTRY_PATTERN.match(self.country):
            raise ExchangeError(
                ErrorCode.INVALID_ARGUMENT, "The country must be an ISO 3166-1 alpha-3 code."
            )
        if not self.name or len(self.name) > MAX_AUTHORITY_NAME:
            raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "The name must be 1-200 characters.")
        require_aware(self.valid_from, what="valid_from")
        require_aware(self.valid_until, what="valid_until")
        if self.revoked_at is not None:
            require_aware(self.revoked_at, what="revoked_at")
        if self.valid_until <= self.valid_from:
            raise ExchangeError(
                ErrorCode.INVALID_ARGUMENT, "valid_until must be later than valid_from."
            )

    @property
    def fingerprint(self) -> bytes:
        """The SHA-256 fingerprint of the peer's public keys."""
        return self.keys.fingerprint

    @property
    def display_fingerprint(self) -> str:
        """The fingerprint grouped for comparison with the peer by telephone or letter."""
        return format_fingerprint(self.fingerprint)

    @property
    def revoked(self) -> bool:
        """True once the peer's keys have been revoked."""
        return self.revoked_at is not None

    def check_usable(self, now: datetime, *, as_recipient: bool = False) -> None:
        """Raise unless messages from (or, with ``as_recipient``, to) this authority are
        acceptable at ``now``.

        Raises:
            TrustError: ``sender-revoked`` / ``sender-not-valid``, or ``recipient-revoked`` /
                ``recipient-not-valid`` when ``as_recipient`` is set.

        Example:
            >>> from datetime import UTC, datetime
            >>> from exchange.keys import AuthorityKeys
            >>> peer = TrustedAuthority("grc-hp", "GRC", "Hellenic Police",
            ...     AuthorityKeys.generate().public,
            ...     datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
            >>> peer.check_usable(datetime(2027, 6, 1, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            exchange.errors.TrustError: sender-not-valid: grc-hp is trusted only from \
2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z.
        """
        now = require_aware(now, what="now")
        if self.revoked_at is not None:
            raise TrustError(
                ErrorCode.RECIPIENT_REVOKED if as_recipient else ErrorCode.SENDER_REVOKED,
                f"The keys of {self.authority_id} were revoked on "
                f"{format_timestamp(self.revoked_at)}.",
            )
        if not self.valid_from <= now < self.valid_until:
            raise TrustError(
                ErrorCode.RECIPIENT_NOT_VALID if as_recipient else ErrorCode.SENDER_NOT_VALID,
                f"{self.authority_id} is trusted only from {format_timestamp(self.valid_from)} "
                f"until {format_timestamp(self.valid_until)}.",
            )

    def to_json(self) -> dict[str, JsonValue]:
        """Return the JSON object form of this entry (spec §4).

        Example:
            >>> from datetime import UTC, datetime
            >>> from exchange.keys import AuthorityKeys
            >>> entry = TrustedAuthority("grc-hp", "GRC", "Hellenic Police",
            ...     AuthorityKeys.generate().public,
            ...     datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
            >>> TrustedAuthority.from_json(entry.to_json()) == entry
            True
        """
        return {
            "authority_id": self.authority_id,
            "country": self.country,
            "name": self.name,
            "keys": self.keys.to_json(),
            "fingerprint": self.fingerprint.hex(),
            "valid_from": format_timestamp(self.valid_from),
            "valid_until": format_timestamp(self.valid_until),
            "revoked_at": None if self.revoked_at is None else format_timestamp(self.revoked_at),
        }

    @classmethod
    def from_json(cls, value: object) -> TrustedAuthority:
        """Read one entry strictly, checking the stated fingerprint against the keys.

        Raises:
            TrustListError: ``bad-trust-list`` or ``fingerprint-mismatch``.

        Example:
            >>> TrustedAuthority.from_json({})
            Traceback (most recent call last):
            ...
            exchange.errors.TrustListError: bad-trust-list: A trust list entry has wrong fields.
        """
        fields = {
            "authority_id",
            "country",
            "name",
            "keys",
            "fingerprint",
            "valid_from",
            "valid_until",
            "revoked_at",
        }
        if not isinstance(value, dict) or set(value) != fields:
            raise TrustListError(ErrorCode.BAD_TRUST_LIST, "A trust list entry has wrong fields.")
        try:
            name = value["name"]
            if not isinstance(name, str) or not isinstance(value["country"], str):
                raise TrustListError(ErrorCode.BAD_TRUST_LIST, "Name and country must be text.")
            revoked = value["revoked_at"]
            entry = cls(
                authority_id=check_authority_id(value["authority_id"]),
                country=value["country"],
                name=name,
                keys=AuthorityPublicKeys.from_json(value["keys"]),
                valid_from=parse_timestamp(value["valid_from"], what="valid_from"),
                valid_until=parse_timestamp(value["valid_until"], what="valid_until"),
                revoked_at=None if revoked is None else parse_timestamp(revoked, what="revoked_at"),
            )
        except TrustListError:
            raise
        except ExchangeError as error:
            raise TrustListError(ErrorCode.BAD_TRUST_LIST, error.message) from None
        if value["fingerprint"] != entry.fingerprint.hex():
            raise TrustListError(
                ErrorCode.FINGERPRINT_MISMATCH,
                f"The fingerprint stated for {entry.authority_id} does not match its keys.",
            )
        return entry


class TrustList:
    """The set of trusted peer authorities, one entry per authority id.

    Example:
        >>> from datetime import UTC, datetime
        >>> from exchange.keys import AuthorityKeys
        >>> peer = TrustedAuthority("ita-labanof", "ITA", "LABANOF",
        ...     AuthorityKeys.generate().public,
        ...     datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
        >>> trust = TrustList([peer])
        >>> TrustList.from_json(trust.to_json()).get("ita-labanof") == peer
        True
    """

    def __init__(self, authorities: Iterable[TrustedAuthority] = ()) -> None:
        self._authorities: dict[str, TrustedAuthority] = {}
        for authority in authorities:
            if authority.authority_id in self._authorities:
                raise TrustListError(
                    ErrorCode.BAD_TRUST_LIST, f"{authority.authority_id} appears twice."
                )
            self._authorities[authority.authority_id] = authority

    def __iter__(self) -> Iterator[TrustedAuthority]:
        return iter(sorted(self._authorities.values(), key=lambda entry: entry.authority_id))

    def __len__(self) -> int:
        return len(self._authorities)

    def get(self, authority_id: str) -> TrustedAuthority | None:
        """Return the entry for ``authority_id``, or None if unknown.

        Example:
            >>> TrustList().get("esp-cnp") is None
            True
        """
        return self._authorities.get(authority_id)

    def require(self, authority_id: str, now: datetime) -> TrustedAuthority:
        """Return the entry for ``authority_id`` if it is known, not revoked and valid at ``now``.

        Raises:
            TrustError: ``unknown-sender``, ``sender-revoked`` or ``sender-not-valid``.

        Example:
            >>> from datetime import UTC, datetime
            >>> TrustList().require("esp-cnp", datetime(2026, 1, 1, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            exchange.errors.TrustError: unknown-sender: esp-cnp is not in our trust list.
        """
        entry = self._authorities.get(authority_id)
        if entry is None:
            raise TrustError(ErrorCode.UNKNOWN_SENDER, f"{authority_id} is not in our trust list.")
        entry.check_usable(now)
        return entry

    def to_json(self) -> bytes:
        """Serialise to canonical JSON bytes (spec §4).

        Example:
            >>> TrustList().to_json()
            b'{"authorities":[],"format":"mmx-trust-list","version":1}'
        """
        return canonical_json(
            {
                "format": TRUST_LIST_FORMAT,
                "version": 1,
                "authorities": [entry.to_json() for entry in self],
            }
        )

    @classmethod
    def from_json(cls, raw: bytes) -> TrustList:
        """Read a trust list strictly.

        Raises:
            TrustListError: ``bad-trust-list`` or ``fingerprint-mismatch``.

        Example:
            >>> raw = b'{"authorities":[],"format":"mmx-trust-list","version":1}'
            >>> len(TrustList.from_json(raw))
            0
        """
        try:
            document = parse_json(raw, max_bytes=MAX_TRUST_LIST_BYTES)
        except MalformedMessageError as error:
            raise TrustListError(ErrorCode.BAD_TRUST_LIST, error.message) from None
        if (
            not isinstance(document, dict)
            or set(document) != {"format", "version", "authorities"}
            or document["format"] != TRUST_LIST_FORMAT
            or document["version"] != 1
            or not isinstance(document["authorities"], list)
        ):
            raise TrustListError(ErrorCode.BAD_TRUST_LIST, "This is not a version 1 trust list.")
        return cls(TrustedAuthority.from_json(entry) for entry in document["authorities"])
