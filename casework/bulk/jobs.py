"""Imports started from the browser: the uploaded file and its state kept in a folder of the
instance directory, the import itself run in a background thread that writes its progress to
a small JSON file the page polls.

The state is a file, not a table, because the import holds the database's write lock (SQLite)
for its one transaction: progress written to the database would wait for the import to end.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l

from casework.audit.services import Actor
from casework.bulk.services import ImportReport, import_file, validate_file
from casework.bulk.sources import SUFFIXES
from casework.db import db
from casework.errors import CaseworkError, NotFound, ValidationError
from matching import RowError

log = logging.getLogger(__name__)
_TOKEN_BYTES = 16
KEEP_SECONDS = 24 * 3600


def _jobs_dir() -> Path:
    return Path(current_app.instance_path) / "imports"


def _job_dir(token: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        raise NotFound(_l("No such import."))
    return _jobs_dir() / token


def _write(path: Path, body: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(body, default=str))
    os.replace(temporary, path)  # readers never see half a file


def report_body(report: ImportReport) -> dict[str, Any]:
    body = asdict(report)
    body["ok"] = report.ok
    return body


def load_job(token: str, user_id: Any) -> dict[str, Any]:
    """The job `token` of this user (404 for anyone else: its existence is not revealed)."""
    path = _job_dir(token) / "job.json"
    if not path.is_file():
        raise NotFound(_l("No such import."))
    job: dict[str, Any] = json.loads(path.read_text())
    if job["user_id"] != str(user_id):
        raise NotFound(_l("No such import."))
    progress = _job_dir(token) / "progress.json"
    job["progress"] = json.loads(progress.read_text()) if progress.is_file() else None
    return job


def _forget_old_jobs() -> None:
    """Uploaded files hold personal data in clear: none is kept past a day."""
    root = _jobs_dir()
    if not root.is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def check_upload(kind: str, filename: str, stream: Any, user: Any) -> str:
    """Keep an uploaded file and check it (the dry run); returns the job's token."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(_l("Give a .csv or an .xlsx file."), field="file")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    _forget_old_jobs()
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    folder = _job_dir(token)
    folder.mkdir(parents=True, mode=0o700)
    source = folder / f"source{suffix}"
    size = 0
    with open(source, "wb") as handle:
        while block := stream.read(1 << 20):
            size += len(block)
            if size > limit:
                handle.close()
                source.unlink()
                folder.rmdir()
                raise ValidationError(
                    _l(
                        "The file is larger than the limit of %(limit)s MB: split it.",
                        limit=f"{limit / 1e6:.1f}",
                    ),
                    field="file",
                )
            handle.write(block)
    job = {
        "token": token,
        "kind": kind,
        "agency": user.agency.code,
        "user_id": str(user.id),
        "filename": Path(filename).name,
        "source": source.name,
        "state": "checking",
        "report": None,
    }
    _write(folder / "job.json", job)
    _progress(folder, "checking", 0, 0)
    _in_background(token, _check, folder, job, _actor(user))
    return token


def _actor(user: Any) -> Actor:
    remote = request.remote_addr if has_request_context() else None
    return Actor(user.id, user.email, user.agency_id, remote)


def _in_background(token: str, work: Callable[..., None], *args: Any) -> threading.Thread:
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            g.audit_actor = args[-1]
            try:
                work(*args)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"import-{token}", daemon=True)
    thread.start()
    return thread


def _check(folder: Path, job: dict[str, Any], actor: Actor) -> None:
    """The dry run of an uploaded file, in the background: a large file takes a minute."""
    source = folder / job["source"]
    try:
        report, _already = validate_file(job["kind"], source, job["agency"], _phases(folder))
    except Exception as error:
        log.exception("Checking import %s failed", folder.name)
        report = ImportReport(job["kind"], job["agency"], True)
        message = error.message if isinstance(error, CaseworkError) else "The check failed."
        report.problems.append(RowError(0, "", message))
    if not report.ok:
        source.unlink(missing_ok=True)  # it can never be imported: keep no personal data
    job = {**job, "state": "checked", "report": report_body(report)}
    _write(folder / "job.json", job)
    _progress(folder, "checked", report.rows, report.rows)


def _progress(folder: Path, state: str, done: int, total: int, **extra: Any) -> None:
    _write(folder / "progress.json", {"state": state, "done": done, "total": total, **extra})


def start_import(token: str, user: Any) -> threading.Thread:
    """Run the checked import of job `token` in a background thread; returns the thread."""
    job = load_job(token, user.id)
    if job["state"] != "checked" or not job["report"]["ok"]:
        raise ValidationError(_l("This import cannot be started: check its report."))
    folder = _job_dir(token)
    try:  # exactly once, even when the button is pressed twice at the same moment
        os.close(os.open(folder / "started", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise ValidationError(_l("This import was started already.")) from None
    job["state"] = "started"
    _write(folder / "job.json", {key: value for key, value in job.items() if key != "progress"})
    _progress(folder, "importing", 0, job["report"]["rows"])
    return _in_background(token, _run, folder, job, _actor(user))


def _phases(folder: Path) -> Callable[[int, int], None]:
    """Progress of an import: the rows are checked once more, then inserted."""
    phase = ["checking"]

    def report(done: int, total: int) -> None:
        _progress(folder, phase[0], done, total)
        if phase[0] == "checking" and done >= total:
            phase[0] = "importing"

    return report


def _run(folder: Path, job: dict[str, Any], actor: Actor) -> None:
    total = job["report"]["rows"]
    try:
        report = import_file(
            job["kind"],
            folder / job["source"],
            job["agency"],
            created_by=actor.id,
            progress=_phases(folder),
        )
        if not report.ok:
            _progress(folder, "failed", 0, total, message="The file changed: nothing saved.")
            return
        counts = {"imported": report.imported, "already_imported": report.already_imported}
        _progress(folder, "matching", total, total, **counts)
        try:
            if report.imported:
                from casework.matches.services import rematch_all

                rematch_all()
        except Exception:  # rolled back by rematch_all's own transaction
            log.exception("Re-matching after import %s failed", folder.name)
            counts["message"] = "Candidates were not recomputed: run casework candidates rematch."
        _progress(folder, "done", total, total, **counts)
    except CaseworkError as error:
        _progress(folder, "failed", 0, total, message=error.message)
    except Exception:
        log.exception("Import %s failed", folder.name)
        _progress(folder, "failed", 0, total, message="The import failed; nothing was saved.")
    finally:
        (folder / job["source"]).unlink(missing_ok=True)  # personal data: not kept
