"""Gunicorn's settings for the production server, read from the CASEWORK_* settings.

    gunicorn -c python:config.gunicorn 'casework:create_app()'

is what `casework serve` runs. The master checks the configuration once before it starts any
worker, so an unusable setting is one sentence and a non-zero exit, not a worker's traceback.
Gunicorn's own access log stays off: the application writes one JSON line per request without
the query string (`casework/request_log.py`), which gunicorn's would carry.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from config import DEFAULTS, ConfigurationError, load_settings

# the worker processes' metrics meet in files here, added up by /metrics in any worker; set
# before prometheus_client is imported anywhere (each worker imports the app after the fork)
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="casework-metrics-")

try:
    _settings: dict[str, Any] = load_settings()
except ConfigurationError:
    _settings = dict(DEFAULTS)  # on_starting reports the error, in one sentence

bind = [str(_settings["WEB_BIND"])]
workers = int(_settings["WEB_WORKERS"])
threads = int(_settings["WEB_THREADS"])
timeout = int(_settings["WEB_TIMEOUT"])
worker_class = "gthread"
graceful_timeout = 30
keepalive = int(_settings["WEB_KEEPALIVE"])
accesslog = None
errorlog = "-"
loglevel = "warning"
# each worker builds its own app (and database pool) after the fork: nothing is shared
preload_app = False


def on_starting(server: Any) -> None:
    """Build the application once in the master: a missing key, a bad database URL or an
    unsafe setting stops everything here. Gunicorn prints a RuntimeError as `Error: …` and
    exits 1."""
    from casework import create_app

    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    for stale in os.listdir(folder):  # figures of an earlier run are not this run's
        os.remove(os.path.join(folder, stale))
    try:
        create_app()
    except ConfigurationError as error:
        on_exit(server)  # gunicorn stops here without calling it
        raise RuntimeError(f"the configuration cannot be used. {error}") from None


def child_exit(server: Any, worker: Any) -> None:
    from casework.metrics import process_ended

    process_ended(worker.pid)


def on_exit(server: Any) -> None:
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
