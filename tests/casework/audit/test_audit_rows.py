"""`casework audit verify` vouches for more than its own entries: a custody event or a status
change altered, removed or slipped in behind the application's back, or a case's status set
by hand in the database, is reported (exit 1); a key rotation, which re-encrypts the reasons of
status changes, is not tampering."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text


def _guards_off(conn: Any, backend: str, table: str) -> None:
    """What an intruder with database rights would do first."""
    if backend == "postgresql":
        conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
        conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))


def _verify(runner: Any) -> Any:
    return runner.invoke(args=["audit", "verify"])


def test_untouched_rows_verify(recorded: dict[str, Any], runner: Any) -> None:
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "custody events, status changes and case statuses" in result.output


def _tamper(app: Any, backend: str, table: str, statement: str, **params: Any) -> None:
    from casework.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        _guards_off(conn, backend, table)
        conn.execute(text(statement), params)


@pytest.mark.parametrize("column", ["to_party", "purpose"])
def test_a_changed_custody_event_is_found(
    app: Any, backend: str, recorded: dict[str, Any], runner: Any, column: str
) -> None:
    _tamper(app, backend, "custody_event", f"UPDATE custody_event SET {column} = 'Someone else'")
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"CustodyEvent {recorded['event']}: was changed after it was recorded" in result.output


def test_a_deleted_custody_event_is_found(
    app: Any, backend: str, recorded: dict[str, Any], runner: Any
) -> None:
    _tamper(app, backend, "custody_event", "DELETE FROM custody_event")
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"CustodyEvent {recorded['event']}: was deleted" in result.output


def test_a_custody_event_slipped_in_is_found(
    app: Any, backend: str, recorded: dict[str, Any], runner: Any
) -> None:
    import uuid

    forged = uuid.uuid4()
    value = str(forged) if backend == "postgresql" else forged.hex
    _tamper(
        app,
        backend,
        "custody_event",
        "INSERT INTO custody_event (id, remains_id, from_party, to_party, occurred_at, purpose, "
        "recorded_at) SELECT :id, remains_id, to_party, 'A private buyer', occurred_at, "
        "'sold', recorded_at FROM custody_event",
        id=value,
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"CustodyEvent {forged}: is not in the audit trail" in result.output


def test_a_changed_status_change_is_found(
    app: Any, backend: str, recorded: dict[str, Any], runner: Any
) -> None:
    _tamper(
        app,
        backend,
        "case_status_change",
        "UPDATE case_status_change SET to_status = 'found_alive' WHERE to_status = 'closed'",
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert "StatusChange" in result.output and "was changed after it was recorded" in result.output


def test_a_case_status_set_in_the_database_is_found(
    app: Any, backend: str, recorded: dict[str, Any], runner: Any
) -> None:
    _tamper(app, backend, "missing_person", "UPDATE missing_person SET status = 'found_alive'")
    result = _verify(runner)
    assert result.exit_code == 1
    assert (
        f"MissingPerson {recorded['case']}: has status 'found_alive', but the audit trail last "
        "recorded 'open'" in result.output
    )
    _tamper(
        app,
        backend,
        "unidentified_remains",
        "UPDATE unidentified_remains SET status = 'buried_unidentified'",
    )
    assert f"UnidentifiedRemains {recorded['remains']}: has status" in _verify(runner).output


def test_a_key_rotation_is_not_tampering(recorded: dict[str, Any], runner: Any) -> None:
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    result = _verify(runner)
    assert result.exit_code == 0, result.output


def test_the_status_history_takes_a_new_ciphertext_and_no_other_change(
    app: Any, recorded: dict[str, Any], runner: Any
) -> None:
    from sqlalchemy.exc import DBAPIError

    from casework.extensions import db

    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("UPDATE case_status_change SET to_status = 'found_alive'"))
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("DELETE FROM case_status_change"))
        # what the rotation does is allowed; another row's reason moved in is not the reason
        # recorded, and verify says so
        with db.engine.begin() as conn:
            blobs = conn.execute(text("SELECT id, reason_ct FROM case_status_change")).all()
            conn.execute(
                text("UPDATE case_status_change SET reason_ct = :blob WHERE id = :id"),
                {"blob": blobs[1].reason_ct, "id": blobs[0].id},
            )
    result = _verify(runner)
    assert result.exit_code == 1
    assert "StatusChange" in result.output and "was changed after it was recorded" in result.output
