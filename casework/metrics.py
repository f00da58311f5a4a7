"""Prometheus metrics of this installation, and the functions that feed them.

Each figure is labelled by things that carry no personal data: a route template
(`/missing/<reference>`, never the address asked for), a method, a status code, an operation
or job kind, a queue name. Under gunicorn the worker processes share one set of figures through
prometheus_client's multi-process mode (`PROMETHEUS_MULTIPROC_DIR`, set by config/gunicorn.py);
`exposition()` adds them up for `/metrics`.

Feeding them:

    observe_request("/missing/<reference>", "GET", 200, 0.012)   # casework/request_log.py
    @time_matching("case") / with time_matching("case"): ...        # candidate computation
    set_queue_depth("default", 12)                                  # the job queue's length
    observe_job("import", "finished", 41.5)                         # one job's run
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

__all__ = [
    "CONTENT_TYPE",
    "exposition",
    "observe_job",
    "observe_request",
    "set_queue_depth",
    "time_matching",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST

# latency buckets from a cached page (a few ms) to a long import page (tens of seconds)
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_JOB_SECONDS = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200)

REQUEST_SECONDS = Histogram(
    "casework_request_duration_seconds",
    "Time to answer a request, by route template, method and status.",
    ("route", "method", "status"),
    buckets=_SECONDS,
)
MATCHING_SECONDS = Histogram(
    "casework_matching_duration_seconds",
    "Time to compute candidates: one case against the open cases of the other kind ('case'), "
    "or every open case ('all').",
    ("operation",),
    buckets=_SECONDS,
)
QUEUE_DEPTH = Gauge(
    "casework_queue_depth",
    "Jobs waiting in a queue, as last measured.",
    ("queue",),
    multiprocess_mode="mostrecent",
)
JOB_SECONDS = Histogram(
    "casework_job_duration_seconds",
    "Time a background job ran, by kind and outcome (finished, failed, retried).",
    ("kind", "outcome"),
    buckets=_JOB_SECONDS,
)
JOBS = Counter("casework_jobs", "Background jobs run, by kind and outcome.", ("kind", "outcome"))


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """One answered request. `route` is the rule's template, never the path asked for."""
    REQUEST_SECONDS.labels(route=route, method=method, status=str(status)).observe(seconds)


@contextmanager
def time_matching(operation: str) -> Iterator[None]:
    """Time a candidate computation (`operation`: 'case' or 'all'), failed ones included; a
    context manager, or a decorator of the function that computes them."""
    started = time.perf_counter()
    try:
        yield
    finally:
        MATCHING_SECONDS.labels(operation=operation).observe(time.perf_counter() - started)


def set_queue_depth(queue: str, depth: int) -> None:
    """The number of jobs waiting in `queue`, as the queue reports it now."""
    QUEUE_DEPTH.labels(queue=queue).set(depth)


def observe_job(kind: str, outcome: str, seconds: float) -> None:
    """One background job's run: its kind ('import', 'rematch'...), how it ended, how long."""
    JOB_SECONDS.labels(kind=kind, outcome=outcome).observe(seconds)
    JOBS.labels(kind=kind, outcome=outcome).inc()


def exposition() -> bytes:
    """The figures in Prometheus' text format: this process's, or with several processes
    (gunicorn, workers) every live process's added up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY)


def process_ended(pid: int) -> None:
    """A worker process ended: its live gauges no longer count (gunicorn's child_exit)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
