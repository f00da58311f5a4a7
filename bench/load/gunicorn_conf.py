"""gunicorn settings of the load test (not a test): `gunicorn -c bench/load/gunicorn_conf.py`.

The application is loaded once in the master (`preload_app`), which builds the index of the
open cases (`casework.matches.open_cases`) before it forks the workers: each worker starts with
the index (copy-on-write) and only catches up with what changed since. Without this the first
save in each process builds it while a user waits (about ten minutes at 110,000 open cases on
this busy machine), which measures the start of a process rather than the load; and the run
can change the number of workers (SIGTTIN/SIGTTOU) without another build. The master closes its
database connections before forking, so no two processes share one.
"""

from __future__ import annotations

import os
import time
from typing import Any

bind = os.environ.get("LOAD_BIND", "127.0.0.1:8765")
workers = int(os.environ.get("LOAD_WORKERS", "1"))
worker_class = "gthread"
threads = int(os.environ.get("LOAD_THREADS", "4"))
timeout = 120
graceful_timeout = 10
preload_app = True


def when_ready(server: Any) -> None:
    from casework.db import db
    from casework.matches.open_cases import open_cases
    from casework.missing.models import MissingPerson

    app = server.app.wsgi()
    started = time.monotonic()
    with app.app_context():
        held = open_cases(app)
        with held.lock:
            held.synced(MissingPerson)
        db.session.remove()
        db.engine.dispose()  # the workers open their own connections
    server.log.info("open-case index built in %.0f s", time.monotonic() - started)
