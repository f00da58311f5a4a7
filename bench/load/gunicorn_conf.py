"""gunicorn settings of the load test (not a test): `gunicorn -c bench/load/gunicorn_conf.py`.

Each application process builds its index of the open cases (`casework.matches.open_cases`)
before it takes its first request. Without this the first save in each process builds it
while a user waits (about a minute at 100,000 open cases on this machine), which measures the
start of a process rather than the load. The build holds the process before its first
heartbeat, hence the long `timeout`: gthread workers beat from their main loop, so a slow
request never trips it once serving.
"""

from __future__ import annotations

import os
import time
from typing import Any

bind = os.environ.get("LOAD_BIND", "127.0.0.1:8765")
workers = int(os.environ.get("LOAD_WORKERS", "1"))
worker_class = "gthread"
threads = int(os.environ.get("LOAD_THREADS", "4"))
timeout = 900
graceful_timeout = 10


def post_worker_init(worker: Any) -> None:
    from casework.db import db
    from casework.matches.open_cases import open_cases
    from casework.missing.models import MissingPerson

    app = worker.wsgi
    started = time.monotonic()
    with app.app_context():
        held = open_cases(app)
        with held.lock:
            held.synced(MissingPerson)
        db.session.remove()
    worker.log.info("open-case index built in %.0f s", time.monotonic() - started)
