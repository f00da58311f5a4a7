"""The trust list: entries, validity, revocation and the JSON form."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from exchange_testkit import NOW, VALID_FROM, VALID_UNTIL, Authority

from exchange import ErrorCode, ExchangeError, TrustError, TrustList, TrustListError


def test_trust_list_json_roundtrip(spain: Authority, italy: Authority) -> None:
    revoked = replace(italy.entry, revoked_at=datetime(2026, 5, 1, tzinfo=UTC))
    trust = TrustList([spain.entry, revoked])
    again = TrustList.from_json(trust.to_json())
    assert [entry.authority_id for entry in again] == ["esp-cnp", "ita-labanof"]
    assert again.get("esp-cnp") == spain.entry
    assert again.get("ita-labanof") == revoked
    assert again.to_json() == trust.to_json()


def test_entry_json_carries_fingerprint(spain: Authority) -> None:
    entry = json.loads(TrustList([spain.entry]).to_json())["authorities"][0]
    assert entry["fingerprint"] == spain.keys.public.fingerprint.hex()
    assert entry["country"] == "ESP"
    assert entry["revoked_at"] is None
    assert len(spain.entry.display_fingerprint.split()) == 16


def test_fingerprint_mismatch_refused(spain: Authority) -> None:
    document = json.loads(TrustList([spain.entry]).to_json())
    document["authorities"][0]["fingerprint"] = "00" * 32
    with pytest.raises(TrustListError) as caught:
        TrustList.from_json(json.dumps(document).encode())
    assert caught.value.code is ErrorCode.FINGERPRINT_MISMATCH


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(version=2),
        lambda d: d["authorities"][0].update(country="ES"),
        lambda d: d["authorities"][0].update(authority_id="ESP CNP"),
        lambda d: d["authorities"][0].update(valid_until="2025-01-01T00:00:00Z"),
        lambda d: d["authorities"][0].pop("name"),
        lambda d: d["authorities"].append(d["authorities"][0]),
    ],
)
def test_bad_trust_list_refused(spain: Authority, change: Callable[[Any], object]) -> None:
    document = json.loads(TrustList([spain.entry]).to_json())
    change(document)
    with pytest.raises(TrustListError) as caught:
        TrustList.from_json(json.dumps(document).encode())
    assert caught.value.code is ErrorCode.BAD_TRUST_LIST


def test_require_known_and_valid(italy_trust: TrustList, spain: Authority) -> None:
    assert italy_trust.require("esp-cnp", NOW) == spain.entry
    assert italy_trust.require("esp-cnp", VALID_FROM) == spain.entry


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (VALID_FROM - timedelta(seconds=1), ErrorCode.SENDER_NOT_VALID),
        (VALID_UNTIL, ErrorCode.SENDER_NOT_VALID),
    ],
)
def test_require_out_of_validity(italy_trust: TrustList, moment: datetime, code: str) -> None:
    with pytest.raises(TrustError) as caught:
        italy_trust.require("esp-cnp", moment)
    assert caught.value.code == code


def test_require_unknown(italy_trust: TrustList) -> None:
    with pytest.raises(TrustError) as caught:
        italy_trust.require("fra-ircgn", NOW)
    assert caught.value.code is ErrorCode.UNKNOWN_SENDER


def test_revoked_is_refused_even_before_revocation_time(spain: Authority) -> None:
    trust = TrustList([replace(spain.entry, revoked_at=NOW + timedelta(days=1))])
    with pytest.raises(TrustError) as caught:
        trust.require("esp-cnp", NOW)
    assert caught.value.code is ErrorCode.SENDER_REVOKED
    assert "revoked" in caught.value.message


def test_entry_refuses_naive_datetimes(spain: Authority) -> None:
    with pytest.raises(ExchangeError) as caught:
        replace(spain.entry, valid_from=datetime(2026, 1, 1))
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT
