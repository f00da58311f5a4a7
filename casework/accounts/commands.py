"""`casework users`: accounts from the command line."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from casework.accounts import services as accounts
from casework.accounts.cleanup import clear_sign_in_leftovers
from casework.accounts.models import Agency, Role
from casework.clock import now
from casework.console import act_as_cli, fail
from casework.db import db
from casework.errors import CaseworkError

users = AppGroup("users", help="Accounts.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency", "agency_code", required=True, help="Agency code.")
@click.password_option(help="At least 12 characters.")
def users_create(email: str, display_name: str, role: str, agency_code: str, password: str) -> None:
    """Create an account."""
    act_as_cli("users create")
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code.upper()))
    if agency is None:
        click.echo(f"Error: no agency has the code {agency_code}.", err=True)
        sys.exit(2)
    try:
        accounts.create_user(
            agency=agency,
            email=email,
            display_name=display_name,
            role=Role(role),
            password=password,
        )
    except CaseworkError as error:
        fail(error)
    click.echo(f"Created {email} ({role}).")


@users.command("clean-up")
def users_clean_up() -> None:
    """Delete ended or idle-expired sign-in sessions and spent sign-in throttle rows (run it
    daily, from cron or a systemd timer: see docs/deployment.md)."""
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    cleared = clear_sign_in_leftovers(now(), idle)
    click.echo(
        f"Deleted {cleared.sessions} ended sign-in session(s) and "
        f"{cleared.throttles} spent sign-in throttle row(s)."
    )
