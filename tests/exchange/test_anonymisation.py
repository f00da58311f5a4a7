"""Anonymisation for one recipient: what is dropped, what is generalised, and how."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest
from exchange_testkit import sample_missing_person, sample_remains

from exchange import (
    DentalFinding,
    ErrorCode,
    GeoPoint,
    GridCell,
    MissingPersonRecord,
    Range,
    RecordError,
    RemainsRecord,
    Sex,
    SharedEffect,
    SharedMark,
    SharedMissingPerson,
    SharedRemains,
    dice,
    encode_name,
    grid_cell,
    record_pseudonym,
    share_missing_person,
    share_remains,
    widen,
)
from exchange.shared import record_from_json, record_to_json
from exchange.wire import canonical_json

SENDER = bytes(range(32))
LINKAGE = bytes(range(100, 132))


def share(record: MissingPersonRecord, recipient: str = "ita-labanof") -> SharedMissingPerson:
    return share_missing_person(
        record, recipient_id=recipient, sender_secret=SENDER, linkage_secret=LINKAGE
    )


def share_pm(record: RemainsRecord) -> SharedRemains:
    return share_remains(
        record, recipient_id="ita-labanof", sender_secret=SENDER, linkage_secret=LINKAGE
    )


@pytest.mark.parametrize(
    "secret",
    [
        "Amanuel",
        "amanuel",
        "Tesfay",
        "Gebremariam",
        "Emmanuel",
        "2001",
        "09-14",
        "Letekidan",
        "Tripoli",
        "+291",
        "example.org",
        "photos",
        "MP-2026-0042",
        "SELAM",
        "Adidas",
        "Mother",
        "32.88",
        "13.18",
        "-17",
        "176",
    ],
)
def test_missing_person_export_holds_no_direct_identifier(secret: str) -> None:
    shared = share(sample_missing_person())
    wire = canonical_json(record_to_json(shared)).decode()
    assert secret.lower() not in wire.lower()


@pytest.mark.parametrize("secret", ["Amanuel", "Dattilo", "coast", "PM-2026-0107", "37.50"])
def test_remains_export_holds_no_direct_identifier(secret: str) -> None:
    wire = canonical_json(record_to_json(share_pm(sample_remains()))).decode()
    assert secret.lower() not in wire.lower()


def test_missing_person_generalisation() -> None:
    shared = share(sample_missing_person())
    assert shared.pseudonym == record_pseudonym(SENDER, "ita-labanof", "MP-2026-0042")
    assert shared.sex is Sex.MALE
    assert shared.age == Range(20, 24)  # 23 on 17 March 2025
    assert shared.height_cm == Range(175, 179)
    assert shared.nationality == "ERI"
    assert shared.last_seen_month == "2025-03"
    assert shared.last_seen_cell == GridCell(328, 131)
    assert shared.route == ("ERI", "SDN", "LBY")
    assert shared.marks == (
        SharedMark("tattoo", "left-forearm", ("cross", "name")),
        SharedMark("scar", "face", ("linear",)),
    )
    assert shared.effects == (
        SharedEffect("clothing", ("jacket", "red")),
        SharedEffect("religious-item", ("black", "cross", "silver")),
    )
    assert shared.dental == (DentalFinding(11, "crown"), DentalFinding(36, "filled"))
    assert len(shared.names) == 2


def test_names_link_by_dice_only_with_the_pair_secret() -> None:
    shared = share(sample_missing_person())
    ours = encode_name(["Amanuel Tesfay Gebremariam"], LINKAGE)
    assert dice(shared.names[0], ours) > 0.85
    assert dice(shared.names[1], encode_name(["Emmanuel Tesfaye"], LINKAGE)) > 0.85
    assert dice(shared.names[0], encode_name(["Amanuel Tesfay"], bytes(32))) < 0.4


def test_two_recipients_get_unlinkable_copies() -> None:
    italy = share(sample_missing_person(), "ita-labanof")
    greece = share(sample_missing_person(), "grc-hp")
    assert italy.pseudonym != greece.pseudonym
    assert italy.names != greece.names


def test_equal_names_in_two_records_give_different_filters() -> None:
    one = share(sample_missing_person("MP-1"))
    two = share(sample_missing_person("MP-2"))
    assert one.names[0] != two.names[0]
    assert dice(one.names[0], two.names[0]) > 0.75


def test_remains_generalisation() -> None:
    shared = share_pm(sample_remains())
    assert shared.age == Range(20, 34)
    assert shared.stature_cm == Range(170, 184)
    assert shared.found_month == "2025-04"
    assert shared.found_cell == GridCell(375, 150)
    assert shared.found_uncertainty_km == 2
    assert shared.pmi_days == Range(7, 20)
    assert len(shared.document_names) == 1
    assert dice(shared.document_names[0], encode_name(["Amanuel", "Tesfay"], LINKAGE)) > 0.85


@dataclass(frozen=True)
class AgeCase:
    birth_date: date | None
    birth_year: int | None
    stated_age: int | None
    seen: date | None
    expected: Range | None


@pytest.mark.parametrize(
    "case",
    [
        AgeCase(date(2001, 9, 14), None, None, date(2025, 9, 13), Range(20, 24)),
        AgeCase(date(2001, 9, 14), None, None, date(2026, 9, 14), Range(25, 29)),
        AgeCase(None, 2001, None, date(2025, 3, 1), Range(20, 24)),  # 23 or 24
        AgeCase(None, 2000, None, date(2025, 3, 1), Range(20, 29)),  # 24 or 25: two bands
        AgeCase(None, None, 17, None, Range(15, 19)),
        AgeCase(date(2001, 1, 1), None, 40, None, Range(40, 44)),  # no reference date
        AgeCase(None, None, None, date(2025, 1, 1), None),
        AgeCase(None, 2025, None, date(2025, 6, 1), Range(0, 4)),
    ],
)
def test_age_at_last_sighting(case: AgeCase) -> None:
    record = replace(
        sample_missing_person(),
        birth_date=case.birth_date,
        birth_year=case.birth_year,
        stated_age=case.stated_age,
        last_seen_date=case.seen,
    )
    assert share(record).age == case.expected


@pytest.mark.parametrize(
    ("low", "high", "band", "expected"),
    [
        (23, 23, 5, Range(20, 24)),
        (20, 24, 5, Range(20, 24)),
        (24, 25, 5, Range(20, 29)),
        (0, 0, 7, Range(0, 6)),
        (7, 7, 7, Range(7, 13)),
    ],
)
def test_widen(low: int, high: int, band: int, expected: Range) -> None:
    assert widen(low, high, band) == expected


@pytest.mark.parametrize(
    ("point", "cell"),
    [
        (GeoPoint(36.5, -5.0), GridCell(365, -50)),
        (GeoPoint(0.7, 0.3), GridCell(7, 3)),
        (GeoPoint(-0.01, -0.01), GridCell(-1, -1)),
        (GeoPoint(90.0, 180.0), GridCell(899, -1800)),
        (GeoPoint(-90.0, -180.0), GridCell(-900, -1800)),
        (GeoPoint(35.99999, 14.0), GridCell(359, 140)),
    ],
)
def test_grid_cell(point: GeoPoint, cell: GridCell) -> None:
    assert grid_cell(point) == cell


@pytest.mark.parametrize(
    "change",
    [
        {"dental": (DentalFinding(19, "filled"),)},
        {"dental": (DentalFinding(50, "filled"),)},
        {"dental": (DentalFinding(11, "shiny"),)},
        {"dental": (DentalFinding(11, "filled"), DentalFinding(11, "crown"))},
        {"last_seen_point": GeoPoint(95.0, 0.0)},
        {"last_seen_point": GeoPoint(float("nan"), 0.0)},
        {"nationality": "Eritrea"},
        {"route": ("ER",)},
        {"height_cm": 12},
        {"birth_date": date(2030, 1, 1)},
        {"last_seen_date": date(1850, 1, 1), "birth_date": None},
    ],
)
def test_invalid_local_missing_person(change: dict[str, object]) -> None:
    with pytest.raises(RecordError) as caught:
        share(replace(sample_missing_person(), **change))
    assert caught.value.code is ErrorCode.INVALID_LOCAL_RECORD
    assert "MP-2026-0042" in caught.value.message


@pytest.mark.parametrize(
    "change",
    [
        {"age_min": 40, "age_max": 30},
        {"stature_min_cm": 10},
        {"pmi_min_days": -1},
        {"found_uncertainty_m": -5},
    ],
)
def test_invalid_local_remains(change: dict[str, object]) -> None:
    with pytest.raises(RecordError) as caught:
        share_pm(replace(sample_remains(), **change))
    assert caught.value.code is ErrorCode.INVALID_LOCAL_RECORD


def test_open_ended_remains_ranges() -> None:
    shared = share_pm(replace(sample_remains(), age_min=60, age_max=None, pmi_min_days=None))
    assert shared.age == Range(60, 124)
    assert shared.pmi_days == Range(0, 20)


def test_shared_records_roundtrip_through_json() -> None:
    mp, pm = share(sample_missing_person()), share_pm(sample_remains())
    assert record_from_json(record_to_json(mp)) == mp
    assert record_from_json(record_to_json(pm)) == pm
