"""The name query and its answer (spec §7.6): the extra message pair in which a bundle's recipient
asks the bundle's owner to blind the keys of its own names, so it can compare them with the
shared names without either side reading the other's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from exchange.envelope import DEFAULT_LIMITS, Limits, open_envelope, seal
from exchange.errors import ErrorCode, ExchangeError, MalformedMessageError
from exchange.keys import AuthorityKeys
from exchange.psi import DEFAULT_QUERY_LIMITS, ELEMENT_BYTES, QueryLimits, check_element
from exchange.received import Received
from exchange.replay import MessageKind, ReplayGuard
from exchange.trust import TrustedAuthority, TrustList
from exchange.wire import JsonValue, b64url_decode, b64url_encode

QUERY_FORMAT = "mmx-name-query"
ANSWER_FORMAT = "mmx-name-answer"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DEFAULT_QUERY_LIFETIME = timedelta(days=2)


@dataclass(frozen=True)
class NameQuery:
    """Blinded keys of the querier's names: per entry (one name), 3 elements per token.

    Attributes:
        query_id: a UUID4 the answer repeats.
        entries: the elements, as bytes.
    """

    query_id: str
    entries: tuple[tuple[bytes, ...], ...]


@dataclass(frozen=True)
class NameAnswer:
    """The owner's blinding of a query's elements, entry by entry, element by element."""

    query_id: str
    entries: tuple[tuple[bytes, ...], ...]


def _payload(
    format_name: str, query_id: str, entries: tuple[tuple[bytes, ...], ...]
) -> dict[str, JsonValue]:
    return {
        "format": format_name,
        "version": 2,
        "query_id": query_id,
        "entries": [[b64url_encode(element) for element in row] for row in entries],
    }


def _read(
    payload: object, format_name: str, limits: QueryLimits
) -> tuple[str, tuple[tuple[bytes, ...], ...]]:
    members = {"format", "version", "query_id", "entries"}
    if not isinstance(payload, dict) or set(payload) != members:
        raise _schema(f"A {format_name} object has exactly {sorted(members)}.")
    if payload["format"] != format_name:
        raise _schema(f"The payload is not an {format_name} object.")
    if payload["version"] != 2 or isinstance(payload["version"], bool):
        raise MalformedMessageError(ErrorCode.UNSUPPORTED_VERSION, "Unknown name query version.")
    query_id = payload["query_id"]
    if not isinstance(query_id, str) or not UUID4.match(query_id):
        raise _schema("query_id must be a lowercase UUID4.")
    rows = payload["entries"]
    if not isinstance(rows, list):
        raise _schema("entries must be a list.")
    if len(rows) > limits.max_entries:
        raise MalformedMessageError(
            ErrorCode.QUERY_LIMIT, f"A name query holds at most {limits.max_entries} entries."
        )
    entries = []
    for row in rows:
        if not isinstance(row, list) or not row or len(row) % 3:
            raise _schema("Each entry is a non-empty list of 3 elements per token.")
        if len(row) > limits.max_elements_per_entry:
            raise MalformedMessageError(
                ErrorCode.QUERY_LIMIT,
                f"An entry holds at most {limits.max_elements_per_entry} elements.",
            )
        entries.append(
            tuple(
                check_element(b64url_decode(item, what="element", length=ELEMENT_BYTES))
                for item in row
            )
        )
    return query_id, tuple(entries)


def _schema(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def query_from_json(payload: object, limits: QueryLimits = DEFAULT_QUERY_LIMITS) -> NameQuery:
    """Read a name query payload strictly (caps included: ``query-limit``)."""
    return NameQuery(*_read(payload, QUERY_FORMAT, limits))


def answer_from_json(payload: object, limits: QueryLimits = DEFAULT_QUERY_LIMITS) -> NameAnswer:
    """Read a name answer payload strictly."""
    return NameAnswer(*_read(payload, ANSWER_FORMAT, limits))


def query_payload(query: NameQuery) -> dict[str, JsonValue]:
    """The plaintext of a name query.

    Example:
        >>> query_payload(NameQuery("6f1c2b9e-8d4a-4c3e-9b7a-2e5d1f0a3c48", ()))["format"]
        'mmx-name-query'
    """
    return _payload(QUERY_FORMAT, query.query_id, query.entries)


def answer_payload(answer: NameAnswer) -> dict[str, JsonValue]:
    """The plaintext of a name answer."""
    return _payload(ANSWER_FORMAT, answer.query_id, answer.entries)


def _seal(
    kind: MessageKind,
    payload: dict[str, JsonValue],
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta,
    message_id: str | None,
) -> bytes:
    try:
        _read(payload, str(payload["format"]), QueryLimits(budget=2**53))
    except MalformedMessageError as error:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, error.message) from None
    return seal(
        kind,
        payload,
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def seal_name_query(
    query: NameQuery,
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_QUERY_LIFETIME,
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt a name query to the owner of a bundle (our name-query counter)."""
    return _seal(
        MessageKind.NAME_QUERY,
        query_payload(query),
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def seal_name_answer(
    answer: NameAnswer,
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_QUERY_LIFETIME,
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt the answer to a name query (our name-answer counter)."""
    return _seal(
        MessageKind.NAME_ANSWER,
        answer_payload(answer),
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def open_name_query(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
    query_limits: QueryLimits = DEFAULT_QUERY_LIMITS,
) -> Received[NameQuery]:
    """Verify and read a name query; the budget is the caller's to check (`answer_elements`)."""
    opened = open_envelope(
        raw,
        expected_kind=MessageKind.NAME_QUERY,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
    content = None if opened.payload is None else query_from_json(opened.payload, query_limits)
    return Received(opened.header, opened.status, content, opened.receipt)


def open_name_answer(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> Received[NameAnswer]:
    """Verify and read a name answer (match it to our pending query by `query_id`)."""
    opened = open_envelope(
        raw,
        expected_kind=MessageKind.NAME_ANSWER,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
    content = None if opened.payload is None else answer_from_json(opened.payload)
    return Received(opened.header, opened.status, content, opened.receipt)
