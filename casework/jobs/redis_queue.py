"""The Redis side of jobs (RQ): which queue, how a job is sent to it, and what an RQ worker
calls. RQ carries only the job's id; the job itself (state, progress, attempts) lives in the
database, so a lost Redis message costs a retry, never a job's record."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from redis import Redis
from rq import Queue

# an RQ job may run this long before RQ gives up on it (a national re-match takes minutes)
RQ_TIMEOUT_SECONDS = 6 * 3600


def redis_url(config: Mapping[str, Any]) -> str | None:
    return config.get("REDIS_URL") or None


def connection(config: Mapping[str, Any]) -> Redis:
    url = redis_url(config)
    if url is None:
        raise RuntimeError("CASEWORK_REDIS_URL is not set: jobs run in-process.")
    return Redis.from_url(url)


def job_queue(config: Mapping[str, Any]) -> Queue:
    return Queue(str(config["JOB_QUEUE"]), connection=connection(config))


def send(config: Mapping[str, Any], job_id: uuid.UUID) -> None:
    """Put the job on the queue. (A retry waiting for its backoff is sent by a worker's sweep
    once due, not by RQ's scheduler: that runs as a forked child which inherits the worker's
    database connections and, surviving a kill -9 of its parent, would keep the dead worker's
    transaction open.)"""
    target = job_queue(config)
    options: dict[str, Any] = {
        "args": (str(job_id),),
        "job_timeout": RQ_TIMEOUT_SECONDS,
        "result_ttl": 0,
        "failure_ttl": 7 * 24 * 3600,
        "description": f"casework job {job_id}",
    }
    target.enqueue("casework.jobs.worker.perform", **options)


def depth(config: Mapping[str, Any]) -> int:
    """Jobs waiting in Redis (0 in the embedded mode)."""
    return len(job_queue(config)) if redis_url(config) else 0
