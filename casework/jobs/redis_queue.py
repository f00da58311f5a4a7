"""The Redis side of jobs (RQ): which queue a job goes to, how it is sent, and what an RQ worker
calls. RQ carries only the job's id; the job itself (state, progress, attempts) lives in the
database, so a lost Redis message costs a retry, never a job's record.

Two queues: `matching` for the jobs that need the index of open cases (candidate refreshes,
re-matches, DNA searches, which refresh the candidates they touch), served by one worker process
that holds the index and keeps it up to date incrementally; `general` for the rest (imports,
exchange pushes, audit trail verifications), served by workers that never build an index. A
worker started without `--queues` serves both (a small installation: one worker, one index).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from redis import Redis
from rq import Queue

# an RQ job may run this long before RQ gives up on it (a national re-match takes minutes)
RQ_TIMEOUT_SECONDS = 6 * 3600
GENERAL = "general"
MATCHING = "matching"
QUEUES = (GENERAL, MATCHING)


def redis_url(config: Mapping[str, Any]) -> str | None:
    return config.get("REDIS_URL") or None


def connection(config: Mapping[str, Any]) -> Redis:
    url = redis_url(config)
    if url is None:
        raise RuntimeError("CASEWORK_REDIS_URL is not set: jobs run in-process.")
    return Redis.from_url(url)


def queue_name(config: Mapping[str, Any], queue: str = GENERAL) -> str:
    """The RQ queue's name in Redis: CASEWORK_JOB_QUEUE for the general queue (as before
    there were two), with `-matching` after it for the matching one."""
    if queue not in QUEUES:
        raise ValueError(f"Unknown job queue {queue!r}.")
    base = str(config["JOB_QUEUE"])
    return base if queue == GENERAL else f"{base}-{queue}"


def job_queue(config: Mapping[str, Any], queue: str = GENERAL) -> Queue:
    return Queue(queue_name(config, queue), connection=connection(config))


def send(config: Mapping[str, Any], job_id: uuid.UUID, queue: str = GENERAL) -> None:
    """Put the job on a queue. (A retry waiting for its backoff is sent by a worker's sweep
    once due, not by RQ's scheduler: that runs as a forked child which inherits the worker's
    database connections and, surviving a kill -9 of its parent, would keep the dead worker's
    transaction open.)"""
    target = job_queue(config, queue)
    options: dict[str, Any] = {
        "args": (str(job_id),),
        "job_timeout": RQ_TIMEOUT_SECONDS,
        "result_ttl": 0,
        "failure_ttl": 7 * 24 * 3600,
        "description": f"casework job {job_id}",
    }
    target.enqueue("casework.jobs.worker.perform", **options)


def depth(config: Mapping[str, Any], queues: Iterable[str] = QUEUES) -> int:
    """Jobs waiting in Redis on these queues (0 in the embedded mode)."""
    if not redis_url(config):
        return 0
    return sum(len(job_queue(config, queue)) for queue in queues)
