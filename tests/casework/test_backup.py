"""`casework backup` / `casework restore`: a consistent copy of the embedded database that
holds wrapped data keys but never the master key, restored only when everything checks."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.casework.factories import make_missing, make_remains
from tests.conftest import MASTER_KEY


def _fill(app, world) -> dict:
    from casework.accounts.models import User
    from casework.cases.services import add_note
    from casework.extensions import db

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        missing = make_missing(liaison)
        remains = make_remains(officer)
        add_note(remains, officer, "Bagged and tagged at the scene.")
        return {"missing": missing.reference, "remains": remains.reference}


def _snapshot(app) -> dict:
    """Every case with its decrypted fields and children."""
    from casework.extensions import db
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains

    with app.test_request_context():
        out = {}
        for case in db.session.scalars(select(MissingPerson)):
            out[case.reference] = (
                case.given_names,
                case.surnames,
                case.aliases,
                case.birth_date,
                case.circumstances,
                case.medical_notes,
                [(m.kind.value, m.description) for m in case.marks],
                [(d.tooth, d.state.value) for d in case.dental],
            )
        for case in db.session.scalars(select(UnidentifiedRemains)):
            out[case.reference] = (
                case.document_names,
                case.notes_text,
                [note.body for note in case.notes],
                [(e.category.value, e.description) for e in case.effects],
            )
        return out


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("backup and restore are for the embedded SQLite database")


def _fresh_app(migrated, tmp_path: Path, settings: dict, master_key: str = MASTER_KEY):
    from casework import create_app

    tmp_path.mkdir(parents=True, exist_ok=True)
    database = tmp_path / "restored.db"
    shutil.copyfile(migrated["sqlite"], database)
    return create_app(
        {
            **settings,
            "DATABASE_URL": f"sqlite:///{database}",
            "INSTANCE_DIR": str(tmp_path / "other-instance"),
            "MASTER_KEY": master_key,
        }
    )


def test_backup_and_restore_keep_every_record(
    app, world, runner, tmp_path, settings, migrated, sqlite_only
) -> None:
    _fill(app, world)
    before = _snapshot(app)
    out = tmp_path / "backup"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert "The master key is not in it" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["key_versions"] == [1] and manifest["counts"]["missing_person"] == 1
    raw = (out / "casework.db").read_bytes()
    master = base64.b64decode(MASTER_KEY)
    assert master not in raw and MASTER_KEY.encode() not in raw
    assert MASTER_KEY not in (out / "manifest.json").read_text()
    assert b"Xitumul" not in raw  # personal data stays encrypted in the copy

    fresh = _fresh_app(migrated, tmp_path, settings)
    restored = fresh.test_cli_runner().invoke(args=["restore", str(out)])
    assert restored.exit_code == 0, restored.output
    assert _snapshot(fresh) == before
    again = fresh.test_cli_runner().invoke(args=["restore", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = fresh.test_cli_runner().invoke(args=["restore", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert _snapshot(fresh) == before
    audit = fresh.test_cli_runner().invoke(args=["audit", "verify"])
    assert audit.exit_code == 0 and "intact" in audit.output
    with fresh.app_context():
        from casework.extensions import db

        db.engine.dispose()


def test_backups_are_readable_by_their_owner_only(
    app, world, runner, tmp_path, sqlite_only
) -> None:
    import os
    import stat

    _fill(app, world)
    out = tmp_path / "backup"
    previous = os.umask(0o022)
    try:
        result = runner.invoke(args=["backup", str(out)])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for name in ("casework.db", "manifest.json"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name


def test_damaged_or_foreign_backups_are_refused(
    app, world, runner, tmp_path, settings, migrated, sqlite_only
) -> None:
    _fill(app, world)
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(out)]).exit_code == 0
    assert runner.invoke(args=["backup", str(out)]).exit_code == 2  # never over a backup

    wrong_key = base64.b64encode(b"w" * 32).decode()
    fresh = _fresh_app(migrated, tmp_path, settings, master_key=wrong_key)
    refused = fresh.test_cli_runner().invoke(args=["restore", str(out)])
    assert refused.exit_code == 2
    assert "current master key cannot unwrap data key version 1" in refused.output

    truncated = tmp_path / "truncated"
    shutil.copytree(out, truncated)
    data = (truncated / "casework.db").read_bytes()
    (truncated / "casework.db").write_bytes(data[: len(data) // 2])
    fresh = _fresh_app(migrated, tmp_path / "b", settings)
    result = fresh.test_cli_runner().invoke(args=["restore", str(truncated)])
    assert result.exit_code == 2 and "damaged or truncated" in result.output

    flipped = tmp_path / "flipped"
    shutil.copytree(out, flipped)
    data = bytearray((flipped / "casework.db").read_bytes())
    data[5000] ^= 0xFF
    (flipped / "casework.db").write_bytes(bytes(data))
    result = fresh.test_cli_runner().invoke(args=["restore", str(flipped)])
    assert result.exit_code == 2 and "checksum does not match" in result.output

    no_manifest = tmp_path / "bare"
    no_manifest.mkdir()
    shutil.copy(out / "casework.db", no_manifest / "casework.db")
    result = fresh.test_cli_runner().invoke(args=["restore", str(no_manifest)])
    assert result.exit_code == 2 and "not a casework backup" in result.output

    # nothing of the refused backups reached the fresh database
    assert _snapshot(fresh) == {}
    with fresh.app_context():
        from casework.extensions import db

        db.engine.dispose()


def test_postgresql_points_to_pg_dump(app, runner, backend, tmp_path) -> None:
    if backend != "postgresql":
        pytest.skip("the PostgreSQL answer")
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert (
        result.exit_code == 2 and "pg_dump" in result.output and "docs/backup.md" in result.output
    )
    assert not (tmp_path / "b").exists()
