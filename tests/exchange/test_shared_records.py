"""Strict reading of shared records: every rule of the record schema refuses what breaks it."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from exchange_testkit import sample_missing_person, sample_remains

from exchange import (
    ErrorCode,
    MalformedMessageError,
    SharedRemains,
    share_missing_person,
    share_remains,
)
from exchange.shared import record_from_json, record_to_json
from exchange.wire import JsonValue, b64url_encode

SECRET = bytes(32)
MISSING = record_to_json(
    share_missing_person(
        sample_missing_person(), recipient_id="x-y", sender_secret=SECRET, linkage_secret=SECRET
    )
)
REMAINS = record_to_json(
    share_remains(sample_remains(), recipient_id="x-y", sender_secret=SECRET, linkage_secret=SECRET)
)

Change = Callable[[dict[str, JsonValue]], object]

MISSING_CHANGES: dict[str, Change] = {
    "extra field": lambda r: r.update(extra=1),
    "missing field": lambda r: r.pop("route"),
    "short pseudonym": lambda r: r.update(pseudonym="abc"),
    "bad sex": lambda r: r.update(sex="m"),
    "age not a band": lambda r: r.update(age={"low": 21, "high": 24}),
    "age reversed": lambda r: r.update(age={"low": 25, "high": 19}),
    "age too old": lambda r: r.update(age={"low": 200, "high": 204}),
    "age as text": lambda r: r.update(age={"low": "20", "high": 24}),
    "age as bool": lambda r: r.update(age={"low": False, "high": 4}),
    "height band": lambda r: r.update(height_cm={"low": 170, "high": 172}),
    "nationality": lambda r: r.update(nationality="Er"),
    "month format": lambda r: r.update(last_seen_month="2025-3"),
    "month 13": lambda r: r.update(last_seen_month="2025-13"),
    "month year": lambda r: r.update(last_seen_month="1850-01"),
    "lat range": lambda r: r.update(last_seen_cell={"lat10": 900, "lon10": 0}),
    "lon range": lambda r: r.update(last_seen_cell={"lat10": 0, "lon10": 1800}),
    "cell extra": lambda r: r.update(last_seen_cell={"lat10": 0, "lon10": 0, "z": 1}),
    "route too long": lambda r: r.update(route=["ITA"] * 21),
    "route lowercase": lambda r: r.update(route=["ita"]),
    "name filter length": lambda r: r.update(names=[b64url_encode(bytes(127))]),
    "name filter type": lambda r: r.update(names=[123]),
    "too many names": lambda r: r.update(names=[b64url_encode(bytes(128))] * 9),
    "mark kind": lambda r: r.update(marks=[{"kind": "x", "location": "back", "terms": []}]),
    "mark location": lambda r: r.update(
        marks=[{"kind": "scar", "location": "left-back-x", "terms": []}]
    ),
    "mark free text": lambda r: r.update(
        marks=[{"kind": "tattoo", "location": "back", "terms": ["MARIA"]}]
    ),
    "mark terms unsorted": lambda r: r.update(
        marks=[{"kind": "tattoo", "location": "back", "terms": ["rose", "cross"]}]
    ),
    "mark terms repeated": lambda r: r.update(
        marks=[{"kind": "tattoo", "location": "back", "terms": ["rose", "rose"]}]
    ),
    "effect category": lambda r: r.update(effects=[{"category": "car", "terms": []}]),
    "tooth 19": lambda r: r.update(dental=[{"tooth": 19, "state": "filled"}]),
    "tooth 51": lambda r: r.update(dental=[{"tooth": 51, "state": "filled"}]),
    "tooth state": lambda r: r.update(dental=[{"tooth": 11, "state": "gold"}]),
    "tooth twice": lambda r: r.update(
        dental=[{"tooth": 11, "state": "filled"}, {"tooth": 11, "state": "crown"}]
    ),
    "teeth unsorted": lambda r: r.update(
        dental=[{"tooth": 21, "state": "filled"}, {"tooth": 11, "state": "crown"}]
    ),
    "type": lambda r: r.update(type="person"),
}

REMAINS_CHANGES: dict[str, Change] = {
    "uncertainty band": lambda r: r.update(found_uncertainty_km=3),
    "uncertainty bool": lambda r: r.update(found_uncertainty_km=True),
    "pmi band": lambda r: r.update(pmi_days={"low": 1, "high": 6}),
    "stature band": lambda r: r.update(stature_cm={"low": 170, "high": 176}),
    "names on missing": lambda r: r.update(names=[]),
    "document names": lambda r: r.update(document_names="x"),
}


@pytest.mark.parametrize("name", sorted(MISSING_CHANGES))
def test_missing_person_schema(name: str) -> None:
    record = copy.deepcopy(MISSING)
    MISSING_CHANGES[name](record)
    with pytest.raises(MalformedMessageError) as caught:
        record_from_json(record)
    assert caught.value.code is ErrorCode.SCHEMA_VIOLATION


@pytest.mark.parametrize("name", sorted(REMAINS_CHANGES))
def test_remains_schema(name: str) -> None:
    record = copy.deepcopy(REMAINS)
    REMAINS_CHANGES[name](record)
    with pytest.raises(MalformedMessageError) as caught:
        record_from_json(record)
    assert caught.value.code is ErrorCode.SCHEMA_VIOLATION


@pytest.mark.parametrize("value", [None, [], "record", 5])
def test_record_must_be_an_object(value: object) -> None:
    with pytest.raises(MalformedMessageError):
        record_from_json(value)


def test_unknown_values_are_null() -> None:
    record = copy.deepcopy(REMAINS)
    for field in (
        "age",
        "stature_cm",
        "found_month",
        "found_cell",
        "found_uncertainty_km",
        "pmi_days",
    ):
        record[field] = None
    shared = record_from_json(record)
    assert isinstance(shared, SharedRemains)
    assert shared.age is None
    assert shared.found_cell is None
