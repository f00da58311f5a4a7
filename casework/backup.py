"""Backups of the embedded SQLite database: a consistent online copy through SQLite's backup
API, with a manifest (checksum, schema revision, data-key versions) beside it.

The copy holds the data keys only as wrapped by the master key, never the master key itself:
whoever restores needs the master key apart. A restore checks the checksum, SQLite's own
integrity check, and that the current master key unwraps every data key of the backup, before
it touches the live database.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import sqlean
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy.engine import make_url

from casework.clock import now
from casework.crypto import CryptoError, unwrap_key
from casework.db import db, is_sqlite
from casework.errors import CaseworkError
from casework.keystore import forget_keyring, load_keyring
from casework.private_files import make_private_folder, open_private

DATABASE_FILE = "casework.db"
MANIFEST_FILE = "manifest.json"
FORMAT = 1
_CASE_TABLES = ("user_account", "missing_person", "unidentified_remains")


class BackupError(CaseworkError):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    sha256: str
    size: int
    revision: str | None
    key_versions: list[int]
    counts: dict[str, int]
    created_at: str


def _sqlite_path() -> Path:
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not is_sqlite(url):
        raise BackupError(
            _l(
                "This installation runs on PostgreSQL: back it up with pg_dump and restore it with "
                "pg_restore (the exact commands are in docs/backup.md)."
            )
        )
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(_l("The database is in memory: there is nothing to back up."))
    return Path(database).resolve()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(connection: Any) -> tuple[str | None, list[int], dict[str, int]]:
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    versions = [row[0] for row in connection.execute("SELECT version FROM data_key ORDER BY 1")]
    counts = {
        table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in _CASE_TABLES
    }
    return (revision[0] if revision else None), versions, counts


def make_backup(out_dir: Path) -> Manifest:
    """Copy the live database into `out_dir` (created; must be new or empty) with a manifest."""
    source_path = _sqlite_path()
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise BackupError(
            _l("%(folder)s exists and is not an empty folder: choose a new one.", folder=out_dir)
        )
    make_private_folder(out_dir)  # the copy holds every case: its owner alone reads it
    target_path = out_dir / DATABASE_FILE
    open_private(target_path, "wb").close()  # SQLite fills the empty file, keeping its mode
    source = sqlean.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlean.connect(str(target_path))
    try:
        # pages are copied in steps; a write meanwhile restarts the copy, so the result is a
        # consistent snapshot while the app keeps serving
        source.backup(target, pages=1024)
        revision, versions, counts = _describe(target)
    finally:
        target.close()
        source.close()
    if not versions:
        raise BackupError(_l("The database has no data key: it was never set up."))
    manifest = Manifest(
        sha256=_sha256(target_path),
        size=target_path.stat().st_size,
        revision=revision,
        key_versions=versions,
        counts=counts,
        created_at=now().isoformat(timespec="seconds"),
    )
    body = {
        "format": FORMAT,
        "database": DATABASE_FILE,
        **manifest.__dict__,
        "master_key": "not included: restore needs the master key in use when this was made",
    }
    with open_private(out_dir / MANIFEST_FILE) as handle:
        handle.write(json.dumps(body, indent=2) + "\n")
    return manifest


def read_manifest(backup_dir: Path) -> Manifest:
    manifest_path, database_path = backup_dir / MANIFEST_FILE, backup_dir / DATABASE_FILE
    if not manifest_path.is_file() or not database_path.is_file():
        raise BackupError(
            _l(
                "%(folder)s is not a casework backup: it needs %(manifest)s and %(database)s.",
                folder=backup_dir,
                manifest=MANIFEST_FILE,
                database=DATABASE_FILE,
            )
        )
    try:
        body = json.loads(manifest_path.read_text())
        if body.get("format") != FORMAT:
            raise BackupError(
                _l("Unknown backup format %(format)s.", format=repr(body.get("format")))
            )
        manifest = Manifest(
            **{key: body[key] for key in Manifest.__dataclass_fields__}  # type: ignore[arg-type]
        )
    except (ValueError, KeyError, TypeError):
        raise BackupError(_l("The backup's manifest is damaged: it cannot be read.")) from None
    if database_path.stat().st_size != manifest.size or _sha256(database_path) != manifest.sha256:
        raise BackupError(
            _l(
                "The backup is damaged or truncated: its checksum does not match the manifest. "
                "Nothing was restored."
            )
        )
    return manifest


def _check_backup(database_path: Path, master_key: bytes) -> None:
    connection = sqlean.connect(f"file:{database_path}?mode=ro", uri=True)
    try:
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            rows = connection.execute("SELECT version, wrapped FROM data_key").fetchall()
        except sqlean.DatabaseError:
            raise BackupError(_l("The backup is not a readable casework database.")) from None
        if verdict != "ok":
            raise BackupError(
                _l("The backup failed SQLite's integrity check: %(verdict)s.", verdict=verdict)
            )
        for version, wrapped in rows:
            try:
                unwrap_key(master_key, wrapped, f"data v{version}")
            except CryptoError:
                raise BackupError(
                    _l(
                        "The current master key cannot unwrap data key version %(version)s of "
                        "this backup, so its personal data could not be read. Restore with the "
                        "master key that was in use when the backup was made "
                        "(CASEWORK_MASTER_KEY_FILE or CASEWORK_MASTER_KEY). Nothing was restored.",
                        version=version,
                    )
                ) from None
    finally:
        connection.close()


def _live_counts(path: Path) -> dict[str, int]:
    connection = sqlean.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _describe(connection)[2]
    except sqlean.DatabaseError:
        return {}
    finally:
        connection.close()


def restore_backup(backup_dir: Path, force: bool = False) -> Manifest:
    """Replace the live database by a backup, after every check passed."""
    live_path = _sqlite_path()
    manifest = read_manifest(backup_dir)
    _check_backup(backup_dir / DATABASE_FILE, current_app.config["MASTER_KEY"])
    if live_path.exists() and any(_live_counts(live_path).values()) and not force:
        raise BackupError(
            _l(
                "The database already holds accounts or cases: restoring would replace them. "
                "Give --force to replace it anyway."
            )
        )
    db.session.remove()
    db.engine.dispose()
    source = sqlean.connect(f"file:{backup_dir / DATABASE_FILE}?mode=ro", uri=True)
    target = sqlean.connect(str(live_path))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    forget_keyring()
    load_keyring(current_app.config["MASTER_KEY"])  # the restored keys really open
    return manifest


@click.command("backup")
@with_appcontext
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def backup_command(out_dir: Path) -> None:
    """Copy the embedded database (consistent, while the app runs) into a new folder."""
    try:
        manifest = make_backup(out_dir)
    except CaseworkError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)
    click.echo(
        f"Backup written to {out_dir} (sha256 {manifest.sha256[:16]}…, schema "
        f"{manifest.revision}, data keys {manifest.key_versions}). The master key is not in "
        "it: keep the master key safe, apart from the backup."
    )


@click.command("restore")
@with_appcontext
@click.argument("backup_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds accounts or cases.")
def restore_command(backup_dir: Path, force: bool) -> None:
    """Restore the embedded database from a folder written by `casework backup`."""
    try:
        manifest = restore_backup(backup_dir, force=force)
    except CaseworkError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)
    counts = ", ".join(f"{count} {table}" for table, count in manifest.counts.items())
    click.echo(
        f"Restored the backup of {manifest.created_at} ({counts}). If the app's schema is newer "
        "than the backup's, run `casework db upgrade`."
    )
