"""Wire primitives shared by every message: canonical JSON, strict JSON parsing, base64url, times.

Canonical JSON is the RFC 8785 (JCS) serialisation restricted to the value types this format
uses, so any JCS implementation produces the same bytes: see docs/exchange-format.md §2.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeAlias

from exchange.errors import ErrorCode, ExchangeError, MalformedMessageError

#: A JSON value as this format allows it: no floating-point numbers.
JsonValue: TypeAlias = "None | bool | int | str | Sequence[JsonValue] | Mapping[str, JsonValue]"

MAX_SAFE_INTEGER = 2**53 - 1
_KEY_PATTERN = re.compile(r"^[a-z0-9_-]{1,64}$")
_B64URL_PATTERN = re.compile(r"^[A-Za-z0-9_-]*$")
_TIMESTAMP_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _schema_error(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def _check_value(value: object, depth: int) -> None:
    if depth > 32:
        raise _schema_error("The JSON value is nested more than 32 levels deep.")
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise _schema_error("An integer is outside the range ±(2^53 - 1).")
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _schema_error("A string contains a lone surrogate.") from None
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not _KEY_PATTERN.match(key):
                raise _schema_error(
                    f"The object key {key!r} is not of the form [a-z0-9_-]{{1,64}}."
                )
            _check_value(item, depth + 1)
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_value(item, depth + 1)
        return
    raise _schema_error(f"A value of type {type(value).__name__} cannot be written as JSON here.")


def canonical_json(value: JsonValue) -> bytes:
    """Serialise a value to canonical JSON bytes (JCS subset: sorted keys, no whitespace, UTF-8).

    Floats are refused, integers must lie within ±(2^53 - 1), object keys must match
    ``[a-z0-9_-]{1,64}`` (so sorting by code point equals the JCS UTF-16 order).

    Args:
        value: nested dicts, lists or tuples, strings, integers, booleans and None.

    Returns:
        The UTF-8 bytes of the canonical form.

    Raises:
        MalformedMessageError: code ``schema-violation`` if the value uses a forbidden type.

    Example:
        >>> canonical_json({"b": [1, "é"], "a": None})
        b'{"a":null,"b":[1,"\\xc3\\xa9"]}'
    """
    _check_value(value, 0)
    text = json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    )
    return text.encode("utf-8")


def _refuse_float(text: str) -> object:
    raise _schema_error(f"The number {text[:20]} is not an integer; floats are not allowed.")


def _refuse_constant(text: str) -> object:
    raise _schema_error(f"The constant {text} is not JSON.")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _schema_error(f"The object key {key!r} appears twice.")
        result[key] = value
    return result


def parse_json(raw: bytes, *, max_bytes: int) -> object:
    """Parse JSON bytes strictly: UTF-8 only, no duplicate keys, no floats, no NaN, bounded size.

    Args:
        raw: the bytes received.
        max_bytes: refuse anything longer, before parsing.

    Returns:
        The parsed value (dicts, lists, strings, ints, bools, None).

    Raises:
        MalformedMessageError: ``too-large``, ``malformed`` or ``schema-violation``.

    Example:
        >>> parse_json(b'{"a": [1, 2]}', max_bytes=100)
        {'a': [1, 2]}
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MalformedMessageError(ErrorCode.MALFORMED, "The message must be given as bytes.")
    if len(raw) > max_bytes:
        raise MalformedMessageError(
            ErrorCode.TOO_LARGE, f"The message is {len(raw)} bytes long; the limit is {max_bytes}."
        )
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedMessageError(ErrorCode.MALFORMED, "The message is not UTF-8.") from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except MalformedMessageError:
        raise
    except (ValueError, RecursionError):
        raise MalformedMessageError(ErrorCode.MALFORMED, "The message is not valid JSON.") from None
    _check_value(value, 0)
    return value


def b64url_encode(raw: bytes) -> str:
    """Encode bytes as base64url without padding (RFC 4648 §5).

    Example:
        >>> b64url_encode(b"\\xfb\\xff")
        '-_8'
    """
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: object, *, what: str, length: int | None = None) -> bytes:
    """Decode strict base64url without padding; refuse other alphabets and non-canonical forms.

    Args:
        text: the value read from JSON (anything; non-strings are refused).
        what: the field name, for the error message.
        length: the exact decoded length required, if any.

    Raises:
        MalformedMessageError: code ``schema-violation``.

    Example:
        >>> b64url_decode("-_8", what="example")
        b'\\xfb\\xff'
    """
    if not isinstance(text, str) or not _B64URL_PATTERN.match(text) or len(text) % 4 == 1:
        raise _schema_error(f"{what} is not unpadded base64url text.")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error:
        raise _schema_error(f"{what} is not unpadded base64url text.") from None
    if b64url_encode(raw) != text:
        raise _schema_error(f"{what} is not in canonical base64url form.")
    if length is not None and len(raw) != length:
        raise _schema_error(f"{what} must decode to {length} bytes, not {len(raw)}.")
    return raw


def format_timestamp(moment: datetime) -> str:
    """Write an aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC, dropping fractions of seconds.

    Example:
        >>> format_timestamp(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
        '2026-03-01T09:30:00Z'
    """
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: object, *, what: str) -> datetime:
    """Read a ``YYYY-MM-DDTHH:MM:SSZ`` UTC timestamp strictly.

    Raises:
        MalformedMessageError: code ``schema-violation``.

    Example:
        >>> parse_timestamp("2026-03-01T09:30:00Z", what="created")
        datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.timezone.utc)
    """
    if not isinstance(text, str) or not _TIMESTAMP_PATTERN.match(text):
        raise _schema_error(f"{what} is not a timestamp of the form YYYY-MM-DDTHH:MM:SSZ.")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise _schema_error(f"{what} is not a valid date and time.") from None


def require_aware(moment: datetime, *, what: str) -> datetime:
    """Return ``moment`` in UTC, refusing naive datetimes passed by the application.

    Example:
        >>> require_aware(datetime(2026, 1, 1, tzinfo=UTC), what="now").year
        2026
    """
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ExchangeError(
            ErrorCode.INVALID_ARGUMENT, f"{what} must be a timezone-aware datetime."
        )
    return moment.astimezone(UTC)
