"""Jobs on a real Redis: each test its own queue (other runs share the server), emptied after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

REDIS_URL = os.environ.get("CASEWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable() -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_settings(settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Settings of an app whose jobs go to Redis (take it before `app`)."""
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    settings.update(
        REDIS_URL=REDIS_URL,
        JOB_QUEUE=f"casework-test-{uuid.uuid4().hex}",
        JOB_BACKOFF_SECONDS=0,  # retried at once: the burst worker takes the retry too
        JOB_MAX_ATTEMPTS=3,
        JOB_STALE_SECONDS=120,
        JOB_HEARTBEAT_SECONDS=10,
    )
    yield settings
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{settings['JOB_QUEUE']}*"):
        connection.delete(key)


def run_worker(app: Any) -> None:
    """A real RQ worker, in this process, until the queue is empty."""
    from casework.jobs.worker import build_worker

    with app.app_context():
        build_worker(app).work(burst=True, logging_level="WARNING")
