"""`casework serve`: a real gunicorn with two worker processes over PostgreSQL in production
mode, its health and readiness, a signed-in page; configuration errors as one sentence."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = "Zenobia Qarwathiel"
SECRET = "a-production-secret-key-of-plenty-of-characters-0123456789"


# gunicorn started directly (not through `casework serve`): its master builds the app once
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "-c",
    "python:config.gunicorn",
    "casework:create_app()",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    environ.update(
        PYTHONPATH=str(ROOT),
        CASEWORK_INSTANCE_DIR=str(tmp_path / "instance"),
        CASEWORK_MODE="production",
        CASEWORK_SECRET_KEY=SECRET,
        CASEWORK_REQUIRE_TOTP="false",  # the second factor has its own tests
        CASEWORK_SESSION_COOKIE_SECURE="false",  # plain HTTP on the loopback here
    )
    environ.update({f"CASEWORK_{name}": value for name, value in settings.items()})
    return environ


def casework(*args: str) -> list[str]:
    return [sys.executable, "-c", "from casework.cli import main; main()", *args]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def production_database(settings: dict[str, Any], backend: str) -> Iterator[dict[str, str]]:
    """The session's PostgreSQL database, emptied, with a data key under a random master key
    and one forensic officer: what `casework setup` leaves."""
    from casework import create_app
    from casework.accounts import services
    from casework.accounts.models import AgencyKind, Role
    from casework.commands import ensure_data_key
    from casework.extensions import db

    master = base64.b64encode(os.urandom(32)).decode()
    app = create_app({**settings, "MASTER_KEY": master})
    with app.test_request_context():
        ensure_data_key()
        agency = services.create_agency(
            "PCOME", "USA", "Pima County Medical Examiner", AgencyKind.MEDICAL_EXAMINER
        )
        services.create_user(
            agency=agency,
            email="officer@home.example",
            display_name="Officer",
            role=Role.FORENSIC_OFFICER,
            password=PASSWORD,
        )
        db.session.remove()
        db.engine.dispose()
    yield {"DATABASE_URL": settings["DATABASE_URL"], "MASTER_KEY": master}


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {server.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            requests.get(f"{base}/healthz", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer within 60 s")


def assert_kept_alive(port: int, idle: float) -> None:
    """A connection left idle `idle` seconds carries the next request (CASEWORK_WEB_KEEPALIVE,
    75 s by default): the server does not close it while a client, or a proxy, may reuse it."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        first.read()
        assert first.status == 200 and first.getheader("Connection", "").lower() != "close"
        opened = connection.sock
        time.sleep(idle)
        connection.request("GET", "/healthz")  # a reset or a close fails here, or reading
        second = connection.getresponse()
        second.read()
        assert second.status == 200
        assert connection.sock is opened  # the same connection, not a new one
    finally:
        connection.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # production's database
def test_gunicorn_with_two_workers_serves_health_readiness_and_a_signed_in_page(
    production_database: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        casework("serve", "--workers", "2", "--threads", "2", "--timeout", "30"),
        env=production_environment(tmp_path, WEB_BIND=f"127.0.0.1:{port}", **production_database),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(base, server)
        # the master and its two worker processes: the first may answer before the second has
        # started on a busy machine
        deadline = time.monotonic() + 30
        while len(children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(children(server.pid)) == 2

        health = requests.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert_kept_alive(port, idle=6)  # gunicorn's own default (2 s) reset such connections
        ready = requests.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready"}

        browser = requests.Session()
        login_page = browser.get(f"{base}/auth/login", timeout=10)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page.text)
        assert token, login_page.text[:500]
        signed_in = browser.post(
            f"{base}/auth/login",
            data={
                "csrf_token": token.group(1),
                "email": "officer@home.example",
                "password": PASSWORD,
            },
            timeout=30,
            allow_redirects=False,
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        # several requests, so both workers serve the signed-in session at least once likely;
        # every one must know the user (the session lives in the cookie and the database)
        for _ in range(6):
            page = browser.get(f"{base}/remains/", timeout=10, allow_redirects=False)
            assert page.status_code == 200
            assert "Officer" in page.text
        anonymous = requests.get(f"{base}/remains/", timeout=10, allow_redirects=False)
        assert anonymous.status_code == 302

        # a name searched: nowhere in the logs or the metrics
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        searched = browser.post(
            f"{base}/remains/",
            data={"csrf_token": token.group(1), "name": SEARCHED},
            timeout=30,
            allow_redirects=False,
        )
        assert searched.status_code == 303, searched.text[:300]
        assert requests.get(f"{base}/metrics?name={SEARCHED}", timeout=10).status_code == 200
        # both processes' figures, added up: every one of the six pages counted once
        metrics = requests.get(f"{base}/metrics", timeout=10).text
        assert SEARCHED not in metrics
        pages = [
            line
            for line in metrics.splitlines()
            if line.startswith("casework_request_duration_seconds_count{")
            and 'route="/remains/"' in line
            and 'method="GET"' in line
            and 'status="200"' in line
        ]
        assert pages and float(pages[0].rsplit(" ", 1)[1]) == 6.0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log = server.stderr.read().decode()  # type: ignore[union-attr]
        server.stdout.close()  # type: ignore[union-attr]
        server.stderr.close()  # type: ignore[union-attr]
    assert server.returncode == 0
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    served = [line for line in lines if line.get("message") == "request"]
    assert {"/healthz", "/readyz", "/auth/login", "/remains/", "/metrics"} <= {
        line["route"] for line in served
    }
    for line in served:
        assert {"request_id", "route", "method", "status", "duration_ms"} <= set(line)
    assert SEARCHED not in log and "?name=" not in log


@pytest.mark.parametrize(
    ("command", "settings", "sentence"),
    [
        # the console script checks the settings before it starts gunicorn
        (casework("serve"), {"SECRET_KEY": ""}, "Production mode needs CASEWORK_SECRET_KEY"),
        # gunicorn started directly: its master builds the app once before any worker
        (
            GUNICORN,
            {"SECRET_KEY": ""},
            "Production mode needs CASEWORK_SECRET_KEY",
        ),
        (
            GUNICORN,
            {"TRUSTED_PROXIES": "-1"},
            "CASEWORK_TRUSTED_PROXIES must be 0 or more.",
        ),
        (
            GUNICORN,
            {"WEB_WORKERS": "0"},
            "CASEWORK_WEB_WORKERS must be 1 or more",
        ),
        (
            GUNICORN,
            {"WEB_KEEPALIVE": "-1"},
            "CASEWORK_WEB_KEEPALIVE must be 0 (no keep-alive) or more",
        ),
    ],
)
def test_a_configuration_error_under_gunicorn_is_one_sentence_and_a_failure(
    tmp_path: Path, command: list[str], settings: dict[str, str], sentence: str
) -> None:
    environ = production_environment(
        tmp_path,
        DATABASE_URL="postgresql+psycopg://casework@127.0.0.1:1/casework",
        MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
        WEB_BIND=f"127.0.0.1:{free_port()}",
        **settings,
    )
    finished = subprocess.run(
        command, env=environ, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode != 0
    assert sentence in finished.stderr
    assert "Traceback" not in finished.stderr
    assert "the configuration cannot be used" in finished.stderr
    assert len([line for line in finished.stderr.splitlines() if "Error" in line]) == 1
