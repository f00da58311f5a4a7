"""Shared fixtures: an app on each database backend, a settable clock, users of every role.

Every test that takes `app` runs twice: on SQLite + SpatiaLite and on PostgreSQL + PostGIS.
PostgreSQL is found at CASEWORK_TEST_POSTGRES_URL (default: the local server, trust auth); when
it cannot be reached those runs are skipped, unless CASEWORK_TEST_REQUIRE_POSTGRES=1 (as in CI),
where they fail.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_POSTGRES_BASE = make_url(
    os.environ.get(
        "CASEWORK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/casework_test"
    )
)
# one database per test run, so that runs side by side (a developer's and CI's) never collide
POSTGRES_URL = _POSTGRES_BASE.set(
    database=f"{_POSTGRES_BASE.database}_{os.getpid()}"
).render_as_string(hide_password=False)
REQUIRE_POSTGRES = os.environ.get("CASEWORK_TEST_REQUIRE_POSTGRES") == "1"
REDIS_URL = os.environ.get("CASEWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
MASTER_KEY = base64.b64encode(b"k" * 32).decode()
PASSWORD = "correct horse battery staple"
BACKENDS = ["sqlite", "postgresql"]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def _base_settings(instance: Path, url: str, clock: Clock) -> dict[str, Any]:
    return {
        "MODE": "embedded",
        "INSTANCE_DIR": str(instance),
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "MASTER_KEY": MASTER_KEY,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PROPAGATE_UNEXPECTED": True,
        "CLOCK": clock,
        "KEYRING_REFRESH_SECONDS": 3600,
        # argon2id still, but cheap: the tests create hundreds of accounts
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
    }


def _postgres_admin_url() -> str:
    return make_url(POSTGRES_URL).set(database="postgres").render_as_string(hide_password=False)


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(_postgres_admin_url())
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Build each database once per session from the migrations; yields backend -> location."""
    from flask_migrate import upgrade

    from casework import create_app

    built: dict[str, str] = {}
    root = tmp_path_factory.mktemp("databases")
    template = root / "template.db"
    clock = Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    app = create_app(_base_settings(root, f"sqlite:///{template}", clock))
    with app.app_context():
        upgrade()
        from casework.extensions import db

        db.engine.dispose()
    built["sqlite"] = str(template)

    if _postgres_reachable():
        migrate_postgres(POSTGRES_URL, root)
        built["postgresql"] = POSTGRES_URL
    yield built
    if "postgresql" in built:
        drop_postgres(POSTGRES_URL)


def migrate_postgres(url: str, root: Path) -> None:
    """A new PostgreSQL database at `url` (replacing any left over), built from the migrations."""
    from flask_migrate import upgrade

    from casework import create_app

    drop_postgres(url)
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    admin.dispose()
    clock = Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    app = create_app(_base_settings(root, url, clock))
    with app.app_context():
        upgrade()
        from casework.extensions import db

        db.engine.dispose()


def drop_postgres(url: str) -> None:
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))


def require_backend(backend: str, migrated: dict[str, str]) -> None:
    """Skip a test whose database was not built, or fail it where PostgreSQL is required."""
    if backend not in migrated:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, migrated: dict[str, str]) -> str:
    require_backend(request.param, migrated)
    return str(request.param)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('spatial_ref_sys', 'alembic_version')"
                )
            )
            .scalars()
            .all()
        )
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for table in tables:  # a tampering test may have switched the append-only guards off
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    engine.dispose()


@pytest.fixture
def settings(
    backend: str, migrated: dict[str, str], tmp_path: Path, clock: Clock
) -> dict[str, Any]:
    if backend == "sqlite":
        database = tmp_path / "casework.db"
        shutil.copyfile(migrated["sqlite"], database)
        url = f"sqlite:///{database}"
    else:
        _empty_postgres(migrated["postgresql"])
        url = migrated["postgresql"]
    return _base_settings(tmp_path / "instance", url, clock)


@pytest.fixture
def app(settings: dict[str, Any]) -> Iterator[Any]:
    from casework import create_app
    from casework.commands import ensure_data_key
    from casework.extensions import db

    app = create_app(settings)
    with app.app_context():
        ensure_data_key()
        db.session.remove()
    yield app
    from casework.jobs.services import stop_embedded_jobs

    stop_embedded_jobs(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app: Any) -> Iterator[Any]:
    """An application context with a request context (for services that audit)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@dataclass
class World:
    """Two agencies of two countries and one user per role in the first, plus outsiders."""

    app: Any
    users: dict[str, Any]
    home: Any
    abroad: Any

    def user(self, role: str) -> Any:
        return self.users[role]


@pytest.fixture
def world(app: Any) -> World:
    from casework.accounts import services
    from casework.accounts.models import AgencyKind, Role
    from casework.extensions import db

    with app.test_request_context():
        home = services.create_agency(
            "PCOME", "USA", "Pima County Medical Examiner", AgencyKind.MEDICAL_EXAMINER
        )
        abroad = services.create_agency(
            "GTM-MRE", "GTM", "Guatemala Foreign Ministry", AgencyKind.CONSULATE
        )
        users = {}
        for role in Role:
            users[role.value] = services.create_user(
                agency=home,
                email=f"{role.value}@home.example",
                display_name=role.value.title(),
                role=role,
                password=PASSWORD,
            )
        users["consular_gtm"] = services.create_user(
            agency=abroad,
            email="consul@gtm.example",
            display_name="Consul",
            role=Role.CONSULAR_OFFICIAL,
            password=PASSWORD,
        )
        users["officer_abroad"] = services.create_user(
            agency=abroad,
            email="officer@gtm.example",
            display_name="Officer abroad",
            role=Role.FORENSIC_OFFICER,
            password=PASSWORD,
        )
        ids = {key: user.id for key, user in users.items()}
        home_id, abroad_id = home.id, abroad.id
        db.session.remove()
    return World(app=app, users=ids, home=home_id, abroad=abroad_id)


def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    return client.post("/auth/login", data={"email": email, "password": password})


@pytest.fixture
def as_user(client: Any, world: World, app: Any) -> Any:
    """Log the test client in as the user of a role (key of `world.users`)."""

    def _login(key: str) -> Any:
        from casework.accounts.models import User
        from casework.extensions import db

        with app.app_context():
            email = db.session.get(User, world.users[key]).email
        client.post("/auth/logout")
        response = login(client, email)
        assert response.status_code == 302, response.data[:500]
        return client

    return _login


def redis_reachable() -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_settings(settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Settings of an app whose jobs go to a real Redis (take it before `app`): a queue of its
    own (other test runs share the server), emptied afterwards."""
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
