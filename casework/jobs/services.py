"""Recording jobs and running them: create one (in the caller's transaction, sent to the queue
once it commits), claim it exactly once, note its progress, retry it with backoff, and find
the jobs whose worker died.

What each kind of job does is registered by the application factory (`register_work`), so
this module knows no area: areas enqueue through it, it calls back what they registered.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from casework.accounts.models import User
from casework.audit.services import Actor, current_actor
from casework.db import after_commit, commit_apart, db, is_unreachable, transaction, utcnow
from casework.errors import CaseworkError, NotFound, ValidationError
from casework.jobs import redis_queue
from casework.jobs.access import jobs_visible_to
from casework.jobs.models import Job, JobKind, JobState
from casework.metrics import observe_job

log = logging.getLogger(__name__)

# what a failed job's error code says to the people reading the job list
ERRORS: dict[str, Any] = {
    "failed": _l("The job failed; nothing it was doing was saved. The log has the details."),
    "database": _l("The database could not be reached while the job ran."),
    "worker-lost": _l("The worker running the job stopped (crashed or was killed)."),
    "refused": _l("The job was refused: its input is not valid any more."),
    "file-changed": _l("The file changed between the check and the import: nothing saved."),
    "peer-unreachable": _l("The peer installation could not be reached."),
}
# kinds run in the request that asks for them in the embedded mode (quick, and what the page
# shows next depends on them); the others go to a thread
INLINE_WHEN_EMBEDDED = {JobKind.REFRESH, JobKind.EXCHANGE_PUSH, JobKind.DNA_SEARCH}

Work = Callable[["Job", "Progress"], dict[str, Any] | None]
_WORK: dict[JobKind, Work] = {}
_QUEUE: dict[JobKind, str] = {}
_WARM_UPS: dict[str, list[Callable[[], None]]] = {}
_THREADS = "casework.job_threads"


class JobFailed(Exception):
    """A job's work failed in a way worth naming: `code` is one of ERRORS (what the job list
    says, translated); `retry` says whether another attempt could succeed. Never shown as is."""

    def __init__(self, code: str, retry: bool = True) -> None:
        if code not in ERRORS:
            raise ValueError(f"Unknown job error code {code!r}.")
        super().__init__(code)
        self.code = code
        self.retry = retry


def register_work(kind: JobKind, work: Work, queue: str = redis_queue.GENERAL) -> None:
    """Called by the factory: `work(job, progress)` does a job of `kind` and may return a
    result (JSON-able, without personal data). Work that reads the index of open cases is
    registered on the `matching` queue, so only the worker serving it ever holds the index."""
    redis_queue.queue_name({"JOB_QUEUE": ""}, queue)  # an unknown queue fails here, at start
    _WORK[kind] = work
    _QUEUE[kind] = queue


def register_warm_up(queue: str, warm_up: Callable[[], None]) -> None:
    """Called by the factory: what a long-running worker of `queue` does once at start, before
    its first job (the matching worker builds its open-case index, so no save waits for it)."""
    redis_queue.queue_name({"JOB_QUEUE": ""}, queue)
    prepared = _WARM_UPS.setdefault(queue, [])
    if warm_up not in prepared:  # every app the process builds registers it again
        prepared.append(warm_up)


def warm_up(queues: list[str]) -> None:
    for queue in queues:
        for prepare in _WARM_UPS.get(queue, []):
            prepare()


def queue_of(kind: JobKind) -> str:
    """The queue jobs of `kind` are sent to (`general` or `matching`)."""
    return _QUEUE.get(kind, redis_queue.GENERAL)


def params_of(job: Job) -> dict[str, Any]:
    return dict(json.loads(job.params or "{}"))


def result_of(job: Job) -> dict[str, Any] | None:
    return json.loads(job.result) if job.result else None


def error_message(job: Job) -> Any:
    return ERRORS.get(job.error or "", ERRORS["failed"]) if job.error else None


def create(
    kind: JobKind,
    params: dict[str, Any],
    user: User | None = None,
    *,
    state: JobState = JobState.QUEUED,
    send: bool = True,
) -> Job:
    """Record a job in the current (or a new) transaction; it is sent to the queue once that
    commits, so a rolled-back save leaves no job and a committed one always has its job."""
    # who started it: the user given, else whoever the audit trail names for this request
    actor = current_actor() if user is None else Actor(user.id, "", user.agency_id, None)
    with transaction():
        job = Job(
            kind=kind,
            state=state,
            params=json.dumps(params),
            started_by_id=actor.id,
            agency_id=actor.agency_id,
            done=0,
            total=0,
            attempts=0,
            max_attempts=int(current_app.config["JOB_MAX_ATTEMPTS"]),
            created_at=utcnow(),
        )
        db.session.add(job)
        db.session.flush()
        if send and state is JobState.QUEUED:
            job_id = job.id
            after_commit(lambda: dispatch(job_id, kind), f"sending job {job_id}")
    return job


def dispatch(job_id: uuid.UUID, kind: JobKind, delay: float = 0.0) -> None:
    """Send a committed job to the workers (Redis), or run it here (the embedded mode)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if redis_queue.redis_url(app.config):
        if delay <= 0:  # else the workers' sweep sends it when due (send_due_retries)
            redis_queue.send(app.config, job_id, queue_of(kind))
        return
    if kind in INLINE_WHEN_EMBEDDED and delay == 0:
        run(job_id)
        return
    actor = g.get("audit_actor")

    def in_thread() -> None:
        with app.app_context():
            if actor is not None:
                g.audit_actor = actor
            try:
                run(job_id)
            except Exception:  # the database itself failed: the job stays for a retry
                log.exception("Job %s could not be run", job_id)
            finally:
                db.session.remove()

    # a retry waits its backoff on a timer; stop_embedded_jobs ends what is still waiting
    thread = threading.Timer(delay, in_thread) if delay else threading.Thread(target=in_thread)
    thread.name, thread.daemon = f"job-{job_id}", True
    app.extensions.setdefault(_THREADS, []).append(thread)
    thread.start()


def stop_embedded_jobs(app: Any, timeout: float = 60.0) -> None:
    """Let the jobs running in this process's threads finish and drop the retries still
    waiting (they stay queued in the database): for a clean shutdown, and for tests."""
    for thread in app.extensions.pop(_THREADS, []):
        if isinstance(thread, threading.Timer):
            thread.cancel()
        thread.join(timeout)


def get_job(job_id: uuid.UUID | str) -> Job:
    try:
        key = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound(_l("No such job.")) from None
    job = db.session.get(Job, key)
    if job is None:
        raise NotFound(_l("No such job."))
    return job


def latest_about(kind: JobKind, key: str, values: list[Any]) -> Job | None:
    """The newest job of `kind` whose parameter `key` is one of `values` (ids), or None: what
    a page shows of the work it started (a search still running, or when it finished)."""
    if not values:
        return None
    about = [
        Job.params.contains(json.dumps({key: str(value)})[1:-1], autoescape=True)
        for value in values
    ]
    return db.session.scalar(
        select(Job).where(Job.kind == kind, or_(*about)).order_by(Job.created_at.desc()).limit(1)
    )


def visible_job(job_id: uuid.UUID | str, user: User) -> Job:
    """The job `job_id` if `user` may see it; NotFound otherwise (its existence not revealed)."""
    job = get_job(job_id)
    if db.session.scalar(select(Job.id).where(Job.id == job.id, jobs_visible_to(user))) is None:
        raise NotFound(_l("No such job."))
    return job


def _stale_before() -> datetime:
    return utcnow() - timedelta(seconds=float(current_app.config["JOB_STALE_SECONDS"]))


def claim(job_id: uuid.UUID) -> bool:
    """Take the job for this worker, exactly once: two workers handed the same job (a retry
    sent twice, a recovered job whose first worker still lives) cannot both run it."""
    moment = utcnow()
    with transaction():
        taken = db.session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                (Job.state == JobState.QUEUED)
                | ((Job.state == JobState.RUNNING) & (Job.heartbeat_at < _stale_before())),
            )
            .values(
                state=JobState.RUNNING,
                attempts=Job.attempts + 1,
                started_at=moment,
                heartbeat_at=moment,
                error=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    return bool(taken)


class Progress:
    """How far a job got, written to its row in a short transaction of its own at most every
    half second (any application process reads it). On SQLite an import holds the write lock
    for its whole transaction: a progress write then gives way at once instead of waiting."""

    EVERY = 0.5

    def __init__(self, job_id: uuid.UUID) -> None:
        self.job_id = job_id
        self.phase: str | None = None
        self._last = 0.0

    def __call__(self, done: int, total: int, phase: str | None = None) -> None:
        if phase is not None:
            self.phase = phase
        if time.monotonic() - self._last < self.EVERY and done < total:
            return
        self._last = time.monotonic()
        self.write(done=done, total=total, phase=self.phase, heartbeat_at=utcnow())

    def beat(self) -> None:
        self.write(heartbeat_at=utcnow())

    def write(self, **values: Any) -> None:
        try:
            commit_apart(update(Job).where(Job.id == self.job_id).values(**values))
        except Exception:  # progress is a courtesy: the job goes on without it
            log.debug("Progress of job %s not written", self.job_id, exc_info=True)


class _Heart:
    """Beats the job's heart from a thread while its work runs (a long re-match reports no
    progress for minutes): a job whose heart stops lost its worker."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.stopped = threading.Event()
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.every = float(app.config["JOB_HEARTBEAT_SECONDS"])

        def beat() -> None:
            with app.app_context():
                while not self.stopped.wait(self.every):
                    progress.beat()

        self.thread = threading.Thread(target=beat, daemon=True)

    def __enter__(self) -> _Heart:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stopped.set()
        self.thread.join()


def _actor(job: Job) -> Actor:
    user = job.started_by
    if user is None:
        return Actor(None, f"job:{job.kind}", None, None)
    return Actor(user.id, user.email, user.agency_id, None)


def run(job_id: uuid.UUID) -> JobState | None:
    """Run one job if it can be claimed; returns the state it ended in (None: not ours). Its
    duration and how it ended are counted in the metrics (`casework_job_seconds`)."""
    if not claim(job_id):
        return None
    db.session.expire_all()
    job = get_job(job_id)
    kind = job.kind
    started = time.monotonic()
    state = _run_claimed(job)
    observe_job(str(kind), str(state), time.monotonic() - started)
    return state


def _run_claimed(job: Job) -> JobState:
    job_id, kind = job.id, job.kind
    work = _WORK.get(kind)
    progress = Progress(job_id)
    if "audit_actor" not in g:
        g.audit_actor = _actor(job)
    try:
        if work is None:
            raise RuntimeError(f"No work is registered for jobs of kind {kind}.")
        with _Heart(progress):
            outcome = work(job, progress)
    except Exception as error:
        db.session.rollback()
        return _failed(job_id, kind, error)
    with transaction():
        job = get_job(job_id)
        if job.state is JobState.RUNNING:  # the work may have parked it (WAITING)
            job.state = JobState.DONE
            job.done = max(job.done, job.total)
        if outcome is not None:
            job.result = json.dumps(outcome, default=str)
        job.finished_at = utcnow()
        job.heartbeat_at = None
        return job.state


def _code(error: Exception) -> tuple[str, bool]:
    if isinstance(error, JobFailed):
        return error.code, error.retry
    if isinstance(error, CaseworkError):
        unreachable = getattr(error, "status_code", 0) == 503
        return ("database", True) if unreachable else ("refused", False)
    if is_unreachable(error):
        return "database", True
    return "failed", True


def _failed(job_id: uuid.UUID, kind: JobKind, error: Exception) -> JobState:
    code, worth_retrying = _code(error)
    log.error("Job %s (%s) failed: %s", job_id, kind, type(error).__name__, exc_info=error)
    with transaction():
        job = get_job(job_id)
        job.error = code
        job.heartbeat_at = None
        if worth_retrying and job.attempts < job.max_attempts:
            delay = backoff(job.attempts)
            job.state = JobState.QUEUED
            job.not_before = utcnow() + timedelta(seconds=delay)
            after_commit(lambda: dispatch(job_id, kind, delay), f"retrying job {job_id}")
        else:
            job.state = JobState.FAILED
            job.finished_at = utcnow()
        return job.state


def backoff(attempts: int) -> float:
    """Seconds before the next attempt: the base, then four times longer each time."""
    base = float(current_app.config["JOB_BACKOFF_SECONDS"])
    return base * 4 ** max(attempts - 1, 0)


def is_stale(job: Job) -> bool:
    return (
        job.state is JobState.RUNNING
        and job.heartbeat_at is not None
        and job.heartbeat_at < _stale_before()
    )


def retry(job: Job, user: User | None = None) -> Job:
    """A supervisor's retry of a failed job (or of one whose worker died), from scratch."""
    with transaction():
        taken = db.session.execute(
            update(Job)
            .where(
                Job.id == job.id,
                (Job.state == JobState.FAILED)
                | ((Job.state == JobState.RUNNING) & (Job.heartbeat_at < _stale_before())),
            )
            .values(state=JobState.QUEUED, attempts=0, error=None, not_before=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            raise ValidationError(_l("Only a failed job can be retried."))
        job_id, kind = job.id, job.kind
        after_commit(lambda: dispatch(job_id, kind), f"retrying job {job_id}")
    db.session.refresh(job)
    return job


def send_due_retries() -> int:
    """Send the queued retries whose backoff is over (a worker calls this every few seconds);
    each is sent once, even with several workers sweeping."""
    sent = 0
    moment = utcnow()
    due = db.session.execute(
        select(Job.id, Job.kind, Job.not_before).where(
            Job.state == JobState.QUEUED, Job.not_before <= moment
        )
    ).all()
    for job_id, kind, not_before in due:
        with transaction():
            taken = db.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.not_before == not_before)
                .values(not_before=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken:
                after_commit(
                    lambda job_id=job_id, kind=kind: dispatch(job_id, kind),
                    f"sending retry {job_id}",
                )
                sent += 1
    db.session.rollback()
    return sent


def recover_stale() -> int:
    """Jobs left running by a worker that died: queued again while attempts remain, failed
    (`worker-lost`) otherwise. Returns how many were found."""
    found = 0
    with transaction():
        stale = db.session.scalars(
            select(Job).where(Job.state == JobState.RUNNING, Job.heartbeat_at < _stale_before())
        ).all()
        for job in stale:
            found += 1
            job.error = "worker-lost"
            job.heartbeat_at = None
            if job.attempts < job.max_attempts:
                job.state = JobState.QUEUED
                job_id, kind = job.id, job.kind
                after_commit(
                    lambda job_id=job_id, kind=kind: dispatch(job_id, kind),
                    f"recovering job {job_id}",
                )
            else:
                job.state = JobState.FAILED
                job.finished_at = utcnow()
    if found:
        log.warning("%s job(s) lost their worker and were recovered", found)
    return found
