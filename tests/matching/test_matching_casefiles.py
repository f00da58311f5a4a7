"""Case files: CSV rows to records (errors reported with row and column), candidates to CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from matching import (
    CANDIDATE_FIELDS,
    Candidate,
    DentalEntry,
    Evidence,
    MissingRecord,
    RemainsRecord,
    RowError,
    Sex,
    ToothState,
    match_files,
    parse_missing_row,
    parse_remains_row,
    read_missing_csv,
    read_remains_csv,
    write_candidates_csv,
)

MISSING_CSV = (
    "\ufeffref,given_names,surnames,aliases,sex,birth_date,age,height_cm,nationality,"
    "last_seen_date,last_seen_lat,last_seen_lon,last_seen_place,route,marks,effects,dental,"
    "favourite_colour\n"
    "M1,Yonas,Tesfay;Gebremedhin,,M,1998,,172,eri,2024-05-01,32.93,12.08,Zuwara beach,"
    '"LINESTRING (12.08 32.93, 12.6 35.5)",tattoo left forearm rose,black hoodie;rosary,'
    "16:F;21:V,blue\n"
    "M2,,,,,,,,,,,,,,,,,\n"
    "M3,Ana,López García,,X,1999-02-30,abc,,,,,,,,,,11:Q,\n"
)


def test_read_missing_csv_with_bom_extra_columns_and_bad_rows() -> None:
    records, errors = read_missing_csv(io.StringIO(MISSING_CSV))
    assert [r.ref for r in records] == ["M1", "M2"]
    first = records[0]
    assert first.surnames == ("Tesfay", "Gebremedhin")
    assert first.sex == Sex.MALE and first.birth_year == 1998 and first.birth_date is None
    assert first.nationality == "ERI" and first.height_cm == 172
    assert first.route is not None and first.route.coords[0] == (12.08, 32.93)
    assert first.marks[0].kind == "tattoo" and first.effects == ("black hoodie", "rosary")
    assert first.dental == (DentalEntry(16, ToothState.FILLED), DentalEntry(21, ToothState.SOUND))
    assert records[1] == MissingRecord("M2")
    assert [(e.row, e.column) for e in errors] == [
        (4, "sex"),
        (4, "birth_date"),
        (4, "age"),
        (4, "dental"),
    ]
    assert str(errors[1]) == "row 4, column birth_date: not a date (YYYY-MM-DD)"


@dataclass(frozen=True)
class RowCase:
    why: str
    cells: dict[str, str]
    column: str


MISSING_ROW_ERRORS = [
    RowCase("no ref", {"ref": " "}, "ref"),
    RowCase(
        "latitude out of range",
        {"ref": "M1", "last_seen_lat": "95", "last_seen_lon": "1"},
        "last_seen_lat",
    ),
    RowCase("half a position", {"ref": "M1", "last_seen_lat": "10"}, "last_seen_lon"),
    RowCase("route not WKT", {"ref": "M1", "route": "from here to there"}, "route"),
    RowCase("route a point", {"ref": "M1", "route": "POINT (1 2)"}, "route"),
    RowCase(
        "route in lat lon order beyond range",
        {"ref": "M1", "route": "LINESTRING (100 200, 1 2)"},
        "route",
    ),
    RowCase("tooth out of FDI range", {"ref": "M1", "dental": "19:F"}, "dental"),
    RowCase("height absurd", {"ref": "M1", "height_cm": "1700"}, "height_cm"),
    RowCase("sea flag", {"ref": "M1", "sea_crossing": "maybe"}, "sea_crossing"),
    RowCase("bloom not hex", {"ref": "M1", "name_bloom": "zz"}, "name_bloom"),
]


@pytest.mark.parametrize("case", MISSING_ROW_ERRORS, ids=lambda c: c.why)
def test_missing_row_errors(case: RowCase) -> None:
    result = parse_missing_row(case.cells, row=7)
    assert isinstance(result, list)
    assert [(e.row, e.column) for e in result] == [(7, case.column)]


REMAINS_ROW_ERRORS = [
    RowCase("found date", {"ref": "R1", "found_date": "01/05/2024"}, "found_date"),
    RowCase("age range reversed", {"ref": "R1", "age_min": "40", "age_max": "30"}, "age_max"),
    RowCase("PMI negative", {"ref": "R1", "pmi_min_days": "-3"}, "pmi_min_days"),
    RowCase("sex", {"ref": "R1", "sex": "male?"}, "sex"),
]


@pytest.mark.parametrize("case", REMAINS_ROW_ERRORS, ids=lambda c: c.why)
def test_remains_row_errors(case: RowCase) -> None:
    result = parse_remains_row(case.cells, row=3)
    assert (
        result == [RowError(3, case.column, result[0].reason)]
        if isinstance(result, list)
        else False
    )


def test_remains_row_reads_every_column() -> None:
    record = parse_remains_row(
        {
            "ref": "R1",
            "sex": "f",
            "age_min": "20",
            "age_max": "30,5",
            "stature_min_cm": "150",
            "stature_max_cm": "160",
            "found_date": "2024-05-20",
            "found_lat": "35.4",
            "found_lon": "12.7",
            "found_place": "Lampedusa coast",
            "pmi_min_days": "7",
            "pmi_max_days": "20",
            "document_names": "Awa Sow; A. Sow",
            "marks": "scar left knee",
            "effects": "sandals",
            "dental": "36:C",
            "at_sea": "1",
            "name_bloom": "ff00",
        }
    )
    assert record == RemainsRecord(
        ref="R1",
        sex=Sex.FEMALE,
        age_min=20,
        age_max=30.5,
        stature_min_cm=150,
        stature_max_cm=160,
        found_date=date(2024, 5, 20),
        found_lat=35.4,
        found_lon=12.7,
        found_place="Lampedusa coast",
        pmi_min_days=7,
        pmi_max_days=20,
        document_names=("Awa Sow", "A. Sow"),
        marks=record.marks if isinstance(record, RemainsRecord) else (),
        effects=("sandals",),
        dental=(DentalEntry(36, ToothState.CROWN),),
        name_bloom=bytes([255, 0]),
        at_sea=True,
    )


def test_duplicate_refs_and_ragged_rows_are_reported() -> None:
    text = "ref,sex\nR1,F\nR1,M\nR2,F,extra\n\nR3,\n"
    records, errors = read_remains_csv(io.StringIO(text))
    assert [r.ref for r in records] == ["R1", "R3"]
    assert [(e.row, e.column) for e in errors] == [(3, "ref"), (4, "")]


def test_file_without_ref_column_is_one_error() -> None:
    records, errors = read_remains_csv(io.StringIO("name,sex\nx,F\n"))
    assert records == [] and errors == [RowError(1, "ref", "no header row with a ref column")]


def test_write_candidates_ranks_per_remains() -> None:
    candidates = [
        Candidate("M1", "R1", 0.2, False, (Evidence("sex", 0.9, "Sex reported F, estimated F"),)),
        Candidate("M2", "R1", 0.9, True, ()),
        Candidate("M1", "R2", 0.5, True, ()),
    ]
    out = io.StringIO()
    assert write_candidates_csv(candidates, out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(CANDIDATE_FIELDS)
    assert [(r["remains_ref"], r["missing_ref"], r["rank"], r["review"]) for r in rows] == [
        ("R1", "M2", "1", "1"),
        ("R1", "M1", "2", "0"),
        ("R2", "M1", "1", "1"),
    ]
    assert rows[1]["score"] == "0.2000"
    assert rows[1]["explanation"] == "p=0.20: Sex reported F, estimated F (+0.9)"


def test_match_files_end_to_end(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    remains = tmp_path / "remains.csv"
    out = tmp_path / "candidates.csv"
    missing.write_text(
        "ref,given_names,surnames,sex,last_seen_date\n"
        "M1,Awa,Sow,F,2024-05-01\nM2,Ana,Ruiz,F,2024-05-01\nM3,Bad,Row,F,2024-05-99\n",
        encoding="utf-8",
    )
    remains.write_text(
        "ref,sex,found_date,document_names\nR1,F,2024-05-10,Awa Sow\nR2,F,2024-04-01,\n",
        encoding="utf-8",
    )
    calls: list[tuple[int, int]] = []
    report = match_files(
        missing,
        remains,
        out,
        top_k=1,
        as_of=date(2025, 1, 1),
        progress=lambda d, t: calls.append((d, t)),
    )
    assert report.missing_read == 2 and report.remains_read == 2
    assert [(e.row, e.column) for e in report.missing_errors] == [(4, "last_seen_date")]
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    # R2 was found before anyone was last seen: excluded, so no row
    assert [(r["remains_ref"], r["missing_ref"], r["rank"]) for r in rows] == [("R1", "M1", "1")]
    assert report.candidates == 1 and calls[-1] == (2, 2)
