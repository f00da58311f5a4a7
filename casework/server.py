"""`casework serve`: the production server, gunicorn, with this installation's settings."""

from __future__ import annotations

import os
import sys

import click

APP = "casework:create_app()"
GUNICORN_CONFIG = "python:config.gunicorn"


@click.command("serve")
@click.option("--bind", default=None, help="Address and port (CASEWORK_WEB_BIND).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes.")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Threads per process.")
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds a request may run before its process is replaced.",
)
@click.option(
    "--keepalive",
    type=click.IntRange(min=0),
    default=None,
    help="Seconds an idle keep-alive connection stays open (CASEWORK_WEB_KEEPALIVE).",
)
def serve(
    bind: str | None,
    workers: int | None,
    threads: int | None,
    timeout: int | None,
    keepalive: int | None,
) -> None:
    """Serve the application with gunicorn: several processes, each with its own database
    pool; options override the CASEWORK_WEB_* settings (see docs/deployment.md)."""
    from gunicorn.app.wsgiapp import WSGIApplication

    for name, value in (
        ("WEB_BIND", bind),
        ("WEB_WORKERS", workers),
        ("WEB_THREADS", threads),
        ("WEB_TIMEOUT", timeout),
        ("WEB_KEEPALIVE", keepalive),
    ):
        if value is not None:
            os.environ[f"CASEWORK_{name}"] = str(value)  # read by config/gunicorn.py
    sys.argv = ["casework serve", "--config", GUNICORN_CONFIG, APP]
    WSGIApplication("%(prog)s").run()
