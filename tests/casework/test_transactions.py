"""The one unit of work: the embedded database's journal and lock wait, a save whose follow-up
work fails, creates a retry cannot repeat, and a database that cannot be reached."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
import sqlean
from sqlalchemy import create_engine, func, select, text

from tests.casework.factories import REMAINS, make_remains
from tests.casework.test_concurrency import _clients, _remains_case, _together, _token
from tests.conftest import PASSWORD

BODY = {"recovery_date": "2025-09-15", "estimated_sex": "M", "age_min": 25, "age_max": 40}


def _count(app: Any, model: Any) -> int:
    from casework.extensions import db

    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return int(found or 0)


# -- the embedded database ------------------------------------------------------------------


def test_the_embedded_database_runs_with_a_write_ahead_log_and_a_busy_timeout(app, backend) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite only")
    from casework.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert journal == "wal"
    assert timeout == app.config["SQLITE_BUSY_TIMEOUT_MS"] == 10_000


def _database_file(app: Any) -> str:
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).removeprefix("sqlite:///")


def test_pages_read_while_another_process_writes_and_saves_are_told_to_retry(
    settings, backend, world
) -> None:
    """Another process (a bulk import) holds the database's write lock: lists answer at once,
    and a save waits for the lock, then answers 503 with Retry-After, not 500."""
    if backend != "sqlite":
        pytest.skip("SQLite only")
    from casework import create_app

    app = create_app({**settings, "SQLITE_BUSY_TIMEOUT_MS": 300})
    reference = _remains_case(app, world)
    client = _clients(app, "forensic_officer@home.example", 1)[0]
    # the app's own SQLite library: two copies of SQLite in one process do not see each
    # other's locks
    importer = sqlean.connect(_database_file(app), timeout=1, isolation_level=None)
    try:
        # as an import does once its rows outgrow the page cache: readers are locked out of a
        # rollback journal, not out of a write-ahead log
        importer.execute("BEGIN EXCLUSIVE")
        importer.execute("UPDATE case_sequence SET last_number = last_number")
        started = time.monotonic()
        listed = client.get("/remains/")
        waited = time.monotonic() - started
        saved = client.post(
            f"/remains/{reference}/edit",
            data={**REMAINS, "recovery_date": "2025-09-15", "storage_location": "X"}
            | {"version": 1},
        )
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    assert listed.status_code == 200 and waited < 5
    assert saved.status_code == 503
    assert saved.headers["Retry-After"] == "5"
    assert "Nothing was saved" in saved.get_data(as_text=True)
    # and once the lock is free the same save goes through
    again = client.post(
        f"/remains/{reference}/edit",
        data={**REMAINS, "recovery_date": "2025-09-15", "storage_location": "X", "version": 1},
    )
    assert again.status_code == 302


# -- work after the commit ------------------------------------------------------------------


def test_a_failed_candidate_refresh_leaves_the_save_standing_and_a_pending_mark(
    app, world, monkeypatch, runner
) -> None:
    from casework.extensions import db
    from casework.matches import services as matches
    from casework.matches.models import CandidateMatch, PendingRefresh
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains
    from tests.casework.factories import MISSING

    client = _clients(app, "family_liaison@home.example", 1)[0]
    officer = _clients(app, "forensic_officer@home.example", 1)[0]
    assert officer.post("/remains/new", data=REMAINS).status_code == 302
    assert _count(app, PendingRefresh) == 0  # refreshed after the save: the mark is gone

    def broken(case: Any) -> int:
        raise RuntimeError("the matching index is out of memory")

    monkeypatch.setattr(matches, "recompute_for_case", broken)
    saved = client.post("/missing/new", data=MISSING, follow_redirects=True)

    assert saved.status_code == 200
    assert "Registered as MP-USA-2026-000001" in saved.get_data(as_text=True)
    with app.app_context():
        case = db.session.scalar(select(MissingPerson))
        mark = db.session.scalar(select(PendingRefresh))
        assert case is not None and mark is not None
        assert (mark.missing_person_id, mark.failures) == (case.id, 1)
        assert mark.last_failure == "RuntimeError"  # the kind only: no personal data
        assert db.session.scalar(select(func.count()).select_from(CandidateMatch)) == 0
        db.session.remove()

    monkeypatch.undo()
    result = runner.invoke(args=["candidates", "refresh-pending"])
    assert result.exit_code == 0, result.output
    assert "1 cases brought up to date; 0 still failing" in result.output
    assert _count(app, PendingRefresh) == 0
    with app.app_context():
        pairs = db.session.execute(
            select(MissingPerson.reference, UnidentifiedRemains.reference)
            .join(CandidateMatch, CandidateMatch.missing_person_id == MissingPerson.id)
            .join(UnidentifiedRemains, CandidateMatch.remains_id == UnidentifiedRemains.id)
        ).all()
    assert [tuple(pair) for pair in pairs] == [("MP-USA-2026-000001", "UR-USA-2025-000001")]


def test_a_refresh_that_still_fails_is_reported_by_the_command(
    app, world, monkeypatch, runner
) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.matches import services as matches
    from casework.matches.models import PendingRefresh

    monkeypatch.setattr(matches, "recompute_for_case", lambda case: 1 / 0)
    with app.test_request_context():
        make_remains(db.session.get(User, world.user("forensic_officer")))
        db.session.remove()
    result = runner.invoke(args=["candidates", "refresh-pending"])
    assert result.exit_code == 1
    assert "0 cases brought up to date; 1 still failing" in result.output
    with app.app_context():
        mark = db.session.scalar(select(PendingRefresh))
        assert (mark.failures, mark.last_failure) == (2, "ZeroDivisionError")


def test_the_api_answer_to_a_save_is_audited_in_the_saves_own_transaction(app, world) -> None:
    """The look at the created case is recorded with the create: the entry right after the
    case's own create entry, so no later step can fail once the case is stored."""
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    secret = _token(app, world, "forensic_officer")
    created = app.test_client().post(
        "/api/v1/remains", json=BODY, headers={"Authorization": f"Bearer {secret}"}
    )
    assert created.status_code == 201
    reference = created.get_json()["data"]["reference"]
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_ref == reference).order_by(AuditEntry.seq)
        ).all()
        assert [(e.action, e.object_type) for e in entries] == [
            ("create", "UnidentifiedRemains"),
            ("view", "UnidentifiedRemains"),
        ]
        assert entries[0].occurred_at == entries[1].occurred_at


# -- creates a retry cannot repeat ----------------------------------------------------------


def test_an_api_create_retried_with_its_idempotency_key_answers_with_the_first_case(
    app, world
) -> None:
    from casework.remains.models import UnidentifiedRemains

    secret = _token(app, world, "forensic_officer")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "8d0e1c9a-retry-1"}

    first = client.post("/api/v1/remains", json=BODY, headers=headers)
    again = client.post("/api/v1/remains", json=BODY, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.get_json()["data"]["reference"] == first.get_json()["data"]["reference"]
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(app, UnidentifiedRemains) == 1
    # another request under the same key is refused; a new key makes a new case
    other = client.post("/api/v1/remains", json={**BODY, "age_max": 45}, headers=headers)
    assert other.status_code == 422
    assert "another request" in other.get_json()["error"]["message"]
    fresh = client.post(
        "/api/v1/remains", json=BODY, headers={**headers, "Idempotency-Key": "8d0e1c9a-retry-2"}
    )
    assert fresh.status_code == 201 and _count(app, UnidentifiedRemains) == 2
    # the key is the user's own: another user's same key is another request
    colleague = _token(app, world, "supervisor")
    theirs = client.post(
        "/api/v1/remains", json=BODY, headers={**headers, "Authorization": f"Bearer {colleague}"}
    )
    assert theirs.status_code == 201 and _count(app, UnidentifiedRemains) == 3


@pytest.mark.parametrize("key", ["has space", "x" * 101, "ключ"])
def test_a_malformed_idempotency_key_is_refused_and_nothing_is_stored(app, world, key) -> None:
    from casework.remains.models import UnidentifiedRemains

    secret = _token(app, world, "forensic_officer")
    answer = app.test_client().post(
        "/api/v1/remains",
        json=BODY,
        headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": key},
    )
    assert answer.status_code == 422
    assert "Idempotency-Key" in answer.get_json()["error"]["fields"]
    assert _count(app, UnidentifiedRemains) == 0


def test_the_same_key_sent_twice_at_once_makes_one_case(app, world) -> None:
    from casework.remains.models import UnidentifiedRemains

    secret = _token(app, world, "forensic_officer")
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "double-click-1"}
    clients = [app.test_client() for _ in range(4)]
    answers = _together(
        [
            lambda client=client: client.post("/api/v1/remains", json=BODY, headers=headers)
            for client in clients
        ]
    )
    assert [getattr(answer, "status_code", answer) for answer in answers] == [201] * 4
    assert len({answer.get_json()["data"]["reference"] for answer in answers}) == 1
    assert _count(app, UnidentifiedRemains) == 1


@pytest.mark.parametrize("kind", ["remains", "missing"])
def test_a_case_form_sent_twice_makes_one_case(app, world, kind) -> None:
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains
    from tests.casework.factories import MISSING

    key = "forensic_officer" if kind == "remains" else "family_liaison"
    client = _clients(app, f"{key}@home.example", 1)[0]
    page = client.get(f"/{kind}/new").get_data(as_text=True)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert token is not None, "the form carries a one-time token"
    form = {**(REMAINS if kind == "remains" else MISSING), "form_token": token[1]}

    first = client.post(f"/{kind}/new", data=form)
    again = client.post(f"/{kind}/new", data=form, follow_redirects=True)

    assert first.status_code == 302
    assert again.status_code == 200
    assert again.request.path == first.headers["Location"]
    reference = first.headers["Location"].rsplit("/", 1)[1]
    assert f"as {reference}." in again.get_data(as_text=True)  # "Logged as …" once more
    model = UnidentifiedRemains if kind == "remains" else MissingPerson
    assert _count(app, model) == 1
    # a new form (a new token) is a new case
    fresh = client.get(f"/{kind}/new").get_data(as_text=True)
    other = re.search(r'name="form_token" type="hidden" value="([^"]+)"', fresh)
    assert other is not None and other[1] != token[1]
    assert client.post(f"/{kind}/new", data={**form, "form_token": other[1]}).status_code == 302
    assert _count(app, model) == 2


# -- a database that cannot be reached ------------------------------------------------------


def test_a_database_that_cannot_be_reached_answers_503_with_retry_after(settings, backend) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy.engine import make_url

    from casework import create_app

    # a port where no server listens: every connection attempt is refused
    down = make_url(settings["DATABASE_URL"]).set(port=1).render_as_string(hide_password=False)
    app = create_app({**settings, "DATABASE_URL": down})
    client = app.test_client()

    api = client.get("/api/v1/remains", headers={"Authorization": "Bearer cwk_" + "x" * 43})
    page = client.post("/auth/login", data={"email": "a@b.example", "password": PASSWORD})

    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["error"]["code"] == "unavailable"
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "try again in a few seconds" in page.get_data(as_text=True)


def test_connections_dropped_by_the_server_are_replaced_before_use(app, backend, world) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")

    reference = _remains_case(app, world)
    client = _clients(app, "forensic_officer@home.example", 1)[0]
    assert client.get(f"/remains/{reference}").status_code == 200
    # the server restarts (or a proxy drops idle connections): the pooled ones are dead
    outsider = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with outsider.connect() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    outsider.dispose()
    assert dropped >= 1
    assert client.get(f"/remains/{reference}").status_code == 200


def test_a_unit_of_work_in_progress_does_not_stop_others_reading(app, world) -> None:
    """A writer holding its transaction open (as a long save or an import does) never blocks
    a reader of the same table."""
    from casework.db import transaction
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    reference = _remains_case(app, world)
    secret = _token(app, world, "forensic_officer")
    reader = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert reader.get("/api/v1/remains", headers=headers).status_code == 200  # stamps last use
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with app.app_context():
            with transaction():
                case = db.session.scalar(select(UnidentifiedRemains))
                case.storage_location = "moved"
                db.session.flush()
                holding.set()
                release.wait(10)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        listed = reader.get(f"/api/v1/remains?reference={reference}", headers=headers)
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join(10)
    assert listed.status_code == 200 and waited < 5
    assert [row["reference"] for row in listed.get_json()["data"]] == [reference]
