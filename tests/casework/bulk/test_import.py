"""`casework import`: every row checked, all or nothing, idempotent, duplicates flagged."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

HEADER = (
    "ref,given_names,surnames,aliases,sex,birth_date,age,height_cm,nationality,last_seen_date,"
    "last_seen_lat,last_seen_lon,last_seen_place,route,marks,effects,dental"
)
GOOD_MISSING = [
    "L-1,Ana María,López Pérez,Anita,F,1990-04-02,34,158,GTM,2025-03-01,31.5,-111.2,Sasabe,"
    '"LINESTRING (-111.2 31.5, -110.9 32.2)",tattoo left forearm rose; scar right knee,'
    "clothing: red jacket; wooden rosary,16:F; 36:C",
    "L-2,Yusuf,Abdi Hassan,,M,1988,,175,ERI,2024-11-20,,,,,,,",
    "L-3,,,Chepe,U,,,,,,,,,,,,",
]
REMAINS_HEADER = (
    "ref,sex,age_min,age_max,stature_min_cm,stature_max_cm,found_date,found_lat,found_lon,"
    "found_place,pmi_min_days,pmi_max_days,document_names,marks,effects,dental"
)
GOOD_REMAINS = [
    "R-1,M,20,35,160,175,2025-09-15,31.7,-111.4,Altar Valley,30,90,JOSE L PEREZ,"
    "tattoo left arm,clothing: black hoodie,16:F",
    "R-2,U,,,,,2025-10-01,,,,,,,,,",
]


def write(path: Path, header: str, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def counts(app) -> tuple[int, int]:
    from casework.extensions import db
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains

    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(MissingPerson)),
            db.session.scalar(select(func.count()).select_from(UnidentifiedRemains)),
        )


def run_import(runner, kind: str, path: Path, *extra: str):
    return runner.invoke(
        args=["import", kind, str(path), "--agency", "PCOME", "--no-rematch", *extra]
    )


def test_import_stores_every_field_and_is_idempotent(app, world, runner, tmp_path) -> None:
    from casework.audit.models import AuditEntry
    from casework.cases.fields import point_coordinates, route_wkt
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    path = write(tmp_path / "legacy.csv", HEADER, GOOD_MISSING)
    dry = run_import(runner, "missing", path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 rows are valid; 3 would be imported" in dry.output
    assert counts(app) == (0, 0)

    first = run_import(runner, "missing", path)
    assert first.exit_code == 0, first.output
    assert "Imported 3 missing cases for PCOME" in first.output
    assert "casework candidates rematch" in first.output
    with app.test_request_context():
        case = db.session.scalar(
            select(MissingPerson).where(MissingPerson.external_reference == "L-1")
        )
        assert case.reference.startswith("MP-USA-2026-")
        assert (case.given_names, case.surnames, case.aliases) == (
            "Ana María",
            "López Pérez",
            ["Anita"],
        )
        assert case.birth_date == "1990-04-02" and case.sex.value == "F"
        assert (case.age_at_disappearance, case.height_cm, case.nationality) == (34, 158, "GTM")
        assert point_coordinates(case.last_seen_point) == pytest.approx((31.5, -111.2))
        assert route_wkt(case.intended_route) == "LINESTRING (-111.2 31.5, -110.9 32.2)"
        assert sorted(m.kind.value for m in case.marks) == ["scar", "tattoo"]
        assert {m.description for m in case.marks} == {
            "tattoo left forearm rose",
            "scar right knee",
        }
        assert sorted((e.category.value, e.description) for e in case.effects) == [
            ("clothing", "red jacket"),
            ("other", "wooden rosary"),
        ]
        assert [(d.tooth, d.state.value) for d in case.dental] == [(16, "F"), (36, "C")]
        imports = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
        assert len(imports) == 1 and '"imported":3' in imports[0].details

    again = run_import(runner, "missing", path)
    assert again.exit_code == 0, again.output
    assert "Imported 0 missing cases" in again.output and "3 already imported" in again.output
    assert counts(app) == (3, 0)


def test_import_remains_and_then_rematch(app, world, runner, tmp_path) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.remains.models import UnidentifiedRemains

    write(tmp_path / "m.csv", HEADER, GOOD_MISSING)
    assert run_import(runner, "missing", tmp_path / "m.csv").exit_code == 0
    path = write(tmp_path / "r.csv", REMAINS_HEADER, GOOD_REMAINS)
    result = runner.invoke(args=["import", "remains", str(path), "--agency", "pcome"])
    assert result.exit_code == 0, result.output
    assert "candidates stored" in result.output
    with app.test_request_context():
        case = db.session.scalar(
            select(UnidentifiedRemains).where(UnidentifiedRemains.external_reference == "R-1")
        )
        assert case.reference == "UR-USA-2025-000001"
        assert case.document_names == ["JOSE L PEREZ"] and case.pmi_max_days == 90
        assert db.session.scalar(select(func.count()).select_from(CandidateMatch)) > 0


BAD_ROWS = [
    ("ref,given_names,colour\nL-1,Ana,red\n", 1, "colour", "not a missing interchange column"),
    ("given_names,surnames\nAna,López\n", 1, "ref", "no header row with a ref column"),
    ("ref,given_names,given_names\nL-1,Ana,Ana\n", 1, "given_names", "appears twice"),
    ("ref,given_names,birth_date\nL-1,Ana,1990-13-01\n", 2, "birth_date", "not a date"),
    ("ref,given_names,birth_date\nL-1,Ana,1850\n", 2, "birth_date", "out of range"),
    ("ref,given_names,last_seen_date\nL-1,Ana,2030-01-01\n", 2, "last_seen_date", "future"),
    ("ref,given_names,sex\nL-1,Ana,X\n", 2, "sex", "not a sex code"),
    ('ref,given_names,route\nL-1,Ana,"POINT (1 2)"\n', 2, "route", "LINESTRING"),
    ('ref,given_names,route\nL-1,Ana,"LINESTRING (1 2,"\n', 2, "route", "LINESTRING"),
    ("ref,given_names,nationality\nL-1,Ana,Guatemala\n", 2, "nationality", "three-letter"),
    ("ref,given_names,dental\nL-1,Ana,19:F\n", 2, "dental", "dental chart"),
    ("ref,given_names,last_seen_lat\nL-1,Ana,31.5\n", 2, "last_seen_lon", "both lat and lon"),
    ("ref,given_names,surnames\nL-1,,\n", 2, "given_names", "Give at least one name"),
    ("ref,given_names\n,Ana\n", 2, "ref", "every case needs a ref"),
    ("ref,given_names\nL-1,Ana\nL-1,Bea\n", 3, "ref", "also on row 2"),
    ("ref,given_names\nL-1,Ana,extra\n", 2, "", "more cells than header columns"),
    ("ref,given_names\n", 2, "", "no cases"),
]


@pytest.mark.parametrize(("text", "row", "column", "reason"), BAD_ROWS)
def test_bad_rows_are_reported_and_nothing_is_stored(
    app, world, runner, tmp_path, text, row, column, reason
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    for extra in (("--dry-run",), ()):
        result = run_import(runner, "missing", path, *extra)
        assert result.exit_code == 1, result.output
        assert f"row {row}" in result.output and reason in result.output
        if column:
            assert f"column {column}" in result.output
        assert "nothing imported" in result.output
    assert counts(app) == (0, 0)


def test_every_problem_of_a_row_is_listed(app, world, runner, tmp_path) -> None:
    """The engine's parser and the case form's rules each find theirs; all are listed."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "ref,given_names,surnames,sex,nationality,last_seen_date\nL-1,,,X,Guatemala,2030-01-01\n"
    )
    result = run_import(runner, "missing", path)
    assert result.exit_code == 1
    for column, reason in (
        ("sex", "not a sex code"),
        ("nationality", "three-letter"),
        ("given_names", "Give at least one name"),
    ):
        assert f"row 2, column {column}: " in result.output and reason in result.output
    assert counts(app) == (0, 0)


@pytest.mark.parametrize(
    ("header", "cells", "column", "reason"),
    [
        ("age_min,age_max", "40,30", "age_max", "age_min"),
        ("found_date", "2030-01-01", "found_date", "The recovery date is in the future."),
        ("found_place", "x" * 301, "found_place", "Keep this under 300 characters."),
        # a case needs when or where it was recovered, in a file as on the form
        ("document_names", "", "found_date", "a recovery date or a place"),
        ("found_place", "Altar Valley", "", ""),
        # the optional burial planned column: a day, any day after the recovery
        ("found_date,burial_planned", "2025-03-01,1 May", "burial_planned", "YYYY-MM-DD"),
        (
            "found_date,burial_planned",
            "2025-03-01,2025-02-01",
            "burial_planned",
            "planned before the remains were recovered",
        ),
        ("found_date,burial_planned", "2025-03-01,2099-01-01", "", ""),
        # a mark or an effect is as long as the form lets it be (the same rule, once)
        ("found_place,marks", "Altar Valley,tattoo " + "x" * 494, "marks", "under 500 char"),
        ("found_place,marks", "Altar Valley,tattoo " + "x" * 493, "", ""),
        ("found_place,effects", "Altar Valley,clothing: " + "x" * 501, "effects", "under 500"),
        ("found_place,effects", "Altar Valley,clothing: " + "x" * 500, "", ""),
    ],
)
def test_remains_rows_keep_the_rules_of_the_case_form(
    app, world, runner, tmp_path, header, cells, column, reason
) -> None:
    """What the remains form refuses is refused in a file too, in the form's words."""
    path = write(tmp_path / "r.csv", f"ref,{header}", [f"R-1,{cells}"])
    result = run_import(runner, "remains", path)
    if not column:  # the control: a row the form takes is imported
        assert result.exit_code == 0, result.output
        assert counts(app) == (0, 1)
        return
    assert result.exit_code == 1, result.output
    assert f"row 2, column {column}: " in result.output and reason in result.output
    assert counts(app) == (0, 0)


def test_one_bad_row_among_good_ones_stores_nothing(app, world, runner, tmp_path) -> None:
    rows = [*GOOD_MISSING, "L-9,Bea,,,Q,,,,,,,,,,,,"]
    path = write(tmp_path / "mixed.csv", HEADER, rows)
    result = run_import(runner, "missing", path)
    assert result.exit_code == 1
    assert "row 5, column sex: not a sex code" in result.output
    assert counts(app) == (0, 0)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("latin1.csv", "ref,given_names\nL-1,José\n".encode("latin-1"), "not UTF-8"),
        ("cases.txt", b"ref\nL-1\n", ".csv or an .xlsx"),
        ("fake.xlsx", b"ref,given_names\n", "not a readable .xlsx"),
    ],
)
def test_unreadable_files_are_refused(app, world, runner, tmp_path, name, content, message) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_import(runner, "missing", path)
    assert result.exit_code == 1 and message in result.output, result.output
    assert counts(app) == (0, 0)


def test_unknown_agency_and_file_too_big(app, world, runner, tmp_path) -> None:
    path = write(tmp_path / "m.csv", HEADER, GOOD_MISSING)
    unknown = runner.invoke(args=["import", "missing", str(path), "--agency", "NOPE"])
    assert unknown.exit_code == 2 and "No agency has the code NOPE" in unknown.output
    app.config["IMPORT_MAX_BYTES"] = 100
    big = run_import(runner, "missing", path)
    assert big.exit_code == 1 and "the limit is" in big.output
    assert counts(app) == (0, 0)


def xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_import_reads_one_sheet(app, world, runner, tmp_path) -> None:
    from datetime import date

    from casework.extensions import db
    from casework.missing.models import MissingPerson

    rows = [
        ["ref", "given_names", "surnames", "sex", "birth_date", "height_cm", "last_seen_date"],
        ["X-1", "Fatou", "Diallo", "F", 1995, 162.0, date(2025, 1, 5)],
        [None, None, None, None, None, None, None],
        ["X-2", "Moussa", "Traoré", "M", "1990-02-03", None, None],
    ]
    path = xlsx(tmp_path / "legacy.xlsx", {"Cases": rows})
    result = run_import(runner, "missing", path)
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        case = db.session.scalar(
            select(MissingPerson).where(MissingPerson.external_reference == "X-1")
        )
        assert (case.birth_date, case.height_cm) == ("1995", 162)
        assert case.last_seen_date == date(2025, 1, 5)

    bad = xlsx(tmp_path / "bad.xlsx", {"Cases": [rows[0], ["X-3", "Ana", "", "X", "", "", ""]]})
    report = run_import(runner, "missing", bad, "--dry-run")
    assert report.exit_code == 1 and "row 2, column sex" in report.output


def test_xlsx_with_several_sheets_or_none_is_refused(app, world, runner, tmp_path) -> None:
    two = xlsx(tmp_path / "two.xlsx", {"A": [["ref"], ["X-1"]], "B": [["ref"], ["X-2"]]})
    result = run_import(runner, "missing", two)
    assert result.exit_code == 1 and "has 2 sheets" in result.output
    empty_sheet = xlsx(tmp_path / "blank.xlsx", {"A": []})
    result = run_import(runner, "missing", empty_sheet)
    assert result.exit_code == 1 and "The sheet is empty" in result.output
    assert counts(app) == (0, 0)


def _inflated(source: Path, target: Path, padding: int) -> Path:
    """`source` with its sheet's XML padded by `padding` bytes of whitespace between elements:
    still a valid workbook, tiny on disk, huge once unpacked (a "zip bomb")."""
    import zipfile

    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for part in original.infolist():
            content = original.read(part.filename)
            if part.filename.startswith("xl/worksheets/"):
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)
            bomb.writestr(part.filename, content)
    return target


def test_an_xlsx_bomb_is_refused_before_it_is_parsed(app, world, runner, tmp_path) -> None:
    rows = [["ref", "given_names", "surnames"], ["X-1", "Fatou", "Diallo"]]
    plain = xlsx(tmp_path / "plain.xlsx", {"Cases": rows})
    bomb = _inflated(plain, tmp_path / "bomb.xlsx", 40_000_000)
    assert bomb.stat().st_size < 200_000
    result = run_import(runner, "missing", bomb)
    assert result.exit_code == 1, result.output
    assert "unpacks" in result.output and "times larger than it is stored" in result.output
    assert counts(app) == (0, 0)
    # the same workbook without the padding imports
    assert run_import(runner, "missing", plain).exit_code == 0


def test_a_workbook_unpacking_past_the_limit_is_refused(tmp_path) -> None:
    from casework.bulk.sources import FileProblem, check_workbook

    rows = [["ref", "given_names"], *[[f"X-{i}", "Fatou"] for i in range(2000)]]
    path = xlsx(tmp_path / "cases.xlsx", {"Cases": rows})
    check_workbook(path)  # a real sheet passes
    with pytest.raises(FileProblem, match="would unpack to"):
        check_workbook(path, max_unpacked=10_000)


def test_likely_duplicates_are_flagged_not_blocking(app, world, runner, tmp_path) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_missing

    with app.test_request_context():
        make_missing(db.session.get(User, world.user("family_liaison")))
    rows = [
        "D-1,Jose Luis,Perez Xitumul,,M,1994,,,,,,,,,,,",  # the case already registered
        "D-2,Youssef,Ben Ali,,M,1990,,,,,,,,,,,",
        "D-3,Yusuf,Ali,,U,,,,,,,,,,,,",  # same folded name as D-2
        "D-4,Yusuf,Ali,,F,,,,,,,,,,,,",  # same name but another sex: not flagged against D-2
    ]
    path = write(tmp_path / "d.csv", HEADER, rows)
    result = run_import(runner, "missing", path)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Likely duplicate")]
    assert any("row 2 (ref D-1) and MP-USA-2026-000001" in line for line in lines), lines
    assert any("row 4 (ref D-3) and row 3 (ref D-2): same name" in line for line in lines), lines
    assert not any("(ref D-4) and row 3" in line for line in lines), lines
    assert counts(app) == (5, 0)


def test_exported_cells_are_unescaped_on_import(app, world, runner, tmp_path) -> None:
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    path = tmp_path / "escaped.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "given_names", "effects"])
        writer.writerow(["E-1", "Ana", "'=cmd|' /C calc'!A0"])
    assert run_import(runner, "missing", path).exit_code == 0
    with app.test_request_context():
        case = db.session.scalar(select(MissingPerson))
        assert case.effects[0].description == "=cmd|' /C calc'!A0"


def _stored_rows(app) -> dict[str, int]:
    from casework.cases.models import CaseSequence, DistinguishingMark, Effect
    from casework.extensions import db
    from casework.personal_data import NameToken

    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (CaseSequence, DistinguishingMark, Effect, NameToken)
        }


def test_a_failure_after_batches_were_flushed_stores_nothing(
    app, world, tmp_path, monkeypatch
) -> None:
    from flask import g

    from casework.audit.models import AuditEntry
    from casework.audit.services import Actor
    from casework.bulk import services
    from casework.extensions import db

    path = write(tmp_path / "m.csv", HEADER, GOOD_MISSING)
    before = _stored_rows(app)
    real_build = services.build_case
    calls = []

    def failing_build(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(services, "build_case", failing_build)
    with app.test_request_context():
        g.audit_actor = Actor(None, "test", None, None)
        audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
        with pytest.raises(RuntimeError):
            services.import_file("missing", path, "PCOME", batch_size=1)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert len(calls) == 3  # two cases had been flushed before the failure
    assert counts(app) == (0, 0)
    assert _stored_rows(app) == before


def test_imported_cases_are_audited_indexed_and_the_chain_holds(app, world, runner, tmp_path):
    """The bulk insert bypasses the flush: it still writes one create entry per stored row,
    exactly as a flush would describe it, keeps the chain intact and indexes the names."""
    import json

    from casework.audit.models import AuditEntry
    from casework.audit.services import _changed_fields
    from casework.bulk.interchange import build_case, check_row
    from casework.cases.models import DentalFinding, DistinguishingMark, Effect
    from casework.cases.services import case_ids_by_name
    from casework.clock import now
    from casework.extensions import db
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains

    path = write(tmp_path / "legacy.csv", HEADER, GOOD_MISSING)
    assert run_import(runner, "missing", path).exit_code == 0
    remains = write(tmp_path / "r.csv", REMAINS_HEADER, GOOD_REMAINS)
    assert run_import(runner, "remains", remains).exit_code == 0
    with app.test_request_context():
        created = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "create"))
        by_id = {entry.object_id: entry for entry in created}
        for model in (MissingPerson, UnidentifiedRemains, DistinguishingMark, Effect):
            for row in db.session.scalars(select(model)):
                assert by_id[str(row.id)].object_type == model.__name__
        dental = db.session.scalars(select(DentalFinding)).all()
        assert len(dental) == 3 and all(str(f.id) in by_id for f in dental)
        case = db.session.scalar(
            select(MissingPerson).where(MissingPerson.external_reference == "L-1")
        )
        entry = by_id[str(case.id)]
        assert entry.object_ref == case.reference and case.version == 1

        # the fields named are those a flush of the same new case names
        cells = dict(zip(HEADER.split(","), next(csv.reader([GOOD_MISSING[0]])), strict=True))
        checked = check_row("missing", cells, 2, now().date())
        fresh = build_case("missing", checked, cells, case.agency_id)
        fresh.reference, fresh.created_by_id = "MP-X", None
        assert json.loads(entry.details)["fields"] == _changed_fields(fresh)
        mark = by_id[str(case.marks[0].id)]
        assert json.loads(mark.details)["missing_person_id"] == str(case.id)

        # found by the blind name index, on every name field
        for query, kind, expected in (
            ("lopez", "missing", "L-1"),
            ("Anita", "missing", "L-1"),
            ("abdi hassan", "missing", "L-2"),
            ("Jose Perez", "remains", "R-1"),
        ):
            model = MissingPerson if kind == "missing" else UnidentifiedRemains
            found = db.session.scalars(
                select(model.external_reference).where(model.id.in_(case_ids_by_name(kind, query)))
            ).all()
            assert found == [expected], query
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output, verified.output


def test_similar_names_of_open_cases_are_flagged(app, world, runner, tmp_path) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_missing

    with app.test_request_context():
        make_missing(db.session.get(User, world.user("family_liaison")))  # José Luis Pérez Xitumul
    rows = [
        "S-1,Jose Luis,Perez Xitumal,,M,1994,,,,,,,,,,,",  # one letter off: not the same keys
        "S-2,Kevin,Mejia,,M,1994,,,,,,,,,,,",
    ]
    path = write(tmp_path / "s.csv", HEADER, rows)
    result = run_import(runner, "missing", path, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Likely duplicate")]
    assert len(lines) == 1, lines
    assert "row 2 (ref S-1) and MP-USA-2026-000001: similar name" in lines[0]


def test_a_file_changed_between_check_and_insert_stores_nothing(
    app, world, tmp_path, monkeypatch
) -> None:
    from flask import g

    from casework.audit.services import Actor
    from casework.bulk import services
    from casework.errors import ValidationError

    path = write(tmp_path / "m.csv", HEADER, GOOD_MISSING)
    real_validate = services.validate_file

    def validate_then_change(*args, **kwargs):
        result = real_validate(*args, **kwargs)
        # still a valid file, but not the one checked: a later year of birth on row 3
        write(
            path,
            HEADER,
            [GOOD_MISSING[0], GOOD_MISSING[1].replace("1988", "1989"), *GOOD_MISSING[2:]],
        )
        return result

    monkeypatch.setattr(services, "validate_file", validate_then_change)
    with app.test_request_context():
        g.audit_actor = Actor(None, "test", None, None)
        with pytest.raises(ValidationError, match="changed"):
            services.import_file("missing", path, "PCOME")
    assert counts(app) == (0, 0)
