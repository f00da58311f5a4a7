"""Disclosure messages: a justified request for the personal data behind a pseudonym, the owning
authority's signed decision, and the approved response carrying the agreed fields (spec §7.3).
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TypeVar

from exchange.envelope import DEFAULT_LIMITS, Limits, open_envelope, seal
from exchange.errors import ErrorCode, ExchangeError, MalformedMessageError
from exchange.keys import AuthorityKeys
from exchange.received import Received
from exchange.replay import MessageKind, ReplayGuard
from exchange.shared import PSEUDONYM_PATTERN
from exchange.trust import TrustedAuthority, TrustList
from exchange.wire import JsonValue

DEFAULT_DISCLOSURE_LIFETIME = timedelta(days=14)
MAX_TEXT = 2000
MAX_FIELD_VALUE = 4000
MAX_PERSON_NAME = 200
REQUEST_ID_PATTERN = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)

#: Personal fields a request may ask for and a response may carry (spec §7.3).
DISCLOSABLE_FIELDS = frozenset(
    {
        "given_names",
        "surnames",
        "aliases",
        "birth_date",
        "place_of_birth",
        "nationality",
        "last_seen_date",
        "last_seen_place",
        "description",
        "family_contact",
        "case_reference",
        "case_officer",
    }
)

C = TypeVar("C")


class Purpose(enum.StrEnum):
    """Why personal data is requested."""

    IDENTIFICATION = "identification"
    CANDIDATE_REVIEW = "candidate-review"
    FAMILY_NOTIFICATION = "family-notification"
    REPATRIATION = "repatriation"


class RecordType(enum.StrEnum):
    """Which kind of record the pseudonym names."""

    MISSING_PERSON = "missing-person"
    REMAINS = "remains"


class Decision(enum.StrEnum):
    """The owning authority's answer to a request."""

    APPROVED = "approved"
    REFUSED = "refused"


@dataclass(frozen=True)
class Officer:
    """The person who asks or decides, named for accountability."""

    name: str
    role: str


@dataclass(frozen=True)
class DisclosureRequest:
    """A request from the requester to the owning authority.

    Attributes:
        request_id: a lowercase UUID4 chosen by the requester; decision and response repeat it.
        pseudonym: the owner's pseudonym of the record, as received in a bundle.
        record_type: missing person or remains.
        purpose: why.
        justification: the reasoning in words (e.g. the candidate match and its evidence).
        requested_fields: the personal fields wanted, a subset of `DISCLOSABLE_FIELDS`.
        requested_by: the officer asking.
    """

    request_id: str
    pseudonym: str
    record_type: RecordType
    purpose: Purpose
    justification: str
    requested_fields: frozenset[str]
    requested_by: Officer


@dataclass(frozen=True)
class DisclosureDecision:
    """The owner's signed decision on a request; ``approved_fields`` is empty when refused."""

    request_id: str
    decision: Decision
    reason: str
    approved_fields: frozenset[str]
    decided_by: Officer


@dataclass(frozen=True)
class DisclosureResponse:
    """The personal data released after approval, as text fields (read-only mapping)."""

    request_id: str
    pseudonym: str
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))


def new_request_id() -> str:
    """Return a fresh random request id (lowercase UUID4).

    Example:
        >>> len(new_request_id())
        36
    """
    return str(uuid.uuid4())


# JSON forms ------------------------------------------------------------------------------


def _officer_json(officer: Officer) -> dict[str, JsonValue]:
    return {"name": officer.name, "role": officer.role}


def request_payload(request: DisclosureRequest) -> dict[str, JsonValue]:
    """The plaintext JSON object of a disclosure request (spec §7.3).

    Example:
        >>> request = DisclosureRequest(new_request_id(), "A" * 43, RecordType.REMAINS,
        ...     Purpose.IDENTIFICATION, "Dental match on tooth 36.", frozenset({"case_reference"}),
        ...     Officer("A. Rossi", "odontologist"))
        >>> request_from_json(request_payload(request)) == request
        True
    """
    return {
        "format": "mmx-disclosure-request",
        "version": 1,
        "request_id": request.request_id,
        "pseudonym": request.pseudonym,
        "record_type": request.record_type.value,
        "purpose": request.purpose.value,
        "justification": request.justification,
        "requested_fields": sorted(request.requested_fields),
        "requested_by": _officer_json(request.requested_by),
    }


def decision_payload(decision: DisclosureDecision) -> dict[str, JsonValue]:
    """The plaintext JSON object of a disclosure decision (spec §7.3).

    Example:
        >>> decision = DisclosureDecision(new_request_id(), Decision.REFUSED, "No consent.",
        ...     frozenset(), Officer("M. García", "head of unit"))
        >>> decision_payload(decision)["decision"]
        'refused'
    """
    return {
        "format": "mmx-disclosure-decision",
        "version": 1,
        "request_id": decision.request_id,
        "decision": decision.decision.value,
        "reason": decision.reason,
        "approved_fields": sorted(decision.approved_fields),
        "decided_by": _officer_json(decision.decided_by),
    }


def response_payload(response: DisclosureResponse) -> dict[str, JsonValue]:
    """The plaintext JSON object of a disclosure response (spec §7.3).

    Example:
        >>> response = DisclosureResponse(new_request_id(), "A" * 43, {"surnames": "Tesfay"})
        >>> response_from_json(response_payload(response)) == response
        True
    """
    return {
        "format": "mmx-disclosure-response",
        "version": 1,
        "request_id": response.request_id,
        "pseudonym": response.pseudonym,
        "fields": dict(response.fields),
    }


def _fail(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def _object(value: object, format_name: str, keys: set[str]) -> dict[str, object]:
    if not isinstance(value, dict) or set(value) != {"format", "version", *keys}:
        raise _fail(f"The payload is not an {format_name} object with the expected fields.")
    if value["format"] != format_name:
        raise _fail(f"The payload is not an {format_name} object.")
    if value["version"] != 1:
        raise MalformedMessageError(
            ErrorCode.UNSUPPORTED_VERSION, f"Unknown {format_name} version."
        )
    return value


def _text(value: object, limit: int, what: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or len(value) > limit or (not value and not allow_empty):
        raise _fail(f"{what} must be text of {'0' if allow_empty else '1'} to {limit} characters.")
    return value


def _request_id(value: object) -> str:
    if not isinstance(value, str) or not REQUEST_ID_PATTERN.match(value):
        raise _fail("request_id must be a lowercase UUID4.")
    return value


def _pseudonym(value: object) -> str:
    if not isinstance(value, str) or not PSEUDONYM_PATTERN.match(value):
        raise _fail("pseudonym must be 43 base64url characters.")
    return value


def _fields(value: object, what: str) -> frozenset[str]:
    if (
        not isinstance(value, list)
        or not all(isinstance(item, str) and item in DISCLOSABLE_FIELDS for item in value)
        or value != sorted(set(value))
    ):
        raise _fail(f"{what} must be a sorted list of distinct disclosable field names.")
    return frozenset(value)


def _officer(value: object, what: str) -> Officer:
    if not isinstance(value, dict) or set(value) != {"name", "role"}:
        raise _fail(f"{what} must be an object with name and role.")
    return Officer(
        name=_text(value["name"], MAX_PERSON_NAME, f"{what} name"),
        role=_text(value["role"], MAX_PERSON_NAME, f"{what} role"),
    )


def _choice(value: object, enum_type: type[enum.StrEnum], what: str) -> str:
    if not isinstance(value, str) or value not in {member.value for member in enum_type}:
        raise _fail(f"{what} must be one of {sorted(member.value for member in enum_type)}.")
    return value


def request_from_json(value: object) -> DisclosureRequest:
    """Read a disclosure request payload strictly.

    Raises:
        MalformedMessageError: ``schema-violation`` or ``unsupported-version``.

    Example:
        >>> request_from_json({"format": "mmx-disclosure-request", "version": 2})
        Traceback (most recent call last):
        ...
        exchange.errors.MalformedMessageError: schema-violation: ...
    """
    fields = _object(
        value,
        "mmx-disclosure-request",
        {
            "request_id",
            "pseudonym",
            "record_type",
            "purpose",
            "justification",
            "requested_fields",
            "requested_by",
        },
    )
    requested = _fields(fields["requested_fields"], "requested_fields")
    if not requested:
        raise _fail("A request must name at least one field.")
    return DisclosureRequest(
        request_id=_request_id(fields["request_id"]),
        pseudonym=_pseudonym(fields["pseudonym"]),
        record_type=RecordType(_choice(fields["record_type"], RecordType, "record_type")),
        purpose=Purpose(_choice(fields["purpose"], Purpose, "purpose")),
        justification=_text(fields["justification"], MAX_TEXT, "justification"),
        requested_fields=requested,
        requested_by=_officer(fields["requested_by"], "requested_by"),
    )


def decision_from_json(value: object) -> DisclosureDecision:
    """Read a disclosure decision payload strictly.

    Raises:
        MalformedMessageError: ``schema-violation`` or ``unsupported-version``.

    Example:
        >>> decision_from_json({"format": "mmx-disclosure-decision", "version": 2})
        Traceback (most recent call last):
        ...
        exchange.errors.MalformedMessageError: schema-violation: ...
    """
    fields = _object(
        value,
        "mmx-disclosure-decision",
        {"request_id", "decision", "reason", "approved_fields", "decided_by"},
    )
    decision = Decision(_choice(fields["decision"], Decision, "decision"))
    approved = _fields(fields["approved_fields"], "approved_fields")
    if (decision is Decision.APPROVED) != bool(approved):
        raise _fail("An approval names the approved fields; a refusal names none.")
    return DisclosureDecision(
        request_id=_request_id(fields["request_id"]),
        decision=decision,
        reason=_text(fields["reason"], MAX_TEXT, "reason"),
        approved_fields=approved,
        decided_by=_officer(fields["decided_by"], "decided_by"),
    )


def response_from_json(value: object) -> DisclosureResponse:
    """Read a disclosure response payload strictly.

    Raises:
        MalformedMessageError: ``schema-violation`` or ``unsupported-version``.

    Example:
        >>> response_from_json({"format": "mmx-disclosure-response", "version": 2})
        Traceback (most recent call last):
        ...
        exchange.errors.MalformedMessageError: schema-violation: ...
    """
    fields = _object(value, "mmx-disclosure-response", {"request_id", "pseudonym", "fields"})
    released = fields["fields"]
    if not isinstance(released, dict) or not released:
        raise _fail("fields must be a non-empty object.")
    for name, text in released.items():
        if name not in DISCLOSABLE_FIELDS:
            raise _fail(f"{name} is not a disclosable field.")
        _text(text, MAX_FIELD_VALUE, name)
    return DisclosureResponse(
        request_id=_request_id(fields["request_id"]),
        pseudonym=_pseudonym(fields["pseudonym"]),
        fields={str(name): str(text) for name, text in released.items()},
    )


# Sealing and opening ----------------------------------------------------------------------


def _check_outgoing(payload: dict[str, JsonValue], read: Callable[[object], object]) -> None:
    try:
        read(payload)
    except MalformedMessageError as error:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, error.message) from None


def _seal(
    kind: MessageKind,
    payload: dict[str, JsonValue],
    read: Callable[[object], object],
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta,
    message_id: str | None,
) -> bytes:
    _check_outgoing(payload, read)
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


def seal_disclosure_request(
    request: DisclosureRequest,
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_DISCLOSURE_LIFETIME,
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt a disclosure request to the authority that owns the record.

    Args:
        request: the request; ``request_id`` from `new_request_id`.
        sender_id, sender_keys: us, the requester.
        recipient: the owner's trust list entry.
        sequence: our disclosure-request counter for this owner (from 1).
        now: creation time.
        lifetime: how long the owner may still open it (14 days by default).
        message_id: the envelope's id (a fresh UUID when not given).

    Raises:
        ExchangeError: ``invalid-argument`` if the request breaks the format.

    Example:
        >>> # raw = seal_disclosure_request(request, sender_id="ita-labanof", sender_keys=keys,
        >>> #     recipient=trust.require("esp-cnp", now), sequence=1, now=now)
    """
    return _seal(
        MessageKind.DISCLOSURE_REQUEST,
        request_payload(request),
        request_from_json,
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def seal_disclosure_decision(
    decision: DisclosureDecision,
    *,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_DISCLOSURE_LIFETIME,
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt the owner's decision back to the requester (same arguments as a request).

    Example:
        >>> # raw = seal_disclosure_decision(decision, sender_id="esp-cnp", ...)
    """
    return _seal(
        MessageKind.DISCLOSURE_DECISION,
        decision_payload(decision),
        decision_from_json,
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def seal_disclosure_response(
    response: DisclosureResponse,
    *,
    decision: DisclosureDecision,
    sender_id: str,
    sender_keys: AuthorityKeys,
    recipient: TrustedAuthority,
    sequence: int,
    now: datetime,
    lifetime: timedelta = DEFAULT_DISCLOSURE_LIFETIME,
    message_id: str | None = None,
) -> bytes:
    """Sign and encrypt the approved personal fields to the requester.

    Args:
        response: the released fields.
        decision: the approval it follows; the response must match its request id and carry
            only approved fields.
        sender_id, sender_keys, recipient, sequence, now, lifetime, message_id: as for a
            request.

    Raises:
        ExchangeError: ``invalid-argument`` if there is no matching approval or a field was not
            approved.

    Example:
        >>> # raw = seal_disclosure_response(response, decision=decision, sender_id="esp-cnp", ...)
    """
    check_response(response, decision)
    return _seal(
        MessageKind.DISCLOSURE_RESPONSE,
        response_payload(response),
        response_from_json,
        sender_id=sender_id,
        sender_keys=sender_keys,
        recipient=recipient,
        sequence=sequence,
        now=now,
        lifetime=lifetime,
        message_id=message_id,
    )


def check_response(response: DisclosureResponse, decision: DisclosureDecision) -> None:
    """Raise unless ``response`` answers ``decision``'s request with approved fields only.

    The requester calls it too, with the decision it received, before storing a response.

    Raises:
        ExchangeError: ``invalid-argument``.

    Example:
        >>> officer = Officer("A. Rossi", "forensic officer")
        >>> refusal = DisclosureDecision(new_request_id(), Decision.REFUSED, "No consent.",
        ...     frozenset(), officer)
        >>> check_response(DisclosureResponse(refusal.request_id, "p" * 43, {"surnames": "X"}),
        ...     refusal)
        Traceback (most recent call last):
        ...
        exchange.errors.ExchangeError: invalid-argument: The request was not approved.
    """
    if decision.decision is not Decision.APPROVED:
        raise ExchangeError(ErrorCode.INVALID_ARGUMENT, "The request was not approved.")
    if response.request_id != decision.request_id:
        raise ExchangeError(
            ErrorCode.INVALID_ARGUMENT, "The response does not answer this decision's request."
        )
    extra = set(response.fields) - decision.approved_fields
    if extra:
        raise ExchangeError(
            ErrorCode.INVALID_ARGUMENT, f"Fields not approved: {', '.join(sorted(extra))}."
        )


def _open(
    raw: bytes,
    kind: MessageKind,
    read: Callable[[object], C],
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits,
) -> Received[C]:
    opened = open_envelope(
        raw,
        expected_kind=kind,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
    content = None if opened.payload is None else read(opened.payload)
    return Received(opened.header, opened.status, content, opened.receipt)


def open_disclosure_request(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> Received[DisclosureRequest]:
    """Verify, decrypt and validate a disclosure request addressed to us; store nothing.

    Same checks and two-phase use as `import_bundle`; call `commit_import` after recording it.

    Example:
        >>> # received = open_disclosure_request(raw, own_id="esp-cnp", own_keys=keys,
        >>> #     trust=trust, guard=guard, now=now)
    """
    return _open(
        raw,
        MessageKind.DISCLOSURE_REQUEST,
        request_from_json,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )


def open_disclosure_decision(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> Received[DisclosureDecision]:
    """Verify, decrypt and validate a decision on one of our requests; store nothing.

    Example:
        >>> # received = open_disclosure_decision(raw, own_id="ita-labanof", ...)
    """
    return _open(
        raw,
        MessageKind.DISCLOSURE_DECISION,
        decision_from_json,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )


def open_disclosure_response(
    raw: bytes,
    *,
    own_id: str,
    own_keys: AuthorityKeys,
    trust: TrustList,
    guard: ReplayGuard,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> Received[DisclosureResponse]:
    """Verify, decrypt and validate a disclosure response; store nothing.

    Check it against the decision you received with `check_response` before storing it.

    Example:
        >>> # received = open_disclosure_response(raw, own_id="ita-labanof", ...)
    """
    return _open(
        raw,
        MessageKind.DISCLOSURE_RESPONSE,
        response_from_json,
        own_id=own_id,
        own_keys=own_keys,
        trust=trust,
        guard=guard,
        now=now,
        limits=limits,
    )
