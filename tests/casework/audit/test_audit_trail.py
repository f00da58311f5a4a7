"""The audit trail records every change, view and login; tampering with it is caught."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.casework.factories import MISSING, make_missing


def _entries(db):
    from casework.audit.models import AuditEntry

    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def test_changes_views_and_logins_are_recorded(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        case = make_missing(liaison)
        reference = case.reference
    as_user("family_liaison")
    assert client.get(f"/missing/{reference}").status_code == 200
    edit = client.post(
        f"/missing/{reference}/edit",
        data={**MISSING, "height_cm": 170, "last_seen_date": "2025-07-02", "version": 1},
    )
    assert edit.status_code == 302, edit.data[:400]
    with app.app_context():
        entries = _entries(db)
        actions = [(e.action, e.object_type) for e in entries]
        assert ("create", "MissingPerson") in actions
        assert ("login", None) in [(a, None) for a, _ in actions if a == "login"]
        views = [e for e in entries if e.action == "view" and e.object_ref == reference]
        assert views and views[0].actor_label == "family_liaison@home.example"
        assert views[0].remote_addr == "127.0.0.1"
        update = [e for e in entries if e.action == "update" and e.object_type == "MissingPerson"]
        assert json.loads(update[-1].details)["fields"] == ["height_cm"]
        # personal data never enters the trail
        assert not any("Xitumul" in e.details for e in entries)


def test_failed_login_is_recorded(app, world, client) -> None:
    from casework.extensions import db

    response = client.post(
        "/auth/login", data={"email": "family_liaison@home.example", "password": "wrong password!"}
    )
    assert response.status_code == 401
    with app.app_context():
        failed = [e for e in _entries(db) if e.action == "login_failed"]
        assert len(failed) == 1 and json.loads(failed[0].details)["reason"] == "wrong password"


def test_verify_passes_then_catches_a_changed_entry(app, world, runner, backend) -> None:
    from casework.extensions import db

    with app.test_request_context():
        from casework.accounts.models import User

        make_missing(db.session.get(User, world.user("family_liaison")))
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output

    with app.app_context():
        target = _entries(db)[2].seq
        with db.engine.begin() as conn:
            _disable_guard(conn, backend)
            conn.execute(
                text("UPDATE audit_entry SET actor_label = 'someone else' WHERE seq = :s"),
                {"s": target},
            )
    damaged = runner.invoke(args=["audit", "verify"])
    assert damaged.exit_code == 1
    assert f"Entry {target}: its content was changed" in damaged.output


def test_verify_catches_a_deleted_entry(app, world, runner, backend) -> None:
    from casework.extensions import db

    with app.test_request_context():
        from casework.accounts.models import User

        make_missing(db.session.get(User, world.user("family_liaison")))
    with app.app_context():
        target = _entries(db)[3].seq
        with db.engine.begin() as conn:
            _disable_guard(conn, backend)
            conn.execute(text("DELETE FROM audit_entry WHERE seq = :s"), {"s": target})
    damaged = runner.invoke(args=["audit", "verify"])
    assert damaged.exit_code == 1
    assert "missing (deleted)" in damaged.output and "chain broken" in damaged.output


def rewind_trail(app, backend: str, seq: int) -> None:
    """What an intruder who removes the guards does: delete every entry after `seq` and move
    the checkpoint back to it, leaving a chain that looks whole without an anchor."""
    from casework.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        _disable_guard(conn, backend)
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_head DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_head_forward"))
        conn.execute(text("DELETE FROM audit_entry WHERE seq > :s"), {"s": seq})
        conn.execute(
            text(
                "UPDATE audit_head SET seq = :s, "
                "entry_hash = (SELECT entry_hash FROM audit_entry WHERE seq = :s)"
            ),
            {"s": seq},
        )


def _disable_guard(conn, backend: str) -> None:
    """What an intruder with database rights would do first."""
    if backend == "postgresql":
        conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
    else:
        conn.execute(text("DROP TRIGGER audit_entry_no_update"))
        conn.execute(text("DROP TRIGGER audit_entry_no_delete"))


@pytest.mark.parametrize("statement", ["UPDATE {t} SET {c} = {c}", "DELETE FROM {t}"])
@pytest.mark.parametrize(
    ("table", "column"), [("audit_entry", "action"), ("custody_event", "purpose")]
)
def test_database_refuses_to_change_append_only_tables(
    app, world, statement, table, column
) -> None:
    from datetime import UTC, datetime

    from casework.accounts.models import User
    from casework.custody.services import record_transfer
    from casework.extensions import db
    from tests.casework.factories import make_remains

    with app.test_request_context():
        officer = db.session.get(User, world.user("forensic_officer"))
        record_transfer(
            officer,
            remains=make_remains(officer),
            data={
                "from_party": "Border Patrol",
                "to_party": "PCOME intake",
                "purpose": "autopsy",
                "occurred_at": datetime(2025, 9, 15, 14, 0, tzinfo=UTC),
            },
        )
        assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) > 0
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement.format(t=table, c=column)))


def test_orm_refuses_to_change_audit_entries(app, world) -> None:
    from casework.audit.services import AppendOnlyError
    from casework.extensions import db

    with app.test_request_context():
        entry = _entries(db)[0]
        entry.action = "nothing happened"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AppendOnlyError):
            db.session.delete(_entries(db)[0])
            db.session.commit()


def _trail_with_entries(app, world) -> int:
    """A few dozen entries (a case registered, viewed and changed); returns how many."""
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        for surname in ("Lopez", "Garcia", "Tesfaye", "Haile", "Mendez", "Osman"):
            make_missing(liaison, surnames=surname)
        return int(db.session.scalar(text("SELECT count(*) FROM audit_entry")))


def _cut(app, backend: str, where: str) -> None:
    from casework.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        _disable_guard(conn, backend)
        conn.execute(text(f"DELETE FROM audit_entry {where}"))


@pytest.mark.parametrize("cut", ["last 50", "all"])
def test_verify_catches_a_trail_cut_short(app, world, runner, backend, cut) -> None:
    total = _trail_with_entries(app, world)
    assert total > 50
    _cut(app, backend, f"WHERE seq > {total - 50}" if cut == "last 50" else "")
    damaged = runner.invoke(args=["audit", "verify"])
    assert damaged.exit_code == 1, damaged.output
    first_missing = total - 49 if cut == "last 50" else 1
    assert f"entries {first_missing}–{total} are missing: the trail was cut short" in (
        damaged.output
    )


def test_the_database_refuses_to_set_the_checkpoint_back(app, world, backend) -> None:
    from casework.extensions import db

    _trail_with_entries(app, world)
    for statement in ("UPDATE audit_head SET seq = seq - 1", "DELETE FROM audit_head"):
        with pytest.raises(DBAPIError, match="only moves forward"):
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(text(statement))


def test_an_anchor_kept_apart_catches_a_rewritten_checkpoint(app, world, runner, backend) -> None:
    """An intruder who also removes the guards and rewinds the checkpoint leaves a chain that
    looks whole; the anchor printed earlier still catches it."""

    total = _trail_with_entries(app, world)
    printed = runner.invoke(args=["audit", "anchor"])
    assert printed.exit_code == 0
    anchor = printed.output.strip()
    assert anchor.startswith(f"{total}:") and len(anchor.split(":")[1]) == 64
    assert runner.invoke(args=["audit", "verify", "--anchor", anchor]).exit_code == 0

    rewind_trail(app, backend, total - 10)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # looks whole without it
    damaged = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert damaged.exit_code == 1
    assert f"Entry {total}: the anchored entry is missing" in damaged.output


@pytest.mark.parametrize("anchor", ["12", "x:abcd", "3:" + "ab" * 31, "0:" + "ab" * 32])
def test_a_malformed_anchor_is_refused_in_words(app, runner, anchor) -> None:
    result = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert result.exit_code == 2
    assert "the entry number, a colon and 64 hexadecimal digits" in result.output
