"""Browser tests: a live server on a fresh SQLite database, driven by Debian's Chromium; the
journeys that must pass on both databases also run against a second one on PostgreSQL.

Without /usr/bin/chromium these tests are skipped on a workstation and fail in CI (CI is set).
Tiles point at a closed local port: the tests never touch the network.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import (
    PASSWORD,
    Clock,
    _base_settings,
    drop_postgres,
    migrate_postgres,
    require_backend,
)

CHROMIUM = Path(os.environ.get("CASEWORK_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # port 9 (discard): nothing listens
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 800, "height": 1100}


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (install the Debian package chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser tests")
        pytest.skip(reason)
    return CHROMIUM


@dataclass
class LiveServer:
    url: str
    app: Any
    users: dict[str, str]  # role -> e-mail

    def __call__(self, path: str) -> str:
        return self.url + path


@contextmanager
def _serve(database_url: str, root: Path) -> Iterator[LiveServer]:
    """Start the app over a migrated, empty database with a user of each role, on a free port."""
    from werkzeug.serving import make_server

    from casework import create_app
    from casework.accounts import services
    from casework.accounts.models import AgencyKind, Role
    from casework.commands import ensure_data_key
    from casework.extensions import db
    from casework.jobs.services import stop_embedded_jobs

    settings = _base_settings(
        root / "instance", database_url, Clock(datetime(2026, 6, 1, 12, tzinfo=UTC))
    )
    settings.update(
        WTF_CSRF_ENABLED=True,  # a real browser posts the real forms, tokens included
        PROPAGATE_UNEXPECTED=False,
        MAP_TILE_URL=UNREACHABLE_TILES,
    )
    app = create_app(settings)
    users = {}
    with app.test_request_context():
        ensure_data_key()
        home = services.create_agency(
            "PCOME", "USA", "Pima County Medical Examiner", AgencyKind.MEDICAL_EXAMINER
        )
        for role in (Role.FORENSIC_OFFICER, Role.FAMILY_LIAISON, Role.SUPERVISOR, Role.DNA_ANALYST):
            email = f"{role.value}@home.example"
            services.create_user(
                agency=home,
                email=email,
                display_name=role.value.replace("_", " ").title(),
                role=role,
                password=PASSWORD,
            )
            users[role.value] = email
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, users=users)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        stop_embedded_jobs(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(
    chromium_path: Path, migrated: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The live server of every browser test: the app on a copy of the migrated SQLite file."""
    root = tmp_path_factory.mktemp("e2e")
    database = root / "casework.db"
    shutil.copyfile(migrated["sqlite"], database)
    with _serve(f"sqlite:///{database}", root) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_live_server(
    chromium_path: Path, migrated: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app on PostgreSQL, for the journeys that must pass on both databases: a database of
    its own, built from the migrations (not copied from the run's: other tests' apps keep
    connections to that one open, which a template copy refuses) and dropped at the end."""
    require_backend("postgresql", migrated)
    root = tmp_path_factory.mktemp("e2e-postgresql")
    url = make_url(migrated["postgresql"])
    url = url.set(database=f"{url.database}_e2e").render_as_string(hide_password=False)
    migrate_postgres(url, root)
    try:
        with _serve(url, root) as server:
            yield server
    finally:
        drop_postgres(url)


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    # every page of every browser test also checks that the content security policy blocked
    # nothing the pages need (an inline handler, a style, a script from elsewhere)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], "the content security policy blocked: " + "; ".join(blocked)


@pytest.fixture
def sign_in(page: Any, live_server: LiveServer) -> Any:
    """Sign in through the form as the user of a role; returns the page."""

    def _sign_in(role: str) -> Any:
        page.goto(live_server("/auth/login"))
        page.get_by_label("E-mail").fill(live_server.users[role])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Overview").wait_for()
        return page

    return _sign_in


@pytest.fixture
def screenshot(page: Any) -> Any:
    SCREENSHOTS.mkdir(exist_ok=True)

    def _shoot(name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _shoot
