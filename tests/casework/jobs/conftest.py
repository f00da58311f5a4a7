"""Jobs on a real Redis (the `redis_settings` fixture is in tests/conftest.py)."""

from __future__ import annotations

from typing import Any


def run_worker(app: Any) -> None:
    """A real RQ worker, in this process, until the queue is empty."""
    from casework.jobs.worker import build_worker

    with app.app_context():
        build_worker(app).work(burst=True, logging_level="WARNING")
