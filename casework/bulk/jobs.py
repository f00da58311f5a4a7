"""Imports started from the browser, as background jobs: the uploaded file is kept encrypted in
the database (any worker on any machine reads it), checked by a job (the dry run), then, once
a supervisor confirms, imported by the same job; any application process shows its progress,
read from the job's row.

The file is deleted once imported, or after a day at the latest: it holds personal data.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from casework.bulk.services import ImportReport, import_file, validate_file
from casework.bulk.sources import SUFFIXES
from casework.db import db, transaction, utcnow
from casework.errors import CaseworkError, NotFound, ValidationError
from casework.jobs.models import Job, JobFileChunk, JobKind, JobState
from casework.jobs.services import (
    JobFailed,
    Progress,
    create,
    dispatch,
    error_message,
    params_of,
    result_of,
)
from casework.keystore import current_keyring
from matching import RowError

log = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600
CHUNK_BYTES = 1 << 20
CHECK, IMPORT = "check", "import"


def report_body(report: ImportReport) -> dict[str, Any]:
    body = asdict(report)
    body["ok"] = report.ok
    return body


def _context(job_id: uuid.UUID, seq: int) -> bytes:
    return b"job_file_chunk:" + job_id.bytes + seq.to_bytes(4, "big")


def _own_job(token: str, user_id: Any) -> Job:
    """The import job `token` of this user (404 for anyone else: its existence is not
    revealed)."""
    try:
        job_id = uuid.UUID(token)
    except ValueError:
        raise NotFound(_l("No such import.")) from None
    job = db.session.get(Job, job_id)
    if job is None or job.kind is not JobKind.IMPORT or str(job.started_by_id) != str(user_id):
        raise NotFound(_l("No such import."))
    return job


def _page_state(job: Job, step: str) -> str:
    if step == CHECK:
        return "checked" if job.state in (JobState.WAITING, JobState.DONE) else "checking"
    return "started"


def _progress_body(job: Job, step: str) -> dict[str, Any] | None:
    result = result_of(job) or {}
    if job.state is JobState.FAILED:
        message = str(error_message(job))
        return {"state": "failed", "done": 0, "total": job.total, "message": message}
    if step == CHECK:
        if job.state in (JobState.WAITING, JobState.DONE):
            return {"state": "checked", "done": job.total, "total": job.total}
        return {"state": "checking", "done": job.done, "total": job.total}
    if job.state is JobState.DONE:
        body = {"state": "done", "done": job.total, "total": job.total}
        body.update({key: result[key] for key in ("imported", "already_imported") if key in result})
        if result.get("message"):
            body["message"] = result["message"]
        return body
    return {"state": job.phase or "importing", "done": job.done, "total": job.total}


def load_job(token: str, user_id: Any) -> dict[str, Any]:
    """What the import page shows of job `token`."""
    job = _own_job(token, user_id)
    params = params_of(job)
    step = params["step"]
    result = result_of(job) or {}
    return {
        "token": str(job.id),
        "kind": params["kind"],
        "agency": params["agency"],
        "filename": params["filename"],
        "state": _page_state(job, step),
        "report": result.get("report"),
        "progress": _progress_body(job, step),
    }


def _forget_old_files() -> None:
    """Uploaded files hold personal data in clear once decrypted: none is kept past a day."""
    limit = utcnow() - timedelta(seconds=KEEP_SECONDS)
    old = select(Job.id).where(Job.kind == JobKind.IMPORT, Job.created_at < limit)
    with transaction():
        db.session.execute(delete(JobFileChunk).where(JobFileChunk.job_id.in_(old)))


def check_upload(kind: str, filename: str, stream: Any, user: Any) -> str:
    """Keep an uploaded file and queue its check (the dry run); returns the job's token. A
    file over the limit stores nothing."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(_l("Give a .csv or an .xlsx file."), field="file")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    _forget_old_files()
    ring = current_keyring()
    params = {
        "step": CHECK,
        "kind": kind,
        "agency": user.agency.code,
        "filename": Path(filename).name[:200],
        "suffix": suffix,
    }
    with transaction():
        job = create(JobKind.IMPORT, params, user)
        size = seq = 0
        while block := stream.read(CHUNK_BYTES):
            size += len(block)
            if size > limit:  # the transaction rolls back: neither job nor file is kept
                raise ValidationError(
                    _l(
                        "The file is larger than the limit of %(limit)s MB: split it.",
                        limit=f"{limit / 1e6:.1f}",
                    ),
                    field="file",
                )
            body = ring.encrypt(block, _context(job.id, seq))
            db.session.add(JobFileChunk(job_id=job.id, seq=seq, body=body))
            seq += 1
            db.session.flush()
    return str(job.id)


@contextmanager
def _file_of(job: Job, suffix: str) -> Iterator[Path]:
    """The job's file decrypted into a private temporary file, removed afterwards."""
    ring = current_keyring()
    chunks = db.session.scalars(
        select(JobFileChunk)
        .where(JobFileChunk.job_id == job.id)
        .order_by(JobFileChunk.seq)
        .execution_options(yield_per=8)  # a few pieces in memory at a time, not the file
    )
    handle, name = tempfile.mkstemp(prefix="casework-import-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as target:  # mkstemp: readable by this user only
            found = False
            for chunk in chunks:
                found = True
                target.write(ring.decrypt(chunk.body, _context(job.id, chunk.seq)))
        if not found:
            raise JobFailed("refused", retry=False)  # deleted: older than a day
        db.session.expire_all()
        yield path
    finally:
        path.unlink(missing_ok=True)


def _drop_file(job_id: uuid.UUID) -> None:
    with transaction():
        db.session.execute(delete(JobFileChunk).where(JobFileChunk.job_id == job_id))


def run_import_job(job: Job, progress: Progress) -> dict[str, Any] | None:
    """The work of an import job (registered by the factory): the check, or the import."""
    params = params_of(job)
    job_id = job.id
    with _file_of(job, params["suffix"]) as path:
        if params["step"] == CHECK:
            _check(job_id, params, path, progress)
            return None
        return _import(job_id, params, path, progress)


def _check(job_id: uuid.UUID, params: dict[str, Any], path: Path, progress: Progress) -> None:
    try:
        report, _already = validate_file(
            params["kind"], path, params["agency"], lambda d, t: progress(d, t, "checking")
        )
    except CaseworkError as error:
        report = ImportReport(params["kind"], params["agency"], True)
        report.problems.append(RowError(0, "", str(error.message)))
    with transaction():
        job = db.session.get(Job, job_id)
        assert job is not None
        job.total = job.done = report.rows
        job.result = json.dumps({"report": report_body(report)}, default=str)
        # a valid file waits for a person's go-ahead; a wrong one is done (and forgotten)
        job.state = JobState.WAITING if report.ok else JobState.DONE
        if not report.ok:
            db.session.execute(delete(JobFileChunk).where(JobFileChunk.job_id == job_id))


def _import(
    job_id: uuid.UUID, params: dict[str, Any], path: Path, progress: Progress
) -> dict[str, Any]:
    job = db.session.get(Job, job_id)
    assert job is not None
    phase = ["checking"]

    def phases(done: int, total: int) -> None:
        progress(done, total, phase[0])
        if phase[0] == "checking" and done >= total:
            phase[0] = "importing"

    report = import_file(
        params["kind"], path, params["agency"], created_by=job.started_by_id, progress=phases
    )
    if not report.ok:
        raise JobFailed("file-changed", retry=False)
    _drop_file(job_id)
    outcome: dict[str, Any] = {
        "report": (result_of(job) or {}).get("report"),
        "imported": report.imported,
        "already_imported": report.already_imported,
    }
    if report.imported:
        with transaction():
            create(JobKind.REMATCH, {"after_import": str(job_id)}, job.started_by)
        outcome["message"] = "Candidates are being recomputed: see the job list."
    return outcome


def start_import(token: str, user: Any) -> None:
    """Queue the checked import of job `token`, exactly once (two presses of the button at
    the same moment, on two application processes, start it once)."""
    job = _own_job(token, user.id)
    params = params_of(job)
    if job.state is not JobState.WAITING or params["step"] != CHECK:
        if params["step"] == IMPORT:
            raise ValidationError(_l("This import was started already."))
        raise ValidationError(_l("This import cannot be started: check its report."))
    params["step"] = IMPORT
    with transaction():
        taken = db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.state == JobState.WAITING)
            .values(state=JobState.QUEUED, params=json.dumps(params), done=0, attempts=0)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not taken:
        raise ValidationError(_l("This import was started already."))
    dispatch(job.id, JobKind.IMPORT)
