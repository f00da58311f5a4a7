"""Export of cases as interchange CSV: authorised roles only, audited, injection-safe, and an
export imports back into an empty database as the same records."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.casework.bulk.test_import import (
    GOOD_MISSING,
    GOOD_REMAINS,
    HEADER,
    REMAINS_HEADER,
    run_import,
    write,
)
from tests.casework.factories import make_missing, make_remains


def _user(app, world, role):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user(role))


def _exports(app) -> list[dict]:
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        return [{"actor": row.actor_label, **json.loads(row.details)} for row in rows]


def test_export_page_is_for_authorised_roles_and_audited(app, world, as_user) -> None:
    with app.test_request_context():
        make_missing(_user(app, world, "family_liaison"))
        make_missing(_user(app, world, "family_liaison"), given_names='=HYPERLINK("x")')
        make_remains(_user(app, world, "forensic_officer"))
    client = as_user("supervisor")
    response = client.get("/bulk/export/missing.csv?status=open")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2 and rows[0]["surnames"] == "Pérez Xitumul"
    assert {row["given_names"] for row in rows} == {"José Luis", '\'=HYPERLINK("x")'}
    assert rows[0]["last_seen_lon"] == "-111.54"  # a negative number is not escaped
    entries = _exports(app)
    assert len(entries) == 1
    assert entries[0]["actor"] == "supervisor@home.example"
    assert entries[0]["rows"] == 2 and entries[0]["filters"]["status"] == "open"

    officer = as_user("forensic_officer")
    assert officer.get("/bulk/export/remains.csv").status_code == 200
    assert officer.get("/bulk/export/missing.csv").status_code == 403
    for role in ("family_liaison", "auditor", "consular_official", "administrator"):
        assert as_user(role).get("/bulk/export/missing.csv").status_code == 403, role
    assert as_user("supervisor").get("/bulk/export/other.csv").status_code == 404
    assert as_user("supervisor").get("/bulk/export/missing.csv?status=nope").status_code == 400
    assert len(_exports(app)) == 2  # refused requests leave no export entry


def test_export_only_holds_what_the_user_may_see(app, world, as_user) -> None:
    with app.test_request_context():
        make_remains(_user(app, world, "forensic_officer"))
        make_remains(_user(app, world, "officer_abroad"))
    body = as_user("supervisor").get("/bulk/export/remains.csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(body)))) == 1


def test_export_leaves_out_cases_another_agency_only_shared(app, world, as_user) -> None:
    from casework.cases.models import CaseShare
    from casework.extensions import db

    with app.test_request_context():
        make_missing(_user(app, world, "supervisor"))
        theirs = make_missing(_user(app, world, "officer_abroad"), surnames="Lopez")
        db.session.add(CaseShare(missing_person_id=theirs.id, agency_id=world.home))
        db.session.commit()
        theirs_reference = theirs.reference
    supervisor = as_user("supervisor")
    assert theirs_reference in supervisor.get("/missing/").get_data(as_text=True)  # readable
    exported = supervisor.get("/bulk/export/missing.csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert exported.headers["X-Case-Count"] == "1" and len(rows) == 1
    assert rows[0]["surnames"] == "Pérez Xitumul"


def test_export_files_are_readable_by_their_owner_only(app, world, runner, tmp_path) -> None:
    import os
    import stat

    with app.test_request_context():
        make_missing(_user(app, world, "family_liaison"))
    fresh, existing = tmp_path / "fresh.csv", tmp_path / "existing.csv"
    existing.write_text("old")
    existing.chmod(0o644)
    previous = os.umask(0o022)
    try:
        for path in (fresh, existing):
            result = runner.invoke(args=["export", "missing", "--out", str(path)])
            assert result.exit_code == 0, result.output
    finally:
        os.umask(previous)
    for path in (fresh, existing):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert "Pérez" in existing.read_text(encoding="utf-8")


def test_export_command_and_round_trip(app, world, runner, tmp_path, settings, migrated) -> None:
    from casework import create_app
    from casework.accounts import services
    from casework.accounts.models import AgencyKind
    from casework.bulk.interchange import case_row
    from casework.commands import ensure_data_key
    from casework.extensions import db
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains

    write(tmp_path / "m.csv", HEADER, GOOD_MISSING)
    write(tmp_path / "r.csv", REMAINS_HEADER, GOOD_REMAINS)
    for kind, name in (("missing", "m.csv"), ("remains", "r.csv")):
        result = runner.invoke(
            args=["import", kind, str(tmp_path / name), "--agency", "PCOME", "--no-rematch"]
        )
        assert result.exit_code == 0, result.output
    with app.test_request_context():
        make_missing(_user(app, world, "family_liaison"))  # entered through the form
    out = {kind: tmp_path / f"{kind}-out.csv" for kind in ("missing", "remains")}
    for kind, path in out.items():
        result = runner.invoke(args=["export", kind, "--out", str(path), "--agency", "PCOME"])
        assert result.exit_code == 0, result.output
    assert (
        "4 missing cases written"
        in runner.invoke(args=["export", "missing", "--out", str(out["missing"])]).output
    )
    # the agency's own export imported back into its database adds nothing
    again = runner.invoke(args=["import", "missing", str(out["missing"]), "--agency", "PCOME"])
    assert again.exit_code == 0 and "Imported 0 missing cases" in again.output, again.output
    assert "4 already imported" in again.output
    bad = runner.invoke(args=["export", "missing", "--out", str(tmp_path / "x"), "--status", "x"])
    assert bad.exit_code == 2
    assert [e["rows"] for e in _exports(app)] == [4, 2, 4]

    def records(application) -> dict[str, list[dict[str, str]]]:
        with application.test_request_context():
            found = {}
            for kind, model in (("missing", MissingPerson), ("remains", UnidentifiedRemains)):
                cases = db.session.scalars(select(model)).all()
                found[kind] = sorted((case_row(case) for case in cases), key=lambda r: r["ref"])
            return found

    before = records(app)
    # an empty database of the same backend, and the export imported into it
    if settings["DATABASE_URL"].startswith("sqlite"):
        fresh_db = tmp_path / "fresh.db"
        shutil.copyfile(migrated["sqlite"], fresh_db)
        fresh_settings = {**settings, "DATABASE_URL": f"sqlite:///{fresh_db}"}
    else:
        pytest.skip("one database per PostgreSQL run: the round trip runs on SQLite")
    fresh = create_app({**fresh_settings, "INSTANCE_DIR": str(tmp_path / "fresh")})
    with fresh.app_context():
        ensure_data_key()
        services.create_agency("PCOME", "USA", "Pima", AgencyKind.MEDICAL_EXAMINER)
        db.session.remove()
    fresh_runner = fresh.test_cli_runner()
    for kind, path in out.items():
        result = fresh_runner.invoke(
            args=["import", kind, str(path), "--agency", "PCOME", "--no-rematch"]
        )
        assert result.exit_code == 0, result.output
    after = records(fresh)
    assert after == before
    with fresh.app_context():
        db.engine.dispose()


def test_csv_injection_cells_are_escaped(app) -> None:
    from casework.bulk.services import safe_cell

    for value in ("=1+1", "+1+cmd", "-cmd", "@SUM(A1)", "\tx"):
        assert safe_cell(value) == "'" + value
    for value in ("-12.5", "+3", "Ana", "", "1990-01-01"):
        assert safe_cell(value) == value


def test_export_holds_every_interchange_column(app, world, runner, tmp_path: Path) -> None:
    from casework.bulk.interchange import export_columns
    from matching import MISSING_FIELDS

    with app.test_request_context():
        make_missing(_user(app, world, "family_liaison"))
    path = tmp_path / "out.csv"
    assert runner.invoke(args=["export", "missing", "--out", str(path)]).exit_code == 0
    header = path.read_text().splitlines()[0].split(",")
    assert header == export_columns("missing") and set(MISSING_FIELDS) <= set(header)


def test_export_writes_the_planned_burial_and_an_import_reads_it(
    app, world, runner, tmp_path: Path
) -> None:
    """The burial planned column (ours, not the engine's) goes out and comes back in."""
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    with app.test_request_context():
        make_remains(_user(app, world, "forensic_officer"), burial_planned_on="2099-02-03")
    path = tmp_path / "out.csv"
    assert runner.invoke(args=["export", "remains", "--out", str(path)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [row["burial_planned"] for row in rows] == ["2099-02-03"]
    rows[0]["ref"] = "AGAIN-1"
    again = tmp_path / "again.csv"
    with again.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(rows[0])
    result = run_import(runner, "remains", again)
    assert result.exit_code == 0, result.output
    with app.app_context():
        again_case = db.session.scalar(
            select(UnidentifiedRemains).where(UnidentifiedRemains.external_reference == "AGAIN-1")
        )
        assert again_case is not None and str(again_case.burial_planned_on) == "2099-02-03"
