"""The `casework` command line: set-up on an empty database, accounts, help."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select


def test_setup_creates_key_and_first_administrator_once(app, runner) -> None:
    from casework.accounts.models import Role, User
    from casework.extensions import db
    from casework.keystore import DataKey

    first = runner.invoke(args=["setup", "--country", "ESP", "--agency-code", "ICM"])
    assert first.exit_code == 0, first.output
    assert "First administrator: admin@casework.local" in first.output
    password = first.output.split("Password (shown once): ")[1].split()[0]
    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0 and "nothing else to do" in again.output
    with app.app_context():
        admin = db.session.scalar(select(User))
        assert admin.role is Role.SYSTEM_ADMINISTRATOR and admin.agency.country == "ESP"
        assert db.session.scalar(select(func.count()).select_from(DataKey)) == 1
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": "admin@casework.local", "password": password}
    )
    assert response.status_code == 302


def test_users_create_reports_bad_input(app, runner) -> None:
    runner.invoke(
        args=["setup", "--agency-code", "ICM", "--admin-password", "a long admin password"]
    )
    bad_role = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "boss",
            "--agency",
            "ICM",
            "--password",
            "long enough password",
        ]
    )
    assert bad_role.exit_code == 2 and "boss" in bad_role.output
    no_agency = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "auditor",
            "--agency",
            "NOPE",
            "--password",
            "long enough password",
        ]
    )
    assert no_agency.exit_code == 2 and "no agency has the code NOPE" in no_agency.output
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "auditor",
            "--agency",
            "ICM",
            "--password",
            "short",
        ]
    )
    assert weak.exit_code == 2 and "at least 12 characters" in weak.output
    good = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "auditor",
            "--agency",
            "ICM",
            "--password",
            "long enough password",
        ]
    )
    assert good.exit_code == 0, good.output
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "A@B.example",
            "--name",
            "A",
            "--role",
            "auditor",
            "--agency",
            "ICM",
            "--password",
            "long enough password",
        ]
    )
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output


def test_console_script_lists_every_command(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from casework.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        env={"CASEWORK_INSTANCE_DIR": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ("setup", "keys", "audit", "users", "db", "run"):
        assert f"  {command} " in result.stdout
