"""Per-recipient coarsening (spec §6.3, v2): bands and cells shifted by offsets per recipient,
still containing the true value, read strictly; and what it does to joins between two
recipients' copies (the figures themselves come from bench/exchange_joins.py)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from exchange_testkit import GREECE, ITALY, SPAIN

from exchange import (
    ErrorCode,
    GeoPoint,
    MalformedMessageError,
    MissingPersonRecord,
    RemainsRecord,
    Sex,
    share_missing_person,
    share_remains,
)
from exchange.coarsening import Coarsening, cell_centre, shifted_band, shifted_cell
from exchange.shared import record_from_json, record_to_json


def test_offsets_differ_per_recipient_and_are_stable() -> None:
    italy = Coarsening.for_recipient(SPAIN.sender_secret, ITALY.authority_id)
    greece = Coarsening.for_recipient(SPAIN.sender_secret, GREECE.authority_id)
    assert italy != greece
    assert italy == Coarsening.for_recipient(SPAIN.sender_secret, ITALY.authority_id)


@pytest.mark.parametrize("seed", range(5))
def test_bands_and_cells_contain_the_true_value(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        shift = Coarsening(*(rng.randrange(m) for m in (5, 5, 7, 10, 10)))
        age = rng.randrange(0, 125)
        low, high = shifted_band(age, age, 5, shift.age, (0, 124))
        assert low <= age <= high and high - low <= 4
        lat, lon = rng.uniform(-90, 90), rng.uniform(-180, 180)
        lat10, lon10 = shifted_cell(lat, lon, shift)
        south = (10 * lat10 + shift.lat100) / 100
        west = (10 * lon10 + shift.lon100) / 100
        assert south <= lat < south + 0.1 + 1e-9 and west <= lon < west + 0.1 + 1e-9
        centre = cell_centre(lat10, lon10, shift)
        assert abs(centre[0] - lat) <= 0.05 + 1e-9 and abs(centre[1] - lon) <= 0.05 + 1e-9


def test_unshifted_bands_are_refused_in_v2() -> None:
    shared = share_remains(
        RemainsRecord("PM-1", age_min=30, age_max=30, sex=Sex.MALE),
        recipient_id=ITALY.authority_id,
        sender_secret=SPAIN.sender_secret,
    )
    assert shared.coarsening is not None and shared.coarsening.age != 0
    value = record_to_json(shared)
    value["age"] = {"low": 30, "high": 34}  # a version 1 band: more precise than allowed here
    with pytest.raises(MalformedMessageError) as caught:
        record_from_json(value, version=2, coarsening=shared.coarsening)
    assert caught.value.code is ErrorCode.SCHEMA_VIOLATION
    with pytest.raises(MalformedMessageError):
        record_from_json(record_to_json(shared), version=2)  # no coarsening given


def _copies(recipient: str, version: int, people: list[MissingPersonRecord]):
    secret = b"l" * 32 if version == 1 else None
    return [
        share_missing_person(
            person,
            recipient_id=recipient,
            sender_secret=SPAIN.sender_secret,
            linkage_secret=secret,
        )
        for person in people
    ]


def _people(count: int) -> list[MissingPersonRecord]:
    rng = random.Random(7)
    return [
        MissingPersonRecord(
            f"MP-{i}",
            sex=rng.choice([Sex.MALE, Sex.FEMALE]),
            stated_age=rng.randrange(16, 45),
            height_cm=rng.randrange(150, 190),
            last_seen_date=date(2025, rng.randrange(1, 13), 1),
            last_seen_point=GeoPoint(rng.uniform(30, 38), rng.uniform(10, 16)),
        )
        for i in range(count)
    ]


def _exact_key(record):
    return (record.sex, record.age, record.height_cm, record.last_seen_month, record.last_seen_cell)


def test_exact_joins_on_quasi_identifiers_stop_in_v2() -> None:
    people = _people(300)
    for version, expected_joins in ((1, 300), (2, 0)):
        italy = _copies(ITALY.authority_id, version, people)
        greece = _copies(GREECE.authority_id, version, people)
        italy_keys = {_exact_key(r) for r in italy}
        joined = sum(_exact_key(r) in italy_keys for r in greece)
        assert (joined == expected_joins) if version == 1 else joined <= 3, (version, joined)
