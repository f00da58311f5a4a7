"""/healthz and /readyz through the app: ready, and each reason it is not (503 with reasons)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from casework import create_app
from casework.extensions import db


def test_healthz_answers_without_the_database(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_when_database_schema_and_keys_are_there(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ready"}


def test_not_ready_when_the_schema_is_behind_the_code(app: Any, client: Any) -> None:
    with app.app_context():
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        db.session.execute(text("UPDATE alembic_version SET version_num = '0012'"))
        db.session.commit()
    try:
        response = client.get("/readyz")
    finally:  # the PostgreSQL database is shared by the session's tests
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert set(body["problems"]) == {"migrations"}
    assert "0012" in body["problems"]["migrations"]
    assert "casework db upgrade" in body["problems"]["migrations"]


def test_not_ready_without_a_data_key(app: Any, client: Any) -> None:
    with app.app_context():
        db.session.execute(text("DELETE FROM data_key"))
        db.session.commit()
    body = client.get("/readyz").get_json()
    assert set(body["problems"]) == {"keys"}
    assert "casework setup" in body["problems"]["keys"]


def test_not_ready_when_the_master_key_does_not_unwrap_the_data_keys(
    settings: dict[str, Any], app: Any
) -> None:
    import base64
    import os

    other = create_app({**settings, "MASTER_KEY": base64.b64encode(os.urandom(32)).decode()})
    response = other.test_client().get("/readyz")
    with other.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert set(response.get_json()["problems"]) == {"keys"}
    assert "does not unwrap" in response.get_json()["problems"]["keys"]


def test_not_ready_when_the_database_is_unreachable(settings: dict[str, Any]) -> None:
    # port 1 on this machine: nothing listens there, the connection is refused at once
    unreachable = create_app(
        {**settings, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/casework"}
    )
    response = unreachable.test_client().get("/readyz")
    with unreachable.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    problems = response.get_json()["problems"]
    assert set(problems) == {"database"}  # the checks that need it are not run
    assert "cannot be reached" in problems["database"]
    # liveness does not depend on the database: the process is alive, only not ready
    assert unreachable.test_client().get("/healthz").status_code == 200
