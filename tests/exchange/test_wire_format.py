"""Canonical JSON, strict parsing, base64url and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from exchange import ErrorCode, MalformedMessageError
from exchange.wire import (
    b64url_decode,
    b64url_encode,
    canonical_json,
    format_timestamp,
    parse_json,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": 1, "a": 2}, b'{"a":2,"b":1}'),
        ({"a": [1, True, None, "x"]}, b'{"a":[1,true,null,"x"]}'),
        ({"a": {"d": 1, "c": {"f": 2, "e": 3}}}, b'{"a":{"c":{"e":3,"f":2},"d":1}}'),
        ("é", '"é"'.encode()),
        ('\n\t"\\\x01\x7f', b'"\\n\\t\\"\\\\\\u0001\x7f"'),
        ("€𝄞", '"€𝄞"'.encode()),
        (-(2**53 - 1), b"-9007199254740991"),
        ((1, 2), b"[1,2]"),
        ({}, b"{}"),
    ],
)
def test_canonical_json(value: Any, expected: bytes) -> None:
    assert canonical_json(value) == expected


@pytest.mark.parametrize(
    "value",
    [1.5, {"a": 0.0}, 2**53, {"A": 1}, {"a b": 1}, {1: 2}, "\ud800", b"bytes", {"a": {1, 2}}],
)
def test_canonical_json_refuses(value: Any) -> None:
    with pytest.raises(MalformedMessageError) as caught:
        canonical_json(value)
    assert caught.value.code is ErrorCode.SCHEMA_VIOLATION


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"a":1,"a":2}', ErrorCode.SCHEMA_VIOLATION),
        (b'{"a":1.0}', ErrorCode.SCHEMA_VIOLATION),
        (b'{"a":1e3}', ErrorCode.SCHEMA_VIOLATION),
        (b'{"a":NaN}', ErrorCode.SCHEMA_VIOLATION),
        (b'{"a":Infinity}', ErrorCode.SCHEMA_VIOLATION),
        (b'{"a":', ErrorCode.MALFORMED),
        (b"\xff\xfe", ErrorCode.MALFORMED),
        (b"[" * 100_000, ErrorCode.MALFORMED),
        (b"1" * 5000, ErrorCode.MALFORMED),
        (b'{"a":9007199254740992}', ErrorCode.SCHEMA_VIOLATION),
        (b" " * 2000, ErrorCode.TOO_LARGE),
    ],
)
def test_parse_json_refuses(raw: bytes, code: ErrorCode) -> None:
    with pytest.raises(MalformedMessageError) as caught:
        parse_json(raw, max_bytes=1000 if code is ErrorCode.TOO_LARGE else 200_000)
    assert caught.value.code is code


def test_parse_json_roundtrips_canonical_form() -> None:
    value: Any = {"z": [1, {"y": "ü"}], "a": None}
    parsed: Any = parse_json(canonical_json(value), max_bytes=100)
    assert canonical_json(parsed) == canonical_json(value)


@pytest.mark.parametrize("raw", [b"", b"\x00", b"\xff\xff\xfe", bytes(range(256))])
def test_b64url_roundtrip(raw: bytes) -> None:
    text = b64url_encode(raw)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64url_decode(text, what="x") == raw


@pytest.mark.parametrize("text", ["AA==", "A", "AB", "a+b/", "A A", 5, None, "AAF"])
def test_b64url_decode_refuses_non_canonical(text: object) -> None:
    with pytest.raises(MalformedMessageError):
        b64url_decode(text, what="x")


def test_b64url_decode_checks_length() -> None:
    with pytest.raises(MalformedMessageError, match="must decode to 2 bytes"):
        b64url_decode("AAAA", what="x", length=2)


def test_timestamps() -> None:
    moment = datetime(2026, 3, 1, 10, 30, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    assert format_timestamp(moment) == "2026-03-01T09:30:05Z"
    assert parse_timestamp("2026-03-01T09:30:05Z", what="t") == datetime(
        2026, 3, 1, 9, 30, 5, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text", ["2026-03-01T09:30:05", "2026-03-01T09:30:05.1Z", "2026-02-30T00:00:00Z", 17, ""]
)
def test_parse_timestamp_refuses(text: object) -> None:
    with pytest.raises(MalformedMessageError):
        parse_timestamp(text, what="t")
