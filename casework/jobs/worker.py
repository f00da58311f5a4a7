"""The worker: `casework worker` takes jobs from Redis and runs them, one at a time, in this
process (RQ's SimpleWorker: no fork, so the database pool, the key ring and the open-case index
are kept); on start and then every minute it recovers the jobs a dead worker left running, and
every few seconds sends the retries whose backoff is over. `--queues matching` makes it the one
process holding the open-case index; `--queues general` a worker that never builds it."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import SimpleWorker

from casework.db import db
from casework.jobs import redis_queue
from casework.jobs.services import recover_stale, run, send_due_retries, warm_up

log = logging.getLogger(__name__)
RECOVER_EVERY_SECONDS = 60
SWEEP_EVERY_SECONDS = 5


def perform(job_id: str) -> str | None:
    """What RQ calls: run the recorded job (the worker's app context is current)."""
    try:
        state = run(uuid.UUID(job_id))
    finally:
        db.session.remove()
    return state.value if state is not None else None


def _sweep_periodically(app: Flask, stop: threading.Event) -> None:
    sweeps = 0
    with app.app_context():
        while not stop.wait(SWEEP_EVERY_SECONDS):
            sweeps += 1
            try:
                send_due_retries()
                if sweeps * SWEEP_EVERY_SECONDS >= RECOVER_EVERY_SECONDS:
                    sweeps = 0
                    recover_stale()
            except Exception:
                log.exception("Sweeping the jobs failed; trying again later")
            finally:
                db.session.remove()


def build_worker(app: Flask, queues: Sequence[str] = redis_queue.QUEUES) -> SimpleWorker:
    return SimpleWorker(
        [redis_queue.job_queue(app.config, queue) for queue in queues],
        connection=redis_queue.connection(app.config),
    )


def parse_queues(text: str) -> list[str]:
    """`general,matching` -> the queues, in that order; an unknown name is refused."""
    queues = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in queues if name not in redis_queue.QUEUES]
    if unknown or not queues:
        raise click.BadParameter(
            f"give one or both of {', '.join(redis_queue.QUEUES)}, separated by a comma "
            f"(not {', '.join(unknown) or 'nothing'})."
        )
    return list(dict.fromkeys(queues))


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, cron).")
@click.option(
    "--queues",
    default=",".join(redis_queue.QUEUES),
    show_default=True,
    help="Queues served: 'matching' (the one worker holding the open-case index), "
    "'general' (imports, exchange pushes, audit verifications: no index), or both.",
)
def worker_command(burst: bool, queues: str) -> None:
    """Run background jobs from Redis (CASEWORK_REDIS_URL) until stopped."""
    served = parse_queues(queues)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not redis_queue.redis_url(app.config):
        raise click.ClickException(
            "CASEWORK_REDIS_URL is not set: without Redis, jobs run inside the application "
            "and no worker is needed."
        )
    recovered = recover_stale()
    send_due_retries()
    db.session.remove()
    if recovered:
        click.echo(f"{recovered} job(s) left running by a stopped worker were queued again.")
    if not burst:  # a burst (tests, cron) takes what is queued without preparing
        warm_up(served)
        db.session.remove()
    stop = threading.Event()
    if not burst:
        threading.Thread(target=_sweep_periodically, args=(app, stop), daemon=True).start()
    try:
        # no RQ scheduler: it would fork a child holding this process's database connections
        build_worker(app, served).work(burst=burst, with_scheduler=False, logging_level="WARNING")
    finally:
        stop.set()
