"""Jobs on a real Redis (the `redis_settings` fixture is in tests/conftest.py): a worker in this
process, or `casework worker` as a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

# a worker (`casework worker`) of the test's database and Redis queue, as its own process
WORKER = """
import os, sys
from datetime import UTC, datetime
from pathlib import Path
from tests.conftest import Clock, _base_settings
from casework import create_app

clock = Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
settings = _base_settings(Path(os.environ["INSTANCE"]), os.environ["DATABASE"], clock)
settings.update(
    REDIS_URL=os.environ["REDIS_URL"], JOB_QUEUE=os.environ["JOB_QUEUE"], JOB_BACKOFF_SECONDS=0,
    JOB_HEARTBEAT_SECONDS=1, JOB_STALE_SECONDS=3,
)
app = create_app(settings)
from casework.jobs.worker import worker_command

# the command itself, not a test runner: its log lines reach the log file as they are written
with app.app_context():
    worker_command.main(args=sys.argv[1:], prog_name="casework worker")
"""


def run_worker(app: Any) -> None:
    """A real RQ worker, in this process, until the queue is empty."""
    from casework.jobs.worker import build_worker

    with app.app_context():
        build_worker(app).work(burst=True, logging_level="WARNING")


def start_worker(
    settings: dict[str, Any], tmp_path: Path, *args: str, log: str = "worker.log"
) -> subprocess.Popen[bytes]:
    """`casework worker *args` as a process of its own, its output appended to tmp_path/log."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "INSTANCE": str(tmp_path / "worker"),
        "DATABASE": settings["DATABASE_URL"],
        "REDIS_URL": settings["REDIS_URL"],
        "JOB_QUEUE": settings["JOB_QUEUE"],
    }
    with (tmp_path / log).open("a") as output:  # the worker keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-c", WORKER, *args],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
