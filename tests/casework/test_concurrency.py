"""Several clients at once on a real database (a SQLite file, PostgreSQL): reads that write an
audit entry never clash, two saves of one case give one success and one 409, and the audit
chain verifies afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.casework.factories import MISSING, REMAINS, make_remains
from tests.conftest import PASSWORD, login


def _together(workers: list[Callable[[], Any]]) -> list[Any]:
    """Run the callables in threads released at the same moment; an exception is a result."""
    start = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(index: int, work: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[index] = work()
        except Exception as error:  # a 500 propagates in tests: keep it to report it
            results[index] = error

    threads = [
        threading.Thread(target=run, args=(index, work)) for index, work in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _clients(app: Any, email: str, count: int) -> list[Any]:
    clients = []
    for _ in range(count):
        client = app.test_client()
        assert login(client, email, PASSWORD).status_code == 302
        clients.append(client)
    return clients


def _chain_intact(app: Any) -> int:
    from casework.audit.services import verify_chain
    from casework.extensions import db
    from casework.keystore import audit_chain_key

    with app.app_context():
        count, problems = verify_chain(db.session, audit_chain_key())
        db.session.remove()
    assert problems == []
    return count


def _remains_case(app: Any, world: Any) -> str:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        case = make_remains(db.session.get(User, world.user("forensic_officer")))
        reference = case.reference
        db.session.remove()
    return str(reference)


def test_eight_clients_reading_case_pages_at_once_all_get_the_page(app, world) -> None:
    reference = _remains_case(app, world)
    clients = _clients(app, "forensic_officer@home.example", 8)
    before = _chain_intact(app)

    def read_often(client: Any) -> list[int]:
        return [client.get(f"/remains/{reference}").status_code for _ in range(5)]

    results = _together([lambda client=client: read_often(client) for client in clients])

    assert results == [[200] * 5] * 8, results
    # every look at the case is in the trail, chained without a gap
    assert _chain_intact(app) == before + 8 * 5


def _token(app: Any, world: Any, key: str) -> str:
    from casework.accounts.models import User
    from casework.api.services import issue_token, parse_scopes
    from casework.extensions import db

    with app.test_request_context():
        user = db.session.get(User, world.user(key))
        secret = issue_token(user, "test", parse_scopes(["read", "write"]), None).secret
        db.session.remove()
    return secret


def test_eight_api_clients_reading_and_creating_at_once(app, world) -> None:
    reference = _remains_case(app, world)
    secret = _token(app, world, "forensic_officer")
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"recovery_date": "2025-09-15", "estimated_sex": "M", "age_min": 25, "age_max": 40}

    def read(client: Any) -> int:
        return int(client.get(f"/api/v1/remains/{reference}", headers=headers).status_code)

    def create(client: Any) -> int:
        return int(client.post("/api/v1/remains", json=body, headers=headers).status_code)

    jobs = [(app.test_client(), read if index % 2 else create) for index in range(8)]
    results = _together([lambda client=client, work=work: work(client) for client, work in jobs])

    assert sorted(map(str, results)) == ["200"] * 4 + ["201"] * 4, results
    _chain_intact(app)
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    with app.app_context():
        references = db.session.scalars(db.select(UnidentifiedRemains.reference)).all()
        assert len(references) == len(set(references)) == 5  # no reference handed out twice


@pytest.mark.parametrize("kind", ["remains", "missing"])
def test_two_saves_of_one_case_at_once_one_wins_the_other_gets_409(app, world, kind) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_missing

    key = "forensic_officer" if kind == "remains" else "family_liaison"
    with app.test_request_context():
        user = db.session.get(User, world.user(key))
        case = (make_remains if kind == "remains" else make_missing)(user)
        reference = case.reference
        db.session.remove()
    clients = _clients(app, f"{key}@home.example", 2)
    form = (
        {**REMAINS, "recovery_date": "2025-09-15"}
        if kind == "remains"
        else {**MISSING, "last_seen_date": "2025-07-02"}
    )
    changes = (
        [{"storage_location": "Cooler 1"}, {"storage_location": "Cooler 2"}]
        if kind == "remains"
        else [{"height_cm": 171}, {"height_cm": 172}]
    )
    # both opened the edit form at version 1 and save at the same moment
    results = _together(
        [
            lambda client=client, change=change: (
                client.post(
                    f"/{kind}/{reference}/edit", data={**form, **change, "version": 1}
                ).status_code
            )
            for client, change in zip(clients, changes, strict=True)
        ]
    )

    assert sorted(map(str, results)) == ["302", "409"], results
    _chain_intact(app)


def test_a_save_from_a_stale_copy_loaded_before_another_commit_is_a_conflict(app, world) -> None:
    """The loser of a race read the case (version 1) before the winner committed: its flush
    finds no row at that version (StaleDataError), which users read as 409, not 500."""
    from casework.errors import ConflictError
    from casework.extensions import db
    from casework.remains.inputs import RemainsInput
    from casework.remains.models import UnidentifiedRemains
    from casework.remains.services import update_remains

    reference = _remains_case(app, world)
    other = _clients(app, "forensic_officer@home.example", 1)[0]
    with app.test_request_context():
        stale = db.session.scalar(
            db.select(UnidentifiedRemains).where(UnidentifiedRemains.reference == reference)
        )
        assert stale.version == 1
        # another client saves the case in between (its own thread, session and commit)
        saved = _together(
            [
                lambda: (
                    other.post(
                        f"/remains/{reference}/edit",
                        data={**REMAINS, "recovery_date": "2025-09-15", "storage_location": "B"}
                        | {"version": 1},
                    ).status_code
                )
            ]
        )
        assert saved == [302]
        with pytest.raises(ConflictError):
            update_remains(stale, RemainsInput.parse({**REMAINS, "storage_location": "A"}), 1)
        db.session.remove()
    with app.app_context():
        stored = db.session.scalar(
            db.select(UnidentifiedRemains).where(UnidentifiedRemains.reference == reference)
        )
        assert (stored.storage_location, stored.version) == ("B", 2)


def test_two_api_updates_of_one_case_at_once_one_wins_the_other_gets_409(app, world) -> None:
    reference = _remains_case(app, world)
    secret = _token(app, world, "forensic_officer")
    headers = {"Authorization": f"Bearer {secret}"}
    clients = [app.test_client() for _ in range(2)]
    answers = _together(
        [
            lambda client=client, place=place: client.patch(
                f"/api/v1/remains/{reference}",
                json={"storage_location": place, "version": 1},
                headers=headers,
            )
            for client, place in zip(clients, ("Cooler 1", "Cooler 2"), strict=True)
        ]
    )
    codes = sorted(str(getattr(answer, "status_code", answer)) for answer in answers)
    assert codes == ["200", "409"], answers
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.get_json()["error"]["code"] == "conflict"
    _chain_intact(app)


def test_case_pages_stay_open_while_an_import_is_half_way(app, world, backend, tmp_path) -> None:
    """PostgreSQL: an import chains its audit entries at its end, so the chain's lock is not
    held while it reads the file, and a case page (which audits the look) answers at once.
    (On SQLite the one writer holds the whole database: there the page waits for the lock,
    then answers 503 with Retry-After; see test_transactions.)"""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    import time

    from flask import g

    from casework.audit.services import Actor
    from casework.bulk.services import import_file
    from casework.extensions import db
    from casework.missing.models import MissingPerson
    from tests.casework.bulk.test_import import GOOD_MISSING, HEADER, write

    reference = _remains_case(app, world)
    client = _clients(app, "forensic_officer@home.example", 1)[0]
    path = write(tmp_path / "legacy.csv", HEADER, GOOD_MISSING)
    paused, resume = threading.Event(), threading.Event()

    def progress(done: int, total: int) -> None:
        if done < total and not paused.is_set():  # the first batch is stored, not committed
            paused.set()
            resume.wait(30)

    def run() -> None:
        with app.test_request_context():
            g.audit_actor = Actor(None, "test import", None, None)
            import_file("missing", path, "PCOME", batch_size=1, progress=progress)
            db.session.remove()

    importer = threading.Thread(target=run)
    importer.start()
    try:
        assert paused.wait(30)
        started = time.monotonic()
        page = client.get(f"/remains/{reference}")
        waited = time.monotonic() - started
    finally:
        resume.set()
        importer.join(60)
    assert page.status_code == 200 and waited < 5, waited
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MissingPerson)) == 3
        db.session.remove()
    _chain_intact(app)
